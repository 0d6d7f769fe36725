// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu_mempool.c - the backend "percpu-mempool": seed 004's percpu
 * mempool, a mempool_t (mempool.h) whose backing allocator is a percpu
 * allocator (pcpu.h: percpu-bitmap by default, percpu-areamap by
 * backing=). Each object is a percpu area: per_cpu_ptr() gives each CPU's
 * copy.
 *
 * Design (REFERENCE §7, seed 004): percpu allocation may sleep (chunk
 * creation, page population), so seed 004's alloc_fn refuses every request
 * that may not (anything short of GFP_KERNEL), and ours refuses every
 * request without PB_GFP_WAIT. mempool_alloc() offers its backing a
 * non-waiting request first, so every allocation takes the reserve first:
 *   alloc=atomic    (default) PB_GFP_ATOMIC: the reserve only, NULL when
 *                   it is empty.
 *   alloc=may-block PB_GFP_WAIT: the reserve; when it is empty, the percpu
 *                   allocator (the waiting retry); then a bounded wait for
 *                   a free.
 * Frees top the reserve up to min_nr before the percpu allocator gets
 * anything back. Below low_mark the reserve is refilled to min_nr:
 *   refill=async    (default) atomic mode: by the pool's worker thread,
 *                   scheduled by the allocation that left the reserve
 *                   below low_mark (the kernel's work item, refill(gfp)
 *                   without GFP_KERNEL). A may-block pool has no worker:
 *                   its callers allocate from the percpu allocator
 *                   themselves once the reserve is empty.
 *   refill=sync     either mode: by the allocating thread itself right
 *                   after its alloc, as a caller that may sleep and
 *                   watches nr_elems does (refill(GFP_KERNEL)).
 * The reserve is 64 objects refilled below 32 by default, whatever the
 * workload's capacity (mempool_backend.h says why). nr_elems (the reserve
 * level) is the reserve_level statistic; reserve_hits count allocations
 * the reserve served, backing_allocs the percpu allocations (by a may-block
 * caller's retry, or by a refill: refills counts refill runs).
 *
 * Suits: what a reserve in front of the percpu allocator costs against
 * direct percpu allocation (the percpu-bitmap backend), and whether an
 * atomic consumer outruns the refill.
 * Limits: one mutex for the reserve and the percpu allocator's own lock
 * behind it; the reserve is a LIFO, so its objects are scattered over
 * chunks like the percpu allocator left them. An atomic consumer that
 * holds more than min_nr objects at once depends on the refill keeping up,
 * which only refill=sync guarantees: alloc=atomic with refill=async (or
 * low_mark=0) refuses a capacity above min_nr as unsupported (the harness
 * skips that point) rather than fail when it outruns the worker.
 *
 * Userspace against the kernel: the refill worker is a thread, scheduled
 * by the pool at the low mark rather than by the caller (mempool.h); the
 * percpu allocator never sleeps here (no page population), but is refused
 * to callers that may not wait all the same, as seed 004 refuses it.
 *
 * Context modes: all state is under the mempool's mutex and the percpu
 * allocator's lock; exclusive and shared run the same code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/mempool/mempool_backend.h"
#include "allocators/percpu/pcpu.h"
#include "allocators/register.h"

#define PM_NAME "percpu-mempool"
#define PM_MAX_WAIT_MS UINT64_C(600000)

/* struct pm_pool - a pool; also the backing's pool_data. Read-only after create. */
struct pm_pool {
	struct pb_mempool *mp;
	struct pb_pcpu_pool *pp;	/* the percpu allocator, fixed size */
	unsigned int gfp;	/* PB_GFP_ATOMIC or PB_GFP_WAIT */
	bool sync_refill;	/* atomic: the allocating thread refills */
	size_t low_mark;
};

/*
 * The percpu backing, seed 004's percpu_mempool_alloc_fn: a request that
 * may not wait is refused without calling the percpu allocator, so that
 * mempool_alloc() falls back on the reserve. The percpu allocator takes
 * its own lock.
 */
static void *pm_backing_alloc(unsigned int gfp, void *pool_data)
{
	const struct pb_pcpu_pool *pp = ((const struct pm_pool *)pool_data)->pp;

	if (!(gfp & PB_GFP_WAIT))
		return NULL;
	return pp->ops->alloc(pp->a, pp->size, pp->align);
}

static void pm_backing_free(void *elem, void *pool_data)
{
	const struct pb_pcpu_pool *pp = ((const struct pm_pool *)pool_data)->pp;

	if (pp->ops->free(pp->a, elem))
		abort();	/* an element the percpu allocator never gave */
}

static const char *const pm_alloc_modes[] = { "atomic", "may-block", NULL };
enum { PM_ATOMIC, PM_MAY_BLOCK };
static const char *const pm_refill_modes[] = { "async", "sync", NULL };
enum { PM_ASYNC, PM_SYNC };

enum { OPT_MIN_NR, OPT_ALLOC, OPT_REFILL, OPT_BACKING, OPT_LOW_MARK,
       OPT_WAIT_MS, OPT_UNIT_SIZE, OPT__COUNT };

static const struct pb_option_spec pm_options[] = {
	[OPT_MIN_NR] = { .key = "min_nr", .type = PB_OPT_UINT,
			 .def = PB_MEMPOOL_DFL_MIN_NR, .min = 1,
			 .max = PB_MEMPOOL_MAX_MIN_NR,
			 .help = "reserved objects, filled at create; not derived "
				 "from the workload's capacity" },
	[OPT_ALLOC] = { .key = "alloc", .type = PB_OPT_ENUM, .def = PM_ATOMIC,
			.choices = pm_alloc_modes,
			.help = "atomic (reserve only, seed 004) or may-block (reserve, "
				"then the percpu allocator when it is empty)" },
	[OPT_REFILL] = { .key = "refill", .type = PB_OPT_ENUM, .def = PM_ASYNC,
			 .choices = pm_refill_modes,
			 .help = "below low_mark, async (atomic: worker thread; "
				 "may-block: none) or sync (the allocating thread)" },
	[OPT_BACKING] = { .key = "backing", .type = PB_OPT_NAME,
			  .def_name = "percpu-bitmap",
			  .help = "percpu allocator behind the reserve (pcpu.h "
				  "registry: percpu-bitmap, percpu-areamap)" },
	[OPT_LOW_MARK] = { .key = "low_mark", .type = PB_OPT_UINT,
			   .def = PB_MEMPOOL_DFL_LOW_MARK,
			   .max = PB_MEMPOOL_MAX_MIN_NR,
			   .help = "refill the reserve once it is below this level; at "
				   "most min_nr; 0: never" },
	[OPT_WAIT_MS] = { .key = "wait_ms", .type = PB_OPT_UINT,
			  .def = PB_MEMPOOL_WAIT_MS_DEFAULT, .max = PM_MAX_WAIT_MS,
			  .help = "may-block: total sleep for a free before NULL; 0: never sleep" },
	[OPT_UNIT_SIZE] = { .key = "unit_size", .type = PB_OPT_UINT, .max = 1u << 28,
			    .help = "the percpu allocator's unit size; 0: its default" },
	[OPT__COUNT] = { 0 },
};

static void pm_release(struct pm_pool *p)
{
	if (p->mp)
		pb_mempool_destroy(p->mp);
	if (p->pp)
		pb_pcpu_pool_destroy(p->pp);
	free(p);
}

static int pm_backing_find(const char *name, const struct pb_pcpu_ops **ops,
			   char *err, size_t errlen)
{
	size_t off;

	*ops = pb_pcpu_find(name);
	if (*ops)
		return 0;
	off = (size_t)snprintf(err, errlen, PM_NAME ": unknown backing '%s' "
			       "(valid:", name);
	for (size_t i = 0; i < pb_pcpu_count() && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, "%s %s",
					i ? "," : "", pb_pcpu_at(i)->name);
	if (off < errlen)
		snprintf(err + off, errlen - off, ")");
	return -1;
}

static int pm_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	struct pb_mempool_params params;
	struct pb_pcpu_config pc = { .nr_units = cfg->nr_cpus };
	const struct pb_pcpu_ops *ops;
	uint64_t v[OPT__COUNT];
	struct pm_pool *p;
	uint64_t min_nr, low_mark;
	char why[200];

	if (pb_options_parse(pm_options, cfg->opts, cfg->nr_opts, v, PM_NAME,
			     err, errlen) ||
	    pm_backing_find(pb_option_name(v[OPT_BACKING]), &ops, err, errlen))
		return -1;
	min_nr = v[OPT_MIN_NR];
	low_mark = v[OPT_LOW_MARK];
	if (pb_mempool_check_levels(PM_NAME, min_nr, low_mark, err, errlen))
		return -1;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, PM_NAME ": out of memory");
		return -1;
	}
	pc.unit_size = v[OPT_UNIT_SIZE];
	if (pb_pcpu_pool_create(ops, cfg, &pc, &p->pp, why, sizeof(why))) {
		snprintf(err, errlen, PM_NAME ": %s", why);
		p->pp = NULL;
		pm_release(p);
		return -1;
	}
	if (v[OPT_ALLOC] == PM_ATOMIC &&
	    (v[OPT_REFILL] == PM_ASYNC || !low_mark) && cfg->capacity > min_nr) {
		/*
		 * Nothing but the reserve serves an atomic caller, and nothing
		 * but the worker refills it, which may fall behind: the
		 * capacity is guaranteed only when the reserve covers it.
		 */
		snprintf(err, errlen,
			 PM_NAME ": alloc=atomic with %s serves its reserve only: "
			 "capacity %zu exceeds min_nr=%llu; give min_nr>=%zu, or "
			 "refill=sync",
			 low_mark ? "refill=async" : "low_mark=0", cfg->capacity,
			 (unsigned long long)min_nr, cfg->capacity);
		pm_release(p);
		return PB_CREATE_UNSUPPORTED;
	}
	p->gfp = v[OPT_ALLOC] == PM_ATOMIC ? PB_GFP_ATOMIC : PB_GFP_WAIT;
	p->sync_refill = v[OPT_REFILL] == PM_SYNC;
	p->low_mark = low_mark;
	params = (struct pb_mempool_params){
		.low_mark = low_mark,
		.wait_ms = (unsigned int)v[OPT_WAIT_MS],
		/* The worker only for atomic pools that refill asynchronously. */
		.async_refill = v[OPT_ALLOC] == PM_ATOMIC && !p->sync_refill,
	};
	p->mp = pb_mempool_create(min_nr, pm_backing_alloc, pm_backing_free, p,
				  &params);
	if (!p->mp) {
		snprintf(err, errlen,
			 PM_NAME ": cannot create a pool of %llu reserved objects: %s",
			 (unsigned long long)min_nr, strerror(errno));
		pm_release(p);
		return -1;
	}
	*pool = p;
	return 0;
}

static void pm_destroy(void *pool)
{
	pm_release(pool);
}

static void *pm_thread_init(void *pool, unsigned int cpu)
{
	(void)cpu;
	return pb_mempool_ctx_new(pool);
}

static void pm_thread_fini(void *pool, void *ctx)
{
	pb_mempool_ctx_free(((struct pm_pool *)pool)->mp, ctx);
}

/* The sync refill: the allocating thread tops the reserve up (may sleep). */
static __attribute__((noinline)) void pm_refill_sync(struct pm_pool *p)
{
	pb_mempool_refill(p->mp, PB_GFP_WAIT);
}

/* pm_alloc() - one percpu object; only the owner of @ctx_ calls it. */
static inline void *pm_alloc(void *ctx_)
{
	struct pb_mempool_ctx *ctx = ctx_;
	struct pm_pool *p = ctx->owner;
	void *obj = pb_mempool_alloc(p->mp, p->gfp, &ctx->cnt);

	if (p->sync_refill && pb_mempool_nr_elems(p->mp) < p->low_mark)
		pm_refill_sync(p);
	return obj;
}

/* pm_free() - @obj may come from any ctx of the pool. */
static inline void pm_free(void *ctx_, void *obj)
{
	struct pb_mempool_ctx *ctx = ctx_;

	pb_mempool_free(((const struct pm_pool *)ctx->owner)->mp, obj, &ctx->cnt);
}

static void *pm_per_cpu_ptr(void *pool, void *obj, unsigned int cpu)
{
	struct pm_pool *p = pool;

	return pb_pcpu_pool_per_cpu_ptr(p->pp, obj, cpu);
}

static void pm_stats(void *pool, struct pb_stats *st)
{
	struct pm_pool *p = pool;
	struct pb_pcpu_stats ps;

	p->pp->ops->stats(p->pp->a, &ps);
	pb_mempool_report(p->mp, sizeof(*p) + ps.metadata_bytes, st);
	pb_stats_set(st, PB_STAT_chunks, ps.chunks);
	pb_stats_set(st, PB_STAT_chunks_released, ps.chunks_released);
}

/* The percpu allocator's deferred chunk release (pcpu_balance_workfn). */
static void pm_balance(void *pool)
{
	struct pm_pool *p = pool;

	pb_pcpu_pool_balance(p->pp);
}

/*
 * The defaults (alloc=atomic refill=async) refuse the suites' capacities
 * (up to 512) with a 64-object reserve: min_nr=1024 runs them, and
 * low_mark=1024 makes every take schedule the worker, so that it refills
 * beside the users.
 */
static const char *const pm_variants[] = { "alloc=may-block", "refill=sync",
					   "backing=percpu-areamap;min_nr=1024",
					   "min_nr=1024;low_mark=1024", NULL };

PB_BACKEND_REGISTER(percpu_mempool, pm_alloc, pm_free,
	.name = PM_NAME,
	.description = "percpu mempool (seed 004): mempool_t reserve over the "
		       "percpu allocator, always taken first; atomic callers "
		       "use the reserve only, async or sync refill",
	.flags = PB_BACKEND_PERCPU,
	.options = pm_options,
	.variants = pm_variants,
	.create = pm_create,
	.destroy = pm_destroy,
	.thread_init = pm_thread_init,
	.thread_fini = pm_thread_fini,
	.per_cpu_ptr = pm_per_cpu_ptr,
	.stats = pm_stats,
	.balance = pm_balance,
)
