// SPDX-License-Identifier: GPL-2.0-only
/*
 * runner.c - plan a run, execute it under Google Benchmark, collect rows.
 *
 * Planning turns the command line into instances (run.h) and checks every
 * name, key and value against the registries, and every backend
 * configuration by creating and destroying a pool once: a bad input stops
 * the run before anything is measured, with exit status 2.
 *
 * The benchmark body runs in each of an instance's threads, for every run
 * Google Benchmark makes (its iteration-count trials and each repetition):
 *
 *   thread 0: create the pool, snapshot its stats       } not timed
 *   all:      barrier; pin to the PU of the placement;  }
 *             thread_init(pool, slot); open counters    }
 *   all:      one batch: start counters, clock, kernel(ctx, args, iters),
 *             clock, stop counters                        timed
 *   all:      read counters; thread_fini; barrier       } not timed
 *   thread 0: snapshot stats, destroy the pool, derive the per-op figures
 *             and set them as counters of the run
 *
 * The kernel is the backend's own instantiation (PB_BACKEND_REGISTER), so
 * the only indirect call is the one per batch. A failed alloc, a failed pin
 * or a failed create marks the run as an error: Google Benchmark reports it
 * and the results keep a row for it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/gbshim.h"
#include "harness/run.h"
#include "harness/runner.h"
#include "workloads/million.h"

/* Google Benchmark's min_time for phase-timed workloads: one round. */
#define PB_PHASED_MIN_TIME 1e-6

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("poolbench");
		exit(1);
	}
	return p;
}

/* ---- the benchmark body ---------------------------------------------- */

static void body_setup(struct pb_instance *in)
{
	char err[200] = "";

	in->error[0] = '\0';
	in->pool = NULL;
	atomic_store(&in->start_failed, false);
	memset(in->tr, 0, in->threads * sizeof(*in->tr));
	memset(&in->stats_before, 0, sizeof(in->stats_before));
	if (in->kernel == PB_KERNEL_remote) {
		size_t size = 1;

		while (size < in->proto.n)
			size <<= 1;
		for (unsigned int i = 0; i < in->threads / 2; i++) {
			if (pb_handover_init(&in->ho[i], size)) {
				snprintf(in->error, sizeof(in->error),
					 "out of memory for the hand-over queues");
				return;
			}
		}
	}
	if (in->backend->create(&in->cfg, &in->pool, err, sizeof(err))) {
		snprintf(in->error, sizeof(in->error), "create failed: %s", err);
		in->pool = NULL;
		return;
	}
	in->backend->stats(in->pool, &in->stats_before);
}

/* Operations of a run: thread iterations over the threads sharing one. */
static uint64_t ops_of(const struct pb_instance *in, uint64_t iterations)
{
	unsigned int per = in->workload->threads_per_op;

	return per > 1 ? iterations / per : iterations;
}

static void set_perf_counters(struct pb_gb_state *st, struct pb_instance *in)
{
	const struct pb_perf_probe *pr = in->probe;
	double running = 1.0;
	bool any = false;

	for (unsigned int e = 0; e < pr->nr_events; e++) {
		double sum = 0;
		bool all = true;
		char name[64];

		if (!pr->events[e].available)
			continue;
		any = true;
		for (unsigned int t = 0; t < in->threads; t++) {
			const struct pb_thread_result *r = &in->tr[t];

			if (!r->perf_ok || !r->perf.counted[e]) {
				all = false;
				break;
			}
			sum += r->perf.value[e] / (double)r->iterations;
		}
		snprintf(name, sizeof(name), PB_CNT_PERF_PREFIX "%s",
			 pr->events[e].name);
		/* Not counted in some thread: NaN, never a made-up number. */
		pb_gb_set_counter(st, name, all ? sum / in->threads : NAN);
	}
	if (!any)
		return;
	for (unsigned int t = 0; t < in->threads; t++)
		if (in->tr[t].perf_ok && in->tr[t].perf.running_fraction < running)
			running = in->tr[t].perf.running_fraction;
	pb_gb_set_counter(st, PB_CNT_PERF_RUNNING, running);
}

static void set_stat_counters(struct pb_gb_state *st, struct pb_instance *in,
			      uint64_t total)
{
	struct pb_stats after = { 0 };

	in->backend->stats(in->pool, &after);
	for (int i = 0; i < PB_STAT__COUNT; i++) {
		char name[64];
		double v;

		if (!pb_stats_has(&after, i))
			continue;
		if (pb_stat_kind(i) == PB_STAT_EVENTS)
			v = (double)(after.v[i] - in->stats_before.v[i]) /
			    (double)total;
		else
			v = (double)after.v[i];
		snprintf(name, sizeof(name), PB_CNT_STAT_PREFIX "%s",
			 pb_stat_name(i));
		pb_gb_set_counter(st, name, v);
	}
}

/*
 * A kernel that times its phases (million, one thread): time per op is
 * the two phases' time over the objects, without the untimed pre-fill;
 * alloc_ms, free_ms and the page faults taken in those two phases are per
 * round; the peak statistics per object.
 */
static void set_phase_counters(struct pb_gb_state *st, struct pb_instance *in)
{
	const struct pb_kernel_out *o = &in->tr[0].out;
	double objs = (double)o->rounds * (double)in->proto.n;
	double ns = (double)(o->alloc_ns + o->free_ns);

	pb_gb_set_counter(st, PB_CNT_NS_PER_OP, ns / objs);
	pb_gb_set_counter(st, PB_CNT_OPS_PER_SEC, objs * 1e9 / ns);
	pb_gb_set_counter(st, PB_CNT_ALLOC_MS,
			  (double)o->alloc_ns / 1e6 / (double)o->rounds);
	pb_gb_set_counter(st, PB_CNT_FREE_MS,
			  (double)o->free_ns / 1e6 / (double)o->rounds);
	pb_gb_set_counter(st, PB_CNT_PHASE_FAULTS,
			  (double)o->phase_faults / (double)o->rounds);
	if (o->peak_metadata_ok)
		pb_gb_set_counter(st, PB_CNT_META_PER_OBJ,
				  (double)o->peak_metadata / (double)in->proto.n);
	if (o->peak_chunks_ok)
		pb_gb_set_counter(st, PB_CNT_CHUNKS_PEAK, (double)o->peak_chunks);
}

/* million: the backend's levels with every object live (first round). */
static void million_peak(void *arg, struct pb_kernel_out *out)
{
	struct pb_instance *in = arg;
	struct pb_stats s = { 0 };

	in->backend->stats(in->pool, &s);
	out->peak_metadata_ok = pb_stats_has(&s, PB_STAT_metadata_bytes);
	out->peak_metadata = s.v[PB_STAT_metadata_bytes];
	out->peak_chunks_ok = pb_stats_has(&s, PB_STAT_chunks);
	out->peak_chunks = s.v[PB_STAT_chunks];
}

static void body_finish(struct pb_gb_state *st, struct pb_instance *in)
{
	uint64_t total = 0, first = UINT64_MAX, last = 0;
	double per_thread = 0;
	size_t off = 0;
	bool failed = in->error[0] != '\0';

	for (unsigned int t = 0; t < in->threads; t++) {
		const struct pb_thread_result *r = &in->tr[t];

		if (r->error[0])
			failed = true;
		off += (size_t)snprintf(in->pus + off,
					off < sizeof(in->pus) ? sizeof(in->pus) - off : 0,
					"%s%d", t ? ";" : "", r->cpu);
	}
	/*
	 * Every worker has left its timed batch: the deferred work the kernel
	 * would have done meanwhile from a worker runs now, untimed, before
	 * the statistics are read.
	 */
	if (in->pool && in->backend->balance)
		in->backend->balance(in->pool);
	if (!failed) {
		for (unsigned int t = 0; t < in->threads; t++) {
			const struct pb_thread_result *r = &in->tr[t];

			total += r->iterations;
			per_thread += (double)(r->t1_ns - r->t0_ns) /
				      (double)r->iterations;
			if (r->t0_ns < first)
				first = r->t0_ns;
			if (r->t1_ns > last)
				last = r->t1_ns;
		}
		if (in->workload->times_phases)
			set_phase_counters(st, in);
		else {
			pb_gb_set_counter(st, PB_CNT_NS_PER_OP,
					  per_thread / in->threads);
			pb_gb_set_counter(st, PB_CNT_OPS_PER_SEC,
					  (double)ops_of(in, total) * 1e9 /
					  (double)(last - first));
		}
		set_perf_counters(st, in);
		set_stat_counters(st, in, ops_of(in, total));
		if (in->workload->counts_hits) {
			uint64_t hits = 0, misses = 0;

			for (unsigned int t = 0; t < in->threads; t++) {
				hits += in->tr[t].out.hits;
				misses += in->tr[t].out.misses;
			}
			pb_gb_set_counter(st, PB_CNT_HITS,
					  (double)hits / (double)ops_of(in, total));
			pb_gb_set_counter(st, PB_CNT_MISSES,
					  (double)misses / (double)ops_of(in, total));
		}
	}
	if (in->pool)
		in->backend->destroy(in->pool);
	in->pool = NULL;
	if (in->kernel == PB_KERNEL_remote)
		for (unsigned int i = 0; i < in->threads / 2; i++)
			pb_handover_destroy(&in->ho[i]);
}

/*
 * The kernel's per-thread scratch array (2^20 pointers for million),
 * zeroed and with every page already written: its first touches must not
 * land in a timed phase as page faults. A memset of calloc'd memory may be
 * optimised away, so every page takes a volatile store.
 */
static void **scratch_alloc(size_t n)
{
	void **p = calloc(n ? n : 1, sizeof(void *));
	size_t bytes = (n ? n : 1) * sizeof(void *);
	long page = sysconf(_SC_PAGESIZE);
	size_t step = page > 0 ? (size_t)page : 4096;

	if (!p)
		return NULL;
	/* The block need not start on a page: its last byte may be on one more. */
	for (size_t off = 0; off < bytes; off += step)
		((volatile unsigned char *)p)[off] = 0;
	((volatile unsigned char *)p)[bytes - 1] = 0;
	return p;
}

/* million: the backend's deferred work, after each round (untimed). */
static void million_balance(void *arg)
{
	struct pb_instance *in = arg;

	if (in->backend->balance)
		in->backend->balance(in->pool);
}

/* One worker's part of a run; returns with its batch closed. */
static void body_worker(struct pb_gb_state *st, struct pb_instance *in,
			unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];
	struct pb_kernel_args args = in->proto;
	struct pb_perf_thread perf;
	pb_kernel_fn kernel = in->backend->kernels[in->kernel];
	uint64_t iters;
	void *ctx = NULL;
	bool perf_open = false;

	r->cpu = -1;
	if (in->error[0]) {
		pb_gb_error(st, in->error);
		goto skip;
	}
	if (in->dnf[0]) {
		pb_gb_error(st, in->dnf);
		goto skip;
	}
	if (pb_topo_bind_self(in->topo, in->slots[ti], r->error,
			      sizeof(r->error)))
		goto fail;
	r->cpu = sched_getcpu();
	args.ring = scratch_alloc(args.n);
	if (!args.ring) {
		snprintf(r->error, sizeof(r->error), "thread %u: out of memory", ti);
		goto fail;
	}
	args.out = &r->out;
	args.retry_null = in->backend->flags & PB_BACKEND_FIXED;
	if (in->kernel == PB_KERNEL_remote) {
		args.ho = &in->ho[ti / 2];
		args.role = ti % 2 ? PB_ROLE_CONSUMER : PB_ROLE_PRODUCER;
	}
	if (in->kernel == PB_KERNEL_million) {
		args.million = pb_million_new(in->name, million_peak,
					      million_balance, in);
		if (!args.million) {
			snprintf(r->error, sizeof(r->error),
				 "thread %u: out of memory", ti);
			goto fail;
		}
	}
	ctx = in->backend->thread_init(in->pool, in->slots[ti]);
	if (!ctx) {
		char why[256];

		pb_thread_init_why(why, sizeof(why));
		snprintf(r->error, sizeof(r->error), "thread %u: thread_init(cpu "
			 "%u) failed%s%.160s", ti, in->slots[ti], why[0] ? ": " : "",
			 why);
		goto fail;
	}
	perf_open = !pb_perf_thread_open(in->probe, &perf);

	/* Whole rounds of the kernel, at least what Google Benchmark asks. */
	iters = pb_gb_max_iterations(st);
	iters = (iters + args.n - 1) / args.n * args.n;
	if (pb_gb_begin(st, iters)) {
		int rc;

		/*
		 * Past Google Benchmark's start barrier every thread's set-up
		 * is done: if one failed, nobody runs (a remote-free partner
		 * would wait for it for ever).
		 */
		if (atomic_load(&in->start_failed)) {
			snprintf(r->error, sizeof(r->error), "thread %u: not run: "
				 "another thread of this run failed to start", ti);
			pb_gb_error(st, r->error);
			pb_gb_end(st);
			goto done;
		}
		if (perf_open)
			pb_perf_thread_start(&perf);
		r->t0_ns = pb_now_ns();
		rc = kernel(ctx, &args, iters);
		r->t1_ns = pb_now_ns();
		if (perf_open)
			pb_perf_thread_stop(&perf);
		r->iterations = iters;
		if (rc == PB_KERNEL_EPEER) {
			/*
			 * Kept for this thread's record only: Google Benchmark
			 * keeps the first message it is given, and the root
			 * cause is the producer's, which always reports it.
			 */
			snprintf(r->error, sizeof(r->error),
				 "thread %u: stopped: its producer's alloc failed",
				 ti);
		} else if (rc == PB_KERNEL_ETIMEDOUT) {
			snprintf(r->error, sizeof(r->error),
				 "did not finish within %llu s (stopped in %s)",
				 (unsigned long long)(args.limit_ns / 1000000000u),
				 r->out.stopped);
			snprintf(in->dnf, sizeof(in->dnf), "%s", r->error);
			pb_gb_error(st, r->error);
		} else if (rc) {
			snprintf(r->error, sizeof(r->error),
				 "thread %u: alloc returned NULL (%s, %zu live "
				 "objects per thread%s%s)", ti, in->backend->name,
				 args.n, r->out.stopped[0] ? "; " : "",
				 r->out.stopped);
			pb_gb_error(st, r->error);
		}
		pb_gb_end(st);
	}
done:
	if (perf_open) {
		r->perf_ok = !pb_perf_thread_read(&perf, &r->perf);
		pb_perf_thread_close(&perf);
	}
	in->backend->thread_fini(in->pool, ctx);
	free(args.ring);
	pb_million_free(args.million);
	return;

fail:
	/* Every thread that cannot run marks its own state: the batch is skipped. */
	atomic_store(&in->start_failed, true);
	pb_gb_error(st, r->error);
	if (ctx)
		in->backend->thread_fini(in->pool, ctx);
	free(args.ring);
	pb_million_free(args.million);
skip:
	if (pb_gb_begin(st, 1))
		pb_gb_end(st);
}

static void bench_body(struct pb_gb_state *st, void *arg)
{
	struct pb_instance *in = arg;
	unsigned int ti = (unsigned int)pb_gb_thread_index(st);

	if (ti == 0)
		body_setup(in);
	pthread_barrier_wait(&in->barrier);
	body_worker(st, in, ti);
	pthread_barrier_wait(&in->barrier);
	if (ti == 0)
		body_finish(st, in);
}

/* ---- progress ------------------------------------------------------------ */

/*
 * Seconds an instance should take: Google Benchmark's iteration-count
 * trials cost about 1.5 repetitions more; a million round runs as long as
 * it takes, guessed at 1 us per object (the area map's worst at 2^20 is
 * ~3 us, most cases far less), at most its limit_s.
 */
double pb_instance_estimate(const struct pb_instance *in, int reps,
			    double min_time, bool *open_ended)
{
	*open_ended = in->workload->times_phases;
	if (in->workload->times_phases) {
		double round = (double)in->proto.n * 1e-6 + 0.01;
		double limit = (double)in->proto.limit_ns / 1e9;

		if (limit > 0 && round > limit)
			round = limit;
		return reps * round;
	}
	return (reps + 1.5) * min_time + 0.02;
}

/*
 * The progress line of each finished instance: "[k/N] elapsed, ETA". In
 * an isolated run's child, k0, N and the clock come from the parent
 * (--progress k0:N:t0_ns:done_est:total_est) so the line counts over the
 * whole run; the ETA scales the estimate of what is left by how the
 * estimate compared with the clock so far.
 */
struct progress {
	size_t k, n;
	uint64_t t0_ns;
	double done_est, total_est;
	const struct pb_instance *last;
};

static struct progress progress;

static void progress_init(const struct pb_run *r)
{
	const struct pb_run_opts *o = r->opts;
	unsigned long long k0, n, t0;
	double done, total;

	memset(&progress, 0, sizeof(progress));
	if (o->progress && sscanf(o->progress, "%llu:%llu:%llu:%lf:%lf", &k0,
				  &n, &t0, &done, &total) == 5) {
		progress.k = k0;
		progress.n = n;
		progress.t0_ns = t0;
		progress.done_est = done;
		progress.total_est = total;
		return;
	}
	progress.n = r->nr_inst;
	progress.t0_ns = pb_now_ns();
	for (size_t i = 0; i < r->nr_inst; i++) {
		bool open;

		progress.total_est += pb_instance_estimate(&r->inst[i], o->reps,
							   o->min_time, &open);
	}
}

void pb_fmt_duration(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void pb_progress_eta(char *buf, size_t len, double elapsed, double done_est,
		     double total_est)
{
	double left = total_est - done_est, scale = 1.0;

	if (left < 0)
		left = 0;
	/* Only once enough is done for the ratio to mean something. */
	if (done_est > 5 && elapsed > 5)
		scale = elapsed / done_est;
	pb_fmt_duration(buf, len, left * scale);
}

/* An instance's rows have all arrived: count it and say how it went. */
static void progress_done(struct pb_run *r, const struct pb_instance *in)
{
	const struct pb_row *med = NULL, *bad = NULL, *one = NULL;
	double elapsed = (double)(pb_now_ns() - progress.t0_ns) / 1e9;
	char el[32], eta[32];
	bool open;

	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct pb_row *row = &r->rows[i];

		if (row->in != in)
			continue;
		if (!strcmp(row->statistic, "median"))
			med = row;
		if (row->error && !bad)
			bad = row;
		if (!one)
			one = row;
	}
	progress.k++;
	progress.done_est += pb_instance_estimate(in, r->opts->reps,
						  r->opts->min_time, &open);
	pb_fmt_duration(el, sizeof(el), elapsed);
	pb_progress_eta(eta, sizeof(eta), elapsed, progress.done_est,
			progress.total_est);
	printf("[%zu/%zu] %s elapsed, ETA %s  %s%s%s  ", progress.k, progress.n,
	       el, eta, r->opts->label ? r->opts->label : "",
	       r->opts->label ? " " : "", in->name);
	if (bad)
		printf("FAILED: %s\n", bad->error_message);
	else if (med || (one = (r->opts->reps == 1 ? one : NULL)))
		printf("%.3f ns/op %.0f ops/s\n", (med ? med : one)->ns_per_op,
		       (med ? med : one)->ops_per_sec);
	else
		printf("no median reported\n");
	fflush(stdout);
}

/* ---- reporting --------------------------------------------------------- */

void pb_row_init(struct pb_row *row, const struct pb_instance *in,
		 const char *statistic, long rep)
{
	memset(row, 0, sizeof(*row));
	row->in = in;
	snprintf(row->statistic, sizeof(row->statistic), "%s", statistic);
	row->rep = rep;
	row->real_ns = row->cpu_ns = NAN;
	row->ns_per_op = row->ops_per_sec = row->perf_running = NAN;
	row->hits = row->misses = row->efficiency = NAN;
	row->alloc_ms = row->free_ms = row->phase_faults = NAN;
	row->metadata_per_obj = row->chunks_peak = NAN;
	for (int e = 0; e < PB_PERF_MAX_EVENTS; e++)
		row->perf[e] = NAN;
	for (int s = 0; s < PB_STAT__COUNT; s++)
		row->stat[s] = NAN;
}

static struct pb_instance *find_instance(struct pb_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_inst; i++)
		if (!strcmp(r->inst[i].name, name))
			return &r->inst[i];
	return NULL;
}

static void on_report(const struct pb_gb_run *g, void *arg)
{
	struct pb_run *r = arg;
	struct pb_instance *in = find_instance(r, g->name);
	struct pb_row *row;

	if (!in) {
		fprintf(stderr, "poolbench: report for unknown benchmark %s\n",
			g->name);
		return;
	}
	if (r->nr_rows == r->cap_rows) {
		r->cap_rows = r->cap_rows ? 2 * r->cap_rows : 256;
		r->rows = realloc(r->rows, r->cap_rows * sizeof(*r->rows));
		if (!r->rows) {
			perror("poolbench");
			exit(1);
		}
	}
	row = &r->rows[r->nr_rows++];
	pb_row_init(row, in, g->aggregate ? g->aggregate : "run",
		    g->aggregate ? -1 : g->repetition_index);
	row->iterations = g->iterations;
	row->real_ns = g->real_ns;
	row->cpu_ns = g->cpu_ns;
	row->error = g->error;
	snprintf(row->error_message, sizeof(row->error_message), "%s",
		 g->error ? g->error_message : "");
	for (size_t c = 0; c < g->nr_counters; c++) {
		const char *n = g->counter_names[c];
		double v = g->counter_values[c];

		if (!strcmp(n, PB_CNT_NS_PER_OP))
			row->ns_per_op = v;
		else if (!strcmp(n, PB_CNT_OPS_PER_SEC))
			row->ops_per_sec = v;
		else if (!strcmp(n, PB_CNT_PERF_RUNNING))
			row->perf_running = v;
		else if (!strcmp(n, PB_CNT_HITS))
			row->hits = v;
		else if (!strcmp(n, PB_CNT_MISSES))
			row->misses = v;
		else if (!strcmp(n, PB_CNT_ALLOC_MS))
			row->alloc_ms = v;
		else if (!strcmp(n, PB_CNT_FREE_MS))
			row->free_ms = v;
		else if (!strcmp(n, PB_CNT_PHASE_FAULTS))
			row->phase_faults = v;
		else if (!strcmp(n, PB_CNT_META_PER_OBJ))
			row->metadata_per_obj = v;
		else if (!strcmp(n, PB_CNT_CHUNKS_PEAK))
			row->chunks_peak = v;
		else if (!strncmp(n, PB_CNT_PERF_PREFIX, strlen(PB_CNT_PERF_PREFIX))) {
			for (unsigned int e = 0; e < r->probe.nr_events; e++)
				if (!strcmp(n + strlen(PB_CNT_PERF_PREFIX),
					    r->probe.events[e].name))
					row->perf[e] = v;
		} else if (!strncmp(n, PB_CNT_STAT_PREFIX, strlen(PB_CNT_STAT_PREFIX))) {
			for (int s = 0; s < PB_STAT__COUNT; s++)
				if (!strcmp(n + strlen(PB_CNT_STAT_PREFIX),
					    pb_stat_name(s)))
					row->stat[s] = v;
		}
	}
	/*
	 * Google Benchmark reports an instance's repetitions and aggregates
	 * together, once it is done: a row of the next one closes the last.
	 */
	if (progress.last && progress.last != in)
		progress_done(r, progress.last);
	progress.last = in;
}

/*
 * An isolated run's child keeps each instance's rows as soon as Google
 * Benchmark hands them over (its runs, then again with its aggregates),
 * whatever happens to the process later in its group.
 */
static void on_batch_end(void *arg)
{
	struct pb_run *r = arg;
	char err[1024];

	if (r->opts->only_backend && progress.last &&
	    pb_results_write_instance(r, progress.last, err, sizeof(err)) < 0)
		fprintf(stderr, "poolbench: %s\n", err);
}

/* ---- planning ------------------------------------------------------------ */

static int plan_error(char *err, size_t errlen, const char *fmt, const char *a,
		      const char *b)
{
	/* A message cut short still names the problem; nothing else is lost. */
	if ((size_t)snprintf(err, errlen, fmt, a, b) >= errlen && errlen > 4)
		strcpy(err + errlen - 4, "...");
	return -1;
}

static void list_names(char *buf, size_t len, bool backends)
{
	size_t off = 0, n = backends ? pb_backend_count() : pb_workload_count();

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					backends ? pb_backend_at(i)->name :
						   pb_workload_at(i)->name);
}

struct selection {
	const struct pb_backend *b[PB_CLI_MAX_LIST + 1];
	size_t nb;
	const struct pb_workload *w[PB_CLI_MAX_LIST];
	size_t nw;
	unsigned int threads[4096];	/* 1..all on the largest boxes */
	size_t nt;
	bool all_counts;	/* thread list of a workload that sweeps them */
};

static int select_names(const struct pb_run_opts *o, struct selection *s,
			char *err, size_t errlen)
{
	char valid[1024];
	const struct pb_backend *null = NULL;

	s->nb = s->nw = 0;
	for (size_t i = 0; i < pb_backend_count(); i++)
		if (pb_backend_at(i)->flags & PB_BACKEND_BASELINE)
			null = pb_backend_at(i);
	if (!o->nr_backends) {
		for (size_t i = 0; i < pb_backend_count(); i++)
			s->b[s->nb++] = pb_backend_at(i);
	} else {
		/* The baseline runs first, in every run. */
		if (null)
			s->b[s->nb++] = null;
		for (size_t i = 0; i < o->nr_backends; i++) {
			const struct pb_backend *b = pb_backend_find(o->backends[i]);
			bool dup = false;

			if (!b) {
				list_names(valid, sizeof(valid), true);
				return plan_error(err, errlen,
						  "--backends: unknown backend '%s' (valid: %s)",
						  o->backends[i], valid);
			}
			for (size_t j = 0; j < s->nb; j++)
				dup |= s->b[j] == b;
			if (!dup)
				s->b[s->nb++] = b;
		}
	}
	if (!o->nr_workloads) {
		for (size_t i = 0; i < pb_workload_count(); i++)
			s->w[s->nw++] = pb_workload_at(i);
	} else {
		for (size_t i = 0; i < o->nr_workloads; i++) {
			const struct pb_workload *w = pb_workload_find(o->workloads[i]);
			bool dup = false;

			if (!w) {
				list_names(valid, sizeof(valid), false);
				return plan_error(err, errlen,
						  "--workloads: unknown workload '%s' (valid: %s)",
						  o->workloads[i], valid);
			}
			for (size_t j = 0; j < s->nw; j++)
				dup |= s->w[j] == w;
			if (!dup)
				s->w[s->nw++] = w;
		}
	}
	return 0;
}

static void add_threads(struct selection *s, unsigned int t)
{
	for (size_t i = 0; i < s->nt; i++)
		if (s->threads[i] == t)
			return;
	if (s->nt < sizeof(s->threads) / sizeof(s->threads[0]))
		s->threads[s->nt++] = t;
}

static int select_threads(const struct pb_run_opts *o, unsigned int nr_pus,
			  struct selection *s, char *err, size_t errlen)
{
	s->nt = 0;
	if (!o->threads_given && s->all_counts) {
		/* The scaling workload without --threads: 1, 2, ... all. */
		for (unsigned int t = 1; t <= nr_pus; t++)
			add_threads(s, t);
		return 0;
	}
	for (size_t i = 0; i < o->nr_threads; i++) {
		unsigned int t = o->threads[i];

		if (t == PB_THREADS_POW2) {
			for (unsigned int p = 1; p < nr_pus; p *= 2)
				add_threads(s, p);
			add_threads(s, nr_pus);
			continue;
		}
		if (t == PB_THREADS_ALL)
			t = nr_pus;
		if (t > nr_pus && !o->oversubscribe) {
			snprintf(err, errlen,
				 "--threads: %u threads but only %u PUs are allowed "
				 "(use --oversubscribe to run more threads than PUs)",
				 t, nr_pus);
			return -1;
		}
		add_threads(s, t);
	}
	return 0;
}

static bool scope_matches(const struct pb_param *p, const char *name)
{
	return !p->scope || !strcmp(p->scope, name);
}

/* Every --param must apply to some selected backend or workload, once. */
static int check_params(const struct pb_run_opts *o, const struct selection *s,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < o->nr_params; i++) {
		const struct pb_param *p = &o->params[i];
		bool scope_ok = !p->scope, in_b = false, in_w = false;
		char owner[128];

		for (size_t j = 0; j < s->nb; j++) {
			if (!scope_matches(p, s->b[j]->name))
				continue;
			scope_ok = true;
			if (pb_options_find(s->b[j]->options, p->key) >= 0) {
				in_b = true;
				snprintf(owner, sizeof(owner), "%s", s->b[j]->name);
				for (size_t v = 0; v < p->nr_values; v++) {
					uint64_t x;
					int k = pb_options_find(s->b[j]->options, p->key);

					if (pb_option_parse_value(&s->b[j]->options[k],
								  p->values[v], &x,
								  owner, err, errlen))
						return -1;
				}
			}
		}
		for (size_t j = 0; j < s->nw; j++) {
			if (!scope_matches(p, s->w[j]->name))
				continue;
			scope_ok = true;
			if (pb_options_find(s->w[j]->params, p->key) >= 0) {
				int k = pb_options_find(s->w[j]->params, p->key);

				in_w = true;
				for (size_t v = 0; v < p->nr_values; v++) {
					uint64_t x;

					if (pb_option_parse_value(&s->w[j]->params[k],
								  p->values[v], &x,
								  s->w[j]->name, err,
								  errlen))
						return -1;
				}
			}
		}
		if (!scope_ok)
			return plan_error(err, errlen,
					  "--param: scope '%s' is not a selected backend "
					  "or workload (see 'poolbench list')%s",
					  p->scope, "");
		if (!in_b && !in_w)
			return plan_error(err, errlen,
					  "--param: no selected backend or workload has "
					  "a parameter '%s'%s (see 'poolbench list')",
					  p->key, p->scope ? " in that scope" : "");
		if (in_b && in_w)
			return plan_error(err, errlen,
					  "--param: '%s' is both a backend option and a "
					  "workload parameter: qualify it as "
					  "<backend>.%s or <workload>.%s",
					  p->key, p->key);
	}
	return 0;
}

/*
 * The parameters of one owner (a backend or workload) that apply to it,
 * as an odometer over their value lists.
 */
struct sweep {
	const struct pb_param *p[PB_MAX_OPTS];
	size_t n;
	size_t pos[PB_MAX_OPTS];
	struct pb_param dflt[PB_MAX_OPTS];	/* from pb_option_spec.sweep */
};

static void sweep_init(struct sweep *sw, const struct pb_run_opts *o,
		       const char *owner, const struct pb_option_spec *spec)
{
	memset(sw, 0, sizeof(*sw));
	for (size_t i = 0; i < o->nr_params && sw->n < PB_MAX_OPTS; i++) {
		const struct pb_param *p = &o->params[i];

		if (!scope_matches(p, owner) || pb_options_find(spec, p->key) < 0)
			continue;
		/* A later --param for the same key replaces an earlier one. */
		for (size_t j = 0; j < sw->n; j++) {
			if (!strcmp(sw->p[j]->key, p->key)) {
				sw->p[j] = p;
				goto next;
			}
		}
		sw->p[sw->n++] = p;
next:;
	}
	/* A parameter with a default sweep that the user did not name. */
	for (size_t k = 0, nd = 0; spec && spec[k].key && sw->n < PB_MAX_OPTS; k++) {
		struct pb_param *d = &sw->dflt[nd];
		bool given = false;

		if (!spec[k].sweep)
			continue;
		for (size_t j = 0; j < sw->n; j++)
			given |= !strcmp(sw->p[j]->key, spec[k].key);
		if (given)
			continue;
		d->key = (char *)spec[k].key;
		for (d->nr_values = 0; spec[k].sweep[d->nr_values] &&
		     d->nr_values < PB_CLI_MAX_LIST; d->nr_values++)
			d->values[d->nr_values] = (char *)spec[k].sweep[d->nr_values];
		sw->p[sw->n++] = d;
		nd++;
	}
}

/* Advance to the next combination. Return: false after the last one. */
static bool sweep_next(struct sweep *sw)
{
	for (size_t i = sw->n; i-- > 0;) {
		if (++sw->pos[i] < sw->p[i]->nr_values)
			return true;
		sw->pos[i] = 0;
	}
	return false;
}

static void append(char *buf, size_t len, const char *fmt, const char *a,
		   const char *b)
{
	size_t off = strlen(buf);

	if (off < len)
		snprintf(buf + off, len - off, fmt, a, b);
}

static struct pb_instance *new_instance(struct pb_run *r)
{
	if (r->nr_inst == r->cap_inst) {
		r->cap_inst = r->cap_inst ? 2 * r->cap_inst : 64;
		r->inst = realloc(r->inst, r->cap_inst * sizeof(*r->inst));
		if (!r->inst) {
			perror("poolbench");
			exit(1);
		}
	}
	memset(&r->inst[r->nr_inst], 0, sizeof(r->inst[0]));
	return &r->inst[r->nr_inst++];
}

/*
 * Check one instance's backend configuration by a create/destroy.
 * Return: 0, -1 (invalid: @err says why) or PB_CREATE_UNSUPPORTED (@err
 * says why the backend cannot serve this point).
 */
static int try_config(const struct pb_instance *in, char *err, size_t errlen)
{
	char why[256] = "";
	void *pool;
	int rc = in->backend->create(&in->cfg, &pool, why, sizeof(why));

	if (rc) {
		snprintf(err, errlen, "%s", why);
		return rc == PB_CREATE_UNSUPPORTED ? rc : -1;
	}
	in->backend->destroy(pool);
	return 0;
}

/* Remember a point the backend cannot serve; it is left out of the run. */
static void skip_instance(struct pb_run *r, const struct pb_instance *in,
			  const char *why)
{
	struct pb_skip *sk;

	if (r->nr_skipped == r->cap_skipped) {
		r->cap_skipped = r->cap_skipped ? 2 * r->cap_skipped : 16;
		r->skipped = realloc(r->skipped, r->cap_skipped * sizeof(*r->skipped));
		if (!r->skipped) {
			perror("poolbench");
			exit(1);
		}
	}
	sk = &r->skipped[r->nr_skipped++];
	snprintf(sk->name, sizeof(sk->name), "%s", in->name);
	snprintf(sk->reason, sizeof(sk->reason), "%s", why);
}

/*
 * One console line per skip reason, with its count: the full list, point
 * by point, is meta.json's "skipped". Said by the run's top process only
 * (an isolated run's children plan the same skips again).
 */
static void print_skips(const struct pb_run *r)
{
	bool *said;

	if (!r->nr_skipped || r->opts->only_backend)
		return;
	said = xcalloc(r->nr_skipped, sizeof(*said));
	printf("poolbench: %zu point%s skipped (each one with its reason in "
	       "meta.json, run.skipped):\n", r->nr_skipped,
	       r->nr_skipped == 1 ? "" : "s");
	for (size_t i = 0; i < r->nr_skipped; i++) {
		size_t n = 0;

		if (said[i])
			continue;
		for (size_t j = i; j < r->nr_skipped; j++) {
			if (!said[j] && !strcmp(r->skipped[j].reason,
						r->skipped[i].reason)) {
				said[j] = true;
				n++;
			}
		}
		printf("  %5zu  %s\n", n, r->skipped[i].reason);
	}
	free(said);
	fflush(stdout);
}

static int plan_backend(struct pb_run *r, const struct pb_instance *tmpl,
			const struct pb_backend *b, char *err, size_t errlen)
{
	const struct pb_run_opts *o = r->opts;
	struct sweep sw;

	sweep_init(&sw, o, b->name, b->options);
	do {
		struct pb_instance *in = new_instance(r);
		uint64_t eff[PB_MAX_OPTS];
		char buf[64];

		*in = *tmpl;
		in->backend = b;
		if ((size_t)snprintf(in->name, sizeof(in->name), "%s/%s", b->name,
				     tmpl->name) >= sizeof(in->name))
			return plan_error(err, errlen, "benchmark name too long: "
					  "%s/%s", b->name, tmpl->name);
		for (size_t i = 0; i < sw.n; i++) {
			in->opts[i].key = sw.p[i]->key;
			in->opts[i].value = sw.p[i]->values[sw.pos[i]];
			append(in->name, sizeof(in->name), "/%s:%s", in->opts[i].key,
			       in->opts[i].value);
		}
		if (strlen(in->name) + 1 >= sizeof(in->name))
			return plan_error(err, errlen, "benchmark name too long: "
					  "%s%s", in->name, "");
		in->nr_opts = sw.n;
		/* Valid until r->inst moves; finish_plan() sets it for good. */
		in->cfg.opts = in->opts;
		in->cfg.nr_opts = in->nr_opts;
		if (pb_options_parse(b->options, in->opts, in->nr_opts, eff,
				     b->name, err, errlen))
			return -1;
		in->opts_text[0] = '\0';
		for (size_t i = 0; b->options && b->options[i].key; i++) {
			pb_option_format(&b->options[i], eff[i], buf, sizeof(buf));
			append(in->opts_text, sizeof(in->opts_text), "%s%s",
			       i ? ";" : "", b->options[i].key);
			append(in->opts_text, sizeof(in->opts_text), "=%s%s", buf, "");
		}
		switch (try_config(in, err, errlen)) {
		case 0:
			break;
		case PB_CREATE_UNSUPPORTED:
			skip_instance(r, in, err);
			r->nr_inst--;
			break;
		default:
			return -1;
		}
	} while (sweep_next(&sw));
	return 0;
}

static int plan(struct pb_run *r, char *err, size_t errlen)
{
	const struct pb_run_opts *o = r->opts;
	unsigned int nr_pus = pb_topo_nr_pus(r->topo);
	struct selection s;
	bool noted = false;

	s.all_counts = false;
	if (select_names(o, &s, err, errlen) ||
	    select_threads(o, nr_pus, &s, err, errlen) ||
	    check_params(o, &s, err, errlen))
		return -1;
	if (o->only_backend && !pb_backend_find(o->only_backend))
		return plan_error(err, errlen, "--only-backend: unknown backend "
				  "'%s'%s", o->only_backend, "");

	for (size_t wi = 0; wi < s.nw; wi++) {
		const struct pb_workload *w = s.w[wi];
		struct sweep sw;

		if (o->only_workload && strcmp(w->name, o->only_workload))
			continue;
		s.all_counts = w->all_thread_counts;
		if (select_threads(o, nr_pus, &s, err, errlen))
			return -1;

		if (pb_options_count(w->params) > PB_MAX_WL_PARAMS)
			return plan_error(err, errlen, "workload %s: too many "
					  "parameters%s", w->name, "");
		sweep_init(&sw, o, w->name, w->params);
		do {
			struct pb_instance tmpl = { 0 };
			const size_t *sizes;
			size_t nz;
			struct pb_kv kv[PB_MAX_OPTS];
			char wname[192];

			for (size_t i = 0; i < sw.n; i++) {
				kv[i].key = sw.p[i]->key;
				kv[i].value = sw.p[i]->values[sw.pos[i]];
			}
			if (pb_options_parse(w->params, kv, sw.n, tmpl.wl_values,
					     w->name, err, errlen) ||
			    w->prepare(tmpl.wl_values, &tmpl.proto, err, errlen))
				return -1;
			tmpl.kernel = w->pick_kernel ? w->pick_kernel(tmpl.wl_values) :
						       w->kernel;
			if (!tmpl.proto.capacity)
				tmpl.proto.capacity = tmpl.proto.n;
			snprintf(wname, sizeof(wname), "%s", w->name);
			for (size_t i = 0; w->params && w->params[i].key; i++) {
				char v[32];

				pb_option_format(&w->params[i], tmpl.wl_values[i],
						 v, sizeof(v));
				append(wname, sizeof(wname), "/%s:%s",
				       w->params[i].key, v);
			}
			tmpl.workload = w;
			nz = o->nr_sizes;
			sizes = o->sizes;
			if (!o->sizes_given && w->sizes) {
				sizes = w->sizes;
				for (nz = 0; sizes[nz]; nz++)
					;
			}
			for (size_t zi = 0; zi < nz; zi++)
			for (size_t ti = 0; ti < s.nt; ti++)
			for (size_t mi = 0; mi < o->nr_modes; mi++) {
				unsigned int t = s.threads[ti];
				enum pb_mode m = o->modes[mi];

				/* More threads than PUs share CPUs: shared only. */
				if (t > nr_pus) {
					if (mi > 0)
						continue;
					if (m != PB_MODE_SHARED && !noted)
						printf("poolbench: %u threads > %u PUs: "
						       "run in shared mode only\n",
						       t, nr_pus);
					noted = true;
					m = PB_MODE_SHARED;
				}
				tmpl.mode = m;
				tmpl.threads = t;
				tmpl.placement = o->placement;
				tmpl.obj_size = sizes[zi];
				tmpl.align = o->align;
				tmpl.topo = r->topo;
				tmpl.probe = &r->probe;
				tmpl.cfg = (struct pb_config){
					.obj_size = sizes[zi],
					.align = o->align,
					.capacity = (size_t)t * tmpl.proto.capacity,
					.prealloc = (size_t)t * tmpl.proto.capacity,
					.nr_cpus = nr_pus,
					.nr_threads = t,
					.mode = m,
				};
				snprintf(tmpl.name, sizeof(tmpl.name),
					 "%s/%s/thr:%u/size:%zu/align:%zu", wname,
					 pb_mode_name(m), t, sizes[zi], o->align);
				if (w->single_thread && t > 1) {
					char why[128];

					snprintf(why, sizeof(why), "%s runs on one "
						 "thread only", w->name);
					skip_instance(r, &tmpl, why);
					continue;
				}
				if (w->thread_multiple > 1 && t % w->thread_multiple) {
					char why[128];

					snprintf(why, sizeof(why), "%s needs a multiple "
						 "of %u threads", w->name,
						 w->thread_multiple);
					skip_instance(r, &tmpl, why);
					continue;
				}
				for (size_t bi = 0; bi < s.nb; bi++) {
					if (o->only_backend &&
					    strcmp(s.b[bi]->name, o->only_backend))
						continue;
					if (plan_backend(r, &tmpl, s.b[bi], err, errlen))
						return -1;
				}
			}
		} while (sweep_next(&sw));
	}
	return 0;
}

/*
 * Placement, per-run buffers and the config's pointer to the instance's own
 * options, once the instance array stopped moving (realloc).
 */
static int finish_plan(struct pb_run *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nr_inst; i++) {
		struct pb_instance *in = &r->inst[i];

		in->cfg.opts = in->opts;
		in->slots = xcalloc(in->threads, sizeof(*in->slots));
		in->tr = xcalloc(in->threads, sizeof(*in->tr));
		if (in->kernel == PB_KERNEL_remote) {
			/* Over-aligned type: calloc's alignment is not enough. */
			size_t bytes = in->threads / 2 * sizeof(*in->ho);

			in->ho = aligned_alloc(_Alignof(struct pb_handover), bytes);
			if (!in->ho) {
				perror("poolbench");
				exit(1);
			}
			memset(in->ho, 0, bytes);
		}
		if (pb_topo_place(r->topo, in->placement, in->threads, in->slots,
				  err, errlen))
			return -1;
		if (pthread_barrier_init(&in->barrier, NULL, in->threads)) {
			snprintf(err, errlen, "pthread_barrier_init: %s",
				 strerror(errno));
			return -1;
		}
		in->barrier_ready = true;
	}
	return 0;
}

static void free_plan(struct pb_run *r)
{
	for (size_t i = 0; i < r->nr_inst; i++) {
		free(r->inst[i].slots);
		free(r->inst[i].tr);
		free(r->inst[i].ho);
		if (r->inst[i].barrier_ready)
			pthread_barrier_destroy(&r->inst[i].barrier);
	}
	free(r->inst);
	free(r->rows);
	free(r->skipped);
}

void pb_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pb_run_plan(struct pb_run *r, char *err, size_t errlen)
{
	return plan(r, err, errlen);
}

/*
 * A child run for a general-allocator peer: LD_PRELOAD must have put that
 * allocator's malloc in front of glibc's, or the figures would be glibc's
 * under another name.
 */
static int check_malloc_provider(const char *expect, char *err, size_t errlen)
{
	void *(*volatile fn)(size_t) = malloc;
	Dl_info info;

	if (!dladdr((void *)fn, &info) || !info.dli_fname) {
		snprintf(err, errlen, "cannot tell which library provides malloc "
			 "(dladdr failed)");
		return -1;
	}
	if (!strstr(info.dli_fname, expect)) {
		snprintf(err, errlen, "malloc comes from %s, not %s: LD_PRELOAD "
			 "did not take effect", info.dli_fname, expect);
		return -1;
	}
	return 0;
}

int pb_run_main(const struct pb_run_opts *o, int argc, char **argv)
{
	struct pb_run r = { .opts = o, .argc = argc, .argv = argv };
	char err[1024] = "", json[4200];
	size_t failed = 0;
	double estimate = 0, long_est = 0;
	size_t nr_long = 0;
	int rc = 2;

	/* Bad input is refused before any work, and before any other line. */
	if (o->out && !o->resume && pb_results_check_out(o->out, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	if (o->expect_malloc &&
	    check_malloc_provider(o->expect_malloc, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	if (pb_topo_load(&r.topo, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	if (pb_perf_probe(o->counters, &r.probe)) {
		fprintf(stderr, "poolbench: --counters: %s\n", r.probe.group_reason);
		goto out;
	}
	if (plan(&r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		goto out;
	}
	print_skips(&r);
	if (!r.nr_inst) {
		fprintf(stderr, "poolbench: nothing to run: every point was "
			"skipped\n");
		goto out;
	}
	if (o->isolate) {
		rc = pb_isolate_run(&r, argc, argv);
		goto out;
	}
	if (finish_plan(&r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		goto out;
	}
	if (pb_results_mkdir(&r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		goto out;
	}
	snprintf(json, sizeof(json), "%s/.bench.json.tmp", r.dir);
	if (pb_gb_init(json)) {
		fprintf(stderr, "poolbench: Google Benchmark refused its arguments\n");
		goto out;
	}
	for (size_t i = 0; i < r.nr_inst; i++) {
		struct pb_gb_spec spec = {
			.name = r.inst[i].name,
			.threads = (int)r.inst[i].threads,
			.repetitions = o->reps,
			/*
			 * A phase-timed round (million) is its own unit of
			 * measure: one round per repetition, whatever it takes.
			 */
			.min_time = r.inst[i].workload->times_phases ?
					    PB_PHASED_MIN_TIME : o->min_time,
		};
		bool open;
		double e = pb_instance_estimate(&r.inst[i], o->reps, o->min_time,
						&open);

		pb_gb_register(&spec, bench_body, &r.inst[i]);
		if (open) {
			nr_long++;
			long_est += e;
		} else {
			estimate += e;
		}
	}
	if (!o->only_backend) {
		printf("poolbench: %zu benchmarks x %d repetitions, counters: %s; "
		       "about %.0f s", r.nr_inst, o->reps, r.probe.group, estimate);
		if (nr_long)
			printf(" plus %zu million cases (%d round%s each, guessed "
			       "at %.0f s, stopped at limit_s)", nr_long, o->reps,
			       o->reps == 1 ? "" : "s", long_est);
		printf("; results in %s\n", r.dir);
		fflush(stdout);
	}
	progress_init(&r);
	/* An isolated run's later children: the first one showed it. */
	pb_gb_quiet_context(o->only_backend && progress.k > 0);
	pb_utc_now(r.started, sizeof(r.started));
	pb_gb_run_all(on_report, on_batch_end, &r);
	if (progress.last)
		progress_done(&r, progress.last);
	pb_gb_shutdown();
	pb_utc_now(r.finished, sizeof(r.finished));

	if (pb_results_write(&r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		rc = 1;
		goto out;
	}
	if (!o->only_backend)
		pb_results_summary(&r, stdout);
	for (size_t i = 0; i < r.nr_rows; i++)
		failed += r.rows[i].error;
	if (failed && !o->only_backend)
		fprintf(stderr, "poolbench: %zu runs failed; see the error column of "
			"%s/results.csv\n", failed, r.dir);
	if (!o->only_backend)
		printf("poolbench: results written to %s\n", r.dir);
	rc = failed ? 1 : 0;
out:
	free_plan(&r);
	pb_topo_destroy(r.topo);
	return rc;
}
