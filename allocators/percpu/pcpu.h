/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcpu.h - the general percpu allocator API: allocations of any (size,
 * align) that reserve the same offset in every CPU's unit of a chunk, as
 * Linux's mm/percpu.c does (seed 003, REFERENCE §6). Each percpu allocator
 * (the area map, the bitmap) implements struct pb_pcpu_ops and registers
 * it with PB_PCPU_REGISTER(); its fixed-size backend (struct pb_backend)
 * is a thin layer over these operations, and tests and the `million`
 * workload can call them with any size.
 *
 * Glossary
 *   unit    one CPU's copy of a chunk: unit_size bytes.
 *   chunk   nr_units units, contiguous: unit u starts at base + u * unit_size.
 *   handle  what alloc returns: the allocation's address in unit 0.
 *           pb_pcpu_ptr(handle, cpu) = handle + cpu * unit_size.
 *
 * Concurrency contract: every operation may be called from any thread;
 * alloc, free and balance of one allocator are serialised by its one
 * allocator lock (the kernel's pcpu_lock), ptr takes no lock, check and
 * stats take it.
 *
 * Also what the allocators share, so that each keeps only its chunk
 * format: the slot lists and the O(1) lookup from a handle to its chunk
 * (struct pb_pcpu_chunks), the lock, chunks and counts every allocator
 * holds (struct pb_pcpu_alloc), and the fixed-size backend over an
 * allocator (struct pb_pcpu_pool, PB_PCPU_BACKEND_REGISTER()).
 */
#ifndef PB_ALLOCATORS_PERCPU_PCPU_H
#define PB_ALLOCATORS_PERCPU_PCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "allocators/options.h"

/* The kernel's PCPU_MIN_UNIT_SIZE: the smallest unit it boots with, and the largest allocation. */
#define PB_PCPU_MIN_UNIT_SIZE (32u << 10)

/**
 * pb_pcpu_max_alloc() - the largest allocation, as pcpu_alloc() checks it
 * @unit_bytes: bytes of a unit a chunk manages
 *
 * Return: PCPU_MIN_UNIT_SIZE, or @unit_bytes when that is smaller.
 */
static inline size_t pb_pcpu_max_alloc(size_t unit_bytes)
{
	return unit_bytes < PB_PCPU_MIN_UNIT_SIZE ? unit_bytes : PB_PCPU_MIN_UNIT_SIZE;
}
/*
 * The default unit size: 256 KiB, what x86-64 kernels commonly boot with
 * (dmesg: "percpu: Embedded ... u262144"); the kernel sizes units at boot
 * from the static, reserved and dynamic areas, so there is no one constant.
 * A unit this size holds 64 Ki 4-byte objects: the long maps seed 003 met.
 */
#define PB_PCPU_DFL_UNIT_SIZE (256u << 10)
/* The kernel's PAGE_SIZE on x86-64: the largest alignment. */
#define PB_PCPU_PAGE_SIZE 4096u
/*
 * The alignment a percpu backend uses when the pool config says 0: the
 * 4-byte granule (PCPU_MIN_ALLOC_SIZE), __alignof__ of the int the seed's
 * 4-byte objects are. Not malloc's 16: that is the seed's aligned case.
 */
#define PB_PCPU_DFL_ALIGN 4u

struct pb_pcpu_config {
	unsigned int nr_units;	/* CPUs: copies of every allocation */
	size_t unit_size;	/* bytes per unit; 0: PB_PCPU_DFL_UNIT_SIZE */
	const struct pb_kv *opts;	/* allocator-specific key=value options */
	size_t nr_opts;
};

/* Levels and counts an allocator reports (pb_pcpu_ops.stats). */
struct pb_pcpu_stats {
	uint64_t chunks;		/* chunks held, empty ones included */
	uint64_t chunks_empty;		/* of them fully free (on the last slot) */
	uint64_t live;			/* live allocations */
	uint64_t live_bytes;		/* bytes reserved per unit by them */
	uint64_t metadata_bytes;	/* allocator metadata, all chunks */
	uint64_t chunks_created, chunks_released;	/* since create */
	/*
	 * memmoves of a chunk's allocation map since create, where it has
	 * one: all of them, and those done by free (merges)
	 */
	uint64_t memmoves, free_memmoves;
	bool has_memmoves;
};

struct pb_pcpu_ops {
	const char *name;
	/*
	 * create() - an allocator with no chunk yet (the first alloc makes
	 * one). Return: 0, or -1 with a one-line reason in @err.
	 */
	int (*create)(const struct pb_pcpu_config *cfg, void **a, char *err,
		      size_t errlen);
	/* destroy() - release every chunk, live allocations included. */
	void (*destroy)(void *a);
	/*
	 * alloc() - @size bytes (1..pb_pcpu_max_alloc(unit size)) aligned to @align (a power of
	 * two, 0 or up to PB_PCPU_PAGE_SIZE) in every unit, zeroed in every
	 * unit as the kernel does. Return: the handle, or NULL (bad
	 * arguments or out of memory).
	 */
	void *(*alloc)(void *a, size_t size, size_t align);
	/*
	 * free() - 0, or -1 when @handle is not a live allocation (nothing
	 * changes). A chunk that becomes fully free stays, on the last slot,
	 * for allocations to reuse: only balance() and destroy() release one.
	 */
	int (*free)(void *a, void *handle);
	/*
	 * balance() - optional (NULL: no deferred work): the kernel's
	 * pcpu_balance_workfn, work it does away from the callers: release
	 * every fully free chunk but one (the first on the last slot: the
	 * spare). Any thread, concurrently with alloc and free (it takes the
	 * allocator lock).
	 */
	void (*balance)(void *a);
	/* check() - full invariant check (debug): 0, or -1 with what is wrong. */
	int (*check)(void *a, char *err, size_t errlen);
	void (*stats)(void *a, struct pb_pcpu_stats *st);
	/* Bytes between units: pb_pcpu_ptr() needs it. */
	size_t (*unit_size)(void *a);
	/* Optional: the largest allocation; NULL: pb_pcpu_max_alloc(unit_size). */
	size_t (*max_alloc)(void *a);
};

/**
 * pb_pcpu_ptr() - a CPU's copy of an allocation (the kernel's per_cpu_ptr)
 * @ops: the allocator's operations
 * @a: the allocator
 * @handle: the allocation's handle (its address in unit 0)
 * @cpu: the CPU, below the allocator's nr_units
 *
 * Return: @handle plus @cpu units.
 */
static inline void *pb_pcpu_ptr(const struct pb_pcpu_ops *ops, void *a,
				void *handle, unsigned int cpu)
{
	return (char *)handle + (size_t)cpu * ops->unit_size(a);
}

/*
 * struct pb_pcpu_pool - a fixed-size backend over a percpu allocator: the
 * pool of the percpu-* backends (and the backing of percpu-mempool). Each
 * backend keeps its own alloc and free inline over @a; create, destroy,
 * per_cpu_ptr and stats are these shared ones. Read-only after create.
 */
struct pb_config;
struct pb_stats;

struct pb_pcpu_pool {
	const struct pb_pcpu_ops *ops;
	void *a;
	size_t size, align;	/* every object: the config's; align 0: 4 */
	size_t unit_size;
};

/**
 * pb_pcpu_pool_create() - a fixed-size pool over a new percpu allocator
 * @ops: the allocator
 * @cfg: the pool config: its geometry is checked (alignment up to a page,
 *       size up to the allocator's largest allocation)
 * @pc: the allocator's own config
 * @out: receives the pool
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with the reason in @err.
 */
int pb_pcpu_pool_create(const struct pb_pcpu_ops *ops, const struct pb_config *cfg,
			const struct pb_pcpu_config *pc, struct pb_pcpu_pool **out,
			char *err, size_t errlen);
/**
 * pb_pcpu_backend_create() - the backend operation create (backend.h) of a
 * fixed-size percpu backend: a pool over a new @ops allocator with a unit
 * per CPU slot and the config's options
 * @ops: the allocator
 * @cfg: the pool config
 * @pool: receives the struct pb_pcpu_pool
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with the reason in @err.
 */
int pb_pcpu_backend_create(const struct pb_pcpu_ops *ops,
			   const struct pb_config *cfg, void **pool, char *err,
			   size_t errlen);

/**
 * pb_pcpu_pool_destroy() - the backend operation destroy: the allocator,
 * live allocations included, and the pool
 * @pool: the struct pb_pcpu_pool
 */
void pb_pcpu_pool_destroy(void *pool);

/**
 * pb_pcpu_pool_per_cpu_ptr() - the backend operation per_cpu_ptr
 * @pool: the struct pb_pcpu_pool
 * @obj: an object's handle
 * @cpu: the CPU slot
 *
 * Return: @cpu's copy of @obj.
 */
void *pb_pcpu_pool_per_cpu_ptr(void *pool, void *obj, unsigned int cpu);

/**
 * pb_pcpu_pool_stats() - the backend operation stats: metadata, chunks,
 * chunks released, and the memmoves of an allocator that counts them
 * @pool: the struct pb_pcpu_pool
 * @st: receives them
 */
void pb_pcpu_pool_stats(void *pool, struct pb_stats *st);

/**
 * pb_pcpu_pool_balance() - the backend operation balance (backend.h) of a
 * pool: its allocator's balance(), if it has one
 * @pool: the struct pb_pcpu_pool
 *
 * A backend over a struct pb_pcpu_pool of its own (percpu-mempool) calls
 * it from its balance.
 */
void pb_pcpu_pool_balance(void *pool);

/**
 * PB_PCPU_BACKEND_REGISTER() - the fixed-size backend over a percpu allocator
 * @sym: C identifier for the backend's symbols
 * @ops: the allocator's struct pb_pcpu_ops
 * @alloc_fn: the allocator's alloc(a, size, align), called directly
 * @free_fn: its free(a, handle), called directly
 * @...: the rest of struct pb_backend (.name, .description, .options,
 *       .variants) as designated initialisers
 *
 * Every object has the config's size and alignment, on a struct
 * pb_pcpu_pool; alloc and free go straight into the allocator, so they are
 * inlined into the kernels. Expands PB_BACKEND_REGISTER: include
 * allocators/register.h.
 */
#define PB_PCPU_BACKEND_REGISTER(sym, ops, alloc_fn, free_fn, ...)             \
	static int sym##_pool_create(const struct pb_config *cfg, void **pool, \
				     char *err, size_t errlen)                 \
	{                                                                      \
		return pb_pcpu_backend_create(&(ops), cfg, pool, err, errlen); \
	}                                                                      \
	static inline void *sym##_pool_alloc(void *ctx)                        \
	{                                                                      \
		struct pb_pcpu_pool *p = ctx;                                  \
									       \
		return alloc_fn(p->a, p->size, p->align);                      \
	}                                                                      \
	static inline void sym##_pool_free(void *ctx, void *obj)               \
	{                                                                      \
		struct pb_pcpu_pool *p = ctx;                                  \
									       \
		free_fn(p->a, obj);                                            \
	}                                                                      \
	PB_BACKEND_REGISTER(sym, sym##_pool_alloc, sym##_pool_free,            \
		.flags = PB_BACKEND_PERCPU,                                    \
		.create = sym##_pool_create,                                   \
		.destroy = pb_pcpu_pool_destroy,                               \
		.per_cpu_ptr = pb_pcpu_pool_per_cpu_ptr,                       \
		.stats = pb_pcpu_pool_stats,                                   \
		.balance = pb_pcpu_pool_balance,                               \
		__VA_ARGS__)

/* ---- what the percpu allocators share: slot lists and the chunk lookup -- */

/*
 * struct pb_pcpu_chunk - the part of a chunk the shared code knows: the
 * first member of each allocator's chunk struct, which casts it back.
 * @base: nr_units x unit_size bytes (pb_pcpu_chunk_mem_alloc), aligned to
 *        1 << span_shift of its struct pb_pcpu_chunks.
 */
struct pb_pcpu_chunk {
	char *base;
	struct pb_pcpu_chunk *prev, *next;	/* on its slot's list */
	int slot;
};

struct pb_pcpu_slot {
	struct pb_pcpu_chunk *head, *tail;
};

/* One entry of the lookup table: a chunk and its base >> span_shift. */
struct pb_pcpu_entry {
	uintptr_t key;
	struct pb_pcpu_chunk *chunk;	/* NULL: an empty entry */
};

/*
 * struct pb_pcpu_chunks - every chunk of one percpu allocator: on the slot
 * lists by free size (the kernel's pcpu_slot[]: list heads with an O(1)
 * tail, as list_move_tail), and in a lookup table from an address to the
 * chunk whose unit 0 holds it (the kernel's pcpu_chunk_addr_search).
 *
 * Lookup: every chunk's memory is aligned to a power of two, span, at
 * least the bytes of unit 0 that hold handles (span_bytes) and at least a
 * page, so every handle of a chunk shares the chunk's base >> span_shift
 * and no two chunks share one. The table maps that number to the chunk:
 * open addressing with linear probing, a Fibonacci hash, at most half
 * full (it doubles), deletion by backward shift: O(1) expected per
 * lookup, whatever the number of chunks. An address whose number is in no
 * entry, or that lies past span_bytes of its chunk's unit 0, is in no
 * chunk; nothing is read at the address itself, so any pointer may be
 * looked up.
 *
 * Concurrency: none of its own; the allocator's lock covers it.
 */
struct pb_pcpu_chunks {
	struct pb_pcpu_slot *slots;	/* [nr_slots] */
	int nr_slots;			/* at most 64 */
	uint64_t slots_used;		/* bit s: slots[s] is not empty */
	struct pb_pcpu_entry *table;	/* [1 << table_bits] */
	unsigned int table_bits;
	size_t nr;			/* chunks */
	unsigned int span_shift;	/* log2(span) */
	size_t span_bytes;		/* bytes of unit 0 that hold handles */
	size_t mem_bytes;		/* one chunk's memory */
};

/**
 * pb_pcpu_chunks_init() - no chunk yet, empty slot lists, an empty table
 * @cs: the chunks
 * @nr_slots: slot lists, 1..64
 * @span_bytes: bytes at the start of a chunk's memory that hold handles
 *              (1..@mem_bytes)
 * @mem_bytes: one chunk's memory
 *
 * Return: 0, or -1 (bad arguments or no memory).
 */
int pb_pcpu_chunks_init(struct pb_pcpu_chunks *cs, int nr_slots,
			size_t span_bytes, size_t mem_bytes);
/**
 * pb_pcpu_chunks_fini() - free the lists and the table; the chunks are the
 * caller's
 * @cs: the chunks
 */
void pb_pcpu_chunks_fini(struct pb_pcpu_chunks *cs);
/**
 * pb_pcpu_chunk_mem_alloc() - one chunk's memory, aligned to the span
 * @cs: the chunks it is for
 *
 * Return: the memory (free() it), or NULL (no memory).
 */
char *pb_pcpu_chunk_mem_alloc(const struct pb_pcpu_chunks *cs);
/**
 * pb_pcpu_chunk_add() - enter a new chunk in the table and at the head of
 * a slot list, as the kernel places a new chunk
 * @cs: the chunks
 * @c: the chunk, its base from pb_pcpu_chunk_mem_alloc()
 * @slot: its slot list
 *
 * Return: 0, or -1 (no memory; nothing changed).
 */
int pb_pcpu_chunk_add(struct pb_pcpu_chunks *cs, struct pb_pcpu_chunk *c,
		      int slot);
/**
 * pb_pcpu_chunk_del() - take a chunk off its slot list and out of the table
 * @cs: the chunks
 * @c: the chunk
 */
void pb_pcpu_chunk_del(struct pb_pcpu_chunks *cs, struct pb_pcpu_chunk *c);
/**
 * pb_pcpu_chunks_balance() - the chunk-release half of the kernel's
 * pcpu_balance_workfn()
 * @cs: the allocator's chunks, guarded by @lock
 * @lock: the allocator lock (pcpu_lock)
 * @released: the allocator's count of released chunks, guarded by @lock
 * @release: frees one chunk's memory; called with @lock dropped, as the
 *           kernel's worker drops pcpu_lock before it destroys a chunk
 *
 * Under @lock, takes every chunk on the last slot (fully free) but the
 * first off the lists and out of the table and counts them in @released;
 * then releases them.
 */
void pb_pcpu_chunks_balance(struct pb_pcpu_chunks *cs, pthread_mutex_t *lock,
			    uint64_t *released,
			    void (*release)(struct pb_pcpu_chunk *c));
/**
 * pb_pcpu_chunks_check() - check the lists and the table
 * @cs: the chunks
 * @err: receives what is wrong
 * @errlen: size of @err
 *
 * The lists: links, tails, slot numbers, the used mask. The table: every
 * entry found where a lookup looks, bases aligned, every listed chunk
 * found, as many as listed.
 *
 * Return: 0, or -1 with what is wrong in @err.
 */
int pb_pcpu_chunks_check(const struct pb_pcpu_chunks *cs, char *err,
			 size_t errlen);
/**
 * pb_pcpu_chunks_probes() - the cost of the lookup, for tests: table
 * entries a lookup of each chunk's base reads
 * @cs: the chunks
 * @sum: receives their sum over the chunks
 * @max: receives the largest
 */
void pb_pcpu_chunks_probes(const struct pb_pcpu_chunks *cs, size_t *sum,
			   size_t *max);
/**
 * pb_pcpu_chunks_bytes() - bytes of the lists and the table
 * @cs: the chunks
 *
 * Return: the bytes (for the metadata statistics).
 */
size_t pb_pcpu_chunks_bytes(const struct pb_pcpu_chunks *cs);

/**
 * pb_pcpu_hash() - the home entry of a key (Fibonacci hashing)
 * @key: a chunk base >> span_shift
 * @bits: the table has 1 << @bits entries
 *
 * Return: the index of the entry.
 */
static inline size_t pb_pcpu_hash(uintptr_t key, unsigned int bits)
{
	return (size_t)(((uint64_t)key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - bits));
}

/**
 * pb_pcpu_chunk_find() - the chunk of an address (pcpu_chunk_addr_search)
 * @cs: the chunks
 * @p: any address; nothing is read there
 *
 * Return: the chunk whose unit 0 holds @p in its first span_bytes, or NULL.
 */
static inline struct pb_pcpu_chunk *
pb_pcpu_chunk_find(const struct pb_pcpu_chunks *cs, const void *p)
{
	uintptr_t key = (uintptr_t)p >> cs->span_shift;
	size_t mask = ((size_t)1 << cs->table_bits) - 1;

	for (size_t i = pb_pcpu_hash(key, cs->table_bits);; i = (i + 1) & mask) {
		const struct pb_pcpu_entry *e = &cs->table[i];

		if (!e->chunk)
			return NULL;
		if (e->key == key)
			return (uintptr_t)p - (key << cs->span_shift) < cs->span_bytes ?
			       e->chunk : NULL;
	}
}

/**
 * pb_pcpu_chunks_first() - the first chunk on the lists, lowest slot first
 * @cs: the chunks
 *
 * Return: the chunk, or NULL when there is none.
 */
static inline struct pb_pcpu_chunk *
pb_pcpu_chunks_first(const struct pb_pcpu_chunks *cs)
{
	return cs->slots_used ? cs->slots[__builtin_ctzll(cs->slots_used)].head : NULL;
}

/**
 * pb_pcpu_chunks_next() - the chunk after another on the lists: with
 * pb_pcpu_chunks_first(), every chunk once
 * @cs: the chunks
 * @c: a chunk on the lists
 *
 * Return: the next chunk, or NULL after the last.
 */
static inline struct pb_pcpu_chunk *
pb_pcpu_chunks_next(const struct pb_pcpu_chunks *cs, const struct pb_pcpu_chunk *c)
{
	uint64_t rest;

	if (c->next)
		return c->next;
	rest = c->slot + 1 < 64 ? cs->slots_used & (~UINT64_C(0) << (c->slot + 1)) : 0;
	return rest ? cs->slots[__builtin_ctzll(rest)].head : NULL;
}

/**
 * pb_pcpu_slot_del() - take a chunk off its slot list (the kernel's list_del)
 * @cs: the chunks
 * @c: the chunk
 */
static inline void pb_pcpu_slot_del(struct pb_pcpu_chunks *cs,
				    struct pb_pcpu_chunk *c)
{
	struct pb_pcpu_slot *sl = &cs->slots[c->slot];

	if (c->prev)
		c->prev->next = c->next;
	else
		sl->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		sl->tail = c->prev;
	c->prev = c->next = NULL;
	if (!sl->head)
		cs->slots_used &= ~(UINT64_C(1) << c->slot);
}

/**
 * pb_pcpu_slot_add() - put a chunk on a slot list
 * @cs: the chunks
 * @c: the chunk, on no list
 * @slot: the slot list
 * @tail: at the tail (list_add_tail) rather than the head (list_add)
 */
static inline void pb_pcpu_slot_add(struct pb_pcpu_chunks *cs,
				    struct pb_pcpu_chunk *c, int slot, bool tail)
{
	struct pb_pcpu_slot *sl = &cs->slots[slot];

	c->slot = slot;
	cs->slots_used |= UINT64_C(1) << slot;
	if (tail) {
		c->next = NULL;
		c->prev = sl->tail;
		if (sl->tail)
			sl->tail->next = c;
		else
			sl->head = c;
		sl->tail = c;
	} else {
		c->prev = NULL;
		c->next = sl->head;
		if (sl->head)
			sl->head->prev = c;
		else
			sl->tail = c;
		sl->head = c;
	}
}

/**
 * pb_pcpu_chunk_move() - the kernel's pcpu_chunk_relocate()
 * @cs: the chunks
 * @c: the chunk
 * @nslot: its new slot: at the head when it moves up, at the tail when it
 *         moves down, untouched when it stays
 */
static inline void pb_pcpu_chunk_move(struct pb_pcpu_chunks *cs,
				      struct pb_pcpu_chunk *c, int nslot)
{
	int oslot = c->slot;

	if (nslot == oslot)
		return;
	pb_pcpu_slot_del(cs, c);
	pb_pcpu_slot_add(cs, c, nslot, nslot < oslot);
}

/* The kernel's PCPU_SLOT_BASE_SHIFT: slot 1 holds chunks with < 64 bytes free. */
#define PB_PCPU_SLOT_BASE_SHIFT 5

/**
 * pb_pcpu_fls() - the kernel's fls(): the highest bit set
 * @x: the value
 *
 * Return: its number, from 1; 0 for 0.
 */
static inline int pb_pcpu_fls(size_t x)
{
	return x ? 64 - __builtin_clzll((unsigned long long)x) : 0;
}

/**
 * pb_pcpu_nr_slots() - the kernel's pcpu_nr_slots
 * @bytes: the bytes of a unit a chunk manages
 *
 * Return: the slot of @bytes, plus two.
 */
static inline int pb_pcpu_nr_slots(size_t bytes)
{
	return pb_pcpu_fls(bytes) - PB_PCPU_SLOT_BASE_SHIFT + 4;
}

/**
 * pb_pcpu_size_to_slot() - the kernel's pcpu_size_to_slot()
 * @cs: the chunks
 * @bytes: a chunk's free bytes, or the size of an allocation
 *
 * Return: the slot of a chunk with @bytes free: the last one when it is
 * fully free (@bytes the span), else at least 1 (slot 0 is the caller's,
 * for a full chunk). Also where an allocation of @bytes starts looking.
 */
static inline int pb_pcpu_size_to_slot(const struct pb_pcpu_chunks *cs,
				       size_t bytes)
{
	int slot;

	if (bytes == cs->span_bytes)
		return cs->nr_slots - 1;
	slot = pb_pcpu_fls(bytes) - PB_PCPU_SLOT_BASE_SHIFT + 2;
	return slot < 1 ? 1 : slot;
}

/**
 * pb_pcpu_zero() - zero an allocation in every unit, as pcpu_alloc() hands
 * areas out
 * @handle: its address in unit 0
 * @size: its bytes
 * @nr_units: units
 * @unit_size: bytes between units
 */
static inline void pb_pcpu_zero(char *handle, size_t size,
				unsigned int nr_units, size_t unit_size)
{
	for (unsigned int u = 0; u < nr_units; u++)
		memset(handle + (size_t)u * unit_size, 0, size);
}

/*
 * struct pb_pcpu_alloc - what every percpu allocator holds besides its own
 * chunk format: the allocator lock (the kernel's pcpu_lock, which guards
 * this and the allocator's state), its chunks and its counts. The first
 * member of each allocator's struct.
 */
struct pb_pcpu_alloc {
	pthread_mutex_t lock;
	unsigned int nr_units;		/* CPUs: copies of every allocation */
	struct pb_pcpu_chunks chunks;	/* slot lists and address lookup */
	uint64_t live, live_bytes;	/* allocations, and their bytes per unit */
	uint64_t created, released;	/* chunks, since create */
};

/**
 * pb_pcpu_alloc_init() - no chunk yet, an unlocked lock
 * @pa: the shared part of a new allocator
 * @nr_units: CPUs
 * @span_bytes: bytes of each unit a chunk manages (its slots follow)
 * @unit_size: bytes between units
 *
 * Return: 0, or -1 (out of memory; nothing to undo).
 */
int pb_pcpu_alloc_init(struct pb_pcpu_alloc *pa, unsigned int nr_units,
		       size_t span_bytes, size_t unit_size);

/**
 * pb_pcpu_alloc_fini() - release every chunk, the lists, the table, the lock
 * @pa: the shared part of an allocator being destroyed
 * @release: frees one chunk and its memory
 */
void pb_pcpu_alloc_fini(struct pb_pcpu_alloc *pa,
			void (*release)(struct pb_pcpu_chunk *c));

/**
 * pb_pcpu_alloc_chunk_add() - a new chunk: pb_pcpu_chunk_add(), counted
 * @pa: the allocator, locked
 * @c: the chunk, its base from pb_pcpu_chunk_mem_alloc()
 * @slot: its slot list
 *
 * Return: 0, or -1 (no memory; nothing changed).
 */
int pb_pcpu_alloc_chunk_add(struct pb_pcpu_alloc *pa, struct pb_pcpu_chunk *c,
			    int slot);

/**
 * pb_pcpu_alloc_stats() - the statistics every percpu allocator has
 * @pa: the allocator, locked
 * @st: cleared, then receives the chunk counts, live, live_bytes,
 *      chunks_created, chunks_released, and as metadata_bytes the lists'
 *      and the table's (the caller adds its own)
 */
void pb_pcpu_alloc_stats(const struct pb_pcpu_alloc *pa,
			 struct pb_pcpu_stats *st);

/**
 * pb_pcpu_alloc_balance() - pb_pcpu_chunks_balance() on @pa's chunks
 * @pa: the allocator; takes its lock
 * @release: frees one chunk and its memory, called with the lock dropped
 */
void pb_pcpu_alloc_balance(struct pb_pcpu_alloc *pa,
			   void (*release)(struct pb_pcpu_chunk *c));

/**
 * pb_pcpu_register() - list a percpu allocator (PB_PCPU_REGISTER(), from a
 * constructor)
 * @ops: its operations
 *
 * A missing operation or a taken name stops the program with a message.
 */
void pb_pcpu_register(const struct pb_pcpu_ops *ops);

/**
 * pb_pcpu_count() - how many percpu allocators are registered
 *
 * Return: the count.
 */
size_t pb_pcpu_count(void);

/**
 * pb_pcpu_at() - a percpu allocator by position, by name
 * @i: index from 0
 *
 * Return: its operations, or NULL past the last one.
 */
const struct pb_pcpu_ops *pb_pcpu_at(size_t i);

/**
 * pb_pcpu_find() - a percpu allocator by name
 * @name: its name ("percpu-bitmap")
 *
 * Return: its operations, or NULL when none has that name.
 */
const struct pb_pcpu_ops *pb_pcpu_find(const char *name);

#define PB_PCPU_REGISTER(sym)                                                  \
	__attribute__((constructor)) static void pb_pcpu_register_##sym(void)  \
	{                                                                      \
		pb_pcpu_register(&sym);                                        \
	}

#endif /* PB_ALLOCATORS_PERCPU_PCPU_H */
