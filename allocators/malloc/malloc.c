// SPDX-License-Identifier: GPL-2.0-only
/*
 * malloc.c - the process's malloc/free as a backend.
 *
 * The general-purpose allocator the kernel designs are compared against.
 * Which malloc that is depends on the process: glibc by default, or another
 * general allocator injected with LD_PRELOAD. Objects are obj_size bytes;
 * when the requested alignment exceeds what malloc guarantees
 * (alignof(max_align_t)), aligned_alloc is used with the size rounded up to
 * the alignment, as C11 requires.
 *
 * No per-thread state: the ctx is the pool, and both context modes run the
 * same code (malloc does its own per-thread caching and locking).
 */
#include <stdio.h>
#include <stdlib.h>

#include "allocators/register.h"

struct malloc_pool {
	struct pb_geometry geo;	/* align 0: plain malloc */
};

static int malloc_create(const struct pb_config *cfg, void **pool, char *err,
			 size_t errlen)
{
	struct malloc_pool *p;
	struct pb_geometry g;
	uint64_t none[1];

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, "malloc",
			     err, errlen))
		return -1;
	if (pb_config_geometry(cfg, "malloc", &g, err, errlen))
		return -1;
	p = malloc(sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "malloc: out of memory");
		return -1;
	}
	p->geo = g;
	*pool = p;
	return 0;
}

static void malloc_destroy(void *pool)
{
	free(pool);
}

/* malloc_alloc() - any thread; malloc is thread-safe. */
static inline void *malloc_alloc(void *ctx)
{
	const struct malloc_pool *p = ctx;

	if (unlikely(p->geo.align))
		return aligned_alloc(p->geo.align, p->geo.size);
	return malloc(p->geo.size);
}

static inline void malloc_free(void *ctx, void *obj)
{
	(void)ctx;
	free(obj);
}

PB_BACKEND_REGISTER(malloc, malloc_alloc, malloc_free,
	.name = "malloc",
	.description = "the process's malloc/free (glibc, or a general allocator "
		       "under LD_PRELOAD)",
	.create = malloc_create,
	.destroy = malloc_destroy,
)
