/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rows.h - a run's rows (rows.c): what results.csv is written from.
 *
 * Included by results.h; rows.c calls nothing else of the harness.
 */
#ifndef PB_HARNESS_ROWS_H
#define PB_HARNESS_ROWS_H

#include "harness/run.h"

/**
 * pb_row_init() - a row of @in with every figure unavailable (NaN)
 * @row: the row to set
 * @in: its instance
 * @statistic: "run", "median", ...
 * @rep: the repetition, -1 for an aggregate
 */
void pb_row_init(struct pb_row *row, const struct pb_instance *in,
		 const char *statistic, long rep);

/**
 * pb_results_median() - the row an instance is summed up by
 * @r: the run
 * @in: the instance
 *
 * Return: its median row; its first row when it ran once (--reps 1, or
 * an interleaved run's child, which runs one repetition); else NULL.
 */
const struct pb_row *pb_results_median(const struct pb_run *r,
				       const struct pb_instance *in);

/**
 * pb_rows_efficiency() - set every row's efficiency
 * @r: the run, its rows all in
 */
void pb_rows_efficiency(struct pb_run *r);

/**
 * pb_rows_plan_order() - the rows by their instance's place in the plan
 * @r: the run
 *
 * Google Benchmark reports an instance when its last repetition is done,
 * which under --interleave is in random order; results.csv is in plan
 * order, an instance's rows in the order they came.
 *
 * Return: a new array of @r->nr_rows pointers (free() it), or NULL when
 * out of memory.
 */
const struct pb_row **pb_rows_plan_order(const struct pb_run *r);

#endif /* PB_HARNESS_ROWS_H */
