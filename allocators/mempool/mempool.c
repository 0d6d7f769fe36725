// SPDX-License-Identifier: GPL-2.0-only
/*
 * mempool.c - mempool_t (Linux mm/mempool.c) under a pthread mutex, with the
 * sync/async refill of the percpu mempool (seed 004).
 *
 * Design: a LIFO array of up to min_nr reserved elements and its level
 * curr_nr, guarded by one mutex. pb_mempool_alloc() is mempool_alloc()'s
 * loop: backing allocator without waiting, reserve, backing allocator with
 * waiting (may-block callers only), sleep. May-block allocators sleep on a
 * condition variable (CLOCK_MONOTONIC) that frees and fills broadcast; an
 * optional worker thread, sleeping on its own condition variable under the
 * same mutex, runs pb_mempool_fill() when an allocation that may not wait
 * leaves the reserve under the low mark. Suits and limits: see mempool.h.
 *
 * Lock order: pool->lock is the only lock. The backing allocator, and the
 * freeing of surplus elements, always run with it dropped.
 *
 * curr_nr and min_nr are written under the lock but read without it by
 * pb_mempool_free()'s pre-check and by the level getters, so every access
 * is a relaxed atomic one (the kernel's READ_ONCE), and the fence pair in
 * alloc/free orders them against the hand-over of an element.
 *
 * Userspace against the kernel (the full list is in mempool.h): a
 * may-block allocation gives up after wait_ms in total instead of sleeping
 * forever in 5 s slices; sleepers are woken with a broadcast only when
 * there are any (the kernel's wake_up() also wakes every non-exclusive
 * waiter); the pool, not its caller, schedules the refill worker at the
 * low mark.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocators/mempool/mempool.h"

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/*
 * ThreadSanitizer does not model fences, and GCC says so (-Wtsan). No check
 * is lost by silencing it: our two fences only order relaxed atomic
 * accesses to curr_nr, which TSan never reports as races.
 */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/*
 * struct pb_mempool - the pool.
 *
 * Invariants, under @lock: min_nr <= nr_slots; curr_nr <= min_nr except
 * while a shrink is freeing the surplus; elements[0 .. curr_nr) are the
 * reserved elements, the most recently freed last; low_mark <= min_nr.
 * nr_waiters counts the threads sleeping in pb_mempool_alloc().
 * work_pending is set by schedule and cleared by the worker when it starts
 * a fill; stopping is set once, by destroy.
 */
struct pb_mempool {
	pthread_mutex_t lock;
	pthread_cond_t wait;		/* may-block allocators wait for a free */
	_Atomic size_t min_nr;
	_Atomic size_t curr_nr;
	size_t nr_slots;
	void **elements;
	pb_mempool_alloc_t alloc_fn;
	pb_mempool_free_t free_fn;
	void *pool_data;
	size_t low_mark;
	unsigned int wait_ms;
	size_t nr_waiters;

	/* Async refill, the userspace image of a work_struct. */
	bool has_worker;
	bool work_pending;
	bool stopping;
	pthread_cond_t work;
	pthread_t worker;

	struct pb_mempool_counters totals;
};

#define pb_count(cnt, field)                                                   \
	do {                                                                   \
		if (cnt)                                                       \
			(cnt)->field++;                                        \
	} while (0)

static inline size_t read_curr_nr(const struct pb_mempool *pool)
{
	return atomic_load_explicit(&pool->curr_nr, memory_order_relaxed);
}

static inline size_t read_min_nr(const struct pb_mempool *pool)
{
	return atomic_load_explicit(&pool->min_nr, memory_order_relaxed);
}

/*
 * Caller holds pool->lock and saw curr_nr < min_nr. Wakes every sleeper, as
 * the kernel's wake_up() does: waking one could pick a thread that then gets
 * its element from the backing allocator and leaves the others asleep next
 * to a non-empty reserve.
 */
static void add_element(struct pb_mempool *pool, void *elem)
{
	size_t n = read_curr_nr(pool);

	pool->elements[n] = elem;
	atomic_store_explicit(&pool->curr_nr, n + 1, memory_order_relaxed);
	if (pool->nr_waiters)
		pthread_cond_broadcast(&pool->wait);
}

/* Caller holds pool->lock and saw curr_nr > 0. */
static void *remove_element(struct pb_mempool *pool)
{
	size_t n = read_curr_nr(pool) - 1;

	atomic_store_explicit(&pool->curr_nr, n, memory_order_relaxed);
	return pool->elements[n];
}

/* Caller holds pool->lock. Like schedule_work(): no-op while pending. */
static void schedule_refill(struct pb_mempool *pool)
{
	if (!pool->work_pending) {
		pool->work_pending = true;
		pthread_cond_signal(&pool->work);
	}
}

/*
 * fill() - allocate until curr_nr == min_nr; @count_run: count a refill run
 * (create's initial fill is not one). Any thread, lock not held.
 */
static int fill(struct pb_mempool *pool, bool count_run)
{
	int ret = 0;

	pthread_mutex_lock(&pool->lock);
	if (count_run)
		pool->totals.refills++;
	while (read_curr_nr(pool) < read_min_nr(pool)) {
		void *elem;

		pthread_mutex_unlock(&pool->lock);
		elem = pool->alloc_fn(PB_GFP_WAIT, pool->pool_data);
		pthread_mutex_lock(&pool->lock);
		if (!elem) {
			ret = -ENOMEM;
			break;
		}
		pool->totals.backing_allocs++;
		if (read_curr_nr(pool) >= read_min_nr(pool)) {
			/* Frees filled the reserve meanwhile. */
			pool->totals.backing_frees++;
			pthread_mutex_unlock(&pool->lock);
			pool->free_fn(elem, pool->pool_data);
			return 0;
		}
		add_element(pool, elem);
	}
	pthread_mutex_unlock(&pool->lock);
	return ret;
}

/* The refill worker: one fill per schedule, until destroy stops it. */
static void *refill_worker(void *arg)
{
	struct pb_mempool *pool = arg;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (!pool->work_pending && !pool->stopping)
			pthread_cond_wait(&pool->work, &pool->lock);
		if (pool->stopping)
			break;
		pool->work_pending = false;
		pthread_mutex_unlock(&pool->lock);
		/* Failure is dropped: the next atomic take reschedules. */
		fill(pool, true);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

static int init_sync(struct pb_mempool *pool)
{
	pthread_condattr_t attr;
	int err;

	err = pthread_mutex_init(&pool->lock, NULL);
	if (err)
		return err;
	err = pthread_condattr_init(&attr);
	if (err)
		goto out_mutex;
	err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(&pool->wait, &attr);
	pthread_condattr_destroy(&attr);
	if (err)
		goto out_mutex;
	err = pthread_cond_init(&pool->work, NULL);
	if (!err)
		return 0;
	pthread_cond_destroy(&pool->wait);
out_mutex:
	pthread_mutex_destroy(&pool->lock);
	return err;
}

struct pb_mempool *pb_mempool_create(size_t min_nr, pb_mempool_alloc_t alloc_fn,
				     pb_mempool_free_t free_fn, void *pool_data,
				     const struct pb_mempool_params *params)
{
	struct pb_mempool *pool;
	int err;

	if (!min_nr || !alloc_fn || !free_fn ||
	    (params && params->low_mark > min_nr)) {
		errno = EINVAL;
		return NULL;
	}
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		goto out_nomem;
	pool->elements = calloc(min_nr, sizeof(*pool->elements));
	if (!pool->elements)
		goto out_free;
	err = init_sync(pool);
	if (err) {
		free(pool->elements);
		free(pool);
		errno = err;
		return NULL;
	}
	atomic_init(&pool->min_nr, min_nr);
	atomic_init(&pool->curr_nr, 0);
	pool->nr_slots = min_nr;
	pool->alloc_fn = alloc_fn;
	pool->free_fn = free_fn;
	pool->pool_data = pool_data;
	pool->low_mark = params ? params->low_mark : 0;
	pool->wait_ms = params ? params->wait_ms : PB_MEMPOOL_WAIT_MS_DEFAULT;

	if (fill(pool, false)) {
		pb_mempool_destroy(pool);
		goto out_nomem;
	}
	if (params && params->async_refill) {
		err = pthread_create(&pool->worker, NULL, refill_worker, pool);
		if (err) {
			pb_mempool_destroy(pool);
			errno = err;
			return NULL;
		}
		pool->has_worker = true;
	}
	return pool;

out_free:
	free(pool);
out_nomem:
	errno = ENOMEM;
	return NULL;
}

void pb_mempool_destroy(struct pb_mempool *pool)
{
	if (!pool)
		return;
	if (pool->has_worker) {
		/* cancel_work_sync(): drop a pending run, wait for a running one. */
		pthread_mutex_lock(&pool->lock);
		pool->stopping = true;
		pthread_cond_signal(&pool->work);
		pthread_mutex_unlock(&pool->lock);
		pthread_join(pool->worker, NULL);
	}
	while (read_curr_nr(pool))
		pool->free_fn(remove_element(pool), pool->pool_data);
	pthread_cond_destroy(&pool->work);
	pthread_cond_destroy(&pool->wait);
	pthread_mutex_destroy(&pool->lock);
	free(pool->elements);
	free(pool);
}

/* Called after an element was taken from the reserve and the lock dropped. */
static inline void reserve_take_fence(void)
{
	/*
	 * Pairs with the acquire fence in pb_mempool_free(): the element may
	 * reach the thread that frees it through a store that is not ordered
	 * by our lock (the kernel's smp_wmb/smp_rmb pair). Ordering our
	 * curr_nr update before that store makes the freeing thread's
	 * unlocked pre-check see a curr_nr from after this allocation, so an
	 * element that must go back to the reserve is never handed to free_fn.
	 */
	atomic_thread_fence(memory_order_release);
}

/*
 * Caller holds pool->lock, and an alloc that may not wait took from the
 * reserve or found it empty: below the low mark, the worker is scheduled.
 */
static inline void low_mark_check(struct pb_mempool *pool)
{
	if (pool->has_worker && read_curr_nr(pool) < pool->low_mark)
		schedule_refill(pool);
}

static void deadline_after(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * pb_mempool_alloc() - mm/mempool.c's mempool_alloc() loop. The first round
 * offers the backing allocator @gfp less PB_GFP_WAIT (the kernel's gfp_temp)
 * and falls back on the reserve. Only when both failed does a caller that
 * may wait go round again with its full @gfp, at once, and after that sleep
 * for a free between rounds; a caller that may not wait gets NULL.
 */
void *pb_mempool_alloc(struct pb_mempool *pool, unsigned int gfp,
		       struct pb_mempool_counters *cnt)
{
	const bool may_wait = gfp & PB_GFP_WAIT;
	unsigned int try_gfp = gfp & ~(unsigned int)PB_GFP_WAIT;
	struct timespec deadline;
	bool waited = false, timed_out = false;
	void *elem;

	for (;;) {
		elem = pool->alloc_fn(try_gfp, pool->pool_data);
		if (likely(elem)) {
			pb_count(cnt, backing_allocs);
			return elem;
		}

		pthread_mutex_lock(&pool->lock);
		if (likely(read_curr_nr(pool))) {
			elem = remove_element(pool);
			if (!may_wait)
				low_mark_check(pool);
			pthread_mutex_unlock(&pool->lock);
			reserve_take_fence();
			pb_count(cnt, reserve_hits);
			return elem;
		}
		if (try_gfp != gfp) {
			/* Both failed without waiting: retry at once, waiting. */
			pthread_mutex_unlock(&pool->lock);
			try_gfp = gfp;
			continue;
		}
		if (!may_wait) {
			low_mark_check(pool);
			break;
		}
		if (!waited) {
			if (!pool->wait_ms)
				break;
			deadline_after(&deadline, pool->wait_ms);
			waited = true;
			pb_count(cnt, waits);
		} else if (timed_out) {
			break;
		}
		pool->nr_waiters++;
		timed_out = pthread_cond_timedwait(&pool->wait, &pool->lock,
						   &deadline) == ETIMEDOUT;
		pool->nr_waiters--;
		pthread_mutex_unlock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	if (waited)
		pb_count(cnt, wait_timeouts);
	pb_count(cnt, alloc_fails);
	return NULL;
}

void pb_mempool_free(struct pb_mempool *pool, void *elem,
		     struct pb_mempool_counters *cnt)
{
	if (unlikely(!elem))
		return;
	/*
	 * Pairs with the release fence in reserve_take_fence(): we may have got
	 * @elem from its allocator without a lock in between, and must not
	 * read a curr_nr from before its allocation. The test is only a hint
	 * (it is redone under the lock), but it must fire whenever
	 * curr_nr + elements out == min_nr, or the reserve could stay short.
	 */
	atomic_thread_fence(memory_order_acquire);
	if (unlikely(read_curr_nr(pool) < read_min_nr(pool))) {
		pthread_mutex_lock(&pool->lock);
		if (likely(read_curr_nr(pool) < read_min_nr(pool))) {
			add_element(pool, elem);
			pthread_mutex_unlock(&pool->lock);
			pb_count(cnt, reserve_puts);
			return;
		}
		pthread_mutex_unlock(&pool->lock);
	}
	pool->free_fn(elem, pool->pool_data);
	pb_count(cnt, backing_frees);
}

int pb_mempool_fill(struct pb_mempool *pool)
{
	return fill(pool, true);
}

int pb_mempool_refill(struct pb_mempool *pool, unsigned int gfp)
{
	if (gfp & PB_GFP_WAIT)
		return pb_mempool_fill(pool);
	if (!pool->has_worker)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&pool->lock);
	schedule_refill(pool);
	pthread_mutex_unlock(&pool->lock);
	return -EAGAIN;
}

int pb_mempool_resize(struct pb_mempool *pool, size_t new_min_nr)
{
	void **new_elements = NULL, **old_elements = NULL;

	if (!new_min_nr)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	while (new_min_nr > pool->nr_slots) {
		if (new_elements) {
			/* Our array fits: swap it in. */
			memcpy(new_elements, pool->elements,
			       read_curr_nr(pool) * sizeof(*new_elements));
			old_elements = pool->elements;
			pool->elements = new_elements;
			pool->nr_slots = new_min_nr;
			new_elements = NULL;
			break;
		}
		pthread_mutex_unlock(&pool->lock);
		new_elements = calloc(new_min_nr, sizeof(*new_elements));
		if (!new_elements)
			return -ENOMEM;
		pthread_mutex_lock(&pool->lock);
		/* Loop: a racing resize may have grown the array meanwhile. */
	}
	atomic_store_explicit(&pool->min_nr, new_min_nr, memory_order_relaxed);
	if (pool->low_mark > new_min_nr)
		pool->low_mark = new_min_nr;
	/* Against the current min_nr: a racing grow must not lose elements. */
	while (read_curr_nr(pool) > read_min_nr(pool)) {
		void *elem = remove_element(pool);

		pool->totals.backing_frees++;
		pthread_mutex_unlock(&pool->lock);
		pool->free_fn(elem, pool->pool_data);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	free(new_elements);
	free(old_elements);
	return 0;
}

size_t pb_mempool_nr_elems(const struct pb_mempool *pool)
{
	return read_curr_nr(pool);
}

size_t pb_mempool_min_nr(const struct pb_mempool *pool)
{
	return read_min_nr(pool);
}

size_t pb_mempool_nr_waiters(struct pb_mempool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->nr_waiters;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

size_t pb_mempool_metadata_bytes(struct pb_mempool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = sizeof(*pool) + pool->nr_slots * sizeof(*pool->elements);
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void pb_mempool_counters_add(struct pb_mempool *pool,
			     const struct pb_mempool_counters *cnt)
{
	struct pb_mempool_counters *t = &pool->totals;

	pthread_mutex_lock(&pool->lock);
	t->backing_allocs += cnt->backing_allocs;
	t->backing_frees += cnt->backing_frees;
	t->reserve_hits += cnt->reserve_hits;
	t->reserve_puts += cnt->reserve_puts;
	t->waits += cnt->waits;
	t->wait_timeouts += cnt->wait_timeouts;
	t->alloc_fails += cnt->alloc_fails;
	t->refills += cnt->refills;
	pthread_mutex_unlock(&pool->lock);
}

size_t pb_mempool_counters_read(struct pb_mempool *pool,
				struct pb_mempool_counters *out)
{
	size_t level;

	pthread_mutex_lock(&pool->lock);
	*out = pool->totals;
	level = read_curr_nr(pool);
	pthread_mutex_unlock(&pool->lock);
	return level;
}
