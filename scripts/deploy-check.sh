#!/usr/bin/env bash
# Starts the production stack on loopback (PostgreSQL, Redis, a Celery worker, gunicorn in
# production mode behind nginx, an SMS gateway stand-in) and runs a smoke test through it.
#
# gunicorn listens on a Unix socket that only nginx's workers' group may open (the only trusted
# proxy: TRUSTED_PROXIES=unix); smoke-test clients connect to nginx from 127.0.0.21 and others.
# nginx's port $HTTPS_PORT plays the TLS listener (plain HTTP here; the configuration in
# scripts/nginx/bizenv.conf.in documents the certificate lines), $HTTP_PORT the plain one.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_PORT=${APP_PORT:-8765}
HTTPS_PORT=${HTTPS_PORT:-8780}
HTTP_PORT=${HTTP_PORT:-8781}
SMS_PORT=${SMS_PORT:-8799}
WORK=$(mktemp -d)
chmod 755 "$WORK"
NGINX_GROUP=$(id -gn nobody)  # nginx's workers run as nobody when no user is configured
APP_SOCKET="$WORK/run/gunicorn.sock"
export DJANGO_ENV=production
export SECRET_KEY="deploy-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PHONE_HASH_KEY="deploy-check-phone-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL="http://127.0.0.1:$HTTPS_PORT"
export TRUSTED_PROXIES=unix
export PROTECTED_DOWNLOADS_PREFIX=/protected/
export DATABASE_URL=postgres://bizenv:bizenv@127.0.0.1:5432/bizenv_deploycheck
export REDIS_URL=redis://127.0.0.1:6379/3
export CELERY_QUEUE="deploy-check-$$"
export MEDIA_ROOT="$WORK/media"
export STATIC_ROOT="$WORK/static"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$WORK/mail"
export SMS_SENDER=reviews.vote.sms_gateways.HttpGatewaySender
export SMS_GATEWAY_URL="http://127.0.0.1:$SMS_PORT/send"
export SMS_OUTBOX="$WORK/sms.jsonl"
PY=.venv/bin/python

pids=()
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

su postgres -c "dropdb --if-exists bizenv_deploycheck" && su postgres -c "createdb -O bizenv bizenv_deploycheck"
$PY manage.py check --deploy --fail-level WARNING
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
# The smoke test's data: demo_data refuses production, so it is loaded as a developer would
# (the same database); in production mode the demo accounts get no exemption from 2FA.
DJANGO_ENV=development $PY manage.py demo_data >/dev/null
mkdir -p "$MEDIA_ROOT" && chmod -R a+rX "$WORK"
# The socket's folder is the gate: nginx's group may enter it, other users not (a socket is
# reached through its folder, whatever the socket's own mode).
mkdir -p "$WORK/run" && chgrp "$NGINX_GROUP" "$WORK/run" && chmod 2750 "$WORK/run"

$PY scripts/sms_standin.py "$SMS_PORT" "$SMS_OUTBOX" &
pids+=($!)
.venv/bin/celery -A bizenv worker -l warning -P solo -Q "$CELERY_QUEUE" >"$WORK/worker.log" 2>&1 &
pids+=($!)
# On a socket gunicorn believes X-Forwarded-Proto from its peer, nginx, the only one that can
# open the socket.
.venv/bin/gunicorn bizenv.wsgi -b "unix:$APP_SOCKET" -w 2 \
  --access-logfile - >"$WORK/gunicorn.log" 2>&1 &
pids+=($!)

# nginx: the site from the repository's template, inside a minimal main configuration.
UPSTREAM="unix:$APP_SOCKET" HTTPS_LISTEN=127.0.0.1:$HTTPS_PORT \
  HTTP_LISTEN=127.0.0.1:$HTTP_PORT STATIC_ROOT=$STATIC_ROOT MEDIA_ROOT=$MEDIA_ROOT \
  bash scripts/nginx/render.sh >"$WORK/site.conf"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $WORK/nginx-access.log;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  include $WORK/site.conf;
}
CONF
nginx -t -q -c "$WORK/nginx.conf" -p "$WORK"
nginx -c "$WORK/nginx.conf" -p "$WORK"

for _ in $(seq 1 50); do curl -fs -o /dev/null --unix-socket "$APP_SOCKET" "http://127.0.0.1/" -H "X-Forwarded-Proto: https" && break; sleep 0.2; done

if ! $PY scripts/smoke_test.py "http://127.0.0.1:$HTTPS_PORT" "$WORK" \
    --plain "http://127.0.0.1:$HTTP_PORT" --socket "$APP_SOCKET" --proxy-group "$NGINX_GROUP" \
    --direct "http://127.0.0.1:$APP_PORT"; then
  echo "--- nginx errors"; tail -20 "$WORK/nginx-error.log" || true
  echo "--- gunicorn"; tail -40 "$WORK/gunicorn.log" || true
  exit 1
fi
echo "deploy-check: the production stack served every smoke request through nginx"
