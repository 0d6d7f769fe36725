/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the `poolbench run` command line.
 *
 * Parsing only checks syntax and closed choices; names of backends and
 * workloads, parameter keys and values are checked against the registries
 * when the run is planned (plan.c), where the valid choices are known.
 * Every error is one line naming the bad input and the valid choices; the
 * caller exits with status 2.
 *
 * Called by main.c; cli.c calls nothing else of the harness.
 */
#ifndef PB_HARNESS_CLI_H
#define PB_HARNESS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "allocators/backend.h"
#include "harness/perfev.h"
#include "harness/topo.h"

#define PB_CLI_MAX_LIST 64

/* --threads tokens: a count, or one of these. */
#define PB_THREADS_ALL 0u	/* every allowed PU */
#define PB_THREADS_POW2 (~0u)	/* 1, 2, 4, ... up to every allowed PU, and all */

/* --param [scope.]key=v1,v2,...; scope is a backend or workload name. */
struct pb_param {
	char *scope;		/* NULL: every backend/workload that has key */
	char *key;
	char *values[PB_CLI_MAX_LIST];
	size_t nr_values;
};

struct pb_run_opts {
	char *backends[PB_CLI_MAX_LIST];	/* empty: all */
	size_t nr_backends;
	char *workloads[PB_CLI_MAX_LIST];	/* empty: all */
	size_t nr_workloads;
	unsigned int threads[PB_CLI_MAX_LIST];
	size_t nr_threads;
	bool threads_given;	/* --threads was given (else: 1, or 1..all) */
	enum pb_placement placement;
	size_t sizes[PB_CLI_MAX_LIST];
	size_t nr_sizes;
	bool sizes_given;	/* --size was given (else a workload's own sizes) */
	size_t align;
	enum pb_mode modes[PB_MODE__COUNT];
	size_t nr_modes;
	struct pb_param params[PB_CLI_MAX_LIST];
	size_t nr_params;
	int reps;
	double min_time;
	bool quick;
	bool oversubscribe;
	bool latency;	/* --latency: the latency kernels, probes.c */
	enum pb_perf_request counters;
	const char *out;

	/* Isolation (isolate.c): every backend x workload in its own process. */
	bool isolate;
	double group_timeout;	/* seconds; 0: from the group's estimate */
	char *peers[PB_CLI_MAX_LIST];	/* general allocators under malloc */
	size_t nr_peers;
	bool peers_given;	/* --peers (else: every one installed) */
	const char *resume;	/* --resume DIR: finish that isolated run */

	/*
	 * --interleave on|off (default on): repetition k of every benchmark
	 * runs before repetition k + 1 of any (isolated: one child per group
	 * and repetition, in rotating order; in process: Google Benchmark's
	 * random interleaving).
	 */
	bool interleave;

	/*
	 * --executor local|slurm (slurm.c): where an isolated run's groups
	 * run; slurm: one job array, a task per group on a node of its own.
	 * --partitions, --account, --sbatch-args: what sbatch is given;
	 * several partitions run the plan once on each (machine comparison).
	 */
	enum pb_executor { PB_EXEC_LOCAL, PB_EXEC_SLURM } executor;
	char *partitions[PB_CLI_MAX_LIST];
	size_t nr_partitions;
	const char *account;
	const char *sbatch_args;
};

/*
 * struct pb_child_progress - where the whole isolated run stood when the
 * parent started this child, so the child's progress lines count over the
 * whole run: @done of @total benchmarks finished, the run's clock started
 * at @t0_ns (CLOCK_MONOTONIC), @done_est of @total_est estimated seconds
 * done. @given: the parent passed it (else the child counts on its own).
 */
struct pb_child_progress {
	bool given;
	size_t done, total;
	uint64_t t0_ns;
	double done_est, total_est;
};

/*
 * struct pb_child_opts - what the parent of an isolated run (isolate.c)
 * tells each child process, on the child's command line (--only-backend,
 * --only-workload, --label, --machine, --expect-malloc, --progress-*; never given by
 * users; --rep). @active: this process is such a child (--only-backend given):
 * it runs the one group @backend x @workload in process, writes an
 * ordinary results folder and leaves the run's console lines (plan,
 * skips, summary) to its parent. @label names the backend column
 * (malloc:jemalloc; NULL: the backend's name); @machine fills the
 * machine column (the partition of a --partitions a,b run; NULL: empty,
 * a run of one machine); @expect_malloc: malloc
 * must come from this library (a peer under LD_PRELOAD). @rep: in an
 * interleaved run, the one repetition this child runs (its rows carry
 * that index); -1: every repetition, back to back. @probe: measure the
 * null baseline (null, fastpath-reuse, exclusive, 1 thread, 64 B) with
 * the run's repetitions and min time, whatever else the run plans: the
 * noise report's probe at the start, middle or end of an isolated run.
 */
struct pb_child_opts {
	bool active;
	const char *backend, *workload;
	const char *label;
	const char *machine;
	const char *expect_malloc;
	int rep;		/* --rep K: run repetition K only; -1: all of them */
	bool probe;		/* --null-probe: null, fastpath-reuse, 1 thread only */
	struct pb_child_progress progress;
};

/**
 * pb_cli_parse_run() - parse the arguments after "run"
 * @argc: number of arguments, argv[0] being "run"
 * @argv: the arguments
 * @o: the run options, filled in
 * @child: the child options, filled in (@child->active false for a user's run)
 * @err: where a message goes
 * @errlen: its size
 *
 * Return: 0; 1 if --help was printed; -1 with a message in @err.
 */
int pb_cli_parse_run(int argc, char **argv, struct pb_run_opts *o,
		     struct pb_child_opts *child, char *err, size_t errlen);

/**
 * pb_cli_free() - release what pb_cli_parse_run() allocated
 * @o: the options it filled
 */
void pb_cli_free(struct pb_run_opts *o);

/**
 * pb_cli_usage() - print the help text
 * @f: where to
 */
void pb_cli_usage(FILE *f);

#endif /* PB_HARNESS_CLI_H */
