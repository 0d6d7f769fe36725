#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_isolate.sh - `poolbench run --isolate`: a backend that crashes,
# aborts, hangs or exits is recorded as failed while the other groups'
# results are kept; an interrupted run (SIGINT to its process group, as
# Ctrl-C sends) leaves its finished groups readable and --resume finishes
# it without redoing them; the malloc backend runs under a general
# allocator through LD_PRELOAD and says which version; bad arguments exit 2
# with a message. Uses build/poolbench-test (test-crash, test-failing).
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pb=build/poolbench-test

. tests/harness/lib.sh


# ---- a crash in one group, the others kept -----------------------------
$pb run --isolate --quick --backends test-crash,malloc --workloads fastpath-reuse \
	--peers none --out "$tmp/crash" >"$tmp/crash.log" 2>&1
rc=$?
check "a crashing backend: exit 1 (some benchmarks failed)" test $rc -eq 1
check "... its row says it crashed with SIGSEGV" \
	grep -q "killed by signal 11 (Segmentation fault)" <(csv "$tmp/crash/results.csv" error backend=test-crash)
check "... malloc's rows are kept, with figures" \
	test -n "$(csv "$tmp/crash/results.csv" ns_per_op backend=malloc statistic=median)"
check "... and have no error" test -z "$(csv "$tmp/crash/results.csv" error backend=malloc | tr -d '\n')"
check "... the null baseline ran too" test -n "$(csv "$tmp/crash/results.csv" ns_per_op backend=null statistic=median)"
check "... meta.json: the group failed, with the reason" \
	test "$(jq -r '.groups[] | select(.backend == "test-crash") | .state' "$tmp/crash/meta.json")" = failed
check "... meta.json: failed_runs counts it" test "$(jq -r .run.failed_runs "$tmp/crash/meta.json")" -ge 1
check "... the child's output is kept in logs/" ls "$tmp"/crash/logs/*test-crash*.log
check "... the plan was printed with an estimate" grep -q 'plan: 3 benchmarks in 3 groups' "$tmp/crash.log"
check "... progress lines count to [6/6] (3 benchmarks x 2 interleaved repetitions)" \
	grep -q '^\[6/6\] ' "$tmp/crash.log"

# A crash in a group's second benchmark keeps its first one's rows.
$pb run --isolate --quick --backends test-crash --workloads fastpath-reuse --threads 1,2 \
	--param test-crash.min_threads=2 --param test-crash.after=0 --peers none \
	--out "$tmp/half" >/dev/null 2>&1
check "a crash in the second benchmark of a group: exit 1" test $? -eq 1
check "... the first one (1 thread) keeps its figures" \
	test -n "$(csv "$tmp/half/results.csv" ns_per_op backend=test-crash threads=1 statistic=median)"
check "... the second (2 threads) says it crashed" \
	grep -q "signal 11" <(csv "$tmp/half/results.csv" error backend=test-crash threads=2)

for how in abort exit; do
	$pb run --isolate --quick --backends test-crash --workloads fastpath-reuse \
		--param test-crash.how=$how --peers none --out "$tmp/$how" >/dev/null 2>&1
	check "how=$how: exit 1" test $? -eq 1
done
check "... abort is SIGABRT" grep -q "signal 6" <(csv "$tmp/abort/results.csv" error backend=test-crash)
check "... exit(3) is an exit without results" \
	grep -q "exited with status 3 without results" <(csv "$tmp/exit/results.csv" error backend=test-crash)

start=$(date +%s)
$pb run --isolate --quick --backends test-crash --workloads fastpath-reuse \
	--param test-crash.how=hang --group-timeout 2 --peers none --out "$tmp/hang" >/dev/null 2>&1
rc=$?
check "a hang: exit 1" test $rc -eq 1
check "... killed at its time limit" grep -q "timed out: its process was killed after 2 s" \
	<(csv "$tmp/hang/results.csv" error backend=test-crash)
check "... well before the test's own patience ran out" test $(($(date +%s) - start)) -lt 60

# ---- interrupt, then resume ---------------------------------------------
# The third group (test-failing, 256 objects at 20 ms each) takes 5 s: the
# run is interrupted while it runs.
slow=(--isolate --backends malloc,test-failing --workloads million --size 64
	--param million.count=256 --param million.order=in-order
	--param test-failing.sleep_us=20000 --param test-failing.fail_after=1000000
	--reps 1 --peers none --out "$tmp/intr")
setsid $pb run "${slow[@]}" >"$tmp/intr.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
	ls "$tmp"/intr/logs/003-* >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 1
kill -INT -- -"$pid"
wait "$pid"
rc=$?
check "Ctrl-C: exit 130" test $rc -eq 130
hint="make run-all RESUME=$tmp/intr (or poolbench run --resume $tmp/intr)"
check "... says how to finish the run" grep -qF "Finish the run with: $hint" "$tmp/intr.log"
check "... the same way as the run's first lines did" \
	grep -qF "after Ctrl-C, finish the run with: $hint)" "$tmp/intr.log"
check "... the finished groups are in results.csv" \
	test -n "$(csv "$tmp/intr/results.csv" alloc_ms backend=malloc statistic=run)"
check "... the interrupted group is not" test -z "$(csv "$tmp/intr/results.csv" backend backend=test-failing)"
check "... meta.json says interrupted, not complete" \
	test "$(jq -r '.isolation | "\(.interrupted) \(.complete)"' "$tmp/intr/meta.json")" = "true false"
check "... two groups are done in groups.tsv" test "$(grep -c $'\tdone\t' "$tmp/intr/groups.tsv")" -eq 2
sum_before=$(md5sum "$tmp"/intr/parts/00[12]-*/results.csv)
$pb run --resume "$tmp/intr" >"$tmp/resume.log" 2>&1
rc=$?
check "--resume: exit 0" test $rc -eq 0
check "... ran only what was left" grep -q 'resuming: 1 benchmarks left' "$tmp/resume.log"
check "... the finished groups were not run again" \
	test "$(md5sum "$tmp"/intr/parts/00[12]-*/results.csv)" = "$sum_before"
check "... progress went on from [2/3] to [3/3]" grep -q '^\[3/3\] ' "$tmp/resume.log"
check "... results.csv now has every group" \
	test -n "$(csv "$tmp/intr/results.csv" alloc_ms backend=test-failing statistic=run)"
check "... and still the earlier ones" \
	test -n "$(csv "$tmp/intr/results.csv" alloc_ms backend=malloc statistic=run)"
check "... meta.json: complete, resumed once" \
	test "$(jq -r '.isolation | "\(.complete) \(.resumed)"' "$tmp/intr/meta.json")" = "true 1"
check "make run-all RESUME=<folder> runs poolbench run --resume <folder>" \
	grep -q -- "poolbench run --resume $tmp/intr " <(make -n run-all RESUME="$tmp/intr" 2>/dev/null)
check "... and draws that folder's figures" \
	grep -q -- "scripts/figures/plots.sh $tmp/intr\$" <(make -n run-all RESUME="$tmp/intr" 2>/dev/null)
$pb run --resume "$tmp/intr" >/dev/null 2>&1
check "... a second --resume of a complete run runs nothing and exits 0" test $? -eq 0
# A folder whose parts another build wrote, with other results.csv columns
# (as before the machine column): its plan differs, the resume is refused.
cp -r "$tmp/intr" "$tmp/oldcols"
sed -i 's/^# results.csv: machine,/# results.csv: /' "$tmp/oldcols/plan.tsv"
cp "$tmp/oldcols/results.csv" "$tmp/oldcols-before.csv"
$pb run --resume "$tmp/oldcols" >/dev/null 2>"$tmp/err"
check "--resume of a folder whose parts have other columns: exit 2, the plan differs, results kept" \
	bash -c 'test $0 -eq 2 && grep -q "the plan differs" "$1" && cmp -s "$2" "$3"' $? "$tmp/err" \
	"$tmp/oldcols-before.csv" "$tmp/oldcols/results.csv"

# ---- general-allocator peers ---------------------------------------------
if [ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ] || [ -e /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 ]; then
	$pb run --isolate --quick --backends malloc --workloads fastpath-reuse --peers jemalloc \
		--out "$tmp/peer" >/dev/null 2>&1
	check "--peers jemalloc: exit 0" test $? -eq 0
	check "... rows labelled malloc:jemalloc, with figures" \
		test -n "$(csv "$tmp/peer/results.csv" ns_per_op backend=malloc:jemalloc statistic=median)"
	check "... next to glibc's malloc" \
		test -n "$(csv "$tmp/peer/results.csv" ns_per_op backend=malloc statistic=median)"
	check "... meta.json has jemalloc's Debian version" \
		test "$(jq -r '.peers[] | select(.label == "malloc:jemalloc") | .version' "$tmp/peer/meta.json")" = \
		"$(dpkg-query -W -f='${Version}' libjemalloc2)"
	# A child told to expect jemalloc without the preload must refuse.
	$pb run --only-backend malloc --only-workload fastpath-reuse --expect-malloc jemalloc \
		--quick --out "$tmp/nopreload" >/dev/null 2>"$tmp/err"
	check "a peer whose LD_PRELOAD did not take effect: exit 2" test $? -eq 2
	check "... saying where malloc came from" grep -q "LD_PRELOAD did not take effect" "$tmp/err"
else
	echo "not ok - libjemalloc2 is not installed (scripts/setup/install-deps.sh installs it)"
fi

# ---- bad arguments ----------------------------------------------------------
bad() {	# description, expected message, args...
	local d=$1 msg=$2
	shift 2
	$pb run "$@" >/dev/null 2>"$tmp/err"
	check "$d: exit 2" test $? -eq 2
	check "... $msg" grep -q -- "$msg" "$tmp/err"
}
bad "--peers without --isolate" "needs --isolate" --peers jemalloc
bad "--peers with an unknown allocator" "unknown allocator 'hoard'" --isolate --peers hoard --out "$tmp/b1"
bad "--group-timeout 0" "not a number of seconds" --isolate --group-timeout 0
bad "--resume of a missing folder" "not a folder written by run --isolate" --resume "$tmp/nowhere"
bad "--resume with other options" "takes no other option" --resume "$tmp/intr" --reps 3
mkdir -p "$tmp/plain"
printf -- '--quick\n' >"$tmp/plain/run-args"
bad "--resume of a run without --isolate" "not made with --isolate" --resume "$tmp/plain"
