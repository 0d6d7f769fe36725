// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_percpu_mempool.c - the percpu mempool backend (seed 004) through its
 * statistics: an atomic caller takes only from the reserve and gets NULL,
 * never a wait, once it is empty (the percpu allocator is never called
 * from alloc); the async refill worker brings the reserve back; a sync refill keeps it at
 * low_mark or above after every alloc; a may-block caller goes to the
 * percpu allocator first; objects are percpu areas, zeroed in every unit;
 * both percpu allocators serve as backing; a bad backing name is refused
 * naming the valid ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "allocators/backend.h"
#include "allocators/pcpu.h"

#define NR_CPUS 3
#define MIN_NR 8

struct pm_test {
	const struct pb_backend *b;
	void *pool, *ctx;
};

static void pm_open(struct pm_test *t, const char *alloc, const char *refill,
		    const char *backing)
{
	struct pb_kv kv[] = {
		{ "alloc", alloc }, { "refill", refill }, { "backing", backing },
		{ "min_nr", "8" }, { "low_mark", "4" }, { "wait_ms", "0" },
	};
	struct pb_config cfg = {
		.obj_size = 24, .capacity = MIN_NR, .prealloc = MIN_NR,
		.nr_cpus = NR_CPUS, .nr_threads = 1, .mode = PB_MODE_EXCLUSIVE,
		.opts = kv, .nr_opts = sizeof(kv) / sizeof(kv[0]),
	};
	char err[256] = "";

	t->b = pb_backend_find("percpu-mempool");
	assert_non_null(t->b);
	if (t->b->create(&cfg, &t->pool, err, sizeof(err)))
		fail_msg("create: %s", err);
	t->ctx = t->b->thread_init(t->pool, 0);
	assert_non_null(t->ctx);
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

static void test_may_block_backing_first(void **state)
{
	struct pm_test t;
	void *objs[32];
	struct pb_stats st;

	(void)state;
	pm_open(&t, "may-block", "async", "percpu-bitmap");
	for (int i = 0; i < 32; i++) {
		objs[i] = t.b->alloc(t.ctx);
		assert_non_null(objs[i]);
	}
	st = pm_stats(&t);
	assert_int_equal(st.v[PB_STAT_reserve_hits], 0);
	assert_int_equal(st.v[PB_STAT_backing_allocs], MIN_NR + 32);
	assert_true(pb_stats_has(&st, PB_STAT_chunks));
	assert_true(st.v[PB_STAT_chunks] >= 1);
	for (int i = 0; i < 32; i++)
		t.b->free(t.ctx, objs[i]);
	pm_close(&t);
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
		cmocka_unit_test(test_may_block_backing_first),
		cmocka_unit_test(test_bad_backing),
	};

	return cmocka_run_group_tests_name("percpu_mempool", tests, NULL, NULL);
}
