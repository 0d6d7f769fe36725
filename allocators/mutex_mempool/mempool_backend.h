/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mempool_backend.h - what the two mempool backends (mutex-mempool over
 * malloc, percpu-mempool over a percpu allocator) share around mempool.h:
 * the per-thread ctx that holds a thread's counters, and the statistics a
 * mempool reports.
 *
 * Concurrency contract: a ctx belongs to the thread that made it; its
 * counters reach the pool's totals at pb_mempool_ctx_free(), so alloc and
 * free write no shared line for counting.
 */
#ifndef PB_ALLOCATORS_MUTEX_MEMPOOL_MEMPOOL_BACKEND_H
#define PB_ALLOCATORS_MUTEX_MEMPOOL_MEMPOOL_BACKEND_H

#include "allocators/mutex_mempool/mempool.h"
#include "allocators/stats.h"

/* struct pb_mempool_ctx - one thread's handle: @owner, the backend's pool. */
struct pb_mempool_ctx {
	void *owner;
	struct pb_mempool_counters cnt;
};

/* A zeroed ctx on a cache line of its own (its counters are written on every op), or NULL. */
struct pb_mempool_ctx *pb_mempool_ctx_new(void *owner);
/* Add @ctx's counters into @mp's totals and free it. */
void pb_mempool_ctx_free(struct pb_mempool *mp, struct pb_mempool_ctx *ctx);
/*
 * Set every statistic a mempool keeps (backing, reserve, waits, refills,
 * failures, the reserve level, and the pool's own metadata bytes plus
 * @extra_metadata, the backend's) into @st.
 */
void pb_mempool_report(struct pb_mempool *mp, size_t extra_metadata,
		       struct pb_stats *st);

#endif /* PB_ALLOCATORS_MUTEX_MEMPOOL_MEMPOOL_BACKEND_H */
