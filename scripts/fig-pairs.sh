#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fig-pairs.sh RESULTS_DIR - figure "ns per alloc+free pair" from a stored
# run: one cluster of bars per backend (and per option value that varies),
# one bar per workload x context mode, at 1 thread, with min-max whiskers
# over the repetitions. Reads RESULTS_DIR/results.csv and meta.json only;
# writes RESULTS_DIR/plots/pairs.{dat,pdf,png}. Nothing is re-run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

. "$(dirname "$0")/lib-results.sh"
pb_results_dir "$0" "$@" -- results.csv meta.json
mkdir -p "$dir/plots"
dat=$dir/plots/pairs.dat

# Columns are found by name, so older and newer CSVs both work.
awk -F, -v OFS='\t' '
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
function get(name) { return (name in col) ? $col[name] : "" }
get("threads") == 1 && get("error") == "" &&
(get("workload") == "fastpath-reuse" || (get("workload") == "ring-cleanup" && get("n") == 256)) &&
(get("statistic") == "median" || get("statistic") == "min" || get("statistic") == "max") {
	key = get("backend") SUBSEP get("options")
	if (!(key in seen)) { seen[key] = ++nkeys; keys[nkeys] = key }
	series = get("workload") " " get("mode")
	val[key, series, get("statistic")] = get("ns_per_op")
	opts[key] = get("options")
}
END {
	# A label is the backend, plus the option values that differ between
	# its rows (mutex-mempool may-block / atomic).
	for (k = 1; k <= nkeys; k++) {
		split(keys[k], kb, SUBSEP)
		label = kb[1]
		for (j = 1; j <= nkeys; j++) {
			split(keys[j], jb, SUBSEP)
			if (j == k || jb[1] != kb[1]) continue
			n = split(opts[keys[k]], a, ";"); split(opts[keys[j]], b, ";")
			for (i = 1; i <= n; i++)
				if (a[i] != b[i] && index(label, a[i]) == 0) {
					sub(/^[^=]*=/, "", a[i]); label = label "\\n" a[i]
				}
		}
		printf "\"%s\"", label
		split("fastpath-reuse exclusive|fastpath-reuse shared|ring-cleanup exclusive|ring-cleanup shared", s, "|")
		for (i = 1; i <= 4; i++) {
			m = val[keys[k], s[i], "median"]
			printf "\t%s\t%s\t%s", (m == "" ? "NaN" : m),
				(m == "" ? "NaN" : val[keys[k], s[i], "min"]),
				(m == "" ? "NaN" : val[keys[k], s[i], "max"])
		}
		printf "\n"
	}
}' "$dir/results.csv" >"$dat"

if [ ! -s "$dat" ]; then
	echo "$0: $dir/results.csv has no 1-thread fastpath-reuse or ring-cleanup (n=256) medians" >&2
	exit 1
fi
caption=$(jq -r '"\(.machine.host): \(.machine.cpu_model), \(.machine.allowed_pus) PUs, kernel \(.machine.kernel); run \(.run.started_utc), \(.run.repetitions) repetitions; counters: \(.counters.group)"' "$dir/meta.json")
for fmt in pdf png; do
	gnuplot -c "$here/fig-pairs.gp" "$dat" "$dir/plots/pairs.$fmt" "$fmt" "$caption"
done
echo "wrote $dir/plots/pairs.pdf and pairs.png"
