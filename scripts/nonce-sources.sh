#!/usr/bin/env bash
# tests/nonces.rs under both nonce sources (src/random.rs): the machine's C
# library, then Debian 13's glibc (2.41), whose getrandom() runs in the
# kernel's vDSO on Linux 6.11 and later. There the process measures the OS
# source as the cheaper and draws every nonce and session id from it, and
# the fork test must hold for that source too. The glibc package comes from
# deb.debian.org (cached under target/glibc-vdso); the test binary built
# against this machine's glibc runs unchanged under the newer loader.
#
# Usage: scripts/nonce-sources.sh   (scripts/test.sh runs it)
#        scripts/nonce-sources.sh --fetch-only   (fetches, prints the lib folder)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]; then
    echo "nonce sources: the vDSO run needs Linux on x86_64; this is $(uname -s)/$(uname -m), so only the run above counts" >&2
    [ "${1:-}" != --fetch-only ] || exit 1
    exit 0
fi

dir=target/glibc-vdso
if [ ! -x "$dir/lib/ld-linux-x86-64.so.2" ]; then
    mirror=http://deb.debian.org/debian
    mkdir -p "$dir"
    echo "nonce sources: fetching Debian 13's libc6 into $dir" >&2
    # The file name carries Debian's revision, which security updates bump:
    # look it up in the release's package index rather than pin it.
    curl -fsS --retry 3 -o "$dir/Packages.xz" "$mirror/dists/trixie/main/binary-amd64/Packages.xz"
    file=$(xz -dc "$dir/Packages.xz" | awk '/^Package: libc6$/ { p = 1 } p && !f && /^Filename:/ { f = $2 } END { print f }')
    rm -f "$dir/Packages.xz"
    [ -n "$file" ] || { echo "nonce sources: libc6 not found in Debian 13's index" >&2; exit 1; }
    curl -fsS --retry 3 -o "$dir/libc6.deb" "$mirror/$file"
    mkdir -p "$dir/root"
    if command -v dpkg-deb >/dev/null 2>&1; then
        dpkg-deb -x "$dir/libc6.deb" "$dir/root"
    else
        # Not a Debian system: a .deb is an ar archive around a tarball.
        (cd "$dir" && ar x libc6.deb && tar -xf data.tar.* -C root && rm -f data.tar.* control.tar.* debian-binary)
    fi
    mkdir -p "$dir/lib"
    cp -a "$dir"/root/usr/lib/x86_64-linux-gnu/. "$dir/lib/"
    rm -rf "$dir/root" "$dir/libc6.deb"
fi
if [ "${1:-}" = "--fetch-only" ]; then
    echo "$PWD/$dir/lib"
    exit 0
fi

# The test binary of tests/nonces.rs, as `cargo test` built it.
binary=$(cargo test --all-features --test nonces --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "nonces" and m.get("executable"):
        print(m["executable"])')

# The vDSO getrandom came with Linux 6.11: on older kernels glibc 2.41 makes
# the system call, and the process keeps the thread-local source.
read -r major minor _ < <(uname -r | tr '.-' '   ')
if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 11 ]; }; then
    expect=os
else
    expect=thread-rng
fi
echo "nonce sources: tests/nonces.rs under $("$dir/lib/ld-linux-x86-64.so.2" --version | head -1), kernel $(uname -r), expecting the $expect source"
SEALED_SESSION_EXPECT_NONCE_SOURCE=$expect \
    "$dir/lib/ld-linux-x86-64.so.2" --library-path "$dir/lib:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" \
    "$binary"
