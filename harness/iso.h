/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iso.h - an isolated run's data: its groups (backend x workload), the
 * child processes each group runs in (units), and the run that holds
 * them. Types only, no functions.
 *
 * isolate.c makes and runs them, merge.c keeps the folder's state of
 * them, reps.c merges an interleaved group's repetitions.
 */
#ifndef PB_HARNESS_ISO_H
#define PB_HARNESS_ISO_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/peers.h"
#include "harness/run.h"

enum pb_group_state { PB_GROUP_PENDING, PB_GROUP_DONE, PB_GROUP_FAILED };

/*
 * One child process of a group: every repetition (rep -1, --interleave
 * off) or the one repetition @rep of an interleaved run, whose results
 * folder is parts/<id>/rep-<rep>/ (logs/<id>-rep-<rep>.log).
 */
struct pb_unit {
	int rep;
	enum pb_group_state state;
	double seconds;
	double started_s;		/* after the run's start; < 0: not yet */
	char reason[512];
	/*
	 * Slurm (slurm.c): the node it ran on; @lost: the cluster ended it
	 * (cancelled, node failure, preempted), not its own code: failed
	 * rows now, "lost" in groups.tsv, and run again by --resume.
	 */
	char node[64];
	bool lost;
	char cpu_model[96], topology[96];	/* the node's, from its part */
	char kernel[64];
	int pus;				/* its allowed PUs; 0: unknown */
};

/*
 * One backend x workload (or malloc x workload under one peer). Its
 * state, seconds and reason sum up its units (pb_group_settle()).
 */
struct pb_group {
	const struct pb_backend *backend;
	const struct pb_workload *workload;
	const struct pb_peer *peer;	/* NULL: the process's own malloc */
	bool probe;			/* a null-baseline probe, not the plan's */
	char label[96];			/* the backend column */
	/*
	 * --partitions a,b (Slurm): the partition it runs on, its machine
	 * column and the "@<partition>" its id ends with; NULL: one machine.
	 */
	const char *machine;
	char id[256];			/* parts/<id>, logs/<id>.log */
	size_t *idx, n;			/* its instances in r->inst */
	double estimate, timeout;	/* seconds: all units / one unit */
	struct pb_unit *u;		/* [nu] */
	int nu;
	enum pb_group_state state;
	double seconds;
	char reason[512];
};

/* An isolated run: the plan's groups and what the folder says of them. */
struct pb_iso {
	struct pb_run *r;
	struct pb_group *g;
	size_t ng;
	struct pb_peers peers;
	bool interrupted;
	int resumed;			/* how many times --resume ran */
	char first_started[32];
	char slurm_jobs[2048];		/* --executor slurm: this session's job ids */
};

#endif /* PB_HARNESS_ISO_H */
