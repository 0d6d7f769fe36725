// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_geometry.c - the conformance properties over a matrix of object
 * geometries and fixed-pool capacities, through the single and the bulk
 * paths, on every registered backend, variant and mode.
 *
 * Geometry: sizes 1, 3, 8, 24, 40, 64, 100, 256, 1000, 4096 by alignments
 * 0 (the default), 8, 16, 32, 64, 128, 4096. For each one a backend either
 * refuses it at create (-1 with a message naming obj_size or align, or
 * PB_CREATE_UNSUPPORTED with a reason) or serves it right:
 *   - objects are distinct, aligned, and [obj, obj+size) of one object
 *     overlaps no other's, in every CPU's copy for percpu backends;
 *   - every byte of the size is writable, and a pattern written there
 *     survives other objects' allocs and frees until the object is freed;
 *   - alloc_bulk returns exactly the count asked for while the pool has room;
 *   - objects go back through free and free_bulk, through a ctx other than
 *     the allocating one.
 * Capacity (PB_BACKEND_FIXED only): capacities 1, 2, 3, 7, 64, 100, 1000;
 * the pool serves exactly that many objects, then NULL (from every ctx),
 * then exactly one after a free, through alloc and through alloc_bulk.
 *
 * Leaks at destroy are the ASan build's (LeakSanitizer) to find.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/backends.h"

#define NR_CPUS 4
#define GEO_N 30		/* objects live at once per geometry */

static const size_t capacities[] = { 1, 2, 3, 7, 64, 100, 1000 };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct pb_test_case *tc(void **state)
{
	return *state;
}

/*
 * Create a pool for @cfg. Return: the pool, or NULL when the backend
 * refused the geometry in the way the contract allows (counted in
 * *@refused); any other answer fails the test.
 */
static void *create_or_refuse(const struct pb_backend *b,
			      const struct pb_config *cfg, const char *what,
			      unsigned int *refused)
{
	char err[512] = "";
	void *pool = NULL;
	int rc = b->create(cfg, &pool, err, sizeof(err));

	if (rc == 0) {
		if (!pool)
			fail_msg("%s: %s: create returned 0 and no pool", b->name,
				 what);
		return pool;
	}
	if (!err[0])
		fail_msg("%s: %s: create refused (%d) without a message", b->name,
			 what, rc);
	if (rc == -1 && !strstr(err, "obj_size") && !strstr(err, "align") &&
	    !strstr(err, "capacity"))
		fail_msg("%s: %s: create refused the geometry with '%s', which "
			 "names neither obj_size, align nor capacity", b->name,
			 what, err);
	if (rc != -1 && rc != PB_CREATE_UNSUPPORTED)
		fail_msg("%s: %s: create answered %d: not 0, -1 or "
			 "PB_CREATE_UNSUPPORTED", b->name, what, rc);
	(*refused)++;
	return NULL;
}

static unsigned char pattern(size_t i, unsigned int round)
{
	return (unsigned char)(i * 37 + round * 11 + 1);
}

static void check_pattern(const struct pb_backend *b, void *pool, void *obj,
			  size_t size, unsigned char byte, const char *what,
			  size_t i)
{
	if (!pb_test_check(b, pool, obj, size, NR_CPUS, byte))
		fail_msg("%s: %s: the pattern written into live object %zu (%p) "
			 "changed before it was freed", b->name, what, i, obj);
}

/* alloc_bulk must give exactly @n while the pool has room for them. */
static void bulk_exact(const struct pb_backend *b, void *ctx, void **objs,
		       size_t n, const char *what)
{
	size_t got = b->alloc_bulk(ctx, objs, n);

	if (got != n)
		fail_msg("%s: %s: alloc_bulk(%zu) returned %zu with room in the "
			 "pool", b->name, what, n, got);
}

static void one_geometry(const struct pb_test_case *c, size_t size,
			 size_t align, unsigned int *refused)
{
	const struct pb_backend *b = c->b;
	struct pb_config cfg = pb_test_config(c, size, align, GEO_N, NR_CPUS);
	unsigned char bytes[GEO_N];
	void *objs[GEO_N], *pool, *ctx, *other;
	const size_t half = GEO_N / 2;
	char what[96];

	snprintf(what, sizeof(what), "size %zu align %zu", size, align);
	pool = create_or_refuse(b, &cfg, what, refused);
	if (!pool)
		return;
	ctx = b->thread_init(pool, 0);
	other = b->thread_init(pool, NR_CPUS - 1);
	if (!ctx || !other)
		fail_msg("%s: %s: thread_init failed", b->name, what);

	/* Half through the single path, half through the bulk path. */
	for (size_t i = 0; i < half; i++) {
		objs[i] = b->alloc(ctx);
		if (!objs[i])
			fail_msg("%s: %s: alloc %zu of %d returned NULL", b->name,
				 what, i, GEO_N);
	}
	bulk_exact(b, other, objs + half, GEO_N - half, what);
	for (size_t i = 0; i < GEO_N; i++) {
		bytes[i] = pattern(i, 0);
		pb_test_fill(b, pool, objs[i], size, NR_CPUS, bytes[i]);
	}
	pb_test_check_objects(b, pool, objs, GEO_N, size, align, NR_CPUS, what);

	/*
	 * Churn: a third freed singly through the other ctx, a third in bulk,
	 * then the room reused through the opposite paths, twice.
	 */
	for (unsigned int round = 1; round <= 2; round++) {
		void *batch[GEO_N];
		size_t nb = 0;

		for (size_t i = round % 3; i < GEO_N; i += 3)
			b->free(round & 1 ? other : ctx, objs[i]);
		for (size_t i = (round + 1) % 3; i < GEO_N; i += 3)
			batch[nb++] = objs[i];
		b->free_bulk(round & 1 ? ctx : other, batch, nb);
		for (size_t i = round % 3; i < GEO_N; i += 3) {
			objs[i] = b->alloc(round & 1 ? ctx : other);
			if (!objs[i])
				fail_msg("%s: %s: alloc after free returned NULL",
					 b->name, what);
		}
		bulk_exact(b, round & 1 ? other : ctx, batch, nb, what);
		nb = 0;
		for (size_t i = (round + 1) % 3; i < GEO_N; i += 3)
			objs[i] = batch[nb++];
		for (size_t i = 0; i < GEO_N; i++) {
			if ((i % 3) == (round + 2) % 3) {
				/* Survivors: untouched since their last fill. */
				check_pattern(b, pool, objs[i], size, bytes[i],
					      what, i);
				continue;
			}
			bytes[i] = pattern(i, round);
			pb_test_fill(b, pool, objs[i], size, NR_CPUS, bytes[i]);
		}
		pb_test_check_objects(b, pool, objs, GEO_N, size, align, NR_CPUS,
				      what);
	}
	for (size_t i = 0; i < GEO_N; i++)
		check_pattern(b, pool, objs[i], size, bytes[i], what, i);
	b->free_bulk(other, objs, half);
	for (size_t i = half; i < GEO_N; i++)
		b->free(ctx, objs[i]);
	b->thread_fini(pool, ctx);
	b->thread_fini(pool, other);
	b->destroy(pool);
}

static void geometry_matrix(void **state)
{
	unsigned int refused = 0;

	for (size_t s = 0; s < PB_TEST_NR_SIZES; s++)
		for (size_t a = 0; a < PB_TEST_NR_ALIGNS; a++)
			one_geometry(tc(state), pb_test_sizes[s],
				     pb_test_aligns[a], &refused);
	if (refused)
		print_message("%s: refused %u of %d geometries\n",
			      tc(state)->b->name, refused,
			      PB_TEST_NR_SIZES * PB_TEST_NR_ALIGNS);
	if (refused == PB_TEST_NR_SIZES * PB_TEST_NR_ALIGNS)
		skip();
}

/* Exhausted: NULL from both ctxs, through both paths. */
static void assert_exhausted(const struct pb_backend *b, void *ctx, void *other,
			     const char *what, size_t cap)
{
	void *extra[4] = { NULL };
	size_t got;

	if ((extra[0] = b->alloc(ctx)) || (extra[1] = b->alloc(other)))
		fail_msg("%s: %s: served more than its capacity of %zu "
			 "(alloc did not return NULL)", b->name, what, cap);
	got = b->alloc_bulk(ctx, extra, 4);
	if (got)
		fail_msg("%s: %s: alloc_bulk(4) gave %zu objects beyond its "
			 "capacity of %zu", b->name, what, got, cap);
	got = b->alloc_bulk(other, extra, 1);
	if (got)
		fail_msg("%s: %s: alloc_bulk(1) gave an object beyond its "
			 "capacity of %zu", b->name, what, cap);
}

static void one_capacity(const struct pb_test_case *c, size_t cap, bool bulk,
			 unsigned int *refused)
{
	const struct pb_backend *b = c->b;
	struct pb_config cfg = pb_test_config(c, 24, 0, cap, NR_CPUS);
	void **objs = calloc(cap, sizeof(*objs)), *pool, *ctx, *other, *again[4];
	size_t got = 0, n;
	char what[96];

	assert_non_null(objs);
	snprintf(what, sizeof(what), "capacity %zu, %s path", cap,
		 bulk ? "bulk" : "single");
	pool = create_or_refuse(b, &cfg, what, refused);
	if (!pool) {
		free(objs);
		return;
	}
	ctx = b->thread_init(pool, 0);
	other = b->thread_init(pool, NR_CPUS - 1);
	if (!ctx || !other)
		fail_msg("%s: %s: thread_init failed", b->name, what);
	while (got < cap) {
		if (bulk) {
			n = cap - got < 16 ? cap - got : 16;
			bulk_exact(b, ctx, objs + got, n, what);
			got += n;
		} else if (!(objs[got++] = b->alloc(ctx))) {
			fail_msg("%s: %s: alloc %zu returned NULL", b->name, what,
				 got - 1);
		}
	}
	for (size_t i = 0; i < cap; i++)
		pb_test_fill(b, pool, objs[i], 24, NR_CPUS, pattern(i, 0));
	pb_test_check_objects(b, pool, objs, cap, 24, 0, NR_CPUS, what);
	assert_exhausted(b, ctx, other, what, cap);

	/* One free, through the other ctx: exactly one more, then NULL. */
	if (bulk)
		b->free_bulk(other, objs + cap / 2, 1);
	else
		b->free(other, objs[cap / 2]);
	n = bulk ? b->alloc_bulk(ctx, again, 4) : !!(again[0] = b->alloc(ctx));
	if (n != 1)
		fail_msg("%s: %s: after one free, %s gave %zu objects, not 1",
			 b->name, what, bulk ? "alloc_bulk(4)" : "alloc", n);
	objs[cap / 2] = again[0];
	assert_exhausted(b, ctx, other, what, cap);
	for (size_t i = 0; i < cap; i++)
		if (i != cap / 2)
			check_pattern(b, pool, objs[i], 24, pattern(i, 0), what, i);
	if (bulk) {
		b->free_bulk(other, objs, cap / 2);
		b->free_bulk(ctx, objs + cap / 2, cap - cap / 2);
	} else {
		for (size_t i = 0; i < cap; i++)
			b->free(i & 1 ? ctx : other, objs[i]);
	}
	b->thread_fini(pool, ctx);
	b->thread_fini(pool, other);
	b->destroy(pool);
	free(objs);
}

static void capacity_matrix(void **state)
{
	unsigned int refused = 0;

	if (!(tc(state)->b->flags & PB_BACKEND_FIXED))
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(capacities); i++) {
		one_capacity(tc(state), capacities[i], false, &refused);
		one_capacity(tc(state), capacities[i], true, &refused);
	}
	if (refused)
		print_message("%s: refused %u of %zu capacities\n",
			      tc(state)->b->name, refused,
			      2 * ARRAY_SIZE(capacities));
}

int main(void)
{
	static const struct pb_test_fn fns[] = {
		{ "geometry_matrix", geometry_matrix, false, false },
		{ "capacity_matrix", capacity_matrix, false, false },
	};

	return pb_test_run_all("geometry", fns, ARRAY_SIZE(fns)) ? 1 : 0;
}
