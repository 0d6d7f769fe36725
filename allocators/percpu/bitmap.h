/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bitmap.h - introspection of the percpu bitmap allocator (bitmap.c) for
 * its unit tests: the hints of the chunk and of the blocks that hold an
 * allocation, and event counters that show which paths ran. Everything
 * else goes through the general percpu API (pcpu.h, name "percpu-bitmap").
 *
 * Concurrency contract: each call takes the allocator lock; what it returns
 * is a snapshot, stale as soon as another thread allocates or frees.
 */
#ifndef PB_ALLOCATORS_PERCPU_BITMAP_H
#define PB_ALLOCATORS_PERCPU_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PBM_NAME "percpu-bitmap"
/* Bytes per bit of the allocation maps (the kernel's PCPU_MIN_ALLOC_SIZE). */
#define PBM_MIN_ALLOC 4

/* A chunk's hints; offsets and sizes in bits (granules of PBM_MIN_ALLOC). */
struct pbm_chunk_hints {
	int slot;		/* the slot list the chunk is on */
	int free_bytes;
	int contig_bits, contig_start;	/* never above the largest free run */
	int first_bit;		/* no free bit before it */
	bool exact;		/* contig_bits is the largest free run */
	int nr_blocks;
	int block_bits;
};

/* One metadata block's hints, in bits relative to the block's start. */
struct pbm_block_hints {
	int contig_hint, contig_start;	/* the largest free run */
	int scan_hint, scan_start;	/* no larger run starts before its end */
	int left_free, right_free;	/* free bits at the block's edges */
	int first_free;			/* block_bits when the block is full */
};

struct pbm_counters {
	uint64_t scan_skips;		/* block scans started after a scan_hint */
	uint64_t chunk_refreshes;	/* chunk hint rebuilt from block metadata */
	uint64_t block_refreshes;	/* block hint rebuilt from its bits */
};

/**
 * pbm_chunk_hints() - the hints of the chunk that holds an allocation
 * @a: the allocator (pb_pcpu_ops create() of "percpu-bitmap")
 * @handle: an allocation's handle
 * @h: receives the hints
 *
 * Return: 0, or -1 when no chunk of @a holds @handle.
 */
int pbm_chunk_hints(void *a, const void *handle, struct pbm_chunk_hints *h);

/**
 * pbm_block_hints() - the hints of one block of the chunk that holds an
 * allocation
 * @a: the allocator
 * @handle: an allocation's handle
 * @block: the block's index in the chunk
 * @h: receives the hints
 *
 * Return: 0, or -1 when no chunk holds @handle or @block is out of range.
 */
int pbm_block_hints(void *a, const void *handle, int block,
		    struct pbm_block_hints *h);

/**
 * pbm_counters() - the event counters since create
 * @a: the allocator
 * @c: receives them
 */
void pbm_counters(void *a, struct pbm_counters *c);

#endif /* PB_ALLOCATORS_PERCPU_BITMAP_H */
