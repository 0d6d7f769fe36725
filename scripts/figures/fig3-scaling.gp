# SPDX-License-Identifier: GPL-2.0-only
#
# fig3-scaling.gp DAT VARS OUT FORMAT - the scaling workload: million
# alloc+free pairs per second, all threads together, against the thread
# count, exclusive mode, one line per backend variant (median, min-max
# error bars), a panel per pattern (reuse, ring) on the same y axis. DAT
# and VARS come from plotdata.py scaling; FORMAT is pdf or png. Called by
# plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 10
h_px = 700
here = ARG0[1:strstrt(ARG0, "fig3-scaling.gp") - 1]
load here . "fig-common.gp"

plot_b = key_b + key_h + 0.1
if (missing ne "") {
	set lmargin at screen 0.08
	set rmargin at screen 0.98
	set tmargin at screen top
	set bmargin at screen plot_b
	panel_msg = missing
	@empty_panel
	exit
}

set multiplot
set xlabel "threads (one per PU)"
if (logx) {
	set logscale x 2
	set xrange [threads[1] / 1.3 : threads[|threads|] * 1.3]
} else {
	set xrange [threads[1] - 0.3 : threads[|threads|] + 0.3]
}
set xtics () nomirror
do for [i = 1:|threads|] { set xtics add (sprintf("%d", threads[i]) threads[i]) }
if (logy) {
	set logscale y
	set yrange [ylo:yhi]
	set format y "%g"
} else {
	set yrange [0:yhi]
}
set grid
unset key
set tmargin at screen top - 0.045
set bmargin at screen plot_b
do for [p = 1:|panels|] {
	set lmargin at screen 0.08 + (p - 1) * 0.46
	set rmargin at screen 0.52 + (p - 1) * 0.46
	set title panels[p]
	set ylabel (p == 1 ? "Mops/s: million alloc+free pairs per second" : "")
	set format y (p == 1 ? "%g" : "")
	if (count[p] == 0) {
		panel_msg = empty[p]
		@blank_panel
	} else {
		f = first[p]
		l = first[p] + count[p] - 1
		plot for [i = f:l] data index (i - 1) using 1:($2 / 1e6):($3 / 1e6):($4 / 1e6) \
			with yerrorbars lc rgb scol(styles[i]) pt 0 ps 0 notitle, \
		     for [i = f:l] data index (i - 1) using 1:($2 / 1e6) with linespoints \
			lc rgb scol(styles[i]) pt spt(styles[i]) dt sdt(styles[i]) lw 1.5 ps ps_pt \
			notitle
	}
	@unset_frame_labels
}
@key_panel
unset multiplot
