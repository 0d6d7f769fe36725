#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# peers.py RESULTS_DIR - each seed design beside its userspace peer (DPDK,
# Concurrency Kit, GLib), from one stored run: for every pair of
# pbresults.PEER_PAIRS and every workload of PEER_WORKLOADS (fastpath-reuse,
# ring-cleanup N=256, bulk 16), the design's and the peer's median ns per
# alloc+free pair and their ratio, all measured in the same run, exclusive
# mode, at 1 thread and at the largest thread count of the run. Writes
# RESULTS_DIR/tables/peers.md and prints it, and the ratios alone, one row
# per pair, to RESULTS_DIR/tables/peers-ratios.md (the README shows that
# one for the reference run; tests/harness/test_reference.sh keeps the two
# equal).
#
# A cell whose benchmark failed says `failed`; one the run does not have
# (not run, or skipped: dpdk-ring sync=spsc at 2 threads) says `--`. Never
# a number that was not measured.
#
# Exit status: 0 written; 2 bad arguments or not a results folder.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pbresults  # noqa: E402

PROG = os.path.basename(__file__)
# The workloads' titles in the ratio table (the README shows it: short).
SHORT = {"fastpath-reuse": "reuse", "ring-cleanup": "ring 256", "bulk": "bulk 16"}


def cell(point):
    if point is None:
        return "--"
    st, _ = point.status()
    if st == "missing":
        return "--"
    if st != "ok":
        return "DNF" if st == "dnf" else "failed"
    v = point.value("ns_per_op")
    if v is None:
        return "--"
    return f"{v:.0f}" if v >= 100 else f"{v:.3g}"  # never an exponent


def main(argv):
    if len(argv) != 1 or not argv[0]:
        pbresults.die(PROG, "usage: peers.py RESULTS_DIR")
    _, _, rows = pbresults.table_rows(PROG, argv[0])
    data = pbresults.PeerData(rows)
    kept = ", ".join(f"{k}={v}" for k, v in data.kept.items())
    ratios = {(pbresults.selector_key(d), pbresults.selector_key(p), wl, t):
              pbresults.peer_paired(data, d, p, wl, t)
              for d, peers, _ in pbresults.PEER_PAIRS for p in peers
              for wl, _, _ in pbresults.PEER_WORKLOADS for t in data.threads}
    level = pbresults.common_level(ratios.values())
    out = ["Each design beside its peer: median ns per alloc+free pair, exclusive "
           f"mode ({kept or 'no comparison rows'}); ratio = peer / design, "
           "above 1 the design is faster. `--`: not in the run (or skipped), "
           "`failed`: the benchmark reported an error. "
           + pbresults.interval_legend(ratios.values()), ""]
    head = "| design | peer | threads |"
    rule = "|---|---|---:|"
    for _, _, title in pbresults.PEER_WORKLOADS:
        head += f" {title}: design | peer | ratio |"
        rule += "---:|---:|---:|"
    out += [head, rule]
    n = 0
    for design, peers, _ in pbresults.PEER_PAIRS:
        for peer in peers:
            if not data.has(design) and not data.has(peer):
                continue
            for t in data.threads:
                line = (f"| {pbresults.selector_label(design)} | "
                        f"{pbresults.selector_label(peer)} | {t} |")
                for wl, _, _ in pbresults.PEER_WORKLOADS:
                    d, p = data.point(design, wl, t), data.point(peer, wl, t)
                    r = ratios[pbresults.selector_key(design), pbresults.selector_key(peer), wl, t]
                    line += f" {cell(d)} | {cell(p)} | {r.text(level)} |"
                out.append(line)
                n += 1
    if not n:
        out.append("| (no design or peer of the comparison in this run) |" + " |" * 11)
    out += ["", "Why each pair:", ""]
    for design, peers, why in pbresults.PEER_PAIRS:
        out.append(f"- {pbresults.selector_label(design)} against "
                   f"{', '.join(pbresults.selector_label(p) for p in peers)}: {why}.")
    pbresults.write_table(argv[0], "peers.md", "\n".join(out) + "\n")
    pbresults.write_table(argv[0], "peers-ratios.md", ratio_table(data, ratios))
    return 0


def short(r):
    """A ratio without its interval: `2.31`; `(0.98)` when not significant,
    `2.31?` when too few pairs for a verdict; `--` when not computable."""
    if r.ratio is None:
        return "--"
    if r.verdict == pbresults.pbstats.NOT_SIGNIFICANT:
        return f"({r.ratio:.2f})"
    return f"{r.ratio:.2f}" + ("?" if r.verdict == pbresults.pbstats.TOO_FEW else "")


def ratio_table(data, ratios):
    """One row per pair: peer ns / design ns for each workload at each
    thread count shown (above 1: the design is faster), the median of the
    paired ratios, in parentheses when its interval holds 1."""
    cols = [(wl, title, t) for wl, _, title in pbresults.PEER_WORKLOADS
            for t in data.threads]
    out = ["| design | peer | " + " | ".join(f"{SHORT.get(wl, wl)} {t}t" for wl, _, t in cols) + " |",
           "|---|---|" + "---:|" * len(cols)]
    selector_key = pbresults.selector_key
    shown = []
    n = 0
    for design, peers, _ in pbresults.PEER_PAIRS:
        for peer in peers:
            if not data.has(design) and not data.has(peer):
                continue
            cells = []
            for wl, _, t in cols:
                shown.append((design, peer, wl, t))
                cells.append(short(ratios[selector_key(design), selector_key(peer), wl, t]))
            out.append(f"| {pbresults.selector_label(design)} | "
                       f"{pbresults.selector_label(peer)} | " + " | ".join(cells) + " |")
            n += 1
    if not n:
        out.append("| (no design or peer of the comparison in this run) | |" + " |" * len(cols))
    lv = pbresults.common_level(ratios.values())
    rs = [ratios[selector_key(d), selector_key(p), wl, t] for d, p, wl, t in shown]
    note = ["Paired medians"]
    if any(r.verdict == pbresults.pbstats.NOT_SIGNIFICANT for r in rs):
        note.append("(x): its " + (f"{pbresults.pct(lv)} " if lv is not None else "")
                    + "interval holds 1")
    if any(r.verdict == pbresults.pbstats.TOO_FEW for r in rs):
        note.append("x?: too few pairs")
    out += ["", "; ".join(note) + ". Intervals: `peers.md`."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
