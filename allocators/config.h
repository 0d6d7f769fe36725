/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - what a pool is created with: the context modes, struct
 * pb_config, and the geometry check every malloc-like backend shares
 * (config.c). Included by backend.h; depends on options.h only.
 */
#ifndef PB_ALLOCATORS_CONFIG_H
#define PB_ALLOCATORS_CONFIG_H

#include <stddef.h>

#include "allocators/options.h"

enum pb_mode {
	PB_MODE_EXCLUSIVE = 0,
	PB_MODE_SHARED = 1,
	PB_MODE_RSEQ = 2,
	PB_MODE__COUNT		/* how many: the suites run every mode */
};

/**
 * pb_mode_name() - the name of a context mode, as the CLI and results spell it
 * @mode: the mode
 *
 * Return: "exclusive", "shared" or "rseq".
 */
const char *pb_mode_name(enum pb_mode mode);

/*
 * struct pb_config - what a pool is created with.
 *
 * obj_size and align are in bytes (align a power of two, 0 means the natural
 * alignment of malloc). capacity is the number of objects the harness may
 * hold live at once over all threads: a fixed-size pool must be able to serve
 * that many. prealloc is a hint for pools that fill themselves at create.
 * nr_cpus is the number of CPU slots: a ctx is bound to a slot in
 * [0, nr_cpus). nr_threads is how many threads will use the pool at once
 * (each with its own ctx). opts are the backend-specific key=value options,
 * validated by the backend against its option table (options.h).
 */
struct pb_config {
	size_t obj_size;
	size_t align;
	size_t capacity;
	size_t prealloc;
	unsigned int nr_cpus;
	unsigned int nr_threads;
	enum pb_mode mode;
	const struct pb_kv *opts;
	size_t nr_opts;
};

/*
 * struct pb_geometry - how to ask a malloc-like allocator for one object.
 * @size:  bytes to ask for (rounded up to @align when @align is set);
 * @align: 0 when malloc's own alignment (alignof(max_align_t)) suffices,
 *         else the alignment to pass to aligned_alloc().
 */
struct pb_geometry {
	size_t size;
	size_t align;
};

/**
 * pb_config_geometry() - check a pool config's obj_size and align
 * @cfg: the config
 * @owner: the backend's name, for the message
 * @g: receives how to ask a malloc-like allocator for one object
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0 with @g filled, or -1 with a message in @err.
 */
int pb_config_geometry(const struct pb_config *cfg, const char *owner,
		       struct pb_geometry *g, char *err, size_t errlen);

#endif /* PB_ALLOCATORS_CONFIG_H */
