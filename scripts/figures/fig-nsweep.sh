#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fig-nsweep.sh RESULTS_DIR - figure "ring-cleanup: ns per alloc+free pair
# against N" from a stored run: one line per backend (and option set) and
# mode, 1 thread, medians with min-max error bars, log2 N axis. Reads
# results.csv and meta.json; writes RESULTS_DIR/plots/nsweep.{dat,pdf,png}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

. "$here/../lib/results.sh"
pb_results_dir "$0" "$@" -- results.csv meta.json
mkdir -p "$dir/plots"
dat=$dir/plots/nsweep.dat

# One gnuplot data block per series ("backend mode"), separated by two blank lines.
awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function get(n) { return (n in c) ? $c[n] : "" }
get("workload") == "ring-cleanup" && get("threads") == 1 && get("error") == "" &&
get("backend") != "null" && (get("statistic") == "median" || get("statistic") == "min" || get("statistic") == "max") {
	s = get("backend") " " get("mode")
	if (!(s in seen)) { seen[s] = ++ns; name[ns] = s }
	if (!((s, get("n")) in hasn)) { hasn[s, get("n")] = 1; ns_n[s]++; nlist[s, ns_n[s]] = get("n") }
	v[s, get("n"), get("statistic")] = get("ns_per_op")
}
END {
	for (i = 1; i <= ns; i++) {
		s = name[i]
		printf "\"%s\"\n", s
		m = ns_n[s]
		for (j = 1; j <= m; j++) a[j] = nlist[s, j] + 0
		for (j = 2; j <= m; j++) { x = a[j]; k = j - 1; while (k >= 1 && a[k] > x) { a[k + 1] = a[k]; k-- } a[k + 1] = x }
		for (j = 1; j <= m; j++)
			printf "%d\t%s\t%s\t%s\n", a[j], v[s, a[j], "median"], v[s, a[j], "min"], v[s, a[j], "max"]
		printf "\n\n"
	}
}' "$dir/results.csv" >"$dat"

if [ ! -s "$dat" ]; then
	echo "$0: $dir/results.csv has no 1-thread ring-cleanup medians" >&2
	exit 1
fi
caption=$(jq -r '"\(.machine.host): \(.machine.cpu_model), \(.machine.allowed_pus) PUs, kernel \(.machine.kernel); run \(.run.started_utc), \(.run.repetitions) repetitions; counters: \(.counters.group)"' "$dir/meta.json")
fc=$(mktemp -d)
trap 'rm -rf "$fc"' EXIT
pb_fontconfig_cache "$fc"
for fmt in pdf png; do
	gnuplot -c "$here/fig-nsweep.gp" "$dat" "$dir/plots/nsweep.$fmt" "$fmt" "$caption"
done
echo "wrote $dir/plots/nsweep.pdf and nsweep.png"
