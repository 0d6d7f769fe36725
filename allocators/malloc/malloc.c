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
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>

#include "allocators/backend.h"

struct malloc_pool {
	size_t size;		/* bytes passed to malloc/aligned_alloc */
	size_t align;		/* 0: plain malloc */
};

static int malloc_create(const struct pb_config *cfg, void **pool, char *err,
			 size_t errlen)
{
	struct malloc_pool *p;
	uint64_t none[1];

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, "malloc",
			     err, errlen))
		return -1;
	if (!cfg->obj_size) {
		snprintf(err, errlen, "malloc: obj_size must be at least 1");
		return -1;
	}
	if (cfg->align & (cfg->align - 1)) {
		snprintf(err, errlen, "malloc: align %zu is not a power of two",
			 cfg->align);
		return -1;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "malloc: out of memory");
		return -1;
	}
	if (cfg->align > alignof(max_align_t)) {
		p->align = cfg->align;
		p->size = (cfg->obj_size + cfg->align - 1) & ~(cfg->align - 1);
	} else {
		p->align = 0;
		p->size = cfg->obj_size;
	}
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

	if (unlikely(p->align))
		return aligned_alloc(p->align, p->size);
	return malloc(p->size);
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
