// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dpdk.c - the DPDK peers' process-level promises
 * (allocators/peers/dpdk/), which the suites over every backend cannot
 * see:
 *   - EAL starts once, from the first create, with the arguments meta.json
 *     records, and pins nobody: the starting thread keeps its CPU
 *     affinity (here a one-CPU set, which EAL's lcore 0 is then mapped
 *     to), and so do the other threads and the ones created afterwards;
 *   - thread_init (dpdk-mempool registers the thread as a non-EAL lcore)
 *     and thread_fini leave the thread's affinity as it was, for every
 *     DPDK backend and variant, on a pinned and on an unpinned thread;
 *   - dpdk-mempool gives each thread's lcore back at thread_fini: more
 *     threads than RTE_MAX_LCORE (128), one after the other, all get one;
 *   - dpdk-mempool's capacity holds with the other ctxs' caches full, its
 *     statistics show the sizing (cached = capacity + K x flush
 *     threshold once everything is back), and a ctx past K is refused
 *     with the reason;
 *   - dpdk-ring loses no object when its frees race its allocs (the RTS
 *     mode's relaxed consumer tail can make the ring look full).
 * EAL refusing to start (a fresh process) is tests/harness/test_dpdk.sh.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "allocators/backend.h"
#include "allocators/peers/dpdk/eal.h"

#define NR_THREADS_PAST_LCORES 160

static const char *const dpdk_backends[] = { "dpdk-mempool", "dpdk-ring",
					     "dpdk-stack" };

/* Every DPDK backend and variant, as "name" or "name:k=v". */
static const char *const dpdk_cases[] = {
	"dpdk-mempool", "dpdk-mempool:cache_kind=user", "dpdk-mempool:cache=0",
	"dpdk-ring", "dpdk-ring:sync=rts", "dpdk-ring:sync=hts",
	"dpdk-ring:sync=spsc", "dpdk-stack", "dpdk-stack:lf=0",
};

static void get_affinity(cpu_set_t *set)
{
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(*set),
						set), 0);
}

/* The first CPU this thread may run on. */
static int first_cpu(void)
{
	cpu_set_t set;

	get_affinity(&set);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	fail_msg("no CPU in this thread's affinity");
	return -1;
}

static void *create_case(const char *spec, unsigned int nr_cpus,
			 unsigned int nr_threads, size_t capacity,
			 const struct pb_backend **bp)
{
	char name[64], err[512] = "";
	const char *colon = strchr(spec, ':');
	struct pb_kv kv = { 0 };
	struct pb_config cfg = {
		.obj_size = 64, .capacity = capacity, .nr_cpus = nr_cpus,
		.nr_threads = nr_threads, .mode = PB_MODE_EXCLUSIVE,
	};
	char opt[64];
	void *pool = NULL;

	snprintf(name, sizeof(name), "%.*s",
		 (int)(colon ? (size_t)(colon - spec) : strlen(spec)), spec);
	if (colon) {
		char *eq;

		snprintf(opt, sizeof(opt), "%s", colon + 1);
		eq = strchr(opt, '=');
		assert_non_null(eq);
		*eq = '\0';
		kv.key = opt;
		kv.value = eq + 1;
		cfg.opts = &kv;
		cfg.nr_opts = 1;
	}
	*bp = pb_backend_find(name);
	assert_non_null(*bp);
	if ((*bp)->create(&cfg, &pool, err, sizeof(err)))
		fail_msg("%s: create failed: %s", spec, err);
	return pool;
}

/* ---- EAL ---------------------------------------------------------------- */

struct start_arg {
	int cpu;
	int rc;
	char err[256];
	bool same;
};

/* EAL started from a thread pinned to one CPU: it stays pinned to it. */
static void *start_pinned(void *arg_)
{
	struct start_arg *a = arg_;
	cpu_set_t one, after;

	CPU_ZERO(&one);
	CPU_SET(a->cpu, &one);
	if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one))
		return NULL;
	a->rc = pb_dpdk_eal_start(a->err, sizeof(a->err));
	if (!pthread_getaffinity_np(pthread_self(), sizeof(after), &after))
		a->same = CPU_EQUAL(&one, &after);
	return NULL;
}

static void *report_affinity(void *arg)
{
	get_affinity(arg);
	return NULL;
}

static void eal_start_keeps_affinity(void **state)
{
	struct start_arg a = { .cpu = first_cpu(), .rc = 1 };
	cpu_set_t main_before, main_after, child;
	char args[512], want[64], err[256];
	pthread_t t;

	(void)state;
	get_affinity(&main_before);
	/* The first start of this process: before any create. */
	assert_int_equal(pthread_create(&t, NULL, start_pinned, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (a.rc)
		fail_msg("EAL did not start: %s", a.err);
	assert_true(a.same);
	get_affinity(&main_after);
	assert_true(CPU_EQUAL(&main_before, &main_after));
	/* A thread created afterwards inherits ours, not EAL's lcore 0. */
	assert_int_equal(pthread_create(&t, NULL, report_affinity, &child), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(CPU_EQUAL(&main_before, &child));

	/* The arguments it was started with, lcore 0 on the pinned CPU. */
	assert_true(pb_dpdk_eal_args(args, sizeof(args)) < sizeof(args));
	snprintf(want, sizeof(want), "--lcores 0@(%d)", a.cpu);
	if (!strstr(args, "--no-huge --no-pci --no-shconf --no-telemetry "
			  "-m ") ||
	    !strstr(args, want) || strstr(args, " -l ") || strstr(args, " -d "))
		fail_msg("EAL arguments '%s'", args);
	/* Once per process: the same answer again, from any thread. */
	assert_int_equal(pb_dpdk_eal_start(err, sizeof(err)), 0);
	assert_true(!strncmp(pb_dpdk_version(), "DPDK ", 5));
}

/* ---- thread_init and affinity ----------------------------------------- */

struct ctx_arg {
	const struct pb_backend *b;
	void *pool;
	int cpu;		/* -1: leave the thread's affinity as it is */
	bool ok, same;
	char why[256];
};

static void *init_fini(void *arg_)
{
	struct ctx_arg *a = arg_;
	cpu_set_t before, after;
	void *ctx, *obj;

	if (a->cpu >= 0) {
		CPU_ZERO(&before);
		CPU_SET(a->cpu, &before);
		if (pthread_setaffinity_np(pthread_self(), sizeof(before),
					   &before))
			return NULL;
	}
	pthread_getaffinity_np(pthread_self(), sizeof(before), &before);
	ctx = a->b->thread_init(a->pool, 0);
	if (!ctx) {
		pb_thread_init_why(a->why, sizeof(a->why));
		return NULL;
	}
	pthread_getaffinity_np(pthread_self(), sizeof(after), &after);
	a->same = CPU_EQUAL(&before, &after);
	obj = a->b->alloc(ctx);
	if (obj)
		a->b->free(ctx, obj);
	a->b->thread_fini(a->pool, ctx);
	pthread_getaffinity_np(pthread_self(), sizeof(after), &after);
	a->same = a->same && CPU_EQUAL(&before, &after);
	a->ok = obj != NULL;
	return NULL;
}

static void run_init_fini(struct ctx_arg *a, const char *spec)
{
	pthread_t t;

	a->ok = a->same = false;
	a->why[0] = '\0';
	assert_int_equal(pthread_create(&t, NULL, init_fini, a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (!a->ok)
		fail_msg("%s: thread_init or alloc failed: %s", spec, a->why);
	if (!a->same)
		fail_msg("%s: thread_init/fini changed the thread's affinity",
			 spec);
}

static void thread_init_keeps_affinity(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dpdk_cases) / sizeof(dpdk_cases[0]);
	     i++) {
		struct ctx_arg a = { .cpu = first_cpu() };

		a.pool = create_case(dpdk_cases[i], 2, 1, 64, &a.b);
		run_init_fini(&a, dpdk_cases[i]);
		a.cpu = -1;
		run_init_fini(&a, dpdk_cases[i]);
		a.b->destroy(a.pool);
	}
}

/* More threads than lcores, one at a time: each lcore is given back. */
static void lcores_are_given_back(void **state)
{
	struct ctx_arg a = { .cpu = -1 };

	(void)state;
	a.pool = create_case("dpdk-mempool", 2, 1, 64, &a.b);
	for (int i = 0; i < NR_THREADS_PAST_LCORES; i++)
		run_init_fini(&a, "dpdk-mempool");
	a.b->destroy(a.pool);
}

/* ---- dpdk-mempool's sizing ---------------------------------------------- */

#define SZ_CAP 1000
#define SZ_CPUS 3
#define SZ_FLUSH 384	/* the flush threshold of the default cache, 256 */

static void mempool_capacity_with_full_caches(void **state)
{
	static void *objs[SZ_CAP];
	const struct pb_backend *b;
	struct pb_stats st = { 0 };
	void *pool, *ctx[SZ_CPUS], *extra;
	char why[256];

	(void)state;
	pool = create_case("dpdk-mempool", SZ_CPUS, 1, SZ_CAP, &b);
	for (int k = 0; k < SZ_CPUS; k++)
		assert_non_null(ctx[k] = b->thread_init(pool, (unsigned int)k));
	/* K = max(nr_threads, nr_cpus) ctxs at once, no more. */
	extra = b->thread_init(pool, 0);
	assert_null(extra);
	pb_thread_init_why(why, sizeof(why));
	if (!strstr(why, "dpdk-mempool") || !strstr(why, "3 ctxs"))
		fail_msg("refusal does not say why: '%s'", why);
	/* Two ctxs fill their caches to the flush threshold... */
	for (int k = 1; k < SZ_CPUS; k++) {
		for (int i = 0; i < SZ_FLUSH; i++)
			assert_non_null(objs[i] = b->alloc(ctx[k]));
		for (int i = 0; i < SZ_FLUSH; i++)
			b->free(ctx[k], objs[i]);
	}
	/* ...and the third still gets the whole capacity. */
	for (int i = 0; i < SZ_CAP; i++)
		if (!(objs[i] = b->alloc(ctx[0])))
			fail_msg("alloc %d of capacity %d returned NULL", i,
				 SZ_CAP);
	b->free_bulk(ctx[1], objs, SZ_CAP);
	for (int k = 0; k < SZ_CPUS; k++)
		b->thread_fini(pool, ctx[k]);
	b->stats(pool, &st);
	assert_true(pb_stats_has(&st, PB_STAT_cached));
	assert_int_equal(st.v[PB_STAT_cached], SZ_CAP + SZ_CPUS * SZ_FLUSH);
	assert_true(pb_stats_has(&st, PB_STAT_metadata_bytes));
	assert_true(st.v[PB_STAT_metadata_bytes] > 0);
	assert_int_equal(st.v[PB_STAT_fast_hits],
			 SZ_CAP + (SZ_CPUS - 1) * SZ_FLUSH);
	b->destroy(pool);
}

/*
 * dpdk-ring loses no object under contention, in every multi-thread sync
 * mode. The ring has exactly one entry per object, and the RTS mode's
 * consumer tail is relaxed: an enqueue can find the ring full while a
 * dequeue is still completing, and a free that ignored that would drop
 * the object for good. Two threads each take half the pool and give it
 * back, over and over; then every object must still be there.
 */
#define RL_CAP 64
#define RL_ROUNDS 3000
#define RL_SPINS 1000000

struct rl_arg {
	const struct pb_backend *b;
	void *pool;
	unsigned int cpu;
	bool starved;
};

static void *ring_worker(void *arg_)
{
	struct rl_arg *a = arg_;
	void *ctx = a->b->thread_init(a->pool, a->cpu);
	void *objs[RL_CAP / 2];

	for (int r = 0; r < RL_ROUNDS && !a->starved; r++) {
		for (int i = 0; i < RL_CAP / 2; i++) {
			long spins = 0;

			/* The other thread may hold the rest for a moment. */
			while (!(objs[i] = a->b->alloc(ctx)))
				if (++spins == RL_SPINS) {
					a->starved = true;
					a->b->free_bulk(ctx, objs, (size_t)i);
					goto out;
				}
		}
		if (r % 2)
			a->b->free_bulk(ctx, objs, RL_CAP / 2);
		else
			for (int i = 0; i < RL_CAP / 2; i++)
				a->b->free(ctx, objs[i]);
	}
out:
	a->b->thread_fini(a->pool, ctx);
	return NULL;
}

static void ring_loses_no_object(void **state)
{
	static const char *const specs[] = { "dpdk-ring:sync=mpmc",
					     "dpdk-ring:sync=rts",
					     "dpdk-ring:sync=hts" };

	(void)state;
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct rl_arg a[2];
		pthread_t t[2];
		const struct pb_backend *b;
		void *pool = create_case(specs[k], 2, 2, RL_CAP, &b);
		void *objs[RL_CAP + 1], *ctx;
		int got = 0;

		for (int i = 0; i < 2; i++) {
			a[i] = (struct rl_arg){ .b = b, .pool = pool,
						.cpu = (unsigned int)i };
			assert_int_equal(pthread_create(&t[i], NULL,
							ring_worker, &a[i]), 0);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		ctx = b->thread_init(pool, 0);
		while (got <= RL_CAP && (objs[got] = b->alloc(ctx)))
			got++;
		if (a[0].starved || a[1].starved || got != RL_CAP)
			fail_msg("%s: %d of %d objects left after the contended "
				 "rounds%s", specs[k], got, RL_CAP,
				 a[0].starved || a[1].starved ?
				 " (a thread waited 10^6 tries for one)" : "");
		b->free_bulk(ctx, objs, (size_t)got);
		b->thread_fini(pool, ctx);
		b->destroy(pool);
	}
}

/* Every DPDK backend is listed as a peer. */
static void listed_as_peers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dpdk_backends) / sizeof(dpdk_backends[0]);
	     i++) {
		const struct pb_backend *b = pb_backend_find(dpdk_backends[i]);

		assert_non_null(b);
		assert_true(b->flags & PB_BACKEND_PEER);
	}
}

int main(void)
{
	/* In this order: the first test is the process's first EAL start. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eal_start_keeps_affinity),
		cmocka_unit_test(thread_init_keeps_affinity),
		cmocka_unit_test(lcores_are_given_back),
		cmocka_unit_test(mempool_capacity_with_full_caches),
		cmocka_unit_test(ring_loses_no_object),
		cmocka_unit_test(listed_as_peers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
