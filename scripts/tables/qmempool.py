#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# qmempool.py RESULTS_DIR - the seed 000 table (ns per alloc+free pair, 1
# thread) beside ours, from a stored run of `make run-qmempool` (its table
# folder). The seed's figures are the RFC's published numbers (E5-2695,
# CONFIG_PREEMPT), read from paper/seed-claims.csv; ours come from
# RESULTS_DIR's results.csv (or .xz), medians over repetitions; our
# speed-ups over malloc measured in the same run, each the median of the
# paired repetitions' ratios with its exact interval (docs/statistics.md).
# Writes RESULTS_DIR/tables/qmempool.md and prints it.
#
# Exit status: 0 written; 2 bad arguments or not a results folder.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
WORKLOADS = ("fastpath-reuse", "ring-cleanup")
# The qmempool parameters behind the seed's two figures (Brouer's), and a
# tuned set whose localq holds the whole ring of 256.
BROUER = {"fastpath-reuse": "qmempool localq=32 sharedq=128 prealloc=16",
          "ring-cleanup": "qmempool localq=32 sharedq=256 prealloc=0"}
TUNED = "qmempool localq=256 sharedq=256 prealloc=0"
LABEL = {"fastpath-reuse": "fastpath-reuse", "ring-cleanup": "N(256) (ring-cleanup n=256)"}
CLAIM_CASE = {"fastpath-reuse": "fastpath-reuse", "ring-cleanup": "ring-cleanup-n256"}


def medians(rows, points=None):
    """{(name, workload, mode): ns per pair} of the 1-thread medians that
    did not fail; a qmempool name carries its localq/sharedq/prealloc.
    @points, when given, gets every median and run row of each key."""
    v = {}
    for r in rows:
        if r.get("statistic") not in ("median", "run") or \
                pbresults.to_float(r.get("threads")) != 1:
            continue
        k = key(r)
        if k is None:
            continue
        if points is not None:
            points.setdefault(k, []).append(r)
        if r.get("statistic") == "median" and not r.get("error"):
            v[k] = pbresults.to_float(r.get("ns_per_op")) or 0.0
    return v


def key(r):
    """(name, workload, mode) of a 1-thread row of the table, or None."""
    w = r.get("workload", "")
    if w not in WORKLOADS or (w == "ring-cleanup" and pbresults.to_float(r.get("n")) != 256):
        return None
    b = r.get("backend", "")
    if b in ("malloc", "null"):
        name = b
    elif b == "qmempool":
        o = r.get("options", "")
        name = "qmempool " + " ".join(f"{k}={pbresults.option(o, k)}"
                                      for k in ("localq", "sharedq", "prealloc"))
    else:
        return None
    return name, w, r.get("mode", "")


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: qmempool.py RESULTS_DIR")
    _, _, rows = pbresults.table_rows(PROG, argv[0])
    claims = pbresults.table_claims(PROG)
    pts = {}
    v = medians(rows, pts)
    shown = []

    def cell(k):
        return f"{v[k]:.2f}" if k in v else "n/a"

    def ratio(k, base):
        if k not in v or base not in v or v[k] <= 0:
            return "n/a"
        r = pbresults.paired_ratio(pts.get(base, []), pts.get(k, []), "ns_per_op")
        shown.append(r)
        if r.ratio is None:
            return "--"
        return r.text(level, unit="x")

    level = pbresults.common_level(
        pbresults.paired_ratio(pts.get(("malloc", w, "exclusive"), []), pts.get(k, []),
                               "ns_per_op")
        for w in WORKLOADS for k in pts if k[1] == w and k[0].startswith("qmempool"))
    out = ["| pattern | seed SLUB | seed qmempool softirq | seed qmempool elsewhere "
           "| our malloc | our qmempool exclusive, Brouer params "
           "| our qmempool shared, Brouer params | our qmempool exclusive, tuned "
           "| our qmempool shared, tuned | our null |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for w in WORKLOADS:
        case = CLAIM_CASE[w]
        slub, vs = pbresults.claim(claims, case, "SLUB ns")
        seed = [slub]
        for what in ("qmempool softirq ns", "qmempool none-softirq ns"):
            t, x = pbresults.claim(claims, case, what)
            seed.append(f"{t} ({vs / x:.2f}x)" if vs and x else f"{t} (n/a)")
        base = ("malloc", w, "exclusive")
        ours = [cell(("malloc", w, "exclusive"))]
        for k in (BROUER[w], TUNED):
            for m in ("exclusive", "shared"):
                ours.append(f"{cell((k, w, m))} ({ratio((k, w, m), base)})")
        ours.append(cell(("null", w, "exclusive")))
        out.append(f"| {LABEL[w]} | " + " | ".join(seed + ours) + " |")
    out += ["", "Our speed-ups: malloc ns / qmempool ns. " + pbresults.interval_legend(shown)]
    pbresults.write_table(argv[0], "qmempool.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
