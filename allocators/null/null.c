// SPDX-License-Identifier: GPL-2.0-only
/*
 * null.c - the measuring baseline: no allocator work at all.
 *
 * Every ctx owns one preallocated object; alloc hands that object back, free
 * does nothing. What a workload costs on `null` is the harness's own cost
 * per operation (the loop, the ring array, the compiler barrier), measured in
 * every run so the other backends' figures can be read against it.
 *
 * It is not an allocator: the same object comes back on every alloc of a
 * ctx (flag PB_BACKEND_BASELINE), and the conformance suite checks exactly
 * that contract. Both context modes are served by the same code: there is no
 * shared state to protect.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/register.h"

struct null_pool {
	size_t size;
	size_t align;
};

struct null_ctx {
	void *obj;
};

static int null_create(const struct pb_config *cfg, void **pool, char *err,
		       size_t errlen)
{
	struct null_pool *p;
	struct pb_geometry g;
	uint64_t none[1];

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, "null", err,
			     errlen))
		return -1;
	if (pb_config_geometry(cfg, "null", &g, err, errlen))
		return -1;
	p = malloc(sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "null: out of memory");
		return -1;
	}
	p->size = g.size;
	p->align = g.align ? g.align : alignof(max_align_t);
	*pool = p;
	return 0;
}

static void null_destroy(void *pool)
{
	free(pool);
}

static void *null_thread_init(void *pool, unsigned int cpu)
{
	struct null_pool *p = pool;
	struct null_ctx *ctx;
	size_t size = (p->size + p->align - 1) & ~(p->align - 1);

	(void)cpu;
	ctx = malloc(sizeof(*ctx));
	if (!ctx)
		return NULL;
	if (posix_memalign(&ctx->obj, p->align, size)) {
		free(ctx);
		return NULL;
	}
	memset(ctx->obj, 0, size);
	return ctx;
}

static void null_thread_fini(void *pool, void *ctx_)
{
	struct null_ctx *ctx = ctx_;

	(void)pool;
	free(ctx->obj);
	free(ctx);
}

/* null_alloc() - the ctx's object. Only the owner of @ctx calls it. */
static inline void *null_alloc(void *ctx)
{
	return ((struct null_ctx *)ctx)->obj;
}

static inline void null_free(void *ctx, void *obj)
{
	(void)ctx;
	(void)obj;
}

PB_BACKEND_REGISTER(null, null_alloc, null_free,
	.name = "null",
	.description = "baseline: hands back one preallocated object per thread; "
		       "measures the harness's own cost",
	.flags = PB_BACKEND_BASELINE,
	.create = null_create,
	.destroy = null_destroy,
	.thread_init = null_thread_init,
	.thread_fini = null_thread_fini,
)
