// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_alf_queue.c - single-thread semantics of the array-based lock-free
 * queue (allocators/alf_queue/alf_queue.h).
 *
 * Every queue test runs once per pairing of a producer variant with a
 * consumer variant (mp/mc, sp/sc, mp/sc, sp/mc), so the four enqueue and
 * dequeue functions are each checked against both kinds of the other side.
 * Elements are integers cast to pointers and never dereferenced; output
 * buffers are poisoned first so that a dequeue writing past what it returns
 * is caught. The concurrent behaviour is in tests/stress/test_alf_stress.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>

#include "allocators/alf_queue/alf_queue.h"

#define MAX_BULK (ALF_QUEUE_MAX_SIZE + 2)
#define POISON ((void *)(uintptr_t)0xdeadbeefu)

typedef unsigned int (*enq_fn)(struct alf_queue *q, void *const *ptrs,
			       unsigned int n);
typedef unsigned int (*deq_fn)(struct alf_queue *q, void **ptrs,
			       unsigned int n);

struct variant {
	enq_fn enq;
	deq_fn deq;
};

static struct variant mp_mc = { alf_queue_enqueue_mp, alf_queue_dequeue_mc };
static struct variant sp_sc = { alf_queue_enqueue_sp, alf_queue_dequeue_sc };
static struct variant mp_sc = { alf_queue_enqueue_mp, alf_queue_dequeue_sc };
static struct variant sp_mc = { alf_queue_enqueue_sp, alf_queue_dequeue_mc };

/* Scratch for bulks, too big for the stack at the largest queue size. */
static void *in[MAX_BULK], *out[MAX_BULK];

static void *elem(uint64_t i)
{
	return (void *)(uintptr_t)i;
}

static struct alf_queue *new_queue(uint32_t size)
{
	struct alf_queue *q = alf_queue_alloc(size);

	assert_non_null(q);
	return q;
}

/* The getters agree with a queue holding @count elements, all at rest. */
static void check_state(const struct alf_queue *q, uint32_t count)
{
	uint32_t size = alf_queue_size(q);

	assert_int_equal(alf_queue_count(q), count);
	assert_int_equal(alf_queue_avail_space(q), size - count);
	assert_int_equal(alf_queue_empty(q), count == 0);
	assert_int_equal(alf_queue_full(q), count == size);
}

/*
 * Enqueue elements first .. first + n - 1; expect @ret back. An @n beyond
 * the scratch must be refused before the queue reads @in.
 */
static void enq(const struct variant *v, struct alf_queue *q, uint64_t first,
		unsigned int n, unsigned int ret)
{
	for (unsigned int i = 0; i < n && i < MAX_BULK; i++)
		in[i] = elem(first + i);
	assert_int_equal(v->enq(q, in, n), ret);
}

/* Ask for @ask; expect @got back, elements first .. first + got - 1. */
static void deq(const struct variant *v, struct alf_queue *q, uint64_t first,
		unsigned int ask, unsigned int got)
{
	for (unsigned int i = 0; i < ask; i++)
		out[i] = POISON;
	assert_int_equal(v->deq(q, out, ask), got);
	for (unsigned int i = 0; i < got; i++)
		assert_ptr_equal(out[i], elem(first + i));
	for (unsigned int i = got; i < ask; i++)
		assert_ptr_equal(out[i], POISON);
}

static void test_alloc_rejects(void **state)
{
	static const uint32_t bad[] = {
		0, 1, 3, 6, 12, 100, 65535, 65537, 131072, 0x80000000u,
		UINT32_MAX,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(alf_queue_alloc(bad[i]));
		assert_int_equal(errno, EINVAL);
	}
}

static void test_alloc_accepts(void **state)
{
	static const uint32_t good[] = { 2, 4, 1024, ALF_QUEUE_MAX_SIZE };

	(void)state;
	assert_true(offsetof(struct alf_queue, consumer) -
		    offsetof(struct alf_queue, producer) >= ALF_CACHE_LINE);
	assert_true(offsetof(struct alf_queue, size) -
		    offsetof(struct alf_queue, consumer) >= ALF_CACHE_LINE);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct alf_queue *q = new_queue(good[i]);

		assert_int_equal(alf_queue_size(q), good[i]);
		assert_int_equal((uintptr_t)q % ALF_CACHE_LINE, 0);
		assert_int_equal((uintptr_t)q->ring % ALF_CACHE_LINE, 0);
		check_state(q, 0);
		alf_queue_free(q);
	}
	alf_queue_free(NULL);
}

static void test_empty(void **state)
{
	const struct variant *v = *state;
	struct alf_queue *q = new_queue(4);

	deq(v, q, 0, 1, 0);
	deq(v, q, 0, 8, 0);
	enq(v, q, 1, 0, 0);
	check_state(q, 0);
	enq(v, q, 1, 2, 2);
	deq(v, q, 1, 0, 0);
	check_state(q, 2);
	deq(v, q, 1, 2, 2);
	deq(v, q, 0, 1, 0);
	check_state(q, 0);
	alf_queue_free(q);
}

static void test_full_all_or_nothing(void **state)
{
	const struct variant *v = *state;
	struct alf_queue *q = new_queue(8);

	enq(v, q, 0, 9, 0);
	check_state(q, 0);
	enq(v, q, 0, UINT_MAX, 0);
	check_state(q, 0);
	for (unsigned int i = 0; i < 5; i++)
		enq(v, q, i, 1, 1);
	enq(v, q, 5, 3, 3);
	check_state(q, 8);
	enq(v, q, 100, 1, 0);
	check_state(q, 8);
	deq(v, q, 0, 2, 2);
	check_state(q, 6);
	enq(v, q, 100, 3, 0);
	check_state(q, 6);
	enq(v, q, 8, 2, 2);
	check_state(q, 8);
	deq(v, q, 2, 8, 8);
	check_state(q, 0);
	alf_queue_free(q);
}

static void test_whole_ring(void **state)
{
	const struct variant *v = *state;

	for (uint32_t size = 2; size <= 1024; size *= 2) {
		struct alf_queue *q = new_queue(size);

		for (uint32_t i = 0; i < size; i++)
			enq(v, q, i, 1, 1);
		check_state(q, size);
		enq(v, q, size, 1, 0);
		deq(v, q, 0, size + 1, size);
		enq(v, q, 0, size, size);
		check_state(q, size);
		deq(v, q, 0, size, size);
		check_state(q, 0);
		alf_queue_free(q);
	}
}

static void test_fifo_partial(void **state)
{
	static const unsigned int enq_bulks[] = { 1, 5, 2, 16, 3, 7, 1, 9 };
	static const unsigned int deq_bulks[] = { 2, 4, 8, 1, 11, 3, 5, 14 };
	const struct variant *v = *state;
	struct alf_queue *q = new_queue(64);
	uint64_t next_in = 1, next_out = 1;

	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < 8; i++) {
			unsigned int n = enq_bulks[(i + round) % 8];
			unsigned int ask = deq_bulks[(i * 3 + round) % 8];
			unsigned int have;

			enq(v, q, next_in, n, n);
			next_in += n;
			have = next_in - next_out;
			deq(v, q, next_out, ask, ask < have ? ask : have);
			next_out += ask < have ? ask : have;
			check_state(q, next_in - next_out);
		}
	}
	deq(v, q, next_out, 64, next_in - next_out);
	enq(v, q, 1, 3, 3);
	deq(v, q, 1, 8, 3);
	deq(v, q, 4, 8, 0);
	check_state(q, 0);
	alf_queue_free(q);
}

static void test_bulk_sizes(void **state)
{
	const struct variant *v = *state;
	struct alf_queue *q = new_queue(64);
	uint64_t next = 1;

	/* The running offset puts the bulks at every position in the ring. */
	for (unsigned int k = 1; k <= 64; k++) {
		enq(v, q, next, k, k);
		check_state(q, k);
		deq(v, q, next, k, k);
		check_state(q, 0);
		next += k;
	}
	for (unsigned int k = 64; k >= 1; k--) {
		enq(v, q, next, k, k);
		enq(v, q, 0, 65 - k, 0);
		deq(v, q, next, k, k);
		next += k;
	}
	alf_queue_free(q);
}

static void test_reset_indices(void **state)
{
	const struct variant *v = *state;
	struct alf_queue *q = new_queue(8);

	enq(v, q, 1, 1, 1);
	assert_int_equal(alf_queue_reset_indices(q, 5), -EBUSY);
	check_state(q, 1);
	deq(v, q, 1, 1, 1);
	assert_int_equal(alf_queue_reset_indices(q, UINT32_MAX), 0);
	assert_int_equal(atomic_load(&q->producer.head), UINT32_MAX);
	assert_int_equal(atomic_load(&q->consumer.tail), UINT32_MAX);
	check_state(q, 0);
	alf_queue_free(q);
}

/* The 32-bit indices cross 2^32 inside a bulk and between bulks. */
static void test_wrap32(void **state)
{
	static const uint32_t starts[] = {
		UINT32_MAX, UINT32_MAX - 3, UINT32_MAX - 15, UINT32_MAX - 500,
	};
	const struct variant *v = *state;
	struct alf_queue *q = new_queue(16);

	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		uint64_t next_in = 1, next_out = 1;

		assert_int_equal(alf_queue_reset_indices(q, starts[s]), 0);
		/* Straddling the wrap while full. */
		enq(v, q, next_in, 16, 16);
		next_in += 16;
		check_state(q, 16);
		enq(v, q, 0, 1, 0);
		deq(v, q, next_out, 5, 5);
		next_out += 5;
		check_state(q, 11);
		for (unsigned int i = 0; i < 200; i++) {
			unsigned int n = 1 + (i * 7) % 16;
			unsigned int have = next_in - next_out;

			enq(v, q, next_in, n, n <= 16 - have ? n : 0);
			if (n <= 16 - have)
				next_in += n;
			have = next_in - next_out;
			n = 1 + (i * 5) % 16;
			deq(v, q, next_out, n, n < have ? n : have);
			next_out += n < have ? n : have;
			check_state(q, next_in - next_out);
		}
		deq(v, q, next_out, 16, next_in - next_out);
		check_state(q, 0);
		/* Really crossed: the tail is below where it started. */
		assert_true(next_in - 1 > 500);
		assert_int_equal(atomic_load(&q->producer.tail),
				 (uint32_t)(starts[s] + next_in - 1));
		assert_true(atomic_load(&q->producer.tail) < starts[s]);
		assert_int_equal(atomic_load(&q->consumer.tail),
				 atomic_load(&q->producer.tail));
	}
	alf_queue_free(q);
}

/*
 * Random bulks, some larger than the free space or 0, against a model
 * FIFO (a range of integers), with every getter checked after each call;
 * the run starts close enough to 2^32 to cross it.
 */
static void test_model(void **state)
{
	const struct variant *v = *state;
	const uint32_t size = 32;
	struct alf_queue *q = new_queue(size);
	uint64_t next_in = 1, next_out = 1, rng = 0x2545F4914F6CDD1Dull;

	assert_int_equal(alf_queue_reset_indices(q, UINT32_MAX - 20000), 0);
	for (int op = 0; op < 40000; op++) {
		unsigned int n, have = next_in - next_out;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		n = (rng >> 8) % (size + 3);
		if (rng & 1) {
			bool fits = n && n <= size - have;

			enq(v, q, next_in, n, fits ? n : 0);
			if (fits)
				next_in += n;
		} else {
			unsigned int got = n < have ? n : have;

			deq(v, q, next_out, n, got);
			next_out += got;
		}
		check_state(q, next_in - next_out);
	}
	assert_true(next_in - 1 > 20000);
	assert_true(atomic_load(&q->producer.tail) < UINT32_MAX - 20000);
	alf_queue_free(q);
}

#define FOR_VARIANTS(fn)                                                       \
	{ #fn "/mp-mc", fn, NULL, NULL, &mp_mc },                              \
	{ #fn "/sp-sc", fn, NULL, NULL, &sp_sc },                              \
	{ #fn "/mp-sc", fn, NULL, NULL, &mp_sc },                              \
	{ #fn "/sp-mc", fn, NULL, NULL, &sp_mc }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_rejects),
		cmocka_unit_test(test_alloc_accepts),
		FOR_VARIANTS(test_empty),
		FOR_VARIANTS(test_full_all_or_nothing),
		FOR_VARIANTS(test_whole_ring),
		FOR_VARIANTS(test_fifo_partial),
		FOR_VARIANTS(test_bulk_sizes),
		FOR_VARIANTS(test_reset_indices),
		FOR_VARIANTS(test_wrap32),
		FOR_VARIANTS(test_model),
	};

	return cmocka_run_group_tests_name("alf_queue", tests, NULL, NULL);
}
