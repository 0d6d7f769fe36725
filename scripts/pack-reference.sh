#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# pack-reference.sh [--lean] RUN_DIR DEST - make the committed reference
# run from a finished `make run-all` folder: every file kept, the big ones
# compressed (xz -9e, lossless) so the folder stays under 8 MiB (the matrix
# with the peers in the three context modes, 2916 benchmarks, packs to
# about 5.6 MB):
#
#   results.csv        -> results.csv.xz (the figure and table scripts read
#                         either; `xz -dk results.csv.xz` restores it)
#   parts/, logs/      -> parts.tar.xz (each group's own results folder with
#                         Google Benchmark's bench.json, and its log;
#                         `tar -xJf parts.tar.xz` restores them), less each
#                         part's results.csv: the merged results.csv holds
#                         their rows unchanged, in plan order
#   bench.json         -> bench.json.xz (the merged one, for Google
#                         Benchmark's compare.py after `xz -dk`)
#   meta.json, plan.tsv, groups.tsv, run-args, topology.xml, ratios.csv,
#   tables/: as they are
#   latency/           the latency run: its meta.json, plan.tsv, groups.tsv,
#                      run-args, results.csv.xz and latency.csv.xz (the
#                      histograms the figure reads; no raw output)
#   plots/             redrawn from the packed folder (plots.sh reads the .xz)
#
# --lean keeps only what the tables and comparisons read (results.csv.xz,
# meta.json, plan.tsv, groups.tsv, run-args, ratios.csv, tables/): the
# second run of a back-to-back pair, whose figures and raw output add
# nothing the first one lacks.
#
# DEST must not exist. Refuses a run that is not an isolated, complete one.
# Prints DEST's size; exits 1 if it is 8 MiB or more.
set -euo pipefail

lean=0
if [ "${1:-}" = --lean ]; then
	lean=1
	shift
fi
if [ $# -ne 2 ]; then
	echo "usage: $0 [--lean] RUN_DIR DEST" >&2
	exit 2
fi
run=$1 dest=$2
for f in results.csv meta.json plan.tsv groups.tsv run-args topology.xml; do
	if [ ! -s "$run/$f" ]; then
		echo "$0: $run/$f: missing or empty (not a finished make run-all folder?)" >&2
		exit 2
	fi
done
if [ "$(jq -r '.isolation.complete' "$run/meta.json")" != true ]; then
	echo "$0: $run: meta.json says the run is not complete (finish it with make run-all RESUME=$run)" >&2
	exit 2
fi
if [ -e "$dest" ]; then
	echo "$0: $dest exists; a reference folder is never written over" >&2
	exit 2
fi
tmp=$dest.tmp.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
cp -p "$run"/{meta.json,plan.tsv,groups.tsv,run-args} "$tmp/"
[ -s "$run/ratios.csv" ] && cp -p "$run/ratios.csv" "$tmp/"
[ -d "$run/tables" ] && cp -rp "$run/tables" "$tmp/"
xz -9e -T1 -c "$run/results.csv" >"$tmp/results.csv.xz"
# The latency run (make run-all's latency/): its tables, no raw output.
if [ -s "$run/latency/results.csv" ]; then
	mkdir "$tmp/latency"
	for f in meta.json plan.tsv groups.tsv run-args; do
		[ -s "$run/latency/$f" ] && cp -p "$run/latency/$f" "$tmp/latency/"
	done
	xz -9e -T1 -c "$run/latency/results.csv" >"$tmp/latency/results.csv.xz"
	if [ -s "$run/latency/latency.csv" ]; then
		xz -9e -T1 -c "$run/latency/latency.csv" >"$tmp/latency/latency.csv.xz"
	fi
fi
if [ $lean -eq 0 ]; then
	cp -p "$run/topology.xml" "$tmp/"
	[ -d "$run/plots" ] && cp -rp "$run/plots" "$tmp/"
	[ -s "$run/bench.json" ] && xz -9e -T1 -c "$run/bench.json" >"$tmp/bench.json.xz"
	# Each part's results.csv (any depth: rep-<k>/ too) is in the merged one.
	tar -C "$run" --sort=name --exclude='parts/*/results.csv' -cf - parts logs |
		xz -9e -T1 >"$tmp/parts.tar.xz"
fi
mv "$tmp" "$dest"
trap - EXIT
# The figures, redrawn from the packed folder itself, so that `make plots`
# on it (and test_reference.sh) gives the same files byte for byte.
if [ -d "$dest/plots" ]; then
	"$(dirname "$0")/figures/plots.sh" "$dest" >/dev/null
fi
bytes=$(du -sb "$dest" | cut -f1)
echo "$dest: $bytes bytes"
if [ "$bytes" -ge 8388608 ]; then
	echo "$0: $dest is 8 MiB or more" >&2
	exit 1
fi
