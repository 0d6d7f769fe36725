// SPDX-License-Identifier: GPL-2.0-only
/*
 * objpool_freelist.c - the backend "objpool-freelist": a fixed pool of
 * cfg->capacity objects on the per-CPU refcounted CAS freelists of seed 001
 * (freelist.h). alloc pops the caller's CPU slot, then the others; free
 * pushes to the caller's CPU slot; an empty pool returns NULL.
 *
 * Each element is a freelist node followed by the caller's object, so the
 * node survives the object's use (a late popper may still touch its
 * reference count, which is what makes the list ABA-safe):
 *     [struct opfl_node, padded to A][object, obj_size padded to A]
 * with A the requested alignment (at least 16). alloc returns the object.
 *
 * The option `fill` picks one of the seed's three ways to fill a pool:
 *   self       elements allocated next to their slot by opfl_init (default);
 *   buffer     one user buffer cut into elements (opfl_populate);
 *   scattered  each element allocated on its own, added by hand
 *              (opfl_add_scattered).
 * destroy calls opfl_fini with a release callback that frees what the user
 * provided (scattered elements, the buffer) and counts every call.
 *
 * Modes. Every slot is a multi-producer/multi-consumer CAS list, safe from
 * any thread at any time, so exclusive and shared run the same code: the
 * kernel patch, too, called it with preemption enabled. The difference
 * from the kernel is only which slot a thread uses: its ctx's CPU slot
 * (raw_smp_processor_id() there). What the design pays is the CAS on a
 * shared head and the reference count, and, once a slot runs dry, the walk
 * over the others (the `steals` statistic). rseq mode needs no sequence
 * either: a thread takes the slot of the CPU it is on at each operation
 * (the rseq area's cpu_id_start), as the kernel's raw_smp_processor_id(),
 * and may be moved a moment later, which the lists are safe against.
 * Slots exist for every possible CPU number there; `cpu_changes` counts
 * the operations that found the thread moved.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/objpool/freelist.h"
#include "allocators/register.h"
#include "allocators/rseq/rseq.h"

#define OPF_NAME "objpool-freelist"
#define OPF_CACHELINE 64

enum { OPF_FILL_SELF, OPF_FILL_BUFFER, OPF_FILL_SCATTERED };

static const char *const opf_fills[] = { "self", "buffer", "scattered", NULL };

enum { OPT_FILL, OPT__COUNT };

static const struct pb_option_spec opf_options[] = {
	[OPT_FILL] = { .key = "fill", .type = PB_OPT_ENUM, .def = OPF_FILL_SELF,
		       .choices = opf_fills,
		       .help = "how the pool is filled (seed 001): self (next to the "
			       "slots), buffer (one user buffer), scattered (one by one)" },
	[OPT__COUNT] = { 0 }
};

static const char *const opf_variants[] = { "fill=buffer", "fill=scattered",
					    NULL };

/* Events counted by one ctx; added to the pool's totals at thread_fini. */
struct opf_counts {
	uint64_t local, steals, fails, cpu_changes;
};

struct opf_pool {
	struct opfl_head fl;
	size_t hdr;		/* bytes from a node to its object */
	size_t esz;		/* element size */
	size_t align;
	unsigned int fill;
	uint32_t nobjs;
	bool rseq;
	_Atomic uint64_t local, steals, fails;	/* totals of finished ctxs */
	_Atomic uint64_t cpu_changes;
};

struct opf_ctx {
	struct opf_pool *pool;
	unsigned int cpu;	/* rseq mode: the CPU of the last operation */
	bool rseq;
	struct opf_counts n;
} __attribute__((aligned(OPF_CACHELINE)));

/* The slot to use: the ctx's, or rseq mode the current CPU's. */
static inline unsigned int opf_cpu(struct opf_ctx *ctx)
{
#if PB_RSEQ_ARCH
	if (ctx->rseq)
		pb_rseq_note_cpu(pb_rseq_cpu(), &ctx->cpu, &ctx->n.cpu_changes);
#endif
	return ctx->cpu;
}

/* ---- fast paths -------------------------------------------------------- */

/* opf_alloc() - pop the ctx's CPU slot, then the others; NULL when empty. */
static inline void *opf_alloc(void *ctx_)
{
	struct opf_ctx *ctx = ctx_;
	struct opf_pool *p = ctx->pool;
	bool stolen;
	struct opfl_node *n = opfl_pop(&p->fl, opf_cpu(ctx), &stolen);

	if (unlikely(!n)) {
		ctx->n.fails++;
		return NULL;
	}
	if (unlikely(stolen))
		ctx->n.steals++;
	else
		ctx->n.local++;
	return (char *)n + p->hdr;
}

/* opf_free() - push to the ctx's CPU slot, wherever @obj came from. */
static inline void opf_free(void *ctx_, void *obj)
{
	struct opf_ctx *ctx = ctx_;

	opfl_push(&ctx->pool->fl,
		  (void *)((char *)obj - ctx->pool->hdr), opf_cpu(ctx));
}

/* ---- create / destroy ------------------------------------------------------ */

/*
 * Release callback of opfl_fini: free what was provided from outside the
 * slots (scattered elements, the populated buffer); self-managed elements
 * and buffer elements go with their slots or buffer.
 */
static void opf_release(void *context, void *obj, bool user, bool element)
{
	(void)context;
	if (user)
		free(obj);
	(void)element;
}

/* Live objects at destroy break the contract; their memory goes anyway. */
static void opf_destroy(void *pool_)
{
	struct opf_pool *p = pool_;

	opfl_fini(&p->fl, NULL, opf_release);
	free(p);
}

static int opf_fill_user(struct opf_pool *p)
{
	if (p->fill == OPF_FILL_BUFFER) {
		size_t size = p->esz * p->nobjs;
		void *buf = aligned_alloc(p->align, size);

		if (!buf)
			return -ENOMEM;
		if (opfl_populate(&p->fl, buf, size, (uint32_t)p->esz, NULL,
				  NULL)) {
			free(buf);
			return -EINVAL;
		}
		return 0;
	}
	for (uint32_t i = 0; i < p->nobjs; i++) {
		void *e = aligned_alloc(p->align, p->esz);

		if (!e)
			return -ENOMEM;
		opfl_add_scattered(&p->fl, e);
	}
	return 0;
}

static int opf_create(const struct pb_config *cfg, void **pool, char *err,
		      size_t errlen)
{
	uint64_t opt[OPT__COUNT];
	struct pb_geometry g;
	struct opf_pool *p;
	unsigned int nr_slots = cfg->nr_cpus;
	size_t a;

	if (pb_options_parse(opf_options, cfg->opts, cfg->nr_opts, opt,
			     OPF_NAME, err, errlen) ||
	    pb_config_geometry(cfg, OPF_NAME, &g, err, errlen))
		return -1;
	if (!cfg->nr_cpus || !cfg->capacity) {
		snprintf(err, errlen, OPF_NAME ": nr_cpus and capacity must be "
			 "at least 1");
		return -1;
	}
	if (cfg->capacity > UINT32_MAX / 2 || cfg->obj_size > (1u << 24)) {
		snprintf(err, errlen, OPF_NAME ": capacity %zu or obj_size %zu "
			 "too large", cfg->capacity, cfg->obj_size);
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
		snprintf(err, errlen, OPF_NAME ": out of memory");
		return -1;
	}
	p->align = a;
	p->hdr = (sizeof(struct opfl_node) + a - 1) & ~(a - 1);
	p->esz = p->hdr + ((cfg->obj_size + a - 1) & ~(a - 1));
	p->fill = (unsigned int)opt[OPT_FILL];
	p->nobjs = (uint32_t)cfg->capacity;
	p->rseq = cfg->mode == PB_MODE_RSEQ;
	if (opfl_init(&p->fl, p->fill == OPF_FILL_SELF ? p->nobjs : 0,
		      p->fill == OPF_FILL_SELF ? (uint32_t)p->esz : 0, a,
		      nr_slots, NULL, NULL)) {
		free(p);
		snprintf(err, errlen, OPF_NAME ": out of memory");
		return -1;
	}
	if (p->fill != OPF_FILL_SELF && opf_fill_user(p)) {
		opf_destroy(p);
		snprintf(err, errlen, OPF_NAME ": out of memory");
		return -1;
	}
	*pool = p;
	return 0;
}

static void *opf_thread_init(void *pool, unsigned int cpu)
{
	struct opf_pool *p = pool;
	struct opf_ctx *ctx;

	if (cpu >= p->fl.ncpus)
		return NULL;
	ctx = aligned_alloc(OPF_CACHELINE, sizeof(*ctx));
	if (!ctx)
		return NULL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->pool = p;
	ctx->cpu = cpu;
	ctx->rseq = p->rseq;
#if PB_RSEQ_ARCH
	if (p->rseq)
		ctx->cpu = pb_rseq_cpu();
#endif
	return ctx;
}

static void opf_thread_fini(void *pool, void *ctx_)
{
	struct opf_pool *p = pool;
	struct opf_ctx *ctx = ctx_;

	atomic_fetch_add_explicit(&p->local, ctx->n.local, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->steals, ctx->n.steals, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->fails, ctx->n.fails, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->cpu_changes, ctx->n.cpu_changes,
				  memory_order_relaxed);
	free(ctx);
}

static void opf_stats(void *pool, struct pb_stats *st)
{
	struct opf_pool *p = pool;
	size_t free_objs = 0;

	/* Idle pool (no pop or push in flight): walk every slot's list. */
	for (uint32_t i = 0; i < p->fl.ncpus; i++)
		for (struct opfl_node *n = atomic_load(&p->fl.slots[i]->head); n;
		     n = atomic_load(&n->next))
			free_objs++;
	pb_stats_set(st, PB_STAT_cached, free_objs);
	pb_stats_set(st, PB_STAT_fast_hits, atomic_load(&p->local));
	pb_stats_set(st, PB_STAT_steals, atomic_load(&p->steals));
	pb_stats_set(st, PB_STAT_alloc_fails, atomic_load(&p->fails));
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     p->fl.ncpus * (sizeof(struct opfl_slot) + sizeof(void *) +
				    sizeof(size_t)) +
		     (size_t)p->nobjs * p->hdr);
	if (p->rseq)
		pb_stats_set(st, PB_STAT_cpu_changes, atomic_load(&p->cpu_changes));
}

PB_BACKEND_REGISTER(objpool_freelist, opf_alloc, opf_free,
	.name = OPF_NAME,
	.flags = PB_BACKEND_FIXED,
	.description = "objpool 2021 (seed 001): per-CPU refcounted CAS "
		       "freelists, ABA-safe; fixed capacity",
	.options = opf_options,
	.variants = opf_variants,
	.create = opf_create,
	.destroy = opf_destroy,
	.thread_init = opf_thread_init,
	.thread_fini = opf_thread_fini,
	.stats = opf_stats,
)
