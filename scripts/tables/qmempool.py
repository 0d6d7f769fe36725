#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# qmempool.py RESULTS_DIR - the seed 000 table (ns per alloc+free pair, 1
# thread) beside ours, from a stored run of `make run-qmempool` (its table
# folder). The seed's figures are the RFC's published numbers (E5-2695,
# CONFIG_PREEMPT), read from paper/seed-claims.csv; ours come from
# RESULTS_DIR's results.csv (or .xz), medians over repetitions, ratios over
# malloc measured in the same run. Writes RESULTS_DIR/tables/qmempool.md
# and prints it.
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


def medians(rows):
    """{(name, workload, mode): ns per pair} of the 1-thread medians that
    did not fail; a qmempool name carries its localq/sharedq/prealloc."""
    v = {}
    for r in rows:
        if r.get("statistic") != "median" or pbresults.to_float(r.get("threads")) != 1 \
                or r.get("error"):
            continue
        w = r.get("workload", "")
        if w not in WORKLOADS or (w == "ring-cleanup" and pbresults.to_float(r.get("n")) != 256):
            continue
        b = r.get("backend", "")
        if b in ("malloc", "null"):
            name = b
        elif b == "qmempool":
            o = r.get("options", "")
            name = "qmempool " + " ".join(f"{k}={pbresults.option(o, k)}"
                                          for k in ("localq", "sharedq", "prealloc"))
        else:
            continue
        v[name, w, r.get("mode", "")] = pbresults.to_float(r.get("ns_per_op")) or 0.0
    return v


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: qmempool.py RESULTS_DIR")
    _, _, rows = pbresults.table_rows(PROG, argv[0])
    claims = pbresults.table_claims(PROG)
    v = medians(rows)

    def cell(k):
        return f"{v[k]:.2f}" if k in v else "n/a"

    def ratio(k, base):
        if k not in v or base not in v or v[k] <= 0:
            return "n/a"
        return f"{v[base] / v[k]:.2f}x"

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
    pbresults.write_table(argv[0], "qmempool.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
