#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_tables.sh - the seed tables come from a stored results folder: on
# copies of the committed reference runs, scripts/tables/percpu.sh and
# scripts/tables/objpool.sh exit 0 and write tables whose cells are the
# CSV's medians; a case that did not finish says so; bad arguments exit 2
# with a message.
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
scripts/tables/percpu.sh "$tmp/percpu" "$tmp/percpu-aligned" "$tmp/percpu-mempool" \
	>"$tmp/out" 2>&1
check "tables/percpu.sh exits 0 on the reference run" test $? -eq 0
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
scripts/tables/percpu.sh >"$tmp/e1" 2>&1
check "tables/percpu.sh without arguments: exit 2 and usage" \
	bash -c '[ '$?' -eq 2 ] && grep -q usage "$0"' "$tmp/e1"
scripts/tables/percpu.sh "$tmp/nowhere" >"$tmp/e2" 2>&1
check "... a missing folder: exit 2, naming it" \
	bash -c '[ '$?' -eq 2 ] && grep -q nowhere "$0"' "$tmp/e2"
scripts/tables/percpu.sh "$tmp/percpu-mempool" >"$tmp/e3" 2>&1
check "... a folder without million rows: exit 2, saying so" \
	bash -c '[ '$?' -eq 2 ] && grep -q "no million rows" "$0"' "$tmp/e3"

# objpool tables from their reference run.
mkdir -p "$tmp/objpool"
cp results/reference/vm-2core-20261201T171523Z-objpool/results.csv "$tmp/objpool/"
scripts/tables/objpool.sh "$tmp/objpool" >/dev/null 2>&1
check "tables/objpool.sh exits 0 on its reference run" test $? -eq 0
check "... and writes its three tables" test "$(grep -c '^### ' "$tmp/objpool/tables/objpool.md")" -eq 3
