// SPDX-License-Identifier: GPL-2.0-only
/*
 * failing.c - "test-failing": a backend that fails on purpose, built only
 * into build/poolbench-test for the harness tests.
 *
 * It is malloc until the pool has handed out `fail_after` objects; from then
 * on alloc returns NULL. Every run gets a fresh pool, so every run fails the
 * same way, at the same point: the harness must record the failure and keep
 * the other benchmarks' results. With fail_init_cpu=k, binding a thread to
 * CPU slot k-1 fails instead (a thread that cannot start). With
 * sleep_us=n every alloc first sleeps n microseconds (a slow allocator,
 * for the million workload's time limit).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "allocators/register.h"

struct failing_pool {
	struct pb_geometry geo;
	uint64_t fail_after;
	uint64_t fail_init_cpu;		/* slot + 1; 0: never */
	uint64_t sleep_us;
	atomic_uint_fast64_t handed_out;
};

static const struct pb_option_spec failing_options[] = {
	{ .key = "fail_after", .type = PB_OPT_UINT, .def = 1000, .min = 0,
	  .max = UINT64_MAX, .help = "objects handed out before alloc returns NULL" },
	{ .key = "fail_init_cpu", .type = PB_OPT_UINT, .def = 0, .min = 0,
	  .max = 65536, .help = "k: thread_init on CPU slot k-1 fails; 0: never" },
	{ .key = "sleep_us", .type = PB_OPT_UINT, .def = 0, .min = 0,
	  .max = 1000000, .help = "microseconds every alloc sleeps first" },
	{ 0 }
};

static int failing_create(const struct pb_config *cfg, void **pool, char *err,
			  size_t errlen)
{
	struct failing_pool *p;
	struct pb_geometry g;
	uint64_t opt[3];

	if (pb_options_parse(failing_options, cfg->opts, cfg->nr_opts, opt,
			     "test-failing", err, errlen))
		return -1;
	if (pb_config_geometry(cfg, "test-failing", &g, err, errlen))
		return -1;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "test-failing: out of memory");
		return -1;
	}
	p->geo = g;
	p->fail_after = opt[0];
	p->fail_init_cpu = opt[1];
	p->sleep_us = opt[2];
	*pool = p;
	return 0;
}

static void failing_destroy(void *pool)
{
	free(pool);
}

static void *failing_thread_init(void *pool, unsigned int cpu)
{
	struct failing_pool *p = pool;

	return p->fail_init_cpu == (uint64_t)cpu + 1 ? NULL : pool;
}

static void failing_thread_fini(void *pool, void *ctx)
{
	(void)pool;
	(void)ctx;
}

static inline void *failing_alloc(void *ctx)
{
	struct failing_pool *p = ctx;

	if (p->sleep_us)
		usleep((useconds_t)p->sleep_us);
	if (atomic_fetch_add_explicit(&p->handed_out, 1, memory_order_relaxed) >=
	    p->fail_after)
		return NULL;
	if (p->geo.align)
		return aligned_alloc(p->geo.align, p->geo.size);
	return malloc(p->geo.size);
}

static inline void failing_free(void *ctx, void *obj)
{
	(void)ctx;
	free(obj);
}

PB_BACKEND_REGISTER(failing, failing_alloc, failing_free,
	.name = "test-failing",
	.description = "test only: malloc that returns NULL after fail_after objects",
	.options = failing_options,
	.create = failing_create,
	.destroy = failing_destroy,
	.thread_init = failing_thread_init,
	.thread_fini = failing_thread_fini,
)
