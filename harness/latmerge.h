/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * latmerge.h - an isolated latency run's latency.csv (latmerge.c).
 *
 * Called by merge.c.
 */
#ifndef PB_HARNESS_LATMERGE_H
#define PB_HARNESS_LATMERGE_H

#include <stdio.h>

#include "harness/iso.h"

/**
 * pb_lat_merge_group() - append group @g's latency.csv lines to @out: its
 * finished children's, the repetitions of a benchmark summed bucket by
 * bucket
 * @s: the isolated run
 * @g: the group
 * @out: the merged latency.csv, its header written
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * A child that wrote no latency.csv (no latency pass, or it failed before
 * one) adds nothing.
 *
 * Return: 0, or -1 with @err (a file could not be read, out of memory).
 */
int pb_lat_merge_group(const struct pb_iso *s, const struct pb_group *g,
		       FILE *out, char *err, size_t errlen);

#endif /* PB_HARNESS_LATMERGE_H */
