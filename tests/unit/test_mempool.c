// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mempool.c - unit tests of the mempool core (mempool.h) and of the
 * "mutex-mempool" backend built on it.
 *
 * The core is driven with a test backing allocator that counts every call
 * by the flags it got, logs them, and fails on demand (all calls, or, as
 * seed 004's percpu alloc_fn, those without PB_GFP_WAIT), so that the
 * order of mm/mempool.c's alloc path, reserve use, waiting and refilling
 * can be forced and checked exactly. The backend is driven through its registered
 * operations only. Threads other than the test's own never call cmocka
 * asserts (cmocka is not thread-safe): they record what they saw and the
 * test thread checks it. Waits are bounded (5 s) and only for liveness; no
 * test asserts on time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocators/backend.h"
#include "allocators/mempool/mempool.h"

#define TB_OBJ_SIZE 64
#define LIVENESS_MS 5000

#define TB_LOG 32

/* The test backing allocator: counts, and fails when told to. */
struct tb {
	atomic_size_t allocs;		/* elements handed out */
	atomic_size_t frees;		/* elements taken back */
	atomic_size_t calls_nowait;	/* calls without PB_GFP_WAIT */
	atomic_size_t calls_wait;	/* calls with it */
	atomic_size_t bad_gfp;		/* calls with flags mempool.h lacks */
	unsigned int log[TB_LOG];	/* the flags of the first TB_LOG calls */
	atomic_size_t nr_log;
	atomic_bool fail;		/* fail every call */
	atomic_bool refuse_nowait;	/* fail calls without PB_GFP_WAIT */
	atomic_long budget;		/* successes left; negative: unlimited */
	atomic_uint flaky;		/* fail all but every flaky-th call; 0: off */
	atomic_uint seq;
};

static void tb_init(struct tb *tb)
{
	memset(tb, 0, sizeof(*tb));
	atomic_init(&tb->budget, -1);
}

static void *tb_alloc(unsigned int gfp, void *data)
{
	struct tb *tb = data;
	unsigned int flaky = atomic_load(&tb->flaky);
	size_t n = atomic_fetch_add(&tb->nr_log, 1);
	void *p;

	if (n < TB_LOG)
		tb->log[n] = gfp;
	if (gfp & ~(unsigned int)(PB_GFP_WAIT | PB_GFP_ATOMIC))
		atomic_fetch_add(&tb->bad_gfp, 1);
	if (gfp & PB_GFP_WAIT)
		atomic_fetch_add(&tb->calls_wait, 1);
	else
		atomic_fetch_add(&tb->calls_nowait, 1);
	if (atomic_load(&tb->fail))
		return NULL;
	if (!(gfp & PB_GFP_WAIT) && atomic_load(&tb->refuse_nowait))
		return NULL;
	if (flaky && atomic_fetch_add(&tb->seq, 1) % flaky)
		return NULL;
	if (atomic_load(&tb->budget) >= 0 &&
	    atomic_fetch_sub(&tb->budget, 1) <= 0)
		return NULL;
	p = malloc(TB_OBJ_SIZE);
	if (p)
		atomic_fetch_add(&tb->allocs, 1);
	return p;
}

static void tb_free(void *elem, void *data)
{
	struct tb *tb = data;

	atomic_fetch_add(&tb->frees, 1);
	free(elem);
}

static size_t tb_calls(struct tb *tb)
{
	return atomic_load(&tb->calls_nowait) + atomic_load(&tb->calls_wait);
}

/* Forget the flags logged so far. */
static void tb_log_reset(struct tb *tb)
{
	atomic_store(&tb->nr_log, 0);
}

/* The calls since tb_log_reset() got exactly @want (@n flags). */
static void tb_log_expect(struct tb *tb, const unsigned int *want, size_t n)
{
	assert_int_equal(atomic_load(&tb->nr_log), n);
	for (size_t i = 0; i < n; i++)
		if (tb->log[i] != want[i])
			fail_msg("backing call %zu got flags %#x, expected %#x",
				 i, tb->log[i], want[i]);
}

static struct pb_mempool *tb_pool(struct tb *tb, size_t min_nr,
				  size_t low_mark, unsigned int wait_ms,
				  bool async_refill)
{
	struct pb_mempool_params params = {
		.low_mark = low_mark,
		.wait_ms = wait_ms,
		.async_refill = async_refill,
	};
	struct pb_mempool *mp;

	mp = pb_mempool_create(min_nr, tb_alloc, tb_free, tb, &params);
	assert_non_null(mp);
	return mp;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Poll until the reserve holds @level elements; false after 5 s. */
static bool wait_level(struct pb_mempool *mp, size_t level)
{
	for (int i = 0; i < LIVENESS_MS; i++) {
		if (pb_mempool_nr_elems(mp) == level)
			return true;
		sleep_ms(1);
	}
	return false;
}

static void test_create_fills_reserve(void **state)
{
	struct tb tb;
	struct pb_mempool *mp;

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 8, 0, 100, false);
	assert_int_equal(pb_mempool_nr_elems(mp), 8);
	assert_int_equal(pb_mempool_min_nr(mp), 8);
	assert_int_equal(atomic_load(&tb.allocs), 8);
	assert_int_equal(atomic_load(&tb.calls_wait), 8);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), 8);
}

static void test_create_fails_as_a_whole(void **state)
{
	struct pb_mempool_params bad_low = { .low_mark = 5 };
	struct tb tb;

	(void)state;
	tb_init(&tb);
	atomic_store(&tb.budget, 5);
	errno = 0;
	assert_null(pb_mempool_create(8, tb_alloc, tb_free, &tb, NULL));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(atomic_load(&tb.allocs), 5);
	assert_int_equal(atomic_load(&tb.frees), 5);

	tb_init(&tb);
	errno = 0;
	assert_null(pb_mempool_create(0, tb_alloc, tb_free, &tb, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(pb_mempool_create(4, tb_alloc, tb_free, &tb, &bad_low));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tb_calls(&tb), 0);
}

static void test_backing_failure_served_from_reserve(void **state)
{
	struct pb_mempool_counters cnt = { 0 }, tot;
	struct tb tb;
	struct pb_mempool *mp;
	void *e[4];

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 4, 0, 100, false);
	atomic_store(&tb.fail, true);
	for (int i = 0; i < 4; i++) {
		e[i] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
		assert_non_null(e[i]);
	}
	/* One non-blocking try each, then the reserve; no full retry. */
	assert_int_equal(atomic_load(&tb.calls_nowait), 4);
	assert_int_equal(atomic_load(&tb.calls_wait), 4);	/* create's */
	assert_int_equal(cnt.reserve_hits, 4);
	assert_int_equal(cnt.backing_allocs, 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 0);

	for (int i = 0; i < 4; i++)
		pb_mempool_free(mp, e[i], &cnt);
	assert_int_equal(cnt.reserve_puts, 4);
	assert_int_equal(pb_mempool_nr_elems(mp), 4);
	assert_int_equal(atomic_load(&tb.frees), 0);

	pb_mempool_counters_add(mp, &cnt);
	assert_int_equal(pb_mempool_counters_read(mp, &tot), 4);
	assert_int_equal(tot.reserve_hits, 4);
	assert_int_equal(tot.backing_allocs, 4);	/* create's */
	assert_int_equal(atomic_load(&tb.bad_gfp), 0);
	pb_mempool_destroy(mp);
}

static void test_reserve_capped_at_min_nr(void **state)
{
	struct pb_mempool_counters cnt = { 0 };
	struct tb tb;
	struct pb_mempool *mp;
	void *e[10];

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 4, 0, 100, false);
	atomic_store(&tb.fail, true);
	for (int i = 0; i < 4; i++)
		e[i] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
	atomic_store(&tb.fail, false);
	for (int i = 4; i < 10; i++)
		e[i] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
	for (int i = 0; i < 10; i++)
		assert_non_null(e[i]);
	assert_int_equal(cnt.reserve_hits, 4);
	assert_int_equal(cnt.backing_allocs, 6);

	for (int i = 0; i < 10; i++)
		pb_mempool_free(mp, e[i], &cnt);
	assert_int_equal(pb_mempool_nr_elems(mp), 4);
	assert_int_equal(cnt.reserve_puts, 4);
	assert_int_equal(cnt.backing_frees, 6);
	assert_int_equal(atomic_load(&tb.frees), 6);
	pb_mempool_free(mp, NULL, &cnt);
	assert_int_equal(cnt.backing_frees, 6);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

/*
 * mm/mempool.c for a caller that may not wait: the backing allocator
 * first, with the caller's flags (no PB_GFP_WAIT); the reserve when it
 * fails; NULL when both did, never a waiting call and never a sleep.
 */
static void test_atomic_backing_first(void **state)
{
	static const unsigned int atomic5[] = {
		PB_GFP_ATOMIC, PB_GFP_ATOMIC, PB_GFP_ATOMIC, PB_GFP_ATOMIC,
		PB_GFP_ATOMIC,
	};
	struct pb_mempool_counters cnt = { 0 };
	struct tb tb;
	struct pb_mempool *mp;
	void *e[4];

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 3, 2, 100, false);
	assert_int_equal(atomic_load(&tb.calls_wait), 3);	/* create's */
	tb_log_reset(&tb);

	/* A backing allocator that serves: the reserve is not touched. */
	e[0] = pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt);
	assert_non_null(e[0]);
	assert_int_equal(cnt.backing_allocs, 1);
	assert_int_equal(cnt.reserve_hits, 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 3);

	/* One that fails: the reserve, after one try each. */
	atomic_store(&tb.fail, true);
	for (int i = 1; i < 4; i++) {
		e[i] = pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt);
		assert_non_null(e[i]);
	}
	assert_int_equal(cnt.reserve_hits, 3);
	assert_int_equal(pb_mempool_nr_elems(mp), 0);

	/* Both empty: NULL after one try; PB_GFP_NOWAIT is served alike. */
	assert_null(pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt));
	tb_log_expect(&tb, atomic5, 5);
	assert_null(pb_mempool_alloc(mp, PB_GFP_NOWAIT, &cnt));
	assert_int_equal(tb.log[5], PB_GFP_NOWAIT);
	assert_int_equal(atomic_load(&tb.calls_wait), 3);
	assert_int_equal(cnt.alloc_fails, 2);
	assert_int_equal(cnt.waits, 0);
	/* No worker: the low mark schedules nothing, and none can be asked for. */
	assert_int_equal(pb_mempool_refill(mp, PB_GFP_ATOMIC), -EOPNOTSUPP);

	/* Frees fill the reserve first, the backing's element included. */
	for (int i = 0; i < 4; i++)
		pb_mempool_free(mp, e[i], &cnt);
	assert_int_equal(cnt.reserve_puts, 3);
	assert_int_equal(cnt.backing_frees, 1);
	assert_int_equal(pb_mempool_nr_elems(mp), 3);
	assert_int_equal(atomic_load(&tb.bad_gfp), 0);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

/*
 * A backing allocator that refuses every request that may not wait (seed
 * 004's percpu alloc_fn): a may-block caller is served from the reserve
 * while it lasts, the backing allocator doing no work; once it is empty,
 * the backing allocator gets PB_GFP_WAIT at once, without a sleep. An
 * atomic caller never gets past the reserve.
 */
static void test_refusing_backing_reserve_first(void **state)
{
	static const unsigned int reserve[] = { PB_GFP_NOWAIT, PB_GFP_NOWAIT };
	static const unsigned int retry[] = { PB_GFP_NOWAIT, PB_GFP_WAIT };
	static const unsigned int atomic1[] = { PB_GFP_ATOMIC };
	struct pb_mempool_counters cnt = { 0 };
	struct tb tb;
	struct pb_mempool *mp;
	void *e[4];

	(void)state;
	tb_init(&tb);
	/* A wait budget far beyond the test: a sleep would show as a wait. */
	mp = tb_pool(&tb, 2, 0, 12 * LIVENESS_MS, false);
	atomic_store(&tb.refuse_nowait, true);
	tb_log_reset(&tb);
	e[0] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
	e[1] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
	assert_non_null(e[0]);
	assert_non_null(e[1]);
	tb_log_expect(&tb, reserve, 2);
	assert_int_equal(cnt.reserve_hits, 2);
	assert_int_equal(cnt.backing_allocs, 0);
	assert_int_equal(atomic_load(&tb.allocs), 2);	/* create's */

	tb_log_reset(&tb);
	e[2] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
	assert_non_null(e[2]);
	tb_log_expect(&tb, retry, 2);
	assert_int_equal(cnt.backing_allocs, 1);
	assert_int_equal(cnt.waits, 0);

	tb_log_reset(&tb);
	assert_null(pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt));
	tb_log_expect(&tb, atomic1, 1);
	assert_int_equal(cnt.alloc_fails, 1);

	/* A free refills the reserve, and the atomic caller gets it back. */
	pb_mempool_free(mp, e[2], &cnt);
	assert_int_equal(cnt.reserve_puts, 1);
	e[3] = pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt);
	assert_ptr_equal(e[3], e[2]);
	assert_int_equal(cnt.reserve_hits, 3);
	for (int i = 0; i < 2; i++)
		pb_mempool_free(mp, e[i], &cnt);
	pb_mempool_free(mp, e[3], &cnt);
	assert_int_equal(pb_mempool_nr_elems(mp), 2);
	assert_int_equal(cnt.backing_frees, 1);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

static void test_async_refill(void **state)
{
	struct pb_mempool_counters cnt = { 0 }, tot;
	struct tb tb;
	struct pb_mempool *mp;
	void *e[5];

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 8, 4, 100, true);
	/* The atomic takes come from the reserve; the worker's fill may wait. */
	atomic_store(&tb.refuse_nowait, true);
	for (int i = 0; i < 5; i++) {
		e[i] = pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt);
		assert_non_null(e[i]);
	}
	/* 3 < low_mark 4: the worker was scheduled and tops up to 8. */
	assert_true(wait_level(mp, 8));
	pb_mempool_counters_read(mp, &tot);
	assert_true(tot.refills >= 1);
	assert_int_equal(tb.allocs, 8 + 5);

	/* The reserve is full: every free goes to the backing allocator. */
	for (int i = 0; i < 5; i++)
		pb_mempool_free(mp, e[i], &cnt);
	assert_int_equal(cnt.backing_frees, 5);
	assert_int_equal(cnt.reserve_puts, 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 8);

	assert_int_equal(pb_mempool_refill(mp, PB_GFP_ATOMIC), -EAGAIN);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

static void test_sync_refill(void **state)
{
	struct pb_mempool_counters cnt = { 0 }, tot;
	struct tb tb;
	struct pb_mempool *mp;
	void *e[4];

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 4, 0, 100, false);
	atomic_store(&tb.refuse_nowait, true);
	for (int i = 0; i < 3; i++)
		e[i] = pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt);
	assert_int_equal(pb_mempool_nr_elems(mp), 1);
	assert_int_equal(pb_mempool_refill(mp, PB_GFP_WAIT), 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 4);
	pb_mempool_counters_read(mp, &tot);
	assert_int_equal(tot.refills, 1);
	assert_int_equal(tot.backing_allocs, 4 + 3);

	e[3] = pb_mempool_alloc(mp, PB_GFP_ATOMIC, &cnt);
	atomic_store(&tb.fail, true);
	assert_int_equal(pb_mempool_fill(mp), -ENOMEM);
	assert_int_equal(pb_mempool_nr_elems(mp), 3);
	atomic_store(&tb.fail, false);
	assert_int_equal(pb_mempool_fill(mp), 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 4);

	for (int i = 0; i < 4; i++)
		pb_mempool_free(mp, e[i], &cnt);
	assert_int_equal(cnt.backing_frees, 4);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

struct waiter {
	struct pb_mempool *mp;
	void *got;
	struct pb_mempool_counters cnt;
	atomic_bool done;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->got = pb_mempool_alloc(w->mp, PB_GFP_WAIT, &w->cnt);
	atomic_store(&w->done, true);
	return NULL;
}

/* Poll @flag for up to 5 s. */
static bool wait_flag(atomic_bool *flag)
{
	for (int i = 0; i < LIVENESS_MS; i++) {
		if (atomic_load(flag))
			return true;
		sleep_ms(1);
	}
	return false;
}

static void test_waiter_wakes_on_free(void **state)
{
	struct waiter w = { 0 };
	struct tb tb;
	pthread_t t;
	void *e[2];
	bool waiting = false;

	(void)state;
	tb_init(&tb);
	/*
	 * A wait budget far beyond the liveness bound: an alloc that returns
	 * within the bound was woken by the free, not by its timeout.
	 */
	w.mp = tb_pool(&tb, 2, 0, 12 * LIVENESS_MS, false);
	atomic_store(&tb.fail, true);
	e[0] = pb_mempool_alloc(w.mp, PB_GFP_WAIT, NULL);
	e[1] = pb_mempool_alloc(w.mp, PB_GFP_WAIT, NULL);
	assert_non_null(e[0]);
	assert_non_null(e[1]);

	assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
	for (int i = 0; i < LIVENESS_MS && !waiting; i++) {
		waiting = pb_mempool_nr_waiters(w.mp) == 1;
		if (!waiting)
			sleep_ms(1);
	}
	assert_true(waiting);
	pb_mempool_free(w.mp, e[1], NULL);
	assert_true(wait_flag(&w.done));
	pthread_join(t, NULL);

	assert_ptr_equal(w.got, e[1]);
	assert_int_equal(w.cnt.waits, 1);
	assert_int_equal(w.cnt.wait_timeouts, 0);
	assert_int_equal(w.cnt.reserve_hits, 1);
	assert_int_equal(w.cnt.alloc_fails, 0);
	assert_int_equal(pb_mempool_nr_waiters(w.mp), 0);
	pb_mempool_free(w.mp, e[0], NULL);
	pb_mempool_free(w.mp, w.got, NULL);
	pb_mempool_destroy(w.mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

static void test_wait_times_out(void **state)
{
	struct pb_mempool_counters cnt = { 0 };
	struct tb tb;
	struct pb_mempool *mp;
	size_t full;
	void *e;

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 1, 0, 30, false);
	atomic_store(&tb.fail, true);
	e = pb_mempool_alloc(mp, PB_GFP_WAIT, NULL);
	assert_non_null(e);

	full = atomic_load(&tb.calls_wait);
	assert_null(pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt));
	assert_int_equal(cnt.waits, 1);
	assert_int_equal(cnt.wait_timeouts, 1);
	assert_int_equal(cnt.alloc_fails, 1);
	assert_int_equal(cnt.reserve_hits, 0);
	/* The full retry before sleeping, and again after the wait. */
	assert_true(atomic_load(&tb.calls_wait) >= full + 2);
	pb_mempool_free(mp, e, NULL);
	pb_mempool_destroy(mp);

	/* wait_ms 0: fails after the full retry without sleeping. */
	memset(&cnt, 0, sizeof(cnt));
	tb_init(&tb);
	mp = tb_pool(&tb, 1, 0, 0, false);
	atomic_store(&tb.fail, true);
	e = pb_mempool_alloc(mp, PB_GFP_WAIT, NULL);
	assert_null(pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt));
	assert_int_equal(cnt.waits, 0);
	assert_int_equal(cnt.wait_timeouts, 0);
	assert_int_equal(cnt.alloc_fails, 1);
	pb_mempool_free(mp, e, NULL);
	pb_mempool_destroy(mp);
}

static void test_resize_shrink(void **state)
{
	struct pb_mempool_counters cnt = { 0 }, tot;
	struct tb tb;
	struct pb_mempool *mp;
	void *e;

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 8, 6, 100, false);
	assert_int_equal(pb_mempool_resize(mp, 0), -EINVAL);
	assert_int_equal(pb_mempool_resize(mp, 3), 0);
	assert_int_equal(pb_mempool_min_nr(mp), 3);
	assert_int_equal(pb_mempool_nr_elems(mp), 3);
	assert_int_equal(atomic_load(&tb.frees), 5);
	assert_int_equal(pb_mempool_counters_read(mp, &tot), 3);
	assert_int_equal(tot.backing_allocs - tot.backing_frees, 3);

	/* A full reserve at the new min_nr: a backing element goes back. */
	e = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
	assert_int_equal(cnt.backing_allocs, 1);
	pb_mempool_free(mp, e, &cnt);
	assert_int_equal(cnt.backing_frees, 1);
	assert_int_equal(pb_mempool_nr_elems(mp), 3);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

static void test_resize_grow(void **state)
{
	struct pb_mempool_counters cnt = { 0 };
	struct tb tb;
	struct pb_mempool *mp;
	size_t meta;
	void *e[5];

	(void)state;
	tb_init(&tb);
	mp = tb_pool(&tb, 2, 0, 100, false);
	meta = pb_mempool_metadata_bytes(mp);
	assert_int_equal(pb_mempool_resize(mp, 6), 0);
	assert_int_equal(pb_mempool_min_nr(mp), 6);
	assert_int_equal(pb_mempool_nr_elems(mp), 2);	/* not filled */
	assert_int_equal(pb_mempool_metadata_bytes(mp), meta + 4 * sizeof(void *));

	for (int i = 0; i < 5; i++) {
		e[i] = pb_mempool_alloc(mp, PB_GFP_WAIT, &cnt);
		assert_non_null(e[i]);
	}
	assert_int_equal(cnt.backing_allocs, 5);
	for (int i = 0; i < 5; i++)
		pb_mempool_free(mp, e[i], &cnt);
	assert_int_equal(cnt.reserve_puts, 4);
	assert_int_equal(cnt.backing_frees, 1);
	assert_int_equal(pb_mempool_nr_elems(mp), 6);

	/* Shrinking within the grown array keeps it. */
	assert_int_equal(pb_mempool_resize(mp, 4), 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 4);
	assert_int_equal(pb_mempool_resize(mp, 5), 0);
	assert_int_equal(pb_mempool_metadata_bytes(mp), meta + 4 * sizeof(void *));
	assert_int_equal(pb_mempool_refill(mp, PB_GFP_WAIT), 0);
	assert_int_equal(pb_mempool_nr_elems(mp), 5);
	pb_mempool_destroy(mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
}

/* Backend through its operations. */

static const struct pb_backend *mm_backend(void)
{
	const struct pb_backend *b = pb_backend_find("mutex-mempool");

	assert_non_null(b);
	return b;
}

static struct pb_config mm_config(size_t obj_size, size_t align,
				  size_t capacity, const struct pb_kv *kv,
				  size_t nr_kv)
{
	return (struct pb_config){
		.obj_size = obj_size,
		.align = align,
		.capacity = capacity,
		.prealloc = capacity,
		.nr_cpus = 4,
		.mode = PB_MODE_SHARED,
		.opts = kv,
		.nr_opts = nr_kv,
	};
}

/* create() must refuse @cfg with a message containing @needle. */
static void expect_refused(const struct pb_config *cfg, const char *needle)
{
	const struct pb_backend *b = mm_backend();
	char err[512] = "";
	void *pool = NULL;

	assert_int_equal(b->create(cfg, &pool, err, sizeof(err)), -1);
	assert_null(pool);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_backend_option_errors(void **state)
{
	const struct pb_kv unknown[] = { { "bogus", "1" } };
	const struct pb_kv bad_enum[] = { { "alloc", "sometimes" } };
	const struct pb_kv bad_backing[] = { { "backing", "slab" } };
	const struct pb_kv bad_int[] = { { "min_nr", "abc" } };
	const struct pb_kv too_big[] = { { "min_nr", "1G" } };
	const struct pb_kv bad_low[] = { { "min_nr", "4" }, { "low_mark", "5" } };
	struct pb_config cfg;

	(void)state;
	cfg = mm_config(64, 0, 16, unknown, 1);
	expect_refused(&cfg, "unknown option 'bogus'");
	expect_refused(&cfg, "min_nr, alloc, backing, low_mark, wait_ms");
	cfg = mm_config(64, 0, 16, bad_enum, 1);
	expect_refused(&cfg, "expected one of may-block|atomic");
	cfg = mm_config(64, 0, 16, bad_backing, 1);
	expect_refused(&cfg, "expected one of malloc");
	cfg = mm_config(64, 0, 16, bad_int, 1);
	expect_refused(&cfg, "min_nr=abc: expected an integer");
	cfg = mm_config(64, 0, 16, too_big, 1);
	expect_refused(&cfg, "min_nr=1G: expected an integer");
	cfg = mm_config(64, 0, 16, bad_low, 2);
	expect_refused(&cfg, "low_mark=5 exceeds min_nr=4");
	cfg = mm_config(0, 0, 16, NULL, 0);
	expect_refused(&cfg, "obj_size");
	cfg = mm_config(64, 24, 16, NULL, 0);
	expect_refused(&cfg, "not a power of two");
}

static void *backend_create(const struct pb_config *cfg)
{
	const struct pb_backend *b = mm_backend();
	char err[512] = "";
	void *pool = NULL;

	if (b->create(cfg, &pool, err, sizeof(err)))
		fail_msg("create failed: %s", err);
	assert_non_null(pool);
	return pool;
}

/* The option table's entry for @key. */
static const struct pb_option_spec *option(const struct pb_backend *b,
					   const char *key)
{
	int i = pb_options_find(b->options, key);

	assert_true(i >= 0);
	return &b->options[i];
}

/*
 * The reserve is 64 objects refilled below 32 by default, whatever the
 * workload's capacity (fastpath-reuse's is one object per thread), and the
 * options that change them are checked against each other.
 */
static void test_backend_defaults(void **state)
{
	static const size_t capacities[] = { 0, 1, 4, 100000 };
	const struct pb_kv atomic[] = { { "alloc", "atomic" } };
	const struct pb_kv small[] = { { "min_nr", "16" } };
	const struct pb_kv small_ok[] = { { "min_nr", "16" }, { "low_mark", "8" } };
	const struct pb_kv low_eq[] = { { "low_mark", "64" } };
	const struct pb_kv low_over[] = { { "low_mark", "65" } };
	const struct pb_kv min_zero[] = { { "min_nr", "0" }, { "low_mark", "0" } };
	const struct pb_backend *b = mm_backend();
	struct pb_config cfg;

	(void)state;
	assert_int_equal(option(b, "min_nr")->def, 64);
	assert_int_equal(option(b, "low_mark")->def, 32);
	for (size_t i = 0; i < sizeof(capacities) / sizeof(capacities[0]); i++) {
		for (int a = 0; a < 2; a++) {
			struct pb_stats st = { 0 };
			void *pool;

			cfg = mm_config(64, 0, capacities[i], a ? atomic : NULL,
					a ? 1 : 0);
			pool = backend_create(&cfg);
			b->stats(pool, &st);
			assert_int_equal(st.v[PB_STAT_reserve_level], 64);
			assert_int_equal(st.v[PB_STAT_backing_allocs], 64);
			b->destroy(pool);
		}
	}

	cfg = mm_config(64, 0, 1, small, 1);
	expect_refused(&cfg, "low_mark=32 exceeds min_nr=16");
	expect_refused(&cfg, "give low_mark <= min_nr");
	cfg = mm_config(64, 0, 1, low_over, 1);
	expect_refused(&cfg, "low_mark=65 exceeds min_nr=64");
	cfg = mm_config(64, 0, 1, min_zero, 2);
	expect_refused(&cfg, "min_nr=0: expected an integer in [1, ");
	cfg = mm_config(64, 0, 1, small_ok, 2);
	b->destroy(backend_create(&cfg));
	cfg = mm_config(64, 0, 1, low_eq, 1);
	b->destroy(backend_create(&cfg));
}

static void test_backend_may_block(void **state)
{
	const struct pb_backend *b = mm_backend();
	struct pb_config cfg = mm_config(100, 256, 4, NULL, 0);
	struct pb_stats st = { 0 };
	void *pool, *ca, *cb, *o[3];

	(void)state;
	pool = backend_create(&cfg);
	ca = b->thread_init(pool, 0);
	cb = b->thread_init(pool, 1);
	assert_non_null(ca);
	assert_non_null(cb);
	for (int i = 0; i < 3; i++) {
		o[i] = b->alloc(ca);
		assert_non_null(o[i]);
		assert_int_equal((uintptr_t)o[i] % 256, 0);
		memset(o[i], i, 100);
	}
	assert_ptr_not_equal(o[0], o[1]);
	assert_ptr_not_equal(o[1], o[2]);
	for (int i = 0; i < 3; i++)
		b->free(cb, o[i]);	/* through another thread's ctx */
	b->thread_fini(pool, ca);
	b->thread_fini(pool, cb);

	b->stats(pool, &st);
	/* min_nr defaults to 64 (not the capacity, 4), filled at create. */
	assert_int_equal(st.v[PB_STAT_backing_allocs], 64 + 3);
	assert_int_equal(st.v[PB_STAT_backing_frees], 3);
	assert_int_equal(st.v[PB_STAT_reserve_hits], 0);
	assert_int_equal(st.v[PB_STAT_reserve_puts], 0);
	assert_int_equal(st.v[PB_STAT_waits], 0);
	assert_int_equal(st.v[PB_STAT_alloc_fails], 0);
	assert_int_equal(st.v[PB_STAT_refills], 0);
	assert_int_equal(st.v[PB_STAT_reserve_level], 64);
	assert_true(st.v[PB_STAT_metadata_bytes] >= 4 * sizeof(void *));
	assert_true(pb_stats_has(&st, PB_STAT_wait_timeouts));
	assert_false(pb_stats_has(&st, PB_STAT_fast_hits));
	assert_false(pb_stats_has(&st, PB_STAT_slow_hits));
	b->destroy(pool);
}

/*
 * alloc=atomic over malloc, as mm/mempool.c serves a GFP_ATOMIC caller:
 * malloc first (it serves a request that may not wait), so the reserve and
 * its refill worker stay untouched while malloc works.
 */
static void test_backend_atomic_malloc_first(void **state)
{
	const struct pb_kv kv[] = {
		{ "alloc", "atomic" }, { "min_nr", "4" }, { "low_mark", "4" },
	};
	const struct pb_backend *b = mm_backend();
	struct pb_config cfg = mm_config(100, 256, 1000, kv, 3);
	struct pb_stats st = { 0 };
	void *pool, *ctx, *o[3];

	(void)state;
	pool = backend_create(&cfg);
	ctx = b->thread_init(pool, 0);
	assert_non_null(ctx);
	for (int i = 0; i < 3; i++) {
		o[i] = b->alloc(ctx);
		assert_non_null(o[i]);
		assert_int_equal((uintptr_t)o[i] % 256, 0);
	}
	for (int i = 0; i < 3; i++)
		b->free(ctx, o[i]);
	b->thread_fini(pool, ctx);

	b->stats(pool, &st);
	assert_int_equal(st.v[PB_STAT_backing_allocs], 4 + 3);
	assert_int_equal(st.v[PB_STAT_reserve_hits], 0);
	/* The reserve stayed full: every free went back to malloc. */
	assert_int_equal(st.v[PB_STAT_backing_frees], 3);
	assert_int_equal(st.v[PB_STAT_reserve_puts], 0);
	assert_int_equal(st.v[PB_STAT_alloc_fails], 0);
	/* low_mark == min_nr: any take would have scheduled the worker. */
	assert_int_equal(st.v[PB_STAT_refills], 0);
	assert_int_equal(st.v[PB_STAT_reserve_level], 4);
	b->destroy(pool);
}

/*
 * Stress: 4 threads allocate, free and hand objects to each other through
 * exchange slots. Every object carries an ownership stamp (an atomic word)
 * and a payload (plain bytes): an object handed to two holders at once
 * shows up as a wrong stamp or payload, and as a race under TSan.
 */
#define STRESS_THREADS 4
#define STRESS_ITERS 20000
#define STRESS_HELD 16
#define STRESS_SLOTS 8
#define STRESS_OBJ 64
#define STAMP_TRANSIT UINT64_MAX

struct stress_obj {
	_Atomic uint64_t stamp;
	unsigned char payload[STRESS_OBJ - sizeof(uint64_t)];
};

struct stress {
	/* Allocation and free, through a backend's ops or the core. */
	void *(*alloc)(struct stress *s, void *ctx, unsigned int id);
	void (*free)(struct stress *s, void *ctx, void *obj);
	const struct pb_backend *b;
	void *pool;
	struct pb_mempool *mp;
	bool may_fail;		/* NULL from alloc is allowed */
	int iters;
	_Atomic(struct stress_obj *) slots[STRESS_SLOTS];
	atomic_uint errors;
	atomic_ulong nulls;
	atomic_ulong successes;
};

struct stress_thread {
	struct stress *s;
	void *ctx;
	unsigned int id;
	pthread_t t;
};

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Restamp @o from @expect to @token. Return: false (an error) if not @expect. */
static bool stamp(struct stress *s, struct stress_obj *o, uint64_t expect,
		  uint64_t token)
{
	if (atomic_exchange_explicit(&o->stamp, token, memory_order_relaxed) ==
	    expect)
		return true;
	atomic_fetch_add(&s->errors, 1);
	return false;
}

static void payload_check(struct stress *s, struct stress_obj *o,
			  uint64_t token)
{
	for (size_t i = 0; i < sizeof(o->payload); i++)
		if (o->payload[i] != (unsigned char)token)
			atomic_fetch_add(&s->errors, 1);
}

/*
 * Free an object we hold as @token. One with a foreign stamp is another
 * holder's too: it is leaked rather than freed twice, and the test fails.
 */
static void stress_release(struct stress *s, void *ctx, struct stress_obj *o,
			   uint64_t token)
{
	payload_check(s, o, token);
	if (stamp(s, o, token, 0))
		s->free(s, ctx, o);
}

static void *stress_main(void *arg)
{
	struct stress_thread *st = arg;
	struct stress *s = st->s;
	struct stress_obj *held[STRESS_HELD];
	uint64_t tokens[STRESS_HELD];
	uint64_t rng = 0x9e3779b97f4a7c15ull * (st->id + 1), seq = 0;
	size_t n = 0;

	for (int it = 0; it < s->iters; it++) {
		uint64_t r = xorshift(&rng);
		struct stress_obj *o;
		size_t k;

		if (n < STRESS_HELD && (n == 0 || r % 8 < 4)) {
			o = s->alloc(s, st->ctx, st->id);
			if (!o) {
				atomic_fetch_add(&s->nulls, 1);
				if (!s->may_fail)
					atomic_fetch_add(&s->errors, 1);
				continue;
			}
			atomic_fetch_add(&s->successes, 1);
			tokens[n] = ((uint64_t)(st->id + 1) << 48) | ++seq;
			/* Whatever the stamp was: a fresh object is garbage. */
			atomic_store_explicit(&o->stamp, tokens[n],
					      memory_order_relaxed);
			memset(o->payload, (unsigned char)tokens[n],
			       sizeof(o->payload));
			held[n++] = o;
			continue;
		}
		k = (r >> 8) % n;
		o = held[k];
		if (r % 8 < 7) {
			stress_release(s, st->ctx, o, tokens[k]);
		} else {
			struct stress_obj *in;

			payload_check(s, o, tokens[k]);
			stamp(s, o, tokens[k], STAMP_TRANSIT);
			in = atomic_exchange(&s->slots[(r >> 16) % STRESS_SLOTS], o);
			if (in && stamp(s, in, STAMP_TRANSIT, 0))
				s->free(s, st->ctx, in);
		}
		held[k] = held[--n];
		tokens[k] = tokens[n];
	}
	while (n--)
		stress_release(s, st->ctx, held[n], tokens[n]);
	return NULL;
}

static void stress_run(struct stress *s, void **ctxs)
{
	struct stress_thread th[STRESS_THREADS];

	for (unsigned int i = 0; i < STRESS_THREADS; i++) {
		th[i] = (struct stress_thread){ .s = s, .ctx = ctxs[i], .id = i };
		assert_int_equal(pthread_create(&th[i].t, NULL, stress_main,
						&th[i]), 0);
	}
	for (unsigned int i = 0; i < STRESS_THREADS; i++)
		pthread_join(th[i].t, NULL);
	for (unsigned int i = 0; i < STRESS_SLOTS; i++) {
		struct stress_obj *o = atomic_exchange(&s->slots[i], NULL);

		if (o && stamp(s, o, STAMP_TRANSIT, 0))
			s->free(s, ctxs[0], o);
	}
	assert_int_equal(atomic_load(&s->errors), 0);
	assert_true(atomic_load(&s->successes) > 0);
}

static void *stress_backend_alloc(struct stress *s, void *ctx, unsigned int id)
{
	(void)id;
	return s->b->alloc(ctx);
}

static void stress_backend_free(struct stress *s, void *ctx, void *obj)
{
	s->b->free(ctx, obj);
}

static void stress_backend(bool atomic)
{
	const struct pb_kv kv[] = {
		{ "alloc", atomic ? "atomic" : "may-block" }, { "min_nr", "8" },
		{ "low_mark", "4" },
	};
	struct pb_config cfg = mm_config(STRESS_OBJ, 0, 64, kv, 3);
	struct stress s = {
		.alloc = stress_backend_alloc,
		.free = stress_backend_free,
		.b = mm_backend(),
		.may_fail = false,	/* malloc serves both modes first */
		.iters = STRESS_ITERS,
	};
	struct pb_stats st = { 0 };
	void *ctxs[STRESS_THREADS];
	bool full = false;

	s.pool = backend_create(&cfg);
	for (unsigned int i = 0; i < STRESS_THREADS; i++) {
		ctxs[i] = s.b->thread_init(s.pool, i);
		assert_non_null(ctxs[i]);
	}
	stress_run(&s, ctxs);
	for (unsigned int i = 0; i < STRESS_THREADS; i++)
		s.b->thread_fini(s.pool, ctxs[i]);

	/*
	 * Everything is back: the reserve holds every backing object still
	 * alive. Were a worker topping it up, it would be full once the
	 * worker has no element in flight: wait for that.
	 */
	for (int i = 0; i < LIVENESS_MS && !full; i++) {
		memset(&st, 0, sizeof(st));
		s.b->stats(s.pool, &st);
		full = st.v[PB_STAT_reserve_level] == 8;
		if (!full)
			sleep_ms(1);
	}
	assert_true(full);
	assert_int_equal(st.v[PB_STAT_backing_allocs] -
			 st.v[PB_STAT_backing_frees], 8);
	assert_int_equal(st.v[PB_STAT_alloc_fails], atomic_load(&s.nulls));
	/* Either mode: malloc served every allocation, first try. */
	assert_int_equal(st.v[PB_STAT_reserve_hits], 0);
	assert_int_equal(st.v[PB_STAT_backing_allocs] - 8,
			 atomic_load(&s.successes));
	assert_int_equal(st.v[PB_STAT_refills], 0);
	s.b->destroy(s.pool);
}

static void test_stress_backend_atomic(void **state)
{
	(void)state;
	stress_backend(true);
}

static void test_stress_backend_may_block(void **state)
{
	(void)state;
	stress_backend(false);
}

/*
 * The core under a backing allocator that fails two calls in three:
 * threads 0 and 1 allocate may-block (sleeping for frees, timing out
 * after 20 ms), 2 and 3 atomic (the worker refills); thread 3 also resizes
 * and refills now and then.
 */
static void *stress_core_alloc(struct stress *s, void *ctx, unsigned int id)
{
	struct pb_mempool_counters *cnt = ctx;
	uint64_t ops = cnt->backing_allocs + cnt->reserve_hits +
		       cnt->alloc_fails;

	if (id == 3 && ops % 256 == 255) {
		if (pb_mempool_resize(s->mp, 4 + ops / 256 % 5))
			atomic_fetch_add(&s->errors, 1);
		pb_mempool_refill(s->mp, ops / 256 % 2 ? PB_GFP_WAIT :
							 PB_GFP_ATOMIC);
	}
	return pb_mempool_alloc(s->mp, id < 2 ? PB_GFP_WAIT : PB_GFP_ATOMIC,
				cnt);
}

static void stress_core_free(struct stress *s, void *ctx, void *obj)
{
	pb_mempool_free(s->mp, obj, ctx);
}

static void test_stress_core(void **state)
{
	struct pb_mempool_counters cnt[STRESS_THREADS] = { 0 }, tot;
	struct stress s = {
		.alloc = stress_core_alloc,
		.free = stress_core_free,
		.may_fail = true,
		.iters = STRESS_ITERS / 4,
	};
	void *ctxs[STRESS_THREADS];
	struct tb tb;
	uint64_t served = 0;
	size_t level;
	int tries = 0;

	(void)state;
	tb_init(&tb);
	s.mp = tb_pool(&tb, 4, 2, 20, true);
	atomic_store(&tb.flaky, 3);
	for (unsigned int i = 0; i < STRESS_THREADS; i++)
		ctxs[i] = &cnt[i];
	stress_run(&s, ctxs);
	for (unsigned int i = 0; i < STRESS_THREADS; i++) {
		served += cnt[i].backing_allocs + cnt[i].reserve_hits;
		pb_mempool_counters_add(s.mp, &cnt[i]);
	}
	assert_int_equal(served, atomic_load(&s.successes));

	assert_int_equal(pb_mempool_resize(s.mp, 4), 0);
	while (pb_mempool_fill(s.mp) && ++tries < 1000)
		;
	level = pb_mempool_counters_read(s.mp, &tot);
	assert_int_equal(level, 4);
	assert_int_equal(tot.backing_allocs - tot.backing_frees, level);
	assert_int_equal(tot.alloc_fails, atomic_load(&s.nulls));
	assert_true(tot.wait_timeouts <= tot.waits);
	assert_int_equal(pb_mempool_nr_waiters(s.mp), 0);
	pb_mempool_destroy(s.mp);
	assert_int_equal(atomic_load(&tb.frees), atomic_load(&tb.allocs));
	assert_int_equal(atomic_load(&tb.bad_gfp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_fills_reserve),
		cmocka_unit_test(test_create_fails_as_a_whole),
		cmocka_unit_test(test_backing_failure_served_from_reserve),
		cmocka_unit_test(test_reserve_capped_at_min_nr),
		cmocka_unit_test(test_atomic_backing_first),
		cmocka_unit_test(test_refusing_backing_reserve_first),
		cmocka_unit_test(test_async_refill),
		cmocka_unit_test(test_sync_refill),
		cmocka_unit_test(test_waiter_wakes_on_free),
		cmocka_unit_test(test_wait_times_out),
		cmocka_unit_test(test_resize_shrink),
		cmocka_unit_test(test_resize_grow),
		cmocka_unit_test(test_backend_option_errors),
		cmocka_unit_test(test_backend_may_block),
		cmocka_unit_test(test_backend_defaults),
		cmocka_unit_test(test_backend_atomic_malloc_first),
		cmocka_unit_test(test_stress_backend_atomic),
		cmocka_unit_test(test_stress_backend_may_block),
		cmocka_unit_test(test_stress_core),
	};

	return cmocka_run_group_tests_name("mempool", tests, NULL, NULL);
}
