#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# objpool.py RESULTS_DIR - the objpool tables (seed 001) from a stored run
# (`make run-objpool`): scaling (total Mops/s per thread count and the
# speed-up of the most threads over one), remote free (objects/s and where
# the allocations came from) and overrun (hits and misses). Medians over
# repetitions; every figure is read from results.csv (or .xz), none typed
# by hand. Writes RESULTS_DIR/tables/objpool.md and prints it.
#
# Exit status: 0 written; 2 bad arguments, not a results folder, or a run
# older than the objpool backends (no steals_per_op column).

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
PATTERNS = ("reuse", "ring")
MODES = ("exclusive", "shared")


def num(x, fmt):
    return "n/a" if x == "" else fmt % float(x)


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: objpool.py RESULTS_DIR")
    path, header, rows = pbresults.table_rows(PROG, argv[0])
    if "steals_per_op" not in header:
        pbresults.die(PROG, f"{path} has no steals_per_op column "
                            "(a run older than the objpool backends)")
    backends, threads = [], set()
    scaling, remote, overrun, bulks = {}, {}, {}, []
    runs = {}
    for r in rows:
        if r.get("workload") == "scaling" and r.get("statistic") in ("median", "run"):
            runs.setdefault((r.get("backend", ""), r.get("pattern", ""), r.get("mode", ""),
                             int(pbresults.to_float(r.get("threads")) or 0)), []).append(r)
        if r.get("statistic") != "median" or r.get("error"):
            continue
        g = lambda c: r.get(c) or ""  # noqa: E731
        b, w, m = g("backend"), g("workload"), g("mode")
        t = int(pbresults.to_float(g("threads")) or 0)
        if b not in backends:
            backends.append(b)
        threads.add(t)
        if w == "scaling":
            scaling[b, g("pattern"), m, t] = (g("ops_per_sec"), g("efficiency"))
        elif w == "remote-free":
            remote[b, m, t] = (g("ops_per_sec"), g("ns_per_op"), g("fast_hits_per_op"),
                               g("steals_per_op"))
        elif w == "overrun":
            overrun[b, m, t] = (g("hits_per_op"), g("misses_per_op"), g("steals_per_op"),
                                g("ns_per_op"))
            bulk = f"{g('n')} allocations against {g('per_cpu')}"
            if bulk not in bulks:
                bulks.append(bulk)
    tl = sorted(threads)
    maxt = max(tl, default=0)
    ups = {k[:3]: pbresults.paired_ratio(runs.get(k[:3] + (maxt,), []), runs[k],
                                         "ops_per_sec")
           for k in runs if k[3] == 1}
    level = pbresults.common_level(ups.values())
    out = ["### Scaling: total Mops/s (alloc+free pairs) by thread count", "",
           "| backend | pattern | mode |" + "".join(f" {t} thr |" for t in tl)
           + f" {maxt} thr / 1 thr | efficiency at {maxt} |",
           "|---|---|---|" + "---|" * (len(tl) + 2)]
    for b in backends:
        for p in PATTERNS:
            for m in MODES:
                if not any(k[:3] == (b, p, m) for k in scaling):
                    continue
                ops = {t: scaling[b, p, m, t][0] for t in tl if (b, p, m, t) in scaling}
                line = f"| {b} | {p} | {m} |" + "".join(
                    f" {float(ops[t] or 0) / 1e6:.1f} |" if t in ops else " n/a |" for t in tl)
                one, top = ops.get(1), ops.get(maxt)
                up = ups.get((b, p, m))
                if one is None or top is None or up is None:
                    line += " n/a |"
                else:
                    line += f" {up.text(level, unit='x')} |"
                eff = scaling.get((b, p, m, maxt))
                line += f" {num(eff[1], '%.2f') if eff else 'n/a'} |"
                out.append(line)
    out += ["", f"{maxt} thr / 1 thr: " + pbresults.interval_legend(ups.values())]
    out += ["", "### Remote free: objects allocated on one CPU, freed on another", "",
            "| backend | mode | threads | Mobjects/s | ns per object per thread "
            "| local allocs per object | steals per object |",
            "|---|---|---|---|---|---|---|"]
    for b in backends:
        for m in MODES:
            for t in tl:
                if (b, m, t) in remote:
                    ops, ns, fast, steal = remote[b, m, t]
                    out.append(f"| {b} | {m} | {t} | {float(ops or 0) / 1e6:.1f} | "
                               f"{num(ns, '%.1f')} | {num(fast, '%.3f')} | {num(steal, '%.3f')} |")
    out += ["", f"### Overrun: bulks of {'; '.join(bulks)} objects per thread", "",
            "| backend | mode | threads | hits per attempt | misses per attempt "
            "| steals per attempt | ns per attempt |",
            "|---|---|---|---|---|---|---|"]
    for b in backends:
        for m in MODES:
            for t in tl:
                if (b, m, t) in overrun:
                    hit, miss, steal, ns = overrun[b, m, t]
                    out.append(f"| {b} | {m} | {t} | {num(hit, '%.3f')} | {num(miss, '%.3f')} | "
                               f"{num(steal, '%.3f')} | {num(ns, '%.2f')} |")
    pbresults.write_table(argv[0], "objpool.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
