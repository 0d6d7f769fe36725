# SPDX-License-Identifier: GPL-2.0-only
#
# fig-pairs.gp DATA OUT FORMAT CAPTION - ns per alloc+free pair by backend,
# bars per workload x mode, min-max whiskers. Called by fig-pairs.sh.
data = ARG1
out = ARG2
if (ARG3 eq "pdf") {
	set terminal pdfcairo size 16cm,9cm font "Sans,9"
} else {
	set terminal pngcairo size 1100,620 font "Sans,10"
}
set output out
set title "Cost of one alloc+free pair, 1 thread (median, min-max over repetitions)"
set label 1 ARG4 at screen 0.01, screen 0.02 font ",7"
set bmargin 6
set ylabel "ns per alloc+free pair"
set yrange [0:*]
set grid ytics
set key top left
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics nomirror
set datafile missing "NaN"
plot data using 2:3:4:xtic(1) title "fastpath-reuse, exclusive" lc rgb "#1b9e77", \
     ''   using 5:6:7        title "fastpath-reuse, shared"    lc rgb "#66c2a5", \
     ''   using 8:9:10       title "ring-cleanup N=256, exclusive" lc rgb "#d95f02", \
     ''   using 11:12:13     title "ring-cleanup N=256, shared" lc rgb "#fc8d62"
