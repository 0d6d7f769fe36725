/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gslice.h - what the peer backend gslice (gslice.c) tells about the GLib
 * it runs on, for a run's meta.json. Needs no GLib headers.
 */
#ifndef PB_ALLOCATORS_PEERS_GSLICE_H
#define PB_ALLOCATORS_PEERS_GSLICE_H

#include <stddef.h>

/**
 * pb_gslice_glib_version() - the version of the GLib library in the process
 *
 * The runtime library's numbers (glib_major_version, glib_minor_version,
 * glib_micro_version), not those of the headers it was built with: they
 * decide whether g_slice_* is the magazine allocator (GLib < 2.76) or
 * g_malloc. Any thread.
 *
 * Return: a static string such as "2.74.6".
 */
const char *pb_gslice_glib_version(void);

/**
 * pb_gslice_max_chunk_size() - the largest object GSlice's magazines serve
 *
 * GSlice rounds a size up to a multiple of 2 * sizeof(void *) and serves it
 * from its per-thread magazines up to this size; g_slice_alloc() hands a
 * larger object to g_malloc(). Initialises GSlice if nothing used it yet.
 * Any thread.
 *
 * Return: the size in bytes (1008 with GLib 2.74 on x86-64), or 0 when
 * g_slice_* is not the slice allocator in this process (GLib 2.76 or
 * later, or G_SLICE=always-malloc).
 */
size_t pb_gslice_max_chunk_size(void);

#endif /* PB_ALLOCATORS_PEERS_GSLICE_H */
