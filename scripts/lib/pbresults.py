# SPDX-License-Identifier: GPL-2.0-only
#
# pbresults.py - the one reader of a stored poolbench results folder, shared
# by the figure data (scripts/figures/plotdata.py), the tables
# (scripts/tables/*.py) and the paper (scripts/paper/paper-tables.py):
#
#   - results.csv, or results.csv.xz where only that is there (the committed
#     reference run keeps it compressed);
#   - the machine column of a machine comparison (poolbench run --executor
#     slurm --partitions a,b: the plan once per partition): every reader
#     but compare.py and tables/machines.py reads one machine's rows, the
#     one PB_MACHINE names (make plots|tables|paper MACHINE=a); a table of
#     several machines read without one is refused, never mixed. Outputs
#     made from one machine go under RESULTS_DIR/machines/<name>/ (out_dir);
#   - meta.json; for a Slurm run its "machine" member is made to describe
#     the nodes that ran the rows (executor.nodes, of the chosen machine),
#     not the submit host, which moves to "submit_host";
#   - the median-or-only-run rule: a benchmark point's figure is its median
#     row; with no median row (one repetition), its only run row;
#   - backend option strings, `key=value;key=value`;
#   - the seeds' published figures, from paper/seed-claims.csv (the only
#     place they are written down);
#   - paired ratios: the run rows of two points paired by `rep` (the same
#     round of an interleaved run), the median of the paired ratios and its
#     exact interval (scripts/lib/pbstats.py, docs/statistics.md), which
#     every ratio of the tables, figures and paper comes from.
#
# Standard library only (Debian 12's python3). The scripts import it with
#   sys.dont_write_bytecode = True  # no __pycache__ in the source tree
#   sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
#   import pbresults

import csv
import json
import lzma
import math
import os
import statistics
import sys

import pbstats

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SEED_CLAIMS = os.path.join(ROOT, "paper", "seed-claims.csv")
CLAIM_COLUMNS = ("seed", "case", "what", "value", "unit", "source")


class ResultsError(Exception):
    """A results folder or a seed-claims file that cannot be read: the
    message says why."""


def csv_path(folder):
    """Return the path of @folder's results table: results.csv, or
    results.csv.xz when only the compressed form is there."""
    path = os.path.join(folder, "results.csv")
    if not os.path.exists(path) and os.path.exists(path + ".xz"):
        path += ".xz"
    return path


def open_csv(path, errors="strict"):
    """Open a results.csv (or its .xz form, by the name) as text for the
    csv module; @errors is the decoding error handler."""
    if path.endswith(".xz"):
        return lzma.open(path, "rt", newline="", encoding="utf-8", errors=errors)
    return open(path, newline="", encoding="utf-8", errors=errors)


MACHINE_ENV = "PB_MACHINE"


class MachineError(csv.Error):
    """A results table of several machines read without choosing one, or
    a machine it does not have (a csv.Error: every reader's handler of an
    unreadable table catches it)."""


def machines(rows):
    """The machine column's values in @rows, in order of first appearance;
    [] for a run of one machine (no column, or empty)."""
    return list(dict.fromkeys(r.get("machine") for r in rows if r.get("machine")))


def chosen_machine():
    """The machine PB_MACHINE names, or '' (none chosen)."""
    return os.environ.get(MACHINE_ENV, "")


def one_machine(rows, machine=None):
    """@rows of one machine: @machine (None: PB_MACHINE's; '': none chosen,
    which a run of several machines refuses). Raises MachineError."""
    have = machines(rows)
    want = chosen_machine() if machine is None else machine
    if want:
        if want not in have:
            raise MachineError(f"no machine '{want}' in its machine column ("
                               + (f"it has {', '.join(have)}" if have else
                                  "a run of one machine") + ")")
        return [r for r in rows if r.get("machine") == want]
    if len(have) > 1:
        raise MachineError(f"it holds {len(have)} machines ({', '.join(have)}), a "
                           "machine comparison: choose one with MACHINE=<name> "
                           f"(make plots/tables/paper) or {MACHINE_ENV}=<name>; "
                           "poolbench compare and scripts/tables/machines.py set "
                           "them side by side")
    return rows


def read_csv(path, errors="strict", all_machines=False):
    """Read a results table whole. Return (header, rows), rows as dicts:
    one machine's (one_machine()) unless @all_machines. Raises OSError,
    UnicodeDecodeError, csv.Error (MachineError) or lzma.LZMAError."""
    with open_csv(path, errors) as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        if not all_machines:
            rows = one_machine(rows)
        return reader.fieldnames or [], rows


def out_dir(folder):
    """Where outputs made from @folder's rows go: @folder itself, or
    @folder/machines/<name> when PB_MACHINE chooses a machine."""
    m = chosen_machine()
    return os.path.join(folder, "machines", m) if m else folder


def nodes_machine(meta, machine=None):
    """A Slurm run's meta.json "machine" as its nodes make it (those of
    @machine; None: PB_MACHINE's; '': all): host (the nodes' names),
    cpu_model, topology and kernel (each distinct value, joined by ' / ';
    a node list without kernels, before they were recorded: the submit
    host's), allowed_pus (the first node's); None when meta.json lists no
    node."""
    ex = meta.get("executor") if isinstance(meta, dict) else None
    nodes = ex.get("nodes") if isinstance(ex, dict) else None
    if not isinstance(nodes, list):
        return None
    want = chosen_machine() if machine is None else machine
    nodes = [n for n in nodes if isinstance(n, dict)
             and (not want or n.get("machine") == want)]
    if not nodes:
        return None
    join = lambda k: " / ".join(dict.fromkeys(str(n.get(k, "?")) for n in nodes))
    hosts = list(dict.fromkeys(str(n.get("host", "?")) for n in nodes))
    host = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    sub = meta.get("machine") if isinstance(meta.get("machine"), dict) else {}
    return {"host": host, "cpu_model": join("cpu_model"), "topology": join("topology"),
            "allowed_pus": nodes[0].get("allowed_pus", "?"),
            "kernel": join("kernel") if all("kernel" in n for n in nodes)
            else sub.get("kernel", "?"), "machine": want}


def read_meta(folder, machine=None):
    """Return @folder's meta.json, parsed; a Slurm run's "machine" is its
    nodes' (nodes_machine(), @machine as there), the submit host's moves
    to "submit_host". Raises OSError or ValueError (UnicodeDecodeError
    and JSONDecodeError are ValueErrors)."""
    with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    nm = nodes_machine(meta, machine)
    if nm is not None:
        meta["submit_host"] = meta.get("machine")
        meta["machine"] = nm
    return meta


def to_float(s):
    """A CSV cell as a finite float, or None (empty, not a number, inf, nan)."""
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def parse_options(s):
    """Return a backend option string `k=v;k=v` as an ordered list of
    (key, value); a part without '=' has an empty value."""
    out = []
    for part in (s or "").split(";"):
        if part:
            k, _, v = part.partition("=")
            out.append((k, v))
    return out


def options_dict(s):
    """Return a backend option string as a dict; parts without '=' are left out."""
    return {k: v for k, v in (p.split("=", 1) for p in (s or "").split(";") if "=" in p)}


def option(s, key):
    """Return the value of @key in option string @s, or '' when it has none."""
    for k, v in parse_options(s):
        if k == key:
            return v
    return ""


def median_rows(rows):
    """Return the rows that give a point's figure under the median-or-only-run
    rule, from all of the point's @rows: its median rows (more than one only
    in a malformed run), else its one run row, else []."""
    med = [r for r in rows if r.get("statistic") == "median"]
    if med:
        return med
    runs = [r for r in rows if r.get("statistic") == "run"]
    return runs if len(runs) == 1 else []


class Point:
    """One benchmark point: its median row and its run rows.

    The point's figure follows the median-or-only-run rule: the median row;
    with no median row, the one run row (a run of one repetition). A point
    with several run rows and no median row has the median of their values
    (value()) but no single row (row())."""

    def __init__(self):
        self.median = None
        self.runs = []

    def add(self, row):
        """Take @row if it is the point's median or one of its runs."""
        s = row.get("statistic", "")
        if s == "median":
            self.median = row
        elif s == "run":
            self.runs.append(row)

    def row(self):
        """Return the row that stands for the point (median, else the only
        run), or None."""
        if self.median is not None:
            return self.median
        return self.runs[0] if len(self.runs) == 1 else None

    def rows(self):
        """Return the point's rows: the median row (if any), then the runs."""
        return ([self.median] if self.median is not None else []) + self.runs

    def value_rows(self):
        """Return the rows a value is taken from: the median row, else every run."""
        return [self.median] if self.median is not None else self.runs

    def error(self):
        """Return why the point failed ('' when it did not): the median
        row's error, else the first run's."""
        if self.median is not None:
            return self.median.get("error") or ""
        return next((r["error"] for r in self.runs if r.get("error")), "")

    def status(self):
        """Return ('ok', None), ('failed' or 'dnf', reason) or ('missing', None)."""
        if self.median is None and not self.runs:
            return "missing", None
        err = self.error()
        if err:
            return ("dnf" if "did not finish" in err else "failed"), err
        return "ok", None

    def value(self, col):
        """Return the point's figure of @col as a float, or None: the median
        row's cell; with no median row, the median of the runs' cells."""
        vals = [to_float(r.get(col)) for r in self.value_rows()]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None


def points(rows, key):
    """Group @rows into Points by key(row), in the order keys first appear."""
    out = {}
    for r in rows:
        out.setdefault(key(r), Point()).add(r)
    return out


def load_claims(path=SEED_CLAIMS):
    """Return the seeds' published figures, {(case, what): row}, from
    paper/seed-claims.csv (or @path). Raises ResultsError."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ResultsError(f"{path}: {e.strerror}")
    if not rows or not set(CLAIM_COLUMNS).issubset(rows[0].keys()):
        raise ResultsError(f"{path}: not a seed-claims file (columns "
                           f"{', '.join(sorted(CLAIM_COLUMNS))})")
    return {(r["case"], r["what"]): r for r in rows}


def claim(claims, case, what):
    """Return a seed figure as (text as printed in the seed, float), or
    ('--', None) when seed-claims.csv has no such row."""
    r = claims.get((case, what))
    return (r["value"], to_float(r["value"])) if r else ("--", None)


def die(prog, msg, status=2):
    """Print '@prog: @msg' on stderr and exit with @status."""
    print(f"{prog}: {msg}", file=sys.stderr)
    sys.exit(status)


def table_rows(prog, folder):
    """The rows of @folder's results table for a table script: exit 2 with
    a message when the folder has none. Return (path, header, rows)."""
    path = csv_path(folder)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        die(prog, f"{os.path.join(folder, 'results.csv')}: missing or empty "
                  "(not a poolbench results folder?)")
    try:
        header, rows = read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error, lzma.LZMAError) as e:
        die(prog, f"{path}: cannot be read as CSV: {e}")
    return path, header, rows


def table_claims(prog):
    """The seeds' figures (load_claims) for a script: exit 2 with the
    reason when paper/seed-claims.csv cannot be read."""
    try:
        return load_claims()
    except ResultsError as e:
        die(prog, str(e))


def write_table(folder, name, text):
    """Write @text to tables/@name of @folder's out_dir() (under a
    temporary name, then renamed) and print it."""
    os.makedirs(os.path.join(out_dir(folder), "tables"), exist_ok=True)
    path = os.path.join(out_dir(folder), "tables", name)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    sys.stdout.write(text)


# ---------------------------------------------------------------- peers
#
# Each seed design beside the userspace library built on the same idea
# (docs/designs.md, "Peers"). A selector is (backend, {option: value}): a
# row matches when its backend is that name and its options hold every
# listed value. The figure (plotdata.py peers), the Markdown table
# (scripts/tables/peers.py) and the paper's table (tab-peers.tex) all read
# this one list, so they always show the same pairs.
PEER_PAIRS = (
    (("qmempool", {"localq": "256"}), (("dpdk-mempool", {"cache": "171"}),),
     "equal cache capacity: at most 256 free objects per CPU (qmempool localq=256) "
     "and per thread (DPDK flushes its cache of 171 at 1.5 x 171 = 256)"),
    (("qmempool", {"localq": "32"}),
     (("dpdk-mempool", {"cache": "256"}), ("gslice", {})),
     "each as it ships: Brouer's localq of 32, DPDK's cache of 256, GLib's magazines"),
    (("alf-mpmc", {}), (("dpdk-ring", {"sync": "mpmc"}), ("dpdk-ring", {"sync": "rts"}),
                        ("dpdk-ring", {"sync": "hts"})),
     "one shared ring as the free list, multi-producer/multi-consumer"),
    (("alf-spsc", {}), (("dpdk-ring", {"sync": "spsc"}),),
     "one ring, single producer and consumer (1 thread only)"),
    (("objpool-freelist", {"fill": "self"}),
     (("dpdk-stack", {"lf": "1"}), ("dpdk-stack", {"lf": "0"}), ("ck-stack", {})),
     "a LIFO free list: lock-free (ABA-safe) or locked"),
    (("objpool-ring", {}), (("dpdk-ring", {"sync": "mpmc"}),),
     "rings of object pointers"),
)
# The workloads of the comparison: (workload, parameters, title).
PEER_WORKLOADS = (("fastpath-reuse", {}, "fastpath-reuse"),
                  ("ring-cleanup", {"n": "256"}, "ring-cleanup N=256"),
                  ("bulk", {"n": "16"}, "bulk 16"))
# Geometry the comparison prefers when a run has several.
PEER_PREFS = {"obj_size": "64", "align": "0", "touch": "0", "placement": "compact"}


def selector_matches(sel, row):
    """Whether @row (a results.csv row) belongs to selector @sel."""
    backend, opts = sel
    if row.get("backend") != backend:
        return False
    have = options_dict(row.get("options", ""))
    return all(have.get(k) == v for k, v in opts.items())


def selector_label(sel):
    """A selector's name as the tables print it: `dpdk-ring sync=spsc`."""
    backend, opts = sel
    return " ".join([backend] + [f"{k}={v}" for k, v in opts.items()])


def selector_key(sel):
    """A selector in a hashable form, for dictionary keys."""
    return (sel[0], tuple(sel[1].items()))


def peer_selectors():
    """Every selector of PEER_PAIRS once, designs and peers in pair order."""
    out = []
    for design, peers, _ in PEER_PAIRS:
        for s in (design,) + tuple(peers):
            if s not in out:
                out.append(s)
    return out


class PeerData:
    """The points of a run that the design-beside-peer comparison reads:
    exclusive mode, PEER_WORKLOADS, the preferred geometry (PEER_PREFS, or
    the most common value where the run has none of it), keyed by
    (selector, workload, threads). @threads lists the thread counts shown:
    1 and the largest of the run's comparison rows."""

    def __init__(self, rows):
        mine = []
        for r in rows:
            if r.get("mode") != "exclusive":
                continue
            wl = next((w for w in PEER_WORKLOADS if w[0] == r.get("workload") and
                       all(r.get(k) == v for k, v in w[1].items())), None)
            if wl is None:
                continue
            sels = [s for s in peer_selectors() if selector_matches(s, r)]
            if sels:
                mine.append((r, wl[0], sels))
        self.kept = {}
        for col, want in PEER_PREFS.items():
            seen = [r.get(col, "") for r, _, _ in mine]
            if not seen:
                continue
            v = want if want in seen else max(dict.fromkeys(seen), key=seen.count)
            self.kept[col] = v
            mine = [m for m in mine if m[0].get(col, "") == v]
        counts = {int(t) for r, _, _ in mine
                  for t in [to_float(r.get("threads"))] if t is not None}
        self.threads = sorted({1, max(counts)}) if counts else []
        self.points = {}
        self.raw = {}
        for r, wl, sels in mine:
            t = to_float(r.get("threads"))
            if t is None or int(t) not in self.threads:
                continue
            for s in sels:
                key = (selector_key(s), wl, int(t))
                self.points.setdefault(key, Point()).add(r)
                self.raw.setdefault(key, []).append(r)

    def point(self, sel, workload, threads):
        """The Point of @sel on @workload at @threads, or None."""
        return self.points.get((selector_key(sel), workload, threads))

    def rows(self, sel, workload, threads):
        """Every row (all statistics) of @sel on @workload at @threads."""
        return self.raw.get((selector_key(sel), workload, threads), [])

    def has(self, sel):
        """Whether the run has any comparison point of @sel."""
        return any(k[0] == selector_key(sel) for k in self.points)


def peer_paired(data, design, peer, workload, threads):
    """The Ratio peer ns / design ns (above 1: the design is faster) of
    @design and @peer on @workload at @threads in PeerData @data, from
    their paired repetitions."""
    return paired_ratio(data.rows(peer, workload, threads),
                        data.rows(design, workload, threads), "ns_per_op")


# ---------------------------------------------------------------- paired ratios
#
# A ratio between two points is the median of their paired ratios: rep k
# of the numerator over rep k of the denominator (the same round of an
# interleaved run; in a back-to-back run the k-th repetition of each), with
# the exact interval of that median (pbstats.median_interval). Columns are
# read by header name: a run may have more (rep_start_s in newer runs).

# The columns that identify a benchmark point (each read where the file has
# it); backend and options first, machine last (empty in a run of one).
POINT_COLUMNS = ("backend", "options", "workload", "mode", "threads", "placement",
                 "obj_size", "align", "n", "touch", "keep", "count", "order", "fill",
                 "limit_s", "per_cpu", "pattern", "machine")
# Metrics where more is faster; every other (ns_per_op, alloc_ms, ...) is a time.
HIGHER_IS_FASTER = ("ops_per_sec", "efficiency", "hits_per_op")


# Workload parameters a table names in its `params` column.
PARAM_COLUMNS = ("n", "touch", "keep", "pattern", "per_cpu", "count", "order", "fill")


def params_text(row):
    """@row's workload parameters as `k=v` words, as the tables' `params`
    column shows them (touch=0, align=0 and placement=compact, the
    defaults, left out)."""
    out = [f"{c}={row[c]}" for c in PARAM_COLUMNS
           if row.get(c) and not (c == "touch" and row[c] == "0")]
    if (row.get("align") or "0") != "0":
        out.append(f"align={row['align']}")
    if (row.get("placement") or "compact") != "compact":
        out.append(f"placement={row['placement']}")
    return " ".join(out)


def point_key(row):
    """The identity of @row's benchmark point: POINT_COLUMNS' cells."""
    return tuple(row.get(c) or "" for c in POINT_COLUMNS)


def variant_labeller(rows):
    """A function giving a row's variant label as scripts/tables/backends.py
    prints it: the backend, plus the options whose values differ between
    that backend's rows in @rows (`qmempool (localq=256)`)."""
    sets = {}
    for r in rows:
        sets.setdefault(r.get("backend", ""), []).append(options_dict(r.get("options", "")))
    differ = {}
    for b, opts in sets.items():
        keys = []
        for o in opts:
            keys += [k for k in o if k not in keys]
        differ[b] = [k for k in keys if len({o.get(k) for o in opts}) > 1]

    def label(row):
        opts = options_dict(row.get("options", ""))
        parts = [f"{k}={opts.get(k, '')}" for k in differ.get(row.get("backend", ""), [])]
        return row.get("backend", "") + (f" ({' '.join(parts)})" if parts else "")
    return label


def run_value(row, metric):
    """A run row's @metric as a positive float, or None (the row has an
    error, or the cell is empty, not a number or not above 0)."""
    if row.get("error"):
        return None
    v = to_float(row.get(metric))
    return v if v is not None and v > 0 else None


class Ratio:
    """One ratio num/den of @metric between two points: the median of the
    paired ratios (.ratio), its interval (.lo, .hi) at the achieved
    coverage (.level), the verdict (pbstats), the number of pairs, the reps
    left out (.dropped), the old ratio of the two medians
    (.ratio_of_medians) and each side's cv over its run rows. A ratio that
    cannot be computed has .ratio None and the reason in .reason."""

    def __init__(self, metric):
        self.metric = metric
        self.pairs = 0
        self.ratios = []
        self.ratio = self.lo = self.hi = None
        self.level = 0.0
        self.verdict = ""
        self.ratio_of_medians = self.cv_num = self.cv_den = None
        self.dropped = []
        self.reason = ""

    def significant(self):
        """Whether the verdict names a faster side."""
        return self.verdict in (pbstats.NUM_FASTER, pbstats.DEN_FASTER)

    def text(self, common_level=None, digits=2, unit=""):
        """The ratio as a table prints it: `2.31 [2.20, 2.45]` (@digits
        decimals, @unit after the ratio: `2.31x [2.20, 2.45]`), then ` n.s.`
        when the interval holds 1, ` (2 pairs, 50%)` when there are too
        few pairs for a verdict, and the level when it is not
        @common_level; `--` when it cannot be computed."""
        if self.ratio is None:
            return "--"
        t = f"{self.ratio:.{digits}f}{unit} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"
        if self.verdict == pbstats.TOO_FEW:
            return t + f" ({self.pairs} pair{'s' if self.pairs != 1 else ''}, {pct(self.level)})"
        if common_level is None or abs(self.level - common_level) > 1e-12:
            t += f" at {pct(self.level)}"
        return t + (" n.s." if self.verdict == pbstats.NOT_SIGNIFICANT else "")


def pct(level):
    """A coverage as a percentage, as short as exact: 93.75%, 96.875%, 95.86%."""
    t = f"{100 * level:.3f}".rstrip("0").rstrip(".")
    return (t if len(t) <= 6 else f"{100 * level:.2f}") + "%"


def _one_point(rows, side):
    """The run rows and the Point of @rows' one benchmark point, or a reason."""
    keys = list(dict.fromkeys(point_key(r) for r in rows))
    if not keys:
        return None, None, f"{side}: not in the run"
    if len(keys) > 1:
        return None, None, f"{side}: {len(keys)} points match"
    pt = Point()
    for r in rows:
        pt.add(r)
    st, why = pt.status()
    if st == "missing":
        return None, None, f"{side}: no run rows"
    runs = [r for r in rows if r.get("statistic") == "run"]
    if st != "ok" and not any(not r.get("error") for r in runs):
        return None, None, f"{side}: " + ("did not finish" if st == "dnf" else f"failed ({why})")
    return runs, pt, ""


def _median_of(pt, runs, metric):
    """A side's median for ratio_of_medians: its median row's @metric when
    that row is there and error-free, else the median of its error-free runs."""
    if pt.median is not None and not pt.median.get("error"):
        return to_float(pt.median.get(metric))
    return pbstats.median(v for v in (run_value(r, metric) for r in runs) if v is not None)


def paired_ratio(num_rows, den_rows, metric, level=pbstats.LEVEL):
    """The Ratio num/den of @metric between two points, from all their rows
    (@num_rows, @den_rows: every statistic of one point each; only the
    `run` rows are paired, by `rep`)."""
    out = Ratio(metric)
    nr, npt, why = _one_point(num_rows, "numerator")
    dr, dpt, why2 = _one_point(den_rows, "denominator")
    if why or why2:
        out.reason = "; ".join(w for w in (why, why2) if w)
        return out
    pairs, out.dropped = pbstats.paired(
        [(r.get("rep", ""), r) for r in nr], [(r.get("rep", ""), r) for r in dr],
        lambda r: run_value(r, metric))
    out.cv_num = pbstats.cv(v for v in (run_value(r, metric) for r in nr) if v is not None)
    out.cv_den = pbstats.cv(v for v in (run_value(r, metric) for r in dr) if v is not None)
    mn, md = _median_of(npt, nr, metric), _median_of(dpt, dr, metric)
    if mn is not None and md:
        out.ratio_of_medians = mn / md
    out.pairs = len(pairs)
    if not pairs:
        out.reason = "no repetition in both"
        return out
    out.ratios = [a / b for _, a, b in pairs]
    out.ratio = pbstats.median(out.ratios)
    out.lo, out.hi, out.level = pbstats.median_interval(out.ratios, level)
    out.verdict = pbstats.verdict(out.lo, out.hi, out.level,
                                  lower_is_faster=metric not in HIGHER_IS_FASTER)
    return out


def select_rows(rows, want, opts=None):
    """The rows whose cells equal every value of @want ({column: value};
    a column the row lacks reads as '') and whose options hold every value
    of @opts ({option: value})."""
    opts = opts or {}
    out = []
    for r in rows:
        if all((r.get(c) or "") == v for c, v in want.items()):
            have = options_dict(r.get("options", ""))
            if all(have.get(k) == v for k, v in opts.items()):
                out.append(r)
    return out


def paired_ratios(rows, num, den, metric, level=pbstats.LEVEL):
    """The Ratio num/den of @metric in a run's @rows, each side a selector
    (want, opts): select_rows' column values and option values, which must
    pick out one benchmark point each."""
    return paired_ratio(select_rows(rows, *num), select_rows(rows, *den), metric, level)


def common_level(ratios):
    """The achieved level most of @ratios share (None when none has one)."""
    levels = [r.level for r in ratios if r.ratio is not None and r.verdict != pbstats.TOO_FEW]
    return max(dict.fromkeys(levels), key=levels.count) if levels else None


def interval_legend(ratios):
    """One sentence saying how the ratio cells of @ratios were made."""
    lv = common_level(ratios)
    at = f"{pct(lv)} " if lv is not None else ""
    return (f"Each ratio is the median of the ratios of paired repetitions (rep k with rep k), "
            f"in brackets its exact {at}interval (the level is given where it differs); "
            "`n.s.`: the interval holds 1 (not significant); `--`: not computable "
            "(docs/statistics.md).")


# ---------------------------------------------------------------- modes
#
# What protecting per-CPU state costs (scripts/tables/modes.py, the README,
# the paper's macros): fastpath-reuse, 1 thread, 64 B, in the three
# context modes.
MODES = ("exclusive", "shared", "rseq")
# Seed 000's cost of local_bh_disable+enable on its E5-2695, ns (Brouer's
# published per-operation costs, REFERENCE §2).
SEED_BH_NS = 7.5


def _paired_diff(runs_a, runs_b):
    """The median of the paired differences b - a (rep k with rep k) and
    its exact interval: (median, lo, hi, level), or None."""
    pairs, _ = pbstats.paired(runs_a, runs_b)
    d = [b - a for _, a, b in pairs]
    if not d:
        return None
    lo, hi, level = pbstats.median_interval(d)
    return (pbstats.median(d), lo, hi, level)


def protection_costs(rows):
    """Every backend variant of @rows that ran fastpath-reuse at 1 thread,
    64 B, untouched, in the three modes, by variant label (sorted):
    {"median": {mode: ns per pair}, "shared": shared - exclusive,
    "rseq": rseq - exclusive}, each difference (median, lo, hi, level)
    of the paired repetitions, or None."""
    label = variant_labeller([r for r in rows if r.get("workload") == "fastpath-reuse"])
    runs = {}
    for r in rows:
        if (r.get("workload") != "fastpath-reuse" or r.get("threads") != "1" or
                r.get("obj_size") != "64" or r.get("statistic") != "run" or
                (r.get("touch") or "0") != "0" or r.get("mode") not in MODES):
            continue
        v = run_value(r, "ns_per_op")
        if v is not None:
            runs.setdefault(label(r), {}).setdefault(r["mode"], []).append((r.get("rep"), v))
    out = {}
    for var in sorted(runs):
        m = runs[var]
        if not all(m.get(k) for k in MODES):
            continue
        out[var] = {
            "median": {k: pbstats.median(v for _, v in m[k]) for k in MODES},
            "shared": _paired_diff(m["exclusive"], m["shared"]),
            "rseq": _paired_diff(m["exclusive"], m["rseq"]),
        }
    return out
