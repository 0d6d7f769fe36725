/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gbjson.h - an isolated run's merged bench.json (gbjson.c): every
 * finished child's Google Benchmark JSON as one file in Google
 * Benchmark's own format, so that its tools (compare.py) read any two
 * runs unchanged.
 *
 * Called by isolate.c at the end of a run; calls reps.c (the units'
 * folders) and results.c (the file written atomically).
 */
#ifndef PB_HARNESS_GBJSON_H
#define PB_HARNESS_GBJSON_H

#include <stddef.h>

#include "harness/iso.h"

/**
 * pb_gbjson_merge() - write @s's bench.json from its units' bench.json
 * @s: the run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * The context is the first unit's; the benchmarks are every finished
 * unit's, in plan order, a group's repetitions in order. An interleaved
 * unit's entries get their repetition's index and the run's repetitions
 * in their names (repeats:<reps>, as a back-to-back run names them), and a
 * general allocator's entries its label (malloc:jemalloc/...), so no two
 * benchmarks share a name. Nothing is written when no unit has finished.
 *
 * Return: 0, or -1 with @err.
 */
int pb_gbjson_merge(const struct pb_iso *s, char *err, size_t errlen);

#endif /* PB_HARNESS_GBJSON_H */
