#!/usr/bin/env bash
# Two app servers side by side on loopback, sharing one PostgreSQL database, Redis and the media
# folders, as behind a load balancer (try: sign in on one, open the other).
#   scripts/multiserver.sh            → http://127.0.0.1:8101/ and http://127.0.0.1:8102/
# Needs DATABASE_URL (PostgreSQL, migrated) and REDIS_URL; SECRET_KEY is generated when unset.
# Ctrl-C stops both. tests/test_ops_postgres.py checks the same set-up automatically.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
: "${DATABASE_URL:?set DATABASE_URL to a migrated PostgreSQL database}"
: "${REDIS_URL:?set REDIS_URL (sessions, lockouts and rate limits must be shared)}"
export DEBUG=false HTTPS=${HTTPS:-false} STATIC_MANIFEST=${STATIC_MANIFEST:-false}
export SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait' EXIT INT TERM
for port in ${PORTS:-8101 8102}; do
  "$PY" -m gunicorn cluster_portal.wsgi --bind "127.0.0.1:$port" --workers 2 --name "portal-$port" &
  pids+=($!)
  echo "app server on http://127.0.0.1:$port/"
done
wait
