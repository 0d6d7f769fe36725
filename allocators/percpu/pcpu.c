// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcpu.c - the registry of percpu allocators (pcpu.h; a struct
 * pb_registry, allocators/registry.h), listed by name: an entry with a
 * missing operation or a taken name stops the program at start-up with a
 * message, as the backend registry does. Also what the percpu allocators
 * share: their slot lists and chunk lookup (struct pb_pcpu_chunks), and
 * the fixed-size pool of their backends (struct pb_pcpu_pool).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/backend.h"
#include "allocators/percpu/pcpu.h"
#include "allocators/registry.h"

PB_REGISTRY_DEFINE(pcpus, "percpu allocator", 8);

void pb_pcpu_register(const struct pb_pcpu_ops *ops)
{
	if (!ops->create || !ops->destroy || !ops->alloc || !ops->free ||
	    !ops->check || !ops->stats || !ops->unit_size)
		pb_registry_refuse(&pcpus, ops->name, "missing operation");
	pb_registry_add(&pcpus, ops->name, 0, ops);
}

size_t pb_pcpu_count(void)
{
	return pb_registry_count(&pcpus);
}

const struct pb_pcpu_ops *pb_pcpu_at(size_t i)
{
	return pb_registry_at(&pcpus, i);
}

const struct pb_pcpu_ops *pb_pcpu_find(const char *name)
{
	return pb_registry_find(&pcpus, name);
}

/* ---- slot lists and the chunk lookup (struct pb_pcpu_chunks) ------------ */

int pb_pcpu_chunks_init(struct pb_pcpu_chunks *cs, int nr_slots,
			size_t span_bytes, size_t mem_bytes)
{
	unsigned int shift = 0;

	memset(cs, 0, sizeof(*cs));
	if (nr_slots < 1 || nr_slots > 64 || !span_bytes || span_bytes > mem_bytes)
		return -1;
	while (((size_t)1 << shift) < span_bytes || ((size_t)1 << shift) < PB_PCPU_PAGE_SIZE)
		shift++;
	cs->nr_slots = nr_slots;
	cs->span_shift = shift;
	cs->span_bytes = span_bytes;
	cs->mem_bytes = mem_bytes;
	cs->table_bits = 4;
	cs->slots = calloc((size_t)nr_slots, sizeof(*cs->slots));
	cs->table = calloc((size_t)1 << cs->table_bits, sizeof(*cs->table));
	if (!cs->slots || !cs->table) {
		pb_pcpu_chunks_fini(cs);
		return -1;
	}
	return 0;
}

void pb_pcpu_chunks_fini(struct pb_pcpu_chunks *cs)
{
	free(cs->slots);
	free(cs->table);
	cs->slots = NULL;
	cs->table = NULL;
}

char *pb_pcpu_chunk_mem_alloc(const struct pb_pcpu_chunks *cs)
{
	void *p;

	/* posix_memalign: aligned_alloc wants the size a multiple of the alignment. */
	if (posix_memalign(&p, (size_t)1 << cs->span_shift, cs->mem_bytes))
		return NULL;
	return p;
}

/* Enter @c in @table of 1 << @bits entries, which has an empty one. */
static void chunks_table_put(struct pb_pcpu_entry *table, unsigned int bits,
			     unsigned int span_shift, struct pb_pcpu_chunk *c)
{
	uintptr_t key = (uintptr_t)c->base >> span_shift;
	size_t mask = ((size_t)1 << bits) - 1, i;

	for (i = pb_pcpu_hash(key, bits); table[i].chunk; i = (i + 1) & mask)
		;
	table[i] = (struct pb_pcpu_entry){ .key = key, .chunk = c };
}

/* Double the table: O(chunks), once per doubling of the chunk count. */
static int chunks_table_grow(struct pb_pcpu_chunks *cs)
{
	unsigned int bits = cs->table_bits + 1;
	struct pb_pcpu_entry *t = calloc((size_t)1 << bits, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < (size_t)1 << cs->table_bits; i++)
		if (cs->table[i].chunk)
			chunks_table_put(t, bits, cs->span_shift, cs->table[i].chunk);
	free(cs->table);
	cs->table = t;
	cs->table_bits = bits;
	return 0;
}

int pb_pcpu_chunk_add(struct pb_pcpu_chunks *cs, struct pb_pcpu_chunk *c,
		      int slot)
{
	/* At most half full: a lookup meets an empty entry soon. */
	if (2 * (cs->nr + 1) > (size_t)1 << cs->table_bits && chunks_table_grow(cs))
		return -1;
	chunks_table_put(cs->table, cs->table_bits, cs->span_shift, c);
	cs->nr++;
	pb_pcpu_slot_add(cs, c, slot, false);
	return 0;
}

/* @h is in the cyclic interval (@i, @j]. */
static bool chunks_between(size_t i, size_t h, size_t j)
{
	return i < j ? i < h && h <= j : i < h || h <= j;
}

void pb_pcpu_chunk_del(struct pb_pcpu_chunks *cs, struct pb_pcpu_chunk *c)
{
	uintptr_t key = (uintptr_t)c->base >> cs->span_shift;
	size_t mask = ((size_t)1 << cs->table_bits) - 1, i, j;

	pb_pcpu_slot_del(cs, c);
	for (i = pb_pcpu_hash(key, cs->table_bits); cs->table[i].chunk != c;
	     i = (i + 1) & mask)
		;
	/*
	 * Backward shift: an entry after the hole whose home is not between
	 * the hole and itself would be cut off from its home; it fills the
	 * hole, and its old place is the new hole.
	 */
	for (j = (i + 1) & mask; cs->table[j].chunk; j = (j + 1) & mask) {
		size_t h = pb_pcpu_hash(cs->table[j].key, cs->table_bits);

		if (!chunks_between(i, h, j)) {
			cs->table[i] = cs->table[j];
			i = j;
		}
	}
	cs->table[i] = (struct pb_pcpu_entry){ 0 };
	cs->nr--;
}

void pb_pcpu_chunks_balance(struct pb_pcpu_chunks *cs, pthread_mutex_t *lock,
			    uint64_t *released,
			    void (*release)(struct pb_pcpu_chunk *c))
{
	struct pb_pcpu_slot *empty = &cs->slots[cs->nr_slots - 1];
	struct pb_pcpu_chunk *list = NULL, *c, *next;

	pthread_mutex_lock(lock);
	/* Spare the first one; the rest go. */
	while (empty->head && (c = empty->head->next)) {
		pb_pcpu_chunk_del(cs, c);
		c->next = list;
		list = c;
		(*released)++;
	}
	pthread_mutex_unlock(lock);
	for (c = list; c; c = next) {
		next = c->next;
		release(c);
	}
}

/* Release every chunk of @cs, then its lists and table. */
static void chunks_destroy(struct pb_pcpu_chunks *cs,
			   void (*release)(struct pb_pcpu_chunk *c))
{
	for (struct pb_pcpu_chunk *c = pb_pcpu_chunks_first(cs), *next; c;
	     c = next) {
		next = pb_pcpu_chunks_next(cs, c);
		release(c);
	}
	pb_pcpu_chunks_fini(cs);
}

/* Every chunk, and those fully free (on the last slot). */
static void chunks_count(const struct pb_pcpu_chunks *cs,
			 struct pb_pcpu_stats *st)
{
	st->chunks = cs->nr;
	st->chunks_empty = 0;
	for (const struct pb_pcpu_chunk *c = cs->slots[cs->nr_slots - 1].head; c;
	     c = c->next)
		st->chunks_empty++;
}

/* ---- what every percpu allocator holds (struct pb_pcpu_alloc) ------------ */

int pb_pcpu_alloc_init(struct pb_pcpu_alloc *pa, unsigned int nr_units,
		       size_t span_bytes, size_t unit_size)
{
	memset(pa, 0, sizeof(*pa));
	pa->nr_units = nr_units;
	if (pb_pcpu_chunks_init(&pa->chunks, pb_pcpu_nr_slots(span_bytes),
				span_bytes, (size_t)nr_units * unit_size))
		return -1;
	if (pthread_mutex_init(&pa->lock, NULL)) {
		pb_pcpu_chunks_fini(&pa->chunks);
		return -1;
	}
	return 0;
}

void pb_pcpu_alloc_fini(struct pb_pcpu_alloc *pa,
			void (*release)(struct pb_pcpu_chunk *c))
{
	chunks_destroy(&pa->chunks, release);
	pthread_mutex_destroy(&pa->lock);
}

int pb_pcpu_alloc_chunk_add(struct pb_pcpu_alloc *pa, struct pb_pcpu_chunk *c,
			    int slot)
{
	if (pb_pcpu_chunk_add(&pa->chunks, c, slot))
		return -1;
	pa->created++;
	return 0;
}

void pb_pcpu_alloc_stats(const struct pb_pcpu_alloc *pa,
			 struct pb_pcpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	chunks_count(&pa->chunks, st);
	st->live = pa->live;
	st->live_bytes = pa->live_bytes;
	st->metadata_bytes = pb_pcpu_chunks_bytes(&pa->chunks);
	st->chunks_created = pa->created;
	st->chunks_released = pa->released;
}

void pb_pcpu_alloc_balance(struct pb_pcpu_alloc *pa,
			   void (*release)(struct pb_pcpu_chunk *c))
{
	pb_pcpu_chunks_balance(&pa->chunks, &pa->lock, &pa->released, release);
}

#define CHUNKS_BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int pb_pcpu_chunks_check(const struct pb_pcpu_chunks *cs, char *err,
			 size_t errlen)
{
	size_t listed = 0, entries = 0, mask = ((size_t)1 << cs->table_bits) - 1;

	for (int s = 0; s < cs->nr_slots; s++) {
		const struct pb_pcpu_chunk *prev = NULL;

		for (const struct pb_pcpu_chunk *c = cs->slots[s].head; c; c = c->next) {
			if (c->slot != s || c->prev != prev)
				CHUNKS_BAD("slot %d: broken list", s);
			if (++listed > cs->nr)
				CHUNKS_BAD("more chunks on the slot lists than the %zu "
					   "known", cs->nr);
			if ((uintptr_t)c->base & (((uintptr_t)1 << cs->span_shift) - 1))
				CHUNKS_BAD("chunk %p: base %p not aligned to the span "
					   "%#zx", (const void *)c, (void *)c->base,
					   (size_t)1 << cs->span_shift);
			if (pb_pcpu_chunk_find(cs, c->base) != c ||
			    pb_pcpu_chunk_find(cs, c->base + cs->span_bytes - 1) != c)
				CHUNKS_BAD("chunk %p (base %p) not found by its address",
					   (const void *)c, (void *)c->base);
			prev = c;
		}
		if (cs->slots[s].tail != prev)
			CHUNKS_BAD("slot %d: tail is not the last chunk", s);
		if (!(cs->slots_used >> s & 1) != !prev)
			CHUNKS_BAD("slot %d: used bit %d, list %s", s,
				   (int)(cs->slots_used >> s & 1),
				   prev ? "not empty" : "empty");
	}
	if (cs->nr_slots < 64 && cs->slots_used >> cs->nr_slots)
		CHUNKS_BAD("used bits past the last slot: %#llx",
			   (unsigned long long)cs->slots_used);
	for (size_t i = 0; i <= mask; i++) {
		const struct pb_pcpu_entry *e = &cs->table[i];

		if (!e->chunk)
			continue;
		entries++;
		if (e->key != (uintptr_t)e->chunk->base >> cs->span_shift)
			CHUNKS_BAD("table entry %zu: key %#lx, chunk base %p", i,
				   (unsigned long)e->key, (void *)e->chunk->base);
		/* No empty entry between its home and itself: a lookup gets there. */
		for (size_t h = pb_pcpu_hash(e->key, cs->table_bits); h != i;
		     h = (h + 1) & mask)
			if (!cs->table[h].chunk)
				CHUNKS_BAD("table entry %zu cut off from its home", i);
	}
	if (listed != cs->nr || entries != cs->nr)
		CHUNKS_BAD("%zu chunks on slot lists, %zu in the table, %zu known",
			   listed, entries, cs->nr);
	if (2 * cs->nr > mask + 1)
		CHUNKS_BAD("table more than half full: %zu of %zu", cs->nr, mask + 1);
	return 0;
}

void pb_pcpu_chunks_probes(const struct pb_pcpu_chunks *cs, size_t *sum,
			   size_t *max)
{
	size_t mask = ((size_t)1 << cs->table_bits) - 1;

	*sum = *max = 0;
	for (size_t i = 0; i <= mask; i++) {
		size_t d;

		if (!cs->table[i].chunk)
			continue;
		d = ((i - pb_pcpu_hash(cs->table[i].key, cs->table_bits)) & mask) + 1;
		*sum += d;
		if (d > *max)
			*max = d;
	}
}

size_t pb_pcpu_chunks_bytes(const struct pb_pcpu_chunks *cs)
{
	return (size_t)cs->nr_slots * sizeof(*cs->slots) +
	       ((size_t)1 << cs->table_bits) * sizeof(*cs->table);
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
	pb_stats_set(st, PB_STAT_chunks_released, ps.chunks_released);
	if (ps.has_memmoves) {
		pb_stats_set(st, PB_STAT_memmoves, ps.memmoves);
		pb_stats_set(st, PB_STAT_free_memmoves, ps.free_memmoves);
	}
}

void pb_pcpu_pool_balance(void *pool)
{
	struct pb_pcpu_pool *p = pool;

	if (p->ops->balance)
		p->ops->balance(p->a);
}
