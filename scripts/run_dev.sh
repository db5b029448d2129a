#!/usr/bin/env bash
# `make run`: the development server and one background worker beside it. E-mail and SMS are
# tasks that the worker (`manage.py db_worker`) sends; it stops when the server stops (Ctrl+C).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

# Its own process group (setsid), so that stopping it also stops the child its code reloader
# starts, and so that Ctrl+C reaches the server first.
setsid "$PY" manage.py db_worker --interval 1 &
worker=$!
stop_worker() {
    kill -TERM -- "-$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT TERM
echo "Background worker started (manage.py db_worker, pid $worker): e-mail and SMS go out through it."
"$PY" manage.py runserver "$HOST:$PORT"
