// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_stress.c - every backend under concurrent alloc/free, both modes.
 *
 * THREADS workers each own a ctx. In exclusive mode every worker has its own
 * CPU slot (the exclusive contract); in shared mode two workers share each
 * slot, so per-CPU state really is used by several threads at once.
 *
 * A double hand-out is detected by a set of live objects (sharded by
 * address, each shard under its own mutex): an alloc that returns an object
 * already in the set means two owners. Memory contents cannot tell, since a
 * backend may hand out fresh malloc memory that still holds old stamps.
 * Ownership stamps detect stray writes: on alloc a worker writes its stamp
 * into the object; on free it swaps a "free" mark in, and finding anything
 * but its own stamp means someone else wrote the object while it was
 * owned. Objects cross
 * threads through mailboxes (the remote-free pattern) and are freed by a
 * worker other than the one that allocated them. At the end every object
 * must have come back: the pool is drained to its capacity in one thread.
 *
 * Not a benchmark: no timing is asserted. Run under TSan in `make test`.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/backends.h"

#define THREADS 4
#define HOLD 16			/* objects a worker keeps live at most */
#define MAILBOX 32		/* objects in flight between two workers */
#define CAPACITY (THREADS * (HOLD + MAILBOX))
#define OBJ_SIZE 64
#define STAMP_OFF 32		/* clear of malloc's free-list words */

#ifndef STRESS_OPS
#define STRESS_OPS 20000
#endif

#define LIVE UINT64_C(0x11FE000000000000)
#define FREED UINT64_C(0xF4EEF4EEF4EEF4EE)

/* Stamps travel with objects; keep them beside the pointer. */
struct held {
	void *obj;
	uint64_t stamp;
};

struct mailbox {
	pthread_mutex_t lock;
	struct held objs[MAILBOX];
	size_t n;
};

#define SHARDS 64
#define SHARD_CAP CAPACITY

/* Live objects whose address hashes to this shard. */
struct shard {
	pthread_mutex_t lock;
	void *objs[SHARD_CAP];
	size_t n;
};

struct stress {
	const struct pb_backend *b;
	void *pool;
	struct mailbox box[THREADS];
	struct shard live[SHARDS];
	atomic_ulong double_handouts;
	atomic_ulong stamp_mismatch;
	atomic_ulong null_allocs;
	atomic_ulong allocs, frees;
};

struct worker {
	struct stress *s;
	unsigned int id;
	unsigned int cpu;
};

static _Atomic uint64_t *stamp_of(void *obj)
{
	return (void *)((char *)obj + STAMP_OFF);
}

static struct shard *shard_of(struct stress *s, const void *obj)
{
	uintptr_t a = (uintptr_t)obj;

	return &s->live[((a >> 6) ^ (a >> 14)) % SHARDS];
}

/* Record @obj as live. Return: false if it already was (two owners). */
static bool live_add(struct stress *s, void *obj)
{
	struct shard *sh = shard_of(s, obj);
	bool fresh = true;

	pthread_mutex_lock(&sh->lock);
	for (size_t i = 0; i < sh->n; i++)
		fresh &= sh->objs[i] != obj;
	if (fresh && sh->n < SHARD_CAP)
		sh->objs[sh->n++] = obj;
	pthread_mutex_unlock(&sh->lock);
	return fresh;
}

/* Forget @obj. Return: false if it was not live. */
static bool live_del(struct stress *s, void *obj)
{
	struct shard *sh = shard_of(s, obj);
	bool found = false;

	pthread_mutex_lock(&sh->lock);
	for (size_t i = 0; i < sh->n; i++) {
		if (sh->objs[i] == obj) {
			sh->objs[i] = sh->objs[--sh->n];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return found;
}

static void own(struct stress *s, void *obj, uint64_t stamp)
{
	if (!live_add(s, obj))
		atomic_fetch_add(&s->double_handouts, 1);
	atomic_store_explicit(stamp_of(obj), stamp, memory_order_relaxed);
}

static void release(struct stress *s, void *ctx, void *obj, uint64_t stamp)
{
	uint64_t old = atomic_exchange_explicit(stamp_of(obj), FREED,
						memory_order_relaxed);

	if (old != stamp || !live_del(s, obj))
		atomic_fetch_add(&s->stamp_mismatch, 1);
	s->b->free(ctx, obj);
	atomic_fetch_add_explicit(&s->frees, 1, memory_order_relaxed);
}

static uint64_t stamp_for(unsigned int id, uint64_t seq)
{
	return LIVE | ((uint64_t)id << 40) | (seq & ((UINT64_C(1) << 40) - 1));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	const struct pb_backend *b = s->b;
	void *ctx = b->thread_init(s->pool, w->cpu);
	struct mailbox *mine = &s->box[w->id];
	struct mailbox *next = &s->box[(w->id + 1) % THREADS];
	struct held held[HOLD];
	size_t nheld = 0;
	uint64_t seq = 0, rng = 0x9E3779B97F4A7C15ull * (w->id + 1);

	if (!ctx) {
		atomic_fetch_add(&s->null_allocs, 1);
		return NULL;
	}
	for (int op = 0; op < STRESS_OPS; op++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		switch (rng % 4) {
		case 0:
		case 1:
			if (nheld < HOLD) {
				void *p = b->alloc(ctx);

				if (!p) {
					atomic_fetch_add(&s->null_allocs, 1);
					break;
				}
				atomic_fetch_add_explicit(&s->allocs, 1,
							  memory_order_relaxed);
				held[nheld].obj = p;
				held[nheld].stamp = stamp_for(w->id, seq++);
				own(s, p, held[nheld].stamp);
				nheld++;
			}
			break;
		case 2:
			/* Hand one to the next worker, stamp and all; it frees it. */
			if (nheld) {
				struct held h = held[--nheld];
				bool sent = false;

				pthread_mutex_lock(&next->lock);
				if (next->n < MAILBOX) {
					next->objs[next->n++] = h;
					sent = true;
				}
				pthread_mutex_unlock(&next->lock);
				if (!sent)
					release(s, ctx, h.obj, h.stamp);
			}
			break;
		default:
			if (nheld && (rng & 8)) {
				nheld--;
				release(s, ctx, held[nheld].obj, held[nheld].stamp);
				break;
			}
			pthread_mutex_lock(&mine->lock);
			while (mine->n) {
				struct held h = mine->objs[--mine->n];

				release(s, ctx, h.obj, h.stamp);
			}
			pthread_mutex_unlock(&mine->lock);
		}
	}
	while (nheld) {
		nheld--;
		release(s, ctx, held[nheld].obj, held[nheld].stamp);
	}
	b->thread_fini(s->pool, ctx);
	return NULL;
}

static void drain_mailboxes(struct stress *s)
{
	void *ctx = s->b->thread_init(s->pool, 0);

	assert_non_null(ctx);
	for (int i = 0; i < THREADS; i++) {
		while (s->box[i].n) {
			struct held h = s->box[i].objs[--s->box[i].n];

			release(s, ctx, h.obj, h.stamp);
		}
	}
	s->b->thread_fini(s->pool, ctx);
}

/* No object was lost: the whole capacity can be allocated again at once. */
static void check_nothing_lost(struct stress *s)
{
	void *ctx = s->b->thread_init(s->pool, 0);
	void **objs = calloc(CAPACITY, sizeof(*objs));

	assert_non_null(ctx);
	assert_non_null(objs);
	for (size_t i = 0; i < CAPACITY; i++) {
		objs[i] = s->b->alloc(ctx);
		if (!objs[i])
			fail_msg("%s: only %zu of %d objects came back", s->b->name,
				 i, CAPACITY);
	}
	for (size_t i = 0; i < CAPACITY; i++)
		for (size_t j = i + 1; j < CAPACITY && j < i + 8; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
	for (size_t i = 0; i < CAPACITY; i++)
		s->b->free(ctx, objs[i]);
	s->b->thread_fini(s->pool, ctx);
	free(objs);
}

static void stress_mixed(void **state)
{
	const struct pb_test_case *c = *state;
	bool shared = c->mode == PB_MODE_SHARED;
	unsigned int nr_cpus = shared ? THREADS / 2 : THREADS;
	struct pb_config cfg = pb_test_config(c, OBJ_SIZE, 0, CAPACITY, nr_cpus);
	struct worker w[THREADS];
	pthread_t th[THREADS];
	struct stress *s;
	void *pool;

	cfg.nr_threads = THREADS;
	/* First: a backend that cannot serve THREADS threads skips here. */
	pool = pb_test_create(c->b, &cfg);
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->b = c->b;
	s->pool = pool;
	for (int i = 0; i < THREADS; i++)
		pthread_mutex_init(&s->box[i].lock, NULL);
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&s->live[i].lock, NULL);
	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .s = s, .id = i, .cpu = i % nr_cpus };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	drain_mailboxes(s);

	assert_int_equal(atomic_load(&s->double_handouts), 0);
	assert_int_equal(atomic_load(&s->stamp_mismatch), 0);
	assert_int_equal(atomic_load(&s->null_allocs), 0);
	assert_int_equal(atomic_load(&s->allocs), atomic_load(&s->frees));
	assert_true(atomic_load(&s->allocs) > STRESS_OPS / 4);
	check_nothing_lost(s);

	c->b->destroy(s->pool);
	for (int i = 0; i < THREADS; i++)
		pthread_mutex_destroy(&s->box[i].lock);
	for (int i = 0; i < SHARDS; i++) {
		assert_int_equal(s->live[i].n, 0);
		pthread_mutex_destroy(&s->live[i].lock);
	}
	free(s);
}

int main(void)
{
	static const struct pb_test_fn fns[] = {
		{ "stress_mixed", stress_mixed, false, false },
	};

	return pb_test_run_all("stress", fns, 1) ? 1 : 0;
}
