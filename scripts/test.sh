#!/usr/bin/env bash
# The whole test suite, as README.md gives it: everything `cargo test
# --all-features` runs, plus what those tests need on the machine. The Redis
# revocation tests start their own redis-server on a free loopback port, so
# the binary must exist; it is installed with apt-get when missing (as root),
# or the script says how.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "redis-server missing: installing it with apt-get (Redis revocation tests)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
        echo "redis-server is missing; the Redis revocation tests need it." >&2
        echo "Install it (Debian/Ubuntu: sudo apt-get install -y redis-server) and run again." >&2
        exit 1
    fi
fi

cargo test --all-features "$@"
