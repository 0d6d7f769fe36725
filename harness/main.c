// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the poolbench command: list, run, compare, help.
 *
 * `run` goes one way: the command line (cli.c), the plan (plan.c), then
 * one executor (local.h: in process, or isolate.h: every group in a child
 * process, or a Slurm job array; sbatch.h checks the cluster first), which
 * writes the results folder. Calls cli.c, plan.c,
 * progress.c, results.c, topo.c, perfev.c and the executors. `compare`
 * reads stored results only: it runs scripts/compare/compare.py.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli.h"
#include "harness/isolate.h"
#include "harness/local.h"
#include "harness/plan.h"
#include "harness/probes.h"
#include "harness/progress.h"
#include "harness/results.h"
#include "harness/sbatch.h"
#include "workloads/workload.h"

static void list_options(const struct pb_option_spec *spec)
{
	for (size_t i = 0; spec && spec[i].key; i++) {
		const struct pb_option_spec *s = &spec[i];
		char range[256] = "";

		if (s->type == PB_OPT_NAME) {
			printf("      %-14s name (default %s): %s\n", s->key,
			       s->def_name, s->help);
		} else if (s->type == PB_OPT_ENUM) {
			size_t off = 0;

			for (size_t c = 0; s->choices[c]; c++)
				off += (size_t)snprintf(range + off, sizeof(range) - off,
							"%s%s", c ? "|" : "", s->choices[c]);
			printf("      %-14s %s (default %s): %s\n", s->key, range,
			       s->choices[s->def], s->help);
		} else {
			printf("      %-14s %" PRIu64 "..%" PRIu64 " (default %" PRIu64
			       "): %s\n", s->key, s->min, s->max, s->def, s->help);
		}
	}
}

static int cmd_list(void)
{
	bool peers = false;

	printf("backends:\n");
	for (size_t i = 0; i < pb_backend_count(); i++) {
		const struct pb_backend *b = pb_backend_at(i);

		/* The peers come last (pb_backend_at's order): one heading. */
		if ((b->flags & PB_BACKEND_PEER) && !peers) {
			peers = true;
			printf("peers (userspace libraries on the same ideas, run as "
			       "they ship; not ports):\n");
		}
		printf("  %-16s %s\n", b->name, b->description);
		list_options(b->options);
	}
	printf("workloads:\n");
	for (size_t i = 0; i < pb_workload_count(); i++) {
		const struct pb_workload *w = pb_workload_at(i);

		printf("  %-16s %s\n", w->name, w->description);
		list_options(w->params);
	}
	return 0;
}

/*
 * A child run for a general-allocator peer: LD_PRELOAD must have put that
 * allocator's malloc in front of glibc's, or the figures would be glibc's
 * under another name.
 */
static int check_malloc_provider(const char *expect, char *err, size_t errlen)
{
	void *(*volatile fn)(size_t) = malloc;
	Dl_info info;

	if (!dladdr((void *)fn, &info) || !info.dli_fname) {
		snprintf(err, errlen, "cannot tell which library provides malloc "
			 "(dladdr failed)");
		return -1;
	}
	if (!strstr(info.dli_fname, expect)) {
		snprintf(err, errlen, "malloc comes from %s, not %s: LD_PRELOAD "
			 "did not take effect", info.dli_fname, expect);
		return -1;
	}
	return 0;
}

/* `run`: plan what @o asks, hand it to the executor it names. */
static int cmd_run(const struct pb_run_opts *o, const struct pb_child_opts *child,
		   int argc, char **argv)
{
	struct pb_run r = { .opts = o, .child = child->active ? child : NULL,
			    .argc = argc, .argv = argv };
	char err[1024] = "";
	int rc = 2, planned;

	/* Bad input is refused before any work, and before any other line. */
	if (o->out && !o->resume && pb_results_check_out(o->out, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	/* Slurm: the cluster and the partition, before the plan's lines. */
	if (o->isolate && o->executor == PB_EXEC_SLURM &&
	    pb_slurm_check(o, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	if (r.child && r.child->expect_malloc &&
	    check_malloc_provider(r.child->expect_malloc, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	if (pb_topo_load(&r.topo, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	if (pb_perf_probe(o->counters, &r.probe)) {
		fprintf(stderr, "poolbench: --counters: %s\n", r.probe.group_reason);
		goto out;
	}
	planned = pb_plan(&r, err, sizeof(err));
	if (r.shared_only_threads)
		printf("poolbench: %u threads > %u PUs: no exclusive mode there "
		       "(one pinned worker per PU): run shared instead\n",
		       r.shared_only_threads, pb_topo_nr_pus(r.topo));
	if (planned) {
		fprintf(stderr, "poolbench: %s\n", err);
		goto out;
	}
	pb_progress_skips(&r);
	if (!r.nr_inst) {
		fprintf(stderr, "poolbench: nothing to run: every point was "
			"skipped\n");
		goto out;
	}
	/* The latency clock, once per process (a child calibrates its own). */
	if (pb_probes_init(&r, err, sizeof(err))) {
		fprintf(stderr, "poolbench: --latency: %s\n", err);
		goto out;
	}
	rc = o->isolate ? pb_exec_isolated(&r) : pb_exec_local(&r);
out:
	pb_plan_free(&r);
	pb_topo_destroy(r.topo);
	return rc;
}

/*
 * `run --resume DIR`: the interrupted run's own command line, from
 * DIR/run-args (one argument per line), becomes this one's.
 */
static char **resume_args(const char *dir, int *argc, char *err, size_t errlen)
{
	char path[4200], *line = NULL, **args = NULL;
	size_t cap = 0;
	ssize_t len;
	int n = 2;
	FILE *f;

	snprintf(path, sizeof(path), "%s/run-args", dir);
	f = fopen(path, "r");
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "%.900s: %s (not a folder written by "
			 "run --isolate?)", path, strerror(e));
		return NULL;
	}
	args = calloc(3, sizeof(*args));
	while (args && (len = getline(&line, &cap, f)) > 0) {
		char **more = realloc(args, (size_t)(n + 2) * sizeof(*args));

		if (!more) {
			free(args);
			args = NULL;
			break;
		}
		args = more;
		line[strcspn(line, "\n")] = '\0';
		args[n] = strdup(line);
		if (!args[n++]) {
			free(args);
			args = NULL;
		}
	}
	free(line);
	fclose(f);
	if (!args) {
		snprintf(err, errlen, "--resume: out of memory");
		return NULL;
	}
	args[0] = "poolbench";
	args[1] = "run";
	args[n] = NULL;
	*argc = n;
	return args;
}

static int cmd_resume(int argc, char **argv)
{
	struct pb_child_opts child;
	struct pb_run_opts o;
	char err[1024], **args;
	const char *dir;
	int rc, n;

	dir = argc == 4 ? argv[3] : NULL;
	if (!dir || strcmp(argv[2], "--resume") || !*dir) {
		fprintf(stderr, "poolbench: --resume DIR takes no other option: the "
			"interrupted run's own are used\n");
		return 2;
	}
	args = resume_args(dir, &n, err, sizeof(err));
	if (!args) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	rc = pb_cli_parse_run(n - 1, args + 1, &o, &child, err, sizeof(err));
	if (!rc && !o.isolate) {
		snprintf(err, sizeof(err), "--resume %s: that run was not made "
			 "with --isolate", dir);
		rc = -1;
	}
	if (!rc) {
		o.resume = dir;
		o.out = NULL;
		rc = cmd_run(&o, &child, n, args);
	} else {
		fprintf(stderr, "poolbench: --resume %s: %s\n", dir, err);
		rc = 2;
	}
	pb_cli_free(&o);
	for (int i = 2; i < n; i++)
		free(args[i]);
	free(args);
	return rc;
}

/*
 * `compare A B ...`: scripts/compare/compare.py of this checkout (found
 * from this program's own path: build/ or build/<variant>/ under the
 * checkout), with the same arguments.
 */
static int cmd_compare(int argc, char **argv)
{
	char exe[PATH_MAX], script[PATH_MAX + 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char **args = calloc((size_t)argc + 2, sizeof(*args));

	if (len <= 0 || !args) {
		fprintf(stderr, "poolbench: compare: cannot find this program's "
			"path\n");
		free(args);
		return 2;
	}
	exe[len] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			break;
		*slash = '\0';
		snprintf(script, sizeof(script), "%s/scripts/compare/compare.py", exe);
		if (!access(script, R_OK)) {
			args[0] = "python3";
			args[1] = script;
			for (int i = 2; i < argc; i++)
				args[i] = argv[i];
			execvp("python3", args);
			fprintf(stderr, "poolbench: compare: cannot run python3: %s\n",
				strerror(errno));
			free(args);
			return 2;
		}
	}
	fprintf(stderr, "poolbench: compare: scripts/compare/compare.py not found "
		"above %s (run the poolbench of a checkout)\n", exe);
	free(args);
	return 2;
}

int main(int argc, char **argv)
{
	struct pb_child_opts child;
	struct pb_run_opts o;
	char err[1024];
	int rc;

	/*
	 * Whole lines, even into a pipe or a log: a message on stderr never
	 * lands in the middle of a half-written stdout line.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		pb_cli_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		pb_cli_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2) {
			fprintf(stderr, "poolbench: list takes no arguments\n");
			return 2;
		}
		return cmd_list();
	}
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc, argv);
	if (strcmp(argv[1], "run")) {
		fprintf(stderr, "poolbench: unknown command '%s' (valid: list, run, "
			"compare, --help)\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--resume") || !strncmp(argv[i], "--resume=", 9))
			return cmd_resume(argc, argv);
	rc = pb_cli_parse_run(argc - 1, argv + 1, &o, &child, err, sizeof(err));
	if (rc) {
		if (rc < 0)
			fprintf(stderr, "poolbench: %s\n", err);
		pb_cli_free(&o);
		return rc < 0 ? 2 : 0;
	}
	rc = cmd_run(&o, &child, argc, argv);
	pb_cli_free(&o);
	return rc;
}
