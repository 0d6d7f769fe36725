// SPDX-License-Identifier: GPL-2.0-only
/*
 * merge.c - an isolated run's folder. After every group the executor
 * (isolate.c) rewrites, each atomically:
 *
 *   groups.tsv   id, state (done/failed, or lost: the Slurm cluster ended
 *                it, run again), seconds, reason: what --resume keeps
 *   results.csv  every finished group's rows, in plan order; a group that
 *                crashed, hung or could not run has one row per benchmark
 *                with the reason in `error`
 *   meta.json    the run's meta data, plus the peers with their Debian
 *                package versions and every group's state
 *   latency.csv  a latency run's histograms, repetitions summed
 *                (latmerge.c)
 *
 * so an interrupted run (Ctrl-C, or the parent killed) leaves every
 * finished result readable. A new run also gets run-args (its command
 * line) and plan.tsv; `--resume DIR` checks its plan is the same and
 * reads groups.tsv back.
 *
 * Part of the isolated executor (merge.h); calls peers.c, results.c,
 * latmerge.c, probes.c (latency.csv's header), placement.c (a Slurm
 * run's nodes) and jsonw.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/latmerge.h"
#include "harness/merge.h"
#include "harness/placement.h"
#include "harness/probes.h"
#include "harness/reps.h"
#include "harness/results.h"

/* "path: why", the path cut short if it must be. */
static void io_error(char *err, size_t errlen, const char *path)
{
	int e = errno;

	snprintf(err, errlen, "%.900s: %s", path, strerror(e));
}

const char *pb_group_state_name(enum pb_group_state st)
{
	return st == PB_GROUP_DONE ? "done" :
	       st == PB_GROUP_FAILED ? "failed" : "pending";
}

void pb_group_settle(struct pb_group *g)
{
	const struct pb_unit *bad = NULL;
	bool pending = false;

	g->seconds = 0;
	for (int i = 0; i < g->nu; i++) {
		const struct pb_unit *u = &g->u[i];

		pending |= u->state == PB_GROUP_PENDING;
		if (u->state != PB_GROUP_PENDING)
			g->seconds += u->seconds;
		if (u->state == PB_GROUP_FAILED && !bad)
			bad = u;
	}
	g->reason[0] = '\0';
	if (bad && bad->rep >= 0)
		snprintf(g->reason, sizeof(g->reason), "repetition %d: %.480s",
			 bad->rep, bad->reason);
	else if (bad)
		snprintf(g->reason, sizeof(g->reason), "%s", bad->reason);
	g->state = pending ? PB_GROUP_PENDING :
		   bad ? PB_GROUP_FAILED : PB_GROUP_DONE;
}

static int write_groups_tsv(const struct pb_iso *s, char *err, size_t errlen)
{
	struct pb_pending p;

	if (!pb_pending_open(&p, s->r->dir, "groups.tsv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	fprintf(p.f, "# id\trep\tstate\tseconds\treason\n");
	for (size_t k = 0; k < s->ng; k++) {
		for (int i = 0; i < s->g[k].nu; i++) {
			const struct pb_unit *u = &s->g[k].u[i];

			if (u->state == PB_GROUP_PENDING)
				continue;
			fprintf(p.f, "%s\t", s->g[k].id);
			if (u->rep < 0)
				fprintf(p.f, "all");
			else
				fprintf(p.f, "%d", u->rep);
			fprintf(p.f, "\t%s\t%.1f\t%s\n", u->lost ? "lost" :
				pb_group_state_name(u->state), u->seconds, u->reason);
		}
	}
	return pb_pending_commit(&p, err, errlen);
}

static void plan_tsv(const struct pb_iso *s, FILE *f)
{
	if (s->ng && s->g[0].nu > 1)
		fprintf(f, "# interleaved: %d rounds, one child per group and "
			"repetition\n", s->g[0].nu);
	/* The parts' columns: a resume by a build with others is refused. */
	fputs("# results.csv: ", f);
	pb_csv_header(f);
	fprintf(f, "# id\tlabel\tworkload\tbenchmarks\testimate_s\ttimeout_s\n");
	for (size_t k = 0; k < s->ng; k++)
		fprintf(f, "%s\t%s\t%s\t%zu\t%.1f\t%.0f\n", s->g[k].id,
			s->g[k].label, s->g[k].workload->name, s->g[k].n,
			s->g[k].estimate, s->g[k].timeout);
}

/*
 * Copy the CSV rows of @path to @out (after its header line if @header).
 * Return: the rows copied, or -1 if @path cannot be opened; *@failed
 * counts rows with an error (their last column is not empty).
 */
static long copy_rows(const char *path, bool header, FILE *out, long *failed)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (header) {
			header = false;
			continue;
		}
		n++;
		fwrite(line, 1, (size_t)len, out);
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len > 0 && line[len - 1] != ',')
			(*failed)++;
	}
	free(line);
	fclose(f);
	return n;
}

/* One failure row for instance @i of group @g, with the group's reason. */
static void failed_row(const struct pb_iso *s, const struct pb_group *g, size_t i,
		       FILE *out)
{
	struct pb_row row;

	pb_row_init(&row, &s->r->inst[g->idx[i]], "run", -1);
	row.error = true;
	snprintf(row.error_message, sizeof(row.error_message), "%.255s",
		 g->reason);
	pb_csv_row(out, s->r, &row, g->label, g->machine);
}

/*
 * A failed group: the benchmarks its child finished before it died keep
 * their rows (parts/<id>/partial/<i>.csv, the child's plan order is the
 * group's); every other one gets a row with the reason. Return: rows
 * with an error.
 */
static long failed_rows(const struct pb_iso *s, const struct pb_group *g, FILE *out)
{
	long failed = 0;

	for (size_t i = 0; i < g->n; i++) {
		char path[4400];

		snprintf(path, sizeof(path), "%s/parts/%s/partial/%zu.csv",
			 s->r->dir, g->id, i);
		if (copy_rows(path, false, out, &failed) < 0) {	/* g->u[0].rep < 0 */
			failed_row(s, g, i, out);
			failed++;
		}
	}
	return failed;
}

/* meta.json's members of an isolated run: its state, peers and groups. */
static void iso_meta(struct pb_jw *w, struct pb_iso *s)
{
	const struct pb_run_opts *o = s->r->opts;
	bool complete = true;

	for (size_t k = 0; k < s->ng; k++)
		complete &= s->g[k].state != PB_GROUP_PENDING;
	pb_jw_obj_begin(w, "isolation");
	pb_jw_bool(w, "complete", complete);
	pb_jw_bool(w, "interrupted", s->interrupted);
	pb_jw_int(w, "resumed", s->resumed);
	pb_jw_str(w, "first_started_utc", s->first_started);
	pb_jw_obj_end(w);

	pb_jw_obj_begin(w, "executor");
	if (o->executor == PB_EXEC_SLURM) {
		pb_jw_str(w, "kind", "slurm");
		if (o->nr_partitions > 1) {
			/* The plan once per partition: the machine column. */
			pb_jw_arr_begin(w, "machines");
			for (size_t m = 0; m < o->nr_partitions; m++)
				pb_jw_str(w, NULL, o->partitions[m]);
			pb_jw_arr_end(w);
		} else {
			pb_jw_str(w, "partition", o->nr_partitions ?
				  o->partitions[0] : "(the cluster's default)");
		}
		if (o->account)
			pb_jw_str(w, "account", o->account);
		if (o->sbatch_args)
			pb_jw_str(w, "sbatch_args", o->sbatch_args);
		pb_jw_str(w, "job_ids", s->slurm_jobs);
		pb_iso_placement_meta(w, s);
	} else {
		pb_jw_str(w, "kind", "local");
	}
	pb_jw_obj_end(w);

	pb_peers_meta(&s->peers, s->r->opts, w);

	pb_jw_arr_begin(w, "groups");
	for (size_t k = 0; k < s->ng; k++) {
		const struct pb_group *g = &s->g[k];

		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "id", g->id);
		pb_jw_str(w, "backend", g->backend->name);
		pb_jw_str(w, "label", g->label);
		pb_jw_str(w, "workload", g->workload->name);
		if (g->machine)
			pb_jw_str(w, "machine", g->machine);
		pb_jw_int(w, "benchmarks", (int64_t)g->n);
		pb_jw_num(w, "estimate_s", g->estimate);
		pb_jw_num(w, "timeout_s", g->timeout);
		pb_jw_str(w, "state", pb_group_state_name(g->state));
		if (g->state != PB_GROUP_PENDING)
			pb_jw_num(w, "seconds", g->seconds);
		if (g->state == PB_GROUP_FAILED)
			pb_jw_str(w, "reason", g->reason);
		if (g->nu == 1 && g->u[0].node[0])
			pb_jw_str(w, "node", g->u[0].node);
		if (g->nu > 1) {
			pb_jw_arr_begin(w, "reps");
			for (int i = 0; i < g->nu; i++) {
				const struct pb_unit *u = &g->u[i];

				pb_jw_obj_begin(w, NULL);
				pb_jw_int(w, "rep", u->rep);
				pb_jw_str(w, "state", pb_group_state_name(u->state));
				if (u->state != PB_GROUP_PENDING) {
					pb_jw_num(w, "seconds", u->seconds);
					if (u->started_s >= 0)
						pb_jw_num(w, "started_s", u->started_s);
				}
				if (u->state == PB_GROUP_FAILED)
					pb_jw_str(w, "reason", u->reason);
				if (u->node[0])
					pb_jw_str(w, "node", u->node);
				if (u->lost)
					pb_jw_bool(w, "lost", true);
				pb_jw_obj_end(w);
			}
			pb_jw_arr_end(w);
		}
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
}

/* A finished unit's bench.json, for meta.json's Google Benchmark build. */
static void first_json(const struct pb_iso *s, const struct pb_group *g,
		       char *json, size_t len)
{
	for (int i = 0; i < g->nu; i++) {
		char name[300];

		if (g->u[i].state != PB_GROUP_DONE)
			continue;
		pb_unit_name(g, &g->u[i], name, sizeof(name));
		snprintf(json, len, "%.4000s/parts/%s/bench.json", s->r->dir, name);
		return;
	}
}

/* The merged results.csv and meta.json of what has finished so far. */
/* A latency run's latency.csv: every group's histograms, in plan order. */
static int write_latency_csv(const struct pb_iso *s, char *err, size_t errlen)
{
	struct pb_pending p;

	if (!pb_pending_open(&p, s->r->dir, "latency.csv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	pb_lat_csv_header(p.f);
	for (size_t k = 0; k < s->ng; k++)
		if (!s->g[k].probe &&
		    pb_lat_merge_group(s, &s->g[k], p.f, err, errlen)) {
			fclose(p.f);
			unlink(p.tmp);
			return -1;
		}
	return pb_pending_commit(&p, err, errlen);
}

int pb_iso_write_merged(struct pb_iso *s, char *err, size_t errlen)
{
	struct pb_run *r = s->r;
	struct pb_pending p;
	struct pb_meta m;
	char json[4800] = "";
	long failed = 0, benchmarks = 0;

	if (!pb_pending_open(&p, r->dir, "results.csv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	pb_csv_header(p.f);
	for (size_t k = 0; k < s->ng; k++) {
		struct pb_group *g = &s->g[k];

		benchmarks += (long)g->n;
		if (g->nu > 1) {
			if (pb_reps_write_group(s, g, p.f, &failed, err, errlen)) {
				fclose(p.f);
				unlink(p.tmp);
				return -1;
			}
			if (!json[0])
				first_json(s, g, json, sizeof(json));
		} else if (g->state == PB_GROUP_DONE) {
			char path[4400];

			snprintf(path, sizeof(path), "%s/parts/%s/results.csv",
				 r->dir, g->id);
			if (copy_rows(path, true, p.f, &failed) < 0) {
				io_error(err, errlen, path);
				fclose(p.f);
				unlink(p.tmp);
				return -1;
			}
			if (!json[0])
				snprintf(json, sizeof(json), "%s/parts/%s/bench.json",
					 r->dir, g->id);
		} else if (g->state == PB_GROUP_FAILED) {
			failed += failed_rows(s, g, p.f);
		}
	}
	if (pb_pending_commit(&p, err, errlen))
		return -1;
	if (r->opts->latency && write_latency_csv(s, err, errlen))
		return -1;
	r->merged = true;
	r->merged_benchmarks = benchmarks;
	r->merged_failed = failed;
	pb_noise_sample(&r->noise.end);
	pb_utc_now(r->finished, sizeof(r->finished));
	if (pb_results_meta_open(&m, r, json, err, errlen))
		return -1;
	iso_meta(&m.w, s);
	return pb_results_meta_close(&m, err, errlen);
}

/* ---- resume ------------------------------------------------------------------- */

/* Read groups.tsv back: the groups it names are finished. */
static int load_state(struct pb_iso *s, char *err, size_t errlen)
{
	char path[4400], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/groups.tsv", s->r->dir);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;	/* interrupted before any group ended */
		io_error(err, errlen, path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *id, *rep, *state, *secs, *reason, *save = NULL;
		struct pb_group *g = NULL;
		struct pb_unit *u = NULL;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		id = strtok_r(line, "\t", &save);
		rep = strtok_r(NULL, "\t", &save);
		state = strtok_r(NULL, "\t", &save);
		secs = strtok_r(NULL, "\t", &save);
		reason = strtok_r(NULL, "", &save);
		for (size_t k = 0; id && k < s->ng; k++)
			if (!strcmp(s->g[k].id, id))
				g = &s->g[k];
		for (int i = 0; g && rep && i < g->nu; i++)
			if (g->u[i].rep < 0 ? !strcmp(rep, "all") :
			    atoi(rep) == g->u[i].rep && strcmp(rep, "all"))
				u = &g->u[i];
		if (!u || !state || !secs ||
		    (strcmp(state, "done") && strcmp(state, "failed") &&
		     strcmp(state, "lost"))) {
			snprintf(err, errlen, "%.900s: group '%.200s' repetition "
				 "'%.20s' is not in this plan: the build, machine or "
				 "command line differs from the interrupted run's (or "
				 "an older poolbench wrote it)", path, id ? id : "",
				 rep ? rep : "");
			rc = -1;
			break;
		}
		/* lost: the cluster ended it; it runs again. */
		if (!strcmp(state, "lost"))
			continue;
		u->state = strcmp(state, "done") ? PB_GROUP_FAILED : PB_GROUP_DONE;
		u->seconds = atof(secs);
		snprintf(u->reason, sizeof(u->reason), "%s", reason ? reason : "");
		pb_group_settle(g);
	}
	free(line);
	fclose(f);
	return rc;
}

/* The plan must be the one the run started with (plan.tsv). */
static int check_plan(const struct pb_iso *s, char *err, size_t errlen)
{
	char path[4400], *want, *have = NULL;
	size_t wlen = 0, hlen = 0;
	FILE *m;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/plan.tsv", s->r->dir);
	want = pb_read_file(path, &wlen);
	if (!want) {
		int e = errno;

		snprintf(err, errlen, "%.900s: %s (not an isolated run's folder?)",
			 path, strerror(e));
		return -1;
	}
	m = open_memstream(&have, &hlen);
	if (!m) {
		free(want);
		snprintf(err, errlen, "open_memstream: %s", strerror(errno));
		return -1;
	}
	plan_tsv(s, m);
	fclose(m);
	if (wlen != hlen || memcmp(want, have, wlen)) {
		snprintf(err, errlen, "%.800s: the plan differs from the interrupted "
			 "run's (another build, machine or set of installed "
			 "allocators); start a new run instead", path);
		rc = -1;
	}
	free(want);
	free(have);
	return rc;
}

static void read_first_started(struct pb_iso *s)
{
	static const char key[] = "\"first_started_utc\": \"";
	char path[4400], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta.json", s->r->dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key), *jobs = strstr(line, "\"job_ids\": \"");

		if (jobs) {	/* the Slurm jobs of earlier submissions */
			jobs += strlen("\"job_ids\": \"");
			jobs[strcspn(jobs, "\"")] = '\0';
			snprintf(s->slurm_jobs, sizeof(s->slurm_jobs), "%s", jobs);
			continue;
		}
		if (!p) {
			if (strstr(line, "\"resumed\": "))
				s->resumed = atoi(strstr(line, ": ") + 2);
			continue;
		}
		p += sizeof(key) - 1;
		p[strcspn(p, "\"")] = '\0';
		snprintf(s->first_started, sizeof(s->first_started), "%s", p);
	}
	fclose(f);
}

static int save_args(const struct pb_run *r, char *err, size_t errlen)
{
	int argc = r->argc;
	char **argv = r->argv;
	struct pb_pending p;

	for (int i = 2; i < argc; i++) {
		if (strchr(argv[i], '\n')) {
			snprintf(err, errlen, "an argument holds a newline: '%s'",
				 argv[i]);
			return -1;
		}
	}
	if (!pb_pending_open(&p, r->dir, "run-args")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	for (int i = 2; i < argc; i++)
		fprintf(p.f, "%s\n", argv[i]);
	return pb_pending_commit(&p, err, errlen);
}

static int write_plan_tsv(const struct pb_iso *s, char *err, size_t errlen)
{
	struct pb_pending p;

	if (!pb_pending_open(&p, s->r->dir, "plan.tsv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	plan_tsv(s, p.f);
	return pb_pending_commit(&p, err, errlen);
}

int pb_iso_write_state(struct pb_iso *s, char *err, size_t errlen)
{
	return write_groups_tsv(s, err, errlen) ||
	       pb_iso_write_merged(s, err, errlen) ? -1 : 0;
}

int pb_iso_open_folder(struct pb_iso *s, char *err, size_t errlen)
{
	struct pb_run *r = s->r;

	if (r->opts->resume) {
		snprintf(r->dir, sizeof(r->dir), "%s", r->opts->resume);
		read_first_started(s);
		s->resumed++;
		if (check_plan(s, err, errlen) || load_state(s, err, errlen))
			return -1;
	} else {
		if (pb_results_mkdir(r, err, errlen) ||
		    save_args(r, err, errlen) ||
		    write_plan_tsv(s, err, errlen))
			return -1;
	}
	for (int i = 0; i < 2; i++) {
		char sub[4200];

		snprintf(sub, sizeof(sub), "%s/%s", r->dir, i ? "logs" : "parts");
		if (mkdir(sub, 0777) && errno != EEXIST) {
			io_error(err, errlen, sub);
			return -1;
		}
	}
	pb_utc_now(r->started, sizeof(r->started));
	if (!s->first_started[0])
		snprintf(s->first_started, sizeof(s->first_started), "%s",
			 r->started);
	return pb_results_write_topology(r, err, errlen);
}
