#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_tables.sh - the seed tables come from a stored results folder: on
# copies of the committed reference runs, scripts/tables/percpu.py and
# scripts/tables/objpool.py exit 0 and write tables whose cells are the
# CSV's medians; a case that did not finish says so; bad arguments exit 2
# with a message. Every table script, run on a copy of its reference run,
# writes the table committed under results/reference/ byte for byte; the
# seeds' figures are written down only in paper/seed-claims.csv, never in a
# script. scripts/tables/mempool_perf.py, on a small synthetic run written
# here: DPDK's layout, rate_persec the ops_per_sec median, points not run or
# failed left empty with the reason.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ref=results/reference/vm-2core-20261201T170032Z

. tests/harness/lib.sh

# Copies: the scripts write tables/ into the folder they read.
for s in percpu percpu-aligned percpu-mempool; do
	mkdir -p "$tmp/$s"
	cp "$ref-$s/results.csv" "$ref-$s/meta.json" "$tmp/$s/"
done
scripts/tables/percpu.py "$tmp/percpu" "$tmp/percpu-aligned" "$tmp/percpu-mempool" \
	>"$tmp/out" 2>&1
check "tables/percpu.py exits 0 on the reference run" test $? -eq 0
t=$tmp/percpu/tables/percpu.md
check "... writes tables/percpu.md" test -s "$t"
# The bitmap's 4 B in-order cell: the CSV's median alloc_ms / free_ms.
cell=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["backend"] == "percpu-bitmap" && $c["obj_size"] == 4 && $c["order"] == "in-order" &&
	$c["fill"] == "none" && $c["statistic"] == "median" {
		a = $c["alloc_ms"]; f = $c["free_ms"]
		x = (a >= 100) ? sprintf("%.0f", a) : sprintf("%.1f", a)
		y = (f >= 100) ? sprintf("%.0f", f) : sprintf("%.1f", f)
		printf "%s / %s", x, y }' "$tmp/percpu/results.csv")
check "... the bitmap's 4 B in-order cell is the CSV median ($cell)" \
	grep -q "| 4 B | in-order | [^|]* | $cell |" "$t"
check "... every size has a worst-order row" test "$(grep -c '^| [0-9]* B | [0-9.]* / [0-9.]* (' "$t")" -eq 5
check "... the area map's aligned case did not finish, and says so" \
	grep -q '| percpu-areamap | did not finish (120 s) |' "$t"
check "... the mempool table has a row per backend and option set" \
	test "$(grep -c '^| percpu-mempool ' "$t")" -eq 4
check "... and names each point the run skipped, with its reason (meta.json)" \
	grep -q '^- `percpu-mempool/ring-cleanup/.*alloc:atomic/refill:async`: .*exceeds min_nr' "$t"
scripts/tables/percpu.py >"$tmp/e1" 2>&1
check "tables/percpu.py without arguments: exit 2 and usage" \
	bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e1"
scripts/tables/percpu.py "$tmp/nowhere" >"$tmp/e2" 2>&1
check "... a missing folder: exit 2, naming it" \
	bash -c '[ '$?' -eq 2 ] && grep -q nowhere "$0"' "$tmp/e2"
scripts/tables/percpu.py "$tmp/percpu-mempool" >"$tmp/e3" 2>&1
check "... a folder without million rows: exit 2, saying so" \
	bash -c '[ '$?' -eq 2 ] && grep -q "no million rows" "$0"' "$tmp/e3"

# objpool tables from their reference run.
mkdir -p "$tmp/objpool"
cp results/reference/vm-2core-20261201T171523Z-objpool/results.csv "$tmp/objpool/"
scripts/tables/objpool.py "$tmp/objpool" >/dev/null 2>&1
check "tables/objpool.py exits 0 on its reference run" test $? -eq 0
check "... and writes its three tables" test "$(grep -c '^### ' "$tmp/objpool/tables/objpool.md")" -eq 3

# Each committed table is what its script writes from the committed run.
same() { # NAME TABLE SCRIPT FOLDER...: copies of FOLDER..., script on them
	local name=$1 table=$2 script=$3 first=$4 f
	shift 3
	rm -rf "$tmp/same"
	mkdir -p "$tmp/same"
	local args=()
	for f in "$@"; do
		cp -r "$f" "$tmp/same/"
		rm -rf "$tmp/same/$(basename "$f")/tables" "$tmp/same/$(basename "$f")/plots"
		args+=("$tmp/same/$(basename "$f")")
	done
	"$script" "${args[@]}" >"$tmp/same.out" 2>&1
	check "$name: exit 0 and the committed $table, byte for byte" \
		bash -c '[ '$?' -eq 0 ] && cmp "$0" "$1" && cmp "$0" "$2"' \
		"$first/tables/$table" "$tmp/same/$(basename "$first")/tables/$table" "$tmp/same.out"
}
r=results/reference
same "tables/qmempool.py" qmempool.md scripts/tables/qmempool.py $r/vm-2core-20261201T171146Z-qmempool-table
same "tables/queue.py" queue.md scripts/tables/queue.py $r/vm-2core-20261201T171146Z-queue
same "tables/objpool.py" objpool.md scripts/tables/objpool.py $r/vm-2core-20261201T171523Z-objpool
same "tables/percpu.py" percpu.md scripts/tables/percpu.py "$ref-percpu" "$ref-percpu-aligned" "$ref-percpu-mempool"
same "tables/percpu.py (the run before issue 12)" percpu.md scripts/tables/percpu.py \
	$r/vm-2core-20261123T193131Z-percpu $r/vm-2core-20261123T193131Z-percpu-aligned \
	$r/vm-2core-20261123T193131Z-percpu-mempool
same "tables/mempool_perf.py" mempool_perf.md scripts/tables/mempool_perf.py \
	$r/vm-2core-20261201T224150Z-mempool-perf
same "tables/mempool_perf.py (user cache)" mempool_perf.md scripts/tables/mempool_perf.py \
	$r/vm-2core-20261201T224150Z-mempool-perf-usercache
cp -r $r/run-all "$tmp/run-all"
scripts/tables/backends.py "$tmp/run-all" >"$tmp/backends.md" 2>&1
check "tables/backends.py: the committed run-all/tables/backends.md, byte for byte" \
	cmp "$tmp/backends.md" $r/run-all/tables/backends.md
scripts/tables/qmempool.py "$tmp/run-all" >/dev/null 2>&1
check "... and the tables read an xz-compressed results.csv too" \
	grep -q '^| fastpath-reuse | [0-9.]* | [^|]* | [^|]* | [0-9.]* |' "$tmp/run-all/tables/qmempool.md"

# The seeds' figures live in paper/seed-claims.csv only: a few of them,
# searched for in every script (as numbers, not as parts of others).
hits=$(grep -rnwE '19\.563|45\.039|8\.617|12\.687|4770|4892|52 minutes|16 seconds' scripts || true)
[ -z "$hits" ] || echo "# seed figures in scripts/: $hits"
check "no seed figure is written in a script (they come from paper/seed-claims.csv)" test -z "$hits"

# mempool_perf.py on a small synthetic run (written here): DPDK's layout,
# rate_persec the CSV's ops_per_sec median as an integer, a backend's
# options named where they differ, a point a backend did not run or that
# failed left empty (never 0) with the reason, skipped points listed.
mp=$tmp/mempool-perf
mkdir -p "$mp"
{
	echo 'backend,workload,mode,threads,placement,obj_size,align,n,touch,keep,options,statistic,rep,ops_per_sec,error'
	for o in 'cache=0;cache_kind=lcore' 'cache=256;cache_kind=lcore' 'cache=256;cache_kind=user'; do
		echo "dpdk-mempool,mempool-perf,exclusive,1,compact,2048,0,1,0,32,$o,run,0,1000,"
		echo "dpdk-mempool,mempool-perf,exclusive,1,compact,2048,0,1,0,32,$o,run,1,3000,"
		echo "dpdk-mempool,mempool-perf,exclusive,1,compact,2048,0,1,0,32,$o,median,,2000.4,"
	done
	echo 'dpdk-mempool,mempool-perf,exclusive,2,compact,2048,0,1,0,32,cache=256;cache_kind=user,run,0,,thread 1: alloc returned NULL (dpdk-mempool)'
	echo 'malloc,mempool-perf,exclusive,1,compact,2048,0,1,0,32,,median,,123456789.6,'
	echo 'malloc,mempool-perf,exclusive,2,compact,2048,0,1,0,32,,median,,234567890.2,'
	echo 'malloc,bulk,exclusive,1,compact,2048,0,1,0,,,median,,999,'
} >"$mp/results.csv"
echo '{"run": {"skipped": [{"benchmark": "dpdk-mempool/mempool-perf/keep:32/n:1/touch:0/exclusive/thr:2/size:2048/align:0/cache:0", "reason": "needs EAL lcores"}]}}' >"$mp/meta.json"
scripts/tables/mempool_perf.py "$mp" >"$tmp/mp.out" 2>&1
check "tables/mempool_perf.py exits 0 on a synthetic run" test $? -eq 0
t=$mp/tables/mempool_perf.md
check "... writes tables/mempool_perf.md, what it prints" cmp "$t" "$tmp/mp.out"
check "... says rate_persec is ops_per_sec under DPDK's name" \
	grep -q '`rate_persec` is poolbench.s `ops_per_sec` under DPDK.s name' "$t"
check "... DPDK's columns" grep -qx '| backend | mode | obj_size | threads | n | keep | rate_persec | note |' "$t"
check "... one row per option set, named by the options that differ, the median as an integer" \
	test "$(grep -c '^| `dpdk-mempool cache=[0-9]* cache_kind=[a-z]*` | exclusive | 2048 | 1 | 1 | 32 | 2000 |  |$' "$t")" -eq 3
check "... the user cache's failed point: empty rate, the reason" \
	grep -qx '| `dpdk-mempool cache=256 cache_kind=user` | exclusive | 2048 | 2 | 1 | 32 |  | failed: thread 1: alloc returned NULL (dpdk-mempool) |' "$t"
check "... a point not run: empty rate, never 0" \
	grep -qx '| `dpdk-mempool cache=0 cache_kind=lcore` | exclusive | 2048 | 2 | 1 | 32 |  | not run |' "$t"
check "... malloc's rates rounded to integers" \
	bash -c 'grep -qx "| \`malloc\` | exclusive | 2048 | 1 | 1 | 32 | 123456790 |  |" "$0" && grep -qx "| \`malloc\` | exclusive | 2048 | 2 | 1 | 32 | 234567890 |  |" "$0"' "$t"
check "... every backend x point, no other workload's rows (4 labels x 2 points)" \
	test "$(grep -c '^| `' "$t")" -eq 8
check "... no rate cell is 0" bash -c '! grep -q "| 0 | [^|]* |$" "$0"' "$t"
check "... the skipped point listed with its reason" \
	grep -q '^- `dpdk-mempool/mempool-perf/.*thr:2.*`: needs EAL lcores' "$t"
xz -k "$mp/results.csv" && rm "$mp/results.csv" && rm -rf "$mp/tables"
scripts/tables/mempool_perf.py "$mp" >"$tmp/mp2.out" 2>&1
check "... reads results.csv.xz the same" cmp "$tmp/mp.out" "$tmp/mp2.out"
mkdir -p "$tmp/mp-none"
printf 'backend,workload,statistic,ops_per_sec\nmalloc,bulk,median,1\n' >"$tmp/mp-none/results.csv"
scripts/tables/mempool_perf.py "$tmp/mp-none" >"$tmp/e4" 2>&1
check "... a run without mempool-perf rows: exit 2, saying so" \
	bash -c '[ '$?' -eq 2 ] && grep -q "no mempool-perf rows" "$0"' "$tmp/e4"
scripts/tables/mempool_perf.py >"$tmp/e5" 2>&1
check "... without arguments: exit 2 and usage" \
	bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e5"
