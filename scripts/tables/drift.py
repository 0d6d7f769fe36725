#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# drift.py RESULTS_DIR [--bin SECONDS] - the machine's slow spells, seen
# by every benchmark of a run at once. Each error-free 1-thread `run` row
# with a start time (`rep_start_s`) and an `ns_per_op` is divided by the
# median of its own point's run rows (points with 3 repetitions or more;
# 1 thread: on a small machine a contended point's own spread would drown
# the machine's); the
# rows are then grouped by their start time, one bin per --bin seconds
# (default 60). A bin whose rows' median ratio is 1.20 or more, over 10
# rows or more, is a slow spell: every backend ran slower then, which no
# backend explains (the null probes of the noise report sample three
# moments only; this samples every repetition).
#
# Writes RESULTS_DIR/tables/drift.md (printed): one line per bin (start,
# rows, median ratio, share of rows above 1.3), the slow spells, and which
# repetitions ran in them. Called by make run-all / run-quick after a run;
# tests: tests/harness/test_drift.sh. Method: docs/statistics.md.
#
# Exit status: 0 written (a run without start times says so); 2 bad
# arguments or not a results folder.

import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
SLOW_RATIO = 1.20       # a bin's median ratio from which it is a slow spell
MIN_ROWS = 10           # rows a bin needs to be judged
MIN_REPS = 3            # repetitions a point needs for its median to mean something


def ratios(rows):
    """[(start s, ratio to the point's median, rep)] of every usable run row."""
    by = {}
    for r in rows:
        if r.get("statistic") != "run" or r.get("error") or r.get("threads") != "1":
            continue
        t, v = pbresults.to_float(r.get("rep_start_s")), pbresults.to_float(r.get("ns_per_op"))
        if t is None or v is None or v <= 0:
            continue
        by.setdefault(pbresults.point_key(r), []).append((t, v, r.get("rep", "")))
    out = []
    for runs in by.values():
        if len(runs) < MIN_REPS:
            continue
        med = statistics.median(v for _, v, _ in runs)
        out += [(t, v / med, rep) for t, v, rep in runs]
    return sorted(out)


def main(argv):
    args = argv[1:]
    width = 60.0
    if len(args) == 3 and args[1] == "--bin":
        try:
            width = float(args[2])
        except ValueError:
            width = -1
        if not width > 0:
            pbresults.die(PROG, f"--bin: '{args[2]}' is not a number of seconds above 0")
        args = args[:1]
    if len(args) != 1 or args[0].startswith("-"):
        pbresults.die(PROG, "usage: drift.py RESULTS_DIR [--bin SECONDS]")
    folder = args[0]
    _, _, rows = pbresults.table_rows(PROG, folder)
    pts = ratios(rows)
    lines = [f"# Slow spells: every run row against its own point's median, by start time ({width:g} s bins)",
             "",
             f"A 1-thread row's ratio is its ns_per_op over the median of its point's run rows (points with "
             f"{MIN_REPS} repetitions or more). A bin of {MIN_ROWS} rows or more whose median ratio is "
             f"{SLOW_RATIO:.2f} or more is a slow spell: every backend ran slower then "
             "(docs/statistics.md).", ""]
    if not pts:
        lines.append("No run row has a start time (`rep_start_s`): the run predates it, "
                     "or no point has 3 repetitions.")
        pbresults.write_table(folder, "drift.md", "\n".join(lines) + "\n")
        return 0
    bins = {}
    for t, r, rep in pts:
        bins.setdefault(int(t // width), []).append((r, rep))
    lines += ["| from s | rows | median ratio | rows above 1.3 | repetitions | slow |",
              "|---:|---:|---:|---:|---|---|"]
    slow, slow_rows = [], 0
    for b in sorted(bins):
        v = bins[b]
        med = statistics.median(r for r, _ in v)
        above = sum(r > 1.3 for r, _ in v) / len(v)
        reps = ",".join(sorted({rep for _, rep in v}, key=lambda x: (len(x), x)))
        is_slow = len(v) >= MIN_ROWS and med >= SLOW_RATIO
        if is_slow:
            slow.append(f"{b * width:g}-{(b + 1) * width:g} s ({med:.2f}x)")
            slow_rows += len(v)
        lines.append(f"| {b * width:g} | {len(v)} | {med:.2f} | {above:.0%} | {reps} | "
                     f"{'yes' if is_slow else ('--' if len(v) < MIN_ROWS else 'no')} |")
    lines += ["", f"{len(slow)} slow spell{'' if len(slow) == 1 else 's'} in {len(bins)} bins, "
              f"{slow_rows} of {len(pts)} "
              f"rows in {'it' if len(slow) == 1 else 'them'}" + (": " + "; ".join(slow) if slow else ".")]
    pbresults.write_table(folder, "drift.md", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
