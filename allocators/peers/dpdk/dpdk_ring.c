// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpdk_ring.c - the backend "dpdk-ring": a fixed pool of cfg->capacity
 * objects whose free list is one DPDK rte_ring (librte_ring, DPDK 22.11),
 * the same shape as alf-mpmc/alf-spsc (allocators/alf_ring/alf_ring.c) and
 * as DPDK's own ring mempool driver under an rte_mempool without a cache.
 *
 * The objects are carved from one aligned allocation (stride: obj_size
 * rounded up to the alignment) and all enqueued at create; the ring is
 * created with RING_F_EXACT_SZ for exactly capacity entries, so a free
 * (enqueue) always has room (in the RTS mode once the consumers' relaxed
 * tail has caught up: dr_enqueue_wait), and an alloc (dequeue) returns
 * NULL exactly when every object is live. alloc_bulk is a
 * dequeue_burst (as many as there are), free_bulk an enqueue_bulk.
 *
 * The option `sync` picks the ring's producer/consumer synchronisation:
 *   mpmc  RING_F_MP_ENQ|RING_F_MC_DEQ (DPDK's default): CAS on the head,
 *         then each thread waits for the ones before it to publish;
 *   spsc  RING_F_SP_ENQ|RING_F_SC_DEQ: no CAS, one thread only (more
 *         threads are answered PB_CREATE_UNSUPPORTED, like alf-spsc);
 *   rts   RING_F_MP_RTS_ENQ|RING_F_MC_RTS_DEQ: relaxed tail sync, which
 *         bounds how far a preempted thread can stall the others;
 *   hts   RING_F_MP_HTS_ENQ|RING_F_MC_HTS_DEQ: head/tail sync, one
 *         operation in flight per side (serialised).
 * One registered fast path serves all four: DPDK's generic
 * rte_ring_enqueue_bulk/dequeue_burst, which dispatch on the ring's sync
 * type (a predictable branch, what an application calling them gets). Per
 * mode inline functions would need one backend per mode to be registered
 * as the inlined fast path; the variants here are options of one backend.
 *
 * Where this differs from a DPDK application: the ring's memory comes from
 * EAL's heap in 4 KB pages (eal.c: --no-huge), the objects from the
 * process allocator, not from a memzone; the calling threads are not EAL
 * lcores (the ring does not need them to be). Context modes: no per-CPU
 * state; both modes run the same code. dr_alloc() and dr_free() are
 * PB_FASTPATH, always inlined, as DPDK's rte_ring enqueue and dequeue are
 * (__rte_always_inline).
 *
 * Concurrency contract: alloc/free from any thread at once (spsc: one
 * thread); create/destroy on one thread with no ctx live.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "allocators/objects.h"
#include "allocators/peers/dpdk/eal.h"
#include "allocators/register.h"

#define DR_NAME "dpdk-ring"

enum { DR_MPMC, DR_SPSC, DR_RTS, DR_HTS };

static const char *const dr_syncs[] = { "mpmc", "spsc", "rts", "hts", NULL };

static const unsigned int dr_flags[] = {
	[DR_MPMC] = 0,
	[DR_SPSC] = RING_F_SP_ENQ | RING_F_SC_DEQ,
	[DR_RTS] = RING_F_MP_RTS_ENQ | RING_F_MC_RTS_DEQ,
	[DR_HTS] = RING_F_MP_HTS_ENQ | RING_F_MC_HTS_DEQ,
};

enum { OPT_SYNC, OPT__COUNT };

static const struct pb_option_spec dr_options[] = {
	[OPT_SYNC] = { .key = "sync", .type = PB_OPT_ENUM, .def = DR_MPMC,
		       .choices = dr_syncs,
		       .help = "ring sync mode: mpmc (default), spsc (one "
			       "thread), rts (relaxed tail), hts (head/tail)" },
	[OPT__COUNT] = { 0 }
};

static const char *const dr_variants[] = { "sync=spsc", "sync=rts",
					   "sync=hts", NULL };

/* Ring names are unique per process (EAL's tailq); a counter makes them. */
static atomic_uint dr_next_id;

struct dr_pool {
	struct rte_ring *r;
	struct pb_objects objs;	/* the capacity objects, carved up */
};

static int dr_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	char name[RTE_RING_NAMESIZE];
	uint64_t opt[OPT__COUNT];
	int rc;
	struct pb_geometry g;
	struct dr_pool *p;

	if (pb_options_parse(dr_options, cfg->opts, cfg->nr_opts, opt, DR_NAME,
			     err, errlen) ||
	    pb_config_geometry(cfg, DR_NAME, &g, err, errlen))
		return -1;
	if (!cfg->capacity || cfg->capacity > RTE_RING_SZ_MASK) {
		snprintf(err, errlen, DR_NAME ": capacity %zu: must be 1..%u "
			 "(one rte_ring holds the pool)", cfg->capacity,
			 RTE_RING_SZ_MASK);
		return cfg->capacity ? PB_CREATE_UNSUPPORTED : -1;
	}
	if (opt[OPT_SYNC] == DR_SPSC && cfg->nr_threads > 1) {
		snprintf(err, errlen, DR_NAME ": an SPSC ring serves one "
			 "thread, not %u", cfg->nr_threads);
		return PB_CREATE_UNSUPPORTED;
	}
	rc = pb_dpdk_eal_start(err, errlen);
	if (rc)
		return rc == -EINVAL ? -1 : PB_CREATE_UNSUPPORTED;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	if (pb_objects_carve(&p->objs, &g, cfg->capacity)) {
		free(p);
		goto nomem;
	}
	snprintf(name, sizeof(name), "pb-ring-%u",
		 atomic_fetch_add(&dr_next_id, 1));
	p->r = rte_ring_create(name, (unsigned int)p->objs.nr, SOCKET_ID_ANY,
			       dr_flags[opt[OPT_SYNC]] | RING_F_EXACT_SZ);
	if (!p->r) {
		snprintf(err, errlen, DR_NAME ": rte_ring_create(capacity "
			 "%zu): %s", cfg->capacity, rte_strerror(rte_errno));
		pb_objects_free(&p->objs);
		free(p);
		/* EAL's memory (-m) too small for this capacity's ring. */
		return PB_CREATE_UNSUPPORTED;
	}
	for (size_t i = 0; i < p->objs.nr; i++) {
		void *obj = pb_objects_at(&p->objs, i);

		rte_ring_enqueue(p->r, obj);
	}
	*pool = p;
	return 0;
nomem:
	snprintf(err, errlen, DR_NAME ": out of memory");
	return -1;
}

static void dr_destroy(void *pool)
{
	struct dr_pool *p = pool;

	rte_ring_free(p->r);
	pb_objects_free(&p->objs);
	free(p);
}

static void dr_stats(void *pool, struct pb_stats *st)
{
	struct dr_pool *p = pool;

	pb_stats_set(st, PB_STAT_cached, rte_ring_count(p->r));
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     sizeof(*p) + p->r->memzone->len);
}

static inline unsigned int dr_clamp(size_t n)
{
	return n < RTE_RING_SZ_MASK ? (unsigned int)n : RTE_RING_SZ_MASK;
}

/* dr_alloc() - any thread (sync=spsc: the one); NULL when all are live. */
PB_FASTPATH void *dr_alloc(void *pool)
{
	void *obj;

	if (unlikely(rte_ring_dequeue(((struct dr_pool *)pool)->r, &obj)))
		return NULL;
	pb_dpdk_tsan_acquire(&obj, 1);
	return obj;
}

/*
 * dr_enqueue_wait() - the slow path of a free that found the ring full.
 * The ring has an entry for every object, but in the RTS mode the
 * consumers' tail is relaxed: it moves only when the last of the
 * concurrent dequeues completes, so until then a producer can see fewer
 * free entries than there are objects outside the ring (mpmc and hts move
 * each dequeue's tail before it returns: they never get here). Dropping
 * the object would shrink the pool for good; a DPDK application would
 * wait too, so wait for the tail.
 */
static __attribute__((noinline)) void dr_enqueue_wait(struct rte_ring *r,
						      void *const *objs,
						      unsigned int n)
{
	while (!rte_ring_enqueue_bulk(r, objs, n, NULL))
		rte_pause();
}

/* dr_free() - any thread; waits only for an RTS tail (dr_enqueue_wait). */
PB_FASTPATH void dr_free(void *pool, void *obj)
{
	struct rte_ring *r = ((struct dr_pool *)pool)->r;

	pb_dpdk_tsan_release(&obj, 1);
	if (unlikely(rte_ring_enqueue(r, obj)))
		dr_enqueue_wait(r, &obj, 1);
}

/* dr_alloc_bulk() - as many as the ring holds, up to @n. */
PB_FASTPATH size_t dr_alloc_bulk(void *pool, void **objs, size_t n)
{
	unsigned int got = rte_ring_dequeue_burst(((struct dr_pool *)pool)->r,
						  objs, dr_clamp(n), NULL);

	pb_dpdk_tsan_acquire(objs, got);
	return got;
}

PB_FASTPATH void dr_free_bulk(void *pool, void **objs, size_t n)
{
	struct rte_ring *r = ((struct dr_pool *)pool)->r;

	pb_dpdk_tsan_release(objs, n);
	/* A bulk of 0 enqueues 0: not a full ring. */
	if (unlikely(!rte_ring_enqueue_bulk(r, objs, dr_clamp(n), NULL)) && n)
		dr_enqueue_wait(r, objs, dr_clamp(n));
}

PB_BACKEND_REGISTER_BULK(dpdk_ring, dr_alloc, dr_free, dr_alloc_bulk,
			 dr_free_bulk,
	.name = DR_NAME,
	.flags = PB_BACKEND_FIXED | PB_BACKEND_PEER,
	.description = "DPDK rte_ring as a fixed pool's free list (peer of "
		       "alf-mpmc); sync mpmc|spsc|rts|hts",
	.options = dr_options,
	.variants = dr_variants,
	.create = dr_create,
	.destroy = dr_destroy,
	.stats = dr_stats,
)
