#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fig-nsweep.sh RESULTS_DIR - figure "ring-cleanup: ns per alloc+free pair
# against N" from a stored run: one line per backend and mode (the
# data from plotdata.py nsweep), 1 thread, medians with min-max error bars, log2 N axis. Reads
# results.csv and meta.json; writes RESULTS_DIR/plots/nsweep.{dat,pdf,png}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

. "$here/../lib/results.sh"
pb_results_dir "$0" "$@" -- results.csv meta.json
mkdir -p "$dir/plots"
dat=$dir/plots/nsweep.dat

# One gnuplot data block per series ("backend mode"), separated by two blank lines.
python3 "$here/plotdata.py" nsweep "$dir" "$dat" || exit 1

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
# The PDF's creation date becomes the run's start, as in plots.sh: the same
# results give the same file.
stamp=$(jq -r '.run.started_utc // empty' "$dir/meta.json" 2>/dev/null |
	tr -d -- '-:TZ' | grep -xE '[0-9]{14}' || true)
if [ -n "$stamp" ]; then
	sed -i "s|/CreationDate (D:[0-9]\{14\}Z)|/CreationDate (D:${stamp}Z)|" "$dir/plots/nsweep.pdf"
fi
echo "wrote $dir/plots/nsweep.pdf and nsweep.png"
