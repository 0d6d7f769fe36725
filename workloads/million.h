/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * million.h - the state of the million kernel's out-of-line slow paths
 * (kernels.h, struct pb_million_args): one struct pb_million per worker of
 * a million run, holding a label for progress lines, the pre-fill objects,
 * and how to read the backend's statistics with every object live and to
 * run its deferred work after a round. The million workload's own hooks
 * (million.c) make one per worker; the conformance test makes its own.
 * million.c calls nothing outside workloads/ but the backend it is given.
 *
 * Concurrency contract: one pb_million belongs to one worker thread.
 */
#ifndef PB_WORKLOADS_MILLION_H
#define PB_WORKLOADS_MILLION_H

#include "workloads/kernels.h"

/* Reads the backend's statistics into @out->peak_*. */
typedef void (*pb_million_peak_fn)(void *arg, struct pb_kernel_out *out);
/* Runs the backend's deferred work (balance) after a round. */
typedef void (*pb_million_balance_fn)(void *arg);

/**
 * pb_million_new() - state for one worker of a million run
 * @label: names the case in progress lines (copied)
 * @peak: reads the backend's statistics with every object live
 * @balance: the backend's deferred work, run after each round, untimed
 * @arg: passed to @peak and @balance
 *
 * Return: the state, or NULL when out of memory.
 */
struct pb_million *pb_million_new(const char *label, pb_million_peak_fn peak,
				  pb_million_balance_fn balance, void *arg);

/**
 * pb_million_free() - free what pb_million_new() made
 * @m: the state, or NULL
 */
void pb_million_free(struct pb_million *m);

#endif /* PB_WORKLOADS_MILLION_H */
