#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# percpu.py RESULTS_DIR [ALIGNED_DIR [MEMPOOL_DIR]] - the percpu tables
# (seeds 003 and 004) from stored `million` runs (`make run-percpu`): alloc
# ms / free ms of 2^20 objects by size, area map against bitmap (and
# malloc), in the worst free order and in all three, the second-half-filled
# case, and, from ALIGNED_DIR, the aligned case (4-byte objects, 8-byte
# alignment), and from MEMPOOL_DIR the percpu mempool against direct percpu
# allocation. Medians over repetitions (the one run when there is one); a
# case that did not finish within its limit says so; the free-time ratio
# is the median of the paired repetitions' ratios with its exact interval
# (docs/statistics.md). Our figures are read
# from results.csv (or .xz); the seed's, quoted for comparison, from
# paper/seed-claims.csv. Writes RESULTS_DIR/tables/percpu.md and prints it.
#
# Exit status: 0 written; 2 bad arguments, not a results folder, or a
# RESULTS_DIR without million rows.

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
A, B, M = "percpu-areamap", "percpu-bitmap", "malloc"
ORDERS = ("in-order", "alternating", "reverse")
UNIT_WORDS = {"min": "minutes"}


class Case:
    """One million case (backend, size, order, fill, align) of one run:
    status 'ok', 'dnf' (with the limit, in s) or 'failed', or None when the
    point has no single figure (several runs and no median row)."""

    def __init__(self, point):
        rows = point.rows()
        self.rows = rows
        err = next((r["error"] for r in rows if r.get("error")), "")
        self.limit = ""
        self.alloc = self.free = self.meta = self.chunks = ""
        if err:
            self.status = "dnf" if "did not finish" in err else "failed"
            self.limit = next(r.get("limit_s", "") for r in rows if r.get("error"))
            return
        self.status = "ok"
        row = point.row()
        if row is not None:
            self.alloc, self.free = row.get("alloc_ms", ""), row.get("free_ms", "")
            self.meta, self.chunks = row.get("metadata_per_obj", ""), row.get("chunks_peak", "")
        else:
            self.status = None


def cases(rows, aligned):
    """{(backend, size, order, fill, align): Case} of the million rows."""
    pts = pbresults.points(
        (r for r in rows if r.get("workload") == "million"),
        lambda r: (r.get("backend", ""), int(pbresults.to_float(r.get("obj_size")) or 0),
                   r.get("order", ""), r.get("fill", ""),
                   int(pbresults.to_float(r.get("align")) or 0)))
    out = {}
    for k, p in pts.items():
        c = Case(p)
        if c.status is not None:
            out[(aligned,) + k] = c
    return out


def ms(x):
    if x == "":
        return "n/a"
    x = float(x)
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}"


def cell(st, k):
    if k not in st:
        return "n/a"
    c = st[k]
    if c.status == "dnf":
        return f"did not finish ({c.limit} s)"
    if c.status == "failed":
        return "failed"
    return f"{ms(c.alloc)} / {ms(c.free)}"


def seed_pair(claims, case, who):
    """'alloc / free' text and the free figure of one seed allocator."""
    a, _ = pbresults.claim(claims, case, f"{who} alloc ms")
    f, fv = pbresults.claim(claims, case, f"{who} free ms")
    return f"{a} / {f}", fv


def million_tables(st, sizes, claims, with_aligned):
    shown = []
    # The level most worst-order ratios reach (5 pairs: 93.75%).
    level = pbresults.common_level(
        pbresults.paired_ratio(st[k].rows, st[("main", B) + k[2:]].rows, "free_ms")
        for k in st if k[:2] == ("main", A) and ("main", B) + k[2:] in st)
    out = ["### Seed 003: 2^20 objects, alloc ms / free ms, worst free order", "",
           "Worst order: the one with the largest free time, per backend and size.", "",
           "| size | area map | bitmap | malloc | area-map free / bitmap free | seed area map "
           "| seed bitmap | seed free ratio |",
           "|---|---|---|---|---|---|---|---|"]
    for s in sizes:
        line = f"| {s} B |"
        worst = []
        for b in (A, B, M):
            w, wf, dnf = None, -1.0, None
            for o in ORDERS:
                k = ("main", b, s, o, "none", 0)
                if k not in st:
                    continue
                if st[k].status != "ok":
                    dnf = k
                    continue
                f = pbresults.to_float(st[k].free) or 0.0
                if f > wf:
                    wf, w = f, k
            worst.append(dnf or w)
            if worst[-1] is None:
                line += " n/a |"
            else:
                line += f" {cell(st, worst[-1])}" + (f" ({w[3]})" if dnf is None else "") + " |"
        wa, wb = worst[0], worst[1]
        fa = pbresults.to_float(st[wa].free) if wa and st[wa].status == "ok" else None
        fb = pbresults.to_float(st[wb].free) if wb and st[wb].status == "ok" else None
        if wa and wb and fa is not None and fb and fb > 0:
            r = pbresults.paired_ratio(st[wa].rows, st[wb].rows, "free_ms")
            shown.append(r)
            line += f" {r.text(level, digits=1, unit='x')} |"
        else:
            line += " n/a |"
        case = f"million-worst-{s}B"
        if (case, "area map free ms") not in claims:
            out.append(line + " - | - | - |")
            continue
        sa, seed_fa = seed_pair(claims, case, "area map")
        sb, seed_fb = seed_pair(claims, case, "bitmap")
        ratio = f"{seed_fa / seed_fb:.1f}x" if seed_fa is not None and seed_fb else "n/a"
        out.append(line + f" {sa} | {sb} | {ratio} |")
    out += ["", "Area-map free / bitmap free: " + pbresults.interval_legend(shown)]
    out += ["", "### All three free orders: alloc ms / free ms", "",
            "| size | order | area map | bitmap | malloc |", "|---|---|---|---|---|"]
    for s in sizes:
        for o in ORDERS:
            out.append(f"| {s} B | {o} |"
                       + "".join(f" {cell(st, ('main', b, s, o, 'none', 0))} |" for b in (A, B, M)))
    out += ["", "Bitmap free time across the three orders (target: within 2x for every size):", "",
            "| size | bitmap free ms, min | max | max / min |", "|---|---|---|---|"]
    for s in sizes:
        frees = [pbresults.to_float(st[k].free) or 0.0 for k in
                 (("main", B, s, o, "none", 0) for o in ORDERS) if k in st and st[k].status == "ok"]
        lo, hi = (min(frees), max(frees)) if frees else (-1, -1)
        if lo > 0:
            out.append(f"| {s} B | {ms(lo)} | {ms(hi)} | {hi / lo:.2f}x |")
        else:
            out.append(f"| {s} B | n/a | n/a | n/a |")
    out += ["", "### Second half of every page pre-filled, freed in order: alloc ms / free ms", "",
            "| size | area map | bitmap | malloc | seed area map | seed bitmap |",
            "|---|---|---|---|---|---|"]
    for s in sizes:
        line = f"| {s} B |" + "".join(
            f" {cell(st, ('main', b, s, 'in-order', 'second-half', 0))} |" for b in (A, B, M))
        case = f"million-second-half-{s}B"
        if (case, "area map free ms") not in claims:
            out.append(line + " - | - |")
            continue
        sa, _ = seed_pair(claims, case, "area map")
        sb, _ = seed_pair(claims, case, "bitmap")
        out.append(line + f" {sa} | {sb} |")
    out += ["", "### Metadata with all 2^20 objects live (in order, no pre-fill)", "",
            "| size | area map bytes/object | chunks | bitmap bytes/object | chunks |",
            "|---|---|---|---|---|"]
    for s in sizes:
        line = f"| {s} B |"
        for b in (A, B):
            c = st.get(("main", b, s, "in-order", "none", 0))
            if c is not None and c.status == "ok" and c.meta != "":
                line += f" {float(c.meta):.2f} | {int(pbresults.to_float(c.chunks) or 0)} |"
            else:
                line += " n/a | n/a |"
        out.append(line)
    if not with_aligned:
        return out
    out += ["", "### Aligned: 2^20 4-byte objects with 8-byte alignment, freed in order", "",
            "| backend | alloc ms | free ms | total s | seed (kernel) |", "|---|---|---|---|---|"]
    case = "million-aligned-4B-align8"
    for b, who, about in ((A, "area map total", ""), (B, "bitmap total", "about "), (M, None, "")):
        seed = "-"
        if who and (case, who) in claims:
            c = claims[case, who]
            seed = f"{about}{c['value']} {UNIT_WORDS.get(c['unit'], c['unit'])}"
        k = ("aligned", b, 4, "in-order", "none", 8)
        if k not in st:
            out.append(f"| {b} | n/a | n/a | n/a | {seed} |")
        elif st[k].status != "ok":
            out.append(f"| {b} | {cell(st, k)} | | | {seed} |")
        else:
            a, f = st[k].alloc, st[k].free
            total = ((pbresults.to_float(a) or 0) + (pbresults.to_float(f) or 0)) / 1000
            out.append(f"| {b} | {ms(a)} | {ms(f)} | {total:.2f} | {seed} |")
    return out


def jq_text(x):
    """A JSON value as `jq -r` prints it inside a string."""
    return x if isinstance(x, str) else json.dumps(x)


def mempool_table(rows, folder):
    """Seed 004: the percpu mempool against direct percpu allocation."""
    def name(r):
        o = r.get("options", "")
        return (r.get("backend", "") + (" " + o if o else "")).replace(";", " ")

    pts = pbresults.points(
        (r for r in rows if r.get("statistic") in ("median", "run") and r.get("backend") != "null"),
        lambda r: (name(r), 1 if r.get("workload") == "fastpath-reuse" else 2))
    keys = list(dict.fromkeys(k for k, _ in pts))

    def num(x, fmt):
        return "n/a" if x == "" else fmt % float(x)

    def cells(k):
        ns, extra = {}, ["n/a"] * 4
        for w in (1, 2):
            p = pts.get((k, w))
            if p is None:
                continue
            if any(r.get("error") for r in p.rows()):
                ns[w] = "failed"
                continue
            row = p.row()
            if row is None:
                ns[w] = "n/a"
                continue
            ns[w] = num(row.get("ns_per_op", ""), "%.1f")
            if w == 2:
                extra = [num(row.get(c, ""), f) for c, f in (
                    ("reserve_hits_per_op", "%.3f"), ("backing_allocs_per_op", "%.3f"),
                    ("refills_per_op", "%.4f"), ("alloc_fails_per_op", "%.4f"))]
        return [ns.get(1, "n/a"), ns.get(2, "n/a")] + extra

    out = ["", "### Seed 004: percpu mempool against direct percpu allocation "
               "(ns per alloc+free pair)", "",
           "| backend and options | fastpath-reuse | ring-cleanup N(256) | reserve hits / pair "
           "| backing allocs / pair | refills / pair | alloc fails / pair |",
           "|---|---|---|---|---|---|---|"]
    out += [f"| {k} | " + " | ".join(cells(k)) + " |" for k in keys]
    # n/a: a point the run skipped, each given here with its reason.
    try:
        meta = pbresults.read_meta(folder)
    except (OSError, ValueError):
        return out
    run = meta.get("run") if isinstance(meta, dict) else None
    skipped = run.get("skipped") if isinstance(run, dict) else None
    skipped = skipped if isinstance(skipped, list) else []
    if any(str(s.get("benchmark", "")).startswith(("null", "percpu", "mutex")) for s in skipped):
        out += ["", "n/a: not run. Skipped points of this run (meta.json, run.skipped):", ""]
        out += [f"- `{jq_text(s.get('benchmark'))}`: {jq_text(s.get('reason'))}" for s in skipped]
    return out


def main(argv):
    if not 1 <= len(argv) <= 3 or not argv[0]:
        pbresults.die(PROG, "usage: percpu.py RESULTS_DIR [ALIGNED_DIR [MEMPOOL_DIR]]")
    folder = argv[0]
    aligned = argv[1] if len(argv) > 1 else ""
    mempool = argv[2] if len(argv) > 2 else ""
    path, header, rows = pbresults.table_rows(PROG, folder)
    if "alloc_ms" not in header:
        pbresults.die(PROG, f"{path} has no alloc_ms column "
                            "(a run older than the million workload)")
    extra = {}
    for d in (aligned, mempool):
        if d:
            extra[d] = pbresults.table_rows(PROG, d)[2]
    if not any(r.get("workload") == "million" for r in rows):
        pbresults.die(PROG, f"{path} has no million rows (run make run-percpu)")
    claims = pbresults.table_claims(PROG)
    st = cases(rows, "main")
    if aligned:
        st.update(cases(extra[aligned], "aligned"))
    sizes = sorted({k[2] for k in st})
    out = million_tables(st, sizes, claims, bool(aligned))
    if mempool:
        out += mempool_table(extra[mempool], mempool)
    pbresults.write_table(folder, "percpu.md", "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
