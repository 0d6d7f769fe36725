// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_objpool_stress.c - the ABA stress of the two objpool designs
 * (allocators/objpool/freelist.h, ring.h): a pool of 2 to 4 objects
 * hammered by pop and push from more threads than this machine has CPUs,
 * for up to millions of hand-overs, with ownership stamps that catch any
 * object handed to two threads at once.
 *
 * Every object carries an owner word. A thread that pops one claims it
 * with a CAS 0 -> its id + 1, which must succeed; it then writes and
 * reads back a plain payload field (a second owner would race on it, which
 * TSan reports and the read-back may catch), gives the stamp back with an
 * exchange that must return its own id, and pushes the object. An empty
 * pool (every object held, or one in flight) counts as a miss and the
 * thread yields. The stamps are relaxed atomics, so the only ordering
 * between successive owners is the pool's own: TSan judges that through
 * the payload. After the join every slot is drained single-threaded: the
 * pool must give back exactly its objects, each once, at rest.
 *
 * Cases (objects, threads x CPU slots):
 *   freelist, 2/3/4, 4x2: thread t pops from and pushes to slot t % 2;
 *   freelist, 2/3/4, 4x2, pushing to a random slot, and 3, 4x1: more than
 *            two threads work each list at once, which the ABA needs;
 *   ring shared, 2/3/4, 4x2 (and 3 with random push slots): two threads
 *            per slot, so every push is opr_push_locked();
 *   ring exclusive, 2/3/4, 2x2, and 3, 4x4: each thread owns its slot and
 *            pushes there with opr_push_excl(); every other pop starts at
 *            a random slot (any thread may pop any slot), or objects would
 *            never leave their owner.
 * The ring's indices start WRAP_AFTER short of 2^32, so a run crosses the
 * wrap-around.
 *
 * On two CPUs the ABA needs a thread stalled inside pop while others pop
 * and push the same list: preemption. Left to the scheduler, the threads
 * sharing a slot tend to share a CPU and take turns, each alone with its
 * slot for a whole time slice. So the threads are pinned to put each
 * slot's threads on different CPUs, two threads still sharing each CPU,
 * and one disturber thread per CPU wakes every DISTURB_US to preempt
 * whatever runs there at an arbitrary instruction. Checked against a naive
 * (non-refcounted) Treiber freelist and against an unlocked shared-mode
 * push, both of which this test catches.
 *
 * Each case stops after its operations or BUDGET_MS, whichever comes
 * first, so a lost object cannot hang it; the budget is not a failure (a
 * line says so). Not a benchmark: no timing is asserted.
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

#include "allocators/objpool/freelist.h"
#include "allocators/objpool/ring.h"
#include "tests/common/testutil.h"

#if defined(__SANITIZE_THREAD__)
#define STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif

/*
 * Hand-overs (pop + push) per case, split evenly between its threads.
 * Override with -DSTRESS_OPS=n.
 */
#ifndef STRESS_OPS
#ifdef STRESS_TSAN
#define STRESS_OPS 500000ul
#else
#define STRESS_OPS 2000000ul
#endif
#endif

#define MAX_THREADS 4
#define MAX_OBJS 4
#define MAX_DISTURB 4		/* CPUs given a disturber */
#define DISTURB_US 30
#define BUDGET_MS 1500		/* a case stops after this */
#define WRAP_AFTER 1024u	/* ring indices cross 2^32 after this many */

enum kind {
	FL,		/* freelist: opfl_pop, opfl_push */
	RING_LOCKED,	/* ring, slots shared: opr_push_locked() */
	RING_EXCL,	/* ring, one thread per slot: opr_push_excl() */
};

struct stress_case {
	enum kind kind;
	uint32_t nobjs;
	unsigned int threads;
	uint32_t ncpus;
	bool random_push;	/* push to a random slot, not the own one */
};

/* The part of an object the test uses; the freelist's node comes first. */
struct stamp {
	atomic_uint owner;	/* 0 or the holder's id + 1 */
	unsigned int payload;	/* plain: written only by the holder */
	unsigned long uses;	/* plain: hand-overs of this object */
};

struct fl_obj {
	struct opfl_node node;
	struct stamp s;
};

struct run {
	const struct stress_case *c;
	struct opfl_head fl;
	struct opr_head ring;
	void *objs[MAX_OBJS];		/* as set up */
	int cpus[MAX_THREADS];		/* each thread's CPU; -1: anywhere */
	int disturb[MAX_DISTURB];	/* CPUs to disturb; -1: none */
	unsigned long per_thread;
	uint64_t budget_end;
	atomic_bool done;		/* tells the disturbers to stop */
	pthread_barrier_t start;
};

/* What one thread saw; only it writes this until the join. */
struct worker {
	struct run *r;
	unsigned int id;
	unsigned long ops;		/* completed hand-overs */
	unsigned long misses;		/* pops that found the pool empty */
	unsigned long steals;		/* pops that left their first slot */
	unsigned long doubles;		/* objects another thread held */
	unsigned long torn;		/* payload changed under its holder */
};

struct disturber {
	struct run *r;
	int cpu;
};

static struct stamp *stamp_of(const struct run *r, void *obj)
{
	if (r->c->kind == FL)
		return &((struct fl_obj *)obj)->s;
	return obj;
}

static void *pool_pop(struct run *r, unsigned int cpu, bool *stolen)
{
	if (r->c->kind == FL)
		return opfl_pop(&r->fl, cpu, stolen);
	return opr_pop(&r->ring, cpu, stolen);
}

static void pool_push(struct run *r, void *obj, unsigned int cpu)
{
	switch (r->c->kind) {
	case FL:
		opfl_push(&r->fl, obj, cpu);
		break;
	case RING_LOCKED:
		opr_push_locked(r->ring.slots[cpu], obj);
		break;
	case RING_EXCL:
		opr_push_excl(r->ring.slots[cpu], obj);
		break;
	}
}

/*
 * Hold @s for a moment: claim it, write the payload, wait a few pauses,
 * check the payload, give the stamp back. Return: false when another
 * thread held it (the object is then not ours to push).
 */
static bool hold(struct worker *w, struct stamp *s, uint64_t *rng)
{
	unsigned int me = w->id + 1, expect = 0, spins = next_rand(rng) % 8;

	if (!atomic_compare_exchange_strong_explicit(&s->owner, &expect, me,
						     memory_order_relaxed,
						     memory_order_relaxed)) {
		w->doubles++;
		return false;
	}
	s->payload = me;
	s->uses++;
	for (unsigned int i = 0; i < spins; i++)
		opr_cpu_relax();
	if (s->payload != me)
		w->torn++;
	if (atomic_exchange_explicit(&s->owner, 0, memory_order_relaxed) != me)
		w->doubles++;
	return true;
}

static void pin_to(int cpu)
{
	cpu_set_t one;

	if (cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* Failure (a restricted CPU set) leaves the thread where it is. */
	(void)pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

/*
 * Where each thread runs, when there are fewer CPUs than threads: thread
 * t on CPU (t / slots + t % slots) % cpus. With 2 CPUs and 2 slots,
 * threads 0 and 3 share one CPU, 1 and 2 the other: each slot's two
 * threads run at the same time. With as many CPUs as threads nothing is
 * pinned and nothing disturbed: the threads all run at once anyway.
 */
static void plan_cpus(struct run *r)
{
	const struct stress_case *c = r->c;
	cpu_set_t avail;
	int list[CPU_SETSIZE];
	unsigned int n = 0;

	for (unsigned int t = 0; t < MAX_THREADS; t++)
		r->cpus[t] = -1;
	for (unsigned int i = 0; i < MAX_DISTURB; i++)
		r->disturb[i] = -1;
	if (sched_getaffinity(0, sizeof(avail), &avail))
		return;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &avail))
			list[n++] = i;
	if (n < 2 || n >= c->threads)
		return;
	for (unsigned int t = 0; t < c->threads; t++)
		r->cpus[t] = list[(t / c->ncpus + t % c->ncpus) % n];
	for (unsigned int i = 0; i < n && i < MAX_DISTURB; i++)
		r->disturb[i] = list[i];
}

/* Sleep briefly, over and over: each wake-up preempts a worker. */
static void *disturber_main(void *arg)
{
	struct disturber *d = arg;
	struct timespec ts = { 0, DISTURB_US * 1000 };

	pin_to(d->cpu);
	while (!atomic_load_explicit(&d->r->done, memory_order_relaxed))
		nanosleep(&ts, NULL);
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	const struct stress_case *c = r->c;
	unsigned int cpu = w->id % c->ncpus;
	uint64_t rng = 0x9E3779B97F4A7C15ull * (w->id + 1), turns = 0;

	pin_to(r->cpus[w->id]);
	pthread_barrier_wait(&r->start);
	while (w->ops < r->per_thread) {
		unsigned int from = cpu, to = cpu;
		bool stolen;
		void *obj;

		/* Look at the clock once per 1024 turns, misses included. */
		if (++turns % 1024 == 0 && now_ns() > r->budget_end)
			break;
		if (c->kind == RING_EXCL && (next_rand(&rng) & 1))
			from = next_rand(&rng) % c->ncpus;
		obj = pool_pop(r, from, &stolen);
		if (!obj) {
			w->misses++;
			sched_yield();
			continue;
		}
		w->steals += stolen;
		if (!hold(w, stamp_of(r, obj), &rng))
			continue;
		if (c->random_push)
			to = next_rand(&rng) % c->ncpus;
		pool_push(r, obj, to);
		w->ops++;
	}
	return NULL;
}

/* Build the pool; record its objects; ring indices close to 2^32. */
static void setup(struct run *r)
{
	const struct stress_case *c = r->c;
	uint32_t n = 0;
	bool stolen;
	void *obj;

	if (c->kind == FL) {
		assert_int_equal(opfl_init(&r->fl, c->nobjs,
					   sizeof(struct fl_obj), 0, c->ncpus,
					   NULL, NULL), 0);
		while ((obj = opfl_pop(&r->fl, 0, &stolen))) {
			assert_true(n < c->nobjs);
			r->objs[n++] = obj;
		}
		assert_int_equal(n, c->nobjs);
		for (uint32_t i = 0; i < n; i++)
			opfl_push(&r->fl, r->objs[i], i % c->ncpus);
		return;
	}
	assert_int_equal(opr_init(&r->ring, c->nobjs, sizeof(struct stamp), 16,
				  c->ncpus, NULL, NULL), 0);
	while ((obj = opr_pop(&r->ring, 0, &stolen))) {
		assert_true(n < c->nobjs);
		r->objs[n++] = obj;
	}
	assert_int_equal(n, c->nobjs);
	for (uint32_t s = 0; s < c->ncpus; s++) {
		struct opr_slot *slot = r->ring.slots[s];

		/* Empty, so any equal indices are a valid state. */
		atomic_store(&slot->head, 0u - WRAP_AFTER);
		atomic_store(&slot->tail, 0u - WRAP_AFTER);
		atomic_store(&slot->last, 0u - WRAP_AFTER);
	}
	for (uint32_t i = 0; i < n; i++)
		opr_push_excl(r->ring.slots[i % c->ncpus], r->objs[i]);
}

/*
 * After the join: every slot drained gives back each object exactly once,
 * unstamped, and leaves the pool at rest. Return: the objects found.
 */
static uint32_t check_drain(struct run *r)
{
	const struct stress_case *c = r->c;
	unsigned int seen[MAX_OBJS] = { 0 };
	uint32_t found = 0;

	for (uint32_t s = 0; s < c->ncpus; s++) {
		void *obj;

		for (;;) {
			uint32_t i = 0;

			if (c->kind == FL)
				obj = opfl_pop_slot(r->fl.slots[s]);
			else
				obj = opr_pop_slot(&r->ring, r->ring.slots[s]);
			if (!obj)
				break;
			while (i < c->nobjs && r->objs[i] != obj)
				i++;
			if (i == c->nobjs)
				fail_msg("slot %u gave %p, not one of the "
					 "pool's objects", s, obj);
			seen[i]++;
			if (++found > c->nobjs)
				fail_msg("more objects than the pool has (%u)",
					 c->nobjs);
			assert_int_equal(atomic_load(&stamp_of(r, obj)->owner),
					 0);
			/* No reference or deferred add left on the node. */
			if (c->kind == FL)
				assert_int_equal(atomic_load(
					&((struct opfl_node *)obj)->refs), 0);
		}
		if (c->kind != FL) {
			struct opr_slot *slot = r->ring.slots[s];

			assert_int_equal(atomic_load(&slot->head),
					 atomic_load(&slot->last));
			assert_int_equal(atomic_load(&slot->tail),
					 atomic_load(&slot->last));
			assert_int_equal(atomic_load(&slot->lock), 0);
		}
	}
	for (uint32_t i = 0; i < c->nobjs; i++)
		if (seen[i] != 1)
			fail_msg("object %u came back %u times", i, seen[i]);
	return found;
}

static void test_stress(void **state)
{
	const struct stress_case *c = *state;
	struct run *r = calloc(1, sizeof(*r));
	struct worker w[MAX_THREADS];
	struct disturber d[MAX_DISTURB];
	pthread_t t[MAX_THREADS], dt[MAX_DISTURB];
	unsigned long ops = 0, misses = 0, steals = 0, doubles = 0, torn = 0;
	unsigned long uses = 0;
	unsigned int nd = 0;
	uint64_t t0;

	assert_non_null(r);
	assert_true(c->threads <= MAX_THREADS && c->nobjs <= MAX_OBJS);
	assert_true(c->kind != RING_EXCL ||
		    (c->threads == c->ncpus && !c->random_push));
	r->c = c;
	r->per_thread = STRESS_OPS / c->threads;
	plan_cpus(r);
	setup(r);
	atomic_init(&r->done, false);
	assert_int_equal(pthread_barrier_init(&r->start, NULL, c->threads), 0);
	for (; nd < MAX_DISTURB && r->disturb[nd] >= 0; nd++) {
		d[nd] = (struct disturber){ .r = r, .cpu = r->disturb[nd] };
		assert_int_equal(pthread_create(&dt[nd], NULL, disturber_main,
						&d[nd]), 0);
	}
	t0 = now_ns();
	r->budget_end = t0 + BUDGET_MS * UINT64_C(1000000);
	for (unsigned int i = 0; i < c->threads; i++) {
		w[i] = (struct worker){ .r = r, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main,
						&w[i]), 0);
	}
	for (unsigned int i = 0; i < c->threads; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
		misses += w[i].misses;
		steals += w[i].steals;
		doubles += w[i].doubles;
		torn += w[i].torn;
	}
	atomic_store(&r->done, true);
	for (unsigned int i = 0; i < nd; i++)
		pthread_join(dt[i], NULL);
	print_message("  %lu hand-overs in %llu ms, %lu empty pops, %lu "
		      "steals\n", ops,
		      (unsigned long long)((now_ns() - t0) / 1000000), misses,
		      steals);
	if (ops < r->per_thread * c->threads)
		print_message("  stopped by the %d ms budget after %lu of "
			      "%lu\n", BUDGET_MS, ops,
			      r->per_thread * c->threads);

	if (doubles || torn)
		fail_msg("%lu double hand-outs, %lu payloads changed under "
			 "their holder", doubles, torn);
	assert_true(ops > 0);
	assert_int_equal(check_drain(r), c->nobjs);
	/* Every completed hand-over used exactly one object. */
	for (uint32_t i = 0; i < c->nobjs; i++)
		uses += stamp_of(r, r->objs[i])->uses;
	assert_int_equal(uses, ops);
	if (c->kind != FL && ops > 4 * WRAP_AFTER * c->ncpus) {
		/* Some slot's indices crossed 2^32 (and wrapped past start). */
		bool crossed = false;

		for (uint32_t s = 0; s < c->ncpus; s++)
			crossed |= atomic_load(&r->ring.slots[s]->tail) <
				   0u - WRAP_AFTER;
		assert_true(crossed);
	}
	/* The objects live next to their slots: fini frees them all. */
	if (c->kind == FL)
		opfl_fini(&r->fl, NULL, NULL);
	else
		opr_fini(&r->ring);
	pthread_barrier_destroy(&r->start);
	free(r);
}

/* kind, objects, threads, CPU slots, random push */
static struct stress_case fl2 = { FL, 2, 4, 2, false };
static struct stress_case fl3 = { FL, 3, 4, 2, false };
static struct stress_case fl4 = { FL, 4, 4, 2, false };
static struct stress_case fl2_rnd = { FL, 2, 4, 2, true };
static struct stress_case fl3_rnd = { FL, 3, 4, 2, true };
static struct stress_case fl4_rnd = { FL, 4, 4, 2, true };
static struct stress_case fl3_1slot = { FL, 3, 4, 1, false };
static struct stress_case locked2 = { RING_LOCKED, 2, 4, 2, false };
static struct stress_case locked3 = { RING_LOCKED, 3, 4, 2, false };
static struct stress_case locked4 = { RING_LOCKED, 4, 4, 2, false };
static struct stress_case locked3_rnd = { RING_LOCKED, 3, 4, 2, true };
static struct stress_case excl2 = { RING_EXCL, 2, 2, 2, false };
static struct stress_case excl3 = { RING_EXCL, 3, 2, 2, false };
static struct stress_case excl4 = { RING_EXCL, 4, 2, 2, false };
static struct stress_case excl3_4x4 = { RING_EXCL, 3, 4, 4, false };

#define CASE(name, c) { name, test_stress, NULL, NULL, &(c) }

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE("freelist_2objs_4x2", fl2),
		CASE("freelist_3objs_4x2", fl3),
		CASE("freelist_4objs_4x2", fl4),
		CASE("freelist_2objs_4x2_random_push", fl2_rnd),
		CASE("freelist_3objs_4x2_random_push", fl3_rnd),
		CASE("freelist_4objs_4x2_random_push", fl4_rnd),
		CASE("freelist_3objs_4x1", fl3_1slot),
		CASE("ring_locked_2objs_4x2", locked2),
		CASE("ring_locked_3objs_4x2", locked3),
		CASE("ring_locked_4objs_4x2", locked4),
		CASE("ring_locked_3objs_4x2_random_push", locked3_rnd),
		CASE("ring_excl_2objs_2x2", excl2),
		CASE("ring_excl_3objs_2x2", excl3),
		CASE("ring_excl_4objs_2x2", excl4),
		CASE("ring_excl_3objs_4x4", excl3_4x4),
	};

	return cmocka_run_group_tests_name("objpool_stress", tests, NULL, NULL);
}
