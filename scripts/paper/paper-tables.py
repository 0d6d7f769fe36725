#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# paper-tables.py RESULTS_DIR OUTDIR - the paper's tables and method macros,
# generated from one stored results folder: LaTeX fragments (booktabs) in
# OUTDIR, each read from RESULTS_DIR/results.csv (medians over repetitions)
# and RESULTS_DIR/meta.json, nothing typed by hand except the seeds' own
# published figures, which come from paper/seed-claims.csv (each row names
# the seed line it was taken from).
#
#   tab-qmempool.tex  seed 000 beside ours (fastpath-reuse, ring-cleanup n=256)
#   tab-percpu.tex    seed 003 beside ours (million workload, area map vs bitmap)
#   tab-backends.tex  every backend variant, ns per pair at 1 thread
#   tab-scaling.tex   scaling efficiency at the largest thread count
#   tab-peers.tex     each seed design beside its userspace peer (DPDK, ck,
#                     GLib): ns per pair and the ratio, in the same run
#   meta.tex          \newcommand macros describing the run (method section)
#
# A point whose run failed prints "failed" (or "DNF" for a round that did
# not finish within its limit) with a note giving the reason, never a
# number. A table with no data in this run is still written, with one row
# saying so (and a note on stderr). Exit status 2 with a message for bad
# arguments, a missing results.csv/meta.json or a column a table needs.

import csv
import lzma
import math
import os
import sys
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402
from pbresults import Point, to_float  # noqa: E402

PROG = "paper-tables.py"

# The columns that identify one benchmark point (all that are in the file).
KEY_COLUMNS = ["backend", "workload", "mode", "threads", "placement", "obj_size",
               "align", "n", "touch", "count", "order", "fill", "limit_s",
               "per_cpu", "pattern", "options"]
CORE_COLUMNS = ["backend", "workload", "mode", "threads", "options", "statistic",
                "ns_per_op", "error"]
# Columns a table reads beyond the core ones, checked only when the run has
# the table's workload (an older run without `million` still builds).
TABLE_COLUMNS = {
    "million": ["obj_size", "count", "order", "fill", "align", "alloc_ms", "free_ms"],
    "scaling": ["pattern", "ops_per_sec", "efficiency"],
    "ring-cleanup": ["n"],
}

ORDERS = ["in-order", "alternating", "reverse"]
# The qmempool parameters (localq/sharedq/prealloc) behind the seed's two
# figures, from Brouer's benchmark module (REFERENCE §1, docs/designs.md):
# a configuration with them is marked as the seed's.
SEED_QMEMPOOL_PARAMS = {"fastpath-reuse": "32/128/16", "ring-cleanup-n256": "32/256/0"}
MODES = ["exclusive", "shared"]


def die(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(2)


def note(msg):
    print(f"{PROG}: note: {msg}", file=sys.stderr)


# ---------------------------------------------------------------- LaTeX text

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
    "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "~": r"\textasciitilde{}",
    "%": r"\%", "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def tex(s):
    """Escape a string for LaTeX text mode; characters outside ASCII are
    reduced to their base letter (or '?') so no input can stop the build."""
    s = unicodedata.normalize("NFKD", str(s))
    out = []
    for i, ch in enumerate(s):
        if ch == "-" and s[i + 1:i + 2] == "-":
            out.append("-{}")  # no en/em-dash ligature: "--out" stays two hyphens
        elif ch in _TEX_ESCAPES:
            out.append(_TEX_ESCAPES[ch])
        elif ord(ch) < 32:
            out.append(" ")
        elif ord(ch) < 128:
            out.append(ch)
        elif unicodedata.combining(ch):
            continue
        else:
            out.append("?")
    return "".join(out)


def tex_path(s):
    """tex() plus break points after '/', ';', ',', '=' and '_' for long names."""
    t = tex(s)
    for sep in ("/", ";", ",", "=", "\\_"):
        t = t.replace(sep, sep + r"\allowbreak{}")
    return t


# ---------------------------------------------------------------- numbers

def sig3(v):
    """Three significant figures, never an exponent; 100 and above whole."""
    if v is None or isinstance(v, float) and not math.isfinite(v):
        return "--"
    if v == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    return f"{v:.{digits}f}"


def fmt_ratio(v):
    return "--" if v is None else f"{v:.2f}"


def fmt_times(v):
    return "--" if v is None else f"{v:.2f}$\\times$"


def fmt_paired(r, times=False, scale=None):
    """A pbresults.Ratio as a cell: `2.31 [2.20, 2.45]` (the median of the
    paired ratios and its exact interval; `$\\times$` after the ratio when
    @times), `n.s.` when the interval holds 1, the pairs and level when
    there are too few for a verdict, `--` when it cannot be computed.
    @scale divides the ratio and its bounds (our speed-up over the seed's)."""
    if r is None or r.ratio is None:
        return "--"
    k = scale or 1.0
    t = f"{r.ratio / k:.2f}" + ("$\\times$" if times else "")
    t += f" [{r.lo / k:.2f}, {r.hi / k:.2f}]"
    if r.verdict == pbresults.pbstats.TOO_FEW:
        t += f" ({r.pairs} pairs, {tex(pbresults.pct(r.level))})"
    elif r.verdict == pbresults.pbstats.NOT_SIGNIFICANT and not scale:
        t += " n.s."
    return t


def paired(num, den, col):
    """The Ratio num/den of @col between two Points (None when either is missing)."""
    if num is None or den is None:
        return None
    return pbresults.paired_ratio(num.rows(), den.rows(), col)


def interval_note(ratios):
    """The caption's sentence on how its ratios were made."""
    lv = pbresults.common_level(r for r in ratios if r is not None)
    return ("Each ratio is the median of the ratios of paired repetitions (repetition $k$ "
            "with repetition $k$), in brackets its exact distribution-free interval"
            + (f" at {tex(pbresults.pct(lv))}" if lv is not None else "")
            + "; n.s.: the interval holds 1. ")


# ---------------------------------------------------------------- results

class Results:
    def __init__(self, folder):
        self.folder = folder
        csv_path = pbresults.csv_path(folder)
        meta_path = os.path.join(folder, "meta.json")
        for p in (csv_path, meta_path):
            if not os.path.isfile(p) or os.path.getsize(p) == 0:
                die(f"{p}: missing or empty (not a poolbench results folder?)")
        try:
            self.meta = pbresults.read_meta(folder)
        except (OSError, ValueError) as e:
            die(f"{meta_path}: not readable as JSON: {e}")
        if not isinstance(self.meta, dict):
            die(f"{meta_path}: not a JSON object")
        try:
            self.columns, self.rows = pbresults.read_csv(csv_path, errors="replace")
        except (OSError, csv.Error, lzma.LZMAError) as e:
            die(f"{csv_path}: cannot be read as CSV: {e}")
        missing = [c for c in CORE_COLUMNS if c not in self.columns]
        if missing:
            die(f"{csv_path} has no {', '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''} (every table needs it)")
        self.key_columns = [c for c in KEY_COLUMNS if c in self.columns]
        workloads = {r["workload"] for r in self.rows}
        for w, cols in TABLE_COLUMNS.items():
            missing = [c for c in cols if c not in self.columns]
            if w in workloads and missing:
                die(f"{csv_path} has {w} rows but no {', '.join(missing)} column"
                    f"{'s' if len(missing) > 1 else ''} (its table needs it)")
        self.points = {}
        self.order = []
        for r in self.rows:
            k = tuple(r.get(c, "") for c in self.key_columns)
            p = self.points.get(k)
            if p is None:
                p = self.points[k] = Point()
                self.order.append(k)
            p.add(r)
        self.name = os.path.basename(os.path.normpath(os.path.abspath(folder)))
        run = self.meta.get("run") if isinstance(self.meta.get("run"), dict) else {}
        self.date = str(run.get("started_utc", "")) or "date not recorded"
        self.backend_rank = self._backend_order()

    def caption_run(self):
        return f"Run \\texttt{{{tex_path(self.name)}}} (started {tex(self.date)})."

    def select(self, **want):
        """Points whose key columns equal every given value, as (dict, Point)."""
        out = []
        for k in self.order:
            d = dict(zip(self.key_columns, k))
            if all(d.get(c, "") == str(v) for c, v in want.items()):
                out.append((d, self.points[k]))
        return out

    def pick(self, cands, col, prefer):
        """One value of col among the candidates' keys: the preferred one if
        present, else the most common (ties: the first seen)."""
        seen = [d.get(col, "") for d, _ in cands]
        if not seen:
            return None
        for p in prefer:
            if p in seen:
                return p
        return max(dict.fromkeys(seen), key=seen.count)

    def narrow(self, cands, prefs):
        """Reduce candidates to one value per column in prefs (col -> list)."""
        chosen = {}
        for col, prefer in prefs.items():
            if col not in self.key_columns:
                continue
            v = self.pick(cands, col, prefer)
            if v is None:
                continue
            chosen[col] = v
            cands = [(d, p) for d, p in cands if d.get(col, "") == v]
        return cands, chosen

    def _backend_order(self):
        names = []
        for k in self.order:
            b = dict(zip(self.key_columns, k))["backend"]
            if b not in names:
                names.append(b)

        def rank(b):
            if b == "null":
                return (0, 0)
            if is_general(b):
                return (1, names.index(b))
            return (2, names.index(b))
        return {b: rank(b) for b in names}

    def variants(self, cands):
        """The backend variants among candidates, ordered: null, the general
        allocators, then the run's order. Each is (backend, options, label)."""
        opts_by_backend = {}
        for k in self.order:
            d = dict(zip(self.key_columns, k))
            opts_by_backend.setdefault(d["backend"], [])
            if d["options"] not in opts_by_backend[d["backend"]]:
                opts_by_backend[d["backend"]].append(d["options"])
        seen = []
        for d, _ in cands:
            v = (d["backend"], d["options"])
            if v not in seen:
                seen.append(v)
        seen.sort(key=lambda v: (self.backend_rank.get(v[0], (3, 0)),
                                 opts_by_backend[v[0]].index(v[1])))
        return [(b, o, variant_label(b, o, opts_by_backend[b])) for b, o in seen]

    def peers(self):
        p = self.meta.get("peers")
        return [x for x in p if isinstance(x, dict)] if isinstance(p, list) else []


def is_general(backend):
    return backend == "malloc" or backend.startswith("malloc:")


def variant_label(backend, options, all_options):
    """backend plus the option values that differ between its variants."""
    if len(all_options) < 2:
        return backend
    mine = pbresults.options_dict(options)
    others = [pbresults.options_dict(o) for o in all_options]
    keys = [k for k in mine if any(o.get(k) != mine[k] for o in others)]
    return backend + "".join(f" {k}={mine[k]}" for k in keys)


class Notes:
    """Footnotes for failed cells: one letter per distinct reason."""

    def __init__(self):
        self.reasons = []

    def cell(self, status, reason, where):
        text = f"{where}: {reason}"
        if text not in self.reasons:
            self.reasons.append(text)
        mark = chr(ord("a") + self.reasons.index(text) % 26)
        word = "DNF" if status == "dnf" else "failed"
        return f"{word}\\textsuperscript{{{mark}}}"

    def tex(self):
        if not self.reasons:
            return ""
        lines = [f"\\textsuperscript{{{chr(ord('a') + i % 26)}}}\\,{tex(r)}"
                 for i, r in enumerate(self.reasons)]
        return ("\\par\\smallskip{\\footnotesize\\raggedright DNF: did not finish "
                "within its limit; failed: the run reported an error.\\\\\n"
                + "\\\\\n".join(lines) + "\\par}\n")


def point_cell(point, col, notes, where, fmt=sig3):
    """A cell: the formatted median, 'failed'/'DNF' with a note, or '--'."""
    if point is None:
        return "--", None
    st, reason = point.status()
    if st == "missing":
        return "--", None
    if st != "ok":
        return notes.cell(st, reason, where), None
    v = point.value(col)
    return (fmt(v) if v is not None else "--"), v


def write_table(outdir, name, caption, label, colspec, header, body, notes=None,
                size="\\small"):
    lines = ["% Generated by scripts/paper/paper-tables.py from results.csv: do not edit.",
             "\\begin{table}[htbp]", "\\centering", size,
             f"\\caption{{{caption}}}", f"\\label{{{label}}}",
             f"\\begin{{tabular}}{{{colspec}}}", "\\toprule", header + " \\\\",
             "\\midrule"]
    lines += body
    lines += ["\\bottomrule", "\\end{tabular}"]
    text = "\n".join(lines) + "\n"
    if notes is not None:
        text += notes.tex()
    text += "\\end{table}\n"
    path = os.path.join(outdir, name)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(text)
    os.replace(tmp, path)


def not_in_run(ncols, what):
    return [f"\\multicolumn{{{ncols}}}{{c}}{{\\emph{{not in this run}} ({tex(what)})}} \\\\"]


# ---------------------------------------------------------------- tables

def general_label(res, backend):
    """malloc plus what it is: glibc's version, or the peer's name and version."""
    if backend == "malloc":
        glibc = (res.meta.get("libraries") or {}).get("glibc")
        return "malloc (glibc" + (f" {glibc}" if glibc else "") + ")"
    for p in res.peers():
        names = {str(p.get("label", "")), str(p.get("allocator", ""))}
        if backend in names or backend.split(":", 1)[1] in names:
            ver = p.get("version")
            return backend + (f" ({p.get('label') or p.get('allocator')} {ver})" if ver else "")
    return backend


def qmempool_config(options):
    o = pbresults.options_dict(options)
    cfg = "/".join(o.get(k, "?") for k in ("localq", "sharedq", "prealloc"))
    if o.get("backing", "malloc") != "malloc":
        cfg += ", backing " + o["backing"]
    return cfg


def tab_qmempool(res, claims, outdir):
    notes = Notes()
    ratios = []
    body = []
    cases = [("fastpath-reuse", "fastpath-reuse", {"workload": "fastpath-reuse"}),
             ("N(256): ring-cleanup n=256", "ring-cleanup-n256",
              {"workload": "ring-cleanup", "n": "256"})]
    prefs = {"obj_size": ["64"], "touch": ["0"], "placement": ["compact"], "align": ["0"]}
    sizes = set()
    any_data = False
    missing = []
    for title, case, want in cases:
        cands = res.select(threads="1", **want)
        cands = [(d, p) for d, p in cands if is_general(d["backend"]) or d["backend"] == "qmempool"]
        cands, chosen = res.narrow(cands, prefs)
        if chosen.get("obj_size"):
            sizes.add(chosen["obj_size"])
        if cands:
            any_data = True
        pts = {(d["backend"], d["options"], d["mode"]): p for d, p in cands}
        generals = []
        qms = []
        for d, _ in cands:
            g = (d["backend"], d["options"])
            if is_general(d["backend"]):
                if g not in generals:
                    generals.append(g)
            elif d["options"] not in qms:
                qms.append(d["options"])
        generals.sort(key=lambda g: res.backend_rank.get(g[0], (3, 0)))
        s_slub, v_slub = pbresults.claim(claims, case, "SLUB ns")
        s_soft, v_soft = pbresults.claim(claims, case, "qmempool softirq ns")
        s_else, v_else = pbresults.claim(claims, case, "qmempool none-softirq ns")
        seed_up = {"exclusive": (v_slub / v_soft) if v_slub and v_soft else None,
                   "shared": (v_slub / v_else) if v_slub and v_else else None}
        seed_ctx = {"exclusive": ("softirq", s_soft), "shared": ("none-softirq", s_else)}
        body.append(f"\\multicolumn{{4}}{{l}}{{\\textbf{{{tex(title)}}}, 1 thread}} \\\\")
        if not cands:
            body.append(f"\\multicolumn{{4}}{{l}}{{\\quad\\emph{{not in this run}}}} \\\\")
            body.append("\\addlinespace")
            missing.append(case)
            continue
        # One general-allocator figure per allocator, as the seed has one SLUB
        # figure for both contexts: its exclusive-mode median (malloc runs
        # the same code in both modes), the shared one if that is all there is.
        general_ns = {}
        general_pt = {}
        for b, o in generals:
            lbl = general_label(res, b)
            c, v = "--", None
            for m in MODES:
                p = pts.get((b, o, m))
                if p is not None:
                    c, v = point_cell(p, "ns_per_op", notes, f"{b} {case} {m}")
                    lbl += "" if m == "exclusive" else f" ({m})"
                    break
            general_ns[(b, o)] = v
            general_pt[(b, o)] = next((pts.get((b, o, m)) for m in MODES
                                       if pts.get((b, o, m)) is not None), None)
            body.append(f"\\quad SLUB vs.\\ {tex(lbl)}, ns & {s_slub} & {c} & \\\\")
        # Per qmempool configuration: its two modes, then its speed-ups over
        # each general allocator.
        for o in qms:
            cfg = qmempool_config(o)
            if cfg == SEED_QMEMPOOL_PARAMS.get(case):
                cfg += ", the seed's"
            qv = {}
            for m in MODES:
                ctx, sv = seed_ctx[m]
                c, qv[m] = point_cell(pts.get(("qmempool", o, m)), "ns_per_op", notes,
                                      f"qmempool {cfg} {case} {m}")
                body.append(f"\\quad {ctx} vs.\\ qmempool ({tex(cfg)}) {m}, ns"
                            f" & {sv} & {c} & \\\\")
            for b, go in generals:
                gv = general_ns[(b, go)]
                for m in MODES:
                    ctx, _ = seed_ctx[m]
                    r = None
                    if gv is not None and qv[m]:
                        r = paired(general_pt[(b, go)], pts.get(("qmempool", o, m)), "ns_per_op")
                        ratios.append(r)
                    ours = fmt_paired(r, times=True)
                    rel = fmt_paired(r, scale=seed_up[m]) if seed_up[m] else "--"
                    body.append(f"\\quad\\quad speed-up, {m} over {tex(general_label(res, b))}"
                                f" & {fmt_times(seed_up[m])} & {ours}"
                                f" & {rel} \\\\")
        body.append("\\addlinespace")
    if body and body[-1] == "\\addlinespace":
        body.pop()
    if not any_data:
        body = not_in_run(4, "no fastpath-reuse or ring-cleanup n=256 rows for malloc or "
                             "qmempool at 1 thread")
    elif missing:
        note(f"tab-qmempool: no {' or '.join(missing)} rows for malloc or qmempool at 1 thread")
        note("tab-qmempool: no fastpath-reuse or ring-cleanup n=256 rows for malloc or "
             "qmempool at 1 thread")
    elif missing:
        note(f"tab-qmempool: no {' or '.join(missing)} rows for malloc or qmempool at 1 thread")
    size = ", ".join(sorted(sizes, key=int)) or "--"
    caption = ("Seed 000 (qmempool RFC, E5-2695, kernel, CONFIG\\_PREEMPT) beside ours: "
               "ns per alloc+free pair at 1 thread, medians over repetitions. "
               "The seed's softirq column is our exclusive mode, its "
               "none-softirq column our shared mode; its speed-ups are over its one SLUB figure, ours "
               "over the general allocator's exclusive-mode figure of the same run "
               "(it runs the same code in both modes). "
               "qmempool configuration: localq/sharedq/prealloc. "
               f"Object size {tex(size)}\\,B. The last column is our speed-up divided "
               "by the seed's (given for speed-ups only: absolute times do not carry "
               "across machines). " + interval_note(ratios) + res.caption_run())
    write_table(outdir, "tab-qmempool.tex", caption, "tab:qmempool", "lrrr",
                "Case & Seed & Ours & Ours/seed", body, notes)


def _million_point(res, backend, size, order, fill, align, prefs):
    cands = res.select(workload="million", backend=backend, obj_size=size, order=order,
                       fill=fill, align=align)
    cands, _ = res.narrow(cands, prefs)
    return cands[0][1] if cands else None


def tab_percpu(res, claims, outdir):
    notes = Notes()
    ratios = []
    body = []
    A, B = "percpu-areamap", "percpu-bitmap"
    million = [(d, p) for d, p in res.select(workload="million") if d["backend"] in (A, B)]
    prefs = {"mode": ["exclusive"], "threads": ["1"], "touch": ["0"],
             "placement": ["compact"], "options": [], "count": [], "limit_s": []}
    counts = sorted({d.get("count", "") for d, _ in million if d.get("count")}, key=int)

    def pair(p, where):
        a, av = point_cell(p, "alloc_ms", notes, where)
        f, fv = point_cell(p, "free_ms", notes, where)
        return a, f, av, fv

    def row(size, label, pa, pb, where):
        a1, f1, _, fa = pair(pa, f"{A} {where}")
        a2, f2, _, fb = pair(pb, f"{B} {where}")
        r = "--"
        if fa is not None and fb:
            ratio = paired(pa, pb, "free_ms")
            ratios.append(ratio)
            r = fmt_paired(ratio)
        return f"{size} & {label} & {a1} & {f1} & {a2} & {f2} & {r} \\\\"

    def seed_row(size, case):
        if (case, "area map alloc ms") not in claims:
            return None
        aa, _ = pbresults.claim(claims, case, "area map alloc ms")
        af, vaf = pbresults.claim(claims, case, "area map free ms")
        ba, _ = pbresults.claim(claims, case, "bitmap alloc ms")
        bf, vbf = pbresults.claim(claims, case, "bitmap free ms")
        r = fmt_ratio(vaf / vbf) if vaf is not None and vbf else "--"
        return f"{size} & \\emph{{seed}} & {aa} & {af} & {ba} & {bf} & {r} \\\\"

    def worst(backend, size, fill, align):
        """The order with the largest free time; one that did not finish wins."""
        best, bv = None, None
        for o in ORDERS:
            p = _million_point(res, backend, size, o, fill, align, prefs)
            if p is None:
                continue
            st, _ = p.status()
            if st in ("failed", "dnf"):
                return p, o
            v = p.value("free_ms")
            if v is not None and (bv is None or v > bv):
                best, bv = (p, o), v
        return best if best else (None, None)

    sections = [("none", "0", "free orders, no pre-fill", "million-worst"),
                ("second-half", "0", "second half of every page pre-filled", "million-second-half")]
    any_data = False
    for fill, align, title, case in sections:
        rows = [d for d, _ in million if d.get("fill", "") == fill and d.get("align", "0") == align]
        if not rows:
            continue
        any_data = True
        if body:
            body.append("\\midrule")
        body.append(f"\\multicolumn{{7}}{{l}}{{\\textbf{{{tex(title.capitalize())}}}}} \\\\")
        sizes = sorted({d["obj_size"] for d in rows}, key=int)
        orders = [o for o in ORDERS if any(d.get("order") == o for d in rows)]
        for s in sizes:
            sz = f"{s}\\,B"
            for o in orders:
                pa = _million_point(res, A, s, o, fill, align, prefs)
                pb = _million_point(res, B, s, o, fill, align, prefs)
                body.append(row(sz, tex(o), pa, pb, f"{s} B {o} fill={fill}"))
            if fill == "none" and len(orders) > 1:
                pa, oa = worst(A, s, fill, align)
                pb, ob = worst(B, s, fill, align)
                body.append(row(sz, "\\emph{ours, worst}", pa, pb, f"{s} B worst order"))
            sr = seed_row(sz, f"{case}-{s}B")
            if sr:
                body.append(sr)
            body.append("\\addlinespace")
        body.pop()
    aligned = [d for d, _ in million if d.get("align", "0") not in ("0", "")]
    for al in sorted({d["align"] for d in aligned}, key=int):
        if body:
            body.append("\\midrule")
        any_data = True
        body.append(f"\\multicolumn{{7}}{{l}}{{\\textbf{{Aligned to {tex(al)}\\,B, freed in order}}}} \\\\")
        for s in sorted({d["obj_size"] for d in aligned if d["align"] == al}, key=int):
            pa = _million_point(res, A, s, "in-order", "none", al, prefs)
            pb = _million_point(res, B, s, "in-order", "none", al, prefs)
            body.append(row(f"{s}\\,B", "in-order", pa, pb, f"{s} B align {al}"))
            case = f"million-aligned-{s}B-align{al}"
            if (case, "area map total") in claims:
                at = claims[(case, "area map total")]
                bt = claims[(case, "bitmap total")]
                body.append(f"{s}\\,B & \\emph{{seed}} & \\multicolumn{{2}}{{r}}{{{at['value']} {at['unit']} total}}"
                            f" & \\multicolumn{{2}}{{r}}{{about {bt['value']} {bt['unit']} total}} & -- \\\\")
    if not any_data:
        body = not_in_run(7, "no million rows for percpu-areamap or percpu-bitmap")
        note("tab-percpu: no million rows for percpu-areamap or percpu-bitmap")
    ours = ", ".join(counts) if counts else "--"
    caption = ("Seed 003 (percpu bitmap allocator, kernel) beside ours: the million workload, "
               "alloc and free time of one round in ms, medians over repetitions, "
               "area map against bitmap, and the free-time ratio area map / bitmap. "
               "\\emph{Ours, worst}: each allocator in the order with its largest free time; "
               "\\emph{seed}: the seed's worst-case (or pre-filled) figures. "
               f"Our rounds allocate {tex(ours)} objects (the \\texttt{{count}} column); "
               "the seed's allocate $2^{20}=1048576$, so only the shape and the ratios "
               "compare, not the times. Free ratio: " + interval_note(ratios)
               + res.caption_run())
    write_table(outdir, "tab-percpu.tex", caption, "tab:percpu", "llrrrrr",
                "Size & Order & \\multicolumn{2}{c}{Area map (ms)} & "
                "\\multicolumn{2}{c}{Bitmap (ms)} & Free ratio \\\\\n"
                "\\cmidrule(lr){3-4}\\cmidrule(lr){5-6}\n & & alloc & free & alloc & free &",
                body, notes)


def tab_backends(res, outdir):
    notes = Notes()
    prefs = {"obj_size": ["64"], "touch": ["0"], "placement": ["compact"], "align": ["0"]}
    cols = [("fastpath-reuse", "fastpath-reuse", {"workload": "fastpath-reuse", "threads": "1"}, {}),
            ("ring-cleanup", "ring-cleanup n=256", {"workload": "ring-cleanup", "n": "256", "threads": "1"}, {}),
            ("bulk", "bulk", {"workload": "bulk", "threads": "1"}, {"n": ["16"]}),
            ("overrun", "overrun", {"workload": "overrun", "threads": "1"}, {"n": ["16"], "per_cpu": ["8"]}),
            ("remote-free", "remote-free", {"workload": "remote-free", "threads": "2"}, {"n": ["256"]})]
    used = []
    for key, title, want, extra in cols:
        cands = res.select(**want)
        if key == "remote-free" and not cands:
            continue  # only when the run has it
        cands, chosen = res.narrow(cands, {**prefs, **extra})
        used.append((key, title, cands, chosen))
    allc = [c for _, _, cands, _ in used for c in cands]
    variants = res.variants(allc)
    body = []
    for b, o, label in variants:
        for m in MODES:
            cells = []
            have = False
            for key, title, cands, _ in used:
                p = next((p for d, p in cands
                          if d["backend"] == b and d["options"] == o and d["mode"] == m), None)
                c, _ = point_cell(p, "ns_per_op", notes, f"{label} {key} {m}")
                have = have or p is not None
                cells.append(c)
            if have:
                body.append(f"{tex(label)} & {m} & " + " & ".join(cells) + " \\\\")
    ncols = 2 + len(used)
    if not body:
        body = not_in_run(ncols, "no fastpath-reuse, ring-cleanup, bulk or overrun rows")
        note("tab-backends: none of its workloads is in this run")
    heads = []
    params = []
    for key, title, cands, chosen in used:
        heads.append(tex(title))
        extra = {k: v for k, v in chosen.items() if k in ("n", "per_cpu") and v}
        if key == "bulk" and extra.get("n"):
            params.append(f"bulk of n={extra['n']}")
        if key == "overrun" and extra:
            params.append(f"overrun n={extra.get('n', '?')} per\\_cpu={extra.get('per_cpu', '?')} "
                          "(ns per alloc attempt)")
        if key == "remote-free":
            params.append("remote-free at 2 threads (ns per object handed over, per thread"
                          + (f", queue n={extra['n']}" if extra.get("n") else "") + ")")
    sizes = sorted({ch["obj_size"] for _, _, _, ch in used if ch.get("obj_size")}, key=int)
    caption = ("Every backend variant: median ns per alloc+free pair at 1 thread, by "
               "context mode; \\texttt{null} is the harness's own cost. "
               + ("; ".join(params) + ". " if params else "")
               + f"Object size {', '.join(sizes) or '--'}\\,B. " + res.caption_run())
    head = "Backend & Mode & " + " & ".join(heads)
    write_table(outdir, "tab-backends.tex", caption, "tab:backends", "ll" + "r" * len(used),
                head, body, notes, size="\\footnotesize")


def tab_scaling(res, outdir):
    notes = Notes()
    ratios = []
    prefs = {"obj_size": ["64"], "touch": ["0"], "placement": ["compact"], "align": ["0"],
             "n": ["256"]}
    rows = res.select(workload="scaling")
    body = []
    tmax = max((int(d["threads"]) for d, _ in rows if d["threads"].isdigit()), default=None)
    if rows and tmax is not None:
        patterns = [p for p in ("reuse", "ring") if any(d.get("pattern") == p for d, _ in rows)]
        patterns += sorted({d.get("pattern", "") for d, _ in rows} - set(patterns))
        one, _ = res.narrow([c for c in rows if c[0]["threads"] == "1"], prefs)
        top, _ = res.narrow([c for c in rows if c[0]["threads"] == str(tmax)], prefs)
        for b, o, label in res.variants(one + top):
            for pat in patterns:
                for m in MODES:
                    def find(cands):
                        return next((p for d, p in cands if d["backend"] == b and d["options"] == o
                                     and d["mode"] == m and d.get("pattern", "") == pat), None)
                    p1, pt = find(one), find(top)
                    if p1 is None and pt is None:
                        continue
                    where = f"{label} scaling {pat} {m}"
                    c1, v1 = point_cell(p1, "ops_per_sec", notes, where + " 1 thread",
                                        fmt=lambda v: sig3(v / 1e6))
                    ct, vt = point_cell(pt, "ops_per_sec", notes, where + f" {tmax} threads",
                                        fmt=lambda v: sig3(v / 1e6))
                    up = "--"
                    if v1 and vt is not None:
                        r = paired(pt, p1, "ops_per_sec")
                        ratios.append(r)
                        up = fmt_paired(r, times=True)
                    ce, _ = point_cell(pt, "efficiency", notes, where, fmt=fmt_ratio)
                    body.append(f"{tex(label)} & {tex(pat)} & {m} & {c1} & {ct} & {up} & {ce} \\\\")
    if not body:
        body = not_in_run(7, "no scaling rows")
        note("tab-scaling: no scaling rows in this run")
    t = tmax if tmax is not None else "--"
    caption = (f"Scaling: throughput at 1 and at {t} threads (the largest thread count in "
               "the run), in millions of alloc+free pairs per second, all threads together, "
               f"and the efficiency at {t} threads (throughput / ({t} $\\times$ the 1-thread "
               "throughput of the same run; 1.00 is linear), medians over repetitions. "
               "Pattern reuse is fastpath-reuse, ring is ring-cleanup. "
               f"{t}/1: " + interval_note(ratios) + res.caption_run())
    write_table(outdir, "tab-scaling.tex", caption, "tab:scaling", "lllrrrr",
                f"Backend & Pattern & Mode & 1 thr (M/s) & {t} thr (M/s) & {t}/1 & Efficiency",
                body, notes, size="\\footnotesize")


def tab_peers(res, outdir):
    """Each design beside its peer (pbresults.PEER_PAIRS): for every pair,
    at 1 thread and at the run's largest thread count, the design's and
    the peer's ns per pair on each PEER_WORKLOADS workload and their ratio
    (peer / design), exclusive mode, medians of the same run."""
    notes = Notes()
    ratios = []
    data = pbresults.PeerData(res.rows)
    body = []
    for design, peers, _ in pbresults.PEER_PAIRS:
        for peer in peers:
            if not data.has(design) and not data.has(peer):
                continue
            dl, pl = pbresults.selector_label(design), pbresults.selector_label(peer)
            for t in data.threads:
                cells = []
                for wl, _, title in pbresults.PEER_WORKLOADS:
                    d, p = data.point(design, wl, t), data.point(peer, wl, t)
                    cd, _ = point_cell(d, "ns_per_op", notes, f"{dl} {title} {t} thr")
                    cp, _ = point_cell(p, "ns_per_op", notes, f"{pl} {title} {t} thr")
                    r = pbresults.peer_paired(data, design, peer, wl, t)
                    ratios.append(r)
                    cells += [cd, cp, fmt_paired(r)]
                body.append(f"{tex(dl)} & {tex(pl)} & {t} & " + " & ".join(cells) + " \\\\")
    if not body:
        body = not_in_run(12, "no design or peer of the comparison")
        note("tab-peers: no design or peer of the comparison in this run")
    kept = ", ".join(f"{k} {v}" for k, v in data.kept.items())
    why = "; ".join(f"{tex(pbresults.selector_label(d))}: {tex(w)}"
                    for d, _, w in pbresults.PEER_PAIRS)
    caption = ("Each seed design beside its userspace peer: median ns per alloc+free "
               "pair of the design (D) and the peer (P) and their ratio P/D (above 1 the "
               "design is faster), measured in the same run, exclusive mode"
               + (f" ({tex(kept)})" if kept else "") + ", at 1 thread and at the "
               "largest thread count of the run. -- marks a point the run does not "
               "have (dpdk-ring sync=spsc serves one thread only). " + interval_note(ratios)
               + "Pairs: " + why + ". " + res.caption_run())
    head = "Design & Peer & Thr"
    for _, _, title in pbresults.PEER_WORKLOADS:
        head += f" & \\multicolumn{{3}}{{c}}{{{tex(title)}}}"
    head += " \\\\\n & & & " + " & ".join(["D", "P", "P/D"] * len(pbresults.PEER_WORKLOADS))
    write_table(outdir, "tab-peers.tex", caption, "tab:peers", "llr" + "rrr" * 3,
                head, body, notes, size="\\scriptsize")


# ---------------------------------------------------------------- meta.tex

# Backend statistics that count slow-path events (allocators/stats.h): the
# operations a latency tail can come from.
SLOW_EVENTS = ("slow_hits", "steals", "sharedq_refills", "sharedq_spills",
               "backing_allocs", "backing_frees", "reserve_hits", "refills",
               "waits", "wait_timeouts", "chunks_released", "memmoves",
               "alloc_fails", "rseq_aborts")


# The latency figure's panels: workload, its point, threads, title.
LAT_PANELS = (("fastpath-reuse", {}, "1", "fastpath-reuse, one thread"),
              ("ring-cleanup", {"n": "256"}, "1", "ring-cleanup, $N=256$, one thread"),
              ("remote-free", {}, "2", "remote-free, two threads"))
# The percentiles a slow path can own: the lowest one inside its share.
LAT_PCTS = (("p90", 0.1), ("p99", 0.01), ("p999", 0.001))


def latency_macros(res):
    """\\pbLatencyFinding: from the run's latency pass (RESULTS/latency/),
    exclusive mode, the latency figure's three panels: (1) the backend with
    the worst alloc p99.9 and, if it keeps statistics, the slow-path event
    behind it (the rarest one at a rate of at least 1 in 1000 pairs, so
    that it reaches the 99.9th percentile); when its statistics name none,
    also the worst among the backends whose statistics do; (2) the tail an average hides
    most: among the slow-path events of rate f between 1 in 1000 and 1 in
    2, the one whose lowest percentile inside its share (p90 for f >= 0.1,
    p99 for f >= 0.01, else p99.9) stands furthest above the median, with
    the timed run's mean ns per pair of the same point. A paragraph, so
    that a run without a latency pass says so."""
    folder = os.path.join(res.folder, "latency")
    path = pbresults.csv_path(folder)
    if not os.path.isfile(path):
        return [("pbLatencyFinding", "This run has no latency pass "
                 "(\\texttt{make run-all} makes one in \\texttt{latency/}).")]
    try:
        _, rows = pbresults.read_csv(path, errors="replace")
    except (OSError, csv.Error, lzma.LZMAError) as e:
        die(f"{path}: cannot be read as CSV: {e}")
    f = pbresults.to_float

    def in_panel(r, panel):
        wl, point, thr, _ = panel
        return (r.get("statistic") == "median" and r.get("mode") == "exclusive" and
                r.get("workload") == wl and r.get("threads") == thr and
                all(r.get(k) == v for k, v in point.items()) and
                r.get("backend") != "null" and f(r.get("alloc_p999_ns")) is not None)

    cands = [(r, pn) for pn in LAT_PANELS for r in rows if in_panel(r, pn)]
    if not cands:
        return [("pbLatencyFinding", "This run's latency pass has none of "
                 "the latency figure's points in exclusive mode.")]
    label = pbresults.variant_labeller([r for r, _ in cands])

    def events(r):
        return sorted((f(r.get(f"{e}_per_op")), e) for e in SLOW_EVENTS
                      if (f(r.get(f"{e}_per_op")) or 0) > 0)

    def reports(r):
        return any(f(r.get(f"{e}_per_op")) is not None for e in SLOW_EVENTS)

    def ns(v):
        return (f"{sig3(v / 1000)}~\\textmu{{}}s" if v >= 1000 else
                f"{sig3(v)}~ns")

    # A slow path owns a tail when it happens in at least 1 pair in 1000
    # and at most in every other one (more often, it is the common path).
    def cause_of(r):
        cause = [(v, e) for v, e in events(r) if 1e-3 <= v <= 0.5]
        if not cause:
            return ("its statistics count no slow-path event that happens "
                    "in between 1 in 1000 and 1 in 2 pairs: the tail is none "
                    "of the paths it counts")
        v, e = cause[0]
        return (f"its own statistics name the operation behind it: "
                f"\\texttt{{{tex(e)}}}, {sig3(v)} per alloc+free pair, the rarest "
                f"of its slow-path events that happens at least once in 1000 "
                f"pairs and so reaches the 99.9th percentile")

    def who(r, pn):
        p50 = f(r.get("alloc_p50_ns"))
        return (f"\\texttt{{{tex(label(r))}}}'s at {pn[3]}: "
                f"{ns(f(r['alloc_p999_ns']))}, its median "
                f"{ns(p50) if p50 is not None else '--'}")

    def p999(c):
        return f(c[0]["alloc_p999_ns"])

    def named(r):
        return any(1e-3 <= v <= 0.5 for v, _ in events(r))

    worst = max(cands, key=p999)
    text = (f"In this run's latency pass (exclusive mode, the panels of "
            f"figure~\\ref{{fig:latency}}) the worst alloc p99.9 is {who(*worst)}; ")
    if reports(worst[0]):
        text += cause_of(worst[0]) + "."
    else:
        text += "it keeps no per-operation statistics, so no operation can be named for it."
    d = None
    if not named(worst[0]):
        counted = [c for c in cands if named(c[0])]
        if counted:
            d = max(counted, key=p999)
            text += (f" Among the backends whose statistics count a slow path "
                     f"that often, the worst is {who(*d)}; {cause_of(d[0])}.")
    # The tail an average hides most.
    best = None
    for r, pn in cands:
        p50 = f(r.get("alloc_p50_ns")) or 0.0
        for v, e in events(r):
            if not 1e-3 <= v <= 0.5:
                continue
            pct, share = next((p, s) for p, s in LAT_PCTS if v >= s)
            q = f(r.get(f"alloc_{pct}_ns"))
            if q is not None and (best is None or q - p50 > best[0]):
                best = (q - p50, r, pn, e, v, pct, q, p50)
    if best:
        _, r, pn, e, v, pct, q, p50 = best
        mean = None
        for t in res.rows:
            if (t.get("statistic") == "median" and all(
                    t.get(k) == r.get(k) for k in ("backend", "workload", "mode", "threads",
                                                   "obj_size", "n", "options"))):
                mean = f(t.get("ns_per_op"))
        name = {"p90": "p90", "p99": "p99", "p999": "p99.9"}[pct]
        same = d is not None and d[0] is r
        text += ((" Its average hides that tail most of all the backends"
                  if same else
                  f" The tail an average hides most is \\texttt{{{tex(label(r))}}}'s "
                  f"at {pn[3]}")
                 + f": its median alloc takes {ns(p50)}"
                 + (f" and the timed run's mean is {ns(mean)} per alloc+free pair"
                    if mean is not None else "")
                 + f", but its {name} is {ns(q)}: its statistics count "
                 f"\\texttt{{{tex(e)}}} {sig3(v)} per pair, as many as its slowest "
                 f"{sig3(100 * v)}\\% of allocs, among which its {name} lies.")
    return [("pbLatencyFinding", text)]


def protection_macros(res):
    """The paper's sentence on what protecting per-CPU state costs
    (scripts/tables/modes.py's qmempool localq=32 row): \\pbProtection, a
    whole sentence, so that a run without the three modes says so."""
    costs = pbresults.protection_costs(res.rows)
    qm = next((c for v, c in costs.items()
               if v.startswith("qmempool") and "localq=32" in v), None)
    if qm is None:
        qm = costs.get("qmempool")
    bh = f"{pbresults.SEED_BH_NS:g}"
    if qm is None or qm["shared"] is None or qm["rseq"] is None:
        text = (f"The seed's kernel paid \\texttt{{local\\_bh\\_disable}}+enable, {bh}~ns on "
                "its E5-2695; this run has no qmempool point in the three modes "
                "to set beside it.")
    else:
        def d(x):
            return f"{x[0]:.2f}~ns [{x[1]:.2f}, {x[2]:.2f}]"
        level = pbresults.pct(min(qm["shared"][3], qm["rseq"][3]))
        text = (f"The seed's kernel paid \\texttt{{local\\_bh\\_disable}}+enable, {bh}~ns on "
                "its E5-2695, for the state that exclusive mode leaves unprotected. "
                "In this run qmempool (localq=32) takes "
                f"{qm['median']['exclusive']:.2f}~ns per pair on fastpath-reuse at one "
                f"thread in exclusive mode; the lock word of shared mode adds "
                f"{d(qm['shared'])} and a restartable sequence {d(qm['rseq'])} "
                f"(medians of the paired repetitions' differences, exact "
                f"{tex(level)} intervals; every backend in \\texttt{{tables/modes.md}}).")
    return [("pbProtection", text)]


def meta_tex(res, outdir):
    m = res.meta

    def get(*path, default="not recorded"):
        v = m
        for p in path:
            if not isinstance(v, dict) or p not in v:
                return default
            v = v[p]
        if v is None or v == "":
            return default
        return v

    build = get("build", default={})
    commit = str(get("build", "git_commit"))
    if commit != "not recorded":
        commit = commit[:12] + (" (dirty)" if build.get("git_dirty") else "")
    unavailable = get("counters", "unavailable", default=[])
    unavail = ", ".join(str(u.get("name", "?")) for u in unavailable
                        if isinstance(u, dict)) if isinstance(unavailable, list) else ""
    events = get("counters", "events", default=[])
    avail = ", ".join(str(e.get("name", "?")) for e in events
                      if isinstance(e, dict) and e.get("available")) if isinstance(events, list) else ""
    peers = res.peers()
    peer_txt = "; ".join(
        " ".join(str(x) for x in (p.get("label") or p.get("allocator", "?"), p.get("version", ""))
                 if x) +
        "".join(f", {k} {p[k]}" for k in ("library", "package") if p.get(k))
        for p in peers)
    cmd = get("command_line", default=[])
    cmd = " ".join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd)
    min_time = get("run", "min_time_s")
    if isinstance(min_time, (int, float)):
        min_time = f"{min_time:g}"
    macros = [
        ("pbRunName", tex_path(res.name)),
        ("pbRunDate", tex(get("run", "started_utc"))),
        ("pbRunEnd", tex(get("run", "finished_utc"))),
        ("pbHost", tex(get("machine", "host"))),
        ("pbCpuModel", tex(get("machine", "cpu_model"))),
        ("pbArch", tex(get("machine", "arch"))),
        ("pbAllowedPUs", tex(get("machine", "allowed_pus"))),
        ("pbOnlineCPUs", tex(get("machine", "online_cpus"))),
        ("pbTopology", tex(get("machine", "topology"))),
        ("pbKernel", tex(get("machine", "kernel"))),
        ("pbKernelVersion", tex(get("machine", "kernel_version"))),
        ("pbCompiler", tex(get("build", "cc"))),
        ("pbCxxCompiler", tex(get("build", "cxx"))),
        ("pbCflags", tex_path(get("build", "cflags"))),
        ("pbGBenchVersion", tex(get("libraries", "google_benchmark"))),
        ("pbGBenchBuildType", tex(get("libraries", "google_benchmark_build_type"))),
        ("pbHwloc", tex(get("libraries", "hwloc"))),
        ("pbGlibc", tex(get("libraries", "glibc"))),
        ("pbCounterRequested", tex(get("counters", "requested"))),
        ("pbCounterGroup", tex(get("counters", "group"))),
        ("pbCounterWhy", tex_path(get("counters", "why_this_group",
                                 default="no reason recorded"))),
        ("pbCountersAvailable", tex_path(avail or "none")),
        ("pbCountersUnavailable", tex_path(unavail or "none")),
        ("pbReps", tex(get("run", "repetitions"))),
        ("pbMinTime", tex(min_time)),
        ("pbPlacement", tex(get("run", "placement"))),
        ("pbBenchmarks", tex(get("run", "benchmarks"))),
        ("pbFailedRuns", tex(get("run", "failed_runs"))),
        ("pbGitCommit", tex(commit)),
        ("pbCommandLine", tex_path(cmd or "not recorded")),
        ("pbPeerCount", str(len(peers))),
        ("pbPeers", tex(peer_txt or "none (this run measured the process's own malloc only)")),
    ]
    macros += protection_macros(res)
    macros += latency_macros(res)
    lines = ["% Generated by scripts/paper/paper-tables.py from meta.json and "
             "results.csv: do not edit."]
    lines += [f"\\newcommand{{\\{k}}}{{{v}}}" for k, v in macros]
    path = os.path.join(outdir, "meta.tex")
    with open(path + ".tmp", "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def main(argv):
    if len(argv) != 3 or not argv[1] or not argv[2]:
        print(f"usage: {PROG} RESULTS_DIR OUTDIR", file=sys.stderr)
        return 2
    res = Results(argv[1])
    claims = pbresults.table_claims(PROG)
    outdir = argv[2]
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        die(f"{outdir}: {e.strerror}")
    tab_qmempool(res, claims, outdir)
    tab_percpu(res, claims, outdir)
    tab_backends(res, outdir)
    tab_scaling(res, outdir)
    tab_peers(res, outdir)
    meta_tex(res, outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
