// SPDX-License-Identifier: GPL-2.0-only
/*
 * mempool_backend.c - the per-thread ctx and the statistics shared by the
 * mempool backends (mempool_backend.h), and the check of their reserve
 * options.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/mempool/mempool_backend.h"

#define PB_CACHELINE 64

struct pb_mempool_ctx *pb_mempool_ctx_new(void *owner)
{
	size_t size = (sizeof(struct pb_mempool_ctx) + PB_CACHELINE - 1) &
		      ~(size_t)(PB_CACHELINE - 1);
	struct pb_mempool_ctx *ctx = aligned_alloc(PB_CACHELINE, size);

	if (!ctx)
		return NULL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->owner = owner;
	return ctx;
}

void pb_mempool_ctx_free(struct pb_mempool *mp, struct pb_mempool_ctx *ctx)
{
	pb_mempool_counters_add(mp, &ctx->cnt);
	free(ctx);
}

int pb_mempool_check_levels(const char *owner, uint64_t min_nr,
			    uint64_t low_mark, char *err, size_t errlen)
{
	if (low_mark <= min_nr)
		return 0;
	snprintf(err, errlen,
		 "%s: low_mark=%" PRIu64 " exceeds min_nr=%" PRIu64
		 ": the reserve holds at most min_nr objects and is refilled "
		 "when it falls below low_mark; give low_mark <= min_nr "
		 "(defaults: min_nr=%u, low_mark=%u)",
		 owner, low_mark, min_nr, PB_MEMPOOL_DFL_MIN_NR,
		 PB_MEMPOOL_DFL_LOW_MARK);
	return -1;
}

/*
 * Where each allocation came from: reserve_hits (the reserve), alloc_fails
 * (nowhere), and the rest from the backing allocator. backing_allocs also
 * counts the elements fills took (create's, and each of the refills runs),
 * so it equals the allocations the backing allocator served only where
 * refills stays 0; each mode's report in the backends' top comments says
 * which applies. fast_hits/slow_hits stay unavailable: a mempool has no
 * fast path of its own.
 */
void pb_mempool_report(struct pb_mempool *mp, size_t extra_metadata,
		       struct pb_stats *st)
{
	struct pb_mempool_counters t;
	size_t level = pb_mempool_counters_read(mp, &t);

	pb_stats_set(st, PB_STAT_backing_allocs, t.backing_allocs);
	pb_stats_set(st, PB_STAT_backing_frees, t.backing_frees);
	pb_stats_set(st, PB_STAT_reserve_hits, t.reserve_hits);
	pb_stats_set(st, PB_STAT_reserve_puts, t.reserve_puts);
	pb_stats_set(st, PB_STAT_waits, t.waits);
	pb_stats_set(st, PB_STAT_wait_timeouts, t.wait_timeouts);
	pb_stats_set(st, PB_STAT_refills, t.refills);
	pb_stats_set(st, PB_STAT_alloc_fails, t.alloc_fails);
	pb_stats_set(st, PB_STAT_reserve_level, level);
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     pb_mempool_metadata_bytes(mp) + extra_metadata);
}
