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

void pb_flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static double now_s(void)
{
	return (double)pb_now_ns() / 1e9;
}

bool pb_file_nonempty(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
}

int pb_file_copy(const char *from, const char *to, char *err, size_t errlen)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[1 << 16];
	ssize_t n;

	if (in < 0) {
		snprintf(err, errlen, "%.900s: %s", from, strerror(errno));
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		snprintf(err, errlen, "%.900s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			snprintf(err, errlen, "%.900s: %s", to, strerror(errno));
			close(in);
			close(out);
			return -1;
		}
	}
	close(in);
	if (close(out) || n < 0) {
		snprintf(err, errlen, "%.900s: %s", to, strerror(errno));
		return -1;
	}
	return 0;
}

void pb_file_tail(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end;
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end > (off_t)len - 1)
		lseek(fd, end - (off_t)len + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

void pb_child_flat_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s", name);
	for (char *c = buf; *c; c++)
		if (*c == '/')
			*c = '-';
}

void pb_child_set_aside(const struct pb_iso *s, const char *name)
{
	char from[4800], to[5200], dir[4400], flat[300];
	struct stat st;

	snprintf(from, sizeof(from), "%s/parts/%s", s->r->dir, name);
	if (stat(from, &st))
		return;
	pb_child_flat_name(name, flat, sizeof(flat));
	snprintf(dir, sizeof(dir), "%s/interrupted", s->r->dir);
	mkdir(dir, 0777);
	for (int i = 1; i < 1000; i++) {
		snprintf(to, sizeof(to), "%s/%s-%d", dir, flat, i);
		if (stat(to, &st) && !rename(from, to))
			return;
	}
}

void pb_child_args_free(struct pb_child_args *a)
{
	free(a->argv);
	a->argv = NULL;
}

int pb_child_args(const struct pb_iso *s, const struct pb_group *g,
		  const char *name, int rep, const char *exe,
		  const struct pb_child_progress *pg, struct pb_child_args *a)
{
	int argc = s->r->argc;
	char **argv = s->r->argv;
	int n = 0;

	memset(a, 0, sizeof(*a));
	a->argv = calloc((size_t)argc + 28, sizeof(char *));
	if (!a->argv)
		return -1;
	snprintf(a->out, sizeof(a->out), "%s/parts/%s", s->r->dir, name);
	a->argv[n++] = (char *)exe;
	a->argv[n++] = "run";
	for (int i = 2; i < argc; i++)
		a->argv[n++] = argv[i];
	a->argv[n++] = "--out";
	a->argv[n++] = a->out;
	a->argv[n++] = "--only-backend";
	a->argv[n++] = (char *)g->backend->name;
	a->argv[n++] = "--only-workload";
	a->argv[n++] = (char *)g->workload->name;
	if (rep >= 0) {
		snprintf(a->rep, sizeof(a->rep), "%d", rep);
		a->argv[n++] = "--rep";
		a->argv[n++] = a->rep;
	}
	if (pg) {
		snprintf(a->done, sizeof(a->done), "%zu", pg->done);
		snprintf(a->total, sizeof(a->total), "%zu", pg->total);
		snprintf(a->t0, sizeof(a->t0), "%llu", (unsigned long long)pg->t0_ns);
		snprintf(a->done_est, sizeof(a->done_est), "%.3f", pg->done_est);
		snprintf(a->total_est, sizeof(a->total_est), "%.3f", pg->total_est);
		a->argv[n++] = "--progress-done";
		a->argv[n++] = a->done;
		a->argv[n++] = "--progress-total";
		a->argv[n++] = a->total;
		a->argv[n++] = "--progress-t0-ns";
		a->argv[n++] = a->t0;
		a->argv[n++] = "--progress-done-est";
		a->argv[n++] = a->done_est;
		a->argv[n++] = "--progress-total-est";
		a->argv[n++] = a->total_est;
	}
	if (g->machine) {
		a->argv[n++] = "--machine";
		a->argv[n++] = (char *)g->machine;
	}
	if (g->probe)
		a->argv[n++] = "--null-probe";
	if (g->peer) {
		a->argv[n++] = "--label";
		a->argv[n++] = (char *)g->label;
		a->argv[n++] = "--expect-malloc";
		a->argv[n++] = (char *)g->peer->lib->name;
		a->preload = g->peer->path;
	}
	a->argv[n] = NULL;
	a->argc = n;
	return 0;
}

/* The child's options (cli.h, struct pb_child_opts) after the run's own. */
static void child_exec(const struct pb_iso *s, const struct pb_group *g,
		       const char *name, int rep, const char *exe,
		       const struct pb_child_progress *pg, int fd)
{
	struct pb_child_args a;

	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (pb_child_args(s, g, name, rep, exe, pg, &a)) {
		fprintf(stderr, "poolbench: out of memory\n");
		_exit(127);
	}
	if (a.preload)
		setenv("LD_PRELOAD", a.preload, 1);
	else
		unsetenv("LD_PRELOAD");
	/*
	 * This very binary, even if the file was rebuilt since the run
	 * began: every group must run the code the plan was made with.
	 */
	execv("/proc/self/exe", a.argv);
	fprintf(stderr, "poolbench: cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

void pb_last_line(const char *buf, char *out, size_t len)
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
	char path[4800], tail[2048] = "", name[300], flat[300];
	double t0 = now_s(), deadline = t0 + g->timeout;
	bool timed_out = false, eof = false, reaped = false, forwarded = false;
	int pfd[2], status = 0, log;
	pid_t pid;

	pb_unit_name(g, u, name, sizeof(name));
	pb_child_flat_name(name, flat, sizeof(flat));
	pb_child_set_aside(s, name);
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
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 1 && pb_file_nonempty(path)) {
		u->state = PB_GROUP_DONE;	/* 1: some benchmark failed, in its rows */
		u->reason[0] = '\0';
		return true;
	}
	if (*stop_signal && !timed_out)
		return false;		/* interrupted: run it again on --resume */
	pb_child_failed(g, u, status, timed_out, tail);
	return true;
}

void pb_child_failed(const struct pb_group *g, struct pb_unit *u, int status,
		     bool timed_out, const char *tail)
{
	char line[600];

	u->state = PB_GROUP_FAILED;
	pb_last_line(tail, line, sizeof(line));
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
	pb_flatten(u->reason);
}

