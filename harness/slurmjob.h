/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * slurmjob.h - the scripts of one submission of a Slurm run (slurmjob.c),
 * written before sbatch is called. Called by slurm.c.
 */
#ifndef PB_HARNESS_SLURMJOB_H
#define PB_HARNESS_SLURMJOB_H

#include <stddef.h>

#include "harness/iso.h"

/**
 * pb_slurm_sub_dir() - make slurm/sub-<k>/ of results folder @root, the
 * first k not taken (one per submission)
 * @root: the results folder, absolute
 * @dir: set to the new folder's path
 * @len: its size
 * @err: why not
 * @errlen: its size
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_slurm_sub_dir(const char *root, char *dir, size_t len, char *err,
		     size_t errlen);

/**
 * pb_slurm_write_task() - write @dir/task-<@i>.sh: units @units of group
 * @g, one after the other, each under timeout(1) with the group's limit,
 * its output in @root/logs/<unit>.log, a line per unit that ended in
 * @dir/status-<@i>.tsv (after one naming the node)
 * @s: the run
 * @dir: the submission's folder
 * @root: the results folder
 * @exe: the program every unit runs (the submission's copy)
 * @i: the array task's index
 * @g: its group
 * @units: indices into @g->u
 * @nunits: how many
 * @err: why not
 * @errlen: its size
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_slurm_write_task(const struct pb_iso *s, const char *dir,
			const char *root, const char *exe, int i,
			const struct pb_group *g, const int *units, int nunits,
			char *err, size_t errlen);

/**
 * pb_slurm_write_array() - write @dir/array.sh, the job arrays' script:
 * array task i runs task-<i>.sh beside it
 * @dir: the submission's folder
 * @err: why not
 * @errlen: its size
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_slurm_write_array(const char *dir, char *err, size_t errlen);

#endif /* PB_HARNESS_SLURMJOB_H */
