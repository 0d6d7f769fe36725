// SPDX-License-Identifier: GPL-2.0-only
/*
 * slurmjob.c - the files of one submission of a Slurm run (slurmjob.h),
 * slurm/sub-<k>/ of the results folder: task-<i>.sh per array task (its
 * group's pending units, each the local executor's child command line
 * under timeout(1), and the status lines the submit host reads) and
 * array.sh, the one script every array task starts.
 *
 * Part of the Slurm executor: called by slurm.c, calls child.c (the
 * child's command line), reps.c (the units' names) and sbatch.c (sh
 * quoting). Writes files only; runs nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/child.h"
#include "harness/reps.h"
#include "harness/sbatch.h"
#include "harness/slurmjob.h"

int pb_slurm_write_task(const struct pb_iso *s, const char *dir,
			const char *root, const char *exe, int i,
			const struct pb_group *g, const int *units, int nunits,
			char *err, size_t errlen)
{
	char path[4600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/task-%d.sh", dir, i);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "#!/bin/sh\n# poolbench: Slurm array task %d: group %s (%s x %s), "
		"%d unit(s),\n# each the child command line of the local executor "
		"under timeout(1)\n", i, g->id, g->label,
		g->workload->name, nunits);
	fprintf(f, "status=");
	snprintf(path, sizeof(path), "%s/status-%d.tsv", dir, i);
	pb_sh_quote(f, path);
	fprintf(f, "\nprintf 'node\\t%%s\\n' \"$(hostname)\" >> \"$status\"\n"
		"pb_unit() {\n"
		"\tname=$1 log=$2 limit=$3\n"
		"\tshift 3\n"
		"\tt0=$(date +%%s.%%N)\n"
		"\ttimeout -s KILL \"$limit\" \"$@\" > \"$log\" 2>&1\n"
		"\trc=$?\n"
		"\tprintf 'unit\\t%%s\\t%%s\\t%%s\\t%%s\\n' \"$name\" \"$rc\" \"$t0\" "
		"\"$(date +%%s.%%N)\" >> \"$status\"\n"
		"}\n");
	for (int k = 0; k < nunits; k++) {
		struct pb_unit *u = &g->u[units[k]];
		struct pb_child_args a;
		char name[300], flat[300];

		pb_unit_name(g, u, name, sizeof(name));
		pb_child_flat_name(name, flat, sizeof(flat));
		if (pb_child_args(s, g, name, u->rep, exe, NULL, &a)) {
			fclose(f);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		fprintf(f, "pb_unit ");
		pb_sh_quote(f, name);
		fputc(' ', f);
		snprintf(path, sizeof(path), "%s/logs/%s.log", root, flat);
		pb_sh_quote(f, path);
		fprintf(f, " %.0f env", ceil(g->timeout));
		if (a.preload) {
			fputc(' ', f);
			snprintf(path, sizeof(path), "LD_PRELOAD=%s", a.preload);
			pb_sh_quote(f, path);
		} else {
			fprintf(f, " -u LD_PRELOAD");
		}
		for (int j = 0; j < a.argc; j++) {
			fputc(' ', f);
			pb_sh_quote(f, a.argv[j]);
		}
		fputc('\n', f);
		pb_child_args_free(&a);
	}
	if (fclose(f)) {
		snprintf(err, errlen, "%.900s/task-%d.sh: %s", dir, i,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int pb_slurm_write_array(const char *dir, char *err, size_t errlen)
{
	char path[4600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/array.sh", dir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "#!/bin/sh\n# poolbench: the job array's script; task i "
		"runs task-<i>.sh beside it\nexec /bin/sh ");
	pb_sh_quote(f, dir);
	fprintf(f, "/task-\"$SLURM_ARRAY_TASK_ID\".sh\n");
	if (fclose(f) || chmod(path, 0755)) {
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int pb_slurm_sub_dir(const char *root, char *dir, size_t len, char *err,
		     size_t errlen)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/slurm", root);
	if (mkdir(path, 0777) && errno != EEXIST) {
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
		return -1;
	}
	for (int k = 1; k < 10000; k++) {
		snprintf(dir, len, "%s/slurm/sub-%d", root, k);
		if (!mkdir(dir, 0777))
			return 0;
		if (errno != EEXIST)
			break;
	}
	snprintf(err, errlen, "%.900s: %s", dir, strerror(errno));
	return -1;
}
