#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# paper.sh RESULTS_DIR - build the paper from one stored results folder:
# draw its figures (scripts/figures/plots.sh RESULTS_DIR, when that script exists;
# otherwise the paper shows a framed "figure file missing" box), generate
# the tables and method macros from its results.csv and meta.json
# (scripts/paper/paper-tables.py) into the build folder, run pdflatex there twice
# and copy the PDF to paper/paper.pdf (written under a temporary name, then
# renamed). Nothing is written into RESULTS_DIR except by plots.sh.
#
# A machine comparison (results.csv's machine column holds several names,
# docs/cluster.md) makes the paper from one machine: PB_MACHINE names it
# (make paper MACHINE=<name>), its figures are machines/<name>/plots/;
# without it the folder is refused (exit 2) before anything is drawn.
#
# Environment: PAPER_BUILD  build folder (default build/paper)
#              PAPER_OUT    where the PDF goes (default paper/paper.pdf)
#              PAPER_PLOTS_SH  the figure script (default scripts/figures/plots.sh)
# Exit status: 0 built (prints the PDF's path), 1 a step failed (pdflatex:
# the end of its log is shown), 2 bad arguments or not a results folder.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/results.sh"
pb_results_dir "$0" "$@" -- results.csv meta.json

if ! command -v pdflatex >/dev/null 2>&1; then
	echo "$0: pdflatex not found (Debian: apt-get install texlive-latex-base" \
		"texlive-latex-recommended texlive-fonts-recommended lmodern)" >&2
	exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "$0: python3 not found (Debian: apt-get install python3)" >&2
	exit 1
fi

# Absolute paths: pdflatex runs inside the build folder.
dir=$(cd "$dir" && pwd)
build=${PAPER_BUILD:-$root/build/paper}
out=${PAPER_OUT:-$root/paper/paper.pdf}
plots_sh=${PAPER_PLOTS_SH:-$root/scripts/figures/plots.sh}
mkdir -p "$build" "$(dirname "$out")"
build=$(cd "$build" && pwd)
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

if [ -z "${PB_MACHINE:-}" ] && pb_machines "$dir"; then
	echo "$0: $dir is a machine comparison ($(echo $machines | tr ' ' ',')): the paper is" \
		"made from one machine; choose it with make paper MACHINE=<name> (PB_MACHINE)" >&2
	exit 2
fi
plots=$dir${PB_MACHINE:+/machines/$PB_MACHINE}/plots

figs="fig1-pairs fig2-ring-n fig3-scaling fig4-million fig5-counters fig6-peers fig7-latency fig8-memory"
if [ -e "$plots_sh" ]; then
	echo "paper.sh: drawing the figures: $plots_sh $dir"
	if ! bash "$plots_sh" "$dir"; then
		echo "$0: $plots_sh $dir failed" >&2
		exit 1
	fi
else
	echo "paper.sh: $plots_sh not found: the figures will be \"missing\" boxes" >&2
fi

# Only the files this script makes are removed: PAPER_BUILD may be any folder.
rm -f "$build"/tab-*.tex "$build"/meta.tex "$build"/paper.tex "$build"/paper.pdf \
	"$build"/paper.aux "$build"/paper.log "$build"/paper.out
rm -rf "$build/plots"
mkdir -p "$build/plots"

python3 "$root/scripts/paper/paper-tables.py" "$dir" "$build"
# The seed-table cells that moved with the last fidelity fixes: the two
# pairs of stored run-percpu folders named in paper/moved-runs.txt (old
# percpu, new percpu, old mempool, new mempool; paths from the repository
# root), compared by scripts/tables/moved.py.
moved=()
if [ -s "$root/paper/moved-runs.txt" ]; then
	while IFS= read -r line; do
		case "$line" in ''|'#'*) continue ;; esac
		moved+=("$root/$line")
	done <"$root/paper/moved-runs.txt"
fi
if [ ${#moved[@]} -eq 4 ] && [ -d "${moved[0]}" ] && [ -d "${moved[1]}" ] &&
	[ -d "${moved[2]}" ] && [ -d "${moved[3]}" ]; then
	# Stored runs of one machine each: no machine to choose there.
	env -u PB_MACHINE python3 "$root/scripts/tables/moved.py" "${moved[@]}" \
		--tex "$build/tab-moved.tex" >/dev/null
else
	echo "paper.sh: paper/moved-runs.txt does not name four stored folders: no moved-cells table" >&2
	printf '%s\n' '\begin{table}[t]\centering\caption{Moved seed-table cells: the stored runs named in paper/moved-runs.txt are not in this checkout.}\label{tab:moved}\end{table}' >"$build/tab-moved.tex"
fi
cp "$root/paper/paper.tex" "$build/paper.tex"
missing=
for f in $figs; do
	if [ -s "$plots/$f.pdf" ]; then
		cp "$plots/$f.pdf" "$build/plots/"
	else
		missing="$missing $f.pdf"
	fi
done
[ -z "$missing" ] || echo "paper.sh: not in $plots:$missing (shown as missing)" >&2

for pass in 1 2; do
	if ! (cd "$build" && pdflatex -interaction=nonstopmode -halt-on-error paper.tex \
		>/dev/null 2>&1); then
		echo "$0: pdflatex failed (pass $pass); the end of $build/paper.log:" >&2
		tail -n 30 "$build/paper.log" >&2
		exit 1
	fi
done

tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
cp "$build/paper.pdf" "$tmp"
mv -f "$tmp" "$out"
echo "$out"
