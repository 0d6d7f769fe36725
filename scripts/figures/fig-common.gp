# SPDX-License-Identifier: GPL-2.0-only
#
# fig-common.gp - what the five figure scripts share; loaded by each of them
# after its VARS file (from plotdata.py) and after setting
#   fmt ("pdf" or "png"), out (the file to write), h_cm and h_px (height).
# It sets the terminal (PDF 16 cm wide for the paper, PNG 1100 px for the
# README), the series styles (a colour-blind-safe palette with a point and a
# dash type per style index), the figure title, the notes and the caption
# line at the bottom, and defines:
#   bottom       screen y above the caption and the notes: plots go above it
#   top          screen y below the title
#   empty_panel  a macro drawing a figure that says `panel_msg` instead of
#                data (no axes; the figure's script exits after it)
#   blank_panel  a macro drawing a panel of a multiplot that says `panel_msg`
#                inside its axes; it changes no setting, so the next panel
#                draws as usual (the axis ranges must be set, not autoscaled)
#   key_panel    a macro drawing the key of the line figures (nkey entries:
#                ktitles, kstyles of the VARS file), full width, three a row,
#                between key_b and key_b + key_h

if (fmt eq "pdf") {
	set terminal pdfcairo size 16cm, h_cm * 1cm font "Sans,8" noenhanced
	pt_h = h_cm / 2.54 * 72		# figure height in points
	fs = 8
	fs_small = 6.5
	fs_title = 9
	ps_pt = 0.55		# point size of the line figures
} else {
	set terminal pngcairo size 1100, h_px font "Sans,10" noenhanced
	pt_h = h_px * 0.75		# pngcairo: 1 pt of font = 4/3 px
	fs = 10
	fs_small = 8.5
	fs_title = 11.5
	ps_pt = 0.9
}
set output out
set datafile missing "NaN"
set encoding utf8
set style line 100 lc rgb "#b0b0b0" lw 0.5 dt 3
set grid ls 100
unset grid

# Okabe and Ito's palette (black first: the null baseline is the first
# variant of a run); past seven series the dash type changes, and the point
# types cycle with another period, so no two series look alike.
array palette[7] = ["#000000", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
array points[8] = [7, 5, 9, 11, 13, 15, 4, 6]
scol(i) = palette[i % 7 + 1]
spt(i) = points[i % 8 + 1]
sdt(i) = (i / 7) % 4 + 1

# Line height of the small font, as a fraction of the figure's height.
lh = 1.3 * fs_small / pt_h
set label 101 title at screen 0.5, screen 1 - 1.6 * fs_title / pt_h center font sprintf(",%g", fs_title)
# A label of several lines hangs down from its position.
set label 102 caption at screen 0.01, screen (caption_lines - 0.4) * lh \
	font sprintf(",%g", fs_small)
if (note_lines > 0) {
	set label 103 "Note: " . note at screen 0.01, screen (caption_lines - 0.4 + note_lines) * lh \
		font sprintf(",%g", fs_small) textcolor rgb "#7a3000"
}
bottom = (0.2 + caption_lines + note_lines) * lh
top = 1 - 3.0 * fs_title / pt_h
# Figures with several panels draw the title, notes and caption once.
unset_frame_labels = "unset label 101; unset label 102; unset label 103"

panel_msg = ""
empty_panel = "unset border; unset xtics; unset ytics; unset mxtics; unset mytics; " . \
	"unset xlabel; unset ylabel; unset logscale; unset grid; unset key; " . \
	"set xrange [0:1]; set yrange [0:1]; " . \
	"set label 100 panel_msg at graph 0.5, graph 0.5 center textcolor rgb '#7a3000'; " . \
	"plot -1 notitle; unset label 100"
blank_panel = "set label 100 panel_msg at graph 0.5, graph 0.5 center front " . \
	"textcolor rgb '#7a3000'; plot 1e300 notitle; unset label 100"

key_rows = exists("nkey") ? (nkey + 2) / 3 : 0
key_h = (key_rows + 0.6) * 1.3 * fs / pt_h
key_b = bottom + 0.01
key_panel = "set lmargin at screen 0.02; set rmargin at screen 0.98; " . \
	"set bmargin at screen key_b; set tmargin at screen key_b + key_h; " . \
	"unset border; unset xtics; unset ytics; unset xlabel; unset ylabel; unset title; " . \
	"unset logscale; unset grid; set xrange [0:1]; set yrange [0:1]; " . \
	"set key inside center center horizontal maxrows key_rows samplen 4 width 2; " . \
	"plot -1 notitle, for [i = 1:nkey] keyentry with linespoints lc rgb scol(kstyles[i]) " . \
	"pt spt(kstyles[i]) dt sdt(kstyles[i]) lw 1.5 ps ps_pt title ktitles[i]"
