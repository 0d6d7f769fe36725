#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_probes.sh - the memory columns and the latency run (harness/probes.c):
#
#   - a backend with known growth: malloc holding 1024 objects of 4 KiB,
#     each touched, grows the RSS by about 4 KiB per object
#     (bytes_per_live_obj within 4000..4400), and live_objs is 1024; the
#     null backend (one static object) grows it by almost nothing; the
#     million workload's live_objs is its count; every column is there;
#   - the latency run leaves the timed code alone: each backend's timed
#     kernels have no clock reading in their machine code (no rdtsc, no
#     clock_gettime), their latency twins have one; every kernel starts on
#     a 64-byte boundary and inlines the fast paths marked PB_FASTPATH; a timed run's rows
#     have ns_per_op and no latency columns, a latency run's rows the
#     other way round;
#   - a latency run's figures hang together: percentiles in order, and
#     latency.csv holds one sample per alloc (and per free) the rows
#     report, also when an isolated run sums its repetitions.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pb=build/poolbench

. tests/harness/lib.sh

# col FILE NAME: the column number of NAME in FILE's header.
col() {
	head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1
}

# ---- memory -------------------------------------------------------------

$pb run --backends malloc --workloads ring-cleanup --param ring-cleanup.n=1024 \
	--param ring-cleanup.touch=1 --size 4096 --reps 1 --min-time 0.01 \
	--out "$tmp/mem" >"$tmp/mem.log" 2>&1
check "a run with the memory columns: exit 0" test $? -eq 0
for c in rss_peak_kib rss_base_kib rss_live_kib live_objs bytes_per_live_obj cached_objs; do
	check "... results.csv has the column $c" test -n "$(col "$tmp/mem/results.csv" $c)"
done
python3 - "$tmp/mem/results.csv" >"$tmp/mem.txt" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r['statistic'] == 'run':
        print(r['backend'], r['live_objs'], r['bytes_per_live_obj'],
              r['rss_base_kib'], r['rss_live_kib'], r['rss_peak_kib'])
EOF
read -r _ m_live m_bpo m_base m_rlive m_peak < <(grep '^malloc ' "$tmp/mem.txt")
read -r _ n_live n_bpo _ < <(grep '^null ' "$tmp/mem.txt")
check "malloc holding 1024 touched 4 KiB objects: live_objs 1024 ($m_live)" \
	test "$m_live" = 1024
check "... about 4 KiB of RSS each ($m_bpo bytes)" \
	python3 -c "import sys; sys.exit(not 4000 <= float('$m_bpo') <= 4400)"
# The peak (VmHWM) comes from the kernel's per-CPU RSS counters, which may
# lag the exact reading (smaps_rollup) by a few hundred KiB.
check "... the live reading is above the base, the peak near it or above" \
	python3 -c "import sys; sys.exit(not (float('$m_rlive') > float('$m_base') and float('$m_peak') >= 0.9 * float('$m_rlive')))"
check "the null backend grows it by almost nothing ($n_bpo bytes per object)" \
	python3 -c "import sys; sys.exit(not abs(float('$n_bpo')) < 100)"
check "... and holds as many objects ($n_live)" test "$n_live" = 1024

$pb run --backends malloc --workloads million --param million.count=4096 \
	--param million.order=in-order --size 64 --reps 1 \
	--out "$tmp/mil" >"$tmp/mil.log" 2>&1
check "million: live_objs is its count, read at its peak" \
	test "$(awk -F, -v c="$(col "$tmp/mil/results.csv" live_objs)" \
		'$2 == "malloc" && /,run,/ { print $c }' "$tmp/mil/results.csv")" = 4096
# qmempool counts the free objects its queues hold: million reads that
# at its peak, beside its RSS.
$pb run --backends qmempool --workloads million --param million.count=4096 \
	--param million.order=in-order --size 64 --reps 1 \
	--out "$tmp/milq" >"$tmp/milq.log" 2>&1
check "million: cached_objs is read at its peak too (qmempool: a count)" \
	grep -qE '^[0-9]+(\.[0-9]+)?$' <(awk -F, -v c="$(col "$tmp/milq/results.csv" cached_objs)" \
		'$2 == "qmempool" && /,run,/ { print $c }' "$tmp/milq/results.csv" | head -1)

# ---- the latency run leaves the timed code alone ----------------------------

# Every clock reading of the latency clock is rdtsc or a clock_gettime call
# (harness/latclock.h); objdump names the kernels' local symbols.
bad=0 twins=0
for o in build/obj/allocators/malloc/malloc.o build/obj/allocators/qmempool/qmempool.o \
	build/obj/allocators/objpool/objpool_ring.o build/obj/allocators/null/null.o; do
	syms=$(nm "$o" | awk '$2 ~ /^[tT]$/ && $3 ~ /_kernel_(fastpath_reuse|ring_cleanup|remote_free)$/ { print $3 }')
	for s in $syms; do
		code=$(objdump -d --no-show-raw-insn --disassemble="$s" "$o")
		if [[ $s == *_lat_kernel_* ]]; then
			grep -qE 'rdtsc|clock_gettime' <<<"$code" && twins=$((twins + 1))
		elif grep -qE 'rdtsc|clock_gettime' <<<"$code"; then
			echo "# clock reading in the timed kernel $s ($o)"
			bad=$((bad + 1))
		fi
	done
done
check "no timed kernel reads a clock inside" test "$bad" -eq 0
# Every kernel on a 64-byte line (the Makefile's ALIGN): its speed does not
# depend on where the linker put it.
misaligned=$(nm build/poolbench | while read -r addr type name; do
	[[ $type == [tT] && $name =~ _kernel_[a-z_]+$ ]] && (( 16#$addr % 64 )) && echo "$name"
done)
check "every kernel starts on a 64-byte boundary${misaligned:+ (not: $(echo $misaligned | head -c 200))}" \
	test -z "$misaligned"
# Every fast path marked PB_FASTPATH (allocators/register.h: the ones whose
# kernel counterpart is inline) and the registration's bulk loops are
# inlined into every kernel: no kernel calls one (gcc names an outlined
# piece name.part.0, name.isra.0, ...).
fast=$(grep -rhoE '^PB_FASTPATH [^(]*\b[a-z_0-9]+\(' allocators | sed -E 's/.*\b([a-z_0-9]+)\($/\1/' | sort -u)
check "the fast paths are found (qm_alloc, opring_free among $(echo $fast | wc -w))" \
	bash -c 'grep -qx qm_alloc <<<"$0" && grep -qx opring_free <<<"$0"' "$fast"
calls=$(objdump -d --no-show-raw-insn build/poolbench | awk '
	/^[0-9a-f]+ <[a-z0-9_]+_kernel_[a-z_]+>:$/ { f = $2; next }
	/^$/ { f = "" }
	f && /call/ { t = $NF; gsub(/[<>]/, "", t); sub(/[.].*/, "", t); print f, t }' |
	while read -r k t; do
		if grep -qx "$t" <<<"$fast" || [[ $t == *_bulk_loop ]]; then echo "$k$t"; fi
	done | sort -u)
check "no kernel calls a fast path out of line${calls:+ (calls: $(echo $calls | head -c 300))}" \
	test -z "$calls"
check "... and the latency twins do (12 of them, 3 kernels x 4 backends: $twins)" \
	test "$twins" -eq 12

$pb run --backends qmempool --workloads fastpath-reuse,ring-cleanup,remote-free \
	--threads 1,2 --reps 2 --min-time 0.01 --out "$tmp/timed" >"$tmp/timed.log" 2>&1
check "a timed run: exit 0" test $? -eq 0
$pb run --backends qmempool --workloads fastpath-reuse,ring-cleanup,remote-free \
	--threads 1,2 --reps 2 --min-time 0.01 --latency --out "$tmp/lat" >"$tmp/lat.log" 2>&1
check "the same run with --latency: exit 0" test $? -eq 0
check "... the same benchmarks" \
	diff <(cut -d, -f1-19 "$tmp/timed/results.csv" | sort -u) \
	<(cut -d, -f1-19 "$tmp/lat/results.csv" | sort -u)
python3 - "$tmp/timed/results.csv" "$tmp/lat/results.csv" "$tmp/lat/latency.csv" \
	>"$tmp/lat.txt" <<'EOF'
import collections, csv, sys
PCTS = ('p50', 'p90', 'p99', 'p999', 'p9999', 'max')
timed = [r for r in csv.DictReader(open(sys.argv[1])) if r['statistic'] == 'run']
lat = [r for r in csv.DictReader(open(sys.argv[2])) if r['statistic'] == 'run']
lat_cols = ['%s_%s_ns' % (o, p) for o in ('alloc', 'free') for p in PCTS]
print('timed_ok', all(r['ns_per_op'] and not any(r[c] for c in lat_cols)
                      for r in timed))
print('lat_ok', all(not r['ns_per_op'] and all(r[c] for c in lat_cols) and
                    r['lat_probe_ns'] for r in lat))
print('ordered', all(float(r['%s_%s_ns' % (o, a)]) <= float(r['%s_%s_ns' % (o, b)])
                     for r in lat for o in ('alloc', 'free')
                     for a, b in zip(PCTS, PCTS[1:])))
# One sample per alloc and per free: iterations per thread x threads (a
# remote-free pair: the producer's allocs, the consumer's frees).
want = collections.Counter()
for r in lat:
    if r['backend'] != 'qmempool':
        continue
    per = int(r['iterations']) // int(r['threads'])
    k = (r['workload'], r['threads'])
    want[k] += per * int(r['threads']) // (2 if r['workload'] == 'remote-free' else 1)
got = collections.Counter()
for r in csv.DictReader(open(sys.argv[3])):
    if r['backend'] == 'qmempool' and r['op'] == 'alloc':
        got[(r['workload'], r['threads'])] += int(r['samples'])
print('samples', want == got, dict(want), dict(got))
EOF
check "a timed run's rows: ns_per_op, no latency column" grep -qx 'timed_ok True' "$tmp/lat.txt"
check "a latency run's rows: every latency column and the probe's cost, no ns_per_op" \
	grep -qx 'lat_ok True' "$tmp/lat.txt"
check "... percentiles in order (p50 <= p90 <= ... <= max)" grep -qx 'ordered True' "$tmp/lat.txt"
check "... latency.csv: one alloc sample per alloc the rows report" grep -q '^samples True' "$tmp/lat.txt"
check "--latency skips a workload without a latency kernel, with the reason" \
	bash -c "$pb run --backends null --workloads bulk --latency --reps 1 --min-time 0.01 \
		--out '$tmp/skip' 2>&1 | grep -q 'has no latency kernel'"

# An isolated latency run: the repetitions' histograms summed.
$pb run --isolate --peers none --backends qmempool --workloads ring-cleanup \
	--reps 2 --min-time 0.01 --latency --out "$tmp/iso" >"$tmp/iso.log" 2>&1
check "an isolated latency run: exit 0" test $? -eq 0
python3 - "$tmp/iso" >"$tmp/iso.txt" <<'EOF'
import collections, csv, glob, sys
d = sys.argv[1]
def total(paths):
    c = collections.Counter()
    for p in paths:
        for r in csv.DictReader(open(p)):
            c[(r['backend'], r['op'])] += int(r['samples'])
    return c
merged = total([d + '/latency.csv'])
parts = total(glob.glob(d + '/parts/*/rep-*/latency.csv'))
lines = [tuple(r.values())[:-1] for r in csv.DictReader(open(d + '/latency.csv'))]
print('summed', merged == parts and len(merged) > 0)
print('unique', len(lines) == len(set(lines)))
EOF
check "... latency.csv holds every repetition's samples, summed" grep -qx 'summed True' "$tmp/iso.txt"
check "... one line per benchmark, operation and bucket" grep -qx 'unique True' "$tmp/iso.txt"
