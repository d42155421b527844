#!/usr/bin/env bash
# Renders scripts/nginx/bizenv.conf.in from the environment (the @NAMES@ it lists) to stdout.
set -euo pipefail
template="$(dirname "$0")/bizenv.conf.in"
: "${UPSTREAM:?}" "${PROXY_BIND:?}" "${HTTPS_LISTEN:?}" "${HTTP_LISTEN:?}" "${STATIC_ROOT:?}" "${MEDIA_ROOT:?}"
SERVER_NAME=${SERVER_NAME:-_}
TLS=${TLS:-}
sed -e "s|@UPSTREAM@|$UPSTREAM|g" -e "s|@PROXY_BIND@|$PROXY_BIND|g" \
    -e "s|@HTTPS_LISTEN@|$HTTPS_LISTEN|g" -e "s|@HTTP_LISTEN@|$HTTP_LISTEN|g" \
    -e "s|@SERVER_NAME@|$SERVER_NAME|g" -e "s|@TLS@|$TLS|g" \
    -e "s|@STATIC_ROOT@|$STATIC_ROOT|g" -e "s|@MEDIA_ROOT@|$MEDIA_ROOT|g" "$template"
