#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_reference.sh - the committed reference run (results/reference/run-all,
# packed by scripts/pack-reference.sh) is what `make plots` and `make paper`
# use straight after cloning: it stays under 4 MB, its compressed files are
# whole and hold every group's raw output, the figures and tables can be
# made from a copy of it, and every image the README shows exists.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ref=results/reference/run-all

. tests/harness/lib.sh

check "the reference run is there" test -s "$ref/results.csv.xz"
check "... under 4 MB" test "$(du -sb "$ref" | cut -f1)" -lt 4194304
check "... results.csv.xz is a whole xz file" xz -t "$ref/results.csv.xz"
check "... parts.tar.xz is a whole xz file" xz -t "$ref/parts.tar.xz"
check "... meta.json: a complete isolated run" \
	test "$(jq -r .isolation.complete "$ref/meta.json")" = true
groups=$(grep -vc '^#' "$ref/groups.tsv")
check "... every planned group finished ($groups)" test "$groups" -eq "$(grep -vc '^#' "$ref/plan.tsv")"
check "... every group's bench.json is in parts.tar.xz" \
	test "$(tar -tJf "$ref/parts.tar.xz" | grep -c '^parts/[^/]*/bench\.json$')" -eq "$groups"
check "... and its log" test "$(tar -tJf "$ref/parts.tar.xz" | grep -c '^logs/.*\.log$')" -eq "$groups"
rows=$(xz -dc "$ref/results.csv.xz" | wc -l)
check "... results.csv has rows ($rows)" test "$rows" -gt 1000
check "... with the general-allocator peers" \
	test "$(xz -dc "$ref/results.csv.xz" | grep -c '^malloc:jemalloc,')" -gt 0

# make plots / make paper from a copy (so nothing in the tree changes).
cp -r "$ref" "$tmp/ref"
rm -rf "$tmp/ref/plots"
scripts/figures/plots.sh "$tmp/ref" >/dev/null 2>"$tmp/err"
check "plots.sh on a copy of the reference: exit 0" test $? -eq 0
for f in fig1-pairs fig2-ring-n fig3-scaling fig4-million fig5-counters fig6-peers; do
	check "... $f.pdf parses" pdfinfo "$tmp/ref/plots/$f.pdf"
done
check "... the figures are the committed ones, byte for byte (make plots leaves the tree clean)" \
	diff -r "$tmp/ref/plots" "$ref/plots"
python3 scripts/paper/paper-tables.py "$tmp/ref" "$tmp/tables" >/dev/null 2>&1
check "paper-tables.py on the copy: exit 0" test $? -eq 0
check "... seed 000's table" test -s "$tmp/tables/tab-qmempool.tex"

# Every figure the README shows is committed.
missing=0
while read -r png; do
	[ -s "$png" ] && pngcheck -q "$png" >/dev/null 2>&1 || { echo "# missing or bad: $png"; missing=$((missing + 1)); }
done < <(grep -o '](results/[^)]*\.png)' README.md | sed 's/^](//; s/)$//')
check "every PNG the README shows is there and valid" test "$missing" -eq 0
missing=0
while read -r png; do
	[ -s "results/reference/$png" ] && pngcheck -q "results/reference/$png" >/dev/null 2>&1 ||
		{ echo "# missing or bad: results/reference/$png"; missing=$((missing + 1)); }
done < <(grep -o '](vm-[^)]*\.png)' results/reference/README.md | sed 's/^](//; s/)$//')
check "every PNG results/reference/README.md shows is there and valid" test "$missing" -eq 0

# The README's design-beside-peer ratios are the reference run's, as
# scripts/tables/peers.py writes them from its results.csv, byte for byte.
python3 scripts/tables/peers.py "$tmp/ref" >/dev/null 2>&1
check "peers.py on the copy of the reference: exit 0" test $? -eq 0
check "... the committed tables/peers.md and peers-ratios.md are what it writes" \
	bash -c 'diff -q "$0/tables/peers.md" "$1/tables/peers.md" &&
		diff -q "$0/tables/peers-ratios.md" "$1/tables/peers-ratios.md"' "$tmp/ref" "$ref"
check "... and the README's ratio table is the reference's" \
	diff <(sed -n '/^<!-- peers-ratios:/,/^<!-- end peers-ratios -->/p' README.md | sed '1d;$d') \
		"$tmp/ref/tables/peers-ratios.md"
check "... which holds a measured fastpath-reuse ratio at 1 thread for every pair" \
	bash -c '! awk -F"|" "NR > 2 && /^[|]/ && \$4 !~ /[0-9]/" "$0" | grep -q .' "$tmp/ref/tables/peers-ratios.md"
