#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_paper.sh - the paper comes from a stored results folder. On copies of
# tests/data/small-run in a temporary folder: scripts/paper/paper-tables.py writes
# every table; their cells are the CSV's medians (recomputed here from the
# repetitions' run rows); the seed figures are paper/seed-claims.csv's; a
# failed or unfinished point prints as such, never as a number; a table
# without data says "not in this run"; LaTeX specials from meta.json are
# escaped; bad arguments exit 2 with a message. scripts/paper/paper.sh builds a
# PDF of at least 3 pages holding a figure from the CSV, with the figure
# files missing and with stand-in figures, and writes nothing into the
# results folder nor over paper/paper.pdf.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fixture=tests/data/small-run

. tests/harness/lib.sh
# has FILE STRING: FILE holds STRING literally.
has() { [ -n "$2" ] && grep -qF -- "$2" "$1"; }

cp -r "$fixture" "$tmp/run"
python3 scripts/paper/paper-tables.py "$tmp/run" "$tmp/tab" >"$tmp/out" 2>&1
check "paper-tables.py exits 0 on the small run" test $? -eq 0
for t in tab-qmempool tab-percpu tab-backends tab-scaling tab-peers meta; do
	check "... writes $t.tex" test -s "$tmp/tab/$t.tex"
done
check "... and writes nothing into the results folder" \
	test "$(ls -A "$tmp/run" | tr '\n' ' ')" = "meta.json results.csv topology.xml "

# The expected cells, recomputed from the run rows (medians over the
# repetitions) with the tables' number format: three significant figures,
# whole numbers from 100 up; ratios with two decimals.
python3 - "$tmp/run/results.csv" paper/seed-claims.csv >"$tmp/expect" <<'EOF'
import csv, math, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
claims = {(r["case"], r["what"]): r["value"] for r in csv.DictReader(open(sys.argv[2]))}

def sig3(v):
    return f"{v:.{max(0, 2 - math.floor(math.log10(abs(v))))}f}"

def med(col, **want):
    vals = [float(r[col]) for r in rows if r["statistic"] == "run"
            and all(r[k] == v for k, v in want.items())]
    assert vals, want
    return statistics.median(vals)

base = dict(threads="1", obj_size="64", touch="0", placement="compact")
qm = med("ns_per_op", backend="qmempool", workload="fastpath-reuse", mode="exclusive", **base)
seed_up = float(claims[("fastpath-reuse", "SLUB ns")]) / float(claims[("fastpath-reuse", "qmempool softirq ns")])
print("qm_ns", f"qmempool (32/256/0) exclusive, ns & {claims[('fastpath-reuse', 'qmempool softirq ns')]} & {sig3(qm)} &")
# Our speed-up: the median of the paired repetitions' ratios (rep k of
# malloc over rep k of qmempool) and [min, max], which is the exact interval
# below 6 pairs, covering 1 - 2^(1-n): 50% for the run's 2 repetitions.
def runs(**want):
    return {r["rep"]: float(r["ns_per_op"]) for r in rows if r["statistic"] == "run"
            and all(r[k] == v for k, v in want.items())}
qr = runs(backend="qmempool", workload="fastpath-reuse", mode="exclusive", **base)
mr = runs(backend="malloc", workload="fastpath-reuse", mode="exclusive", **base)
pr = sorted(mr[k] / qr[k] for k in qr if k in mr)
assert 2 <= len(pr) <= 4, pr
few = f" ({len(pr)} pairs, {100 * (1 - 2 ** (1 - len(pr))):g}\\%)"
up = statistics.median(pr)
print("qm_up", f"speed-up, exclusive over malloc (glibc 2.36) & {seed_up:.2f}$\\times$ & "
      f"{up:.2f}$\\times$ [{pr[0]:.2f}, {pr[-1]:.2f}]{few} & "
      f"{up / seed_up:.2f} [{pr[0] / seed_up:.2f}, {pr[-1] / seed_up:.2f}]{few} \\\\")
mil = dict(backend="percpu-bitmap", workload="million", obj_size="4", order="in-order", fill="none", mode="exclusive")
a, f = med("alloc_ms", **mil), med("free_ms", **mil)
print("million", f"& {sig3(a)} & {sig3(f)} &")
be = med("ns_per_op", backend="objpool-ring", workload="ring-cleanup", n="256", mode="exclusive", **base)
print("backend", f"objpool-ring & exclusive & ")
print("backend_v", sig3(be))
sc = dict(backend="qmempool", workload="scaling", pattern="reuse", mode="exclusive", obj_size="64")
one = med("ops_per_sec", threads="1", **sc)
eff = statistics.median([float(r["ops_per_sec"]) / (2 * one) for r in rows if r["statistic"] == "run"
                         and r["threads"] == "2" and all(r[k] == v for k, v in sc.items())])
print("scaling", f"qmempool & reuse & exclusive & {sig3(one / 1e6)} & ")
print("scaling_v", f"& {eff:.2f} \\\\")
EOF
check "the expected cells are computed from the CSV" test "$(wc -l <"$tmp/expect")" -eq 7
# An expectation that could not be computed must fail its check, not match anything.
want() { local v; v=$(sed -n "s/^$1 //p" "$tmp/expect"); echo "${v:-<no expectation $1>}"; }
q=$tmp/tab/tab-qmempool.tex
check "tab-qmempool: qmempool exclusive fastpath-reuse ns is the CSV median ($(want qm_ns))" \
	has "$q" "$(want qm_ns)"
check "tab-qmempool: our speed-up over malloc and its ratio to the seed's ($(want qm_up))" \
	has "$q" "$(want qm_up)"
check "tab-percpu: the bitmap's 4 B in-order alloc and free ms are the CSV medians ($(want million))" \
	bash -c 'grep -F "4\\,B & in-order & " "$0" | grep -qF -- "$1"' "$tmp/tab/tab-percpu.tex" "$(want million)"
check "tab-percpu: the caption gives our object count (2048) beside the seed's 2^20" \
	bash -c 'grep -q "allocate 2048 objects" "$0" && grep -q "2^{20}" "$0"' "$tmp/tab/tab-percpu.tex"
check "tab-backends: objpool-ring ring-cleanup n=256 ns is the CSV median ($(want backend_v))" \
	bash -c 'grep -F -- "$1" "$0" | cut -d"&" -f4 | grep -qx " $2 "' \
	"$tmp/tab/tab-backends.tex" "$(want backend)" "$(want backend_v)"
check "tab-backends: a null baseline row and both mutex-mempool modes" \
	bash -c 'grep -q "^null & exclusive" "$0" && grep -q "^mutex-mempool alloc=atomic & " "$0" &&
		grep -q "^mutex-mempool alloc=may-block & " "$0"' "$tmp/tab/tab-backends.tex"
check "tab-scaling: qmempool reuse efficiency at 2 threads is recomputed from the runs ($(want scaling_v))" \
	bash -c 'grep -F -- "$1" "$0" | grep -qF -- "$2"' "$tmp/tab/tab-scaling.tex" "$(want scaling)" "$(want scaling_v)"
# tab-peers: the design's cell is the run's median; a peer the run does
# not have is "--", never a number, and so is the ratio.
v=$(python3 -c '
import csv, math, sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x["backend"] == "qmempool" and
     x["workload"] == "fastpath-reuse" and x["mode"] == "exclusive" and x["threads"] == "1" and
     x["obj_size"] == "64" and x["statistic"] == "median"]
v = float(r[0]["ns_per_op"]) if len(r) == 1 else None
print("--" if v is None else f"{v:.{max(0, 2 - math.floor(math.log10(v)))}f}")
' "$tmp/run/results.csv")
check "tab-peers: qmempool localq=32 beside dpdk-mempool at 1 thread: the design's fastpath-reuse median ($v), no peer value, no ratio" \
	grep -qF "qmempool localq=32 & dpdk-mempool cache=256 & 1 & $v & -- & -- &" "$tmp/tab/tab-peers.tex"
for t in tab-qmempool tab-percpu tab-backends tab-scaling tab-peers; do
	check "$t: the caption names the run" grep -q 'Run \\texttt{run} (started 2026-11-23T21:11:43Z)' "$tmp/tab/$t.tex"
done

# Every seed figure a table quotes is seed-claims.csv's, and every claim of
# a case the run has is quoted.
python3 - paper/seed-claims.csv "$tmp/tab/tab-qmempool.tex" "$tmp/tab/tab-percpu.tex" >"$tmp/seeds" 2>&1 <<'EOF'
import csv, re, sys
claims = list(csv.DictReader(open(sys.argv[1])))
q, p = open(sys.argv[2]).read(), open(sys.argv[3]).read()
bad = []
for c in claims:
    if c["case"] in ("fastpath-reuse", "ring-cleanup-n256"):
        if f"& {c['value']} &" not in q:
            bad.append(c)
qm = {c["value"] for c in claims if c["seed"] == "000"}
for line in q.splitlines():
    m = re.search(r", ns & ([0-9.]+) &", line)
    if m and m.group(1) not in qm:
        bad.append(line)
for size in ("4", "16", "64", "256", "1024"):
    v = {c["what"]: c["value"] for c in claims if c["case"] == f"million-worst-{size}B"}
    row = (f"{size}\\,B & \\emph{{seed}} & {v['area map alloc ms']} & {v['area map free ms']}"
           f" & {v['bitmap alloc ms']} & {v['bitmap free ms']} &")
    if row not in p:
        bad.append(row)
print("\n".join(map(str, bad)))
sys.exit(1 if bad else 0)
EOF
check "the seed figures in the tables are paper/seed-claims.csv's" test $? -eq 0
check "seed-claims.csv: every row names its seed file (or REFERENCE section) and line" \
	bash -c 'tail -n +2 "$0" | grep -vcE ",(shared/seeds/[0-9]{3}_[0-9a-f]+\.txt|REFERENCE .[0-9]+ \(shared/REFERENCE\.md) line [0-9]+" | grep -qx 0' \
	paper/seed-claims.csv

# Failed and unfinished points: a word and a note, never a number.
mkdir -p "$tmp/bad"
cp "$tmp/run/meta.json" "$tmp/bad/"
python3 - "$tmp/run/results.csv" "$tmp/bad/results.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    if (r["backend"], r["workload"], r["mode"], r["threads"]) == ("qmempool", "fastpath-reuse", "exclusive", "1"):
        r["error"] = "create failed: injected for the test"
    if (r["backend"], r["workload"], r["obj_size"], r["order"], r["mode"]) == \
            ("percpu-areamap", "million", "4", "in-order", "exclusive"):
        r["error"] = "did not finish within 120 s (stopped in free: 7 of 2048 objects)"
        if r["statistic"] != "run":
            r["statistic"] = "dropped"
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=list(rows[0].keys()))
w.writeheader()
w.writerows(r for r in rows if r["statistic"] != "dropped")
EOF
python3 scripts/paper/paper-tables.py "$tmp/bad" "$tmp/badtab" >/dev/null 2>&1
check "a run with failed points: exit 0" test $? -eq 0
check "... the failed qmempool point prints failed with a note" \
	bash -c 'grep -q "qmempool (32/256/0) exclusive, ns & 7.837 & failed\\\\textsuperscript{a}" "$0" &&
		grep -q "injected for the test" "$0"' "$tmp/badtab/tab-qmempool.tex"
check "... and its speed-up is not a number" \
	grep -qF 'speed-up, exclusive over malloc (glibc 2.36) & 2.50$\times$ & -- & --' "$tmp/badtab/tab-qmempool.tex"
check "... the unfinished million round prints DNF with its reason" \
	bash -c 'grep -q "^4\\\\,B & in-order & DNF\\\\textsuperscript{.} & DNF" "$0" &&
		grep -q "did not finish within 120 s" "$0"' "$tmp/badtab/tab-percpu.tex"
check "... and is the area map's worst order" \
	grep -q '^4\\,B & \\emph{ours, worst} & DNF' "$tmp/badtab/tab-percpu.tex"

# A run without million rows: the table says so, on stderr too.
mkdir -p "$tmp/nomil"
cp "$tmp/run/meta.json" "$tmp/nomil/"
awk -F, 'NR == 1 || $2 != "million"' "$tmp/run/results.csv" >"$tmp/nomil/results.csv"
python3 scripts/paper/paper-tables.py "$tmp/nomil" "$tmp/nomiltab" >/dev/null 2>"$tmp/nomil.err"
check "a run without million rows: exit 0" test $? -eq 0
check "... tab-percpu.tex has one row saying not in this run" \
	test "$(grep -c 'not in this run' "$tmp/nomiltab/tab-percpu.tex")" -eq 1
check "... and a note on stderr" grep -q "tab-percpu: no million rows" "$tmp/nomil.err"

# LaTeX specials in meta.json are escaped.
mkdir -p "$tmp/esc"
cp "$tmp/run/results.csv" "$tmp/esc/"
python3 - "$tmp/run/meta.json" "$tmp/esc/meta.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["machine"]["host"] = "a_b%c"
m["machine"]["cpu_model"] = "x&y#z~q^w\\v{}$"
m["peers"] = [{"label": "je_malloc", "allocator": "jemalloc", "library": "/usr/lib/libjemalloc.so.2",
               "package": "libjemalloc2", "version": "5.3.0-1"}]
json.dump(m, open(sys.argv[2], "w"))
EOF
python3 scripts/paper/paper-tables.py "$tmp/esc" "$tmp/esctab" >/dev/null 2>&1
check "meta.tex escapes the host a_b%c" grep -qF '\newcommand{\pbHost}{a\_b\%c}' "$tmp/esctab/meta.tex"
check "... and & # ~ ^ \\ { } \$ in the CPU model" grep -qF \
	'\newcommand{\pbCpuModel}{x\&y\#z\textasciitilde{}q\textasciicircum{}w\textbackslash{}v\{\}\$}' \
	"$tmp/esctab/meta.tex"
check "... and lists the peers" grep -qF '\newcommand{\pbPeers}{je\_malloc 5.3.0-1' "$tmp/esctab/meta.tex"
check "... and counts them" grep -qF '\newcommand{\pbPeerCount}{1}' "$tmp/esctab/meta.tex"

# Bad input.
python3 scripts/paper/paper-tables.py >/dev/null 2>"$tmp/e"
check "paper-tables.py without arguments: exit 2 and usage" \
	bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e"
python3 scripts/paper/paper-tables.py "$tmp/run" >/dev/null 2>"$tmp/e"
check "... with one argument: exit 2 and usage" bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e"
mkdir -p "$tmp/nocsv" && cp "$tmp/run/meta.json" "$tmp/nocsv/"
python3 scripts/paper/paper-tables.py "$tmp/nocsv" "$tmp/x" >/dev/null 2>"$tmp/e"
check "... no results.csv: exit 2 naming it" bash -c '[ '$?' -eq 2 ] && grep -q "results.csv" "$0"' "$tmp/e"
mkdir -p "$tmp/nometa" && cp "$tmp/run/results.csv" "$tmp/nometa/"
python3 scripts/paper/paper-tables.py "$tmp/nometa" "$tmp/x" >/dev/null 2>"$tmp/e"
check "... no meta.json: exit 2 naming it" bash -c '[ '$?' -eq 2 ] && grep -q "meta.json" "$0"' "$tmp/e"
mkdir -p "$tmp/nocol" && cp "$tmp/run/meta.json" "$tmp/nocol/"
sed '1s/,ns_per_op,/,ns_per_opx,/' "$tmp/run/results.csv" >"$tmp/nocol/results.csv"
python3 scripts/paper/paper-tables.py "$tmp/nocol" "$tmp/x" >/dev/null 2>"$tmp/e"
check "... a results.csv without ns_per_op: exit 2 naming the column" \
	bash -c '[ '$?' -eq 2 ] && grep -q "no ns_per_op column" "$0"' "$tmp/e"
sed '1s/,alloc_ms,/,alloc_msx,/' "$tmp/run/results.csv" >"$tmp/nocol/results.csv"
python3 scripts/paper/paper-tables.py "$tmp/nocol" "$tmp/x" >/dev/null 2>"$tmp/e"
check "... million rows without alloc_ms: exit 2 naming the column" \
	bash -c '[ '$?' -eq 2 ] && grep -q "alloc_ms" "$0"' "$tmp/e"
scripts/paper/paper.sh >/dev/null 2>"$tmp/e"
check "paper.sh without arguments: exit 2 and usage" bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e"
scripts/paper/paper.sh "$tmp/nowhere" >/dev/null 2>"$tmp/e"
check "... a missing folder: exit 2 naming it" bash -c '[ '$?' -eq 2 ] && grep -q nowhere "$0"' "$tmp/e"

# The PDF. paper/paper.pdf must not be touched: the PDF goes to PAPER_OUT.
before=$(stat -c %Y:%s paper/paper.pdf 2>/dev/null || echo none)
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }'; }
cp -r "$fixture" "$tmp/run2"
PAPER_BUILD=$tmp/build PAPER_OUT=$tmp/pdf/paper.pdf PAPER_PLOTS_SH=$tmp/no-plots.sh \
	scripts/paper/paper.sh "$tmp/run2" >"$tmp/p.out" 2>"$tmp/p.err"
check "paper.sh builds with the figure files missing" test $? -eq 0
check "... prints the PDF's path" grep -qx "$tmp/pdf/paper.pdf" "$tmp/p.out"
check "... pdfinfo reads it: at least 3 pages" test "$(pages "$tmp/pdf/paper.pdf")" -ge 3
pdftotext "$tmp/pdf/paper.pdf" "$tmp/p.txt" 2>/dev/null
check "... its text holds a table figure from the CSV ($(want backend_v))" grep -qF "$(want backend_v)" "$tmp/p.txt"
check "... and the missing-figure boxes" test "$(grep -c 'Figure file missing' "$tmp/p.txt")" -eq 8
check "... and wrote nothing into the results folder" \
	test "$(ls -A "$tmp/run2" | tr '\n' ' ')" = "meta.json results.csv topology.xml "
check "... nor over paper/paper.pdf" test "$(stat -c %Y:%s paper/paper.pdf 2>/dev/null || echo none)" = "$before"

# A stand-in plots.sh that draws eight one-line PDFs.
cat >"$tmp/plots.sh" <<'EOF'
mkdir -p "$1/plots"
for f in fig1-pairs fig2-ring-n fig3-scaling fig4-million fig5-counters fig6-peers fig7-latency fig8-memory; do
	python3 -c '
import sys
c = b"BT /F1 12 Tf 10 40 Td (stand-in " + sys.argv[1].encode() + b") Tj ET"
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs, 1):
    offs.append(len(out))
    out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(sys.argv[2], "wb").write(out)' "$f" "$1/plots/$f.pdf"
done
EOF
PAPER_BUILD=$tmp/build PAPER_OUT=$tmp/pdf/paper.pdf PAPER_PLOTS_SH=$tmp/plots.sh \
	scripts/paper/paper.sh "$tmp/run2" >/dev/null 2>"$tmp/p.err"
check "paper.sh runs the plots script and builds" test $? -eq 0
pdftotext "$tmp/pdf/paper.pdf" "$tmp/p.txt" 2>/dev/null
check "... with the eight figures in it" test "$(grep -c 'stand-in fig' "$tmp/p.txt")" -eq 8
check "... and no missing-figure box" bash -c '! grep -q "Figure file missing" "$0"' "$tmp/p.txt"

# The escapes hold through pdflatex.
PAPER_BUILD=$tmp/build PAPER_OUT=$tmp/pdf/esc.pdf PAPER_PLOTS_SH=$tmp/no-plots.sh \
	scripts/paper/paper.sh "$tmp/esc" >/dev/null 2>"$tmp/p.err"
check "paper.sh builds from a meta.json full of LaTeX specials" test $? -eq 0
pdftotext "$tmp/pdf/esc.pdf" "$tmp/esc.txt" 2>/dev/null
check "... and prints the host as a_b%c" grep -qF "a_b%c" "$tmp/esc.txt"

# With the figure script of the tree, when there is one.
if [ -e scripts/figures/plots.sh ]; then
	cp -r "$fixture" "$tmp/run3"
	PAPER_BUILD=$tmp/build PAPER_OUT=$tmp/pdf/real.pdf scripts/paper/paper.sh "$tmp/run3" >/dev/null 2>"$tmp/p.err"
	check "paper.sh with scripts/figures/plots.sh builds" test $? -eq 0
	check "... at least 3 pages" test "$(pages "$tmp/pdf/real.pdf")" -ge 3
fi
