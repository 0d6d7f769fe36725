#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fig-run.sh KIND RESULTS_DIR - the figure of a `make run-*` target's own
# results folder, drawn from a stored run: the data from plotdata.py KIND,
# the drawing by fig-KIND.gp. Reads results.csv and meta.json; writes
# RESULTS_DIR/plots/KIND.{dat,pdf,png}. KIND:
#   nsweep   ring-cleanup: ns per alloc+free pair against N, one line per
#            backend and mode, 1 thread, medians with min-max error bars,
#            log2 N axis (make run-qmempool; fig-nsweep.sh)
#   oversub  the protection cost against oversubscription: Mops/s against
#            threads per PU, one line per backend and mode, and the rseq
#            aborts per pair (make run-oversub; fig-oversub.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

kind=${1:-}
case $kind in
nsweep) what="1-thread ring-cleanup medians" ;;
oversub) what="scaling (pattern=reuse) medians" ;;
*)
	echo "usage: $0 nsweep|oversub RESULTS_DIR" >&2
	exit 2
	;;
esac
shift
. "$here/../lib/results.sh"
pb_results_dir "$0" "$@" -- results.csv meta.json
mkdir -p "$dir/plots"
dat=$dir/plots/$kind.dat

# One gnuplot data block per series ("backend mode"), separated by two blank lines.
python3 "$here/plotdata.py" "$kind" "$dir" "$dat" || exit 1

if [ ! -s "$dat" ]; then
	echo "$0: $dir/results.csv has no $what" >&2
	exit 1
fi
caption=$(jq -r '"\(.machine.host): \(.machine.cpu_model), \(.machine.allowed_pus) PUs, kernel \(.machine.kernel); run \(.run.started_utc), \(.run.repetitions) repetitions; counters: \(.counters.group)"' "$dir/meta.json")
fc=$(mktemp -d)
trap 'rm -rf "$fc"' EXIT
pb_fontconfig_cache "$fc"
for fmt in pdf png; do
	gnuplot -c "$here/fig-$kind.gp" "$dat" "$dir/plots/$kind.$fmt" "$fmt" "$caption"
done
# The PDF's creation date becomes the run's start, as in plots.sh: the same
# results give the same file.
stamp=$(jq -r '.run.started_utc // empty' "$dir/meta.json" 2>/dev/null |
	tr -d -- '-:TZ' | grep -xE '[0-9]{14}' || true)
if [ -n "$stamp" ]; then
	sed -i "s|/CreationDate (D:[0-9]\{14\}Z)|/CreationDate (D:${stamp}Z)|" "$dir/plots/$kind.pdf"
fi
echo "wrote $dir/plots/$kind.pdf and $kind.png"
