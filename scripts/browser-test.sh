#!/usr/bin/env bash
# Real-browser test: Debian's headless Chromium, driven by playwright-core,
# against both example servers, examples/server (axum) and examples/actix
# (actix-web), on free loopback ports. Installs what it needs (chromium via
# apt-get, playwright-core via npm in tests/browser/); for each server it
# starts two instances (the default `__Host-session` one, and one with the
# unprefixed, non-Secure `session` cookie for plain HTTP on www.app.test),
# runs tests/browser/check.mjs (attributes, limits, chunks, rotation),
# tests/browser/forms.mjs (the /app forms, CSRF, flash) and
# tests/browser/planted.mjs (cookies planted by a sibling host), and stops
# them. The checks are the same for both: none is framework-specific.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
command -v node >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
(cd tests/browser && timeout 300 npm install --no-audit --no-fund --silent)

# Their own workspaces, built into the library's target directory so that
# what they share (the crate itself, examples/demo, serde, tokio) is built
# once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --manifest-path examples/server/Cargo.toml
cargo build --quiet --manifest-path examples/actix/Cargo.toml

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
log=$(mktemp)
pids=()
# SIGTERM, as process managers send it: each server must stop gracefully
# (exit 0) within 30 s.
stop_servers() {
    local pid status
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        if ! timeout 30 tail --pid="$pid" -f /dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            echo "FAIL server $pid still running 30 s after SIGTERM"
            return 1
        fi
        status=0
        wait "$pid" || status=$?
        if [ "$status" -ne 0 ]; then
            echo "FAIL server $pid exited with status $status on SIGTERM"
            cat "$log"
            return 1
        fi
    done
    pids=()
}
stop() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -f "$log"
}
trap stop EXIT

# start BINARY PORT [ENV=VALUE...]: a server on PORT, up to 30 s to answer.
start() {
    local binary=$1 port=$2
    shift 2
    env "$@" SEALED_SESSION_ADDR="127.0.0.1:$port" "$CARGO_TARGET_DIR/debug/$binary" >>"$log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 60); do
        if curl -sf "http://127.0.0.1:$port/whoami" >/dev/null; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; exit 1; fi
        sleep 0.5
    done
    cat "$log"
    exit 1
}

# One server after the other, each with fresh state (keys, revocation
# store), so neither sees the other's sessions.
for binary in server actix-server; do
    echo "--- $binary"
    port=$(free_port)
    start "$binary" "$port"
    plain_port=$(free_port)
    start "$binary" "$plain_port" SEALED_SESSION_COOKIE=session SEALED_SESSION_SECURE=0

    BASE="http://localhost:$port" timeout 180 node tests/browser/check.mjs
    BASE="http://localhost:$port" timeout 180 node tests/browser/forms.mjs
    APP_PORT="$port" PLAIN_PORT="$plain_port" timeout 180 node tests/browser/planted.mjs
    stop_servers
    echo "ok   $binary: both instances stopped gracefully on SIGTERM"
done
