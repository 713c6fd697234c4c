#!/usr/bin/env bash
# The whole test suite, as README.md gives it: everything `cargo test
# --all-features` runs, plus what those tests need on the machine. The Redis
# revocation tests start their own redis-server on a free loopback port (a
# TLS-only one for tests/revocation_redis_tls.rs, a 3+3 cluster made with
# redis-cli for tests/revocation_redis_cluster.rs), so both binaries must
# exist; Debian's redis-server (built with TLS) brings redis-cli. They are
# installed with apt-get when missing (as root), or the script says how.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "redis-server missing: installing it with apt-get (Redis revocation tests)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
    else
        echo "redis-server or redis-cli is missing; the Redis revocation tests need them." >&2
        echo "Install it (Debian/Ubuntu: sudo apt-get install -y redis-server redis-tools) and run again." >&2
        exit 1
    fi
fi

# Before glibc 2.41 getrandom() is always a system call, dearer than the
# process-id check, so the process must keep the thread-local nonce source
# (src/random.rs); tests/nonces.rs checks that. With a newer C library the
# choice is the process's own measurement, and scripts/nonce-sources.sh
# covers the OS source.
glibc=$(ldd --version 2>/dev/null | head -1 | grep -o '[0-9]*\.[0-9]*$' || true)
if [ -n "$glibc" ] && [ "${glibc%%.*}" -eq 2 ] && [ "${glibc#*.}" -lt 41 ]; then
    export SEALED_SESSION_EXPECT_NONCE_SOURCE=thread-rng
fi

cargo test --all-features "$@"

# Without arguments (the whole suite), the fork and uniqueness tests once
# more under the other nonce source.
if [ "$#" -eq 0 ]; then
    env -u SEALED_SESSION_EXPECT_NONCE_SOURCE scripts/nonce-sources.sh
fi
