#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# backends.py RESULTS_DIR - the Markdown table of every backend's
# median ns per alloc+free pair at 1 thread and 64-byte objects, from a
# stored run (results.csv or results.csv.xz): fastpath-reuse and
# ring-cleanup N=256 in every context mode (rseq only where the run has
# it), ring-cleanup N=4096 exclusive.
# One row per backend variant: the backend (a general allocator under
# malloc is `malloc:<name>`) and, where the run has it with several option
# sets, the options that differ between them (`qmempool (localq=256)`,
# `dpdk-ring (sync=rts)`, `mutex-mempool (alloc=atomic)`).
# A point the run does not have is "n/a"; a point whose median row failed
# is "failed". Nothing is typed by hand: every cell is a median of the CSV
# (the only run of a point run once).
#
# Exit status: 0 written on stdout; 2 bad arguments or unreadable folder.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
COLUMNS = [("fastpath-reuse", "", "exclusive"), ("fastpath-reuse", "", "rseq"),
           ("fastpath-reuse", "", "shared"), ("ring-cleanup", "256", "exclusive"),
           ("ring-cleanup", "256", "rseq"), ("ring-cleanup", "256", "shared"),
           ("ring-cleanup", "4096", "exclusive")]


def column(row):
    return (row["workload"], row.get("n", "") if row["workload"] == "ring-cleanup" else "",
            row["mode"])


def main(argv):
    if len(argv) != 1:
        pbresults.die(PROG, "usage: backends.py RESULTS_DIR")
    path, _, rows = pbresults.table_rows(PROG, argv[0])
    rows = [r for r in rows if r["threads"] == "1" and r["obj_size"] == "64"
            and r.get("touch", "0") in ("", "0") and column(r) in COLUMNS]
    label = pbresults.variant_labeller(rows)
    cells, order = {}, []
    for (name, col), p in pbresults.points(rows, lambda r: (label(r), column(r))).items():
        r = p.row()
        if r is None:
            continue
        if name not in order:
            order.append(name)
        cells[name, col] = "failed" if r.get("error") else f"{float(r['ns_per_op']):.2f}"
    if not order:
        pbresults.die(PROG, f"{path}: no 1-thread 64-byte fastpath-reuse or ring-cleanup medians")
    # The rseq columns only for a run that has the mode (runs before it did not).
    cols = [c for c in COLUMNS if c[2] != "rseq" or any(r["mode"] == "rseq" for r in rows)]
    header = [f"{w}{' N=' + n if n else ''}, {m}" for w, n, m in cols]
    print("| backend | " + " | ".join(header) + " |")
    print("|---" * (len(header) + 1) + "|")
    for name in order:
        print(f"| `{name}` | " + " | ".join(cells.get((name, c), "n/a") for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
