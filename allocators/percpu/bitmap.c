// SPDX-License-Identifier: GPL-2.0-only
/*
 * bitmap.c - the percpu bitmap allocator of Linux 4.14+ (seed 003, with the
 * scan_hint of 5.x) behind the general percpu API (pcpu.h), and the
 * fixed-size backend "percpu-bitmap" over it.
 *
 * Design (REFERENCE §6). A chunk manages chunk_size bytes of each unit as
 * bits of 4 bytes: alloc_map (set: in use) and bound_map (set at the start
 * of every allocation and at its end; never cleared by free, which reads an
 * allocation's size as the distance to the next bound bit). The bits are
 * cut into metadata blocks of block_size bytes, each with hints that bound
 * the scanning:
 *   contig_hint (+start)  the largest free run in the block (exact);
 *   left_free/right_free  free bits at the block's two edges (exact);
 *   first_free            the first free bit (exact);
 *   scan_hint (+start)    a free run with no larger run starting before its
 *                         end: a request larger than it scans from there.
 * The chunk keeps free_bytes, first_bit and its own contig hint (+start).
 *   alloc: skip a chunk whose contig hint cannot hold the aligned request;
 *          walk its blocks from first_bit, joining a block's right_free with
 *          the next blocks' left_free, and take the first block whose
 *          contig_hint holds the request; scan its bits from first_free (or
 *          past its scan_hint), remember the largest hole skipped as a new
 *          scan_hint; set the bits; fix the block hints (a block whose
 *          contig run was hit is rescanned) and the chunk hint (rebuilt from
 *          the block hints when the allocation hit it). Hints are exact
 *          after an allocation.
 *   free:  size from bound_map; clear the bits; extend the freed run to its
 *          free neighbours inside the first and last block; blocks fully
 *          inside become free. The chunk hint is rebuilt only when a block
 *          became free or the run spans blocks; otherwise it takes the run
 *          inside its block, so it may under-estimate a run that continues
 *          into a neighbour block (by less than a block per side) but never
 *          over-estimates. No bit outside the freed run's blocks is read.
 * Ties between equal runs go to the better-aligned start. Chunks sit on
 * slot lists by free size (slot max(fls(free) - 5 + 2, 1); the last slot
 * for an empty chunk, slot 0 for a full one); a chunk moving up goes to the
 * head of its new list, moving down to the tail. alloc walks the non-empty
 * slots from the request's size upward and creates a chunk when nothing
 * fits. A chunk that becomes empty stays on the last slot, where the next
 * allocation finds it; free never releases one. balance() (the kernel's
 * pcpu_balance_workfn) releases every empty chunk but the first on that
 * slot, keeping one spare; destroy releases everything (statistic
 * chunks_released).
 *
 * The slot lists and the chunk lookup are pcpu.h's, shared with the area
 * map: list moves are O(1), and free finds a handle's chunk in O(1).
 *
 * Userspace against the kernel: a chunk is one allocation of nr_units x
 * unit_size bytes (the kernel maps units into vmalloc space), aligned to
 * the power of two at or above chunk_size (and a page), so that the chunk
 * lookup (pcpu.h) reads the chunk from a table keyed by the address's high
 * bits: O(1) as the kernel's pcpu_chunk_addr_search(), which reads it from
 * the address's struct page (vmalloc_to_page()->index) instead; the table
 * also refuses an address in no chunk, where the kernel trusts its caller.
 * There is no page population, so no populated-page accounting, and
 * balance() has none to do. The kernel's free schedules the work item when
 * it empties a chunk while another empty one exists, and the worker runs
 * on its own; here nothing runs by itself: whoever drives the allocator
 * calls balance() (the harness after every timed phase), so empty chunks
 * stay until then. There is no first (static) chunk: every chunk may be
 * released. The allocator lock is a pthread mutex (pcpu_lock), which
 * balance() takes to take the chunks off the lists and drops before
 * freeing them, as the worker drops pcpu_lock. Allocations are zeroed in
 * every unit, as pcpu_alloc() does.
 * A free that grows a run smaller than the block's contig hint records it
 * as scan_hint only when it swallows the current scan_hint run (the kernel
 * also takes a farther run, which may hide a larger run between the two);
 * so a scan_hint never hides a run larger than itself.
 *
 * Options: unit_size (256 KiB), block_size (4096, the kernel's
 * PCPU_BITMAP_BLOCK_SIZE), chunk_size (0: unit_size). The largest
 * allocation is the kernel's PCPU_MIN_UNIT_SIZE (32 KiB), or chunk_size
 * when that is smaller; alignments are powers of two up to
 * PB_PCPU_PAGE_SIZE.
 * The chunk hint's under-estimate after frees is less than a block on each
 * side of a run: two frees that grow one run at both ends, with no
 * allocation between them, can leave it short by up to two blocks minus
 * two bits (the next allocation rebuilds it: hint_exact).
 *
 * Concurrency contract: pcpu.h's; every entry point takes the lock.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/percpu/bitmap.h"
#include "allocators/percpu/pcpu.h"
#include "allocators/register.h"

#define PBM_MAX_UNIT (1u << 28)

struct pbm_block {
	int contig_hint, contig_start;
	int scan_hint, scan_start;
	int left_free, right_free;
	int first_free;
};

/*
 * A chunk. Invariants (check() verifies them): free_bytes counts the clear
 * bits of alloc_map; first_bit is the first clear bit (nr_bits when full);
 * [contig_start, contig_start + contig_bits) is free and no longer than the
 * largest free run, equal to it while hint_exact; every allocation's first
 * bit is set in bound_map, its other bits clear there, and the bit after
 * its end set; md[] holds exact block hints (scan_hint as in struct
 * pbm_block_hints); slot is pbm_chunk_slot().
 */
struct pbm_chunk {
	struct pb_pcpu_chunk pc;	/* base, slot list: first (pcpu.h) */
	uint64_t *alloc_map;		/* nr_bits */
	uint64_t *bound_map;		/* nr_bits + 1 */
	struct pbm_block *md;		/* nr_blocks */
	int free_bytes;
	int contig_bits, contig_start;
	int first_bit;
	bool hint_exact;
	int nr_live;
};

struct pbm_alloc {
	struct pb_pcpu_alloc pa;	/* lock (pcpu_lock: all), chunks, counts */
	size_t unit_size;
	int chunk_bytes;		/* bytes of each unit a chunk manages */
	int nr_bits, block_bits, nr_blocks;
	int block_shift;		/* log2(block_bits) */
	struct pbm_counters ctr;
};

/* ---- bits ----------------------------------------------------------------- */

static inline bool pbm_test(const uint64_t *m, int i)
{
	return m[i >> 6] >> (i & 63) & 1;
}

static inline void pbm_set(uint64_t *m, int i)
{
	m[i >> 6] |= UINT64_C(1) << (i & 63);
}

static void pbm_fill(uint64_t *m, int s, int n, bool v)
{
	while (n > 0) {
		int o = s & 63, k = n < 64 - o ? n : 64 - o;
		uint64_t mask = (k == 64 ? ~UINT64_C(0) : (UINT64_C(1) << k) - 1) << o;

		if (v)
			m[s >> 6] |= mask;
		else
			m[s >> 6] &= ~mask;
		s += k;
		n -= k;
	}
}

/* The first bit in [from, size) equal to @v, or size. */
static inline __attribute__((always_inline)) int
pbm_next(const uint64_t *m, int size, int from, bool v)
{
	int w = from >> 6;
	uint64_t x;

	if (from >= size)
		return size;
	x = (v ? m[w] : ~m[w]) & (~UINT64_C(0) << (from & 63));
	for (;;) {
		if (x) {
			int r = w * 64 + __builtin_ctzll(x);

			return r < size ? r : size;
		}
		if (++w * 64 >= size)
			return size;
		x = v ? m[w] : ~m[w];
	}
}

static inline int pbm_next_set(const uint64_t *m, int size, int from)
{
	return pbm_next(m, size, from, true);
}

static inline int pbm_next_zero(const uint64_t *m, int size, int from)
{
	return pbm_next(m, size, from, false);
}

/* The last set bit in [lo, before), or -1. */
static int pbm_last_set(const uint64_t *m, int lo, int before)
{
	int w, o;
	uint64_t x;

	if (before <= lo)
		return -1;
	w = (before - 1) >> 6;
	o = (before - 1) & 63;
	x = m[w] & (o == 63 ? ~UINT64_C(0) : (UINT64_C(1) << (o + 1)) - 1);
	for (;;) {
		if (x) {
			int r = w * 64 + 63 - __builtin_clzll(x);

			return r >= lo ? r : -1;
		}
		if (w * 64 <= lo)
			return -1;
		x = m[--w];
	}
}

static inline int pbm_align(int x, int align)
{
	return (x + align - 1) & ~(align - 1);
}

static inline bool pbm_overlap(int a, int b, int x, int y)
{
	return a < y && x < b;
}

/* @s is a better-aligned start than @cur (0 is the best of all). */
static inline bool pbm_better_aligned(int s, int cur)
{
	return cur && (!s || __builtin_ctz((unsigned int)s) >
			     __builtin_ctz((unsigned int)cur));
}

/* ---- block hints -------------------------------------------------------- */

enum pbm_ctx {
	PBM_SCANNED,	/* every run between the scan_hint and this one is known */
	PBM_FREED,	/* a run grown by free: runs before it are unknown */
};

/*
 * pbm_block_update() - fold the free run [@s, @e) (block-relative, maximal
 * inside the block) into @b's hints. The kernel's pcpu_block_update(), with
 * the PBM_FREED restriction of the top comment.
 */
static void pbm_block_update(struct pbm_block *b, int s, int e, int bbits,
			     enum pbm_ctx ctx)
{
	int len = e - s;

	if (s < b->first_free)
		b->first_free = s;
	if (!s)
		b->left_free = len;
	if (e == bbits)
		b->right_free = len;

	/* A freed run that swallowed the scan_hint run makes it stale. */
	if (ctx == PBM_FREED && b->scan_hint && s <= b->scan_start &&
	    len > b->scan_hint) {
		if (len < b->contig_hint) {
			b->scan_start = s;
			b->scan_hint = len;
			return;
		}
		b->scan_hint = 0;
	}

	if (len > b->contig_hint) {
		/* The old contig run, before this one, becomes the scan_hint. */
		if (s > b->contig_start) {
			if (b->contig_hint > b->scan_hint) {
				b->scan_start = b->contig_start;
				b->scan_hint = b->contig_hint;
			} else if (s < b->scan_start) {
				b->scan_hint = 0;
			}
		} else {
			b->scan_hint = 0;
		}
		b->contig_start = s;
		b->contig_hint = len;
	} else if (len == b->contig_hint) {
		if (pbm_better_aligned(s, b->contig_start)) {
			b->contig_start = s;
			if (s < b->scan_start && b->contig_hint > b->scan_hint)
				b->scan_hint = 0;
		} else if (s > b->scan_start || b->contig_hint > b->scan_hint) {
			b->scan_start = s;
			b->scan_hint = len;
		}
	} else if (ctx == PBM_SCANNED && s < b->contig_start &&
		   (len > b->scan_hint ||
		    (len == b->scan_hint && s > b->scan_start))) {
		b->scan_start = s;
		b->scan_hint = len;
	}
}

static void pbm_block_set_free(struct pbm_block *b, int bbits)
{
	*b = (struct pbm_block){ .contig_hint = bbits, .left_free = bbits,
				 .right_free = bbits };
}

static void pbm_block_set_full(struct pbm_block *b, int bbits)
{
	*b = (struct pbm_block){ .first_free = bbits };
}

/*
 * pbm_block_refresh() - rebuild block @i's contig hint from its bits, from
 * the end of the scan_hint run (promoted to contig hint: nothing larger
 * starts before its end) or from first_free. left_free and first_free are
 * already right; right_free is rebuilt (the promoted run may be the right
 * edge, which the scan does not see).
 */
static void pbm_block_refresh(struct pbm_alloc *a, struct pbm_chunk *c, int i)
{
	struct pbm_block *b = &c->md[i];
	int bb = a->block_bits, off = i * bb, end = off + bb, pos;

	a->ctr.block_refreshes++;
	b->right_free = 0;
	if (b->scan_hint) {
		pos = off + b->scan_start + b->scan_hint;
		b->contig_start = b->scan_start;
		b->contig_hint = b->scan_hint;
		b->scan_hint = 0;
		/* The scan below starts past it: it may be the right edge. */
		if (pos == end)
			b->right_free = b->contig_hint;
	} else {
		pos = off + b->first_free;
		b->contig_hint = 0;
		b->contig_start = 0;
	}
	for (;;) {
		int rs = pbm_next_zero(c->alloc_map, end, pos), re;

		if (rs >= end)
			break;
		re = pbm_next_set(c->alloc_map, end, rs);
		pbm_block_update(b, rs - off, re - off, bb, PBM_SCANNED);
		pos = re;
	}
}

/* ---- chunk hint --------------------------------------------------------- */

static void pbm_chunk_update(struct pbm_chunk *c, int s, int e)
{
	int len = e - s;

	if (len > c->contig_bits ||
	    (len == c->contig_bits && pbm_better_aligned(s, c->contig_start))) {
		c->contig_start = s;
		c->contig_bits = len;
	}
}

/*
 * pbm_chunk_refresh() - rebuild the chunk's contig hint from the block
 * hints alone: runs inside blocks are their contig hints, runs across
 * blocks join right_free, free blocks and left_free. Exact.
 */
static void pbm_chunk_refresh(struct pbm_alloc *a, struct pbm_chunk *c)
{
	int bb = a->block_bits, run = -1;

	a->ctr.chunk_refreshes++;
	c->contig_bits = 0;
	c->contig_start = 0;
	for (int i = c->first_bit >> a->block_shift; i < a->nr_blocks; i++) {
		const struct pbm_block *b = &c->md[i];
		int off = i * bb;

		if (run >= 0) {
			if (b->left_free == bb)
				continue;
			pbm_chunk_update(c, run, off + b->left_free);
			run = -1;
		}
		if (b->contig_hint)
			pbm_chunk_update(c, off + b->contig_start,
					 off + b->contig_start + b->contig_hint);
		if (b->right_free)
			run = off + bb - b->right_free;
	}
	if (run >= 0)
		pbm_chunk_update(c, run, a->nr_bits);
	c->hint_exact = true;
}

/* ---- slots -------------------------------------------------------------- */

static int pbm_chunk_slot(const struct pbm_alloc *a, const struct pbm_chunk *c)
{
	if (c->free_bytes < PBM_MIN_ALLOC || !c->contig_bits)
		return 0;
	return pb_pcpu_size_to_slot(&a->pa.chunks, (size_t)c->free_bytes);
}

/* Move @c to the slot its free size says: higher at the head, lower at the tail. */
static inline void pbm_relocate(struct pbm_alloc *a, struct pbm_chunk *c)
{
	pb_pcpu_chunk_move(&a->pa.chunks, &c->pc, pbm_chunk_slot(a, c));
}

static inline struct pbm_chunk *pbm_chunk_of(struct pb_pcpu_chunk *pc)
{
	return (struct pbm_chunk *)pc;
}

/* ---- chunks ------------------------------------------------------------- */

static size_t pbm_map_words(int bits)
{
	return (size_t)(bits + 63) / 64;
}

static size_t pbm_chunk_meta_bytes(const struct pbm_alloc *a)
{
	return sizeof(struct pbm_chunk) +
	       (pbm_map_words(a->nr_bits) + pbm_map_words(a->nr_bits + 1)) *
	       sizeof(uint64_t) + (size_t)a->nr_blocks * sizeof(struct pbm_block);
}

static void pbm_chunk_free(struct pbm_chunk *c)
{
	if (!c)
		return;
	free(c->pc.base);
	free(c->alloc_map);
	free(c->bound_map);
	free(c->md);
	free(c);
}

/* A chunk the shared code hands back (destroy, balance), memory and all. */
static void pbm_release(struct pb_pcpu_chunk *c)
{
	pbm_chunk_free(pbm_chunk_of(c));
}

static struct pbm_chunk *pbm_chunk_new(struct pbm_alloc *a)
{
	struct pbm_chunk *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->pc.base = pb_pcpu_chunk_mem_alloc(&a->pa.chunks);
	c->alloc_map = calloc(pbm_map_words(a->nr_bits), sizeof(uint64_t));
	c->bound_map = calloc(pbm_map_words(a->nr_bits + 1), sizeof(uint64_t));
	c->md = malloc((size_t)a->nr_blocks * sizeof(*c->md));
	if (!c->pc.base || !c->alloc_map || !c->bound_map || !c->md) {
		pbm_chunk_free(c);
		return NULL;
	}
	for (int b = 0; b < a->nr_blocks; b++)
		pbm_block_set_free(&c->md[b], a->block_bits);
	pbm_set(c->bound_map, a->nr_bits);	/* the end of the chunk */
	c->free_bytes = a->chunk_bytes;
	c->contig_bits = a->nr_bits;
	c->hint_exact = true;
	/* On its slot and found by its address, as free needs. */
	if (pb_pcpu_alloc_chunk_add(&a->pa, &c->pc, pbm_chunk_slot(a, c))) {
		pbm_chunk_free(c);
		return NULL;
	}
	return c;
}

/* ---- alloc ------------------------------------------------------------ */

/* Where a scan of block @b for @bits may start: past a scan_hint too small. */
static int pbm_next_hint(struct pbm_alloc *a, const struct pbm_block *b,
			 int bits)
{
	if (b->scan_hint && b->contig_start > b->scan_start && bits > b->scan_hint) {
		a->ctr.scan_skips++;
		return b->scan_start + b->scan_hint;
	}
	return b->first_free;
}

/*
 * pbm_scan_block() - the first fit of @bits aligned to @align at or after
 * @from, which lies in block @i whose contig hint holds the request. The
 * largest hole skipped on the way becomes a scan_hint candidate.
 */
static int pbm_scan_block(struct pbm_alloc *a, struct pbm_chunk *c, int i,
			  int from, int bits, int align)
{
	int hole_s = -1, hole_len = 0, pos = from, bb = a->block_bits, fit = -1;

	for (;;) {
		int rs = pbm_next_zero(c->alloc_map, a->nr_bits, pos), re, as;

		if (rs >= a->nr_bits)
			break;
		as = pbm_align(rs, align);
		if (as + bits > a->nr_bits)
			break;
		/* Read no further than the request: the run may be the chunk. */
		re = pbm_next_set(c->alloc_map, as + bits, rs);
		if (re == as + bits) {
			fit = as;
			break;
		}
		if (re - rs > hole_len ||
		    (re - rs == hole_len && pbm_better_aligned(rs, hole_s))) {
			hole_s = rs;
			hole_len = re - rs;
		}
		pos = re;
	}
	if (hole_len && hole_s + hole_len <= (i + 1) * bb)
		pbm_block_update(&c->md[i], hole_s - i * bb, hole_s + hole_len - i * bb,
				 bb, PBM_SCANNED);
	return fit;
}

/*
 * pbm_find_fit() - where @bits aligned to @align fit in @c, or -1. Reads
 * only hints until it has found the block to scan; a failure changes
 * nothing.
 */
static int pbm_find_fit(struct pbm_alloc *a, struct pbm_chunk *c, int bits,
			int align)
{
	int bb = a->block_bits, run = -1;

	if (pbm_align(c->contig_start, align) - c->contig_start + bits >
	    c->contig_bits)
		return -1;
	for (int i = c->first_bit >> a->block_shift; i < a->nr_blocks; i++) {
		const struct pbm_block *b = &c->md[i];
		int off = i * bb;

		if (run >= 0) {
			int s = pbm_align(run, align);

			if (s + bits <= off + b->left_free)
				return s;
			if (b->left_free == bb)
				continue;
			run = -1;
		}
		if (b->contig_hint) {
			int cs = off + b->contig_start;

			if (pbm_align(cs, align) + bits <= cs + b->contig_hint)
				return pbm_scan_block(a, c, i,
						      off + pbm_next_hint(a, b, bits),
						      bits, align);
		}
		if (b->right_free)
			run = off + bb - b->right_free;
	}
	return -1;
}

/* pbm_block_hint_alloc() - the block hints after [@pos, @pos + @bits) was set. */
static void pbm_block_hint_alloc(struct pbm_alloc *a, struct pbm_chunk *c,
				 int pos, int bits)
{
	int bb = a->block_bits, end = pos + bits;
	int si = pos >> a->block_shift, ei = (end - 1) >> a->block_shift;
	int s_off = pos - si * bb, e_off = end - ei * bb;
	struct pbm_block *sb = &c->md[si], *eb = &c->md[ei];

	if (s_off == sb->first_free)
		sb->first_free = pbm_next_zero(c->alloc_map, (si + 1) * bb,
					       end < (si + 1) * bb ? end : (si + 1) * bb) -
				 si * bb;
	if (sb->scan_hint && pbm_overlap(sb->scan_start, sb->scan_start + sb->scan_hint,
					 s_off, s_off + bits))
		sb->scan_hint = 0;
	if (pbm_overlap(sb->contig_start, sb->contig_start + sb->contig_hint,
			s_off, s_off + bits)) {
		if (!s_off)
			sb->left_free = 0;
		pbm_block_refresh(a, c, si);
	} else {
		if (s_off < sb->left_free)
			sb->left_free = s_off;
		if (si != ei)
			sb->right_free = 0;
		else if (bb - e_off < sb->right_free)
			sb->right_free = bb - e_off;
	}
	if (si == ei)
		return;

	if (e_off == bb) {
		pbm_block_set_full(eb, bb);
	} else {
		eb->first_free = pbm_next_zero(c->alloc_map, (ei + 1) * bb, end) - ei * bb;
		if (eb->scan_hint && e_off > eb->scan_start)
			eb->scan_hint = 0;
		eb->left_free = 0;
		if (eb->contig_hint && e_off > eb->contig_start)
			pbm_block_refresh(a, c, ei);
	}
	for (int i = si + 1; i < ei; i++)
		pbm_block_set_full(&c->md[i], bb);
}

static void pbm_alloc_area(struct pbm_alloc *a, struct pbm_chunk *c, int pos,
			   int bits)
{
	pbm_fill(c->alloc_map, pos, bits, true);
	pbm_set(c->bound_map, pos);
	pbm_fill(c->bound_map, pos + 1, bits - 1, false);
	pbm_set(c->bound_map, pos + bits);
	c->free_bytes -= bits * PBM_MIN_ALLOC;
	c->nr_live++;
	if (pos == c->first_bit)
		c->first_bit = pbm_next_zero(c->alloc_map, a->nr_bits, pos + bits);
	pbm_block_hint_alloc(a, c, pos, bits);
	if (!c->hint_exact ||
	    pbm_overlap(c->contig_start, c->contig_start + c->contig_bits, pos,
			pos + bits))
		pbm_chunk_refresh(a, c);
	pbm_relocate(a, c);
}

/* ---- free --------------------------------------------------------------- */

/* pbm_block_hint_free() - the block and chunk hints after [@pos, +@bits) was cleared. */
static void pbm_block_hint_free(struct pbm_alloc *a, struct pbm_chunk *c,
				int pos, int bits)
{
	int bb = a->block_bits, end = pos + bits;
	int si = pos >> a->block_shift, ei = (end - 1) >> a->block_shift;
	int s_off = pos - si * bb, e_off = end - ei * bb, rs, re;
	struct pbm_block *sb = &c->md[si], *eb = &c->md[ei];

	/* Extend the freed run to its free neighbours inside the edge blocks. */
	if (sb->contig_hint && s_off == sb->contig_start + sb->contig_hint) {
		rs = sb->contig_start;
	} else {
		int l = pbm_last_set(c->alloc_map, si * bb, pos);

		rs = l < 0 ? 0 : l + 1 - si * bb;
	}
	if (eb->contig_hint && e_off == eb->contig_start)
		re = eb->contig_start + eb->contig_hint;
	else
		re = pbm_next_set(c->alloc_map, (ei + 1) * bb, end) - ei * bb;

	pbm_block_update(sb, rs, si == ei ? re : bb, bb, PBM_FREED);
	if (si != ei) {
		pbm_block_update(eb, 0, re, bb, PBM_FREED);
		for (int i = si + 1; i < ei; i++)
			pbm_block_set_free(&c->md[i], bb);
	}

	if (si != ei || re - rs == bb) {
		pbm_chunk_refresh(a, c);
		return;
	}
	pbm_chunk_update(c, si * bb + rs, si * bb + re);
	/* The run may go on in a neighbour block: the hint may now be short. */
	if ((!rs && si > 0 && c->md[si - 1].right_free) ||
	    (re == bb && si + 1 < a->nr_blocks && c->md[si + 1].left_free))
		c->hint_exact = false;
}

/* ---- the percpu API ------------------------------------------------------- */

enum { PBM_OPT_UNIT, PBM_OPT_BLOCK, PBM_OPT_CHUNK, PBM_NR_OPTS };

static const struct pb_option_spec pbm_options[] = {
	[PBM_OPT_UNIT] = {
		.key = "unit_size", .type = PB_OPT_UINT,
		.def = PB_PCPU_DFL_UNIT_SIZE, .min = PB_PCPU_PAGE_SIZE,
		.max = PBM_MAX_UNIT,
		.help = "bytes per CPU unit (the stride between CPUs' copies), a "
			"multiple of 4096; default 256 KiB (PB_PCPU_DFL_UNIT_SIZE, "
			"a common x86-64 boot value)" },
	[PBM_OPT_BLOCK] = {
		.key = "block_size", .type = PB_OPT_UINT, .def = 4096, .min = 64,
		.max = PBM_MAX_UNIT,
		.help = "bytes of one metadata block, a power of two >= 64 dividing "
			"unit_size and chunk_size (the kernel's PCPU_BITMAP_BLOCK_SIZE)" },
	[PBM_OPT_CHUNK] = {
		.key = "chunk_size", .type = PB_OPT_UINT, .def = 0, .min = 0,
		.max = PBM_MAX_UNIT,
		.help = "bytes of each unit a chunk manages, a multiple of block_size "
			"up to unit_size; 0: unit_size" },
	{ 0 }
};

static void pbm_destroy(void *a_)
{
	struct pbm_alloc *a = a_;

	pb_pcpu_alloc_fini(&a->pa, pbm_release);
	free(a);
}

static bool pbm_opt_given(const struct pb_pcpu_config *cfg, const char *key)
{
	for (size_t i = 0; i < cfg->nr_opts; i++)
		if (!strcmp(cfg->opts[i].key, key))
			return true;
	return false;
}

static int pbm_create(const struct pb_pcpu_config *cfg, void **out, char *err,
		      size_t errlen)
{
	uint64_t opt[PBM_NR_OPTS];
	uint64_t unit, block, chunk;
	struct pbm_alloc *a;

	if (pb_options_parse(pbm_options, cfg->opts, cfg->nr_opts, opt, PBM_NAME,
			     err, errlen))
		return -1;
	unit = opt[PBM_OPT_UNIT];
	if (!pbm_opt_given(cfg, "unit_size") && cfg->unit_size)
		unit = cfg->unit_size;
	block = opt[PBM_OPT_BLOCK];
	chunk = opt[PBM_OPT_CHUNK] ? opt[PBM_OPT_CHUNK] : unit;
	if (!cfg->nr_units) {
		snprintf(err, errlen, PBM_NAME ": need at least one unit");
		return -1;
	}
	if (unit % PB_PCPU_PAGE_SIZE || unit > PBM_MAX_UNIT) {
		snprintf(err, errlen, PBM_NAME ": unit_size %llu: valid values are "
			 "multiples of %u up to %u", (unsigned long long)unit,
			 PB_PCPU_PAGE_SIZE, PBM_MAX_UNIT);
		return -1;
	}
	if (block < 64 || (block & (block - 1)) || unit % block) {
		snprintf(err, errlen, PBM_NAME ": block_size %llu: valid values are "
			 "powers of two >= 64 that divide unit_size (%llu)",
			 (unsigned long long)block, (unsigned long long)unit);
		return -1;
	}
	if (chunk % block || chunk > unit) {
		snprintf(err, errlen, PBM_NAME ": chunk_size %llu: valid values are "
			 "0 (unit_size) or multiples of block_size (%llu) up to "
			 "unit_size (%llu)", (unsigned long long)chunk,
			 (unsigned long long)block, (unsigned long long)unit);
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a || pb_pcpu_alloc_init(&a->pa, cfg->nr_units, chunk, unit)) {
		free(a);
		snprintf(err, errlen, PBM_NAME ": out of memory");
		return -1;
	}
	a->unit_size = unit;
	a->chunk_bytes = (int)chunk;
	a->nr_bits = (int)(chunk / PBM_MIN_ALLOC);
	a->block_bits = (int)(block / PBM_MIN_ALLOC);
	a->block_shift = __builtin_ctz((unsigned int)a->block_bits);
	a->nr_blocks = (int)(chunk / block);
	*out = a;
	return 0;
}

static void *pbm_alloc_locked(struct pbm_alloc *a, int bits, int align)
{
	struct pbm_chunk *c;
	int pos = -1;

	/* The non-empty slots from the request's size upward. */
	for (uint64_t used = a->pa.chunks.slots_used &
			     (~UINT64_C(0) << pb_pcpu_size_to_slot(&a->pa.chunks,
							 (size_t)bits * PBM_MIN_ALLOC));
	     used; used &= used - 1) {
		for (struct pb_pcpu_chunk *pc = a->pa.chunks.slots[__builtin_ctzll(used)].head;
		     pc; pc = pc->next) {
			c = pbm_chunk_of(pc);
			pos = pbm_find_fit(a, c, bits, align);
			if (pos >= 0)
				goto found;
		}
	}
	c = pbm_chunk_new(a);
	if (!c)
		return NULL;
	pos = pbm_find_fit(a, c, bits, align);
	if (pos < 0)
		return NULL;
found:
	pbm_alloc_area(a, c, pos, bits);
	pb_pcpu_zero(c->pc.base + (size_t)pos * PBM_MIN_ALLOC,
		     (size_t)bits * PBM_MIN_ALLOC, a->pa.nr_units, a->unit_size);
	a->pa.live++;
	a->pa.live_bytes += (uint64_t)bits * PBM_MIN_ALLOC;
	return c->pc.base + (size_t)pos * PBM_MIN_ALLOC;
}

static void *pbm_alloc(void *a_, size_t size, size_t align)
{
	struct pbm_alloc *a = a_;
	void *p;

	if (!size || size > pb_pcpu_max_alloc((size_t)a->chunk_bytes) ||
	    (align & (align - 1)) ||
	    align > PB_PCPU_PAGE_SIZE)
		return NULL;
	if (align < PBM_MIN_ALLOC)
		align = PBM_MIN_ALLOC;
	pthread_mutex_lock(&a->pa.lock);
	p = pbm_alloc_locked(a, (int)((size + PBM_MIN_ALLOC - 1) / PBM_MIN_ALLOC),
			     (int)(align / PBM_MIN_ALLOC));
	pthread_mutex_unlock(&a->pa.lock);
	return p;
}

static int pbm_free(void *a_, void *handle)
{
	struct pbm_alloc *a = a_;
	struct pbm_chunk *c;
	int pos, bits, rc = -1;
	size_t off;

	pthread_mutex_lock(&a->pa.lock);
	c = pbm_chunk_of(pb_pcpu_chunk_find(&a->pa.chunks, handle));
	if (!c)
		goto out;
	off = (size_t)((char *)handle - c->pc.base);
	pos = (int)(off / PBM_MIN_ALLOC);
	/* In use and a bound: the first bit of a live allocation, nothing else. */
	if (off % PBM_MIN_ALLOC || !pbm_test(c->alloc_map, pos) ||
	    !pbm_test(c->bound_map, pos))
		goto out;
	bits = pbm_next_set(c->bound_map, a->nr_bits + 1, pos + 1) - pos;
	pbm_fill(c->alloc_map, pos, bits, false);
	c->free_bytes += bits * PBM_MIN_ALLOC;
	c->nr_live--;
	if (pos < c->first_bit)
		c->first_bit = pos;
	pbm_block_hint_free(a, c, pos, bits);
	pbm_relocate(a, c);
	a->pa.live--;
	a->pa.live_bytes -= (uint64_t)bits * PBM_MIN_ALLOC;
	rc = 0;
	/* An empty chunk stays on the last slot: balance releases it. */
out:
	pthread_mutex_unlock(&a->pa.lock);
	return rc;
}

/*
 * pbm_balance() - the chunk release of pcpu_balance_workfn(): every empty
 * chunk but the first on the last slot leaves the lists under the lock,
 * and its memory goes after it.
 */
static void pbm_balance(void *a_)
{
	struct pbm_alloc *a = a_;

	pb_pcpu_alloc_balance(&a->pa, pbm_release);
}

/* ---- check -------------------------------------------------------------- */

#define PBM_BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* Block @i of chunk @k against a full rescan of its bits. */
static int pbm_check_block(const struct pbm_alloc *a, const struct pbm_chunk *c,
			   size_t k, int i, char *err, size_t errlen)
{
	const struct pbm_block *b = &c->md[i];
	int bb = a->block_bits, off = i * bb, end = off + bb;
	int max = 0, left = 0, right = 0, first = bb, pos = off;

	for (;;) {
		int rs = pbm_next_zero(c->alloc_map, end, pos), re;

		if (rs >= end)
			break;
		re = pbm_next_set(c->alloc_map, end, rs);
		if (first == bb)
			first = rs - off;
		if (rs == off)
			left = re - rs;
		if (re == end)
			right = re - rs;
		if (re - rs > max)
			max = re - rs;
		if (b->scan_hint && rs - off < b->scan_start + b->scan_hint &&
		    re - rs > b->scan_hint)
			PBM_BAD("chunk %zu block %d: scan_hint %d@%d hides a run of %d@%d",
				k, i, b->scan_hint, b->scan_start, re - rs, rs - off);
		pos = re;
	}
	if (b->contig_hint != max || b->left_free != left ||
	    b->right_free != right || b->first_free != first)
		PBM_BAD("chunk %zu block %d: hints contig %d left %d right %d first %d, "
			"bits say %d %d %d %d", k, i, b->contig_hint, b->left_free,
			b->right_free, b->first_free, max, left, right, first);
	if (max) {
		int cs = off + b->contig_start, ce = cs + max;

		if (b->contig_start < 0 || ce > end ||
		    pbm_next_set(c->alloc_map, ce, cs) != ce ||
		    (cs > off && !pbm_test(c->alloc_map, cs - 1)) ||
		    (ce < end && !pbm_test(c->alloc_map, ce)))
			PBM_BAD("chunk %zu block %d: contig_start %d is not a free run "
				"of %d", k, i, b->contig_start, max);
	}
	if (b->scan_hint) {
		int ss = off + b->scan_start;

		if (b->scan_hint > max || b->scan_start < 0 ||
		    ss + b->scan_hint > end ||
		    pbm_next_set(c->alloc_map, ss + b->scan_hint, ss) !=
		    ss + b->scan_hint)
			PBM_BAD("chunk %zu block %d: scan_hint %d@%d is not free or "
				"above contig %d", k, i, b->scan_hint, b->scan_start, max);
	}
	return 0;
}

static int pbm_check_chunk(const struct pbm_alloc *a, const struct pbm_chunk *c,
			   size_t k, uint64_t *live, uint64_t *live_bytes,
			   char *err, size_t errlen)
{
	int free_bits = 0, max = 0, first = a->nr_bits, nr_live = 0, pos = 0;

	/* Allocations: every in-use run splits into bound-delimited ones. */
	for (;;) {
		int s = pbm_next_set(c->alloc_map, a->nr_bits, pos), e;

		if (s >= a->nr_bits)
			break;
		if (!pbm_test(c->bound_map, s))
			PBM_BAD("chunk %zu: in-use bit %d starts no allocation", k, s);
		e = pbm_next_set(c->bound_map, a->nr_bits + 1, s + 1);
		if (pbm_next_zero(c->alloc_map, e, s) != e)
			PBM_BAD("chunk %zu: allocation %d..%d not all in use", k, s, e);
		nr_live++;
		*live_bytes += (uint64_t)(e - s) * PBM_MIN_ALLOC;
		pos = e;
	}
	if (!pbm_test(c->bound_map, a->nr_bits))
		PBM_BAD("chunk %zu: end bound missing", k);
	for (pos = 0;;) {
		int rs = pbm_next_zero(c->alloc_map, a->nr_bits, pos), re;

		if (rs >= a->nr_bits)
			break;
		re = pbm_next_set(c->alloc_map, a->nr_bits, rs);
		if (first == a->nr_bits)
			first = rs;
		free_bits += re - rs;
		if (re - rs > max)
			max = re - rs;
		pos = re;
	}
	if (nr_live != c->nr_live)
		PBM_BAD("chunk %zu: %d live, bits say %d", k, c->nr_live, nr_live);
	*live += (uint64_t)nr_live;
	if (c->free_bytes != free_bits * PBM_MIN_ALLOC)
		PBM_BAD("chunk %zu: free_bytes %d, bits say %d", k, c->free_bytes,
			free_bits * PBM_MIN_ALLOC);
	if (c->first_bit > first)
		PBM_BAD("chunk %zu: first_bit %d past the first free bit %d", k,
			c->first_bit, first);
	if (c->contig_bits > max ||
	    (c->contig_bits && pbm_next_set(c->alloc_map, c->contig_start +
					    c->contig_bits, c->contig_start) !=
	     c->contig_start + c->contig_bits))
		PBM_BAD("chunk %zu: contig hint %d@%d over-estimates (largest run %d)",
			k, c->contig_bits, c->contig_start, max);
	if (c->hint_exact && c->contig_bits != max)
		PBM_BAD("chunk %zu: contig hint %d marked exact, largest run %d", k,
			c->contig_bits, max);
	/* Short by less than a block on either side of the run it took. */
	if (c->contig_bits + 2 * a->block_bits <= max)
		PBM_BAD("chunk %zu: contig hint %d short of the largest run %d by "
			"two blocks", k, c->contig_bits, max);
	for (int i = 0; i < a->nr_blocks; i++)
		if (pbm_check_block(a, c, k, i, err, errlen))
			return -1;
	if (c->pc.slot != pbm_chunk_slot(a, c))
		PBM_BAD("chunk %zu on slot %d, belongs on %d", k, c->pc.slot,
			pbm_chunk_slot(a, c));
	return 0;
}

static int pbm_check_locked(struct pbm_alloc *a, char *err, size_t errlen)
{
	uint64_t live = 0, live_bytes = 0;
	size_t k = 0;

	if (pb_pcpu_chunks_check(&a->pa.chunks, err, errlen))
		return -1;
	for (struct pb_pcpu_chunk *pc = pb_pcpu_chunks_first(&a->pa.chunks); pc;
	     pc = pb_pcpu_chunks_next(&a->pa.chunks, pc), k++)
		if (pbm_check_chunk(a, pbm_chunk_of(pc), k, &live, &live_bytes, err,
				    errlen))
			return -1;
	if (live != a->pa.live || live_bytes != a->pa.live_bytes)
		PBM_BAD("%llu live (%llu bytes), counters say %llu (%llu)",
			(unsigned long long)live, (unsigned long long)live_bytes,
			(unsigned long long)a->pa.live,
			(unsigned long long)a->pa.live_bytes);
	return 0;
}

static int pbm_check(void *a_, char *err, size_t errlen)
{
	struct pbm_alloc *a = a_;
	int rc;

	pthread_mutex_lock(&a->pa.lock);
	rc = pbm_check_locked(a, err, errlen);
	pthread_mutex_unlock(&a->pa.lock);
	return rc;
}

static void pbm_stats(void *a_, struct pb_pcpu_stats *st)
{
	struct pbm_alloc *a = a_;

	pthread_mutex_lock(&a->pa.lock);
	pb_pcpu_alloc_stats(&a->pa, st);
	st->metadata_bytes += sizeof(*a) + a->pa.chunks.nr * pbm_chunk_meta_bytes(a);
	pthread_mutex_unlock(&a->pa.lock);
}

static size_t pbm_unit_size(void *a_)
{
	return ((struct pbm_alloc *)a_)->unit_size;
}

/* The largest allocation: PCPU_MIN_UNIT_SIZE, or less in a smaller chunk. */
static size_t pbm_max_alloc(void *a_)
{
	return pb_pcpu_max_alloc((size_t)((struct pbm_alloc *)a_)->chunk_bytes);
}

static const struct pb_pcpu_ops pbm_ops = {
	.name = PBM_NAME,
	.create = pbm_create,
	.destroy = pbm_destroy,
	.alloc = pbm_alloc,
	.free = pbm_free,
	.balance = pbm_balance,
	.check = pbm_check,
	.stats = pbm_stats,
	.unit_size = pbm_unit_size,
	.max_alloc = pbm_max_alloc,
};
PB_PCPU_REGISTER(pbm_ops)

/* ---- introspection (bitmap.h) ------------------------------------------- */

int pbm_chunk_hints(void *a_, const void *handle, struct pbm_chunk_hints *h)
{
	struct pbm_alloc *a = a_;
	const struct pbm_chunk *c;

	pthread_mutex_lock(&a->pa.lock);
	c = pbm_chunk_of(pb_pcpu_chunk_find(&a->pa.chunks, handle));
	if (c)
		*h = (struct pbm_chunk_hints){
			.slot = c->pc.slot, .free_bytes = c->free_bytes,
			.contig_bits = c->contig_bits, .contig_start = c->contig_start,
			.first_bit = c->first_bit, .exact = c->hint_exact,
			.nr_blocks = a->nr_blocks, .block_bits = a->block_bits,
		};
	pthread_mutex_unlock(&a->pa.lock);
	return c ? 0 : -1;
}

int pbm_block_hints(void *a_, const void *handle, int block,
		    struct pbm_block_hints *h)
{
	struct pbm_alloc *a = a_;
	const struct pbm_chunk *c;
	const struct pbm_block *b;

	pthread_mutex_lock(&a->pa.lock);
	c = pbm_chunk_of(pb_pcpu_chunk_find(&a->pa.chunks, handle));
	if (c && block >= 0 && block < a->nr_blocks) {
		b = &c->md[block];
		*h = (struct pbm_block_hints){
			.contig_hint = b->contig_hint, .contig_start = b->contig_start,
			.scan_hint = b->scan_hint, .scan_start = b->scan_start,
			.left_free = b->left_free, .right_free = b->right_free,
			.first_free = b->first_free,
		};
	}
	pthread_mutex_unlock(&a->pa.lock);
	return c && block >= 0 && block < a->nr_blocks ? 0 : -1;
}

void pbm_counters(void *a_, struct pbm_counters *ctr)
{
	struct pbm_alloc *a = a_;

	pthread_mutex_lock(&a->pa.lock);
	*ctr = a->ctr;
	pthread_mutex_unlock(&a->pa.lock);
}

/* ---- the fixed-size backend ------------------------------------------------ */

/* Small blocks and chunks: allocations cross blocks and chunks fill fast. */
static const char *const pbmb_variants[] = {
	"block_size=64;chunk_size=4096",
	NULL
};

PB_PCPU_BACKEND_REGISTER(percpu_bitmap, pbm_ops, pbm_alloc, pbm_free,
	.name = PBM_NAME,
	.description = "percpu bitmap allocator (Linux 4.14+, seed 003): alloc "
		       "and bound bitmaps per chunk, per-block hints, O(block) free",
	.options = pbm_options,
	.variants = pbmb_variants,
)
