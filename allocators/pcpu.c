// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcpu.c - the registry of percpu allocators (pcpu.h), kept sorted by
 * name. An entry with a missing operation or a taken name stops the
 * program at start-up with a message, as the backend registry does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/pcpu.h"

#define PB_MAX_PCPU 8

static const struct pb_pcpu_ops *pcpus[PB_MAX_PCPU];
static size_t nr_pcpus;

void pb_pcpu_register(const struct pb_pcpu_ops *ops)
{
	size_t i;

	if (!ops->name || !ops->create || !ops->destroy || !ops->alloc ||
	    !ops->free || !ops->check || !ops->stats || !ops->unit_size ||
	    pb_pcpu_find(ops->name) || nr_pcpus == PB_MAX_PCPU) {
		fprintf(stderr, "poolbench: percpu allocator '%s' refused at "
			"registration (missing operation, taken name or too many)\n",
			ops->name ? ops->name : "(unnamed)");
		abort();
	}
	for (i = nr_pcpus++; i > 0 && strcmp(ops->name, pcpus[i - 1]->name) < 0; i--)
		pcpus[i] = pcpus[i - 1];
	pcpus[i] = ops;
}

size_t pb_pcpu_count(void)
{
	return nr_pcpus;
}

const struct pb_pcpu_ops *pb_pcpu_at(size_t i)
{
	return i < nr_pcpus ? pcpus[i] : NULL;
}

const struct pb_pcpu_ops *pb_pcpu_find(const char *name)
{
	for (size_t i = 0; i < nr_pcpus; i++)
		if (!strcmp(pcpus[i]->name, name))
			return pcpus[i];
	return NULL;
}
