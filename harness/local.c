// SPDX-License-Identifier: GPL-2.0-only
/*
 * local.c - the in-process executor: every instance of the plan under
 * Google Benchmark in this process, then the results folder.
 *
 * An isolated run's children run this too, on their own group; they leave
 * the run's header line, summary and closing lines to their parent.
 *
 * Called by main.c; calls bench.c, noise.c, plan.c, progress.c, results.c,
 * gbshim.
 */
#include <stdio.h>

#include "harness/bench.h"
#include "harness/local.h"
#include "harness/gbshim.h"
#include "harness/plan.h"
#include "harness/progress.h"
#include "harness/results.h"

/* The header line: benchmarks, the estimate, where the results go. */
static void print_header(const struct pb_run *r, double estimate,
			 size_t nr_long, double long_est)
{
	const struct pb_run_opts *o = r->opts;

	printf("poolbench: %zu benchmarks x %d repetitions, counters: %s; "
	       "about %.0f s", r->nr_inst, o->reps, r->probe.group, estimate);
	if (nr_long)
		printf(" plus %zu million cases (%d round%s each, guessed "
		       "at %.0f s, stopped at limit_s)", nr_long, o->reps,
		       o->reps == 1 ? "" : "s", long_est);
	printf("; results in %s\n", r->dir);
	fflush(stdout);
}

int pb_exec_local(struct pb_run *r)
{
	const struct pb_run_opts *o = r->opts;
	char err[1024] = "", json[4200];
	double estimate = 0, long_est = 0;
	size_t nr_long = 0, failed = 0;
	struct pb_progress pg;
	int rc = 2;

	if (pb_bench_prepare(r, err, sizeof(err)) ||
	    pb_results_mkdir(r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		goto out;
	}
	snprintf(json, sizeof(json), "%s/.bench.json.tmp", r->dir);
	/* A child that runs one repetition has nothing to interleave. */
	if (pb_gb_init(json, o->interleave && !(r->child && r->child->rep >= 0))) {
		fprintf(stderr, "poolbench: Google Benchmark refused its arguments\n");
		goto out;
	}
	for (size_t i = 0; i < r->nr_inst; i++) {
		bool open;
		int reps = r->child && r->child->rep >= 0 ? 1 : o->reps;
		double e = pb_instance_estimate(&r->inst[i], reps, o->min_time,
						&open);

		pb_bench_register(&r->inst[i], reps, o->min_time);
		if (open) {
			nr_long++;
			long_est += e;
		} else {
			estimate += e;
		}
	}
	if (!r->child)
		print_header(r, estimate, nr_long, long_est);
	pb_progress_init(&pg, r);
	/* An isolated run's later children: the first one showed it. */
	pb_gb_quiet_context(r->child && pg.k > 0);
	pb_utc_now(r->started, sizeof(r->started));
	pb_noise_sample(&r->noise.start);
	pb_bench_run_all(r, &pg);
	pb_noise_sample(&r->noise.end);
	pb_gb_shutdown();
	pb_utc_now(r->finished, sizeof(r->finished));

	if (pb_results_write(r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		rc = 1;
		goto out;
	}
	if (!r->child)
		pb_progress_summary(r, stdout);
	for (size_t i = 0; i < r->nr_rows; i++)
		failed += r->rows[i].error;
	if (failed && !r->child)
		fprintf(stderr, "poolbench: %zu runs failed; see the error column of "
			"%s/results.csv\n", failed, r->dir);
	if (!r->child) {
		char line[512];

		pb_noise_verdict(&r->noise, line, sizeof(line));
		printf("poolbench: the machine was %s\n", line);
		printf("poolbench: results written to %s\n", r->dir);
	}
	rc = failed ? 1 : 0;
out:
	pb_bench_release(r);
	return rc;
}
