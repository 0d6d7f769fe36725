// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_alf_stress.c - the alf_queue (allocators/qmempool/alf_queue.h) under
 * concurrent producers and consumers, for every pairing of the multi and
 * single variants of the two sides.
 *
 * Producers enqueue tagged values, (producer id + 1) << SEQ_BITS | sequence,
 * in random bulks of 1..16, retrying while the queue is full; consumers
 * dequeue random bulks until everything has been taken. Each consumer checks
 * that the sequence numbers of every producer increase within its own
 * stream (a reservation is FIFO), strictly by one when it is the only
 * consumer, and marks them in its own bitmap; after the join the bitmaps
 * must cover every value exactly once. The indices start so that they cross
 * 2^32 halfway through each run. Consumers share nothing but the queue and
 * a relaxed progress counter, so TSan judges the queue's own ordering.
 *
 * More spinning threads than CPUs is deliberate (this machine has two): a
 * thread preempted between its reservation and its publication stalls the
 * others of its side, the queue's documented hazard. The test's own retry
 * loops yield to let such a thread run; the queue never does. Every retry
 * loop gives up once the run has taken LIVENESS_S, so that a lost element
 * fails the test instead of hanging it. Not a benchmark: no timing is asserted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "allocators/qmempool/alf_queue.h"

#if defined(__SANITIZE_THREAD__)
#define STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif

/* Elements per case at scale 1: a few hundred thousand, seconds at most. */
#ifndef STRESS_ELEMS
#ifdef STRESS_TSAN
#define STRESS_ELEMS 40000ul
#else
#define STRESS_ELEMS 400000ul
#endif
#endif

#define MAX_SIDE 4		/* threads per side */
#define MAX_BULK 16
#define LIVENESS_S 30

#if UINTPTR_MAX > 0xffffffffu
#define SEQ_BITS 32
#else
#define SEQ_BITS 24
#endif
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)

#define POISON ((void *)(uintptr_t)0xdeadbeefu)

typedef unsigned int (*enq_fn)(struct alf_queue *q, void *const *ptrs,
			       unsigned int n);
typedef unsigned int (*deq_fn)(struct alf_queue *q, void **ptrs,
			       unsigned int n);

struct stress_case {
	unsigned int producers, consumers;
	bool sp, sc;		/* single-producer / single-consumer variants */
	uint32_t size;
	unsigned long elems;	/* in all, split evenly between producers */
};

struct run {
	const struct stress_case *c;
	struct alf_queue *q;
	enq_fn enq;
	deq_fn deq;
	unsigned long per_producer;
	unsigned long total;
	atomic_ulong consumed;
	atomic_bool give_up;
	struct timespec deadline;
	pthread_barrier_t start;
};

struct producer {
	struct run *r;
	unsigned int id;
};

/* What one consumer saw; only its thread writes it, the test reads it. */
struct consumer {
	struct run *r;
	unsigned int id;
	uint64_t *seen[MAX_SIDE];	/* per producer, a bit per sequence */
	uint64_t next[MAX_SIDE];	/* per producer, lowest sequence allowed */
	unsigned long taken;
	unsigned long bad;		/* values no producer made */
	unsigned long disorder;		/* sequence went back (or skipped) */
	unsigned long dups;
	unsigned long overrun;		/* wrote past the count it returned */
};

static uint64_t next_rand(uint64_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return *rng;
}

static void *tag(unsigned int producer, uint64_t seq)
{
	return (void *)(uintptr_t)(((uint64_t)(producer + 1) << SEQ_BITS) | seq);
}

/*
 * Wait a little before retrying on full or empty. Return: true when the
 * run must stop, because it passed the deadline here or elsewhere.
 */
static bool backoff(struct run *r)
{
	struct timespec now;

	if (atomic_load_explicit(&r->give_up, memory_order_relaxed))
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > r->deadline.tv_sec) {
		atomic_store_explicit(&r->give_up, true, memory_order_relaxed);
		return true;
	}
	sched_yield();
	return false;
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct run *r = p->r;
	uint64_t rng = 0x9E3779B97F4A7C15ull * (p->id + 1);
	unsigned long seq = 0;
	void *buf[MAX_BULK];

	pthread_barrier_wait(&r->start);
	while (seq < r->per_producer) {
		unsigned int n = 1 + next_rand(&rng) % MAX_BULK;

		if (n > r->per_producer - seq)
			n = r->per_producer - seq;
		for (unsigned int i = 0; i < n; i++)
			buf[i] = tag(p->id, seq + i);
		while (!r->enq(r->q, buf, n))
			if (backoff(r))
				return NULL;
		seq += n;
	}
	return NULL;
}

static void record(struct consumer *c, void *ptr)
{
	struct run *r = c->r;
	uint64_t v = (uintptr_t)ptr;
	uint64_t id = (v >> SEQ_BITS) - 1, seq = v & SEQ_MASK;

	if (id >= r->c->producers || seq >= r->per_producer) {
		c->bad++;
		return;
	}
	if (seq < c->next[id] ||
	    (r->c->consumers == 1 && seq != c->next[id]))
		c->disorder++;
	c->next[id] = seq + 1;
	if (c->seen[id][seq / 64] & (UINT64_C(1) << (seq % 64)))
		c->dups++;
	c->seen[id][seq / 64] |= UINT64_C(1) << (seq % 64);
	c->taken++;
}

static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	struct run *r = c->r;
	uint64_t rng = 0xD1B54A32D192ED03ull * (c->id + 1);
	void *buf[MAX_BULK];

	pthread_barrier_wait(&r->start);
	while (atomic_load_explicit(&r->consumed, memory_order_relaxed) <
	       r->total) {
		unsigned int ask = 1 + next_rand(&rng) % MAX_BULK, got;

		for (unsigned int i = 0; i < ask; i++)
			buf[i] = POISON;
		got = r->deq(r->q, buf, ask);
		if (!got) {
			if (backoff(r))
				break;
			continue;
		}
		for (unsigned int i = 0; i < got; i++)
			record(c, buf[i]);
		for (unsigned int i = got; i < ask; i++)
			if (buf[i] != POISON)
				c->overrun++;
		atomic_fetch_add_explicit(&r->consumed, got,
					  memory_order_relaxed);
	}
	return NULL;
}

/* Every value of every producer was taken by exactly one consumer. */
static void check_exactly_once(struct run *r, struct consumer *cons)
{
	size_t words = (r->per_producer + 63) / 64;
	unsigned long dups = 0, missing = 0;

	for (unsigned int p = 0; p < r->c->producers; p++) {
		for (size_t w = 0; w < words; w++) {
			uint64_t all = 0, want = ~UINT64_C(0);

			for (unsigned int i = 0; i < r->c->consumers; i++) {
				dups += __builtin_popcountll(all &
							     cons[i].seen[p][w]);
				all |= cons[i].seen[p][w];
			}
			if (w == words - 1 && r->per_producer % 64)
				want >>= 64 - r->per_producer % 64;
			missing += __builtin_popcountll(want & ~all);
		}
	}
	if (dups || missing)
		fail_msg("%lu values taken twice, %lu never taken", dups,
			 missing);
}

static void test_stress(void **state)
{
	const struct stress_case *c = *state;
	struct run *r = calloc(1, sizeof(*r));
	struct producer prod[MAX_SIDE];
	struct consumer cons[MAX_SIDE] = { 0 };
	pthread_t pt[MAX_SIDE], ct[MAX_SIDE];
	uint32_t start;
	size_t words;

	assert_non_null(r);
	r->c = c;
	r->enq = c->sp ? alf_queue_enqueue_sp : alf_queue_enqueue_mp;
	r->deq = c->sc ? alf_queue_dequeue_sc : alf_queue_dequeue_mc;
	r->per_producer = c->elems / c->producers;
	r->total = r->per_producer * c->producers;
	words = (r->per_producer + 63) / 64;
	r->q = alf_queue_alloc(c->size);
	assert_non_null(r->q);
	/* Cross 2^32 halfway through. */
	start = 0u - (uint32_t)(r->total / 2);
	assert_int_equal(alf_queue_reset_indices(r->q, start), 0);
	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->deadline.tv_sec += LIVENESS_S;
	assert_int_equal(pthread_barrier_init(&r->start, NULL,
					      c->producers + c->consumers), 0);

	for (unsigned int i = 0; i < c->consumers; i++) {
		cons[i].r = r;
		cons[i].id = i;
		for (unsigned int p = 0; p < c->producers; p++) {
			cons[i].seen[p] = calloc(words, sizeof(uint64_t));
			assert_non_null(cons[i].seen[p]);
		}
		assert_int_equal(pthread_create(&ct[i], NULL, consumer_main,
						&cons[i]), 0);
	}
	for (unsigned int i = 0; i < c->producers; i++) {
		prod[i] = (struct producer){ .r = r, .id = i };
		assert_int_equal(pthread_create(&pt[i], NULL, producer_main,
						&prod[i]), 0);
	}
	for (unsigned int i = 0; i < c->producers; i++)
		pthread_join(pt[i], NULL);
	for (unsigned int i = 0; i < c->consumers; i++)
		pthread_join(ct[i], NULL);

	if (atomic_load(&r->give_up))
		fail_msg("not done after %d s: %lu of %lu values taken",
			 LIVENESS_S, atomic_load(&r->consumed), r->total);
	for (unsigned int i = 0; i < c->consumers; i++) {
		assert_int_equal(cons[i].bad, 0);
		assert_int_equal(cons[i].disorder, 0);
		assert_int_equal(cons[i].dups, 0);
		assert_int_equal(cons[i].overrun, 0);
	}
	check_exactly_once(r, cons);
	assert_int_equal(atomic_load(&r->consumed), r->total);
	assert_true(alf_queue_empty(r->q));
	assert_int_equal(alf_queue_avail_space(r->q), c->size);
	assert_int_equal(atomic_load(&r->q->producer.tail) - start, r->total);
	assert_int_equal(atomic_load(&r->q->consumer.tail) - start, r->total);

	for (unsigned int i = 0; i < c->consumers; i++)
		for (unsigned int p = 0; p < c->producers; p++)
			free(cons[i].seen[p]);
	pthread_barrier_destroy(&r->start);
	alf_queue_free(r->q);
	free(r);
}

/* producers, consumers, sp, sc, size, elements */
static struct stress_case mpmc_2x2 = { 2, 2, false, false, 64, STRESS_ELEMS };
static struct stress_case mpmc_4x4 = { 4, 4, false, false, 32,
				       STRESS_ELEMS / 4 };
static struct stress_case spsc = { 1, 1, true, true, 64, STRESS_ELEMS };
static struct stress_case mp_sc = { 4, 1, false, true, 64, STRESS_ELEMS / 2 };
static struct stress_case sp_mc = { 1, 4, true, false, 64, STRESS_ELEMS / 2 };

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "mpmc_2x2", test_stress, NULL, NULL, &mpmc_2x2 },
		{ "mpmc_4x4", test_stress, NULL, NULL, &mpmc_4x4 },
		{ "spsc", test_stress, NULL, NULL, &spsc },
		{ "mp_sc_4x1", test_stress, NULL, NULL, &mp_sc },
		{ "sp_mc_1x4", test_stress, NULL, NULL, &sp_mc },
	};

	return cmocka_run_group_tests_name("alf_queue_stress", tests, NULL,
					   NULL);
}
