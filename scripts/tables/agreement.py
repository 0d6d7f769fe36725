#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# agreement.py A B - do two runs of the same matrix agree on the headline
# ratios? Reads the ratios.csv of both folders (written by
# scripts/tables/ratios.py; docs/statistics.md) and, for each headline
# ratio, says whether each run's paired median lies inside the other run's
# interval:
#
#   qmempool   malloc / qmempool ns per pair (qmempool's speed-up),
#              fastpath-reuse and ring-cleanup n=256, 1 thread, exclusive,
#              64 B, localq 32 and 256;
#   objpool    objpool-ring / objpool-freelist ops per second, scaling
#              (reuse), exclusive, 1 and 2 threads;
#   percpu     percpu-areamap / percpu-bitmap free_ms, million at 4 B,
#              exclusive, every order.
#
# A row agrees when B's ratio lies in A's interval and A's in B's (the
# strict reading); the weaker one, that the two intervals overlap, is a
# column of its own. Prints the table and writes it to
# B/tables/agreement.md. Run by hand on two
# stored runs (results/reference/README.md shows the reference pair);
# tests: tests/harness/test_reference.sh.
#
# Exit status: 0 written (whatever the rows say); 2 bad arguments, a folder
# without ratios.csv, or no headline ratio in both.

import csv
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
HEADLINES = (
    ("qmempool / malloc", r"^qmempool:malloc:qmempool_localq=(32|256):"
     r"(fastpath-reuse|ring-cleanup):exclusive:1t:64B:"),
    ("objpool-ring / freelist", r"^objpool:objpool-ring:objpool-freelist:scaling:"
     r"exclusive:[12]t:64B:.*pattern=reuse"),
    ("areamap / bitmap free", r"^percpu:percpu-areamap:percpu-bitmap:million:"
     r"exclusive:1t:4B:.*fill=none:free_ms$"),
)


def read_ratios(folder):
    """Return {id: row} of @folder's ratios.csv, or exit 2 saying why."""
    path = os.path.join(pbresults.out_dir(folder), "ratios.csv")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return {r["id"]: r for r in csv.DictReader(f)}
    except (OSError, csv.Error, KeyError) as e:
        pbresults.die(PROG, f"{path}: {e} (write it with scripts/tables/ratios.py {folder})")
    return {}


def num(row, key):
    """A figure of a ratios.csv row, or None where it is `--` or empty."""
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return None


def fmt(row):
    """`2.91 [2.88, 3.00]`, or `--`."""
    r, lo, hi = num(row, "ratio"), num(row, "lo"), num(row, "hi")
    if None in (r, lo, hi):
        return "--"
    return f"{r:.3g} [{lo:.3g}, {hi:.3g}]"


def yes_no(v):
    """`yes`, `no`, or `--` where it could not be decided."""
    return "--" if v is None else "yes" if v else "no"


def main(argv):
    if len(argv) != 3 or argv[1].startswith("-"):
        pbresults.die(PROG, "usage: agreement.py A B (two results folders with ratios.csv)")
    a_dir, b_dir = argv[1], argv[2]
    for d in (a_dir, b_dir):
        if not os.path.isdir(d):
            pbresults.die(PROG, f"{d}: not a folder")
    a, b = read_ratios(a_dir), read_ratios(b_dir)
    lines = [f"# Headline ratios of two runs: {os.path.basename(os.path.normpath(a_dir))} (A) "
             f"and {os.path.basename(os.path.normpath(b_dir))} (B)", "",
             "Each ratio is the median of the paired repetitions' ratios, with its "
             "exact interval and achieved level (docs/statistics.md). A row agrees "
             "when B's ratio lies in A's interval and A's in B's; `overlap`: the two "
             "intervals share a value (a weaker reading).", "",
             "| headline | point | metric | A | B | level | agree | overlap |",
             "|---|---|---|---|---|---|---|---|"]
    total = agree = overlap = 0
    for name, pattern in HEADLINES:
        for rid in sorted(i for i in a if re.search(pattern, i)):
            if rid not in b:
                continue
            ra, rb = a[rid], b[rid]
            va, vb = num(ra, "ratio"), num(rb, "ratio")
            ia = (num(ra, "lo"), num(ra, "hi"))
            ib = (num(rb, "lo"), num(rb, "hi"))
            ok = over = None
            if None not in (va, vb) + ia + ib:
                ok = ia[0] <= vb <= ia[1] and ib[0] <= va <= ib[1]
                over = ia[0] <= ib[1] and ib[0] <= ia[1]
                total += 1
                agree += ok
                overlap += over
            point = (f"{ra['workload']} {ra['threads']}t {ra['obj_size']} B"
                     f"{' ' + ra['params'] if ra['params'] else ''} "
                     f"({ra['denominator'] if name.startswith('qmempool') else ra['mode']})")
            level = ra["level"] if ra["level"] == rb["level"] else f"{ra['level']} / {rb['level']}"
            lines.append(f"| {name} | {point} | {ra['metric']} | {fmt(ra)} | {fmt(rb)} | "
                         f"{level} | {yes_no(ok)} | {yes_no(over)} |")
    if not total:
        pbresults.die(PROG, "no headline ratio is in both runs' ratios.csv")
    lines += ["", f"{agree} of {total} headline ratios agree; the intervals of {overlap} "
              f"of {total} overlap."]
    text = "\n".join(lines) + "\n"
    pbresults.write_table(b_dir, "agreement.md", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
