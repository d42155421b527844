#!/usr/bin/env bash
# Starts PostgreSQL and Redis on loopback for the scale-out mode, and creates the project's
# database role. Idempotent. Prints the environment to export.
set -euo pipefail
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$PGVER main .* online"; then
  pg_lsclusters -h | grep -q "^$PGVER main" || pg_createcluster "$PGVER" main >/dev/null
  pg_ctlcluster "$PGVER" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='bizenv'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE bizenv LOGIN SUPERUSER PASSWORD 'bizenv'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='bizenv'\"" | grep -q 1 ||
  su postgres -c "createdb -O bizenv bizenv"
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --databases 64 --daemonize yes --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
echo "DATABASE_URL=postgres://bizenv:bizenv@127.0.0.1:5432/bizenv"
echo "REDIS_URL=redis://127.0.0.1:6379/0"
