#!/usr/bin/env bash
# Real-browser test: Debian's headless Chromium, driven by playwright-core,
# against examples/server.rs on a free loopback port. Installs what it
# needs (chromium via apt-get, playwright-core via npm in tests/browser/),
# starts the server, runs tests/browser/check.mjs, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
command -v node >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
(cd tests/browser && timeout 300 npm install --no-audit --no-fund --silent)

cargo build --quiet --example server --features axum

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
SEALED_SESSION_ADDR="127.0.0.1:$port" target/debug/examples/server >"$log" 2>&1 &
server=$!
stop() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -f "$log"
}
trap stop EXIT

# Up to 30 s for the server to answer.
for _ in $(seq 60); do
    if curl -sf "http://localhost:$port/whoami" >/dev/null; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$log"; exit 1; fi
    sleep 0.5
done

BASE="http://localhost:$port" timeout 180 node tests/browser/check.mjs
