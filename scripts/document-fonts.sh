#!/usr/bin/env bash
# The free faces of the official type families (GB/T 9704: 仿宋, 楷体, 黑体, 宋体) for the notice
# PDF and the certificates: the Fandol fonts (GPL-3 with the font exception), taken from Debian's
# texlive-lang-chinese without installing TeX: `apt-get download` the .deb and unpack only the
# font files and their licence into fonts/fandol/ (gitignored). A second run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
target=fonts/fandol
faces=(FandolFang-Regular FandolKai-Regular FandolHei-Bold FandolSong-Regular FandolSong-Bold)
missing=0
for face in "${faces[@]}"; do [ -s "$target/$face.otf" ] || missing=1; done
[ "$missing" -eq 0 ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching the Fandol fonts from Debian's texlive-lang-chinese"
# A machine whose package lists were never fetched (or are stale) knows no such .deb yet.
(cd "$work" && { apt-get download -qq texlive-lang-chinese >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null && apt-get download -qq texlive-lang-chinese >/dev/null; }; } || {
  echo "apt-get download texlive-lang-chinese failed" >&2; exit 1; })
dpkg-deb -x "$work"/texlive-lang-chinese_*.deb "$work/x"
mkdir -p "$target"
for face in "${faces[@]}"; do
  cp "$work/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/$face.otf" "$target/"
done
cp "$work/x/usr/share/doc/texlive-doc/fonts/fandol/README" "$target/README"
zcat "$work/x/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz" >"$target/COPYING"
