// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpdk_mempool.c - the backend "dpdk-mempool": DPDK's rte_mempool (DPDK
 * 22.11) as it ships: rte_mempool_create() with the default ring driver
 * (ops "ring_mp_mc": one MPMC rte_ring of free objects) and a per-lcore
 * object cache in front of it, DPDK's own per-core cache design.
 *
 * The cache. The option `cache` (objects, 0..RTE_MEMPOOL_CACHE_MAX_SIZE,
 * default 256; 0: none, every op goes to the ring) sizes it, and
 * `cache_kind` picks whose it is:
 *   lcore (default)  the per-lcore cache built into the mempool. Worker
 *                    threads are not EAL lcores: thread_init registers the
 *                    calling thread (rte_thread_register(), which gives it
 *                    an lcore id and does not change its affinity), as a
 *                    DPDK application's non-EAL thread must to get a cache;
 *                    thread_fini flushes that cache back to the ring and
 *                    unregisters the thread (after its last ctx). This is
 *                    the default because it is what a DPDK application's
 *                    threads use (rte_mempool_get/put).
 *   user             a cache of the ctx's own (rte_mempool_cache_create),
 *                    passed to rte_mempool_generic_get/put: the explicit
 *                    alternative for threads without an lcore, and one of
 *                    mempool_perf_autotest's modes; flushed and freed in
 *                    thread_fini.
 * Either way the ctx keeps the cache pointer and calls
 * rte_mempool_generic_get/put with it: that is rte_mempool_get/put minus
 * looking up rte_lcore_id() in EAL's thread-local storage on every call,
 * the same cache and the same code.
 *
 * Context modes. DPDK's cache belongs to an lcore, that is to a thread
 * (ctx), not to a CPU: there is nothing per CPU slot to protect, so both
 * modes run the same code.
 *
 * Capacity. A free object may sit in any ctx's cache, where other ctxs
 * cannot reach it: DPDK's get does not look into other lcores' caches.
 * A cache holds at most its flush threshold, 1.5 x `cache` (DPDK's
 * CACHE_FLUSHTHRESH_MULTIPLIER; checked after create): a put that would
 * go past it flushes the cache to the ring first, a get refills it to
 * `cache` at most. So the mempool holds
 *     n = capacity + K x flush threshold,   K = max(nr_threads, nr_cpus),
 * objects: with at most capacity live and the other K - 1 caches full, the
 * ring still holds what an alloc of up to the free room asks beyond its
 * own cache (a get of more than the cache holds takes the rest from the
 * ring directly when the refill cannot be had), whatever the bulk size.
 * thread_init refuses a ctx past K live ones (the bound would not hold);
 * the statistics show it: `cached` (free objects in the ring and the lcore
 * caches at the end: n once all is freed) and `metadata_bytes` (the
 * mempool and ring memzones and the per-object headers). Not
 * PB_BACKEND_FIXED: it serves at least capacity objects, not exactly.
 *
 * Bulk. rte_mempool_get_bulk is all-or-nothing: alloc_bulk(n) returns n,
 * or 0 when the pool cannot serve all n (past its room only; the harness
 * never asks that of a pool that is not fixed).
 *
 * The driver: create checks that the mempool got the ops "ring_mp_mc"
 * (librte_mempool_ring, linked by name: no plugin folder is scanned).
 *
 * Geometry. elt_size is obj_size rounded up to the alignment; DPDK puts a
 * header before each object and aligns objects to the cache line
 * (RTE_CACHE_LINE_SIZE, 64): alignments above that are answered
 * PB_CREATE_UNSUPPORTED. The memory is EAL's, in 4 KB pages (eal.c), not
 * hugepages: a difference from a DPDK deployment.
 *
 * Concurrency contract: alloc/free only by the ctx's thread (the cache is
 * unlocked), an object freed through any ctx; thread_init/fini from any
 * thread, concurrently (EAL's lcore registration takes its own lock); an
 * lcore's registration belongs to the thread: released by the thread's
 * last ctx when finalised on that thread (a ctx finalised elsewhere
 * leaves it registered, as no thread can unregister another).
 *
 * rte_memcpy (x86), which rte_mempool.h's inline cache code calls, needs
 * SSSE3; the project builds for baseline x86-64, so this file alone is
 * compiled for SSSE3 (present on every x86-64 CPU since 2006), as DPDK's
 * own build (-march=corei7) would.
 */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("ssse3"))), \
			     apply_to = function)
#elif defined(__x86_64__)
#pragma GCC target("ssse3")
#endif

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "allocators/peers/dpdk/eal.h"
#include "allocators/register.h"

#define DM_NAME "dpdk-mempool"
#define DM_CACHELINE 64

enum { DM_LCORE, DM_USER };

static const char *const dm_kinds[] = { "lcore", "user", NULL };

enum { OPT_CACHE, OPT_KIND, OPT__COUNT };

static const struct pb_option_spec dm_options[] = {
	[OPT_CACHE] = { .key = "cache", .type = PB_OPT_UINT, .def = 256,
			.min = 0, .max = RTE_MEMPOOL_CACHE_MAX_SIZE,
			.help = "objects in each cache (0: no cache, every op "
				"on the ring)" },
	[OPT_KIND] = { .key = "cache_kind", .type = PB_OPT_ENUM,
		       .def = DM_LCORE, .choices = dm_kinds,
		       .help = "lcore: the registered thread's per-lcore "
			       "cache; user: a cache per ctx "
			       "(rte_mempool_cache_create)" },
	[OPT__COUNT] = { 0 }
};

static const char *const dm_variants[] = { "cache=0", "cache_kind=user",
					   NULL };

/* Mempool names are unique per process (EAL's tailq): a counter. */
static atomic_uint dm_next_id;

/*
 * The calling thread's registration as a non-EAL lcore, shared by every
 * ctx (of any dpdk-mempool pool) it registered: released after the last.
 */
static __thread bool dm_thread_registered;
static __thread unsigned int dm_thread_ctxs;

struct dm_pool {
	struct rte_mempool *mp;
	unsigned int cache, kind;
	unsigned int max_ctxs;		/* K: the caches n was sized for */
	atomic_uint nr_ctxs;		/* live ctxs */
	_Atomic uint64_t allocs, fails;	/* totals of finished ctxs */
};

/* Counts are the ctx's own, added to the pool's at thread_fini. */
struct dm_ctx {
	struct rte_mempool *mp;
	struct rte_mempool_cache *cache;	/* NULL: cache=0 */
	uint64_t allocs, fails;
	struct dm_pool *p;
	pthread_t owner;
	bool registered;	/* holds a count of dm_thread_ctxs */
} __attribute__((aligned(DM_CACHELINE)));

/* ---- fast paths: the ctx's thread only --------------------------------- */

/* dm_alloc() - one object; NULL only past the pool's room. */
static inline void *dm_alloc(void *ctx)
{
	struct dm_ctx *c = ctx;
	void *obj;

	if (unlikely(rte_mempool_generic_get(c->mp, &obj, 1, c->cache) < 0)) {
		c->fails++;
		return NULL;
	}
	c->allocs++;
	pb_dpdk_tsan_acquire(&obj, 1);
	return obj;
}

/* dm_free() - any object of the pool, whichever ctx allocated it. */
static inline void dm_free(void *ctx, void *obj)
{
	struct dm_ctx *c = ctx;

	pb_dpdk_tsan_release(&obj, 1);
	rte_mempool_generic_put(c->mp, &obj, 1, c->cache);
}

/* dm_alloc_bulk() - all @n, or 0 (DPDK's get is all-or-nothing). */
static inline size_t dm_alloc_bulk(void *ctx, void **objs, size_t n)
{
	struct dm_ctx *c = ctx;

	if (unlikely(n > UINT32_MAX ||
		     rte_mempool_generic_get(c->mp, objs, (unsigned int)n,
					     c->cache) < 0)) {
		c->fails++;
		return 0;
	}
	c->allocs += n;
	pb_dpdk_tsan_acquire(objs, n);
	return n;
}

static inline void dm_free_bulk(void *ctx, void **objs, size_t n)
{
	struct dm_ctx *c = ctx;

	pb_dpdk_tsan_release(objs, n);
	rte_mempool_generic_put(c->mp, objs, (unsigned int)n, c->cache);
}

/* ---- create / destroy --------------------------------------------------- */

/* DPDK's flush threshold of a cache of @size (rte_mempool.c). */
static unsigned int dm_flushthresh(unsigned int size)
{
	return size * 3 / 2;
}

static int dm_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int k, ft, cache;
	uint64_t opt[OPT__COUNT];
	int rc;
	struct pb_geometry g;
	struct dm_pool *p;
	const char *ops;
	size_t n;

	if (pb_options_parse(dm_options, cfg->opts, cfg->nr_opts, opt, DM_NAME,
			     err, errlen) ||
	    pb_config_geometry(cfg, DM_NAME, &g, err, errlen))
		return -1;
	if (cfg->align > RTE_MEMPOOL_ALIGN) {
		snprintf(err, errlen, DM_NAME ": align %zu: DPDK aligns "
			 "objects to the cache line (%d), not more",
			 cfg->align, RTE_MEMPOOL_ALIGN);
		return PB_CREATE_UNSUPPORTED;
	}
	cache = (unsigned int)opt[OPT_CACHE];
	ft = dm_flushthresh(cache);
	k = cfg->nr_threads > cfg->nr_cpus ? cfg->nr_threads : cfg->nr_cpus;
	k = k ? k : 1;
	if (!cfg->capacity || cfg->capacity > UINT32_MAX / 2 ||
	    g.size > UINT32_MAX / 2 ||
	    (size_t)k * ft > UINT32_MAX / 2 - cfg->capacity) {
		snprintf(err, errlen, DM_NAME ": capacity %zu (obj_size %zu, "
			 "%u caches of %u): out of range", cfg->capacity,
			 cfg->obj_size, k, ft);
		return -1;
	}
	rc = pb_dpdk_eal_start(err, errlen);
	if (rc)
		return rc == -EINVAL ? -1 : PB_CREATE_UNSUPPORTED;
	n = cfg->capacity + (size_t)k * ft;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, DM_NAME ": out of memory");
		return -1;
	}
	p->cache = cache;
	p->kind = (unsigned int)opt[OPT_KIND];
	p->max_ctxs = k;
	snprintf(name, sizeof(name), "pb-mp-%u",
		 atomic_fetch_add(&dm_next_id, 1));
	/* cache_kind=user: the mempool's own lcore caches stay unused. */
	p->mp = rte_mempool_create(name, (unsigned int)n,
				   (unsigned int)(g.size ? g.size : 1),
				   p->kind == DM_LCORE ? cache : 0, 0, NULL,
				   NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	if (!p->mp) {
		snprintf(err, errlen, DM_NAME ": rte_mempool_create(capacity "
			 "%zu + %u caches of %u, obj_size %zu): %s (EAL "
			 "memory: PB_DPDK_EAL_MEM_MB)", cfg->capacity, k, ft,
			 cfg->obj_size, rte_strerror(rte_errno));
		free(p);
		return PB_CREATE_UNSUPPORTED;
	}
	/* The driver this backend is: linked in, not found in a plugin. */
	ops = rte_mempool_get_ops(p->mp->ops_index)->name;
	if (strcmp(ops, "ring_mp_mc")) {
		snprintf(err, errlen, DM_NAME ": mempool ops '%s', not "
			 "ring_mp_mc", ops);
		rte_mempool_free(p->mp);
		free(p);
		return -1;
	}
	if (p->kind == DM_LCORE && cache &&
	    rte_mempool_default_cache(p->mp, 0)->flushthresh > ft) {
		snprintf(err, errlen, DM_NAME ": cache flush threshold %u, "
			 "not the %u the pool was sized for",
			 rte_mempool_default_cache(p->mp, 0)->flushthresh, ft);
		rte_mempool_free(p->mp);
		free(p);
		return -1;
	}
	*pool = p;
	return 0;
}

/* Live objects at destroy break the contract; their memory goes anyway. */
static void dm_destroy(void *pool)
{
	struct dm_pool *p = pool;

	rte_mempool_free(p->mp);
	free(p);
}

/* ---- ctxs --------------------------------------------------------------- */

/*
 * The calling thread's lcore cache, registering the thread first unless
 * it is an lcore already (EAL's main thread, or registered by another
 * ctx). NULL with the reason given when registration fails.
 */
static struct rte_mempool_cache *dm_lcore_cache(struct dm_ctx *c)
{
	if (rte_lcore_id() == LCORE_ID_ANY) {
		if (rte_thread_register()) {
			pb_thread_init_error(DM_NAME ": rte_thread_register: "
					     "%s", rte_strerror(rte_errno));
			return NULL;
		}
		dm_thread_registered = true;
		dm_thread_ctxs = 0;
	}
	if (dm_thread_registered) {
		dm_thread_ctxs++;
		c->registered = true;
	}
	return rte_mempool_default_cache(c->mp, rte_lcore_id());
}

static void *dm_thread_init(void *pool, unsigned int cpu)
{
	struct dm_pool *p = pool;
	struct dm_ctx *c;

	(void)cpu;	/* the cache is per thread, not per CPU slot */
	if (atomic_fetch_add(&p->nr_ctxs, 1) >= p->max_ctxs) {
		atomic_fetch_sub(&p->nr_ctxs, 1);
		pb_thread_init_error(DM_NAME ": more than %u ctxs at once: "
				     "the pool holds room for max(nr_threads, "
				     "nr_cpus) caches", p->max_ctxs);
		return NULL;
	}
	c = aligned_alloc(DM_CACHELINE, sizeof(*c));
	if (!c) {
		pb_thread_init_error(DM_NAME ": out of memory");
		goto fail;
	}
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->mp = p->mp;
	c->owner = pthread_self();
	if (!p->cache)
		return c;
	c->cache = p->kind == DM_LCORE ?
		dm_lcore_cache(c) :
		rte_mempool_cache_create(p->cache, SOCKET_ID_ANY);
	if (!c->cache) {
		if (p->kind == DM_USER)
			pb_thread_init_error(DM_NAME ": rte_mempool_cache_"
					     "create: %s",
					     rte_strerror(rte_errno));
		free(c);
		goto fail;
	}
	/* The cache's last user (another thread) released it: see fini. */
	pb_dpdk_tsan_acquire((void **)&c->cache, 1);
	return c;
fail:
	atomic_fetch_sub(&p->nr_ctxs, 1);
	return NULL;
}

/*
 * Objects this ctx allocated may still be live: only the cache goes back.
 * An lcore's registration is the thread's: released by the thread's last
 * ctx, when finalised on that thread (a ctx finalised elsewhere leaves its
 * thread registered, as it cannot unregister another thread).
 */
static void dm_thread_fini(void *pool, void *ctx)
{
	struct dm_pool *p = pool;
	struct dm_ctx *c = ctx;

	if (c->cache) {
		rte_mempool_cache_flush(c->cache, c->mp);
		/*
		 * EAL hands the same lcore id (or rte_malloc the same user
		 * cache memory) to another thread next, through locks TSan
		 * does not see.
		 */
		pb_dpdk_tsan_release((void **)&c->cache, 1);
		if (p->kind == DM_USER)
			rte_mempool_cache_free(c->cache);
	}
	if (c->registered && pthread_equal(c->owner, pthread_self()) &&
	    !--dm_thread_ctxs) {
		rte_thread_unregister();
		dm_thread_registered = false;
	}
	atomic_fetch_add_explicit(&p->allocs, c->allocs, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->fails, c->fails, memory_order_relaxed);
	atomic_fetch_sub(&p->nr_ctxs, 1);
	free(c);
}

static void dm_stats(void *pool, struct pb_stats *st)
{
	struct dm_pool *p = pool;
	struct rte_mempool *mp = p->mp;
	const struct rte_ring *r = mp->pool_data;

	pb_stats_set(st, PB_STAT_fast_hits, atomic_load(&p->allocs));
	pb_stats_set(st, PB_STAT_alloc_fails, atomic_load(&p->fails));
	pb_stats_set(st, PB_STAT_cached, rte_mempool_avail_count(mp));
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     sizeof(*p) + mp->mz->len + r->memzone->len +
		     (size_t)mp->size * (mp->header_size + mp->trailer_size));
}

PB_BACKEND_REGISTER_BULK(dpdk_mempool, dm_alloc, dm_free, dm_alloc_bulk,
			 dm_free_bulk,
	.name = DM_NAME,
	.flags = PB_BACKEND_PEER,
	.description = "DPDK rte_mempool: ring_mp_mc ops behind a per-lcore "
		       "(or per-ctx user) object cache",
	.options = dm_options,
	.variants = dm_variants,
	.create = dm_create,
	.destroy = dm_destroy,
	.thread_init = dm_thread_init,
	.thread_fini = dm_thread_fini,
	.stats = dm_stats,
)

#if defined(__clang__)
#pragma clang attribute pop
#endif
