#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those still missing, so that a
# second run costs nothing. Groups: base (PDF fonts, poppler, flite that reads the vote's
# captcha aloud), browser (Chromium for the end-to-end tests), servers (PostgreSQL and Redis
# for the scale-out mode and its CI job).
set -euo pipefail
declare -A GROUPS_=(
  [base]="fonts-noto-cjk fonts-arphic-ukai fonts-wqy-microhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 flite"
  [browser]="chromium fonts-wqy-microhei"
  [servers]="postgresql postgresql-contrib postgresql-15-rum redis-server"
  [proxy]="nginx"
)
wanted=()
for group in "${@:-base}"; do
  for pkg in ${GROUPS_[$group]:?unknown package group $group}; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || wanted+=("$pkg")
  done
done
[ ${#wanted[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "missing Debian packages (run as root to install): ${wanted[*]}" >&2; exit 1
  fi
else SUDO=""; fi
echo "installing Debian packages: ${wanted[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
