// SPDX-License-Identifier: GPL-2.0-only
/*
 * areamap.c - the percpu area-map allocator that Linux used before 4.14
 * (the one seed 003 replaced), behind the general percpu API (pcpu.h),
 * and the fixed-size backend "percpu-areamap" over it.
 *
 * Design (REFERENCE §6). Each chunk keeps a sorted array of int offsets,
 * one entry per area, bit 0 set when the area is in use; an area runs from
 * its offset to the next entry's, and a sentinel unit_size|1 closes the
 * array. Sizes and alignments are made even so bit 0 is free to use.
 *   alloc: skip a chunk whose contig_hint is too small; scan its areas from
 *          first_free for a free one that fits the aligned request; split
 *          it by memmove of the array tail (one or two new entries), a head
 *          of less than an int or next to a free area joining its left
 *          neighbour, a tail of less than an int staying in the allocation.
 *          contig_hint becomes exact only when the scan reached the end.
 *          The array doubles when it could run out of room.
 *   free:  find the handle's chunk by its address (O(1), pcpu.h), binary
 *          search for the offset, clear its bit, merge with free
 *          neighbours: one memmove of the array tail closes the one or two
 *          entries the merges remove, as pcpu_free_area() counts them
 *          first. That memmove over a long array is the pathology the
 *          bitmap allocator removed. Every memmove of a map, split or
 *          merge, is counted: the statistic memmoves, and those of
 *          free apart, free_memmoves (at most one per free).
 * Chunks sit on slot lists by free size (a full or nearly full chunk in
 * slot 0, an empty one in the last; pcpu.h's lists, shared with the bitmap
 * allocator): a chunk moving up goes to the head of its new list, moving
 * down to the tail, both O(1) as list_move/list_move_tail. alloc walks the
 * slots from the request's size upward and creates a chunk when nothing
 * fits. A chunk that becomes empty stays on the last slot, where the next
 * allocation finds it; free never releases one. balance() (the kernel's
 * pcpu_balance_workfn) releases every empty chunk but the first on that
 * slot, keeping one spare; destroy releases everything (statistic
 * chunks_released).
 *
 * Userspace against the kernel: a chunk is one allocation of nr_units x
 * unit_size bytes (the kernel maps units into vmalloc space), aligned to
 * the power of two at or above unit_size, so that the chunk lookup
 * (pcpu.h) reads the chunk from a table keyed by the address's high bits:
 * O(1) as the kernel's pcpu_chunk_addr_search(), which reads it from the
 * address's struct page (vmalloc_to_page()->index) instead; the table
 * also refuses an address in no chunk, where the kernel trusts its
 * caller. There is no page population, so an allocation never waits for
 * one, and balance() has none to do. The kernel's free schedules the work
 * item when it empties a chunk while another empty one exists, and the
 * worker runs on its own; here nothing runs by itself: whoever drives the
 * allocator calls balance() (the harness after every timed phase), so
 * empty chunks stay until then. There is no first (static) chunk: every
 * chunk may be released. The allocator lock is a pthread mutex
 * (pcpu_lock), which balance() takes to take the chunks off the lists and
 * drops before freeing them, as the worker drops pcpu_lock.
 * Allocations are zeroed in every unit, as pcpu_alloc() does.
 *
 * Concurrency contract: pcpu.h's; every entry point takes the lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/percpu/pcpu.h"
#include "allocators/register.h"

#define AM_NAME "percpu-areamap"
#define AM_DFL_MAP_ALLOC 16		/* the kernel's PCPU_DFL_MAP_ALLOC */
#define AM_SMALL ((int)sizeof(int))	/* heads and tails below this merge */

struct am_chunk {
	struct pb_pcpu_chunk pc;	/* base, slot list: first (pcpu.h) */
	int *map;			/* offsets | in-use bit, then the sentinel */
	int map_used, map_alloc;
	int free_size;			/* free bytes per unit */
	int contig_hint;		/* >= the largest free area */
	int first_free;			/* no free area before this index */
	int nr_live;			/* allocations in this chunk */
};

struct am_alloc {
	struct pb_pcpu_alloc pa;	/* lock (pcpu_lock: all), chunks, counts */
	int unit_size;
	uint64_t memmoves;		/* of a map: splits and merges */
	uint64_t free_memmoves;		/* of them, merges (by free) */
};

/* ---- slots -------------------------------------------------------------- */

static int am_chunk_slot(const struct am_alloc *a, const struct am_chunk *c)
{
	if (c->free_size < AM_SMALL || c->contig_hint < AM_SMALL)
		return 0;
	return pb_pcpu_size_to_slot(&a->pa.chunks, (size_t)c->free_size);
}

/* Move @c to the slot its free size says: higher at the head, lower at the tail. */
static inline void am_relocate(struct am_alloc *a, struct am_chunk *c)
{
	pb_pcpu_chunk_move(&a->pa.chunks, &c->pc, am_chunk_slot(a, c));
}

static inline struct am_chunk *am_chunk_of(struct pb_pcpu_chunk *pc)
{
	return (struct am_chunk *)pc;
}

/* ---- chunks ------------------------------------------------------------- */

static void am_chunk_free(struct am_chunk *c)
{
	if (!c)
		return;
	free(c->pc.base);
	free(c->map);
	free(c);
}

/* A chunk the shared code hands back (destroy, balance), memory and all. */
static void am_release(struct pb_pcpu_chunk *c)
{
	am_chunk_free(am_chunk_of(c));
}

static struct am_chunk *am_chunk_new(struct am_alloc *a)
{
	struct am_chunk *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->pc.base = pb_pcpu_chunk_mem_alloc(&a->pa.chunks);
	c->map = malloc(AM_DFL_MAP_ALLOC * sizeof(int));
	if (!c->pc.base || !c->map) {
		am_chunk_free(c);
		return NULL;
	}
	c->map_alloc = AM_DFL_MAP_ALLOC;
	c->map[0] = 0;				/* one free area: the unit */
	c->map[1] = a->unit_size | 1;		/* the sentinel */
	c->map_used = 2;
	c->free_size = c->contig_hint = a->unit_size;
	/* On its slot and found by its address, as free needs. */
	if (pb_pcpu_alloc_chunk_add(&a->pa, &c->pc, am_chunk_slot(a, c))) {
		am_chunk_free(c);
		return NULL;
	}
	return c;
}

/* Room for the two entries a split may add; the array doubles. */
static int am_map_room(struct am_chunk *c)
{
	int *map;

	if (c->map_used + 2 <= c->map_alloc)
		return 0;
	map = realloc(c->map, 2 * (size_t)c->map_alloc * sizeof(int));
	if (!map)
		return -1;
	c->map = map;
	c->map_alloc *= 2;
	return 0;
}

/* ---- areas ------------------------------------------------------------ */

/*
 * am_alloc_area() - carve @size bytes aligned to @align out of @c.
 * Return: the offset, or -1 when no area fits (contig_hint is then exact).
 */
static int am_alloc_area(struct am_alloc *a, struct am_chunk *c, int size,
			 int align)
{
	int max_contig = 0;
	bool seen_free = false;

	for (int i = c->first_free; i < c->map_used - 1; i++) {
		int off = c->map[i], area, head, tail, extra;

		if (off & 1)
			continue;
		area = (c->map[i + 1] & ~1) - off;
		head = ((off + align - 1) & ~(align - 1)) - off;
		if (area < head + size) {
			/* The first free area that does not fit stays first_free. */
			if (!seen_free) {
				c->first_free = i;
				seen_free = true;
			}
			if (area > max_contig)
				max_contig = area;
			continue;
		}
		/*
		 * A head smaller than an int, or one after a free area, joins
		 * the area to its left (an allocation keeps it; a free area
		 * grows by it).
		 */
		if (head && (head < AM_SMALL || (i > 0 && !(c->map[i - 1] & 1)))) {
			c->map[i] = off += head;
			if (i > 0 && (c->map[i - 1] & 1)) {
				/* The allocation to the left keeps the head. */
				c->free_size -= head;
				a->pa.live_bytes += (uint64_t)head;
			} else if (c->map[i] - c->map[i - 1] > max_contig)
				max_contig = c->map[i] - c->map[i - 1];
			area -= head;
			head = 0;
		}
		/* A tail smaller than an int stays in the allocation. */
		tail = area - head - size;
		if (tail < AM_SMALL) {
			tail = 0;
			size = area - head;
		}
		extra = !!head + !!tail;
		if (extra) {
			/* Open @extra entries after i: the memmove of the split. */
			memmove(&c->map[i + 1 + extra], &c->map[i + 1],
				(size_t)(c->map_used - i - 1) * sizeof(int));
			a->memmoves++;
			c->map_used += extra;
			if (head) {
				if (!seen_free) {
					c->first_free = i;
					seen_free = true;
				}
				if (head > max_contig)
					max_contig = head;
				c->map[++i] = off += head;
			}
			if (tail) {
				c->map[i + 1] = off + size;
				if (tail > max_contig)
					max_contig = tail;
			}
		}
		if (!seen_free)
			c->first_free = i + 1;
		/* Exact only if the scan went to the end. */
		if (i + 2 == c->map_used)
			c->contig_hint = max_contig;
		else if (max_contig > c->contig_hint)
			c->contig_hint = max_contig;
		c->free_size -= size;
		c->map[i] |= 1;
		c->nr_live++;
		a->pa.live_bytes += (uint64_t)size;
		am_relocate(a, c);
		return off;
	}
	c->contig_hint = max_contig;	/* scanned to the end: exact */
	am_relocate(a, c);
	return -1;
}

/*
 * am_free_area() - free the area at @i of @c, merging free neighbours: as
 * the kernel's pcpu_free_area(), count the entries the merges remove (the
 * next area's, the freed one's when the previous area is free) and close
 * the gap with one memmove of the array tail.
 */
static void am_free_area(struct am_alloc *a, struct am_chunk *c, int i)
{
	int size, merged = 0;

	c->map[i] &= ~1;
	size = (c->map[i + 1] & ~1) - c->map[i];
	c->free_size += size;
	a->pa.live_bytes -= (uint64_t)size;
	c->nr_live--;
	/* A free previous area is at or after first_free already. */
	if (i < c->first_free)
		c->first_free = i;
	/* Merge with the next area (the sentinel is in use: never merged). */
	if (!(c->map[i + 1] & 1))
		merged++;
	/* And with the previous one, which then starts the free area. */
	if (i > 0 && !(c->map[i - 1] & 1)) {
		merged++;
		i--;
	}
	if (merged) {
		c->map_used -= merged;
		memmove(&c->map[i + 1], &c->map[i + 1 + merged],
			(size_t)(c->map_used - i - 1) * sizeof(int));
		a->memmoves++;
		a->free_memmoves++;
	}
	if ((c->map[i + 1] & ~1) - c->map[i] > c->contig_hint)
		c->contig_hint = (c->map[i + 1] & ~1) - c->map[i];
	am_relocate(a, c);
}

/* ---- the percpu API ------------------------------------------------------- */

static const struct pb_option_spec am_options[] = {
	{ .key = "unit_size", .type = PB_OPT_UINT, .def = 0, .min = 0,
	  .max = 1u << 28,
	  .help = "bytes per CPU unit of a chunk, a multiple of 4096; 0: 256 KiB "
		  "(PB_PCPU_DFL_UNIT_SIZE, a common x86-64 boot value)" },
	{ 0 }
};

static void am_destroy(void *a_)
{
	struct am_alloc *a = a_;

	pb_pcpu_alloc_fini(&a->pa, am_release);
	free(a);
}

static int am_create(const struct pb_pcpu_config *cfg, void **out, char *err,
		     size_t errlen)
{
	size_t unit = cfg->unit_size ? cfg->unit_size : PB_PCPU_DFL_UNIT_SIZE;
	uint64_t opt[1];
	struct am_alloc *a;

	if (pb_options_parse(am_options, cfg->opts, cfg->nr_opts, opt, AM_NAME,
			     err, errlen))
		return -1;
	if (opt[0])
		unit = opt[0];
	if (!cfg->nr_units || unit % PB_PCPU_PAGE_SIZE || unit > (1u << 28)) {
		snprintf(err, errlen, AM_NAME ": %u units of %zu bytes: need at "
			 "least one unit, a multiple of %u bytes up to 256 MiB",
			 cfg->nr_units, unit, PB_PCPU_PAGE_SIZE);
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a || pb_pcpu_alloc_init(&a->pa, cfg->nr_units, unit, unit)) {
		free(a);
		snprintf(err, errlen, AM_NAME ": out of memory");
		return -1;
	}
	a->unit_size = (int)unit;
	*out = a;
	return 0;
}

static void *am_alloc_locked(struct am_alloc *a, int size, int align)
{
	struct am_chunk *c = NULL;
	int off = -1;

	for (int slot = pb_pcpu_size_to_slot(&a->pa.chunks, (size_t)size);
	     slot < a->pa.chunks.nr_slots && off < 0;
	     slot++) {
		struct pb_pcpu_chunk *pc, *next;

		for (pc = a->pa.chunks.slots[slot].head; pc; pc = next) {
			/* Saved first: a failed attempt may relocate c. */
			next = pc->next;
			c = am_chunk_of(pc);
			if (size > c->contig_hint)
				continue;
			if (am_map_room(c))
				return NULL;
			off = am_alloc_area(a, c, size, align);
			if (off >= 0)
				break;
		}
	}
	if (off < 0) {
		c = am_chunk_new(a);
		if (!c || am_map_room(c))
			return NULL;
		off = am_alloc_area(a, c, size, align);
		if (off < 0)
			return NULL;
	}
	pb_pcpu_zero(c->pc.base + off, (size_t)size, a->pa.nr_units,
		     (size_t)a->unit_size);
	a->pa.live++;
	return c->pc.base + off;
}

static void *am_alloc(void *a_, size_t size, size_t align)
{
	struct am_alloc *a = a_;
	void *p;

	if (!size || size > pb_pcpu_max_alloc((size_t)a->unit_size) ||
	    (align & (align - 1)) ||
	    align > PB_PCPU_PAGE_SIZE)
		return NULL;
	/* Even sizes and alignments: bit 0 of an offset is the in-use flag. */
	size = (size + 1) & ~(size_t)1;
	if (align < 2)
		align = 2;
	pthread_mutex_lock(&a->pa.lock);
	p = am_alloc_locked(a, (int)size, (int)align);
	pthread_mutex_unlock(&a->pa.lock);
	return p;
}

static int am_free(void *a_, void *handle)
{
	struct am_alloc *a = a_;
	struct am_chunk *c;
	int off, lo, hi, rc = -1;

	pthread_mutex_lock(&a->pa.lock);
	c = am_chunk_of(pb_pcpu_chunk_find(&a->pa.chunks, handle));
	if (!c)
		goto out;
	off = (int)((char *)handle - c->pc.base);
	/* Binary search over the sorted offsets, the in-use bit masked. */
	lo = 0;
	hi = c->map_used - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2, m = c->map[mid] & ~1;

		if (m == off) {
			lo = mid;
			break;
		}
		if (m < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= c->map_used - 1 || c->map[lo] != (off | 1))
		goto out;	/* not the start of a live allocation */
	am_free_area(a, c, lo);
	a->pa.live--;
	rc = 0;
	/* An empty chunk stays on the last slot: balance releases it. */
out:
	pthread_mutex_unlock(&a->pa.lock);
	return rc;
}

/*
 * am_balance() - the chunk release of pcpu_balance_workfn(): every empty
 * chunk but the first on the last slot leaves the lists under the lock,
 * and its memory goes after it.
 */
static void am_balance(void *a_)
{
	struct am_alloc *a = a_;

	pb_pcpu_alloc_balance(&a->pa, am_release);
}

#define AM_BAD(...) do { snprintf(err, errlen, __VA_ARGS__); goto bad; } while (0)

static int am_check(void *a_, char *err, size_t errlen)
{
	struct am_alloc *a = a_;
	uint64_t live = 0, live_bytes = 0;
	size_t k = 0;

	pthread_mutex_lock(&a->pa.lock);
	if (pb_pcpu_chunks_check(&a->pa.chunks, err, errlen))
		goto bad;
	for (struct pb_pcpu_chunk *pc = pb_pcpu_chunks_first(&a->pa.chunks); pc;
	     pc = pb_pcpu_chunks_next(&a->pa.chunks, pc), k++) {
		const struct am_chunk *c = am_chunk_of(pc);
		int free_size = 0, max_free = 0, nr_live = 0;

		if (am_chunk_slot(a, c) != pc->slot)
			AM_BAD("chunk %zu on slot %d, belongs on %d", k, pc->slot,
			       am_chunk_slot(a, c));
		if (c->map_used < 2 || c->map_used > c->map_alloc || c->map[0] & ~1 ||
		    c->map[c->map_used - 1] != (a->unit_size | 1))
			AM_BAD("chunk %zu: map bounds or sentinel wrong", k);
		for (int i = 0; i < c->map_used - 1; i++) {
			int off = c->map[i] & ~1, next = c->map[i + 1] & ~1;

			if (next <= off || off & 1)
				AM_BAD("chunk %zu: map[%d] = %d, map[%d] = %d not "
				       "increasing", k, i, c->map[i], i + 1,
				       c->map[i + 1]);
			if (c->map[i] & 1) {
				nr_live++;
				live_bytes += (uint64_t)(next - off);
				continue;
			}
			if (i < c->first_free)
				AM_BAD("chunk %zu: free area %d before first_free %d",
				       k, i, c->first_free);
			if (i + 1 < c->map_used - 1 && !(c->map[i + 1] & 1))
				AM_BAD("chunk %zu: free areas %d and %d not merged",
				       k, i, i + 1);
			free_size += next - off;
			if (next - off > max_free)
				max_free = next - off;
		}
		if (free_size != c->free_size)
			AM_BAD("chunk %zu: free_size %d, areas say %d", k,
			       c->free_size, free_size);
		if (c->contig_hint < max_free)
			AM_BAD("chunk %zu: contig_hint %d below a free area of %d",
			       k, c->contig_hint, max_free);
		if (nr_live != c->nr_live)
			AM_BAD("chunk %zu: %d live areas, counted %d", k, nr_live,
			       c->nr_live);
		live += (uint64_t)nr_live;
	}
	if (live != a->pa.live || live_bytes != a->pa.live_bytes)
		AM_BAD("%llu live (%llu bytes), counters say %llu (%llu)",
		       (unsigned long long)live, (unsigned long long)live_bytes,
		       (unsigned long long)a->pa.live,
		       (unsigned long long)a->pa.live_bytes);
	pthread_mutex_unlock(&a->pa.lock);
	return 0;
bad:
	pthread_mutex_unlock(&a->pa.lock);
	return -1;
}

static void am_stats(void *a_, struct pb_pcpu_stats *st)
{
	struct am_alloc *a = a_;

	pthread_mutex_lock(&a->pa.lock);
	pb_pcpu_alloc_stats(&a->pa, st);
	st->metadata_bytes += sizeof(*a);
	for (struct pb_pcpu_chunk *pc = pb_pcpu_chunks_first(&a->pa.chunks); pc;
	     pc = pb_pcpu_chunks_next(&a->pa.chunks, pc))
		st->metadata_bytes += sizeof(struct am_chunk) +
			(size_t)am_chunk_of(pc)->map_alloc * sizeof(int);
	st->memmoves = a->memmoves;
	st->free_memmoves = a->free_memmoves;
	st->has_memmoves = true;
	pthread_mutex_unlock(&a->pa.lock);
}

static size_t am_unit_size(void *a_)
{
	return (size_t)((struct am_alloc *)a_)->unit_size;
}

static const struct pb_pcpu_ops am_ops = {
	.name = AM_NAME,
	.create = am_create,
	.destroy = am_destroy,
	.alloc = am_alloc,
	.free = am_free,
	.balance = am_balance,
	.check = am_check,
	.stats = am_stats,
	.unit_size = am_unit_size,
};
PB_PCPU_REGISTER(am_ops)

/* ---- the fixed-size backend ------------------------------------------------ */

PB_PCPU_BACKEND_REGISTER(percpu_areamap, am_ops, am_alloc, am_free,
	.name = AM_NAME,
	.description = "percpu area-map allocator (before Linux 4.14, seed 003): "
		       "sorted offset map per chunk, memmove split and merge",
	.options = am_options,
)
