// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - the list of registered workloads, kept sorted by name.
 * A workload without a name or prepare(), or with a taken name, stops the
 * program at start-up with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/workload.h"

#define PB_MAX_WORKLOADS 64

static const struct pb_workload *workloads[PB_MAX_WORKLOADS];
static size_t nr_workloads;

static void refuse(const struct pb_workload *w, const char *why)
{
	fprintf(stderr, "poolbench: workload '%s' refused at registration: %s\n",
		w->name ? w->name : "(unnamed)", why);
	abort();
}

int pb_workload_register(const struct pb_workload *w)
{
	size_t i;

	if (!w->name || !*w->name)
		refuse(w, "no name");
	if (!w->prepare)
		refuse(w, "missing prepare");
	if ((unsigned int)w->kernel >= PB_KERNEL__COUNT)
		refuse(w, "unknown kernel");
	if (pb_workload_find(w->name))
		refuse(w, "name already registered");
	if (nr_workloads == PB_MAX_WORKLOADS)
		refuse(w, "too many workloads");

	for (i = nr_workloads++; i > 0 && strcmp(w->name, workloads[i - 1]->name) < 0; i--)
		workloads[i] = workloads[i - 1];
	workloads[i] = w;
	return 0;
}

size_t pb_workload_count(void)
{
	return nr_workloads;
}

const struct pb_workload *pb_workload_at(size_t i)
{
	return i < nr_workloads ? workloads[i] : NULL;
}

const struct pb_workload *pb_workload_find(const char *name)
{
	for (size_t i = 0; i < nr_workloads; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}
