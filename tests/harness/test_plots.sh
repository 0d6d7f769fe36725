#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_plots.sh - figures come from a stored results folder without running
# anything: a short run is made once, then scripts/fig-pairs.sh must write a
# PDF and a PNG that are what they claim to be, and refuse bad arguments
# with a message and a non-zero exit.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok - $d"; else echo "not ok - $d"; fi
}

build/poolbench run --workloads fastpath-reuse,ring-cleanup --mode exclusive,shared \
	--param mutex-mempool.alloc=may-block,atomic --reps 2 --min-time 0.005 \
	--counters off --out "$tmp/run" >/dev/null 2>&1
check "a short run for the figures exits 0" test $? -eq 0

scripts/fig-pairs.sh "$tmp/run" >/dev/null 2>&1
check "fig-pairs.sh exits 0 on a results folder" test $? -eq 0
check "the PDF starts as a PDF" test "$(head -c 5 "$tmp/run/plots/pairs.pdf")" = "%PDF-"
check "the PDF ends as a PDF" grep -q '%%EOF' <(tail -c 64 "$tmp/run/plots/pairs.pdf")
check "the PNG has the PNG signature" test "$(head -c 8 "$tmp/run/plots/pairs.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
check "the PNG is not trivially small" test "$(stat -c %s "$tmp/run/plots/pairs.png")" -gt 10000
# One bar cluster per backend and option set that ran at 1 thread.
variants=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["threads"] == 1 && $c["statistic"] == "median" { v[$c["backend"] "," $c["options"]] = 1 }
	END { print length(v) }' "$tmp/run/results.csv")
check "the data file has one line per backend variant ($variants)" \
	test "$(wc -l <"$tmp/run/plots/pairs.dat")" -eq "$variants"
check "... at least null, malloc and both mutex-mempool modes" test "$variants" -ge 4
# Medians in the data file are the CSV's medians.
med=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["backend"] == "malloc" && $c["workload"] == "fastpath-reuse" &&
	$c["mode"] == "exclusive" && $c["statistic"] == "median" { print $c["ns_per_op"] }' "$tmp/run/results.csv")
check "the plotted malloc median is the CSV's" \
	test "$(awk -F'\t' '$1 == "\"malloc\"" { print $2 }' "$tmp/run/plots/pairs.dat")" = "$med"

scripts/fig-pairs.sh >/dev/null 2>"$tmp/err"
check "no argument: exit 2" test $? -eq 2
check "... with usage" grep -q usage "$tmp/err"
scripts/fig-pairs.sh "$tmp/nowhere" >/dev/null 2>"$tmp/err"
check "not a results folder: exit 2" test $? -eq 2
check "... saying what is missing" grep -q "results.csv: missing" "$tmp/err"
make -s plots RESULTS="$tmp/nowhere" >/dev/null 2>&1
check "make plots on a bad folder fails" test $? -ne 0
