#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_cli.sh - the poolbench command: bad input exits 2 with a message that
# names the valid choices; a run writes a complete results folder (CSV
# header, meta.json that parses, topology) and never writes over one;
# counters that cannot be read are reported as unavailable, never as 0; a
# failing benchmark is recorded as failed while the others' rows are kept;
# mempool-perf refuses a keep that is not a multiple of n and runs on null
# and malloc with ops_per_sec in every row.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
PB=build/poolbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

# expect_exit2 description pattern args...: exit 2, stderr matches pattern.
expect_exit2() {
	local d=$1 pat=$2 rc
	shift 2
	"$PB" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -qE -- "$pat" "$tmp/err"; then
		echo "ok - $d"
	else
		echo "not ok - $d (exit $rc, stderr: $(head -c 300 "$tmp/err"))"
	fi
}

[ -x "$PB" ] || { echo "not ok - $PB is built"; exit 1; }

expect_exit2 "no command" "usage:"
expect_exit2 "unknown command" "unknown command 'frobnicate'.*list, run" frobnicate
expect_exit2 "list takes no arguments" "no arguments" list extra
expect_exit2 "unknown backend lists the valid ones" "unknown backend 'nope'.*malloc.*mutex-mempool" run --backends nope
expect_exit2 "unknown workload lists the valid ones" "unknown workload 'nope'.*fastpath-reuse.*ring-cleanup" run --workloads nope
expect_exit2 "empty list item" "empty item" run --backends malloc,,null
expect_exit2 "thread count 0" "not a thread count" run --threads 0
expect_exit2 "thread count not a number" "not a thread count" run --threads two
expect_exit2 "more threads than PUs without --oversubscribe" "oversubscribe" run --threads 4096
expect_exit2 "unknown placement" "valid: compact, scatter" run --placement diagonal
expect_exit2 "unknown mode" "valid: exclusive, shared" run --mode both
expect_exit2 "size 0" "not a size" run --size 0
expect_exit2 "align not a power of two" "power of two" run --align 48
expect_exit2 "unknown parameter" "no selected backend or workload has a parameter 'frob'" run --param frob=1
expect_exit2 "parameter without value" "not \[scope.\]key=value" run --param n=
expect_exit2 "bad integer parameter" "expected an integer" run --param n=lots
expect_exit2 "bad enum option names the choices" "expected one of may-block\|atomic" run --param mutex-mempool.alloc=sometimes
expect_exit2 "unknown scope" "scope 'nosuch'" run --param nosuch.n=4
expect_exit2 "reps 0" "--reps" run --reps 0
expect_exit2 "negative min-time" "--min-time" run --min-time -1
expect_exit2 "unknown counters choice" "valid: auto, hw, sw, off" run --counters maybe
expect_exit2 "unknown flag" "unknown option '--frobnicate'" run --frobnicate
expect_exit2 "missing flag value" "missing value" run --threads

"$PB" list >"$tmp/list" 2>&1
check "list exits 0" test $? -eq 0
for name in null malloc mutex-mempool fastpath-reuse ring-cleanup mempool-perf; do
	check "list shows $name" grep -q "^  $name " "$tmp/list"
done
"$PB" --help >"$tmp/help" 2>&1
check "--help exits 0" test $? -eq 0
for flag in --backends --workloads --threads --placement --oversubscribe --size \
	--align --mode --param --reps --min-time --quick --counters --out; do
	check "--help documents $flag" grep -q -- "$flag" "$tmp/help"
done

# A small real run with counters off.
out=$tmp/r1
"$PB" run --backends malloc --workloads fastpath-reuse,ring-cleanup \
	--param n=16 --threads 1,2 --reps 2 --min-time 0.01 --counters off \
	--out "$out" >"$tmp/run1" 2>&1
check "small run exits 0" test $? -eq 0
for f in bench.json results.csv meta.json topology.xml; do
	check "run wrote $f" test -s "$out/$f"
done
check "no temporary file left" test -z "$(find "$out" -name '.*')"
hdr=$(head -n1 "$out/results.csv")
for col in backend workload mode threads placement pus obj_size align n touch keep \
	options statistic rep iterations ns_per_op ops_per_sec counter_group \
	cycles_per_op task_clock_ns_per_op error; do
	check "CSV has column $col" grep -qE "(^|,)$col(,|$)" <<<"$hdr"
done
# null + malloc, 2 workloads, 2 thread counts: 8 benchmarks; 2 runs + 6 aggregates each.
check "CSV has 8 x (2 runs + 6 aggregates) rows" test "$(tail -n +2 "$out/results.csv" | wc -l)" -eq 64
check "null baseline ran although not asked for" grep -q '^,null,' "$out/results.csv"
check "meta.json parses" jq -e . "$out/meta.json"
check "bench.json parses" jq -e '.benchmarks | length > 0' "$out/bench.json"
check "meta records the command line" jq -e '.command_line | index("--counters") != null' "$out/meta.json"
check "meta records the git commit" jq -e '.build.git_commit | length > 0' "$out/meta.json"
check "meta records Google Benchmark's build type" jq -e '.libraries.google_benchmark_build_type | test("debug|release")' "$out/meta.json"
check "meta records hwloc" jq -e '.libraries.hwloc | length > 0' "$out/meta.json"
check "counters off: group none" jq -e '.counters.group == "none"' "$out/meta.json"
check "counters off: every event unavailable with a reason" \
	jq -e '(.counters.unavailable | length) >= 8 and all(.counters.unavailable[]; .reason | length > 0)' "$out/meta.json"
# With counters off, every counter cell is empty (unavailable), never 0.
col() { head -n1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
c_tc=$(col "$out/results.csv" task_clock_ns_per_op)
c_ns=$(col "$out/results.csv" ns_per_op)
check "counters off: task_clock column empty in every row" \
	test -z "$(tail -n +2 "$out/results.csv" | cut -d, -f"$c_tc" | tr -d '\n')"
check "ns_per_op positive in run rows" awk -F, -v c="$c_ns" \
	'NR > 1 && $0 ~ /,run,/ { if (!($c > 0)) bad = 1; n++ } END { exit bad || !n }' "$out/results.csv"

sum1=$(cat "$out"/* | md5sum)
"$PB" run --backends malloc --reps 1 --min-time 0.01 --counters off --out "$out" >"$tmp/run2" 2>"$tmp/err2"
check "a second run into the same folder exits 2" test $? -eq 2
check "... says it never writes over results" grep -q "never written over" "$tmp/err2"
check "... and leaves the first results untouched" test "$sum1" = "$(cat "$out"/* | md5sum)"
check "... and prints nothing on stdout (refused before planning)" test ! -s "$tmp/run2"

# An --out that is a file, with a matrix that skips points: the refusal is
# the only line, before any plan or skip summary.
"$PB" run --threads 1,2 --workloads million,remote-free --quick --out README.md \
	>"$tmp/run2b" 2>"$tmp/err2b"
check "--out naming a file exits 2" test $? -eq 2
check "... with one line on stderr saying why" \
	test "$(cat "$tmp/err2b")" = "poolbench: --out README.md: exists and is not an empty folder; results are never written over"
check "... and nothing on stdout" test ! -s "$tmp/run2b"

# Counters on auto: whatever the machine has is used; the rest is unavailable.
out=$tmp/r2
"$PB" run --backends null --workloads fastpath-reuse --reps 1 --min-time 0.01 \
	--out "$out" >"$tmp/run3" 2>&1
check "run with counters auto exits 0" test $? -eq 0
group=$(jq -r .counters.group "$out/meta.json")
check "counters auto: a group was chosen ($group)" test "$group" = hardware -o "$group" = software -o "$group" = none
if [ "$group" = software ]; then
	check "software group: cycles unavailable with a reason" \
		jq -e 'any(.counters.unavailable[]; .name == "cycles" and (.reason | length > 0))' "$out/meta.json"
	c_cy=$(col "$out/results.csv" cycles_per_op)
	check "software group: cycles column empty, not 0" \
		test -z "$(tail -n +2 "$out/results.csv" | cut -d, -f"$c_cy" | tr -d '\n')"
	c_tc=$(col "$out/results.csv" task_clock_ns_per_op)
	check "software group: task_clock counted in run rows" awk -F, -v c="$c_tc" \
		'NR > 1 && $0 ~ /,run,/ { if ($c == "") bad = 1; n++ } END { exit bad || !n }' "$out/results.csv"
fi

# A backend that fails is recorded as failed; the other results are kept.
# build/poolbench-test also has "test-failing", whose alloc returns NULL
# after fail_after objects in every run.
out=$tmp/r3
build/poolbench-test run --backends malloc,test-failing --workloads ring-cleanup \
	--param n=8 --param test-failing.fail_after=20 --threads 1,2 \
	--reps 2 --min-time 0.01 --counters off --out "$out" >"$tmp/run4" 2>&1
check "a failing benchmark makes the run exit 1" test $? -eq 1
c_st=$(col "$out/results.csv" statistic)
check "... all its rows record the failure" awk -F, -v c="$c_st" \
	'$2 == "test-failing" && $c == "run" { n++; if ($0 !~ /alloc returned NULL/) bad = 1 } END { exit bad || n != 4 }' "$out/results.csv"
check "... the other backends' rows are kept" test "$(grep -c '^,malloc,ring-cleanup,.*,run,' "$out/results.csv")" -eq 4
check "... and so are the null baseline's" grep -q '^,null,ring-cleanup,.*,run,' "$out/results.csv"
check "... meta.json counts the failed runs" jq -e '.run.failed_runs == 4' "$out/meta.json"
check "... the summary says FAILED" grep -q "test-failing .*FAILED" "$tmp/run4"

# The objpool workloads: odd thread counts skipped for remote-free, hits and
# misses for overrun, steals reported for remote free, efficiency against
# 1 thread.
out=$tmp/r4
"$PB" run --backends objpool-ring --workloads remote-free,overrun --threads 1,2 \
	--reps 1 --min-time 0.01 --counters off --out "$out" >"$tmp/run5" 2>&1
check "objpool workloads run exits 0" test $? -eq 0
check "... remote-free at 1 thread is skipped: one console line with the count and reason" \
	grep -qx ' *1  remote-free needs a multiple of 2 threads' "$tmp/run5"
check "... the skipped points are not listed one by one on the console" \
	bash -c '! grep -q "remote-free/.*thr:1" "$1"' - "$tmp/run5"
check "... meta.json lists the skipped point with its reason" \
	jq -e '[.run.skipped[] | select((.benchmark | test("^remote-free/.*thr:1/")) and .reason == "remote-free needs a multiple of 2 threads")] | length == 1' "$out/meta.json"
f=$out/results.csv
c_b=$(col "$f" backend) c_w=$(col "$f" workload) c_t=$(col "$f" threads)
c_h=$(col "$f" hits_per_op) c_m=$(col "$f" misses_per_op)
c_e=$(col "$f" efficiency) c_s=$(col "$f" steals_per_op) c_f=$(col "$f" alloc_fails_per_op)
check "... overrun: hits + misses = 1 per attempt in every row" awk -F, -v h="$c_h" -v m="$c_m" -v w="$c_w" \
	'NR > 1 && $w == "overrun" { n++; d = $h + $m - 1; if (d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad || n != 4 }' "$f"
# One thread gets exactly its 8 of every 16; two threads can take each
# other's objects (steals), so they miss less, but not never.
check "... overrun: the fixed pool misses (8 objects per thread, bulks of 16)" awk -F, -v b="$c_b" -v m="$c_m" -v w="$c_w" -v t="$c_t" \
	'NR > 1 && $b == "objpool-ring" && $w == "overrun" { n++; d = $m - 0.5; if ($t == 1 && (d > 1e-9 || d < -1e-9)) bad = 1; if ($t == 2 && !($m > 0)) bad = 1 } END { exit bad || n != 2 }' "$f"
check "... overrun: misses and alloc_fails agree" awk -F, -v b="$c_b" -v m="$c_m" -v x="$c_f" -v w="$c_w" \
	'NR > 1 && $b == "objpool-ring" && $w == "overrun" { d = $m - $x; if (d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad }' "$f"
check "... overrun: null never misses" awk -F, -v b="$c_b" -v m="$c_m" -v w="$c_w" \
	'NR > 1 && $b == "null" && $w == "overrun" { n++; if ($m != 0) bad = 1 } END { exit bad || !n }' "$f"
check "... hits and misses empty outside overrun" awk -F, -v h="$c_h" -v w="$c_w" \
	'NR > 1 && $w == "remote-free" { n++; if ($h != "") bad = 1 } END { exit bad || !n }' "$f"
check "... efficiency is 1 at one thread" awk -F, -v e="$c_e" -v t="$c_t" -v w="$c_w" \
	'NR > 1 && $w == "overrun" && $t == 1 { n++; d = $e - 1; if ($e == "" || d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad || !n }' "$f"
check "... efficiency is set at 2 threads, empty without a 1-thread point" awk -F, -v e="$c_e" -v t="$c_t" -v w="$c_w" \
	'NR > 1 && $t == 2 { if ($w == "overrun" && !($e > 0)) bad = 1; if ($w == "remote-free" && $e != "") bad = 1; n++ } END { exit bad || !n }' "$f"
# How many allocs steal is counted exactly in tests/unit/test_objpool.c
# (test_ring_backend_remote_free_steals); here only that the column is set.
check "... remote-free: objpool-ring reports steals per op in every row" \
	awk -F, -v b="$c_b" -v s="$c_s" -v w="$c_w" \
	'NR > 1 && $b == "objpool-ring" && $w == "remote-free" { n++; if ($s == "" || $s < 0 || $s > 1) bad = 1 } END { exit bad || !n }' "$f"

# remote-free: a thread that cannot start, or a producer whose alloc fails,
# never leaves its partner waiting for ever; both are recorded as failed.
out=$tmp/r5
timeout 120 build/poolbench-test run --backends test-failing --workloads remote-free \
	--param test-failing.fail_init_cpu=2 --threads 2 --reps 1 --min-time 0.01 \
	--counters off --out "$out" >"$tmp/run6" 2>&1
check "remote-free, a consumer that cannot start: the run ends, exit 1" test $? -eq 1
check "... its row says why" grep -q 'test-failing,remote-free,.*thread_init(cpu 1) failed' "$out/results.csv"
# fail_after below one ring (n=256): a run does whole rings, so the producer
# fails in its first run whatever iteration count Google Benchmark picks (at
# 1000 a slow hand-over could keep every run under 1000 objects).
out=$tmp/r6
timeout 120 build/poolbench-test run --backends test-failing --workloads remote-free \
	--param test-failing.fail_after=100 --threads 2 --reps 1 --min-time 0.01 \
	--counters off --out "$out" >"$tmp/run7" 2>&1
check "remote-free, a producer whose alloc fails: the run ends, exit 1" test $? -eq 1
check "... its row records the failure" grep -q 'test-failing,remote-free,.*alloc returned NULL' "$out/results.csv"

# million: one thread, its own sizes and the three free orders by default,
# alloc and free phases timed apart, and a round past its limit recorded as
# "did not finish", in every repetition, with the run going on.
out=$tmp/m1
$PB run --workloads million --backends malloc,percpu-areamap --threads 1,2 \
	--param million.count=2048 --reps 2 --counters off --out "$out" >"$tmp/run8" 2>&1
check "million: runs, exit 0" test $? -eq 0
f=$out/results.csv
col() { head -n1 "$f" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
c_b=$(col backend); c_w=$(col workload); c_z=$(col obj_size); c_o=$(col order)
c_a=$(col alloc_ms); c_fr=$(col free_ms); c_n=$(col ns_per_op); c_st=$(col statistic)
c_mp=$(col metadata_per_obj); c_ck=$(col chunks_peak); c_t=$(col threads)
check "... the seed's five sizes without --size" awk -F, -v w="$c_w" -v z="$c_z" \
	'NR > 1 && $w == "million" { s[$z] = 1 } END { exit !(length(s) == 5 && (4 in s) && (16 in s) && (64 in s) && (256 in s) && (1024 in s)) }' "$f"
check "... the three free orders without --param million.order" awk -F, -v w="$c_w" -v o="$c_o" \
	'NR > 1 && $w == "million" { s[$o] = 1 } END { exit !(length(s) == 3 && ("in-order" in s) && ("alternating" in s) && ("reverse" in s)) }' "$f"
check "... alloc_ms and free_ms set in every million row" awk -F, -v w="$c_w" -v a="$c_a" -v r="$c_fr" -v st="$c_st" \
	'NR > 1 && $w == "million" && ($st == "run" || $st == "median") { n++; if (!($a > 0) || !($r > 0)) bad = 1 } END { exit bad || !n }' "$f"
check "... ns_per_op is (alloc_ms + free_ms) over the objects" awk -F, -v w="$c_w" -v a="$c_a" -v r="$c_fr" -v ns="$c_n" -v st="$c_st" \
	'NR > 1 && $w == "million" && $st == "run" { n++; x = ($a + $r) * 1e6 / 2048; d = x - $ns; if (d < 0) d = -d; if (d > 1e-3 * x) bad = 1 } END { exit bad || !n }' "$f"
check "... the area map reports metadata per object and peak chunks" awk -F, -v b="$c_b" -v w="$c_w" -v m="$c_mp" -v k="$c_ck" -v st="$c_st" \
	'NR > 1 && $b == "percpu-areamap" && $w == "million" && $st == "run" { n++; if (!($m > 0) || !($k >= 1)) bad = 1 } END { exit bad || !n }' "$f"
check "... malloc leaves them empty (not reported, never 0)" awk -F, -v b="$c_b" -v w="$c_w" -v m="$c_mp" -v k="$c_ck" \
	'NR > 1 && $b == "malloc" && $w == "million" { n++; if ($m != "" || $k != "") bad = 1 } END { exit bad || !n }' "$f"
check "... alloc_ms and free_ms empty outside million" awk -F, -v w="$c_w" -v a="$c_a" \
	'NR > 1 && $w != "million" && $a != "" { bad = 1 } END { exit bad }' "$f"
check "... no row at 2 threads" awk -F, -v t="$c_t" 'NR > 1 && $t != 1 { bad = 1 } END { exit bad }' "$f"
check "... the 2-thread points are listed as skipped" jq -e '[.run.skipped[] | select(.reason | test("one thread"))] | length > 0' "$out/meta.json"
out=$tmp/m2
$PB run --workloads million --backends malloc --size 4,16 --param million.order=reverse \
	--param million.count=1024 --param million.fill=second-half --reps 1 --counters off --out "$out" >"$tmp/run9" 2>&1
check "million, one order and second-half fill: runs, exit 0" test $? -eq 0
check "... only the order and sizes asked for (malloc and null, 2 sizes)" awk -F, -v w="$(head -n1 "$out/results.csv" | tr ',' '\n' | grep -nx workload | cut -d: -f1)" \
	-v o="$(head -n1 "$out/results.csv" | tr ',' '\n' | grep -nx order | cut -d: -f1)" \
	'NR > 1 && $w == "million" { n++; if ($o != "reverse") bad = 1 } END { exit bad || n != 4 }' "$out/results.csv"
# The harness's own arrays take no page fault inside a timed phase: the
# null backend (no allocator work) at the seed's 2^20 objects, every order,
# with and without the pre-fill, must show no fault in its alloc and free
# phases, and a median alloc phase of a few ns per object (the bound, 10 ns,
# is ten times today's figure: it only catches the array's 2048 first-touch
# faults, about 140 ns per object, coming back).
out=$tmp/m-null
$PB run --workloads million --backends null --size 64 --param million.fill=none,second-half \
	--reps 2 --counters off --out "$out" >"$tmp/run-null" 2>&1
check "million on the null backend at 2^20 objects: exit 0" test $? -eq 0
f=$out/results.csv
c_pf=$(col phase_faults)
check "... no page fault in any timed phase, in every order and fill (phase_faults 0)" \
	awk -F, -v b="$(col backend)" -v pf="$c_pf" -v st="$(col statistic)" \
	'NR > 1 && $b == "null" && $st == "run" { n++; if ($pf != 0) bad = 1 } END { exit bad || n != 12 }' "$f"
check "... a median alloc phase under 10 ns per object (10.5 ms per 2^20)" \
	awk -F, -v b="$(col backend)" -v a="$(col alloc_ms)" -v st="$(col statistic)" \
	'NR > 1 && $b == "null" && $st == "median" { n++; if (!($a < 10.48576)) bad = 1 } END { exit bad || n != 6 }' "$f"
expect_exit2 "million: an unknown order is refused, naming the valid ones" \
	"in-order.*alternating.*reverse" run --workloads million --param million.order=sideways --out "$tmp/m3"
expect_exit2 "million: limit_s=0 is refused" "limit_s" run --workloads million \
	--param million.limit_s=0 --out "$tmp/m4"
out=$tmp/m5
timeout 120 build/poolbench-test run --backends test-failing,malloc --workloads million \
	--size 64 --param million.order=in-order --param million.count=4096 \
	--param million.limit_s=1 --param test-failing.sleep_us=1000 \
	--param test-failing.fail_after=1000000 --reps 2 --counters off --out "$out" >"$tmp/run10" 2>&1
check "million past its limit: the run ends, exit 1" test $? -eq 1
check "... both repetitions say it did not finish within 1 s" test "$(grep -c 'test-failing,million,.*did not finish within 1 s' "$out/results.csv")" -eq 2
check "... and where it stopped" grep -q 'did not finish within 1 s (stopped in alloc: [0-9]* of 4096 objects)' "$out/results.csv"
check "... malloc's rows are kept" grep -q '^,malloc,million,.*,median,' "$out/results.csv"
out=$tmp/m6
timeout 120 build/poolbench-test run --backends test-failing --workloads million \
	--size 64 --param million.order=in-order --param million.count=4096 \
	--param million.fill=second-half --param million.limit_s=1 \
	--param test-failing.sleep_us=1000 --param test-failing.fail_after=100000000 \
	--reps 1 --counters off --out "$out" >"$tmp/run11" 2>&1
check "million: a pre-fill past the limit is recorded too, exit 1" test $? -eq 1
check "... as not finished, in the pre-fill" grep -q 'did not finish within 1 s (stopped in second-half pre-fill' "$out/results.csv"

# mempool-perf (DPDK's mempool_perf_autotest): keep must be a multiple of
# the bulk n, refused before any work; a run on null and malloc gives every
# point a row with ops_per_sec (DPDK's rate_persec), its keep and n, DPDK's
# 2048-byte objects by default, and whole rounds of keep objects.
expect_exit2 "mempool-perf: keep not a multiple of n is refused, naming both" \
	"mempool-perf: keep=32 is not a multiple of n=3" run --workloads mempool-perf \
	--param mempool-perf.keep=32 --param mempool-perf.n=3 --out "$tmp/mp0"
check "... before any work (no results folder, nothing on stdout)" \
	bash -c '[ ! -e "$0" ] && [ ! -s "$1" ]' "$tmp/mp0" "$tmp/out"
expect_exit2 "mempool-perf: a bulk larger than keep is refused" \
	"keep=32 is not a multiple of n=64" run --workloads mempool-perf --param n=64 \
	--out "$tmp/mp0"
out=$tmp/mp1
"$PB" run --backends malloc --workloads mempool-perf --param mempool-perf.keep=32,128 \
	--param mempool-perf.n=1,32 --threads 1,2 --reps 2 --min-time 0.01 \
	--counters off --out "$out" >"$tmp/run12" 2>&1
check "mempool-perf on null and malloc: exit 0" test $? -eq 0
f=$out/results.csv
col() { head -n1 "$f" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
check "... every backend x keep x n x threads has its median row with ops_per_sec > 0" \
	awk -F, -v b="$(col backend)" -v w="$(col workload)" -v st="$(col statistic)" \
	-v o="$(col ops_per_sec)" -v k="$(col keep)" -v n="$(col n)" -v t="$(col threads)" \
	'NR > 1 && $w == "mempool-perf" && $st == "median" { if (!($o > 0)) bad = 1; p[$b "/" $k "/" $n "/" $t] = 1 }
	 END { for (x in p) c++; exit bad || c != 16 }' "$f"
check "... the null baseline's and malloc's run rows all have ops_per_sec" \
	awk -F, -v b="$(col backend)" -v st="$(col statistic)" -v o="$(col ops_per_sec)" -v e="$(col error)" \
	'NR > 1 && $st == "run" { n[$b]++; if (!($o > 0) || $e != "") bad = 1 } END { exit bad || n["null"] != 16 || n["malloc"] != 16 }' "$f"
check "... DPDK's 2048-byte objects without --size" awk -F, -v z="$(col obj_size)" \
	'NR > 1 && $z != 2048 { bad = 1 } END { exit bad }' "$f"
check "... whole rounds: every run's iterations a multiple of keep" \
	awk -F, -v st="$(col statistic)" -v k="$(col keep)" -v i="$(col iterations)" \
	'NR > 1 && $st == "run" { n++; if ($i % $k) bad = 1 } END { exit bad || !n }' "$f"
check "... keep empty in other workloads' rows (the first run's)" \
	awk -F, -v k="$(f=$tmp/r1/results.csv col keep)" \
	'NR > 1 { n++; if ($k != "") bad = 1 } END { exit bad || !n }' "$tmp/r1/results.csv"
scripts/tables/mempool_perf.py "$out" >"$tmp/mp1.md" 2>&1
check "... tables/mempool_perf.py makes its table from the run (16 rows, every rate set)" \
	bash -c '[ "$(grep -c "^| \`\(null\|malloc\)\` | exclusive | 2048 | [12] | \(1\|32\) | \(32\|128\) | [0-9][0-9]* |  |$" "$0")" -eq 16 ]' "$tmp/mp1.md"
