// SPDX-License-Identifier: GPL-2.0-only
/*
 * rows.c - a run's rows (rows.h): a new row, the row an instance is
 * summed up by, the scaling efficiency, and the rows in plan order.
 *
 * Called by results.c and, through results.h, by every part of the run
 * that makes or reads rows; calls nothing else of the harness.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/rows.h"

void pb_row_init(struct pb_row *row, const struct pb_instance *in,
		 const char *statistic, long rep)
{
	memset(row, 0, sizeof(*row));
	row->in = in;
	snprintf(row->statistic, sizeof(row->statistic), "%s", statistic);
	row->rep = rep;
	row->rep_start_s = NAN;
	row->real_ns = row->cpu_ns = NAN;
	row->ns_per_op = row->ops_per_sec = row->perf_running = NAN;
	row->hits = row->misses = row->efficiency = NAN;
	row->alloc_ms = row->free_ms = row->phase_faults = NAN;
	row->metadata_per_obj = row->chunks_peak = NAN;
	for (int c = 0; c < PB_MEM__COUNT; c++)
		row->mem[c] = NAN;
	for (int c = 0; c < PB_LAT__COUNT; c++)
		row->lat[c] = NAN;
	row->lat_probe_ns = NAN;
	row->lat_seq = -1;
	for (int e = 0; e < PB_PERF_MAX_EVENTS; e++)
		row->perf[e] = NAN;
	for (int s = 0; s < PB_STAT__COUNT; s++)
		row->stat[s] = NAN;
}

const struct pb_row *pb_results_median(const struct pb_run *r,
				       const struct pb_instance *in)
{
	const struct pb_row *first = NULL;

	for (size_t i = 0; i < r->nr_rows; i++) {
		if (r->rows[i].in != in)
			continue;
		if (!strcmp(r->rows[i].statistic, "median"))
			return &r->rows[i];
		if (!first)
			first = &r->rows[i];
	}
	/* One repetition: the run's, or an interleaved run child's. */
	return r->opts->reps == 1 || (r->child && r->child->rep >= 0) ?
	       first : NULL;
}

/* The same point as @in, at one thread (the scaling base), or NULL. */
static const struct pb_instance *one_thread_point(const struct pb_run *r,
						  const struct pb_instance *in)
{
	for (size_t i = 0; i < r->nr_inst; i++) {
		const struct pb_instance *b = &r->inst[i];

		if (b->threads == 1 && b->backend == in->backend &&
		    b->workload == in->workload && b->mode == in->mode &&
		    b->obj_size == in->obj_size && b->align == in->align &&
		    b->placement == in->placement &&
		    !memcmp(b->wl_values, in->wl_values, sizeof(b->wl_values)) &&
		    !strcmp(b->opts_text, in->opts_text))
			return b;
	}
	return NULL;
}

/*
 * efficiency = ops_per_sec / (threads x ops_per_sec of the same point at
 * one thread, its median; an interleaved run's child: its one run, the
 * same repetition); left unavailable without such a point.
 */
void pb_rows_efficiency(struct pb_run *r)
{
	for (size_t i = 0; i < r->nr_rows; i++) {
		struct pb_row *row = &r->rows[i];
		const struct pb_instance *b = one_thread_point(r, row->in);
		const struct pb_row *m = b ? pb_results_median(r, b) : NULL;

		row->efficiency = NAN;
		if (!strcmp(row->statistic, "stddev") ||
		    !strcmp(row->statistic, "cv"))
			continue;	/* a spread, not a rate */
		if (m && !m->error && isfinite(m->ops_per_sec) &&
		    m->ops_per_sec > 0 && isfinite(row->ops_per_sec))
			row->efficiency = row->ops_per_sec /
					  (row->in->threads * m->ops_per_sec);
	}
}

/* Rows by their instance's place in the plan, in arrival order within one. */
static int row_cmp(const void *a, const void *b)
{
	const struct pb_row *x = *(const struct pb_row *const *)a;
	const struct pb_row *y = *(const struct pb_row *const *)b;

	if (x->in != y->in)
		return x->in < y->in ? -1 : 1;
	return x < y ? -1 : x > y;
}

const struct pb_row **pb_rows_plan_order(const struct pb_run *r)
{
	const struct pb_row **order = calloc(r->nr_rows + 1, sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < r->nr_rows; i++)
		order[i] = &r->rows[i];
	qsort(order, r->nr_rows, sizeof(*order), row_cmp);
	return order;
}
