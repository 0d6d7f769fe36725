// SPDX-License-Identifier: GPL-2.0-only
/*
 * alf_ring.c - the backends "alf-mpmc" and "alf-spsc": a fixed pool whose
 * free list is one alf_queue (allocators/alf_queue/alf_queue.h), the shape of
 * DPDK's ring mempool.
 *
 * They exist to measure the queue itself under the harness, reproducing
 * Brouer's alf_queue table (seed 000 / REFERENCE §2): alloc is a dequeue of
 * one pointer, free an enqueue, so per alloc+free pair
 *   fastpath-reuse         = "simple"  (one enqueue, one dequeue)
 *   ring-cleanup, n=128    = "multi(128)"
 *   bulk, n=2/4/8/16       = "bulkN"   (one bulk enqueue, one bulk dequeue)
 * alf-mpmc uses the CAS-reserving multi-producer/multi-consumer paths,
 * alf-spsc the single-producer/single-consumer ones without CAS.
 *
 * The pool holds exactly `capacity` objects (one allocation, carved up),
 * queued at create; the queue has room for all of them, so a free never
 * fails. alf-spsc is correct for one thread only (or one producer and one
 * consumer): a configuration with more threads is answered
 * PB_CREATE_UNSUPPORTED, as is a capacity above one queue's 65536 (the
 * million workload's 2^20). Context modes: neither keeps per-CPU state; both
 * modes run the same code. The alf_queue's preemption hazard (a producer
 * descheduled between reserve and publish stalls the others) applies to
 * alf-mpmc under --oversubscribe.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/alf_queue/alf_queue.h"
#include "allocators/objects.h"
#include "allocators/register.h"

struct ar_pool {
	struct alf_queue *q;
	struct pb_objects objs;	/* the capacity objects, carved up */
};

static int ar_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen, const char *name, bool spsc)
{
	struct pb_geometry g;
	struct ar_pool *p;
	uint64_t none[1];
	size_t size = 2;

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, name, err,
			     errlen) ||
	    pb_config_geometry(cfg, name, &g, err, errlen))
		return -1;
	if (!cfg->capacity || cfg->capacity > ALF_QUEUE_MAX_SIZE) {
		snprintf(err, errlen, "%s: capacity %zu: must be 1..%u (one "
			 "alf_queue holds the pool)", name, cfg->capacity,
			 ALF_QUEUE_MAX_SIZE);
		/* More than one queue holds: a valid point it cannot serve. */
		return cfg->capacity ? PB_CREATE_UNSUPPORTED : -1;
	}
	if (spsc && cfg->nr_threads > 1) {
		snprintf(err, errlen, "%s: an SPSC queue serves one thread, not %u",
			 name, cfg->nr_threads);
		return PB_CREATE_UNSUPPORTED;
	}
	while (size < cfg->capacity)
		size *= 2;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	p->q = alf_queue_alloc((uint32_t)size);
	if (!p->q || pb_objects_carve(&p->objs, &g, cfg->capacity)) {
		alf_queue_free(p->q);
		free(p);
		goto nomem;
	}
	for (size_t i = 0; i < p->objs.nr; i++) {
		void *obj = pb_objects_at(&p->objs, i);

		alf_queue_enqueue_sp(p->q, &obj, 1);
	}
	*pool = p;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", name);
	return -1;
}

static int ar_create_mpmc(const struct pb_config *cfg, void **pool, char *err,
			  size_t errlen)
{
	return ar_create(cfg, pool, err, errlen, "alf-mpmc", false);
}

static int ar_create_spsc(const struct pb_config *cfg, void **pool, char *err,
			  size_t errlen)
{
	return ar_create(cfg, pool, err, errlen, "alf-spsc", true);
}

static void ar_destroy(void *pool)
{
	struct ar_pool *p = pool;

	alf_queue_free(p->q);
	pb_objects_free(&p->objs);
	free(p);
}

static void ar_stats(void *pool, struct pb_stats *st)
{
	struct ar_pool *p = pool;

	pb_stats_set(st, PB_STAT_cached, alf_queue_count(p->q));
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     sizeof(*p) + alf_queue_size(p->q) * sizeof(void *));
}

static inline unsigned int ar_clamp(size_t n)
{
	return n < ALF_QUEUE_MAX_SIZE ? (unsigned int)n : ALF_QUEUE_MAX_SIZE;
}

/* alf-mpmc: any thread, concurrently. */
static inline void *ar_alloc_mc(void *pool)
{
	void *obj;

	return alf_queue_dequeue_mc(((struct ar_pool *)pool)->q, &obj, 1) ?
		       obj : NULL;
}

static inline void ar_free_mp(void *pool, void *obj)
{
	alf_queue_enqueue_mp(((struct ar_pool *)pool)->q, &obj, 1);
}

static inline size_t ar_alloc_bulk_mc(void *pool, void **objs, size_t n)
{
	return alf_queue_dequeue_mc(((struct ar_pool *)pool)->q, objs,
				    ar_clamp(n));
}

/* The queue has room for every object of the pool: this cannot fail. */
static inline void ar_free_bulk_mp(void *pool, void **objs, size_t n)
{
	alf_queue_enqueue_mp(((struct ar_pool *)pool)->q, objs, ar_clamp(n));
}

/* alf-spsc: one thread (one producer and one consumer) only. */
static inline void *ar_alloc_sc(void *pool)
{
	void *obj;

	return alf_queue_dequeue_sc(((struct ar_pool *)pool)->q, &obj, 1) ?
		       obj : NULL;
}

static inline void ar_free_sp(void *pool, void *obj)
{
	alf_queue_enqueue_sp(((struct ar_pool *)pool)->q, &obj, 1);
}

static inline size_t ar_alloc_bulk_sc(void *pool, void **objs, size_t n)
{
	return alf_queue_dequeue_sc(((struct ar_pool *)pool)->q, objs,
				    ar_clamp(n));
}

static inline void ar_free_bulk_sp(void *pool, void **objs, size_t n)
{
	alf_queue_enqueue_sp(((struct ar_pool *)pool)->q, objs, ar_clamp(n));
}

PB_BACKEND_REGISTER_BULK(alf_mpmc, ar_alloc_mc, ar_free_mp, ar_alloc_bulk_mc,
			 ar_free_bulk_mp,
	.name = "alf-mpmc",
	.flags = PB_BACKEND_FIXED,
	.description = "a fixed pool on one alf_queue, MPMC paths (CAS); "
		       "measures the queue (Brouer's alf_queue table)",
	.create = ar_create_mpmc,
	.destroy = ar_destroy,
	.stats = ar_stats,
)

PB_BACKEND_REGISTER_BULK(alf_spsc, ar_alloc_sc, ar_free_sp, ar_alloc_bulk_sc,
			 ar_free_bulk_sp,
	.name = "alf-spsc",
	.flags = PB_BACKEND_FIXED,
	.description = "a fixed pool on one alf_queue, SPSC paths (no CAS), "
		       "one thread only; measures the queue",
	.create = ar_create_spsc,
	.destroy = ar_destroy,
	.stats = ar_stats,
)
