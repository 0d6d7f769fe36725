# SPDX-License-Identifier: GPL-2.0-only
#
# fig5-counters.gp DAT VARS OUT FORMAT - perf_event counters per
# alloc+free pair at 1 thread, exclusive mode, a panel per counter, one bar
# per workload (fastpath-reuse, ring-cleanup N=256) for every backend
# variant (medians). With hardware counters: cycles, instructions, cache
# misses and branch misses. Without them the figure says why at its top and
# shows the software counters the run had instead (task clock, context
# switches), or only the message when it had none. DAT and VARS come from
# plotdata.py counters; FORMAT is pdf or png. Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = (nmetric > 2) ? 18 : 11
h_px = (nmetric > 2) ? 1200 : 760
here = ARG0[1:strstrt(ARG0, "fig5-counters.gp") - 1]
load here . "fig-common.gp"

if (missing ne "") {
	set lmargin at screen 0.08
	set rmargin at screen 0.98
	set tmargin at screen top
	set bmargin at screen bottom + 0.05
	panel_msg = missing
	@empty_panel
	exit
}

set multiplot
# The message (why there are no hardware counters) under the title.
msg_h = (message_lines + 0.5) * 1.3 * fs / pt_h
if (message_lines > 0) {
	set label 104 message at screen 0.08, screen top front textcolor rgb "#7a3000"
}
key_top = top - msg_h
unset key
# The panels are stacked and share the x axis: the backend names are under
# the last one only, on several lines when they fit side by side, else on
# one slanted line each (as in fig1-pairs).
char_w = 0.55 * fs
plot_w = (fmt eq "pdf" ? 16 / 2.54 * 72 : 1100 * 0.75) * 0.9
slant = (nvar * (tic_chars + 1) * char_w > plot_w)
tic_room = slant ? (label_chars * char_w * 0.42 + fs) / pt_h : (tic_lines + 1) * 1.2 * fs / pt_h
array names[nvar]
array shown[nvar]	# the names under the current panel: blank but under the last
do for [i = 1:nvar] { names[i] = slant ? labels[i] : tics[i] }
gap_y = 0.045		# room for a panel's title
plot_t = key_top - 0.08
row_h = (plot_t - (bottom + tic_room + 0.01) - (nmetric - 1) * gap_y) / nmetric

set style data histograms
set style histogram clustered gap 1.5
set boxwidth 0.9
set grid ytics
set xrange [-0.6:nvar - 0.4]
set lmargin at screen 0.09
set rmargin at screen 0.98
array wname[2] = ["fastpath-reuse", "ring-cleanup N=256"]
array wcolour[2] = ["#0072B2", "#D55E00"]
array wkey[2] = [0, 0]		# 1: drawn in some panel, so in the key
do for [m = 1:nmetric] {
	set tmargin at screen plot_t - (m - 1) * (row_h + gap_y)
	set bmargin at screen plot_t - (m - 1) * (row_h + gap_y) - row_h
	set title mlabels[m] offset 0, -0.5
	do for [i = 1:nvar] { shown[i] = (m < nmetric) ? "" : names[i] }
	if (m < nmetric) {
		set xtics nomirror scale 0 norotate
	} else {
		if (slant) {
			set xtics nomirror scale 0 rotate by 30 right
		} else {
			set xtics nomirror scale 0 norotate
		}
	}
	if (mempty[m] ne "") {
		unset logscale y
		set yrange [0:1]
		set format y ""
		panel_msg = mempty[m]
		# No bars to carry the names under the last panel: the tics do.
		set xtics ()
		do for [i = 1:nvar] { set xtics add (shown[i] i - 1) }
		@blank_panel
		set xtics autofreq
	} else {
		if (mlogy[m]) {
			set logscale y
			set yrange [mlo[m]:mhi[m]]
			set format y "%g"
		} else {
			unset logscale y
			set yrange [0:*]
			set format y "%g"
		}
		# Column 2 + 2 (m - 1) + w - 1 holds workload w (1 fastpath-reuse,
		# 2 ring-cleanup); only the workloads with values are drawn.
		fc = 2 * m - 1
		sc = mscale[m]
		plot for [w = mw_first[m]:mw_last[m]] data \
			using (column(fc + w) * sc):xticlabels(shown[int($0) + 1]) \
			notitle fs solid 1.0 border lc rgb "#000000" lc rgb wcolour[w]
		wkey[mw_first[m]] = 1
		wkey[mw_last[m]] = 1
	}
	@unset_frame_labels
	unset label 104
}
# The key: the workloads drawn in some panel.
set lmargin at screen 0.02
set rmargin at screen 0.98
set tmargin at screen key_top
set bmargin at screen key_top - 0.05
unset border
unset xtics
unset ytics
unset title
unset logscale
unset grid
set xrange [0:1]
set yrange [0:1]
set key at screen 0.5, screen key_top center top horizontal maxrows 1 samplen 2 width 2
plot -1 notitle, for [w = 1:2] keyentry with boxes fs solid 1.0 border lc rgb "#000000" \
	lc rgb wcolour[w] title (wkey[w] ? wname[w] : "")
unset multiplot
