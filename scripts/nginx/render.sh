#!/usr/bin/env bash
# Renders scripts/nginx/bizenv.conf.in from the environment (the @NAMES@ it lists) to stdout.
set -euo pipefail
template="$(dirname "$0")/bizenv.conf.in"
: "${UPSTREAM:?}" "${HTTPS_LISTEN:?}" "${HTTP_LISTEN:?}" "${STATIC_ROOT:?}" "${MEDIA_ROOT:?}"
: "${SITE_URL:?}"
# SITE_URL's host[:port]; the server name is its host unless SERVER_NAME says otherwise.
SITE_HOST=$(printf '%s' "$SITE_URL" | sed -E 's|^[a-z]+://||; s|/.*$||')
SERVER_NAME=${SERVER_NAME:-$(printf '%s' "$SITE_HOST" | sed -E 's|:[0-9]+$||')}
TLS=${TLS:-}
DEFAULT_TLS=${DEFAULT_TLS:-}
PROXY_BIND=${PROXY_BIND:-}
drop_bind=()
[ -z "$PROXY_BIND" ] && drop_bind=(-e "/proxy_bind @PROXY_BIND@;/d")
sed "${drop_bind[@]}" -e "s|@UPSTREAM@|$UPSTREAM|g" -e "s|@PROXY_BIND@|$PROXY_BIND|g" \
    -e "s|@HTTPS_LISTEN@|$HTTPS_LISTEN|g" -e "s|@HTTP_LISTEN@|$HTTP_LISTEN|g" \
    -e "s|@SERVER_NAME@|$SERVER_NAME|g" -e "s|@TLS@|$TLS|g" \
    -e "s|@SITE_HOST@|$SITE_HOST|g" -e "s|@DEFAULT_TLS@|$DEFAULT_TLS|g" \
    -e "s|@STATIC_ROOT@|$STATIC_ROOT|g" -e "s|@MEDIA_ROOT@|$MEDIA_ROOT|g" "$template"
