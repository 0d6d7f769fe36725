// SPDX-License-Identifier: GPL-2.0-only
/*
 * million.c - seed 003's workload: one thread allocates `count` (2^20)
 * objects of one size, then frees them all in one of three orders, the
 * alloc and the free phase timed apart (alloc_ms, free_ms per round).
 *   order  in-order, alternating (every even index, then every odd) or
 *          reverse; all three run unless --param million.order= names some.
 *   fill   second-half: before each round (untimed), the second half of
 *          every 4 KiB page is pre-filled: objects are allocated until
 *          `count` of them start in the first half of a page, and those
 *          are freed; the ones in second halves stay live through the
 *          round. A first-fit percpu allocator must then skip the full
 *          second halves: the seed's "second half filled" case.
 *   limit_s a round (pre-fill, alloc, free) that runs longer stops, frees
 *          what it holds, and the case is recorded as "did not finish
 *          within N s": never dropped, never estimated.
 * The seed's aligned case is this workload with --size 4 --align 8.
 * Sizes default to the seed's 4, 16, 64, 256, 1024 B. Progress lines go
 * to stderr every 10 s of a long round. The backend's metadata_bytes and
 * chunks are read with every object live (metadata_per_obj, chunks_peak).
 *
 * This file also holds the kernel's out-of-line slow paths, its hooks
 * (each worker's struct pb_million_args, the peak statistics, the
 * backend's deferred work after each round) and the clock every kernel
 * and the harness read, pb_now_ns() (kernels.h).
 *
 * Calls only kernels.h and options.h (workload.h), and in its hooks the
 * backend they are given; registered by PB_WORKLOAD_REGISTER, called by
 * the harness through struct pb_workload and by the million kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "allocators/backend.h"
#include "workloads/million.h"
#include "workloads/workload.h"

#define PAGE 4096u
#define PROGRESS_NS (10ull * 1000000000ull)

struct pb_million {
	char label[256];
	pb_million_peak_fn peak;
	pb_million_balance_fn balance;
	void *arg;
	uint64_t last_progress;	/* ns of the last progress line; 0: none yet */
	void **kept;		/* pre-fill objects in second halves */
	size_t nr_kept, cap_kept;
};

struct pb_million *pb_million_new(const char *label, pb_million_peak_fn peak,
				  pb_million_balance_fn balance, void *arg)
{
	struct pb_million *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	snprintf(m->label, sizeof(m->label), "%s", label);
	m->peak = peak;
	m->balance = balance;
	m->arg = arg;
	return m;
}

/* The slow paths' state of the worker whose arguments are @a. */
static struct pb_million *state(const struct pb_kernel_args *a)
{
	return ((const struct pb_million_args *)a->wl)->state;
}

void pb_million_balance(const struct pb_kernel_args *a)
{
	struct pb_million *m = state(a);

	if (m && m->balance)
		m->balance(m->arg);
}

void pb_million_free(struct pb_million *m)
{
	if (m)
		free(m->kept);
	free(m);
}

/*
 * Page faults (minor and major) the calling thread has taken so far: read
 * around the million kernel's timed phases, never inside them.
 */
uint64_t pb_thread_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

/*
 * The RSS: smaps_rollup's, counted page by page when it is read (exact);
 * statm's where it is missing (Linux < 4.14), from the kernel's RSS
 * counters, which are per-CPU since Linux 6.2 and can be off by a few
 * hundred KiB.
 */
int pb_rss_kib(double *kib)
{
	unsigned long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	int n;

	if (f) {
		int rc = -1;

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Rss: %lu kB", &resident) == 1) {
				*kib = (double)resident;
				rc = 0;
				break;
			}
		fclose(f);
		if (!rc)
			return 0;
	}
	f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	if (n != 2 || page <= 0)
		return -1;
	*kib = (double)resident * (double)page / 1024.0;
	return 0;
}

uint64_t pb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool pb_million_tick(const struct pb_kernel_args *a, uint64_t deadline,
		     const char *phase, size_t done)
{
	const struct pb_million_args *ma = a->wl;
	struct pb_million *m = ma->state;
	uint64_t now = pb_now_ns();
	uint64_t start = deadline - ma->limit_ns;

	if (now >= deadline) {
		snprintf(a->out->stopped, sizeof(a->out->stopped),
			 "%s: %zu of %zu objects", phase, done, a->n);
		return true;
	}
	if (now - start >= PROGRESS_NS &&
	    (!m->last_progress || now - m->last_progress >= PROGRESS_NS)) {
		fprintf(stderr, "poolbench:   ... %s: %s %zu of %zu objects, "
			"%.0f s of %.0f s\n", m->label, phase, done, a->n,
			(double)(now - start) / 1e9, (double)ma->limit_ns / 1e9);
		m->last_progress = now;
	}
	return false;
}

static int keep(struct pb_million *m, void *p)
{
	if (m->nr_kept == m->cap_kept) {
		size_t cap = m->cap_kept ? 2 * m->cap_kept : 4096;
		void **k = realloc(m->kept, cap * sizeof(*k));

		if (!k)
			return -1;
		m->kept = k;
		m->cap_kept = cap;
	}
	m->kept[m->nr_kept++] = p;
	return 0;
}

/*
 * Allocate until a->n objects start in a page's first half, free those,
 * keep the rest. It stops early, with fewer holes, after 4n tries (an
 * allocator whose objects never land in a first half) or when alloc
 * returns NULL (a fixed pool holds 2n objects). The holes wait in a->ring.
 * Return: 0, PB_KERNEL_ENOMEM (no memory for the list of kept objects) or
 * PB_KERNEL_ETIMEDOUT (past @deadline); everything is freed then.
 */
int pb_million_fill(void *ctx, const struct pb_kernel_args *a,
		    pb_alloc_fn alloc, pb_free_fn free_, uint64_t deadline)
{
	struct pb_million *m = state(a);
	size_t holes = 0;

	m->nr_kept = 0;
	for (size_t tries = 0; holes < a->n && tries < 4 * a->n; tries++) {
		void *p;

		if (tries % PB_MILLION_TICK == 0 &&
		    pb_million_tick(a, deadline, "second-half pre-fill", tries)) {
			while (holes)
				free_(ctx, a->ring[--holes]);
			pb_million_unfill(ctx, a, free_);
			return PB_KERNEL_ETIMEDOUT;
		}
		p = alloc(ctx);
		if (!p)
			break;
		if ((uintptr_t)p % PAGE >= PAGE / 2 && keep(m, p)) {
			free_(ctx, p);
			while (holes)
				free_(ctx, a->ring[--holes]);
			pb_million_unfill(ctx, a, free_);
			snprintf(a->out->stopped, sizeof(a->out->stopped),
				 "second-half pre-fill: out of memory for its list");
			return PB_KERNEL_ENOMEM;
		}
		if ((uintptr_t)p % PAGE < PAGE / 2)
			a->ring[holes++] = p;
	}
	/* In allocation order: the holes the timed round will fill first. */
	for (size_t i = 0; i < holes; i++) {
		free_(ctx, a->ring[i]);
		a->ring[i] = NULL;
	}
	return 0;
}

/* Free the kept pre-fill objects, newest first (the cheap order for a map). */
void pb_million_unfill(void *ctx, const struct pb_kernel_args *a,
		       pb_free_fn free_)
{
	struct pb_million *m = state(a);

	while (m->nr_kept)
		free_(ctx, m->kept[--m->nr_kept]);
}

void pb_million_peak(const struct pb_kernel_args *a)
{
	struct pb_million *m = state(a);

	if (m->peak)
		m->peak(m->arg, a->out);
	/* The memory probe's live reading: the round's objects and the kept. */
	a->out->peak_rss_ok = !pb_rss_kib(&a->out->peak_rss_kib);
	a->out->peak_live = a->n + m->nr_kept;
}

/* A round that stopped early: free what is live in ring[0..nr), newest first. */
void pb_million_cleanup(void *ctx, const struct pb_kernel_args *a,
			pb_free_fn free_, size_t nr)
{
	while (nr--) {
		if (a->ring[nr])
			free_(ctx, a->ring[nr]);
		a->ring[nr] = NULL;
	}
	if (((const struct pb_million_args *)a->wl)->fill)
		pb_million_unfill(ctx, a, free_);
}

/* ---- the workload ------------------------------------------------------ */

static const char *const million_orders[] = { "in-order", "alternating",
					      "reverse", NULL };
static const char *const million_fills[] = { "none", "second-half", NULL };
static const size_t million_sizes[] = { 4, 16, 64, 256, 1024, 0 };

static const struct pb_option_spec million_params[] = {
	{ .key = "count", .type = PB_OPT_UINT, .def = 1u << 20, .min = 1,
	  .max = UINT64_C(1) << 28,
	  .help = "objects allocated, then all freed (seed: 2^20)" },
	{ .key = "order", .type = PB_OPT_ENUM, .def = PB_ORDER_IN_ORDER,
	  .choices = million_orders, .sweep = million_orders,
	  .help = "free order: in-order, alternating, reverse (default: all three)" },
	{ .key = "fill", .type = PB_OPT_ENUM, .def = 0, .choices = million_fills,
	  .help = "second-half: pre-fill the second half of every page" },
	{ .key = "limit_s", .type = PB_OPT_UINT, .def = 120, .min = 1,
	  .max = 86400,
	  .help = "seconds a round may take before it is recorded as not finished" },
	PB_PARAM_TOUCH,
	{ 0 }
};

static int million_prepare(const uint64_t *values,
			   struct pb_workload_point *p, char *err,
			   size_t errlen)
{
	(void)err;
	(void)errlen;
	p->n = values[0];
	p->touch = values[4];
	/* The pre-fill holds up to as many objects again (fixed pools). */
	p->capacity = values[2] ? 2 * p->n : p->n;
	return 0;
}

/*
 * A round runs as long as it takes, guessed at 1 us per object (the area
 * map's worst at 2^20 is ~3 us, most cases far less), at most limit_s.
 */
static void million_round_time(const uint64_t *values, double *guess_s,
			       double *limit_s)
{
	*guess_s = (double)values[0] * 1e-6 + 0.01;
	*limit_s = (double)values[3];
}

/* The backend's levels with every object live (first round). */
static void million_peak(void *arg, struct pb_kernel_out *out)
{
	const struct pb_workload_run *run = arg;
	struct pb_stats s = { 0 };

	run->backend->stats(run->pool, &s);
	out->peak_metadata_ok = pb_stats_has(&s, PB_STAT_metadata_bytes);
	out->peak_metadata = s.v[PB_STAT_metadata_bytes];
	out->peak_chunks_ok = pb_stats_has(&s, PB_STAT_chunks);
	out->peak_chunks = s.v[PB_STAT_chunks];
	/* The memory probe's cached_objs, at the same moment as its RSS. */
	out->peak_cached_ok = pb_stats_has(&s, PB_STAT_cached) ||
			      pb_stats_has(&s, PB_STAT_reserve_level);
	out->peak_cached = s.v[PB_STAT_cached] + s.v[PB_STAT_reserve_level];
}

/* The backend's deferred work, after each round (untimed). */
static void million_balance(void *arg)
{
	const struct pb_workload_run *run = arg;

	if (run->backend->balance)
		run->backend->balance(run->pool);
}

static int million_thread_setup(struct pb_workload_run *run, unsigned int ti,
				struct pb_kernel_args *a, char *err,
				size_t errlen)
{
	struct pb_million_args *ma = calloc(1, sizeof(*ma));

	(void)ti;
	a->wl = ma;
	if (ma) {
		ma->order = (unsigned int)run->values[1];
		ma->fill = run->values[2];
		ma->limit_ns = run->values[3] * 1000000000ull;
		ma->state = pb_million_new(run->name, million_peak,
					   million_balance, run);
	}
	if (!ma || !ma->state) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void million_thread_teardown(struct pb_workload_run *run,
				    unsigned int ti, struct pb_kernel_args *a)
{
	struct pb_million_args *ma = a->wl;

	(void)run;
	(void)ti;
	if (ma)
		pb_million_free(ma->state);
	free(ma);
	a->wl = NULL;
}

PB_WORKLOAD_REGISTER(million,
	.name = "million",
	.description = "one thread allocs count (2^20) objects, frees them in "
		       "order, alternating or reverse; alloc ms and free ms",
	.kernel = PB_KERNEL_million,
	.params = million_params,
	.prepare = million_prepare,
	.round_time = million_round_time,
	.thread_setup = million_thread_setup,
	.thread_teardown = million_thread_teardown,
	.times_phases = true,
	.single_thread = true,
	.sizes = million_sizes,
)
