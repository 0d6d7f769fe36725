/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gbshim.h - a small C API over Google Benchmark (harness/gbshim.cc).
 *
 * C registers benchmarks with a body function and an argument. Inside the
 * body, each thread asks for its whole run as ONE batch (pb_gb_begin), loops
 * in C, then closes the batch (pb_gb_end): Google Benchmark's own
 * bookkeeping is paid twice per run, not per iteration. Per-run figures are
 * set from C as user counters; every finished run (repetitions and the
 * mean/median/stddev/cv/min/max aggregates) is handed back to a C callback.
 *
 * Threading: Google Benchmark runs thread 0 of a benchmark on the calling
 * (main) thread and creates threads 1..n-1 anew for every run; all threads
 * run the same number of iterations and meet at a barrier on entering and
 * leaving their batch.
 *
 * Called by the benchmark body (bench.c) and the in-process executor
 * (local.c); calls nothing of the harness.
 */
#ifndef PB_HARNESS_GBSHIM_H
#define PB_HARNESS_GBSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pb_gb_state;

typedef void (*pb_gb_body_fn)(struct pb_gb_state *st, void *arg);

struct pb_gb_spec {
	const char *name;	/* unique; copied */
	int threads;
	int repetitions;
	double min_time;	/* seconds */
};

/* One finished run or aggregate, as reported by Google Benchmark. */
struct pb_gb_run {
	const char *name;		/* the registered name */
	const char *aggregate;		/* NULL for a repetition, else "mean", ... */
	long repetition_index;		/* -1 for aggregates */
	long threads;
	uint64_t iterations;		/* summed over threads */
	double real_ns;			/* per iteration, as GB reports it */
	double cpu_ns;
	bool error;
	const char *error_message;
	size_t nr_counters;
	const char *const *counter_names;
	const double *counter_values;
};

typedef void (*pb_gb_report_fn)(const struct pb_gb_run *run, void *arg);

/**
 * pb_gb_init() - initialise Google Benchmark
 * @json_path: where its JSON output goes
 * @interleave: non-zero to run the repetitions of all benchmarks in a
 *              random order (--benchmark_enable_random_interleaving); each
 *              benchmark is still reported once, when its last repetition
 *              is done
 *
 * Return: 0, or -1 if the library refused the arguments.
 */
int pb_gb_init(const char *json_path, int interleave);

/**
 * pb_gb_quiet_context() - leave out the machine context on stderr
 * @quiet: non-zero to leave it out
 */
void pb_gb_quiet_context(int quiet);

/**
 * pb_gb_register() - register a benchmark
 * @spec: its name, threads, repetitions and minimum time
 * @body: run by each of its threads, for every run
 * @arg: passed to @body
 */
void pb_gb_register(const struct pb_gb_spec *spec, pb_gb_body_fn body,
		    void *arg);

/**
 * pb_gb_run_all() - run every registered benchmark
 * @report: called for each finished run and aggregate, on the main thread
 * @batch_end: may be NULL; called after each batch of reports Google
 *             Benchmark hands over at once (an instance's repetitions,
 *             then its aggregates)
 * @arg: passed to both
 *
 * Return: the number of benchmarks run.
 */
size_t pb_gb_run_all(pb_gb_report_fn report, void (*batch_end)(void *arg),
		      void *arg);

/**
 * pb_gb_shutdown() - flush and close the JSON output
 */
void pb_gb_shutdown(void);

/**
 * pb_gb_thread_index() - inside a body: this thread's index
 * @st: the body's state
 *
 * Return: 0 for the main thread, 1..threads-1 for the others.
 */
int pb_gb_thread_index(const struct pb_gb_state *st);

/**
 * pb_gb_max_iterations() - inside a body: iterations asked of each thread
 * @st: the body's state
 *
 * Return: the iterations Google Benchmark asks of each thread for this run.
 */
uint64_t pb_gb_max_iterations(const struct pb_gb_state *st);

/**
 * pb_gb_begin() - start the timed batch, after the start barrier
 * @st: the body's state
 * @iterations: the batch, at least pb_gb_max_iterations()
 *
 * Return: true if the batch must be run, then followed by pb_gb_end();
 * false if this thread's run was marked failed (pb_gb_error) before: then
 * the end barrier was passed too.
 */
bool pb_gb_begin(struct pb_gb_state *st, uint64_t iterations);

/**
 * pb_gb_end() - stop the timer and wait at the end barrier
 * @st: the body's state; the batch given to pb_gb_begin() must have
 *      covered pb_gb_max_iterations()
 */
void pb_gb_end(struct pb_gb_state *st);

/**
 * pb_gb_error() - mark this run failed
 * @st: the body's state
 * @msg: why (copied)
 */
void pb_gb_error(struct pb_gb_state *st, const char *msg);

/**
 * pb_gb_set_counter() - set a user counter (not summed over threads)
 * @st: the body's state
 * @name: the counter
 * @value: its value
 */
void pb_gb_set_counter(struct pb_gb_state *st, const char *name, double value);

#ifdef __cplusplus
}
#endif

#endif /* PB_HARNESS_GBSHIM_H */
