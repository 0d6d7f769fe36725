# SPDX-License-Identifier: GPL-2.0-only
#
# fig-nsweep.gp DATA OUT FORMAT CAPTION - ring-cleanup ns per pair against
# N (log2), one line per series block of DATA. Called by fig-nsweep.sh.
data = ARG1
if (ARG3 eq "pdf") {
	set terminal pdfcairo size 16cm,9cm font "Sans,9"
} else {
	set terminal pngcairo size 1100,620 font "Sans,10"
}
set output ARG2
set title "ring-cleanup: alloc N objects, then free N (1 thread; median, min-max)"
set label 1 ARG4 at screen 0.01, screen 0.02 font ",7"
set bmargin 5
set xlabel "N (objects held before they are freed)"
set ylabel "ns per alloc+free pair"
set logscale x 2
set format x "%.0f"
set yrange [0:*]
set grid
set key top left
stats data using 1 nooutput
nblocks = STATS_blocks
plot for [i=0:nblocks-1] data index i using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
