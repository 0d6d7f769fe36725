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

#include "harness/iso.h"

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
