/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kernels.h - the timed inner loops, instantiated once per backend.
 *
 * A kernel is a static always-inline loop that takes the backend's alloc and
 * free as compile-time constants. PB_BACKEND_REGISTER() (backend.h) expands
 * PB_KERNELS_INSTANTIATE() in the backend's own translation unit, so every
 * backend gets its own copy of every loop with its fast paths inlined: the
 * harness pays one indirect call per batch of iterations, never per object.
 *
 * One iteration of every kernel is one alloc+free pair (one object through
 * a bulk alloc and a bulk free for the bulk and mempool_perf kernels), so
 * the harness's time per iteration is the time per pair.
 *
 * Included by every backend (allocators/backend.h) and workload; calls
 * only the backend's operations it is instantiated with and the million
 * kernel's out-of-line slow paths (workloads/million.c).
 *
 * To add a kernel: write pb_kernel_<name>() below, named like the workload
 * it times, and add it to PB_KERNEL_LIST. Workloads (workloads/<name>.c)
 * pick a kernel by id; what only one kernel needs comes through the
 * arguments' @wl, set by the workload's own hooks (workload.h).
 */
#ifndef PB_WORKLOADS_KERNELS_H
#define PB_WORKLOADS_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <sched.h>
#include <stdint.h>

#include "harness/hist.h"
#include "harness/latclock.h"
#include "workloads/handover.h"

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define PB_ALWAYS_INLINE inline __attribute__((always_inline))

/**
 * pb_keep() - make @p "used" so the compiler cannot drop or merge the
 * allocation, and make it assume memory changed (C has no DoNotOptimize)
 * @p: the object
 */
static PB_ALWAYS_INLINE void pb_keep(const void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/*
 * struct pb_kernel_out - what a kernel counts besides time (per thread).
 * @hits:   allocations that returned an object (overrun kernel);
 * @misses: allocations that returned NULL where that is the measured
 *          outcome, not an error (overrun kernel).
 * @alloc_ns, @free_ns, @rounds: million kernel: time in its alloc and free
 *          phases over @rounds rounds of @n objects.
 * @phase_faults: million kernel: page faults the thread took inside those
 *          timed phases, over @rounds rounds (read before and after each
 *          phase, outside its clock readings).
 * @stopped: million kernel, when it stopped early: where ("alloc 5120 of
 *          1048576"), for the error message.
 * @peak_ok, @peak_metadata, @peak_chunks: million kernel: the backend's
 *          metadata_bytes and chunks with all @n objects live (first
 *          round), when it reports them.
 * @peak_rss_ok, @peak_rss_kib, @peak_live: million kernel: the process's
 *          RSS at that moment, and the objects live then (@n and the
 *          pre-fill's), for the memory probe (harness/probes.c).
 * @peak_cached_ok, @peak_cached: million kernel: the free objects the
 *          backend holds then (its cached and reserve_level statistics),
 *          when it counts them.
 */
struct pb_kernel_out {
	uint64_t hits, misses;
	uint64_t alloc_ns, free_ns, rounds, phase_faults;
	char stopped[96];
	bool peak_metadata_ok, peak_chunks_ok;
	uint64_t peak_metadata, peak_chunks;
	bool peak_rss_ok;
	double peak_rss_kib;
	uint64_t peak_live;
	bool peak_cached_ok;
	uint64_t peak_cached;
};

/*
 * struct pb_kernel_args - per-thread arguments of a kernel run.
 * @n:        objects held live at once (ring_cleanup kernel; mempool_perf:
 *            its keep), the bulk size (bulk, overrun), the hand-over
 *            queue's size (remote_free), the objects of a round (million);
 *            1 for fastpath_reuse.
 * @ring:     @n slots of per-thread scratch owned by the calling thread.
 * @touch:    store one byte at offset 0 of every object right after alloc,
 *            so the object's cache line is written as a real user would.
 * @out:      this thread's counts (harness-owned, zeroed before the run).
 * @retry_null: a NULL from alloc (pb_alloc_retry) or a short bulk alloc
 *            (pb_alloc_bulk_retry) is retried before it fails the run: set
 *            for fixed pools (PB_BACKEND_FIXED), whose slot walk or ring
 *            tail can race a free; never for a backend whose NULL already
 *            waited (mutex-mempool).
 * @wl:       the workload's own per-thread arguments, set by its
 *            thread_setup hook (workload.h): struct pb_remote_free_args,
 *            struct pb_million_args, struct pb_mempool_perf_args; NULL for
 *            the other kernels.
 * @lat_alloc, @lat_free: the latency kernels' histograms of this thread
 *            (clock ticks per alloc and per free, probe included); NULL
 *            for the timed kernels, which never read them.
 */
struct pb_kernel_args {
	size_t n;
	void **ring;
	bool touch;
	struct pb_kernel_out *out;
	bool retry_null;
	void *wl;
	struct pb_hist *lat_alloc, *lat_free;
};

/*
 * struct pb_remote_free_args - the remote_free kernel's @wl: the hand-over
 * queue @ho this thread shares with its partner (thread 2k produces,
 * thread 2k+1 consumes) and its @role, PB_ROLE_PRODUCER or
 * PB_ROLE_CONSUMER (workloads/remote_free.c sets both).
 */
struct pb_remote_free_args {
	struct pb_handover *ho;
	unsigned int role;
};

/*
 * struct pb_mempool_perf_args - the mempool_perf kernel's @wl: @bulk, the
 * objects of one bulk get and of one bulk put, a divisor of the kernel's
 * @n (the objects kept per round). workloads/mempool_perf.c sets it.
 */
struct pb_mempool_perf_args {
	size_t bulk;
};

struct pb_million;

/*
 * struct pb_million_args - the million kernel's @wl: free @order
 * (PB_ORDER_*), second-half pre-fill (@fill), the time a round may take
 * (@limit_ns), and @state, the out-of-line slow paths' own (progress, the
 * pre-fill's objects, peak statistics; workloads/million.c).
 */
struct pb_million_args {
	unsigned int order;
	bool fill;
	uint64_t limit_ns;
	struct pb_million *state;
};

/* million: free orders. */
enum { PB_ORDER_IN_ORDER, PB_ORDER_ALTERNATING, PB_ORDER_REVERSE };

enum { PB_ROLE_PRODUCER = 0, PB_ROLE_CONSUMER = 1 };

/* Kernel results besides 0: alloc returned NULL; stopped because the peer failed. */
#define PB_KERNEL_ENOMEM (-1)
#define PB_KERNEL_EPEER (-2)
#define PB_KERNEL_ETIMEDOUT (-3)	/* million: a round outran limit_ns */

typedef void *(*pb_alloc_fn)(void *ctx);
typedef void (*pb_free_fn)(void *ctx, void *obj);
typedef size_t (*pb_alloc_bulk_fn)(void *ctx, void **objs, size_t n);
typedef void (*pb_free_bulk_fn)(void *ctx, void **objs, size_t n);

/*
 * The four operations a kernel is instantiated with; a kernel uses the ones
 * it needs. Passed by value of constant function pointers, so they inline.
 */
#define PB_KERNEL_OPS_PARAMS                                                   \
	pb_alloc_fn alloc, pb_free_fn free_, pb_alloc_bulk_fn alloc_bulk,      \
	pb_free_bulk_fn free_bulk
#define PB_KERNEL_UNUSED_BULK ((void)alloc_bulk, (void)free_bulk)
#define PB_KERNEL_UNUSED_SINGLE ((void)alloc, (void)free_)

/**
 * pb_kernel_touch() - write one byte of an object, as a real user would
 * @p: the object
 * @i: the byte's value (low 8 bits)
 */
static PB_ALWAYS_INLINE void pb_kernel_touch(void *p, uint64_t i)
{
	*(volatile unsigned char *)p = (unsigned char)i;
}

#define PB_ALLOC_RETRIES 64

/**
 * pb_alloc_retry() - the slow path of a NULL alloc in the kernels that
 * treat NULL as a failure
 * @ctx: the calling thread's backend context
 * @alloc: the backend's alloc
 *
 * Try again a few times, yielding, before giving up. A fixed pool with
 * per-CPU slots (objpool-*) walks its slots one after the other, so a walk
 * can find every slot empty while another thread frees into a slot it has
 * already passed: the pool was not exhausted, the walk raced a free. Every
 * NULL still counts in the backend's alloc_fails statistic. Out of line:
 * off the timed fast path.
 *
 * Return: an object, or NULL after PB_ALLOC_RETRIES tries.
 */
static __attribute__((noinline, unused)) void *
pb_alloc_retry(void *ctx, pb_alloc_fn alloc)
{
	for (int i = 0; i < PB_ALLOC_RETRIES; i++) {
		void *p;

		sched_yield();
		p = alloc(ctx);
		if (p)
			return p;
	}
	return NULL;
}

/**
 * pb_alloc_bulk_retry() - the slow path of a short bulk alloc on a fixed
 * pool (@a->retry_null), in the kernels that treat it as a failure
 * @ctx: the calling thread's backend context
 * @objs: the bulk's slots, the first @got of them filled
 * @n: the bulk size
 * @got: what the first bulk alloc returned
 * @alloc_bulk: the backend's bulk alloc
 *
 * As pb_alloc_retry(), for the rest of the bulk: a ring whose tail is
 * published after a concurrent free's copy (dpdk-ring in its RTS and HTS
 * modes, alf-mpmc) can show fewer free objects than the pool holds while
 * another thread is putting some back. Out of line: off the timed fast
 * path.
 *
 * Return: how many of the @n slots are filled (@n unless the pool really
 * stayed short for PB_ALLOC_RETRIES tries).
 */
static __attribute__((noinline, unused)) size_t
pb_alloc_bulk_retry(void *ctx, void **objs, size_t n, size_t got,
		    pb_alloc_bulk_fn alloc_bulk)
{
	for (int i = 0; i < PB_ALLOC_RETRIES && got < n; i++) {
		sched_yield();
		got += alloc_bulk(ctx, objs + got, n - got);
	}
	return got;
}

/*
 * pb_op_alloc(), pb_op_free() - one alloc (with a fixed pool's retry, see
 * pb_alloc_retry()) and one free, as every kernel below does them. @lat is
 * a compile-time constant: false in the timed kernels, which then hold no
 * trace of a clock (tests/harness/test_probes.sh reads their machine
 * code); true in their latency twins (pb_lat_kernel_*), which time each
 * operation between two readings of the latency clock
 * (harness/latclock.h) into the thread's histograms (harness/hist.h). A
 * NULL alloc's retry is inside its reading: that alloc took that long.
 */
static PB_ALWAYS_INLINE void *pb_op_alloc(void *ctx,
					  const struct pb_kernel_args *a,
					  pb_alloc_fn alloc, const bool lat)
{
	uint64_t t0 = lat ? pb_lat_start() : 0;
	void *p = alloc(ctx);

	if (unlikely(!p) && a->retry_null)
		p = pb_alloc_retry(ctx, alloc);
	if (lat)
		pb_hist_record(a->lat_alloc, pb_lat_end() - t0);
	return p;
}

static PB_ALWAYS_INLINE void pb_op_free(void *ctx,
					const struct pb_kernel_args *a,
					pb_free_fn free_, void *p, const bool lat)
{
	uint64_t t0 = lat ? pb_lat_start() : 0;

	free_(ctx, p);
	if (lat)
		pb_hist_record(a->lat_free, pb_lat_end() - t0);
}

/*
 * pb_loop_fastpath_reuse() - alloc one object, keep it live, free it at
 * once; @iters times. Return: 0, or PB_KERNEL_ENOMEM when an alloc
 * returned NULL.
 */
static PB_ALWAYS_INLINE int
pb_loop_fastpath_reuse(void *ctx, const struct pb_kernel_args *a,
		       uint64_t iters, pb_alloc_fn alloc, pb_free_fn free_,
		       const bool lat)
{
	const bool touch = a->touch;

	for (uint64_t i = 0; i < iters; i++) {
		void *p = pb_op_alloc(ctx, a, alloc, lat);

		if (unlikely(!p))
			return PB_KERNEL_ENOMEM;
		if (touch)
			pb_kernel_touch(p, i);
		pb_keep(p);
		pb_op_free(ctx, a, free_, p, lat);
	}
	return 0;
}

/**
 * pb_kernel_fastpath_reuse() - alloc one object, keep it live, free it at
 * once; @iters times
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments
 * @iters: iterations, alloc+free pairs
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * Return: 0, or PB_KERNEL_ENOMEM when an alloc returned NULL.
 */
static PB_ALWAYS_INLINE int
pb_kernel_fastpath_reuse(void *ctx, const struct pb_kernel_args *a,
			 uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	PB_KERNEL_UNUSED_BULK;
	return pb_loop_fastpath_reuse(ctx, a, iters, alloc, free_, false);
}

/*
 * pb_loop_ring_cleanup() - alloc @a->n objects, then free all of them in
 * allocation order; @iters / n rounds. Return: 0, or PB_KERNEL_ENOMEM when
 * an alloc returned NULL (the objects of the round freed, untimed).
 */
static PB_ALWAYS_INLINE int
pb_loop_ring_cleanup(void *ctx, const struct pb_kernel_args *a,
		     uint64_t iters, pb_alloc_fn alloc, pb_free_fn free_,
		     const bool lat)
{
	const size_t n = a->n;
	const bool touch = a->touch;
	void **ring = a->ring;

	for (uint64_t r = 0; r < iters / n; r++) {
		for (size_t i = 0; i < n; i++) {
			void *p = pb_op_alloc(ctx, a, alloc, lat);

			if (unlikely(!p)) {
				while (i--)
					free_(ctx, ring[i]);
				return PB_KERNEL_ENOMEM;
			}
			if (touch)
				pb_kernel_touch(p, i);
			ring[i] = p;
		}
		pb_keep(ring);
		for (size_t i = 0; i < n; i++)
			pb_op_free(ctx, a, free_, ring[i], lat);
	}
	return 0;
}

/**
 * pb_kernel_ring_cleanup() - NIC ring clean-up: alloc @a->n objects, then
 * free all of them in allocation order
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments
 * @iters: iterations, alloc+free pairs (a multiple of n: @iters / n rounds)
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * Return: 0, or PB_KERNEL_ENOMEM when an alloc returned NULL (the objects
 * of the round freed).
 */
static PB_ALWAYS_INLINE int
pb_kernel_ring_cleanup(void *ctx, const struct pb_kernel_args *a,
		       uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	PB_KERNEL_UNUSED_BULK;
	return pb_loop_ring_cleanup(ctx, a, iters, alloc, free_, false);
}

/**
 * pb_kernel_bulk() - bulk get/put: take @a->n objects with one bulk alloc,
 * give them back with one bulk free (DPDK's mempool get_bulk/put_bulk,
 * Brouer's bulkN)
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments
 * @iters: iterations, alloc+free pairs (a multiple of n: @iters / n rounds)
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * Return: 0, or PB_KERNEL_ENOMEM when a bulk alloc came back short, after
 * pb_alloc_bulk_retry() on a fixed pool (what
 * it got given back).
 */
static PB_ALWAYS_INLINE int
pb_kernel_bulk(void *ctx, const struct pb_kernel_args *a, uint64_t iters,
	       PB_KERNEL_OPS_PARAMS)
{
	const size_t n = a->n;
	const bool touch = a->touch;
	void **ring = a->ring;

	PB_KERNEL_UNUSED_SINGLE;
	for (uint64_t r = 0; r < iters / n; r++) {
		size_t got = alloc_bulk(ctx, ring, n);

		if (unlikely(got != n) && a->retry_null)
			got = pb_alloc_bulk_retry(ctx, ring, n, got, alloc_bulk);
		if (unlikely(got != n)) {
			free_bulk(ctx, ring, got);
			return PB_KERNEL_ENOMEM;
		}
		if (touch)
			for (size_t i = 0; i < n; i++)
				pb_kernel_touch(ring[i], i);
		pb_keep(ring);
		free_bulk(ctx, ring, n);
	}
	return 0;
}

/**
 * pb_kernel_mempool_perf() - DPDK's mempool_perf_autotest loop: get @a->n
 * objects (its n_keep) in bulks of @a->wl's @bulk (n_get_bulk), then put
 * them all back in bulks of the same size (n_put_bulk)
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments; @a->wl: struct pb_mempool_perf_args (NULL:
 *     one bulk of @a->n); @a->ring holds @a->n pointers
 * @iters: iterations, objects got and put (a multiple of n: @iters / n
 *     rounds)
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * The bulk must divide @a->n (the workload refuses other points). A round
 * gets bulks into consecutive slots of @a->ring and puts them back from
 * the same slots in the same order, as DPDK's test_loop() does; every
 * object is got once and put once, so one iteration is one alloc+free
 * pair and the rate is DPDK's rate_persec.
 *
 * Return: 0, or PB_KERNEL_ENOMEM when a bulk alloc came back short, after
 * pb_alloc_bulk_retry() on a fixed pool (everything the round got given
 * back).
 */
static PB_ALWAYS_INLINE int
pb_kernel_mempool_perf(void *ctx, const struct pb_kernel_args *a,
		       uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	const struct pb_mempool_perf_args *ma = a->wl;
	const size_t keep = a->n;
	const size_t bulk = ma ? ma->bulk : keep;
	const bool touch = a->touch;
	void **ring = a->ring;

	PB_KERNEL_UNUSED_SINGLE;
	for (uint64_t r = 0; r < iters / keep; r++) {
		size_t idx;

		for (idx = 0; idx < keep; idx += bulk) {
			size_t got = alloc_bulk(ctx, ring + idx, bulk);

			if (unlikely(got != bulk) && a->retry_null)
				got = pb_alloc_bulk_retry(ctx, ring + idx, bulk,
							  got, alloc_bulk);
			if (unlikely(got != bulk)) {
				free_bulk(ctx, ring, idx + got);
				return PB_KERNEL_ENOMEM;
			}
			if (touch)
				for (size_t i = 0; i < bulk; i++)
					pb_kernel_touch(ring[idx + i], i);
		}
		pb_keep(ring);
		for (idx = 0; idx < keep; idx += bulk)
			free_bulk(ctx, ring + idx, bulk);
	}
	return 0;
}

/*
 * pb_loop_remote_free() - the producer (even thread) allocates and hands
 * each object over through its queue; the consumer (odd thread) takes it
 * and frees it. Return: 0, PB_KERNEL_ENOMEM (the producer's alloc returned
 * NULL) or PB_KERNEL_EPEER (the consumer's producer stopped).
 */
static PB_ALWAYS_INLINE int
pb_loop_remote_free(void *ctx, const struct pb_kernel_args *a,
		    uint64_t iters, pb_alloc_fn alloc, pb_free_fn free_,
		    const bool lat)
{
	const struct pb_remote_free_args *ra = a->wl;
	struct pb_handover *ho = ra->ho;
	const bool touch = a->touch;

	if (ra->role == PB_ROLE_PRODUCER) {
		for (uint64_t i = 0; i < iters; i++) {
			void *p = pb_op_alloc(ctx, a, alloc, lat);

			if (unlikely(!p)) {
				pb_handover_abort(ho);
				return PB_KERNEL_ENOMEM;
			}
			if (touch)
				pb_kernel_touch(p, i);
			pb_handover_put(ho, p);
		}
		pb_handover_flush(ho);
		return 0;
	}
	for (uint64_t i = 0; i < iters; i++) {
		void *p = pb_handover_take(ho);

		if (unlikely(!p))
			return PB_KERNEL_EPEER;
		if (touch)
			pb_kernel_touch(p, i);
		pb_op_free(ctx, a, free_, p, lat);
	}
	return 0;
}

/**
 * pb_kernel_remote_free() - objects allocated by one thread and freed by
 * another (kretprobe instances, NIC TX completion)
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments; @a->wl: struct pb_remote_free_args
 * @iters: objects handed over, by either thread
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * The producer (even thread) allocates and hands each object over through
 * its queue; the consumer (odd thread, another CPU) takes it and frees it
 * into its own CPU's cache. A producer whose alloc fails tells the
 * consumer, which stops instead of waiting for ever.
 *
 * Return: 0, PB_KERNEL_ENOMEM (the producer's alloc returned NULL) or
 * PB_KERNEL_EPEER (the consumer's producer stopped).
 */
static PB_ALWAYS_INLINE int
pb_kernel_remote_free(void *ctx, const struct pb_kernel_args *a,
		      uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	PB_KERNEL_UNUSED_BULK;
	return pb_loop_remote_free(ctx, a, iters, alloc, free_, false);
}

/**
 * pb_kernel_overrun() - bulks of @a->n single allocs against a pool that
 * holds fewer objects per CPU (Linux test_objpool's overrun case)
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments; hits and misses go to @a->out
 * @iters: alloc attempts (a multiple of n)
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * A NULL is a miss, counted, not an error; then everything obtained is
 * freed.
 *
 * Return: 0.
 */
static PB_ALWAYS_INLINE int
pb_kernel_overrun(void *ctx, const struct pb_kernel_args *a, uint64_t iters,
		  PB_KERNEL_OPS_PARAMS)
{
	const size_t n = a->n;
	const bool touch = a->touch;
	void **ring = a->ring;
	uint64_t hits = 0, misses = 0;

	PB_KERNEL_UNUSED_BULK;
	for (uint64_t r = 0; r < iters / n; r++) {
		size_t got = 0;

		for (size_t i = 0; i < n; i++) {
			void *p = alloc(ctx);

			if (unlikely(!p)) {
				misses++;
				continue;
			}
			if (touch)
				pb_kernel_touch(p, i);
			ring[got++] = p;
		}
		pb_keep(ring);
		for (size_t i = 0; i < got; i++)
			free_(ctx, ring[i]);
		hits += got;
	}
	a->out->hits = hits;
	a->out->misses = misses;
	return 0;
}

/**
 * pb_now_ns() - CLOCK_MONOTONIC in ns: every timestamp the kernels and the
 * harness take (workloads/million.c)
 *
 * Return: the time in ns.
 */
uint64_t pb_now_ns(void);

/*
 * The million kernel's slow paths (workloads/million.c), out of line and
 * untimed. @a is the kernel's arguments, @a->wl its struct pb_million_args.
 */

/**
 * pb_million_tick() - look at the clock; print a progress line every 10 s
 * @a: the kernel's arguments
 * @deadline: when the round must end (pb_now_ns())
 * @phase: where the round is, for the messages ("alloc", "free", ...)
 * @done: objects done in @phase
 *
 * Return: true when past @deadline (@a->out->stopped says where).
 */
bool pb_million_tick(const struct pb_kernel_args *a, uint64_t deadline,
		     const char *phase, size_t done);

/**
 * pb_million_fill() - pre-fill the second half of every page
 * @ctx: the calling thread's backend context
 * @a: the kernel's arguments
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @deadline: when the round must end
 *
 * Return: 0, PB_KERNEL_ENOMEM or PB_KERNEL_ETIMEDOUT (everything freed).
 */
int pb_million_fill(void *ctx, const struct pb_kernel_args *a,
		    pb_alloc_fn alloc, pb_free_fn free_, uint64_t deadline);

/**
 * pb_million_unfill() - free the pre-fill's objects
 * @ctx: the calling thread's backend context
 * @a: the kernel's arguments
 * @free_: the backend's free
 */
void pb_million_unfill(void *ctx, const struct pb_kernel_args *a,
		       pb_free_fn free_);

/**
 * pb_million_peak() - read the backend's statistics with every object live
 * @a: the kernel's arguments; into @a->out's peak_* fields
 */
void pb_million_peak(const struct pb_kernel_args *a);

/**
 * pb_million_balance() - the backend's deferred work after a round
 * @a: the kernel's arguments
 */
void pb_million_balance(const struct pb_kernel_args *a);

/**
 * pb_thread_faults() - page faults the calling thread has taken so far
 *
 * Return: minor plus major faults.
 */
uint64_t pb_thread_faults(void);

/**
 * pb_rss_kib() - the process's resident set now (/proc/self/smaps_rollup,
 * else /proc/self/statm)
 * @kib: where it goes, in KiB
 *
 * Return: 0, or -1 when it cannot be read (@kib untouched).
 */
int pb_rss_kib(double *kib);

/**
 * pb_million_cleanup() - free what a round that stopped early holds
 * @ctx: the calling thread's backend context
 * @a: the kernel's arguments
 * @free_: the backend's free
 * @nr: the live objects in @a->ring[0..nr)
 */
void pb_million_cleanup(void *ctx, const struct pb_kernel_args *a,
			pb_free_fn free_, size_t nr);

/* How often (objects) the million kernel looks at the clock. */
#define PB_MILLION_TICK 1024u

/**
 * pb_million_index() - the index of the @i-th free in @order of @n objects
 * @order: PB_ORDER_*
 * @n: objects
 * @i: the free
 *
 * Return: the index into the ring.
 */
static PB_ALWAYS_INLINE size_t pb_million_index(unsigned int order, size_t n,
						size_t i)
{
	if (order == PB_ORDER_REVERSE)
		return n - 1 - i;
	if (order == PB_ORDER_ALTERNATING) {
		size_t evens = (n + 1) / 2;

		return i < evens ? 2 * i : 2 * (i - evens) + 1;
	}
	return i;
}

/**
 * pb_kernel_million() - seed 003's workload: one thread allocates @a->n
 * objects (2^20), then frees them all, timing the two phases apart
 * @ctx: the calling thread's backend context
 * @a: the thread's arguments; @a->wl: struct pb_million_args (the free
 *     order: in order; alternating: every even index, then every odd;
 *     reverse; the pre-fill; the round's time limit)
 * @iters: a multiple of n: @iters / n rounds
 * @alloc: the backend's alloc
 * @free_: the backend's free
 * @alloc_bulk: the backend's bulk alloc
 * @free_bulk: the backend's bulk free
 *
 * With fill set each round first pre-fills the second half of every page
 * (pb_million_fill, untimed). Every PB_MILLION_TICK objects it checks the
 * round's deadline; past it, it frees what is live (untimed).
 *
 * Return: 0, PB_KERNEL_ENOMEM or PB_KERNEL_ETIMEDOUT.
 */
static PB_ALWAYS_INLINE int
pb_kernel_million(void *ctx, const struct pb_kernel_args *a, uint64_t iters,
		  PB_KERNEL_OPS_PARAMS)
{
	const struct pb_million_args *ma = a->wl;
	const size_t n = a->n;
	const unsigned int order = ma->order;
	const bool touch = a->touch;
	void **ring = a->ring;
	struct pb_kernel_out *out = a->out;

	PB_KERNEL_UNUSED_BULK;
	for (uint64_t r = 0; r < iters / n; r++) {
		uint64_t deadline = pb_now_ns() + ma->limit_ns;
		uint64_t t0, t1, t2, f0, f1, f2;
		size_t i;
		int rc;

		if (ma->fill && (rc = pb_million_fill(ctx, a, alloc, free_, deadline)))
			return rc;
		f0 = pb_thread_faults();
		t0 = pb_now_ns();
		for (i = 0; i < n; i++) {
			void *p;

			if (unlikely(i % PB_MILLION_TICK == 0) &&
			    pb_million_tick(a, deadline, "alloc", i)) {
				pb_million_cleanup(ctx, a, free_, i);
				return PB_KERNEL_ETIMEDOUT;
			}
			p = alloc(ctx);
			if (unlikely(!p) && a->retry_null)
				p = pb_alloc_retry(ctx, alloc);
			if (unlikely(!p)) {
				pb_million_cleanup(ctx, a, free_, i);
				return PB_KERNEL_ENOMEM;
			}
			if (touch)
				pb_kernel_touch(p, i);
			ring[i] = p;
		}
		t1 = pb_now_ns();
		f1 = pb_thread_faults();
		if (r == 0)
			pb_million_peak(a);
		f2 = pb_thread_faults();
		t2 = pb_now_ns();
		for (i = 0; i < n; i++) {
			size_t k = pb_million_index(order, n, i);

			if (unlikely(i % PB_MILLION_TICK == 0) &&
			    pb_million_tick(a, deadline, "free", i)) {
				pb_million_cleanup(ctx, a, free_, n);
				return PB_KERNEL_ETIMEDOUT;
			}
			free_(ctx, ring[k]);
			ring[k] = NULL;
		}
		out->alloc_ns += t1 - t0;
		out->free_ns += pb_now_ns() - t2;
		out->phase_faults += (f1 - f0) + (pb_thread_faults() - f2);
		out->rounds++;
		if (ma->fill)
			pb_million_unfill(ctx, a, free_);
		/* The backend's deferred work (chunk release), untimed. */
		pb_million_balance(a);
	}
	return 0;
}

/*
 * The latency kernels: the timed kernels' own loops (pb_loop_*) with @lat
 * true, each alloc and each free between two readings of the latency
 * clock, recorded in the thread's histograms. They run only in a latency
 * run (--latency, harness/probes.c), never where ns per pair is measured.
 * Same arguments and return values as their timed twins above.
 */
static PB_ALWAYS_INLINE int
pb_lat_kernel_fastpath_reuse(void *ctx, const struct pb_kernel_args *a,
			     uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	PB_KERNEL_UNUSED_BULK;
	return pb_loop_fastpath_reuse(ctx, a, iters, alloc, free_, true);
}

static PB_ALWAYS_INLINE int
pb_lat_kernel_ring_cleanup(void *ctx, const struct pb_kernel_args *a,
			   uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	PB_KERNEL_UNUSED_BULK;
	return pb_loop_ring_cleanup(ctx, a, iters, alloc, free_, true);
}

static PB_ALWAYS_INLINE int
pb_lat_kernel_remote_free(void *ctx, const struct pb_kernel_args *a,
			  uint64_t iters, PB_KERNEL_OPS_PARAMS)
{
	PB_KERNEL_UNUSED_BULK;
	return pb_loop_remote_free(ctx, a, iters, alloc, free_, true);
}

/* X(kernel, ...): every kernel above, by name. */
#define PB_KERNEL_LIST(X, ...)                                                 \
	X(fastpath_reuse, __VA_ARGS__) X(ring_cleanup, __VA_ARGS__)            \
	X(bulk, __VA_ARGS__) X(remote_free, __VA_ARGS__)                       \
	X(overrun, __VA_ARGS__) X(million, __VA_ARGS__)                        \
	X(mempool_perf, __VA_ARGS__)

#define PB_KERNEL_ENUM(kname, ...) PB_KERNEL_##kname,
enum pb_kernel_id { PB_KERNEL_LIST(PB_KERNEL_ENUM, _) PB_KERNEL__COUNT };

/* A kernel instantiated for one backend: one indirect call per batch. */
typedef int (*pb_kernel_fn)(void *ctx, const struct pb_kernel_args *args,
			    uint64_t iterations);

#define PB_KERNEL_INSTANCE(kname, sym, a_fn, f_fn, ab_fn, fb_fn)              \
	static int sym##_kernel_##kname(void *ctx,                             \
					const struct pb_kernel_args *a,        \
					uint64_t iters)                        \
	{                                                                      \
		return pb_kernel_##kname(ctx, a, iters, a_fn, f_fn, ab_fn,     \
					 fb_fn);                               \
	}
#define PB_KERNEL_SLOT(kname, sym, a_fn, f_fn, ab_fn, fb_fn)                   \
	[PB_KERNEL_##kname] = sym##_kernel_##kname,

/* X(kernel, ...): the kernels that have a latency twin above. */
#define PB_LAT_KERNEL_LIST(X, ...)                                             \
	X(fastpath_reuse, __VA_ARGS__) X(ring_cleanup, __VA_ARGS__)            \
	X(remote_free, __VA_ARGS__)

#define PB_LAT_KERNEL_INSTANCE(kname, sym, a_fn, f_fn, ab_fn, fb_fn)          \
	static int sym##_lat_kernel_##kname(void *ctx,                         \
					    const struct pb_kernel_args *a,    \
					    uint64_t iters)                    \
	{                                                                      \
		return pb_lat_kernel_##kname(ctx, a, iters, a_fn, f_fn, ab_fn, \
					     fb_fn);                           \
	}
#define PB_LAT_KERNEL_SLOT(kname, sym, a_fn, f_fn, ab_fn, fb_fn)               \
	[PB_KERNEL_##kname] = sym##_lat_kernel_##kname,

/*
 * sym_kernels[kernel]: the timed kernels; sym_lat_kernels[kernel]: their
 * latency twins, NULL for a kernel without one.
 */
#define PB_KERNELS_INSTANTIATE(sym, a_fn, f_fn, ab_fn, fb_fn)                  \
	PB_KERNEL_LIST(PB_KERNEL_INSTANCE, sym, a_fn, f_fn, ab_fn, fb_fn)      \
	static const pb_kernel_fn sym##_kernels[PB_KERNEL__COUNT] = {          \
		PB_KERNEL_LIST(PB_KERNEL_SLOT, sym, a_fn, f_fn, ab_fn, fb_fn)  \
	};                                                                     \
	PB_LAT_KERNEL_LIST(PB_LAT_KERNEL_INSTANCE, sym, a_fn, f_fn, ab_fn,     \
			   fb_fn)                                              \
	static const pb_kernel_fn sym##_lat_kernels[PB_KERNEL__COUNT] = {      \
		PB_LAT_KERNEL_LIST(PB_LAT_KERNEL_SLOT, sym, a_fn, f_fn, ab_fn, \
				   fb_fn)                                      \
	};

#endif /* PB_WORKLOADS_KERNELS_H */
