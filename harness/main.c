// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the poolbench command: list, run, help.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli.h"
#include "harness/runner.h"
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
	printf("backends:\n");
	for (size_t i = 0; i < pb_backend_count(); i++) {
		const struct pb_backend *b = pb_backend_at(i);

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
	rc = pb_cli_parse_run(n - 1, args + 1, &o, err, sizeof(err));
	if (!rc && !o.isolate) {
		snprintf(err, sizeof(err), "--resume %s: that run was not made "
			 "with --isolate", dir);
		rc = -1;
	}
	if (!rc) {
		o.resume = dir;
		o.out = NULL;
		rc = pb_run_main(&o, n, args);
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

int main(int argc, char **argv)
{
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
	if (strcmp(argv[1], "run")) {
		fprintf(stderr, "poolbench: unknown command '%s' (valid: list, run, "
			"--help)\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--resume") || !strncmp(argv[i], "--resume=", 9))
			return cmd_resume(argc, argv);
	rc = pb_cli_parse_run(argc - 1, argv + 1, &o, err, sizeof(err));
	if (rc) {
		if (rc < 0)
			fprintf(stderr, "poolbench: %s\n", err);
		pb_cli_free(&o);
		return rc < 0 ? 2 : 0;
	}
	rc = pb_run_main(&o, argc, argv);
	pb_cli_free(&o);
	return rc;
}
