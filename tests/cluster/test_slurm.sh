#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_slurm.sh - `poolbench run --isolate --executor slurm` on a real
# single-host Slurm cluster (tests/cluster/slurm-local.sh: munged,
# slurmctld and slurmd on this machine, state in a temporary folder,
# stopped at the end whatever happens):
#   - bad input is refused before any folder is made;
#   - a small plan through the job array gives the rows a local isolated
#     run gives (same benchmarks, same columns), with the node of every
#     repetition in meta.json;
#   - --partitions pbA,pbB runs the plan once per partition (two arrays),
#     each machine's rows the local run's, told apart by the machine column;
#   - in a machine comparison, machine pbB's task cancelled is lost on pbB
#     only, and --resume submits one array, to pbB, with that one task;
#   - an array task cancelled while it runs (scancel) is recorded as lost,
#     with failed rows, and --resume runs only its group again;
#   - a task that cannot see the results folder makes the run refuse to
#     start (the shared-filesystem check).
# Needs root and the Slurm packages (scripts/setup/install-deps.sh); else
# one "ok - # SKIP" line says why. Uses build/poolbench-test.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
root=$PWD
pb=$root/build/poolbench-test
tmp=$(mktemp -d)
state=$(mktemp -d /tmp/pb-slurm.XXXXXX)
cleanup() {
	tests/cluster/slurm-local.sh stop "$state" >/dev/null 2>&1
	rm -rf "$tmp" "$state"
}
trap cleanup EXIT

. tests/harness/lib.sh

# The rows' identities (every column but the measured ones), sorted; with
# MACHINE, only that machine's rows.
keys() {	# results.csv [MACHINE]
	python3 - "$@" <<'EOF'
import csv, sys
r = csv.DictReader(open(sys.argv[1]))
key = ["backend", "workload", "mode", "threads", "placement", "obj_size",
       "align", "options", "statistic", "rep"]
print(",".join(r.fieldnames))
for row in sorted(",".join(row[k] for k in key) for row in r
                  if len(sys.argv) < 3 or row["machine"] == sys.argv[2]):
    print(row)
EOF
}


# ---- bad input, before any cluster --------------------------------------
$pb run --executor slurm --quick --out "$tmp/no-iso" >"$tmp/no-iso.log" 2>&1
check "--executor slurm without --isolate: exit 2" test $? -eq 2
check "... saying it needs --isolate" grep -q 'needs --isolate' "$tmp/no-iso.log"
$pb run --isolate --partitions a --quick --out "$tmp/no-exec" >"$tmp/no-exec.log" 2>&1
check "--partitions without --executor slurm: exit 2" test $? -eq 2
$pb run --isolate --executor slurm --partitions a,b,a --quick --out "$tmp/ab" >"$tmp/ab.log" 2>&1
check "--partitions a,b,a: exit 2, a partition named twice, no folder" \
	bash -c 'test $0 -eq 2 && grep -q "named twice" "$1" && test ! -e "$2"' $? "$tmp/ab.log" "$tmp/ab"
$pb run --isolate --executor slurm --partitions "a,$(printf 'p%.0s' $(seq 49))" --quick \
	--out "$tmp/long" >"$tmp/long.log" 2>&1
check "--partitions with a name over 48 characters: exit 2, no folder" \
	bash -c 'test $0 -eq 2 && grep -q "at most 48" "$1" && test ! -e "$2"' $? "$tmp/long.log" "$tmp/long"
$pb run --isolate --executor pbs --quick --out "$tmp/pbs" >"$tmp/pbs.log" 2>&1
check "--executor pbs: exit 2, naming the valid choices" \
	grep -q "valid: local, slurm" "$tmp/pbs.log"

# ---- the cluster ----------------------------------------------------------
tests/cluster/slurm-local.sh start "$state" >"$tmp/start.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
	echo "ok - # SKIP no local Slurm cluster: $(tail -n 1 "$tmp/start.log")"
	exit 0
fi
check "the local Slurm cluster starts (munged, slurmctld, slurmd)" test $rc -eq 0
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$tmp/start.log"
	exit 1
fi
eval "$(tests/cluster/slurm-local.sh env "$state")"

$pb run --isolate --executor slurm --partitions nosuch --quick \
	--out "$tmp/nosuch" >"$tmp/nosuch.log" 2>&1
check "--partitions nosuch: exit 2" test $? -eq 2
check "... saying the cluster has no such partition" \
	grep -q "no such partition" "$tmp/nosuch.log"
check "... and no results folder was made" test ! -e "$tmp/nosuch"

# ---- the same plan, local and through Slurm ---------------------------------
plan=(--isolate --quick --backends malloc,qmempool --workloads fastpath-reuse
	--threads 1 --peers none)
$pb run "${plan[@]}" --out "$tmp/local" >"$tmp/local.log" 2>&1
check "a local isolated run of the small plan: exit 0" test $? -eq 0
$pb run "${plan[@]}" --executor slurm --partitions pbA --out "$tmp/slurm" \
	>"$tmp/slurm.log" 2>&1
rc=$?
check "the same plan through Slurm: exit 0" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/slurm.log" | tail -n 20
check "... it submitted one job array" grep -q 'submitted Slurm job array' "$tmp/slurm.log"
check "... the rows are the local run's: same columns, same benchmarks" \
	cmp <(keys "$tmp/local/results.csv") <(keys "$tmp/slurm/results.csv")
check "... with figures" \
	test -n "$(csv "$tmp/slurm/results.csv" ns_per_op backend=qmempool statistic=median)"
check "... and no error" test -z "$(csv "$tmp/slurm/results.csv" error | tr -d '\n')"
check "... meta.json: executor slurm, partition pbA, the job's id" \
	jq -e '.executor.kind == "slurm" and .executor.partition == "pbA" and (.executor.job_ids | length > 0)' \
	"$tmp/slurm/meta.json"
check "... every repetition names the node it ran on" \
	jq -e --arg h "$(hostname)" '[.groups[].reps[] | .node == $h] | all and length > 0' \
	"$tmp/slurm/meta.json"
check "... a task script per group, Slurm's own output in logs/" \
	bash -c "ls '$tmp'/slurm/slurm/sub-1/task-2.sh && ls '$tmp'/slurm/logs/slurm-*_0.out"
check "... the folder's run is complete" \
	jq -e '.isolation.complete and (.isolation.interrupted | not)' "$tmp/slurm/meta.json"
check "... meta.json lists the node with its CPU model, topology and kernel" \
	jq -e --arg h "$(hostname)" --arg k "$(uname -r)" '.executor.nodes | length == 1 and .[0].host == $h and (.[0].cpu_model | length > 0) and (.[0].topology | length > 0) and .[0].kernel == $k' \
	"$tmp/slurm/meta.json"
check "... no placement warning" jq -e '.executor.placement_warnings == []' "$tmp/slurm/meta.json"
# Placement: one unit's part says another CPU model; --resume (nothing
# left to run) merges again and must warn.
part=$(ls "$tmp"/slurm/parts/*-qmempool-fastpath-reuse/rep-0/meta.json)
sed -i 's/"cpu_model": "[^"]*"/"cpu_model": "Other CPU 9000"/' "$part"
$pb run --resume "$tmp/slurm" >"$tmp/placed.log" 2>&1
check "a workload that ran on nodes of two CPU models: the console warns" \
	grep -q "WARNING: fastpath-reuse ran on nodes of different CPU models: .*Other CPU 9000" "$tmp/placed.log"
check "... and meta.json's placement_warnings names it" \
	jq -e '.executor.placement_warnings | length == 1 and (.[0] | test("^fastpath-reuse ran on nodes of different CPU models"))' \
	"$tmp/slurm/meta.json"

# ---- machine comparison: the plan once per partition ----------------------------
$pb run "${plan[@]}" --executor slurm --partitions pbA,pbB --out "$tmp/machines" \
	>"$tmp/machines.log" 2>&1
rc=$?
check "--partitions pbA,pbB (machine comparison): exit 0" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/machines.log" | tail -n 20
check "... one job array per partition" \
	test "$(grep -c 'submitted Slurm job array [0-9]* to partition pb[AB]:' "$tmp/machines.log")" -eq 2
check "... a shared-filesystem check per partition" \
	bash -c 'ls "$0"/slurm/sub-1/shared-fs-marker.pbA.seen "$0"/slurm/sub-1/shared-fs-marker.pbB.seen' "$tmp/machines"
for m in pbA pbB; do
	check "... machine $m: its rows are the local run's (same columns, same benchmarks)" \
		cmp <(keys "$tmp/local/results.csv") <(keys "$tmp/machines/results.csv" $m)
done
check "... every row names its machine, pbA's before pbB's" \
	test "$(csv "$tmp/machines/results.csv" machine | uniq | tr '\n' ' ')" = "pbA pbB "
check "... a local run's machine column is empty" \
	test -z "$(csv "$tmp/local/results.csv" machine | tr -d '\n')"
check "... and no error" test -z "$(csv "$tmp/machines/results.csv" error | tr -d '\n')"
check "... meta.json: the machines, each group's machine, each node per machine" \
	jq -e '.executor.machines == ["pbA", "pbB"] and ([.groups[].machine] | unique == ["pbA", "pbB"]) and ([.executor.nodes[].machine] == ["pbA", "pbB"]) and .executor.placement_warnings == []' \
	"$tmp/machines/meta.json"
check "... groups.tsv: every group once per machine, its id ending @<partition>" \
	bash -c 'test "$(grep -c "@pbA	" "$0")" -eq "$(grep -c "@pbB	" "$0")" && test "$(grep -vc "^#\|@pb[AB]	" "$0")" -eq 0' \
	"$tmp/machines/groups.tsv"
check "... the units' lines name the machine" grep -q ', machine pbB on ' "$tmp/machines.log"
check "... the plan says an array per partition, and no interleaved rounds (none under Slurm)" \
	bash -c 'grep -q "^poolbench: Slurm: a job array per partition" "$0" && ! grep -q "^poolbench: interleaved" "$0"' \
	"$tmp/machines.log"
check "... bench.json names each machine's entries apart" \
	bash -c 'grep -q "\"name\": \"qmempool@pbA/" "$0" && grep -q "\"name\": \"qmempool@pbB/" "$0"' \
	"$tmp/machines/bench.json"
cp "$tmp/machines/results.csv" "$tmp/machines-before.csv"
$pb run --resume "$tmp/machines" >"$tmp/machines-resume.log" 2>&1
check "... --resume of the finished comparison: exit 0, nothing submitted, the same rows" \
	bash -c 'test $0 -eq 0 && ! grep -q "submitted Slurm" "$1" && cmp "$2" "$3"' $? \
	"$tmp/machines-resume.log" "$tmp/machines-before.csv" "$tmp/machines/results.csv"

# wait_running NAME [MACHINE]: wait until the run writing $tmp/NAME.log
# and $tmp/NAME/ has its test-failing task (of MACHINE, in a machine
# comparison) running; sets $job and $task.
wait_running() {
	local m=${2:-}
	job= task=
	for _ in $(seq 600); do
		job=$(sed -n "s/.*submitted Slurm job array \([0-9]*\)${m:+ to partition $m:}.*/\1/p" \
			"$tmp/$1.log")
		task=$(grep -l -- "-test-failing-million${m:+@$m} (test-failing x million)" \
			"$tmp/$1"/slurm/sub-1/task-*.sh 2>/dev/null | sed 's/.*task-\([0-9]*\)\.sh/\1/')
		if [ -n "$job" ] && [ -n "$task" ] &&
		   squeue -h -r -j "$job" -o '%K %T' | grep -qx "$task RUNNING"; then
			return
		fi
		sleep 0.2
	done
}

# ---- one array task cancelled, then --resume ----------------------------------
# test-failing at 20 ms per object, 512 objects: its task runs for about
# 10 s, and is cancelled while it runs.
slow=(--isolate --executor slurm --partitions pbB --backends malloc,test-failing
	--workloads million --size 64 --param million.count=512
	--param million.order=in-order --param test-failing.sleep_us=20000
	--param test-failing.fail_after=1000000 --reps 1 --peers none
	--out "$tmp/kill")
$pb run "${slow[@]}" >"$tmp/kill.log" 2>&1 &
pid=$!
wait_running kill
sleep 2
scancel "${job}_${task}"
wait "$pid"
rc=$?
check "an array task cancelled while it runs: the run ends with exit 1" test $rc -eq 1
check "... its rows say it was lost, and --resume runs it again" \
	grep -q "lost: Slurm array task ${job}_${task} ended CANCELLED.*--resume runs it again" \
	<(csv "$tmp/kill/results.csv" error backend=test-failing)
check "... groups.tsv records it as lost" \
	grep -qP '^[0-9]+-test-failing-million\tall\tlost\t' "$tmp/kill/groups.tsv"
check "... malloc's group is done, with figures" \
	test -n "$(csv "$tmp/kill/results.csv" ns_per_op backend=malloc statistic=run)"
$pb run --resume "$tmp/kill" >"$tmp/resume.log" 2>&1
rc=$?
check "--resume: exit 0" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/resume.log" | tail -n 20
check "... it submitted only the lost group (one task)" \
	bash -c "ls '$tmp'/kill/slurm/sub-2/task-0.sh && ! ls '$tmp'/kill/slurm/sub-2/task-1.sh"
check "... test-failing now has figures and no error" \
	bash -c 'test -n "$1" && test -z "$2"' _ \
	"$(csv "$tmp/kill/results.csv" ns_per_op backend=test-failing statistic=run)" \
	"$(csv "$tmp/kill/results.csv" error backend=test-failing | tr -d '\n')"
check "... meta.json: complete, resumed once, two job ids" \
	jq -e '.isolation.complete and .isolation.resumed == 1 and (.executor.job_ids | test(","))' \
	"$tmp/kill/meta.json"

# ---- a machine comparison: machine pbB's task cancelled, then --resume ------------
$pb run "${slow[@]:0:${#slow[@]}-1}" "$tmp/mkill" --partitions pbA,pbB >"$tmp/mkill.log" 2>&1 &
pid=$!
wait_running mkill pbB
sleep 2
scancel "${job}_${task}"
wait "$pid"
rc=$?
check "machine comparison, pbB's test-failing task cancelled: exit 1, lost on pbB only" \
	bash -c 'test $0 -eq 1 && grep -qP "^[0-9]+-test-failing-million\@pbB\tall\tlost\t" "$1" &&
		grep -qP "^[0-9]+-test-failing-million\@pbA\tall\tdone\t" "$1"' $rc "$tmp/mkill/groups.tsv"
check "... its rows (machine pbB) say it was lost" \
	grep -q "lost: Slurm array task ${job}_${task} ended CANCELLED" \
	<(csv "$tmp/mkill/results.csv" error backend=test-failing machine=pbB)
$pb run --resume "$tmp/mkill" >"$tmp/mkill-resume.log" 2>&1
rc=$?
check "... --resume: exit 0, one array, to pbB, one task" \
	bash -c 'test $0 -eq 0 && test "$(grep -c "submitted Slurm job array" "$1")" -eq 1 &&
		grep -q "submitted Slurm job array [0-9]* to partition pbB: 1 tasks" "$1"' $rc "$tmp/mkill-resume.log"
check "... both machines' test-failing rows now have figures and no error" \
	bash -c 'test -n "$0" && test -n "$1" && test -z "$2"' \
	"$(csv "$tmp/mkill/results.csv" ns_per_op backend=test-failing statistic=run machine=pbA)" \
	"$(csv "$tmp/mkill/results.csv" ns_per_op backend=test-failing statistic=run machine=pbB)" \
	"$(csv "$tmp/mkill/results.csv" error backend=test-failing | tr -d '\n')"

# ---- Ctrl-C: the array cancelled, the folder resumable ---------------------------
intr=("${slow[@]:0:${#slow[@]}-1}" "$tmp/intr")
setsid $pb run "${intr[@]}" >"$tmp/intr.log" 2>&1 &
pid=$!
wait_running intr
sleep 1
kill -INT -- -"$pid"
wait "$pid"
rc=$?
check "Ctrl-C while a task runs: exit 130" test $rc -eq 130
check "... says how to finish the run" grep -qF "Finish the run with: make run-all RESUME=$tmp/intr" "$tmp/intr.log"
check "... the array was cancelled: none of its tasks waits or runs" \
	bash -c '! squeue -h -r -j "$0" -o "%T" | grep -qE "PENDING|RUNNING|CONFIGURING"' "$job"
check "... the group that ended is kept, the interrupted one left pending (not failed)" \
	bash -c 'grep -qP "^[0-9]+-malloc-million\tall\tdone\t" "$0" && ! grep -q "test-failing" "$0"' "$tmp/intr/groups.tsv"
$pb run --resume "$tmp/intr" >"$tmp/intr-resume.log" 2>&1
check "... --resume finishes it: exit 0, complete" \
	bash -c 'test $0 -eq 0 && jq -e ".isolation.complete" "$1"' $? "$tmp/intr/meta.json"

# ---- a node that cannot see the results folder --------------------------------
# The run is submitted from a private mount namespace whose tmpfs holds the
# results folder: the node (slurmd, outside it) sees an empty folder there,
# as a node sees a submit host's local disk.
mkdir -p "$tmp/private"
if unshare -m true 2>/dev/null; then
	unshare -m bash -c 'mount -t tmpfs pb-private "$1" && shift &&
		"$@"' _ "$tmp/private" $pb run "${plan[@]}" --executor slurm \
		--partitions pbA --out "$tmp/private/run" >"$tmp/unshared.log" 2>&1
	check "a node that cannot see the folder: exit 2" test $? -eq 2
	check "... saying the folder is not on a filesystem the nodes share" \
		grep -q "not on a filesystem the nodes\( of partition pbA\)\? share" "$tmp/unshared.log"
	check "... nothing was submitted" bash -c "! grep -q 'submitted Slurm job' '$tmp/unshared.log'"
else
	echo "ok - # SKIP the unshared-folder check: unshare -m is not allowed here"
fi
