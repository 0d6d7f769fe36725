/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * registry.h - one small registry of named entries, filled by constructors
 * before main() and read-only afterwards: the backends (backend.c), the
 * workloads (workloads/registry.c) and the percpu allocators
 * (percpu/pcpu.c) each keep one.
 *
 * Entries are kept sorted by (rank, name): the listing order of `poolbench
 * list` and of the test suites. A nameless entry, a name already taken or
 * a full registry stops the program at start-up with a message, as any
 * check of the owner does through pb_registry_refuse(): a half-registered
 * entry would fail later, far from its cause.
 *
 * Concurrency: pb_registry_add() only from constructors (one thread);
 * the lookups from any thread afterwards.
 */
#ifndef PB_ALLOCATORS_REGISTRY_H
#define PB_ALLOCATORS_REGISTRY_H

#include <stddef.h>

struct pb_registry_entry {
	const char *name;
	int rank;		/* lower ranks list first, then by name */
	const void *item;
};

/* @what names an entry in messages ("backend"); @max entries at most. */
struct pb_registry {
	const char *what;
	struct pb_registry_entry *entries;
	size_t nr, max;
};

/* PB_REGISTRY_DEFINE() - a static, empty registry @var of @max entries. */
#define PB_REGISTRY_DEFINE(var, what_, max_)                                   \
	static struct pb_registry_entry var##_entries[max_];                   \
	static struct pb_registry var = {                                      \
		.what = what_, .entries = var##_entries, .max = max_,          \
	}

/**
 * pb_registry_refuse() - stop the program: @name cannot be registered
 * @r: the registry
 * @name: the entry's name, or NULL
 * @why: the reason, one line
 *
 * Prints "poolbench: <what> '<name>' refused at registration: <why>" and
 * aborts.
 */
_Noreturn void pb_registry_refuse(const struct pb_registry *r,
				  const char *name, const char *why);

/**
 * pb_registry_add() - enter @item under @name, in (@rank, @name) order
 * @r: the registry
 * @name: the entry's name: not empty, not taken
 * @rank: lower ranks list first
 * @item: what pb_registry_at() and pb_registry_find() give back
 *
 * Refuses (pb_registry_refuse()) a missing or taken name and a full
 * registry.
 */
void pb_registry_add(struct pb_registry *r, const char *name, int rank,
		     const void *item);

/**
 * pb_registry_count() - how many entries @r holds
 * @r: the registry
 *
 * Return: the count.
 */
static inline size_t pb_registry_count(const struct pb_registry *r)
{
	return r->nr;
}

/**
 * pb_registry_at() - the @i-th entry's item in listing order
 * @r: the registry
 * @i: index from 0
 *
 * Return: the item, or NULL when @i is past the last entry.
 */
const void *pb_registry_at(const struct pb_registry *r, size_t i);

/**
 * pb_registry_find() - the item registered under @name
 * @r: the registry
 * @name: the name to look up
 *
 * Return: the item, or NULL when no entry has that name.
 */
const void *pb_registry_find(const struct pb_registry *r, const char *name);

#endif /* PB_ALLOCATORS_REGISTRY_H */
