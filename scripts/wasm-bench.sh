#!/usr/bin/env bash
# The wasm figures of BENCHMARKS.md (a benchmark, not part of CI):
#   1. the size of examples/wasm-size's cdylib (a minimal module that seals
#      and opens a session): wasm32-unknown-unknown, `js` feature, profile
#      `size` (opt-level "z", LTO, one codegen unit, panic=abort, no debug
#      info; wasm-bindgen removes the names);
#      raw cargo output, then after the wasm-bindgen CLI (which also runs
#      the module under Node through examples/wasm-size/run.mjs) and after
#      wasm-opt -Oz, each when on PATH, and gzip -9 of each;
#   2. seal+open time per algorithm of the same harness natively and on
#      wasm32-wasip1 under Node's WASI, one run each, back to back.
# Usage: scripts/wasm-bench.sh [size|timing]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="$PWD/target/wasm-bench"
manifest=examples/wasm-size/Cargo.toml
rustup target add wasm32-unknown-unknown wasm32-wasip1 >/dev/null

size() {
    cargo build --quiet --manifest-path "$manifest" --lib --profile size --target wasm32-unknown-unknown
    module="$CARGO_TARGET_DIR/wasm32-unknown-unknown/size/sealed_session_wasm_size.wasm"
    printf '\nmodule: %s\n' "${module#"$PWD"/}"
    printf 'raw:           %7d bytes\n' "$(stat -c %s "$module")"
    printf 'gzip -9:       %7d bytes\n' "$(gzip -9c "$module" | wc -c)"
    # cargo's output still holds wasm-bindgen's descriptor functions and
    # custom sections; the wasm-bindgen CLI (same version as the crate in
    # examples/wasm-size/Cargo.lock) removes them and writes the module an
    # application ships, plus its JavaScript glue, which run.mjs drives.
    if command -v wasm-bindgen >/dev/null; then
        rm -rf "$CARGO_TARGET_DIR/pkg"
        wasm-bindgen --target nodejs --remove-name-section --remove-producers-section \
            --out-dir "$CARGO_TARGET_DIR/pkg" "$module"
        module="$CARGO_TARGET_DIR/pkg/sealed_session_wasm_size_bg.wasm"
        printf 'wasm-bindgen:  %7d bytes (gzip -9: %d)\n' "$(stat -c %s "$module")" "$(gzip -9c "$module" | wc -c)"
        node examples/wasm-size/run.mjs "$CARGO_TARGET_DIR/pkg"
    fi
    if command -v wasm-opt >/dev/null; then
        wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$module" -o "$CARGO_TARGET_DIR/size-opt.wasm"
        printf 'then wasm-opt -Oz: %7d bytes (gzip -9: %d)\n' \
            "$(stat -c %s "$CARGO_TARGET_DIR/size-opt.wasm")" "$(gzip -9c "$CARGO_TARGET_DIR/size-opt.wasm" | wc -c)"
    fi
}

timing() {
    cargo build --quiet --manifest-path "$manifest" --release --bin timing
    cargo build --quiet --manifest-path "$manifest" --release --bin timing --target wasm32-wasip1
    printf '\nnative (%s):\n' "$(uname -m)"
    "$CARGO_TARGET_DIR/release/timing"
    printf '\nwasm32-wasip1 under Node %s WASI:\n' "$(node --version)"
    scripts/wasi-run.mjs "$CARGO_TARGET_DIR/wasm32-wasip1/release/timing.wasm"
}

[ $# -gt 0 ] || set -- size timing
for part in "$@"; do
    case "$part" in
        size | timing) "$part" ;;
        *) echo "unknown part: $part (size, timing)" >&2; exit 2 ;;
    esac
done
