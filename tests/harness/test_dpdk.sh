#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_dpdk.sh - the DPDK peers through poolbench run, each in a fresh
# process (EAL starts once per process, allocators/peers/dpdk/eal.c):
#   - EAL refusing to start (PB_DPDK_EAL_MEM_MB larger than the machine
#     can map) skips the DPDK points with EAL's reason, recorded in
#     meta.json's run.skipped, and the run exits 0;
#   - a PB_DPDK_EAL_MEM_MB that is not a size is a bad configuration:
#     exit 2, naming the variable;
#   - meta.json and the console carry no failure for a smoke run of the
#     three backends on fastpath-reuse and bulk, in one process and
#     isolated (EAL started in the planning parent, used in each forked
#     group's child).
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
PB=build/poolbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

[ -x "$PB" ] || { echo "not ok - $PB is built"; exit 1; }

quick=(--quick --counters off)

# EAL cannot map 900000 MB: every DPDK point is skipped, with the reason.
PB_DPDK_EAL_MEM_MB=900000 "$PB" run --backends dpdk-ring,dpdk-mempool \
	--workloads fastpath-reuse "${quick[@]}" --out "$tmp/noeal" \
	>"$tmp/noeal.out" 2>&1
check "EAL failing: the run exits 0" test $? -eq 0
check "... meta.json records the skips with EAL's reason" python3 -c '
import json, sys
sk = json.load(open(sys.argv[1]))["run"]["skipped"]
names = sorted(s["benchmark"].split("/")[0] for s in sk)
assert names == ["dpdk-mempool", "dpdk-ring"], names
assert all(s["reason"].startswith("EAL: ") for s in sk), sk
' "$tmp/noeal/meta.json"
check "... the console names the reason" grep -q "EAL: " "$tmp/noeal.out"
check "... no DPDK row in results.csv" \
	test -z "$(grep '^dpdk-' "$tmp/noeal/results.csv")"

PB_DPDK_EAL_MEM_MB=lots "$PB" run --backends dpdk-stack \
	--workloads fastpath-reuse "${quick[@]}" --out "$tmp/bad" \
	>"$tmp/bad.out" 2>&1
check "bad PB_DPDK_EAL_MEM_MB: exit 2" test $? -eq 2
check "... naming the variable" \
	grep -q "PB_DPDK_EAL_MEM_MB='lots'" "$tmp/bad.out"

# smoke NAME ARGS...: a run of the three backends with no failure.
smoke() {
	local name=$1
	shift
	"$PB" run --backends dpdk-mempool,dpdk-ring,dpdk-stack \
		--workloads fastpath-reuse,bulk "${quick[@]}" "$@" \
		--out "$tmp/$name" >"$tmp/$name.out" 2>&1
	check "smoke ($name): exit 0" test $? -eq 0
	check "... every backend has its rows" python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["statistic"] == "run"]
got = {(r["backend"], r["workload"]) for r in rows if not r["error"]}
want = {(b, w) for b in ("dpdk-mempool", "dpdk-ring", "dpdk-stack")
	for w in ("fastpath-reuse", "bulk")}
assert want <= got, want - got
assert not [r for r in rows if r["error"]]
' "$tmp/$name/results.csv"
}

smoke local --threads 1,2
smoke isolated --isolate
