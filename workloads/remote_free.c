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
 *
 * Its hooks own the hand-over queues: one per pair for each run, and each
 * thread's struct pb_remote_free_args (its queue and its role).
 *
 * Calls only kernels.h, handover.h and options.h (workload.h); registered
 * by PB_WORKLOAD_REGISTER, called by the harness through struct
 * pb_workload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/handover.h"
#include "workloads/workload.h"

/* One run's queues ([threads / 2]) and the threads' arguments ([threads]). */
struct remote_free_run {
	struct pb_handover *ho;
	size_t nr_ho;
	struct pb_remote_free_args *args;
};

static const struct pb_option_spec remote_free_params[] = {
	{ .key = "n", .type = PB_OPT_UINT, .def = 256, .min = 1,
	  .max = UINT64_C(1) << 20,
	  .help = "hand-over queue slots, a power of two: objects in flight "
		  "per pair" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int remote_free_prepare(const uint64_t *values,
			       struct pb_workload_point *p, char *err,
			       size_t errlen)
{
	if (values[0] & (values[0] - 1)) {
		snprintf(err, errlen, "remote-free: n=%llu: the hand-over queue "
			 "size must be a power of two",
			 (unsigned long long)values[0]);
		return -1;
	}
	p->n = values[0];
	/*
	 * In flight per pair: the queue, plus one in each thread's hands
	 * (n + 2); one more per thread so a pop never races the last push.
	 */
	p->capacity = values[0] / 2 + 2;
	p->touch = values[1];
	return 0;
}

static void remote_free_run_teardown(struct pb_workload_run *run)
{
	struct remote_free_run *rf = run->state;

	if (!rf)
		return;
	for (size_t i = 0; i < rf->nr_ho; i++)
		pb_handover_destroy(&rf->ho[i]);
	free(rf->ho);
	free(rf->args);
	free(rf);
	run->state = NULL;
}

static int remote_free_run_setup(struct pb_workload_run *run, char *err,
				 size_t errlen)
{
	struct remote_free_run *rf = calloc(1, sizeof(*rf));
	size_t pairs = run->threads / 2, size = 1;
	/* Over-aligned type: calloc's alignment is not enough. */
	size_t bytes = (pairs ? pairs : 1) * sizeof(*rf->ho);

	run->state = rf;
	if (rf) {
		rf->ho = aligned_alloc(_Alignof(struct pb_handover), bytes);
		rf->args = calloc(run->threads ? run->threads : 1, sizeof(*rf->args));
	}
	if (!rf || !rf->ho || !rf->args)
		goto nomem;
	memset(rf->ho, 0, bytes);
	while (size < run->values[0])
		size <<= 1;
	for (; rf->nr_ho < pairs; rf->nr_ho++)
		if (pb_handover_init(&rf->ho[rf->nr_ho], size))
			goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for the hand-over queues");
	remote_free_run_teardown(run);
	return -1;
}

/* Thread 2k produces into queue k, thread 2k+1 consumes from it. */
static int remote_free_thread_setup(struct pb_workload_run *run,
				    unsigned int ti, struct pb_kernel_args *a,
				    char *err, size_t errlen)
{
	struct remote_free_run *rf = run->state;

	(void)err;
	(void)errlen;
	rf->args[ti].ho = &rf->ho[ti / 2];
	rf->args[ti].role = ti % 2 ? PB_ROLE_CONSUMER : PB_ROLE_PRODUCER;
	a->wl = &rf->args[ti];
	return 0;
}

PB_WORKLOAD_REGISTER(remote_free,
	.name = "remote-free",
	.description = "thread pairs: one allocates, hands over through a "
		       "queue of n (256), the other frees; objects/s",
	.kernel = PB_KERNEL_remote_free,
	.params = remote_free_params,
	.prepare = remote_free_prepare,
	.run_setup = remote_free_run_setup,
	.run_teardown = remote_free_run_teardown,
	.thread_setup = remote_free_thread_setup,
	.thread_multiple = 2,
	.threads_per_op = 2,
)
