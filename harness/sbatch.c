// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbatch.c - Slurm's own commands, for the Slurm executor (sbatch.h):
 * sinfo to check the cluster and partition before a run, sbatch for the
 * shared-filesystem check job and the job array, squeue for the array
 * tasks' states, scancel. Each runs as a child process with its argument
 * vector (no shell), its output captured for messages.
 *
 * Called by slurm.c and main.c (the checks before the plan); calls nothing
 * else of the harness.
 * Concurrency contract: single-threaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/sbatch.h"

struct argl {
	char **v;
	int n, cap;
	char *owned[64];	/* strings made here, freed with the list */
	int nowned;
};

static void argl_push(struct argl *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 32;
		a->v = realloc(a->v, (size_t)a->cap * sizeof(*a->v));
		if (!a->v) {
			perror("poolbench");
			exit(1);
		}
	}
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void argl_pushf(struct argl *a, const char *fmt, const char *s)
{
	char *p = NULL;

	if (a->nowned == (int)(sizeof(a->owned) / sizeof(a->owned[0])) ||
	    asprintf(&p, fmt, s) < 0) {
		fprintf(stderr, "poolbench: out of memory\n");
		exit(1);
	}
	a->owned[a->nowned++] = p;
	argl_push(a, p);
}

static void argl_free(struct argl *a)
{
	for (int i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * Run @argv (a Slurm command), its stdout and stderr into @out (cut to
 * @outlen - 1 bytes). Return: its wait status, or -1 when it could not
 * be started (@out says why).
 */
static int run_cmd(char *const argv[], char *out, size_t outlen)
{
	size_t have = 0;
	int pfd[2], status;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(out, outlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		snprintf(out, outlen, "fork: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (have + 1 < outlen) {
			size_t take = (size_t)n < outlen - 1 - have ?
				      (size_t)n : outlen - 1 - have;

			memcpy(out + have, buf, take);
			have += take;
			out[have] = '\0';
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static bool cmd_ok(int status)
{
	return status >= 0 && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* The first line of @s, trimmed, for a message. */
static const char *first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name);
		if (!access(buf, X_OK))
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

/* sbatch's flags every job of the run gets: partition, account, extra. */
static void sbatch_common(struct argl *a, const struct pb_run_opts *o,
			  const char *partition, char **extra_copy)
{
	if (partition)
		argl_pushf(a, "--partition=%s", partition);
	if (o->account)
		argl_pushf(a, "--account=%s", o->account);
	*extra_copy = NULL;
	if (o->sbatch_args) {
		char *save = NULL, *tok;

		*extra_copy = strdup(o->sbatch_args);
		if (!*extra_copy) {
			perror("poolbench");
			exit(1);
		}
		for (tok = strtok_r(*extra_copy, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save))
			argl_push(a, tok);
	}
}

void pb_sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

int pb_slurm_check(const struct pb_run_opts *o, char *err, size_t errlen)
{
	static const char *const tools[] = { "sbatch", "squeue", "scancel",
					     "sinfo", "timeout" };
	char out[2048];
	struct argl a = { 0 };
	int st;

	for (size_t i = 0; i < o->nr_partitions; i++) {
		if (strspn(o->partitions[i], "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
		    strlen(o->partitions[i]) || strlen(o->partitions[i]) > 48) {
			snprintf(err, errlen, "--partitions: '%.100s' is not a "
				 "partition name (letters, digits, _ - ., at most "
				 "48: it ends the groups' ids)", o->partitions[i]);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(o->partitions[i], o->partitions[j])) {
				snprintf(err, errlen, "--partitions: '%s' is "
					 "named twice (the plan runs once per "
					 "partition)", o->partitions[i]);
				return -1;
			}
		}
	}
	if (o->account && (!*o->account || strpbrk(o->account, " \t"))) {
		snprintf(err, errlen, "--account: '%s' is not an account name",
			 o->account);
		return -1;
	}
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (!on_path(tools[i])) {
			snprintf(err, errlen, "--executor slurm: %s is not on PATH "
				 "(Slurm's client commands: Debian's slurm-client; "
				 "scripts/setup/install-deps.sh installs them)",
				 tools[i]);
			return -1;
		}
	}
	/* Every partition asked for, else the default one (one sinfo each). */
	for (size_t i = 0; i < (o->nr_partitions ? o->nr_partitions : 1); i++) {
		argl_push(&a, "sinfo");
		argl_push(&a, "-h");
		argl_push(&a, "-o");
		argl_push(&a, "%P");
		if (o->nr_partitions)
			argl_pushf(&a, "--partition=%s", o->partitions[i]);
		st = run_cmd(a.v, out, sizeof(out));
		argl_free(&a);
		if (!cmd_ok(st)) {
			snprintf(err, errlen, "--executor slurm: sinfo failed: "
				 "%.900s (is SLURM_CONF right, and slurmctld up?)",
				 out[0] ? first_line(out) : "no output");
			return -1;
		}
		if (o->nr_partitions && !out[0]) {
			snprintf(err, errlen, "--partitions %s: the cluster has "
				 "no such partition (sinfo -s lists them)",
				 o->partitions[i]);
			return -1;
		}
	}
	if (!o->nr_partitions && !strchr(out, '*')) {
		snprintf(err, errlen, "--executor slurm: the cluster has no "
			 "default partition; name one with --partitions");
		return -1;
	}
	return 0;
}


int pb_sbatch_wait(const struct pb_run_opts *o, const char *partition,
		   const char *cwd, const char *wrap, char *msg, size_t len)
{
	struct argl a = { 0 };
	char *extra;
	int st;

	argl_push(&a, "sbatch");
	argl_push(&a, "--wait");
	argl_push(&a, "--parsable");
	argl_push(&a, "--job-name=poolbench-fscheck");
	argl_push(&a, "--nodes=1");
	argl_push(&a, "--ntasks=1");
	argl_push(&a, "--time=5");
	argl_push(&a, "--output=/dev/null");
	argl_pushf(&a, "--chdir=%s", cwd);
	sbatch_common(&a, o, partition, &extra);
	argl_pushf(&a, "--wrap=%s", wrap);
	st = run_cmd(a.v, msg, len);
	argl_free(&a);
	free(extra);
	first_line(msg);
	return cmd_ok(st) ? 0 : -1;
}

int pb_sbatch_array(const struct pb_run_opts *o, const char *partition,
		    int first, int last, int time_min, const char *cwd,
		    const char *output, const char *script, char *job,
		    size_t joblen, char *msg, size_t len)
{
	struct argl a = { 0 };
	char num[64], *extra;
	int st;

	argl_push(&a, "sbatch");
	argl_push(&a, "--parsable");
	snprintf(num, sizeof(num), "%d-%d", first, last);
	argl_pushf(&a, "--array=%s", num);
	argl_push(&a, "--exclusive");
	argl_push(&a, "--nodes=1");
	argl_push(&a, "--ntasks=1");
	argl_push(&a, "--job-name=poolbench");
	snprintf(num, sizeof(num), "%d", time_min);
	argl_pushf(&a, "--time=%s", num);
	argl_pushf(&a, "--chdir=%s", cwd);
	argl_pushf(&a, "--output=%s", output);
	sbatch_common(&a, o, partition, &extra);
	argl_push(&a, script);
	st = run_cmd(a.v, msg, len);
	argl_free(&a);
	free(extra);
	first_line(msg);
	if (!cmd_ok(st) || !msg[0] || !strchr("0123456789", msg[0]))
		return -1;
	snprintf(job, joblen, "%.*s", (int)strcspn(msg, ";"), msg);	/* "jobid;cluster" */
	return 0;
}

int pb_squeue_tasks(const char *job, int nt, char (*st)[32], char *msg,
		    size_t len)
{
	char *out = malloc(1 << 20);
	struct argl a = { 0 };
	int rc = 0, status;

	if (!out) {
		perror("poolbench");
		exit(1);
	}
	for (int i = 0; i < nt; i++)
		st[i][0] = '\0';
	argl_push(&a, "squeue");
	argl_push(&a, "-h");
	argl_push(&a, "-r");
	argl_push(&a, "-t");
	argl_push(&a, "all");
	argl_push(&a, "-o");
	argl_push(&a, "%K %T");
	argl_pushf(&a, "--jobs=%s", job);
	status = run_cmd(a.v, out, 1 << 20);
	argl_free(&a);
	if (!cmd_ok(status)) {
		rc = strstr(out, "Invalid job id") ? 1 : -1;
		snprintf(msg, len, "%.500s", out[0] ? first_line(out) : "no output");
	} else {
		char *save = NULL;

		for (char *l = strtok_r(out, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			char word[32];
			int i;

			if (sscanf(l, "%d %31s", &i, word) == 2 && i >= 0 &&
			    i < nt)
				snprintf(st[i], sizeof(st[i]), "%s", word);
		}
	}
	free(out);
	return rc;
}

int pb_scancel(const char *job, char *msg, size_t len)
{
	struct argl a = { 0 };
	int st;

	argl_push(&a, "scancel");
	argl_push(&a, job);
	st = run_cmd(a.v, msg, len);
	argl_free(&a);
	first_line(msg);
	return cmd_ok(st) ? 0 : -1;
}

static bool state_is(const char *st, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(st, *set))
			return true;
	return false;
}

static const char *const ended_states[] = {
	"COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL",
	"PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "GONE", NULL
};
/* Ended by the cluster, not by the group's own code: run again. */
static const char *const lost_states[] = {
	"CANCELLED", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
	"GONE", NULL
};

bool pb_slurm_state_ended(const char *st)
{
	return state_is(st, ended_states);
}

bool pb_slurm_state_lost(const char *st)
{
	return state_is(st, lost_states);
}
