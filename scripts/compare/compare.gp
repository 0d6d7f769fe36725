# SPDX-License-Identifier: GPL-2.0-only
#
# compare.gp DAT VARS OUT FORMAT - the A/B comparison figure: one
# horizontal bar per benchmark for the change of its median in %, B
# against A, with the Hodges-Lehmann interval as error bars; significant
# changes coloured by verdict, the others grey. DAT and VARS come from
# compare.py (which calls this script once per FORMAT, pdf or png); the
# shared settings, title, notes and caption line are fig-common.gp's.
data = ARG1
load ARG2
out = ARG3
fmt = ARG4
n = (nbar > 0 ? nbar : 4)
h_cm = 5.5 + 0.42 * n + 0.35 * (caption_lines + note_lines)
h_px = 280 + 22 * n + 18 * (caption_lines + note_lines)
here = ARG0[1:strstrt(ARG0, "compare.gp") - 1]
load here . "../figures/fig-common.gp"

# Room on the left for the benchmark names (small font), at most 60%.
width_pt = (fmt eq "pdf" ? 16 / 2.54 * 72 : 1100 * 0.75)
lm = label_chars * 0.52 * fs_small / width_pt + 0.02
set lmargin at screen (lm < 0.6 ? lm : 0.6)
set rmargin at screen 0.97
set tmargin at screen top - 0.04
set bmargin at screen bottom + 3.2 * fs / pt_h
if (missing ne "") {
	panel_msg = missing
	@empty_panel
	exit
}

set xlabel xlabel
set xrange [xlo:xhi]
set yrange [-0.7:nbar - 0.3]
ytic_font = sprintf(",%g", fs_small)
set ytics scale 0 font ytic_font
set grid xtics
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lc rgb "#000000" lw 1 front
set key at screen 0.5, screen top - 0.005 center top horizontal samplen 1.5 width 1
set style fill solid 0.85 border lc rgb "#303030"
# One plot per verdict class (its colour and key title from VARS); a bar is
# drawn by the class it belongs to, the error bar by every row with an interval.
bars = "for [c = 1:ncls] data using (column(5) == c ? column(2) / 2 : NaN):1:" . \
	"(0):(column(2)):($1 - 0.35):($1 + 0.35):ytic(stringcolumn(6)) " . \
	"with boxxyerror lc rgb cls_colour[c] title cls_title[c]"
if (nci > 0) {
	plot @bars, data using 2:1:3:4 with xerrorbars pt 0 ps 0 lc rgb "#000000" lw 1 \
		title "interval"
} else {
	plot @bars
}
