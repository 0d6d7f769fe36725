#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# table-queue.sh RESULTS_DIR - Brouer's alf_queue table (ns per element,
# MPMC against SPSC) beside ours, from a stored run of the alf-mpmc and
# alf-spsc backends (`make run-qmempool`, its queue folder): simple =
# fastpath-reuse, multi(128) = ring-cleanup n=128, bulkN = bulk n=N, 1
# thread, exclusive mode, medians. Seed figures: REFERENCE §2. Writes
# RESULTS_DIR/tables/queue.md and prints it.
set -euo pipefail

. "$(dirname "$0")/../lib/results.sh"
pb_results_dir "$0" "$@"
mkdir -p "$dir/tables"
out=$dir/tables/queue.md

awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function get(n) { return (n in c) ? $c[n] : "" }
get("statistic") == "median" && get("threads") == 1 && get("mode") == "exclusive" && get("error") == "" {
	w = get("workload"); row = ""
	if (w == "fastpath-reuse") row = "simple"
	else if (w == "ring-cleanup" && get("n") == 128) row = "multi(128)"
	else if (w == "bulk") row = "bulk" get("n")
	if (row != "") v[get("backend"), row] = get("ns_per_op")
}
function cell(b, r) { return ((b, r) in v) ? sprintf("%.3f", v[b, r]) : "n/a" }
function ratio(r) {
	if (!(("alf-mpmc", r) in v) || !(("alf-spsc", r) in v) || v["alf-spsc", r] <= 0) return "n/a"
	return sprintf("%.2fx", v["alf-mpmc", r] / v["alf-spsc", r])
}
END {
	split("simple multi(128) bulk2 bulk4 bulk8 bulk16", rows, " ")
	split("8.617 12.687 5.282 3.015 1.762 1.105", sm, " ")
	split("2.023 2.420 2.346 1.466 1.003 0.754", ss, " ")
	print "| test | seed MPMC | seed SPSC | seed MPMC/SPSC | our alf-mpmc | our alf-spsc | our MPMC/SPSC |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= 6; i++)
		printf "| %s | %s | %s | %.2fx | %s | %s | %s |\n", rows[i], sm[i], ss[i], sm[i] / ss[i],
			cell("alf-mpmc", rows[i]), cell("alf-spsc", rows[i]), ratio(rows[i])
}' "$dir/results.csv" >"$out"
cat "$out"
