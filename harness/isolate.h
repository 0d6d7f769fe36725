/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * isolate.h - the isolated executor (isolate.c): every backend x workload
 * group of a planned run in its own child process, which is this program
 * again running the in-process executor (local.h) on its group.
 *
 * Called by main.c; isolate.c calls merge.c, peers.c, plan.c, progress.c
 * and results.c.
 */
#ifndef PB_HARNESS_ISOLATE_H
#define PB_HARNESS_ISOLATE_H

#include "harness/run.h"

/**
 * pb_exec_isolated() - run every backend x workload group of @r in a child
 * @r: the planned run (at least one instance); @r->opts->resume: finish
 *     that folder's run
 *
 * Return: the exit status: 0, 1 (some benchmark failed), 2 (bad input,
 * nothing run) or 128 + the signal that interrupted it.
 */
int pb_exec_isolated(struct pb_run *r);

#endif /* PB_HARNESS_ISOLATE_H */
