#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# plotdata.py - the data of the paper's eight figures, taken from a stored
# poolbench results folder (results.csv and meta.json, and for fig7 the
# latency run in its latency/ folder; nothing is run). Called by plots.sh;
# standard library only.
#
#   plotdata.py check RESULTS_DIR
#       read the folder as every figure does and stop with a message if that
#       fails (a CSV that does not parse, a column a figure needs missing).
#   plotdata.py machines RESULTS_DIR
#       the machines of a machine comparison, a line each (none for a run
#       of one machine). Every command but these two reads the machine
#       PB_MACHINE names, and refuses a run of several without one.
#   plotdata.py machines-fig RESULTS_DIR DAT VARS
#       fig9-machines of a machine comparison, every machine: each variant's
#       ns per pair over its own machine's malloc at fastpath-reuse, 1
#       thread, exclusive (paired ratios, exact interval), a bar per machine.
#   plotdata.py FIGURE RESULTS_DIR DAT VARS
#       FIGURE: pairs, ring-n, scaling, million, counters, peers, latency
#       (fig7: RESULTS_DIR/latency/latency.csv) or memory. Writes DAT, the
#       numbers the figure is drawn from (tab-separated, copied from the CSV
#       as they are written there; '#' lines say which rows they are), and
#       VARS, gnuplot assignments the figure's script loads: titles, series
#       names and style indices, the caption, notes, and `missing`, which is
#       non-empty when the run has no data for the figure and says why.
#       Notes (what was chosen, left out or missing, and why) go to stdout,
#       one per line.
#   plotdata.py nsweep RESULTS_DIR DAT
#       the data of the N sweep figure of `make run-qmempool`
#       (fig-nsweep.sh): DAT empty when the run has none.
#   plotdata.py oversub RESULTS_DIR DAT
#       the data of the oversubscription figure of `make run-oversub`
#       (fig-oversub.sh): DAT empty when the run has none.
#
# A column is needed only where the rows that use it exist, so a run without
# the million workload needs no million columns. Exit status: 0 done, 1 the
# results could not be read or lack a needed column, 2 usage.

import csv
import lzma
import math
import os
import sys
import textwrap
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402
from pbresults import parse_options  # noqa: E402

PROG = os.path.basename(sys.argv[0])
CORE_COLUMNS = ("backend", "workload", "mode", "threads", "obj_size", "statistic")
ORDERS = ("in-order", "alternating", "reverse")
WRAP = 120  # characters per line of a note or a message in a figure


class Fail(Exception):
    """The results cannot be drawn: the message says why."""


def num(s):
    """A CSV cell as a float; NaN when empty or not a number."""
    try:
        return float(s)
    except (TypeError, ValueError):
        return math.nan


def finite(x):
    return not math.isnan(x) and not math.isinf(x)


def wrap(text):
    return "\n".join(textwrap.wrap(text, WRAP, break_on_hyphens=False)) or text


class Run:
    """One results folder: its rows, its meta.json and its backend variants."""

    def __init__(self, results, all_machines=False):
        self.folder = results
        self.csv_path = pbresults.csv_path(results)
        self.meta_path = os.path.join(results, "meta.json")
        try:
            self.header, self.rows = pbresults.read_csv(self.csv_path,
                                                        all_machines=all_machines)
        except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError) as e:
            raise Fail(f"{self.csv_path}: cannot be read as CSV: {e}")
        if not self.header:
            raise Fail(f"{self.csv_path}: empty, no header line")
        lacking = [c for c in CORE_COLUMNS if c not in self.header]
        if lacking:
            raise Fail(f"{self.csv_path}: no {', '.join(lacking)} column "
                       f"(not a poolbench results.csv?)")
        for i, r in enumerate(self.rows):
            if None in r or None in r.values():
                raise Fail(f"{self.csv_path}: data row {i + 1} does not have the "
                           f"header's {len(self.header)} fields")
        try:
            self.meta = pbresults.read_meta(results)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise Fail(f"{self.meta_path}: cannot be read as JSON: {e}")
        if not isinstance(self.meta, dict):
            raise Fail(f"{self.meta_path}: not a JSON object")
        self._variants()

    def get(self, row, col):
        return row.get(col) or ""

    def need(self, fig, cols, rows, what):
        """Refuse a CSV without the columns @fig reads from @rows."""
        if not rows:
            return
        lacking = [c for c in cols if c not in self.header]
        if lacking:
            raise Fail(f"{self.csv_path} has no {', '.join(lacking)} column, "
                       f"which {fig} needs for the run's {what} rows")

    def _variants(self):
        """A variant is a backend with one set of option values. Its label
        is the backend plus the options that differ between the backend's
        variants in this run (mutex-mempool alloc=may-block / alloc=atomic);
        its style index is its place in the run, so a variant keeps its
        colour in every figure."""
        self.variants = []
        for r in self.rows:
            v = (r["backend"], self.get(r, "options"))
            if v not in self.variants:
                self.variants.append(v)
        by_backend = {}
        for b, o in self.variants:
            by_backend.setdefault(b, []).append(dict(parse_options(o)))
        self.label = {}
        self.tic = {}
        for b, o in self.variants:
            sets = by_backend[b]
            keys = []
            for s in sets:
                keys += [k for k in s if k not in keys]
            differ = [k for k in keys if len({s.get(k) for s in sets}) > 1]
            mine = dict(parse_options(o))
            parts = [f"{k}={mine.get(k, '')}" for k in differ]
            self.label[(b, o)] = " ".join([b] + parts)
            self.tic[(b, o)] = "\n".join([b] + ([" ".join(parts)] if parts else []))

    def int_of(self, row, col):
        """An integer column (n, threads, obj_size) of a row that needs it."""
        x = num(self.get(row, col))
        if not finite(x) or x != int(x):
            raise Fail(f"{self.csv_path}: a {row['workload']} row has "
                       f"{col}={self.get(row, col)!r}, not an integer")
        return int(x)

    def variant(self, row):
        return (row["backend"], self.get(row, "options"))

    def style(self, v):
        return self.variants.index(v)

    def meta_get(self, *path, default="?"):
        d = self.meta
        for p in path:
            if not isinstance(d, dict) or p not in d:
                return default
            d = d[p]
        return d

    def caption(self):
        m = lambda *p: self.meta_get(*p)
        mach = self.meta_get("machine", "machine", default="")
        cap = (f"{'machine ' + mach + ', ' if mach else ''}"
               f"{m('machine', 'host')}: {m('machine', 'cpu_model')}, "
               f"{m('machine', 'allowed_pus')} PUs, kernel {m('machine', 'kernel')}; "
               f"run {m('run', 'started_utc')}, {m('run', 'repetitions')} repetitions; "
               f"counters: {m('counters', 'group')}")
        peers = self.meta.get("peers")
        if isinstance(peers, list) and peers:
            names = [p if isinstance(p, str) else str(p.get("name") or p.get("label") or "?")
                     for p in peers if isinstance(p, (str, dict))]
            if names:
                cap += "; peers: " + ", ".join(names)
        # The noise report's verdict (docs/results-format.md), when noisy.
        if m("noise", "verdict") == "noisy":
            cap += "; NOISY RUN: " + str(m("noise", "line"))
        return cap

    def reps(self):
        return self.meta_get("run", "repetitions")


def fix_dimensions(run, rows, cols, notes):
    """Keep the rows of the most common value of each column in @cols that
    has several (e.g. the object size the most benchmarks ran with); say
    which one was kept. Returns the rows and {col: value kept}."""
    kept = {}
    for c in cols:
        counts = Counter(run.get(r, c) for r in rows)
        if not counts:
            continue
        value = counts.most_common(1)[0][0]
        kept[c] = value
        if len(counts) > 1:
            others = sorted(set(counts) - {value}, key=lambda s: (num(s), s))
            notes.append(f"{c}={value} drawn (the most common); "
                         f"also in the run: {', '.join(others)}")
            rows = [r for r in rows if run.get(r, c) == value]
    return rows, kept


class Cell:
    """One plotted point: the median of a column over the repetitions with
    its min and max, or why there is none (the benchmark failed)."""

    def __init__(self, run, rows, col):
        self.median = self.lo = self.hi = ""
        self.error = ""
        self.duplicates = False
        by_stat = {}
        for r in rows:
            by_stat.setdefault(r["statistic"], []).append(r)
        errors = [run.get(r, "error") for r in rows if run.get(r, "error")]
        med = pbresults.median_rows(rows)
        if med and med[0]["statistic"] == "run":
            by_stat = {"min": med, "max": med}  # one repetition: its own min and max
        self.duplicates = len(med) > 1
        if med and not run.get(med[0], "error"):
            self.median = run.get(med[0], col)
            self.lo = run.get((by_stat.get("min") or med)[0], col) or self.median
            self.hi = run.get((by_stat.get("max") or med)[0], col) or self.median
        elif errors:
            self.error = errors[0]

    @property
    def ok(self):
        return self.median != "" and finite(num(self.median))


def group(rows, key):
    out = {}
    for r in rows:
        out.setdefault(key(r), []).append(r)
    return out


def bytes_text(size):
    """', 64 B objects' for a title; nothing when the run had no such rows."""
    return f", {size} B objects" if size not in ("?", "") else ""


def dat_value(s):
    return s if s != "" else "NaN"


def log_range(values):
    """(use a log axis, low, high): log when the values span 20x or more."""
    vals = [v for v in values if finite(v)]
    if not vals:
        return 0, 1, 10
    lo, hi = min(vals), max(vals)
    if lo > 0 and hi / lo >= 20:
        return 1, 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi * 1.5))
    return 0, 0, hi * 1.15 if hi > 0 else 1


class Figure:
    def __init__(self, run, name):
        self.run = run
        self.name = name
        self.dat = []
        self.vars = {}
        self.notes = []  # said in the figure and on the console
        self.failed = {}  # error -> the points it left out (a note each)
        self.console = []  # on the console only (the figure says it in its body)
        self.missing = ""
        self.source = ""  # the file the data came from, if not the folder's results.csv

    def left_out(self, what, error):
        self.failed.setdefault(error, []).append(what)

    def write(self, dat_path, vars_path):
        with open(dat_path, "w", encoding="utf-8") as f:
            f.write("\n".join(self.dat) + "\n")
        v = dict(self.vars)
        v["caption"] = wrap(self.run.caption())
        v["caption_lines"] = v["caption"].count("\n") + 1
        v["missing"] = wrap(self.missing)
        self.notes += [f"not drawn: {', '.join(what)}: {error}"
                       for error, what in self.failed.items()]
        note = [wrap(n) for n in self.notes]
        v["note"] = "\n".join(note)
        v["note_lines"] = sum(n.count("\n") + 1 for n in note)
        with open(vars_path, "w", encoding="utf-8") as f:
            source = self.source or os.path.basename(self.run.csv_path)
            f.write(f"# {self.name}: written by plotdata.py from the folder's {source}\n")
            for k, val in v.items():
                f.write(gp_assign(k, val) + "\n")
        for n in self.console + self.notes:
            print(n)


def gp_str(s):
    s = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def gp_scalar(x):
    if isinstance(x, str):
        return gp_str(x)
    if isinstance(x, float):
        return repr(x) if finite(x) else "NaN"
    return str(int(x))


def gp_assign(name, val):
    if isinstance(val, list):
        items = val or [0]  # gnuplot has no empty arrays; the count says 0
        return f"array {name}[{len(items)}] = [{', '.join(gp_scalar(x) for x in items)}]"
    return f"{name} = {gp_scalar(val)}"


def header_comment(fig, lines):
    fig.dat += [f"# {fig.name}: from the folder's {os.path.basename(fig.run.csv_path)}"] + [f"# {l}" for l in lines]


def variant_order(run, keys):
    return sorted(keys, key=run.style)


# Figure 1: ns per pair at 1 thread, fastpath-reuse and ring-cleanup n=256.
PAIR_SERIES = (("fastpath-reuse", "exclusive"), ("fastpath-reuse", "rseq"),
               ("fastpath-reuse", "shared"), ("ring-cleanup", "exclusive"),
               ("ring-cleanup", "rseq"), ("ring-cleanup", "shared"))


def pairs_rows(run, fig, mode=None):
    rows = [r for r in run.rows if r["workload"] in ("fastpath-reuse", "ring-cleanup")]
    run.need(fig, ["n"], [r for r in rows if r["workload"] == "ring-cleanup"],
             "ring-cleanup")
    return [r for r in rows if num(r["threads"]) == 1 and
            (mode is None or r["mode"] == mode) and
            (r["workload"] == "fastpath-reuse" or num(run.get(r, "n")) == 256)]


def fig_pairs(run):
    fig = Figure(run, "fig1-pairs")
    rows = pairs_rows(run, fig.name)
    run.need(fig.name, ["ns_per_op"], rows, "fastpath-reuse and ring-cleanup")
    rows, kept = fix_dimensions(run, rows, ["obj_size", "align", "touch", "placement"], fig.notes)
    size = kept.get("obj_size", "?")
    fig.vars["title"] = (f"Cost of one alloc+free pair: 1 thread{bytes_text(size)} "
                         f"(median, min-max whiskers over {run.reps()} repetitions)")
    header_comment(fig, [
            f"threads=1, obj_size={size}, statistic median/min/max of ns_per_op "
            "(ns per alloc+free pair); NaN: no such benchmark, or it failed",
            "variant\t" + "\t".join(f"{w}:{m}:{s}" for w, m in PAIR_SERIES
                                      for s in ("median", "min", "max"))])
    if not rows:
        fig.missing = ("this run has no 1-thread fastpath-reuse or ring-cleanup (n=256) rows")
        fig.console.append(fig.missing)
        fig.vars.update(logy=0, ylo=0, yhi=1, series=[], **tick_labels(run, []))
        return fig
    points = group(rows, lambda r: (run.variant(r), r["workload"], r["mode"]))
    variants = variant_order(run, {k[0] for k in points})
    values, drawn = [], set()
    for v in variants:
        line = [gp_str(run.label[v])]
        for w, m in PAIR_SERIES:
            c = Cell(run, points.get((v, w, m), []), "ns_per_op")
            if c.duplicates:
                fig.notes.append(f"{run.label[v]} {w} {m}: several medians, the first drawn")
            if c.error:
                fig.left_out(f"{run.label[v]} {w} {m}", c.error)
            if not c.ok:
                c.median = c.lo = c.hi = ""
            else:
                drawn.add((w, m))
            line += [dat_value(c.median), dat_value(c.lo), dat_value(c.hi)]
            values += [num(c.lo), num(c.hi)]
        fig.dat.append("\t".join(line))
    fig.vars["logy"], fig.vars["ylo"], fig.vars["yhi"] = log_range(values)
    # The bar series that have a value somewhere (1-6, PAIR_SERIES order).
    fig.vars["series"] = [i + 1 for i, s in enumerate(PAIR_SERIES) if s in drawn]
    fig.vars.update(tick_labels(run, variants))
    if not drawn:
        fig.missing = ("no 1-thread fastpath-reuse or ring-cleanup (n=256) benchmark of "
                       "this run has a value (every one failed)")
        fig.console.append(fig.missing)
    return fig


def tick_labels(run, variants):
    """The variants' names under bars: `tics` on several lines (backend,
    then each option that tells it apart), `labels` on one line (for slanted
    labels), and their sizes, so the script can choose and make room."""
    tics = [run.tic[v].replace(" ", "\n") if "\n" in run.tic[v] else run.tic[v]
            for v in variants]
    labels = [run.label[v] for v in variants]
    return dict(nvar=len(variants), tics=tics, labels=labels,
                tic_lines=max([t.count("\n") + 1 for t in tics] or [1]),
                tic_chars=max([len(l) for t in tics for l in t.split("\n")] or [1]),
                label_chars=max([len(l) for l in labels] or [1]))


def key_vars(run, variants):
    """The key of a line figure: one entry per variant, in the run's order."""
    variants = variant_order(run, set(variants))
    return dict(nkey=len(variants), ktitles=[run.label[v] for v in variants],
                kstyles=[run.style(v) for v in variants])


def write_series(fig, blocks):
    """Data blocks, one per series, separated by two blank lines (gnuplot's
    `index`); each preceded by a comment naming its series."""
    for name, points in blocks:
        fig.dat.append(f"# {name}")
        for x, cell_values in points:
            fig.dat.append("\t".join([x] + [dat_value(v) for v in cell_values]))
        fig.dat += ["", ""]


# Figure 2: ring-cleanup ns per pair against n.
def fig_ring_n(run):
    fig = Figure(run, "fig2-ring-n")
    rows = [r for r in run.rows if r["workload"] == "ring-cleanup"]
    run.need(fig.name, ["n", "ns_per_op"], rows, "ring-cleanup")
    rows = [r for r in rows if num(r["threads"]) == 1 and r["mode"] == "exclusive"]
    rows, kept = fix_dimensions(run, rows, ["obj_size", "align", "touch", "placement"], fig.notes)
    size = kept.get("obj_size", "?")
    fig.vars["title"] = (f"ring-cleanup: allocate N objects, then free all N "
                         f"(1 thread, exclusive{bytes_text(size)}; median, min-max over "
                         f"{run.reps()} repetitions)")
    header_comment(fig, [
            f"workload=ring-cleanup, threads=1, mode=exclusive, obj_size={size}; "
            "one block per backend variant",
            "n\tns_per_op median\tmin\tmax"])
    fig.vars.update(nser=0, logy=0, ylo=0, yhi=1, styles=[], xs=[], **key_vars(run, []))
    if not rows:
        fig.missing = "this run has no 1-thread ring-cleanup rows in exclusive mode"
        fig.console.append(fig.missing)
        return fig
    points = group(rows, lambda r: (run.variant(r), run.int_of(r, "n")))
    blocks, styles, values, drawn = [], [], [], []
    for v in variant_order(run, {k[0] for k in points}):
        series = []
        for n in sorted(k[1] for k in points if k[0] == v):
            c = Cell(run, points[(v, n)], "ns_per_op")
            if c.ok:
                series.append((str(n), [c.median, c.lo, c.hi]))
                values += [num(c.lo), num(c.hi)]
            elif c.error:
                fig.left_out(f"{run.label[v]} n={n}", c.error)
        if series:
            blocks.append((run.label[v], series))
            styles.append(run.style(v))
            drawn.append(v)
    write_series(fig, blocks)
    fig.vars["logy"], fig.vars["ylo"], fig.vars["yhi"] = log_range(values)
    fig.vars.update(nser=len(blocks), styles=styles, xs=sorted({run.int_of(r, "n") for r in rows}),
                    **key_vars(run, drawn))
    return fig


# Figure 3: scaling, Mops/s against threads, a panel per pattern.
def fig_scaling(run):
    fig = Figure(run, "fig3-scaling")
    rows = [r for r in run.rows if r["workload"] == "scaling"]
    run.need(fig.name, ["pattern", "n", "ops_per_sec"], rows, "scaling")
    rows = [r for r in rows if r["mode"] == "exclusive"]
    rows, kept = fix_dimensions(run, rows, ["obj_size", "align", "touch", "placement", "n"],
                                fig.notes)
    size, n = kept.get("obj_size", "?"), kept.get("n", "?")
    fig.vars["title"] = (f"Scaling: alloc+free pairs per second, all threads together "
                         f"(exclusive{bytes_text(size)}; median of {run.reps()} repetitions)")
    header_comment(fig, [
            f"workload=scaling, mode=exclusive, obj_size={size}, n={n}; one block per "
            "pattern and backend variant; ops_per_sec is pairs/s (the figure shows Mops/s)",
            "threads\tops_per_sec median\tmin\tmax"])
    patterns = ["reuse", "ring"] + sorted({r["pattern"] for r in rows} - {"reuse", "ring"})
    fig.vars["panels"] = [f"pattern={p}: " + ("alloc one, free it at once (fastpath-reuse)"
                                              if p == "reuse" else
                                              f"alloc {n}, then free {n} (ring-cleanup)" if p == "ring"
                                              else p) for p in patterns]
    blocks, styles, first, count, empty, values, drawn = [], [], [], [], [], [], set()
    for p in patterns:
        prow = [r for r in rows if r["pattern"] == p]
        first.append(len(blocks) + 1)
        points = group(prow, lambda r: (run.variant(r), run.int_of(r, "threads")))
        for v in variant_order(run, {k[0] for k in points}):
            series = []
            for t in sorted(k[1] for k in points if k[0] == v):
                c = Cell(run, points[(v, t)], "ops_per_sec")
                if c.ok:
                    series.append((str(t), [c.median, c.lo, c.hi]))
                    values += [num(c.lo) / 1e6, num(c.hi) / 1e6]
                elif c.error:
                    fig.left_out(f"{run.label[v]} pattern={p} threads={t}", c.error)
            if series:
                blocks.append((f"pattern={p} {run.label[v]}", series))
                styles.append(run.style(v))
                drawn.add(v)
        count.append(len(blocks) + 1 - first[-1])
        empty.append("" if count[-1] else f"this run has no scaling rows with pattern={p}")
        if rows and not count[-1]:
            fig.console.append(empty[-1])
    write_series(fig, blocks)
    threads = sorted({run.int_of(r, "threads") for r in rows})
    fig.vars["logy"], fig.vars["ylo"], fig.vars["yhi"] = log_range(values)
    fig.vars.update(nser=len(blocks), styles=styles, first=first, count=count, empty=empty,
                    threads=threads, logx=1 if threads and max(threads) >= 16 else 0,
                    **key_vars(run, drawn))
    if not rows:
        fig.missing = "this run has no scaling rows in exclusive mode"
        fig.console.append(fig.missing)
    return fig


# Figure 4: million, alloc_ms and free_ms against obj_size, a panel per order.
def million_backend(b):
    return b in ("percpu-areamap", "percpu-bitmap", "malloc") or b.startswith("malloc:")


def fig_million(run):
    fig = Figure(run, "fig4-million")
    rows = [r for r in run.rows if r["workload"] == "million"]
    run.need(fig.name, ["count", "order", "fill", "alloc_ms", "free_ms"], rows, "million")
    all_million = rows
    rows = [r for r in rows if r["mode"] == "exclusive" and million_backend(r["backend"])]
    prefilled = sorted({r["fill"] for r in rows} - {"none"})
    if prefilled:
        fig.notes.append(f"rows with fill={', '.join(prefilled)} are not in this figure")
    rows = [r for r in rows if r["fill"] == "none"]
    rows, kept = fix_dimensions(run, rows, ["count", "align", "touch", "placement", "limit_s"],
                                fig.notes)
    count, align = kept.get("count", "?"), kept.get("align", "?")
    align_text = "" if align in ("0", "", "?") else f", aligned to {align} B"
    fig.vars["title"] = (f"million: allocate {count if count != '?' else 'count'} objects, "
                         "then free them all "
                         f"(1 thread, exclusive, no pre-fill{align_text}; median of "
                         f"{run.reps()} repetitions)")
    header_comment(fig, [
            f"workload=million, mode=exclusive, fill=none, count={count}, align={align}; "
            "blocks 1..nser: one per order and backend variant; after them one block per "
            "order and variant that did not finish (DNF: obj_size and the error)",
            "obj_size\talloc_ms median\tfree_ms median\talloc_ms min\talloc_ms max\t"
            "free_ms min\tfree_ms max"])
    orders = [o for o in ORDERS if any(r["order"] == o for r in rows)]
    orders += sorted({r["order"] for r in rows} - set(orders))
    orders = orders or list(ORDERS)
    blocks, styles, first, count_, empty = [], [], [], [], []
    dnf, dnf_first, dnf_count, dnf_styles = [], [], [], []
    alloc_vals, free_vals, drawn = [], [], set()
    for o in orders:
        orow = [r for r in rows if r["order"] == o]
        first.append(len(blocks) + 1)
        dnf_first.append(len(dnf) + 1)
        points = group(orow, lambda r: (run.variant(r), run.int_of(r, "obj_size")))
        for v in variant_order(run, {k[0] for k in points}):
            series, failed = [], []
            for s in sorted(k[1] for k in points if k[0] == v):
                a = Cell(run, points[(v, s)], "alloc_ms")
                f = Cell(run, points[(v, s)], "free_ms")
                if a.ok and f.ok:
                    series.append((str(s), [a.median, f.median, a.lo, a.hi, f.lo, f.hi]))
                    alloc_vals += [num(a.lo), num(a.hi)]
                    free_vals += [num(f.lo), num(f.hi)]
                elif a.error or f.error:
                    failed.append((str(s), a.error or f.error))
                    fig.left_out(f"{run.label[v]} {o} {s} B (DNF)", a.error or f.error)
            if series:
                blocks.append((f"order={o} {run.label[v]}", series))
                styles.append(run.style(v))
                drawn.add(v)
            if failed:
                dnf.append((f"order={o} {run.label[v]}: did not finish", failed))
                dnf_styles.append(run.style(v))
                drawn.add(v)
        count_.append(len(blocks) + 1 - first[-1])
        dnf_count.append(len(dnf) + 1 - dnf_first[-1])
        empty.append("" if count_[-1] or dnf_count[-1] else f"no {o} rows in this run")
    write_series(fig, blocks)
    for name, failed in dnf:
        fig.dat.append(f"# {name}")
        fig.dat += [f"{s}\t{gp_str(e)}" for s, e in failed]
        fig.dat += ["", ""]
    for row, vals in (("alloc", alloc_vals), ("free", free_vals)):
        fins = [x for x in vals if finite(x) and x > 0] or [1.0]
        lo = 10 ** math.floor(math.log10(min(fins)))
        hi = 10 ** math.ceil(math.log10(max(fins) * 2.5))
        fig.vars[f"{row}_lo"], fig.vars[f"{row}_hi"] = float(lo), float(hi)
    sizes = sorted({run.int_of(r, "obj_size") for r in rows})
    fig.vars.update(nser=len(blocks), styles=styles, first=first, count=count_, empty=empty,
                    orders=orders, sizes=sizes, dnf_first=dnf_first,
                    dnf_count=dnf_count, dnf_styles=dnf_styles, **key_vars(run, drawn))
    if not all_million:
        fig.missing = "this run has no million rows (it did not run the million workload)"
    elif not rows:
        fig.missing = ("this run has no million rows for percpu-areamap, percpu-bitmap or "
                       "malloc in exclusive mode without pre-fill")
    if fig.missing:
        fig.console.append(fig.missing)
    return fig


# Figure 5: counters per pair at 1 thread, hardware or what the run had.
HW_METRICS = (("cycles_per_op", "cycles", "cycles per pair", 1),
              ("instructions_per_op", "instructions", "instructions per pair", 1),
              ("cache_misses_per_op", "cache_misses", "cache misses per pair", 1),
              ("branch_misses_per_op", "branch_misses", "branch misses per pair", 1))
SW_METRICS = (("task_clock_ns_per_op", "task_clock_ns", "CPU time (task clock), ns per pair", 1),
              ("context_switches_per_op", "context_switches",
               "context switches per 1000 pairs", 1000))


def hw_unavailable_reason(run):
    why = run.meta_get("counters", "why_this_group", default="")
    if why:
        return str(why)
    reasons = []
    for u in run.meta_get("counters", "unavailable", default=[]) or []:
        if isinstance(u, dict) and u.get("reason") and u["reason"] not in reasons:
            reasons.append(str(u["reason"]))
    return "; ".join(reasons) or "the run used the counter group " + \
            str(run.meta_get("counters", "group"))


def metric_reason(run, name):
    for u in run.meta_get("counters", "unavailable", default=[]) or []:
        if isinstance(u, dict) and u.get("name") == name:
            return str(u.get("reason", "no reason recorded"))
    return "no values in results.csv"


def fig_counters(run):
    fig = Figure(run, "fig5-counters")
    rows = pairs_rows(run, fig.name, mode="exclusive")
    run.need(fig.name, ["counter_group"], rows, "fastpath-reuse and ring-cleanup")
    rows, kept = fix_dimensions(run, rows, ["obj_size", "align", "touch", "placement"], fig.notes)
    size = kept.get("obj_size", "?")
    host = run.meta_get("machine", "host")
    med = [r for r in rows if r["statistic"] in ("median", "run")]
    groups = Counter(run.get(r, "counter_group") for r in med)
    group_ = groups.most_common(1)[0][0] if groups else str(run.meta_get("counters", "group"))
    metrics = HW_METRICS if group_ == "hardware" else SW_METRICS if group_ == "software" else ()
    run.need(fig.name, [m[0] for m in metrics], rows, f"{group_}-counter")
    if len(groups) > 1:
        fig.notes.append(f"counter groups in these rows: {dict(groups)}; {group_} drawn")
    rows = [r for r in rows if run.get(r, "counter_group") == group_]
    what = {"hardware": "Hardware counters", "software": "Software counters"}.get(
            group_, "perf_event counters")
    fig.vars["title"] = (f"{what} per alloc+free pair: 1 thread, exclusive{bytes_text(size)} "
                         f"(median of {run.reps()} repetitions)")
    message = ""
    if group_ != "hardware":
        message = f"Hardware counters were unavailable on {host}: {hw_unavailable_reason(run)}"
        message += ("." if group_ != "software" else
                    ". The software counters the run had instead:")
    fig.vars["message"] = wrap(message)
    fig.vars["message_lines"] = wrap(message).count("\n") + 1 if message else 0
    cols = [f"{m[0]}:{w}" for m in metrics for w in ("fastpath-reuse", "ring-cleanup")]
    header_comment(fig, [
            f"threads=1, mode=exclusive, obj_size={size}, ring-cleanup n=256, "
            f"counter_group={group_}; medians; NaN: unavailable or failed",
            "variant\t" + "\t".join(cols)])
    # Per counter (panel): its label, scale, the message when it has no
    # value, its axis, and the first and last workload (1 fastpath-reuse,
    # 2 ring-cleanup) that has values.
    k = len(metrics)
    fig.vars.update(nmetric=k, mlabels=[m[2] for m in metrics], mscale=[m[3] for m in metrics],
                    mempty=[""] * k, mlogy=[0] * k, mlo=[0.0] * k, mhi=[1.0] * k,
                    mw_first=[1] * k, mw_last=[2] * k, **tick_labels(run, []))
    if not rows:
        fig.missing = "this run has no 1-thread fastpath-reuse or ring-cleanup (n=256) rows"
        fig.console.append(fig.missing)
        return fig
    if message:
        fig.console.append(message.replace(" The software counters the run had instead:",
                                           " The figure shows the software counters instead."))
    if not metrics:
        fig.missing = message + " No software counters either (counter group: " + group_ + ")."
        fig.vars["message"], fig.vars["message_lines"] = "", 0
        return fig
    points = group(rows, lambda r: (run.variant(r), r["workload"]))
    variants = variant_order(run, {k[0] for k in points})
    workloads = ("fastpath-reuse", "ring-cleanup")
    values = {(m[0], w): [] for m in metrics for w in workloads}
    for v in variants:
        line = [gp_str(run.label[v])]
        for m in metrics:
            for w in workloads:
                c = Cell(run, points.get((v, w), []), m[0])
                if c.error and m is metrics[0]:
                    fig.left_out(f"{run.label[v]} {w}", c.error)
                line.append(dat_value(c.median if c.ok else ""))
                values[(m[0], w)].append(num(c.median) * m[3] if c.ok else math.nan)
        fig.dat.append("\t".join(line))
    for i, m in enumerate(metrics):
        has = [j + 1 for j, w in enumerate(workloads)
               if any(finite(x) for x in values[(m[0], w)])]
        if not has:
            fig.vars["mempty"][i] = wrap(f"{m[1]} unavailable: {metric_reason(run, m[1])}")
            fig.console.append(fig.vars["mempty"][i])
            continue
        r = log_range(values[(m[0], workloads[0])] + values[(m[0], workloads[1])])
        fig.vars["mlogy"][i], fig.vars["mlo"][i], fig.vars["mhi"][i] = r[0], float(r[1]), float(r[2])
        fig.vars["mw_first"][i], fig.vars["mw_last"][i] = has[0], has[-1]
    fig.vars.update(tick_labels(run, variants))
    return fig


# The N sweep of make run-qmempool (fig-nsweep.sh, fig-nsweep.gp).
def nsweep_data(run):
    """Return the N sweep figure's data file: one block per backend and
    mode (their first row's order), a quoted name, then per n (ascending)
    n and the median, min and max ns_per_op as written in the CSV, blocks
    ended by two blank lines; 1-thread ring-cleanup rows that did not fail,
    the null backend left out. Empty when the run has no such rows."""
    ns, v = {}, {}
    for r in run.rows:
        if r["workload"] != "ring-cleanup" or num(r["threads"]) != 1 or run.get(r, "error") \
                or r["backend"] == "null" or r["statistic"] not in ("median", "min", "max"):
            continue
        name = f"{r['backend']} {r['mode']}"
        n = run.get(r, "n")
        if n not in ns.setdefault(name, []):
            ns[name].append(n)
        v[name, n, r["statistic"]] = run.get(r, "ns_per_op")
    out = []
    for name, sizes in ns.items():
        out.append(f'"{name}"\n')
        for n in sorted(sizes, key=lambda x: num(x) if finite(num(x)) else 0):
            x = num(n)
            out.append("\t".join([str(int(x) if finite(x) else 0)] +
                                  [v.get((name, n, st), "") for st in ("median", "min", "max")]) + "\n")
        out.append("\n\n")
    return "".join(out)


# The protection cost against oversubscription (make run-oversub,
# fig-oversub.sh, fig-oversub.gp).
def oversub_data(run):
    """Return the oversubscription figure's data file: one block per
    backend variant and mode (their first row's order), a quoted name, then
    per thread count (ascending) the threads per PU (threads / the run's
    allowed PUs), the median, min and max ops_per_sec in millions, and the
    median rseq_aborts_per_op and cpu_changes_per_op (empty outside rseq
    mode), blocks ended by two blank lines; scaling rows with pattern=reuse
    that did not fail, the null backend left out. Empty when the run has
    none."""
    pus = num(str((run.meta.get("machine") or {}).get("allowed_pus", "")))
    if not finite(pus) or pus < 1:
        raise Fail(f"{run.meta_path}: machine.allowed_pus is missing: threads per PU "
                   "cannot be told")
    names, threads, v = [], {}, {}
    for r in run.rows:
        if r["workload"] != "scaling" or run.get(r, "pattern") != "reuse" \
                or run.get(r, "error") or r["backend"] == "null" \
                or r["statistic"] not in ("median", "min", "max"):
            continue
        name = f"{run.label[run.variant(r)]} {r['mode']}"
        if name not in names:
            names.append(name)
        t = num(r["threads"])
        if t not in threads.setdefault(name, []):
            threads[name].append(t)
        v[name, t, r["statistic"]] = r
    out = []
    for name in names:
        out.append(f'"{name}"\n')
        for t in sorted(x for x in threads[name] if finite(x)):
            cells = [f"{t / pus:g}"]
            for st in ("median", "min", "max"):
                ops = num(run.get(v[name, t, st], "ops_per_sec")) if (name, t, st) in v else math.nan
                cells.append(f"{ops / 1e6:.6g}" if finite(ops) else "")
            med = v.get((name, t, "median"))
            for col in ("rseq_aborts_per_op", "cpu_changes_per_op"):
                cells.append(run.get(med, col) if med is not None else "")
            out.append("\t".join(cells) + "\n")
        out.append("\n\n")
    return "".join(out)


# Figure 6: each seed design beside its userspace peer (pbresults.PEER_PAIRS).
def fig_peers(run):
    fig = Figure(run, "fig6-peers")
    data = pbresults.PeerData(run.rows)
    sels = [s for s in pbresults.peer_selectors() if data.has(s)]
    series = [(wl, title, t) for wl, _, title in pbresults.PEER_WORKLOADS
              for t in data.threads]
    kept = ", ".join(f"{k}={v}" for k, v in data.kept.items())
    size = data.kept.get("obj_size", "?")
    tmax = max(data.threads) if data.threads else 1
    fig.vars["title"] = (f"Each design beside its peer: exclusive mode, 1 and {tmax} "
                         f"threads{bytes_text(size)} (median, min-max whiskers)")
    header_comment(fig, [
            f"exclusive mode, {kept or 'no rows'}; statistic median/min/max of ns_per_op "
            "(ns per alloc+free pair); NaN: no such benchmark, or it failed",
            "variant\t" + "\t".join(f"{w}:{t}:{s}" for w, _, t in series
                                      for s in ("median", "min", "max"))])
    sname = [f"{title}, {t} thread{'s' if t > 1 else ''}" for _, title, t in series]
    if not sels:
        fig.missing = ("this run has none of the designs or peers of the comparison "
                       "(qmempool, alf-*, objpool-*, dpdk-*, ck-stack, gslice) in "
                       "exclusive mode")
        fig.console.append(fig.missing)
        fig.vars.update(logy=0, ylo=0, yhi=1, series=[], sname=sname, nthr=1,
                        nvar=0, tics=[], labels=[], tic_lines=1, tic_chars=1,
                        label_chars=1)
        return fig
    values, drawn = [], set()
    labels = [pbresults.selector_label(s) for s in sels]
    for s, label in zip(sels, labels):
        line = [gp_str(label)]
        for k, (wl, title, t) in enumerate(series):
            c = Cell(run, data.rows(s, wl, t), "ns_per_op")
            if c.error:
                fig.left_out(f"{label} {title} {t} thr", c.error)
            if not c.ok:
                c.median = c.lo = c.hi = ""
            else:
                drawn.add(k)
            line += [dat_value(c.median), dat_value(c.lo), dat_value(c.hi)]
            values += [num(c.lo), num(c.hi)]
        fig.dat.append("\t".join(line))
    fig.vars["logy"], fig.vars["ylo"], fig.vars["yhi"] = log_range(values)
    fig.vars["series"] = [k + 1 for k in range(len(series)) if k in drawn]
    fig.vars["sname"] = sname
    fig.vars["nthr"] = len(data.threads)
    tics = [l.replace(" ", "\n") for l in labels]
    fig.vars.update(nvar=len(labels), tics=tics, labels=labels,
                    tic_lines=max(t.count("\n") + 1 for t in tics),
                    tic_chars=max(len(x) for t in tics for x in t.split("\n")),
                    label_chars=max(len(l) for l in labels))
    if not drawn:
        fig.missing = "no benchmark of the comparison has a value in this run (every one failed)"
        fig.console.append(fig.missing)
    return fig


# Figure 7: the latency run's alloc latency as a CCDF (RESULTS_DIR/latency/).
LAT_PANELS = (("fastpath-reuse", 1, "fastpath-reuse, 1 thread"),
              ("ring-cleanup", 1, "ring-cleanup N=256, 1 thread"),
              ("remote-free", 2, "remote-free, 2 threads (allocs: the producer's)"))
LAT_COLUMNS = ("backend", "workload", "mode", "threads", "obj_size", "options", "op",
               "low_ns", "high_ns", "samples")
LAT_FLOOR = 1e-6  # the y axis goes at least down to this fraction


def latency_csv_path(folder):
    """RESULTS_DIR/latency/latency.csv, or its .xz form when only that is there."""
    path = os.path.join(folder, "latency", "latency.csv")
    if not os.path.exists(path) and os.path.exists(path + ".xz"):
        path += ".xz"
    return path


def read_latency(path):
    """latency.csv's rows, each with its bucket parsed: _lo, _hi (floats,
    _hi may be inf) and _samples (int). Fail when it cannot be read."""
    try:
        header, rows = pbresults.read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError) as e:
        raise Fail(f"{path}: cannot be read as CSV: {e}")
    lacking = [c for c in LAT_COLUMNS if c not in header]
    if lacking:
        raise Fail(f"{path}: no {', '.join(lacking)} column (not a poolbench latency.csv?)")
    for i, r in enumerate(rows):
        if None in r or None in r.values():
            raise Fail(f"{path}: data row {i + 1} does not have the header's "
                       f"{len(header)} fields")
        lo, hi, n = num(r["low_ns"]), num(r["high_ns"]), num(r["samples"])
        if not finite(lo) or lo < 0 or math.isnan(hi) or hi <= lo or not finite(n) \
                or n < 0 or n != int(n):
            raise Fail(f"{path}: data row {i + 1} is not a bucket: low_ns={r['low_ns']!r} "
                       f"high_ns={r['high_ns']!r} samples={r['samples']!r}")
        r["_lo"], r["_hi"], r["_samples"] = lo, hi, int(n)
    return header, rows


def ns_text(x):
    """A time in ns for an axis tic: 1 ns, 10 µs, 100 ms, 1 s."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if x >= scale:
            return f"{x / scale:g} {unit}"
    return f"{x:g} ns"


def fraction_text(y):
    """A fraction for the CCDF's y axis, with the percentile it reads as."""
    k = round(-math.log10(y))
    text = f"{y:g}" if k <= 2 else f"1e-{k}"
    if 1 <= k <= 5:
        text += f" (p{100 - y * 100:.{max(0, k - 2)}f})"
    return text


def ccdf_points(buckets):
    """The CCDF of one series from its buckets [(lo, hi, lo text, hi text,
    samples)], sorted: (x text, allocs that took x ns or longer) at each
    bucket's high bound, and at the low bound of a bucket that starts past
    the previous one's end (the CCDF is flat over a gap); none at 0 (the
    [0, 1) ns bucket's samples show only in the point at 1 ns), at inf, or
    where no alloc is left (the last bucket's high bound)."""
    total = sum(b[4] for b in buckets)
    above, prev_hi, pts = total, None, []
    for lo, hi, lo_s, hi_s, samples in buckets:
        if lo > 0 and (prev_hi is None or lo > prev_hi):
            pts.append((lo_s, lo, above))
        above -= samples
        if finite(hi) and above > 0:
            pts.append((hi_s, hi, above))
        prev_hi = hi
    return total, pts


def fig_latency(run):
    fig = Figure(run, "fig7-latency")
    fig.source = "latency/latency.csv"
    path = latency_csv_path(run.folder)
    k = len(LAT_PANELS)
    fig.vars.update(title="Alloc latency: fraction of allocs that took at least x (CCDF)",
                    nser=0, styles=[], pis=[], first=[1] * k, count=[0] * k, empty=[""] * k,
                    panels=[p[2] for p in LAT_PANELS], xlo=1.0, xhi=1e3, ylo=LAT_FLOOR,
                    xt_pos=[], xt_lab=[], yt_pos=[], yt_lab=[], nkey=0, ktitles=[], kstyles=[])
    header_lines = [
        "op=alloc; samples summed over the identical buckets of a point (its repetitions "
        "and threads are already summed by the run; rows that differ only in pus are added)",
        "a point per bucket bound: allocs = the allocs that took ns or longer (at a bucket's "
        "high_ns: the samples of the buckets above it; at the low_ns of a bucket that starts "
        "past the previous one's end: the same count as that end, the CCDF is flat over the "
        "gap; at the first bucket's low_ns: all of them); fraction = allocs / the block's total",
        "log axes: no point at x=0 (the [0,1) ns bucket holds the samples at or below the "
        "probe's cost, counted as 0: they show only as the fraction at x=1 ns, below 1), "
        "none at x=inf and none where the fraction is 0 (past the last bucket)",
        "one block per panel and backend variant: '# <panel> | <variant> | <total> allocs'",
        "ns\tfraction\tallocs"]
    if not os.path.exists(path):
        fig.dat = [f"# {fig.name}: no latency/latency.csv in this folder"]
        fig.missing = ("no latency run in this folder: make run-all makes one in "
                       "<run>/latency/ (poolbench run --latency)")
        fig.console.append(fig.missing)
        return fig
    _, lrows = read_latency(path)
    latdir = os.path.join(run.folder, "latency")
    lat = None
    if os.path.exists(pbresults.csv_path(latdir)) and \
            os.path.exists(os.path.join(latdir, "meta.json")):
        lat = Run(latdir)
        fig.run = lat  # the caption: the latency run's start and repetitions
    else:
        fig.notes.append("latency/ has no results.csv and meta.json: the caption is the "
                         "main run's")
    rows = [r for r in lrows if r["op"] == "alloc"]
    modes = Counter(r["mode"] for r in rows)
    mode = "exclusive" if "exclusive" in modes else (modes.most_common(1)[0][0] if modes else "")
    if len(modes) > 1:
        fig.notes.append(f"mode={mode} drawn; also in the latency run: "
                         f"{', '.join(sorted(set(modes) - {mode}))}")
    rows = [r for r in rows if r["mode"] == mode]
    rows, kept = fix_dimensions(run, rows, ["obj_size", "align", "touch", "placement"],
                                fig.notes)
    size = kept.get("obj_size", "?")
    reps = fig.run.reps()
    probe = fig.run.meta_get("latency", "probe_median_ns", default=None)
    clock = fig.run.meta_get("latency", "clock", default="")
    probe_text = (f" ({probe:.3g} ns, {clock})" if isinstance(probe, (int, float)) else "")
    fig.vars["title"] = (f"Alloc latency: fraction of allocs that took at least x "
                         f"({mode or 'exclusive'} mode{bytes_text(size)}; {reps} repetitions "
                         f"together)")
    header_comment(fig, [f"mode={mode}, " + ", ".join(f"{c}={v}" for c, v in kept.items())]
                   + header_lines)
    fig.dat[0] = f"# {fig.name}: from the folder's {fig.source}"

    # A variant keeps the main run's colour and label where the main run has it.
    lvariants = []
    for r in lrows:
        v = (r["backend"], r.get("options") or "")
        if v not in lvariants:
            lvariants.append(v)
    extra = [v for v in lvariants if v not in run.variants]
    own = lat.label if lat is not None else {}

    def style(v):
        return run.style(v) if v in run.variants else len(run.variants) + extra.index(v)

    def label(v):
        return run.label[v] if v in run.variants else own.get(v) or " ".join(x for x in v if x)

    blocks, styles, pis, first, count, empty = [], [], [], [], [], []
    drawn, fractions, xs, zero_bucket = set(), [], [], False
    for w, t, title in LAT_PANELS:
        prow = [r for r in rows if r["workload"] == w and num(r["threads"]) == t]
        what = f"{w} rows at {t} thread{'s' if t > 1 else ''}"
        if w == "ring-cleanup":
            ns = sorted({run.get(r, "n") for r in prow}, key=lambda s: (num(s), s))
            prow = [r for r in prow if num(run.get(r, "n")) == 256]
            if not prow and ns:
                what = f"ring-cleanup N=256 rows at 1 thread (it has N={', '.join(ns)})"
        elif w == "remote-free":
            notes = []
            prow, _ = fix_dimensions(run, prow, ["n"], notes)
            fig.notes += [f"remote-free: {n}" for n in notes]
        first.append(len(blocks) + 1)
        points = group(prow, lambda r: (r["backend"], r.get("options") or ""))
        for v in sorted(points, key=style):
            buckets = {}
            for r in points[v]:
                b = buckets.setdefault((r["_lo"], r["_hi"]), [r["_lo"], r["_hi"], r["low_ns"],
                                                              r["high_ns"], 0])
                b[4] += r["_samples"]
            total, pts = ccdf_points(sorted(buckets.values(), key=lambda b: (b[0], b[1])))
            zero_bucket |= any(b[0] == 0 and b[4] for b in buckets.values())
            if not pts:
                fig.notes.append(f"{title}: {label(v)} has no alloc of 1 ns or longer "
                                 f"(all {total} read 0): no line")
                continue
            fig.dat.append(f"# {title} | {label(v)} | {total} allocs")
            fig.dat += [f"{x}\t{a / total:.6g}\t{a}" for x, _, a in pts]
            fig.dat += ["", ""]
            blocks.append(v)
            styles.append(style(v))
            pis.append(max(1, len(pts) // 6))
            drawn.add(v)
            fractions += [a / total for _, _, a in pts]
            xs += [x for _, x, _ in pts]
        count.append(len(blocks) + 1 - first[-1])
        # A panel is a third of the figure wide: its message on short lines.
        empty.append("" if count[-1] else
                     "\n".join(textwrap.wrap(f"the latency run has no {what}", 40)))
    if lat is not None:
        for r in lat.rows:
            if r["statistic"] in ("median", "run") and run.get(r, "error") and \
                    r["mode"] == mode and \
                    any(r["workload"] == w and num(r["threads"]) == t for w, t, _ in LAT_PANELS) \
                    and (r["workload"] != "ring-cleanup" or num(run.get(r, "n")) == 256):
                fig.left_out(f"{label(lat.variant(r))} {r['workload']} {r['threads']} thr",
                             run.get(r, "error"))
    if zero_bucket:
        fig.notes.append(f"the probe's own cost{probe_text} is taken off every sample; allocs "
                         "that then read 0 ns cannot sit on a log axis: a line that has them "
                         "starts at 1 ns, at the fraction that took 1 ns or longer")
    elif probe_text:
        fig.notes.append(f"the probe's own cost{probe_text} is taken off every sample")
    if not blocks:
        fig.missing = ("the latency run has no alloc latency for fastpath-reuse (1 thread), "
                       "ring-cleanup N=256 (1 thread) or remote-free (2 threads)")
        fig.console.append(fig.missing)
        return fig
    xlo = 10 ** math.floor(math.log10(min(xs)))
    xhi = 10 ** math.ceil(math.log10(max(xs)))
    xhi = xhi * 10 if xhi <= xlo else xhi
    ylo = min(LAT_FLOOR, 10 ** math.floor(math.log10(min(fractions)) + 1e-9))
    # A tic per decade; a label on at most 8 of them (every second or third
    # decade past 8), so that a panel's labels do not run into each other.
    xt = [10 ** e for e in range(round(math.log10(xlo)), round(math.log10(xhi)) + 1)]
    step = math.ceil(len(xt) / 8)
    yt = [10 ** -e for e in range(0, round(-math.log10(ylo)) + 1)]
    keyv = sorted(drawn, key=style)
    fig.vars.update(nser=len(blocks), styles=styles, pis=pis, first=first, count=count,
                    empty=empty, xlo=float(xlo), xhi=float(xhi), ylo=float(ylo),
                    xt_pos=[float(x) for x in xt],
                    xt_lab=[ns_text(x) if i % step == 0 else "" for i, x in enumerate(xt)],
                    yt_pos=[float(y) for y in yt], yt_lab=[fraction_text(y) for y in yt],
                    nkey=len(keyv), ktitles=[label(v) for v in keyv],
                    kstyles=[style(v) for v in keyv])
    return fig


# Figure 8: resident bytes per live object against live objects.
MEM_COLUMNS = ("rss_base_kib", "rss_live_kib", "live_objs", "bytes_per_live_obj", "cached_objs")


def prefer(run, rows, col, value, notes, what):
    """Keep only the rows whose @col is @value (none when the run has no
    such row), and say in @notes which other values the run has."""
    values = sorted({run.get(r, col) for r in rows} - {value}, key=lambda s: (num(s), s))
    if not any(run.get(r, col) == value for r in rows):
        if rows:
            notes.append(f"{what}: no {col}={value} rows; {col}={', '.join(values)} in the run")
        return [] if rows else rows
    if values:
        notes.append(f"{what}: {col}={value} drawn; also in the run: {', '.join(values)}")
    return [r for r in rows if run.get(r, col) == value]


def fig_memory(run):
    fig = Figure(run, "fig8-memory")
    k = dict(nser=0, nmil=0, styles=[], mil_styles=[], logy=0, ylo=0.0, yhi=1.0, yfloor=0.0,
             xs=[], xlo=1.0, xhi=2.0, mil_title="", **key_vars(run, []))
    fig.vars.update(k)
    fig.vars["title"] = "Resident memory per live object against live objects"
    if "bytes_per_live_obj" not in run.header:
        fig.dat = [f"# {fig.name}: the folder's results.csv has no memory columns"]
        fig.missing = ("this run has no memory columns (live_objs, bytes_per_live_obj): it "
                       "was made by a poolbench from before they were measured")
        fig.console.append(fig.missing)
        return fig
    ring = [r for r in run.rows if r["workload"] == "ring-cleanup"]
    mil = [r for r in run.rows if r["workload"] == "million"]
    run.need(fig.name, ["n"] + list(MEM_COLUMNS), ring, "ring-cleanup")
    run.need(fig.name, ["count", "order", "fill"] + list(MEM_COLUMNS), mil, "million")
    ring = [r for r in ring if num(r["threads"]) == 1 and r["mode"] == "exclusive"]
    any_rows = bool(ring)
    ring = prefer(run, ring, "obj_size", "64", fig.notes, "ring-cleanup")
    ring, kept = fix_dimensions(run, ring, ["align", "touch", "placement"], fig.notes)
    mil = [r for r in mil if r["mode"] == "exclusive"]
    any_rows = any_rows or bool(mil)
    mil = prefer(run, mil, "obj_size", "64", fig.notes, "million")
    mil = prefer(run, mil, "order", "in-order", fig.notes, "million")
    mil = prefer(run, mil, "fill", "none", fig.notes, "million")
    mil, mkept = fix_dimensions(run, mil, ["count", "align", "touch", "placement", "limit_s"],
                                fig.notes)
    fig.vars["title"] = (f"Resident memory per live object against live objects (1 thread, "
                         f"exclusive, 64 B objects; median of {run.reps()} repetitions)")
    header_comment(fig, [
        "mode=exclusive, threads=1, obj_size=64; " +
        ", ".join(f"{c}={v}" for c, v in kept.items()) +
        "; million: order=in-order, fill=none, " +
        ", ".join(f"{c}={v}" for c, v in mkept.items()),
        "blocks 1..nser: ring-cleanup, one per backend variant, a row per n; then one block "
        "per variant of million's one point (n = its count); the null backend (the harness "
        "baseline) is not drawn, its values are in the notes",
        "x = live_objs, y = bytes_per_live_obj = (rss_live_kib - rss_base_kib) * 1024 / "
        "live_objs: medians (median statistic row, or the only run row), min and max over "
        "the repetitions, as written in the CSV",
        "y axis: ?",
        "n\tlive_objs median\tbytes_per_live_obj median\tmin\tmax\trss_base_kib median\t"
        "rss_live_kib median\tcached_objs median"])

    def series(rows, key, what):
        """{variant: [(x key, cells)]} of the points that have a value."""
        out = {}
        for (v, x), prows in sorted(group(rows, lambda r: (run.variant(r), key(r))).items(),
                                    key=lambda kv: (run.style(kv[0][0]), kv[0][1])):
            cells = {c: Cell(run, prows, c) for c in MEM_COLUMNS}
            b, lv = cells["bytes_per_live_obj"], cells["live_objs"]
            if b.ok and lv.ok and num(lv.median) > 0:
                out.setdefault(v, []).append((str(x), cells))
            elif b.error:
                fig.left_out(f"{run.label[v]} {what.format(x)}", b.error)
        return out

    rs = series(ring, lambda r: run.int_of(r, "n"), "ring-cleanup n={}")
    ms = series(mil, lambda r: run.int_of(r, "count"), "million count={}")
    null = [num(c["bytes_per_live_obj"].median) for s in (rs, ms)
            for v, pts in s.items() if v[0] == "null" for _, c in pts]
    if null:
        lo, hi = min(null), max(null)
        fig.notes.append("null (the harness baseline, not drawn): " +
                         (f"{lo:g} B per live object at every point" if lo == hi else
                          f"from {lo:g} to {hi:g} B per live object"))
    rs = {v: p for v, p in rs.items() if v[0] != "null"}
    ms = {v: p for v, p in ms.items() if v[0] != "null"}
    values, xs, nominal = [], [], set()

    def block(name, v, pts):
        fig.dat.append(f"# {name}")
        for x, c in pts:
            fig.dat.append("\t".join([x] + [dat_value(s) for s in (
                c["live_objs"].median, c["bytes_per_live_obj"].median,
                c["bytes_per_live_obj"].lo, c["bytes_per_live_obj"].hi,
                c["rss_base_kib"].median, c["rss_live_kib"].median, c["cached_objs"].median)]))
            b = c["bytes_per_live_obj"]
            values.extend(num(s) for s in (b.median, b.lo, b.hi))
            xs.append(num(c["live_objs"].median))
            nominal.add(int(x))
        fig.dat += ["", ""]

    for v, pts in rs.items():
        block(f"ring-cleanup {run.label[v]}", v, pts)
    for v, pts in ms.items():
        block(f"million {run.label[v]}", v, pts)
    drawn = set(rs) | set(ms)
    if not ring and not mil:
        fig.missing = ("this run has no 1-thread ring-cleanup or million rows in exclusive mode" +
                       (" with 64 B objects (and million's in-order, fill=none)"
                        if any_rows else ""))
    elif not drawn:
        fig.missing = ("no ring-cleanup or million point of this run has a memory reading "
                       "(besides the null baseline's)")
    if fig.missing:
        fig.console.append(fig.missing)
        return fig
    values = [y for y in values if finite(y)]
    pos = [y for y in values if y > 0]
    logy = len(pos) > 0 and max(pos) / min(pos) >= 20
    if logy:
        yfloor = 10 ** (math.floor(math.log10(min(pos))) - 1) if min(values) <= 0 else 0
        ylo = (yfloor or 10 ** math.floor(math.log10(min(pos)))) / 1.6
        yhi = 10 ** math.ceil(math.log10(max(pos) * 1.5))
        if yfloor:
            fig.notes.append("values of 0 or less (no growth of the resident set: the live "
                             "objects fit in pages that were already resident) are drawn on "
                             "the '≤ 0' line at the bottom of the log axis")
    else:
        yfloor = 0
        ylo = min([0.0] + [y * 1.15 for y in values])
        yhi = max(values + [0.0]) * 1.15 or 1.0
    xlo = min(xs + sorted(nominal)[:1]) / 1.5
    xhi = max(xs + sorted(nominal)[-1:]) * 1.5
    # The header's y axis line says what was chosen.
    axis = fig.dat.index("# y axis: ?")
    fig.dat[axis] = (
        "# y axis: log when the positive values span 20x or more, else linear from 0 (values "
        "<= 0 drawn as they are); on a log axis a value <= 0 (the live objects fit in pages "
        "that were already resident at the base reading, or the RSS shrank) is drawn at "
        "yfloor, a line labelled '≤ 0' a decade below the smallest positive value's decade; "
        "the values below are as written in the CSV. Here: " +
        (f"log, yfloor={yfloor:g}" if logy and yfloor else "log, no value <= 0" if logy else
         "linear"))
    fig.vars.update(nser=len(rs), nmil=len(ms), styles=[run.style(v) for v in rs],
                    mil_styles=[run.style(v) for v in ms], logy=int(logy), ylo=float(ylo),
                    yhi=float(yhi), yfloor=float(yfloor), xs=sorted(nominal),
                    xlo=float(xlo), xhi=float(xhi),
                    mil_title=("million (circled)" if ms else ""),
                    **key_vars(run, drawn))
    return fig


# The machine comparison figure: every variant against its own machine's
# malloc, fastpath-reuse, 1 thread, exclusive; a bar series per machine.
MACHINES_MAX = 6


def fig_machines(run):
    fig = Figure(run, "fig9-machines")
    ms = pbresults.machines(run.rows)
    rows = [r for r in run.rows if r["workload"] == "fastpath-reuse"
            and num(r["threads"]) == 1 and r["mode"] == "exclusive"]
    rows, kept = fix_dimensions(run, rows, ["obj_size", "align", "touch", "placement"],
                                fig.notes)
    if len(ms) > MACHINES_MAX:
        fig.notes.append(f"{len(ms)} machines: the first {MACHINES_MAX} drawn")
        ms = ms[:MACHINES_MAX]
    cpus = [(pbresults.nodes_machine(run.meta, m) or {}).get("cpu_model", "") for m in ms]
    fig.vars["title"] = ("Each backend over its own machine's malloc: fastpath-reuse, 1 "
                         f"thread, exclusive{bytes_text(kept.get('obj_size', '?'))} "
                         "(median of paired ratios, exact interval)")
    header_comment(fig, [
        "ns_per_op over malloc's at the same point on the same machine: the median of "
        "the ratios of paired repetitions, its exact interval (lo, hi); NaN: no ratio",
        "variant\t" + "\t".join(f"{m}:{c}" for m in ms for c in ("ratio", "lo", "hi"))])
    by = group(rows, lambda r: (r.get("machine") or "", run.variant(r)))
    variants = variant_order(run, {v for _, v in by if v[0] != "malloc"})
    values, drawn = [], set()
    for v in variants:
        line = [gp_str(run.label[v])]
        for m in ms:
            den = [r for r in rows if (r.get("machine") or "") == m and r["backend"] == "malloc"
                   and not run.get(r, "options")]
            q = pbresults.paired_ratio(by.get((m, v), []), den, "ns_per_op")
            if q.ratio is None:
                fig.left_out(f"{run.label[v]} on {m}", q.reason)
                line += ["NaN"] * 3
                continue
            drawn.add(m)
            line += [f"{q.ratio:.6g}", f"{q.lo:.6g}", f"{q.hi:.6g}"]
            values += [q.lo, q.hi]
        fig.dat.append("\t".join(line))
    logy, ylo, yhi = log_range(values + [1.0])
    if not logy:
        ylo = 0
    fig.vars.update(logy=logy, ylo=float(ylo), yhi=float(yhi), nmach=len(ms),
                    mnames=[f"{m} ({c})" if c else m for m, c in zip(ms, cpus)],
                    **tick_labels(run, variants))
    if len(ms) < 2:
        fig.missing = ("this run ran on one machine: a machine comparison runs the plan on "
                       "several Slurm partitions (--partitions a,b, docs/cluster.md)")
    elif not drawn:
        fig.missing = ("no variant has a ratio to malloc at fastpath-reuse, 1 thread, "
                       "exclusive on any machine (no such rows, or no malloc there)")
    if fig.missing:
        fig.console.append(fig.missing)
    return fig


FIGURES = {"pairs": fig_pairs, "ring-n": fig_ring_n, "scaling": fig_scaling,
           "million": fig_million, "counters": fig_counters, "peers": fig_peers,
           "latency": fig_latency, "memory": fig_memory}
USAGE = (f"usage: {PROG} check RESULTS_DIR\n"
         f"       {PROG} machines RESULTS_DIR\n"
         f"       {PROG} machines-fig RESULTS_DIR DAT VARS\n"
         f"       {PROG} {{{','.join(FIGURES)}}} RESULTS_DIR DAT VARS\n"
         f"       {PROG} nsweep RESULTS_DIR DAT\n"
         f"       {PROG} oversub RESULTS_DIR DAT")


def main(argv):
    if len(argv) == 2 and argv[0] == "check":
        try:
            run = Run(argv[1])
            for f in FIGURES.values():
                f(run)
        except Fail as e:
            print(f"{PROG}: {e}", file=sys.stderr)
            return 1
        return 0
    if len(argv) == 2 and argv[0] == "machines":
        path = pbresults.csv_path(argv[1])
        try:
            _, rows = pbresults.read_csv(path, all_machines=True)
        except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError) as e:
            print(f"{PROG}: {path}: cannot be read as CSV: {e}", file=sys.stderr)
            return 1
        for m in pbresults.machines(rows):
            print(m)
        return 0
    if len(argv) == 4 and argv[0] == "machines-fig":
        try:
            fig_machines(Run(argv[1], all_machines=True)).write(argv[2], argv[3])
        except (Fail, OSError) as e:
            print(f"{PROG}: {e}", file=sys.stderr)
            return 1
        return 0
    if len(argv) == 3 and argv[0] in ("nsweep", "oversub"):
        try:
            text = (nsweep_data if argv[0] == "nsweep" else oversub_data)(Run(argv[1]))
            with open(argv[2], "w", encoding="utf-8") as f:
                f.write(text)
        except (Fail, OSError) as e:
            print(f"{PROG}: {e}", file=sys.stderr)
            return 1
        return 0
    if len(argv) != 4 or argv[0] not in FIGURES:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        FIGURES[argv[0]](Run(argv[1])).write(argv[2], argv[3])
    except Fail as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
