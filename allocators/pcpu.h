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
 * alloc and free of one allocator are serialised by its one allocator lock
 * (the kernel's pcpu_lock), ptr takes no lock, check and stats take it.
 */
#ifndef PB_ALLOCATORS_PCPU_H
#define PB_ALLOCATORS_PCPU_H

#include <stddef.h>
#include <stdint.h>

#include "allocators/options.h"

/* The kernel's PCPU_MIN_UNIT_SIZE: the smallest unit it boots with, and the largest allocation. */
#define PB_PCPU_MIN_UNIT_SIZE (32u << 10)

/* The largest allocation: PCPU_MIN_UNIT_SIZE, as pcpu_alloc() checks, or less in smaller units. */
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

/* Levels an allocator reports (pb_pcpu_ops.stats). */
struct pb_pcpu_stats {
	uint64_t chunks;		/* chunks in use */
	uint64_t live;			/* live allocations */
	uint64_t live_bytes;		/* bytes reserved per unit by them */
	uint64_t metadata_bytes;	/* allocator metadata, all chunks */
	uint64_t chunks_created, chunks_released;	/* since create */
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
	/* free() - 0, or -1 when @handle is not a live allocation (nothing changes). */
	int (*free)(void *a, void *handle);
	/* check() - full invariant check (debug): 0, or -1 with what is wrong. */
	int (*check)(void *a, char *err, size_t errlen);
	void (*stats)(void *a, struct pb_pcpu_stats *st);
	/* Bytes between units: pb_pcpu_ptr() needs it. */
	size_t (*unit_size)(void *a);
	/* Optional: the largest allocation; NULL: pb_pcpu_max_alloc(unit_size). */
	size_t (*max_alloc)(void *a);
};

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

/*
 * pb_pcpu_pool_create() - check @cfg's geometry for a percpu allocator
 * (alignment up to a page, size up to its largest allocation), create the
 * allocator from @pc and wrap it. Return: 0, or -1 with @err.
 */
int pb_pcpu_pool_create(const struct pb_pcpu_ops *ops, const struct pb_config *cfg,
			const struct pb_pcpu_config *pc, struct pb_pcpu_pool **out,
			char *err, size_t errlen);
/* The backend operations of the same name, for struct pb_backend. */
int pb_pcpu_backend_create(const struct pb_pcpu_ops *ops,
			   const struct pb_config *cfg, void **pool, char *err,
			   size_t errlen);
void pb_pcpu_pool_destroy(void *pool);
void *pb_pcpu_pool_per_cpu_ptr(void *pool, void *obj, unsigned int cpu);
void pb_pcpu_pool_stats(void *pool, struct pb_stats *st);

/*
 * struct pb_pcpu_index - a percpu allocator's chunks, sorted by the base
 * address of their unit 0, so that free finds a handle's chunk by binary
 * search and refuses a pointer outside every chunk. The chunks are the
 * allocator's own structs; the index reads each one's base (a char *) at
 * @base_off. Concurrency: none of its own; the allocator's lock covers it.
 */
struct pb_pcpu_index {
	void **chunk;		/* [nr], sorted by base */
	size_t nr, cap;
	size_t base_off;	/* offsetof(the chunk struct, its base) */
	size_t span;		/* bytes of unit 0 a chunk manages */
};

static inline char *pb_pcpu_index_base(const struct pb_pcpu_index *x, size_t i)
{
	return *(char *const *)((const char *)x->chunk[i] + x->base_off);
}

/* Insert @chunk at its place (the array doubles). Return: 0, or -1 (no memory). */
int pb_pcpu_index_add(struct pb_pcpu_index *x, void *chunk);
/* Remove @chunk, which must be in the index. */
void pb_pcpu_index_del(struct pb_pcpu_index *x, void *chunk);
/* The chunk whose first @span bytes of unit 0 hold @p, or NULL. */
void *pb_pcpu_index_find(const struct pb_pcpu_index *x, const void *p);
/* Bytes the index itself takes (metadata statistics). */
static inline size_t pb_pcpu_index_bytes(const struct pb_pcpu_index *x)
{
	return x->cap * sizeof(*x->chunk);
}

/* Registry of percpu allocators (allocators/pcpu.c). */
void pb_pcpu_register(const struct pb_pcpu_ops *ops);
size_t pb_pcpu_count(void);
const struct pb_pcpu_ops *pb_pcpu_at(size_t i);
const struct pb_pcpu_ops *pb_pcpu_find(const char *name);

#define PB_PCPU_REGISTER(sym)                                                  \
	__attribute__((constructor)) static void pb_pcpu_register_##sym(void)  \
	{                                                                      \
		pb_pcpu_register(&sym);                                        \
	}

#endif /* PB_ALLOCATORS_PCPU_H */
