// SPDX-License-Identifier: GPL-2.0-only
/*
 * progress.c - what a run says on the console: the points it skipped, a
 * line per finished benchmark with the elapsed time and the ETA, and the
 * summary table at the end.
 *
 * Calls plan.c (an instance's estimate) and results.c (its median row);
 * called by main.c and the executors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/plan.h"
#include "harness/progress.h"
#include "harness/results.h"

/*
 * One console line per skip reason, with its count: the full list, point
 * by point, is meta.json's "skipped". Said by the run's top process only
 * (an isolated run's children plan the same skips again).
 */
void pb_progress_skips(const struct pb_run *r)
{
	bool *said;

	if (!r->nr_skipped || r->child)
		return;
	said = calloc(r->nr_skipped, sizeof(*said));
	if (!said) {
		perror("poolbench");
		exit(1);
	}
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

/* ---- progress lines ------------------------------------------------------ */

void pb_progress_init(struct pb_progress *pg, const struct pb_run *r)
{
	const struct pb_run_opts *o = r->opts;
	const struct pb_child_progress *from = r->child ? &r->child->progress : NULL;

	memset(pg, 0, sizeof(*pg));
	if (from && from->given) {
		pg->k = from->done;
		pg->n = from->total;
		pg->t0_ns = from->t0_ns;
		pg->done_est = from->done_est;
		pg->total_est = from->total_est;
		return;
	}
	pg->n = r->nr_inst;
	pg->t0_ns = pb_now_ns();
	for (size_t i = 0; i < r->nr_inst; i++) {
		bool open;

		pg->total_est += pb_instance_estimate(&r->inst[i], o->reps,
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

void pb_progress_done(struct pb_progress *pg, const struct pb_run *r,
		      const struct pb_instance *in)
{
	const char *label = r->child ? r->child->label : NULL;
	const struct pb_row *med = NULL, *bad = NULL, *one = NULL;
	double elapsed = (double)(pb_now_ns() - pg->t0_ns) / 1e9;
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
	/* An interleaved run's child runs one repetition of each. */
	bool one_rep = r->opts->reps == 1 || (r->child && r->child->rep >= 0);

	/* The noise report's probe: not a benchmark of the plan. */
	if (r->child && r->child->probe) {
		med = pb_results_median(r, in);
		if (med && !med->error)
			printf("poolbench: null baseline probe: %.3f ns/op (median)\n",
			       med->ns_per_op);
		else
			printf("poolbench: null baseline probe: no median\n");
		fflush(stdout);
		return;
	}
	pg->k++;
	pg->done_est += pb_instance_estimate(in, one_rep ? 1 : r->opts->reps,
					     r->opts->min_time, &open);
	pb_fmt_duration(el, sizeof(el), elapsed);
	pb_progress_eta(eta, sizeof(eta), elapsed, pg->done_est, pg->total_est);
	printf("[%zu/%zu] %s elapsed, ETA %s  %s%s%s  ", pg->k, pg->n, el, eta,
	       label ? label : "", label ? " " : "", in->name);
	if (bad)
		printf("FAILED: %s\n", bad->error_message);
	else if (r->opts->latency && (med || (one_rep && one)) &&
		 isfinite((med ? med : one)->lat[0]))
		/* A latency run has no ns/op: its percentiles instead. */
		printf("alloc p50 %.1f p99.9 %.1f ns, free p50 %.1f p99.9 %.1f "
		       "ns%s\n", (med ? med : one)->lat[0],
		       (med ? med : one)->lat[3],
		       (med ? med : one)->lat[PB_LAT_NR_PCTS],
		       (med ? med : one)->lat[PB_LAT_NR_PCTS + 3],
		       r->child && r->child->rep >= 0 ? " (one repetition)" : "");
	else if (r->opts->latency)
		printf("each alloc and free timed (percentiles in results.csv)\n");
	else if (med || (one = (one_rep ? one : NULL)))
		printf("%.3f ns/op %.0f ops/s%s\n", (med ? med : one)->ns_per_op,
		       (med ? med : one)->ops_per_sec,
		       r->child && r->child->rep >= 0 ? " (one repetition)" : "");
	else
		printf("no median reported\n");
	fflush(stdout);
}

/* ---- the summary --------------------------------------------------------- */

static bool same_point(const struct pb_instance *a, const struct pb_instance *b)
{
	return a->workload == b->workload && a->mode == b->mode &&
	       a->threads == b->threads && a->obj_size == b->obj_size &&
	       !memcmp(a->wl_values, b->wl_values, sizeof(a->wl_values));
}

/*
 * "n=256 touch=0 alloc=atomic": every workload parameter, then the backend
 * options given on the command line (results.csv has all of them).
 */
static void describe_point(const struct pb_instance *in, char *buf, size_t len)
{
	const struct pb_option_spec *wp = in->workload->params;
	size_t off = 0;

	buf[0] = '\0';
	for (size_t k = 0; wp && wp[k].key && off < len; k++) {
		char v[32];

		pb_option_format(&wp[k], in->wl_values[k], v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
					off ? " " : "", wp[k].key, v);
	}
	for (size_t k = 0; k < in->nr_opts && off < len; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
					off ? " " : "", in->opts[k].key,
					in->opts[k].value);
	if (!buf[0])
		snprintf(buf, len, "-");
}

/*
 * A latency run's line per instance: its parameters and the medians over
 * repetitions of its alloc p50, p99 and p99.99 (no ns per pair: its batch
 * has probes inside).
 */
static void latency_summary(const struct pb_run *r, FILE *f)
{
	fprintf(f, "\n%-15s %-16s %-9s %3s %6s %-30s %27s\n", "backend",
		"workload", "mode", "thr", "size", "parameters",
		"alloc ns p50 / p99 / p99.99");
	for (size_t i = 0; i < r->nr_inst; i++) {
		const struct pb_instance *in = &r->inst[i];
		const struct pb_row *m = pb_results_median(r, in);
		char given[256];

		describe_point(in, given, sizeof(given));
		fprintf(f, "%-15s %-16s %-9s %3u %6zu %-30s ", in->backend->name,
			in->workload->name, pb_mode_name(in->mode), in->threads,
			in->obj_size, given);
		if (!m || m->error || !isfinite(m->lat[0]))
			fprintf(f, "%27s\n", "FAILED");
		else
			fprintf(f, "%9.0f / %6.0f / %6.0f\n", m->lat[0], m->lat[2],
				m->lat[4]);
	}
}

/*
 * One line per instance: its parameters, the median over repetitions, its
 * cv, and the null baseline of the same workload point (the harness's own
 * cost).
 */
void pb_progress_summary(const struct pb_run *r, FILE *f)
{
	if (r->opts->latency) {
		latency_summary(r, f);
		return;
	}
	fprintf(f, "\n%-15s %-16s %-9s %3s %6s %-30s %11s %6s %11s\n", "backend",
		"workload", "mode", "thr", "size", "parameters", "ns/op (med)",
		"cv", "null ns/op");
	for (size_t i = 0; i < r->nr_inst; i++) {
		const struct pb_instance *in = &r->inst[i];
		const struct pb_row *m = pb_results_median(r, in), *cv = NULL, *base = NULL;
		char given[256];

		for (size_t j = 0; j < r->nr_rows; j++)
			if (r->rows[j].in == in && !strcmp(r->rows[j].statistic, "cv"))
				cv = &r->rows[j];
		for (size_t j = 0; j < r->nr_inst; j++)
			if ((r->inst[j].backend->flags & PB_BACKEND_BASELINE) &&
			    same_point(&r->inst[j], in))
				base = pb_results_median(r, &r->inst[j]);
		describe_point(in, given, sizeof(given));
		fprintf(f, "%-15s %-16s %-9s %3u %6zu %-30s ", in->backend->name,
			in->workload->name, pb_mode_name(in->mode), in->threads,
			in->obj_size, given);
		if (!m || m->error || !isfinite(m->ns_per_op))
			fprintf(f, "%11s %6s", "FAILED", "");
		else if (cv && isfinite(cv->ns_per_op))
			fprintf(f, "%11.3f %5.1f%%", m->ns_per_op, 100 * cv->ns_per_op);
		else
			fprintf(f, "%11.3f %6s", m->ns_per_op, "-");
		if (base && !base->error && isfinite(base->ns_per_op))
			fprintf(f, " %11.3f\n", base->ns_per_op);
		else
			fprintf(f, " %11s\n", "-");
	}
}
