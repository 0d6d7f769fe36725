// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_percpu_mempool.c - the percpu mempool backend (seed 004) through its
 * statistics and through a counting percpu allocator ("test-counting",
 * registered here, percpu-bitmap underneath) that shows every call the
 * pool makes: an atomic caller takes only from the reserve and gets NULL,
 * never a wait, once it is empty; the async refill worker brings the
 * reserve back; a sync refill keeps it at low_mark or above after every
 * alloc; a may-block caller takes the reserve first and calls the percpu
 * allocator only once the reserve is empty (seed 004's alloc_fn refuses
 * mempool_alloc()'s first, non-waiting try); the reserve is 64 objects
 * refilled below 32 whatever the capacity, and a capacity the atomic async
 * pool cannot guarantee is refused as unsupported; objects are percpu
 * areas, zeroed in every unit; both percpu allocators serve as backing; a
 * bad backing name is refused naming the valid ones.
 *
 * Deterministic: no assertion depends on when the refill worker runs (the
 * one test that waits for it polls with a bound, for liveness only).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "allocators/backend.h"
#include "allocators/percpu/pcpu.h"

#define NR_CPUS 3
#define MIN_NR 8

/*
 * "test-counting": percpu-bitmap with its alloc calls counted. One pool at
 * a time uses it (cmocka runs the tests one after the other).
 */
static atomic_size_t counting_allocs;

static const struct pb_pcpu_ops *counting_inner(void)
{
	const struct pb_pcpu_ops *ops = pb_pcpu_find("percpu-bitmap");

	if (!ops)
		abort();
	return ops;
}

static int counting_create(const struct pb_pcpu_config *cfg, void **a,
			   char *err, size_t errlen)
{
	atomic_store(&counting_allocs, 0);
	return counting_inner()->create(cfg, a, err, errlen);
}

static void counting_destroy(void *a)
{
	counting_inner()->destroy(a);
}

static void *counting_alloc(void *a, size_t size, size_t align)
{
	atomic_fetch_add(&counting_allocs, 1);
	return counting_inner()->alloc(a, size, align);
}

static int counting_free(void *a, void *handle)
{
	return counting_inner()->free(a, handle);
}

static int counting_check(void *a, char *err, size_t errlen)
{
	return counting_inner()->check(a, err, errlen);
}

static void counting_stats(void *a, struct pb_pcpu_stats *st)
{
	counting_inner()->stats(a, st);
}

static size_t counting_unit_size(void *a)
{
	return counting_inner()->unit_size(a);
}

static size_t counting_max_alloc(void *a)
{
	const struct pb_pcpu_ops *ops = counting_inner();

	return ops->max_alloc ? ops->max_alloc(a) :
				pb_pcpu_max_alloc(ops->unit_size(a));
}

static const struct pb_pcpu_ops counting_ops = {
	.name = "test-counting",
	.create = counting_create,
	.destroy = counting_destroy,
	.alloc = counting_alloc,
	.free = counting_free,
	.check = counting_check,
	.stats = counting_stats,
	.unit_size = counting_unit_size,
	.max_alloc = counting_max_alloc,
};
PB_PCPU_REGISTER(counting_ops)

/* Calls of the counting allocator's alloc since its pool was created. */
static size_t counted(void)
{
	return atomic_load(&counting_allocs);
}

struct pm_test {
	const struct pb_backend *b;
	void *pool, *ctx;
};

static struct pb_config pm_config(const struct pb_kv *kv, size_t nr_kv,
				  size_t capacity)
{
	return (struct pb_config){
		.obj_size = 24, .capacity = capacity, .prealloc = capacity,
		.nr_cpus = NR_CPUS, .nr_threads = 1, .mode = PB_MODE_EXCLUSIVE,
		.opts = kv, .nr_opts = nr_kv,
	};
}

/* Create with @kv at @capacity; fail the test unless create succeeds. */
static void pm_open_kv(struct pm_test *t, const struct pb_kv *kv, size_t nr_kv,
		       size_t capacity)
{
	struct pb_config cfg = pm_config(kv, nr_kv, capacity);
	char err[256] = "";

	t->b = pb_backend_find("percpu-mempool");
	assert_non_null(t->b);
	if (t->b->create(&cfg, &t->pool, err, sizeof(err)))
		fail_msg("create: %s", err);
	t->ctx = t->b->thread_init(t->pool, 0);
	assert_non_null(t->ctx);
}

static void pm_open(struct pm_test *t, const char *alloc, const char *refill,
		    const char *backing)
{
	struct pb_kv kv[] = {
		{ "alloc", alloc }, { "refill", refill }, { "backing", backing },
		{ "min_nr", "8" }, { "low_mark", "4" }, { "wait_ms", "0" },
	};

	pm_open_kv(t, kv, sizeof(kv) / sizeof(kv[0]), MIN_NR);
}

/* Statistics so far: thread_fini folds the ctx's counters in, so reopen one. */
static struct pb_stats pm_stats(struct pm_test *t)
{
	struct pb_stats st = { 0 };

	t->b->thread_fini(t->pool, t->ctx);
	t->b->stats(t->pool, &st);
	t->ctx = t->b->thread_init(t->pool, 0);
	assert_non_null(t->ctx);
	return st;
}

static void pm_close(struct pm_test *t)
{
	t->b->thread_fini(t->pool, t->ctx);
	t->b->destroy(t->pool);
}

static void test_atomic_reserve_only(void **state)
{
	struct pm_test t;
	void *objs[MIN_NR];
	struct pb_stats st;

	(void)state;
	/* Filled at create from the percpu allocator, nothing taken yet. */
	pm_open(&t, "atomic", "async", "percpu-bitmap");
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_level], MIN_NR);
	/* create filled the reserve from the percpu allocator: MIN_NR backing allocs */
	assert_int_equal(st.v[PB_STAT_backing_allocs], MIN_NR);
	for (int i = 0; i < MIN_NR; i++) {
		objs[i] = t.b->alloc(t.ctx);
		assert_non_null(objs[i]);
		/* A percpu area: every CPU's copy is zeroed and writable. */
		for (unsigned int c = 0; c < NR_CPUS; c++) {
			unsigned char *p = t.b->per_cpu_ptr(t.pool, objs[i], c);

			for (int k = 0; k < 24; k++)
				assert_int_equal(p[k], 0);
			memset(p, 0xA0 + (int)c, 24);
		}
	}
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], MIN_NR);
	for (int i = 0; i < MIN_NR; i++)
		t.b->free(t.ctx, objs[i]);
	pm_close(&t);
}

/*
 * An atomic caller takes from the reserve only and never waits: taking
 * without freeing, it meets an empty reserve (NULL) as soon as it outruns
 * the refill worker, which happens within a few allocations (the worker
 * pays a percpu allocation per object): within TAKE_MAX, or the worker
 * kept pace all along, which the test accepts without a NULL. Either way
 * every object it got was a reserve hit, and the worker then brings the
 * reserve back to min_nr.
 */
#define TAKE_MAX 65536

static void test_atomic_empty_then_async_refill(void **state)
{
	struct pm_test t;
	void **objs = calloc(TAKE_MAX, sizeof(*objs));
	size_t n = 0;
	struct pb_stats st;
	struct timespec ms = { 0, 1000000 };

	(void)state;
	assert_non_null(objs);
	pm_open(&t, "atomic", "async", "percpu-areamap");
	while (n < TAKE_MAX && (objs[n] = t.b->alloc(t.ctx)))
		n++;
	assert_true(n >= MIN_NR);
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_alloc_fails], n < TAKE_MAX ? 1 : 0);
	/* Every hit came from the reserve; the worker did the backing allocs. */
	assert_int_equal(st.v[PB_STAT_reserve_hits], n);
	/* The worker tops the reserve up (bounded wait, 5 s). */
	for (int i = 0; i < 5000; i++) {
		st = pm_stats(&t);
		if (st.v[PB_STAT_reserve_level] >= MIN_NR)
			break;
		nanosleep(&ms, NULL);
	}
	assert_int_equal(st.v[PB_STAT_reserve_level], MIN_NR);
	assert_true(st.v[PB_STAT_refills] >= 1);
	/* create filled MIN_NR; the worker replaced every one taken */
	assert_true(st.v[PB_STAT_backing_allocs] >= MIN_NR + n);
	while (n)
		t.b->free(t.ctx, objs[--n]);
	free(objs);
	pm_close(&t);
}

static void test_atomic_sync_refill(void **state)
{
	struct pm_test t;
	void *objs[64];
	struct pb_stats st;

	(void)state;
	pm_open(&t, "atomic", "sync", "percpu-bitmap");
	for (int i = 0; i < 64; i++) {
		objs[i] = t.b->alloc(t.ctx);
		assert_non_null(objs[i]);
		/* The allocating thread refilled: never below low_mark. */
		st = pm_stats(&t);
		assert_true(st.v[PB_STAT_reserve_level] >= 4);
	}
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], 64);
	assert_int_equal(st.v[PB_STAT_alloc_fails], 0);
	assert_true(st.v[PB_STAT_refills] >= 1);
	for (int i = 0; i < 64; i++)
		t.b->free(t.ctx, objs[i]);
	/* Frees refill the reserve only up to min_nr; the rest goes back. */
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_level], MIN_NR);
	assert_true(st.v[PB_STAT_backing_frees] >= 1);
	pm_close(&t);
}

/*
 * May-block, as mempool_alloc() over seed 004's alloc_fn: the non-waiting
 * first try is refused without a call to the percpu allocator, so the
 * reserve serves while it lasts; once it is empty, the waiting retry calls
 * the percpu allocator. Frees refill the reserve before the percpu
 * allocator gets anything back. A may-block pool has no worker.
 */
static void test_may_block_reserve_first(void **state)
{
	struct pm_test t;
	void *objs[32];
	struct pb_stats st;

	(void)state;
	pm_open(&t, "may-block", "async", "test-counting");
	assert_int_equal(counted(), MIN_NR);	/* create's fill */
	for (int i = 0; i < MIN_NR; i++) {
		objs[i] = t.b->alloc(t.ctx);
		assert_non_null(objs[i]);
	}
	/* A full reserve: the percpu allocator was not called. */
	assert_int_equal(counted(), MIN_NR);
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], MIN_NR);
	assert_int_equal(st.v[PB_STAT_backing_allocs], MIN_NR);
	assert_int_equal(st.v[PB_STAT_reserve_level], 0);
	/* An empty one: it is, once per object. */
	for (int i = MIN_NR; i < 32; i++) {
		objs[i] = t.b->alloc(t.ctx);
		assert_non_null(objs[i]);
		assert_int_equal(counted(), (size_t)i + 1);
	}
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], MIN_NR);
	assert_int_equal(st.v[PB_STAT_backing_allocs], 32);
	assert_int_equal(st.v[PB_STAT_waits], 0);
	assert_int_equal(st.v[PB_STAT_alloc_fails], 0);
	assert_int_equal(st.v[PB_STAT_refills], 0);
	assert_true(pb_stats_has(&st, PB_STAT_chunks));
	assert_true(st.v[PB_STAT_chunks] >= 1);
	for (int i = 0; i < 32; i++)
		t.b->free(t.ctx, objs[i]);
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_puts], MIN_NR);
	assert_int_equal(st.v[PB_STAT_backing_frees], 32 - MIN_NR);
	assert_int_equal(st.v[PB_STAT_reserve_level], MIN_NR);
	pm_close(&t);
}

/*
 * fastpath-reuse in may-block mode, with the default options: every pair
 * is a reserve hit and a reserve put; the percpu allocator is called by
 * create's fill only.
 */
#define PAIRS 1000

static void test_may_block_reuse_hits_reserve(void **state)
{
	const struct pb_kv kv[] = {
		{ "alloc", "may-block" }, { "backing", "test-counting" },
	};
	struct pm_test t;
	struct pb_stats st;

	(void)state;
	pm_open_kv(&t, kv, 2, 1);
	for (int i = 0; i < PAIRS; i++) {
		void *o = t.b->alloc(t.ctx);

		assert_non_null(o);
		t.b->free(t.ctx, o);
	}
	assert_int_equal(counted(), 64);
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], PAIRS);
	assert_int_equal(st.v[PB_STAT_reserve_puts], PAIRS);
	assert_int_equal(st.v[PB_STAT_backing_allocs], 64);
	assert_int_equal(st.v[PB_STAT_backing_frees], 0);
	assert_int_equal(st.v[PB_STAT_reserve_level], 64);
	pm_close(&t);
}

/* The option table's default of @key. */
static uint64_t option_def(const struct pb_backend *b, const char *key)
{
	int i = pb_options_find(b->options, key);

	assert_true(i >= 0);
	return b->options[i].def;
}

/*
 * The defaults: a reserve of 64 refilled below 32, whatever the capacity.
 * At fastpath-reuse's capacity (one object per thread) the atomic async
 * pool never schedules its worker; the atomic sync pool refills exactly
 * when an alloc leaves 31.
 */
static void test_defaults(void **state)
{
	const struct pb_kv async_kv[] = { { "backing", "test-counting" } };
	const struct pb_kv sync_kv[] = {
		{ "backing", "test-counting" }, { "refill", "sync" },
	};
	void *objs[33];
	struct pm_test t;
	struct pb_stats st;

	(void)state;
	assert_int_equal(option_def(pb_backend_find("percpu-mempool"), "min_nr"), 64);
	assert_int_equal(option_def(pb_backend_find("percpu-mempool"), "low_mark"), 32);

	pm_open_kv(&t, async_kv, 1, 1);
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_level], 64);
	for (int i = 0; i < PAIRS; i++) {
		void *o = t.b->alloc(t.ctx);

		assert_non_null(o);
		t.b->free(t.ctx, o);
	}
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], PAIRS);
	/* 63 left after each take, never under 32: no refill run at all. */
	assert_int_equal(st.v[PB_STAT_refills], 0);
	assert_int_equal(counted(), 64);
	pm_close(&t);

	pm_open_kv(&t, sync_kv, 2, 1);
	for (int i = 0; i < 32; i++) {
		objs[i] = t.b->alloc(t.ctx);
		assert_non_null(objs[i]);
	}
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_level], 32);
	assert_int_equal(st.v[PB_STAT_refills], 0);
	objs[32] = t.b->alloc(t.ctx);
	assert_non_null(objs[32]);
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_level], 64);
	assert_int_equal(st.v[PB_STAT_refills], 1);
	assert_int_equal(counted(), 64 + 33);
	for (int i = 0; i < 33; i++)
		t.b->free(t.ctx, objs[i]);
	pm_close(&t);
}

/* create() with @kv at @capacity returns @rc with @needle in its message. */
static void expect_create(const struct pb_kv *kv, size_t nr_kv,
			  size_t capacity, int rc, const char *needle)
{
	const struct pb_backend *b = pb_backend_find("percpu-mempool");
	struct pb_config cfg = pm_config(kv, nr_kv, capacity);
	char err[512] = "";
	void *pool = NULL;
	int got = b->create(&cfg, &pool, err, sizeof(err));

	if (got != rc)
		fail_msg("capacity %zu: create returned %d, expected %d (%s)",
			 capacity, got, rc, err);
	if (!rc) {
		b->destroy(pool);
		return;
	}
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
}

/*
 * The options are checked against each other, and a capacity the atomic
 * pool cannot guarantee without a refill that keeps up is unsupported.
 */
static void test_option_checks(void **state)
{
	const struct pb_kv small[] = { { "min_nr", "16" } };
	const struct pb_kv small_ok[] = { { "min_nr", "16" }, { "low_mark", "8" } };
	const struct pb_kv low_over[] = { { "low_mark", "65" } };
	const struct pb_kv min_zero[] = { { "min_nr", "0" }, { "low_mark", "0" } };
	const struct pb_kv sync[] = { { "refill", "sync" } };
	const struct pb_kv sync_never[] = {
		{ "refill", "sync" }, { "low_mark", "0" },
	};
	const struct pb_kv may_block[] = { { "alloc", "may-block" } };
	const struct pb_kv big[] = { { "min_nr", "1000" } };

	(void)state;
	expect_create(small, 1, 1, -1, "low_mark=32 exceeds min_nr=16");
	expect_create(small, 1, 1, -1, "give low_mark <= min_nr");
	expect_create(low_over, 1, 1, -1, "low_mark=65 exceeds min_nr=64");
	expect_create(min_zero, 2, 1, -1, "min_nr=0: expected an integer in [1, ");
	expect_create(small_ok, 2, 16, 0, NULL);
	/* alloc=atomic refill=async: the reserve must cover the capacity. */
	expect_create(NULL, 0, 64, 0, NULL);
	expect_create(NULL, 0, 65, PB_CREATE_UNSUPPORTED,
		      "capacity 65 exceeds min_nr=64; give min_nr>=65, or refill=sync");
	expect_create(big, 1, 1000, 0, NULL);
	expect_create(sync_never, 2, 65, PB_CREATE_UNSUPPORTED, "low_mark=0");
	/* A refill that keeps up, or a percpu allocator behind: any capacity. */
	expect_create(sync, 1, 100000, 0, NULL);
	expect_create(may_block, 1, 100000, 0, NULL);
}

static void test_bad_backing(void **state)
{
	const struct pb_backend *b = pb_backend_find("percpu-mempool");
	struct pb_kv kv = { "backing", "malloc" };
	struct pb_config cfg = {
		.obj_size = 24, .capacity = MIN_NR, .nr_cpus = NR_CPUS,
		.nr_threads = 1, .opts = &kv, .nr_opts = 1,
	};
	char err[256] = "";
	void *pool = NULL;

	(void)state;
	assert_non_null(b);
	assert_int_not_equal(b->create(&cfg, &pool, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "malloc"));
	assert_non_null(strstr(err, "percpu-bitmap"));
	assert_non_null(strstr(err, "percpu-areamap"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_reserve_only),
		cmocka_unit_test(test_atomic_empty_then_async_refill),
		cmocka_unit_test(test_atomic_sync_refill),
		cmocka_unit_test(test_may_block_reserve_first),
		cmocka_unit_test(test_may_block_reuse_hits_reserve),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_option_checks),
		cmocka_unit_test(test_bad_backing),
	};

	return cmocka_run_group_tests_name("percpu_mempool", tests, NULL, NULL);
}
