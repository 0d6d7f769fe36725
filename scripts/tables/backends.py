#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# backends.py RESULTS_DIR - the Markdown table of every backend's
# median ns per alloc+free pair at 1 thread and 64-byte objects, from a
# stored run (results.csv or results.csv.xz): fastpath-reuse and
# ring-cleanup N=256 in both context modes, ring-cleanup N=4096 exclusive.
# One row per backend label (a general allocator under malloc is
# `malloc:<name>`) and, for the mempools, per allocation mode (alloc=).
# A point the run does not have is "n/a"; a point whose median row failed
# is "failed". Nothing is typed by hand: every cell is a median of the CSV.
#
# Exit status: 0 written on stdout; 2 bad arguments or unreadable folder.

import csv
import lzma
import os
import sys

COLUMNS = [("fastpath-reuse", "", "exclusive"), ("fastpath-reuse", "", "shared"),
           ("ring-cleanup", "256", "exclusive"), ("ring-cleanup", "256", "shared"),
           ("ring-cleanup", "4096", "exclusive")]
HEADER = ["fastpath-reuse, exclusive", "fastpath-reuse, shared",
          "ring-cleanup N=256, exclusive", "ring-cleanup N=256, shared",
          "ring-cleanup N=4096, exclusive"]


def die(msg):
    print(f"backends.py: {msg}", file=sys.stderr)
    sys.exit(2)


def label(row):
    opts = dict(kv.split("=", 1) for kv in row.get("options", "").split(";") if "=" in kv)
    if row["backend"].endswith("mempool") and "alloc" in opts:
        return f"{row['backend']} ({opts['alloc']})"
    return row["backend"]


def main(argv):
    if len(argv) != 1:
        die("usage: backends.py RESULTS_DIR")
    path = os.path.join(argv[0], "results.csv")
    if not os.path.exists(path) and os.path.exists(path + ".xz"):
        path += ".xz"
    if not os.path.isfile(path):
        die(f"{argv[0]}: no results.csv (not a poolbench results folder?)")
    opener = lzma.open if path.endswith(".xz") else open
    cells, order = {}, []
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if (r["statistic"] != "median" or r["threads"] != "1" or r["obj_size"] != "64"
                    or r.get("touch", "0") not in ("", "0")):
                continue
            col = (r["workload"], r.get("n", "") if r["workload"] == "ring-cleanup" else "",
                   r["mode"])
            if col not in COLUMNS:
                continue
            name = label(r)
            if name not in order:
                order.append(name)
            cells[name, col] = "failed" if r.get("error") else f"{float(r['ns_per_op']):.2f}"
    if not order:
        die(f"{path}: no 1-thread 64-byte fastpath-reuse or ring-cleanup medians")
    print("| backend | " + " | ".join(HEADER) + " |")
    print("|---" * (len(HEADER) + 1) + "|")
    for name in order:
        print(f"| `{name}` | " + " | ".join(cells.get((name, c), "n/a") for c in COLUMNS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
