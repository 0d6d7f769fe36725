// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_qmempool.c - qmempool's own paths, observed through its statistics:
 * the backing refill of an empty sharedq (1 + 2 x 16), the bulk refill of
 * the localq from sharedq, the localq overflow spilling a bulk to sharedq,
 * a full sharedq sending elements back to the backing allocator, prealloc,
 * create-time validation, a shared-mode stress with more threads than
 * CPU slots, and rseq mode acting on the localq of the CPU the thread is
 * on (moved between two CPUs with sched_setaffinity: deterministic). Throughout, every element taken from the backing allocator is
 * accounted for: backing_allocs = backing_frees + cached + live objects.
 * Leaks at destroy are LeakSanitizer's to find (the ASan build).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/backend.h"
#include "allocators/rseq/rseq.h"

static const struct pb_backend *qm(void)
{
	const struct pb_backend *b = pb_backend_find("qmempool");

	assert_non_null(b);
	return b;
}

/* A pool with options "k=v;k=v", @nr_cpus slots, in @mode. */
static void *make_pool(const char *opts, unsigned int nr_cpus, enum pb_mode mode,
		       char *err)
{
	struct pb_kv kv[8];
	char buf[256];
	size_t n = 0;
	char *save = NULL;
	struct pb_config cfg = {
		.obj_size = 64, .capacity = 1024, .nr_cpus = nr_cpus,
		.nr_threads = 1, .mode = mode,
	};
	void *pool = NULL;

	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *t = strtok_r(buf, ";", &save); t && n < 8;
	     t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');

		assert_non_null(eq);
		*eq = '\0';
		kv[n].key = t;
		kv[n++].value = eq + 1;
	}
	cfg.opts = kv;
	cfg.nr_opts = n;
	err[0] = '\0';
	if (qm()->create(&cfg, &pool, err, 256))
		return NULL;
	return pool;
}

static struct pb_stats stats(void *pool)
{
	struct pb_stats st = { 0 };

	qm()->stats(pool, &st);
	return st;
}

#define ST(st, name) ((st).v[PB_STAT_##name])

static void assert_accounted(void *pool, uint64_t live)
{
	struct pb_stats st = stats(pool);

	assert_true(pb_stats_has(&st, PB_STAT_cached));
	if (ST(st, backing_allocs) != ST(st, backing_frees) + ST(st, cached) + live)
		fail_msg("backing_allocs %llu != backing_frees %llu + cached %llu "
			 "+ live %llu",
			 (unsigned long long)ST(st, backing_allocs),
			 (unsigned long long)ST(st, backing_frees),
			 (unsigned long long)ST(st, cached),
			 (unsigned long long)live);
}

static void first_alloc_refills_from_backing(void **state)
{
	char err[256];
	void *pool = make_pool("localq=16;sharedq=64", 1, PB_MODE_EXCLUSIVE, err);
	void *ctx, *objs[17];
	struct pb_stats st;

	(void)state;
	assert_non_null(pool);
	ctx = qm()->thread_init(pool, 0);
	assert_non_null(ctx);

	/* Empty sharedq: 1 for the caller + 2 x 16 into sharedq. */
	objs[0] = qm()->alloc(ctx);
	st = stats(pool);
	assert_int_equal(ST(st, backing_allocs), 33);
	assert_int_equal(ST(st, slow_hits), 1);
	assert_int_equal(ST(st, cached), 32);

	/* Empty localq: a bulk of 16 from sharedq, 1 returned, 15 to localq. */
	objs[1] = qm()->alloc(ctx);
	st = stats(pool);
	assert_int_equal(ST(st, sharedq_refills), 1);
	assert_int_equal(ST(st, backing_allocs), 33);

	/* The next 15 come from the localq. */
	for (int i = 2; i < 17; i++)
		objs[i] = qm()->alloc(ctx);
	st = stats(pool);
	assert_int_equal(ST(st, fast_hits), 15);
	assert_int_equal(ST(st, sharedq_refills), 1);
	assert_accounted(pool, 17);

	/* 16 frees fill the localq; the 17th spills a bulk of 16 to sharedq. */
	for (int i = 0; i < 16; i++)
		qm()->free(ctx, objs[i]);
	assert_int_equal(ST(stats(pool), sharedq_spills), 0);
	qm()->free(ctx, objs[16]);
	st = stats(pool);
	assert_int_equal(ST(st, sharedq_spills), 1);
	assert_int_equal(ST(st, backing_frees), 0);
	assert_accounted(pool, 0);

	qm()->thread_fini(pool, ctx);
	qm()->destroy(pool);
}

static void full_sharedq_spills_to_backing(void **state)
{
	char err[256];
	void *pool = make_pool("localq=16;sharedq=32", 1, PB_MODE_EXCLUSIVE, err);
	void *ctx, *objs[200];
	struct pb_stats st;

	(void)state;
	assert_non_null(pool);
	ctx = qm()->thread_init(pool, 0);
	for (int i = 0; i < 200; i++)
		assert_non_null(objs[i] = qm()->alloc(ctx));
	assert_accounted(pool, 200);
	for (int i = 0; i < 200; i++)
		qm()->free(ctx, objs[i]);
	st = stats(pool);
	/* 200 elements cannot fit 16 + 32 slots: the rest went back. */
	assert_true(ST(st, backing_frees) >= 200 - 48);
	assert_true(ST(st, cached) <= 48);
	assert_true(ST(st, sharedq_spills) >= 1);
	assert_accounted(pool, 0);
	qm()->thread_fini(pool, ctx);
	qm()->destroy(pool);
}

static void prealloc_fills_sharedq(void **state)
{
	char err[256];
	void *pool = make_pool("sharedq=128;prealloc=100", 2, PB_MODE_EXCLUSIVE, err);
	void *ctx, *p;
	struct pb_stats st;

	(void)state;
	assert_non_null(pool);
	st = stats(pool);
	assert_int_equal(ST(st, backing_allocs), 100);
	assert_int_equal(ST(st, cached), 100);
	ctx = qm()->thread_init(pool, 1);
	p = qm()->alloc(ctx);
	assert_non_null(p);
	st = stats(pool);
	/* Served from the preallocated sharedq, not the backing allocator. */
	assert_int_equal(ST(st, backing_allocs), 100);
	assert_int_equal(ST(st, sharedq_refills), 1);
	qm()->free(ctx, p);
	qm()->thread_fini(pool, ctx);
	qm()->destroy(pool);
}

static void expect_refused(const char *opts, const char *mention)
{
	char err[256];
	void *pool = make_pool(opts, 1, PB_MODE_EXCLUSIVE, err);

	if (pool) {
		qm()->destroy(pool);
		fail_msg("'%s' was accepted", opts);
	}
	if (!strstr(err, mention))
		fail_msg("'%s': message '%s' lacks '%s'", opts, err, mention);
}

static void create_validation(void **state)
{
	(void)state;
	expect_refused("localq=8", "localq=8: must be a power of two >= 16");
	expect_refused("localq=48", "localq=48");
	expect_refused("sharedq=16", "sharedq=16: must be a power of two >= 32");
	expect_refused("sharedq=96", "sharedq=96");
	expect_refused("sharedq=65536;localq=131072", "localq=131072");
	expect_refused("sharedq=64;prealloc=65", "prealloc=65 exceeds sharedq=64");
	expect_refused("backing=nosuch", "backing=nosuch: not a usable backend");
	expect_refused("backing=nosuch", "malloc");
	expect_refused("backing=null", "not a usable backend");
	expect_refused("backing=qmempool", "not a usable backend");
	expect_refused("bulk=4", "unknown option 'bulk'");
}

static void other_backing_allocator(void **state)
{
	char err[256];
	void *pool = make_pool("backing=mutex-mempool;localq=16;sharedq=32", 1,
			       PB_MODE_SHARED, err);
	void *ctx, *objs[100];

	(void)state;
	if (!pool)
		fail_msg("%s", err);
	ctx = qm()->thread_init(pool, 0);
	for (int i = 0; i < 100; i++)
		assert_non_null(objs[i] = qm()->alloc(ctx));
	for (int i = 0; i < 100; i++)
		qm()->free(ctx, objs[i]);
	assert_accounted(pool, 0);
	qm()->thread_fini(pool, ctx);
	qm()->destroy(pool);
}

/* ---- shared mode, more threads than CPU slots ------------------------------ */

#define THREADS 8
#define SLOTS 2
#define OPS 20000
#define HOLD 40

struct stress {
	void *pool;
	atomic_ulong bad;
};

static void *stress_worker(void *arg_)
{
	struct { struct stress *s; unsigned int id; } *arg = arg_;
	void *ctx = qm()->thread_init(arg->s->pool, arg->id % SLOTS);
	void *held[HOLD];
	size_t n = 0;
	uint64_t rng = 88172645463325252ull + arg->id;

	if (!ctx) {
		atomic_fetch_add(&arg->s->bad, 1);
		return NULL;
	}
	for (int op = 0; op < OPS; op++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if (n < HOLD && (rng & 1)) {
			uint64_t *p = qm()->alloc(ctx);

			if (!p) {
				atomic_fetch_add(&arg->s->bad, 1);
				continue;
			}
			/* A stamp: the owner's id, checked before free. */
			*p = arg->id;
			held[n++] = p;
		} else if (n) {
			uint64_t *p = held[--n];

			if (*p != arg->id)
				atomic_fetch_add(&arg->s->bad, 1);
			qm()->free(ctx, p);
		}
	}
	while (n)
		qm()->free(ctx, held[--n]);
	qm()->thread_fini(arg->s->pool, ctx);
	return NULL;
}

static void shared_mode_oversubscribed(void **state)
{
	char err[256];
	struct stress s = { 0 };
	pthread_t th[THREADS];
	struct { struct stress *s; unsigned int id; } args[THREADS];

	(void)state;
	s.pool = make_pool("localq=16;sharedq=64", SLOTS, PB_MODE_SHARED, err);
	assert_non_null(s.pool);
	for (unsigned int i = 0; i < THREADS; i++) {
		args[i].s = &s;
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, stress_worker, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&s.bad), 0);
	assert_accounted(s.pool, 0);
	qm()->destroy(s.pool);
}

/* Move the calling thread onto @cpu alone, and check it got there. */
static void run_on(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	for (int i = 0; i < 100 && sched_getcpu() != cpu; i++)
		sched_yield();
	assert_int_equal(sched_getcpu(), cpu);
}

/*
 * rseq mode: a free lands in the localq of the CPU the thread is on, and
 * only an alloc on that CPU finds it there; the moves are counted.
 */
static void rseq_follows_the_cpu(void **state)
{
	char err[256];
	cpu_set_t all;
	int a = -1, b = -1;
	void *pool, *ctx, *x, *y, *z;
	struct pb_stats st;

	(void)state;
	if (!pb_rseq_available(err, sizeof(err))) {
		print_message("skipped: %s\n", err);
		skip();
	}
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all))
			*(a < 0 ? &a : &b) = c;
	if (b < 0 || a == b) {
		print_message("skipped: needs two CPUs to move between\n");
		skip();
	}
	pool = make_pool("localq=16;sharedq=32", 1, PB_MODE_RSEQ, err);
	assert_non_null(pool);
	run_on(a);
	ctx = qm()->thread_init(pool, 0);
	assert_non_null(ctx);
	x = qm()->alloc(ctx);		/* from the backing allocator */
	assert_non_null(x);
	qm()->free(ctx, x);		/* into CPU a's localq */
	run_on(b);
	y = qm()->alloc(ctx);		/* CPU b's localq is empty: sharedq */
	assert_non_null(y);
	assert_ptr_not_equal(y, x);
	run_on(a);
	z = qm()->alloc(ctx);		/* x, from CPU a's localq */
	assert_ptr_equal(z, x);
	qm()->free(ctx, y);
	qm()->free(ctx, z);
	qm()->thread_fini(pool, ctx);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
	st = stats(pool);
	assert_true(pb_stats_has(&st, PB_STAT_rseq_aborts));
	assert_true(pb_stats_has(&st, PB_STAT_cpu_changes));
	assert_true(ST(st, cpu_changes) >= 2);
	assert_true(ST(st, fast_hits) >= 1);
	assert_int_equal(ST(st, sharedq_refills), 1);
	assert_accounted(pool, 0);
	qm()->destroy(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_alloc_refills_from_backing),
		cmocka_unit_test(full_sharedq_spills_to_backing),
		cmocka_unit_test(prealloc_fills_sharedq),
		cmocka_unit_test(create_validation),
		cmocka_unit_test(other_backing_allocator),
		cmocka_unit_test(shared_mode_oversubscribed),
		cmocka_unit_test(rseq_follows_the_cpu),
	};

	return cmocka_run_group_tests_name("qmempool", tests, NULL, NULL);
}
