/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sbatch.h - Slurm's own commands (sbatch.c) for the Slurm executor
 * (slurm.c): each runs as a child process, without a shell; what it
 * prints comes back for messages.
 *
 * Called by slurm.c and main.c (pb_slurm_check()); sbatch.c calls nothing
 * else of the harness.
 */
#ifndef PB_HARNESS_SBATCH_H
#define PB_HARNESS_SBATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/cli.h"

/**
 * pb_slurm_check() - whether the run can go to Slurm at all, before any
 * folder is made: --partitions names partitions, each once, and --account
 * one account, Slurm's commands and timeout(1) are on PATH, the
 * controller answers and every partition asked for exists (else that the
 * cluster has a default one)
 * @o: the run's options (--partitions)
 * @err: the reason, when not
 * @errlen: its size
 *
 * Return: 0, or -1 with a message in @err (bad input: exit status 2).
 */
int pb_slurm_check(const struct pb_run_opts *o, char *err, size_t errlen);

/**
 * pb_sh_quote() - write @s to @f in single quotes, for sh(1) (the task
 * scripts sbatch runs)
 * @f: where to
 * @s: the word
 */
void pb_sh_quote(FILE *f, const char *s);

/**
 * pb_sbatch_wait() - run a one-line job (sbatch --wait --wrap) and wait
 * for it to end
 * @o: the run's options (account, --sbatch-args)
 * @partition: sbatch --partition; NULL: the cluster's default
 * @cwd: the job's working folder (--chdir)
 * @wrap: the shell line it runs
 * @msg: what sbatch printed last (its first line)
 * @len: its size
 *
 * Return: 0 when the job ran and exited 0, else -1.
 */
int pb_sbatch_wait(const struct pb_run_opts *o, const char *partition,
		   const char *cwd, const char *wrap, char *msg, size_t len);

/**
 * pb_sbatch_array() - submit a job array, each task alone on a node
 * (--exclusive --nodes=1)
 * @o: the run's options (account, --sbatch-args)
 * @partition: sbatch --partition; NULL: the cluster's default
 * @first: its first task's index
 * @last: its last task's index (--array=@first-@last)
 * @time_min: the time limit of each task, in minutes
 * @cwd: the tasks' working folder (--chdir)
 * @output: Slurm's output file pattern (--output, with %A and %a)
 * @script: the batch script every task runs
 * @job: the array's job id, when submitted
 * @joblen: its size
 * @msg: what sbatch printed (its first line)
 * @len: its size
 *
 * Return: 0, or -1 when sbatch refused it (@msg says why).
 */
int pb_sbatch_array(const struct pb_run_opts *o, const char *partition,
		    int first, int last, int time_min, const char *cwd,
		    const char *output, const char *script, char *job,
		    size_t joblen, char *msg, size_t len);

/**
 * pb_squeue_tasks() - the state of every task of job array @job
 * @job: its id
 * @nt: room in @st: task indices 0 to @nt - 1
 * @st: set to each task's state as squeue names it (RUNNING, COMPLETED,
 *      CANCELLED, ...), "" when squeue does not list it
 * @msg: why squeue failed
 * @len: its size
 *
 * Return: 0; 1 when Slurm does not know the job (it left the queue); -1
 * when squeue failed.
 */
int pb_squeue_tasks(const char *job, int nt, char (*st)[32], char *msg,
		    size_t len);

/**
 * pb_scancel() - cancel job @job (every task of an array, or one: J_i)
 * @job: the id
 * @msg: what scancel printed
 * @len: its size
 *
 * Return: 0, or -1 when scancel failed.
 */
int pb_scancel(const char *job, char *msg, size_t len);

/**
 * pb_slurm_state_ended() - whether a job state (squeue's %T, or "GONE":
 * left the queue unseen) is one a task does not leave
 * @st: the state
 */
bool pb_slurm_state_ended(const char *st);

/**
 * pb_slurm_state_lost() - whether a task that ended in state @st was
 * ended by the cluster, not by its own code (cancelled, node failure,
 * preemption, boot failure, deadline, gone): its units run again on
 * --resume
 * @st: the state
 */
bool pb_slurm_state_lost(const char *st);

#endif /* PB_HARNESS_SBATCH_H */
