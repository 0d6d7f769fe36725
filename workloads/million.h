/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * million.h - the harness's side of the million kernel (kernels.h): one
 * struct pb_million per worker of a million run, holding what the
 * kernel's out-of-line slow paths need: a label for progress lines, the
 * round's time limit, the pre-fill objects, and how to read the backend's
 * statistics with every object live.
 *
 * Concurrency contract: one pb_million belongs to one worker thread.
 */
#ifndef PB_WORKLOADS_MILLION_H
#define PB_WORKLOADS_MILLION_H

#include "workloads/kernels.h"

/* Reads the backend's statistics into @out->peak_* (harness callback). */
typedef void (*pb_million_peak_fn)(void *arg, struct pb_kernel_out *out);
/* Runs the backend's deferred work (balance) after a round (harness callback). */
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
 * pb_million_free() - free the state of pb_million_new()
 * @m: the state; may be NULL
 */
void pb_million_free(struct pb_million *m);

#endif /* PB_WORKLOADS_MILLION_H */
