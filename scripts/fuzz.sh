#!/usr/bin/env bash
# Builds the cargo-fuzz targets under fuzz/ and runs each for a while;
# exits non-zero if any target crashes (panic, failed assertion, allocation
# over the cap, timeout, out of memory). See FUZZING.md.
#
#   scripts/fuzz.sh [run] [TARGET...]   check seeds, build, run each target
#   scripts/fuzz.sh build               build the targets only
#   scripts/fuzz.sh seeds               rewrite the committed seed corpus
#   scripts/fuzz.sh check-seeds         check the committed seed corpus
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_JOBS      parallel libFuzzer jobs per target (default 1)
#   FUZZ_ARGS      extra libFuzzer flags, e.g. "-max_len=8192"
#   FUZZ_WORK      where grown corpora go (default fuzz/target/corpus);
#                  the committed fuzz/corpus/<target> is read, never written
#   FUZZ_TOOLCHAIN=stable  use stable even when nightly is installed
#
# Uses the nightly toolchain with AddressSanitizer when one is installed,
# otherwise stable without a sanitizer (`-s none`). Installs cargo-fuzz
# when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(open roundtrip mutate keyring decompress envelope chunks cookie_header)
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
JOBS="${FUZZ_JOBS:-1}"
WORK="${FUZZ_WORK:-fuzz/target/corpus}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# FUZZ_TOOLCHAIN=stable forces the stable path (to check that it works).
if [ "${FUZZ_TOOLCHAIN:-}" != stable ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    FUZZ=(cargo +nightly fuzz)
    SANITIZER=(-s address)
else
    FUZZ=(cargo fuzz)
    SANITIZER=(-s none)
fi
# -a: debug assertions and overflow checks, so arithmetic overflow in the
# decoder is a crash too.
BUILD_FLAGS=(-O -a "${SANITIZER[@]}")

seeds() {
    (cd fuzz && env "$@" cargo test --lib --quiet)
}

build() {
    "${FUZZ[@]}" build "${BUILD_FLAGS[@]}"
}

run() {
    local targets=("$@") failed=()
    [ ${#targets[@]} -gt 0 ] || targets=("${TARGETS[@]}")
    for target in "${targets[@]}"; do
        mkdir -p "$WORK/$target"
        echo "=== fuzz $target for ${SECONDS_PER_TARGET}s"
        # The grown corpus goes to $WORK (first directory); the committed
        # seeds are only read.
        local parallel=()
        # -jobs=1 would still fork a child logging to a file: only ask for
        # jobs when there are several.
        [ "$JOBS" -le 1 ] || parallel=(-jobs="$JOBS" -workers="$JOBS")
        local dict=()
        [ ! -f "fuzz/dict/$target.dict" ] || dict=(-dict="fuzz/dict/$target.dict")
        # shellcheck disable=SC2086
        if ! "${FUZZ[@]}" run "${BUILD_FLAGS[@]}" "$target" "$WORK/$target" "fuzz/corpus/$target" -- \
            -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
            "${parallel[@]}" "${dict[@]}" -print_final_stats=1 ${FUZZ_ARGS:-}; then
            failed+=("$target")
        fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "fuzzing found crashes in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
        return 1
    fi
    echo "fuzzing: no crash in ${targets[*]}"
}

case "${1:-run}" in
    seeds) seeds SEED_CORPUS_WRITE=1 ;;
    check-seeds) seeds ;;
    build) build ;;
    run) shift || true; seeds && build && run "$@" ;;
    *) seeds && build && run "$@" ;;
esac
