#!/usr/bin/env bash
# Edge readiness, as run by .ci/run:
#   1. the core builds for wasm32-unknown-unknown (with `js`) and for
#      wasm32-wasip1, and does not pull wasm-bindgen in by itself;
#   2. the core test suite (unit, integration and doc tests) runs compiled
#      to wasm32-wasip1 under Node's WASI (scripts/wasi-run.mjs);
#   3. the Lambda and Worker examples and the Workers revocation store
#      (crates/sealed-session-worker) pass fmt, clippy and their native tests;
#   4. edge: the Worker runs in workerd and the Lambda functions under
#      cargo-lambda's emulator, end to end (scripts/edge-test.sh, which
#      installs its pinned tools from the registries).
# Usage: scripts/wasm-test.sh [core|suite|examples|edge]...   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n--- %s\n' "$*"; }

# The suite's features: everything that runs without a server, a network,
# child processes or threads (not redis, axum, cli). The tests that spawn
# threads are ignored on WASI with a reason: nonces_differ_across_threads
# (tests/nonces.rs), threads_crossing_a_boundary_agree (tests/epoch.rs),
# many_threads_revoke_and_check_and_nothing_is_lost
# (tests/revocation_memory.rs).
SUITE_FEATURES="vectors,compression,epoch,http,messagepack"

core() {
    step "rustup targets"
    rustup target add wasm32-unknown-unknown wasm32-wasip1

    step "core for wasm32-unknown-unknown needs the js feature, and only the application turns it on"
    if cargo tree -e normal --target wasm32-unknown-unknown --prefix none \
        | grep -E '^(wasm-bindgen|js-sys) '; then
        echo "the default-feature graph pulls in the JavaScript backends" >&2
        exit 1
    fi
    cargo tree -e normal --target wasm32-unknown-unknown --features js --prefix none \
        | grep -q '^wasm-bindgen ' || { echo "the js feature lost wasm-bindgen" >&2; exit 1; }
    cargo build --lib --target wasm32-unknown-unknown --features js
    cargo build --lib --target wasm32-unknown-unknown --features js,compression

    step "core for wasm32-wasip1 (WASI random_get and clock, no js)"
    cargo build --lib --target wasm32-wasip1
}

suite() {
    command -v node >/dev/null || { echo "node (20 or newer) is required" >&2; exit 1; }
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
        || { echo "node 20 or newer is required for node:wasi preview1" >&2; exit 1; }
    step "test suite on wasm32-wasip1 under Node $(node --version) WASI"
    # Also set in .cargo/config.toml; repeated here so the script does not
    # depend on where cargo finds its configuration.
    export CARGO_TARGET_WASM32_WASIP1_RUNNER="$PWD/scripts/wasi-run.mjs"
    cargo test --no-fail-fast --target wasm32-wasip1 --features "$SUITE_FEATURES" --lib --tests
    step "doc tests on wasm32-wasip1 under Node WASI"
    cargo test --target wasm32-wasip1 --features "$SUITE_FEATURES" --doc
}

examples() {
    # Own workspaces, so their dependencies never enter the library's graph,
    # but the library's target directory, so what they share with it (the
    # crate itself, serde, the proc macros) is not built again.
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
    # demo holds the logic that server (axum) and actix (actix-web) share;
    # crates/sealed-session-worker is the Durable Object revocation store.
    for dir in examples/lambda examples/worker examples/demo examples/server examples/actix crates/sealed-session-worker; do
        step "$dir: fmt, clippy, tests (native)"
        cargo fmt --manifest-path "$dir/Cargo.toml" -- --check
        cargo clippy --manifest-path "$dir/Cargo.toml" --all-targets -- -D warnings
        cargo test --manifest-path "$dir/Cargo.toml"
    done
    # The Worker's wasm-only entry point is linted by hand (cargo clippy
    # --target wasm32-unknown-unknown): a second wasm pass would add about
    # two minutes. `edge` builds it for wasm32 (release, with worker-build)
    # and runs it; so does the Lambda functions' build.
}

edge() {
    scripts/edge-test.sh
}

[ $# -gt 0 ] || set -- core suite examples edge
for part in "$@"; do
    case "$part" in
        core | suite | examples | edge) "$part" ;;
        *) echo "unknown part: $part (core, suite, examples, edge)" >&2; exit 2 ;;
    esac
done
