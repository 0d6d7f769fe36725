/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.h - a run's data: its benchmark instances, the rows they report, and
 * the run that holds both. Types only, no functions.
 *
 * Data flows one way: main.c parses the command line (cli.c), plans the
 * run (plan.c: the instances), and hands it to one executor, in process
 * (local.c, which runs the Google Benchmark body of bench.c) or isolated
 * (isolate.c: every group in a child process); both write the results
 * folder through results.c and talk to the console through progress.c.
 *
 * An instance is one point of the cross product backend x workload x mode
 * x threads x size x parameter values; Google Benchmark runs it `reps`
 * times and reports one row per repetition plus one per aggregate.
 */
#ifndef PB_HARNESS_RUN_H
#define PB_HARNESS_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "allocators/backend.h"
#include "harness/cli.h"
#include "harness/noise.h"
#include "harness/perfev.h"
#include "harness/hist.h"
#include "harness/latclock.h"
#include "harness/topo.h"
#include "workloads/workload.h"

#define PB_MAX_WL_PARAMS 8
#define PB_MAX_OPTS 16

/*
 * The memory columns of a row (probes.c measures them; docs/
 * results-format.md explains each): X(column, description).
 */
#define PB_MEM_LIST(X)                                                         \
	X(rss_peak_kib, "peak RSS of the process over the run")                \
	X(rss_base_kib, "RSS before the pool was created")                     \
	X(rss_live_kib, "RSS with the workload's objects live")                \
	X(live_objs, "objects live at that reading")                           \
	X(bytes_per_live_obj, "(rss_live - rss_base) / live_objs, in bytes")   \
	X(cached_objs, "free objects the allocator held at that reading")

enum pb_mem_col {
#define PB_MEM_ENUM(name, desc) PB_MEM_##name,
	PB_MEM_LIST(PB_MEM_ENUM)
#undef PB_MEM_ENUM
	PB_MEM__COUNT
};

/* The latency columns: per operation, percentile, in ns (probes.c). */
#define PB_LAT_OPS(X) X(alloc) X(free)
#define PB_LAT_PCTS(X)                                                         \
	X(p50, 50.0) X(p90, 90.0) X(p99, 99.0) X(p999, 99.9)                   \
	X(p9999, 99.99) X(max, 100.0)
#define PB_LAT_NR_OPS 2
#define PB_LAT_NR_PCTS 6
#define PB_LAT__COUNT (PB_LAT_NR_OPS * PB_LAT_NR_PCTS)

/*
 * struct pb_mem_probe - one run's memory readings (thread 0 fills it):
 * @base_kib before the pool's create, @live_kib with the objects held
 * (@live of them); @cached, the backend's free objects at the @live_kib
 * reading (NAN: it reports none); @ok: the readings were made.
 */
struct pb_mem_probe {
	bool ok;
	double base_kib, live_kib;
	double live, cached;
};

/*
 * struct pb_lat_result - one latency run's histograms: @ran, every thread's
 * batch ran and @kept holds them merged (probes.c's, numbered, until the
 * instance's rows are written).
 */
struct pb_lat_result {
	bool ran;
	const struct lat_kept *kept;
};

struct lat_kept;

/* What one worker thread measured in one run, and its own state in it. */
struct pb_thread_result {
	uint64_t iterations;
	uint64_t t0_ns, t1_ns;	/* CLOCK_MONOTONIC around the batch */
	int cpu;		/* sched_getcpu() after pinning */
	struct pb_perf_values perf;
	bool perf_ok;
	struct pb_kernel_out out;	/* the kernel's hits and misses */
	char error[256];

	/* The worker's state across the run's steps (bench.c, probes.c). */
	bool ran;			/* its timed batch ran to the end */
	struct pb_kernel_args args;	/* scratch ring, workload args */
	struct pb_hist *lat[2];		/* latency pass: alloc, free */
	int lat_rc;			/* the latency kernel's result */
	size_t held;			/* memory probe: objects it holds */
};

struct pb_instance {
	char name[384];			/* unique Google Benchmark name */
	const struct pb_backend *backend;
	const struct pb_workload *workload;
	enum pb_mode mode;
	unsigned int threads;
	enum pb_placement placement;
	size_t obj_size;
	size_t align;
	uint64_t wl_values[PB_MAX_WL_PARAMS];	/* one per workload param */
	struct pb_kv opts[PB_MAX_OPTS];		/* backend options given */
	size_t nr_opts;
	char opts_text[256];			/* every option, effective value */
	struct pb_workload_point point;		/* n, capacity and touch */
	enum pb_kernel_id kernel;		/* the workload's, for its values */
	/* A phase-timed workload's round: guessed seconds, limit (0: none). */
	double round_s, limit_s;
	struct pb_config cfg;
	unsigned int *slots;			/* CPU slot of each thread */
	const struct pb_perf_probe *probe;
	const struct pb_topo *topo;

	/*
	 * Set when a phase-timed round outran its limit: later repetitions
	 * of this instance are not run again, they repeat this message.
	 */
	char dnf[256];

	/* The latency pass runs for this instance (--latency, a twin kernel). */
	bool latency;

	/* State of the run in progress; thread 0 resets it. */
	pthread_barrier_t barrier;
	bool barrier_ready;		/* initialised: free_plan destroys it */
	atomic_bool start_failed;	/* a thread could not start its kernel */
	void *pool;
	char error[256];
	struct pb_stats stats_before;
	struct pb_stats stats_after;	/* right after the timed batch */
	struct pb_mem_probe mem;	/* probes.c: RSS and cached objects */
	struct pb_lat_result lat;	/* probes.c: the latency pass */
	struct pb_thread_result *tr;	/* [threads] */
	struct pb_workload_run wrun;	/* the workload's hooks' view */
	char pus[256];			/* OS CPUs the threads ran on */
};

/* One row of results.csv: a repetition or an aggregate of one instance. */
struct pb_row {
	const struct pb_instance *in;
	char statistic[16];		/* "run", "mean", "median", ... */
	long rep;			/* repetition index, -1 for aggregates */
	double rep_start_s;		/* run rows: its timed start, s after the run's */
	uint64_t iterations;
	double real_ns, cpu_ns;		/* Google Benchmark's, per iteration */
	bool error;
	char error_message[256];
	double ns_per_op, ops_per_sec;	/* NAN when not reported */
	double perf[PB_PERF_MAX_EVENTS];	/* by probe event index; NAN: none */
	double perf_running;
	double hits, misses;		/* per op; NAN: not counted */
	double efficiency;		/* against 1 thread; NAN: no base */
	double alloc_ms, free_ms;	/* per round (million); NAN: none */
	double phase_faults;		/* per round, in alloc+free (million) */
	double metadata_per_obj, chunks_peak;	/* million, all objects live */
	double mem[PB_MEM__COUNT];	/* memory columns; NAN: none */
	double lat[PB_LAT__COUNT];	/* latency columns (ns); NAN: none */
	double lat_probe_ns;		/* the probe's cost taken off them */
	long lat_seq;			/* its latency pass (probes.c); -1: none */
	double stat[PB_STAT__COUNT];	/* NAN: not reported */
};

/* A point of the cross product that a backend cannot serve. */
struct pb_skip {
	char name[384];
	char reason[256];
};

/*
 * struct pb_run - one `poolbench run`: what was asked, what was planned,
 * what was measured. main.c fills the first block, plan.c the instances
 * and skips, an executor the rows, the folder and the times.
 */
struct pb_run {
	const struct pb_run_opts *opts;
	const struct pb_child_opts *child;	/* NULL: not an isolated run's child */
	int argc;
	char **argv;
	struct pb_topo *topo;
	struct pb_perf_probe probe;
	struct pb_instance *inst;
	size_t nr_inst, cap_inst;
	struct pb_skip *skipped;
	size_t nr_skipped, cap_skipped;
	/*
	 * Planning met more threads than PUs in exclusive mode and ran them
	 * shared: the first such thread count (0: none), for main to say.
	 */
	unsigned int shared_only_threads;
	struct pb_row *rows;
	size_t nr_rows, cap_rows;
	char dir[4096];			/* the results folder */
	char started[32], finished[32];	/* UTC, ISO 8601 */
	struct pb_noise noise;		/* the executor samples it */

	/* probes.c: the latency clock (a latency run) and the peak RSS. */
	struct pb_lat_clock lat_clock;
	bool lat_clock_ok;
	char lat_clock_why[200];	/* why not rdtsc ("" when it is) */
	bool peak_resets;		/* per run (clear_refs), else per process */
	char peak_note[200];		/* why not */

	/* Set by the isolated executor once it merged its children's rows. */
	bool merged;
	int64_t merged_benchmarks, merged_failed;
};

#endif /* PB_HARNESS_RUN_H */
