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

/*
 * pb_gb_init() - initialise Google Benchmark; its JSON goes to @json_path.
 * Return: 0, or -1 if the library refused the arguments.
 */
int pb_gb_init(const char *json_path);

/* pb_gb_quiet_context() - leave out the machine context on stderr. */
void pb_gb_quiet_context(int quiet);

/* pb_gb_add_context() - a key/value pair for the JSON "context". */
void pb_gb_add_context(const char *key, const char *value);

/* pb_gb_register() - register @body(@arg) as benchmark @spec. */
void pb_gb_register(const struct pb_gb_spec *spec, pb_gb_body_fn body,
		    void *arg);

/*
 * pb_gb_run_all() - run every registered benchmark; @report is called for
 * each finished run and aggregate, on the main thread, and @batch_end (may
 * be NULL) after each batch of reports Google Benchmark hands over at once
 * (an instance's repetitions, then its aggregates).
 * Return: the number of benchmarks run.
 */
size_t pb_gb_run_all(pb_gb_report_fn report, void (*batch_end)(void *arg),
		      void *arg);

/* pb_gb_shutdown() - flush and close the JSON output. */
void pb_gb_shutdown(void);

/* Inside a body. */
int pb_gb_thread_index(const struct pb_gb_state *st);
int pb_gb_threads(const struct pb_gb_state *st);
/* Iterations Google Benchmark asks of each thread for this run. */
uint64_t pb_gb_max_iterations(const struct pb_gb_state *st);

/*
 * pb_gb_begin() - start the timed batch of @iterations (>= max_iterations).
 * Waits at the start barrier. Return: true if the batch must be run, then
 * followed by pb_gb_end(); false if this thread's run was marked failed
 * (pb_gb_error) before: then the end barrier was passed too.
 */
bool pb_gb_begin(struct pb_gb_state *st, uint64_t iterations);

/*
 * pb_gb_end() - stop the timer and wait at the end barrier. The batch given
 * to pb_gb_begin() must have covered pb_gb_max_iterations().
 */
void pb_gb_end(struct pb_gb_state *st);

/* pb_gb_error() - mark this run failed with @msg (copied). */
void pb_gb_error(struct pb_gb_state *st, const char *msg);

/* pb_gb_set_counter() - set user counter @name (not summed over threads). */
void pb_gb_set_counter(struct pb_gb_state *st, const char *name, double value);

#ifdef __cplusplus
}
#endif

#endif /* PB_HARNESS_GBSHIM_H */
