#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_machines.sh - reading a machine comparison (poolbench run --executor
# slurm --partitions a,b: results.csv's machine column; docs/cluster.md),
# on a run derived from tests/data/small-run: machine m1 its rows as they
# are, machine m2 every time doubled (a machine twice as slow), meta.json's
# nodes naming a CPU model each:
#   - scripts/tables/machines.py sets them side by side through each
#     machine's own null and malloc: every ratio of m2 equals m1's (the
#     doubling cancels), each machine's CPU model is named; a run of one
#     machine says so;
#   - a table script refuses the run without PB_MACHINE (never mixes the
#     machines), names the machines, and with PB_MACHINE writes under
#     machines/<name>/; a machine the run lacks is refused;
#   - scripts/lib/each-machine.sh runs a table once per machine;
#   - plots.sh draws each machine's figures into machines/<name>/plots/,
#     and fig9-machines (each variant over its own machine's malloc, a bar
#     per machine: equal here) into plots/;
#     paper.sh refuses the folder without PB_MACHINE;
#   - compare.py A A --machine-a m1 --machine-b m2 compares in the null
#     basis (no change: the doubling cancels), --basis malloc too, the
#     absolute basis sees +100%; without --machine-a it exits 2.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

python3 - "$tmp/mc" <<'EOF'
import csv, json, os, sys
out = sys.argv[1]
os.makedirs(out)
src = "tests/data/small-run"
with open(os.path.join(src, "results.csv"), newline="") as f:
    reader = csv.DictReader(f)
    header, rows = reader.fieldnames, list(reader)
times = ("ns_per_op", "gb_real_ns", "gb_cpu_ns", "alloc_ms", "free_ms")
with open(os.path.join(out, "results.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["machine"] + header, lineterminator="\n")
    w.writeheader()
    for m, k in (("m1", 1), ("m2", 2)):
        for r in rows:
            x = dict(r, machine=m)
            for c in times:
                if x.get(c):
                    x[c] = repr(float(x[c]) * k)
            w.writerow(x)
meta = json.load(open(os.path.join(src, "meta.json")))
meta["executor"] = {"kind": "slurm", "machines": ["m1", "m2"], "nodes": [
    {"host": "n1", "machine": "m1", "cpu_model": "CPU One", "topology": "t1", "allowed_pus": 2},
    {"host": "n2", "machine": "m2", "cpu_model": "CPU Two", "topology": "t2", "allowed_pus": 2}]}
json.dump(meta, open(os.path.join(out, "meta.json"), "w"), indent=2)
EOF
mc=$tmp/mc

# ---- the machines side by side ----------------------------------------------
scripts/tables/machines.py "$mc" >"$tmp/machines.txt" 2>&1
check "machines.py: exit 0" test $? -eq 0
check "... tables/machines.md and machines.csv written" test -s "$mc/tables/machines.md" -a -s "$mc/machines.csv"
check "... each machine named with its CPU model" \
	bash -c 'grep -q "\*\*m1\*\*: CPU One" "$0" && grep -q "\*\*m2\*\*: CPU Two" "$0"' "$mc/tables/machines.md"
python3 - "$mc/machines.csv" >"$tmp/same.txt" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(tuple(r[c] for c in ("variant", "workload", "mode", "threads", "obj_size",
                                       "params", "basis")), {})[r["machine"]] = r["ratio"]
done = [v for v in by.values() if v.get("m1") and v.get("m2")]
bad = [v for v in done if abs(float(v["m1"]) / float(v["m2"]) - 1) > 1e-9]
bases = {k[-1] for k, v in by.items() if v.get("m1")}
print("pairs", len(done), "bad", len(bad), "bases", " ".join(sorted(bases)))
EOF
check "... every point's ratios to its own machine's null and malloc agree on m1 and m2 ($(cat "$tmp/same.txt"))" \
	grep -qE '^pairs [0-9]{3,} bad 0 bases malloc null$' "$tmp/same.txt"
cp -r tests/data/small-run "$tmp/one"
scripts/tables/machines.py "$tmp/one" >"$tmp/one.txt" 2>&1
check "... a run of one machine: exit 0, says so" \
	bash -c 'test $0 -eq 0 && grep -q "ran on one machine" "$1"' $? "$tmp/one.txt"

# ---- one machine at a time --------------------------------------------------
scripts/tables/ratios.py "$mc" >"$tmp/mixed.txt" 2>&1
check "a table script without PB_MACHINE: exit 2, naming the machines" \
	bash -c 'test $0 -eq 2 && grep -q "2 machines (m1, m2).*MACHINE=" "$1"' $? "$tmp/mixed.txt"
check "... nothing written" test ! -e "$mc/ratios.csv"
PB_MACHINE=m2 scripts/tables/ratios.py "$mc" >/dev/null 2>&1
check "PB_MACHINE=m2: exit 0, under machines/m2/" \
	bash -c 'test $0 -eq 0 && test -s "$1/machines/m2/ratios.csv" && test -s "$1/machines/m2/tables/ratios.md"' $? "$mc"
PB_MACHINE=m9 scripts/tables/ratios.py "$mc" >"$tmp/m9.txt" 2>&1
check "PB_MACHINE=m9 (not in the run): exit 2, saying so" \
	bash -c 'test $0 -eq 2 && grep -q "no machine .m9." "$1"' $? "$tmp/m9.txt"
scripts/lib/each-machine.sh "$mc" scripts/tables/modes.py "$mc" >/dev/null 2>&1
check "each-machine.sh: the table once per machine" \
	bash -c 'test $0 -eq 0 && test -s "$1/machines/m1/tables/modes.md" && test -s "$1/machines/m2/tables/modes.md"' $? "$mc"
scripts/figures/plots.sh "$mc" >"$tmp/plots.txt" 2>&1
check "plots.sh: each machine's eight figures under machines/<name>/plots/" \
	bash -c 'test $0 -eq 0 && test "$(ls "$1"/machines/m1/plots/*.pdf "$1"/machines/m2/plots/*.pdf | wc -l)" -eq 16' $? "$mc"
check "... and fig9-machines alone in plots/: a bar per machine, equal on both (the doubling cancels)" \
	bash -c 'test "$(ls "$0"/plots)" = "$(printf "fig9-machines.dat\nfig9-machines.pdf\nfig9-machines.png")" &&
		awk -F"\t" "!/^#/ { n++; if (\$2 != \$5 || \$2 == \"NaN\") bad = 1 } END { exit bad || n < 5 }" "$0/plots/fig9-machines.dat"' "$mc"

PAPER_OUT=$tmp/paper.pdf PAPER_BUILD=$tmp/paper scripts/paper/paper.sh "$mc" >"$tmp/paper.txt" 2>&1
check "paper.sh without PB_MACHINE: exit 2, the paper is made from one machine" \
	bash -c 'test $0 -eq 2 && grep -q "machine comparison (m1,m2).*MACHINE=" "$1" && test ! -e "$2"' \
	$? "$tmp/paper.txt" "$tmp/paper.pdf"

# ---- compare, machine against machine ---------------------------------------
cmp=scripts/compare/compare.py
changes() {	# compare folder: the largest |change_pct| of the compared rows
	python3 - "$1/compare.csv" <<'EOF'
import csv, sys
v = [abs(float(r["change_pct"])) for r in csv.DictReader(open(sys.argv[1]))
     if r["change_pct"] not in ("", "--")]
print(len(v), max(v) if v else "none")
EOF
}
$cmp "$mc" "$mc" --machine-a m1 --machine-b m2 --out "$tmp/c-null" >"$tmp/c-null.txt" 2>&1
check "compare A A --machine-a m1 --machine-b m2: exit 0, the null basis (two machines)" \
	bash -c 'test $0 -eq 0 && grep -q "^basis: NULL .* own run and machine" "$1" && grep -q "machine m2: host n2, CPU Two" "$1"' $? "$tmp/c-null.txt"
read -r n worst <<<"$(changes "$tmp/c-null")"
check "... the doubled times cancel: no change in $n benchmarks (largest |change| $worst%)" \
	python3 -c "import sys; sys.exit(not (int('$n') > 100 and float('$worst') < 1e-6))"
$cmp "$mc" "$mc" --machine-a m1 --machine-b m2 --basis malloc --out "$tmp/c-malloc" >/dev/null 2>&1
read -r n worst <<<"$(changes "$tmp/c-malloc")"
check "... --basis malloc: no change either ($n benchmarks, largest |change| $worst%)" \
	python3 -c "import sys; sys.exit(not (int('$n') > 100 and float('$worst') < 1e-6))"
check "... compare.csv holds malloc's medians, not null's" \
	bash -c 'test -n "$(tr -d "\n-" <<<"$0")" && test -z "$(tr -d "\n-" <<<"$1")"' \
	"$(csv "$tmp/c-malloc/compare.csv" malloc_median_a backend=qmempool)" \
	"$(csv "$tmp/c-malloc/compare.csv" null_median_a backend=qmempool)"
$cmp "$mc" "$mc" --machine-a m1 --machine-b m2 --basis absolute --out "$tmp/c-abs" >/dev/null 2>&1
check "... --basis absolute: m2 takes twice as long (+100%)" \
	test "$(csv "$tmp/c-abs/compare.csv" change_pct backend=qmempool | sort -u | cut -c1-5 | sort -u)" = 100
$cmp "$mc" "$mc" --out "$tmp/c-none" >"$tmp/c-none.txt" 2>&1
check "compare of a machine comparison without --machine-a: exit 2, naming them" \
	bash -c 'test $0 -eq 2 && grep -q "machine comparison (m1, m2): choose one with --machine-a" "$1" && test ! -e "$2"' \
	$? "$tmp/c-none.txt" "$tmp/c-none"
