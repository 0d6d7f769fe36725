#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_ratios.sh - every ratio between two backends comes from paired
# repetitions (docs/statistics.md): the statistics on data with known
# answers (tests/harness/test_ratios.py: the exact interval at n = 5, 6,
# 10, 20, the pairing, the verdict, the cv); scripts/tables/ratios.py on a
# synthetic run (A_k = 2 x B_k while B varies 10x: ratio 2 in [2, 2], a
# failed rep dropped from both sides, columns read by name with an extra
# rep_start_s column) and on a copy of the reference run (exit 0,
# ratios.csv with the headline rows, tables/ratios.md and tables/cv.md,
# the committed ones byte for byte);
# bad arguments and unreadable folders exit 2 with a message.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

python3 tests/harness/test_ratios.py 2>&1 || echo "not ok - test_ratios.py ran to its end"

# The columns of a ratios.csv row, by name: ROW_ID_REGEX COLUMN.
col() {
	python3 -c '
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if re.search(sys.argv[2], r["id"])]
print(rows[0][sys.argv[3]] if len(rows) == 1 else "<%d rows match>" % len(rows))
' "$1" "$2" "$3" 2>&1
}

# A synthetic run: malloc_k = 2 x qmempool_k, qmempool varying 10x; malloc's
# rep 5 failed. Columns in their own order, with rep_start_s.
syn=$tmp/syn
mkdir -p "$syn"
{
	echo 'rep_start_s,statistic,rep,backend,options,workload,mode,threads,placement,obj_size,align,n,touch,ns_per_op,error'
	k=0
	for b in 10 100 20 50 30 60; do
		err=; v=$((2 * b))
		[ $k -eq 5 ] && { err='injected failure'; v=; }
		echo "$k.5,run,$k,malloc,,fastpath-reuse,exclusive,1,compact,64,0,,0,$v,$err"
		echo "$k.5,run,$k,qmempool,localq=32;sharedq=256,fastpath-reuse,exclusive,1,compact,64,0,,0,$b,"
		k=$((k + 1))
	done
} >"$syn/results.csv"
scripts/tables/ratios.py "$syn" >"$tmp/syn.out" 2>&1
check "ratios.py on a synthetic run: exit 0" test $? -eq 0
c=$syn/ratios.csv
id='^qmempool:malloc:qmempool:fastpath-reuse:exclusive:1t'
check "... malloc / qmempool: the median of the paired ratios is exactly 2 ($(col "$c" "$id" ratio))" \
	test "$(col "$c" "$id" ratio)" = 2
check "... in [2, 2] ($(col "$c" "$id" lo), $(col "$c" "$id" hi))" \
	test "$(col "$c" "$id" lo),$(col "$c" "$id" hi)" = 2,2
check "... the failed rep 5 dropped from both sides: 5 pairs at 93.75%, dropped names it" \
	test "$(col "$c" "$id" pairs),$(col "$c" "$id" level),$(col "$c" "$id" dropped)" = \
	"5,0.9375,5:failed-or-empty-in-A"
check "... the ratio of medians is not 2 ($(col "$c" "$id" ratio_of_medians))" \
	test "$(col "$c" "$id" ratio_of_medians)" = 1.5
check "... verdict: qmempool (the denominator) faster" test "$(col "$c" "$id" verdict)" = "den faster"
check "... tables/ratios.md is what it prints, with the interval" \
	bash -c 'cmp -s <(cat "$0/tables/ratios.md" "$0/tables/cv.md") "$1" &&
		grep -qF "| 5 | 2.00 [2.00, 2.00] | qmempool faster |" "$0/tables/ratios.md"' "$syn" "$tmp/syn.out"
check "... tables/cv.md: one row per fastpath-reuse point and the median cv" \
	bash -c 'test "$(grep -c "^| \(malloc\|qmempool\) | exclusive | 1 | 64 |" "$0")" -eq 2 &&
		grep -qx "median cv over 2 fastpath-reuse rows: [0-9.]*%" "$0"' "$syn/tables/cv.md"

# The reference run (a copy: ratios.py writes into the folder it reads).
cp -r results/reference/run-all "$tmp/ref"
rm -rf "$tmp/ref/tables"
scripts/tables/ratios.py "$tmp/ref" >/dev/null 2>"$tmp/ref.err"
check "ratios.py on a copy of the reference run: exit 0" test $? -eq 0
c=$tmp/ref/ratios.csv
check "... ratios.csv has every column of docs/statistics.md" \
	bash -c 'head -1 "$0" | grep -qx "id,kind,numerator,denominator,workload,mode,threads,obj_size,params,metric,pairs,ratio,lo,hi,level,verdict,ratio_of_medians,cv_num,cv_den,dropped,note"' "$c"
for re in '^qmempool:malloc:qmempool_localq=32:fastpath-reuse:exclusive:1t:64B:ns_per_op$' \
	'^qmempool:malloc:qmempool_localq=32:ring-cleanup:exclusive:1t:64B:n=256:ns_per_op$' \
	'^objpool:objpool-ring:objpool-freelist:scaling:exclusive:2t:64B:n=256_pattern=reuse:ops_per_sec$' \
	'^percpu:percpu-areamap:percpu-bitmap:million:exclusive:1t:4B:count=65536_order=in-order_fill=none:free_ms$' \
	'^percpu:percpu-areamap:percpu-bitmap:million:exclusive:1t:4B:count=65536_order=reverse_fill=none:free_ms$' \
	'^peers:gslice:qmempool_localq=32:fastpath-reuse:exclusive:1t:64B:ns_per_op$'; do
	check "... $re: 6 pairs (the run's repetitions), lo <= ratio <= hi at 96.875%, a verdict" \
		python3 -c '
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if re.search(sys.argv[2], r["id"])]
assert len(rows) == 1, len(rows)
r = rows[0]
assert r["pairs"] == "6" and r["level"] == "0.96875", r
assert float(r["lo"]) <= float(r["ratio"]) <= float(r["hi"]), r
assert r["verdict"] in ("num faster", "den faster", "not significant"), r
' "$c" "$re"
done
check "... the area map frees 4 B objects in order more slowly than the bitmap (den faster)" \
	test "$(col "$c" '^percpu:.*:exclusive:1t:4B:count=65536_order=in-order_fill=none:free_ms$' verdict)" = "den faster"
check "... one row per PEER_PAIRS point (11 pairs x 3 workloads x 2 thread counts)" \
	test "$(grep -c '^peers:' "$c")" -eq 66
check "... dpdk-ring sync=spsc at 2 threads: no number, the reason" \
	bash -c 'grep "^peers:dpdk-ring_sync=spsc:alf-spsc:fastpath-reuse:exclusive:2t" "$0" | grep -q ",--,.*not in the run"' "$c"
check "... ids are unique" test "$(cut -d, -f1 "$c" | sort | uniq -d | wc -l)" -eq 0
check "... tables/cv.md closes with the median cv over the fastpath-reuse rows" \
	grep -qx 'median cv over [0-9]* fastpath-reuse rows: [0-9]*\.[0-9]%' "$tmp/ref/tables/cv.md"
check "... tables/ratios.md has a row per ratio" \
	test "$(grep -c '^| \(peers\|qmempool\|objpool\|percpu\|queue\) |' "$tmp/ref/tables/ratios.md")" -eq \
	"$(($(wc -l <"$c") - 1))"

check "... the committed run-all/ratios.csv, tables/ratios.md and tables/cv.md, byte for byte" \
	bash -c 'cmp "$0/ratios.csv" "$1/ratios.csv" && cmp "$0/tables/ratios.md" "$1/tables/ratios.md" &&
		cmp "$0/tables/cv.md" "$1/tables/cv.md"' "$tmp/ref" results/reference/run-all

# Bad input: exit 2 with a message.
scripts/tables/ratios.py >"$tmp/e1" 2>&1
check "ratios.py without arguments: exit 2 and usage" \
	bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e1"
scripts/tables/ratios.py a b >"$tmp/e2" 2>&1
check "... two arguments: exit 2 and usage" bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e2"
scripts/tables/ratios.py "$tmp/nowhere" >"$tmp/e3" 2>&1
check "... a missing folder: exit 2, naming it" \
	bash -c '[ '$?' -eq 2 ] && grep -q nowhere "$0"' "$tmp/e3"
mkdir -p "$tmp/bad"
printf 'not xz' >"$tmp/bad/results.csv.xz"
scripts/tables/ratios.py "$tmp/bad" >"$tmp/e4" 2>&1
check "... an unreadable results.csv.xz: exit 2, saying so" \
	bash -c '[ '$?' -eq 2 ] && grep -q "cannot be read" "$0"' "$tmp/e4"
check "... and writes no ratios.csv" test ! -e "$tmp/bad/ratios.csv"
