/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * register.h - the one-line registration of a backend (backend.h):
 * PB_BACKEND_REGISTER() and PB_BACKEND_REGISTER_BULK() define its struct
 * pb_backend, instantiate every timed kernel (workloads/kernels.h) with
 * its own alloc and free, and register it from a constructor. Only a
 * backend's own .c file includes this header; the harness and the tests
 * see backends through backend.h.
 */
#ifndef PB_ALLOCATORS_REGISTER_H
#define PB_ALLOCATORS_REGISTER_H

#include "allocators/backend.h"
#include "workloads/kernels.h"

/*
 * PB_FASTPATH - a backend's alloc or free (or a helper of one) whose
 * kernel counterpart is inline (a header's static inline: qmempool's,
 * objpool's, DPDK's ring and stack): the compiler must inline it into every
 * timed kernel, whatever its size. Without it gcc left qmempool's alloc
 * and free out of line once the rseq path made them longer, and a pair
 * took 5.1 ns instead of 2.3. tests/harness/test_probes.sh checks that no
 * timed kernel calls one.
 */
#define PB_FASTPATH static inline __attribute__((always_inline))

#define PB__CAT(a, b) a##b
#define PB_CAT(a, b) PB__CAT(a, b)

/**
 * PB_BACKEND_REGISTER_BULK() - define and register backend @sym.
 * @sym:        C identifier for the backend's symbols.
 * @alloc_fn:   the backend's alloc, ideally a static inline function, called
 *              directly (and inlined) inside every kernel.
 * @free_fn:    likewise for free.
 * @abulk_fn:   the backend's bulk alloc (returns how many it got).
 * @fbulk_fn:   the backend's bulk free.
 * ...:         designated initialisers of struct pb_backend (.name, .create,
 *              ...); the operations above, .kernels and .lat_kernels are filled
 *              in here.
 *
 * Registration runs before main() and aborts the program, with a message,
 * if a mandatory operation is missing or the name is taken.
 */
#define PB_BACKEND_REGISTER_BULK(sym, alloc_fn, free_fn, abulk_fn, fbulk_fn,   \
				 ...)                                          \
	PB_KERNELS_INSTANTIATE(sym, alloc_fn, free_fn, abulk_fn, fbulk_fn)     \
	static struct pb_backend PB_CAT(pb_backend_, sym) = {                  \
		.alloc = alloc_fn,                                             \
		.free = free_fn,                                               \
		.alloc_bulk = abulk_fn,                                        \
		.free_bulk = fbulk_fn,                                         \
		.kernels = PB_CAT(sym, _kernels),                              \
		.lat_kernels = PB_CAT(sym, _lat_kernels),                      \
		__VA_ARGS__                                                    \
	};                                                                     \
	__attribute__((constructor)) static void PB_CAT(pb_register_, sym)(void) \
	{                                                                      \
		pb_backend_register(&PB_CAT(pb_backend_, sym));                \
	}

/**
 * PB_BACKEND_REGISTER() - the same for a backend without bulk operations
 * @sym: C identifier for the backend's symbols
 * @alloc_fn: the backend's alloc
 * @free_fn: the backend's free
 * @...: designated initialisers of struct pb_backend
 *
 * Its bulk alloc and free are generated loops over @alloc_fn and @free_fn
 * (the generic default), inlined like them.
 */
#define PB_BACKEND_REGISTER(sym, alloc_fn, free_fn, ...)                       \
	PB_FASTPATH size_t PB_CAT(sym, _alloc_bulk_loop)(void *ctx,            \
							   void **objs,        \
							   size_t n)           \
	{                                                                      \
		size_t i;                                                      \
		for (i = 0; i < n; i++) {                                      \
			objs[i] = alloc_fn(ctx);                               \
			if (!objs[i])                                          \
				break;                                         \
		}                                                              \
		return i;                                                      \
	}                                                                      \
	PB_FASTPATH void PB_CAT(sym, _free_bulk_loop)(void *ctx,               \
							void **objs, size_t n) \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			free_fn(ctx, objs[i]);                                 \
	}                                                                      \
	PB_BACKEND_REGISTER_BULK(sym, alloc_fn, free_fn,                       \
				 PB_CAT(sym, _alloc_bulk_loop),                \
				 PB_CAT(sym, _free_bulk_loop), __VA_ARGS__)

#endif /* PB_ALLOCATORS_REGISTER_H */
