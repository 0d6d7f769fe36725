// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - the registry of named entries (registry.h) behind the
 * backend, workload and percpu allocator lists: an insertion-sorted array,
 * as the lists hold tens of entries, filled once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/registry.h"

void pb_registry_refuse(const struct pb_registry *r, const char *name,
			const char *why)
{
	fprintf(stderr, "poolbench: %s '%s' refused at registration: %s\n",
		r->what, name ? name : "(unnamed)", why);
	abort();
}

static int entry_before(const struct pb_registry_entry *a,
			const struct pb_registry_entry *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank;
	return strcmp(a->name, b->name) < 0;
}

void pb_registry_add(struct pb_registry *r, const char *name, int rank,
		     const void *item)
{
	struct pb_registry_entry e = { .name = name, .rank = rank, .item = item };
	size_t i;

	if (!name || !*name)
		pb_registry_refuse(r, name, "no name");
	if (pb_registry_find(r, name))
		pb_registry_refuse(r, name, "name already registered");
	if (r->nr == r->max) {
		char why[64];

		snprintf(why, sizeof(why), "too many %ss", r->what);
		pb_registry_refuse(r, name, why);
	}
	for (i = r->nr++; i > 0 && entry_before(&e, &r->entries[i - 1]); i--)
		r->entries[i] = r->entries[i - 1];
	r->entries[i] = e;
}

const void *pb_registry_at(const struct pb_registry *r, size_t i)
{
	return i < r->nr ? r->entries[i].item : NULL;
}

const void *pb_registry_find(const struct pb_registry *r, const char *name)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->entries[i].name, name))
			return r->entries[i].item;
	return NULL;
}
