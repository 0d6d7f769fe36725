/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reps.h - the rows of an interleaved group (reps.c): each of its
 * repetitions ran in a child of its own (parts/<id>/rep-<k>/), so the
 * merge gathers every benchmark's run rows from them and computes the
 * aggregate rows Google Benchmark computes in a single process: mean,
 * median, stddev, cv, min and max over the repetitions.
 *
 * Called by merge.c and isolate.c; calls results.c (the CSV's header and
 * rows).
 */
#ifndef PB_HARNESS_REPS_H
#define PB_HARNESS_REPS_H

#include <stdio.h>

#include "harness/iso.h"

/**
 * pb_unit_name() - a unit's name under parts/ (and, '/' made '-', under
 * logs/ and interrupted/)
 * @g: its group
 * @u: the unit
 * @buf: where the name goes: <id> (every repetition) or <id>/rep-<k>
 * @len: its size
 */
void pb_unit_name(const struct pb_group *g, const struct pb_unit *u, char *buf,
		  size_t len);

/**
 * pb_reps_write_group() - an interleaved group's rows of results.csv
 * @s: the run
 * @g: the group, one unit per repetition
 * @out: where the rows go (results.csv, its header written)
 * @failed: incremented for every run row with an error
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * For every benchmark of @g, in plan order: its run row from every unit
 * that ended (rep order; a unit that failed gives the rows its child
 * finished, else a row with the unit's reason), then, once no unit is
 * pending and at least two runs have no error, the six aggregates over
 * the runs without an error, as Google Benchmark would: `iterations`
 * holds the number of runs, stddev is the sample one, cv = stddev / mean
 * (empty when the mean is 0), `efficiency` is empty in stddev and cv.
 *
 * Return: 0, or -1 with @err (a part's results.csv could not be read).
 */
int pb_reps_write_group(const struct pb_iso *s, const struct pb_group *g,
			FILE *out, long *failed, char *err, size_t errlen);

/**
 * pb_part_median() - one figure of a part's median row
 * @path: a child's results.csv
 * @column: the column, by its name in the header
 * @v: where the figure goes
 *
 * Return: 0; -1 when the file, the column, a median row or a number in
 * it is missing.
 */
int pb_part_median(const char *path, const char *column, double *v);

#endif /* PB_HARNESS_REPS_H */
