/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * workload.h - workloads: a named kernel plus its parameters.
 *
 * A workload lives in workloads/<name>.c and registers itself with
 * PB_WORKLOAD_REGISTER(). It names the kernel (kernels.h) that times it,
 * declares its parameters as an option table (options.h; given on the
 * command line as --param key=value, comma lists sweep), and turns parsed
 * parameter values into per-thread kernel arguments. What only it needs
 * around the timed loop (remote-free's hand-over queues, million's
 * per-thread state and peak statistics) it sets up and tears down in its
 * own hooks, which the harness's benchmark body (harness/bench.c) calls
 * outside the timed batch.
 *
 * A workload file calls only its kernel's helpers (kernels.h), the
 * options (allocators/options.h) and, in its hooks, the backend it is
 * given; never the harness.
 */
#ifndef PB_WORKLOADS_WORKLOAD_H
#define PB_WORKLOADS_WORKLOAD_H

#include "allocators/options.h"
#include "workloads/kernels.h"

struct pb_backend;

/*
 * struct pb_workload_point - what prepare() makes of one point of the
 * workload's parameters: @n, objects a thread holds live at once and the
 * multiple every thread's iteration count is rounded up to (the kernel's
 * @n); @touch (the kernel's); @capacity, objects per thread the pool is
 * created with (0: @n).
 */
struct pb_workload_point {
	size_t n;
	size_t capacity;
	bool touch;
};

/*
 * struct pb_workload_run - one run of a benchmark instance as its
 * workload's hooks see it: the benchmark's @name (for messages), its
 * @threads, the parsed parameter @values (one per params entry), the
 * @backend and its @pool (NULL in run_setup; set before any worker
 * starts), and @state, the workload's own, which run_setup may set.
 */
struct pb_workload_run {
	const char *name;
	unsigned int threads;
	const uint64_t *values;
	const struct pb_backend *backend;
	void *pool;
	void *state;
};

struct pb_workload {
	const char *name;
	const char *description;
	enum pb_kernel_id kernel;
	/* Parameters, terminated by a NULL key; may be NULL. */
	const struct pb_option_spec *params;
	/*
	 * prepare() - fill @p from the parsed @values, one per params entry.
	 * Return: 0, or -1 with a message in @err.
	 */
	int (*prepare)(const uint64_t *values, struct pb_workload_point *p,
		       char *err, size_t errlen);
	/* Optional: the kernel for these parameter values (else .kernel). */
	enum pb_kernel_id (*pick_kernel)(const uint64_t *values);
	/*
	 * Thread counts must be a multiple of this (remote-free: 2, a
	 * producer and a consumer); others are skipped with a reason. 0: any.
	 */
	unsigned int thread_multiple;
	/*
	 * Threads that share one operation: ops_per_sec and the per-op
	 * statistics count operations, not thread iterations (remote-free:
	 * 2, each object is allocated by one thread and freed by another).
	 * 0: 1.
	 */
	unsigned int threads_per_op;
	/* Without --threads, run at 1, 2, ... every allowed PU (scaling). */
	bool all_thread_counts;
	/* The kernel counts hits and misses (pb_kernel_out): report them. */
	bool counts_hits;
	/*
	 * The kernel times its alloc and free phases (pb_kernel_out): report
	 * alloc_ms and free_ms per round, and time per op from the phases.
	 */
	bool times_phases;
	/* One thread only: other thread counts are skipped with a reason. */
	bool single_thread;
	/* Object sizes when --size is not given (0-terminated); NULL: --size's default. */
	const size_t *sizes;
	/*
	 * times_phases: a round's time, guessed from @values (@guess_s) and
	 * at most (@limit_s; 0: none), for the run's estimate and the time
	 * limit of an isolated group. Optional: 0.01 s, no limit.
	 */
	void (*round_time)(const uint64_t *values, double *guess_s,
			   double *limit_s);

	/*
	 * Optional hooks around each run (Google Benchmark's trials and every
	 * repetition), never timed. run_setup() runs on thread 0 before the
	 * pool is created, run_teardown() after every worker finished, before
	 * the pool is destroyed, also when run_setup() failed.
	 * thread_setup() runs on worker @ti, pinned, before the backend's
	 * thread_init(), and fills the worker's kernel arguments (@a->wl);
	 * thread_teardown() runs on the same worker after its batch, also
	 * when thread_setup() failed or was never reached (@a->wl NULL).
	 * The setups return 0, or -1 with a message in @err: the run fails
	 * with it.
	 */
	int (*run_setup)(struct pb_workload_run *run, char *err, size_t errlen);
	void (*run_teardown)(struct pb_workload_run *run);
	int (*thread_setup)(struct pb_workload_run *run, unsigned int ti,
			    struct pb_kernel_args *a, char *err, size_t errlen);
	void (*thread_teardown)(struct pb_workload_run *run, unsigned int ti,
				struct pb_kernel_args *a);
};

/* The `touch` parameter, shared by the workloads that take it. */
#define PB_PARAM_TOUCH                                                         \
	{ .key = "touch", .type = PB_OPT_UINT, .def = 0, .min = 0, .max = 1,   \
	  .help = "1: write one byte into every object after alloc (seed: 0)" }

/**
 * pb_workload_register() - list a workload (PB_WORKLOAD_REGISTER(), from a
 * constructor)
 * @w: the workload
 *
 * A workload without a name or prepare(), with an unknown kernel or a
 * taken name, stops the program with a message.
 *
 * Return: 0.
 */
int pb_workload_register(const struct pb_workload *w);

/**
 * pb_workload_count() - how many workloads are registered
 *
 * Return: the count.
 */
size_t pb_workload_count(void);

/**
 * pb_workload_at() - a workload by position, by name
 * @i: index from 0
 *
 * Return: the workload, or NULL past the last one.
 */
const struct pb_workload *pb_workload_at(size_t i);

/**
 * pb_workload_find() - a workload by name
 * @name: its name ("ring-cleanup")
 *
 * Return: the workload, or NULL when none has that name.
 */
const struct pb_workload *pb_workload_find(const char *name);

#define PB_WORKLOAD_REGISTER(sym, ...)                                         \
	static const struct pb_workload pb_workload_##sym = { __VA_ARGS__ };   \
	__attribute__((constructor)) static void pb_register_wl_##sym(void)    \
	{                                                                      \
		pb_workload_register(&pb_workload_##sym);                      \
	}

#endif /* PB_WORKLOADS_WORKLOAD_H */
