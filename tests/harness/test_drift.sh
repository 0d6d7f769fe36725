#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_drift.sh - scripts/tables/drift.py finds the machine's slow spells
# from a run's own rows: on a synthetic run whose every point ran 1.5x
# slower in one minute it names that minute and no other, the points'
# spread elsewhere notwithstanding; a 2-thread point is left out; a run
# without start times says so; bad arguments exit 2; on copies of the
# committed reference pair it writes their tables/drift.md byte for byte.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

# 12 points x 5 repetitions, one round a minute; round 3 (180-240 s) runs
# 1.5x slow for every point; the points differ, and a 2-thread point is
# slow everywhere but in round 0.
mkdir -p "$tmp/syn"
python3 - "$tmp/syn/results.csv" <<'PY'
import csv, sys
w = csv.writer(open(sys.argv[1], "w", newline=""))
w.writerow(["backend", "workload", "mode", "threads", "obj_size", "options", "statistic",
            "rep", "rep_start_s", "ns_per_op", "error"])
for p in range(12):
    for rep in range(5):
        t = 60 * rep + 1 + 2 * p
        v = (p + 1) * (1.5 if rep == 3 else 1.0 + 0.01 * ((p + rep) % 3))
        w.writerow([f"b{p}", "fastpath-reuse", "exclusive", 1, 64, "", "run", rep, t, v, ""])
    for rep in range(5):
        w.writerow([f"b{p}", "fastpath-reuse", "exclusive", 2, 64, "", "run", rep,
                    60 * rep + 1, 10 if rep == 0 else 30, ""])
PY
scripts/tables/drift.py "$tmp/syn" >"$tmp/out" 2>&1
check "drift.py on a synthetic run: exit 0" test $? -eq 0
check "... writes tables/drift.md" test -s "$tmp/syn/tables/drift.md"
check "... names the one slow minute, 180-240 s, at 1.49x" \
	grep -q '^1 slow spell in 5 bins, 12 of 60 rows in it: 180-240 s (1.49x)$' "$tmp/syn/tables/drift.md"
check "... and marks its bin slow, repetition 3" grep -q '^| 180 | 12 | 1.49 | 100% | 3 | yes |$' "$tmp/syn/tables/drift.md"
check "... the 2-thread point is left out (60 rows, not 120)" grep -q ' 12 of 60 rows' "$tmp/syn/tables/drift.md"
scripts/tables/drift.py "$tmp/syn" --bin 120 >/dev/null 2>&1
check "... --bin 120: the slow minute shares a bin with a quiet one" \
	grep -q '^| 120 | 24 |' "$tmp/syn/tables/drift.md"

mkdir -p "$tmp/old"
grep -v ',3,' "$tmp/syn/results.csv" | cut -d, -f1-8,10- >"$tmp/old/results.csv"
scripts/tables/drift.py "$tmp/old" >/dev/null 2>&1
check "a run without start times: exit 0, and says so" grep -q 'No run row has a start time' "$tmp/old/tables/drift.md"

scripts/tables/drift.py >/dev/null 2>"$tmp/err"
check "no folder: exit 2 with the usage" bash -c '[ $? -eq 2 ]; grep -q usage "$0"' "$tmp/err"
scripts/tables/drift.py "$tmp/nowhere" >/dev/null 2>&1
check "a missing folder: exit 2" test $? -eq 2
scripts/tables/drift.py "$tmp/syn" --bin 0 >/dev/null 2>"$tmp/err"
check "--bin 0: exit 2, saying why" bash -c '[ $? -eq 2 ]; grep -q "not a number of seconds above 0" "$0"' "$tmp/err"

for r in run-all run-all-1 run-all-2; do
	mkdir -p "$tmp/$r"
	cp "results/reference/$r/results.csv.xz" "$tmp/$r/"
	scripts/tables/drift.py "$tmp/$r" >/dev/null 2>&1
	check "the committed $r/tables/drift.md is what drift.py writes" \
		cmp "$tmp/$r/tables/drift.md" "results/reference/$r/tables/drift.md"
done
