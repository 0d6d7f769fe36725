# SPDX-License-Identifier: GPL-2.0-only
#
# fig2-ring-n.gp DAT VARS OUT FORMAT - ring-cleanup: ns per alloc+free pair
# against N (log2 axis), 1 thread, exclusive mode, one line per backend
# variant (median, min-max error bars). DAT and VARS come from plotdata.py
# ring-n; FORMAT is pdf or png. Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 10
h_px = 700
here = ARG0[1:strstrt(ARG0, "fig2-ring-n.gp") - 1]
load here . "fig-common.gp"

set lmargin at screen 0.08
set rmargin at screen 0.98
set tmargin at screen top
set bmargin at screen key_b + key_h + 0.1
if (missing ne "") {
	panel_msg = missing
	@empty_panel
	exit
}

set multiplot
set xlabel "N: objects allocated before they are all freed (log2 scale)"
set ylabel "ns per alloc+free pair"
set logscale x 2
set xrange [xs[1] / 1.5 : xs[|xs|] * 1.5]
set xtics () nomirror
do for [i = 1:|xs|] { set xtics add (sprintf("%d", xs[i]) xs[i]) }
if (logy) {
	set logscale y
	set yrange [ylo:yhi]
	set format y "%g"
} else {
	set yrange [0:yhi]
}
set grid
unset key
plot for [i = 1:nser] data index (i - 1) using 1:2:3:4 with yerrorbars \
	lc rgb scol(styles[i]) pt 0 ps 0 notitle, \
     for [i = 1:nser] data index (i - 1) using 1:2 with linespoints \
	lc rgb scol(styles[i]) pt spt(styles[i]) dt sdt(styles[i]) lw 1.5 ps ps_pt notitle
@unset_frame_labels
@key_panel
unset multiplot
