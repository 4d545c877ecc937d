#!/usr/bin/env bash
# Load benchmark of public pages and the API, on loopback only, bounded in time.
#
# Serves the development database (the demo academy: make bench seeds it) with granian in the two
# layouts of ADR 0001 and drives each URL with wrk:
#   - wsgi: granian --interface wsgi, WSGI_WORKERS processes (the production layout for HTTP);
#   - asgi: granian --interface asginl, 1 process (what `make run` starts).
# DEBUG is off (as in production); the database is SQLite in WAL mode unless DATABASE_URL is set.
#
# Usage: bench/http_pages.sh            (make bench installs wrk, migrates, seeds, collects static)
# Knobs: DURATION=10s CONNECTIONS=32 THREADS=2 WSGI_WORKERS=2 BENCH_PORT=8099
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WSGI_WORKERS=${WSGI_WORKERS:-2}
PORT=${BENCH_PORT:-8099}
PY=.venv/bin/python
URLS=(/ /programs/ /api/v1/programs)
SERVER_LOG=var/bench-server.log  # the servers' own output (e.g. clients cut off when wrk stops)

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk (make bench does)"; exit 1; }

mkdir -p var && : >"$SERVER_LOG"
export DJANGO_SETTINGS_MODULE=config.settings.dev DEBUG=false LOG_LEVEL=WARNING

server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        # granian waits for requests in flight; after wrk cut them off it can wait forever.
        for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$server_pid" 2>/dev/null; then
            pkill -KILL -P "$server_pid" 2>/dev/null || true
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap stop_server EXIT

start_server() { # layout
    local layout=$1
    if [ "$layout" = wsgi ]; then
        ASGI_PROCESS=0 $PY -m granian --interface wsgi --workers "$WSGI_WORKERS" \
            --host 127.0.0.1 --port "$PORT" --log-level warning config.wsgi:application \
            >>"$SERVER_LOG" 2>&1 &
    else
        ASGI_PROCESS=1 $PY -m granian --interface asginl --workers 1 \
            --host 127.0.0.1 --port "$PORT" --log-level warning config.asgi:application \
            >>"$SERVER_LOG" 2>&1 &
    fi
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && return 0
        sleep 0.2
    done
    echo "the $layout server did not answer on port $PORT" >&2
    exit 1
}

echo "Qashyq HTTP benchmark: $(nproc) cores, $(uname -sr), $($PY --version)"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION per URL; database: ${DATABASE_URL:-SQLite (WAL)}"
echo "errors = socket errors (wrk's timeout is 2 s) + non-2xx answers; server output: $SERVER_LOG"
printf '\n%-32s %-24s %10s %12s %12s %8s\n' "server" "url" "req/s" "latency avg" "latency p99" "errors"
for layout in wsgi asgi; do
    start_server "$layout"
    if [ "$layout" = wsgi ]; then label="granian WSGI, $WSGI_WORKERS workers"; else label="granian ASGI, 1 process"; fi
    for url in "${URLS[@]}"; do
        status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$url")
        if [ "$status" != 200 ]; then
            printf '%-32s %-24s %s\n' "$label" "$url" "skipped: HTTP $status"
            continue
        fi
        # Warm up, then measure.
        wrk -t1 -c4 -d1s "http://127.0.0.1:$PORT$url" >/dev/null
        out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$url")
        rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        avg=$(awk '/^    Latency/ {print $2; exit}' <<<"$out")
        p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
        # "Socket errors: connect 0, read 0, write 0, timeout 12" and "Non-2xx or 3xx responses: 3"
        errors=$(awk '/Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
            /Non-2xx/ {n += $NF} END {print n + 0}' <<<"$out")
        printf '%-32s %-24s %10s %12s %12s %8s\n' "$label" "$url" "$rps" "$avg" "$p99" "$errors"
    done
    stop_server
done
