#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_figures.sh - the paper's eight figures come from a stored results
# folder without running anything: scripts/figures/plots.sh, on copies of
# the test fixtures in a temporary folder (tests/data is never written), must write
# eight PDFs that parse, eight PNGs that parse, and eight .dat files holding
# the CSV's own numbers (checked against values read from the CSV here,
# independently); a run without million rows, a round that did not finish,
# and a run without and with hardware counters must each give figures that
# say so; bad arguments and bad folders must be refused with a message.
# scripts/figures/fig-nsweep.sh (make run-qmempool's N sweep) redraws the
# committed figure of its reference run.
#
# Fixtures: tests/data/small-run (a real short run, software counters) and
# tests/data/synthetic-hw-counters, a SYNTHETIC copy of part of it whose
# hardware counter columns were made up from ns_per_op (tests/data/README.md)
# only to exercise the hardware branch of fig5-counters; its numbers are not
# measurements and no figure of it is ever kept.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh); a
# failing check does not stop the others.
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fixture=tests/data/small-run
synthetic=tests/data/synthetic-hw-counters
figs="fig1-pairs fig2-ring-n fig3-scaling fig4-million fig5-counters fig6-peers fig7-latency fig8-memory"

. tests/harness/lib.sh

# plots ARGS... - run scripts/figures/plots.sh, its output in $tmp/out and $tmp/err,
# its exit status in $rc.
plots() {
	rc=0
	scripts/figures/plots.sh "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# csv_value FILE COLUMN KEY=VALUE... - the one row of FILE matching every
# KEY=VALUE, its COLUMN (python's csv module: quoted cells may hold commas).
csv_value() {
	python3 - "$@" <<'EOF'
import csv, sys
path, col, *conds = sys.argv[1:]
want = dict(c.split("=", 1) for c in conds)
hits = [r[col] for r in csv.DictReader(open(path, newline=""))
	if all(r[k] == v for k, v in want.items())]
print(hits[0] if len(hits) == 1 else f"<{len(hits)} rows>")
EOF
}

# dat_value FILE BLOCK X COLUMN - in a .dat of gnuplot blocks ("# BLOCK"
# comment, then rows), the row whose first field is X, field COLUMN (1 =
# first). For a table .dat (fig1, fig5) BLOCK is "" and X the quoted label.
dat_value() {
	python3 - "$@" <<'EOF'
import sys
path, block, x, col = sys.argv[1:]
inside = block == ""
for line in open(path):
	line = line.rstrip("\n")
	if line.startswith("# "):
		inside = block == "" or line[2:] == block
		continue
	fields = line.split("\t")
	if inside and fields[0] == x:
		print(fields[int(col) - 1])
		break
else:
	print("<none>")
EOF
}

pdf_text() { pdftotext -layout "$1" - 2>/dev/null | tr -s ' \n' ' '; }

fixture_sum=$(find tests/data -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)

# --- the small run: every figure, from a copy --------------------------------
run=$tmp/run
mkdir "$run"
cp "$fixture/results.csv" "$fixture/meta.json" "$run/"
plots "$run"
check "plots.sh exits 0 on a copy of tests/data/small-run" test $rc -eq 0
check "... and says what it wrote" grep -q "wrote $run/plots/" "$tmp/out"
check "... with no gnuplot warning" test ! -s "$tmp/err"
for f in $figs; do
	p=$run/plots/$f
	check "$f.pdf starts as a PDF" test "$(head -c 5 "$p.pdf")" = "%PDF-"
	check "$f.pdf: pdfinfo parses it" pdfinfo "$p.pdf"
	w=$(pdfinfo "$p.pdf" 2>/dev/null | sed -n 's/^Page size: *\([0-9.]*\) x.*/\1/p')
	check "$f.pdf is 16 cm wide ($w pt)" awk -v w="${w:-0}" 'BEGIN { exit !(w > 450 && w < 457) }'
	check "$f.png passes pngcheck" pngcheck -q "$p.png"
	check "$f.png is 1100 px wide" grep -q '(1100x' <(pngcheck "$p.png")
	case $f in
	fig7-latency | fig8-memory)
		# The fixture has neither a latency run nor memory columns.
		check "$f says what the run lacks" grep -q '^# \(fig7-latency: no latency\|fig8-memory: .* no memory columns\)' "$p.dat" ;;
	*)
		check "$f.png is not trivially small" test "$(stat -c %s "$p.png")" -gt 20000 ;;
	esac
	check "$f.dat is written" test -s "$p.dat"
done
check "no temporary files are left in plots/" \
	test -z "$(find "$run/plots" -mindepth 1 ! -name 'fig[1-8]-*')"

# --- memory columns and a latency run: figures 7 and 8 from their own numbers --
ml=$tmp/memlat
cp -r tests/data/memlat-run "$ml"
plots "$ml"
check "plots.sh exits 0 on a copy of tests/data/memlat-run (memory columns, latency/)" test $rc -eq 0
want=$(python3 - tests/data/memlat-run/results.csv <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if (r['backend'], r['workload'], r['n'], r['statistic']) == ('qmempool', 'ring-cleanup', '4096', 'median'):
        print(r['bytes_per_live_obj'])
EOF
)
got=$(awk '/^# ring-cleanup qmempool$/ { b = 1; next } /^#/ { b = 0 } b && $1 == 4096 { print $3 }' \
	"$ml/plots/fig8-memory.dat")
check "fig8: qmempool's ring-cleanup n=4096 is the CSV's median bytes_per_live_obj ($want)" \
	test -n "$want" -a "$got" = "$want"
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["backend"] == "malloc" && $c["workload"] == "fastpath-reuse" &&
	$c["threads"] == 1 && $c["op"] == "alloc" { n += $c["samples"] } END { print n }' \
	tests/data/memlat-run/latency/latency.csv)
check "fig7: malloc's fastpath-reuse CCDF counts every alloc of latency.csv ($want)" \
	grep -qx "# fastpath-reuse, 1 thread | malloc | $want allocs" "$ml/plots/fig7-latency.dat"
check "fig7: its first point is the fraction of allocs that took 1 ns or longer" \
	awk -v w="$want" '/^# fastpath-reuse, 1 thread \| malloc/ { getline; exit !($1 == 1 && $3 <= w) }' \
	"$ml/plots/fig7-latency.dat"
check "the caption names the machine and the run" \
	grep -q "vm: AMD EPYC, 2 PUs, kernel 6.18.44-fc-v657; run 2026-11-23T21:11:43Z, 2 repetitions; counters: software" \
	<(pdf_text "$run/plots/fig1-pairs.pdf")
mkdir -p "$tmp/noisy"
cp "$run/results.csv" "$tmp/noisy/"
jq '.noise = {"verdict": "noisy", "line": "noisy: a test line"}' "$run/meta.json" >"$tmp/noisy/meta.json"
python3 scripts/figures/plotdata.py pairs "$tmp/noisy" "$tmp/noisy.dat" "$tmp/noisy.vars" >/dev/null 2>&1
check "a noisy run's caption carries the noise verdict" \
	bash -c 'grep "^caption =" "$0" | grep "NOISY RUN:" | grep -q "noisy: a test line"' "$tmp/noisy.vars"
python3 scripts/figures/plotdata.py pairs "$run" "$tmp/quiet.dat" "$tmp/quiet.vars" >/dev/null 2>&1
check "... a run without it, none" bash -c 'grep -q "^caption =" "$0" && ! grep -q "NOISY RUN" "$0"' "$tmp/quiet.vars"

csv=$run/results.csv
v=$(csv_value "$csv" ns_per_op backend=malloc workload=fastpath-reuse mode=exclusive threads=1 statistic=median)
check "fig1: malloc's fastpath-reuse exclusive median is the CSV's ($v)" \
	test "$(dat_value "$run/plots/fig1-pairs.dat" "" '"malloc"' 2)" = "$v"
v=$(csv_value "$csv" ns_per_op backend=percpu-bitmap workload=ring-cleanup n=256 mode=shared threads=1 statistic=max)
check "fig1: percpu-bitmap's ring-cleanup shared max is the CSV's ($v)" \
	test "$(dat_value "$run/plots/fig1-pairs.dat" "" '"percpu-bitmap"' 19)" = "$v"
check "fig1: the two mutex-mempool variants are told apart" \
	grep -q '^"mutex-mempool alloc=atomic"' "$run/plots/fig1-pairs.dat"
v=$(csv_value "$csv" ns_per_op backend=qmempool workload=ring-cleanup n=256 mode=exclusive threads=2 obj_size=64 statistic=median)
check "fig6: qmempool's ring-cleanup at 2 threads (exclusive, 64 B) is the CSV's median ($v)" \
	test "$(dat_value "$run/plots/fig6-peers.dat" "" '"qmempool localq=32"' 11)" = "$v"
check "fig6: a design the run does not have is not drawn (alf-mpmc)" \
	test "$(dat_value "$run/plots/fig6-peers.dat" "" '"alf-mpmc"' 2)" = "<none>"
check "fig6: the shared-mode rows are not drawn (one line per design or peer)" \
	test "$(grep -c '^"objpool-ring"' "$run/plots/fig6-peers.dat")" -eq 1
v=$(csv_value "$csv" ns_per_op backend=qmempool workload=ring-cleanup n=4096 mode=exclusive threads=1 statistic=median)
check "fig2: qmempool at N=4096 is the CSV's median ($v)" \
	test "$(dat_value "$run/plots/fig2-ring-n.dat" qmempool 4096 2)" = "$v"
v=$(csv_value "$csv" ops_per_sec backend=malloc workload=scaling pattern=ring mode=exclusive threads=2 statistic=median)
check "fig3: malloc, pattern=ring, 2 threads is the CSV's median ($v)" \
	test "$(dat_value "$run/plots/fig3-scaling.dat" "pattern=ring malloc" 2 2)" = "$v"
v=$(csv_value "$csv" alloc_ms backend=percpu-bitmap workload=million order=reverse obj_size=64 mode=exclusive statistic=median)
check "fig4: percpu-bitmap's alloc_ms at 64 B, reverse, is the CSV's median ($v)" \
	test "$(dat_value "$run/plots/fig4-million.dat" "order=reverse percpu-bitmap" 64 2)" = "$v"
v=$(csv_value "$csv" free_ms backend=percpu-areamap workload=million order=in-order obj_size=4 mode=exclusive statistic=median)
check "fig4: percpu-areamap's free_ms at 4 B, in-order, is the CSV's median ($v)" \
	test "$(dat_value "$run/plots/fig4-million.dat" "order=in-order percpu-areamap" 4 3)" = "$v"
check "fig4: the title gives the object count" grep -q "allocate 2048 objects" \
	<(pdf_text "$run/plots/fig4-million.pdf")
check "fig4: only percpu-areamap, percpu-bitmap and malloc are drawn" \
	test "$(grep '^# order=' "$run/plots/fig4-million.dat" | sed 's/^# order=[^ ]* //' | sort -u | tr '\n' ' ')" \
	= "malloc percpu-areamap percpu-bitmap "

# The fixture has no hardware counters: fig5 says why, with what it had.
v=$(csv_value "$csv" context_switches_per_op backend=mutex-mempool workload=fastpath-reuse mode=exclusive threads=1 statistic=median \
	options='min_nr=0;alloc=atomic;backing=malloc;low_mark=0;wait_ms=5000')
check "fig5 (software): context switches of mutex-mempool atomic are the CSV's median ($v)" \
	test "$(dat_value "$run/plots/fig5-counters.dat" "" '"mutex-mempool alloc=atomic"' 4)" = "$v"
check "fig5 (software): the figure says the hardware counters were unavailable, and why" \
	grep -q "Hardware counters were unavailable on vm: hardware group not usable: .*(no hardware PMU)" \
	<(pdf_text "$run/plots/fig5-counters.pdf")
check "fig5 (software): ... and shows the task clock instead" \
	grep -q "CPU time (task clock), ns per pair" <(pdf_text "$run/plots/fig5-counters.pdf")
check "fig5 (software): plots.sh prints a note" \
	grep -q "fig5-counters: note: Hardware counters were unavailable on vm" "$tmp/out"

# derive FROM TO EXPR - a copy of the fixture folder FROM as TO whose
# results.csv holds EXPR(x) for each row x (a dict; None drops the row).
derive() {
	mkdir "$2"
	cp "$1/meta.json" "$2/"
	python3 - "$1/results.csv" "$2/results.csv" "$3" <<'EOF'
import csv, sys
r = csv.DictReader(open(sys.argv[1], newline=""))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), r.fieldnames, lineterminator="\n")
w.writeheader()
change = eval("lambda x: (" + sys.argv[3] + ")")
w.writerows(y for y in map(change, r) if y is not None)
EOF
}

# --- a run without the million workload --------------------------------------
nom=$tmp/no-million
derive "$fixture" "$nom" 'None if x["workload"] == "million" else x'
plots "$nom"
check "no million rows: plots.sh still exits 0" test $rc -eq 0
check "... writes all eight figures" test "$(find "$nom/plots" -name 'fig*' | wc -l)" -eq 24
check "... fig4 says in its body that the run has no million rows" \
	grep -q "this run has no million rows" <(pdf_text "$nom/plots/fig4-million.pdf")
check "... and plots.sh prints a note" grep -q "fig4-million: note: this run has no million rows" "$tmp/out"
check "... fig4.png is still a PNG" pngcheck -q "$nom/plots/fig4-million.png"

# --- failed benchmarks: a million round that did not finish, a ring that failed
# As the runner records them: the benchmark's run rows carry the error, and
# it has no aggregate rows.
dnf=$tmp/dnf
derive "$fixture" "$dnf" '
	(None if x["statistic"] != "run" else
	 {**x, "alloc_ms": "", "free_ms": "", "ns_per_op": "",
	  "error": "did not finish within 120 s (stopped in alloc: 1000 of 2048 objects)"})
	if (x["workload"], x["backend"], x["order"], x["obj_size"], x["mode"]) ==
	   ("million", "percpu-areamap", "in-order", "4", "exclusive") else
	(None if x["statistic"] != "run" else
	 {**x, "ns_per_op": "", "error": "alloc returned NULL"})
	if (x["workload"], x["backend"], x["n"], x["threads"], x["mode"]) ==
	   ("ring-cleanup", "qmempool", "4096", "1", "exclusive") else x'
plots "$dnf"
check "a round that did not finish: plots.sh exits 0" test $rc -eq 0
check "... no value is drawn for it" \
	test "$(dat_value "$dnf/plots/fig4-million.dat" "order=in-order percpu-areamap" 4 2)" = "<none>"
check "... it is listed with its error as did not finish" \
	grep -q '^4	"did not finish within 120 s' "$dnf/plots/fig4-million.dat"
check "... and marked DNF in the figure" grep -q "DNF" <(pdf_text "$dnf/plots/fig4-million.pdf")
check "... with a note" grep -q "fig4-million: note: not drawn: percpu-areamap in-order 4 B (DNF)" "$tmp/out"
check "a failed point is left out of its line" \
	test "$(dat_value "$dnf/plots/fig2-ring-n.dat" qmempool 4096 2)" = "<none>"
check "... the others of the line stay" \
	test "$(dat_value "$dnf/plots/fig2-ring-n.dat" qmempool 256 2)" != "<none>"
check "... and it is noted with its error" \
	grep -q "fig2-ring-n: note: not drawn: qmempool n=4096: alloc returned NULL" "$tmp/out"
check "... in the figure too" grep -q "not drawn: qmempool n=4096: alloc returned NULL" \
	<(pdf_text "$dnf/plots/fig2-ring-n.pdf")

# --- a run with one scaling pattern: the other panel says it has no rows ---------
one=$tmp/one-pattern
derive "$fixture" "$one" 'None if x["pattern"] == "reuse" else x'
plots "$one"
check "one scaling pattern: plots.sh exits 0, with no gnuplot warning" \
	test $rc -eq 0 -a ! -s "$tmp/err"
check "... the empty panel says why" grep -q "this run has no scaling rows with pattern=reuse" \
	<(pdf_text "$one/plots/fig3-scaling.pdf")
check "... the other is drawn" test "$(grep -c '^# pattern=ring ' "$one/plots/fig3-scaling.dat")" -eq 8

# --- the SYNTHETIC hardware-counter fixture: the hardware branch only ----------
hw=$tmp/synthetic-hw
mkdir "$hw"
cp "$synthetic/results.csv" "$synthetic/meta.json" "$hw/"
plots "$hw"
check "synthetic hardware counters: plots.sh exits 0" test $rc -eq 0
v=$(csv_value "$hw/results.csv" cycles_per_op backend=malloc workload=ring-cleanup mode=exclusive statistic=median)
check "fig5 (hardware): malloc's ring-cleanup cycles are the CSV's median ($v)" \
	test "$(dat_value "$hw/plots/fig5-counters.dat" "" '"malloc"' 3)" = "$v"
v=$(csv_value "$hw/results.csv" branch_misses_per_op backend=qmempool workload=fastpath-reuse mode=exclusive statistic=median)
check "fig5 (hardware): qmempool's fastpath-reuse branch misses are the CSV's median ($v)" \
	test "$(dat_value "$hw/plots/fig5-counters.dat" "" '"qmempool"' 8)" = "$v"
check "fig5 (hardware): a panel per hardware counter" \
	grep -q "cycles per pair.*instructions per pair.*cache misses per pair.*branch misses per pair" \
	<(pdf_text "$hw/plots/fig5-counters.pdf")
check "fig5 (hardware): no unavailability message" \
	test "$(pdf_text "$hw/plots/fig5-counters.pdf" | grep -c unavailable)" -eq 0
check "fig3 without scaling rows says so" grep -q "this run has no scaling rows" \
	<(pdf_text "$hw/plots/fig3-scaling.pdf")
nocache=$tmp/synthetic-hw-no-cache-misses
derive "$synthetic" "$nocache" '{**x, "cache_misses_per_op": ""}'
plots "$nocache"
check "a hardware counter without values: plots.sh exits 0, with no gnuplot warning" \
	test $rc -eq 0 -a ! -s "$tmp/err"
check "... its panel says it is unavailable" grep -q "cache_misses unavailable" \
	<(pdf_text "$nocache/plots/fig5-counters.pdf")
check "... the next panel is still drawn" \
	test "$(dat_value "$nocache/plots/fig5-counters.dat" "" '"malloc"' 8)" != NaN

check "tests/data was not written" \
	test "$(find tests/data -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)" = "$fixture_sum"

# --- refused arguments and folders ---------------------------------------------
plots
check "no argument: exit 2" test $rc -eq 2
check "... with usage" grep -q "usage: plots.sh RESULTS_DIR" "$tmp/err"
plots "$run" "$run"
check "two arguments: exit 2" test $rc -eq 2
check "... with usage" grep -q "usage: plots.sh RESULTS_DIR" "$tmp/err"
plots "$tmp/nowhere"
check "a missing folder: exit 2" test $rc -eq 2
check "... naming the missing file" grep -q "plots.sh: $tmp/nowhere/results.csv: missing" "$tmp/err"
mkdir "$tmp/nometa"
cp "$fixture/results.csv" "$tmp/nometa/"
plots "$tmp/nometa"
check "no meta.json: exit 2" test $rc -eq 2
check "... naming it" grep -q "plots.sh: $tmp/nometa/meta.json: missing" "$tmp/err"

mkdir "$tmp/nocol"
cp "$fixture/meta.json" "$tmp/nocol/"
python3 - "$fixture/results.csv" "$tmp/nocol/results.csv" <<'EOF'
import csv, sys
r = csv.DictReader(open(sys.argv[1], newline=""))
cols = [c for c in r.fieldnames if c != "ns_per_op"]
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), cols, extrasaction="ignore",
		   lineterminator="\n")
w.writeheader()
w.writerows(r)
EOF
plots "$tmp/nocol"
check "a results.csv without ns_per_op: non-zero exit" test $rc -ne 0 -a $rc -ne 2
check "... naming the column" grep -q "has no ns_per_op column" "$tmp/err"
check "... and nothing written" test ! -e "$tmp/nocol/plots"

mkdir "$tmp/garbage"
cp "$fixture/meta.json" "$tmp/garbage/"
printf 'backend,workload\n\0\0\377\376garbage\n' >"$tmp/garbage/results.csv"
plots "$tmp/garbage"
check "an unreadable results.csv: non-zero exit" test $rc -ne 0
check "... with a message naming it" grep -q "plotdata.py: $tmp/garbage/results.csv" "$tmp/err"

# The caller's locale does not matter: with an empty environment (no LANG,
# as on a minimal system, in a container, under `su -` or cron) and with a
# plain C (POSIX, ASCII) locale, the figures are drawn without a warning and
# come out byte for byte as under C.UTF-8.
for envname in empty posix; do
	mkdir "$tmp/env-$envname"
	cp "$fixture/results.csv" "$fixture/meta.json" "$tmp/env-$envname/"
	if [ "$envname" = empty ]; then
		envargs=(env -i PATH=/usr/bin:/bin)
	else
		envargs=(env -i PATH=/usr/bin:/bin LANG=C LC_ALL=C)
	fi
	rc=0
	"${envargs[@]}" bash scripts/figures/plots.sh "$tmp/env-$envname" >"$tmp/out" 2>"$tmp/err" || rc=$?
	check "locale $envname (env -i): plots.sh exits 0" test $rc -eq 0
	check "... with nothing on stderr (no gnuplot iconv warning)" test ! -s "$tmp/err"
	for f in $figs; do
		check "... $f.pdf and .png equal those drawn under C.UTF-8" \
			bash -c 'cmp -s "$1.pdf" "$2.pdf" && cmp -s "$1.png" "$2.png"' - \
			"$tmp/env-$envname/plots/$f" "$run/plots/$f"
	done
done

# A gnuplot that fails: plots.sh stops with its message.
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "gnuplot: simulated failure" >&2\nexit 1\n' >"$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
mkdir "$tmp/gpfail"
cp "$fixture/results.csv" "$fixture/meta.json" "$tmp/gpfail/"
PATH=$tmp/bin:$PATH plots "$tmp/gpfail"
check "a gnuplot failure: non-zero exit" test $rc -ne 0
check "... saying which figure failed, with gnuplot's message" \
	grep -q "plots.sh: gnuplot failed to draw fig1-pairs.pdf" "$tmp/err"
check "... and no half-written figures left" test -z "$(find "$tmp/gpfail/plots" -mindepth 1)"

# make plots RESULTS=<folder> calls plots.sh (once the Makefile does).
if grep -q 'scripts/figures/plots.sh' Makefile; then
	mkdir "$tmp/make"
	cp "$fixture/results.csv" "$fixture/meta.json" "$tmp/make/"
	check "make plots RESULTS=<folder> exits 0" make -s plots RESULTS="$tmp/make"
	check "... and writes the eight figures" test "$(find "$tmp/make/plots" -name 'fig*' | wc -l)" -eq 24
	# shellcheck disable=SC2016
	check "make plots on a bad folder fails" bash -c '! make -s plots RESULTS="$1"' - "$tmp/nowhere"
else
	echo "ok - make plots # SKIP the Makefile does not call scripts/figures/plots.sh yet"
fi

# The N sweep figure of make run-qmempool, from a copy of its reference run:
# the committed data and PNG byte for byte, and a PDF that is the same file
# each time (its creation date is the run's start).
nsweep=results/reference/vm-2core-20261201T171146Z-qmempool-nsweep
cp -r "$nsweep" "$tmp/nsweep"
rm -rf "$tmp/nsweep/plots"
rc=0
scripts/figures/fig-nsweep.sh "$tmp/nsweep" >/dev/null 2>&1 || rc=$?
check "fig-nsweep.sh on a copy of its reference run: exit 0" test $rc -eq 0
check "... the committed nsweep.dat and nsweep.png, byte for byte" \
	bash -c 'cmp "$0/nsweep.dat" "$1/nsweep.dat" && cmp "$0/nsweep.png" "$1/nsweep.png"' \
	"$tmp/nsweep/plots" "$nsweep/plots"
cp "$tmp/nsweep/plots/nsweep.pdf" "$tmp/nsweep.pdf"
scripts/figures/fig-nsweep.sh "$tmp/nsweep" >/dev/null 2>&1 || true
check "... and the same PDF when drawn again" cmp "$tmp/nsweep.pdf" "$tmp/nsweep/plots/nsweep.pdf"
awk -F, 'NR == 1 || $2 != "ring-cleanup"' "$fixture/results.csv" >"$tmp/nsweep/results.csv"
rc=0
scripts/figures/fig-nsweep.sh "$tmp/nsweep" >/dev/null 2>"$tmp/err" || rc=$?
check "... a run without ring-cleanup rows: exit 1, saying so" \
	bash -c '[ "$1" -eq 1 ] && grep -q "no 1-thread ring-cleanup medians" "$0"' "$tmp/err" "$rc"

# make run-oversub's figure (fig-oversub.sh, through fig-run.sh) redraws
# its committed reference the same way, and says so when a run has none of
# its rows.
oversub=results/reference/vm-2core-20261202T042239Z-oversub
cp -r "$oversub" "$tmp/oversub"
rm -rf "$tmp/oversub/plots"
rc=0
scripts/figures/fig-oversub.sh "$tmp/oversub" >/dev/null 2>&1 || rc=$?
check "fig-oversub.sh on a copy of its reference run: exit 0" test $rc -eq 0
check "... the committed oversub.dat, oversub.png and oversub.pdf, byte for byte" \
	bash -c 'cmp "$0/oversub.dat" "$1/oversub.dat" && cmp "$0/oversub.png" "$1/oversub.png" && cmp "$0/oversub.pdf" "$1/oversub.pdf"' \
	"$tmp/oversub/plots" "$oversub/plots"
check "... a block per backend and mode, rseq's with its aborts per pair" \
	bash -c 'grep -q "^\"qmempool rseq\"" "$0" && awk -F"\t" "/^\"/ { b = \$0 } b ~ /rseq/ && NF == 6 && \$5 != \"\" { n++ } END { exit !(n >= 8) }" "$0"' \
	"$tmp/oversub/plots/oversub.dat"
rm -rf "$tmp/oversub/plots"
xz -dc "$oversub/results.csv.xz" | awk -F, 'NR == 1 || $2 != "scaling"' >"$tmp/oversub/results.csv"
rm -f "$tmp/oversub/results.csv.xz"
rc=0
scripts/figures/fig-oversub.sh "$tmp/oversub" >/dev/null 2>"$tmp/err" || rc=$?
check "... a run without scaling rows: exit 1, saying so" \
	bash -c '[ "$1" -eq 1 ] && grep -q "no scaling (pattern=reuse) medians" "$0"' "$tmp/err" "$rc"
rc=0
scripts/figures/fig-run.sh sometimes "$tmp/oversub" >/dev/null 2>"$tmp/err" || rc=$?
check "fig-run.sh with an unknown figure: exit 2, naming the two" \
	bash -c '[ "$1" -eq 2 ] && grep -q "nsweep|oversub" "$0"' "$tmp/err" "$rc"
