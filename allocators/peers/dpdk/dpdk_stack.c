// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpdk_stack.c - the backend "dpdk-stack": a fixed pool of cfg->capacity
 * objects whose free list is one DPDK rte_stack (librte_stack, DPDK
 * 22.11), a LIFO of pointers. It is the closest peer of the objpool
 * freelist (seed 001, allocators/objpool/objpool_freelist.c): both are
 * lock-free LIFO free lists of a fixed pool, but where the freelist makes
 * its CAS list ABA-safe with a reference count per node and keeps one list
 * per CPU slot, DPDK's lock-free stack pairs its head with a modification
 * counter in one 128-bit CAS (cmpxchg16b) and is one list for all threads.
 *
 * The option `lf` picks the stack: 1 (default) the lock-free stack
 * (RTE_STACK_F_LF), 0 DPDK's default stack, an array under a spinlock. The
 * objects are carved from one aligned allocation and all pushed at create.
 *
 * Bulk. rte_stack_pop(n) is all-or-nothing: with fewer than n on the
 * stack it pops none. The interface wants as many as the pool has
 * (alloc_bulk returns n while there is room, and a fixed pool serves its
 * last objects to a bulk alloc too), so a failed pop of n falls back, out
 * of line, to pops of what rte_stack_count() says is there; the common
 * case is the one rte_stack_pop of n that a DPDK application makes. A
 * push never fails: the stack has room for every object.
 *
 * Where this differs from a DPDK application: the stack's memory comes
 * from EAL's heap in 4 KB pages (eal.c: --no-huge), the objects from the
 * process allocator; the callers are not EAL lcores (the stack does not
 * need them to be). Context modes: no per-CPU state; both modes run the
 * same code. ds_alloc() and ds_free() are PB_FASTPATH, always inlined, as
 * DPDK's rte_stack push and pop are (__rte_always_inline). Concurrency
 * contract: alloc/free from any thread at once; create/destroy on one
 * thread with no ctx live.
 */

/* rte_stack_lf's inline code calls rte_atomic128_cmp_exchange, still
 * experimental in 22.11: DPDK's lock-free stack itself needs it. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_memzone.h>
/*
 * clang's -Wcast-align flags the lock-free stack's cast of its 8-aligned
 * list head type to rte_int128_t for cmpxchg16b; the head is declared
 * 16-byte aligned where it lives (struct rte_stack_lf_list), DPDK's code.
 */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wcast-align"
#endif
#include <rte_stack.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#include "allocators/objects.h"
#include "allocators/peers/dpdk/eal.h"
#include "allocators/register.h"

#define DS_NAME "dpdk-stack"
/* Pops of what the stack holds before a bulk alloc gives up on the rest. */
#define DS_BULK_RETRIES 64

enum { OPT_LF, OPT__COUNT };

static const struct pb_option_spec ds_options[] = {
	[OPT_LF] = { .key = "lf", .type = PB_OPT_UINT, .def = 1, .min = 0,
		     .max = 1,
		     .help = "1: lock-free stack (RTE_STACK_F_LF, 128-bit "
			     "CAS); 0: DPDK's default stack under a spinlock" },
	[OPT__COUNT] = { 0 }
};

static const char *const ds_variants[] = { "lf=0", NULL };

/* Stack names are unique per process (EAL's tailq); a counter makes them. */
static atomic_uint ds_next_id;

struct ds_pool {
	struct rte_stack *s;
	struct pb_objects objs;	/* the capacity objects, carved up */
};

static int ds_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	char name[RTE_STACK_NAMESIZE];
	uint64_t opt[OPT__COUNT];
	int rc;
	struct pb_geometry g;
	struct ds_pool *p;

	if (pb_options_parse(ds_options, cfg->opts, cfg->nr_opts, opt, DS_NAME,
			     err, errlen) ||
	    pb_config_geometry(cfg, DS_NAME, &g, err, errlen))
		return -1;
	if (!cfg->capacity || cfg->capacity > UINT32_MAX) {
		snprintf(err, errlen, DS_NAME ": capacity %zu: must be 1..%u "
			 "(one rte_stack holds the pool)", cfg->capacity,
			 UINT32_MAX);
		return cfg->capacity ? PB_CREATE_UNSUPPORTED : -1;
	}
	rc = pb_dpdk_eal_start(err, errlen);
	if (rc)
		return rc == -EINVAL ? -1 : PB_CREATE_UNSUPPORTED;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	if (pb_objects_carve(&p->objs, &g, cfg->capacity)) {
		free(p);
		goto nomem;
	}
	snprintf(name, sizeof(name), "pb-stack-%u",
		 atomic_fetch_add(&ds_next_id, 1));
	p->s = rte_stack_create(name, (unsigned int)p->objs.nr, SOCKET_ID_ANY,
				opt[OPT_LF] ? RTE_STACK_F_LF : 0);
	if (!p->s) {
		snprintf(err, errlen, DS_NAME ": rte_stack_create(capacity "
			 "%zu): %s", cfg->capacity, rte_strerror(rte_errno));
		pb_objects_free(&p->objs);
		free(p);
		/* EAL's memory (-m) too small for this capacity's stack. */
		return PB_CREATE_UNSUPPORTED;
	}
	for (size_t i = p->objs.nr; i--;) {
		void *obj = pb_objects_at(&p->objs, i);

		rte_stack_push(p->s, &obj, 1);
	}
	*pool = p;
	return 0;
nomem:
	snprintf(err, errlen, DS_NAME ": out of memory");
	return -1;
}

static void ds_destroy(void *pool)
{
	struct ds_pool *p = pool;

	rte_stack_free(p->s);
	pb_objects_free(&p->objs);
	free(p);
}

static void ds_stats(void *pool, struct pb_stats *st)
{
	struct ds_pool *p = pool;

	pb_stats_set(st, PB_STAT_cached, rte_stack_count(p->s));
	/* The stack's memzone: header and one entry per object. */
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     sizeof(*p) + p->s->memzone->len);
}

static inline unsigned int ds_clamp(size_t n)
{
	return n < UINT32_MAX ? (unsigned int)n : UINT32_MAX;
}

/* ds_alloc() - any thread; NULL when every object is live. */
PB_FASTPATH void *ds_alloc(void *pool)
{
	void *obj;

	if (unlikely(!rte_stack_pop(((struct ds_pool *)pool)->s, &obj, 1)))
		return NULL;
	pb_dpdk_tsan_acquire(&obj, 1);
	return obj;
}

/* ds_free() - any thread; the stack has room for every object. */
PB_FASTPATH void ds_free(void *pool, void *obj)
{
	pb_dpdk_tsan_release(&obj, 1);
	rte_stack_push(((struct ds_pool *)pool)->s, &obj, 1);
}

/*
 * ds_alloc_bulk_slow() - after a failed pop of @n: pop what the stack
 * holds, as many times as it takes (others may pop and push meanwhile).
 */
static __attribute__((noinline)) size_t
ds_alloc_bulk_slow(struct rte_stack *s, void **objs, size_t n)
{
	size_t got = 0;

	for (int tries = 0; got < n && tries < DS_BULK_RETRIES; tries++) {
		unsigned int k = rte_stack_count(s);

		if (!k)
			break;
		if (k > n - got)
			k = (unsigned int)(n - got);
		got += rte_stack_pop(s, objs + got, k);
	}
	return got;
}

/* ds_alloc_bulk() - up to @n: all of them while the pool has room. */
PB_FASTPATH size_t ds_alloc_bulk(void *pool, void **objs, size_t n)
{
	struct rte_stack *s = ((struct ds_pool *)pool)->s;
	size_t got = rte_stack_pop(s, objs, ds_clamp(n));

	if (unlikely(got < n))
		got = ds_alloc_bulk_slow(s, objs, n);
	pb_dpdk_tsan_acquire(objs, got);
	return got;
}

PB_FASTPATH void ds_free_bulk(void *pool, void **objs, size_t n)
{
	pb_dpdk_tsan_release(objs, n);
	rte_stack_push(((struct ds_pool *)pool)->s, objs, ds_clamp(n));
}

PB_BACKEND_REGISTER_BULK(dpdk_stack, ds_alloc, ds_free, ds_alloc_bulk,
			 ds_free_bulk,
	.name = DS_NAME,
	.flags = PB_BACKEND_FIXED | PB_BACKEND_PEER,
	.description = "DPDK rte_stack as a fixed pool's free list, lock-free "
		       "(lf=1) or locked; peer of objpool-freelist",
	.options = ds_options,
	.variants = ds_variants,
	.create = ds_create,
	.destroy = ds_destroy,
	.stats = ds_stats,
)
