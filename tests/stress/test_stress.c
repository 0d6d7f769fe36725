// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_stress.c - every backend under concurrent alloc/free, in every mode.
 *
 * THREADS workers each own a ctx. In exclusive mode every worker has its own
 * CPU slot (the exclusive contract); in shared mode two workers share each
 * slot, so per-CPU state really is used by several threads at once; in
 * rseq mode the workers, never pinned, act on the state of whatever CPU
 * they are on (THREADS is already more than this machine's 2 PUs).
 *
 * Four runs per backend:
 *   stress_mixed   single allocs and frees; objects cross threads one by
 *                  one through mailboxes (the remote-free pattern);
 *   stress_bulk    alloc_bulk batches handed whole to the next worker,
 *                  which frees them with free_bulk;
 *   stress_exhaust (fixed pools) a capacity smaller than what the workers
 *                  want to hold, so alloc returns NULL under contention;
 *                  never more than the capacity may be live at once;
 *   stress_oversub (rseq mode, backends with per-CPU state there) 8 and then
 *                  16 unpinned workers, while a mover thread keeps moving
 *                  them from CPU to CPU (sched_setaffinity) and signalling
 *                  them (a no-op SIGUSR1 handler), so preemption, migration
 *                  and signal delivery hit the restartable sequences: the
 *                  same checks, and a backend that runs sequences must
 *                  report aborts (rseq_aborts > 0; rounds are repeated
 *                  until one is seen, at most OVERSUB_ROUNDS, a failure
 *                  past that).
 *
 * What can go wrong is told apart:
 *   - a double hand-out: an alloc returns an object that is live (a set of
 *     live objects, sharded by address, each shard under its own mutex;
 *     memory contents cannot tell, since a backend may hand out fresh
 *     malloc memory that still holds old stamps);
 *   - a stray write: on alloc a worker writes its stamp into the object; on
 *     free it swaps a "free" mark in, and finding anything but its own stamp
 *     means someone else wrote the object while it was owned;
 *   - a lost object: at the end every object must come back, the pool
 *     drained to its capacity in one thread (and, fixed pools, no more).
 *
 * Not a benchmark: no timing is asserted. Run under TSan in `make test`.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/backends.h"

#define THREADS 4
#define MAX_THREADS 16		/* stress_oversub */
#define OVERSUB_ROUNDS 20
#define OVERSUB_SIGNALS 1000	/* a round's workers go on until this many */
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
	bool closed;		/* its worker is done: hand nothing more over */
};

#define SHARDS 64
#define SHARD_CAP (2 * MAX_THREADS * (HOLD + MAILBOX))

/* Live objects whose address hashes to this shard. */
struct shard {
	pthread_mutex_t lock;
	void *objs[SHARD_CAP];
	size_t n;
};

#define BATCH 8		/* objects per bulk call at most */

struct stress {
	const struct pb_backend *b;
	void *pool;
	bool bulk;		/* stress_bulk: batches cross threads */
	bool exhaust;		/* stress_exhaust: NULL is an answer */
	size_t capacity;
	unsigned int ops;	/* per worker */
	unsigned int nthreads;
	/* stress_oversub: past ops, go on until the mover sent this many. */
	const atomic_ulong *signals;
	unsigned long min_signals;
	struct mailbox box[MAX_THREADS];
	struct shard live[SHARDS];
	atomic_ulong double_handouts;
	atomic_ulong stray_writes;
	atomic_ulong not_live;		/* freed while not in the live set */
	atomic_ulong null_allocs;
	atomic_ulong allocs, frees;
	atomic_long nr_live;		/* a lower bound of what is live */
	atomic_long max_live;
};

struct worker {
	struct stress *s;
	unsigned int id;
	unsigned int cpu;
	atomic_int tid;		/* for the mover; 0 until the worker runs */
	atomic_bool done;	/* the mover leaves it alone from then on */
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

/*
 * Counted after alloc returned and before free is called, so the count is
 * never above what is really live: a maximum above the capacity is proof
 * that a fixed pool served more than it holds.
 */
static void own(struct stress *s, void *obj, uint64_t stamp)
{
	long n = atomic_fetch_add(&s->nr_live, 1) + 1;
	long max = atomic_load(&s->max_live);

	while (n > max && !atomic_compare_exchange_weak(&s->max_live, &max, n))
		;
	if (!live_add(s, obj))
		atomic_fetch_add(&s->double_handouts, 1);
	atomic_store_explicit(stamp_of(obj), stamp, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->allocs, 1, memory_order_relaxed);
}

/* Before @obj is freed: its stamp and its place in the live set. */
static void disown(struct stress *s, void *obj, uint64_t stamp)
{
	uint64_t old = atomic_exchange_explicit(stamp_of(obj), FREED,
						memory_order_relaxed);

	if (old != stamp)
		atomic_fetch_add(&s->stray_writes, 1);
	/* Always out of the set: a stray write is not a double hand-out. */
	if (!live_del(s, obj))
		atomic_fetch_add(&s->not_live, 1);
	atomic_fetch_sub(&s->nr_live, 1);
	atomic_fetch_add_explicit(&s->frees, 1, memory_order_relaxed);
}

static void release(struct stress *s, void *ctx, void *obj, uint64_t stamp)
{
	disown(s, obj, stamp);
	s->b->free(ctx, obj);
}

/* Free @n held objects in one free_bulk call. */
static void release_bulk(struct stress *s, void *ctx, struct held *h, size_t n)
{
	void *objs[MAILBOX];

	for (size_t i = 0; i < n; i++) {
		disown(s, h[i].obj, h[i].stamp);
		objs[i] = h[i].obj;
	}
	if (n)
		s->b->free_bulk(ctx, objs, n);
}

/* Free what other workers handed to this one (in bulk in stress_bulk). */
static void drain_mine(struct stress *s, void *ctx, struct mailbox *mine,
		       bool close)
{
	pthread_mutex_lock(&mine->lock);
	mine->closed |= close;
	if (s->bulk) {
		release_bulk(s, ctx, mine->objs, mine->n);
		mine->n = 0;
	}
	while (mine->n) {
		struct held h = mine->objs[--mine->n];

		release(s, ctx, h.obj, h.stamp);
	}
	pthread_mutex_unlock(&mine->lock);
}

/*
 * An exhausted pool in stress_exhaust: free what was handed over and half
 * of what this worker holds, so that objects go round instead of the
 * workers holding all of them for good. Return: how many are still held.
 */
static size_t give_back(struct stress *s, void *ctx, struct mailbox *mine,
			struct held *held, size_t nheld)
{
	size_t keep = nheld / 2;

	drain_mine(s, ctx, mine, false);
	if (s->bulk) {
		release_bulk(s, ctx, held + keep, nheld - keep);
		return keep;
	}
	while (nheld > keep) {
		nheld--;
		release(s, ctx, held[nheld].obj, held[nheld].stamp);
	}
	return keep;
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
	struct mailbox *next = &s->box[(w->id + 1) % s->nthreads];
	struct held held[HOLD];
	size_t nheld = 0;
	uint64_t seq = 0, rng = 0x9E3779B97F4A7C15ull * (w->id + 1);

	if (!ctx) {
		atomic_fetch_add(&s->null_allocs, 1);
		return NULL;
	}
	atomic_store(&w->tid, (int)gettid());
	for (unsigned int op = 0;
	     op < s->ops ||
	     (s->signals && atomic_load(s->signals) < s->min_signals);
	     op++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		switch (rng % 4) {
		case 0:
		case 1:
			if (s->bulk && nheld < HOLD) {
				void *objs[BATCH];
				size_t want = 1 + (rng >> 32) % BATCH, got;

				if (want > HOLD - nheld)
					want = HOLD - nheld;
				got = b->alloc_bulk(ctx, objs, want);
				if (got < want)
					atomic_fetch_add(&s->null_allocs, 1);
				if (got < want && s->exhaust)
					nheld = give_back(s, ctx, mine, held, nheld);
				for (size_t i = 0; i < got; i++) {
					held[nheld].obj = objs[i];
					held[nheld].stamp = stamp_for(w->id, seq++);
					own(s, objs[i], held[nheld].stamp);
					nheld++;
				}
			} else if (nheld < HOLD) {
				void *p = b->alloc(ctx);

				if (!p) {
					atomic_fetch_add(&s->null_allocs, 1);
					/* Exhausted: let the objects go round. */
					if (s->exhaust)
						nheld = give_back(s, ctx, mine,
								  held, nheld);
					break;
				}
				held[nheld].obj = p;
				held[nheld].stamp = stamp_for(w->id, seq++);
				own(s, p, held[nheld].stamp);
				nheld++;
			}
			break;
		case 2:
			if (s->bulk && nheld) {
				/* Hand every held object over at once. */
				size_t n = 0;

				pthread_mutex_lock(&next->lock);
				while (nheld && !next->closed && next->n < MAILBOX) {
					next->objs[next->n++] = held[--nheld];
					n++;
				}
				pthread_mutex_unlock(&next->lock);
				if (!n) {
					release_bulk(s, ctx, held, nheld);
					nheld = 0;
				}
				break;
			}
			/* Hand one to the next worker, stamp and all; it frees it. */
			if (nheld) {
				struct held h = held[--nheld];
				bool sent = false;

				pthread_mutex_lock(&next->lock);
				if (!next->closed && next->n < MAILBOX) {
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
			drain_mine(s, ctx, mine, false);
		}
	}
	while (nheld) {
		nheld--;
		release(s, ctx, held[nheld].obj, held[nheld].stamp);
	}
	/* Done: what others hand over now would sit here for good. */
	drain_mine(s, ctx, mine, true);
	b->thread_fini(s->pool, ctx);
	atomic_store(&w->done, true);
	return NULL;
}

static void drain_mailboxes(struct stress *s)
{
	void *ctx = s->b->thread_init(s->pool, 0);

	assert_non_null(ctx);
	for (unsigned int i = 0; i < s->nthreads; i++) {
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
	void **objs = calloc(s->capacity, sizeof(*objs));

	assert_non_null(ctx);
	assert_non_null(objs);
	for (size_t i = 0; i < s->capacity; i++) {
		objs[i] = s->b->alloc(ctx);
		if (!objs[i])
			fail_msg("%s: lost objects: only %zu of %zu came back",
				 s->b->name, i, s->capacity);
	}
	pb_test_check_objects(s->b, s->pool, objs, s->capacity, OBJ_SIZE, 0,
			      THREADS, "after the stress");
	if (s->b->flags & PB_BACKEND_FIXED) {
		void *extra = s->b->alloc(ctx);

		if (extra)
			fail_msg("%s: after the stress the fixed pool serves more "
				 "than its capacity of %zu", s->b->name, s->capacity);
	}
	for (size_t i = 0; i < s->capacity; i++)
		s->b->free(ctx, objs[i]);
	s->b->thread_fini(s->pool, ctx);
	free(objs);
}

/*
 * stress_oversub's mover: until @stop, moves each worker that runs to
 * another CPU of the process's own (sched_setaffinity on its thread id),
 * so the scheduler migrates and preempts it at any instruction, and
 * signals it (tgkill: only a thread of this process can get it).
 */
struct mover {
	struct worker *w;
	unsigned int n;
	atomic_bool stop;
	unsigned long moves;
	atomic_ulong signals;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	cpu_set_t all, one;
	int cpus[CPU_SETSIZE], nr = 0;
	struct timespec pause = { .tv_nsec = 20000 };

	if (sched_getaffinity(0, sizeof(all), &all))
		return NULL;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all))
			cpus[nr++] = c;
	for (unsigned long k = 0; !atomic_load(&m->stop); k++) {
		for (unsigned int i = 0; i < m->n && nr; i++) {
			int tid = atomic_load(&m->w[i].tid);

			if (!tid || atomic_load(&m->w[i].done))
				continue;
			CPU_ZERO(&one);
			CPU_SET(cpus[(k + i) % (unsigned long)nr], &one);
			/* A worker that just ended is gone: ESRCH is fine. */
			if (!sched_setaffinity(tid, sizeof(one), &one))
				m->moves++;
			if (!syscall(SYS_tgkill, getpid(), tid, SIGUSR1))
				atomic_fetch_add(&m->signals, 1);
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/*
 * One stress run of @nthreads workers (with a mover: stress_oversub).
 * Return: the pool's rseq_aborts over the run, or -1 when it reports none.
 */
static long stress_run_n(const struct pb_test_case *c, bool bulk, bool exhaust,
			 unsigned int nthreads, bool move)
{
	bool shared = c->mode == PB_MODE_SHARED;
	unsigned int nr_cpus = shared ? nthreads / 2 : nthreads;
	/* Exhaustion: room for half of what the workers want to hold. */
	/*
	 * Otherwise twice what the workers can hold at once: what they
	 * hold can reach the whole of a pool of exactly that size, where
	 * NULL would be a right answer, and the objpool freelist hides an
	 * object pushed while a popper holds a reference to it until that
	 * popper lets go (its deferred add): with headroom an alloc always
	 * has free objects to find.
	 */
	size_t capacity = exhaust ? nthreads * HOLD / 2 :
			  2 * nthreads * (HOLD + MAILBOX);
	struct pb_config cfg = pb_test_config(c, OBJ_SIZE, 0, capacity, nr_cpus);
	struct worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS], mover_th;
	struct mover mv = { .w = w, .n = nthreads };
	struct pb_stats st = { .valid = 0 };
	struct stress *s;
	long aborts = -1;
	void *pool;

	cfg.nr_threads = nthreads;
	/* First: a backend that cannot serve THREADS threads skips here. */
	pool = pb_test_create(c->b, &cfg);
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->b = c->b;
	s->pool = pool;
	s->bulk = bulk;
	s->exhaust = exhaust;
	s->capacity = capacity;
	s->nthreads = nthreads;
	if (move) {
		s->signals = &mv.signals;
		s->min_signals = OVERSUB_SIGNALS;
	}
	/*
	 * A bulk op moves up to BATCH objects, so fewer ops move as many;
	 * exhaustion runs twice. (alf-mpmc's spinning with more threads than
	 * cores dominates the TSan run: these keep make test's time in check.)
	 */
	s->ops = bulk ? STRESS_OPS / 8 : STRESS_OPS;
	if (exhaust)
		s->ops = STRESS_OPS / 4;
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_mutex_init(&s->box[i].lock, NULL);
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&s->live[i].lock, NULL);
	for (unsigned int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .s = s, .id = i, .cpu = i % nr_cpus };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	if (move)
		assert_int_equal(pthread_create(&mover_th, NULL, mover_main, &mv), 0);
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	if (move) {
		atomic_store(&mv.stop, true);
		pthread_join(mover_th, NULL);
	}
	drain_mailboxes(s);

	if (atomic_load(&s->double_handouts))
		fail_msg("%s: %lu double hand-outs: alloc returned a live object",
			 c->b->name, atomic_load(&s->double_handouts));
	if (atomic_load(&s->stray_writes))
		fail_msg("%s: %lu stray writes: a live object's stamp was "
			 "overwritten while its owner held it", c->b->name,
			 atomic_load(&s->stray_writes));
	if (atomic_load(&s->not_live))
		fail_msg("%s: %lu frees of objects not in the live set", c->b->name,
			 atomic_load(&s->not_live));
	if (atomic_load(&s->max_live) > (long)capacity)
		fail_msg("%s: %ld objects live at once in a pool of capacity %zu",
			 c->b->name, atomic_load(&s->max_live), capacity);
	if (!exhaust && atomic_load(&s->null_allocs))
		fail_msg("%s: %lu allocs returned NULL (or thread_init failed) "
			 "within the capacity", c->b->name,
			 atomic_load(&s->null_allocs));
	assert_int_equal(atomic_load(&s->allocs), atomic_load(&s->frees));
	/* Exhausted, how many allocs succeed depends on the scheduling. */
	assert_true(atomic_load(&s->allocs) > (exhaust ? 0 : s->ops / 4));
	if (exhaust)
		print_message("%s: %lu allocs served, %lu met an exhausted pool, "
			      "at most %ld live\n", c->b->name,
			      atomic_load(&s->allocs),
			      atomic_load(&s->null_allocs),
			      atomic_load(&s->max_live));
	check_nothing_lost(s);

	if (c->b->stats) {
		c->b->stats(s->pool, &st);
		if (pb_stats_has(&st, PB_STAT_rseq_aborts))
			aborts = (long)st.v[PB_STAT_rseq_aborts];
	}
	if (move)
		print_message("%s: %u workers, %lu moves, %lu signals, %ld rseq "
			      "aborts\n", c->b->name, nthreads, mv.moves,
			      atomic_load(&mv.signals), aborts);
	c->b->destroy(s->pool);
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_mutex_destroy(&s->box[i].lock);
	for (int i = 0; i < SHARDS; i++) {
		assert_int_equal(s->live[i].n, 0);
		pthread_mutex_destroy(&s->live[i].lock);
	}
	free(s);
	return aborts;
}

static void stress_run(const struct pb_test_case *c, bool bulk, bool exhaust)
{
	stress_run_n(c, bulk, exhaust, THREADS, false);
}

static void stress_mixed(void **state)
{
	stress_run(*state, false, false);
}

static void stress_bulk(void **state)
{
	stress_run(*state, true, false);
}

static void stress_exhaust(void **state)
{
	const struct pb_test_case *c = *state;

	if (!(c->b->flags & PB_BACKEND_FIXED))
		skip();
	stress_run(c, false, true);
	stress_run(c, true, true);
}

/*
 * Whether @c's backend has per-CPU state in rseq mode: it then reports
 * cpu_changes (and rseq_aborts when it runs sequences).
 */
static bool per_cpu_in_rseq(const struct pb_test_case *c)
{
	struct pb_config cfg = pb_test_config(c, OBJ_SIZE, 0, CAPACITY, THREADS);
	struct pb_stats st = { .valid = 0 };
	void *pool = pb_test_create(c->b, &cfg);

	if (c->b->stats)
		c->b->stats(pool, &st);
	c->b->destroy(pool);
	return pb_stats_has(&st, PB_STAT_cpu_changes);
}

static void stress_oversub(void **state)
{
	const struct pb_test_case *c = *state;
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART },
			 old;
	long aborts = -1;

	if (c->mode != PB_MODE_RSEQ || !per_cpu_in_rseq(c))
		skip();
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	for (unsigned int n = 8; n <= MAX_THREADS; n *= 2) {
		long got = stress_run_n(c, false, false, n, true);

		if (got >= 0)
			aborts = (aborts < 0 ? 0 : aborts) + got;
	}
	/* A backend running sequences must have seen them aborted. */
	for (int r = 0; aborts == 0 && r < OVERSUB_ROUNDS; r++)
		aborts = stress_run_n(c, false, false, MAX_THREADS, true);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	if (aborts == 0)
		fail_msg("%s: no restartable sequence aborted in %d rounds of "
			 "%d moved workers: the abort path went unexercised",
			 c->b->name, OVERSUB_ROUNDS + 2, MAX_THREADS);
}

int main(void)
{
	static const struct pb_test_fn fns[] = {
		{ "stress_mixed", stress_mixed, false, false },
		{ "stress_bulk", stress_bulk, false, false },
		{ "stress_exhaust", stress_exhaust, false, false },
		{ "stress_oversub", stress_oversub, false, false },
	};

	return pb_test_run_all("stress", fns, sizeof(fns) / sizeof(fns[0])) ? 1 : 0;
}
