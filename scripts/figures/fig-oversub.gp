# SPDX-License-Identifier: GPL-2.0-only
#
# fig-oversub.gp DATA OUT FORMAT CAPTION - the protection cost against
# oversubscription: above, alloc+free pairs per second (millions, all
# threads together; median, min-max) against threads per PU, one line per
# backend and mode; below, restartable sequences aborted per pair in rseq
# mode. Called by fig-oversub.sh; DATA from plotdata.py oversub (columns:
# threads per PU, Mops/s median, min, max, rseq_aborts_per_op,
# cpu_changes_per_op).
data = ARG1
if (ARG3 eq "pdf") {
	set terminal pdfcairo size 16cm,14cm font "Sans,9"
} else {
	set terminal pngcairo size 1100,960 font "Sans,10"
}
set output ARG2
stats data using 1 nooutput
nblocks = STATS_blocks
xmax = STATS_max + 0.5
set multiplot
set label 1 ARG4 at screen 0.01, screen 0.015 font ",7"
set lmargin at screen 0.1
set rmargin at screen 0.97

set tmargin at screen 0.93
set bmargin at screen 0.45
set title "scaling (pattern=reuse): threads per PU from 1 up, unpinned (rseq) or sharing CPU slots (shared)" font ",9"
set xrange [0.5:xmax]
set xtics 1 format ""
set ylabel "Mops/s (all threads; median, min-max)"
set yrange [0:*]
set grid
set key inside right top vertical font ",8" opaque box
plot for [i=0:nblocks-1] data index i using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)

unset title
set tmargin at screen 0.41
set bmargin at screen 0.08
set xtics 1 format "%g"
set xlabel "threads per PU"
set ylabel "rseq aborts per alloc+free pair"
set key inside left top vertical font ",8" noopaque nobox
set yrange [0:*]
set format y "%g"
# Only the rseq blocks have values in column 5; the others draw nothing.
plot for [i=0:nblocks-1] data index i using 1:($5 == $5 ? $5 : NaN) with linespoints lw 2 pt 7 ps 0.6 title columnheader(1)
unset multiplot
