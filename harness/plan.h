/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plan.h - planning a run: from the command line to its instances.
 *
 * Called by main.c (the plan) and by the executors and the console
 * (progress.c) for an instance's estimate. plan.c calls only the
 * registries and topo.c, and does no I/O.
 */
#ifndef PB_HARNESS_PLAN_H
#define PB_HARNESS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/run.h"

/**
 * pb_plan() - plan the run @r->opts asks for
 * @r: the run; opts, child, topo and probe set; its instances and skips
 *     are added (an isolated run's child plans its own group only)
 * @err: where the reason for a refusal goes
 * @errlen: its size
 *
 * Return: 0, or -1 for bad input (exit status 2) with the reason in @err;
 * what was planned before the refusal stays in @r for pb_plan_free().
 */
int pb_plan(struct pb_run *r, char *err, size_t errlen);

/**
 * pb_plan_free() - release the instances, rows and skips of @r
 * @r: a run pb_plan() was called on (whatever it returned)
 */
void pb_plan_free(struct pb_run *r);

/**
 * pb_instance_estimate() - seconds one instance should take
 * @in: the instance
 * @reps: its repetitions
 * @min_time: Google Benchmark's minimum time per repetition, seconds
 * @open_ended: set when the figure is a guess (a million case runs as
 *              long as it takes, up to its limit)
 *
 * Return: the estimate in seconds.
 */
double pb_instance_estimate(const struct pb_instance *in, int reps,
			    double min_time, bool *open_ended);

#endif /* PB_HARNESS_PLAN_H */
