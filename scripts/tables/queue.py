#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# queue.py RESULTS_DIR - Brouer's alf_queue table (ns per element, MPMC
# against SPSC) beside ours, from a stored run of the alf-mpmc and alf-spsc
# backends (`make run-qmempool`, its queue folder): simple = fastpath-reuse,
# multi(128) = ring-cleanup n=128, bulkN = bulk n=N, 1 thread, exclusive
# mode, medians; our MPMC/SPSC ratio is the median of the paired
# repetitions' ratios with its exact interval (docs/statistics.md). The
# seed's figures come from paper/seed-claims.csv. Writes
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
    v, pts = {}, {}
    for r in rows:
        if pbresults.to_float(r.get("threads")) != 1 or r.get("mode") != "exclusive" \
                or not test_name(r) or r.get("statistic") not in ("median", "run"):
            continue
        pts.setdefault((r.get("backend", ""), test_name(r)), []).append(r)
        if r.get("statistic") == "median" and not r.get("error"):
            v[r.get("backend", ""), test_name(r)] = pbresults.to_float(r.get("ns_per_op")) or 0.0
    ratios = {t: pbresults.paired_ratio(pts.get(("alf-mpmc", t), []),
                                        pts.get(("alf-spsc", t), []), "ns_per_op")
              for t in TESTS}
    level = pbresults.common_level(ratios.values())

    def cell(b, t):
        return f"{v[b, t]:.3f}" if (b, t) in v else "n/a"

    def ratio(t):
        if ("alf-mpmc", t) not in v or ("alf-spsc", t) not in v or v["alf-spsc", t] <= 0:
            return "n/a"
        return ratios[t].text(level, unit="x")

    out = ["| test | seed MPMC | seed SPSC | seed MPMC/SPSC | our alf-mpmc | our alf-spsc "
           "| our MPMC/SPSC |",
           "|---|---|---|---|---|---|---|"]
    for t in TESTS:
        sm, vm = pbresults.claim(claims, "alf_queue-" + t, "MPMC ns per element")
        ss, vs = pbresults.claim(claims, "alf_queue-" + t, "SPSC ns per element")
        seed_ratio = f"{vm / vs:.2f}x" if vm is not None and vs else "n/a"
        out.append(f"| {t} | {sm} | {ss} | {seed_ratio} | {cell('alf-mpmc', t)} "
                   f"| {cell('alf-spsc', t)} | {ratio(t)} |")
    out += ["", "Our MPMC/SPSC: " + pbresults.interval_legend(
        [ratios[t] for t in TESTS if ("alf-mpmc", t) in v and ("alf-spsc", t) in v])]
    pbresults.write_table(argv[0], "queue.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
