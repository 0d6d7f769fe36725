# SPDX-License-Identifier: GPL-2.0-only
#
# fig9-machines.gp DAT VARS OUT FORMAT - a machine comparison: each backend
# variant's ns per alloc+free pair over its own machine's malloc at
# fastpath-reuse, 1 thread, exclusive, one cluster per variant and one bar
# per machine (colour and fill), the median of the paired ratios with its
# exact interval as whiskers; the line at 1 is malloc. DAT and VARS come
# from plotdata.py machines-fig; FORMAT is pdf or png. Called by plots.sh
# for a run of several machines only.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 9.5
h_px = 650
here = ARG0[1:strstrt(ARG0, "fig9-machines.gp") - 1]
load here . "fig-common.gp"

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

set ylabel "ns per pair / malloc's on the same machine"
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
set arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#000000" dt 2 lw 1 front
# Up to six machines: Okabe-Ito colours, a fill each (readable in grey).
array mcolour[6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
array mfill[6] = [3, 1, 4, 5, 2, 6]
plot for [k = 1:nmach] data \
	using (column(3 * k - 1)):(column(3 * k)):(column(3 * k + 1)): \
	xticlabels(names[int($0) + 1]) title mnames[k] \
	fs pattern mfill[k] border lc rgb "#000000" lc rgb mcolour[k]
