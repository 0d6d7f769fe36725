#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# compare.py A B [--alpha 0.05] [--metric ns_per_op]
#                [--basis auto|absolute|null|malloc] [--machine-a M] [--machine-b M]
#                [--top N] [--out DIR]
#
# A/B comparison of two stored poolbench results folders (before/after a
# patch, or two machines); nothing is run. Called by `make compare A=.. B=..`
# (and by `poolbench compare`, which passes its arguments on). Each folder
# needs results.csv (or results.csv.xz) and meta.json, read through
# scripts/lib/pbresults.py.
#
# The two runs' benchmarks are matched by their identity (backend, options,
# workload, mode, threads, placement, object size, alignment and every
# workload parameter). For each benchmark both runs have: the median of the
# metric over the repetitions (the `run` rows without an error) in A and in
# B, the change of the median in % ((B/A - 1) x 100), the Hodges-Lehmann
# interval of the change (scripts/lib/mwu.py), the two-sided Mann-Whitney U
# test's p-value (scipy 1.10's method='auto', scripts/lib/mwu.py) and a
# verdict at alpha. Benchmarks in one run only are listed, never dropped.
# Across machines (auto: meta.json's host or CPU model differ, or two
# machines of a machine comparison; or --basis null) each value is first
# divided by the `null` backend's median at the same point in its own run
# (--basis malloc: by malloc's). A machine comparison's folder (a machine
# column of several names: poolbench run --executor slurm --partitions a,b)
# is read one machine at a time: --machine-a and --machine-b choose, and A
# and B may be the same folder. Every column and verdict: docs/compare.md.
#
# Writes a console table and, in DIR (new or empty; default
# results/compare/<UTC time>-<A>-vs-<B>), compare.csv, compare.md and the
# figure compare.pdf, compare.png and compare.dat (gnuplot: compare.gp).
#
# Exit status: 0 compared; 1 the figure could not be drawn (nothing
# written); 2 bad arguments or unreadable input (nothing written).

import argparse
import csv
import lzma
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "figures"))
import pbresults  # noqa: E402
import mwu  # noqa: E402
import plotdata  # noqa: E402
from plotdata import gp_assign, wrap  # noqa: E402

PROG = "compare.py"
CORE_COLUMNS = ("backend", "workload", "mode", "threads", "obj_size", "statistic")
# A benchmark's identity: these columns of results.csv (empty where a run's
# CSV has no such column, e.g. `keep` before mempool-perf existed).
ID_COLUMNS = ("backend", "options", "workload", "mode", "threads", "placement",
              "obj_size", "align")
PARAM_COLUMNS = ("n", "touch", "keep", "pattern", "per_cpu", "count", "order",
                 "fill", "limit_s")
KEY_COLUMNS = ID_COLUMNS + PARAM_COLUMNS
# Shown in the `params` column when their value is not the same everywhere.
SHOWN_PARAMS = ("placement", "align") + PARAM_COLUMNS
# Metrics where a smaller value is a faster benchmark, and where a larger one is.
TIME_LOWER = {"ns_per_op", "gb_real_ns", "gb_cpu_ns", "alloc_ms", "free_ms",
              "task_clock_ns_per_op", "cycles_per_op"}
TIME_HIGHER = {"ops_per_sec", "efficiency"}
VERDICTS = ("faster", "slower", "higher", "lower", "no significant change",
            "too few repetitions", "not compared")
SIGNIFICANT = ("faster", "slower", "higher", "lower")
# Bar colours of the figure (Okabe-Ito; grey: every verdict not significant).
BAR_STYLE = {"faster": "#009E73", "slower": "#D55E00", "higher": "#0072B2",
             "lower": "#E69F00", "not significant": "#999999"}


def die(msg, status=2):
    """Print the message and exit (2: bad input) before anything is written."""
    pbresults.die(PROG, msg, status)


class Run:
    """One results folder: its rows grouped into benchmarks, its meta.json."""

    def __init__(self, name, folder, metric, machine):
        self.name, self.folder, self.machine = name, folder, machine or ""
        if not os.path.isdir(folder):
            die(f"{name}: {folder}: no such folder")
        self.csv = pbresults.csv_path(folder)
        if not os.path.isfile(self.csv) or os.path.getsize(self.csv) == 0:
            die(f"{name}: {os.path.join(folder, 'results.csv')}: missing or empty "
                "(not a poolbench results folder?)")
        try:
            self.header, rows = pbresults.read_csv(self.csv, all_machines=True)
        except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError, EOFError) as e:
            die(f"{name}: {self.csv}: cannot be read as CSV: {e}")
        ms = pbresults.machines(rows)
        opt = f"--machine-{name.lower()}"
        if self.machine and self.machine not in ms:
            die(f"{name}: {folder}: {opt} {self.machine}: no such machine in its machine "
                f"column ({'it has ' + ', '.join(ms) if ms else 'a run of one machine'})")
        if not self.machine and len(ms) > 1:
            die(f"{name}: {folder} is a machine comparison ({', '.join(ms)}): choose one "
                f"with {opt}")
        if self.machine:
            rows = [r for r in rows if r.get("machine") == self.machine]
        lacking = [c for c in CORE_COLUMNS + (metric,) if c not in self.header]
        if lacking:
            die(f"{name}: {self.csv}: no {', '.join(lacking)} column"
                + (" (not a poolbench results.csv?)" if metric not in lacking else ""))
        for i, r in enumerate(rows):
            if None in r or None in r.values():
                die(f"{name}: {self.csv}: data row {i + 1} does not have the header's "
                    f"{len(self.header)} fields")
        try:
            self.meta = pbresults.read_meta(folder, self.machine)
            if not isinstance(self.meta, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:
            die(f"{name}: {os.path.join(folder, 'meta.json')}: cannot be read as JSON: {e}")
        self.benches = {}  # key -> Bench, in the run's order
        for r in rows:
            key = tuple(r.get(c) or "" for c in KEY_COLUMNS)
            self.benches.setdefault(key, Bench(r)).add(r, metric)

    # meta_get(*path, default): a meta.json value, or default when it is not there
    meta_get = plotdata.Run.meta_get

    def host(self):
        return self.meta_get("machine", "host", default=None)

    def cpu(self):
        return self.meta_get("machine", "cpu_model", default=None)

    def started(self):
        return (self.meta_get("isolation", "first_started_utc", default=None)
                or self.meta_get("run", "started_utc", default=None))

    def describe(self):
        """One line: the folder, host, CPU, start, repetitions, commit."""
        commit = self.meta_get("build", "git_commit", default=None)
        dirty = self.meta_get("build", "git_dirty", default=None)
        return (f"{self.folder}{' machine ' + self.machine if self.machine else ''}: "
                f"host {self.host() or '?'}, {self.cpu() or '?'}, "
                f"started {self.started() or '?'}, "
                f"{self.meta_get('run', 'repetitions')} repetitions, commit "
                f"{(commit or '?')[:12]}{' (dirty)' if dirty else ''}")

    def base_of(self, key, backend):
        """@backend's Bench (null or malloc, no options) at @key's point, or None."""
        want = dict(zip(KEY_COLUMNS, key))
        want.update(backend=backend, options="")
        return self.benches.get(tuple(want[c] for c in KEY_COLUMNS))


class Bench:
    """One benchmark of a run: its metric values over the repetitions (run
    rows without an error) and the errors of its failed rows."""

    def __init__(self, row):
        self.row = row
        self.values = []
        self.runs = 0
        self.errors = []

    def add(self, row, metric):
        err = row.get("error") or ""
        if err:
            self.errors.append(err)
        if row.get("statistic") != "run":
            return
        self.runs += 1
        v = pbresults.to_float(row.get(metric))
        if not err and v is not None:
            self.values.append(v)

    def why_no_values(self, metric):
        """Why the benchmark has no value to compare."""
        if self.errors:
            return f"failed: {self.errors[0]}"
        if not self.runs:
            return "no run rows"
        return f"no {metric} value in its run rows"

    def median(self):
        return statistics.median(self.values) if self.values else None


def fmt(v, digits=4):
    """A number with @digits significant digits, no exponent in 1e-3..1e9;
    '--' for None."""
    if v is None:
        return "--"
    if v == 0:
        return "0"
    if not 1e-3 <= abs(v) < 1e9:
        return f"{v:.{digits - 1}e}"
    dec = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    return f"{v:.{dec}f}"


def fmt_pct(v):
    return "--" if v is None else f"{v:+.1f}%"


def fmt_p(p):
    if p is None:
        return "--"
    return f"{p:.4f}" if p >= 1e-4 else f"{p:.1e}"


def csv_num(v):
    """A compare.csv cell: the number with 9 significant digits, or '--'."""
    return "--" if v is None else f"{v:.9g}"


def choose_basis(args, a, b):
    """Return (basis, why): 'absolute', 'null' or 'malloc', and the reason."""
    same = (a.host() is not None and a.host() == b.host()
            and a.cpu() is not None and a.cpu() == b.cpu() and a.machine == b.machine)
    machines = (f"A {'machine ' + a.machine + ', ' if a.machine else ''}host "
                f"{a.host() or '?'}, {a.cpu() or '?'}; "
                f"B {'machine ' + b.machine + ', ' if b.machine else ''}host "
                f"{b.host() or '?'}, {b.cpu() or '?'}")
    if args.basis == "absolute":
        return "absolute", ("--basis absolute" + ("" if same else
                            f"; the runs are from different machines: {machines}"))
    if args.basis in ("null", "malloc"):
        return args.basis, f"--basis {args.basis}"
    if same:
        return "absolute", f"same host and CPU model: {machines}"
    return "null", f"the runs are from different machines, or do not say which: {machines}"


def verdict_words(metric):
    """The verdicts for B below A and B above A under @metric."""
    if metric in TIME_LOWER:
        return "faster", "slower"
    if metric in TIME_HIGHER:
        return "slower", "faster"
    return "lower", "higher"


def compare_one(key, ba, bb, a, b, basis, args):
    """The comparison of one benchmark in both runs: a dict of compare.csv's
    measured columns (numbers or None) plus `verdict` and `note`."""
    out = dict(reps_a=len(ba.values), reps_b=len(bb.values), median_a=None,
               median_b=None, null_median_a=None, null_median_b=None,
               malloc_median_a=None, malloc_median_b=None,
               change_pct=None, hl_change_pct=None, ci_low_pct=None,
               ci_high_pct=None, ci_level=None, u_a=None, p_value=None,
               p_method="", min_p=None, verdict="not compared", note="")
    notes = []
    for name, bench in (("A", ba), ("B", bb)):
        if bench.values and bench.errors:
            notes.append(f"{name}: {bench.runs - len(bench.values)} of {bench.runs} runs "
                         f"left out: {bench.errors[0]}")
    xs, ys = list(ba.values), list(bb.values)
    if not xs or not ys:
        why = [f"{n}: {bench.why_no_values(args.metric)}"
               for n, bench in (("A", ba), ("B", bb)) if not bench.values]
        out["note"] = "; ".join(why + notes)
        return out
    if basis in ("null", "malloc"):
        if key[0] == basis and not key[1]:
            out["note"] = (f"the {basis} baseline itself: its ratio to itself is no "
                           "comparison")
            return out
        for name, run, vals, col in (("A", a, xs, f"{basis}_median_a"),
                                     ("B", b, ys, f"{basis}_median_b")):
            nb = run.base_of(key, basis)
            med = nb.median() if nb else None
            if nb is None:
                out["note"] = f"{name} has no {basis} point at this benchmark's point"
            elif med is None:
                out["note"] = (f"{name}'s {basis} point has no value "
                               f"({nb.why_no_values(args.metric)})")
            elif med <= 0:
                out["note"] = f"{name}'s {basis} median is {fmt(med)}: no ratio"
            if out["note"]:
                out["note"] = "; ".join([out["note"]] + notes)
                return out
            out[col] = med
            vals[:] = [v / med for v in vals]
    ma, mb = statistics.median(xs), statistics.median(ys)
    out.update(median_a=ma, median_b=mb)
    if ma != 0:
        out["change_pct"] = (mb / ma - 1) * 100
    else:
        notes.append("median of A is 0: no change in %")
    u1, p, method = mwu.mannwhitneyu(xs, ys)
    minp = mwu.min_pvalue(len(xs), len(ys))
    out.update(u_a=u1, p_value=p, p_method=method, min_p=minp)
    if min(xs + ys) > 0:
        est, lo, hi, level = mwu.hodges_lehmann([math.log(v) for v in xs],
                                                [math.log(v) for v in ys], args.alpha)
        out["hl_change_pct"] = math.expm1(est) * 100
        if lo is not None:
            out.update(ci_low_pct=math.expm1(lo) * 100, ci_high_pct=math.expm1(hi) * 100,
                       ci_level=level)
        else:
            notes.append(f"no interval: {len(xs)} vs {len(ys)} repetitions allow at most a "
                         f"{level * 100:.1f}% interval, under {(1 - args.alpha) * 100:g}%")
    else:
        notes.append("no interval: a value is 0 or negative (the interval is of B/A)")
    down, up = verdict_words(args.metric)
    mn = len(xs) * len(ys)
    if minp > args.alpha:
        out["verdict"] = "too few repetitions"
        notes.insert(0, f"{len(xs)} vs {len(ys)} repetitions: the smallest possible "
                        f"p is {fmt_p(minp)}, above alpha {args.alpha:g}")
    elif p <= args.alpha:
        # U1 counts the pairs with A's value above B's: above mn/2, B is lower.
        out["verdict"] = down if u1 > mn / 2 else up
    else:
        out["verdict"] = "no significant change"
    out["note"] = "; ".join(notes)
    return out


def params_text(key, shown):
    """The parameters of benchmark @key that are not the same everywhere."""
    d = dict(zip(KEY_COLUMNS, key))
    return " ".join(f"{c}={d[c]}" for c in shown if d[c] != "") or "-"


def constant_params(keys):
    """Which SHOWN_PARAMS are the same (or empty) in every benchmark of
    @keys: (shown columns, 'col=value' text of the constant ones)."""
    shown, same = [], []
    for c in SHOWN_PARAMS:
        i = KEY_COLUMNS.index(c)
        vals = {k[i] for k in keys if k[i] != ""}
        if len(vals) > 1:
            shown.append(c)
        elif vals:
            same.append(f"{c}={vals.pop()}")
    return shown, " ".join(same)


def table_head(basis):
    """The table's column names; in the null or malloc basis the medians are ratios."""
    med = ([f"A / {basis}", f"B / {basis}"] if basis in ("null", "malloc")
           else ["median A", "median B"])
    return ["variant", "workload", "mode", "thr", "size", "params"] + med + [
        "change", "interval", "p", "verdict"]


def console_table(rows, shown, basis):
    """The console lines: one per benchmark, columns padded; a benchmark
    not compared says why."""
    head = table_head(basis)
    lines = [head]
    for r in rows:
        cells = table_cells(r, shown)
        if r["verdict"] == "not compared":
            cells[-1] += ": " + r["note"]
        lines.append(cells)
    widths = [max(len(l[i]) for l in lines) for i in range(len(head))]
    right = {3, 4, 6, 7, 8, 10}
    out = []
    for l in lines:
        out.append("  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(l, widths))).rstrip())
    return out


def interval_text(r):
    if r["ci_low_pct"] is None:
        return "--"
    return f"[{r['ci_low_pct']:+.1f}, {r['ci_high_pct']:+.1f}]%"


def table_cells(r, shown):
    d = dict(zip(KEY_COLUMNS, r["key"]))
    return [r["variant"], d["workload"], d["mode"], d["threads"], d["obj_size"],
            params_text(r["key"], shown), fmt(r["median_a"]), fmt(r["median_b"]),
            fmt_pct(r["change_pct"]), interval_text(r), fmt_p(r["p_value"]),
            r["verdict"]]


def counts_line(rows, alpha, only_a, only_b):
    n = {v: 0 for v in VERDICTS}
    for r in rows:
        n[r["verdict"]] += 1
    parts = [f"{c} {v}" for v, c in n.items() if c or v in ("faster", "slower",
                                                            "no significant change")]
    return (f"{len(rows)} benchmarks in both runs: {', '.join(parts)}; "
            f"only in A: {len(only_a)}, only in B: {len(only_b)}; alpha {alpha:g}")


CSV_COLUMNS = (("variant",) + KEY_COLUMNS + (
    "metric", "better", "basis", "reps_a", "reps_b", "median_a", "median_b",
    "null_median_a", "null_median_b", "malloc_median_a", "malloc_median_b", "change_pct", "hl_change_pct", "ci_low_pct",
    "ci_high_pct", "ci_level", "u_a", "p_value", "p_method", "min_p", "alpha",
    "verdict", "note"))


def write_csv(path, rows, unmatched, metric, basis, alpha):
    better = ("lower" if metric in TIME_LOWER else "higher" if metric in TIME_HIGHER
              else "")
    numeric = ("median_a", "median_b", "change_pct", "hl_change_pct", "ci_low_pct",
               "ci_high_pct", "ci_level", "u_a", "p_value", "min_p")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for r in rows + unmatched:
            d = dict(zip(KEY_COLUMNS, r["key"]))
            d.update(variant=r["variant"], metric=metric, better=better, basis=basis,
                     alpha=f"{alpha:g}", verdict=r["verdict"], note=r["note"],
                     p_method=r.get("p_method", ""))
            matched = r["verdict"] not in ("only in A", "only in B")
            for c in ("reps_a", "reps_b"):
                d[c] = r.get(c, "")
            for c in numeric:
                d[c] = csv_num(r.get(c)) if matched else ""
            for c in ("null_median_a", "null_median_b", "malloc_median_a", "malloc_median_b"):
                d[c] = csv_num(r.get(c)) if matched and c.startswith(basis + "_") else ""
            w.writerow([d.get(c, "") for c in CSV_COLUMNS])


def md_escape(s):
    return str(s).replace("|", "\\|")


def write_md(path, header, rows, only_a, only_b, shown, summary, basis):
    out = ["# A/B comparison", ""] + [f"- {md_escape(l)}" for l in header] + [
        "", summary, "", "## Benchmarks in both runs", ""]
    head = table_head(basis) + ["note"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for r in rows:
        cells = table_cells(r, shown) + [r["note"]]
        out.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    for name, lst in (("A", only_a), ("B", only_b)):
        out += ["", f"## Only in {name} ({len(lst)})", ""]
        out += [f"- {md_escape(r['variant'])} {r['label_rest']}" for r in lst] or ["none"]
    out += ["", "Columns, verdicts and method: docs/compare.md.", ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def figure(tmp, rows, args, a, b, basis, shown):
    """Write compare.dat and compare.vars into @tmp and draw compare.pdf and
    compare.png with compare.gp. Return '' or why gnuplot failed."""
    withchange = [r for r in rows if r["change_pct"] is not None]
    sig = [r for r in withchange if r["verdict"] in SIGNIFICANT]
    notes = []
    if sig:
        # The largest |change| of each verdict in turn, so that a few large
        # slowdowns do not hide every speed-up.
        rank = {}
        for v in SIGNIFICANT:
            same = sorted((r for r in sig if r["verdict"] == v), key=lambda r: -abs(r["change_pct"]))
            rank.update((id(r), i) for i, r in enumerate(same))
        pick = sorted(sig, key=lambda r: (rank[id(r)], -abs(r["change_pct"])))[:args.top]
        if len(sig) > len(pick):
            notes.append(f"{len(sig) - len(pick)} more significant changes not drawn "
                         f"(the {len(pick)} drawn are the largest |change| of each verdict "
                         f"in turn; all in compare.csv)")
        rest = len(rows) - len(sig)
        what = "significant changes"
    else:
        pick = sorted(withchange, key=lambda r: -abs(r["change_pct"]))[:args.top]
        rest = len(rows) - len(pick)
        what = (f"no significant change: the {len(pick)} largest |change| drawn"
                if pick else "")
    if rest > 0:
        notes.append(f"{rest} of the {len(rows)} benchmarks in both runs not drawn"
                     + (" (not significant, too few repetitions or not compared)"
                        if sig else ""))
    pick.sort(key=lambda r: r["change_pct"])
    dat = [f"# compare.dat: change of the median {args.metric} in % (B/A - 1) x 100, "
           f"basis {basis}; Hodges-Lehmann interval (NaN: none); verdict class",
           "# y\tchange_pct\tci_low_pct\tci_high_pct\tclass\tlabel"]
    cls = lambda r: r["verdict"] if r["verdict"] in SIGNIFICANT else "not significant"
    classes = [v for v in BAR_STYLE if any(cls(r) == v for r in pick)]
    for i, r in enumerate(pick):
        d = dict(zip(KEY_COLUMNS, r["key"]))
        params = params_text(r["key"], shown)
        label = (f"{r['variant']} {d['workload']} {d['mode']} thr {d['threads']} "
                 f"{d['obj_size']} B" + (f" {params}" if params != "-" else ""))
        lo, hi = (f"{r[c]:.6g}" if r[c] is not None else "NaN"
                  for c in ("ci_low_pct", "ci_high_pct"))
        dat.append(f"{i}\t{r['change_pct']:.6g}\t{lo}\t{hi}\t"
                   f"{classes.index(cls(r)) + 1}\t\"{label.replace(chr(34), '')}\"")
    with open(os.path.join(tmp, "compare.dat"), "w", encoding="utf-8") as f:
        f.write("\n".join(dat) + "\n")
    direction = ("; lower is better" if args.metric in TIME_LOWER else
                 "; higher is better" if args.metric in TIME_HIGHER else "")
    unit = (f"{args.metric} / {basis}'s median" if basis in ("null", "malloc")
            else args.metric)
    xs = [v for r in pick for v in (r["change_pct"], r["ci_low_pct"], r["ci_high_pct"])
          if v is not None]
    span = max([abs(v) for v in xs] + [1.0])
    cap = (f"A = {a.describe()}.  B = {b.describe()}.  Mann-Whitney U two-sided, "
           f"alpha {args.alpha:g}; error bars: Hodges-Lehmann interval, level >= "
           f"{(1 - args.alpha) * 100:g}%.")
    v = {
        "title": (f"Change of the median {args.metric}, B against A"
                  + (f" (basis: ratio to {basis} in its own run)"
                     if basis in ("null", "malloc") else "")
                  + (f": {what}" if what else "")),
        "xlabel": f"change of the median {unit}, % ((B/A - 1) x 100{direction})",
        "nbar": len(pick), "nci": sum(r["ci_low_pct"] is not None for r in pick), "xlo": -span * 1.15, "xhi": span * 1.15,
        "label_chars": max([len(l.split('"')[1]) for l in dat[2:]] or [1]),
        "ncls": len(classes), "cls_colour": [BAR_STYLE[c] for c in classes],
        "cls_title": classes,
        "missing": "" if pick else wrap("no benchmark in both runs has a change to draw "
                                        "(every one failed, or not compared: compare.csv "
                                        "says why)"),
        "caption": wrap(cap), "note": "\n".join(wrap(n) for n in notes),
    }
    v["caption_lines"] = v["caption"].count("\n") + 1
    v["note_lines"] = sum(n.count("\n") + 1 for n in v["note"].split("\n")) if notes else 0
    with open(os.path.join(tmp, "compare.vars"), "w", encoding="utf-8") as f:
        f.write("# compare.vars: written by compare.py\n")
        for k, val in v.items():
            f.write(gp_assign(k, val) + "\n")
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("LANGUAGE", None)
    home = env.get("HOME")
    if not env.get("XDG_CACHE_HOME") and (not home or not os.access(home, os.W_OK)):
        env["XDG_CACHE_HOME"] = os.path.join(tmp, ".cache")  # fontconfig's cache
    for ext in ("pdf", "png"):
        res = subprocess.run(["gnuplot", "-c", os.path.join(HERE, "compare.gp"),
                              os.path.join(tmp, "compare.dat"),
                              os.path.join(tmp, "compare.vars"),
                              os.path.join(tmp, f"compare.{ext}"), ext],
                             env=env, capture_output=True, text=True)
        if res.returncode != 0 or not os.path.getsize(os.path.join(tmp, f"compare.{ext}")):
            return f"gnuplot failed to draw compare.{ext}:\n{res.stderr}"
        for line in res.stderr.splitlines():
            print(f"{PROG}: compare.{ext}: gnuplot: {line}", file=sys.stderr)
    os.remove(os.path.join(tmp, "compare.vars"))
    shutil.rmtree(os.path.join(tmp, ".cache"), ignore_errors=True)
    return ""


def out_dir(args):
    """The output folder: --out, or results/compare/<UTC time>-<A>-vs-<B>."""
    if args.out:
        return args.out
    base = lambda p, m: (os.path.basename(os.path.normpath(os.path.abspath(p)))
                         + (f"@{m}" if m else ""))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return os.path.join(pbresults.ROOT, "results", "compare",
                        f"{stamp}-{base(args.a, args.machine_a)}-vs-"
                        f"{base(args.b, args.machine_b)}")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, description="A/B comparison of two stored poolbench results folders "
        "(docs/compare.md).")
    p.add_argument("a", metavar="A", help="the first results folder (before)")
    p.add_argument("b", metavar="B", help="the second results folder (after)")
    p.add_argument("--alpha", default="0.05",
                   help="significance level of the U test, 0 < alpha < 1 (default 0.05)")
    p.add_argument("--metric", default="ns_per_op",
                   help="the results.csv column compared (default ns_per_op)")
    p.add_argument("--basis", default="auto", choices=("auto", "absolute", "null", "malloc"),
                   help="absolute values, ratios to the null backend's (or malloc's) "
                   "median in the same run and machine, or auto: null when the runs' "
                   "host, CPU model or machine differ")
    p.add_argument("--machine-a", default="", metavar="M",
                   help="A's machine, in a machine comparison's folder")
    p.add_argument("--machine-b", default="", metavar="M",
                   help="B's machine, in a machine comparison's folder")
    p.add_argument("--top", default="40",
                   help="the figure draws at most this many bars (default 40)")
    p.add_argument("--out", help="output folder, new or empty (default "
                   "results/compare/<UTC time>-<A>-vs-<B>)")
    args = p.parse_args(argv)
    try:
        args.alpha = float(args.alpha)
    except ValueError:
        die(f"--alpha {args.alpha!r} is not a number")
    if not 0 < args.alpha < 1:
        die(f"--alpha {args.alpha:g} is not between 0 and 1")
    try:
        args.top = int(args.top)
    except ValueError:
        args.top = 0
    if args.top < 1:
        die("--top must be a whole number of bars, 1 or more")
    if args.metric in KEY_COLUMNS + ("statistic", "rep", "pus", "error", "counter_group"):
        die(f"--metric {args.metric}: not a measured column")
    return args


def main(argv):
    args = parse_args(argv)
    dest = out_dir(args)
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        die(f"{dest}: exists and is not an empty folder (results are never written over)")
    if shutil.which("gnuplot") is None:
        die("gnuplot not found (scripts/setup/install-deps.sh installs it)", 1)
    a = Run("A", args.a, args.metric, args.machine_a)
    b = Run("B", args.b, args.metric, args.machine_b)
    basis, why = choose_basis(args, a, b)
    common = [k for k in a.benches if k in b.benches]
    only_a = [k for k in a.benches if k not in b.benches]
    only_b = [k for k in b.benches if k not in a.benches]
    if not common:
        die(f"no benchmark in common between {args.a} ({len(a.benches)} benchmarks) and "
            f"{args.b} ({len(b.benches)}): nothing to compare")
    label = pbresults.variant_labeller([bn.row for run in (a, b) for bn in run.benches.values()])
    shown, same = constant_params(list(a.benches) + list(b.benches))
    rows = []
    for k in common:
        r = compare_one(k, a.benches[k], b.benches[k], a, b, basis, args)
        r.update(key=k, variant=label(a.benches[k].row))
        rows.append(r)
    if not any(r["median_a"] is not None for r in rows):
        die(f"no benchmark in both runs has a {args.metric} value to compare"
            + (f" in the {basis} basis" if basis in ("null", "malloc") else "")
            + f" (first: {rows[0]['note']})")

    def unmatched(k, run, side):
        d = dict(zip(KEY_COLUMNS, k))
        return dict(key=k, variant=label(run.benches[k].row), verdict=f"only in {side}",
                    note=f"no such benchmark in {'B' if side == 'A' else 'A'}",
                    label_rest=f"{d['workload']} {d['mode']} thr {d['threads']} size "
                    f"{d['obj_size']} {params_text(k, shown)}",
                    reps_a=len(run.benches[k].values) if side == "A" else "",
                    reps_b=len(run.benches[k].values) if side == "B" else "")
    ua = [unmatched(k, a, "A") for k in only_a]
    ub = [unmatched(k, b, "B") for k in only_b]

    direction = ("lower is better" if args.metric in TIME_LOWER else
                 "higher is better" if args.metric in TIME_HIGHER else
                 "verdicts say higher or lower")
    if basis in ("null", "malloc"):
        basis_line = (f"basis: {basis.upper()} - each {args.metric} is divided by the "
                      f"{basis} backend's median at the same point in its own run"
                      f"{' and machine' if a.machine or b.machine else ''}, and those "
                      f"ratios are compared, not absolute values ({why})")
    else:
        basis_line = f"basis: absolute {args.metric} ({why})"
    header = [f"A = {a.describe()}", f"B = {b.describe()}",
              f"metric: {args.metric} ({direction}); change = (median B / median A - 1) x 100",
              basis_line,
              f"test: two-sided Mann-Whitney U over the repetitions (run rows without error), "
              f"alpha {args.alpha:g}; interval: Hodges-Lehmann interval of B/A, level >= "
              f"{(1 - args.alpha) * 100:g}% (achieved level per benchmark in compare.csv)",
              f"same in every benchmark: {same or '-'}"]
    summary = counts_line(rows, args.alpha, ua, ub)

    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(os.path.abspath(dest))}.tmp.", dir=parent)
    try:
        write_csv(os.path.join(tmp, "compare.csv"), rows, ua + ub, args.metric, basis,
                  args.alpha)
        write_md(os.path.join(tmp, "compare.md"), header, rows, ua, ub, shown, summary,
                 basis)
        err = figure(tmp, rows, args, a, b, basis, shown)
        if err:
            die(err + "\nnothing written", 1)
        if os.path.isdir(dest):
            if os.listdir(dest):
                die(f"{dest}: was written by someone else meanwhile; nothing written")
            os.rmdir(dest)
        os.rename(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for l in header:
        print(l)
    print()
    for l in console_table(rows, shown, basis):
        print(l)
    for name, lst in (("A", ua), ("B", ub)):
        if lst:
            print(f"\nonly in {name} ({len(lst)}):")
            for r in lst:
                print(f"  {r['variant']} {r['label_rest']}")
    print()
    print(summary)
    print(f"{PROG}: wrote {dest}/compare.{{csv,md,pdf,png,dat}}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
