#!/usr/bin/env bash
# The HTTP-level benchmark (issue 17, BENCHMARKS.md "HTTP level"): builds the
# contenders (benches/http, its own workspace) in release mode, installs wrk
# when missing, and prints the table. Needs two CPUs: the server is pinned to
# CPU 0 and wrk to CPU 1. Run it on a quiet machine; the figures are the
# server's own CPU time per request, which load on CPU 0 inflates.
# Usage: scripts/http-bench.sh [--rounds N] [--seconds S]
#        scripts/http-bench.sh --instructions   (in-process, under valgrind:
#        instructions per request, independent of the machine's load)
#        scripts/http-bench.sh --in-process-time [--rounds N] [--requests N]
#        (in-process wall clock, no sockets, interleaved rounds)
#        scripts/http-bench.sh --in-process-time --glibc-vdso [...]
#        (the same under Debian 13's glibc, fetched by scripts/nonce-sources.sh:
#        its vDSO getrandom gives the other nonce source, src/random.rs)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/http-bench}"
cargo build --quiet --release --manifest-path benches/http/Cargo.toml
if [ "${1:-}" = "--instructions" ]; then
    command -v valgrind >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }
    exec python3 tools/http_bench.py --instructions "$CARGO_TARGET_DIR/release/in-process"
fi
if [ "${1:-}" = "--in-process-time" ]; then
    shift
    loader=()
    if [ "${1:-}" = "--glibc-vdso" ]; then
        shift
        loader=(--loader "$(scripts/nonce-sources.sh --fetch-only)")
    fi
    exec python3 tools/http_bench.py --in-process-time "$CARGO_TARGET_DIR/release/in-process" "${loader[@]}" "$@"
fi
python3 tools/http_bench.py "$CARGO_TARGET_DIR/release/http-bench-server" "$@"
