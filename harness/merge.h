/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * merge.h - an isolated run's groups and its folder (merge.c): plan.tsv,
 * groups.tsv, run-args, the merged results.csv and meta.json, and
 * --resume's checks.
 *
 * The state of the isolated executor: isolate.c runs the groups and
 * calls merge.c after each; merge.c calls peers.c, results.c and
 * jsonw.c, never isolate.c.
 */
#ifndef PB_HARNESS_MERGE_H
#define PB_HARNESS_MERGE_H

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
};

/*
 * One backend x workload (or malloc x workload under one peer). Its
 * state, seconds and reason sum up its units (pb_group_settle()).
 */
struct pb_group {
	const struct pb_backend *backend;
	const struct pb_workload *workload;
	const struct pb_peer *peer;	/* NULL: the process's own malloc */
	char label[96];			/* the backend column */
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
};

/* How to finish an interrupted run: two %s, both the run's folder. */
#define PB_RESUME_HINT "make run-all RESUME=%s (or poolbench run --resume %s)"

/**
 * pb_group_state_name() - "done", "failed" or "pending"
 * @st: the state
 *
 * Return: its name in groups.tsv and meta.json.
 */
const char *pb_group_state_name(enum pb_group_state st);

/**
 * pb_unit_name() - a unit's name in parts/, logs/ and groups.tsv
 * @g: its group
 * @u: the unit
 * @buf: where the name goes: <id> (every repetition) or <id>/rep-<k>
 * @len: its size
 */
void pb_unit_name(const struct pb_group *g, const struct pb_unit *u, char *buf,
		  size_t len);

/**
 * pb_group_settle() - a group's state, seconds and reason from its units
 * @g: the group: pending while a unit is, failed if a unit failed (the
 *     first failure's reason, naming its repetition), else done
 */
void pb_group_settle(struct pb_group *g);

/**
 * pb_iso_open_folder() - make a new run's folder, or take up a resumed one
 * @s: the run, its groups made; @s->r->opts->resume: the folder to finish
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * A new folder gets run-args and plan.tsv; a resumed one must hold the
 * same plan, and its groups.tsv marks the groups that ended. Both get
 * parts/, logs/ and topology.xml, and @s->r->started.
 *
 * Return: 0, or -1 with @err.
 */
int pb_iso_open_folder(struct pb_iso *s, char *err, size_t errlen);

/**
 * pb_iso_write_state() - rewrite groups.tsv, then the merged results
 * @s: the run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err.
 */
int pb_iso_write_state(struct pb_iso *s, char *err, size_t errlen);

/**
 * pb_iso_write_merged() - rewrite results.csv and meta.json from the
 * finished groups' parts
 * @s: the run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Sets @s->r->merged_benchmarks and merged_failed.
 *
 * Return: 0, or -1 with @err.
 */
int pb_iso_write_merged(struct pb_iso *s, char *err, size_t errlen);

#endif /* PB_HARNESS_MERGE_H */
