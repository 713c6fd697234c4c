#!/usr/bin/env bash
# The same benches built against two `aes` releases (BENCHMARKS.md, "Fifth
# pass"): 0.9.2, the last whose x86 default is AES-NI, and the newest 0.9
# release, which uses VAES wherever the CPU has it (0.9.3 and later). On a
# CPU without VAES the two should measure alike.
#
# Usage: scripts/aes-backends.sh core [ratios filters...]
#          cargo bench --bench ratios under each release, one after the
#          other: compare the ratios within each run, not times across them
#        scripts/aes-backends.sh http [--rounds N] [--requests N]
#          the HTTP bench's in-process drivers built with each release,
#          alternated contender by contender (tools/http_bench_ab.py)
#
# Each build gets a target folder of its own, so a second run only relinks.
# The locks are changed only for the builds and restored on exit, whatever
# happens.
set -euo pipefail
cd "$(dirname "$0")/.."

OLD=0.9.2
mode="${1:-}"
shift || true
case "$mode" in
    core) manifest=Cargo.toml ;;
    http) manifest=benches/http/Cargo.toml ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
lock="$(dirname "$manifest")/Cargo.lock"
saved=$(mktemp)
cp "$lock" "$saved"
trap 'cp "$saved" "$lock"; rm -f "$saved"' EXIT
trap 'exit 130' INT TERM

# The locked aes 0.9 release (a lock may also hold an aes 0.8, for a peer).
aes09() { sed -n '/^name = "aes"$/{n;s/^version = "\(0\.9\.[0-9]*\)"$/\1/p}' "$lock"; }
set_aes() {
    local current
    current=$(aes09)
    if [ "$1" = newest ]; then
        # The library's rust-version (1.88) would hold it at 0.9.2.
        cargo update --quiet --manifest-path "$manifest" -p "aes@$current" --ignore-rust-version
    elif [ "$current" != "$1" ]; then
        cargo update --quiet --manifest-path "$manifest" -p "aes@$current" --precise "$1"
    fi
    aes09
}

NEW=$(set_aes newest)
[ "$NEW" != "$OLD" ] || { echo "the newest aes 0.9 is $OLD: nothing to compare" >&2; exit 1; }
cp "$saved" "$lock"

build() { # version -> prints the target folder
    local dir
    [ "$(set_aes "$1")" = "$1" ] || { echo "could not lock aes $1" >&2; exit 1; }
    if [ "$mode" = core ]; then
        dir="$PWD/target/aes-$1"
        CARGO_TARGET_DIR="$dir" cargo bench --quiet --bench ratios --no-run >&2
    else
        dir="$PWD/target/http-bench-aes-$1"
        CARGO_TARGET_DIR="$dir" cargo build --quiet --release --manifest-path "$manifest" >&2
    fi
    cp "$saved" "$lock"
    echo "$dir"
}

old_dir=$(build "$OLD")
new_dir=$(build "$NEW")

if [ "$mode" = core ]; then
    # cargo bench checks the lock against the build, so each run needs its own.
    printf '\n## aes %s\n\n' "$OLD"
    CARGO_TARGET_DIR="$old_dir" cargo bench --quiet --bench ratios -- "$@"
    set_aes "$NEW" >/dev/null
    printf '\n## aes %s\n\n' "$NEW"
    CARGO_TARGET_DIR="$new_dir" cargo bench --quiet --bench ratios -- "$@"
else
    python3 tools/http_bench_ab.py "$new_dir/release/in-process" "$old_dir/release/in-process" \
        --labels "aes $NEW" "aes $OLD" "$@"
fi
