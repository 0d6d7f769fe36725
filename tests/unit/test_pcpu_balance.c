// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pcpu_balance.c - when the percpu allocators release chunks, for
 * every registered one (pcpu.h) and its fixed-size backend: as the kernel,
 * free never does (not even a free that empties a second chunk: the
 * kernel's free only schedules pcpu_balance_workfn), the empty chunks stay
 * on the last slot and the next allocation reuses the first of them
 * without creating one; balance() releases every empty chunk but that
 * first one (the spare) and nothing that holds an allocation; destroy()
 * releases the rest (the ASan build's leak check). check() runs after
 * every step. The backends report chunks_released (the column
 * chunks_released_per_op) and have a balance operation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/backend.h"
#include "allocators/percpu/pcpu.h"

#define UNIT 4096
#define OBJ 1024
#define PER_CHUNK (UNIT / OBJ)
#define NR_CHUNKS 3

struct bal {
	const struct pb_pcpu_ops *ops;
	void *a;
};

static void bal_check(const struct bal *t)
{
	char err[256] = "";

	if (t->ops->check(t->a, err, sizeof(err)))
		fail_msg("%s: check: %s", t->ops->name, err);
}

/* Chunks held, empty ones, created and released must be these. */
static void chunks_are(const struct bal *t, uint64_t chunks, uint64_t empty,
		       uint64_t created, uint64_t released, const char *when)
{
	struct pb_pcpu_stats st;

	bal_check(t);
	t->ops->stats(t->a, &st);
	if (st.chunks != chunks || st.chunks_empty != empty ||
	    st.chunks_created != created || st.chunks_released != released)
		fail_msg("%s, %s: %llu chunks (%llu empty), %llu created, %llu "
			 "released; want %llu (%llu), %llu, %llu", t->ops->name, when,
			 (unsigned long long)st.chunks,
			 (unsigned long long)st.chunks_empty,
			 (unsigned long long)st.chunks_created,
			 (unsigned long long)st.chunks_released,
			 (unsigned long long)chunks, (unsigned long long)empty,
			 (unsigned long long)created, (unsigned long long)released);
}

static bool in_chunk(const char *p, const char *base)
{
	return p >= base && p < base + UNIT;
}

/* Fill NR_CHUNKS one-unit chunks: p[c][0] is chunk c's base. */
static void fill(struct bal *t, char *p[NR_CHUNKS][PER_CHUNK])
{
	for (int c = 0; c < NR_CHUNKS; c++)
		for (int i = 0; i < PER_CHUNK; i++) {
			p[c][i] = t->ops->alloc(t->a, OBJ, 0);
			assert_non_null(p[c][i]);
			assert_true(in_chunk(p[c][i], p[c][0]));
		}
}

static void free_chunk(struct bal *t, char *p[PER_CHUNK])
{
	for (int i = 0; i < PER_CHUNK; i++)
		assert_int_equal(t->ops->free(t->a, p[i]), 0);
}

static void run(const struct pb_pcpu_ops *ops)
{
	struct pb_pcpu_config cfg = { .nr_units = 2, .unit_size = UNIT };
	char *p[NR_CHUNKS][PER_CHUNK], *q;
	char err[256] = "";
	struct bal t = { .ops = ops };

	assert_non_null(ops->balance);
	if (ops->create(&cfg, &t.a, err, sizeof(err)))
		fail_msg("%s: create: %s", ops->name, err);
	fill(&t, p);
	chunks_are(&t, 3, 0, 3, 0, "filled");
	/* Nothing to release: balance changes nothing. */
	ops->balance(t.a);
	chunks_are(&t, 3, 0, 3, 0, "filled, balanced");

	/* Free empties chunks and releases none, however many are empty. */
	free_chunk(&t, p[1]);
	chunks_are(&t, 3, 1, 3, 0, "chunk 1 emptied");
	free_chunk(&t, p[0]);
	chunks_are(&t, 3, 2, 3, 0, "a second chunk emptied");
	/* An empty chunk serves the next allocation: no chunk created. */
	q = ops->alloc(t.a, OBJ, 0);
	assert_non_null(q);
	assert_true(in_chunk(q, p[0][0]));	/* the last emptied: first on the slot */
	chunks_are(&t, 3, 1, 3, 0, "an empty chunk reused");
	assert_int_equal(ops->free(t.a, q), 0);
	free_chunk(&t, p[2]);
	chunks_are(&t, 3, 3, 3, 0, "every chunk emptied");

	/* balance: all but one go; the one kept is the first on the slot. */
	ops->balance(t.a);
	chunks_are(&t, 1, 1, 3, 2, "balanced");
	ops->balance(t.a);
	chunks_are(&t, 1, 1, 3, 2, "balanced twice");
	q = ops->alloc(t.a, OBJ, 0);
	assert_non_null(q);
	assert_true(in_chunk(q, p[2][0]));
	chunks_are(&t, 1, 0, 3, 2, "the spare reused");
	assert_int_equal(ops->free(t.a, q), 0);
	/* Filled again: the spare first, then two new chunks. */
	fill(&t, p);
	assert_ptr_equal(p[0][0], q);
	chunks_are(&t, 3, 0, 5, 2, "filled again");
	/* A chunk still holding an allocation is not empty: it stays. */
	free_chunk(&t, p[0]);
	free_chunk(&t, p[2]);
	for (int i = 1; i < PER_CHUNK; i++)
		assert_int_equal(ops->free(t.a, p[1][i]), 0);
	chunks_are(&t, 3, 2, 5, 2, "two chunks emptied, one holding one allocation");
	ops->balance(t.a);
	chunks_are(&t, 2, 1, 5, 3, "balanced with one live allocation");
	assert_int_equal(ops->free(t.a, p[1][0]), 0);
	/* destroy() releases the two empty chunks left. */
	chunks_are(&t, 2, 2, 5, 3, "all free again");
	ops->destroy(t.a);
}

static void test_allocators(void **state)
{
	(void)state;
	assert_true(pb_pcpu_count() >= 2);
	for (size_t i = 0; i < pb_pcpu_count(); i++)
		run(pb_pcpu_at(i));
}

/* The fixed-size backends: balance, and chunks_released in the statistics. */
static void test_backends(void **state)
{
	static const char *const names[] = { "percpu-areamap", "percpu-bitmap" };
	struct pb_config cfg = { .obj_size = OBJ, .capacity = 1024, .nr_cpus = 2,
				 .nr_threads = 1 };
	const size_t n = 4 * PB_PCPU_DFL_UNIT_SIZE / OBJ;	/* four chunks */
	void **o = calloc(n, sizeof(*o));

	(void)state;
	assert_non_null(o);
	assert_int_equal(pb_stat_kind(PB_STAT_chunks_released), PB_STAT_EVENTS);
	assert_string_equal(pb_stat_name(PB_STAT_chunks_released), "chunks_released");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		const struct pb_backend *b = pb_backend_find(names[k]);
		struct pb_stats st = { 0 };
		char err[256] = "";
		void *pool;

		assert_non_null(b);
		assert_non_null(b->balance);
		if (b->create(&cfg, &pool, err, sizeof(err)))
			fail_msg("%s: %s", names[k], err);
		for (size_t i = 0; i < n; i++)
			assert_non_null(o[i] = b->alloc(pool));
		for (size_t i = 0; i < n; i++)
			b->free(pool, o[i]);
		b->stats(pool, &st);
		assert_true(pb_stats_has(&st, PB_STAT_chunks_released));
		assert_int_equal(st.v[PB_STAT_chunks], 4);
		assert_int_equal(st.v[PB_STAT_chunks_released], 0);
		b->balance(pool);
		memset(&st, 0, sizeof(st));
		b->stats(pool, &st);
		assert_int_equal(st.v[PB_STAT_chunks], 1);
		assert_int_equal(st.v[PB_STAT_chunks_released], 3);
		b->destroy(pool);
	}
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocators),
		cmocka_unit_test(test_backends),
	};

	return cmocka_run_group_tests_name("pcpu_balance", tests, NULL, NULL);
}
