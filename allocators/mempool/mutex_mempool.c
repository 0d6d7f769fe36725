// SPDX-License-Identifier: GPL-2.0-only
/*
 * mutex_mempool.c - the backend "mutex-mempool": a mempool_t (mempool.h)
 * over a backing allocator, measured as an allocator.
 *
 * Design: one pb_mempool per pool with a reserve of min_nr objects (64 by
 * default, whatever the workload's capacity; mempool_backend.h says why).
 * Every allocation follows mm/mempool.c: the backing allocator first, told
 * not to wait; the reserve when it fails; then what the mode allows:
 *   alloc=may-block  PB_GFP_WAIT: the backing allocator again, waiting
 *                    allowed, then a sleep of at most wait_ms for a free.
 *   alloc=atomic     PB_GFP_ATOMIC: NULL. Only this mode gives the pool a
 *                    refill worker, scheduled when an allocation leaves
 *                    the reserve below low_mark (32 by default; seed 004's
 *                    refill).
 * The backing allocator is picked from a table (backing=); malloc serves
 * every request, waiting allowed or not, so in both modes the reserve is
 * touched only when malloc fails, and the worker is never woken while it
 * does not.
 *
 * Suits: showing what a lock-protected reserve costs in front of an
 * allocator, and how a caller fares when the backing allocator fails.
 * Limits: every reserve access takes one mutex shared by all threads; with
 * a healthy malloc backing both modes measure malloc plus an indirect call
 * and the free path's unlocked look at the reserve level (full, so the
 * object goes back to malloc).
 *
 * Context modes: the mempool is fully protected by its mutex and keeps no
 * per-CPU state, so PB_MODE_EXCLUSIVE and PB_MODE_SHARED run the same code;
 * the mutex is the cost in both. The CPU slot of a ctx is not used.
 *
 * Lock order: only the mempool's lock (mempool.c). A ctx is its thread's
 * own: it holds that thread's statistics, added to the pool's totals at
 * thread_fini, so alloc/free write no shared line for counting.
 *
 * Userspace against the kernel: see mempool.h (a may-block alloc gives up
 * after wait_ms; the refill worker is a thread, scheduled by the pool at
 * the low mark). malloc has no non-blocking form: a request that may not
 * wait is served as one that may (a kernel slab backing would fail it
 * under memory pressure, never here).
 */
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/mempool/mempool_backend.h"
#include "allocators/register.h"

#define MM_NAME "mutex-mempool"
#define MM_MAX_WAIT_MS UINT64_C(600000)

/*
 * struct mm_pool - a pool of this backend; also the backing allocator's
 * pool_data. Read-only after create.
 */
struct mm_pool {
	struct pb_mempool *mp;
	unsigned int gfp;	/* PB_GFP_WAIT (may-block) or PB_GFP_ATOMIC */
	struct pb_geometry geo;	/* what is asked of the backing allocator */
};

/*
 * malloc backing: any thread; malloc is thread-safe. It serves every @gfp:
 * malloc cannot be told not to wait.
 */
static void *mm_malloc_alloc(unsigned int gfp, void *pool_data)
{
	const struct mm_pool *p = pool_data;

	(void)gfp;
	if (p->geo.align)
		return aligned_alloc(p->geo.align, p->geo.size);
	return malloc(p->geo.size);
}

static void mm_malloc_free(void *elem, void *pool_data)
{
	(void)pool_data;
	free(elem);
}

/* X(name, alloc_fn, free_fn): the backing allocators, in backing= order. */
#define MM_BACKINGS(X) X("malloc", mm_malloc_alloc, mm_malloc_free)

struct mm_backing {
	pb_mempool_alloc_t alloc;
	pb_mempool_free_t free;
};

#define MM_BACKING_OPS(name, alloc_fn, free_fn) { alloc_fn, free_fn },
#define MM_BACKING_NAME(name, alloc_fn, free_fn) name,
static const struct mm_backing mm_backings[] = { MM_BACKINGS(MM_BACKING_OPS) };
static const char *const mm_backing_names[] = { MM_BACKINGS(MM_BACKING_NAME) NULL };

static const char *const mm_alloc_modes[] = { "may-block", "atomic", NULL };
enum { MM_MAY_BLOCK, MM_ATOMIC };

enum { OPT_MIN_NR, OPT_ALLOC, OPT_BACKING, OPT_LOW_MARK, OPT_WAIT_MS, OPT__COUNT };

static const struct pb_option_spec mm_options[] = {
	[OPT_MIN_NR] = { .key = "min_nr", .type = PB_OPT_UINT,
			 .def = PB_MEMPOOL_DFL_MIN_NR, .min = 1,
			 .max = PB_MEMPOOL_MAX_MIN_NR,
			 .help = "reserved objects, filled at create; not derived "
				 "from the workload's capacity" },
	[OPT_ALLOC] = { .key = "alloc", .type = PB_OPT_ENUM, .def = MM_MAY_BLOCK,
			.choices = mm_alloc_modes,
			.help = "may-block (PB_GFP_WAIT) or atomic (backing without "
				"waiting, then the reserve, then NULL)" },
	[OPT_BACKING] = { .key = "backing", .type = PB_OPT_ENUM,
			  .choices = mm_backing_names,
			  .help = "backing allocator" },
	[OPT_LOW_MARK] = { .key = "low_mark", .type = PB_OPT_UINT,
			   .def = PB_MEMPOOL_DFL_LOW_MARK,
			   .max = PB_MEMPOOL_MAX_MIN_NR,
			   .help = "atomic: the worker refills the reserve once it is "
				   "below this level; at most min_nr; 0: never" },
	[OPT_WAIT_MS] = { .key = "wait_ms", .type = PB_OPT_UINT,
			  .def = PB_MEMPOOL_WAIT_MS_DEFAULT, .max = MM_MAX_WAIT_MS,
			  .help = "may-block: total sleep for a free before NULL; 0: never sleep" },
	[OPT__COUNT] = { 0 },
};

static int mm_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	const struct mm_backing *backing;
	struct pb_mempool_params params;
	uint64_t v[OPT__COUNT];
	struct mm_pool *p;
	uint64_t min_nr, low_mark;

	if (pb_options_parse(mm_options, cfg->opts, cfg->nr_opts, v, MM_NAME,
			     err, errlen))
		return -1;
	min_nr = v[OPT_MIN_NR];
	low_mark = v[OPT_LOW_MARK];
	if (pb_mempool_check_levels(MM_NAME, min_nr, low_mark, err, errlen))
		return -1;
	p = malloc(sizeof(*p));
	if (!p) {
		snprintf(err, errlen, MM_NAME ": out of memory");
		return -1;
	}
	if (pb_config_geometry(cfg, MM_NAME, &p->geo, err, errlen)) {
		free(p);
		return -1;
	}
	p->gfp = v[OPT_ALLOC] == MM_ATOMIC ? PB_GFP_ATOMIC : PB_GFP_WAIT;
	params = (struct pb_mempool_params){
		.low_mark = low_mark,
		.wait_ms = (unsigned int)v[OPT_WAIT_MS],
		/* Only atomic allocations ever schedule the worker. */
		.async_refill = v[OPT_ALLOC] == MM_ATOMIC,
	};
	backing = &mm_backings[v[OPT_BACKING]];
	p->mp = pb_mempool_create(min_nr, backing->alloc, backing->free, p,
				  &params);
	if (!p->mp) {
		snprintf(err, errlen,
			 MM_NAME ": cannot create a pool of %llu reserved objects: %s",
			 (unsigned long long)min_nr, strerror(errno));
		free(p);
		return -1;
	}
	*pool = p;
	return 0;
}

static void mm_destroy(void *pool)
{
	struct mm_pool *p = pool;

	pb_mempool_destroy(p->mp);
	free(p);
}

static void *mm_thread_init(void *pool, unsigned int cpu)
{
	(void)cpu;
	return pb_mempool_ctx_new(pool);
}

static void mm_thread_fini(void *pool, void *ctx)
{
	pb_mempool_ctx_free(((struct mm_pool *)pool)->mp, ctx);
}

/* mm_alloc() - one object; only the owner of @ctx_ calls it. */
static inline void *mm_alloc(void *ctx_)
{
	struct pb_mempool_ctx *ctx = ctx_;
	const struct mm_pool *p = ctx->owner;

	return pb_mempool_alloc(p->mp, p->gfp, &ctx->cnt);
}

/* mm_free() - @obj may come from any ctx of the pool. */
static inline void mm_free(void *ctx_, void *obj)
{
	struct pb_mempool_ctx *ctx = ctx_;

	pb_mempool_free(((const struct mm_pool *)ctx->owner)->mp, obj, &ctx->cnt);
}

static void mm_stats(void *pool, struct pb_stats *st)
{
	struct mm_pool *p = pool;

	pb_mempool_report(p->mp, sizeof(*p), st);
}

/* The atomic path (no waiting retry, a refill worker) is other code. */
static const char *const mm_variants[] = { "alloc=atomic", NULL };

PB_BACKEND_REGISTER(mutex_mempool, mm_alloc, mm_free,
	.name = MM_NAME,
	.description = "mempool_t (Linux mm/mempool.c): backing allocator "
		       "first, then a min_nr reserve under a pthread mutex; "
		       "may-block or atomic with async refill",
	.options = mm_options,
	.variants = mm_variants,
	.create = mm_create,
	.destroy = mm_destroy,
	.thread_init = mm_thread_init,
	.thread_fini = mm_thread_fini,
	.stats = mm_stats,
)
