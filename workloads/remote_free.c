// SPDX-License-Identifier: GPL-2.0-only
/*
 * remote_free.c - objects allocated on one CPU and freed on another: the
 * kretprobe instance and NIC TX-completion pattern, where per-CPU caches
 * differ most. Threads work in pairs: thread 2k allocates and hands each
 * object over through a queue of n slots (handover.h) to thread 2k+1,
 * which frees it into its own CPU's cache. Per-CPU designs then see their
 * alloc side drain and their free side fill: the backend's fast_hits
 * (local) against steals (objects taken from another CPU's slot) say how
 * each copes. ops_per_sec counts objects handed over per second; ns_per_op
 * is each thread's time per object.
 */
#include <stdio.h>

#include "workloads/workload.h"

static const struct pb_option_spec remote_free_params[] = {
	{ .key = "n", .type = PB_OPT_UINT, .def = 256, .min = 1,
	  .max = UINT64_C(1) << 20,
	  .help = "hand-over queue slots, a power of two: objects in flight "
		  "per pair" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int remote_free_prepare(const uint64_t *values,
			       struct pb_kernel_args *a, char *err,
			       size_t errlen)
{
	if (values[0] & (values[0] - 1)) {
		snprintf(err, errlen, "remote-free: n=%llu: the hand-over queue "
			 "size must be a power of two",
			 (unsigned long long)values[0]);
		return -1;
	}
	a->n = values[0];
	/*
	 * In flight per pair: the queue, plus one in each thread's hands
	 * (n + 2); one more per thread so a pop never races the last push.
	 */
	a->capacity = values[0] / 2 + 2;
	a->touch = values[1];
	return 0;
}

PB_WORKLOAD_REGISTER(remote_free,
	.name = "remote-free",
	.description = "thread pairs: one allocates, hands over through a "
		       "queue of n (256), the other frees; objects/s",
	.kernel = PB_KERNEL_remote,
	.params = remote_free_params,
	.prepare = remote_free_prepare,
	.thread_multiple = 2,
	.threads_per_op = 2,
)
