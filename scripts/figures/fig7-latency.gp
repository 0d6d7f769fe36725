# SPDX-License-Identifier: GPL-2.0-only
#
# fig7-latency.gp DAT VARS OUT FORMAT - the latency run (RESULTS_DIR/latency/):
# the CCDF of one alloc's time, the fraction of allocs that took at least x
# ns, log-log, one line per backend variant, a panel each for
# fastpath-reuse (1 thread), ring-cleanup N=256 (1 thread) and remote-free
# (2 threads), on the same axes. The y tics name the percentile a fraction
# reads as (0.01: p99). DAT and VARS come from plotdata.py latency; FORMAT
# is pdf or png. Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 11
h_px = 760
here = ARG0[1:strstrt(ARG0, "fig7-latency.gp") - 1]
load here . "fig-common.gp"

plot_b = key_b + key_h + 0.1
if (missing ne "") {
	set lmargin at screen 0.1
	set rmargin at screen 0.98
	set tmargin at screen top
	set bmargin at screen plot_b
	panel_msg = missing
	@empty_panel
	exit
}

set multiplot
npanel = |panels|
left = 0.115
gap = 0.02
pw = (0.98 - left - (npanel - 1) * gap) / npanel
set logscale x 10
set logscale y 10
set xrange [xlo / 1.5:xhi * 1.5]
set yrange [ylo:1.6]
set xtics () nomirror
do for [i = 1:|xt_pos|] { set xtics add (xt_lab[i] xt_pos[i]) }
set mxtics 10
set xtics rotate by 30 right
set xlabel "x: time of one alloc"
set grid xtics ytics
unset key
set tmargin at screen top - 0.045
set bmargin at screen plot_b
do for [p = 1:npanel] {
	set lmargin at screen left + (p - 1) * (pw + gap)
	set rmargin at screen left + (p - 1) * (pw + gap) + pw
	set title panels[p]
	set ytics () nomirror
	do for [i = 1:|yt_pos|] { set ytics add ((p == 1 ? yt_lab[i] : "") yt_pos[i]) }
	set ylabel (p == 1 ? "fraction of allocs that took x or longer" : "")
	if (count[p] == 0) {
		panel_msg = empty[p]
		@blank_panel
	} else {
		f = first[p]
		l = first[p] + count[p] - 1
		plot for [i = f:l] data index (i - 1) using 1:2 with linespoints \
			lc rgb scol(styles[i]) pt spt(styles[i]) pi pis[i] dt sdt(styles[i]) \
			lw 1.5 ps ps_pt notitle
	}
	@unset_frame_labels
}
@key_panel
unset multiplot
