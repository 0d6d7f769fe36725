#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_reference.sh - the committed reference run (results/reference/run-all,
# packed by scripts/pack-reference.sh) is what `make plots` and `make paper`
# use straight after cloning: it stays under 8 MiB, its compressed files are
# whole and hold every child's raw output (an interleaved run: one per
# group and repetition, and the three null probes) and the merged
# bench.json, the figures and tables can be made from a copy of it, and
# every image the README shows exists; tables/modes.md is what modes.py
# writes. The back-to-back pair made before the rseq mode
# (results/reference/run-all-1, and run-all-2 right after it, packed
# --lean) agrees on the headline ratios as run-all-2/tables/agreement.md
# says, which agreement.py writes again byte for byte.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ref=results/reference/run-all

. tests/harness/lib.sh

check "the reference run is there" test -s "$ref/results.csv.xz"
check "... under 8 MiB" test "$(du -sb "$ref" | cut -f1)" -lt 8388608
check "... results.csv.xz is a whole xz file" xz -t "$ref/results.csv.xz"
check "... parts.tar.xz is a whole xz file" xz -t "$ref/parts.tar.xz"
check "... meta.json: a complete isolated run" \
	test "$(jq -r .isolation.complete "$ref/meta.json")" = true
groups=$(grep -vc '^#' "$ref/plan.tsv")
reps=$(jq -r .run.repetitions "$ref/meta.json")
units=$(grep -vc '^#' "$ref/groups.tsv")
check "... interleaved: one child per planned group and repetition ($groups x $reps)" \
	test "$units" -eq $((groups * reps))
check "... every one done" test "$(grep -c $'\tdone\t' "$ref/groups.tsv")" -eq "$units"
tar -tJf "$ref/parts.tar.xz" >"$tmp/parts.lst"
check "... every child's bench.json is in parts.tar.xz" \
	test "$(grep -cE '^parts/[0-9][^/]*/rep-[0-9]+/bench\.json$' "$tmp/parts.lst")" -eq "$units"
probes=$(jq '.noise.null_probes | length' "$ref/meta.json")
check "... meta.json: the noise report with its null probes, all measured ($probes)" \
	test "$(jq '[.noise.null_probes[] | select(.median_ns > 0)] | length' "$ref/meta.json")" -eq "$probes" -a "$probes" -ge 3
check "... and its log, and the null probes' logs" \
	test "$(grep -c '^logs/.*\.log$' "$tmp/parts.lst")" -eq $((units + probes))
check "... bench.json.xz: the merged bench.json, one entry per run row" \
	test "$(xz -dc "$ref/bench.json.xz" | jq '.benchmarks | length')" -eq \
	"$(xz -dc "$ref/results.csv.xz" | python3 -c 'import csv, sys; print(sum(r["statistic"] == "run" for r in csv.DictReader(sys.stdin)))')"
rows=$(xz -dc "$ref/results.csv.xz" | wc -l)
check "... results.csv has rows ($rows)" test "$rows" -gt 1000
check "... with the general-allocator peers" \
	test "$(xz -dc "$ref/results.csv.xz" | grep -c '^malloc:jemalloc,')" -gt 0

# Issue 18: every row has the memory columns, or an empty cell whose
# reason meta.json's memory.empty (or the cv definition) gives.
check "... every empty memory cell is explained: a failed row, a backend that counts no cached objects, a cv over a mean of 0, million's cached_objs (made before million read it)" \
	python3 - "$ref/results.csv.xz" <<'EOF'
import csv, lzma, sys
MEM = ("rss_peak_kib", "rss_base_kib", "rss_live_kib", "live_objs",
       "bytes_per_live_obj", "cached_objs")
NO_CACHED = ("malloc", "gslice", "percpu-areamap", "percpu-bitmap", "null")
KEY = ("backend", "workload", "mode", "threads", "obj_size", "n", "count",
       "order", "fill", "pattern", "options")
rows = list(csv.DictReader(lzma.open(sys.argv[1], "rt")))
mean = {tuple(r[k] for k in KEY): r for r in rows if r["statistic"] == "mean"}
bad = []
for r in rows:
    for c in MEM:
        if r[c] != "" or r["error"]:
            continue
        if c == "cached_objs" and r["backend"].split(":")[0] in NO_CACHED:
            continue
        # Made at 7e3ea1d, before million read cached_objs at its peak
        # (docs/method.md, Memory, says so).
        if c == "cached_objs" and r["workload"] == "million":
            continue
        m = mean.get(tuple(r[k] for k in KEY))
        if r["statistic"] == "cv" and m and m[c] != "" and float(m[c]) == 0:
            continue
        bad.append((r["backend"], r["workload"], r["statistic"], c))
sys.exit(1 if bad else 0)
EOF

# The latency pass (issue 18), packed in latency/.
lat=$ref/latency
check "the latency pass is there: results.csv.xz and latency.csv.xz whole" \
	bash -c 'xz -t "$0/results.csv.xz" && xz -t "$0/latency.csv.xz"' "$lat"
check "... a complete isolated run of fastpath-reuse, ring-cleanup and remote-free" \
	jq -e '.isolation.complete and ([.groups[].workload] | unique == ["fastpath-reuse", "remote-free", "ring-cleanup"])' "$lat/meta.json"
check "... every median row has its alloc and free percentiles and no ns_per_op" \
	python3 -c '
import csv, lzma, sys
rows = [r for r in csv.DictReader(lzma.open(sys.argv[1], "rt")) if r["statistic"] == "median"]
sys.exit(not rows or any(r[c] == "" for r in rows for c in ("alloc_p50_ns", "alloc_p999_ns", "free_p999_ns", "alloc_max_ns")) or any(r["ns_per_op"] != "" for r in rows))' "$lat/results.csv.xz"
check "... latency.csv has alloc and free histograms of many benchmarks" \
	test "$(xz -dc "$lat/latency.csv.xz" | cut -d, -f1-4 | sort -u | wc -l)" -gt 10

# make plots / make paper from a copy (so nothing in the tree changes).
cp -r "$ref" "$tmp/ref"
rm -rf "$tmp/ref/plots"
scripts/figures/plots.sh "$tmp/ref" >/dev/null 2>"$tmp/err"
check "plots.sh on a copy of the reference: exit 0" test $? -eq 0
for f in fig1-pairs fig2-ring-n fig3-scaling fig4-million fig5-counters fig6-peers fig7-latency fig8-memory; do
	check "... $f.pdf parses" pdfinfo "$tmp/ref/plots/$f.pdf"
done
check "... the figures are the committed ones, byte for byte (make plots leaves the tree clean)" \
	diff -r "$tmp/ref/plots" "$ref/plots"
python3 scripts/paper/paper-tables.py "$tmp/ref" "$tmp/tables" >/dev/null 2>&1
check "paper-tables.py on the copy: exit 0" test $? -eq 0
check "... seed 000's table" test -s "$tmp/tables/tab-qmempool.tex"

# What each protection costs: tables/modes.md is what modes.py writes.
mkdir -p "$tmp/m"
cp "$ref/results.csv.xz" "$tmp/m/"
scripts/tables/modes.py "$tmp/m" >/dev/null 2>&1
check "modes.py on the reference: exit 0" test $? -eq 0
check "... the committed tables/modes.md is what it writes (but for the folder name)" \
	diff <(sed 1d "$tmp/m/tables/modes.md") <(sed 1d "$ref/tables/modes.md")
check "... which has the three modes of qmempool (localq=32)" \
	grep -q '^| qmempool (localq=32) | [0-9.]* | [0-9.]* | [0-9.]* | ' "$ref/tables/modes.md"

# The back-to-back pair of issue 16: run-all-2 right after run-all-1 (the
# reference run before the rseq mode), the same matrix.
ref1=results/reference/run-all-1
ref2=results/reference/run-all-2
check "the pair is there: run-all-1 whole, run-all-2 packed lean" \
	bash -c 'xz -t "$0/results.csv.xz" && xz -t "$1/results.csv.xz" && test -s "$1/ratios.csv" && test ! -e "$1/parts.tar.xz"' "$ref1" "$ref2"
check "... the same plan" diff -q "$ref1/plan.tsv" "$ref2/plan.tsv"
check "... the second made after the first" test "$(jq -r .isolation.first_started_utc "$ref2/meta.json")" \> \
	"$(jq -r .run.finished_utc "$ref1/meta.json")"
mkdir -p "$tmp/a" "$tmp/b"
cp "$ref1/ratios.csv" "$tmp/a/"
cp "$ref2/ratios.csv" "$tmp/b/"
scripts/tables/agreement.py "$tmp/a" "$tmp/b" >/dev/null 2>&1
check "agreement.py on the pair: exit 0" test $? -eq 0
check "... its table is the committed run-all-2/tables/agreement.md (but for the folder names)" \
	diff <(sed 1d "$tmp/b/tables/agreement.md") <(sed 1d "$ref2/tables/agreement.md")
mkdir -p "$tmp/r2"
cp "$ref2/results.csv.xz" "$ref2/meta.json" "$tmp/r2/"
scripts/tables/ratios.py "$tmp/r2" >/dev/null 2>&1
check "... and run-all-2's ratios.csv is what ratios.py writes from its results" \
	diff -q "$tmp/r2/ratios.csv" "$ref2/ratios.csv"

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

# The committed design-beside-peer tables are the reference run's, as
# scripts/tables/peers.py writes them from its results.csv, byte for byte.
python3 scripts/tables/peers.py "$tmp/ref" >/dev/null 2>&1
check "peers.py on the copy of the reference: exit 0" test $? -eq 0
check "... the committed tables/peers.md and peers-ratios.md are what it writes" \
	bash -c 'diff -q "$0/tables/peers.md" "$1/tables/peers.md" &&
		diff -q "$0/tables/peers-ratios.md" "$1/tables/peers-ratios.md"' "$tmp/ref" "$ref"
check "... which holds a measured fastpath-reuse ratio at 1 thread for every pair" \
	bash -c '! awk -F"|" "NR > 2 && /^[|]/ && \$4 !~ /[0-9]/" "$0" | grep -q .' "$tmp/ref/tables/peers-ratios.md"
