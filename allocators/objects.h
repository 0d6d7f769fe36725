/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * objects.h - the objects of a fixed pool whose free list holds bare
 * pointers (alf-mpmc/alf-spsc, dpdk-ring, dpdk-stack): cfg->capacity of
 * them carved from one aligned allocation, a stride apart. The free list
 * is the backend's; this is only the memory. create/destroy only.
 */
#ifndef PB_ALLOCATORS_OBJECTS_H
#define PB_ALLOCATORS_OBJECTS_H

#include <stddef.h>

#include "allocators/config.h"

/*
 * struct pb_objects - @nr objects, @stride bytes apart from @base (the
 * geometry's size rounded up to its alignment, at least malloc's).
 */
struct pb_objects {
	void *base;
	size_t nr;
	size_t stride;
};

/**
 * pb_objects_carve() - allocate @nr objects of geometry @g in one block
 * @o: receives the block, the count and the stride
 * @g: the geometry (pb_config_geometry)
 * @nr: how many objects
 *
 * Return: 0, or -1 when the block cannot be had (out of memory, or a
 * size that overflows); @o is then empty and pb_objects_free() is a no-op.
 */
int pb_objects_carve(struct pb_objects *o, const struct pb_geometry *g,
		     size_t nr);

/**
 * pb_objects_at() - object @i of @o
 * @o: the objects
 * @i: its index, below @o->nr
 *
 * Return: its address.
 */
static inline void *pb_objects_at(const struct pb_objects *o, size_t i)
{
	return (char *)o->base + i * o->stride;
}

/**
 * pb_objects_free() - give the block back
 * @o: the objects (carved or empty)
 */
void pb_objects_free(struct pb_objects *o);

#endif /* PB_ALLOCATORS_OBJECTS_H */
