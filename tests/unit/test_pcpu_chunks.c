// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pcpu_chunks.c - what the percpu allocators share (pcpu.h, struct
 * pb_pcpu_chunks): the slot lists and the lookup from an address to its
 * chunk.
 *
 * Slot lists: a new chunk goes to the head; pb_pcpu_chunk_move() puts a
 * chunk moving up at the head and one moving down at the tail (the
 * kernel's pcpu_chunk_relocate), in O(1) both (a tail pointer, no walk);
 * the used-slot mask and the iteration follow. Lookup: every address of
 * unit 0's first span_bytes finds its chunk, nothing else does (other
 * units, past span_bytes, freed chunks, any pointer at all), against a
 * brute-force oracle, through growth of the table and deletions in a
 * scrambled order; a lookup reads about one table entry whatever the
 * number of chunks. Through every registered percpu allocator: each
 * chunk's memory is aligned to a power of two at least its handle span,
 * which the lookup relies on. check() runs after every change.
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

#include "allocators/percpu/pcpu.h"

#define NR_CHUNKS 255	/* just under a doubling: the table nearly half full */

static void chunks_ok(const struct pb_pcpu_chunks *cs)
{
	char err[256] = "";

	if (pb_pcpu_chunks_check(cs, err, sizeof(err)))
		fail_msg("pb_pcpu_chunks_check: %s", err);
}

static struct pb_pcpu_chunk *new_chunk(struct pb_pcpu_chunks *cs, int slot)
{
	struct pb_pcpu_chunk *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->base = pb_pcpu_chunk_mem_alloc(cs);
	assert_non_null(c->base);
	assert_int_equal((uintptr_t)c->base % ((uintptr_t)1 << cs->span_shift), 0);
	assert_int_equal(pb_pcpu_chunk_add(cs, c, slot), 0);
	chunks_ok(cs);
	return c;
}

static void drop_chunk(struct pb_pcpu_chunks *cs, struct pb_pcpu_chunk *c)
{
	pb_pcpu_chunk_del(cs, c);
	chunks_ok(cs);
	free(c->base);
	free(c);
}

/* The chunks of slot @s, head to tail, are exactly @want[0..n). */
static void slot_is(const struct pb_pcpu_chunks *cs, int s,
		    struct pb_pcpu_chunk *const *want, int n)
{
	const struct pb_pcpu_chunk *c = cs->slots[s].head;

	for (int i = 0; i < n; i++, c = c->next)
		if (c != want[i])
			fail_msg("slot %d: entry %d is %p, want %p", s, i,
				 (const void *)c, (const void *)want[i]);
	assert_null(c);
	assert_ptr_equal(cs->slots[s].tail, n ? want[n - 1] : NULL);
	assert_int_equal(cs->slots_used >> s & 1, n > 0);
}

static void test_slot_lists(void **state)
{
	struct pb_pcpu_chunks cs;
	struct pb_pcpu_chunk *a, *b, *c, *d;
	const struct pb_pcpu_chunk *it;
	int seen;

	(void)state;
	assert_int_equal(pb_pcpu_chunks_init(&cs, 4, 4096, 2 * 4096), 0);
	assert_null(pb_pcpu_chunks_first(&cs));
	a = new_chunk(&cs, 2);
	b = new_chunk(&cs, 2);
	c = new_chunk(&cs, 2);
	/* New chunks at the head. */
	slot_is(&cs, 2, (struct pb_pcpu_chunk *[]){ c, b, a }, 3);
	/* Down: to the tail of the lower slot; up: to the head of the higher. */
	pb_pcpu_chunk_move(&cs, c, 1);
	pb_pcpu_chunk_move(&cs, a, 1);
	chunks_ok(&cs);
	slot_is(&cs, 1, (struct pb_pcpu_chunk *[]){ c, a }, 2);
	slot_is(&cs, 2, (struct pb_pcpu_chunk *[]){ b }, 1);
	d = new_chunk(&cs, 0);
	pb_pcpu_chunk_move(&cs, d, 1);
	pb_pcpu_chunk_move(&cs, b, 1);
	chunks_ok(&cs);
	slot_is(&cs, 1, (struct pb_pcpu_chunk *[]){ d, c, a, b }, 4);
	slot_is(&cs, 0, NULL, 0);
	slot_is(&cs, 2, NULL, 0);
	/* Staying on its slot: nothing moves. */
	pb_pcpu_chunk_move(&cs, c, 1);
	slot_is(&cs, 1, (struct pb_pcpu_chunk *[]){ d, c, a, b }, 4);
	pb_pcpu_chunk_move(&cs, a, 3);
	pb_pcpu_chunk_move(&cs, c, 3);
	slot_is(&cs, 3, (struct pb_pcpu_chunk *[]){ c, a }, 2);
	/* Iteration: every chunk once, lower slots first. */
	seen = 0;
	for (it = pb_pcpu_chunks_first(&cs); it; it = pb_pcpu_chunks_next(&cs, it)) {
		assert_true(it == (seen == 0 ? d : seen == 1 ? b : seen == 2 ? c : a));
		seen++;
	}
	assert_int_equal(seen, 4);
	/* Deletion from the middle, the head and the tail. */
	drop_chunk(&cs, b);
	slot_is(&cs, 1, (struct pb_pcpu_chunk *[]){ d }, 1);
	drop_chunk(&cs, c);
	slot_is(&cs, 3, (struct pb_pcpu_chunk *[]){ a }, 1);
	drop_chunk(&cs, a);
	drop_chunk(&cs, d);
	assert_int_equal(cs.slots_used, 0);
	assert_int_equal(cs.nr, 0);
	pb_pcpu_chunks_fini(&cs);
}

/* The oracle: the chunk of @cs (among @c[0..n), NULL entries gone) whose unit 0 span holds @p. */
static struct pb_pcpu_chunk *oracle(const struct pb_pcpu_chunks *cs,
				    struct pb_pcpu_chunk *const *c, size_t n,
				    uintptr_t p)
{
	for (size_t i = 0; i < n; i++)
		if (c[i] && p - (uintptr_t)c[i]->base < cs->span_bytes)
			return c[i];
	return NULL;
}

static uint64_t rnd_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Every chunk's edges and some of its inside, every unit, against the oracle. */
static void lookups_agree(const struct pb_pcpu_chunks *cs,
			  struct pb_pcpu_chunk *const *c, size_t n,
			  char *const *gone, size_t nr_gone)
{
	static char outside[64];
	int local;
	const uintptr_t odd[] = {
		0, 1, 8, 4096, UINTPTR_MAX, UINTPTR_MAX - 4095,
		(uintptr_t)outside, (uintptr_t)&local, (uintptr_t)&odd,
	};
	size_t sum, max, live = 0;

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		assert_ptr_equal(pb_pcpu_chunk_find(cs, (void *)odd[i]),
				 oracle(cs, c, n, odd[i]));
	for (size_t i = 0; i < n + nr_gone; i++) {
		uintptr_t base = (uintptr_t)(i < n ? (c[i] ? c[i]->base : NULL) :
					     gone[i - n]);

		if (!base)
			continue;
		for (size_t k = 0; k < 8; k++) {
			uintptr_t probe[] = { base - 1, base, base + cs->span_bytes - 1,
					      base + cs->span_bytes,
					      base + rnd() % cs->mem_bytes,
					      base + cs->mem_bytes - 1 };
			uintptr_t p = probe[k % 6];

			assert_ptr_equal(pb_pcpu_chunk_find(cs, (void *)p),
					 oracle(cs, c, n, p));
		}
	}
	for (size_t i = 0; i < n; i++)
		live += c[i] != NULL;
	assert_int_equal(cs->nr, live);
	/* About one entry read per lookup (1.5 expected at half full). */
	pb_pcpu_chunks_probes(cs, &sum, &max);
	if (live && sum > 2 * live)
		fail_msg("%zu chunks: lookups read %zu table entries, %.2f each "
			 "(largest %zu): not O(1)", live, sum, (double)sum / live, max);
}

/* Lookups of chunks of @units units of @unit bytes whose first @span hold handles. */
static void lookup_run(size_t span, size_t unit, unsigned int units)
{
	struct pb_pcpu_chunks cs;
	struct pb_pcpu_chunk *c[NR_CHUNKS * 2] = { 0 };
	char *gone[NR_CHUNKS] = { 0 };
	size_t n = 0, nr_gone = 0;

	assert_int_equal(pb_pcpu_chunks_init(&cs, 8, span, unit * units), 0);
	for (; n < NR_CHUNKS; n++)
		c[n] = new_chunk(&cs, (int)(n % 8));
	lookups_agree(&cs, c, n, gone, 0);
	/* Half of them go, in a scrambled order (backward shifts). */
	for (size_t k = 0; k < NR_CHUNKS / 2; k++) {
		size_t i = (k * 97 + 13) % NR_CHUNKS;

		if (!c[i])
			continue;
		/* The memory stays allocated: its address must not be found. */
		gone[nr_gone++] = c[i]->base;
		pb_pcpu_chunk_del(&cs, c[i]);
		chunks_ok(&cs);
		free(c[i]);
		c[i] = NULL;
	}
	lookups_agree(&cs, c, n, gone, nr_gone);
	/* More than before: the table grows again. */
	for (; n < NR_CHUNKS * 2; n++)
		c[n] = new_chunk(&cs, (int)(n % 8));
	lookups_agree(&cs, c, n, gone, nr_gone);
	for (size_t i = 0; i < n; i++)
		if (c[i])
			drop_chunk(&cs, c[i]);
	for (size_t i = 0; i < nr_gone; i++)
		free(gone[i]);
	assert_int_equal(cs.nr, 0);
	pb_pcpu_chunks_fini(&cs);
}

static void test_lookup_units(void **state)
{
	(void)state;
	/* Four units of 8 KiB: a handle span of one unit. */
	lookup_run(8192, 8192, 4);
}

static void test_lookup_odd_sizes(void **state)
{
	(void)state;
	/* A 12 KiB span (aligned to 16 KiB) in 20 KiB units, three of them. */
	lookup_run(12288, 20480, 3);
	/* One unit, all of it handles: the next chunk may start right after. */
	lookup_run(4096, 4096, 1);
}

/*
 * Through every registered allocator: chunks of one largest allocation
 * each, whose handle is at the chunk's base, aligned to the span (a power
 * of two at least the handle bytes of a unit). malloc aligns them to a
 * page at best on its own.
 */
static void aligned_chunks(const struct pb_pcpu_ops *ops, size_t unit,
			   unsigned int units, size_t want_align)
{
	struct pb_pcpu_config cfg = { .nr_units = units, .unit_size = unit };
	void *h[16], *a;
	char err[256] = "";
	size_t max;

	if (ops->create(&cfg, &a, err, sizeof(err)))
		fail_msg("%s: create(): %s", ops->name, err);
	max = ops->max_alloc ? ops->max_alloc(a) : pb_pcpu_max_alloc(unit);
	assert_int_equal(max, unit);
	for (int i = 0; i < 16; i++) {
		h[i] = ops->alloc(a, max, 0);
		assert_non_null(h[i]);
		if ((uintptr_t)h[i] % want_align)
			fail_msg("%s: chunk %d at %p, not aligned to %zu", ops->name,
				 i, h[i], want_align);
	}
	if (ops->check(a, err, sizeof(err)))
		fail_msg("%s: check(): %s", ops->name, err);
	for (int i = 0; i < 16; i++)
		assert_int_equal(ops->free(a, h[i]), 0);
	ops->destroy(a);
}

static void test_allocator_chunks_aligned(void **state)
{
	(void)state;
	assert_true(pb_pcpu_count() >= 2);
	for (size_t i = 0; i < pb_pcpu_count(); i++) {
		aligned_chunks(pb_pcpu_at(i), 16384, 2, 16384);
		aligned_chunks(pb_pcpu_at(i), 32768, 3, 32768);
		/* A unit of 12 KiB: the span is the next power of two. */
		aligned_chunks(pb_pcpu_at(i), 12288, 2, 16384);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_lists),
		cmocka_unit_test(test_lookup_units),
		cmocka_unit_test(test_lookup_odd_sizes),
		cmocka_unit_test(test_allocator_chunks_aligned),
	};

	return cmocka_run_group_tests_name("pcpu_chunks", tests, NULL, NULL);
}
