/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * placement.h - where a Slurm run's units ran (placement.c): the nodes,
 * their CPU models and topologies as each unit's part recorded them, and
 * what that placement puts in doubt.
 *
 * Called by merge.c (meta.json) and isolate.c (the console's warnings).
 */
#ifndef PB_HARNESS_PLACEMENT_H
#define PB_HARNESS_PLACEMENT_H

#include <stddef.h>

#include "harness/iso.h"
#include "harness/jsonw.h"

#define PB_WARN_LEN 2048

/**
 * pb_iso_placement_warnings() - what a Slurm run's placement puts in
 * doubt: a node whose allowed PUs differ from the submit host's (the plan
 * was made there), a workload whose units ran on nodes of different CPU
 * models within one machine (one partition of a --partitions a,b run;
 * machines are meant to differ)
 * @s: the run (its units' nodes are read from their parts once)
 * @warn: the warnings, one line each
 * @max: room in @warn
 *
 * Return: how many (0 for a local run: its units name no node).
 */
size_t pb_iso_placement_warnings(struct pb_iso *s, char (*warn)[PB_WARN_LEN],
				 size_t max);

/**
 * pb_iso_placement_meta() - meta.json's "nodes" (each node a unit ran
 * on, per machine, with its CPU model, topology, kernel and allowed PUs) and
 * "placement_warnings" members
 * @w: the writer, inside the "executor" object
 * @s: the run
 */
void pb_iso_placement_meta(struct pb_jw *w, struct pb_iso *s);

#endif /* PB_HARNESS_PLACEMENT_H */
