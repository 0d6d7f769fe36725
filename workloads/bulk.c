// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulk.c - take N objects with one bulk alloc, give them back with one bulk
 * free; repeat.
 *
 * DPDK's mempool get_bulk/put_bulk test and Brouer's alf_queue "bulkN"
 * rows: what a backend's own bulk path costs per object (backends without
 * one run a loop over alloc and free). Reported in ns per object, i.e. per
 * alloc+free pair.
 *
 * Calls only kernels.h and options.h (workload.h); registered by
 * PB_WORKLOAD_REGISTER, called by the harness through struct pb_workload.
 */
#include "workloads/workload.h"

static const struct pb_option_spec bulk_params[] = {
	{ .key = "n", .type = PB_OPT_UINT, .def = 16, .min = 1,
	  .max = UINT64_C(1) << 16,
	  .help = "objects per bulk alloc and bulk free (qmempool: 16)" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int bulk_prepare(const uint64_t *values,
			struct pb_workload_point *p, char *err,
			size_t errlen)
{
	(void)err;
	(void)errlen;
	p->n = values[0];
	p->touch = values[1];
	return 0;
}

PB_WORKLOAD_REGISTER(bulk,
	.name = "bulk",
	.description = "bulk alloc N objects (n=16), then bulk free them; "
		       "ns per object",
	.kernel = PB_KERNEL_bulk,
	.params = bulk_params,
	.prepare = bulk_prepare,
)
