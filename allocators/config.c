// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - the context mode names and the geometry check shared by the
 * backends (config.h).
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#include "allocators/config.h"

int pb_config_geometry(const struct pb_config *cfg, const char *owner,
		       struct pb_geometry *g, char *err, size_t errlen)
{
	if (!cfg->obj_size) {
		snprintf(err, errlen, "%s: obj_size must be at least 1", owner);
		return -1;
	}
	if (cfg->align & (cfg->align - 1)) {
		snprintf(err, errlen, "%s: align %zu is not a power of two",
			 owner, cfg->align);
		return -1;
	}
	if (cfg->align <= alignof(max_align_t)) {
		g->align = 0;
		g->size = cfg->obj_size;
		return 0;
	}
	if (cfg->obj_size > SIZE_MAX - cfg->align) {
		snprintf(err, errlen, "%s: obj_size %zu too large", owner,
			 cfg->obj_size);
		return -1;
	}
	/* C11 aligned_alloc() wants a multiple of the alignment. */
	g->align = cfg->align;
	g->size = (cfg->obj_size + cfg->align - 1) & ~(cfg->align - 1);
	return 0;
}

const char *pb_mode_name(enum pb_mode mode)
{
	return mode == PB_MODE_SHARED ? "shared" :
	       mode == PB_MODE_RSEQ ? "rseq" : "exclusive";
}
