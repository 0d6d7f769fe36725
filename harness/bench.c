// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench.c - the Google Benchmark body of an instance, its counters, and
 * the rows Google Benchmark reports back.
 *
 * The body runs in each of an instance's threads, for every run Google
 * Benchmark makes (its iteration-count trials and each repetition):
 *
 *   all:      pin to the PU of the placement (rseq mode: } not timed
 *             unpinned); scratch ring and histograms   }
 *   thread 0: base RSS; create the pool, snapshot stats }
 *   all:      thread_init(pool, slot); open counters    }
 *   all:      one batch: start counters, clock, kernel(ctx, args, iters),
 *             clock, stop counters                        timed
 *   all:      read counters; thread_fini               } not timed
 *   thread 0: balance, the batch's statistics           }
 *   all:      the memory probe: hold the live set, RSS  }
 *             (probes.h draws these steps)              }
 *   thread 0: destroy the pool, derive the per-op       }
 *             figures and set them as counters of the run
 *
 * The kernel is the backend's own instantiation (PB_BACKEND_REGISTER), so
 * the only indirect call is the one per batch. A failed alloc, a failed pin
 * or a failed create marks the run as an error: Google Benchmark reports it
 * and the results keep a row for it.
 *
 * Called by the in-process executor (local.c); calls gbshim, topo.c,
 * perfev.c, probes.c (memory and latency), progress.c (a line per
 * finished instance) and results.c (rows, and an isolated run's child's
 * partial files).
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/bench.h"
#include "harness/gbshim.h"
#include "harness/probes.h"
#include "harness/results.h"

/* Counter names set by the body and read back from reports. */
#define PB_CNT_NS_PER_OP "ns_per_op"
#define PB_CNT_OPS_PER_SEC "ops_per_sec"
#define PB_CNT_PERF_PREFIX "perf."
#define PB_CNT_PERF_RUNNING "perf_running"
#define PB_CNT_STAT_PREFIX "stat."
#define PB_CNT_HITS "hits_per_op"
#define PB_CNT_MISSES "misses_per_op"
#define PB_CNT_ALLOC_MS "alloc_ms"
#define PB_CNT_FREE_MS "free_ms"
#define PB_CNT_PHASE_FAULTS "phase_faults"
#define PB_CNT_META_PER_OBJ "metadata_per_obj"
#define PB_CNT_CHUNKS_PEAK "chunks_peak"
#define PB_CNT_REP_START "rep_start_s"

/*
 * CLOCK_MONOTONIC at the run's start (an isolated run's child: its
 * parent's), so that rep_start_s means the same in every process of a run.
 */
static uint64_t run_t0_ns;


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

static void body_setup(struct pb_instance *in)
{
	char err[200] = "";

	in->error[0] = '\0';
	in->pool = NULL;
	memset(&in->stats_before, 0, sizeof(in->stats_before));
	memset(&in->stats_after, 0, sizeof(in->stats_after));
	in->wrun = (struct pb_workload_run){
		.name = in->name,
		.threads = in->threads,
		.values = in->wl_values,
		.backend = in->backend,
	};
	if (in->workload->run_setup &&
	    in->workload->run_setup(&in->wrun, in->error, sizeof(in->error)))
		return;
	pb_mem_before_create(in);
	if (in->backend->create(&in->cfg, &in->pool, err, sizeof(err))) {
		snprintf(in->error, sizeof(in->error), "create failed: %s", err);
		in->pool = NULL;
		return;
	}
	in->wrun.pool = in->pool;
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
	const struct pb_stats after = in->stats_after;

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
	double objs = (double)o->rounds * (double)in->point.n;
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
				  (double)o->peak_metadata / (double)in->point.n);
	if (o->peak_chunks_ok)
		pb_gb_set_counter(st, PB_CNT_CHUNKS_PEAK, (double)o->peak_chunks);
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
		pb_gb_set_counter(st, PB_CNT_REP_START,
				  (double)(first - run_t0_ns) / 1e9);
		if (in->workload->times_phases)
			set_phase_counters(st, in);
		else if (in->latency) {
			/* Probes inside: no ns per pair (probes.c's columns). */
		} else {
			pb_gb_set_counter(st, PB_CNT_NS_PER_OP,
					  per_thread / in->threads);
			pb_gb_set_counter(st, PB_CNT_OPS_PER_SEC,
					  (double)ops_of(in, total) * 1e9 /
					  (double)(last - first));
		}
		set_perf_counters(st, in);
		set_stat_counters(st, in, ops_of(in, total));
		pb_probes_set_counters(st, in);
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
	if (in->workload->run_teardown)
		in->workload->run_teardown(&in->wrun);
	if (in->pool)
		in->backend->destroy(in->pool);
	in->pool = NULL;
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

/*
 * A worker, before thread 0 creates the pool: pinned (rseq mode: unpinned)
 * and with its scratch ring and histograms, so that these are in the base
 * RSS and none of their pages faults inside the batch.
 */
static void body_prepare(struct pb_instance *in, unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];

	memset(r, 0, sizeof(*r));
	r->cpu = -1;
	/* rseq: unpinned, on the per-CPU state of wherever it runs. */
	if (in->mode == PB_MODE_RSEQ ?
	    pb_topo_unbind_self(in->topo, r->error, sizeof(r->error)) :
	    pb_topo_bind_self(in->topo, in->slots[ti], r->error,
			      sizeof(r->error)))
		return;
	r->cpu = sched_getcpu();
	r->args = (struct pb_kernel_args){ .n = in->point.n,
					   .touch = in->point.touch };
	r->args.ring = scratch_alloc(r->args.n);
	if (!r->args.ring) {
		snprintf(r->error, sizeof(r->error), "thread %u: out of memory", ti);
		return;
	}
	r->args.out = &r->out;
	r->args.retry_null = in->backend->flags & PB_BACKEND_FIXED;
	pb_probes_thread_prepare(in, ti);
}

/* One worker's part of a run; returns with its batch closed. */
static void body_worker(struct pb_gb_state *st, struct pb_instance *in,
			unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];
	struct pb_kernel_args *args = &r->args, args_local;
	struct pb_perf_thread perf;
	pb_kernel_fn kernel = in->latency ? in->backend->lat_kernels[in->kernel] :
					    in->backend->kernels[in->kernel];
	uint64_t iters;
	void *ctx = NULL;
	bool perf_open = false;
	char why[256];

	if (in->error[0]) {
		pb_gb_error(st, in->error);
		goto skip;
	}
	if (in->dnf[0]) {
		pb_gb_error(st, in->dnf);
		goto skip;
	}
	if (r->error[0])
		goto fail;	/* body_prepare()'s */
	if (in->workload->thread_setup &&
	    in->workload->thread_setup(&in->wrun, ti, args, why, sizeof(why))) {
		snprintf(r->error, sizeof(r->error), "thread %u: %.200s", ti, why);
		goto fail;
	}
	ctx = in->backend->thread_init(in->pool, in->slots[ti]);
	if (!ctx) {
		pb_thread_init_why(why, sizeof(why));
		snprintf(r->error, sizeof(r->error), "thread %u: thread_init(cpu "
			 "%u) failed%s%.160s", ti, in->slots[ti], why[0] ? ": " : "",
			 why);
		goto fail;
	}
	perf_open = !pb_perf_thread_open(in->probe, &perf);

	/*
	 * The kernel reads its arguments from this thread's own stack, as
	 * it always did, not from in->tr, which other threads write.
	 */
	args_local = *args;

	/* Whole rounds of the kernel, at least what Google Benchmark asks. */
	iters = pb_gb_max_iterations(st);
	iters = (iters + args->n - 1) / args->n * args->n;
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
		rc = kernel(ctx, &args_local, iters);
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
				 "did not finish within %.0f s (stopped in %s)",
				 in->limit_s, r->out.stopped);
			snprintf(in->dnf, sizeof(in->dnf), "%s", r->error);
			pb_gb_error(st, r->error);
		} else if (rc) {
			snprintf(r->error, sizeof(r->error),
				 "thread %u: alloc returned NULL (%s, %zu live "
				 "objects per thread%s%s)", ti, in->backend->name,
				 args->n, r->out.stopped[0] ? "; " : "",
				 r->out.stopped);
			pb_gb_error(st, r->error);
		} else {
			r->ran = true;
		}
		pb_gb_end(st);
	}
done:
	if (perf_open) {
		r->perf_ok = !pb_perf_thread_read(&perf, &r->perf);
		pb_perf_thread_close(&perf);
	}
	in->backend->thread_fini(in->pool, ctx);
	return;

fail:
	/* Every thread that cannot run marks its own state: the batch is skipped. */
	atomic_store(&in->start_failed, true);
	pb_gb_error(st, r->error);
	if (ctx)
		in->backend->thread_fini(in->pool, ctx);
skip:
	if (pb_gb_begin(st, 1))
		pb_gb_end(st);
}

/* A worker's last step: its workload's state and its buffers go. */
static void body_release(struct pb_instance *in, unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];

	if (in->workload->thread_teardown)
		in->workload->thread_teardown(&in->wrun, ti, &r->args);
	free(r->args.ring);
	r->args.ring = NULL;
	pb_probes_thread_release(in, ti);
}

/*
 * Thread 0, every worker past its batch and its thread_fini: the deferred
 * work the kernel would have done meanwhile from a worker runs now,
 * untimed, and the batch's statistics are read before the probes add
 * operations of their own.
 */
static void body_batch_stats(struct pb_instance *in)
{
	if (!in->pool)
		return;
	if (in->backend->balance)
		in->backend->balance(in->pool);
	in->backend->stats(in->pool, &in->stats_after);
}

/*
 * One run of an instance, in every one of its threads (probes.h draws the
 * steps). Every thread meets every barrier, whatever failed before it.
 */
static void bench_body(struct pb_gb_state *st, void *arg)
{
	struct pb_instance *in = arg;
	unsigned int ti = (unsigned int)pb_gb_thread_index(st);
	void *ctx;

	if (ti == 0)
		atomic_store(&in->start_failed, false);
	body_prepare(in, ti);
	pthread_barrier_wait(&in->barrier);
	if (ti == 0)
		body_setup(in);
	pthread_barrier_wait(&in->barrier);
	body_worker(st, in, ti);
	pthread_barrier_wait(&in->barrier);
	if (ti == 0)
		body_batch_stats(in);
	pthread_barrier_wait(&in->barrier);
	ctx = pb_probes_thread_start(in, ti);
	pthread_barrier_wait(&in->barrier);
	if (ti == 0) {
		pb_mem_read_live(in);
		pb_lat_collect(in);
	}
	pthread_barrier_wait(&in->barrier);
	pb_probes_thread_end(in, ti, ctx);
	body_release(in, ti);
	pthread_barrier_wait(&in->barrier);
	if (ti == 0)
		body_finish(st, in);
}

/* ---- reporting --------------------------------------------------------- */

/* What the report callbacks share while Google Benchmark runs. */
struct reporting {
	struct pb_run *r;
	struct pb_progress *pg;
	const struct pb_instance *last;	/* the instance rows came for last */
};

static struct pb_instance *find_instance(struct pb_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_inst; i++)
		if (!strcmp(r->inst[i].name, name))
			return &r->inst[i];
	return NULL;
}

/* All rows of rep->last are in: its progress line, its latency.csv lines. */
static void instance_done(struct reporting *rep)
{
	char err[1024];

	pb_progress_done(rep->pg, rep->r, rep->last);
	if (pb_lat_write_instance(rep->r, rep->last, NULL, err, sizeof(err)))
		fprintf(stderr, "poolbench: %s\n", err);
}

static void on_report(const struct pb_gb_run *g, void *arg)
{
	struct reporting *rep = arg;
	struct pb_run *r = rep->r;
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
	/* An interleaved run's child: its one repetition has its own index. */
	pb_row_init(row, in, g->aggregate ? g->aggregate : "run",
		    g->aggregate ? -1 : r->child && r->child->rep >= 0 ?
		    r->child->rep : g->repetition_index);
	row->iterations = g->iterations;
	row->real_ns = g->real_ns;
	row->cpu_ns = g->cpu_ns;
	row->error = g->error;
	snprintf(row->error_message, sizeof(row->error_message), "%s",
		 g->error ? g->error_message : "");
	for (size_t c = 0; c < g->nr_counters; c++) {
		const char *n = g->counter_names[c];
		double v = g->counter_values[c];

		if (pb_probes_row_counter(row, n, v))
			continue;
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
		else if (!strcmp(n, PB_CNT_REP_START) && !g->aggregate)
			row->rep_start_s = v;
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
	if (rep->last && rep->last != in)
		instance_done(rep);
	rep->last = in;
}

/*
 * An isolated run's child keeps each instance's rows as soon as Google
 * Benchmark hands them over (its runs, then again with its aggregates),
 * whatever happens to the process later in its group.
 */
static void on_batch_end(void *arg)
{
	struct reporting *rep = arg;
	char err[1024];

	if (rep->r->child && rep->last &&
	    pb_results_write_instance(rep->r, rep->last, err, sizeof(err)) < 0)
		fprintf(stderr, "poolbench: %s\n", err);
}

void pb_bench_run_all(struct pb_run *r, struct pb_progress *pg)
{
	struct reporting rep = { .r = r, .pg = pg };

	pb_gb_run_all(on_report, on_batch_end, &rep);
	if (rep.last)
		instance_done(&rep);
}

/* ---- set-up ------------------------------------------------------------ */

int pb_bench_prepare(struct pb_run *r, char *err, size_t errlen)
{
	run_t0_ns = r->child && r->child->progress.given ?
		    r->child->progress.t0_ns : pb_now_ns();
	for (size_t i = 0; i < r->nr_inst; i++) {
		struct pb_instance *in = &r->inst[i];

		in->slots = xcalloc(in->threads, sizeof(*in->slots));
		in->tr = xcalloc(in->threads, sizeof(*in->tr));
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

void pb_bench_release(struct pb_run *r)
{
	for (size_t i = 0; i < r->nr_inst; i++) {
		free(r->inst[i].slots);
		free(r->inst[i].tr);
		if (r->inst[i].barrier_ready)
			pthread_barrier_destroy(&r->inst[i].barrier);
		r->inst[i].slots = NULL;
		r->inst[i].tr = NULL;
		r->inst[i].barrier_ready = false;
	}
}

void pb_bench_register(struct pb_instance *in, int reps, double min_time)
{
	struct pb_gb_spec spec = {
		.name = in->name,
		.threads = (int)in->threads,
		.repetitions = reps,
		/*
		 * A phase-timed round (million) is its own unit of measure:
		 * one round per repetition, whatever it takes.
		 */
		.min_time = in->workload->times_phases ? PB_PHASED_MIN_TIME :
							 min_time,
	};

	pb_gb_register(&spec, bench_body, in);
}
