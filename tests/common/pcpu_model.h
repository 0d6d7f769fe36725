/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcpu_model.h - a reference model of the general percpu API (pcpu.h),
 * shared by tests/unit/test_pcpu_model.c and the fuzz target
 * tests/fuzz/fuzz_pcpu.c.
 *
 * The model drives one allocator (any struct pb_pcpu_ops) and keeps what
 * the allocator must agree with: the live allocations in allocation order,
 * and every unit copy of each of them as an address range in one set sorted
 * by address. After every step it checks:
 *   - check() is clean, and stats() agree: live is the model's count,
 *     live_bytes lies between the bytes requested and that plus
 *     PM_SLACK per allocation, chunks = created - released, no more empty
 *     chunks than chunks, and no chunk released but by balance();
 *   - balance() releases every empty chunk but one, and nothing else: the
 *     live allocations keep their tags;
 *   - a new handle is aligned, zeroed in every unit, and none of its unit
 *     copies overlaps a unit copy of a live allocation (any CPU, any chunk);
 *   - the tag written into every unit copy of an allocation is intact when
 *     it is freed (a write through an overlapping allocation shows there);
 *   - a free of anything that is not a live handle returns -1 and changes
 *     no counter; an invalid request returns NULL and changes nothing.
 * A violation returns -1 with one line in m->err that names the
 * allocator, the seed, the step, the operation and what is wrong.
 *
 * Not thread-safe: one model, one thread.
 */
#ifndef PB_TESTS_COMMON_PCPU_MODEL_H
#define PB_TESTS_COMMON_PCPU_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "allocators/percpu/pcpu.h"

/*
 * Bytes an allocator may reserve per allocation beyond the request: its
 * granule's rounding and fragments too small to track (the area map keeps
 * up to 5: an even size, a 2-byte head, a 2-byte tail).
 */
#define PM_SLACK 16u
/* Bytes of one operation record (pm_step). */
#define PM_REC 4
#define PM_FREED_RING 16

/* One live allocation. */
struct pm_alloc {
	char *h;
	size_t size, align;
	uint64_t id;		/* the model's allocation number, from 1 */
};

/* One unit copy of a live allocation: [lo, hi). */
struct pm_range {
	uintptr_t lo, hi;
	uint64_t id;
	unsigned int unit;
};

/* Kinds of bogus free (pm_free_bogus). */
enum pm_bogus {
	PM_BOGUS_FREED,		/* a handle freed earlier, not live again */
	PM_BOGUS_INSIDE,	/* handle + 1, 2, 4 ... inside a live allocation */
	PM_BOGUS_UNIT,		/* a live handle's copy in unit 1.. (or past the last) */
	PM_BOGUS_OUTSIDE,	/* an address in no chunk: a static buffer */
	PM_BOGUS_NULLISH,	/* NULL, 1, 8, 4096, the top of the address space */
	PM_BOGUS_NR
};

/* Orders of pm_drain. */
enum pm_order {
	PM_FIFO,		/* oldest first */
	PM_LIFO,		/* newest first */
	PM_ALTERNATE,		/* oldest, newest, oldest ... */
	PM_ORDER_NR
};

struct pcpu_model {
	const struct pb_pcpu_ops *ops;
	void *a;
	unsigned int nr_units;
	size_t unit_size;
	size_t max_alloc;		/* pb_pcpu_max_alloc(unit_size) */
	uint64_t seed;			/* for messages only */
	uint64_t step;			/* operations so far */
	size_t max_live;		/* caps: an alloc over them frees instead */
	uint64_t max_live_bytes;
	struct pm_alloc *live;		/* in allocation order */
	size_t nr_live, cap_live;
	struct pm_range *ranges;	/* sorted by lo */
	size_t nr_ranges, cap_ranges;
	uint64_t live_sum;		/* bytes requested by the live ones */
	uint64_t next_id;
	char *freed[PM_FREED_RING];	/* recently freed handles */
	unsigned int nr_freed;
	char op[128];			/* the operation being checked */
	uint64_t nr_allocs, nr_frees, nr_bogus, nr_invalid;	/* done */
	uint64_t nr_balances;
	uint64_t released;		/* chunks balance() released so far */
	uint64_t max_chunks;		/* largest chunk count seen */
	char err[768];
};

/*
 * pm_init() - create @ops's allocator with @nr_units units of @unit_size
 * bytes (0: the default) and an empty model; @seed only labels messages.
 * Return: 0, or -1 with m->err (pm_fini is then still right to call).
 */
int pm_init(struct pcpu_model *m, const struct pb_pcpu_ops *ops,
	    unsigned int nr_units, size_t unit_size, uint64_t seed);
/* pm_fini() - destroy the allocator (live allocations included) and the model. */
void pm_fini(struct pcpu_model *m);

/*
 * pm_alloc() - a valid request (1 <= @size <= unit size, @align 0 or a power
 * of two up to PB_PCPU_PAGE_SIZE): must succeed; a request over the model's
 * caps frees the oldest allocation instead. Return: 0, or -1 with m->err.
 */
int pm_alloc(struct pcpu_model *m, size_t size, size_t align);
/*
 * pm_alloc_invalid() - a request the API refuses (size 0, size above the
 * unit, align not a power of two, align above the page): must be NULL.
 * Return: 0, or -1 with m->err.
 */
int pm_alloc_invalid(struct pcpu_model *m, size_t size, size_t align);
/* pm_free_index() - free live allocation @i modulo the count (none: no-op). */
int pm_free_index(struct pcpu_model *m, size_t i);
/* pm_free_bogus() - free a non-handle of @kind chosen by @pick: must be -1. */
int pm_free_bogus(struct pcpu_model *m, enum pm_bogus kind, uint32_t pick);
/* pm_drain() - free every live allocation in @order. */
int pm_drain(struct pcpu_model *m, enum pm_order order);
/*
 * pm_balance() - the allocator's balance() (none: a no-op that must change
 * nothing): of E empty chunks, E - 1 go (none when E <= 1), one stays.
 * Return: 0, or -1 with m->err.
 */
int pm_balance(struct pcpu_model *m);
/*
 * pm_step() - decode one PM_REC-byte record into one of the operations
 * above (or a short burst of allocations) and run it.
 * Return: 0, or -1 with m->err.
 */
int pm_step(struct pcpu_model *m, const uint8_t rec[PM_REC]);

#endif /* PB_TESTS_COMMON_PCPU_MODEL_H */
