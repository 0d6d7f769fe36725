#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# modes.py RESULTS_DIR - what protecting per-CPU state costs, from one
# stored run: fastpath-reuse, 1 thread, 64 B, every backend variant that
# ran in the three context modes (docs/method.md, context modes), its ns
# per alloc+free pair in each, and the two costs the seed's columns are
# about: shared - exclusive (the lock word, where the kernel paid
# local_bh_disable) and rseq - exclusive (a restartable sequence), each the
# median of the differences of paired repetitions (rep k with rep k) with
# the exact interval for that median (scripts/lib/pbstats.py,
# docs/statistics.md).
#
# Writes RESULTS_DIR/tables/modes.md (and prints it); the README and the
# paper quote its qmempool rows. Called by make run-all and run-quick;
# tests: tests/harness/test_reference.sh (the committed table, byte for
# byte).
#
# Exit status: 0 written; 2 bad arguments or not a results folder.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)


def fmt(x, digits=2):
    return "--" if x is None else f"{x:.{digits}f}"


def cell(d):
    """A paired difference (median, lo, hi, level) as `m [lo, hi]`."""
    return "--" if d is None else f"{fmt(d[0])} [{fmt(d[1])}, {fmt(d[2])}]"


def main(argv):
    if len(argv) != 1 or argv[0].startswith("-"):
        pbresults.die(PROG, f"usage: {PROG} RESULTS_DIR")
    folder = argv[0]
    _, _, rows = pbresults.table_rows(PROG, folder)
    costs = pbresults.protection_costs(rows)
    levels = {d[3] for c in costs.values() for d in (c["shared"], c["rseq"]) if d}
    lines = [f"| {var} | {fmt(c['median']['exclusive'])} | {fmt(c['median']['shared'])} | "
             f"{fmt(c['median']['rseq'])} | {cell(c['shared'])} | {cell(c['rseq'])} |"
             for var, c in costs.items()]
    level = (f"{pbresults.pct(min(levels))}" if levels else "--")
    out = [
        f"# What protecting per-CPU state costs: {os.path.basename(os.path.normpath(folder))}",
        "",
        "fastpath-reuse, 1 thread, 64 B: ns per alloc+free pair (medians over the",
        "repetitions) in the three context modes, and the cost of each protection",
        "over exclusive mode: the median of the paired repetitions' differences",
        f"[its exact interval, {level}]. The seed's kernel paid local_bh_disable +",
        f"enable, {pbresults.SEED_BH_NS} ns on its E5-2695, where shared mode pays a lock word",
        "and rseq mode a restartable sequence. Backends without per-CPU state run",
        "the same code in every mode: their differences show the noise.",
        "",
        "| backend | exclusive | shared | rseq | shared - exclusive | rseq - exclusive |",
        "|---|---:|---:|---:|---:|---:|",
    ] + lines
    if not lines:
        out.append("| -- | no backend ran in the three modes | | | | |")
    pbresults.write_table(folder, "modes.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
