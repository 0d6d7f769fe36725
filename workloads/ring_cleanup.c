// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring_cleanup.c - alloc N objects, then free all N in allocation order.
 *
 * The NIC ring clean-up pattern of seed 000 (N = 256 there): a burst of
 * allocations drains the per-CPU cache, the burst of frees overflows it, so
 * the slow paths and the shared layer are exercised. Reported in ns per
 * alloc+free pair (the cost of a round divided by N).
 *
 * Calls only kernels.h and options.h (workload.h); registered by
 * PB_WORKLOAD_REGISTER, called by the harness through struct pb_workload.
 */
#include "workloads/workload.h"

static const struct pb_option_spec ring_cleanup_params[] = {
	{ .key = "n", .type = PB_OPT_UINT, .def = 256, .min = 1,
	  .max = UINT64_C(1) << 24,
	  .help = "objects allocated before they are all freed (seed: 256)" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int ring_cleanup_prepare(const uint64_t *values,
				struct pb_workload_point *p, char *err,
				size_t errlen)
{
	(void)err;
	(void)errlen;
	p->n = values[0];
	p->touch = values[1];
	return 0;
}

PB_WORKLOAD_REGISTER(ring_cleanup,
	.name = "ring-cleanup",
	.description = "alloc N objects (n=256), then free all N; "
		       "ns per alloc+free pair",
	.kernel = PB_KERNEL_ring_cleanup,
	.params = ring_cleanup_params,
	.prepare = ring_cleanup_prepare,
)
