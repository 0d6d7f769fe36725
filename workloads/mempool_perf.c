// SPDX-License-Identifier: GPL-2.0-only
/*
 * mempool_perf.c - DPDK's mempool_perf_autotest (app/test/test_mempool_perf.c)
 * replayed on every backend: per thread, get `keep` objects in bulks of
 * `n`, then put them all back in bulks of `n`; repeat.
 *
 * DPDK's matrix is bulk sizes 1, 4, 8 (a cache line of pointers) and 32,
 * 32, 128 and 512 objects kept per core, on 1 core, 2 cores and all cores,
 * with the pool's cache off, on, or user-owned (options of the
 * dpdk-mempool backend). DPDK counts every object once, got and put, and
 * reports rate_persec, objects per second summed over its lcores: that is
 * ops_per_sec here, as one iteration is one object got and put (one
 * alloc+free pair). Two differences, both documented in docs/method.md:
 * DPDK divides each lcore's count by its nominal 5 s, where ops_per_sec
 * divides all threads' objects by the measured span; and DPDK also crosses
 * different get and put bulk sizes, where `n` is both here (its constant_n
 * rows). Objects are 2048 bytes (DPDK's MEMPOOL_ELT_SIZE) unless --size
 * says otherwise.
 *
 * A thread's iteration count is rounded up to whole rounds of `keep`
 * objects, as ring-cleanup's is to n (the harness rounds to the point's
 * n, which is `keep` here), so a run does exactly its iterations' objects.
 * The bulk size reaches the kernel through its struct
 * pb_mempool_perf_args, one per run, shared read-only by its threads.
 *
 * Calls only kernels.h and options.h (workload.h); registered by
 * PB_WORKLOAD_REGISTER, called by the harness through struct pb_workload.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workloads/workload.h"

/* Parameter positions in mempool_perf_params (and so in the values). */
enum { MP_KEEP, MP_N, MP_TOUCH };

static const struct pb_option_spec mempool_perf_params[] = {
	[MP_KEEP] = { .key = "keep", .type = PB_OPT_UINT, .def = 32, .min = 1,
		      .max = UINT64_C(1) << 16,
		      .help = "objects got before they are all put back "
			      "(DPDK's n_keep: 32, 128, 512)" },
	[MP_N] = { .key = "n", .type = PB_OPT_UINT, .def = 1, .min = 1,
		   .max = UINT64_C(1) << 16,
		   .help = "objects per bulk get and per bulk put, dividing "
			   "keep (DPDK's n_get_bulk = n_put_bulk: 1, 4, 8, "
			   "32)" },
	[MP_TOUCH] = PB_PARAM_TOUCH,
	{ 0 }
};

/* DPDK's MEMPOOL_ELT_SIZE, the size of its test's objects. */
static const size_t mempool_perf_sizes[] = { 2048, 0 };

static int mempool_perf_prepare(const uint64_t *values,
				struct pb_workload_point *p, char *err,
				size_t errlen)
{
	uint64_t keep = values[MP_KEEP], n = values[MP_N];

	if (n > keep || keep % n) {
		snprintf(err, errlen,
			 "mempool-perf: keep=%llu is not a multiple of n=%llu: "
			 "a round gets keep objects in bulks of n, so n must "
			 "divide keep (as in DPDK's test)",
			 (unsigned long long)keep, (unsigned long long)n);
		return -1;
	}
	p->n = keep;
	p->touch = values[MP_TOUCH];
	return 0;
}

static int mempool_perf_run_setup(struct pb_workload_run *run, char *err,
				  size_t errlen)
{
	struct pb_mempool_perf_args *ma = malloc(sizeof(*ma));

	if (!ma) {
		snprintf(err, errlen, "mempool-perf: out of memory");
		return -1;
	}
	ma->bulk = run->values[MP_N];
	run->state = ma;
	return 0;
}

static void mempool_perf_run_teardown(struct pb_workload_run *run)
{
	free(run->state);
	run->state = NULL;
}

/* Every thread reads the run's one bulk size. */
static int mempool_perf_thread_setup(struct pb_workload_run *run,
				     unsigned int ti, struct pb_kernel_args *a,
				     char *err, size_t errlen)
{
	(void)ti;
	(void)err;
	(void)errlen;
	a->wl = run->state;
	return 0;
}

PB_WORKLOAD_REGISTER(mempool_perf,
	.name = "mempool-perf",
	.description = "DPDK's mempool_perf_autotest: get keep (32) objects "
		       "in bulks of n (1), put them back in bulks of n; "
		       "objects/s",
	.kernel = PB_KERNEL_mempool_perf,
	.params = mempool_perf_params,
	.prepare = mempool_perf_prepare,
	.run_setup = mempool_perf_run_setup,
	.run_teardown = mempool_perf_run_teardown,
	.thread_setup = mempool_perf_thread_setup,
	.sizes = mempool_perf_sizes,
)
