/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * local.h - the in-process executor (local.c): every instance of a planned
 * run under Google Benchmark in this process, then the results folder.
 *
 * Called by main.c (and so by an isolated run's children); local.c calls
 * bench.c, plan.c, progress.c, results.c and gbshim.
 */
#ifndef PB_HARNESS_LOCAL_H
#define PB_HARNESS_LOCAL_H

#include "harness/run.h"

/**
 * pb_exec_local() - run every instance of @r in this process
 * @r: the planned run (at least one instance)
 *
 * Return: the exit status: 0, 1 (some benchmark failed, or the results
 * could not be written) or 2 (nothing measured).
 */
int pb_exec_local(struct pb_run *r);

#endif /* PB_HARNESS_LOCAL_H */
