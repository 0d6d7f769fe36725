#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-pcpu.sh - run the percpu fuzz target (build/fuzz/fuzz_pcpu, built by
# make fuzz-build) over the seed corpus tests/fuzz/corpus/pcpu/.
#
# Usage: tests/fuzz/run-pcpu.sh --time SECONDS | --check
#   --time S  explore for S seconds (make fuzz): new inputs go to
#             build/fuzz/corpus (kept between runs, never into the repo).
#   --check   the bounded deterministic run of make test: -seed=1, a fixed
#             number of runs, new inputs to a scratch folder; prints
#             "ok - ..." / "not ok - ..." for tests/run.sh to count.
# A crash, a sanitizer report or a model violation leaves its input in
# build/fuzz/ and exits non-zero with the command that reproduces it.
set -u
cd "$(dirname "$0")/../.."

bin=build/fuzz/fuzz_pcpu
seeds=tests/fuzz/corpus/pcpu
check_runs=${FUZZ_CHECK_RUNS:-3000}
# One input is at most 512 operations (fuzz_pcpu.c): 2 + 512 * 4 bytes.
common=(-max_len=2050 -timeout=60 -artifact_prefix=build/fuzz/ -print_final_stats=1)

mode=${1:-}
case "$mode" in
--time)
	[ $# -eq 2 ] || { echo "usage: $0 --time SECONDS | --check" >&2; exit 2; }
	corpus=build/fuzz/corpus
	args=(-max_total_time="$2")
	label="fuzz_pcpu: $2 s"
	;;
--check)
	corpus=build/fuzz/corpus-check
	rm -rf "$corpus"
	args=(-seed=1 -runs="$check_runs")
	label="fuzz_pcpu: $check_runs runs, seed 1"
	;;
*)
	echo "usage: $0 --time SECONDS | --check" >&2
	exit 2
	;;
esac

if [ ! -x "$bin" ]; then
	echo "not ok - $label: $bin is not built (make fuzz-build; it needs clang and libclang-rt-14-dev)"
	exit 1
fi
mkdir -p "$corpus"
log=build/fuzz/last-run.log
start=$(date +%s)
if [ "$mode" = --time ]; then
	"$bin" "${common[@]}" "${args[@]}" "$corpus" "$seeds" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
else
	"$bin" "${common[@]}" "${args[@]}" "$corpus" "$seeds" >"$log" 2>&1
	rc=$?
fi
secs=$(($(date +%s) - start))

if [ "$rc" -ne 0 ]; then
	grep -E 'model violation|ERROR: |runtime error' "$log" | head -5 >&2
	artifact=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n1)
	echo "not ok - $label: exit $rc after $secs s (log $log)"
	if [ -n "$artifact" ]; then
		echo "reproduce: $bin $artifact"
	fi
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
echo "ok - $label: ${runs:-?} inputs in $secs s, corpus $corpus"
