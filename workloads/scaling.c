// SPDX-License-Identifier: GPL-2.0-only
/*
 * scaling.c - fastpath-reuse or ring-cleanup (the `pattern` parameter;
 * run-all and run-objpool run both) at 1, 2, ... every allowed PU when
 * --threads is not given. Each thread uses its own CPU slot; what is shared is whatever
 * the backend shares (a freelist head, a sharedq, a mutex). results.csv
 * then has total ops_per_sec per thread count and `efficiency`:
 * ops_per_sec / (threads x the 1-thread ops_per_sec of the same point),
 * 1.0 for perfect scaling.
 *
 * Calls only kernels.h and options.h (workload.h); registered by
 * PB_WORKLOAD_REGISTER, called by the harness through struct pb_workload.
 */
#include "workloads/workload.h"

enum { SCALING_REUSE, SCALING_RING };

static const char *const scaling_patterns[] = { "reuse", "ring", NULL };

static const struct pb_option_spec scaling_params[] = {
	{ .key = "pattern", .type = PB_OPT_ENUM, .def = SCALING_REUSE,
	  .choices = scaling_patterns,
	  .help = "reuse (fastpath-reuse) or ring (ring-cleanup of n)" },
	{ .key = "n", .type = PB_OPT_UINT, .def = 256, .min = 1,
	  .max = UINT64_C(1) << 24,
	  .help = "ring: objects allocated before they are all freed" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int scaling_prepare(const uint64_t *values,
			   struct pb_workload_point *p, char *err,
			   size_t errlen)
{
	(void)err;
	(void)errlen;
	p->n = values[0] == SCALING_RING ? values[1] : 1;
	p->touch = values[2];
	return 0;
}

static enum pb_kernel_id scaling_kernel(const uint64_t *values)
{
	return values[0] == SCALING_RING ? PB_KERNEL_ring_cleanup : PB_KERNEL_fastpath_reuse;
}

PB_WORKLOAD_REGISTER(scaling,
	.name = "scaling",
	.description = "reuse or ring (pattern=) at 1..all threads; total "
		       "ops/s and efficiency against 1 thread",
	.kernel = PB_KERNEL_fastpath_reuse,
	.params = scaling_params,
	.prepare = scaling_prepare,
	.pick_kernel = scaling_kernel,
	.all_thread_counts = true,
)
