// SPDX-License-Identifier: GPL-2.0-only
/*
 * crashing.c - "test-crash": a backend that takes its process down on
 * purpose, built only into build/poolbench-test for the isolation tests.
 *
 * It is malloc until `after` objects were handed out by one pool; then
 * alloc does what `how` says: segv (a write through NULL), abort, hang
 * (sleeps for ever, for the group time limit) or exit (exit(3) without
 * results). how=none never does anything wrong, and neither does a pool
 * made for fewer than `min_threads` threads (so one benchmark of a group
 * can finish before the next one dies). Pool creation always succeeds,
 * so the plan (which creates every configuration once) passes.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "allocators/register.h"

enum { HOW_NONE, HOW_SEGV, HOW_ABORT, HOW_HANG, HOW_EXIT };

static const char *const crash_hows[] = { "none", "segv", "abort", "hang",
					  "exit", NULL };

static const struct pb_option_spec crash_options[] = {
	{ .key = "how", .type = PB_OPT_ENUM, .def = HOW_SEGV,
	  .choices = crash_hows, .help = "what alloc does past `after`" },
	{ .key = "after", .type = PB_OPT_UINT, .def = 1000, .min = 0,
	  .max = UINT64_MAX, .help = "objects handed out before it does it" },
	{ .key = "min_threads", .type = PB_OPT_UINT, .def = 1, .min = 1,
	  .max = 4096, .help = "pools for fewer threads never do it" },
	{ 0 }
};

struct crash_pool {
	struct pb_geometry geo;
	uint64_t how, after;
	atomic_uint_fast64_t handed_out;
};

static int crash_create(const struct pb_config *cfg, void **pool, char *err,
			size_t errlen)
{
	struct crash_pool *p;
	struct pb_geometry g;
	uint64_t opt[3];

	if (pb_options_parse(crash_options, cfg->opts, cfg->nr_opts, opt,
			     "test-crash", err, errlen) ||
	    pb_config_geometry(cfg, "test-crash", &g, err, errlen))
		return -1;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "test-crash: out of memory");
		return -1;
	}
	p->geo = g;
	p->how = cfg->nr_threads >= opt[2] ? opt[0] : HOW_NONE;
	p->after = opt[1];
	*pool = p;
	return 0;
}

static void crash_destroy(void *pool)
{
	free(pool);
}

static void *crash_thread_init(void *pool, unsigned int cpu)
{
	(void)cpu;
	return pool;
}

static void crash_thread_fini(void *pool, void *ctx)
{
	(void)pool;
	(void)ctx;
}

/* Out of line: the fast path stays small. */
static __attribute__((noinline)) void crash_now(uint64_t how)
{
	switch (how) {
	case HOW_SEGV:
		*(volatile int *)(uintptr_t)0 = 1;
		break;
	case HOW_ABORT:
		abort();
	case HOW_HANG:
		for (;;)
			pause();
	case HOW_EXIT:
		exit(3);
	}
}

static inline void *crash_alloc(void *ctx)
{
	struct crash_pool *p = ctx;

	if (atomic_fetch_add_explicit(&p->handed_out, 1, memory_order_relaxed) >=
	    p->after)
		crash_now(p->how);
	if (p->geo.align)
		return aligned_alloc(p->geo.align, p->geo.size);
	return malloc(p->geo.size);
}

static inline void crash_free(void *ctx, void *obj)
{
	(void)ctx;
	free(obj);
}

PB_BACKEND_REGISTER(crashing, crash_alloc, crash_free,
	.name = "test-crash",
	.description = "test only: malloc that crashes, aborts, hangs or exits after `after` objects",
	.options = crash_options,
	.create = crash_create,
	.destroy = crash_destroy,
	.thread_init = crash_thread_init,
	.thread_fini = crash_thread_fini,
)
