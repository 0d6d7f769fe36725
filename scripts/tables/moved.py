#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# moved.py OLD_PERCPU NEW_PERCPU [OLD_MEMPOOL NEW_MEMPOOL] [--tex FILE]
#
# Which cells of the seed tables moved between two stored runs of
# `make run-percpu`, and why: for every million point (backend x size x
# order x fill, medians over the repetitions) the alloc and free ms of the
# old and the new run and their ratio, and for the percpu mempool folders
# every row's ns per pair on fastpath-reuse and ring-cleanup. Only the
# numbers come from the CSVs; the cause column is a fixed rule per backend
# and column (CAUSES below), naming the issue-12 fix that changed that code
# path, except where the page faults of the phase explain it: a million
# alloc cell whose faults per round changed by more than half (and by more
# than 1000) names that, with both counts (the new run's phase_faults; an
# older run without that column: its page_faults_per_op times count, the
# whole batch's faults); one that got slower with as many faults, each
# costing more, names the cost per fault; any other cell that got slower
# is put down to the machine's noise, since no fix adds work there. A cell counts as moved when
# new/old is outside [1/1.5, 1.5]; the others are listed too, marked
# "within 1.5x". Markdown on stdout; with
# --tex FILE also a LaTeX table (booktabs) of the moved cells for the paper.
#
# Exit status: 0 written; 2 bad arguments or unreadable folders.

import csv
import lzma
import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = "moved.py"
MOVED = 1.5

# Cause of a change, by (backend, column); "*" matches any backend.
CAUSES = {
    ("*", "alloc_ms"): "harness array written before the clock (fix 5: its "
                       "first-touch faults were in every alloc phase)",
    ("percpu-areamap", "alloc_ms"): "fix 5; O(1) slot-list insert and chunk lookup (fix 3)",
    ("percpu-bitmap", "alloc_ms"): "fix 5; O(1) chunk lookup (fix 3)",
    ("percpu-areamap", "free_ms"): "one map memmove per free (fix 1), no chunk release "
                                   "inside free (fix 2), O(1) chunk lookup (fix 3)",
    ("percpu-bitmap", "free_ms"): "no chunk release inside free (fix 2), O(1) chunk "
                                  "lookup (fix 3)",
    ("malloc", "free_ms"): "no code change: the machine's noise",
    ("null", "free_ms"): "no code change: the machine's noise",
    ("percpu-mempool", "ns_per_op"): "reserve taken first, the percpu allocator only "
                                     "for callers that may wait (fix 4); reserve 64, "
                                     "refilled below 32, whatever the capacity (fix 6)",
    ("mutex-mempool", "ns_per_op"): "malloc first without waiting, for atomic callers "
                                    "too (fix 4): the reserve and its refill worker left "
                                    "the path",
    ("null", "ns_per_op"): "no allocator (the harness alone): the machine's noise",
    ("*", "ns_per_op"): "fix 2 and 3 (percpu chunk release and lookup)",
}


def die(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(2)


def cause(key, col):
    backend = key[0]
    if backend == "mutex-mempool" and "alloc=may-block" in key[1]:
        return "no change in this path (malloc first, as before): the machine's noise"
    return CAUSES.get((backend, col)) or CAUSES.get(("*", col), "")


def faults(rows):
    """Page faults per million round: phase_faults, else the batch's."""
    if any(r.get("error") for r in rows):
        return None
    vals = []
    for r in rows:
        if r.get("phase_faults", "") != "":
            vals.append(float(r["phase_faults"]))
        elif r.get("page_faults_per_op", "") != "" and r.get("count", "") != "":
            vals.append(float(r["page_faults_per_op"]) * float(r["count"]))
    return statistics.median(vals) if vals else None


def cell_cause(key, col, old_rows, new_rows):
    a, b = value(old_rows, col), value(new_rows, col)
    if col == "alloc_ms":
        fa, fb = faults(old_rows), faults(new_rows)
        if fa is not None and fb is not None and abs(fb - fa) > max(1000, 0.5 * fa):
            if fb > fa:
                return (f"page faults in the alloc phase rose, {fa:.0f} -> {fb:.0f} per "
                        "round: the objects' pages are now first touched there, where the "
                        "old run's process reused pages freed earlier in it")
            if not any(r.get("phase_faults", "") for r in old_rows):
                return (f"fewer page faults, {fa:.0f} -> {fb:.0f} per round: the harness's "
                        "array no longer faults in the timed phase (fix 5); the old count is "
                        "the whole batch's, pre-fill included where there is one (that run "
                        "has no phase_faults)")
            return f"page faults in the alloc phase fell, {fa:.0f} -> {fb:.0f} per round"
        if fa and fb and fa > 1000 and a and b and b > a:
            ua, ub = a * 1000 / fa, b * 1000 / fb
            if ub > MOVED * ua:
                return (f"each page fault costs more in the new run, {ua:.1f} -> {ub:.1f} us "
                        f"({fa:.0f} -> {fb:.0f} faults per round): the VM's cost, not the "
                        "allocator's (malloc's unchanged code shows the same)")
    if a and b and b > a and col in ("alloc_ms", "free_ms"):
        return "slower with no code change that adds work here: the machine's noise"
    return cause(key, col)


def load(folder):
    """The rows of each point of folder/results.csv[.xz] that its value is
    taken from (pbresults.Point.value_rows: the median row, else the runs), by key."""
    path = pbresults.csv_path(folder)
    if not os.path.isfile(path):
        die(f"{folder}: no results.csv (not a poolbench results folder?)")
    try:
        _, rows = pbresults.read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError) as e:
        die(f"{path}: cannot be read as CSV: {e}")

    def key(r):
        if r["workload"] == "million":
            return (r["backend"], r.get("count", ""), r["obj_size"], r.get("align", ""),
                    r.get("order", ""), r.get("fill", ""))
        # mempool rows: the options change with the defaults, so the
        # backend and its mode options name the row.
        opts = pbresults.options_dict(r["options"])
        mode = " ".join(f"{k}={opts[k]}" for k in ("alloc", "refill", "backing") if k in opts)
        return (r["backend"], mode, r["workload"])

    return {k: p.value_rows() for k, p in pbresults.points(rows, key).items() if p.value_rows()}


def value(rows, col):
    if any(r.get("error") for r in rows):
        return None
    vals = [float(r[col]) for r in rows if r.get(col, "") != ""]
    return statistics.median(vals) if vals else None


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def compare(old, new, cols):
    lines = []
    def order(key):
        return tuple((0, int(k), "") if k.isdigit() else (1, 0, k) for k in key)

    for key in sorted(set(old) - set(new), key=order):
        lines.append((key, cols[0], value(old[key], cols[0]), None, None, True,
                      "not run in the new run (skipped: its meta.json, run.skipped, "
                      "says why)"))
    for key in sorted(set(old) & set(new), key=order):
        for col in cols:
            a, b = value(old[key], col), value(new[key], col)
            if a is None and b is None:
                continue
            ratio = b / a if a and b else None
            moved = ratio is None or ratio > MOVED or ratio < 1 / MOVED
            why = cell_cause(key, col, old[key], new[key]) if moved else ""
            lines.append((key, col, a, b, ratio, moved, why))
    return lines


def md(lines, what):
    print(f"| {what} | column | old | new | new / old | moved | cause |")
    print("|---|---|---|---|---|---|---|")
    for key, col, a, b, ratio, moved, why in lines:
        name = " ".join(k for k in key if k not in ("", "0", "none")) if key else ""
        r = f"{ratio:.2f}x" if ratio else "n/a"
        print(f"| {name} | {col} | {fmt(a)} | {fmt(b)} | {r} | "
              f"{'yes' if moved else 'within 1.5x'} | {why} |")


def tex_escape(s):
    return (s.replace("\\", "\\textbackslash{}").replace("_", "\\_").replace("&", "\\&")
            .replace("%", "\\%").replace("#", "\\#"))


def tex(lines, path, old_name, new_name):
    """A longtable (it runs over pages): the moved cells only."""
    moved = [x for x in lines if x[5]]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("{\\footnotesize\\setlength{\\LTcapwidth}{\\textwidth}\n")
        f.write("\\begin{longtable}{p{4.1cm}lrrrp{6.0cm}}\n")
        f.write(f"\\caption{{Seed-table cells that moved by more than {MOVED}x between "
                f"\\texttt{{{tex_escape(old_name)}}} and \\texttt{{{tex_escape(new_name)}}} "
                "(medians; ms for million, ns per pair for the mempools), with the cause of "
                "each.}\\label{tab:moved}\\\\\n")
        head = "\\toprule point & column & old & new & new/old & cause\\\\\\midrule\n"
        f.write(head + "\\endfirsthead\n" + head + "\\endhead\n")
        f.write("\\bottomrule\\endlastfoot\n")
        for key, col, a, b, ratio, _, why in moved:
            name = " ".join(k for k in key if k not in ("", "0", "none"))
            r = f"{ratio:.2f}" if ratio else "n/a"
            f.write(f"{tex_escape(name)} & {tex_escape(col)} & {fmt(a)} & {fmt(b)} & {r} & "
                    f"{tex_escape(why)}\\\\\n")
        if not moved:
            f.write("\\multicolumn{6}{l}{no cell moved by more than 1.5x}\\\\\n")
        f.write("\\end{longtable}}\n")
    os.replace(path + ".tmp", path)


def main(argv):
    texpath = None
    if "--tex" in argv:
        i = argv.index("--tex")
        if i + 1 >= len(argv):
            die("--tex needs a file")
        texpath = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) not in (2, 4):
        die("usage: moved.py OLD_PERCPU NEW_PERCPU [OLD_MEMPOOL NEW_MEMPOOL] "
            "[--tex FILE]")
    lines = compare(load(argv[0]), load(argv[1]), ["alloc_ms", "free_ms"])
    print(f"### Million cells: {os.path.basename(os.path.normpath(argv[0]))} -> "
          f"{os.path.basename(os.path.normpath(argv[1]))}")
    print()
    md(lines, "backend count size align order fill")
    if len(argv) == 4:
        mp = compare(load(argv[2]), load(argv[3]), ["ns_per_op"])
        print()
        print(f"### Percpu mempool rows: {os.path.basename(os.path.normpath(argv[2]))} -> "
              f"{os.path.basename(os.path.normpath(argv[3]))}")
        print()
        md(mp, "backend mode workload")
        lines += mp
    if texpath:
        tex(lines, texpath, os.path.basename(os.path.normpath(argv[0])),
            os.path.basename(os.path.normpath(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
