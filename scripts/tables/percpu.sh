#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# table-percpu.sh RESULTS_DIR [ALIGNED_DIR [MEMPOOL_DIR]] - the percpu
# tables (seeds 003 and 004)
# from stored `million` runs (`make run-percpu`): alloc ms / free ms of 2^20
# objects by size, area map against bitmap (and malloc), in the worst free
# order and in all three, the second-half-filled case, and, from
# ALIGNED_DIR, the aligned case (4-byte objects, 8-byte alignment), and
# from MEMPOOL_DIR the percpu mempool against direct percpu allocation. Medians
# over repetitions (the one run when there is one); a case that did not
# finish within its limit says so. Our figures are read from results.csv;
# the seed's are its cover letter's, quoted for comparison.
# Writes RESULTS_DIR/tables/percpu.md and prints it.
set -euo pipefail

. "$(dirname "$0")/../lib/results.sh"
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
	echo "usage: $0 RESULTS_DIR [ALIGNED_DIR [MEMPOOL_DIR]]" >&2
	exit 2
fi
aligned=${2:-}
mempool=${3:-}
pb_results_dir "$0" "$1"
pb_results_column "$0" alloc_ms "a run older than the million workload"
for d in "$aligned" "$mempool"; do
	if [ -n "$d" ] && [ ! -s "$d/results.csv" ]; then
		echo "$0: $d/results.csv: missing or empty (not a poolbench results folder?)" >&2
		exit 2
	fi
done
if ! grep -q '^[^,]*,million,' "$dir/results.csv"; then
	echo "$0: $dir/results.csv has no million rows (run make run-percpu)" >&2
	exit 2
fi
mkdir -p "$dir/tables"
out=$dir/tables/percpu.md

# One line per case: file tag, backend, size, order, fill, align, alloc_ms,
# free_ms, status (ok / dnf / failed), metadata per object, peak chunks.
cases() {
	awk -F, -v tag="$1" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	function get(n) { return (n in c) ? $c[n] : "" }
	get("workload") == "million" {
		k = get("backend") "," get("obj_size") "," get("order") "," get("fill") "," get("align")
		if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
		s = get("statistic")
		if (get("error") != "") {
			bad[k] = get("error") ~ /did not finish/ ? "dnf" : "failed"
			lim[k] = get("limit_s")
		} else if (s == "median") {
			med[k] = get("alloc_ms") "," get("free_ms") "," get("metadata_per_obj") "," get("chunks_peak")
		} else if (s == "run") {
			runs[k]++
			one[k] = get("alloc_ms") "," get("free_ms") "," get("metadata_per_obj") "," get("chunks_peak")
		}
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = keys[i]
			if (k in bad) { print tag "," k ",,," bad[k] ",,," lim[k]; continue }
			v = (k in med) ? med[k] : (runs[k] == 1 ? one[k] : "")
			if (v == "") continue
			split(v, f, ",")
			print tag "," k "," f[1] "," f[2] ",ok," f[3] "," f[4] ","
		}
	}' "$2"
}

{
	cases main "$dir/results.csv"
	[ -z "$aligned" ] || cases aligned "$aligned/results.csv"
} | awk -F, -v aligned="$aligned" '
function ms(x) { return x == "" ? "n/a" : (x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x)) }
function cell(k) {
	if (!(k in st)) return "n/a"
	if (st[k] == "dnf") return "did not finish (" lim[k] " s)"
	if (st[k] == "failed") return "failed"
	return ms(al[k]) " / " ms(fr[k])
}
{
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4 SUBSEP $5 SUBSEP $6
	al[k] = $7; fr[k] = $8; st[k] = $9; meta[k] = $10; chk[k] = $11; lim[k] = $12
	sizes[$3 + 0] = 1; be[$2] = 1
}
END {
	# The seed (003 cover letter), worst order and second-half filled.
	split("310/4770 557/1325 436/273 776/131 3280/122", sam, " ")
	split("490/70 515/75 610/80 950/100 3520/200", sbm, " ")
	split("4118/4892 1651/1163 598/285 771/158 3034/160", ham, " ")
	split("481/67 506/69 636/75 892/90 3262/147", hbm, " ")
	sidx[4] = 1; sidx[16] = 2; sidx[64] = 3; sidx[256] = 4; sidx[1024] = 5
	n = 0
	for (s = 1; s <= 1048576; s++) if (s in sizes) sl[++n] = s
	split("in-order alternating reverse", ord, " ")
	A = "percpu-areamap"; B = "percpu-bitmap"
	print "### Seed 003: 2^20 objects, alloc ms / free ms, worst free order"
	print ""
	print "Worst order: the one with the largest free time, per backend and size."
	print ""
	print "| size | area map | bitmap | malloc | area-map free / bitmap free | seed area map | seed bitmap | seed free ratio |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		s = sl[i]
		printf "| %d B |", s
		for (bi = 1; bi <= 3; bi++) {
			b = bi == 1 ? A : (bi == 2 ? B : "malloc")
			w = ""; wf = -1; dnf = ""
			for (o = 1; o <= 3; o++) {
				k = "main" SUBSEP b SUBSEP s SUBSEP ord[o] SUBSEP "none" SUBSEP 0
				if (!(k in st)) continue
				if (st[k] != "ok") { dnf = k; continue }
				if (fr[k] + 0 > wf) { wf = fr[k] + 0; w = k }
			}
			worst[bi] = dnf != "" ? dnf : w
			printf " %s |", worst[bi] == "" ? "n/a" : cell(worst[bi]) (dnf == "" && w != "" ? " (" ordname(w) ")" : "")
		}
		if (worst[1] != "" && worst[2] != "" && st[worst[1]] == "ok" && st[worst[2]] == "ok" && fr[worst[2]] > 0)
			printf " %.1fx |", fr[worst[1]] / fr[worst[2]]
		else
			printf " n/a |"
		if (!(s in sidx)) { print " - | - | - |"; continue }
		split(sam[sidx[s]], x, "/"); split(sbm[sidx[s]], y, "/")
		printf " %s / %s | %s / %s | %.1fx |\n", x[1], x[2], y[1], y[2], x[2] / y[2]
	}
	print ""
	print "### All three free orders: alloc ms / free ms"
	print ""
	print "| size | order | area map | bitmap | malloc |"
	print "|---|---|---|---|---|"
	for (i = 1; i <= n; i++) for (o = 1; o <= 3; o++) {
		printf "| %d B | %s |", sl[i], ord[o]
		for (bi = 1; bi <= 3; bi++) {
			b = bi == 1 ? A : (bi == 2 ? B : "malloc")
			printf " %s |", cell("main" SUBSEP b SUBSEP sl[i] SUBSEP ord[o] SUBSEP "none" SUBSEP 0)
		}
		print ""
	}
	print ""
	print "Bitmap free time across the three orders (target: within 2x for every size):"
	print ""
	print "| size | bitmap free ms, min | max | max / min |"
	print "|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		lo = -1; hi = -1
		for (o = 1; o <= 3; o++) {
			k = "main" SUBSEP B SUBSEP sl[i] SUBSEP ord[o] SUBSEP "none" SUBSEP 0
			if (!(k in st) || st[k] != "ok") continue
			v = fr[k] + 0
			if (lo < 0 || v < lo) lo = v
			if (v > hi) hi = v
		}
		if (lo > 0)
			printf "| %d B | %s | %s | %.2fx |\n", sl[i], ms(lo), ms(hi), hi / lo
		else
			printf "| %d B | n/a | n/a | n/a |\n", sl[i]
	}
	print ""
	print "### Second half of every page pre-filled, freed in order: alloc ms / free ms"
	print ""
	print "| size | area map | bitmap | malloc | seed area map | seed bitmap |"
	print "|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		printf "| %d B |", sl[i]
		for (bi = 1; bi <= 3; bi++) {
			b = bi == 1 ? A : (bi == 2 ? B : "malloc")
			printf " %s |", cell("main" SUBSEP b SUBSEP sl[i] SUBSEP "in-order" SUBSEP "second-half" SUBSEP 0)
		}
		if (!(sl[i] in sidx)) { print " - | - |"; continue }
		split(ham[sidx[sl[i]]], x, "/"); split(hbm[sidx[sl[i]]], y, "/")
		printf " %s / %s | %s / %s |\n", x[1], x[2], y[1], y[2]
	}
	print ""
	print "### Metadata with all 2^20 objects live (in order, no pre-fill)"
	print ""
	print "| size | area map bytes/object | chunks | bitmap bytes/object | chunks |"
	print "|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		printf "| %d B |", sl[i]
		for (bi = 1; bi <= 2; bi++) {
			k = "main" SUBSEP (bi == 1 ? A : B) SUBSEP sl[i] SUBSEP "in-order" SUBSEP "none" SUBSEP 0
			if ((k in st) && st[k] == "ok" && meta[k] != "")
				printf " %.2f | %d |", meta[k], chk[k]
			else
				printf " n/a | n/a |"
		}
		print ""
	}
	if (aligned == "") exit
	print ""
	print "### Aligned: 2^20 4-byte objects with 8-byte alignment, freed in order"
	print ""
	print "| backend | alloc ms | free ms | total s | seed (kernel) |"
	print "|---|---|---|---|---|"
	for (bi = 1; bi <= 3; bi++) {
		b = bi == 1 ? A : (bi == 2 ? B : "malloc")
		k = "aligned" SUBSEP b SUBSEP 4 SUBSEP "in-order" SUBSEP "none" SUBSEP 8
		seed = bi == 1 ? "52 minutes" : (bi == 2 ? "about 16 s" : "-")
		if (!(k in st))
			printf "| %s | n/a | n/a | n/a | %s |\n", b, seed
		else if (st[k] != "ok")
			printf "| %s | %s | | | %s |\n", b, cell(k), seed
		else
			printf "| %s | %s | %s | %.2f | %s |\n", b, ms(al[k]), ms(fr[k]), (al[k] + fr[k]) / 1000, seed
	}
}
function ordname(k,   p) { split(k, p, SUBSEP); return p[4] }
' >"$out"

# Seed 004: the percpu mempool against direct percpu allocation.
if [ -n "$mempool" ]; then
	awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	function get(n) { return (n in c) ? $c[n] : "" }
	function num(x, f) { return x == "" ? "n/a" : sprintf(f, x) }
	# Medians; with one repetition its run row (a median row replaces it).
	(get("statistic") == "median" || get("statistic") == "run") && get("backend") != "null" {
		k = get("backend") (get("options") == "" ? "" : " " get("options"))
		gsub(/;/, " ", k)
		if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
		w = get("workload") == "fastpath-reuse" ? 1 : 2
		if (get("error") != "") { ns[k, w] = "failed"; bad[k, w] = 1; next }
		if ((k, w) in bad) next
		if (get("statistic") == "run" && ((k, w) in ns)) { ns[k, w] = "n/a"; next }
		if (get("statistic") == "run" && ((k, w) in med)) next
		if (get("statistic") == "median") med[k, w] = 1
		ns[k, w] = num(get("ns_per_op"), "%.1f")
		if (w == 2) {
			rh[k] = num(get("reserve_hits_per_op"), "%.3f")
			ba[k] = num(get("backing_allocs_per_op"), "%.3f")
			rf[k] = num(get("refills_per_op"), "%.4f")
			af[k] = num(get("alloc_fails_per_op"), "%.4f")
		}
	}
	END {
		print ""
		print "### Seed 004: percpu mempool against direct percpu allocation (ns per alloc+free pair)"
		print ""
		print "| backend and options | fastpath-reuse | ring-cleanup N(256) | reserve hits / pair | backing allocs / pair | refills / pair | alloc fails / pair |"
		print "|---|---|---|---|---|---|---|"
		for (i = 1; i <= nk; i++) {
			k = keys[i]
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", k, ((k, 1) in ns) ? ns[k, 1] : "n/a",
				((k, 2) in ns) ? ns[k, 2] : "n/a", (k in rh) ? rh[k] : "n/a",
				(k in ba) ? ba[k] : "n/a", (k in rf) ? rf[k] : "n/a", (k in af) ? af[k] : "n/a"
		}
	}' "$mempool/results.csv" >>"$out"
	# n/a: a point the run skipped, each given here with its reason.
	if [ -s "$mempool/meta.json" ] &&
		[ "$(jq '[.run.skipped[]? | select(.benchmark | test("^(null|percpu|mutex)"))] | length' "$mempool/meta.json")" -gt 0 ]; then
		{
			echo
			echo "n/a: not run. Skipped points of this run (meta.json, run.skipped):"
			echo
			jq -r '.run.skipped[]? | "- `\(.benchmark)`: \(.reason)"' "$mempool/meta.json"
		} >>"$out"
	fi
fi
cat "$out"

