// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pcpu_areamap.c - the map memmoves of the percpu area-map allocator
 * (allocators/percpu/areamap.c) against the kernel's before 4.14, counted by
 * its statistic memmoves (pb_pcpu_stats, and PB_STAT_memmoves of the
 * percpu-areamap backend: the CSV column memmoves_per_op).
 *
 * pcpu_alloc_area() memmoves the map once when it splits an area (a free
 * head, a free tail or both: one or two new entries in one move) and not
 * at all when the request takes the whole area or a head joins its left
 * neighbour; pcpu_free_area() counts the entries its merges remove (with
 * the next area, with the previous one, or both) and memmoves once, or not
 * at all when neither neighbour is free. check() runs after every
 * operation. The bitmap allocator has no map: no memmoves statistic.
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

#define AM_NAME "percpu-areamap"

struct at {
	const struct pb_pcpu_ops *ops;
	void *a;
	uint64_t memmoves;	/* at the last step() */
	uint64_t free_memmoves;	/* of them, by free, at the last step() */
};

static void at_new(struct at *t, unsigned int nr_units, size_t unit_size)
{
	struct pb_pcpu_config cfg = { .nr_units = nr_units, .unit_size = unit_size };
	char err[256] = "";

	t->ops = pb_pcpu_find(AM_NAME);
	assert_non_null(t->ops);
	if (t->ops->create(&cfg, &t->a, err, sizeof(err)))
		fail_msg("create: %s", err);
	t->memmoves = t->free_memmoves = 0;
}

static struct pb_pcpu_stats at_stats(const struct at *t)
{
	struct pb_pcpu_stats st;
	char err[256] = "";

	if (t->ops->check(t->a, err, sizeof(err)))
		fail_msg("check: %s", err);
	t->ops->stats(t->a, &st);
	assert_true(st.has_memmoves);
	return st;
}

/*
 * The memmoves since the last step must be @want, all of them done by
 * free when @by_free (free_memmoves), none when not; @what says which step.
 */
static void step(struct at *t, uint64_t want, bool by_free, const char *what)
{
	struct pb_pcpu_stats st = at_stats(t);
	uint64_t freed = st.free_memmoves - t->free_memmoves;

	if (st.memmoves - t->memmoves != want)
		fail_msg("%s: %llu map memmoves, the kernel does %llu", what,
			 (unsigned long long)(st.memmoves - t->memmoves),
			 (unsigned long long)want);
	if (freed != (by_free ? want : 0))
		fail_msg("%s: free_memmoves moved by %llu, want %llu", what,
			 (unsigned long long)freed,
			 (unsigned long long)(by_free ? want : 0));
	t->memmoves = st.memmoves;
	t->free_memmoves = st.free_memmoves;
}

static char *at_alloc(struct at *t, size_t size, size_t align, uint64_t want,
		      const char *what)
{
	char *p = t->ops->alloc(t->a, size, align);

	assert_non_null(p);
	step(t, want, false, what);
	return p;
}

static void at_free(struct at *t, void *p, uint64_t want, const char *what)
{
	assert_int_equal(t->ops->free(t->a, p), 0);
	step(t, want, true, what);
}

/* A free between two free areas merges both: one memmove, not two. */
static void test_free_merges(void **state)
{
	struct at t;
	char *p[4];

	(void)state;
	at_new(&t, 2, 4096);
	for (int i = 0; i < 4; i++)
		p[i] = at_alloc(&t, 16, 0, 1, "an allocation that splits the free tail");
	at_free(&t, p[1], 0, "a free between two allocations");
	at_free(&t, p[3], 1, "a free merging with the free tail");
	at_free(&t, p[2], 1, "a free merging with both neighbours");
	at_free(&t, p[0], 1, "a free merging with the next area");
	/* All one free area again: the next allocation splits it once. */
	p[0] = at_alloc(&t, 4096, 0, 0, "an allocation of the whole unit");
	at_free(&t, p[0], 0, "the free of the whole unit");
	t.ops->destroy(t.a);
}

/* The alloc path: one memmove per split, none for an exact fit. */
static void test_alloc_splits(void **state)
{
	struct at t;
	char *p0, *p1, *p2;

	(void)state;
	at_new(&t, 1, 4096);
	p0 = at_alloc(&t, 4, 0, 1, "4 bytes: a free tail");
	/* At 4: a head of 60 after an allocation stays free, and a tail: two entries, one memmove. */
	p1 = at_alloc(&t, 8, 64, 1, "8 bytes aligned to 64: a free head and tail");
	assert_int_equal(p1 - p0, 64);
	p2 = at_alloc(&t, 60, 0, 0, "60 bytes into the 60-byte head: an exact fit");
	assert_int_equal(p2 - p0, 4);
	at_free(&t, p2, 0, "a free between two allocations");
	/* A tail under an int stays in the allocation: no split. */
	p2 = at_alloc(&t, 58, 0, 0, "58 bytes into 60: the 2-byte tail kept");
	assert_int_equal(p2 - p0, 4);
	at_free(&t, p2, 0, "a free between two allocations");
	/*
	 * A head under an int joins the allocation to its left, with no
	 * entry: free p0 (0..63 free), take 2 bytes at 0, then 4 bytes
	 * aligned to 4 start at 4, their 2-byte head kept by the 2 at 0.
	 */
	at_free(&t, p0, 1, "a free merging with the next area");
	p0 = at_alloc(&t, 2, 0, 1, "2 bytes: a free tail");
	p2 = at_alloc(&t, 4, 4, 1, "4 bytes aligned to 4: the 2-byte head joins the left");
	assert_int_equal(p2 - p0, 4);
	at_free(&t, p2, 1, "a free merging with the next area");
	at_free(&t, p1, 1, "a free merging with both neighbours");
	at_free(&t, p0, 1, "the last free: merges with the rest");
	t.ops->destroy(t.a);
}

/*
 * Alternating frees of 4096 four-byte objects: the first half merges with
 * nothing, the second with both sides every time: one memmove each.
 */
static void test_alternating(void **state)
{
	enum { N = 4096 };
	struct at t;
	char **p = malloc(N * sizeof(*p));
	uint64_t before;

	(void)state;
	assert_non_null(p);
	at_new(&t, 1, 0);
	for (int i = 0; i < N; i++) {
		p[i] = t.ops->alloc(t.a, 4, 0);
		assert_non_null(p[i]);
	}
	before = at_stats(&t).memmoves;
	assert_int_equal(before, N);	/* each one split the free tail */
	assert_int_equal(at_stats(&t).free_memmoves, 0);
	for (int i = 0; i < N; i += 2)
		assert_int_equal(t.ops->free(t.a, p[i]), 0);
	assert_int_equal(at_stats(&t).memmoves - before, 0);
	before = at_stats(&t).memmoves;
	for (int i = 1; i < N; i += 2)
		assert_int_equal(t.ops->free(t.a, p[i]), 0);
	/* N / 2 frees, each between two free areas (the last one's next is the free tail). */
	assert_int_equal(at_stats(&t).memmoves - before, N / 2);
	assert_int_equal(at_stats(&t).free_memmoves, N / 2);
	t.ops->destroy(t.a);
	free(p);
}

/* The backends: the area map reports memmoves (the memmoves_per_op column), the bitmap none. */
static void test_backend_stat(void **state)
{
	const struct pb_backend *am = pb_backend_find(AM_NAME);
	const struct pb_backend *bm = pb_backend_find("percpu-bitmap");
	struct pb_config cfg = { .obj_size = 16, .capacity = 64, .nr_cpus = 2,
				 .nr_threads = 1 };
	struct pb_stats st = { 0 };
	char err[256] = "";
	void *pool, *o[3];

	(void)state;
	assert_non_null(am);
	assert_non_null(bm);
	assert_int_equal(pb_stat_kind(PB_STAT_memmoves), PB_STAT_EVENTS);
	assert_string_equal(pb_stat_name(PB_STAT_memmoves), "memmoves");
	if (am->create(&cfg, &pool, err, sizeof(err)))
		fail_msg("%s: %s", AM_NAME, err);
	for (int i = 0; i < 3; i++)
		o[i] = am->alloc(pool);
	am->free(pool, o[0]);
	am->free(pool, o[2]);
	am->free(pool, o[1]);
	am->stats(pool, &st);
	assert_true(pb_stats_has(&st, PB_STAT_memmoves));
	/* Three splits; three frees, the last between two free areas. */
	assert_int_equal(st.v[PB_STAT_memmoves], 3 + 0 + 1 + 1);
	/* free_memmoves_per_op: the frees' share, at most one per free. */
	assert_true(pb_stats_has(&st, PB_STAT_free_memmoves));
	assert_int_equal(st.v[PB_STAT_free_memmoves], 0 + 1 + 1);
	am->destroy(pool);
	memset(&st, 0, sizeof(st));
	if (bm->create(&cfg, &pool, err, sizeof(err)))
		fail_msg("percpu-bitmap: %s", err);
	bm->free(pool, bm->alloc(pool));
	bm->stats(pool, &st);
	assert_false(pb_stats_has(&st, PB_STAT_memmoves));
	assert_false(pb_stats_has(&st, PB_STAT_free_memmoves));
	bm->destroy(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_merges),
		cmocka_unit_test(test_alloc_splits),
		cmocka_unit_test(test_alternating),
		cmocka_unit_test(test_backend_stat),
	};

	return cmocka_run_group_tests_name("pcpu_areamap", tests, NULL, NULL);
}
