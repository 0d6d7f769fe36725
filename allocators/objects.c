// SPDX-License-Identifier: GPL-2.0-only
/*
 * objects.c - a fixed pool's objects in one aligned block (objects.h).
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#include "allocators/objects.h"

int pb_objects_carve(struct pb_objects *o, const struct pb_geometry *g,
		     size_t nr)
{
	size_t align = g->align ? g->align : alignof(max_align_t);

	o->base = NULL;
	o->nr = 0;
	o->stride = (g->size + align - 1) & ~(align - 1);
	if (!nr || nr > SIZE_MAX / o->stride ||
	    posix_memalign(&o->base, align, nr * o->stride)) {
		o->base = NULL;
		return -1;
	}
	o->nr = nr;
	return 0;
}

void pb_objects_free(struct pb_objects *o)
{
	free(o->base);
	o->base = NULL;
	o->nr = 0;
}
