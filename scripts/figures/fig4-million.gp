# SPDX-License-Identifier: GPL-2.0-only
#
# fig4-million.gp DAT VARS OUT FORMAT - the million workload (seed 003):
# milliseconds to allocate `count` objects (top row) and to free them all
# (bottom row) against the object size (log2 axis), a column per free order,
# one line per backend variant (median, min-max error bars), log y. A round
# that did not finish has no value: it is marked "DNF" at the top of its
# panel. DAT and VARS come from plotdata.py million; FORMAT is pdf or png.
# Called by plots.sh.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
h_cm = 12
h_px = 820
here = ARG0[1:strstrt(ARG0, "fig4-million.gp") - 1]
load here . "fig-common.gp"

plot_b = key_b + key_h + 0.09
plot_t = top - 0.045
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
ncol = |orders|
gap = 0.015
col_w = (0.98 - 0.09 - (ncol - 1) * gap) / ncol
row_gap = 0.03
row_h = (plot_t - plot_b - row_gap) / 2
set logscale x 2
set xrange [sizes[1] / 1.6 : sizes[|sizes|] * 1.6]
set logscale y
set format y "%g"
set grid
unset key
# The two parts of a panel's plot command, as macros (expanded where
# they are used, so defined before the loop): the DNF marks are added only
# where there are some, as gnuplot warns about an empty `for` in a plot.
lines = "for [i = f:l] data index (i - 1) using 1:vc:lc_:hc with yerrorbars " . \
	"lc rgb scol(styles[i]) pt 0 ps 0 notitle, " . \
	"for [i = f:l] data index (i - 1) using 1:vc with linespoints " . \
	"lc rgb scol(styles[i]) pt spt(styles[i]) dt sdt(styles[i]) lw 1.5 " . \
	"ps ps_pt notitle"
marks = "for [j = df:dl] data index (nser + j - 1) " . \
	"using 1:(dnf_y / 3.5 ** (j - df)):(\"DNF\") with labels point pt 2 " . \
	"ps ps_pt * 1.5 lc rgb scol(dnf_styles[j]) tc rgb scol(dnf_styles[j]) " . \
	"offset 0, 0.8 font sprintf(',%g', fs_small) notitle"
array row_name[2] = ["alloc: ms to allocate all", "free: ms to free all"]
array row_lo[2] = [alloc_lo, free_lo]
array row_hi[2] = [alloc_hi, free_hi]
do for [row = 1:2] {
	set yrange [row_lo[row]:row_hi[row]]
	set tmargin at screen plot_t - (row - 1) * (row_h + row_gap)
	set bmargin at screen plot_t - (row - 1) * (row_h + row_gap) - row_h
	# Column 2 of a series block is alloc_ms, 3 free_ms; their min and
	# max are columns 4-5 and 6-7.
	vc = row + 1
	lc_ = 2 + 2 * row
	hc = 3 + 2 * row
	# DNF marks sit near the top of the panel, one under the other.
	dnf_y = row_hi[row] / 2.5
	do for [c = 1:ncol] {
		set lmargin at screen 0.09 + (c - 1) * (col_w + gap)
		set rmargin at screen 0.09 + (c - 1) * (col_w + gap) + col_w
		set title (row == 1 ? "free order: " . orders[c] : "")
		set ylabel (c == 1 ? row_name[row] : "")
		set format y (c == 1 ? "%g" : "")
		set xtics () nomirror
		do for [i = 1:|sizes|] {
			set xtics add ((row == 2 ? sprintf("%d", sizes[i]) : "") sizes[i])
		}
		set xlabel (row == 2 ? "object size, bytes (log2 scale)" : "")
		if (count[c] + dnf_count[c] == 0) {
			panel_msg = empty[c]
			@blank_panel
		} else {
			f = first[c]
			l = first[c] + count[c] - 1
			df = dnf_first[c]
			dl = dnf_first[c] + dnf_count[c] - 1
			if (count[c] > 0 && dnf_count[c] > 0) {
				plot @lines, @marks
			} else {
				if (count[c] > 0) {
					plot @lines
				} else {
					plot @marks
				}
			}
		}
		@unset_frame_labels
	}
}
@key_panel
unset multiplot
