// SPDX-License-Identifier: GPL-2.0-only
/*
 * fastpath_reuse.c - alloc one object, keep it live, free it at once; repeat.
 *
 * Brouer's qmempool_bench fast-path test (seed 000): the cheapest pattern an
 * allocator sees, where a per-CPU cache hands the same object back. Reported
 * in ns per alloc+free pair.
 *
 * Calls only kernels.h and options.h (workload.h); registered by
 * PB_WORKLOAD_REGISTER, called by the harness through struct pb_workload.
 */
#include "workloads/workload.h"

static const struct pb_option_spec fastpath_reuse_params[] = {
	PB_PARAM_TOUCH,
	{ 0 }
};

static int fastpath_reuse_prepare(const uint64_t *values,
				  struct pb_workload_point *p, char *err,
				  size_t errlen)
{
	(void)err;
	(void)errlen;
	p->n = 1;
	p->touch = values[0];
	return 0;
}

PB_WORKLOAD_REGISTER(fastpath_reuse,
	.name = "fastpath-reuse",
	.description = "alloc one object, keep it live, free it at once; "
		       "ns per alloc+free pair",
	.kernel = PB_KERNEL_fastpath_reuse,
	.params = fastpath_reuse_params,
	.prepare = fastpath_reuse_prepare,
)
