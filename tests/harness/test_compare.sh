#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_compare.sh - the A/B comparison of two stored runs
# (scripts/compare/compare.py, make compare, docs/compare.md):
#   - scripts/lib/mwu.py's U test against scipy (test_mwu.py, Debian's
#     /usr/bin/python3 with python3-scipy);
#   - on runs derived from tests/data/small-run (some benchmarks given 6
#     repetitions, the others keep 2): B with every run row's ns_per_op
#     doubled (its columns reordered, an extra column added) is `slower`
#     wherever 6 vs 6 repetitions allow a verdict and `too few repetitions`
#     elsewhere; an identical copy gives no significant change; a copy from
#     another host is compared in the null basis, said in the header and the
#     `basis` column, where the doubled times cancel; a point without its
#     null rows says so; compare.csv, compare.md and a valid PDF and PNG;
#   - bad input (missing folder, unreadable CSV, no benchmark in common, bad
#     alpha) exits 2 without writing; an existing out folder is refused;
#     `make compare` without A or B prints its usage and exits 2; the
#     committed reference run (results.csv.xz only) compares with itself;
#   - Google Benchmark's own compare.py (libbenchmark-tools) runs on two
#     tiny runs' bench.json.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmp=scripts/compare/compare.py

. tests/harness/lib.sh

# The U test against scipy: its own ok/not ok lines.
/usr/bin/python3 tests/harness/test_mwu.py

# Runs derived from small-run: the 1-thread fastpath-reuse and ring-cleanup
# benchmarks; null, malloc and qmempool get 6 repetitions (the two stored
# ones, each scaled by 1 + 0.003 k), the rest keep their 2.
python3 - "$tmp" <<'EOF'
import csv, json, os, shutil, sys
tmp = sys.argv[1]
src = "tests/data/small-run"
with open(os.path.join(src, "results.csv"), newline="") as f:
    reader = csv.DictReader(f)
    header, rows = reader.fieldnames, list(reader)
rows = [r for r in rows if r["threads"] == "1" and r["workload"] in ("fastpath-reuse", "ring-cleanup")]
out = []
for r in rows:
    if r["statistic"] != "run" or r["backend"] not in ("null", "malloc", "qmempool"):
        out.append(r)
        continue
    if r["rep"] != "0":
        continue
    two = [x for x in rows if x["statistic"] == "run" and all(
        x[c] == r[c] for c in header if c not in ("rep", "statistic") and not c[0].isdigit()
        and c in ("backend", "options", "workload", "mode", "threads", "n", "obj_size"))]
    for k in range(6):
        x = dict(two[k % 2])
        x["rep"] = str(k)
        x["ns_per_op"] = repr(float(x["ns_per_op"]) * (1 + 0.003 * k))
        out.append(x)
meta = json.load(open(os.path.join(src, "meta.json")))

def write(name, rows, header=header, host=None, extra=False):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    m = json.loads(json.dumps(meta))
    if host:
        m["machine"]["host"], m["machine"]["cpu_model"] = host, "Other CPU"
    json.dump(m, open(os.path.join(d, "meta.json"), "w"), indent=1)
    cols = list(reversed(header)) + (["rep_start_s"] if extra else [])
    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, cols, lineterminator="\n")
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow(dict(r, **({"rep_start_s": str(i)} if extra else {})))

def doubled(rows):
    return [dict(r, ns_per_op=repr(float(r["ns_per_op"]) * 2))
            if r["statistic"] == "run" else r for r in rows]

write("A", out)
write("same", out)
write("B2x", doubled(out), extra=True)
write("other", doubled(out), host="other-host")
write("nonull", [r for r in doubled(out) if not (r["backend"] == "null" and r["n"] == "16")],
      host="other-host")
write("disjoint", [dict(r, workload="bulk") for r in out])
# One repetition of a 6-rep benchmark failed, and every row of a 2-rep one.
def fail(r):
    if r["backend"] == "qmempool" and r["workload"] == "fastpath-reuse" and \
            r["mode"] == "shared" and r["statistic"] == "run" and r["rep"] == "0":
        return dict(r, error="injected: alloc returned NULL")
    if r["backend"] == "objpool-ring" and r["workload"] == "fastpath-reuse" and \
            r["mode"] == "shared":
        return dict(r, error="injected: pool creation failed")
    return r
write("partial", [fail(r) for r in doubled(out)])
os.makedirs(os.path.join(tmp, "badcsv"))
shutil.copy(os.path.join(src, "meta.json"), os.path.join(tmp, "badcsv"))
open(os.path.join(tmp, "badcsv", "results.csv.xz"), "wb").write(b"not xz at all")
EOF

# values FOLDER COLUMN: the distinct values of a compare.csv column, sorted.
values() {
	python3 -c 'import csv, sys
print(" ".join(sorted({r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1]))})))' \
		"$1/compare.csv" "$2"
}

# verdicts FOLDER: "verdict: count" of compare.csv, sorted.
verdicts() {
	python3 -c 'import csv, sys, collections
c = collections.Counter(r["verdict"] for r in csv.DictReader(open(sys.argv[1])))
print("; ".join(f"{k}: {v}" for k, v in sorted(c.items())))' "$1/compare.csv"
}

$cmp "$tmp/A" "$tmp/B2x" --out "$tmp/o2x" >"$tmp/o2x.txt" 2>&1
check "compare.py A B (B's times doubled) exits 0" test $? -eq 0
v=$(verdicts "$tmp/o2x")
check "... 6 vs 6 repetitions: slower (24); 2 vs 2: too few repetitions (40) [$v]" \
	test "$v" = "slower: 24; too few repetitions: 40"
check "... change_pct +100 in every benchmark (--: 2 vs 2 have no interval)" \
	test "$(values "$tmp/o2x" change_pct)/$(values "$tmp/o2x" ci_low_pct | tr -d '0-9. ')" = "100/--"
check "... console: the absolute basis, lower is better, counts and alpha" \
	bash -c 'grep -q "^basis: absolute ns_per_op" "$0" && grep -q "lower is better" "$0" &&
		grep -q "^64 benchmarks in both runs: 0 faster, 24 slower, 0 no significant change, 40 too few repetitions; only in A: 0, only in B: 0; alpha 0.05" "$0"' "$tmp/o2x.txt"
check "... console: one line per benchmark with its interval and p" \
	grep -qE '^qmempool +ring-cleanup +shared +1 +64 +n=256 .* \+100\.0% +\[\+9[0-9.]*, \+1[01][0-9.]*\]% +0\.0022 +slower$' "$tmp/o2x.txt"
check "... compare.md and compare.dat written" test -s "$tmp/o2x/compare.md" -a -s "$tmp/o2x/compare.dat"
check "... compare.pdf: pdfinfo parses it" pdfinfo "$tmp/o2x/compare.pdf"
check "... compare.png passes pngcheck" pngcheck -q "$tmp/o2x/compare.png"
check "... the figure draws the 24 significant changes" \
	test "$(grep -vc '^#' "$tmp/o2x/compare.dat")" -eq 24

$cmp "$tmp/A" "$tmp/partial" --out "$tmp/opartial" >"$tmp/opartial.txt" 2>&1
check "a failed repetition is left out of the test and named (6 vs 5: slower)" \
	grep -q '^qmempool .*fastpath-reuse .*shared .*slower *$' "$tmp/opartial.txt"
check "... compare.csv: reps_b 5 and the note says why" \
	grep -q ',6,5,.*,slower,"\?B: 1 of 6 runs left out: injected: alloc returned NULL"\?$' "$tmp/opartial/compare.csv"
check "a benchmark failed in B: not compared, with the reason" \
	grep -q '^objpool-ring .*fastpath-reuse .*shared .*not compared: B: failed: injected: pool creation failed$' "$tmp/opartial.txt"

$cmp "$tmp/A" "$tmp/same" --out "$tmp/osame" >"$tmp/osame.txt" 2>&1
v=$(verdicts "$tmp/osame")
check "identical runs: no significant change (or too few repetitions) [$v]" \
	test "$v" = "no significant change: 24; too few repetitions: 40"

$cmp "$tmp/A" "$tmp/other" --out "$tmp/oother" >"$tmp/oother.txt" 2>&1
check "another host: exit 0" test $? -eq 0
check "... the console header says the null basis and why" \
	grep -q '^basis: NULL - each ns_per_op is divided by the null backend.s median .*different machines' "$tmp/oother.txt"
check "... the basis column says null in every row" \
	test "$(values "$tmp/oother" basis)" = null
v=$(verdicts "$tmp/oother")
check "... the doubled times cancel: no significant change; null itself not compared [$v]" \
	test "$v" = "no significant change: 16; not compared: 8; too few repetitions: 40"
$cmp "$tmp/A" "$tmp/same" --basis null --out "$tmp/oforced" >"$tmp/oforced.txt" 2>&1
check "--basis null on one machine: the null basis, said so" grep -q '^basis: NULL.*--basis null' "$tmp/oforced.txt"
$cmp "$tmp/A" "$tmp/other" --basis absolute --out "$tmp/oabs" >"$tmp/oabs.txt" 2>&1
v=$(verdicts "$tmp/oabs")
check "--basis absolute across machines: absolute values (slower) [$v]" \
	test "$v" = "slower: 24; too few repetitions: 40"
$cmp "$tmp/A" "$tmp/nonull" --out "$tmp/ononull" >"$tmp/ononull.txt" 2>&1
check "a point without null rows in B: its benchmarks say why" \
	grep -q '^qmempool .*ring-cleanup .* n=16 .*not compared: B has no null point' "$tmp/ononull.txt"
check "... and the null benchmarks B lacks are listed as only in A" \
	bash -c 'grep -q "^only in A (2):" "$0" && grep -q ",only in A," "$1"' "$tmp/ononull.txt" "$tmp/ononull/compare.csv"

# Bad input: exit 2, nothing written.
bad() {
	local what=$1 want=$2
	shift 2
	rm -rf "$tmp/obad"
	$cmp "$@" --out "$tmp/obad" >"$tmp/bad.txt" 2>&1
	check "$what: exit 2, says so, writes nothing" \
		bash -c '[ '$?' -eq 2 ] && grep -q "$1" "$0" && [ ! -e "$2" ]' "$tmp/bad.txt" "$want" "$tmp/obad"
}
bad "a missing folder" "nowhere: no such folder" "$tmp/nowhere" "$tmp/A"
bad "an unreadable results.csv.xz" "cannot be read as CSV" "$tmp/A" "$tmp/badcsv"
bad "no benchmark in common" "no benchmark in common" "$tmp/A" "$tmp/disjoint"
bad "alpha 0" "not between 0 and 1" "$tmp/A" "$tmp/same" --alpha 0
bad "alpha 1.5" "not between 0 and 1" "$tmp/A" "$tmp/same" --alpha 1.5
bad "alpha x" "not a number" "$tmp/A" "$tmp/same" --alpha x
bad "a metric not in the CSV" "no nosuch column" "$tmp/A" "$tmp/same" --metric nosuch
mkdir -p "$tmp/full" && echo keep >"$tmp/full/x"
$cmp "$tmp/A" "$tmp/same" --out "$tmp/full" >"$tmp/full.txt" 2>&1
check "an existing non-empty out folder: exit 2, refused, left as it was" \
	bash -c '[ '$?' -eq 2 ] && grep -q "never written over" "$0" && [ "$(ls "$1")" = x ]' \
	"$tmp/full.txt" "$tmp/full"
make -s compare A=results/reference/run-all >"$tmp/make.txt" 2>&1
check "make compare without B: exit 2 and usage" \
	bash -c '[ '$?' -eq 2 ] && grep -q "usage: make compare A=" "$0"' "$tmp/make.txt"

$cmp results/reference/run-all results/reference/run-all --out "$tmp/oref" >"$tmp/oref.txt" 2>&1
nref=$(awk -F'\t' '!/^#/ { n += $4 } END { print n }' results/reference/run-all/plan.tsv)
check "the committed reference run (results.csv.xz) against itself: $nref with no significant change" \
	grep -q "^$nref benchmarks in both runs: 0 faster, 0 slower, $nref no significant change" "$tmp/oref.txt"

# Google Benchmark's compare.py on two tiny runs' bench.json.
gb=/usr/share/benchmark/compare.py
if [ ! -x build/poolbench ]; then
	echo "not ok - build/poolbench missing (run make) for the GB compare.py check"
elif [ ! -f "$gb" ]; then
	echo "not ok - $gb missing: install the Debian package libbenchmark-tools"
else
	for r in t1 t2; do
		build/poolbench run --backends null,malloc --workloads fastpath-reuse --threads 1 \
			--reps 3 --min-time 0.01 --out "$tmp/$r" >"$tmp/$r.log" 2>&1
	done
	/usr/bin/python3 "$gb" --no-color benchmarks "$tmp/t1/bench.json" "$tmp/t2/bench.json" \
		>"$tmp/gb.txt" 2>&1
	rc=$?
	if grep -q "No module named 'scipy'" "$tmp/gb.txt"; then
		echo "not ok - $gb needs scipy: install the Debian package python3-scipy"
	else
		check "GB compare.py on two tiny runs' bench.json: exit 0, a U test per benchmark" \
			bash -c '[ '$rc' -eq 0 ] && [ "$(grep -c "repeats:3/real_time/threads:1_pvalue .*U Test, Repetitions: 3 vs 3" "$0")" -eq 2 ]' "$tmp/gb.txt"
	fi
	$cmp "$tmp/t1" "$tmp/t2" --out "$tmp/ot" >"$tmp/ot.txt" 2>&1
	check "... compare.py on the same runs: 3 vs 3 repetitions are too few at alpha 0.05" \
		test "$(verdicts "$tmp/ot")" = "too few repetitions: 2"
fi

# ---- poolbench compare: the same script, through the program ----------------
build/poolbench compare "$tmp/A" "$tmp/B2x" --out "$tmp/opb" >"$tmp/opb.txt" 2>&1
check "poolbench compare A B: exit 0, the same verdicts as compare.py" \
	test "$(verdicts "$tmp/opb")" = "$(verdicts "$tmp/o2x")"
build/poolbench compare "$tmp/A" >/dev/null 2>&1
check "... poolbench compare without B: exit 2" test $? -eq 2
