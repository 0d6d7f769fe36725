#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_rseq_mode.sh - the rseq context mode end to end: `poolbench run
# --mode rseq` runs unpinned workers, more of them than PUs with
# --oversubscribe (not turned into shared mode), and the backends with
# per-CPU state report what the mode cost (rseq_aborts_per_op,
# cpu_changes_per_op) where the others leave those cells empty; where
# glibc registered no rseq area (GLIBC_TUNABLES=glibc.pthread.rseq=0)
# every point of the mode is skipped with that reason while the other
# modes run. Uses build/poolbench.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pb=build/poolbench

. tests/harness/lib.sh

pus=$(nproc)
over=$((2 * pus + 1))
if ! $pb list >/dev/null 2>&1; then
	echo "not ok - $pb does not run"
	exit 0
fi

# A python3 check on a results folder: exit 0 when it holds.
pycheck() {	# folder, python body (rows: the CSV's median rows as dicts)
	python3 - "$1" "$2" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1] + "/results.csv")) if r["statistic"] == "median"]
def num(s):
    try:
        return float(s)
    except ValueError:
        return None
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

$pb run --backends qmempool,objpool-ring,objpool-freelist,malloc --workloads fastpath-reuse \
	--mode rseq --threads 1,$over --oversubscribe --reps 2 --min-time 0.01 \
	--out "$tmp/r" >"$tmp/r.log" 2>&1
rc=$?
if grep -q "__rseq_size is 0\|not this build" "$tmp/r.log" "$tmp/r/meta.json" 2>/dev/null; then
	echo "ok - # SKIP rseq is not available here: $(grep -ho 'rseq: [^"]*' "$tmp/r/meta.json" | head -1)"
	exit 0
fi
check "--mode rseq with $over threads on $pus PUs (--oversubscribe): exit 0" test $rc -eq 0
check "... every row is in rseq mode, none turned into shared" \
	pycheck "$tmp/r" 'rows and all(r["mode"] == "rseq" for r in rows)'
check "... the oversubscribed points ran ($over threads)" \
	pycheck "$tmp/r" 'any(r["threads"] == "'$over'" and not r["error"] for r in rows)'
check "... qmempool and objpool-ring report aborts and CPU changes per pair" \
	pycheck "$tmp/r" 'all(num(r["rseq_aborts_per_op"]) is not None and num(r["cpu_changes_per_op"]) is not None for r in rows if r["backend"] in ("qmempool", "objpool-ring"))'
check "... objpool-freelist CPU changes only (it runs no sequence)" \
	pycheck "$tmp/r" 'all(r["rseq_aborts_per_op"] == "" and num(r["cpu_changes_per_op"]) is not None for r in rows if r["backend"] == "objpool-freelist")'
check "... malloc neither (no per-CPU state: empty, not 0)" \
	pycheck "$tmp/r" 'all(r["rseq_aborts_per_op"] == "" and r["cpu_changes_per_op"] == "" for r in rows if r["backend"] == "malloc")'

GLIBC_TUNABLES=glibc.pthread.rseq=0 $pb run --backends qmempool,malloc --workloads fastpath-reuse \
	--mode exclusive,rseq --reps 2 --min-time 0.01 --out "$tmp/off" >"$tmp/off.log" 2>&1
check "without glibc's rseq area: exit 0, the other modes run" \
	pycheck "$tmp/off" 'rows and all(r["mode"] == "exclusive" for r in rows)'
check "... every rseq point skipped, saying why" \
	test "$(jq '[.run.skipped[] | select(.reason | test("__rseq_size is 0"))] | length' "$tmp/off/meta.json")" -ge 3

$pb run --mode sometimes >/dev/null 2>"$tmp/err"
check "--mode sometimes: exit 2, naming rseq among the choices" \
	bash -c '[ "$1" -eq 2 ] && grep -q "exclusive, shared, rseq" "$0"' "$tmp/err" "$?"
