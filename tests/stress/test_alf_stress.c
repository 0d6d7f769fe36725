// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_alf_stress.c - the alf_queue (allocators/alf_queue/alf_queue.h) under
 * concurrent producers and consumers, for every pairing of the multi and
 * single variants of the two sides.
 *
 * Producers enqueue tagged values, (producer id + 1) << SEQ_BITS | sequence,
 * in random bulks of 1..16, retrying while the queue is full; consumers
 * dequeue random bulks until the producers are gone and the queue is empty.
 * Each consumer checks that the sequence numbers of every producer increase
 * within its own stream (a reservation is FIFO), strictly by one when it is
 * the only consumer, and marks them in its own bitmap; after the join the
 * bitmaps must cover every value made exactly once. The indices start
 * WRAP_AFTER short of 2^32: a run crosses the wrap-around once that many
 * values have passed. Consumers share nothing with producers but the queue
 * until all producers are gone, so TSan judges the queue's own ordering.
 *
 * More spinning threads than CPUs is deliberate (this machine has two), and
 * it exposes the queue's documented hazard: a thread preempted between its
 * reservation and its publication stalls the others of its side. Two
 * consumers sharing a CPU can fall into a convoy where every hand-over
 * waits for a time slice, and a run that takes milliseconds then takes
 * many seconds. So producers stop after BUDGET_MS even if they have not
 * made their share (the test says so), and the checks cover what was made.
 * The test's own retry loops yield; the queue never does. A run not
 * drained within LIVENESS_S fails instead of hanging. Not a benchmark: no
 * timing is asserted.
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

#include "allocators/alf_queue/alf_queue.h"
#include "tests/common/testutil.h"

#if defined(__SANITIZE_THREAD__)
#define STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif

/*
 * Values of the largest cases (the others make a half or a quarter): about
 * 650k values in all, 130k under TSan. Override with -DSTRESS_ELEMS=n.
 */
#ifndef STRESS_ELEMS
#ifdef STRESS_TSAN
#define STRESS_ELEMS 40000ul
#else
#define STRESS_ELEMS 200000ul
#endif
#endif

#define MAX_SIDE 4		/* threads per side */
#define MAX_BULK 16
#define BUDGET_MS 2000		/* producers stop early after this */
#define LIVENESS_S 30		/* not drained by then: a failure */
#define WRAP_AFTER 1024u	/* the indices cross 2^32 after this many */

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
	uint64_t budget_end;		/* producers stop making values */
	uint64_t liveness_end;		/* everyone gives up: a failure */
	atomic_uint producers_left;
	atomic_bool give_up;
	pthread_barrier_t start;
};

struct producer {
	struct run *r;
	unsigned int id;
	unsigned long made;		/* values enqueued: 0 .. made - 1 */
};

/* What one consumer saw; only its thread writes it, the test reads it. */
struct consumer {
	struct run *r;
	unsigned int id;
	uint64_t *seen[MAX_SIDE];	/* per producer, a bit per sequence */
	uint64_t next[MAX_SIDE];	/* per producer, lowest sequence due */
	unsigned long taken;
	unsigned long bad;		/* values no producer made */
	unsigned long disorder;		/* sequence went back (or skipped) */
	unsigned long dups;
	unsigned long overrun;		/* wrote past the count it returned */
};

static void *tag(unsigned int producer, uint64_t seq)
{
	uint64_t v = ((uint64_t)(producer + 1) << SEQ_BITS) | seq;

	return (void *)(uintptr_t)v;
}

/*
 * Wait a little before retrying on full or empty. Return: true once @end
 * has passed, or another thread gave up.
 */
static bool backoff(struct run *r, uint64_t end)
{
	if (atomic_load_explicit(&r->give_up, memory_order_relaxed) ||
	    now_ns() > end)
		return true;
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
			if (backoff(r, r->budget_end))
				goto out;
		seq += n;
		/* Look at the clock once per 1024 values. */
		if (seq % 1024 < n && now_ns() > r->budget_end)
			break;
	}
out:
	p->made = seq;
	/*
	 * Release pairs with the acquire in producers_done(): a consumer that
	 * sees every producer gone sees every value they enqueued.
	 */
	atomic_fetch_sub_explicit(&r->producers_left, 1, memory_order_release);
	return NULL;
}

/* Every producer has finished: what it enqueued is visible to us. */
static bool producers_done(struct run *r)
{
	atomic_uint *left = &r->producers_left;

	/*
	 * Acquire only once they are all gone, so that this test's own
	 * synchronisation does not order the queue's accesses for TSan while
	 * the producers run.
	 */
	return !atomic_load_explicit(left, memory_order_relaxed) &&
	       !atomic_load_explicit(left, memory_order_acquire);
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
	for (;;) {
		/* Before the dequeue: then an empty queue is empty for good. */
		bool last = producers_done(r);
		unsigned int ask = 1 + next_rand(&rng) % MAX_BULK, got;

		for (unsigned int i = 0; i < ask; i++)
			buf[i] = POISON;
		got = r->deq(r->q, buf, ask);
		for (unsigned int i = 0; i < got; i++)
			record(c, buf[i]);
		for (unsigned int i = got; i < ask; i++)
			if (buf[i] != POISON)
				c->overrun++;
		if (got)
			continue;
		if (last)
			break;
		if (backoff(r, r->liveness_end)) {
			atomic_store_explicit(&r->give_up, true,
					      memory_order_relaxed);
			break;
		}
	}
	return NULL;
}

/*
 * Every value a producer made was taken by exactly one consumer, and no
 * consumer took a value that was not made.
 */
static void check_exactly_once(struct run *r, struct producer *prod,
			       struct consumer *cons)
{
	size_t words = (r->per_producer + 63) / 64;
	unsigned long dups = 0, missing = 0, phantom = 0;

	for (unsigned int p = 0; p < r->c->producers; p++) {
		for (size_t w = 0; w < words; w++) {
			uint64_t all = 0, made = 0;

			if (prod[p].made >= (w + 1) * 64)
				made = ~UINT64_C(0);
			else if (prod[p].made > w * 64)
				made = ~UINT64_C(0) >> (64 - prod[p].made % 64);
			for (unsigned int i = 0; i < r->c->consumers; i++) {
				uint64_t seen = cons[i].seen[p][w];

				dups += __builtin_popcountll(all & seen);
				all |= seen;
			}
			missing += __builtin_popcountll(made & ~all);
			phantom += __builtin_popcountll(all & ~made);
		}
	}
	if (dups || missing || phantom)
		fail_msg("%lu values taken twice, %lu never taken, "
			 "%lu taken but never made", dups, missing, phantom);
}

static void test_stress(void **state)
{
	const struct stress_case *c = *state;
	struct run *r = calloc(1, sizeof(*r));
	struct producer prod[MAX_SIDE];
	struct consumer cons[MAX_SIDE] = { 0 };
	pthread_t pt[MAX_SIDE], ct[MAX_SIDE];
	unsigned long made = 0, taken = 0;
	uint32_t start = 0u - WRAP_AFTER;
	size_t words;

	assert_non_null(r);
	r->c = c;
	r->enq = c->sp ? alf_queue_enqueue_sp : alf_queue_enqueue_mp;
	r->deq = c->sc ? alf_queue_dequeue_sc : alf_queue_dequeue_mc;
	r->per_producer = c->elems / c->producers;
	words = (r->per_producer + 63) / 64;
	r->q = alf_queue_alloc(c->size);
	assert_non_null(r->q);
	assert_int_equal(alf_queue_reset_indices(r->q, start), 0);
	atomic_init(&r->producers_left, c->producers);
	r->budget_end = now_ns() + BUDGET_MS * UINT64_C(1000000);
	r->liveness_end = now_ns() + LIVENESS_S * UINT64_C(1000000000);
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
	for (unsigned int i = 0; i < c->producers; i++) {
		pthread_join(pt[i], NULL);
		made += prod[i].made;
	}
	for (unsigned int i = 0; i < c->consumers; i++) {
		pthread_join(ct[i], NULL);
		taken += cons[i].taken;
	}

	if (atomic_load(&r->give_up))
		fail_msg("not done after %d s: %lu values made, %lu taken",
			 LIVENESS_S, made, taken);
	for (unsigned int i = 0; i < c->consumers; i++) {
		assert_int_equal(cons[i].bad, 0);
		assert_int_equal(cons[i].disorder, 0);
		assert_int_equal(cons[i].dups, 0);
		assert_int_equal(cons[i].overrun, 0);
	}
	check_exactly_once(r, prod, cons);
	assert_int_equal(taken, made);
	assert_true(made > 0);
	assert_true(alf_queue_empty(r->q));
	assert_int_equal(alf_queue_avail_space(r->q), c->size);
	assert_int_equal(atomic_load(&r->q->producer.tail) - start, made);
	assert_int_equal(atomic_load(&r->q->consumer.tail) - start, made);
	if (made < r->per_producer * c->producers)
		print_message("  stopped by the %d ms budget after %lu of %lu "
			      "values (stalled reservations, alf_queue.h)\n",
			      BUDGET_MS, made, r->per_producer * c->producers);

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
