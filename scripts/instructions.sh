#!/usr/bin/env bash
# Instruction counts of seal, open, the floor and postcard ser+de
# (benches/instructions.rs; BENCHMARKS.md, "Instruction counts (gungraun)").
# The gungraun library hands the run to its `gungraun-runner` binary, which
# must be exactly the library's version, and measures under valgrind: the
# runner is installed with cargo when missing or at another version, and
# valgrind with apt-get (as root) when missing, or the script says how.
#
# Arguments go to gungraun, e.g. `scripts/instructions.sh --save-baseline=before`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version cargo resolved for the library; the runner refuses any other.
version=$(awk '/^name = "gungraun-runner"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$version" ]; then
    echo "gungraun-runner not found in Cargo.lock (is gungraun still a dev-dependency?)" >&2
    exit 1
fi

# `cargo install` puts the runner here, which need not be on PATH yet.
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
installed=$(gungraun-runner --version 2>/dev/null | awk '{ print $NF }' || true)
if [ "$installed" != "$version" ]; then
    echo "gungraun-runner ${installed:-missing}, need $version: installing it with cargo"
    cargo install gungraun-runner --version "$version" --locked
fi

if ! command -v valgrind >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "valgrind missing: installing it with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
    else
        echo "valgrind is missing; the instruction counts need it." >&2
        echo "Install it (Debian/Ubuntu: sudo apt-get install -y valgrind) and run again." >&2
        exit 1
    fi
fi

cargo bench --bench instructions -- "$@"
