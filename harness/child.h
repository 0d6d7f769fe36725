/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * child.h - one child process of an isolated run (child.c).
 *
 * Called by isolate.c; child.c calls reps.c.
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

#endif /* PB_HARNESS_CHILD_H */
