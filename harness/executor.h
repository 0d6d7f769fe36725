/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * executor.h - the executors: each takes a planned run (plan.c), runs its
 * instances and writes its results folder. main.c picks one; adding a way
 * to run groups somewhere new is one more file and one more line here.
 *
 *   local.c    in this process, under Google Benchmark (bench.c)
 *   isolate.c  every backend x workload in its own child process, which
 *              is this program again running the local executor
 */
#ifndef PB_HARNESS_EXECUTOR_H
#define PB_HARNESS_EXECUTOR_H

#include "harness/run.h"

/**
 * pb_exec_local() - run every instance of @r in this process
 * @r: the planned run (at least one instance)
 *
 * Return: the exit status: 0, 1 (some benchmark failed, or the results
 * could not be written) or 2 (nothing measured).
 */
int pb_exec_local(struct pb_run *r);

/**
 * pb_exec_isolated() - run every backend x workload group of @r in a child
 * @r: the planned run (at least one instance); @r->opts->resume: finish
 *     that folder's run
 *
 * Return: the exit status: 0, 1 (some benchmark failed), 2 (bad input,
 * nothing run) or 128 + the signal that interrupted it.
 */
int pb_exec_isolated(struct pb_run *r);

#endif /* PB_HARNESS_EXECUTOR_H */
