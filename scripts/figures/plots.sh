#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# plots.sh RESULTS_DIR - the paper's eight figures from a stored run; nothing
# is run. Reads RESULTS_DIR/results.csv and meta.json (and, for fig7, the
# latency run in RESULTS_DIR/latency/ when there is one), prepares each
# figure's data with plotdata.py and draws it with its gnuplot script
# (fig1-pairs.gp ... fig8-memory.gp), writing into RESULTS_DIR/plots/ (a
# machine comparison's: RESULTS_DIR/machines/<name>/plots/ per machine):
#
#   fig1-pairs     ns per alloc+free pair at 1 thread by backend variant and mode
#   fig2-ring-n    ring-cleanup ns per pair against N
#   fig3-scaling   the scaling workload: Mops/s against threads
#   fig4-million   the million workload: alloc and free ms against object size
#   fig5-counters  perf counters per pair (or why there were none)
#   fig6-peers     each seed design beside its userspace peer (DPDK, ck, GLib)
#   fig7-latency   the latency run's alloc latency CCDF (latency/latency.csv)
#   fig8-memory    resident bytes per live object against live objects
#
# and, for a machine comparison only, into RESULTS_DIR/plots/:
#
#   fig9-machines  each variant over its own machine's malloc, a bar per machine
#
# each as .pdf (16 cm wide, for the paper), .png (1100 px, for the README)
# and .dat (the numbers it was drawn from). A figure whose data the run does
# not have is still written and says so in its body; a note says so here.
# Every file is written under a temporary name and renamed into place.
#
# Exit status: 0 all eight figures (and fig9) written; 1 the results could not be read
# or drawn (a message says why); 2 usage, or not a results folder.
set -euo pipefail
prog=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)

. "$here/../lib/results.sh"
pb_results_dir "$prog" "$@" -- results.csv meta.json

for tool in python3 gnuplot; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$prog: $tool not found (scripts/setup/install-deps.sh installs it)" >&2
		exit 1
	fi
done

# The run's start, YYYYMMDDHHMMSS (empty if meta.json does not say).
stamp=$(jq -r '.isolation.first_started_utc // .run.started_utc // empty' "$dir/meta.json" 2>/dev/null |
	tr -d -- '-:TZ' | grep -xE '[0-9]{14}' || true)

# draw NAME PLOTDATA-COMMAND TMP: NAME.{dat,pdf,png} into TMP from
# `plotdata.py PLOTDATA-COMMAND`, its notes on the console.
draw() {
	local name=$1 cmd=$2 tmp=$3 fmt line
	python3 "$here/plotdata.py" "$cmd" "$dir" "$tmp/$name.dat" "$tmp/$name.vars" \
		>"$tmp/$name.notes"
	while IFS= read -r line; do
		echo "$prog: $name: note: $line"
	done <"$tmp/$name.notes"
	for fmt in pdf png; do
		if ! gnuplot -c "$here/$name.gp" "$tmp/$name.dat" "$tmp/$name.vars" \
			"$tmp/$name.$fmt" "$fmt" 2>"$tmp/gnuplot.err" || [ ! -s "$tmp/$name.$fmt" ]; then
			echo "$prog: gnuplot failed to draw $name.$fmt:" >&2
			sed 's/^/  /' "$tmp/gnuplot.err" >&2
			exit 1
		fi
		# Warnings do not stop the figure, but are shown.
		sed "s/^/$prog: $name.$fmt: gnuplot: /" "$tmp/gnuplot.err" >&2
	done
	# The PDF's creation date becomes the run's start: the same results
	# give the same file. Same length, so the PDF's offsets stay right.
	if [ -n "$stamp" ]; then
		sed -i "s|/CreationDate (D:[0-9]\{14\}Z)|/CreationDate (D:${stamp}Z)|" "$tmp/$name.pdf"
	fi
}

# A machine comparison (a machine column of several names, docs/cluster.md):
# each machine's eight figures into machines/<name>/plots/, one machine at
# a time (PB_MACHINE names it; given, only that machine's), then
# fig9-machines, every machine against its own malloc, into plots/.
if [ -z "${PB_MACHINE:-}" ]; then
	if pb_machines "$dir"; then
		for m in $machines; do
			PB_MACHINE=$m "$0" "$dir" || exit $?
		done
		mkdir -p "$dir/plots"
		tmp=$(mktemp -d "$dir/plots/.tmp.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		pb_fontconfig_cache "$tmp/cache"
		draw fig9-machines machines-fig "$tmp"
		for ext in dat pdf png; do
			mv -f "$tmp/fig9-machines.$ext" "$dir/plots/fig9-machines.$ext"
		done
		echo "$prog: wrote $dir/plots/fig9-machines.{pdf,png,dat}"
		exit 0
	fi
fi
out=$dir${PB_MACHINE:+/machines/$PB_MACHINE}

# Refuse unreadable results before anything is written.
if ! python3 "$here/plotdata.py" check "$dir"; then
	echo "$prog: no figures written" >&2
	exit 1
fi

mkdir -p "$out/plots"
tmp=$(mktemp -d "$out/plots/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pb_fontconfig_cache "$tmp/cache"

figures=(fig1-pairs:pairs fig2-ring-n:ring-n fig3-scaling:scaling fig4-million:million
	fig5-counters:counters fig6-peers:peers fig7-latency:latency fig8-memory:memory)
for f in "${figures[@]}"; do
	draw "${f%%:*}" "${f#*:}" "$tmp"
done

for f in "${figures[@]}"; do
	name=${f%%:*}
	for ext in dat pdf png; do
		mv -f "$tmp/$name.$ext" "$out/plots/$name.$ext"
	done
done
echo "$prog: wrote $out/plots/{fig1-pairs,fig2-ring-n,fig3-scaling,fig4-million,fig5-counters,fig6-peers,fig7-latency,fig8-memory}.{pdf,png,dat}"
