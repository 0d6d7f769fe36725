/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * child.h - one child process of an isolated run (child.c).
 *
 * Called by isolate.c and slurm.c; child.c calls reps.c.
 */
#ifndef PB_HARNESS_CHILD_H
#define PB_HARNESS_CHILD_H

#include <signal.h>
#include <stdbool.h>

#include "harness/iso.h"

/**
 * pb_child_run() - run unit @u of group @g in a child process
 * @s: the run
 * @g: the group (its probe flag: the null baseline probe)
 * @u: the unit: its state, seconds, start and the reason of a failure are
 *     set
 * @exe: this program's path, for the child's messages
 * @pg: where the run's progress stands, passed to the child
 * @stop_signal: set by the parent's signal handler: passed on to the
 *               child, and the unit stays pending
 *
 * Return: true when the unit ended (done or failed), false when the run
 * was interrupted.
 */
bool pb_child_run(struct pb_iso *s, struct pb_group *g, struct pb_unit *u,
		  const char *exe, const struct pb_child_progress *pg,
		  volatile sig_atomic_t *stop_signal);

/*
 * struct pb_child_args - a child's command line (pb_child_args()): @argv
 * (@argc entries, NULL-terminated; its strings point into the run's argv,
 * the group and the buffers here) and the allocator it runs under
 * (@preload: LD_PRELOAD; NULL: the process's own malloc).
 */
struct pb_child_args {
	char **argv;
	int argc;
	const char *preload;
	char out[4800], rep[16], done[32], total[32], t0[32], done_est[32],
	     total_est[32];
};

/**
 * pb_child_args() - the command line that runs unit @name of group @g
 * @s: the run
 * @g: the group
 * @name: the unit's name (pb_unit_name()): its folder under parts/
 * @rep: its repetition (-1: every one)
 * @exe: the program to run
 * @pg: where the run's progress stands (NULL: the child counts its own)
 * @a: filled in; release with pb_child_args_free()
 *
 * Return: 0, or -1 when out of memory.
 */
int pb_child_args(const struct pb_iso *s, const struct pb_group *g,
		  const char *name, int rep, const char *exe,
		  const struct pb_child_progress *pg, struct pb_child_args *a);

/**
 * pb_child_args_free() - release what pb_child_args() allocated
 * @a: its result
 */
void pb_child_args_free(struct pb_child_args *a);

/**
 * pb_child_failed() - mark unit @u failed, with the reason its process
 * gave
 * @g: its group (the time limit a timeout names)
 * @u: the unit; its state and reason are set
 * @status: the process's wait status
 * @timed_out: it was killed at the group's time limit
 * @tail: the last bytes of its output ("" when none)
 */
void pb_child_failed(const struct pb_group *g, struct pb_unit *u, int status,
		     bool timed_out, const char *tail);

/**
 * pb_child_set_aside() - move a part folder left by an interrupted unit
 * to interrupted/<name>-<k>, never deleting it
 * @s: the run
 * @name: the unit's name
 */
void pb_child_set_aside(const struct pb_iso *s, const char *name);

/**
 * pb_child_flat_name() - @name with every '/' made '-': a file name under
 * logs/ or interrupted/
 * @name: a unit's name
 * @buf: where it goes
 * @len: its size
 */
void pb_child_flat_name(const char *name, char *buf, size_t len);

/**
 * pb_flatten() - make @s one TSV field: tabs and line ends become blanks
 * (a reason that goes into groups.tsv)
 * @s: the text, changed in place
 */
void pb_flatten(char *s);

/**
 * pb_last_line() - the last non-empty line of @buf (a process's output
 * tail), for a failure's reason
 * @buf: the text
 * @out: where the line goes
 * @len: its size
 */
void pb_last_line(const char *buf, char *out, size_t len);

/**
 * pb_file_nonempty() - whether @path is a regular file of at least one byte
 * @path: the file
 */
bool pb_file_nonempty(const char *path);

/**
 * pb_file_copy() - copy file @from to @to (created or truncated, mode 0755:
 * the program copy a Slurm run's tasks run)
 * @from: the file
 * @to: the copy
 * @err: why not
 * @errlen: its size
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_file_copy(const char *from, const char *to, char *err, size_t errlen);

/**
 * pb_file_tail() - the last @len - 1 bytes of @path (a log), for a
 * failure's reason; "" when it cannot be read
 * @path: the file
 * @buf: where they go, NUL-terminated
 * @len: its size
 */
void pb_file_tail(const char *path, char *buf, size_t len);

#endif /* PB_HARNESS_CHILD_H */
