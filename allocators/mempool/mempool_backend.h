/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mempool_backend.h - what the two mempool backends (mutex-mempool over
 * malloc, percpu-mempool over a percpu allocator) share around mempool.h:
 * the per-thread ctx that holds a thread's counters, the statistics a
 * mempool reports, and the reserve's default size and low mark with their
 * check.
 *
 * Concurrency contract: a ctx belongs to the thread that made it; its
 * counters reach the pool's totals at pb_mempool_ctx_free(), so alloc and
 * free write no shared line for counting.
 */
#ifndef PB_ALLOCATORS_MEMPOOL_MEMPOOL_BACKEND_H
#define PB_ALLOCATORS_MEMPOOL_MEMPOOL_BACKEND_H

#include "allocators/mempool/mempool.h"
#include "allocators/stats.h"

/*
 * The default reserve (min_nr) and low mark of both backends: a reserve of
 * 64 objects, refilled (atomic mode) once an allocation leaves fewer than
 * 32. Fixed, not derived from the workload's capacity: at fastpath-reuse's
 * capacity of one object per thread a capacity-sized reserve of 1 with a
 * low mark of 1 woke the refill worker on every alloc+free pair, so the
 * atomic rows measured contention with the worker, not the pool.
 */
#define PB_MEMPOOL_DFL_MIN_NR 64u
#define PB_MEMPOOL_DFL_LOW_MARK 32u
/* The largest min_nr (and low_mark) an option may ask for. */
#define PB_MEMPOOL_MAX_MIN_NR (UINT64_C(1) << 24)

/**
 * pb_mempool_check_levels() - validate the min_nr and low_mark options.
 * @owner:    the backend's name, for the message.
 * @min_nr:   the reserve asked for (the option parser has checked its range).
 * @low_mark: the low mark asked for.
 * @err:      receives a one-line message on failure.
 * @errlen:   its size.
 *
 * Return: 0, or -1 when @low_mark exceeds @min_nr (a reserve never holds
 * more than min_nr, so it would stay under the low mark for good).
 */
int pb_mempool_check_levels(const char *owner, uint64_t min_nr,
			    uint64_t low_mark, char *err, size_t errlen);

/* struct pb_mempool_ctx - one thread's handle: @owner, the backend's pool. */
struct pb_mempool_ctx {
	void *owner;
	struct pb_mempool_counters cnt;
};

/**
 * pb_mempool_ctx_new() - one thread's ctx of a mempool backend
 * @owner: the backend's pool
 *
 * Return: a zeroed ctx on a cache line of its own (its counters are written
 * on every operation), or NULL (no memory).
 */
struct pb_mempool_ctx *pb_mempool_ctx_new(void *owner);
/**
 * pb_mempool_ctx_free() - add a ctx's counters into the pool's totals, free it
 * @mp: the mempool
 * @ctx: the ctx (thread_fini)
 */
void pb_mempool_ctx_free(struct pb_mempool *mp, struct pb_mempool_ctx *ctx);
/**
 * pb_mempool_report() - every statistic a mempool keeps, for a backend's stats()
 * @mp: the mempool
 * @extra_metadata: the backend's own metadata bytes, added to the pool's
 * @st: receives backing, reserve, waits, refills, failures, the reserve
 *      level and the metadata bytes
 */
void pb_mempool_report(struct pb_mempool *mp, size_t extra_metadata,
		       struct pb_stats *st);

#endif /* PB_ALLOCATORS_MEMPOOL_MEMPOOL_BACKEND_H */
