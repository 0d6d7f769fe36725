/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h - backend statistics that explain a benchmark's numbers.
 *
 * One global list of named statistics (PB_STAT_LIST), so every backend
 * reports into the same CSV columns. A backend sets only what it has; every
 * other statistic stays unavailable (an empty cell), never 0.
 *
 * Kinds:
 *   PB_STAT_EVENTS  a count of events since create. The harness reports the
 *                   difference over a run divided by the run's operations
 *                   (e.g. reserve_hits per alloc+free pair).
 *   PB_STAT_LEVEL   a level at the end of the run (bytes, elements), as is.
 */
#ifndef PB_ALLOCATORS_STATS_H
#define PB_ALLOCATORS_STATS_H

#include <stdbool.h>
#include <stdint.h>

enum pb_stat_kind { PB_STAT_EVENTS, PB_STAT_LEVEL };

/* X(name, kind, description): the description documents the statistic here. */
#define PB_STAT_LIST(X)                                                        \
	X(fast_hits, PB_STAT_EVENTS,                                           \
	  "allocations served by the backend's fast path")                     \
	X(slow_hits, PB_STAT_EVENTS,                                           \
	  "allocations that took the backend's slow path")                     \
	X(steals, PB_STAT_EVENTS,                                              \
	  "allocations served from another CPU's slot (remote objects)")       \
	X(sharedq_refills, PB_STAT_EVENTS,                                     \
	  "allocations that refilled the per-CPU cache from a shared layer")   \
	X(sharedq_spills, PB_STAT_EVENTS,                                      \
	  "frees that moved a bulk from the per-CPU cache to a shared layer")  \
	X(backing_allocs, PB_STAT_EVENTS,                                      \
	  "objects taken from the backing allocator")                          \
	X(backing_frees, PB_STAT_EVENTS,                                       \
	  "objects given back to the backing allocator")                       \
	X(reserve_hits, PB_STAT_EVENTS,                                        \
	  "allocations served from a mempool reserve")                         \
	X(reserve_puts, PB_STAT_EVENTS,                                        \
	  "frees that went back into a mempool reserve")                       \
	X(waits, PB_STAT_EVENTS,                                               \
	  "allocations that slept waiting for a free")                         \
	X(wait_timeouts, PB_STAT_EVENTS,                                       \
	  "waits that ended by timeout rather than by a free")                 \
	X(refills, PB_STAT_EVENTS,                                             \
	  "reserve refill runs (synchronous or by the refill worker)")         \
	X(alloc_fails, PB_STAT_EVENTS, "allocations that returned NULL")       \
	X(rseq_aborts, PB_STAT_EVENTS,                                         \
	  "restartable sequences aborted and retried (rseq mode: preempted, "  \
	  "migrated or signalled inside one)")                                 \
	X(cpu_changes, PB_STAT_EVENTS,                                         \
	  "operations that found the thread on another CPU than its previous " \
	  "one (rseq mode)")                                                   \
	X(reserve_level, PB_STAT_LEVEL, "elements in the reserve at the end")  \
	X(cached, PB_STAT_LEVEL,                                               \
	  "free objects held in the allocator's queues/caches at the end")     \
	X(metadata_bytes, PB_STAT_LEVEL,                                       \
	  "bytes of allocator metadata at the end")                            \
	X(chunks, PB_STAT_LEVEL,                                               \
	  "chunks in use at the end (percpu allocators)")                      \
	X(chunks_released, PB_STAT_EVENTS,                                     \
	  "chunks released (percpu: by balance, never inside a free)")         \
	X(memmoves, PB_STAT_EVENTS,                                            \
	  "memmoves of a chunk's allocation map (the percpu area map's splits " \
	  "and merges)")                                                       \
	X(free_memmoves, PB_STAT_EVENTS,                                       \
	  "of them, the memmoves done by free (the area map's merges: at most " \
	  "one per free, as pcpu_free_area)")

enum pb_stat_id {
#define PB_STAT_ENUM(name, kind, desc) PB_STAT_##name,
	PB_STAT_LIST(PB_STAT_ENUM)
#undef PB_STAT_ENUM
	PB_STAT__COUNT
};

struct pb_stats {
	uint64_t v[PB_STAT__COUNT];
	uint64_t valid;		/* bit i set: v[i] was reported */
};

/**
 * pb_stats_set() - report statistic @id
 * @st: the statistics being filled (a backend's stats())
 * @id: which one
 * @value: its value: a count since create, or a level (stats.h's kinds)
 */
static inline void pb_stats_set(struct pb_stats *st, enum pb_stat_id id,
				uint64_t value)
{
	st->v[id] = value;
	st->valid |= UINT64_C(1) << id;
}

/**
 * pb_stats_has() - whether statistic @id was reported
 * @st: the statistics
 * @id: which one
 *
 * Return: true when pb_stats_set() set it; an unreported one is unavailable
 * (an empty cell), never 0.
 */
static inline bool pb_stats_has(const struct pb_stats *st, enum pb_stat_id id)
{
	return st->valid & (UINT64_C(1) << id);
}

/**
 * pb_stat_name() - the name of statistic @id (its CSV column, stats.h's list)
 * @id: which one
 *
 * Return: the name.
 */
const char *pb_stat_name(enum pb_stat_id id);

/**
 * pb_stat_kind() - whether statistic @id counts events or reports a level
 * @id: which one
 *
 * Return: PB_STAT_EVENTS or PB_STAT_LEVEL.
 */
enum pb_stat_kind pb_stat_kind(enum pb_stat_id id);

#endif /* PB_ALLOCATORS_STATS_H */
