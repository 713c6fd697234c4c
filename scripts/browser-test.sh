#!/usr/bin/env bash
# Real-browser test: Debian's headless Chromium, driven by playwright-core,
# against the example server (examples/server) on free loopback ports. Installs what it needs
# (chromium via apt-get, playwright-core via npm in tests/browser/), starts
# two servers (the default `__Host-session` one, and one with the
# unprefixed, non-Secure `session` cookie for plain HTTP on www.app.test),
# runs tests/browser/check.mjs (attributes, limits, chunks) and
# tests/browser/planted.mjs (cookies planted by a sibling host), and stops
# the servers.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
command -v node >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
(cd tests/browser && timeout 300 npm install --no-audit --no-fund --silent)

# Its own workspace, built into the library's target directory so that what
# they share (the crate itself, serde, tokio) is built once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --manifest-path examples/server/Cargo.toml

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
log=$(mktemp)
pids=()
stop() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -f "$log"
}
trap stop EXIT

# start PORT [ENV=VALUE...]: a server on PORT, up to 30 s to answer.
start() {
    local port=$1
    shift
    env "$@" SEALED_SESSION_ADDR="127.0.0.1:$port" "$CARGO_TARGET_DIR/debug/server" >>"$log" 2>&1 &
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

port=$(free_port)
start "$port"
plain_port=$(free_port)
start "$plain_port" SEALED_SESSION_COOKIE=session SEALED_SESSION_SECURE=0

BASE="http://localhost:$port" timeout 180 node tests/browser/check.mjs
BASE="http://localhost:$port" timeout 180 node tests/browser/forms.mjs
APP_PORT="$port" PLAIN_PORT="$plain_port" timeout 180 node tests/browser/planted.mjs
