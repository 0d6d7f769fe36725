#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# machines.py RESULTS_DIR [--metric ns_per_op] - the machines of a machine
# comparison side by side (poolbench run --executor slurm --partitions
# a,b: the plan once per partition, results.csv's machine column;
# docs/cluster.md). Raw times of two machines are never set against each
# other: for every benchmark point that every machine ran (backend
# variant, workload, mode, threads, size, parameters), each machine gets
#
#   x null    the point over that machine's own null baseline at the same
#             point (what the allocator adds to the harness's own loop);
#   x malloc  the point over that machine's own malloc (glibc) there;
#
# each the median of the ratios of paired repetitions (rep k over rep k)
# with its exact interval and verdict (scripts/lib/pbstats.py,
# docs/statistics.md). Metric: ns_per_op (lower is faster), or another
# measured column. Each machine's CPU model comes from meta.json's nodes.
#
# Writes RESULTS_DIR/machines.csv (every ratio with every column) and
# RESULTS_DIR/tables/machines.md (printed): a table per workload, a row
# per point, two cells per machine. A point some machine lacks is counted
# under the table, never dropped silently. A run of one machine writes a
# table that says so (exit 0). Called by make run-all / run-quick; tests:
# tests/harness/test_machines.sh.
#
# Exit status: 0 written; 2 bad arguments or not a results folder.

import csv
import lzma
import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402
import pbstats  # noqa: E402

PROG = os.path.basename(__file__)
COLUMNS = ("machine", "cpu_model", "variant", "workload", "mode", "threads", "obj_size",
           "params", "metric", "basis", "pairs", "ratio", "lo", "hi", "level", "verdict",
           "ratio_of_medians", "note")
BASES = (("null", "x null"), ("malloc", "x malloc"))


params = pbresults.params_text  # the `params` column


def num(v, fmt="%.6g"):
    return "" if v is None else fmt % v


def read(folder):
    """(rows of every machine, meta.json), or exit 2 with the reason."""
    path = pbresults.csv_path(folder)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        pbresults.die(PROG, f"{os.path.join(folder, 'results.csv')}: missing or empty "
                            "(not a poolbench results folder?)")
    try:
        _, rows = pbresults.read_csv(path, all_machines=True)
    except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError) as e:
        pbresults.die(PROG, f"{path}: cannot be read as CSV: {e}")
    try:
        meta = pbresults.read_meta(folder, "")  # executor.nodes as written
    except (OSError, ValueError):
        meta = {}
    return rows, meta


def compare(rows, ms, metric):
    """The points every machine has, in run order: a list of (row, cells),
    cells[machine][basis] a Ratio (None for the basis itself: null x null);
    and the count of points some machine lacks."""
    by = {}
    for r in rows:
        # point_key: backend, options first, the machine last.
        by.setdefault((r.get("machine") or "", pbresults.point_key(r)[:-1]), []).append(r)
    keys = list(dict.fromkeys(k for _, k in by))
    out, partial = [], 0
    for k in keys:
        if not all((m, k) in by for m in ms):
            partial += 1
            continue
        cells = {}
        for m in ms:
            cells[m] = {}
            for base, _ in BASES:
                if k[0] == base and not k[1]:
                    cells[m][base] = None
                    continue
                den = by.get((m, (base, "") + k[2:]), [])
                cells[m][base] = pbresults.paired_ratio(by[(m, k)], den, metric)
        out.append((by[(ms[0], k)][0], cells))
    return out, partial


def write_csv(path, out, ms, cpus, label, metric):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for row, cells in out:
            for m in ms:
                for base, _ in BASES:
                    r = cells[m][base]
                    if r is None:
                        continue
                    w.writerow({
                        "machine": m, "cpu_model": cpus.get(m, ""), "variant": label(row),
                        "workload": row.get("workload", ""), "mode": row.get("mode", ""),
                        "threads": row.get("threads", ""),
                        "obj_size": row.get("obj_size", ""), "params": params(row),
                        "metric": metric, "basis": base, "pairs": r.pairs,
                        "ratio": num(r.ratio), "lo": num(r.lo), "hi": num(r.hi),
                        "level": num(r.level if r.ratio is not None else None),
                        "verdict": r.verdict, "ratio_of_medians": num(r.ratio_of_medians),
                        "note": r.reason})
    os.replace(path + ".tmp", path)


def cell(r, level):
    """A ratio as the table prints it, with two significant digits at
    least (0.021, not 0.02); the basis itself: `1 (itself)`."""
    if r is None:
        return "1 (itself)"
    if r.ratio is None or r.ratio <= 0:
        return r.text(level)
    return r.text(level, digits=max(2, 1 - math.floor(math.log10(r.ratio))))


def markdown(out, ms, cpus, label, metric, partial):
    rs = [r for _, cells in out for m in ms for r in cells[m].values() if r is not None]
    level = pbresults.common_level(rs)
    lines = ["The machines of this run side by side, each through its own baselines: "
             f"`x null` is a point's {metric} over that machine's null baseline at the same "
             f"point, `x malloc` over that machine's malloc (glibc); raw {metric} of two "
             "machines are never compared. " + pbresults.interval_legend(rs)
             + " The reason of a `--` is in machines.csv.", ""]
    for m in ms:
        lines.append(f"- **{m}**: {cpus.get(m) or 'CPU model not recorded'}")
    lines.append("")
    head = "| variant | mode | thr | size | params |" + "".join(
        f" {m} {t} |" for m in ms for _, t in BASES)
    rule = "|---|---|---:|---:|---|" + "---:|" * (len(ms) * len(BASES))
    wl = None
    for row, cells in out:
        if row.get("workload") != wl:
            wl = row.get("workload")
            lines += ["", f"### {wl}", "", head, rule]
        c = "".join(f" {cell(cells[m][b], level)} |" for m in ms for b, _ in BASES)
        lines.append(f"| {label(row)} | {row.get('mode', '')} | {row.get('threads', '')} "
                     f"| {row.get('obj_size', '')} | {params(row) or '-'} |{c}")
    if not out:
        lines.append("(no benchmark point that every machine ran)")
    if partial:
        lines += ["", f"{partial} point(s) ran on some machines only: not compared "
                      "(results.csv has their rows)."]
    return "\n".join(lines) + "\n"


def main(argv):
    metric = "ns_per_op"
    if len(argv) == 3 and argv[1] == "--metric":
        metric = argv[2]
        argv = argv[:1]
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: machines.py RESULTS_DIR [--metric COLUMN]")
    folder = argv[0]
    os.environ.pop(pbresults.MACHINE_ENV, None)  # every machine, into the run's tables/
    rows, meta = read(folder)
    if rows and metric not in rows[0]:
        pbresults.die(PROG, f"--metric {metric}: results.csv has no such column")
    ms = pbresults.machines(rows)
    if len(ms) < 2:
        text = ("This run ran on one machine: nothing to set side by side. A machine "
                "comparison runs the plan on several Slurm partitions: poolbench run "
                "--isolate --executor slurm --partitions a,b (docs/cluster.md).\n")
        pbresults.write_table(folder, "machines.md", text)
        return 0
    cpus = {m: (pbresults.nodes_machine(meta, m) or {}).get("cpu_model", "") for m in ms}
    label = pbresults.variant_labeller(rows)
    out, partial = compare(rows, ms, metric)
    path = os.path.join(folder, "machines.csv")
    try:
        write_csv(path, out, ms, cpus, label, metric)
    except OSError as e:
        pbresults.die(PROG, f"{path}: {e.strerror}")
    pbresults.write_table(folder, "machines.md", markdown(out, ms, cpus, label, metric,
                                                          partial))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
