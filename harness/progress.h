/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * progress.h - the console of a run (progress.c): skipped points, a line
 * per finished benchmark with the ETA, the final summary.
 *
 * Called by main.c and the executors; progress.c calls plan.c and
 * results.c only.
 */
#ifndef PB_HARNESS_PROGRESS_H
#define PB_HARNESS_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "harness/run.h"

/*
 * struct pb_progress - the count behind the "[k/N] elapsed, ETA" lines:
 * @k of @n benchmarks done, the clock started at @t0_ns, @done_est of
 * @total_est estimated seconds done. In an isolated run's child it starts
 * where the parent stood (struct pb_child_progress), so the lines count
 * over the whole run; the ETA scales the estimate of what is left by how
 * the estimate compared with the clock so far.
 */
struct pb_progress {
	size_t k, n;
	uint64_t t0_ns;
	double done_est, total_est;
};

/**
 * pb_progress_init() - start counting the instances of @r
 * @pg: the count
 * @r: the planned run (a child starts from its parent's count)
 */
void pb_progress_init(struct pb_progress *pg, const struct pb_run *r);

/**
 * pb_progress_done() - count one instance and print its line
 * @pg: the count
 * @r: the run
 * @in: the instance, all its rows in @r
 */
void pb_progress_done(struct pb_progress *pg, const struct pb_run *r,
		      const struct pb_instance *in);

/**
 * pb_progress_skips() - one line per skip reason, with its count
 * @r: the planned run (an isolated run's child says nothing: its parent
 *     planned the same skips and said them)
 */
void pb_progress_skips(const struct pb_run *r);

/**
 * pb_progress_summary() - one line per instance: parameters, median, cv
 * and the null baseline of the same point
 * @r: the run with its rows
 * @f: where to
 */
void pb_progress_summary(const struct pb_run *r, FILE *f);

/**
 * pb_fmt_duration() - a duration as m:ss, or h:mm:ss from an hour on
 * @buf: where it goes
 * @len: its size
 * @s: seconds
 */
void pb_fmt_duration(char *buf, size_t len, double s);

/**
 * pb_progress_eta() - the time left of a run
 * @buf: where it goes (m:ss or h:mm:ss)
 * @len: its size
 * @elapsed: seconds since the run started
 * @done_est: estimated seconds of what is done
 * @total_est: estimated seconds of the whole run
 */
void pb_progress_eta(char *buf, size_t len, double elapsed, double done_est,
		     double total_est);

#endif /* PB_HARNESS_PROGRESS_H */
