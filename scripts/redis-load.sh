#!/usr/bin/env bash
# The Redis load and fault test (RELIABILITY.md): builds the example server
# with the Redis Cluster store (examples/server, feature redis-cluster, which
# includes the single-primary store), then runs scripts/redis-load.py twice:
# against one redis-server killed and restarted on its AOF, and against a
# local 3+3 Redis Cluster whose busiest primary is killed and failed over.
# Loopback only, bounded in clients and seconds; exits non-zero when a
# logged-out cookie is accepted, an acknowledged logout is lost, or the
# outage is not answered 503. Extra arguments go to both runs.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "$tool is missing: apt-get install -y redis-server (scripts/test.sh does)" >&2
        exit 1
    }
done

# Built into the library's target directory, as scripts/browser-test.sh
# does, so the crates both share are built once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --manifest-path examples/server/Cargo.toml --features redis-cluster
server="$CARGO_TARGET_DIR/debug/server"
python3 scripts/redis-load.py --server "$server" --json "${TMPDIR:-/tmp}/redis-load-single.json" "$@"
python3 scripts/redis-load.py --cluster --server "$server" --json "${TMPDIR:-/tmp}/redis-load-cluster.json" "$@"
