#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# ratios.py RESULTS_DIR - every ratio between two backends that a table,
# figure or the paper shows, from one stored run (results.csv or .xz),
# each as the median of the ratios of paired repetitions (rep k of the
# numerator over rep k of the denominator) with its exact interval, the
# achieved coverage and a verdict (scripts/lib/pbstats.py; the method and
# every column: docs/statistics.md):
#
#   peers     peer / design ns per pair, every PEER_PAIRS point
#             (scripts/tables/peers.py, fig6, tab-peers);
#   qmempool  a general allocator's ns / qmempool's (qmempool's speed-up),
#             fastpath-reuse and ring-cleanup n=256, 1 thread, 64 B, every
#             qmempool option set, both modes, over the general allocator's
#             exclusive-mode point (scripts/tables/qmempool.py, tab-qmempool);
#   objpool   objpool-ring / objpool-freelist on scaling and remote-free
#             (ops_per_sec) and overrun (ns_per_op), every point both have
#             (scripts/tables/objpool.py, fig3);
#   percpu    percpu-areamap / percpu-bitmap alloc_ms and free_ms on
#             million, every size, order and fill both have
#             (scripts/tables/percpu.py, fig4, tab-percpu);
#   queue     alf-mpmc / alf-spsc ns per element, 1 thread, exclusive, on
#             the alf_queue table's points (scripts/tables/queue.py).
#
# Writes RESULTS_DIR/ratios.csv, RESULTS_DIR/tables/ratios.md (printed) and
# RESULTS_DIR/tables/cv.md (of a machine comparison: under
# RESULTS_DIR/machines/<PB_MACHINE>/, one machine at a time): the cv of
# every fastpath-reuse point's runs and their median. A ratio that cannot
# be computed is `--` with the reason.
# Called by make run-all / run-quick after a run; tests:
# tests/harness/test_ratios.sh.
#
# Exit status: 0 written; 2 bad arguments or not a results folder.

import csv
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402
import pbstats  # noqa: E402

PROG = os.path.basename(__file__)
COLUMNS = ("id", "kind", "numerator", "denominator", "workload", "mode", "threads",
           "obj_size", "params", "metric", "pairs", "ratio", "lo", "hi", "level",
           "verdict", "ratio_of_medians", "cv_num", "cv_den", "dropped", "note")
QMEMPOOL_WORKLOADS = (("fastpath-reuse", ""), ("ring-cleanup", "256"))
OBJPOOL_METRICS = {"scaling": "ops_per_sec", "remote-free": "ops_per_sec",
                   "overrun": "ns_per_op"}


params = pbresults.params_text  # the `params` column


def num(v, fmt="%.6g"):
    """A number as a cell (6 significant digits by default); '' for None."""
    return "" if v is None else fmt % v


def slug(s):
    """A label as a part of an id: `qmempool (localq=32)` -> `qmempool_localq=32`."""
    s = s.replace(" (", "_").replace(")", "")
    return "".join(c if c.isalnum() or c in "=.-" else "_" for c in s)


class Table:
    """The ratios of one run, in the order they are added."""

    def __init__(self, rows):
        self.rows = rows
        self.label = pbresults.variant_labeller(rows)
        self.out = []

    def add(self, kind, num_rows, den_rows, metric, num_label=None, den_label=None, row=None):
        """Add the Ratio num/den of @metric between two points' rows; the
        labels default to the variants' labels, the point's columns come
        from @row (default the numerator's first row, else the
        denominator's)."""
        r = pbresults.paired_ratio(num_rows, den_rows, metric)
        ref = row or (num_rows or den_rows or [{}])[0]
        nl = num_label or (self.label(num_rows[0]) if num_rows else "?")
        dl = den_label or (self.label(den_rows[0]) if den_rows else "?")
        d = {"kind": kind, "numerator": nl, "denominator": dl,
             "workload": ref.get("workload", ""), "mode": ref.get("mode", ""),
             "threads": ref.get("threads", ""), "obj_size": ref.get("obj_size", ""),
             "params": params(ref), "metric": metric}
        for side, rows in (("numerator", num_rows), ("denominator", den_rows)):
            if rows and rows[0].get("mode") != d["mode"]:
                d[side] += f" ({rows[0].get('mode')})"
        d["id"] = ":".join([kind, slug(d["numerator"]), slug(d["denominator"]), d["workload"],
                            d["mode"], f"{d['threads']}t", f"{d['obj_size']}B"]
                           + ([slug(d["params"])] if d["params"] else []) + [metric])
        self.out.append((d, r))


def peers(t):
    """peer / design ns of every PEER_PAIRS point (as peers.py shows it)."""
    data = pbresults.PeerData(t.rows)
    for design, prs, _ in pbresults.PEER_PAIRS:
        for peer in prs:
            if not data.has(design) and not data.has(peer):
                continue
            for wl, _, _ in pbresults.PEER_WORKLOADS:
                for th in data.threads:
                    p, d = data.rows(peer, wl, th), data.rows(design, wl, th)
                    ref = dict((p or d or [data.kept])[0], threads=str(th), workload=wl,
                               mode="exclusive")
                    t.add("peers", p, d, "ns_per_op", pbresults.selector_label(peer),
                          pbresults.selector_label(design), ref)


def geometry(r, threads="1"):
    """Whether @r is at @threads, 64 B, no touch, malloc alignment, compact."""
    return (r.get("threads") == threads and r.get("obj_size") == "64"
            and (r.get("touch") or "0") == "0" and (r.get("align") or "0") == "0"
            and (r.get("placement") or "compact") == "compact")


def qmempool(t):
    """A general allocator's ns / qmempool's, per qmempool option set and mode."""
    for wl, n in QMEMPOOL_WORKLOADS:
        mine = [r for r in t.rows if r.get("workload") == wl and (r.get("n") or "") == n
                and geometry(r) and r.get("mode") in ("exclusive", "shared")]
        qms = list(dict.fromkeys(r.get("options", "") for r in mine
                                 if r.get("backend") == "qmempool"))
        gens = list(dict.fromkeys(r["backend"] for r in mine
                                  if r.get("backend") == "malloc"
                                  or r.get("backend", "").startswith("malloc:")))
        for o in qms:
            for mode in ("exclusive", "shared"):
                den = [r for r in mine if r["backend"] == "qmempool"
                       and r.get("options", "") == o and r["mode"] == mode]
                if not den:
                    continue
                for g in gens:
                    nr = [r for r in mine if r["backend"] == g and r["mode"] == "exclusive"]
                    t.add("qmempool", nr, den, "ns_per_op", row=den[0])


def matched(t, workloads, a, b):
    """Pairs (a rows, b rows) of the points of backends @a and @b on
    @workloads that agree in every point column but backend and options."""
    pts = pbresults.points((r for r in t.rows if r.get("workload") in workloads
                            and r.get("backend") in (a, b)), pbresults.point_key)
    rest = lambda k: k[2:]  # noqa: E731  (POINT_COLUMNS: backend, options first)
    for k, p in pts.items():
        if k[0] != a:
            continue
        for k2, p2 in pts.items():
            if k2[0] == b and rest(k2) == rest(k):
                yield p.rows(), p2.rows()


def objpool(t):
    """objpool-ring / objpool-freelist on every point both have."""
    for nr, dr in matched(t, OBJPOOL_METRICS, "objpool-ring", "objpool-freelist"):
        t.add("objpool", nr, dr, OBJPOOL_METRICS[nr[0]["workload"]])


def percpu(t):
    """percpu-areamap / percpu-bitmap alloc and free ms on million."""
    for nr, dr in matched(t, ("million",), "percpu-areamap", "percpu-bitmap"):
        for metric in ("alloc_ms", "free_ms"):
            t.add("percpu", nr, dr, metric)


def queue(t):
    """alf-mpmc / alf-spsc at 1 thread, exclusive: fastpath-reuse,
    ring-cleanup n=128 and bulk (queue.py's simple, multi(128), bulkN)."""
    for nr, dr in matched(t, ("fastpath-reuse", "ring-cleanup", "bulk"), "alf-mpmc", "alf-spsc"):
        r = nr[0]
        if r.get("threads") == "1" and r.get("mode") == "exclusive" and \
                (r["workload"] != "ring-cleanup" or r.get("n") == "128"):
            t.add("queue", nr, dr, "ns_per_op")


def csv_row(d, r):
    """The ratios.csv row of label dict @d and Ratio @r."""
    out = dict(d)
    ok = r.ratio is not None
    out.update(pairs=str(r.pairs), ratio=num(r.ratio), lo=num(r.lo), hi=num(r.hi),
               level=num(r.level) if ok else "", verdict=r.verdict if ok else "--",
               ratio_of_medians=num(r.ratio_of_medians), cv_num=num(r.cv_num),
               cv_den=num(r.cv_den),
               dropped=" ".join(f"{rep}:{why.replace(' ', '-')}" for rep, why in r.dropped),
               note=r.reason)
    if not ok:
        out["ratio"] = "--"
    return out


def markdown(t):
    """tables/ratios.md: every ratio with its interval and verdict."""
    rs = [r for _, r in t.out]
    level = pbresults.common_level(rs)
    out = ["Every ratio between two backends that the tables, figures and paper show "
           "(`ratios.csv` has them with every column). " + pbresults.interval_legend(rs)
           + " Verdict: the faster side where the interval excludes 1 (for ns and ms the "
           "one that takes less time, for ops_per_sec the one that does more); "
           "`ratio of medians`: the median over the median, for comparison.", "",
           "| kind | numerator | denominator | workload | mode | thr | size | params | metric "
           "| pairs | ratio [interval] | verdict | ratio of medians |",
           "|---|---|---|---|---|---:|---:|---|---|---:|---:|---|---:|"]
    for d, r in t.out:
        cell = r.text(level) if r.ratio is not None else f"-- ({r.reason})"
        verdict = {pbstats.NUM_FASTER: f"{d['numerator']} faster",
                   pbstats.DEN_FASTER: f"{d['denominator']} faster"}.get(r.verdict,
                                                                         r.verdict or "--")
        out.append(f"| {d['kind']} | {d['numerator']} | {d['denominator']} | {d['workload']} "
                   f"| {d['mode']} | {d['threads']} | {d['obj_size']} | {d['params']} "
                   f"| {d['metric']} | {r.pairs} | {cell} | {verdict} "
                   f"| {num(r.ratio_of_medians, '%.2f') or '--'} |")
    if not t.out:
        out.append("| (no ratio of the tables in this run) |" + " |" * 12)
    return "\n".join(out) + "\n"


def cv_table(t):
    """tables/cv.md: every fastpath-reuse point's cv over its run rows."""
    out = ["The spread of every fastpath-reuse point: the cv (sample stddev / mean) of its "
           "repetitions' ns per alloc+free pair.", "",
           "| variant | mode | threads | obj_size | median ns_per_op | cv | reps |",
           "|---|---|---:|---:|---:|---:|---:|"]
    cvs = []
    pts = pbresults.points((r for r in t.rows if r.get("workload") == "fastpath-reuse"),
                           pbresults.point_key)
    for p in pts.values():
        rows = p.rows()
        vals = [v for v in (pbresults.run_value(r, "ns_per_op") for r in p.runs) if v is not None]
        c = pbstats.cv(vals)
        med = p.value("ns_per_op") if p.status()[0] == "ok" else None
        if c is not None:
            cvs.append(c)
        r0 = rows[0]
        out.append(f"| {t.label(r0)} | {r0.get('mode', '')} | {r0.get('threads', '')} "
                   f"| {r0.get('obj_size', '')} | {num(med, '%.3g') or '--'} "
                   f"| {num(c and 100 * c, '%.1f%%') if c is not None else '--'} | {len(vals)} |")
    m = pbstats.median(cvs)
    out += ["", f"median cv over {len(cvs)} fastpath-reuse rows: "
                + (f"{100 * m:.1f}%" if m is not None else "-- (no point with 2 repetitions)")]
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: ratios.py RESULTS_DIR")
    folder = argv[0]
    _, _, rows = pbresults.table_rows(PROG, folder)
    t = Table(rows)
    peers(t)
    qmempool(t)
    objpool(t)
    percpu(t)
    queue(t)
    path = os.path.join(pbresults.out_dir(folder), "ratios.csv")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
            w.writeheader()
            for d, r in t.out:
                w.writerow(csv_row(d, r))
        os.replace(path + ".tmp", path)
    except OSError as e:
        pbresults.die(PROG, f"{path}: {e.strerror}")
    pbresults.write_table(folder, "ratios.md", markdown(t))
    pbresults.write_table(folder, "cv.md", cv_table(t))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
