#!/usr/bin/env bash
# Starts the production stack on loopback (PostgreSQL, Redis, a Celery worker, gunicorn in
# production mode serving static files through WhiteNoise) and runs a smoke test through it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8765}
WORK=$(mktemp -d)
export DJANGO_ENV=production
export SECRET_KEY="deploy-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL=postgres://bizenv:bizenv@127.0.0.1:5432/bizenv_deploycheck
export REDIS_URL=redis://127.0.0.1:6379/3
export CELERY_QUEUE="deploy-check-$$"
export MEDIA_ROOT="$WORK/media"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$WORK/mail"
PY=.venv/bin/python

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

su postgres -c "dropdb --if-exists bizenv_deploycheck" && su postgres -c "createdb -O bizenv bizenv_deploycheck"
$PY manage.py check --deploy --fail-level WARNING
# A TLS proxy sits in front of gunicorn in production; the smoke test plays that proxy by
# sending X-Forwarded-Proto: https, which SECURE_PROXY_SSL_HEADER trusts.
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo_data --force >/dev/null

.venv/bin/celery -A bizenv worker -l warning -P solo -Q "$CELERY_QUEUE" >"$WORK/worker.log" 2>&1 &
pids+=($!)
.venv/bin/gunicorn bizenv.wsgi -b 127.0.0.1:$PORT -w 2 --access-logfile - >"$WORK/gunicorn.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done

$PY scripts/smoke_test.py "http://127.0.0.1:$PORT" "$WORK"
echo "deploy-check: the production stack served every smoke request"
