// SPDX-License-Identifier: GPL-2.0-only
/*
 * objpool_ring.c - the backend "objpool-ring": a fixed pool of
 * cfg->capacity objects on the per-CPU rings of Linux 6.7's objpool
 * (ring.h), the design that replaced the 2021 freelist upstream. alloc
 * pops the caller's CPU slot, then the others; free pushes to the caller's
 * CPU slot, whose ring can hold every object; an empty pool returns NULL.
 *
 * Modes (the userspace hazard, ring.h's top comment): two pushes to one
 * slot must not overlap.
 *   exclusive: one pinned worker per CPU slot, so only the slot's owner
 *              pushes to it: opr_push_excl(), no protection, as the kernel
 *              with interrupts off.
 *   shared:    threads may share a slot: every push holds the slot's lock
 *              word, opr_push_locked(). Pops never lock in any mode.
 *   rseq:      unpinned threads, any number per CPU: alloc pops the slot of
 *              the CPU the thread is on (then the others, as ever), free
 *              pushes to it in a restartable sequence, opr_push_rseq(), as
 *              the kernel pushes to raw_smp_processor_id()'s slot with
 *              interrupts off. Slots exist for every possible CPU number;
 *              rseq_aborts and cpu_changes count what the mode costs.
 * The exclusive contract is guarded, not assumed: thread_init refuses a
 * second live ctx on a slot in exclusive mode (a userspace safety check the
 * kernel, whose CPU is its own, does not need; off the timed path).
 * Objects are laid out next to their slot's ring and never move; memory
 * is released only at destroy. opring_alloc() and opring_free() are
 * PB_FASTPATH, always inlined into the kernels, as objpool_pop() and
 * objpool_push() are static inline in include/linux/objpool.h.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/objpool/ring.h"
#include "allocators/register.h"

#define OPR_NAME "objpool-ring"

struct opring_pool {
	struct opr_head ring;
	bool shared, rseq;
	atomic_bool *owned;	/* exclusive mode: per slot, a live ctx holds it */
	_Atomic uint64_t local, steals, fails;	/* totals of finished ctxs */
	_Atomic uint64_t aborts, cpu_changes;
};

struct opring_ctx {
	struct opring_pool *pool;
	struct opr_slot *slot;		/* the ctx's CPU slot: pushes go here */
	unsigned int cpu;		/* rseq: the CPU of the last operation */
	bool shared, rseq;
	uint64_t local, steals, fails, aborts, cpu_changes;
} __attribute__((aligned(OPR_CACHELINE)));

/* ---- fast paths -------------------------------------------------------- */

#if PB_RSEQ_ARCH
/* rseq mode: the CPU to act on now, counting the moves. */
static inline unsigned int opring_rseq_cpu(struct opring_ctx *ctx)
{
	return pb_rseq_note_cpu(pb_rseq_cpu(), &ctx->cpu, &ctx->cpu_changes);
}
#else
static inline unsigned int opring_rseq_cpu(struct opring_ctx *ctx)
{
	return ctx->cpu;
}
#endif

PB_FASTPATH void *opring_alloc(void *ctx_)
{
	struct opring_ctx *ctx = ctx_;
	bool stolen;
	void *obj = opr_pop(&ctx->pool->ring,
			    ctx->rseq ? opring_rseq_cpu(ctx) : ctx->cpu, &stolen);

	if (unlikely(!obj)) {
		ctx->fails++;
		return NULL;
	}
	if (unlikely(stolen))
		ctx->steals++;
	else
		ctx->local++;
	return obj;
}

PB_FASTPATH void opring_free(void *ctx_, void *obj)
{
	struct opring_ctx *ctx = ctx_;

#if PB_RSEQ_ARCH
	if (ctx->rseq) {
		unsigned int cpu;

		ctx->aborts += opr_push_rseq(&ctx->pool->ring, obj, &cpu);
		pb_rseq_note_cpu(cpu, &ctx->cpu, &ctx->cpu_changes);
		return;
	}
#endif
	if (ctx->shared)
		opr_push_locked(ctx->slot, obj);
	else
		opr_push_excl(ctx->slot, obj);
}

/* ---- create / destroy ------------------------------------------------------ */

static int opring_create(const struct pb_config *cfg, void **pool, char *err,
			 size_t errlen)
{
	struct pb_geometry g;
	struct opring_pool *p;
	uint64_t none[1];
	unsigned int nr_slots = cfg->nr_cpus;
	size_t a;

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, OPR_NAME, err,
			     errlen) ||
	    pb_config_geometry(cfg, OPR_NAME, &g, err, errlen))
		return -1;
	if (!cfg->nr_cpus || !cfg->capacity) {
		snprintf(err, errlen, OPR_NAME ": nr_cpus and capacity must be "
			 "at least 1");
		return -1;
	}
	if (cfg->capacity > (1u << 30)) {
		snprintf(err, errlen, OPR_NAME ": capacity %zu too large "
			 "(at most 2^30)", cfg->capacity);
		return -1;
	}
	if (cfg->mode == PB_MODE_RSEQ && !pb_rseq_available(err, errlen))
		return PB_CREATE_UNSUPPORTED;
	/* rseq: a slot for every CPU number the kernel may give. */
	if (cfg->mode == PB_MODE_RSEQ && pb_rseq_nr_cpu_ids() > nr_slots)
		nr_slots = pb_rseq_nr_cpu_ids();
	a = cfg->align > alignof(max_align_t) ? cfg->align : alignof(max_align_t);
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, OPR_NAME ": out of memory");
		return -1;
	}
	p->shared = cfg->mode == PB_MODE_SHARED;
	p->rseq = cfg->mode == PB_MODE_RSEQ;
	p->owned = calloc(nr_slots, sizeof(*p->owned));
	if (!p->owned) {
		free(p);
		snprintf(err, errlen, OPR_NAME ": out of memory");
		return -1;
	}
	if (opr_init(&p->ring, (uint32_t)cfg->capacity, cfg->obj_size, a,
		     nr_slots, NULL, NULL)) {
		free(p->owned);
		free(p);
		snprintf(err, errlen, OPR_NAME ": out of memory (%u rings of "
			 "%zu entries)", nr_slots, cfg->capacity);
		return -1;
	}
	*pool = p;
	return 0;
}

static void opring_destroy(void *pool_)
{
	struct opring_pool *p = pool_;

	opr_fini(&p->ring);
	free(p->owned);
	free(p);
}

/*
 * In exclusive mode a slot's pushes are unprotected, as the kernel's with
 * interrupts off: a second live ctx on the slot could push concurrently
 * and corrupt the ring silently (its accesses are atomic, so TSan would
 * not see it), so it is refused.
 */
static void *opring_thread_init(void *pool, unsigned int cpu)
{
	struct opring_pool *p = pool;
	struct opring_ctx *ctx;

	if (cpu >= p->ring.ncpus) {
		pb_thread_init_error(OPR_NAME ": cpu %u out of range (%u slots)",
				     cpu, p->ring.ncpus);
		return NULL;
	}
	if (!p->shared && !p->rseq && atomic_exchange(&p->owned[cpu], true)) {
		pb_thread_init_error(OPR_NAME ": exclusive mode: CPU slot %u "
				     "already has a live ctx (one worker per "
				     "slot; use shared mode to share a slot)", cpu);
		return NULL;
	}
	ctx = aligned_alloc(OPR_CACHELINE, sizeof(*ctx));
	if (!ctx) {
		if (!p->shared && !p->rseq)
			atomic_store(&p->owned[cpu], false);
		pb_thread_init_error(OPR_NAME ": out of memory for a ctx");
		return NULL;
	}
	memset(ctx, 0, sizeof(*ctx));
	ctx->pool = p;
	ctx->cpu = cpu;
	ctx->slot = p->ring.slots[cpu];
	ctx->shared = p->shared;
	ctx->rseq = p->rseq;
#if PB_RSEQ_ARCH
	if (p->rseq)
		ctx->cpu = pb_rseq_cpu();
#endif
	return ctx;
}

static void opring_thread_fini(void *pool, void *ctx_)
{
	struct opring_pool *p = pool;
	struct opring_ctx *ctx = ctx_;

	atomic_fetch_add_explicit(&p->local, ctx->local, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->steals, ctx->steals, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->fails, ctx->fails, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->aborts, ctx->aborts, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->cpu_changes, ctx->cpu_changes,
				  memory_order_relaxed);
	if (!p->shared && !p->rseq)
		atomic_store(&p->owned[ctx->cpu], false);
	free(ctx);
}

static void opring_stats(void *pool, struct pb_stats *st)
{
	struct opring_pool *p = pool;
	size_t meta = 0;

	size_t free_objs = 0;

	for (uint32_t i = 0; i < p->ring.ncpus; i++) {
		struct opr_slot *s = p->ring.slots[i];

		meta += sizeof(struct opr_slot) +
			((size_t)s->mask + 1) * sizeof(void *);
		/* Idle pool: what each slot holds, published. */
		free_objs += atomic_load(&s->last) - atomic_load(&s->head);
	}
	pb_stats_set(st, PB_STAT_cached, free_objs);
	pb_stats_set(st, PB_STAT_fast_hits, atomic_load(&p->local));
	pb_stats_set(st, PB_STAT_steals, atomic_load(&p->steals));
	pb_stats_set(st, PB_STAT_alloc_fails, atomic_load(&p->fails));
	pb_stats_set(st, PB_STAT_metadata_bytes, meta);
	if (p->rseq) {
		pb_stats_set(st, PB_STAT_rseq_aborts, atomic_load(&p->aborts));
		pb_stats_set(st, PB_STAT_cpu_changes,
			     atomic_load(&p->cpu_changes));
	}
}

PB_BACKEND_REGISTER(objpool_ring, opring_alloc, opring_free,
	.name = OPR_NAME,
	.flags = PB_BACKEND_FIXED,
	.description = "objpool ring (Linux 6.7): per-CPU rings that each "
		       "hold every object; fixed capacity",
	.create = opring_create,
	.destroy = opring_destroy,
	.thread_init = opring_thread_init,
	.thread_fini = opring_thread_fini,
	.stats = opring_stats,
)
