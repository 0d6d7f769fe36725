// SPDX-License-Identifier: GPL-2.0-only
/*
 * isolate.c - `poolbench run --isolate`: every backend x workload of the
 * plan in its own child process, with a time limit, merged as it goes.
 *
 * The parent plans the whole matrix (runner.c, every input checked), groups
 * the instances by backend x workload, adds one group per general-allocator
 * peer for each group of the `malloc` backend, prints the plan with its
 * estimate and runs the groups one after the other. A child is this same
 * program, re-executed with the parent's command line plus --only-backend,
 * --only-workload and its own --out (parts/<id>/): it plans and runs just
 * its group and writes an ordinary results folder. A peer's child runs
 * with LD_PRELOAD set to that allocator and checks that malloc really
 * comes from it.
 *
 * The parent reads the child's output through a pipe (copied to the
 * console and logs/<id>.log) and enforces the group's time limit with
 * SIGKILL. After every group it rewrites, each atomically:
 *
 *   groups.tsv   id, state (done/failed), seconds, reason: what --resume
 *                keeps
 *   results.csv  every finished group's rows, in plan order; a group that
 *                crashed, hung or could not run has one row per benchmark
 *                with the reason in `error`
 *   meta.json    the run's meta data, plus the peers with their Debian
 *                package versions and every group's state
 *
 * so an interrupted run (Ctrl-C, or the parent killed) leaves every
 * finished result readable. `--resume DIR` replans from DIR/run-args,
 * checks the plan is the same, and runs only the groups not in groups.tsv.
 *
 * Concurrency contract: single-threaded; the only asynchronous state is
 * stop_signal, written by the signal handler and read by the loop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/run.h"
#include "workloads/kernels.h"

#if defined(__x86_64__)
#define PB_MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define PB_MULTIARCH "aarch64-linux-gnu"
#else
#define PB_MULTIARCH ""
#endif

/* The general allocators Debian packages, run under the malloc backend. */
struct peer_lib {
	const char *name, *soname, *package;
};

static const struct peer_lib peer_libs[] = {
	{ "jemalloc", "libjemalloc.so.2", "libjemalloc2" },
	{ "tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4" },
	{ "mimalloc", "libmimalloc.so.2", "libmimalloc2.0" },
};
#define NR_PEER_LIBS (sizeof(peer_libs) / sizeof(peer_libs[0]))

struct peer {
	const struct peer_lib *lib;
	bool found;
	char path[PATH_MAX];	/* the library file, symlinks resolved */
	char version[128];	/* its Debian package's version */
};

enum group_state { G_PENDING, G_DONE, G_FAILED };

struct group {
	const struct pb_backend *backend;
	const struct pb_workload *workload;
	const struct peer *peer;	/* NULL: the process's own malloc */
	char label[96];			/* the backend column */
	char id[256];			/* parts/<id>, logs/<id>.log */
	size_t *idx, n;			/* its instances in r->inst */
	double estimate, timeout;	/* seconds */
	enum group_state state;
	double seconds;
	char reason[512];
	bool this_session;		/* run now, not before a --resume */
};

struct iso {
	struct pb_run *r;
	struct group *g;
	size_t ng;
	struct peer peers[NR_PEER_LIBS];
	char glibc_version[128];
	bool interrupted;
	int resumed;			/* how many times --resume ran */
	char first_started[32];
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		perror("poolbench");
		exit(1);
	}
	return p;
}

/* "path: why", the path cut short if it must be. */
static void io_error(char *err, size_t errlen, const char *path)
{
	int e = errno;

	snprintf(err, errlen, "%.900s: %s", path, strerror(e));
}

/*
 * How to finish an interrupted run, said the same way at the start and at
 * the interrupt (and in the README): two %s, both the run's folder.
 */
#define RESUME_HINT "make run-all RESUME=%s (or poolbench run --resume %s)"

/* ---- peers ------------------------------------------------------------ */

static void deb_version(const char *package, char *buf, size_t len)
{
	char cmd[256];
	FILE *p;

	snprintf(buf, len, "unknown (dpkg-query failed)");
	snprintf(cmd, sizeof(cmd), "dpkg-query -W -f='${Version}' %s 2>/dev/null",
		 package);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(buf, (int)len, p))
		buf[strcspn(buf, "\n")] = '\0';
	if (pclose(p) != 0 || !buf[0])
		snprintf(buf, len, "unknown (%s not known to dpkg)", package);
}

static void find_peer(struct peer *p, const struct peer_lib *lib)
{
	static const char *const dirs[] = {
		"/usr/lib/" PB_MULTIARCH, "/lib/" PB_MULTIARCH, "/usr/lib64",
		"/usr/lib", "/usr/local/lib",
	};

	memset(p, 0, sizeof(*p));
	p->lib = lib;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", dirs[i], lib->soname);
		if (access(path, R_OK) || !realpath(path, p->path))
			continue;
		p->found = true;
		deb_version(lib->package, p->version, sizeof(p->version));
		return;
	}
}

/*
 * Which peers run: every installed one, or those --peers names (each must
 * be known and installed). Return: 0, or -1 with @err.
 */
static int select_peers(struct iso *s, char *err, size_t errlen)
{
	const struct pb_run_opts *o = s->r->opts;

	deb_version("libc6", s->glibc_version, sizeof(s->glibc_version));
	for (size_t i = 0; i < NR_PEER_LIBS; i++)
		find_peer(&s->peers[i], &peer_libs[i]);
	if (!o->peers_given)
		return 0;
	for (size_t i = 0; i < NR_PEER_LIBS; i++) {
		bool named = false;

		for (size_t j = 0; j < o->nr_peers; j++)
			named |= !strcmp(o->peers[j], peer_libs[i].name);
		if (named && !s->peers[i].found) {
			snprintf(err, errlen, "--peers: %s is not installed (%s not "
				 "found; Debian package %s: scripts/setup/install-deps.sh)",
				 peer_libs[i].name, peer_libs[i].soname,
				 peer_libs[i].package);
			return -1;
		}
		if (!named)
			s->peers[i].found = false;	/* not asked for */
	}
	for (size_t j = 0; j < o->nr_peers; j++) {
		bool known = false;

		for (size_t i = 0; i < NR_PEER_LIBS; i++)
			known |= !strcmp(o->peers[j], peer_libs[i].name);
		if (!known) {
			snprintf(err, errlen, "--peers: unknown allocator '%s' (valid: "
				 "jemalloc, tcmalloc, mimalloc, or none)", o->peers[j]);
			return -1;
		}
	}
	return 0;
}

/* ---- the plan's groups ---------------------------------------------------- */

static struct group *add_group(struct iso *s, const struct pb_instance *in,
			       const struct peer *peer)
{
	struct group *g;

	s->g = xrealloc(s->g, (s->ng + 1) * sizeof(*s->g));
	g = &s->g[s->ng++];
	memset(g, 0, sizeof(*g));
	g->backend = in->backend;
	g->workload = in->workload;
	g->peer = peer;
	if (peer)
		snprintf(g->label, sizeof(g->label), "%s:%s", in->backend->name,
			 peer->lib->name);
	else
		snprintf(g->label, sizeof(g->label), "%s", in->backend->name);
	snprintf(g->id, sizeof(g->id), "%03zu-%s-%s", s->ng, g->label,
		 in->workload->name);
	for (char *c = g->id; *c; c++)
		if (*c == ':' || *c == '/')
			*c = '-';
	return g;
}

static void group_add_instance(struct group *g, size_t i)
{
	g->idx = xrealloc(g->idx, (g->n + 1) * sizeof(*g->idx));
	g->idx[g->n++] = i;
}

/*
 * Groups in the order of first appearance (workloads, then backends, as
 * planned); each peer's group follows the malloc group it copies.
 */
static void make_groups(struct iso *s)
{
	struct pb_run *r = s->r;
	const struct pb_run_opts *o = r->opts;

	for (size_t i = 0; i < r->nr_inst; i++) {
		const struct pb_instance *in = &r->inst[i];
		bool known = false;

		for (size_t k = 0; k < s->ng; k++)
			known |= s->g[k].backend == in->backend &&
				 s->g[k].workload == in->workload;
		if (known)
			continue;
		add_group(s, in, NULL);
		if (strcmp(in->backend->name, "malloc"))
			continue;
		for (size_t p = 0; p < NR_PEER_LIBS; p++)
			if (s->peers[p].found)
				add_group(s, in, &s->peers[p]);
	}
	for (size_t k = 0; k < s->ng; k++) {
		struct group *g = &s->g[k];
		double limits = 0;

		for (size_t i = 0; i < r->nr_inst; i++) {
			const struct pb_instance *in = &r->inst[i];
			bool open;

			if (in->backend != g->backend || in->workload != g->workload)
				continue;
			group_add_instance(g, i);
			g->estimate += pb_instance_estimate(in, o->reps, o->min_time,
							    &open);
			if (open)
				limits += (double)in->proto.limit_ns / 1e9;
		}
		/*
		 * A hang guard, not a budget: generous against the estimate,
		 * and every million case may run to its own limit once.
		 */
		g->timeout = o->group_timeout > 0 ? o->group_timeout :
			     120 + 4 * g->estimate + limits;
	}
}

static void print_plan(const struct iso *s)
{
	const struct pb_run *r = s->r;
	size_t total = 0, pending = 0;
	double est = 0, pend_est = 0;
	char buf[32];
	bool any_peer = false;

	for (size_t k = 0; k < s->ng; k++) {
		total += s->g[k].n;
		est += s->g[k].estimate;
		if (s->g[k].state == G_PENDING) {
			pending += s->g[k].n;
			pend_est += s->g[k].estimate;
		}
	}
	printf("poolbench: plan: %zu benchmarks in %zu groups (backend x "
	       "workload, each in its own process), %d repetitions, min time "
	       "%g s, counters: %s\n", total, s->ng, r->opts->reps,
	       r->opts->min_time, r->probe.group);
	printf("  %-16s %7s %11s %9s\n", "workload", "groups", "benchmarks",
	       "estimate");
	for (size_t k = 0; k < s->ng; k++) {
		size_t ng = 0, nb = 0;
		double e = 0;
		bool first = true;

		for (size_t j = 0; j < k; j++)
			first &= s->g[j].workload != s->g[k].workload;
		if (!first)
			continue;
		for (size_t j = k; j < s->ng; j++) {
			if (s->g[j].workload != s->g[k].workload)
				continue;
			ng++;
			nb += s->g[j].n;
			e += s->g[j].estimate;
		}
		pb_fmt_duration(buf, sizeof(buf), e);
		printf("  %-16s %7zu %11zu %9s%s\n", s->g[k].workload->name, ng, nb,
		       buf, s->g[k].workload->times_phases ?
		       "  (guessed: a round takes as long as it takes)" : "");
	}
	pb_fmt_duration(buf, sizeof(buf), est);
	printf("  %-16s %7zu %11zu %9s\n", "total", s->ng, total, buf);
	if (pending != total) {
		pb_fmt_duration(buf, sizeof(buf), pend_est);
		printf("poolbench: resuming: %zu benchmarks left, about %s\n",
		       pending, buf);
	}
	printf("poolbench: general allocators under malloc:");
	for (size_t p = 0; p < NR_PEER_LIBS; p++) {
		if (!s->peers[p].found)
			continue;
		any_peer = true;
		printf(" malloc:%s (%s %s)", s->peers[p].lib->name,
		       s->peers[p].lib->package, s->peers[p].version);
	}
	printf("%s\n", any_peer ? "" : " none (not installed or --peers none)");
	printf("poolbench: results in %s (merged after every group; after "
	       "Ctrl-C, finish the run with: " RESUME_HINT ")\n", r->dir,
	       r->dir, r->dir);
	fflush(stdout);
}

/* ---- state files ------------------------------------------------------------ */

static const char *state_name(enum group_state st)
{
	return st == G_DONE ? "done" : st == G_FAILED ? "failed" : "pending";
}

/* Tabs and newlines would break the line format: spaces instead. */
static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static int write_groups_tsv(const struct iso *s, char *err, size_t errlen)
{
	struct pb_pending p;

	if (!pb_pending_open(&p, s->r->dir, "groups.tsv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	fprintf(p.f, "# id\tstate\tseconds\treason\n");
	for (size_t k = 0; k < s->ng; k++)
		if (s->g[k].state != G_PENDING)
			fprintf(p.f, "%s\t%s\t%.1f\t%s\n", s->g[k].id,
				state_name(s->g[k].state), s->g[k].seconds,
				s->g[k].reason);
	return pb_pending_commit(&p, err, errlen);
}

static void plan_tsv(const struct iso *s, FILE *f)
{
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
static void failed_row(const struct iso *s, const struct group *g, size_t i,
		       FILE *out)
{
	struct pb_row row;

	pb_row_init(&row, &s->r->inst[g->idx[i]], "run", -1);
	row.error = true;
	snprintf(row.error_message, sizeof(row.error_message), "%.255s",
		 g->reason);
	pb_csv_row(out, s->r, &row, g->label);
}

/*
 * A failed group: the benchmarks its child finished before it died keep
 * their rows (parts/<id>/partial/<i>.csv, the child's plan order is the
 * group's); every other one gets a row with the reason. Return: rows
 * with an error.
 */
static long failed_rows(const struct iso *s, const struct group *g, FILE *out)
{
	long failed = 0;

	for (size_t i = 0; i < g->n; i++) {
		char path[4400];

		snprintf(path, sizeof(path), "%s/parts/%s/partial/%zu.csv",
			 s->r->dir, g->id, i);
		if (copy_rows(path, false, out, &failed) < 0) {
			failed_row(s, g, i, out);
			failed++;
		}
	}
	return failed;
}

static void meta_extra(struct pb_jw *w, const struct pb_run *r)
{
	const struct iso *s = r->iso;
	bool complete = true;

	for (size_t k = 0; k < s->ng; k++)
		complete &= s->g[k].state != G_PENDING;
	pb_jw_obj_begin(w, "isolation");
	pb_jw_bool(w, "complete", complete);
	pb_jw_bool(w, "interrupted", s->interrupted);
	pb_jw_int(w, "resumed", s->resumed);
	pb_jw_str(w, "first_started_utc", s->first_started);
	pb_jw_obj_end(w);

	pb_jw_arr_begin(w, "peers");
	pb_jw_obj_begin(w, NULL);
	pb_jw_str(w, "label", "malloc");
	pb_jw_str(w, "allocator", "glibc");
	pb_jw_str(w, "library", "libc.so.6 (the process's own malloc)");
	pb_jw_str(w, "package", "libc6");
	pb_jw_str(w, "version", s->glibc_version);
	pb_jw_obj_end(w);
	for (size_t p = 0; p < NR_PEER_LIBS; p++) {
		char label[64];

		if (!s->peers[p].found)
			continue;
		snprintf(label, sizeof(label), "malloc:%s", s->peers[p].lib->name);
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "label", label);
		pb_jw_str(w, "allocator", s->peers[p].lib->name);
		pb_jw_str(w, "library", s->peers[p].path);
		pb_jw_str(w, "package", s->peers[p].lib->package);
		pb_jw_str(w, "version", s->peers[p].version);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_arr_begin(w, "peers_not_run");
	for (size_t p = 0; p < NR_PEER_LIBS; p++) {
		char why[256];

		if (s->peers[p].found)
			continue;
		snprintf(why, sizeof(why), "%s: %s",
			 r->opts->peers_given ? "not in --peers" : "not installed",
			 peer_libs[p].package);
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "allocator", peer_libs[p].name);
		pb_jw_str(w, "reason", why);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);

	pb_jw_arr_begin(w, "groups");
	for (size_t k = 0; k < s->ng; k++) {
		const struct group *g = &s->g[k];

		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "id", g->id);
		pb_jw_str(w, "backend", g->backend->name);
		pb_jw_str(w, "label", g->label);
		pb_jw_str(w, "workload", g->workload->name);
		pb_jw_int(w, "benchmarks", (int64_t)g->n);
		pb_jw_num(w, "estimate_s", g->estimate);
		pb_jw_num(w, "timeout_s", g->timeout);
		pb_jw_str(w, "state", state_name(g->state));
		if (g->state != G_PENDING)
			pb_jw_num(w, "seconds", g->seconds);
		if (g->state == G_FAILED)
			pb_jw_str(w, "reason", g->reason);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
}

/* The merged results.csv and meta.json of what has finished so far. */
static int write_merged(struct iso *s, char *err, size_t errlen)
{
	struct pb_run *r = s->r;
	struct pb_pending p;
	char json[4400] = "";
	long failed = 0, benchmarks = 0;

	if (!pb_pending_open(&p, r->dir, "results.csv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	pb_csv_header(p.f);
	for (size_t k = 0; k < s->ng; k++) {
		struct group *g = &s->g[k];

		benchmarks += (long)g->n;
		if (g->state == G_DONE) {
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
		} else if (g->state == G_FAILED) {
			failed += failed_rows(s, g, p.f);
		}
	}
	if (pb_pending_commit(&p, err, errlen))
		return -1;
	r->merged = true;
	r->merged_benchmarks = benchmarks;
	r->merged_failed = failed;
	pb_utc_now(r->finished, sizeof(r->finished));
	return pb_results_write_meta(r, json, err, errlen);
}

/* ---- one group ---------------------------------------------------------------- */

static double now_s(void)
{
	return (double)pb_now_ns() / 1e9;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* A part folder left by an interrupted child moves aside, never deleted. */
static void set_aside(const struct iso *s, const struct group *g)
{
	char from[4400], to[4800], dir[4400];
	struct stat st;

	snprintf(from, sizeof(from), "%s/parts/%s", s->r->dir, g->id);
	if (stat(from, &st))
		return;
	snprintf(dir, sizeof(dir), "%s/interrupted", s->r->dir);
	mkdir(dir, 0777);
	for (int i = 1; i < 1000; i++) {
		snprintf(to, sizeof(to), "%s/%s-%d", dir, g->id, i);
		if (stat(to, &st) && !rename(from, to))
			return;
	}
}

static void child_exec(const struct iso *s, const struct group *g, int argc,
		       char **argv, const char *exe, const char *progress, int fd)
{
	char **args = calloc((size_t)argc + 16, sizeof(char *));
	char out[4400];
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
	snprintf(out, sizeof(out), "%s/parts/%s", s->r->dir, g->id);
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
	args[n++] = "--progress";
	args[n++] = (char *)progress;
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

/*
 * Run group @g in a child. Return: true when it ended (done or failed),
 * false when the run was interrupted (the group stays pending).
 */
static bool run_group(struct iso *s, struct group *g, int argc, char **argv,
		      const char *exe, const char *progress)
{
	char path[4400], tail[2048] = "", line[600];
	double t0 = now_s(), deadline = t0 + g->timeout;
	bool timed_out = false, eof = false, reaped = false, forwarded = false;
	int pfd[2], status = 0, log;
	pid_t pid;

	set_aside(s, g);
	snprintf(path, sizeof(path), "%s/logs/%s.log", s->r->dir, g->id);
	log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(g->reason, sizeof(g->reason), "not run: pipe: %s",
			 strerror(errno));
		g->state = G_FAILED;
		if (log >= 0)
			close(log);
		return true;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child_exec(s, g, argc, argv, exe, progress, pfd[1]);
	}
	close(pfd[1]);
	if (pid < 0) {
		snprintf(g->reason, sizeof(g->reason), "not run: fork: %s",
			 strerror(errno));
		g->state = G_FAILED;
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
		if (!reaped && stop_signal && !forwarded) {
			kill(pid, stop_signal);
			forwarded = true;
		}
	}
	close(pfd[0]);
	if (log >= 0)
		close(log);
	g->seconds = now_s() - t0;

	snprintf(path, sizeof(path), "%s/parts/%s/results.csv", s->r->dir, g->id);
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 1 && file_exists(path)) {
		g->state = G_DONE;	/* 1: some benchmark failed, in its rows */
		g->reason[0] = '\0';
		return true;
	}
	if (stop_signal && !timed_out)
		return false;		/* interrupted: run it again on --resume */
	g->state = G_FAILED;
	last_line(tail, line, sizeof(line));
	if (timed_out)
		snprintf(g->reason, sizeof(g->reason), "timed out: its process "
			 "was killed after %.0f s (the group's limit, "
			 "--group-timeout)", g->timeout);
	else if (WIFSIGNALED(status))
		snprintf(g->reason, sizeof(g->reason), "crashed: its process was "
			 "killed by signal %d (%s)%s%.300s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)),
			 line[0] ? "; last output: \"" : "", line,
			 line[0] ? "\"" : "");
	else
		snprintf(g->reason, sizeof(g->reason), "its process exited with "
			 "status %d without results%s%.300s%s", WEXITSTATUS(status),
			 line[0] ? ": \"" : "", line, line[0] ? "\"" : "");
	flatten(g->reason);
	return true;
}

/* ---- resume ------------------------------------------------------------------- */

/* Read groups.tsv back: the groups it names are finished. */
static int load_state(struct iso *s, char *err, size_t errlen)
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
		char *id, *state, *secs, *reason, *save = NULL;
		struct group *g = NULL;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		id = strtok_r(line, "\t", &save);
		state = strtok_r(NULL, "\t", &save);
		secs = strtok_r(NULL, "\t", &save);
		reason = strtok_r(NULL, "", &save);
		for (size_t k = 0; id && k < s->ng; k++)
			if (!strcmp(s->g[k].id, id))
				g = &s->g[k];
		if (!g || !state || !secs ||
		    (strcmp(state, "done") && strcmp(state, "failed"))) {
			snprintf(err, errlen, "%.900s: group '%.200s' is not in this plan: "
				 "the build, machine or command line differs from "
				 "the interrupted run's", path, id ? id : "");
			rc = -1;
			break;
		}
		g->state = strcmp(state, "done") ? G_FAILED : G_DONE;
		g->seconds = atof(secs);
		snprintf(g->reason, sizeof(g->reason), "%s", reason ? reason : "");
	}
	free(line);
	fclose(f);
	return rc;
}

/* The plan must be the one the run started with (plan.tsv). */
static int check_plan(const struct iso *s, char *err, size_t errlen)
{
	char path[4400], *want = NULL, *have = NULL;
	size_t wlen = 0, hlen = 0;
	FILE *f, *m;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/plan.tsv", s->r->dir);
	f = fopen(path, "r");
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "%.900s: %s (not an isolated run's folder?)",
			 path, strerror(e));
		return -1;
	}
	m = open_memstream(&want, &wlen);
	if (!m) {
		fclose(f);
		snprintf(err, errlen, "open_memstream: %s", strerror(errno));
		return -1;
	}
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(f);
	fclose(m);
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

static void read_first_started(struct iso *s)
{
	static const char key[] = "\"first_started_utc\": \"";
	char path[4400], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta.json", s->r->dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

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

/* ---- the run ------------------------------------------------------------------- */

static int save_args(const struct pb_run *r, int argc, char **argv, char *err,
		     size_t errlen)
{
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

static int write_plan_tsv(const struct iso *s, char *err, size_t errlen)
{
	struct pb_pending p;

	if (!pb_pending_open(&p, s->r->dir, "plan.tsv")) {
		io_error(err, errlen, p.tmp);
		return -1;
	}
	plan_tsv(s, p.f);
	return pb_pending_commit(&p, err, errlen);
}

static void print_outcome(const struct iso *s)
{
	size_t done = 0, failed = 0, pending = 0;

	printf("\n%-4s %-26s %-16s %10s %8s  %s\n", "#", "backend", "workload",
	       "benchmarks", "seconds", "state");
	for (size_t k = 0; k < s->ng; k++) {
		const struct group *g = &s->g[k];

		done += g->state == G_DONE;
		failed += g->state == G_FAILED;
		pending += g->state == G_PENDING;
		printf("%-4zu %-26s %-16s %10zu ", k + 1, g->label,
		       g->workload->name, g->n);
		if (g->state == G_PENDING)
			printf("%8s  not run\n", "-");
		else
			printf("%8.1f  %s%s%s\n", g->seconds, state_name(g->state),
			       g->state == G_FAILED ? ": " : "", g->reason);
	}
	printf("poolbench: %zu groups done, %zu failed, %zu not run\n", done,
	       failed, pending);
}

int pb_isolate_run(struct pb_run *r, int argc, char **argv)
{
	const struct pb_run_opts *o = r->opts;
	struct iso s = { .r = r };
	struct sigaction sa = { .sa_handler = on_stop }, old[3];
	char err[1024] = "", exe[PATH_MAX];
	double t0, done_est = 0, total_est = 0;
	size_t k_done = 0, total = 0;
	ssize_t len;
	int rc = 2, fail_rc = 2;

	r->iso = &s;
	r->meta_extra = meta_extra;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		fprintf(stderr, "poolbench: /proc/self/exe: %s\n", strerror(errno));
		return 2;
	}
	exe[len] = '\0';
	if (select_peers(&s, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	make_groups(&s);

	if (o->resume) {
		snprintf(r->dir, sizeof(r->dir), "%s", o->resume);
		read_first_started(&s);
		s.resumed++;
		if (check_plan(&s, err, sizeof(err)) ||
		    load_state(&s, err, sizeof(err)))
			goto fail;
	} else {
		if (pb_results_mkdir(r, err, sizeof(err)) ||
		    save_args(r, argc, argv, err, sizeof(err)) ||
		    write_plan_tsv(&s, err, sizeof(err)))
			goto fail;
	}
	for (int i = 0; i < 2; i++) {
		char sub[4200];

		snprintf(sub, sizeof(sub), "%s/%s", r->dir, i ? "logs" : "parts");
		if (mkdir(sub, 0777) && errno != EEXIST) {
			io_error(err, sizeof(err), sub);
			goto fail;
		}
	}
	pb_utc_now(r->started, sizeof(r->started));
	if (!s.first_started[0])
		snprintf(s.first_started, sizeof(s.first_started), "%s", r->started);
	if (pb_results_write_topology(r, err, sizeof(err)))
		goto fail;
	print_plan(&s);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	sigaction(SIGHUP, &sa, &old[2]);

	for (size_t k = 0; k < s.ng; k++) {
		total += s.g[k].n;
		if (s.g[k].state == G_PENDING)
			total_est += s.g[k].estimate;
		else
			k_done += s.g[k].n;
	}
	t0 = now_s();
	fail_rc = 1;	/* from here on, a write error: some results exist */
	for (size_t k = 0; k < s.ng && !stop_signal; k++) {
		struct group *g = &s.g[k];
		char progress[128], el[32], eta[32];

		if (g->state != G_PENDING)
			continue;
		snprintf(progress, sizeof(progress), "%zu:%zu:%llu:%.3f:%.3f",
			 k_done, total, (unsigned long long)(t0 * 1e9), done_est,
			 total_est);
		if (!run_group(&s, g, argc, argv, exe, progress)) {
			s.interrupted = true;
			break;
		}
		g->this_session = true;
		k_done += g->n;
		done_est += g->estimate;
		if (g->state == G_FAILED) {
			pb_fmt_duration(el, sizeof(el), now_s() - t0);
			pb_progress_eta(eta, sizeof(eta), now_s() - t0, done_est,
					total_est);
			printf("[%zu/%zu] %s elapsed, ETA %s  %s %s: %zu benchmarks "
			       "FAILED: %s\n", k_done, total, el, eta, g->label,
			       g->workload->name, g->n, g->reason);
		}
		if (write_groups_tsv(&s, err, sizeof(err)) ||
		    write_merged(&s, err, sizeof(err)))
			goto fail;
	}
	if (stop_signal)
		s.interrupted = true;
	if (write_merged(&s, err, sizeof(err)))
		goto fail;
	for (int i = 0; i < 3; i++)
		sigaction(i == 0 ? SIGINT : i == 1 ? SIGTERM : SIGHUP, &old[i], NULL);
	print_outcome(&s);
	if (s.interrupted) {
		fprintf(stderr, "poolbench: interrupted; every finished group is in "
			"%s/results.csv. Finish the run with: " RESUME_HINT "\n",
			r->dir, r->dir, r->dir);
		rc = 128 + (stop_signal ? stop_signal : SIGINT);
	} else {
		rc = r->merged_failed ? 1 : 0;
		if (r->merged_failed)
			fprintf(stderr, "poolbench: %lld runs failed; see the error "
				"column of %s/results.csv\n",
				(long long)r->merged_failed, r->dir);
		printf("poolbench: results written to %s\n", r->dir);
	}
	goto out;
fail:
	fprintf(stderr, "poolbench: %s\n", err);
	rc = fail_rc;
out:
	for (size_t k = 0; k < s.ng; k++)
		free(s.g[k].idx);
	free(s.g);
	r->iso = NULL;
	return rc;
}
