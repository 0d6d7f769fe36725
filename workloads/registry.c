// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - the registered workloads (a struct pb_registry,
 * allocators/registry.h), listed by name. A workload without a name or
 * prepare(), with an unknown kernel or a taken name, stops the program at
 * start-up with a message.
 */
#include "allocators/registry.h"
#include "workloads/workload.h"

PB_REGISTRY_DEFINE(workloads, "workload", 64);

int pb_workload_register(const struct pb_workload *w)
{
	if (!w->name || !*w->name)
		pb_registry_refuse(&workloads, w->name, "no name");
	if (!w->prepare)
		pb_registry_refuse(&workloads, w->name, "missing prepare");
	if ((unsigned int)w->kernel >= PB_KERNEL__COUNT)
		pb_registry_refuse(&workloads, w->name, "unknown kernel");
	pb_registry_add(&workloads, w->name, 0, w);
	return 0;
}

size_t pb_workload_count(void)
{
	return pb_registry_count(&workloads);
}

const struct pb_workload *pb_workload_at(size_t i)
{
	return pb_registry_at(&workloads, i);
}

const struct pb_workload *pb_workload_find(const char *name)
{
	return pb_registry_find(&workloads, name);
}
