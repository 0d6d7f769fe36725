// SPDX-License-Identifier: GPL-2.0-only
/*
 * overrun.c - bulks of n (16) allocations against a pool created with only
 * `per_cpu` (8) objects per thread: Linux lib/test_objpool.c's overrun
 * case. A fixed-capacity pool must miss (NULL) part of each bulk, steal
 * from other CPUs' slots, and stay consistent; a NULL here is the measured
 * outcome, counted in hits_per_op and misses_per_op, not an error. Growing
 * allocators (malloc, qmempool, mutex-mempool over malloc) never miss.
 * One iteration is one alloc attempt.
 *
 * Calls only kernels.h and options.h (workload.h); registered by
 * PB_WORKLOAD_REGISTER, called by the harness through struct pb_workload.
 */
#include <stdio.h>

#include "workloads/workload.h"

static const struct pb_option_spec overrun_params[] = {
	{ .key = "n", .type = PB_OPT_UINT, .def = 16, .min = 1, .max = 65536,
	  .help = "allocations per bulk, all freed after it (test_objpool: 16)" },
	{ .key = "per_cpu", .type = PB_OPT_UINT, .def = 8, .min = 1,
	  .max = 65536,
	  .help = "objects in the pool per thread (test_objpool: 8)" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int overrun_prepare(const uint64_t *values,
			   struct pb_workload_point *p, char *err,
			   size_t errlen)
{
	(void)err;
	(void)errlen;
	p->n = values[0];
	p->capacity = values[1];
	p->touch = values[2];
	return 0;
}

PB_WORKLOAD_REGISTER(overrun,
	.name = "overrun",
	.description = "bulks of n (16) allocs against per_cpu (8) objects per "
		       "thread; hits and misses",
	.kernel = PB_KERNEL_overrun,
	.params = overrun_params,
	.prepare = overrun_prepare,
	.counts_hits = true,
)
