#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_interleave.sh - interleaved repetitions (--interleave, on by
# default): an isolated run runs repetition k of every group before
# repetition k+1 of any, one child per group and repetition, and merges
# them: every benchmark has its run rows 0..R-1 with their start times and
# the six aggregates over them, computed as Google Benchmark does; a group
# that crashes has a failure row per repetition and no aggregates, the
# others are kept; --interleave off runs each group's repetitions back to
# back in one child; an in-process run interleaves through Google
# Benchmark and still writes its rows in plan order; the merged bench.json
# is Google Benchmark's format, one entry per benchmark and repetition, and
# its compare.py reads two of them; meta.json holds the noise report (the
# machine at the start and end, the null baseline probed at the start,
# between the rounds (back to back: the middle) and at the end, a verdict
# that follows from them). Uses
# build/poolbench-test (test-crash).
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pb=build/poolbench-test

. tests/harness/lib.sh

# A python3 check on a results folder: exit 0 when it holds.
pycheck() {	# folder, python body (rows: the CSV's rows as dicts)
	python3 - "$1" "$2" <<'EOF'
import csv, json, statistics, sys
folder, body = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(folder + "/results.csv")))
runs = [r for r in rows if r["statistic"] == "run"]
def key(r):
    return tuple(r[c] for c in ("backend", "workload", "mode", "threads", "obj_size", "options"))
ok = eval(body)
sys.exit(0 if ok else 1)
EOF
}

# ---- an isolated run, interleaved ---------------------------------------
$pb run --isolate --peers none --backends null,malloc,test-crash --workloads fastpath-reuse \
	--threads 1,2 --reps 3 --min-time 0.01 --out "$tmp/iso" >"$tmp/iso.log" 2>&1
check "an interleaved isolated run with a crashing group: exit 1" test $? -eq 1
check "... the plan says it is interleaved, in 3 rounds" grep -q 'interleaved: 3 rounds' "$tmp/iso.log"
check "... groups.tsv: one line per group and repetition" \
	test "$(grep -vc '^#' "$tmp/iso/groups.tsv")" -eq 9
check "... each repetition in a child folder of its own" \
	test -s "$tmp/iso/parts/001-null-fastpath-reuse/rep-2/results.csv"
check "... every benchmark has its run rows 0, 1, 2" \
	pycheck "$tmp/iso" 'all(sorted(r["rep"] for r in runs if key(r) == key(x)) == ["0", "1", "2"] for x in runs)'
check "... repetition k of every group ran before repetition k+1 of any" \
	pycheck "$tmp/iso" 'all(max(float(r["rep_start_s"]) for r in runs if r["rep"] == str(k) and r["rep_start_s"]) < min(float(r["rep_start_s"]) for r in runs if r["rep"] == str(k + 1) and r["rep_start_s"]) for k in (0, 1))'
check "... the median row is the median of the run rows" \
	pycheck "$tmp/iso" 'all(abs(float(m["ns_per_op"]) - statistics.median(float(r["ns_per_op"]) for r in runs if key(r) == key(m))) <= 1e-6 * float(m["ns_per_op"]) for m in rows if m["statistic"] == "median")'
check "... stddev is the sample one" \
	pycheck "$tmp/iso" 'all(abs(float(s["ns_per_op"]) - statistics.stdev(float(r["ns_per_op"]) for r in runs if key(r) == key(s))) <= 1e-6 * float(s["ns_per_op"]) + 1e-12 for s in rows if s["statistic"] == "stddev")'
check "... an aggregate's iterations is the number of runs" \
	pycheck "$tmp/iso" 'all(r["iterations"] == "3" for r in rows if r["statistic"] in ("mean", "median", "min", "max"))'
check "... the null and malloc benchmarks have all six aggregates" \
	pycheck "$tmp/iso" 'sum(1 for r in rows if r["statistic"] != "run" and r["backend"] in ("null", "malloc")) == 4 * 6'
check "... the crashing group: a failure row per repetition, no aggregate" \
	pycheck "$tmp/iso" 'sum(1 for r in runs if r["backend"] == "test-crash" and "crashed" in r["error"]) == 6 and not any(r["backend"] == "test-crash" and r["statistic"] != "run" for r in rows)'
check "... meta.json: each group's repetitions with state and start" \
	test "$(jq '[.groups[0].reps[] | select(.state == "done" and .started_s >= 0)] | length' "$tmp/iso/meta.json")" -eq 3
check "... and the crashing group failed, naming the repetition" \
	jq -e '.groups[] | select(.backend == "test-crash") | .reason | test("^repetition 0: crashed")' "$tmp/iso/meta.json"

# ---- round order: a workload's groups together, rotated per round -----------
$pb run --isolate --peers none --backends null,malloc,alf-mpmc --workloads fastpath-reuse,ring-cleanup \
	--param ring-cleanup.n=16 --reps 3 --min-time 0.01 --out "$tmp/order" >/dev/null 2>&1
check "two workloads x three backends, interleaved: exit 0" test $? -eq 0
# Per round: the groups by start time, as (workload, backend).
order() {	# python expression over rounds[k], a list of (workload, backend)
	python3 - "$tmp/order/meta.json" "$1" <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))["groups"]
rounds = [[(x["workload"], x["backend"]) for x in sorted(g, key=lambda x: x["reps"][k]["started_s"])] for k in range(3)]
def blocks(r):
    return [w for i, (w, _) in enumerate(r) if i == 0 or r[i - 1][0] != w]
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}
check "... in every round a workload's groups run next to each other" \
	order 'all(len(blocks(r)) == 2 for r in rounds)'
check "... the workloads' order rotates from round to round" \
	order 'blocks(rounds[0]) != blocks(rounds[2])'
check "... and so do the groups within a workload" \
	order 'len({tuple(b for w, b in r if w == "fastpath-reuse") for r in rounds}) == 3'

# ---- the merged bench.json -------------------------------------------------
check "bench.json: one entry per benchmark and repetition that ran" \
	test "$(jq '.benchmarks | length' "$tmp/iso/bench.json")" -eq 12
check "... each repetition's own index" \
	test "$(jq -c '[.benchmarks[] | select(.name | startswith("null/")) | .repetition_index] | sort' "$tmp/iso/bench.json")" = "[0,0,1,1,2,2]"
check "... named with the run's repetitions, as a back-to-back run names them" \
	test "$(jq '[.benchmarks[] | select(.name | test("/repeats:3/"))] | length' "$tmp/iso/bench.json")" -eq 12
check "... with Google Benchmark's context" test "$(jq -r .context.executable "$tmp/iso/bench.json")" = poolbench

# ---- --interleave off ----------------------------------------------------------
$pb run --isolate --interleave off --peers none --backends null,malloc --workloads fastpath-reuse \
	--reps 3 --min-time 0.01 --out "$tmp/off" >"$tmp/off.log" 2>&1
check "--interleave off: exit 0" test $? -eq 0
check "... one child per group (groups.tsv: repetition 'all')" \
	test "$(grep -c $'\tall\tdone\t' "$tmp/off/groups.tsv")" -eq 2
check "... each group's repetitions back to back" \
	pycheck "$tmp/off" 'max(float(r["rep_start_s"]) for r in runs if r["backend"] == "null") < min(float(r["rep_start_s"]) for r in runs if r["backend"] == "malloc")'
check "... with Google Benchmark's own aggregates" \
	pycheck "$tmp/off" 'sum(1 for r in rows if r["statistic"] == "median") == 2'

# ---- in process ----------------------------------------------------------------
$pb run --backends null,malloc --workloads fastpath-reuse,ring-cleanup --reps 3 --min-time 0.01 \
	--out "$tmp/local" >/dev/null 2>&1
check "in process, interleaved: exit 0" test $? -eq 0
check "... rows in plan order: each benchmark's rows together, runs 0, 1, 2 first" \
	pycheck "$tmp/local" 'all([r["rep"] for r in rows[9 * i:9 * i + 3]] == ["0", "1", "2"] and len({key(r) for r in rows[9 * i:9 * i + 9]}) == 1 for i in range(4))'
check "... every run row has its start time" pycheck "$tmp/local" 'all(r["rep_start_s"] for r in runs)'

# ---- Google Benchmark's compare.py on two merged runs ----------------------
gbc=/usr/share/benchmark/compare.py
if [ -e "$gbc" ] && /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
	$pb run --isolate --peers none --backends null,malloc --workloads fastpath-reuse \
		--reps 3 --min-time 0.01 --out "$tmp/iso2" >/dev/null 2>&1
	/usr/bin/python3 "$gbc" benchmarks "$tmp/off/bench.json" "$tmp/iso2/bench.json" >"$tmp/gbc" 2>&1
	check "compare.py (libbenchmark-tools) reads two runs' merged bench.json" test $? -eq 0
	check "... matches their benchmarks and runs its U test" grep -q 'U Test, Repetitions: 3 vs 3' "$tmp/gbc"
else
	echo "not ok - $gbc with python3-scipy is missing (scripts/setup/install-deps.sh installs libbenchmark-tools and python3-scipy)"
fi

# ---- the noise report -----------------------------------------------------------
check "noise: meta.json samples the machine at the start and the end" \
	jq -e '.noise.start.utc and .noise.end.utc and (.noise.start.load_average | length == 3)' "$tmp/iso/meta.json"
check "... an interleaved run probes the null baseline at its start, between its rounds and at its end" \
	test "$(jq -c '[.noise.null_probes[] | select(.median_ns > 0) | .at]' "$tmp/iso/meta.json")" = '["start","round-1","round-2","end"]'
check "... each probe before its round" \
	jq -e '[.groups[] | select(.backend == "null") | .reps[].started_s] as $s | .noise.null_probes as $p | $p[1].started_s < $s[1] and $p[2].started_s < $s[2] and $p[2].started_s > $s[1]' "$tmp/iso/meta.json"
check "... each probe in a folder of its own, not in results.csv" \
	test -s "$tmp/iso/parts/null-probe-round-1/results.csv"
check "... back to back: at its start, middle and end" \
	test "$(jq -c '[.noise.null_probes[] | select(.median_ns > 0) | .at]' "$tmp/off/meta.json")" = '["start","middle","end"]'

check "... the drift is the probes' max over min" \
	jq -e '[.noise.null_probes[].median_ns] as $m | (.noise.null_drift - (($m | max) / ($m | min)) | fabs) < 1e-9' "$tmp/iso/meta.json"
check "... the verdict follows from the figures and the thresholds" \
	jq -e '.noise as $n | ($n.verdict == "noisy") == (($n.seconds >= $n.thresholds.min_seconds and $n.others_cpu_pct > $n.thresholds.others_cpu_pct) or $n.steal_pct > $n.thresholds.steal_pct or $n.null_drift > $n.thresholds.null_drift)' "$tmp/iso/meta.json"
check "... and the run's last line says it, with the thresholds" \
	grep -qE '^poolbench: the machine was (quiet|noisy): .*threshold 1.10' "$tmp/iso.log"
check "... an in-process run samples too, without probes" \
	jq -e '.noise.verdict and (.noise.null_probes | length == 0)' "$tmp/local/meta.json"

# ---- bad input -------------------------------------------------------------------
$pb run --interleave sometimes >/dev/null 2>"$tmp/err"
check "--interleave sometimes: exit 2" test $? -eq 2
check "... naming the choices" grep -q "valid: on, off" "$tmp/err"
