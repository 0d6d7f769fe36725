/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - the Google Benchmark body of a run's instances (bench.c).
 *
 * Called by the in-process executor (local.c); bench.c calls gbshim,
 * topo.c, perfev.c, progress.c and results.c.
 */
#ifndef PB_HARNESS_BENCH_H
#define PB_HARNESS_BENCH_H

#include "harness/progress.h"
#include "harness/run.h"

/**
 * pb_bench_prepare() - placement and per-run buffers of every instance
 * @r: the planned run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err; pb_bench_release() either way.
 */
int pb_bench_prepare(struct pb_run *r, char *err, size_t errlen);

/**
 * pb_bench_release() - release what pb_bench_prepare() set up
 * @r: the run
 */
void pb_bench_release(struct pb_run *r);

/**
 * pb_bench_register() - register one instance with Google Benchmark
 * @in: the instance (prepared)
 * @reps: its repetitions
 * @min_time: seconds per repetition at least (phase-timed: one round)
 */
void pb_bench_register(struct pb_instance *in, int reps, double min_time);

/**
 * pb_bench_run_all() - run every registered instance, collecting its rows
 * @r: the run; its rows are appended
 * @pg: the progress count, one line per finished instance
 *
 * An isolated run's child also writes each instance's rows as soon as
 * they are in (pb_results_write_instance()).
 */
void pb_bench_run_all(struct pb_run *r, struct pb_progress *pg);

#endif /* PB_HARNESS_BENCH_H */
