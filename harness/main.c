// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the poolbench command: list, run, help.
 */
#include <inttypes.h>
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

int main(int argc, char **argv)
{
	struct pb_run_opts o;
	char err[1024];
	int rc;

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
