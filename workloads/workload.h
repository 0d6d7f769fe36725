/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * workload.h - workloads: a named kernel plus its parameters.
 *
 * A workload lives in workloads/<name>.c and registers itself with
 * PB_WORKLOAD_REGISTER(). It names the kernel (kernels.h) that times it,
 * declares its parameters as an option table (options.h; given on the
 * command line as --param key=value, comma lists sweep), and turns parsed
 * parameter values into per-thread kernel arguments.
 */
#ifndef PB_WORKLOADS_WORKLOAD_H
#define PB_WORKLOADS_WORKLOAD_H

#include "allocators/options.h"
#include "workloads/kernels.h"

struct pb_workload {
	const char *name;
	const char *description;
	enum pb_kernel_id kernel;
	/* Parameters, terminated by a NULL key; may be NULL. */
	const struct pb_option_spec *params;
	/*
	 * prepare() - fill @a (n and touch; the harness owns the ring) from
	 * the parsed @values, one per params entry. a->n is both the number
	 * of objects a thread holds live at once and the multiple every
	 * thread's iteration count is rounded up to.
	 * Return: 0, or -1 with a message in @err.
	 */
	int (*prepare)(const uint64_t *values, struct pb_kernel_args *a,
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
