#!/usr/bin/env python3
"""The HTTP-level benchmark of issue 17, driven by scripts/http-bench.sh.

Each contender (benches/http) serves the same three routes from one thread
pinned to one core; wrk, pinned to the other core, drives each route with
32 connections. Contenders are interleaved within each round, and the
figure kept is the median over rounds. What is measured:

- server CPU per request: the sum of the first field of
  /proc/PID/task/*/schedstat (nanoseconds on a CPU) across the run,
  divided by the requests wrk completed; "overhead" subtracts the
  no-session server's figure of the same round and route;
- p50 and p99 latency as wrk reports them (--latency);
- the session cookie's bytes (the value of the login's Set-Cookie);
- the server's peak RSS (VmHWM) after all routes.

Usage: tools/http_bench.py SERVER_BINARY [--rounds N] [--seconds S]
       tools/http_bench.py --instructions IN_PROCESS_BINARY
       tools/http_bench.py --in-process-time IN_PROCESS_BINARY [--rounds N] [--requests N]

With --instructions, each contender's router is driven in-process (no
sockets) under valgrind: the instruction count of 3000 requests minus that
of 1000, over 2000, is the instructions per request, which the machine's
load does not change.

With --in-process-time, the same in-process drivers report the wall-clock
time of their request loop (no sockets, so none of the kernel's loopback
TCP work that dominates the server figures), pinned to CPU 0, every
contender and route once per round in a rotating order; overheads are
over the same round's baseline, and the figures kept are medians over
rounds of the overhead and of each round's ratios.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CONTENDERS = ["none", "sealed-axum", "sealed-axum-outer", "sealed-actix", "sealed-plain", "tower-sessions", "private-jar"]
# `name=value` of sealed-session's login cookie in this bench (the
# in-process driver computes it from the sealer instead).
SEALED_COOKIE_PAIR = 407
ROUTES = [("read", "GET", "/me", True), ("change", "POST", "/bump", True), ("login", "POST", "/login", False)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ns(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def user_ns(pid):
    """User-mode CPU of the whole process (utime, /proc/PID/stat field 14):
    the server's own code, without the kernel's TCP work, which is the same
    for every contender and adds its noise to the total."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def login_cookie(base):
    req = urllib.request.Request(base + "/login", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=5) as res:
        lines = res.headers.get_all("Set-Cookie") or []
    pairs = [l.split(";")[0] for l in lines if "Max-Age=0" not in l]
    return "; ".join(pairs)


def to_us(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1, "ms": 1000, "s": 1e6}[unit]


def wrk(base, method, path, cookie, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "{method}"\n')
        if cookie:
            script.write(f'wrk.headers["Cookie"] = "{cookie}"\n')
    try:
        out = subprocess.run(
            ["taskset", "-c", "1", "wrk", "-t1", "-c32", f"-d{seconds}s", "--latency",
             "-s", script.name, base + path],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return requests, int(bad.group(1)) if bad else 0, to_us(lat["50"]), to_us(lat["99"])


def run_contender(binary, name, seconds):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(["taskset", "-c", "0", binary, name, f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/me", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        cookie = "" if name == "none" else login_cookie(base)
        value = cookie.split("=", 1)[1] if "=" in cookie else ""
        result = {"cookie_bytes": len(value) if ";" not in value else len(cookie)}
        if name == "none":
            # The baseline is sent a cookie of the size sealed-session's
            # login sets (which it ignores), so that parsing a 400-byte
            # header is not counted as a cost of the sessions.
            cookie = "baseline=" + "A" * (SEALED_COOKIE_PAIR - len("baseline="))
        for route, method, path, needs_cookie in ROUTES:
            before, user_before = cpu_ns(proc.pid), user_ns(proc.pid)
            requests, bad, p50, p99 = wrk(base, method, path, cookie if needs_cookie else "", seconds)
            after, user_after = cpu_ns(proc.pid), user_ns(proc.pid)
            if bad:
                sys.exit(f"{name} {path}: {bad} responses were not 2xx/3xx")
            result[route] = {"cpu_us": (after - before) / requests / 1000,
                             "user_us": (user_after - user_before) / requests / 1000,
                             "p50": p50, "p99": p99, "requests": requests}
        result["rss_kib"] = peak_rss_kib(proc.pid)
        return result
    finally:
        proc.terminate()
        proc.wait()


def instructions(binary):
    def count(contender, route, n):
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                              binary, contender, route, str(n)],
                             capture_output=True, text=True, check=True).stderr
        return int(re.search(r"refs:\s+([\d,]+)", out).group(1).replace(",", ""))
    # The axum contenders over `none`; the actix-web middleware over the
    # same actix-web routes without sessions (`actix-none`). Every baseline
    # is sent a cookie of the size sealed-session's login sets.
    names, base = in_process_names()
    per = {c: {r: (count(c, r, 3000) - count(c, r, 1000)) / 2000 for r, *_ in ROUTES} for c in names}
    print("instructions per request, in-process (valgrind callgrind Ir); axum contenders over `none`,\n"
          "sealed-actix over `actix-none`\n")
    print("| contender | read | change | login | read over none | change over none | login over none |")
    print("|---|---|---|---|---|---|---|")
    over = {c: {r: per[c][r] - per[base[c]][r] for r, *_ in ROUTES} for c in names}
    for c in names:
        print(f"| {c} | " + " | ".join(f"{per[c][r]:.0f}" for r, *_ in ROUTES) + " | "
              + " | ".join("-" if c == base[c] else f"+{over[c][r]:.0f}" for r, *_ in ROUTES) + " |")
    print()
    for r, *_ in ROUTES:
        o = {c: over[c][r] for c in names}
        print(f"  {r}: layer / plain = {o['sealed-axum'] / o['sealed-plain']:.2f}x "
              f"(around the router {o['sealed-axum-outer'] / o['sealed-plain']:.2f}x; "
              f"Router::layer against plain under a do-nothing Router::layer "
              f"{o['sealed-axum'] / o['sealed-plain-routed']:.2f}x); "
              f"tower-sessions / layer = {o['tower-sessions'] / o['sealed-axum']:.2f}x "
              f"(around the router {o['tower-sessions'] / o['sealed-axum-outer']:.2f}x); "
              f"actix middleware / axum layer = {o['sealed-actix'] / o['sealed-axum']:.2f}x")


def in_process_names():
    """The in-process contenders: the axum ones over `none`, the actix-web
    middleware over the same actix-web routes without sessions."""
    axum = [c for c in CONTENDERS if c != "sealed-actix"] + ["sealed-plain-routed"]
    names = axum + ["actix-none", "sealed-actix"]
    return names, {c: "actix-none" if "actix" in c else "none" for c in names}


def pinned(loader=None):
    """The command prefix that pins a driver to CPU 0, optionally under
    another C library's loader."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    if loader:
        # The same binary under another C library (its nonce source may
        # differ: src/random.rs), falling back to the system's for the rest.
        pin += [f"{loader}/ld-linux-x86-64.so.2", "--library-path",
                f"{loader}:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"]
    return pin


def in_process_ns(pin, binary, contender, route, requests):
    """Wall-clock nanoseconds per request of one in-process driver run."""
    out = subprocess.run(pin + [binary, contender, route, str(requests)],
                         capture_output=True, text=True, check=True).stderr
    return float(re.search(r"ns_per_request=([\d.]+)", out).group(1))


def in_process_time(binary, rounds, requests, loader=None):
    names, base = in_process_names()
    pin = pinned(loader)

    def ns(contender, route):
        return in_process_ns(pin, binary, contender, route, requests)

    per_round = []
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        per_round.append({c: {route: ns(c, route) for route, *_ in ROUTES} for c in order})
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)

    def over(rd, c, route):
        return rd[c][route] - rd[base[c]][route]

    def med(f):
        return statistics.median(f(rd) for rd in per_round)

    print(f"wall clock per request in-process, {rounds} interleaved rounds x {requests} requests, "
          f"pinned to CPU 0{', under ' + loader if loader else ''}; median over rounds (us)\n")
    print("| contender | read | change | login | read over base | change over base | login over base |")
    print("|---|---|---|---|---|---|---|")
    for c in names:
        absolute = [med(lambda rd: rd[c][route]) / 1000 for route, *_ in ROUTES]
        overs = ["-" if c == base[c] else f"+{med(lambda rd: over(rd, c, route)) / 1000:.2f}"
                 for route, *_ in ROUTES]
        print(f"| {c} | " + " | ".join(f"{a:.2f}" for a in absolute) + " | " + " | ".join(overs) + " |")
    print()
    for route, *_ in ROUTES:
        def ratio(a, b):
            return med(lambda rd: over(rd, a, route) / over(rd, b, route))
        print(f"  {route}: layer / plain = {ratio('sealed-axum', 'sealed-plain'):.2f}x "
              f"(around the router {ratio('sealed-axum-outer', 'sealed-plain'):.2f}x; "
              f"against plain under a do-nothing Router::layer "
              f"{ratio('sealed-axum', 'sealed-plain-routed'):.2f}x); "
              f"tower-sessions / layer = {ratio('tower-sessions', 'sealed-axum'):.2f}x "
              f"(around the router {ratio('tower-sessions', 'sealed-axum-outer'):.2f}x)")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--instructions":
        return instructions(sys.argv[2])
    if len(sys.argv) >= 3 and sys.argv[1] == "--in-process-time":
        ap = argparse.ArgumentParser()
        ap.add_argument("binary")
        ap.add_argument("--rounds", type=int, default=5)
        ap.add_argument("--requests", type=int, default=20000)
        ap.add_argument("--loader", help="a glibc's lib folder: run the drivers under its ld.so "
                        "(scripts/http-bench.sh --glibc-vdso)")
        args = ap.parse_args(sys.argv[2:])
        return in_process_time(args.binary, args.rounds, args.requests, args.loader)
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    args = ap.parse_args()
    rounds = []
    for r in range(args.rounds):
        # Interleaved: every contender once per round, in a rotating order.
        order = CONTENDERS[r % len(CONTENDERS):] + CONTENDERS[:r % len(CONTENDERS)]
        rounds.append({name: run_contender(args.binary, name, args.seconds) for name in order})
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    def med(name, route, key):
        return statistics.median(rd[name][route][key] for rd in rounds)

    def overhead(name, route):
        return statistics.median(rd[name][route]["cpu_us"] - rd["none"][route]["cpu_us"] for rd in rounds)

    print(f"rounds: {args.rounds} x {args.seconds} s per route and contender, wrk -t1 -c32, "
          "server pinned to CPU 0, wrk to CPU 1; medians over rounds\n")
    print("| contender | read: CPU over none (us) | change | login | read p50 / p99 (us) | change p50 / p99 | login p50 / p99 | cookie bytes | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in CONTENDERS:
        cells = []
        for route, *_ in ROUTES:
            cells.append(f"{med(name, route, 'cpu_us'):.2f}" if name == "none" else f"+{overhead(name, route):.2f}")
        lats = [f"{med(name, r, 'p50'):.0f} / {med(name, r, 'p99'):.0f}" for r, *_ in ROUTES]
        bytes_ = statistics.median(rd[name]["cookie_bytes"] for rd in rounds)
        rss = statistics.median(rd[name]["rss_kib"] for rd in rounds) / 1024
        print(f"| {name} | " + " | ".join(cells + lats) + f" | {bytes_:.0f} | {rss:.1f} |")
    print("\nuser-mode CPU per request over none (us; utime, the server's own code):\n")
    print("| contender | read | change | login |")
    print("|---|---|---|---|")
    for name in CONTENDERS:
        if name == "none":
            cells = [f"{med(name, r, 'user_us'):.2f}" for r, *_ in ROUTES]
        else:
            cells = [f"+{statistics.median(rd[name][r]['user_us'] - rd['none'][r]['user_us'] for rd in rounds):.2f}"
                     for r, *_ in ROUTES]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nratios of overhead (per round, then median):")
    for other in ["sealed-axum-outer", "sealed-plain", "tower-sessions", "private-jar"]:
        for route, *_ in ROUTES:
            ratio = statistics.median(
                (rd[other][route]["cpu_us"] - rd["none"][route]["cpu_us"]) /
                max(rd["sealed-axum"][route]["cpu_us"] - rd["none"][route]["cpu_us"], 1e-9) for rd in rounds)
            print(f"  {other} / sealed-axum, {route}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
