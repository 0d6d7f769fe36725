# SPDX-License-Identifier: GPL-2.0-only
#
# fig1-pairs.gp DAT VARS OUT FORMAT - the seed's qmempool table as bars: ns
# per alloc+free pair at 1 thread, one cluster per backend variant, one bar
# per workload (fastpath-reuse, ring-cleanup N=256) and context mode
# (exclusive, rseq, shared), the
# median with min-max whiskers. DAT and VARS come from plotdata.py pairs;
# FORMAT is pdf or png. Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 9.5
h_px = 650
here = ARG0[1:strstrt(ARG0, "fig1-pairs.gp") - 1]
load here . "fig-common.gp"

# Names under the clusters: on several lines when they fit side by side,
# else on one slanted line each; the bottom margin makes room for them.
char_w = 0.55 * fs
plot_w = (fmt eq "pdf" ? 16 / 2.54 * 72 : 1100 * 0.75) * 0.9
slant = (nvar * (tic_chars + 1) * char_w > plot_w)
tic_room = slant ? (label_chars * char_w * 0.42 + fs) / pt_h : (tic_lines + 1) * 1.2 * fs / pt_h
set lmargin at screen 0.08
set rmargin at screen 0.98
set tmargin at screen top - 0.07
set bmargin at screen bottom + tic_room + 0.01
if (missing ne "") {
	panel_msg = missing
	@empty_panel
	exit
}

set ylabel "ns per alloc+free pair"
if (logy) {
	set logscale y
	set yrange [ylo:yhi]
	set format y "%g"
} else {
	set yrange [0:yhi]
}
set grid ytics
array names[nvar]
do for [i = 1:nvar] { names[i] = slant ? labels[i] : tics[i] }
if (slant) {
	set xtics nomirror scale 0 rotate by 30 right
} else {
	set xtics nomirror scale 0
}
set key at screen 0.5, screen top - 0.01 center top horizontal maxrows 2 samplen 2 width 1
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set boxwidth 0.9
set xrange [-0.6:nvar - 0.4]
# The six bar series: colour tells the workload, the fill the mode (solid
# exclusive, cross-hatched rseq, hatched shared: readable in grey too).
# Only the series with a value somewhere are drawn (`series` from
# plotdata.py); columns 3s-1, 3s, 3s+1 of the data hold series s's median,
# min and max.
array sname[6] = ["fastpath-reuse, exclusive", "fastpath-reuse, rseq", \
	"fastpath-reuse, shared", "ring-cleanup N=256, exclusive", \
	"ring-cleanup N=256, rseq", "ring-cleanup N=256, shared"]
array scolour[6] = ["#0072B2", "#0072B2", "#0072B2", "#D55E00", "#D55E00", "#D55E00"]
array sborder[6] = ["#000000", "#0072B2", "#0072B2", "#000000", "#D55E00", "#D55E00"]
array sfill[6] = [3, 1, 4, 3, 1, 5]
plot for [k = 1:|series|] data \
	using (column(3 * series[k] - 1)):(column(3 * series[k])):(column(3 * series[k] + 1)): \
	xticlabels(names[int($0) + 1]) title sname[series[k]] \
	fs pattern sfill[series[k]] border lc rgb sborder[series[k]] lc rgb scolour[series[k]]
