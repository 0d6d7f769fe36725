// SPDX-License-Identifier: GPL-2.0-only
/*
 * qmempool.c - the backend "qmempool": Brouer's quick queue-based mempool
 * (seed 000, 2014 RFC) in front of a backing allocator.
 *
 * Design. Each CPU slot has a localq, an alf_queue used only by that slot's
 * owner (single producer and single consumer: no atomic read-modify-write),
 * in front of one sharedq, a multi-producer/multi-consumer alf_queue shared
 * by all CPUs, in front of a backing allocator (malloc, or another
 * registered backend). Elements move between the layers in bulks of
 * QM_BULK (16), so the sharedq's compare-and-swap is paid once per 16
 * elements:
 *   alloc: localq; else up to 16 from sharedq (one returned, the rest into
 *          the empty localq); else 1 + 2 x 16 from the backing allocator,
 *          the 32 enqueued into sharedq.
 *   free:  localq; if full, the element plus 15 from localq go to sharedq
 *          in one bulk; if sharedq is full, those 16 go back to the backing
 *          allocator and 2 x 16 more are drained from sharedq to make room.
 * Suits fixed-size objects recycled at a high rate on the same CPU (NIC
 * buffers, the seed's use). Limits: elements are never returned to the
 * backing allocator while they fit the queues (memory is held until
 * destroy); the sharedq is not preemption safe (below).
 *
 * Two defects of the RFC are not copied (REFERENCE §4): a backing allocator
 * failing part-way through a refill enqueued one element too few (j - 1);
 * here exactly the j elements obtained are kept. And concurrent refills
 * could overflow the sharedq, which the RFC treated as a bug (BUG_ON); here
 * elements that do not fit go back to the backing allocator.
 * Create-time checks follow the seed (localq >= 16, sharedq >= 32, powers of
 * two, prealloc <= sharedq), refused with a message. The seed only warns
 * when prealloc is not a multiple of 16; any count is filled here.
 *
 * Userspace against the kernel. The seed's "softirq" column relied on a
 * softirq never being preempted by another on its CPU: per-CPU state needs
 * no protection there. Its "elsewhere" column paid local_bh_disable().
 *   PB_MODE_EXCLUSIVE: the harness runs one pinned worker per CPU slot; the
 *     localq is touched with no protection at all (the softirq case).
 *     thread_init guards that contract: a second live ctx on a slot is
 *     refused with a message (off the timed path; the kernel's CPU is its
 *     own and needs no such check).
 *   PB_MODE_SHARED: several threads may share a slot (--oversubscribe puts
 *     two on one PU), so every localq access takes the slot's lock word: a
 *     test-and-set spinlock that yields after a bounded spin, because a
 *     userspace lock holder can be descheduled. That lock is what the mode
 *     measures, in place of local_bh_disable().
 *   PB_MODE_RSEQ: workers are not pinned and may outnumber the PUs; every
 *     localq operation acts on the localq of the CPU the thread is on at
 *     that instant (the rseq area's cpu_id), as the kernel's this_cpu
 *     access with preemption off, through a restartable sequence
 *     (allocators/rseq/rseq.h): a single-element dequeue commits with one
 *     store of consumer.tail, an enqueue with one store of producer.tail,
 *     and the bulk moves between a localq and sharedq take or put their
 *     up to 16 localq elements in one sequence; sharedq is MPMC-safe and
 *     stays as it is. Differences, with their reasons: the sequences use
 *     the localq's tails only (a sequence has one committing store, and
 *     nobody else touches a localq, so its heads are not needed; destroy
 *     brings them level); a slow path may find a different localq than
 *     the fast path that sent it there (the thread moved): a refill that
 *     does not fit goes back to sharedq; the event counts are the ctx's
 *     own, since a CPU's counts would be written from several threads.
 *     localqs exist for every possible CPU number. rseq_aborts and
 *     cpu_changes count what the mode costs.
 * The mode is a field of the ctx, tested at run time: exclusive and shared
 * mode pay one predictable test of ctx->rseq per operation (about 0.25 ns
 * per fastpath-reuse pair on the 2-core VM: 2.55 against 2.32 ns for the
 * build before the rseq mode). qm_alloc, qm_free and their helpers are
 * PB_FASTPATH, always inlined, as qmempool_alloc()/qmempool_free() are
 * static inline in the RFC's header.
 * The alf_queue's reserve-then-publish is not preemption safe: a thread
 * descheduled between its sharedq reservation and its publication stalls
 * every other producer (or consumer) spinning on the tail. The kernel
 * avoids it by running with preemption off; userspace cannot, so under
 * --oversubscribe the stall is real and shows in the sharedq-heavy
 * workloads (ring-cleanup with N above the localq size).
 *
 * Lock order: a slot lock is only ever held alone (shared mode); the
 * sharedq is lock-free; the backing allocator is called with no lock held
 * except the caller's own slot lock.
 */
#include <errno.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "allocators/alf_queue/alf_queue.h"
#include "allocators/register.h"
#include "allocators/rseq/rseq.h"

#define QM_NAME "qmempool"
#define QM_BULK 16u			/* the seed's QMEMPOOL_BULK */
#define QM_REFILL_MULTIPLIER 2u		/* the seed's QMEMPOOL_REFILL_MULTIPLIER */
#define QM_CACHELINE 64
#define QM_SPINS_BEFORE_YIELD 128

/* Per-slot event counts; written only under the slot's ownership. */
struct qm_counts {
	uint64_t localq_hits;
	uint64_t sharedq_refills;	/* allocs that took a bulk from sharedq */
	uint64_t sharedq_spills;	/* frees that moved a bulk to sharedq */
	uint64_t backing_refills;	/* allocs that went to the backing allocator */
	uint64_t backing_allocs;
	uint64_t backing_frees;
	uint64_t alloc_fails;
};

/*
 * struct qm_cpu - one CPU slot. In exclusive mode only the thread bound to
 * the slot touches it; in shared mode every access holds @lock.
 */
struct qm_cpu {
	struct alf_queue *localq;
	atomic_int lock;
	atomic_bool owned;		/* exclusive mode: a live ctx holds the slot */
	struct qm_counts n;
} __attribute__((aligned(QM_CACHELINE)));

struct qm_pool;

/* The allocator behind the queues: a registered backend and its pool. */
struct qm_backing {
	const struct pb_backend *b;
	void *pool;
};

/*
 * struct qm_ctx - a thread's handle: its slot, its backing ctx, where its
 * event counts go (its slot's, or rseq mode: its own) and, rseq mode, the
 * CPU of its last operation and what the mode cost it.
 */
struct qm_ctx {
	struct qm_pool *pool;
	struct qm_cpu *cpu;
	struct qm_counts *n;
	void *backing_ctx;
	bool shared, rseq;
	unsigned int last_cpu;
	uint64_t aborts, cpu_changes;
	struct qm_counts own;
} __attribute__((aligned(QM_CACHELINE)));

/* Read-only after create, apart from the queues themselves. */
struct qm_pool {
	struct alf_queue *sharedq;
	struct qm_cpu *cpus;
	unsigned int nr_cpus;
	bool shared, rseq;
	struct qm_backing backing;
	size_t localq_size, sharedq_size, prealloc;
	/* rseq mode: the counts of finished ctxs, under rseq_lock. */
	pthread_mutex_t rseq_lock;
	struct qm_counts rseq_n;
	uint64_t aborts, cpu_changes;
};

enum { OPT_LOCALQ, OPT_SHAREDQ, OPT_PREALLOC, OPT_BACKING, OPT__COUNT };

static const struct pb_option_spec qm_options[] = {
	[OPT_LOCALQ] = { .key = "localq", .type = PB_OPT_UINT, .def = 32, .min = 1,
			 .max = ALF_QUEUE_MAX_SIZE,
			 .help = "per-CPU queue size: a power of two >= 16 (Brouer: 32)" },
	[OPT_SHAREDQ] = { .key = "sharedq", .type = PB_OPT_UINT, .def = 256, .min = 1,
			  .max = ALF_QUEUE_MAX_SIZE,
			  .help = "shared queue size: a power of two >= 32 (Brouer: 128 "
				  "fastpath, 256 N-pattern)" },
	[OPT_PREALLOC] = { .key = "prealloc", .type = PB_OPT_UINT,
			   .max = ALF_QUEUE_MAX_SIZE,
			   .help = "elements put into sharedq at create, <= sharedq "
				   "(Brouer: 16 fastpath, 0 N-pattern)" },
	[OPT_BACKING] = { .key = "backing", .type = PB_OPT_NAME,
			  .def_name = "malloc",
			  .help = "backing allocator: a registered backend "
				  "(not a baseline, percpu or qmempool)" },
	[OPT__COUNT] = { 0 }
};

/* ---- the slot lock (shared mode) -------------------------------------- */

static inline void qm_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void qm_lock_slow(struct qm_cpu *c)
{
	for (;;) {
		for (int i = 0; i < QM_SPINS_BEFORE_YIELD; i++) {
			if (!atomic_load_explicit(&c->lock, memory_order_relaxed) &&
			    !atomic_exchange_explicit(&c->lock, 1,
						      memory_order_acquire))
				return;
			qm_cpu_relax();
		}
		/* The holder may be descheduled (oversubscribed): let it run. */
		sched_yield();
	}
}

/* qm_lock() - take @c's lock; acquire pairs with the release in qm_unlock(). */
static inline void qm_lock(struct qm_cpu *c)
{
	if (unlikely(atomic_exchange_explicit(&c->lock, 1, memory_order_acquire)))
		qm_lock_slow(c);
}

static inline void qm_unlock(struct qm_cpu *c)
{
	atomic_store_explicit(&c->lock, 0, memory_order_release);
}

/* ---- backing allocator -------------------------------------------------- */

static inline void *qm_backing_alloc(struct qm_ctx *ctx)
{
	void *p = ctx->pool->backing.b->alloc(ctx->backing_ctx);

	if (p)
		ctx->n->backing_allocs++;
	return p;
}

static inline void qm_backing_free(struct qm_ctx *ctx, void **elems,
				   unsigned int n)
{
	const struct pb_backend *b = ctx->pool->backing.b;

	for (unsigned int i = 0; i < n; i++)
		b->free(ctx->backing_ctx, elems[i]);
	ctx->n->backing_frees += n;
}

/*
 * Put @n elements into sharedq, in bulks; what does not fit (concurrent
 * refills filled it: the RFC's BUG_ON) goes back to the backing allocator.
 */
static void qm_sharedq_put(struct qm_ctx *ctx, void **elems, unsigned int n)
{
	while (n) {
		unsigned int k = n < QM_BULK ? n : QM_BULK;

		if (!alf_queue_enqueue_mp(ctx->pool->sharedq, elems, k))
			qm_backing_free(ctx, elems, k);
		elems += k;
		n -= k;
	}
}

/* ---- rseq mode: the current CPU's localq (PB_MODE_RSEQ) ----------------- */

#if PB_RSEQ_ARCH
/* The CPU to act on now; counts the operations that find the thread moved. */
static inline unsigned int qm_rseq_cpu(struct qm_ctx *ctx)
{
	return pb_rseq_note_cpu(pb_rseq_cpu(), &ctx->last_cpu,
				&ctx->cpu_changes);
}

/*
 * Up to @n elements off the current CPU's localq, in one sequence per
 * try. Return: how many (0: it was empty).
 */
PB_FASTPATH unsigned int qm_rseq_take(struct qm_ctx *ctx, void **elems,
					unsigned int n)
{
	for (;;) {
		unsigned int cpu = qm_rseq_cpu(ctx);
		struct alf_queue *q = ctx->pool->cpus[cpu].localq;
		int got = pb_rseq_ring_pop(cpu, (uint32_t *)&q->consumer.tail,
					   (const uint32_t *)&q->producer.tail,
					   q->ring, q->mask, elems, n);

		if (likely(got >= 0)) {
			if (got)
				pb_rseq_tsan_acquire(q);
			return (unsigned int)got;
		}
		ctx->aborts++;
	}
}

/*
 * @n elements onto the current CPU's localq, all or none, in one sequence
 * per try. Return: false when they do not fit.
 */
PB_FASTPATH bool qm_rseq_put(struct qm_ctx *ctx, void *const *elems,
			       unsigned int n)
{
	for (;;) {
		unsigned int cpu = qm_rseq_cpu(ctx);
		struct alf_queue *q = ctx->pool->cpus[cpu].localq;
		int done;

		/* Before the commit makes them anybody's (ThreadSanitizer). */
		pb_rseq_tsan_release(q);
		done = pb_rseq_ring_push(cpu, (uint32_t *)&q->producer.tail,
					 (const uint32_t *)&q->consumer.tail,
					 q->ring, q->mask, q->size, elems, n);
		if (likely(done >= 0))
			return done > 0;
		ctx->aborts++;
	}
}

#else
/* Not built for this architecture: create refuses the mode. */
PB_FASTPATH unsigned int qm_rseq_take(struct qm_ctx *ctx, void **elems,
					unsigned int n)
{
	(void)ctx;
	(void)elems;
	(void)n;
	return 0;
}

PB_FASTPATH bool qm_rseq_put(struct qm_ctx *ctx, void *const *elems,
			       unsigned int n)
{
	(void)ctx;
	(void)elems;
	(void)n;
	return false;
}
#endif

/* Up to @n elements off the localq: the slot's, or rseq mode the current CPU's. */
PB_FASTPATH unsigned int qm_localq_take(struct qm_ctx *ctx, void **elems,
					  unsigned int n)
{
	if (ctx->rseq)
		return qm_rseq_take(ctx, elems, n);
	return alf_queue_dequeue_sc(ctx->cpu->localq, elems, n);
}

/* Elements onto the localq: the slot's, or rseq mode the current CPU's. */
PB_FASTPATH bool qm_localq_put(struct qm_ctx *ctx, void *const *elems,
				 unsigned int n)
{
	if (ctx->rseq)
		return qm_rseq_put(ctx, elems, n);
	return alf_queue_enqueue_sp(ctx->cpu->localq, elems, n) != 0;
}

/* ---- slow paths (out of line) ----------------------------------------- */

/*
 * The sharedq is empty: one element for the caller, and a refill of
 * QM_REFILL_MULTIPLIER bulks into sharedq, from the backing allocator.
 */
static __attribute__((noinline)) void *qm_alloc_from_backing(struct qm_ctx *ctx)
{
	void *elems[QM_BULK];
	void *elem = qm_backing_alloc(ctx);

	if (!elem)
		return NULL;
	ctx->n->backing_refills++;
	for (unsigned int i = 0; i < QM_REFILL_MULTIPLIER; i++) {
		unsigned int j;

		for (j = 0; j < QM_BULK; j++) {
			elems[j] = qm_backing_alloc(ctx);
			if (!elems[j])
				break;
		}
		/* Keep exactly the j obtained (the RFC enqueued j - 1). */
		qm_sharedq_put(ctx, elems, j);
		if (j < QM_BULK)
			break;
	}
	return elem;
}

/*
 * The localq is empty (callers guarantee it; rseq mode: the current CPU's
 * was): a bulk from sharedq, or the backing allocator.
 */
static __attribute__((noinline)) void *qm_alloc_slow(struct qm_ctx *ctx)
{
	void *elems[QM_BULK];
	unsigned int got = alf_queue_dequeue_mc(ctx->pool->sharedq, elems, QM_BULK);
	void *elem;

	if (likely(got)) {
		ctx->n->sharedq_refills++;
		/*
		 * Callers come here with an empty localq of >= QM_BULK: it
		 * fits. rseq mode: the thread may be on another CPU by now,
		 * whose localq other threads filled: then back to sharedq.
		 */
		if (got > 1 && unlikely(!qm_localq_put(ctx, &elems[1], got - 1)))
			qm_sharedq_put(ctx, &elems[1], got - 1);
		return elems[0];
	}
	elem = qm_alloc_from_backing(ctx);
	if (!elem)
		ctx->n->alloc_fails++;
	return elem;
}

/*
 * The localq is full (rseq mode: the current CPU's was): @elem and up to
 * QM_BULK - 1 from the localq go to sharedq in one bulk (qm_spill(): @n
 * elements); if sharedq is full they go to the backing allocator, and
 * QM_REFILL_MULTIPLIER bulks are drained from sharedq to make room.
 */
static void qm_spill(struct qm_ctx *ctx, void **elems, unsigned int n)
{
	struct alf_queue *sharedq = ctx->pool->sharedq;

	if (likely(alf_queue_enqueue_mp(sharedq, elems, n))) {
		ctx->n->sharedq_spills++;
		return;
	}
	qm_backing_free(ctx, elems, n);
	for (unsigned int i = 0; i < QM_REFILL_MULTIPLIER; i++) {
		n = alf_queue_dequeue_mc(sharedq, elems, QM_BULK);
		qm_backing_free(ctx, elems, n);
	}
}

static __attribute__((noinline)) void qm_free_slow(struct qm_ctx *ctx,
						   void *elem)
{
	void *elems[QM_BULK];

	elems[0] = elem;
	qm_spill(ctx, elems, 1 + qm_localq_take(ctx, &elems[1], QM_BULK - 1));
}


/* ---- rseq mode: the fast paths ------------------------------------------- */

PB_FASTPATH void *qm_rseq_alloc(struct qm_ctx *ctx)
{
	void *elem;

	if (likely(qm_rseq_take(ctx, &elem, 1))) {
		ctx->n->localq_hits++;
		return elem;
	}
	return qm_alloc_slow(ctx);
}

PB_FASTPATH void qm_rseq_free(struct qm_ctx *ctx, void *elem)
{
	if (unlikely(!qm_rseq_put(ctx, &elem, 1)))
		qm_free_slow(ctx, elem);
}

/* ---- fast paths ----------------------------------------------------------- */

/*
 * qm_alloc() - an element for the thread that owns @ctx_.
 * Exclusive mode: no protection (one pinned thread per slot). Shared mode:
 * under the slot lock. rseq mode: the current CPU's localq, in restartable
 * sequences. Return: the element, or NULL when the backing allocator fails.
 */
PB_FASTPATH void *qm_alloc(void *ctx_)
{
	struct qm_ctx *ctx = ctx_;
	struct qm_cpu *c = ctx->cpu;
	void *elem;

	if (ctx->rseq)
		return qm_rseq_alloc(ctx);
	if (ctx->shared)
		qm_lock(c);
	if (likely(alf_queue_dequeue_sc(c->localq, &elem, 1))) {
		c->n.localq_hits++;	/* ctx->n outside rseq mode */
	} else {
		elem = qm_alloc_slow(ctx);
	}
	if (ctx->shared)
		qm_unlock(c);
	return elem;
}

/* qm_free() - @elem may come from any slot; it goes to the caller's. */
PB_FASTPATH void qm_free(void *ctx_, void *elem)
{
	struct qm_ctx *ctx = ctx_;
	struct qm_cpu *c = ctx->cpu;

	if (ctx->rseq) {
		qm_rseq_free(ctx, elem);
		return;
	}
	if (ctx->shared)
		qm_lock(c);
	if (unlikely(!alf_queue_enqueue_sp(c->localq, &elem, 1)))
		qm_free_slow(ctx, elem);
	if (ctx->shared)
		qm_unlock(c);
}

/* ---- create / destroy / ctx ------------------------------------------- */

/* The "backing" option: every registered allocator but baselines and us. */
static bool qm_backing_ok(const struct pb_backend *b)
{
	return !(b->flags & (PB_BACKEND_BASELINE | PB_BACKEND_PERCPU)) &&
	       strcmp(b->name, QM_NAME);
}

static void qm_destroy(void *pool_);

static int qm_check(const uint64_t *opt, char *err, size_t errlen)
{
	if (opt[OPT_LOCALQ] < QM_BULK || (opt[OPT_LOCALQ] & (opt[OPT_LOCALQ] - 1))) {
		snprintf(err, errlen, QM_NAME ": localq=%llu: must be a power of "
			 "two >= %u", (unsigned long long)opt[OPT_LOCALQ], QM_BULK);
		return -1;
	}
	if (opt[OPT_SHAREDQ] < 2 * QM_BULK ||
	    (opt[OPT_SHAREDQ] & (opt[OPT_SHAREDQ] - 1))) {
		snprintf(err, errlen, QM_NAME ": sharedq=%llu: must be a power of "
			 "two >= %u", (unsigned long long)opt[OPT_SHAREDQ],
			 2 * QM_BULK);
		return -1;
	}
	if (opt[OPT_PREALLOC] > opt[OPT_SHAREDQ]) {
		snprintf(err, errlen, QM_NAME ": prealloc=%llu exceeds sharedq=%llu",
			 (unsigned long long)opt[OPT_PREALLOC],
			 (unsigned long long)opt[OPT_SHAREDQ]);
		return -1;
	}
	return 0;
}

/* A ctx for slot @cpu; also used by create and destroy on their own. */
static struct qm_ctx *qm_ctx_new(struct qm_pool *p, unsigned int cpu)
{
	struct qm_ctx *ctx = aligned_alloc(QM_CACHELINE, sizeof(*ctx));

	if (!ctx)
		return NULL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->pool = p;
	ctx->cpu = &p->cpus[cpu];
	ctx->shared = p->shared;
	ctx->rseq = p->rseq;
	ctx->n = p->rseq ? &ctx->own : &ctx->cpu->n;
#if PB_RSEQ_ARCH
	if (p->rseq)
		ctx->last_cpu = pb_rseq_cpu();
#endif
	ctx->backing_ctx = p->backing.b->thread_init(p->backing.pool, cpu);
	if (!ctx->backing_ctx) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

static void qm_ctx_put(struct qm_ctx *ctx)
{
	struct qm_pool *p = ctx->pool;

	if (p->rseq) {
		pthread_mutex_lock(&p->rseq_lock);
		p->rseq_n.localq_hits += ctx->own.localq_hits;
		p->rseq_n.sharedq_refills += ctx->own.sharedq_refills;
		p->rseq_n.sharedq_spills += ctx->own.sharedq_spills;
		p->rseq_n.backing_refills += ctx->own.backing_refills;
		p->rseq_n.backing_allocs += ctx->own.backing_allocs;
		p->rseq_n.backing_frees += ctx->own.backing_frees;
		p->rseq_n.alloc_fails += ctx->own.alloc_fails;
		p->aborts += ctx->aborts;
		p->cpu_changes += ctx->cpu_changes;
		pthread_mutex_unlock(&p->rseq_lock);
	}

	p->backing.b->thread_fini(p->backing.pool, ctx->backing_ctx);
	free(ctx);
}

static void qm_backing_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pb_backend_count() && off < len; i++)
		if (qm_backing_ok(pb_backend_at(i)))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? ", " : "",
						pb_backend_at(i)->name);
}

static int qm_create_backing(struct qm_pool *p, const struct pb_config *cfg,
			     const char *name, char *err, size_t errlen)
{
	struct pb_config bcfg = *cfg;
	char why[256] = "";
	const struct pb_backend *b = pb_backend_find(name);

	if (!b || !qm_backing_ok(b)) {
		qm_backing_list(why, sizeof(why));
		snprintf(err, errlen, QM_NAME ": backing=%s: not a usable backend "
			 "(valid: %s)", name, why);
		return -1;
	}
	p->backing.b = b;
	/* Room for every element the queues can hold, besides the live ones. */
	bcfg.capacity = cfg->capacity + p->sharedq_size +
			(size_t)p->nr_cpus * p->localq_size;
	bcfg.prealloc = 0;
	bcfg.opts = NULL;
	bcfg.nr_opts = 0;
	if (p->backing.b->create(&bcfg, &p->backing.pool, why, sizeof(why))) {
		snprintf(err, errlen, QM_NAME ": backing=%s: %s", name, why);
		p->backing.b = NULL;
		return -1;
	}
	return 0;
}

static int qm_prealloc(struct qm_pool *p, char *err, size_t errlen)
{
	struct qm_ctx *ctx = qm_ctx_new(p, 0);
	void *elems[QM_BULK];
	size_t left = p->prealloc;
	int rc = 0;

	if (!ctx) {
		snprintf(err, errlen, QM_NAME ": out of memory");
		return -1;
	}
	while (left && !rc) {
		unsigned int k = left < QM_BULK ? (unsigned int)left : QM_BULK, j;

		for (j = 0; j < k; j++) {
			elems[j] = qm_backing_alloc(ctx);
			if (!elems[j])
				break;
		}
		if (j < k || !alf_queue_enqueue_mp(p->sharedq, elems, j)) {
			qm_backing_free(ctx, elems, j);
			snprintf(err, errlen, QM_NAME ": prealloc: the backing "
				 "allocator failed");
			rc = -1;
		}
		left -= k;
	}
	qm_ctx_put(ctx);
	return rc;
}

static int qm_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	uint64_t opt[OPT__COUNT];
	struct pb_geometry g;
	struct qm_pool *p;

	if (pb_options_parse(qm_options, cfg->opts, cfg->nr_opts, opt, QM_NAME,
			     err, errlen) ||
	    pb_config_geometry(cfg, QM_NAME, &g, err, errlen) ||
	    qm_check(opt, err, errlen))
		return -1;
	if (!cfg->nr_cpus) {
		snprintf(err, errlen, QM_NAME ": nr_cpus must be at least 1");
		return -1;
	}
	if (cfg->mode == PB_MODE_RSEQ && !pb_rseq_available(err, errlen))
		return PB_CREATE_UNSUPPORTED;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	p->nr_cpus = cfg->nr_cpus;
	p->shared = cfg->mode == PB_MODE_SHARED;
	p->rseq = cfg->mode == PB_MODE_RSEQ;
	/* rseq: a localq for every CPU number the kernel may give. */
	if (p->rseq && pb_rseq_nr_cpu_ids() > p->nr_cpus)
		p->nr_cpus = pb_rseq_nr_cpu_ids();
	pthread_mutex_init(&p->rseq_lock, NULL);
	p->localq_size = opt[OPT_LOCALQ];
	p->sharedq_size = opt[OPT_SHAREDQ];
	p->prealloc = opt[OPT_PREALLOC];
	p->cpus = aligned_alloc(QM_CACHELINE, p->nr_cpus * sizeof(*p->cpus));
	p->sharedq = alf_queue_alloc((uint32_t)p->sharedq_size);
	if (!p->cpus || !p->sharedq) {
		free(p->cpus);
		alf_queue_free(p->sharedq);
		free(p);
		goto nomem;
	}
	memset(p->cpus, 0, p->nr_cpus * sizeof(*p->cpus));
	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		p->cpus[i].localq = alf_queue_alloc((uint32_t)p->localq_size);
		if (!p->cpus[i].localq) {
			qm_destroy(p);
			goto nomem;
		}
	}
	if (qm_create_backing(p, cfg, pb_option_name(opt[OPT_BACKING]), err,
			      errlen) ||
	    qm_prealloc(p, err, errlen)) {
		qm_destroy(p);
		return -1;
	}
	*pool = p;
	return 0;
nomem:
	snprintf(err, errlen, QM_NAME ": out of memory");
	return -1;
}

/* Every element still queued goes back to the backing allocator. */
static void qm_destroy(void *pool_)
{
	struct qm_pool *p = pool_;
	struct qm_ctx *ctx = p->backing.b ? qm_ctx_new(p, 0) : NULL;
	void *elems[QM_BULK];
	unsigned int n;

	if (ctx) {
		for (unsigned int i = 0; i < p->nr_cpus && p->rseq; i++) {
			struct alf_queue *q = p->cpus[i].localq;

			/* The sequences moved the tails only. */
			atomic_store(&q->producer.head, atomic_load(&q->producer.tail));
			atomic_store(&q->consumer.head, atomic_load(&q->consumer.tail));
		}
		for (unsigned int i = 0; i < p->nr_cpus; i++)
			while ((n = alf_queue_dequeue_sc(p->cpus[i].localq, elems,
							 QM_BULK)))
				qm_backing_free(ctx, elems, n);
		while ((n = alf_queue_dequeue_mc(p->sharedq, elems, QM_BULK)))
			qm_backing_free(ctx, elems, n);
		qm_ctx_put(ctx);
	}
	if (p->backing.b)
		p->backing.b->destroy(p->backing.pool);
	for (unsigned int i = 0; i < p->nr_cpus; i++)
		alf_queue_free(p->cpus[i].localq);
	alf_queue_free(p->sharedq);
	pthread_mutex_destroy(&p->rseq_lock);
	free(p->cpus);
	free(p);
}

/*
 * In exclusive mode the localq is an SPSC queue touched without a lock by
 * its slot's one worker: a second live ctx on the slot would corrupt it
 * silently (every access is atomic, so TSan would not see it), so it is
 * refused.
 */
static void *qm_thread_init(void *pool, unsigned int cpu)
{
	struct qm_pool *p = pool;
	struct qm_ctx *ctx;

	if (cpu >= p->nr_cpus) {
		pb_thread_init_error(QM_NAME ": cpu %u out of range (%u slots)",
				     cpu, p->nr_cpus);
		return NULL;
	}
	if (!p->shared && !p->rseq &&
	    atomic_exchange(&p->cpus[cpu].owned, true)) {
		pb_thread_init_error(QM_NAME ": exclusive mode: CPU slot %u "
				     "already has a live ctx (one worker per "
				     "slot; use shared mode to share a slot)", cpu);
		return NULL;
	}
	ctx = qm_ctx_new(p, cpu);
	if (!ctx) {
		if (!p->shared && !p->rseq)
			atomic_store(&p->cpus[cpu].owned, false);
		pb_thread_init_error(QM_NAME ": out of memory for a ctx");
	}
	return ctx;
}

static void qm_thread_fini(void *pool, void *ctx_)
{
	struct qm_pool *p = pool;
	struct qm_ctx *ctx = ctx_;

	if (!p->shared && !p->rseq)
		atomic_store(&ctx->cpu->owned, false);
	qm_ctx_put(ctx);
}

/*
 * rseq mode's bulk paths: the current localq in one sequence per localq's
 * worth, then the single-element paths for the rest.
 */
PB_FASTPATH size_t qm_rseq_alloc_bulk(struct qm_ctx *ctx, void **objs,
					size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t want = n - got;
		unsigned int k = qm_rseq_take(ctx, objs + got,
					      want < ctx->pool->localq_size ?
						      (unsigned int)want :
						      (unsigned int)ctx->pool->localq_size);
		void *e;

		ctx->n->localq_hits += k;
		got += k;
		if (got == n || k)
			continue;
		e = qm_rseq_alloc(ctx);
		if (!e)
			break;
		objs[got++] = e;
	}
	return got;
}

PB_FASTPATH void qm_rseq_free_bulk(struct qm_ctx *ctx, void **objs,
				     size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t left = n - done;
		unsigned int k = left < ctx->pool->localq_size ?
					 (unsigned int)left :
					 (unsigned int)ctx->pool->localq_size;

		if (qm_rseq_put(ctx, objs + done, k)) {
			done += k;
			continue;
		}
		qm_rseq_free(ctx, objs[done++]);
	}
}

/*
 * Bulk paths: one lock round in shared mode, the localq first, then the
 * single-element paths for the rest (their slow paths move whole bulks).
 */
PB_FASTPATH size_t qm_alloc_bulk(void *ctx_, void **objs, size_t n)
{
	struct qm_ctx *ctx = ctx_;
	struct qm_cpu *c = ctx->cpu;
	size_t got;

	if (ctx->rseq)
		return qm_rseq_alloc_bulk(ctx, objs, n);
	if (ctx->shared)
		qm_lock(c);
	for (got = 0;;) {
		size_t want = n - got;
		unsigned int k = alf_queue_dequeue_sc(c->localq, objs + got,
						      want < ALF_QUEUE_MAX_SIZE ?
							      (unsigned int)want :
							      ALF_QUEUE_MAX_SIZE);
		void *e;

		ctx->n->localq_hits += k;
		got += k;
		if (got == n)
			break;
		/* The localq is empty now: the slow path may refill it. */
		e = qm_alloc_slow(ctx);
		if (!e)
			break;
		objs[got++] = e;
	}
	if (ctx->shared)
		qm_unlock(c);
	return got;
}

PB_FASTPATH void qm_free_bulk(void *ctx_, void **objs, size_t n)
{
	struct qm_ctx *ctx = ctx_;
	struct qm_cpu *c = ctx->cpu;
	size_t done = 0;

	if (ctx->rseq) {
		qm_rseq_free_bulk(ctx, objs, n);
		return;
	}
	if (ctx->shared)
		qm_lock(c);
	while (done < n) {
		unsigned int k = n - done < ALF_QUEUE_MAX_SIZE ?
					 (unsigned int)(n - done) :
					 ALF_QUEUE_MAX_SIZE;

		/* All or nothing: when the whole rest does not fit, one by one. */
		if (alf_queue_enqueue_sp(c->localq, objs + done, k)) {
			done += k;
			break;
		}
		if (!alf_queue_enqueue_sp(c->localq, objs + done, 1))
			qm_free_slow(ctx, objs[done]);
		done++;
	}
	if (ctx->shared)
		qm_unlock(c);
}

/* Valid after every ctx was finalised (no slot is in use). */
static void qm_stats(void *pool, struct pb_stats *st)
{
	struct qm_pool *p = pool;
	struct qm_counts t = p->rseq_n;
	size_t queued = alf_queue_count(p->sharedq);

	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		const struct qm_counts *n = &p->cpus[i].n;

		t.localq_hits += n->localq_hits;
		t.sharedq_refills += n->sharedq_refills;
		t.sharedq_spills += n->sharedq_spills;
		t.backing_refills += n->backing_refills;
		t.backing_allocs += n->backing_allocs;
		t.backing_frees += n->backing_frees;
		t.alloc_fails += n->alloc_fails;
		queued += p->rseq ? (uint32_t)(atomic_load(&p->cpus[i].localq->producer.tail) -
				       atomic_load(&p->cpus[i].localq->consumer.tail)) :
				    alf_queue_count(p->cpus[i].localq);
	}
	if (p->rseq) {
		pb_stats_set(st, PB_STAT_rseq_aborts, p->aborts);
		pb_stats_set(st, PB_STAT_cpu_changes, p->cpu_changes);
	}
	pb_stats_set(st, PB_STAT_fast_hits, t.localq_hits);
	pb_stats_set(st, PB_STAT_slow_hits, t.sharedq_refills + t.backing_refills);
	pb_stats_set(st, PB_STAT_sharedq_refills, t.sharedq_refills);
	pb_stats_set(st, PB_STAT_sharedq_spills, t.sharedq_spills);
	pb_stats_set(st, PB_STAT_backing_allocs, t.backing_allocs);
	pb_stats_set(st, PB_STAT_backing_frees, t.backing_frees);
	pb_stats_set(st, PB_STAT_alloc_fails, t.alloc_fails);
	pb_stats_set(st, PB_STAT_cached, queued);
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     sizeof(*p) + p->nr_cpus * sizeof(*p->cpus) +
		     (p->nr_cpus * p->localq_size + p->sharedq_size) *
		     sizeof(void *));
}

static const char *const qm_variants[] = {
	/* Small queues: the slow paths and the spill to backing run often. */
	"localq=16;sharedq=32",
	"prealloc=128",
	NULL
};

PB_BACKEND_REGISTER_BULK(qmempool, qm_alloc, qm_free, qm_alloc_bulk,
			 qm_free_bulk,
	.name = QM_NAME,
	.description = "qmempool (seed 000): per-CPU SPSC localq, shared MPMC "
		       "alf_queue sharedq, bulk 16, over a backing allocator",
	.options = qm_options,
	.variants = qm_variants,
	.create = qm_create,
	.destroy = qm_destroy,
	.thread_init = qm_thread_init,
	.thread_fini = qm_thread_fini,
	.stats = qm_stats,
)
