// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcpu.c - the registry of percpu allocators (pcpu.h), kept sorted by
 * name. An entry with a missing operation or a taken name stops the
 * program at start-up with a message, as the backend registry does. Also
 * what the percpu allocators share: their chunks' address index (struct
 * pb_pcpu_index) and the fixed-size pool of their backends (struct
 * pb_pcpu_pool).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/backend.h"
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

/* ---- the chunk address index ---------------------------------------------- */

int pb_pcpu_index_add(struct pb_pcpu_index *x, void *chunk)
{
	char *base = *(char **)((char *)chunk + x->base_off);
	size_t i;

	if (x->nr == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 16;
		void **a = realloc(x->chunk, cap * sizeof(*a));

		if (!a)
			return -1;
		x->chunk = a;
		x->cap = cap;
	}
	for (i = x->nr; i > 0 && pb_pcpu_index_base(x, i - 1) > base; i--)
		x->chunk[i] = x->chunk[i - 1];
	x->chunk[i] = chunk;
	x->nr++;
	return 0;
}

void pb_pcpu_index_del(struct pb_pcpu_index *x, void *chunk)
{
	size_t i;

	for (i = 0; x->chunk[i] != chunk; i++)
		;
	memmove(&x->chunk[i], &x->chunk[i + 1], (x->nr - i - 1) * sizeof(*x->chunk));
	x->nr--;
}

void *pb_pcpu_index_find(const struct pb_pcpu_index *x, const void *p)
{
	size_t lo = 0, hi = x->nr;
	uintptr_t q = (uintptr_t)p;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uintptr_t base = (uintptr_t)pb_pcpu_index_base(x, mid);

		if (q < base)
			hi = mid;
		else if (q - base >= x->span)
			lo = mid + 1;
		else
			return x->chunk[mid];
	}
	return NULL;
}

/* ---- the fixed-size pool of the percpu backends --------------------------- */

int pb_pcpu_pool_create(const struct pb_pcpu_ops *ops, const struct pb_config *cfg,
			const struct pb_pcpu_config *pc, struct pb_pcpu_pool **out,
			char *err, size_t errlen)
{
	struct pb_pcpu_pool *p;
	struct pb_geometry g;
	size_t max;

	if (pb_config_geometry(cfg, ops->name, &g, err, errlen))
		return -1;
	if (cfg->align > PB_PCPU_PAGE_SIZE) {
		snprintf(err, errlen, "%s: align %zu above the page size %u",
			 ops->name, cfg->align, PB_PCPU_PAGE_SIZE);
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", ops->name);
		return -1;
	}
	p->ops = ops;
	if (ops->create(pc, &p->a, err, errlen)) {
		free(p);
		return -1;
	}
	p->unit_size = ops->unit_size(p->a);
	max = ops->max_alloc ? ops->max_alloc(p->a) : pb_pcpu_max_alloc(p->unit_size);
	if (cfg->obj_size > max) {
		snprintf(err, errlen, "%s: obj_size %zu above the largest percpu "
			 "allocation, %zu", ops->name, cfg->obj_size, max);
		ops->destroy(p->a);
		free(p);
		return -1;
	}
	p->size = cfg->obj_size;
	p->align = cfg->align ? cfg->align : PB_PCPU_DFL_ALIGN;
	*out = p;
	return 0;
}

int pb_pcpu_backend_create(const struct pb_pcpu_ops *ops,
			   const struct pb_config *cfg, void **pool, char *err,
			   size_t errlen)
{
	struct pb_pcpu_config pc = { .nr_units = cfg->nr_cpus, .opts = cfg->opts,
				     .nr_opts = cfg->nr_opts };

	return pb_pcpu_pool_create(ops, cfg, &pc, (struct pb_pcpu_pool **)pool,
				   err, errlen);
}

void pb_pcpu_pool_destroy(void *pool)
{
	struct pb_pcpu_pool *p = pool;

	p->ops->destroy(p->a);
	free(p);
}

void *pb_pcpu_pool_per_cpu_ptr(void *pool, void *obj, unsigned int cpu)
{
	struct pb_pcpu_pool *p = pool;

	return (char *)obj + (size_t)cpu * p->unit_size;
}

void pb_pcpu_pool_stats(void *pool, struct pb_stats *st)
{
	struct pb_pcpu_pool *p = pool;
	struct pb_pcpu_stats ps;

	p->ops->stats(p->a, &ps);
	pb_stats_set(st, PB_STAT_metadata_bytes, ps.metadata_bytes);
	pb_stats_set(st, PB_STAT_chunks, ps.chunks);
}
