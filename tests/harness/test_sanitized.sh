#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_sanitized.sh - the runner itself (planning, the benchmark body with
# its barriers and pinning, counters, the results writer) built with
# ASan+UBSan and with TSan: a short run of every backend, both modes, 1 and
# 2 threads, and the million workload's pre-fill, must finish cleanly with
# no sanitizer report.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tsan_prefix=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
	tsan_prefix=(setarch "$(uname -m)" -R)
fi

for v in asan tsan; do
	pb=build/$v/poolbench
	if [ ! -x "$pb" ]; then
		echo "not ok - $pb is built"
		continue
	fi
	prefix=()
	[ "$v" = tsan ] && prefix=("${tsan_prefix[@]}")
	"${prefix[@]}" "$pb" run --threads 1,2 --mode exclusive,shared \
		--param mutex-mempool.alloc=may-block,atomic --param n=32 \
		--param million.count=256 \
		--reps 2 --min-time 0.005 --out "$tmp/$v" >"$tmp/$v.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok - $v: a run of every backend exits 0"
	else
		echo "not ok - $v: a run of every backend exits 0 (exit $rc)"
		tail -20 "$tmp/$v.log"
	fi
	# The second-half pre-fill, on backends that can hold it (an atomic
	# mempool may run dry during it: an honest NULL, not a test here).
	"${prefix[@]}" "$pb" run --workloads million --param million.count=256 \
		--param million.fill=second-half --size 4,64 \
		--backends malloc,percpu-areamap,percpu-bitmap,objpool-ring,percpu-mempool \
		--param percpu-mempool.alloc=may-block \
		--reps 1 --out "$tmp/$v-fill" >>"$tmp/$v.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok - $v: million with the second-half pre-fill exits 0"
	else
		echo "not ok - $v: million with the second-half pre-fill exits 0 (exit $rc)"
		tail -20 "$tmp/$v.log"
	fi
	if grep -qE 'Sanitizer|runtime error' "$tmp/$v.log"; then
		echo "not ok - $v: no sanitizer report"
		grep -E -A12 'Sanitizer|runtime error' "$tmp/$v.log" | head -40
	else
		echo "ok - $v: no sanitizer report"
	fi
done
