/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mempool.h - mempool_t (Linux mm/mempool.c) in userspace, with the refill
 * mechanism of the 2012 percpu mempool (seed 004).
 *
 * Design
 *   A pool guarantees that min_nr elements can always be handed out, even
 *   when its backing allocator fails: it keeps a reserve of up to min_nr
 *   elements, taken from the backing allocator at create. An allocation
 *   follows mm/mempool.c's mempool_alloc(): the backing allocator first,
 *   told not to wait (the kernel's gfp_temp, the caller's gfp without
 *   direct reclaim and IO); then the reserve; then, for a caller that may
 *   wait only, the backing allocator again with waiting allowed; then a
 *   sleep until a free, and round again. A caller that may not wait gets
 *   NULL where a waiting caller would retry. Frees top the reserve back up
 *   to min_nr before anything goes back to the backing allocator. One
 *   pthread mutex guards the reserve; there is no per-CPU or per-thread
 *   state in the pool (callers keep their own statistics).
 *
 *   The backing allocator receives the caller's mode and decides, as a
 *   kernel mempool's alloc_fn does: malloc serves any request; seed 004's
 *   percpu allocator refuses (NULL) unless PB_GFP_WAIT is set, so that a
 *   percpu mempool always takes its reserve first and calls the percpu
 *   allocator only for a caller that may wait and found the reserve empty.
 *   An atomic caller of such a pool lives on the reserve, which is refilled
 *   either synchronously (pb_mempool_refill(PB_GFP_WAIT)) or by a per-pool
 *   worker thread that allocations which may not wait schedule once the
 *   reserve drops below a low mark, as the kernel's schedule_work().
 *
 * Suits
 *   Forward-progress guarantees under allocation failure, and buffering an
 *   allocator that cannot be called from where objects are needed. It is not
 *   a fast allocator: every reserve access takes the mutex, which all threads
 *   share.
 *
 * Limits
 *   The reserve never holds more than min_nr elements. Growing min_nr with
 *   pb_mempool_resize() does not allocate elements: later frees and refills
 *   fill the reserve. Elements still held by users at pb_mempool_destroy()
 *   are the caller's to free to the backing allocator.
 *
 * Lock order
 *   pool->lock only; the backing allocator is never called under it.
 *
 * Userspace against the kernel (mm/mempool.c as it is today)
 *   - A kernel may-block mempool_alloc() never fails: it sleeps in 5 s slices
 *     until an element comes back. Here a PB_GFP_WAIT alloc gives up and
 *     returns NULL once wait_ms have passed since its first sleep, so that a
 *     benchmark cannot hang.
 *   - The gfp flags are cut down to one question, may the caller wait
 *     (PB_GFP_WAIT: the kernel's __GFP_DIRECT_RECLAIM|__GFP_IO, and
 *     GFP_KERNEL for seed 004's percpu alloc_fn)? There is no __GFP_HIGH,
 *     __GFP_NOMEMALLOC, __GFP_NORETRY or __GFP_NOWARN: a userspace backing
 *     allocator has no emergency reserves to draw on or to spare.
 *   - The low mark that schedules the refill worker is the pool's (seed
 *     004 leaves the decision to the caller, which reads nr_elems() and
 *     calls percpu_mempool_refill()); pb_mempool_refill() is still there
 *     for callers that decide themselves.
 *   - The async refill is a pthread per pool sleeping on a condition
 *     variable instead of a workqueue item.
 *   - Statistics are counted into caller-owned counters, so that the hot
 *     paths write no shared cache line for them.
 */
#ifndef PB_ALLOCATORS_MEMPOOL_MEMPOOL_H
#define PB_ALLOCATORS_MEMPOOL_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Allocation context flags, the kernel's gfp_t cut down to the one question
 * a userspace pool can honour: may the caller wait?
 *   PB_GFP_WAIT    the caller may sleep (GFP_KERNEL): the backing allocator
 *                  may do its full, blocking work, and the pool may sleep
 *                  for a free.
 *   PB_GFP_ATOMIC  the caller may not sleep (GFP_ATOMIC): the backing
 *                  allocator is asked without waiting, then the reserve;
 *                  NULL when both fail.
 *   PB_GFP_NOWAIT  what a backing allocator receives on a may-block
 *                  caller's first try (the kernel's gfp_temp).
 * A backing allocator receives the caller's flags without PB_GFP_WAIT on
 * the first try, the caller's full flags on the may-block retry, and
 * PB_GFP_WAIT from a fill. It must test PB_GFP_WAIT only: without it, it
 * must not sleep and may fail.
 */
enum {
	PB_GFP_NOWAIT = 0,
	PB_GFP_WAIT = 1u << 0,
	PB_GFP_ATOMIC = 1u << 1,
};

/* The kernel's default sleep slice, 5*HZ, used as the whole wait budget. */
#define PB_MEMPOOL_WAIT_MS_DEFAULT 5000u

/*
 * Backing allocator. alloc returns an element or NULL; it is called with
 * the flags above (PB_GFP_WAIT set or not), from any thread, never under
 * the pool lock.
 */
typedef void *(*pb_mempool_alloc_t)(unsigned int gfp, void *pool_data);
typedef void (*pb_mempool_free_t)(void *elem, void *pool_data);

/*
 * struct pb_mempool_params - tunables of pb_mempool_create().
 * @low_mark:     an alloc without PB_GFP_WAIT that takes from the reserve
 *                and leaves fewer than @low_mark elements there (or finds
 *                it empty) schedules the refill worker. At most min_nr;
 *                0: only pb_mempool_refill() schedules it.
 * @wait_ms:      total time a PB_GFP_WAIT alloc may sleep waiting for a
 *                free; 0: it never sleeps.
 * @async_refill: start a refill worker thread for this pool.
 */
struct pb_mempool_params {
	size_t low_mark;
	unsigned int wait_ms;
	bool async_refill;
};

/*
 * struct pb_mempool_counters - event counts of a pool.
 * @backing_allocs: elements taken from the backing allocator (by allocs,
 *                  and by fills: create's, refills).
 * @backing_frees:  elements given back to it.
 * @reserve_hits:   allocations served from the reserve.
 * @reserve_puts:   frees that went into the reserve.
 * @waits:          allocations that slept waiting for a free (once each).
 * @wait_timeouts:  those of them that gave up (and returned NULL).
 * @alloc_fails:    allocations that returned NULL.
 * @refills:        refill runs (pb_mempool_fill(), sync or by the worker).
 *
 * Callers own one per thread and pass it to alloc/free (plain increments,
 * no sharing), then add it into the pool's totals. What the pool does by
 * itself (create's fill, refills, resize) goes straight into the totals.
 */
struct pb_mempool_counters {
	uint64_t backing_allocs;
	uint64_t backing_frees;
	uint64_t reserve_hits;
	uint64_t reserve_puts;
	uint64_t waits;
	uint64_t wait_timeouts;
	uint64_t alloc_fails;
	uint64_t refills;
};

struct pb_mempool;

/*
 * Concurrency contract: pb_mempool_create() and pb_mempool_destroy() run on
 * one thread with no other call on the pool in flight. Every other function
 * may be called from any thread, concurrently with all the others.
 */

/**
 * pb_mempool_create() - create a pool and fill its reserve.
 * @min_nr:    elements guaranteed to the pool's users; at least 1.
 * @alloc_fn:  the backing allocator's alloc.
 * @free_fn:   the backing allocator's free.
 * @pool_data: passed to @alloc_fn and @free_fn.
 * @params:    tunables; NULL: no low mark, the default wait, no worker.
 *
 * Allocates min_nr elements with PB_GFP_WAIT. If any of them fails, every
 * element obtained so far is freed and no pool is made.
 *
 * Return: the pool, or NULL with errno EINVAL (bad argument), ENOMEM (an
 * allocation failed) or the error of pthread_create().
 */
struct pb_mempool *pb_mempool_create(size_t min_nr, pb_mempool_alloc_t alloc_fn,
				     pb_mempool_free_t free_fn, void *pool_data,
				     const struct pb_mempool_params *params);

/**
 * pb_mempool_destroy() - stop the refill worker and free the pool.
 * @pool: the pool; NULL is ignored.
 *
 * Every reserved element goes back to the backing allocator. Elements held
 * by users are not tracked: free them with the backing allocator.
 */
void pb_mempool_destroy(struct pb_mempool *pool);

/**
 * pb_mempool_alloc() - allocate an element.
 * @pool: the pool.
 * @gfp:  PB_GFP_WAIT or PB_GFP_ATOMIC (any flags without PB_GFP_WAIT are
 *        served as PB_GFP_ATOMIC).
 * @cnt:  the caller's counters, or NULL.
 *
 * The backing allocator with @gfp less PB_GFP_WAIT, then the reserve. If
 * both failed: PB_GFP_ATOMIC gets NULL; PB_GFP_WAIT calls the backing
 * allocator with @gfp, then sleeps until a free (or a refill) and starts
 * again with @gfp, for at most wait_ms in total. A take from the reserve
 * without PB_GFP_WAIT that leaves it under the low mark, or finds it empty,
 * schedules the refill worker.
 *
 * Return: an element, or NULL (atomic: the backing allocator refused and
 * the reserve was empty; may-block: wait_ms passed without an element).
 */
void *pb_mempool_alloc(struct pb_mempool *pool, unsigned int gfp,
		       struct pb_mempool_counters *cnt);

/**
 * pb_mempool_free() - free an element.
 * @pool: the pool it came from.
 * @elem: the element; NULL is ignored.
 * @cnt:  the caller's counters, or NULL.
 *
 * Into the reserve (waking sleepers) while it holds fewer than min_nr,
 * else to the backing allocator. @elem may come from any thread's alloc.
 */
void pb_mempool_free(struct pb_mempool *pool, void *elem,
		     struct pb_mempool_counters *cnt);

/**
 * pb_mempool_fill() - top the reserve up to min_nr, synchronously.
 * @pool: the pool.
 *
 * Allocates with PB_GFP_WAIT outside the lock; an element the reserve no
 * longer needs when it arrives goes back to the backing allocator.
 *
 * Return: 0, or -ENOMEM if the backing allocator failed (the reserve keeps
 * what was added).
 */
int pb_mempool_fill(struct pb_mempool *pool);

/**
 * pb_mempool_refill() - refill the reserve, now or in the background.
 * @pool: the pool.
 * @gfp:  PB_GFP_WAIT: refill now; otherwise schedule the refill worker.
 *
 * Return: PB_GFP_WAIT: pb_mempool_fill()'s result. Otherwise -EAGAIN
 * (refill in progress), or -EOPNOTSUPP if the pool has no worker.
 */
int pb_mempool_refill(struct pb_mempool *pool, unsigned int gfp);

/**
 * pb_mempool_resize() - change min_nr.
 * @pool:       the pool.
 * @new_min_nr: the new guarantee; at least 1.
 *
 * Shrinking frees the surplus reserved elements (outside the lock) and
 * lowers the low mark to @new_min_nr if it was above. Growing only makes
 * room: the reserve is filled by later frees, pb_mempool_fill() or
 * pb_mempool_refill(). Concurrent resizes: the last to take the lock wins.
 *
 * Return: 0, -EINVAL (@new_min_nr is 0) or -ENOMEM.
 */
int pb_mempool_resize(struct pb_mempool *pool, size_t new_min_nr);

/**
 * pb_mempool_nr_elems() - the reserve level (curr_nr), without locking.
 * @pool: the pool.
 *
 * Return: elements in the reserve at some recent instant; what callers
 * read to decide when to refill.
 */
size_t pb_mempool_nr_elems(const struct pb_mempool *pool);

/**
 * pb_mempool_min_nr() - the current guarantee, without locking.
 * @pool: the pool.
 *
 * Return: min_nr.
 */
size_t pb_mempool_min_nr(const struct pb_mempool *pool);

/**
 * pb_mempool_nr_waiters() - allocations sleeping for a free right now.
 * @pool: the pool.
 *
 * Return: their number (tests and monitoring).
 */
size_t pb_mempool_nr_waiters(struct pb_mempool *pool);

/**
 * pb_mempool_metadata_bytes() - memory the pool uses besides its elements.
 * @pool: the pool.
 *
 * Return: bytes of the pool structure and its elements array.
 */
size_t pb_mempool_metadata_bytes(struct pb_mempool *pool);

/**
 * pb_mempool_counters_add() - add a caller's counters into the totals.
 * @pool: the pool.
 * @cnt:  counters the caller has stopped updating.
 */
void pb_mempool_counters_add(struct pb_mempool *pool,
			     const struct pb_mempool_counters *cnt);

/**
 * pb_mempool_counters_read() - read the pool's totals.
 * @pool: the pool.
 * @out:  receives the totals (what was added plus the pool's own events).
 *
 * Return: the reserve level at the same instant, so that a reader can check
 * backing_allocs - backing_frees against it.
 */
size_t pb_mempool_counters_read(struct pb_mempool *pool,
				struct pb_mempool_counters *out);

#endif /* PB_ALLOCATORS_MEMPOOL_MEMPOOL_H */
