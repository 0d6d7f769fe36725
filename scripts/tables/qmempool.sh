#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# table-qmempool.sh RESULTS_DIR - the seed 000 table (ns per alloc+free
# pair, 1 thread) beside ours, from a stored run of `make run-qmempool`
# (its table folder). Seed figures are the RFC's published numbers
# (E5-2695, CONFIG_PREEMPT; REFERENCE §2); ours come from RESULTS_DIR's
# results.csv, medians over repetitions, ratios over malloc measured in the
# same run. Writes RESULTS_DIR/tables/qmempool.md and prints it.
set -euo pipefail

. "$(dirname "$0")/../lib/results.sh"
pb_results_dir "$0" "$@"
mkdir -p "$dir/tables"
out=$dir/tables/qmempool.md

awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function get(n) { return (n in c) ? $c[n] : "" }
function opt(k,   o, a, i, n) {
	n = split(get("options"), a, ";")
	for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
	return ""
}
get("statistic") == "median" && get("threads") == 1 && get("error") == "" {
	w = get("workload")
	if (w == "ring-cleanup" && get("n") != 256) next
	if (w != "fastpath-reuse" && w != "ring-cleanup") next
	b = get("backend")
	if (b == "malloc" || b == "null") {
		v[b, w, get("mode")] = get("ns_per_op")
	} else if (b == "qmempool") {
		cfg = "localq=" opt("localq") " sharedq=" opt("sharedq") " prealloc=" opt("prealloc")
		v[b " " cfg, w, get("mode")] = get("ns_per_op")
	}
}
function cell(k, w, m) { return ((k, w, m) in v) ? sprintf("%.2f", v[k, w, m]) : "n/a" }
function ratio(k, w, m, base) {
	if (!((k, w, m) in v) || !(base in v) || v[k, w, m] <= 0) return "n/a"
	return sprintf("%.2fx", v[base] / v[k, w, m])
}
END {
	brouer["fastpath-reuse"] = "qmempool localq=32 sharedq=128 prealloc=16"
	brouer["ring-cleanup"] = "qmempool localq=32 sharedq=256 prealloc=0"
	tuned = "qmempool localq=256 sharedq=256 prealloc=0"
	seed["fastpath-reuse"] = "19.563 | 7.837 (2.50x) | 18.536 (1.06x)"
	seed["ring-cleanup"] = "45.039 | 11.782 (3.82x) | 24.186 (1.86x)"
	label["fastpath-reuse"] = "fastpath-reuse"
	label["ring-cleanup"] = "N(256) (ring-cleanup n=256)"
	print "| pattern | seed SLUB | seed qmempool softirq | seed qmempool elsewhere | our malloc | our qmempool exclusive, Brouer params | our qmempool shared, Brouer params | our qmempool exclusive, tuned | our qmempool shared, tuned | our null |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	split("fastpath-reuse ring-cleanup", ws, " ")
	for (i = 1; i <= 2; i++) {
		w = ws[i]; k = brouer[w]
		printf "| %s | %s | %s | %s (%s) | %s (%s) | %s (%s) | %s (%s) | %s |\n", label[w], seed[w],
			cell("malloc", w, "exclusive"),
			cell(k, w, "exclusive"), ratio(k, w, "exclusive", "malloc" SUBSEP w SUBSEP "exclusive"),
			cell(k, w, "shared"), ratio(k, w, "shared", "malloc" SUBSEP w SUBSEP "exclusive"),
			cell(tuned, w, "exclusive"), ratio(tuned, w, "exclusive", "malloc" SUBSEP w SUBSEP "exclusive"),
			cell(tuned, w, "shared"), ratio(tuned, w, "shared", "malloc" SUBSEP w SUBSEP "exclusive"),
			cell("null", w, "exclusive")
	}
}' "$dir/results.csv" >"$out"
cat "$out"
