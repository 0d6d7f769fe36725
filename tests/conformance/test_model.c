// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_model.c - randomized operation sequences on every registered
 * backend, checked against a model of the live objects.
 *
 * Each sequence is fixed by its seed: the geometry (from the conformance
 * matrix), then a mix of single and bulk allocs and frees through
 * MODEL_CTXS ctxs bound to different CPU slots, frees through a ctx other
 * than the allocating one, and ctxs finalised and bound again while objects
 * they allocated are still live (those are freed later through the others).
 * After every alloc the new object must be aligned, writable over its whole
 * size and clear of every live object (every CPU's copy for percpu
 * backends); before every free its pattern must be intact. A fixed pool
 * (PB_BACKEND_FIXED) must return NULL exactly when all of its capacity is
 * live; any other backend never returns NULL within its capacity.
 *
 * A failure names the seed and step. PB_MODEL_SEED=<n> runs that seed
 * alone, PB_MODEL_STEPS=<n> changes the length, and PB_TEST_ONLY=<backend>
 * narrows the run to one backend (tests/README.md).
 *
 * Single-threaded and deterministic: the randomness is in the sequence,
 * not in the scheduling (that is test_stress.c's part).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/backends.h"

#define NR_CPUS 4
#define MODEL_CTXS 3
#define MODEL_CAP 64
#define MODEL_SEEDS 3
#define MODEL_STEPS 2000
#define BULK_MAX 16


#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct live {
	void *obj;
	unsigned char byte;	/* the pattern its whole size holds */
};

struct model {
	const struct pb_backend *b;
	void *pool;
	void *ctx[MODEL_CTXS];
	size_t nctx;		/* MODEL_CTXS, or 1 for a one-thread backend */
	struct live live[MODEL_CAP];
	size_t nlive;
	size_t size, align, cap;
	bool fixed;
	uint64_t rng;
	unsigned int seed, step;
	unsigned char next_byte;
};

static uint64_t rnd(struct model *m)
{
	/* xorshift64*: fixed by the seed, the same on every machine. */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * UINT64_C(2685821657736338717);
}

static size_t below(struct model *m, size_t n)
{
	return (size_t)(rnd(m) % n);
}

#define model_fail(m, fmt, ...)                                                \
	fail_msg("%s: seed %u step %u (size %zu align %zu, %zu live): " fmt    \
		 " [reproduce: PB_TEST_ONLY=%s PB_MODEL_SEED=%u]", (m)->b->name, \
		 (m)->seed, (m)->step, (m)->size, (m)->align, (m)->nlive,      \
		 ##__VA_ARGS__, (m)->b->name, (m)->seed)

/* The new object @obj against the model; then it is live. */
static void model_add(struct model *m, void *obj)
{
	unsigned int copies = (m->b->flags & PB_BACKEND_PERCPU) ? NR_CPUS : 1;
	size_t a = pb_test_effective_align(m->b, m->align);

	if (m->nlive == m->cap)
		model_fail(m, "served more than its capacity of %zu", m->cap);
	for (unsigned int c = 0; c < copies; c++) {
		uintptr_t p = (uintptr_t)(copies > 1 ?
				m->b->per_cpu_ptr(m->pool, obj, c) : obj);

		if (p % a)
			model_fail(m, "object %p (cpu %u copy) not aligned to %zu",
				   obj, c, a);
		for (size_t i = 0; i < m->nlive; i++) {
			for (unsigned int d = 0; d < copies; d++) {
				uintptr_t q = (uintptr_t)(copies > 1 ?
					m->b->per_cpu_ptr(m->pool, m->live[i].obj, d) :
					m->live[i].obj);

				if (p < q + m->size && q < p + m->size)
					model_fail(m, "new object %p (cpu %u copy) "
						   "overlaps live object %p (cpu %u "
						   "copy)%s", obj, c, m->live[i].obj,
						   d, obj == m->live[i].obj ?
						   ": handed out twice" : "");
			}
		}
	}
	m->live[m->nlive].obj = obj;
	m->live[m->nlive].byte = ++m->next_byte;
	pb_test_fill(m->b, m->pool, obj, m->size, NR_CPUS, m->next_byte);
	m->nlive++;
}

/* Take live object @i out of the model, its pattern checked. */
static void *model_take(struct model *m, size_t i)
{
	void *obj = m->live[i].obj;

	if (!pb_test_check(m->b, m->pool, obj, m->size, NR_CPUS, m->live[i].byte))
		model_fail(m, "live object %p was written while it was live", obj);
	m->live[i] = m->live[--m->nlive];
	return obj;
}

/* The answer to an alloc of @want that gave @got: NULLs only when full. */
static void check_count(struct model *m, size_t want, size_t got,
			const char *op)
{
	size_t room = m->cap - m->nlive;	/* after adding the got ones */
	size_t expect = want < room + got ? want : room + got;

	if (m->fixed ? got == expect : got == want)
		return;
	model_fail(m, "%s of %zu gave %zu objects with %zu of capacity %zu free",
		   op, want, got, room + got, m->cap);
}

static void op_alloc(struct model *m, void *ctx)
{
	void *obj;

	/* The harness never holds more than capacity live: nor does this. */
	if (!m->fixed && m->nlive == m->cap)
		return;
	obj = m->b->alloc(ctx);

	if (obj)
		model_add(m, obj);
	check_count(m, 1, !!obj, "alloc");
}

static void op_alloc_bulk(struct model *m, void *ctx)
{
	void *objs[BULK_MAX];
	size_t room = m->cap - m->nlive, want = 1 + below(m, BULK_MAX), got;

	/* Within capacity, except that a fixed pool is also asked past it. */
	if (!m->fixed && want > room)
		want = room;
	if (!want)
		return;
	got = m->b->alloc_bulk(ctx, objs, want);
	if (got > want)
		model_fail(m, "alloc_bulk(%zu) returned %zu", want, got);
	for (size_t i = 0; i < got; i++)
		model_add(m, objs[i]);
	check_count(m, want, got, "alloc_bulk");
}

static void op_free(struct model *m, void *ctx)
{
	if (m->nlive)
		m->b->free(ctx, model_take(m, below(m, m->nlive)));
}

static void op_free_bulk(struct model *m, void *ctx)
{
	void *objs[BULK_MAX];
	size_t n = m->nlive ? 1 + below(m, m->nlive < BULK_MAX ? m->nlive : BULK_MAX) : 0;

	for (size_t i = 0; i < n; i++)
		objs[i] = model_take(m, below(m, m->nlive));
	if (n)
		m->b->free_bulk(ctx, objs, n);
}

/* Finalise ctx @k (its objects stay live) and bind it again. */
static void op_rebind(struct model *m, size_t k)
{
	m->b->thread_fini(m->pool, m->ctx[k]);
	m->ctx[k] = m->b->thread_init(m->pool, (unsigned int)k);
	if (!m->ctx[k])
		model_fail(m, "thread_init(cpu %zu) failed after thread_fini", k);
}

static void run_seed(const struct pb_test_case *c, unsigned int seed,
		     unsigned int steps)
{
	struct model *m = calloc(1, sizeof(*m));
	struct pb_config cfg;
	char err[512] = "";
	int rc;

	assert_non_null(m);
	m->b = c->b;
	m->seed = seed;
	m->rng = UINT64_C(0x9E3779B97F4A7C15) * (seed + 1);
	/* Another sequence (and geometry) per backend, fixed by its name. */
	for (const char *p = c->b->name; *p; p++)
		m->rng = (m->rng ^ (unsigned char)*p) * UINT64_C(0x100000001B3);
	m->size = pb_test_sizes[below(m, PB_TEST_NR_SIZES)];
	m->align = pb_test_aligns[below(m, PB_TEST_NR_ALIGNS)];
	m->cap = MODEL_CAP;
	m->fixed = c->b->flags & PB_BACKEND_FIXED;
	cfg = pb_test_config(c, m->size, m->align, m->cap, NR_CPUS);
	cfg.nr_threads = MODEL_CTXS;
	m->nctx = MODEL_CTXS;
	rc = c->b->create(&cfg, &m->pool, err, sizeof(err));
	if (rc == PB_CREATE_UNSUPPORTED) {
		/* One thread only (an SPSC queue): one ctx does every call. */
		cfg.nr_threads = 1;
		m->nctx = 1;
		rc = c->b->create(&cfg, &m->pool, err, sizeof(err));
	}
	if (rc) {
		/* A refused geometry: test_geometry.c holds the message to account. */
		print_message("seed %u: size %zu align %zu refused: %s\n", seed,
			      m->size, m->align, err);
		free(m);
		return;
	}
	for (size_t k = 0; k < m->nctx; k++) {
		m->ctx[k] = c->b->thread_init(m->pool, (unsigned int)k);
		if (!m->ctx[k])
			model_fail(m, "thread_init(cpu %zu) failed", k);
	}
	for (m->step = 0; m->step < steps; m->step++) {
		void *ctx = m->ctx[below(m, m->nctx)];
		unsigned int op = (unsigned int)below(m, 100);

		/* Lean towards filling up first, then towards emptying. */
		if (m->step > steps / 2)
			op = (op + 20) % 100;
		if (op < 30)
			op_alloc(m, ctx);
		else if (op < 48)
			op_alloc_bulk(m, ctx);
		else if (op < 75)
			op_free(m, ctx);
		else if (op < 97)
			op_free_bulk(m, ctx);
		else
			op_rebind(m, below(m, m->nctx));
	}
	while (m->nlive)
		c->b->free(m->ctx[m->nlive % m->nctx], model_take(m, m->nlive - 1));
	for (size_t k = 0; k < m->nctx; k++)
		c->b->thread_fini(m->pool, m->ctx[k]);
	c->b->destroy(m->pool);
	free(m);
}

static unsigned int env_uint(const char *name, unsigned int dfl)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dfl;
	v = strtoul(s, &end, 10);
	if (*end || v > 100000000ul) {
		fprintf(stderr, "%s='%s': not a number up to 100000000\n", name, s);
		exit(2);
	}
	return (unsigned int)v;
}

static void model_sequences(void **state)
{
	const struct pb_test_case *c = *state;
	unsigned int steps = env_uint("PB_MODEL_STEPS", MODEL_STEPS);

	if (getenv("PB_MODEL_SEED")) {
		run_seed(c, env_uint("PB_MODEL_SEED", 0), steps);
		return;
	}
	for (unsigned int seed = 1; seed <= MODEL_SEEDS; seed++)
		run_seed(c, seed, steps);
}

int main(void)
{
	static const struct pb_test_fn fns[] = {
		{ "model_sequences", model_sequences, false, false },
	};

	return pb_test_run_all("model", fns, ARRAY_SIZE(fns)) ? 1 : 0;
}
