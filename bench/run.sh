#!/usr/bin/env bash
# make bench: gunicorn with production settings on this machine's PostgreSQL and Redis, the
# scaled demo data loaded once, and wrk (loopback only, BENCH_SECONDS per page) measuring
# throughput and p50/p95/p99 of each page twice: on a cache hit (as served) and on a cache miss
# (a second server with PAGE_CACHE_READS=false renders every page afresh), and the pages with a
# target on a miss a third time, on the floor (bench/floor_wsgi.py: the miss without template
# rendering). Prints the tables (throughput as a ratio to /healthz from the same run) and writes
# them to bench/RESULTS.md with the date, the machine and its load.
#   BENCH_SCALE=100  BENCH_SECONDS=10  BENCH_WORKERS=4  BENCH_CONNECTIONS=4
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cluster_portal_bench
#   BENCH_REDIS_URL=redis://127.0.0.1:6379/6   BENCH_RESEED=1 drops and reloads the data.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
SCALE=${BENCH_SCALE:-100}
SECONDS_PER_PAGE=${BENCH_SECONDS:-10}
WORKERS=${BENCH_WORKERS:-4}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cluster_portal_bench}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6}
DATA=$ROOT/bench/data
mkdir -p "$DATA"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing wrk (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  else
    echo "bench: wrk is needed (apt-get install wrk)" >&2
    exit 1
  fi
fi

export DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY=${BENCH_SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export DATABASE_URL=$DB_URL REDIS_URL=$REDIS CACHE_KEY_PREFIX=bench CONN_MAX_AGE=600
export STATIC_ROOT=$DATA/static STATIC_MANIFEST=true
export SMS_BACKEND=core.sms.ConsoleSmsBackend EMAIL_URL=consolemail://
export RATELIMIT_ENABLE=false  # wrk is one client hammering one page: the limits would answer 429

pg="postgresql://${DB_URL#*://}"
name="${pg##*/}"
maintenance="${pg%/*}/postgres"
if [ "${BENCH_RESEED:-}" = "1" ]; then
  psql --dbname "$maintenance" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
fi
if [ "$(psql --dbname "$maintenance" -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
  psql --dbname "$maintenance" -qc "CREATE DATABASE \"$name\""
fi
"$PY" manage.py migrate --noinput >/dev/null
loaded=$(psql --dbname "$pg" -Atc "SELECT scale FROM bench_loaded" 2>/dev/null || true)
if [ -z "$loaded" ]; then
  echo "loading the demo data at scale $SCALE (once; BENCH_RESEED=1 reloads) ..."
  started=$(date +%s)
  ALLOW_DEMO_SEED=true "$PY" manage.py seed_demo --scale "$SCALE" | tee "$DATA/seed.log" | grep -E "scale|ready" || true
  psql --dbname "$pg" -qc "VACUUM ANALYZE" -c "CREATE TABLE bench_loaded AS SELECT $SCALE AS scale, now() AS loaded_at, $(( $(date +%s) - started )) AS seconds"
  loaded=$SCALE
fi
"$PY" manage.py collectstatic --noinput >/dev/null
"$PY" manage.py shell -c "from django.core.cache import cache; cache.clear()" >/dev/null 2>&1 || true

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Two servers (a third, the floor, below) on the same data and cache: "hit" as in production;
# "miss" with PAGE_CACHE_READS off, so every cached page and fragment is rendered afresh on every
# request (and stored, as on a real miss): a member's first view, the view after a write.
port=$(free_port)
miss_port=$(free_port)
floor_port=$(free_port)
base="http://127.0.0.1:$port"
miss_base="http://127.0.0.1:$miss_port"
floor_base="http://127.0.0.1:$floor_port"
"$PY" -m gunicorn cluster_portal.wsgi --bind "127.0.0.1:$port" --workers "$WORKERS" --timeout 60 \
  --access-logfile - --log-level warning >"$DATA/gunicorn.log" 2>&1 &
gunicorn_pid=$!
PAGE_CACHE_READS=false "$PY" -m gunicorn cluster_portal.wsgi --bind "127.0.0.1:$miss_port" --workers "$WORKERS" \
  --timeout 60 --access-logfile - --log-level warning >"$DATA/gunicorn-miss.log" 2>&1 &
miss_pid=$!
# A third server, for the pages with a target on a miss: the miss with Django's template rendering
# taken away (bench/floor_wsgi.py), i.e. what the page would cost with a template engine that cost
# nothing. Never a target itself: it shows how much of a miss rendering is.
PAGE_CACHE_READS=false "$PY" -m gunicorn "bench.floor_wsgi:application_with_floor()" --bind "127.0.0.1:$floor_port" \
  --workers "$WORKERS" --timeout 60 --access-logfile - --log-level warning >"$DATA/gunicorn-floor.log" 2>&1 &
floor_pid=$!
trap 'kill "$gunicorn_pid" "$miss_pid" "$floor_pid" 2>/dev/null || true; wait "$gunicorn_pid" "$miss_pid" "$floor_pid" 2>/dev/null || true' EXIT
for server in "$base" "$miss_base" "$floor_base"; do
  for _ in $(seq 1 100); do curl -fs "$server/healthz" >/dev/null && break; sleep 0.2; done
  curl -fs "$server/healthz" >/dev/null || { echo "bench: $server did not start (see $DATA/gunicorn*.log)" >&2; exit 1; }
done

measure() {  # measure MODE LABEL SERVER PATH COOKIE: one line of results.tsv
  local mode=$1 label=$2 server=$3 path=$4 cookie=$5 status line
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$server$path" || true)
  if [ "$status" != "200" ] && [ "$status" != "204" ]; then  # 204: a Q&A poll with nothing new
    printf '%s\t%s\t%s\tHTTP %s\n' "$mode" "$label" "$path" "$status" >> "$results"
    echo "  $label ($mode): HTTP $status, not measured"
    return
  fi
  BENCH_COOKIE="$cookie" wrk -t 2 -c "$CONNECTIONS" -d 2s -s bench/wrk.lua "$server$path" >/dev/null  # warm-up
  line=$(BENCH_COOKIE="$cookie" wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_PER_PAGE}s" --timeout 10s -s bench/wrk.lua "$server$path" | grep '^RESULT' | cut -f2-)
  printf '%s\t%s\t%s\t%s\n' "$mode" "$label" "$path" "$line" >> "$results"
  cut -d' ' -f1 /proc/loadavg >> "$DATA/load.log"
  echo "  $label ($mode): $line  (load $(cut -d' ' -f1 /proc/loadavg))"
}

"$PY" manage.py shell < bench/targets.py 2>/dev/null | grep '^TARGET' > "$DATA/targets.tsv"
floor_pages=$(cd bench && "$PY" -c 'import report; print("\n".join(report.MISS_TARGETS))')  # the pages with a target on a miss
results=$DATA/results.tsv
: > "$results"
: > "$DATA/load.log"
while IFS=$'\t' read -r _ label path cookie; do
  measure hit "$label" "$base" "$path" "$cookie"
  if [ "$label" != "/healthz (baseline)" ]; then
    measure miss "$label" "$miss_base" "$path" "$cookie"
  fi
  if grep -Fxq "$label" <<<"$floor_pages"; then
    measure floor "$label" "$floor_base" "$path" "$cookie"
  fi
done < "$DATA/targets.tsv"
# The baseline once more at the end: the machine's load moves during a run (both go in the report).
measure hit "/healthz (baseline, end)" "$base" /healthz ""

# Graceful reloads under load: two HUPs during a /healthz run; every request must still succeed.
(sleep 3; kill -HUP "$gunicorn_pid"; sleep 4; kill -HUP "$gunicorn_pid") &
line=$(wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_PER_PAGE}s" --timeout 10s -s bench/wrk.lua "$base/healthz" | grep '^RESULT' | cut -f2-)
wait $!
printf 'hit\t%s\t%s\t%s\n' "/healthz during 2 graceful reloads (HUP)" "/healthz" "$line" >> "$results"
echo "  /healthz during 2 graceful reloads: $line"

load_note="1-minute load average $(sort -n "$DATA/load.log" | head -1)–$(sort -n "$DATA/load.log" | tail -1) during the run"
"$PY" bench/report.py "$results" --load-note "$load_note" --scale "$loaded" --workers "$WORKERS" --connections "$CONNECTIONS" \
  --seconds "$SECONDS_PER_PAGE" --database "$pg" --output bench/RESULTS.md
