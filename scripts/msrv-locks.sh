#!/usr/bin/env bash
# Every lock a user builds from (the library's and each example's) must hold
# only packages that build on the crate's rust-version. The machine has one
# toolchain, newer than that, so nothing here would notice otherwise: a
# `cargo update --precise` or a lock rewritten by a newer cargo can pull in a
# release that needs a newer Rust (aes 0.9.3+ needs 1.89), and the README's
# "Rust 1.88 or newer" stops being true without a failing build.
#
# It reads `rust-version` from each locked package's manifest (cargo
# metadata --locked: no resolution and no build, though it downloads the
# sources of packages not yet in the cache), so it checks the lock as
# committed. The HTTP bench and the fuzzers are tools that run on
# CI's toolchain and are left out.
set -euo pipefail
cd "$(dirname "$0")/.."

rust_version() { sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$1" | head -1; }

msrv=$(rust_version Cargo.toml)
[ -n "$msrv" ] || { echo "no rust-version in Cargo.toml" >&2; exit 1; }

manifests=(Cargo.toml crates/*/Cargo.toml examples/*/Cargo.toml)
status=0
for manifest in "${manifests[@]}"; do
    declared=$(rust_version "$manifest")
    if [ "$declared" != "$msrv" ]; then
        echo "FAIL $manifest: rust-version \"${declared:-unset}\", the library's is \"$msrv\"" >&2
        status=1
        continue
    fi
    if ! cargo metadata --locked --format-version 1 --manifest-path "$manifest" \
        | python3 -c '
import json, sys
msrv, manifest = sys.argv[1], sys.argv[2]
def key(v):
    parts = [int(p) for p in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))
packages = json.load(sys.stdin)["packages"]
newer = [p for p in packages if p.get("rust_version") and key(p["rust_version"]) > key(msrv)]
for p in newer:
    print("FAIL %s: %s %s needs Rust %s" % (manifest, p["name"], p["version"], p["rust_version"]), file=sys.stderr)
if not newer:
    print("ok   %s: %d packages, none needs more than Rust %s" % (manifest, len(packages), msrv))
sys.exit(1 if newer else 0)
' "$msrv" "$manifest"; then
        status=1
    fi
done
exit $status
