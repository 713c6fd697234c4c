#!/usr/bin/env python3
"""Two builds of the HTTP bench's in-process drivers, side by side.

Driven by scripts/aes-backends.sh, which builds the drivers once with each
`aes` release (BENCHMARKS.md, "Fifth pass"); any two builds of
benches/http work.

Every round runs each contender and route under both builds back to back,
with the contenders in a rotating order and the builds' order swapped every
round, so the two builds of one contender see about the same load. A
build's overhead is over its own baseline (`none`, or `actix-none`) of the
same round. The figures kept are medians over rounds: of the overheads, of
each round's B / A ratio, and of the tower-sessions / layer ratios that
issue 17 asks for.

Usage: tools/http_bench_ab.py A_BINARY B_BINARY --labels A B [--rounds N] [--requests N]
"""

import argparse
import statistics
import sys

from http_bench import ROUTES, in_process_names, in_process_ns, pinned


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--labels", nargs=2, default=["A", "B"])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--requests", type=int, default=40000)
    args = ap.parse_args()
    names, base = in_process_names()
    builds = {"a": args.a, "b": args.b}
    pin = pinned()

    per_round = []
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        sides = ["a", "b"] if r % 2 == 0 else ["b", "a"]
        rd = {side: {} for side in builds}
        for c in order:
            for route, *_ in ROUTES:
                for side in sides:
                    rd[side].setdefault(c, {})[route] = in_process_ns(
                        pin, builds[side], c, route, args.requests)
        per_round.append(rd)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    def over(rd, side, c, route):
        return rd[side][c][route] - rd[side][base[c]][route]

    def med(f):
        return statistics.median(f(rd) for rd in per_round)

    a, b = args.labels
    print(f"wall clock per request in-process, {args.rounds} rounds x {args.requests} requests, "
          f"both builds back to back per contender and route, pinned to CPU 0; "
          f"medians over rounds (us over the same build's baseline)\n")
    print(f"| over the baseline, {a} / {b} | read | change | login | {b} / {a}: read | change | login |")
    print("|---|---|---|---|---|---|---|")
    for c in names:
        if c == base[c]:
            continue
        overs = [f"+{med(lambda rd: over(rd, 'a', c, route)) / 1000:.2f} / "
                 f"+{med(lambda rd: over(rd, 'b', c, route)) / 1000:.2f}" for route, *_ in ROUTES]
        ratios = [f"{med(lambda rd: over(rd, 'b', c, route) / over(rd, 'a', c, route)):.2f}x"
                  for route, *_ in ROUTES]
        print(f"| {c} | " + " | ".join(overs + ratios) + " |")
    print()
    for side, label in (("a", a), ("b", b)):
        for route, *_ in ROUTES:
            def ratio(x, y):
                return med(lambda rd: over(rd, side, x, route) / over(rd, side, y, route))
            print(f"  {label}, {route}: tower-sessions / layer = "
                  f"{ratio('tower-sessions', 'sealed-axum'):.2f}x "
                  f"(around the router {ratio('tower-sessions', 'sealed-axum-outer'):.2f}x); "
                  f"layer / plain = {ratio('sealed-axum', 'sealed-plain'):.2f}x "
                  f"(around the router {ratio('sealed-axum-outer', 'sealed-plain'):.2f}x)")


if __name__ == "__main__":
    main()
