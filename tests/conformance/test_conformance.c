// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_conformance.c - the contract every registered backend must keep,
 * checked single-threaded in both context modes.
 *
 * Generated per backend from the registry (tests/common/backends.c): a new
 * backend is covered by linking it in. Baseline backends (null) are held to
 * their own contract instead: the ctx's one object, aligned and writable.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/percpu/pcpu.h"
#include "tests/common/backends.h"
#include "workloads/million.h"
#include "workloads/workload.h"

#define CAPACITY 512
#define NR_CPUS 4

static const struct pb_test_case *tc(void **state)
{
	return *state;
}

/* align 0: malloc's own, except in percpu backends: the 4-byte granule. */
static size_t effective_align(const struct pb_backend *b, size_t align)
{
	if (align)
		return align;
	return b->flags & PB_BACKEND_PERCPU ? PB_PCPU_DFL_ALIGN :
					      alignof(max_align_t);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Allocated objects are distinct and do not overlap. */
static void assert_disjoint(void **objs, size_t n, size_t size)
{
	void **sorted = malloc(n * sizeof(*sorted));

	assert_non_null(sorted);
	memcpy(sorted, objs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		if ((uintptr_t)sorted[i - 1] + size > (uintptr_t)sorted[i])
			fail_msg("objects %p and %p overlap (size %zu)",
				 sorted[i - 1], sorted[i], size);
	free(sorted);
}

static void create_destroy(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);

	for (int i = 0; i < 3; i++) {
		void *pool = pb_test_create(b, &cfg);
		void *ctx = b->thread_init(pool, (unsigned int)i % NR_CPUS);

		assert_non_null(ctx);
		b->thread_fini(pool, ctx);
		b->destroy(pool);
	}
}

/* Alloc up to capacity: non-NULL, distinct, aligned, writable for obj_size. */
static void alloc_to_capacity_sized(void **state, size_t size, size_t align)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), size, align, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	void *ctx = b->thread_init(pool, 0);
	void *objs[CAPACITY];

	assert_non_null(ctx);
	for (size_t i = 0; i < CAPACITY; i++) {
		objs[i] = b->alloc(ctx);
		if (!objs[i])
			fail_msg("%s: alloc %zu of capacity %d returned NULL",
				 b->name, i, CAPACITY);
		assert_int_equal((uintptr_t)objs[i] % effective_align(b, align), 0);
		pb_test_fill(b, pool, objs[i], size, NR_CPUS, (unsigned char)i);
	}
	assert_disjoint(objs, CAPACITY, size);
	for (size_t i = 0; i < CAPACITY; i++) {
		assert_true(pb_test_check(b, pool, objs[i], size, NR_CPUS,
					  (unsigned char)i));
		b->free(ctx, objs[i]);
	}
	b->thread_fini(pool, ctx);
	b->destroy(pool);
}

static void alloc_to_capacity(void **state)
{
	static const size_t sizes[] = { 1, 8, 24, 64, 200, 1024 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		alloc_to_capacity_sized(state, sizes[i], 0);
}

/*
 * A fixed pool (PB_BACKEND_FIXED) serves exactly its capacity: one alloc
 * more returns NULL (and counts in alloc_fails when reported), a free
 * makes one available again, from whichever ctx.
 */
static void exhaustion(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);
	void *pool, *ctx, *other, *objs[CAPACITY], *again;
	struct pb_stats before = { 0 }, after = { 0 };

	if (!(b->flags & PB_BACKEND_FIXED))
		skip();
	pool = pb_test_create(b, &cfg);
	ctx = b->thread_init(pool, 0);
	other = b->thread_init(pool, NR_CPUS - 1);
	assert_non_null(ctx);
	assert_non_null(other);
	for (size_t i = 0; i < CAPACITY; i++)
		assert_non_null(objs[i] = b->alloc(ctx));
	b->stats(pool, &before);
	assert_null(b->alloc(ctx));
	assert_null(b->alloc(other));
	assert_int_equal(b->alloc_bulk(ctx, &again, 1), 0);
	b->free(other, objs[7]);
	again = b->alloc(ctx);
	assert_ptr_equal(again, objs[7]);
	assert_null(b->alloc(ctx));
	for (size_t i = 0; i < CAPACITY; i++)
		b->free(i % 2 ? ctx : other, objs[i]);
	b->thread_fini(pool, ctx);
	b->thread_fini(pool, other);
	b->stats(pool, &after);
	if (pb_stats_has(&after, PB_STAT_alloc_fails))
		assert_true(after.v[PB_STAT_alloc_fails] -
			    before.v[PB_STAT_alloc_fails] >= 3);
	b->destroy(pool);
}

static void alloc_aligned(void **state)
{
	static const size_t aligns[] = { 8, 16, 64, 256, 4096 };

	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++)
		alloc_to_capacity_sized(state, 40, aligns[i]);
}

/* Patterns in live objects survive other objects' allocs and frees. */
static void patterns_survive(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	const size_t size = 48;
	struct pb_config cfg = pb_test_config(tc(state), size, 0, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	void *ctx = b->thread_init(pool, 1);
	void *objs[CAPACITY];
	const size_t half = CAPACITY / 2;

	assert_non_null(ctx);
	for (size_t i = 0; i < half; i++) {
		objs[i] = b->alloc(ctx);
		assert_non_null(objs[i]);
		pb_test_fill(b, pool, objs[i], size, NR_CPUS, (unsigned char)(i * 7));
	}
	/* Free every other object, then reuse the room several times. */
	for (size_t i = 0; i < half; i += 2)
		b->free(ctx, objs[i]);
	for (int round = 0; round < 4; round++) {
		void *tmp[CAPACITY / 2];

		for (size_t i = 0; i < half; i++) {
			tmp[i] = b->alloc(ctx);
			assert_non_null(tmp[i]);
			pb_test_fill(b, pool, tmp[i], size, NR_CPUS, 0xA5);
		}
		for (size_t i = 0; i < half; i++)
			b->free(ctx, tmp[i]);
	}
	for (size_t i = 1; i < half; i += 2) {
		if (!pb_test_check(b, pool, objs[i], size, NR_CPUS,
				   (unsigned char)(i * 7)))
			fail_msg("%s: live object %zu was overwritten", b->name, i);
		b->free(ctx, objs[i]);
	}
	b->thread_fini(pool, ctx);
	b->destroy(pool);
}

/* Bulk and single paths hand out the same kind of objects. */
static void bulk_and_single_agree(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	const size_t size = 32, n = 64;
	struct pb_config cfg = pb_test_config(tc(state), size, 0, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	void *ctx = b->thread_init(pool, 0);
	void *objs[2 * 64];

	assert_non_null(ctx);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(b->alloc_bulk(ctx, objs, n), n);
		for (size_t i = n; i < 2 * n; i++) {
			objs[i] = b->alloc(ctx);
			assert_non_null(objs[i]);
		}
		for (size_t i = 0; i < 2 * n; i++)
			pb_test_fill(b, pool, objs[i], size, NR_CPUS, (unsigned char)i);
		assert_disjoint(objs, 2 * n, size);
		for (size_t i = 0; i < 2 * n; i++)
			assert_true(pb_test_check(b, pool, objs[i], size, NR_CPUS,
						  (unsigned char)i));
		/* Free the single ones in bulk and the bulk ones singly. */
		b->free_bulk(ctx, objs + n, n);
		for (size_t i = 0; i < n; i++)
			b->free(ctx, objs[i]);
	}
	b->thread_fini(pool, ctx);
	b->destroy(pool);
}

/* An object may be freed through another thread's ctx (another CPU slot). */
static void free_through_other_ctx(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	void *a = b->thread_init(pool, 0), *c = b->thread_init(pool, 1);
	void *objs[CAPACITY];

	assert_non_null(a);
	assert_non_null(c);
	for (int round = 0; round < 4; round++) {
		void *from = round & 1 ? c : a, *to = round & 1 ? a : c;

		for (size_t i = 0; i < CAPACITY; i++) {
			objs[i] = b->alloc(from);
			assert_non_null(objs[i]);
			pb_test_fill(b, pool, objs[i], 64, NR_CPUS, (unsigned char)i);
		}
		assert_disjoint(objs, CAPACITY, 64);
		for (size_t i = 0; i < CAPACITY; i++)
			b->free(to, objs[i]);
	}
	b->thread_fini(pool, a);
	b->thread_fini(pool, c);
	b->destroy(pool);
}

static void expect_refused(const struct pb_backend *b, const struct pb_config *cfg,
			   const char *must_mention)
{
	char err[512] = "";
	void *pool = NULL;

	if (!b->create(cfg, &pool, err, sizeof(err))) {
		b->destroy(pool);
		fail_msg("%s: accepted an invalid config (expected mention of '%s')",
			 b->name, must_mention);
	}
	assert_true(strlen(err) > 0);
	if (!strstr(err, must_mention))
		fail_msg("%s: message '%s' does not mention '%s'", b->name, err,
			 must_mention);
}

/* Invalid configurations are refused with a message, never accepted. */
static void invalid_configs(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);
	struct pb_kv bogus = { "no_such_option", "1" };

	cfg.obj_size = 0;
	expect_refused(b, &cfg, "obj_size");
	cfg.obj_size = 64;
	cfg.align = 48;
	expect_refused(b, &cfg, "align");
	cfg.align = 0;
	cfg.opts = &bogus;
	cfg.nr_opts = 1;
	expect_refused(b, &cfg, "no_such_option");
	expect_refused(b, &cfg, "valid");
}

/* Every option's default is accepted when given explicitly. */
static void explicit_defaults(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	size_t n = pb_options_count(b->options);
	/* On the stack: a skipped create (PB_CREATE_UNSUPPORTED) longjmps out. */
	struct pb_kv kv[32];
	char vals[32][64];
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);

	assert_true(n <= 32);
	for (size_t i = 0; i < n; i++) {
		pb_option_format(&b->options[i], pb_option_default(&b->options[i]),
				 vals[i], sizeof(vals[i]));
		kv[i].key = b->options[i].key;
		kv[i].value = vals[i];
	}
	cfg.opts = kv;
	cfg.nr_opts = n;
	b->destroy(pb_test_create(b, &cfg));
}

/* Stats can be read on a quiescent pool; event counts never go backwards. */
static void stats_monotonic(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	struct pb_stats s0 = { 0 }, s1 = { 0 };
	void *ctx, *objs[64];

	b->stats(pool, &s0);
	ctx = b->thread_init(pool, 0);
	assert_non_null(ctx);
	for (int i = 0; i < 64; i++)
		assert_non_null(objs[i] = b->alloc(ctx));
	for (int i = 0; i < 64; i++)
		b->free(ctx, objs[i]);
	b->thread_fini(pool, ctx);
	b->stats(pool, &s1);
	for (int i = 0; i < PB_STAT__COUNT; i++) {
		assert_int_equal(pb_stats_has(&s0, i), pb_stats_has(&s1, i));
		if (pb_stats_has(&s1, i) && pb_stat_kind(i) == PB_STAT_EVENTS &&
		    s1.v[i] < s0.v[i])
			fail_msg("%s: stat %s went backwards", b->name,
				 pb_stat_name(i));
	}
	b->destroy(pool);
}

/* Every kernel runs through the backend's own instantiation. */
/*
 * The remote kernel on one thread: the producer role fills the hand-over
 * queue (never more than it holds, so it does not wait), then the consumer
 * role, through a second ctx, frees all of it; and a consumer whose
 * producer aborted stops with PB_KERNEL_EPEER instead of waiting.
 */
static void kernel_remote_in_turn(const struct pb_backend *b, void *pool,
				  void *ctx)
{
	struct pb_handover ho;
	struct pb_remote_free_args ra = { .ho = &ho };
	struct pb_kernel_args a = { .n = 64, .wl = &ra };
	void *other = b->thread_init(pool, 1);

	assert_non_null(other);
	assert_int_equal(pb_handover_init(&ho, 64), 0);
	for (int round = 0; round < 4; round++) {
		ra.role = PB_ROLE_PRODUCER;
		assert_int_equal(b->kernels[PB_KERNEL_remote_free](ctx, &a, 64), 0);
		ra.role = PB_ROLE_CONSUMER;
		assert_int_equal(b->kernels[PB_KERNEL_remote_free](other, &a, 64), 0);
	}
	pb_handover_abort(&ho);
	assert_int_equal(b->kernels[PB_KERNEL_remote_free](other, &a, 1),
			 PB_KERNEL_EPEER);
	pb_handover_destroy(&ho);
	b->thread_fini(pool, other);
}

/*
 * The million kernel in its three orders, and with the second-half
 * pre-fill (128 objects: the pre-fill may hold as many again, and a fixed
 * pool has CAPACITY): every round completes and is timed.
 */
struct balance_arg {
	const struct pb_backend *b;
	void *pool;
};

/* The harness's million balance callback: the backend's deferred work. */
static void call_balance(void *arg)
{
	struct balance_arg *ba = arg;

	if (ba->b->balance)
		ba->b->balance(ba->pool);
}

static void kernel_million_orders(const struct pb_backend *b, void *pool,
				  void *ctx)
{
	struct balance_arg ba = { .b = b, .pool = pool };
	void *ring[256];

	for (unsigned int o = 0; o < 4; o++) {
		struct pb_kernel_out out = { 0 };
		struct pb_million_args ma = {
			.order = o == 3 ? PB_ORDER_IN_ORDER : o,
			.fill = o == 3, .limit_ns = 60ull * 1000000000ull,
		};
		struct pb_kernel_args a = {
			.n = o == 3 ? 128 : 256, .ring = ring, .touch = true,
			.out = &out, .retry_null = b->flags & PB_BACKEND_FIXED,
			.wl = &ma,
		};

		/* balance() runs after each round, with this ctx still live. */
		ma.state = pb_million_new("conformance", NULL, call_balance, &ba);
		assert_non_null(ma.state);
		assert_int_equal(b->kernels[PB_KERNEL_million](ctx, &a, 2 * a.n), 0);
		assert_int_equal(out.rounds, 2);
		assert_true(out.alloc_ns > 0 && out.free_ns > 0);
		pb_million_free(ma.state);
	}
}

/*
 * The mempool_perf kernel (DPDK's test loop): 256 objects kept, got and put
 * in bulks of 1, 4, 8, 32 and 256, every round complete. A fixed pool asked
 * to keep twice its capacity comes back short: the kernel fails with
 * PB_KERNEL_ENOMEM and gives back everything it got, so the whole capacity
 * can be allocated again.
 */
static void kernel_mempool_perf_bulks(const struct pb_backend *b, void *ctx)
{
	static const size_t bulks[] = { 1, 4, 8, 32, 256 };
	void *ring[2 * CAPACITY], *objs[CAPACITY];
	struct pb_kernel_out out = { 0 };
	struct pb_mempool_perf_args ma = { 0 };
	struct pb_kernel_args a = { .n = 256, .ring = ring, .touch = true,
				    .out = &out, .wl = &ma };

	for (size_t i = 0; i < sizeof(bulks) / sizeof(bulks[0]); i++) {
		ma.bulk = bulks[i];
		if (b->kernels[PB_KERNEL_mempool_perf](ctx, &a, 256 * 4))
			fail_msg("%s: mempool_perf kernel, keep 256 in bulks of "
				 "%zu, failed", b->name, bulks[i]);
	}
	if (!(b->flags & PB_BACKEND_FIXED))
		return;
	a.n = 2 * CAPACITY;
	ma.bulk = 8;
	assert_int_equal(b->kernels[PB_KERNEL_mempool_perf](ctx, &a, a.n),
			 PB_KERNEL_ENOMEM);
	for (size_t i = 0; i < CAPACITY; i++)
		if (!(objs[i] = b->alloc(ctx)))
			fail_msg("%s: after a short bulk in the mempool_perf "
				 "kernel, alloc %zu of capacity %d returned NULL: "
				 "the kernel kept objects", b->name, i, CAPACITY);
	for (size_t i = 0; i < CAPACITY; i++)
		b->free(ctx, objs[i]);
}

static void kernels_run(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 64, 0, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	void *ctx = b->thread_init(pool, 0);
	void *ring[256];

	assert_non_null(ctx);
	for (int k = 0; k < PB_KERNEL__COUNT; k++) {
		struct pb_kernel_out out = { 0 };
		struct pb_kernel_args a = { .n = 256, .ring = ring, .touch = true,
					    .out = &out };

		if (k == PB_KERNEL_fastpath_reuse)
			a.n = 1;
		if (k == PB_KERNEL_bulk || k == PB_KERNEL_overrun)
			a.n = 16;
		assert_non_null(b->kernels[k]);
		if (k == PB_KERNEL_remote_free) {
			kernel_remote_in_turn(b, pool, ctx);
			continue;
		}
		if (k == PB_KERNEL_million) {
			kernel_million_orders(b, pool, ctx);
			continue;
		}
		if (k == PB_KERNEL_mempool_perf) {
			kernel_mempool_perf_bulks(b, ctx);
			continue;
		}
		assert_int_equal(b->kernels[k](ctx, &a, 256 * 8), 0);
		if (k == PB_KERNEL_overrun) {
			/* A pool of CAPACITY >= 16 never misses one thread's bulk. */
			assert_int_equal(out.hits, 256 * 8);
			assert_int_equal(out.misses, 0);
		}
	}
	b->thread_fini(pool, ctx);
	b->destroy(pool);
}

/* Baseline: the ctx's one object, aligned, writable, handed back each time. */
static void baseline_contract(void **state)
{
	const struct pb_backend *b = tc(state)->b;
	struct pb_config cfg = pb_test_config(tc(state), 200, 64, CAPACITY, NR_CPUS);
	void *pool = pb_test_create(b, &cfg);
	void *ctx = b->thread_init(pool, 0), *other = b->thread_init(pool, 1);
	void *p, *q;

	assert_non_null(ctx);
	assert_non_null(other);
	p = b->alloc(ctx);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 64, 0);
	memset(p, 0x5A, 200);
	b->free(ctx, p);
	q = b->alloc(ctx);
	assert_ptr_equal(p, q);
	/* Two ctxs never share their object. */
	assert_ptr_not_equal(b->alloc(other), p);
	b->thread_fini(pool, ctx);
	b->thread_fini(pool, other);
	b->destroy(pool);
}

/* The registry itself: baselines first, names unique, lookups work. */
static void registry_listing(void **state)
{
	(void)state;
	assert_true(pb_backend_count() >= 3);
	assert_true(pb_backend_at(0)->flags & PB_BACKEND_BASELINE);
	for (size_t i = 0; i < pb_backend_count(); i++) {
		const struct pb_backend *b = pb_backend_at(i);

		assert_ptr_equal(pb_backend_find(b->name), b);
		assert_non_null(b->description);
		assert_true(strlen(b->description) > 0);
	}
	assert_null(pb_backend_find("no-such-backend"));
	assert_non_null(pb_workload_find("fastpath-reuse"));
	assert_non_null(pb_workload_find("ring-cleanup"));
	assert_non_null(pb_workload_find("mempool-perf"));
	assert_null(pb_workload_find("no-such-workload"));
}

/*
 * mempool-perf's parameters: keep (default 32) is the point's n, the
 * objects a thread holds and its rounds; the bulk n (default 1) must
 * divide it, else prepare() refuses the point naming both; DPDK's whole
 * matrix (bulks 1, 4, 8, 32 by keeps 32, 128, 512) is accepted.
 */
static void mempool_perf_params(void **state)
{
	const struct pb_workload *w = pb_workload_find("mempool-perf");
	static const uint64_t bulks[] = { 1, 4, 8, 32 };
	static const uint64_t keeps[] = { 32, 128, 512 };
	struct pb_kv kv[2] = { { "keep", "32" }, { "n", "1" } };
	uint64_t v[8] = { 0 };	/* harness/run.h: PB_MAX_WL_PARAMS */
	struct pb_workload_point p;
	char err[256] = "";

	(void)state;
	assert_non_null(w);
	assert_int_equal(w->kernel, PB_KERNEL_mempool_perf);
	assert_int_equal(pb_options_parse(w->params, NULL, 0, v, w->name, err,
					  sizeof(err)), 0);
	assert_int_equal(pb_options_find(w->params, "keep"), 0);
	assert_int_equal(pb_options_find(w->params, "n"), 1);
	assert_int_equal(v[0], 32);
	assert_int_equal(v[1], 1);
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < 3; k++) {
			memset(&p, 0, sizeof(p));
			v[0] = keeps[k];
			v[1] = bulks[i];
			assert_int_equal(w->prepare(v, &p, err, sizeof(err)),
					 0);
			assert_int_equal(p.n, keeps[k]);
			assert_false(p.touch);
		}
	kv[0].value = "32";
	kv[1].value = "3";
	assert_int_equal(pb_options_parse(w->params, kv, 2, v, w->name, err,
					  sizeof(err)), 0);
	assert_int_equal(w->prepare(v, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "keep=32 is not a multiple of n=3"));
	v[0] = 8;
	v[1] = 32;
	assert_int_equal(w->prepare(v, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "keep=8 is not a multiple of n=32"));
}

int main(void)
{
	static const struct pb_test_fn fns[] = {
		{ "create_destroy", create_destroy, true, false },
		{ "alloc_to_capacity", alloc_to_capacity, false, false },
		{ "alloc_aligned", alloc_aligned, false, false },
		{ "exhaustion", exhaustion, false, false },
		{ "patterns_survive", patterns_survive, false, false },
		{ "bulk_and_single_agree", bulk_and_single_agree, false, false },
		{ "free_through_other_ctx", free_through_other_ctx, false, false },
		{ "invalid_configs", invalid_configs, true, false },
		{ "explicit_defaults", explicit_defaults, true, false },
		{ "stats_monotonic", stats_monotonic, false, false },
		{ "kernels_run", kernels_run, true, false },
		{ "baseline_contract", baseline_contract, false, true },
	};
	const struct CMUnitTest registry[] = {
		cmocka_unit_test(registry_listing),
		cmocka_unit_test(mempool_perf_params),
	};
	int failed = cmocka_run_group_tests_name("registry", registry, NULL, NULL);

	failed += pb_test_run_all("conformance", fns, sizeof(fns) / sizeof(fns[0]));
	return failed ? 1 : 0;
}
