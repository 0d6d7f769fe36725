/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * slurm.h - the Slurm executor of an isolated run (slurm.c,
 * `poolbench run --isolate --executor slurm`): the groups the isolated
 * executor planned run as one Slurm job array, a task per group, each on
 * a node of its own; the submit host waits and merges as the local
 * executor does.
 *
 * Called by isolate.c; slurm.c calls child.c, merge.c, progress.c, reps.c
 * and sbatch.c (Slurm's own commands).
 */
#ifndef PB_HARNESS_SLURM_H
#define PB_HARNESS_SLURM_H

#include <signal.h>
#include <stddef.h>

#include "harness/iso.h"

/**
 * pb_slurm_exec() - run the pending units of @s on the Slurm cluster
 * @s: the isolated run, its folder open (pb_iso_open_folder())
 * @exe: this program's path (copied into the folder: every task runs the
 *       code the plan was made with)
 * @stop_signal: set by the signal handler: the job array is cancelled and
 *               the run left resumable (@s->interrupted)
 * @err: the reason of a failure
 * @errlen: its size
 *
 * First checks that a task sees the results folder (a marker file
 * written here must be visible on a node, and a file the node writes
 * visible here), then submits one array, waits for it and records every
 * unit as its task reports it, rewriting the folder's state after each.
 *
 * Return: 0 (every unit ended, or the run was interrupted); -1 with a
 * message in @err when nothing could be submitted (the shared-filesystem
 * check failed, sbatch refused): nothing ran; -2 when the folder's state
 * could not be written while the array ran.
 */
int pb_slurm_exec(struct pb_iso *s, const char *exe,
		  volatile sig_atomic_t *stop_signal, char *err, size_t errlen);

#endif /* PB_HARNESS_SLURM_H */
