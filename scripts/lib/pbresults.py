# SPDX-License-Identifier: GPL-2.0-only
#
# pbresults.py - the one reader of a stored poolbench results folder, shared
# by the figure data (scripts/figures/plotdata.py), the tables
# (scripts/tables/*.py) and the paper (scripts/paper/paper-tables.py):
#
#   - results.csv, or results.csv.xz where only that is there (the committed
#     reference run keeps it compressed);
#   - meta.json;
#   - the median-or-only-run rule: a benchmark point's figure is its median
#     row; with no median row (one repetition), its only run row;
#   - backend option strings, `key=value;key=value`;
#   - the seeds' published figures, from paper/seed-claims.csv (the only
#     place they are written down).
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


def read_csv(path, errors="strict"):
    """Read a results table whole. Return (header, rows), rows as dicts.
    Raises OSError, UnicodeDecodeError, csv.Error or lzma.LZMAError."""
    with open_csv(path, errors) as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return reader.fieldnames or [], rows


def read_meta(folder):
    """Return @folder's meta.json, parsed. Raises OSError or ValueError
    (UnicodeDecodeError and JSONDecodeError are ValueErrors)."""
    with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
        return json.load(f)


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
    """Write @text to @folder/tables/@name (under a temporary name, then
    renamed) and print it."""
    os.makedirs(os.path.join(folder, "tables"), exist_ok=True)
    path = os.path.join(folder, "tables", name)
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


def peer_ratio(design, peer):
    """peer ns / design ns of two Points (>1: the design is faster), or None
    when either has no value (missing, failed or skipped)."""
    if design is None or peer is None or design.status()[0] != "ok" or \
            peer.status()[0] != "ok":
        return None
    d, p = design.value("ns_per_op"), peer.value("ns_per_op")
    return p / d if d and p is not None else None
