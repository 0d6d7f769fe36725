// SPDX-License-Identifier: GPL-2.0-only
/*
 * child.c - one child process of an isolated run (child.h): this same
 * program re-executed with the parent's command line, its own --out
 * (parts/<unit>/) and the child options (struct pb_child_opts: its group,
 * its label, its repetition, where the run's progress stood). A peer's
 * child runs with LD_PRELOAD set to that allocator.
 *
 * The parent reads the child's output through a pipe (copied to the
 * console and logs/<unit>.log) and enforces the group's time limit with
 * SIGKILL; a signal that stops the run is passed on to the child. A part
 * folder left by an interrupted child moves to interrupted/, never
 * deleted.
 *
 * Part of the isolated executor; called by isolate.c, calls reps.c (the
 * units' names). Concurrency contract: single-threaded; *stop_signal is
 * written by the parent's signal handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/child.h"
#include "harness/reps.h"

static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static double now_s(void)
{
	return (double)pb_now_ns() / 1e9;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* @name with every '/' made '-': a file name under logs/ or interrupted/. */
static void flat_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s", name);
	for (char *c = buf; *c; c++)
		if (*c == '/')
			*c = '-';
}

/* A part folder left by an interrupted child moves aside, never deleted. */
static void set_aside(const struct pb_iso *s, const char *name)
{
	char from[4800], to[5200], dir[4400], flat[300];
	struct stat st;

	snprintf(from, sizeof(from), "%s/parts/%s", s->r->dir, name);
	if (stat(from, &st))
		return;
	flat_name(name, flat, sizeof(flat));
	snprintf(dir, sizeof(dir), "%s/interrupted", s->r->dir);
	mkdir(dir, 0777);
	for (int i = 1; i < 1000; i++) {
		snprintf(to, sizeof(to), "%s/%s-%d", dir, flat, i);
		if (stat(to, &st) && !rename(from, to))
			return;
	}
}

/* The child's options (cli.h, struct pb_child_opts) after the run's own. */
static void child_exec(const struct pb_iso *s, const struct pb_group *g,
		       const char *name, int rep, const char *exe,
		       const struct pb_child_progress *pg, int fd)
{
	int argc = s->r->argc;
	char **argv = s->r->argv;
	char **args = calloc((size_t)argc + 26, sizeof(char *));
	char out[4800], done[32], total[32], t0[32], done_est[32], total_est[32];
	char repk[16];
	int n = 0;

	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (!args) {
		fprintf(stderr, "poolbench: out of memory\n");
		_exit(127);
	}
	snprintf(out, sizeof(out), "%s/parts/%s", s->r->dir, name);
	args[n++] = (char *)exe;
	args[n++] = "run";
	for (int i = 2; i < argc; i++)
		args[n++] = argv[i];
	args[n++] = "--out";
	args[n++] = out;
	args[n++] = "--only-backend";
	args[n++] = (char *)g->backend->name;
	args[n++] = "--only-workload";
	args[n++] = (char *)g->workload->name;
	if (rep >= 0) {
		snprintf(repk, sizeof(repk), "%d", rep);
		args[n++] = "--rep";
		args[n++] = repk;
	}
	snprintf(done, sizeof(done), "%zu", pg->done);
	snprintf(total, sizeof(total), "%zu", pg->total);
	snprintf(t0, sizeof(t0), "%llu", (unsigned long long)pg->t0_ns);
	snprintf(done_est, sizeof(done_est), "%.3f", pg->done_est);
	snprintf(total_est, sizeof(total_est), "%.3f", pg->total_est);
	args[n++] = "--progress-done";
	args[n++] = done;
	args[n++] = "--progress-total";
	args[n++] = total;
	args[n++] = "--progress-t0-ns";
	args[n++] = t0;
	args[n++] = "--progress-done-est";
	args[n++] = done_est;
	args[n++] = "--progress-total-est";
	args[n++] = total_est;
	if (g->probe)
		args[n++] = "--null-probe";
	if (g->peer) {
		args[n++] = "--label";
		args[n++] = (char *)g->label;
		args[n++] = "--expect-malloc";
		args[n++] = (char *)g->peer->lib->name;
		setenv("LD_PRELOAD", g->peer->path, 1);
	} else {
		unsetenv("LD_PRELOAD");
	}
	args[n] = NULL;
	/*
	 * This very binary, even if the file was rebuilt since the run
	 * began: every group must run the code the plan was made with.
	 */
	execv("/proc/self/exe", args);
	fprintf(stderr, "poolbench: cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

/* The last non-empty line of @buf (a child's output tail), for a reason. */
static void last_line(const char *buf, char *out, size_t len)
{
	const char *end = buf + strlen(buf), *start;

	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	start = end;
	while (start > buf && start[-1] != '\n')
		start--;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

bool pb_child_run(struct pb_iso *s, struct pb_group *g, struct pb_unit *u,
		  const char *exe, const struct pb_child_progress *pg,
		  volatile sig_atomic_t *stop_signal)
{
	char path[4800], tail[2048] = "", line[600], name[300], flat[300];
	double t0 = now_s(), deadline = t0 + g->timeout;
	bool timed_out = false, eof = false, reaped = false, forwarded = false;
	int pfd[2], status = 0, log;
	pid_t pid;

	pb_unit_name(g, u, name, sizeof(name));
	flat_name(name, flat, sizeof(flat));
	set_aside(s, name);
	u->started_s = t0 - (double)pg->t0_ns / 1e9;
	snprintf(path, sizeof(path), "%s/logs/%s.log", s->r->dir, flat);
	log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(u->reason, sizeof(u->reason), "not run: pipe: %s",
			 strerror(errno));
		u->state = PB_GROUP_FAILED;
		if (log >= 0)
			close(log);
		return true;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child_exec(s, g, name, u->rep, exe, pg, pfd[1]);
	}
	close(pfd[1]);
	if (pid < 0) {
		snprintf(u->reason, sizeof(u->reason), "not run: fork: %s",
			 strerror(errno));
		u->state = PB_GROUP_FAILED;
		close(pfd[0]);
		if (log >= 0)
			close(log);
		return true;
	}
	while (!eof || !reaped) {
		struct pollfd pf = { .fd = pfd[0], .events = POLLIN };

		if (!eof && poll(&pf, 1, 200) > 0) {
			char buf[4096];
			ssize_t n = read(pfd[0], buf, sizeof(buf));

			if (n <= 0) {
				eof = n == 0 || errno != EINTR;
			} else {
				size_t keep = strlen(tail);

				fwrite(buf, 1, (size_t)n, stdout);
				fflush(stdout);
				if (log >= 0 && write(log, buf, (size_t)n) < 0) {
					close(log);
					log = -1;
				}
				/* Keep the last bytes for a failure's reason. */
				if (keep + (size_t)n >= sizeof(tail)) {
					size_t drop = keep + (size_t)n - sizeof(tail) + 1;

					if (drop > keep)
						drop = keep;
					memmove(tail, tail + drop, keep - drop + 1);
					keep -= drop;
				}
				n = (ssize_t)((size_t)n < sizeof(tail) - 1 - keep ?
					      (size_t)n : sizeof(tail) - 1 - keep);
				memcpy(tail + keep, buf, (size_t)n);
				tail[keep + (size_t)n] = '\0';
			}
		} else if (eof) {
			usleep(20000);
		}
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid)
			reaped = true;
		if (reaped && !eof) {
			/* Drain what is left without waiting for writers. */
			int fl = fcntl(pfd[0], F_GETFL);

			fcntl(pfd[0], F_SETFL, fl | O_NONBLOCK);
		}
		if (!reaped && !timed_out && now_s() > deadline) {
			kill(pid, SIGKILL);
			timed_out = true;
		}
		/* A signal sent to this process only: pass it on. */
		if (!reaped && *stop_signal && !forwarded) {
			kill(pid, *stop_signal);
			forwarded = true;
		}
	}
	close(pfd[0]);
	if (log >= 0)
		close(log);
	u->seconds = now_s() - t0;

	snprintf(path, sizeof(path), "%s/parts/%s/results.csv", s->r->dir, name);
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 1 && file_exists(path)) {
		u->state = PB_GROUP_DONE;	/* 1: some benchmark failed, in its rows */
		u->reason[0] = '\0';
		return true;
	}
	if (*stop_signal && !timed_out)
		return false;		/* interrupted: run it again on --resume */
	u->state = PB_GROUP_FAILED;
	last_line(tail, line, sizeof(line));
	if (timed_out)
		snprintf(u->reason, sizeof(u->reason), "timed out: its process "
			 "was killed after %.0f s (the group's limit, "
			 "--group-timeout)", g->timeout);
	else if (WIFSIGNALED(status))
		snprintf(u->reason, sizeof(u->reason), "crashed: its process was "
			 "killed by signal %d (%s)%s%.300s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)),
			 line[0] ? "; last output: \"" : "", line,
			 line[0] ? "\"" : "");
	else
		snprintf(u->reason, sizeof(u->reason), "its process exited with "
			 "status %d without results%s%.300s%s", WEXITSTATUS(status),
			 line[0] ? ": \"" : "", line, line[0] ? "\"" : "");
	flatten(u->reason);
	return true;
}

