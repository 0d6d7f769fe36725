/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.h - a planned run: its benchmark instances and the rows they report.
 *
 * Shared by the runner (runner.c: planning and the benchmark body) and the
 * writers of a results folder (results.c). An instance is one point of the
 * cross product backend x workload x mode x threads x size x parameter
 * values; Google Benchmark runs it `reps` times and reports one row per
 * repetition plus one per aggregate.
 */
#ifndef PB_HARNESS_RUN_H
#define PB_HARNESS_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "allocators/backend.h"
#include "harness/cli.h"
#include "harness/jsonw.h"
#include "harness/perfev.h"
#include "harness/topo.h"
#include "workloads/workload.h"

#define PB_MAX_WL_PARAMS 8
#define PB_MAX_OPTS 16

/* What one worker thread measured in one run. */
struct pb_thread_result {
	uint64_t iterations;
	uint64_t t0_ns, t1_ns;	/* CLOCK_MONOTONIC around the batch */
	int cpu;		/* sched_getcpu() after pinning */
	struct pb_perf_values perf;
	bool perf_ok;
	struct pb_kernel_out out;	/* the kernel's hits and misses */
	char error[256];
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
	struct pb_kernel_args proto;		/* n, capacity and touch */
	enum pb_kernel_id kernel;		/* the workload's, for its values */
	struct pb_config cfg;
	unsigned int *slots;			/* CPU slot of each thread */
	const struct pb_perf_probe *probe;
	const struct pb_topo *topo;

	/*
	 * Set when a million round outran its limit: later repetitions of
	 * this instance are not run again, they repeat this message.
	 */
	char dnf[256];

	/* State of the run in progress; thread 0 resets it. */
	pthread_barrier_t barrier;
	bool barrier_ready;		/* initialised: free_plan destroys it */
	atomic_bool start_failed;	/* a thread could not start its kernel */
	void *pool;
	char error[256];
	struct pb_stats stats_before;
	struct pb_thread_result *tr;	/* [threads] */
	struct pb_handover *ho;		/* [threads / 2]: remote kernel */
	char pus[256];			/* OS CPUs the threads ran on */
};

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

/* One row of results.csv: a repetition or an aggregate of one instance. */
struct pb_row {
	const struct pb_instance *in;
	char statistic[16];		/* "run", "mean", "median", ... */
	long rep;			/* repetition index, -1 for aggregates */
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
	double stat[PB_STAT__COUNT];	/* NAN: not reported */
};

/* A point of the cross product that a backend cannot serve. */
struct pb_skip {
	char name[384];
	char reason[256];
};

struct pb_run {
	const struct pb_run_opts *opts;
	int argc;
	char **argv;
	struct pb_topo *topo;
	struct pb_perf_probe probe;
	struct pb_instance *inst;
	size_t nr_inst, cap_inst;
	struct pb_row *rows;
	size_t nr_rows, cap_rows;
	struct pb_skip *skipped;
	size_t nr_skipped, cap_skipped;
	char dir[4096];			/* the results folder */
	char started[32], finished[32];	/* UTC, ISO 8601 */

	/* An isolated run's parent (isolate.c) merges its children's rows. */
	bool merged;
	int64_t merged_benchmarks, merged_failed;
	void (*meta_extra)(struct pb_jw *w, const struct pb_run *r);
	void *iso;
};

/* A file written under a temporary name, renamed into place when whole. */
struct pb_pending {
	FILE *f;
	char tmp[4200], path[4200];
};

/* results.c */
int pb_results_check_out(const char *out, char *err, size_t errlen);
int pb_results_mkdir(struct pb_run *r, char *err, size_t errlen);
int pb_results_write(struct pb_run *r, char *err, size_t errlen);
int pb_results_write_meta(const struct pb_run *r, const char *gb_json,
			  char *err, size_t errlen);
int pb_results_write_topology(const struct pb_run *r, char *err, size_t errlen);
void pb_results_summary(const struct pb_run *r, FILE *f);
FILE *pb_pending_open(struct pb_pending *p, const char *dir, const char *name);
int pb_pending_commit(struct pb_pending *p, char *err, size_t errlen);
void pb_csv_header(FILE *f);
int pb_results_write_instance(struct pb_run *r, const struct pb_instance *in,
			      char *err, size_t errlen);
/* One row; @label replaces the backend column (NULL: the run's own). */
void pb_csv_row(FILE *f, const struct pb_run *r, const struct pb_row *row,
		const char *label);

/* runner.c */
/* A row of @in with every figure unavailable (NaN), nothing else set. */
void pb_row_init(struct pb_row *row, const struct pb_instance *in,
		 const char *statistic, long rep);
/* The time now, UTC, ISO 8601 (2026-11-23T21:45:04Z). */
void pb_utc_now(char *buf, size_t len);
int pb_run_plan(struct pb_run *r, char *err, size_t errlen);
/* Seconds one instance should take; *@open_ended: a million case. */
double pb_instance_estimate(const struct pb_instance *in, int reps,
			    double min_time, bool *open_ended);

/* A duration in seconds as m:ss, or h:mm:ss from an hour on. */
void pb_fmt_duration(char *buf, size_t len, double s);
/* The ETA of a run from its elapsed time and estimates (m:ss or h:mm:ss). */
void pb_progress_eta(char *buf, size_t len, double elapsed, double done_est,
		     double total_est);

/* isolate.c: the parent of an --isolate run, after planning. */
int pb_isolate_run(struct pb_run *r, int argc, char **argv);

#endif /* PB_HARNESS_RUN_H */
