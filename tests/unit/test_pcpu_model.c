// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pcpu_model.c - every registered percpu allocator (pcpu.h) against
 * the reference model of tests/common/pcpu_model.h, built from the
 * registry at run time: a new allocator is tested with no edit here.
 *
 * Per allocator: random operation sequences from fixed seeds in rounds of
 * mixed steps (balance() among them), a fill and a drain (oldest first,
 * newest first, alternating) and a balance, over 2..4 units of 8, 16 and
 * 32 KiB so that chunks come and go; a fill and drain that must create
 * chunks and leave every one of them to balance(), which releases all but
 * one; every kind of bogus free and invalid request; and four threads
 * allocating and freeing on one allocator at once while a fifth calls
 * balance() (the TSan build checks the locking), with check() clean at
 * the end. A failure names the allocator, seed, step and what is
 * wrong; a seed fixes the whole sequence, so a rerun repeats it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/percpu/pcpu.h"
#include "tests/common/pcpu_model.h"

#define ROUNDS 3
#define MIXED_STEPS 800
#define FILL_ALLOCS 150
#define NR_THREADS 4
#define THREAD_OPS 3000
#define THREAD_LIVE 64
#define BALANCE_CALLS 2000

struct pm_case {
	const struct pb_pcpu_ops *ops;
	unsigned int nr_units;
	size_t unit_size;
	uint64_t seed;
	char name[160];
};

static const struct {
	unsigned int nr_units;
	size_t unit_size;
	uint64_t seed;
} random_cfgs[] = {
	{ 2, 0, 1 }, { 4, 8192, 2 }, { 3, 16384, 3 }, { 4, 0, 4 }, { 2, 8192, 5 },
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define PM_OK(m, call)                                                         \
	do {                                                                   \
		if ((call)) {                                                  \
			pm_fini(m);                                            \
			fail_msg("%s", (m)->err);                              \
		}                                                              \
	} while (0)

static void model_init(struct pcpu_model *m, const struct pm_case *c)
{
	PM_OK(m, pm_init(m, c->ops, c->nr_units, c->unit_size, c->seed));
}

/* A size biased to small ones, with some up to the whole unit. */
static size_t rand_size(const struct pcpu_model *m, uint64_t r)
{
	switch (r % 16) {
	case 0:
		return m->max_alloc;
	case 1:
		return r / 16 % m->max_alloc + 1;
	case 2: case 3:
		return r / 16 % 4096 + 1;
	case 4:
		return 4;
	default:
		return r / 16 % 128 + 1;
	}
}

static size_t rand_align(uint64_t r)
{
	return r % 3 ? 0 : (size_t)1 << (r / 3 % 13);
}

/* Rounds of random steps, a fill, more random steps and a drain. */
static void test_random(void **state)
{
	const struct pm_case *c = *state;
	struct pcpu_model m;
	uint64_t s = c->seed;

	model_init(&m, c);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < 2 * MIXED_STEPS; i++) {
			uint8_t rec[PM_REC];
			uint64_t r = splitmix(&s);

			if (i == MIXED_STEPS)
				for (int k = 0; k < FILL_ALLOCS; k++) {
					r = splitmix(&s);
					PM_OK(&m, pm_alloc(&m, rand_size(&m, r),
							   rand_align(r >> 40)));
				}
			memcpy(rec, &r, sizeof(rec));
			PM_OK(&m, pm_step(&m, rec));
		}
		PM_OK(&m, pm_drain(&m, (enum pm_order)(round % PM_ORDER_NR)));
		PM_OK(&m, pm_balance(&m));
	}
	assert_true(m.nr_allocs > 0 && m.nr_frees == m.nr_allocs);
	assert_true(m.nr_balances > ROUNDS);
	pm_fini(&m);
}

/*
 * Fill more than four units' worth of same-size allocations, free every
 * other one, then drain the rest in each order: chunks must be created
 * (at least four), and none released on the way down (the model fails a
 * free that releases one): every chunk stays, empty, until balance(),
 * which releases all but one (the kernel's pcpu_balance_workfn keeps one
 * empty chunk).
 */
static void test_fill_drain(void **state)
{
	const struct pm_case *c = *state;
	static const size_t sizes[] = { 100, 1000, 4096, 8000 };
	struct pcpu_model m;

	model_init(&m, c);
	m.max_live_bytes = 64 * (uint64_t)m.unit_size;
	for (int order = 0; order < PM_ORDER_NR; order++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t size = sizes[k] < m.max_alloc ? sizes[k] : m.max_alloc;
			size_t n = 4 * m.unit_size / size + 1;
			struct pb_pcpu_stats st;

			for (size_t i = 0; i < n; i++)
				PM_OK(&m, pm_alloc(&m, size, i % 5 ? 0 : 64));
			c->ops->stats(m.a, &st);
			if (st.chunks < 4) {
				pm_fini(&m);
				fail_msg("%s: %zu allocations of %zu bytes in %llu "
					 "chunks of %zu, want at least 4",
					 c->ops->name, n, size,
					 (unsigned long long)st.chunks, m.unit_size);
			}
			/* Free every other one first: holes in every chunk. */
			for (size_t i = 0; i < m.nr_live; i++)
				PM_OK(&m, pm_free_index(&m, i));
			PM_OK(&m, pm_drain(&m, (enum pm_order)order));
			c->ops->stats(m.a, &st);
			if (st.chunks < 4 || st.chunks_empty != st.chunks) {
				pm_fini(&m);
				fail_msg("%s: drained, %llu chunks left, %llu of them "
					 "empty: want every chunk kept, empty",
					 c->ops->name, (unsigned long long)st.chunks,
					 (unsigned long long)st.chunks_empty);
			}
			PM_OK(&m, pm_balance(&m));
			c->ops->stats(m.a, &st);
			if (st.chunks != 1 || st.chunks_released == 0) {
				pm_fini(&m);
				fail_msg("%s: balanced, %llu chunks left, %llu "
					 "released: want one spare",
					 c->ops->name, (unsigned long long)st.chunks,
					 (unsigned long long)st.chunks_released);
			}
		}
	}
	pm_fini(&m);
}

/* Every kind of bogus free, with and without live allocations. */
static void test_bogus_frees(void **state)
{
	const struct pm_case *c = *state;
	struct pcpu_model m;
	uint64_t s = c->seed;

	model_init(&m, c);
	for (uint32_t k = 0; k < PM_BOGUS_NR; k++)
		PM_OK(&m, pm_free_bogus(&m, (enum pm_bogus)k, k));
	for (int i = 0; i < 200; i++) {
		uint64_t r = splitmix(&s);

		PM_OK(&m, pm_alloc(&m, rand_size(&m, r), rand_align(r >> 40)));
		if (i % 3 == 0)
			PM_OK(&m, pm_free_index(&m, r >> 20));
		for (uint32_t k = 0; k < PM_BOGUS_NR; k++)
			PM_OK(&m, pm_free_bogus(&m, (enum pm_bogus)k,
						(uint32_t)(r >> 32) + k));
	}
	/* Double frees of everything, right after each free. */
	while (m.nr_live) {
		PM_OK(&m, pm_free_index(&m, m.nr_live / 2));
		PM_OK(&m, pm_free_bogus(&m, PM_BOGUS_FREED,
					(m.nr_frees - 1) % PM_FREED_RING));
	}
	assert_true(m.nr_bogus > 0);
	pm_fini(&m);
}

/* Requests the API refuses, around live allocations. */
static void test_invalid_requests(void **state)
{
	const struct pm_case *c = *state;
	static const size_t bad_aligns[] = { 3, 6, 12, 48, 100, 4095, 4097,
					     8192, 1 << 20, SIZE_MAX };
	struct pcpu_model m;

	model_init(&m, c);
	PM_OK(&m, pm_alloc_invalid(&m, 0, 0));
	PM_OK(&m, pm_alloc(&m, 4, 0));
	PM_OK(&m, pm_alloc_invalid(&m, 0, 8));
	PM_OK(&m, pm_alloc_invalid(&m, m.max_alloc + 1, 0));
	PM_OK(&m, pm_alloc_invalid(&m, 2 * m.unit_size, 0));
	PM_OK(&m, pm_alloc_invalid(&m, SIZE_MAX, 0));
	for (size_t i = 0; i < sizeof(bad_aligns) / sizeof(bad_aligns[0]); i++) {
		PM_OK(&m, pm_alloc_invalid(&m, 8, bad_aligns[i]));
		PM_OK(&m, pm_alloc(&m, 8, (size_t)1 << i));
	}
	PM_OK(&m, pm_alloc(&m, m.max_alloc, PB_PCPU_PAGE_SIZE));
	PM_OK(&m, pm_drain(&m, PM_LIFO));
	assert_int_equal(m.nr_invalid, 5 + sizeof(bad_aligns) / sizeof(bad_aligns[0]));
	pm_fini(&m);
}

/* ---- threads ---------------------------------------------------------- */

struct th_arg {
	const struct pb_pcpu_ops *ops;
	void *a;
	unsigned int id, nr_units;
	size_t unit_size;
	char err[256];
};

struct th_obj {
	unsigned char *h;
	size_t size;
	unsigned char tag;
};

static bool th_bytes_are(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

static int th_free(struct th_arg *t, const struct th_obj *o)
{
	for (unsigned int u = 0; u < t->nr_units; u++)
		if (!th_bytes_are(o->h + u * t->unit_size, o->size, (unsigned char)(o->tag + u))) {
			snprintf(t->err, sizeof(t->err), "thread %u: %p unit %u "
				 "lost its tag", t->id, (void *)o->h, u);
			return -1;
		}
	if (t->ops->free(t->a, o->h)) {
		snprintf(t->err, sizeof(t->err), "thread %u: free(%p) of a live "
			 "handle failed", t->id, (void *)o->h);
		return -1;
	}
	return 0;
}

static void *th_main(void *arg)
{
	struct th_arg *t = arg;
	struct th_obj live[THREAD_LIVE];
	uint64_t s = t->id + 100;
	size_t n = 0;

	for (int i = 0; i < THREAD_OPS && !t->err[0]; i++) {
		uint64_t r = splitmix(&s);

		if (n < THREAD_LIVE && (n == 0 || r % 2)) {
			size_t size = r % 8 ? r / 8 % 256 + 1 :
				      r / 8 % pb_pcpu_max_alloc(t->unit_size) + 1;
			size_t align = rand_align(r >> 40);
			struct th_obj *o = &live[n];

			o->h = t->ops->alloc(t->a, size, align);
			o->size = size;
			o->tag = (unsigned char)(t->id * 16 + (unsigned int)i % 7 + 1);
			if (!o->h || (align && (uintptr_t)o->h % align)) {
				snprintf(t->err, sizeof(t->err), "thread %u: alloc "
					 "%zu align %zu gave %p", t->id, size, align,
					 (void *)o->h);
				break;
			}
			for (unsigned int u = 0; u < t->nr_units; u++) {
				unsigned char *q = o->h + u * t->unit_size;

				if (!th_bytes_are(q, size, 0)) {
					snprintf(t->err, sizeof(t->err), "thread %u: "
						 "%p unit %u not zeroed", t->id,
						 (void *)o->h, u);
					break;
				}
				memset(q, o->tag + u, size);
			}
			n++;
		} else {
			size_t k = r / 2 % n;

			if (th_free(t, &live[k]))
				break;
			live[k] = live[--n];
		}
	}
	while (n && !t->err[0])
		if (th_free(t, &live[--n]))
			break;
	return NULL;
}

/* The deferred work, as the kernel's worker, while the others run. */
static void *th_balance(void *arg)
{
	struct th_arg *t = arg;

	for (int i = 0; i < BALANCE_CALLS; i++) {
		t->ops->balance(t->a);
		sched_yield();
	}
	return NULL;
}

static void test_threads(void **state)
{
	const struct pm_case *c = *state;
	struct pb_pcpu_config cfg = { .nr_units = 4, .unit_size = 8192 };
	struct th_arg args[NR_THREADS + 1];
	pthread_t th[NR_THREADS + 1];
	unsigned int nr = NR_THREADS + !!c->ops->balance;
	struct pb_pcpu_stats st;
	char err[256] = "";
	void *a;

	if (c->ops->create(&cfg, &a, err, sizeof(err)))
		fail_msg("%s: create(): %s", c->ops->name, err);
	for (unsigned int i = 0; i < nr; i++) {
		args[i] = (struct th_arg){ .ops = c->ops, .a = a, .id = i,
					   .nr_units = cfg.nr_units,
					   .unit_size = c->ops->unit_size(a) };
		assert_int_equal(pthread_create(&th[i], NULL, i < NR_THREADS ?
						th_main : th_balance, &args[i]), 0);
	}
	for (unsigned int i = 0; i < nr; i++)
		pthread_join(th[i], NULL);
	for (unsigned int i = 0; i < NR_THREADS; i++)
		if (args[i].err[0]) {
			c->ops->destroy(a);
			fail_msg("%s: %s", c->ops->name, args[i].err);
		}
	if (c->ops->check(a, err, sizeof(err))) {
		c->ops->destroy(a);
		fail_msg("%s: check() after the threads: %s", c->ops->name, err);
	}
	if (c->ops->balance)
		c->ops->balance(a);
	c->ops->stats(a, &st);
	c->ops->destroy(a);
	if (st.live || st.live_bytes)
		fail_msg("%s: everything freed, stats say %llu live (%llu bytes)",
			 c->ops->name, (unsigned long long)st.live,
			 (unsigned long long)st.live_bytes);
	if (c->ops->balance && st.chunks > 1)
		fail_msg("%s: everything freed and balanced, %llu chunks left",
			 c->ops->name, (unsigned long long)st.chunks);
}

/* ---- the generated cases ------------------------------------------------ */

static void add_case(struct CMUnitTest *t, struct pm_case *c, size_t *n,
		     CMUnitTestFunction fn, const char *what,
		     const struct pb_pcpu_ops *ops, unsigned int nr_units,
		     size_t unit_size, uint64_t seed)
{
	c[*n] = (struct pm_case){ .ops = ops, .nr_units = nr_units,
				  .unit_size = unit_size, .seed = seed };
	snprintf(c[*n].name, sizeof(c[*n].name), "%s/%s units %u unit %zu seed %llu",
		 ops->name, what, nr_units, unit_size ? unit_size : PB_PCPU_MIN_UNIT_SIZE,
		 (unsigned long long)seed);
	t[*n] = (struct CMUnitTest){ .name = c[*n].name, .test_func = fn,
				     .initial_state = &c[*n] };
	(*n)++;
}

int main(void)
{
	size_t per = sizeof(random_cfgs) / sizeof(random_cfgs[0]) + 6;
	size_t nr = pb_pcpu_count(), n = 0;
	struct CMUnitTest *tests = calloc(nr * per + 1, sizeof(*tests));
	struct pm_case *cases = calloc(nr * per + 1, sizeof(*cases));
	int failed;

	if (!tests || !cases || !nr) {
		fprintf(stderr, "test_pcpu_model: %s\n",
			nr ? "out of memory" : "no percpu allocator registered");
		return 1;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct pb_pcpu_ops *ops = pb_pcpu_at(i);

		for (size_t k = 0; k < sizeof(random_cfgs) / sizeof(random_cfgs[0]); k++)
			add_case(tests, cases, &n, test_random, "random", ops,
				 random_cfgs[k].nr_units, random_cfgs[k].unit_size,
				 random_cfgs[k].seed);
		add_case(tests, cases, &n, test_fill_drain, "fill-drain", ops, 2, 8192, 0);
		add_case(tests, cases, &n, test_fill_drain, "fill-drain", ops, 3, 16384, 0);
		add_case(tests, cases, &n, test_bogus_frees, "bogus-frees", ops, 3, 8192, 7);
		add_case(tests, cases, &n, test_invalid_requests, "invalid-requests",
			 ops, 2, 0, 0);
		add_case(tests, cases, &n, test_threads, "threads", ops, 4, 8192, 0);
	}
	failed = _cmocka_run_group_tests("pcpu_model", tests, n, NULL, NULL);
	free(tests);
	free(cases);
	return failed;
}
