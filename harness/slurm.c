// SPDX-License-Identifier: GPL-2.0-only
/*
 * slurm.c - `poolbench run --isolate --executor slurm`: the isolated run's
 * groups (isolate.c plans them, with their units and time limits) run as
 * a Slurm job array instead of one after the other on this machine
 * (docs/cluster.md); with --partitions a,b the plan's groups once per
 * partition (each group's machine), one array per partition.
 *
 * A submission (the run, or a --resume of it) is a folder slurm/sub-<k>/
 * (slurmjob.c writes it): a copy of this program (every task runs the
 * code the plan was made with), array.sh, and task-<i>.sh per array task:
 * one group's pending units, each the local executor's child command
 * line (child.c) under timeout(1) with the group's limit, output in
 * logs/<unit>.log; task i writes status-<i>.tsv: its node, then a line
 * per unit that ended. Task indices run on across a submission's arrays,
 * so array k is --array=<first>-<last> of the same array.sh. Each array
 * (sbatch.c) is --exclusive --nodes=1, --time its largest task's. First a
 * one-line job per partition checks that a node sees a marker file
 * written here and this host the file it writes back (a shared
 * filesystem).
 *
 * The submit host reads the status files every PB_SLURM_POLL_S seconds
 * and squeue every PB_SLURM_SQUEUE_S: a unit is recorded as the local
 * executor records a child and the folder's state rewritten (merge.c). A
 * task that ends with units left records them by how Slurm ended it:
 * TIMEOUT, FAILED, OUT_OF_MEMORY as failed; cancelled by someone else,
 * node failure, preemption, boot failure, deadline, or gone unseen as
 * lost (failed rows now, run again by --resume). Ctrl-C cancels the
 * arrays and leaves what did not end pending.
 *
 * By design, unlike the local executor: no rounds (the groups run side by
 * side; a group's repetitions run back to back on its node, each in its
 * own process), no null probes on the submit host (each part's meta.json
 * has its node's noise report), one time limit for each whole array.
 *
 * Called by isolate.c; calls child.c, merge.c, progress.c, reps.c,
 * slurmjob.c and sbatch.c (Slurm's commands). Concurrency contract:
 * single-threaded; *stop_signal is written by the signal handler of
 * isolate.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/child.h"
#include "harness/merge.h"
#include "harness/progress.h"
#include "harness/reps.h"
#include "harness/sbatch.h"
#include "harness/slurm.h"
#include "harness/slurmjob.h"

#define PB_SLURM_POLL_S 2	/* the tasks' status files */
#define PB_SLURM_SQUEUE_S 10	/* squeue */
/* The time a task gets beyond its units' own limits (start, copies). */
#define PB_SLURM_TASK_SLACK_S 120

/* ---- a submission: its tasks and arrays -------------------------------------- */

/* One array task: the pending units of group @g. */
struct task {
	struct pb_group *g;
	int arr;		/* its job array, in sub.arr */
	int *units, nunits;	/* indices into g->u */
	bool ended;		/* Slurm says it ended, its units recorded */
	char state[32];		/* its last Slurm state */
	size_t read;		/* bytes of its status file read */
	char node[64];
	int missing;		/* polls in a row squeue did not list it */
};

/*
 * One job array: the tasks @first to @last of one partition (a group's
 * machine; there is one array per partition of a --partitions a,b run).
 */
struct array {
	const char *machine;	/* its groups' (NULL: one machine) */
	const char *partition;	/* NULL: the cluster's default */
	int first, last;
	int time_min;		/* its --time */
	char job[64];		/* its job id */
};

struct sub {
	struct pb_iso *s;
	char dir[4400];		/* slurm/sub-<k>, absolute */
	char root[4200];	/* the results folder, absolute */
	char cwd[PATH_MAX];
	char exe[4500];		/* the copy of this program */
	struct task *t;
	int nt;
	struct array arr[PB_CLI_MAX_LIST];
	int narr;
	char jobs[2048];	/* the arrays' job ids, comma separated */
	double t0_wall;		/* CLOCK_REALTIME at submission */
	double t0;		/* CLOCK_MONOTONIC at submission */
	struct pb_child_progress pg;
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		perror("poolbench");
		exit(1);
	}
	return p;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono_s(void)
{
	return (double)pb_now_ns() / 1e9;
}

/*
 * The results folder must be one the nodes share: a one-line job must
 * see the marker written here, and this host the file it writes back.
 */
static int check_shared(struct sub *b, const struct array *a, char *err,
			size_t errlen)
{
	char marker[4600], seen[4800], wrap[16384], msg[2048];
	FILE *f;

	snprintf(marker, sizeof(marker), "%s/shared-fs-marker", b->dir);
	/* One check per partition: its nodes may mount other filesystems. */
	snprintf(seen, sizeof(seen), "%s%s%s.seen", marker, b->narr > 1 ? "." : "",
		 b->narr > 1 ? a->partition : "");
	f = fopen(marker, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		snprintf(err, errlen, "%.900s: %s", marker, strerror(errno));
		return -1;
	}
	f = fmemopen(wrap, sizeof(wrap), "w");
	if (!f) {
		snprintf(err, errlen, "fmemopen: %s", strerror(errno));
		return -1;
	}
	fputs("test -r ", f);
	pb_sh_quote(f, marker);
	fputs(" && test -x ", f);
	pb_sh_quote(f, b->exe);
	fputs(" && hostname > ", f);
	pb_sh_quote(f, seen);
	fputc('\0', f);
	fclose(f);
	printf("poolbench: checking that a Slurm node%s%s sees %s (a one-line "
	       "job)\n", a->partition ? " of partition " : "",
	       a->partition ? a->partition : "", b->root);
	if (pb_sbatch_wait(b->s->r->opts, a->partition, b->cwd, wrap, msg,
			   sizeof(msg)) || !pb_file_nonempty(seen)) {
		snprintf(err, errlen, "--executor slurm: the results folder %.600s "
			 "is not on a filesystem the nodes%s%.60s share (a Slurm job "
			 "could not read slurm/sub-*/shared-fs-marker there, or this "
			 "host cannot see the file it wrote: %.300s); put it on "
			 "shared storage with --out. Nothing ran", b->root,
			 a->partition ? " of partition " : "",
			 a->partition ? a->partition : "",
			 msg[0] ? msg : "sbatch said nothing");
		return -1;
	}
	return 0;
}

/* Submit array @a; --time: its largest task's unit limits, plus slack. */
static int submit(struct sub *b, struct array *a, char *err, size_t errlen)
{
	char out[4600], script[4600], msg[2048];
	double limit = 0;
	size_t used = strlen(b->jobs);

	for (int i = a->first; i <= a->last; i++) {
		double l = PB_SLURM_TASK_SLACK_S;

		for (int k = 0; k < b->t[i].nunits; k++)
			l += ceil(b->t[i].g->timeout);
		if (l > limit)
			limit = l;
	}
	a->time_min = (int)ceil(limit / 60);
	snprintf(out, sizeof(out), "%s/logs/slurm-%%A_%%a.out", b->root);
	snprintf(script, sizeof(script), "%s/array.sh", b->dir);
	if (pb_sbatch_array(b->s->r->opts, a->partition, a->first, a->last,
			    a->time_min, b->cwd, out, script, a->job,
			    sizeof(a->job), msg, sizeof(msg))) {
		snprintf(err, errlen, "--executor slurm: sbatch refused the job "
			 "array%s%s: %.900s", a->partition ? " of partition " : "",
			 a->partition ? a->partition : "", msg[0] ? msg : "no output");
		return -1;
	}
	snprintf(b->jobs + used, sizeof(b->jobs) - used, "%s%s", used ? "," : "",
		 a->job);
	return 0;
}

/* ---- recording what the tasks report ------------------------------------------ */

static void print_unit(struct sub *b, const struct pb_group *g,
		       const struct pb_unit *u)
{
	char el[32], eta[32], rep[32] = "";

	if (u->rep >= 0)
		snprintf(rep, sizeof(rep), " (repetition %d)", u->rep);
	pb_fmt_duration(el, sizeof(el), mono_s() - b->t0);
	pb_progress_eta(eta, sizeof(eta), mono_s() - b->t0, b->pg.done_est,
			b->pg.total_est);
	printf("[%zu/%zu] %s elapsed, ETA %s  %s %s%s%s%s on %s: %s%s%s\n",
	       b->pg.done, b->pg.total, el, eta, g->label, g->workload->name,
	       rep, g->machine ? ", machine " : "", g->machine ? g->machine : "",
	       u->node[0] ? u->node : "?",
	       u->state == PB_GROUP_DONE ? "done" : u->lost ? "LOST" : "FAILED",
	       u->state == PB_GROUP_DONE ? "" : ": ",
	       u->state == PB_GROUP_DONE ? "" : u->reason);
}

/* Unit @u of group @g has its state: count it, settle the group, say so. */
static void unit_recorded(struct sub *b, struct pb_group *g,
			  const struct pb_unit *u)
{
	b->pg.done += g->n;
	b->pg.done_est += g->estimate / g->nu;
	pb_group_settle(g);
	print_unit(b, g, u);
}

/* Unit @name of task @t ended with exit status @rc (a status line). */
static void unit_ended(struct sub *b, struct task *t, const char *name, int rc,
		       double start, double end)
{
	struct pb_group *g = t->g;
	struct pb_unit *u = NULL;
	char path[4800], tail[2048], flat[300];

	for (int k = 0; k < t->nunits && !u; k++) {
		char n[300];

		pb_unit_name(g, &g->u[t->units[k]], n, sizeof(n));
		if (!strcmp(n, name) && g->u[t->units[k]].state == PB_GROUP_PENDING)
			u = &g->u[t->units[k]];
	}
	if (!u)
		return;
	u->seconds = end - start;
	u->started_s = start - b->t0_wall;
	snprintf(u->node, sizeof(u->node), "%s", t->node);
	snprintf(path, sizeof(path), "%s/parts/%s/results.csv", b->root, name);
	if (rc >= 0 && rc <= 1 && pb_file_nonempty(path)) {
		u->state = PB_GROUP_DONE;
		u->reason[0] = '\0';
	} else {
		pb_child_flat_name(name, flat, sizeof(flat));
		snprintf(path, sizeof(path), "%s/logs/%s.log", b->root, flat);
		pb_file_tail(path, tail, sizeof(tail));
		/* timeout(1) kills with SIGKILL and exits 128 + 9. */
		pb_child_failed(g, u, rc > 128 ? W_EXITCODE(0, rc - 128) :
				W_EXITCODE(rc < 0 ? 255 : rc, 0),
				rc == 128 + SIGKILL && u->seconds >= g->timeout - 1,
				tail);
	}
	unit_recorded(b, g, u);
}

/* Read the new lines of task @i's status file. Return: lines read. */
static int read_status(struct sub *b, int i)
{
	struct task *t = &b->t[i];
	char path[4600], *line = NULL;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/status-%d.tsv", b->dir, i);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fseeko(f, (off_t)t->read, SEEK_SET)) {
		fclose(f);
		return 0;
	}
	for (;;) {
		ssize_t len = getline(&line, &cap, f);
		char *save = NULL, *kind, *name, *rc, *t0, *t1;

		if (len <= 0 || line[len - 1] != '\n')
			break;	/* a line still being written: next time */
		t->read += (size_t)len;
		n++;
		line[len - 1] = '\0';
		kind = strtok_r(line, "\t", &save);
		if (kind && !strcmp(kind, "node")) {
			char *host = strtok_r(NULL, "\t", &save);

			snprintf(t->node, sizeof(t->node), "%s", host ? host : "?");
			continue;
		}
		name = strtok_r(NULL, "\t", &save);
		rc = strtok_r(NULL, "\t", &save);
		t0 = strtok_r(NULL, "\t", &save);
		t1 = strtok_r(NULL, "\t", &save);
		if (kind && !strcmp(kind, "unit") && name && rc && t0 && t1)
			unit_ended(b, t, name, atoi(rc), atof(t0), atof(t1));
	}
	free(line);
	fclose(f);
	return n;
}

/* Task @i ended (Slurm state @st): its units without a status line. */
static void task_ended(struct sub *b, int i, const char *st)
{
	struct task *t = &b->t[i];
	const struct array *a = &b->arr[t->arr];
	char path[4800], tail[1024], line[600] = "";

	read_status(b, i);
	t->ended = true;
	snprintf(path, sizeof(path), "%s/logs/slurm-%s_%d.out", b->root, a->job, i);
	pb_file_tail(path, tail, sizeof(tail));
	pb_last_line(tail, line, sizeof(line));
	for (int k = 0; k < t->nunits; k++) {
		struct pb_unit *u = &t->g->u[t->units[k]];

		if (u->state != PB_GROUP_PENDING)
			continue;
		u->state = PB_GROUP_FAILED;
		u->lost = pb_slurm_state_lost(st);
		u->seconds = 0;
		snprintf(u->node, sizeof(u->node), "%s", t->node);
		if (!strcmp(st, "TIMEOUT"))
			snprintf(u->reason, sizeof(u->reason), "timed out: Slurm "
				 "ended array task %s_%d at its time limit "
				 "(--time=%d min) before this unit ended", a->job,
				 i, a->time_min);
		else if (!strcmp(st, "GONE"))
			snprintf(u->reason, sizeof(u->reason), "lost: array task "
				 "%s_%d left Slurm's queue without this unit's "
				 "result (logs/slurm-%s_%d.out); --resume runs it "
				 "again", a->job, i, a->job, i);
		else
			snprintf(u->reason, sizeof(u->reason), "%s: Slurm array "
				 "task %s_%d ended %s before this unit ended%s%.300s%s%s",
				 u->lost ? "lost" : "failed", a->job, i, st,
				 line[0] ? " (\"" : "", line, line[0] ? "\")" : "",
				 u->lost ? "; --resume runs it again" : "");
		pb_flatten(u->reason);
		unit_recorded(b, t->g, u);
	}
}

static void print_counts(struct sub *b, char (*st)[32])
{
	int pending = 0, running = 0, ended = 0;

	for (int i = 0; i < b->nt; i++) {
		if (b->t[i].ended)
			ended++;
		else if (!strcmp(st[i], "RUNNING") || !strcmp(st[i], "COMPLETING"))
			running++;
		else
			pending++;
	}
	printf("poolbench: Slurm job%s %s: %d tasks waiting, %d running, %d "
	       "ended (of %d)\n", b->narr > 1 ? "s" : "", b->jobs, pending,
	       running, ended, b->nt);
}

static int units_left(const struct task *t)
{
	int n = 0;

	for (int k = 0; k < t->nunits; k++)
		n += t->g->u[t->units[k]].state == PB_GROUP_PENDING;
	return n;
}

/*
 * squeue, once per array: @st[i] is task i's state, @q[i] what its
 * array's squeue returned (pb_squeue_tasks()). Return: -1 when one failed.
 */
static int squeue_all(struct sub *b, char (*st)[32], int *q, char (*tmp)[32],
		      char *msg, size_t len)
{
	int rc = 0;

	for (int k = 0; k < b->narr; k++) {
		const struct array *a = &b->arr[k];
		int r = pb_squeue_tasks(a->job, b->nt, tmp, msg, len);

		for (int i = a->first; i <= a->last; i++) {
			q[i] = r;
			memcpy(st[i], tmp[i], sizeof(st[i]));
		}
		rc = r == -1 ? -1 : rc;
	}
	return rc;
}

/* Interrupted: cancel the arrays, keep what ended meanwhile. */
static void cancel_arrays(struct sub *b, char (*st)[32], int *q, char (*tmp)[32])
{
	char msg[600];

	for (int k = 0; k < b->narr; k++)
		if (pb_scancel(b->arr[k].job, msg, sizeof(msg)))
			fprintf(stderr, "poolbench: scancel %s: %s\n",
				b->arr[k].job, msg[0] ? msg : "failed");
	for (int wait = 0; wait < 15; wait++) {
		bool all = true;

		squeue_all(b, st, q, tmp, msg, sizeof(msg));
		for (int i = 0; i < b->nt; i++)
			all &= b->t[i].ended || q[i] == 1 ||
			       pb_slurm_state_ended(st[i]) || !st[i][0];
		if (all)
			break;
		sleep(1);
	}
	for (int i = 0; i < b->nt; i++)
		if (!b->t[i].ended)
			read_status(b, i);
}

/* Wait for the arrays, recording units as they end. */
static int wait_arrays(struct sub *b, volatile sig_atomic_t *stop_signal,
		       char *err, size_t errlen)
{
	char (*st)[32] = calloc((size_t)b->nt, sizeof(*st));
	char (*tmp)[32] = calloc((size_t)b->nt, sizeof(*tmp));
	int *q = calloc((size_t)b->nt, sizeof(*q));
	double last_counts = mono_s(), last_warn = 0, last_q = -1e9;
	int left = b->nt, rc = 0;

	if (!st || !tmp || !q) {
		perror("poolbench");
		exit(1);
	}
	while (left && !*stop_signal) {
		char msg[600];
		bool changed = false;
		/* squeue less often than the files: the controller is shared. */
		bool ask = mono_s() - last_q >= PB_SLURM_SQUEUE_S;

		if (ask) {
			last_q = mono_s();
			if (squeue_all(b, st, q, tmp, msg, sizeof(msg)) &&
			    mono_s() - last_warn > 60) {
				fprintf(stderr, "poolbench: squeue: %s (still "
					"waiting for job %s)\n", msg, b->jobs);
				last_warn = mono_s();
			}
		}
		for (int i = 0; i < b->nt; i++) {
			struct task *t = &b->t[i];
			int qi = ask ? q[i] : -2;

			if (t->ended)
				continue;
			changed |= read_status(b, i) > 0;
			/* Every unit reported: the task's script is at its end. */
			if (units_left(t) == 0) {
				t->ended = true;
				left--;
				continue;
			}
			/* Not listed for a while, or the job unknown: gone. */
			if (qi >= 0)
				t->missing = qi == 0 && !st[i][0] ? t->missing + 1 : 0;
			if (qi == 1 || t->missing >= 5)
				snprintf(st[i], sizeof(st[i]), "GONE");
			if (qi >= 0 && pb_slurm_state_ended(st[i])) {
				task_ended(b, i, st[i]);
				changed = true;
				left--;
			}
		}
		if (changed && pb_iso_write_state(b->s, err, errlen)) {
			rc = -2;
			break;
		}
		if (left && mono_s() - last_counts >= 60) {
			print_counts(b, st);
			last_counts = mono_s();
		}
		if (left)
			sleep(PB_SLURM_POLL_S);
	}
	if (left && *stop_signal && !rc) {
		/* The rest stays pending for --resume. */
		cancel_arrays(b, st, q, tmp);
		b->s->interrupted = true;
		if (pb_iso_write_state(b->s, err, errlen))
			rc = -2;
	}
	free(st);
	free(tmp);
	free(q);
	return rc;
}

/* ---- the submission ------------------------------------------------------------ */

/*
 * Task @i joins the array of its group's machine, a new one when that
 * differs from task i - 1's (the plan lists a machine's groups together).
 */
static void new_task_array(struct sub *b, int i)
{
	const struct pb_run_opts *o = b->s->r->opts;
	const char *m = b->t[i].g->machine;	/* the same pointer per machine */
	struct array *a = b->narr ? &b->arr[b->narr - 1] : NULL;

	if (!a || a->machine != m) {
		a = &b->arr[b->narr++];
		memset(a, 0, sizeof(*a));
		a->machine = m;
		a->partition = m ? m : o->nr_partitions ? o->partitions[0] : NULL;
		a->first = i;
	}
	a->last = i;
	b->t[i].arr = (int)(a - b->arr);
}

int pb_slurm_exec(struct pb_iso *s, const char *exe,
		  volatile sig_atomic_t *stop_signal, char *err, size_t errlen)
{
	struct sub b = { .s = s };
	char path[4600];
	int rc = -1;

	if (!realpath(s->r->dir, b.root) || !getcwd(b.cwd, sizeof(b.cwd))) {
		snprintf(err, errlen, "%.900s: %s", s->r->dir, strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < s->ng; k++) {
		struct pb_group *g = &s->g[k];
		struct task *t = NULL;

		b.pg.total += g->n * (size_t)g->nu;
		for (int u = 0; u < g->nu; u++) {
			if (g->u[u].state != PB_GROUP_PENDING) {
				b.pg.done += g->n;
				continue;
			}
			b.pg.total_est += g->estimate / g->nu;
			if (!t) {
				b.t = xrealloc(b.t, (size_t)(b.nt + 1) * sizeof(*b.t));
				t = memset(&b.t[b.nt++], 0, sizeof(*b.t));
				t->g = g;
				t->units = xrealloc(NULL, (size_t)g->nu * sizeof(int));
				new_task_array(&b, b.nt - 1);
			}
			t->units[t->nunits++] = u;
		}
	}
	if (!b.nt) {
		rc = 0;		/* a resumed run with nothing left */
		goto out;
	}
	if (pb_slurm_sub_dir(b.root, b.dir, sizeof(b.dir), err, errlen))
		goto out;
	snprintf(b.exe, sizeof(b.exe), "%s/poolbench", b.dir);
	if (pb_file_copy(exe, b.exe, err, errlen))
		goto out;
	for (int k = 0; k < b.narr; k++)
		if (check_shared(&b, &b.arr[k], err, errlen))
			goto out;
	/* Part folders an interrupted earlier submission left move aside. */
	for (int i = 0; i < b.nt; i++)
		for (int k = 0; k < b.t[i].nunits; k++) {
			char name[300];

			pb_unit_name(b.t[i].g, &b.t[i].g->u[b.t[i].units[k]], name,
				     sizeof(name));
			pb_child_set_aside(s, name);
		}
	for (int i = 0; i < b.nt; i++)
		if (pb_slurm_write_task(s, b.dir, b.root, b.exe, i, b.t[i].g,
					b.t[i].units, b.t[i].nunits, err, errlen))
			goto out;
	if (pb_slurm_write_array(b.dir, err, errlen))
		goto out;
	b.t0_wall = wall_s();	/* before any unit can start */
	b.t0 = mono_s();
	for (int k = 0; k < b.narr; k++) {
		if (submit(&b, &b.arr[k], err, errlen)) {
			/* None of the run may go on half submitted. */
			for (int j = 0; j < k; j++)
				pb_scancel(b.arr[j].job, path, sizeof(path));
			goto out;
		}
	}
	{
		size_t used = strlen(s->slurm_jobs);

		snprintf(s->slurm_jobs + used, sizeof(s->slurm_jobs) - used,
			 "%s%s", used ? "," : "", b.jobs);
	}
	snprintf(path, sizeof(path), "%s", b.dir + strlen(b.root) + 1);
	for (int k = 0; k < b.narr; k++)
		printf("poolbench: submitted Slurm job array %s%s%s: %d tasks (a "
		       "group each, --exclusive, --time=%d min), scripts in %s/\n",
		       b.arr[k].job, b.arr[k].partition ? " to partition " : "",
		       b.arr[k].partition ? b.arr[k].partition : "",
		       b.arr[k].last - b.arr[k].first + 1, b.arr[k].time_min, path);
	printf("poolbench: waiting (Ctrl-C cancels the array%s and keeps what "
	       "ended)\n", b.narr > 1 ? "s" : "");
	rc = wait_arrays(&b, stop_signal, err, errlen);
out:
	for (int i = 0; i < b.nt; i++)
		free(b.t[i].units);
	free(b.t);
	return rc;
}
