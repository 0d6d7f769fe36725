/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probemeta.h - meta.json's "memory" and "latency" objects (probemeta.c):
 * how the probes' columns were measured, and when a cell is empty.
 *
 * Called by results.c; calls jsonw.c.
 */
#ifndef PB_HARNESS_PROBEMETA_H
#define PB_HARNESS_PROBEMETA_H

#include "harness/jsonw.h"
#include "harness/run.h"

/**
 * pb_meta_probes() - write meta.json's "memory" and "latency" objects
 * @w: the writer, inside meta.json's top object
 * @r: the run (pb_probes_init() filled what its process found)
 */
void pb_meta_probes(struct pb_jw *w, const struct pb_run *r);

#endif /* PB_HARNESS_PROBEMETA_H */
