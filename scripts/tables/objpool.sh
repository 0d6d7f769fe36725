#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# table-objpool.sh RESULTS_DIR - the objpool tables (seed 001) from a stored
# run (`make run-objpool`): scaling (total Mops/s per thread count and the
# speed-up of the most threads over one), remote free (objects/s and where
# the allocations came from) and overrun (hits and misses). Medians over
# repetitions; every figure is read from results.csv, none typed by hand.
# Writes RESULTS_DIR/tables/objpool.md and prints it.
set -euo pipefail

. "$(dirname "$0")/../lib/results.sh"
pb_results_dir "$0" "$@"
pb_results_column "$0" steals_per_op "a run older than the objpool backends"
mkdir -p "$dir/tables"
out=$dir/tables/objpool.md

awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function get(n) { return (n in c) ? $c[n] : "" }
function num(x, f) { return x == "" ? "n/a" : sprintf(f, x) }
get("statistic") == "median" && get("error") == "" {
	b = get("backend"); w = get("workload"); m = get("mode"); t = get("threads") + 0
	if (!(b in seenb)) { seenb[b] = 1; order[++nb] = b }
	if (t > maxt) maxt = t
	thr[t] = 1
	if (w == "scaling") {
		k = b SUBSEP get("pattern") SUBSEP m
		ops[k, t] = get("ops_per_sec"); eff[k, t] = get("efficiency"); sk[k] = 1
	} else if (w == "remote-free") {
		k = b SUBSEP m SUBSEP t
		rf[k] = 1; rops[k] = get("ops_per_sec"); rns[k] = get("ns_per_op")
		rfast[k] = get("fast_hits_per_op"); rsteal[k] = get("steals_per_op")
	} else if (w == "overrun") {
		k = b SUBSEP m SUBSEP t
		ov[k] = 1; ohit[k] = get("hits_per_op"); omiss[k] = get("misses_per_op")
		ovn[get("n") " allocations against " get("per_cpu")] = 1
		osteal[k] = get("steals_per_op"); ons[k] = get("ns_per_op")
	}
}
END {
	nt = 0
	for (t = 1; t <= maxt; t++) if (t in thr) tl[++nt] = t
	print "### Scaling: total Mops/s (alloc+free pairs) by thread count"
	print ""
	printf "| backend | pattern | mode |"
	for (i = 1; i <= nt; i++) printf " %d thr |", tl[i]
	printf " %d thr / 1 thr | efficiency at %d |\n", maxt, maxt
	printf "|---|---|---|"
	for (i = 1; i <= nt + 2; i++) printf "---|"
	print ""
	split("reuse ring", pats, " "); split("exclusive shared", modes, " ")
	for (bi = 1; bi <= nb; bi++) for (pi = 1; pi <= 2; pi++) for (mi = 1; mi <= 2; mi++) {
		k = order[bi] SUBSEP pats[pi] SUBSEP modes[mi]
		if (!(k in sk)) continue
		printf "| %s | %s | %s |", order[bi], pats[pi], modes[mi]
		for (i = 1; i <= nt; i++)
			printf " %s |", ((k, tl[i]) in ops) ? sprintf("%.1f", ops[k, tl[i]] / 1e6) : "n/a"
		if (((k, 1) in ops) && ((k, maxt) in ops) && ops[k, 1] > 0)
			printf " %.2fx |", ops[k, maxt] / ops[k, 1]
		else
			printf " n/a |"
		printf " %s |\n", ((k, maxt) in eff) ? num(eff[k, maxt], "%.2f") : "n/a"
	}
	print ""
	print "### Remote free: objects allocated on one CPU, freed on another"
	print ""
	print "| backend | mode | threads | Mobjects/s | ns per object per thread | local allocs per object | steals per object |"
	print "|---|---|---|---|---|---|---|"
	for (bi = 1; bi <= nb; bi++) for (mi = 1; mi <= 2; mi++) for (i = 1; i <= nt; i++) {
		k = order[bi] SUBSEP modes[mi] SUBSEP tl[i]
		if (!(k in rf)) continue
		printf "| %s | %s | %d | %.1f | %s | %s | %s |\n", order[bi], modes[mi], tl[i],
			rops[k] / 1e6, num(rns[k], "%.1f"), num(rfast[k], "%.3f"), num(rsteal[k], "%.3f")
	}
	print ""
	ovs = ""
	for (x in ovn) ovs = ovs (ovs == "" ? "" : "; ") x
	print "### Overrun: bulks of " ovs " objects per thread"
	print ""
	print "| backend | mode | threads | hits per attempt | misses per attempt | steals per attempt | ns per attempt |"
	print "|---|---|---|---|---|---|---|"
	for (bi = 1; bi <= nb; bi++) for (mi = 1; mi <= 2; mi++) for (i = 1; i <= nt; i++) {
		k = order[bi] SUBSEP modes[mi] SUBSEP tl[i]
		if (!(k in ov)) continue
		printf "| %s | %s | %d | %s | %s | %s | %s |\n", order[bi], modes[mi], tl[i],
			num(ohit[k], "%.3f"), num(omiss[k], "%.3f"), num(osteal[k], "%.3f"), num(ons[k], "%.2f")
	}
}' "$dir/results.csv" >"$out"
cat "$out"
