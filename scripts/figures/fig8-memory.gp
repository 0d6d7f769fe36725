# SPDX-License-Identifier: GPL-2.0-only
#
# fig8-memory.gp DAT VARS OUT FORMAT - resident bytes per live object
# ((live RSS - base RSS) / live objects) against the live objects (log2
# axis): ring-cleanup's N sweep as one line per backend variant (median,
# min-max error bars; 1 thread, exclusive, 64 B objects) and the million
# workload's point as the variant's marker, circled; the null baseline is
# not drawn (its value is in the notes). Log y when the values span 20x or
# more: values <= 0 then sit on a "≤ 0" line at yfloor. DAT and VARS come
# from plotdata.py memory; FORMAT is pdf or png. Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 11
h_px = 760
here = ARG0[1:strstrt(ARG0, "fig8-memory.gp") - 1]
load here . "fig-common.gp"

# The key: the variants, then the million marker's entry.
nentry = nkey + (nmil > 0 ? 1 : 0)
key_rows = (nentry + 2) / 3
key_h = (key_rows + 0.6) * 1.3 * fs / pt_h
set lmargin at screen 0.1
set rmargin at screen 0.98
set tmargin at screen top
set bmargin at screen key_b + key_h + 0.1
if (missing ne "") {
	panel_msg = missing
	@empty_panel
	exit
}

set multiplot
set xlabel "live objects: ring-cleanup's N (lines) or million's count (circled); log2 scale"
set ylabel "resident bytes per live object"
set logscale x 2
set xrange [xlo:xhi]
set xtics () nomirror
do for [i = 1:|xs|] { set xtics add (sprintf("%d", xs[i]) xs[i]) }
# A value <= 0 cannot go on a log axis: it is drawn at yfloor.
cl(y) = (logy && y <= yfloor) ? yfloor : y
if (logy) {
	set logscale y
	set yrange [ylo:yhi]
	set ytics () nomirror
	do for [e = ceil(log10(yfloor > 0 ? yfloor * 10 : ylo) - 1e-9):floor(log10(yhi) + 1e-9)] {
		set ytics add (sprintf("%g", 10.0 ** e) 10.0 ** e)
	}
	if (yfloor > 0) {
		set ytics add ("≤ 0" yfloor)
		set arrow 1 from graph 0, first yfloor to graph 1, first yfloor nohead \
			lc rgb "#b0b0b0" dt 2 lw 1
	}
} else {
	set yrange [ylo:yhi]
}
set grid
unset key
lines = "for [i = 1:nser] data index (i - 1) using 2:(cl($3)):(cl($4)):(cl($5)) " . \
	"with yerrorbars lc rgb scol(styles[i]) pt 0 ps 0 notitle, " . \
	"for [i = 1:nser] data index (i - 1) using 2:(cl($3)) with linespoints " . \
	"lc rgb scol(styles[i]) pt spt(styles[i]) dt sdt(styles[i]) lw 1.5 ps ps_pt notitle"
marks = "for [j = 1:nmil] data index (nser + j - 1) using 2:(cl($3)) with points " . \
	"lc rgb scol(mil_styles[j]) pt 6 ps ps_pt * 3 lw 1.5 notitle, " . \
	"for [j = 1:nmil] data index (nser + j - 1) using 2:(cl($3)) with points " . \
	"lc rgb scol(mil_styles[j]) pt spt(mil_styles[j]) ps ps_pt * 1.2 notitle"
if (nser > 0 && nmil > 0) {
	plot @lines, @marks
} else {
	if (nser > 0) {
		plot @lines
	} else {
		plot @marks
	}
}
unset arrow 1
@unset_frame_labels
set lmargin at screen 0.02
set rmargin at screen 0.98
set bmargin at screen key_b
set tmargin at screen key_b + key_h
unset border; unset xtics; unset ytics; unset xlabel; unset ylabel; unset title
unset logscale; unset grid
set xrange [0:1]
set yrange [0:1]
set key inside center center horizontal maxrows key_rows samplen 4 width 2
# (gnuplot warns about an empty `for` in a plot: the million entry is added
# only where there are million points.)
kvars = "for [i = 1:nkey] keyentry with linespoints lc rgb scol(kstyles[i]) " . \
	"pt spt(kstyles[i]) dt sdt(kstyles[i]) lw 1.5 ps ps_pt title ktitles[i]"
kmil = "keyentry with points lc rgb '#000000' pt 6 ps ps_pt * 3 lw 1.5 title mil_title"
if (nmil > 0) {
	plot -1 notitle, @kvars, @kmil
} else {
	plot -1 notitle, @kvars
}
unset multiplot
