#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# mempool_perf.py RESULTS_DIR - DPDK's mempool_perf_autotest output as a
# Markdown table, from a stored run of the mempool-perf workload
# (results.csv or results.csv.xz): one row per backend (with the options
# that differ between its rows, e.g. dpdk-mempool's cache and cache_kind),
# mode, object size, threads (DPDK's cores), n (n_get_bulk = n_put_bulk)
# and keep (n_keep), with rate_persec: poolbench's ops_per_sec under DPDK's
# name (objects got and put per second, all threads together), the point's
# median (the only run of a point run once) as an integer. Every backend
# gets a row for every point any backend ran; a point it did not run or
# that failed has an empty rate, never 0, and says why in the note (the
# points the run skipped are listed after the table, from meta.json).
# Writes RESULTS_DIR/tables/mempool_perf.md and prints it.
#
# Exit status: 0 written; 2 bad arguments, not a results folder, or no
# mempool-perf rows.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
WORKLOAD = "mempool-perf"
# A point of the matrix, in DPDK's loop order after the backend.
POINT = ("mode", "obj_size", "threads", "n", "keep")
# Named in the label only when they differ between the run's rows.
EXTRAS = ("placement", "align", "touch")

HEAD = """\
# mempool-perf: DPDK's mempool_perf_autotest

`rate_persec` is poolbench's `ops_per_sec` under DPDK's name: objects got
and put per second, all threads together (each object got once and put
once), the median over the repetitions. `threads` is DPDK's cores, `n` its
n_get_bulk = n_put_bulk, `keep` its n_keep. An empty rate is a point the
backend did not run or that failed (the note says which), never 0.

"""


def cell(s):
    """@s as the text of one Markdown table cell."""
    return " ".join(str(s).split()).replace("|", "\\|")


def num_key(v):
    """Sort key of a CSV cell: numbers by value, before any text."""
    f = pbresults.to_float(v)
    return (0, f, "") if f is not None else (1, 0.0, v or "")


def labels(rows):
    """The label of each of @rows, in order: the backend, plus each of its
    options (and of EXTRAS) whose value is not the same in all of its rows."""
    sets = {}
    for r in rows:
        sets.setdefault(r.get("backend", ""), []).append(
            dict(pbresults.parse_options(r.get("options", ""))))
    varying = {}
    for b, ds in sets.items():
        keys = []
        for d in ds:
            keys += [k for k in d if k not in keys]
        varying[b] = [k for k in keys if len({d.get(k, "") for d in ds}) > 1]
    extras = [k for k in EXTRAS if len({r.get(k, "") for r in rows}) > 1]
    out = []
    for r in rows:
        b = r.get("backend", "")
        o = dict(pbresults.parse_options(r.get("options", "")))
        out.append(" ".join([b] + [f"{k}={o.get(k, '')}" for k in varying[b]]
                            + [f"{k}={r.get(k, '')}" for k in extras]))
    return out


def skipped(folder):
    """The run's skipped mempool-perf points, from meta.json, as
    (benchmark, reason); [] when meta.json has none or cannot be read."""
    try:
        meta = pbresults.read_meta(folder)
    except (OSError, ValueError):
        return []
    run = meta.get("run") if isinstance(meta, dict) else None
    sk = run.get("skipped") if isinstance(run, dict) else None
    out = []
    for s in sk if isinstance(sk, list) else []:
        if isinstance(s, dict) and f"{WORKLOAD}/" in str(s.get("benchmark", "")):
            out.append((str(s.get("benchmark", "")), str(s.get("reason", ""))))
    return out


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: mempool_perf.py RESULTS_DIR")
    folder = argv[0]
    path, _, rows = pbresults.table_rows(PROG, folder)
    rows = [r for r in rows if r.get("workload") == WORKLOAD]
    if not rows:
        pbresults.die(PROG, f"{path}: no {WORKLOAD} rows")
    lab = {id(r): name for r, name in zip(rows, labels(rows))}
    pts = pbresults.points(rows, lambda r: (lab[id(r)], tuple(r.get(c, "") for c in POINT)))
    order = []
    for name, _ in pts:
        if name not in order:
            order.append(name)
    matrix = sorted({p for _, p in pts}, key=lambda p: [num_key(v) for v in p])

    out = [HEAD.rstrip("\n"), "",
           "| backend | mode | obj_size | threads | n | keep | rate_persec | note |",
           "|---|---|---|---|---|---|---|---|"]
    for name in order:
        for p in matrix:
            rate, note = "", "not run"
            status, why = pts[name, p].status() if (name, p) in pts else ("missing", None)
            if status == "ok":
                v = pts[name, p].value("ops_per_sec")
                rate, note = (f"{v:.0f}", "") if v is not None else ("", "no ops_per_sec")
            elif status != "missing":
                note = f"failed: {why}"
            out.append(f"| `{cell(name)}` | " + " | ".join(cell(v) for v in p)
                       + f" | {rate} | {cell(note)} |")
    sk = skipped(folder)
    if sk:
        out += ["", "Points the run skipped (meta.json, run.skipped):", ""]
        out += [f"- `{b}`: {cell(why)}" for b, why in sk]
    pbresults.write_table(folder, "mempool_perf.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
