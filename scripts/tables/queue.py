#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# queue.py RESULTS_DIR - Brouer's alf_queue table (ns per element, MPMC
# against SPSC) beside ours, from a stored run of the alf-mpmc and alf-spsc
# backends (`make run-qmempool`, its queue folder): simple = fastpath-reuse,
# multi(128) = ring-cleanup n=128, bulkN = bulk n=N, 1 thread, exclusive
# mode, medians. The seed's figures come from paper/seed-claims.csv. Writes
# RESULTS_DIR/tables/queue.md and prints it.
#
# Exit status: 0 written; 2 bad arguments or not a results folder.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
TESTS = ("simple", "multi(128)", "bulk2", "bulk4", "bulk8", "bulk16")


def test_name(r):
    """The row of Brouer's table a result row measures, or ''."""
    w = r.get("workload", "")
    if w == "fastpath-reuse":
        return "simple"
    if w == "ring-cleanup" and pbresults.to_float(r.get("n")) == 128:
        return "multi(128)"
    if w == "bulk":
        return "bulk" + r.get("n", "")
    return ""


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: queue.py RESULTS_DIR")
    _, _, rows = pbresults.table_rows(PROG, argv[0])
    claims = pbresults.table_claims(PROG)
    v = {}
    for r in rows:
        if r.get("statistic") == "median" and pbresults.to_float(r.get("threads")) == 1 \
                and r.get("mode") == "exclusive" and not r.get("error") and test_name(r):
            v[r.get("backend", ""), test_name(r)] = pbresults.to_float(r.get("ns_per_op")) or 0.0

    def cell(b, t):
        return f"{v[b, t]:.3f}" if (b, t) in v else "n/a"

    def ratio(t):
        if ("alf-mpmc", t) not in v or ("alf-spsc", t) not in v or v["alf-spsc", t] <= 0:
            return "n/a"
        return f"{v['alf-mpmc', t] / v['alf-spsc', t]:.2f}x"

    out = ["| test | seed MPMC | seed SPSC | seed MPMC/SPSC | our alf-mpmc | our alf-spsc "
           "| our MPMC/SPSC |",
           "|---|---|---|---|---|---|---|"]
    for t in TESTS:
        sm, vm = pbresults.claim(claims, "alf_queue-" + t, "MPMC ns per element")
        ss, vs = pbresults.claim(claims, "alf_queue-" + t, "SPSC ns per element")
        seed_ratio = f"{vm / vs:.2f}x" if vm is not None and vs else "n/a"
        out.append(f"| {t} | {sm} | {ss} | {seed_ratio} | {cell('alf-mpmc', t)} "
                   f"| {cell('alf-spsc', t)} | {ratio(t)} |")
    pbresults.write_table(argv[0], "queue.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
