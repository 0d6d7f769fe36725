# SPDX-License-Identifier: GPL-2.0-only
#
# fig6-peers.gp DAT VARS OUT FORMAT - each seed design beside its userspace
# peer as bars: ns per alloc+free pair in exclusive mode, one cluster per
# design or peer (pbresults.PEER_PAIRS order), one bar per workload
# (fastpath-reuse, ring-cleanup N=256, bulk 16) and thread count (1 and the
# run's largest), the median with min-max whiskers. DAT and VARS come from
# plotdata.py peers; FORMAT is pdf or png. Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 9.5
h_px = 650
here = ARG0[1:strstrt(ARG0, "fig6-peers.gp") - 1]
load here . "fig-common.gp"

# Names under the clusters, as in fig1-pairs.gp.
char_w = 0.55 * fs
plot_w = (fmt eq "pdf" ? 16 / 2.54 * 72 : 1100 * 0.75) * 0.9
slant = (nvar * (tic_chars + 1) * char_w > plot_w)
tic_room = slant ? (label_chars * char_w * 0.42 + fs) / pt_h : (tic_lines + 1) * 1.2 * fs / pt_h
# A slanted first label reaches left of its cluster: room for it.
width_pt = (fmt eq "pdf" ? 16 / 2.54 * 72 : 1100 * 0.75)
first_w = slant && nvar > 0 ? strlen(labels[1]) * char_w * 0.87 / width_pt : 0
lm = first_w - 0.45 / (nvar > 0 ? nvar : 1) + 0.01
set lmargin at screen (lm > 0.08 ? lm : 0.08)
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
# Colour tells the workload, the fill the thread count (solid 1 thread,
# hatched the largest: readable in grey too). Series s (1-based) is
# workload (s-1)/nthr, thread count (s-1)%nthr; only the series with a
# value somewhere are drawn; columns 3s-1, 3s, 3s+1 hold its median, min
# and max.
array wcolour[3] = ["#0072B2", "#D55E00", "#009E73"]
scolour(s) = wcolour[(s - 1) / nthr + 1]
sborder(s) = ((s - 1) % nthr == 0) ? "#000000" : scolour(s)
sfill(s) = ((s - 1) % nthr == 0) ? 3 : 4 + (s - 1) / nthr % 2
plot for [k = 1:|series|] data \
	using (column(3 * series[k] - 1)):(column(3 * series[k])):(column(3 * series[k] + 1)): \
	xticlabels(names[int($0) + 1]) title sname[series[k]] \
	fs pattern sfill(series[k]) border lc rgb sborder(series[k]) lc rgb scolour(series[k])
