#!/usr/bin/env bash
# The edge examples end to end, in the runtimes users deploy to, over
# loopback (run by scripts/wasm-test.sh's `edge` part, so by .ci/run):
#   worker: examples/worker built by worker-build, run in workerd (the
#           npm package's binary, through miniflare), tests/edge/worker.test.mjs
#   lambda: examples/lambda's two functions (plain lambda_http, and the
#           axum layer through lambda_http) under cargo-lambda's emulator
#           (`cargo lambda watch`), tests/edge/lambda.test.mjs
# Every tool comes from a package registry, pinned:
#   wasm-bindgen-cli (crates.io) at examples/worker/Cargo.lock's wasm-bindgen,
#   worker-build (crates.io) at the worker crate's version,
#   miniflare + workerd + esbuild (npm, tests/edge/package-lock.json),
#   cargo-lambda (PyPI, which ships its binary).
# worker-build would download wasm-bindgen from GitHub and wasm-opt from
# GitHub at run time; WASM_BINDGEN_BIN and ESBUILD_BIN point it at the
# registry builds instead, and --no-opt skips wasm-opt (size only).
# Usage: scripts/edge-test.sh [tools|worker|lambda]...   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n--- %s\n' "$*"; }

WORKER_BUILD_VERSION=0.7.5
CARGO_LAMBDA_VERSION=1.9.2
# The examples share the library's target directory (see wasm-test.sh).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

locked_version() { # crate lockfile
    awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$2"
}

tools() {
    step "edge tools: rustup target, wasm-bindgen-cli, worker-build, npm packages"
    rustup target add wasm32-unknown-unknown
    local bindgen
    bindgen="$(locked_version wasm-bindgen examples/worker/Cargo.lock)"
    # Both tools build in one target directory, so the dependencies they
    # share (syn, serde, clap, ...) compile once.
    local tools_target="$CARGO_TARGET_DIR/edge-tools"
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
        # Not --locked: the crate's own lock file names a webpki-roots
        # release the crates.io index reachable here does not have; its
        # dependencies resolve within their semver ranges instead. No
        # default features: they only add TLS for the test runner's
        # downloads, which the `wasm-bindgen` binary never makes.
        cargo install wasm-bindgen-cli --version "$bindgen" --no-default-features \
            --target-dir "$tools_target"
    fi
    if [ "$(worker-build --version 2>/dev/null)" != "$WORKER_BUILD_VERSION" ]; then
        cargo install --locked worker-build --version "$WORKER_BUILD_VERSION" \
            --target-dir "$tools_target"
    fi
    # The tools are installed; their build is not needed again.
    rm -rf "$tools_target"
    command -v node >/dev/null || { echo "node (20 or newer) is required" >&2; exit 1; }
    # npm ci: exactly the lock file's versions. Install scripts are not run
    # (npm 11 asks for approval first): workerd's binary comes as its
    # platform package (@cloudflare/workerd-linux-64), esbuild's through
    # its JavaScript launcher. miniflare declares Node 22; it runs on 20.
    (cd tests/edge && npm ci --no-audit --no-fund --loglevel=error)
}

worker() {
    step "examples/worker: worker-build --release (wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2), esbuild from npm)"
    (
        cd examples/worker
        WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" \
            ESBUILD_BIN="$PWD/../../tests/edge/node_modules/.bin/esbuild" \
            worker-build --release --no-opt
    )
    step "examples/worker in workerd $(tests/edge/node_modules/.bin/workerd --version | cut -d' ' -f2), end to end over loopback"
    node --test --test-concurrency=1 tests/edge/worker.test.mjs
}

lambda() {
    step "cargo-lambda $CARGO_LAMBDA_VERSION (PyPI)"
    if [ "$(cargo lambda --version 2>/dev/null | cut -d' ' -f2)" != "$CARGO_LAMBDA_VERSION" ]; then
        python3 -m pip install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
    fi
    step "examples/lambda: both functions under cargo lambda watch, end to end over loopback"
    cargo build --manifest-path examples/lambda/Cargo.toml --bins
    node --test --test-concurrency=1 tests/edge/lambda.test.mjs
}

[ $# -gt 0 ] || set -- tools worker lambda
for part in "$@"; do
    case "$part" in
        tools | worker | lambda) "$part" ;;
        *) echo "unknown part: $part (tools, worker, lambda)" >&2; exit 2 ;;
    esac
done
