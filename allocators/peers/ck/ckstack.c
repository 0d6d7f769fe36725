// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckstack.c - the peer backend "ck-stack": a fixed pool of cfg->capacity
 * objects on one Concurrency Kit stack (ck_stack.h, libck-dev 0.7.1, used
 * as it ships). alloc is ck_stack_pop_mpmc, free ck_stack_push_upmc; an
 * empty stack returns NULL. (Named ckstack.c, not ck_stack.c, so that the
 * object never stands for the system header of that name.)
 *
 * It is the userspace peer of the objpool freelist (seed 001,
 * objpool-freelist): a lock-free LIFO of free objects that must survive
 * ABA, here with one shared head instead of per-CPU slots, and ck's answer
 * to ABA instead of the seed's reference counts: the head is a {pointer,
 * generation} pair swapped by one double-width CAS (cmpxchg16b), every pop
 * bumping the generation, so a pop that read a head which was popped and
 * pushed back meanwhile fails its CAS and retries. Pushes need no
 * generation (a push cannot suffer ABA), hence the _upmc push.
 *
 * Each element is a ck_stack_entry_t followed by the object, as the
 * freelist's node precedes its object:
 *     [ck_stack_entry_t, padded to A][object, obj_size padded to A]
 * with A the requested alignment (at least 16), one aligned block for the
 * whole pool. The entry is never inside the user's object: a popper that
 * lost the race reads the next pointer of an entry another thread already
 * holds, which must still be a pointer (ck's own users embed the entry in
 * their structure for the same reason).
 *
 * How it differs from ck's own use: nothing but the wrapper. Bulk alloc and
 * free are loops over pop and push: ck has no bulk pop of n entries, and
 * its ck_stack_batch_pop_upmc takes the whole stack at once, which would
 * leave the other threads an empty pool (alloc NULL while objects are
 * free, against PB_BACKEND_FIXED) until the surplus was pushed back.
 *
 * Modes. One shared stack, safe from any thread at any time: exclusive and
 * shared run the same code, and the CPU slot is ignored. A ctx holds only
 * its thread's event counts, so the fast path writes nothing shared but
 * the stack head.
 *
 * ThreadSanitizer. ck_pr on x86-64 is inline assembly, which TSan does not
 * see; CK_USE_CC_BUILTINS would make it visible, but ck's builtin port has
 * no double-width CAS (no CK_F_PR_CAS_PTR_2_VALUE), so ck_stack_pop_mpmc
 * would not exist. So, in TSan builds only, the wrapper tells TSan what
 * ck's atomics do: __tsan_release(entry) before a push and
 * __tsan_acquire(entry) after a pop give the hand-over of an object from
 * the freeing thread to the next allocating one, and the accesses inside
 * push and pop (the entries' next pointers, which only ck touches) are
 * ignored: a losing popper's read of a next pointer being rewritten is a
 * real race that the generation CAS makes harmless, not a bug, and no
 * suppression is needed.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_stack.h>

#include "allocators/register.h"

#ifndef CK_F_STACK_POP_MPMC
#error "ck-stack needs ck_stack_pop_mpmc (CK_F_STACK_POP_MPMC), which " \
	"ck has only where ck_pr has a double-width CAS (x86-64: cmpxchg16b)"
#endif

#define CKS_NAME "ck-stack"
#define CKS_CACHELINE 64

#if defined(__SANITIZE_THREAD__)
#define CKS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CKS_TSAN 1
#endif
#endif

#ifdef CKS_TSAN
#include <sanitizer/tsan_interface.h>

/* Exported by the TSan runtime (gcc's and clang's), not in its header. */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

#define cks_tsan_release(e) __tsan_release(e)
#define cks_tsan_acquire(e) __tsan_acquire(e)
#define cks_tsan_ignore_begin() __tsan_ignore_thread_begin()
#define cks_tsan_ignore_end() __tsan_ignore_thread_end()
#else
#define cks_tsan_release(e) ((void)(e))
#define cks_tsan_acquire(e) ((void)(e))
#define cks_tsan_ignore_begin() ((void)0)
#define cks_tsan_ignore_end() ((void)0)
#endif

/*
 * struct cks_pool - the pool.
 *
 * Every element of block is either on stack or live (handed out), never
 * both. stack (head and generation, one 16-byte CAS target) sits alone in
 * the last cache line; the fields before it are written at create only.
 */
struct cks_pool {
	char *block;		/* nr_objs elements, stride bytes apart */
	size_t hdr;		/* bytes from an entry to its object */
	size_t stride;
	size_t nr_objs;
	_Atomic uint64_t allocs, fails;	/* totals of finished ctxs */
	ck_stack_t stack __attribute__((aligned(CKS_CACHELINE)));
};

/* Events counted by one ctx; added to the pool's totals at thread_fini. */
struct cks_ctx {
	struct cks_pool *p;
	uint64_t allocs, fails;
} __attribute__((aligned(CKS_CACHELINE)));

/* ---- fast paths -------------------------------------------------------- */

/* cks_push() - any thread, concurrently with pushes and pops. */
static inline void cks_push(struct cks_pool *p, ck_stack_entry_t *e)
{
	cks_tsan_release(e);
	cks_tsan_ignore_begin();
	ck_stack_push_upmc(&p->stack, e);
	cks_tsan_ignore_end();
}

/* cks_pop() - any thread, concurrently; NULL when the stack is empty. */
static inline ck_stack_entry_t *cks_pop(struct cks_pool *p)
{
	ck_stack_entry_t *e;

	cks_tsan_ignore_begin();
	e = ck_stack_pop_mpmc(&p->stack);
	cks_tsan_ignore_end();
	if (e)
		cks_tsan_acquire(e);
	return e;
}

/* cks_alloc() - by the ctx's thread; NULL once all capacity is live. */
static inline void *cks_alloc(void *ctx)
{
	struct cks_ctx *c = ctx;
	ck_stack_entry_t *e = cks_pop(c->p);

	if (unlikely(!e)) {
		c->fails++;
		return NULL;
	}
	c->allocs++;
	return (char *)e + c->p->hdr;
}

/* cks_free() - by any ctx's thread, whichever ctx allocated @obj. */
static inline void cks_free(void *ctx, void *obj)
{
	struct cks_pool *p = ((struct cks_ctx *)ctx)->p;

	cks_push(p, (ck_stack_entry_t *)(void *)((char *)obj - p->hdr));
}

/* A loop over pop: see the top comment for why not a batch pop. */
static inline size_t cks_alloc_bulk(void *ctx, void **objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		objs[i] = cks_alloc(ctx);
		if (!objs[i])
			break;
	}
	return i;
}

static inline void cks_free_bulk(void *ctx, void **objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cks_free(ctx, objs[i]);
}

/* ---- create / destroy -------------------------------------------------- */

static int cks_create(const struct pb_config *cfg, void **pool, char *err,
		      size_t errlen)
{
	struct pb_geometry g;
	struct cks_pool *p;
	uint64_t none[1];
	size_t a, hdr, stride;

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, CKS_NAME,
			     err, errlen) ||
	    pb_config_geometry(cfg, CKS_NAME, &g, err, errlen))
		return -1;
	a = cfg->align > alignof(max_align_t) ? cfg->align : alignof(max_align_t);
	hdr = (sizeof(ck_stack_entry_t) + a - 1) & ~(a - 1);
	if (cfg->obj_size > SIZE_MAX / 2 - hdr - a) {
		snprintf(err, errlen, CKS_NAME ": obj_size %zu too large",
			 cfg->obj_size);
		return -1;
	}
	stride = hdr + ((cfg->obj_size + a - 1) & ~(a - 1));
	if (!cfg->capacity || cfg->capacity > SIZE_MAX / stride) {
		snprintf(err, errlen, CKS_NAME ": capacity %zu: must be 1 to "
			 "%zu at this obj_size and align", cfg->capacity,
			 SIZE_MAX / stride);
		return -1;
	}
	p = aligned_alloc(CKS_CACHELINE, sizeof(*p));
	if (!p)
		goto nomem;
	memset(p, 0, sizeof(*p));
	p->hdr = hdr;
	p->stride = stride;
	p->nr_objs = cfg->capacity;
	p->block = aligned_alloc(a, p->nr_objs * stride);
	if (!p->block) {
		free(p);
		goto nomem;
	}
	ck_stack_init(&p->stack);
	/* Pushed last to first: the first allocs walk the block upwards. */
	for (size_t i = p->nr_objs; i--;)
		cks_push(p, (ck_stack_entry_t *)(void *)(p->block + i * stride));
	*pool = p;
	return 0;
nomem:
	snprintf(err, errlen, CKS_NAME ": out of memory");
	return -1;
}

/* Live objects at destroy break the contract; their memory goes anyway. */
static void cks_destroy(void *pool)
{
	struct cks_pool *p = pool;

	free(p->block);
	free(p);
}

/* thread_init() - any thread, any CPU slot: the stack is shared by all. */
static void *cks_thread_init(void *pool, unsigned int cpu)
{
	struct cks_ctx *c = aligned_alloc(CKS_CACHELINE, sizeof(*c));

	(void)cpu;
	if (!c) {
		pb_thread_init_error(CKS_NAME ": out of memory");
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->p = pool;
	return c;
}

/* Objects this ctx allocated may still be live, and freed through others. */
static void cks_thread_fini(void *pool, void *ctx)
{
	struct cks_pool *p = pool;
	struct cks_ctx *c = ctx;

	atomic_fetch_add_explicit(&p->allocs, c->allocs, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->fails, c->fails, memory_order_relaxed);
	free(c);
}

/* After every ctx was finalised: nothing pushes or pops during the walk. */
static void cks_stats(void *pool, struct pb_stats *st)
{
	struct cks_pool *p = pool;
	ck_stack_entry_t *e;
	uint64_t nr_free = 0;

	CK_STACK_FOREACH(&p->stack, e)
		nr_free++;
	pb_stats_set(st, PB_STAT_fast_hits, atomic_load(&p->allocs));
	pb_stats_set(st, PB_STAT_alloc_fails, atomic_load(&p->fails));
	pb_stats_set(st, PB_STAT_cached, nr_free);
	pb_stats_set(st, PB_STAT_metadata_bytes,
		     sizeof(*p) + (uint64_t)p->nr_objs * p->hdr);
}

PB_BACKEND_REGISTER_BULK(ck_stack, cks_alloc, cks_free, cks_alloc_bulk,
			 cks_free_bulk,
	.name = CKS_NAME,
	.flags = PB_BACKEND_FIXED | PB_BACKEND_PEER,
	.description = "Concurrency Kit's ck_stack (libck 0.7.1): a fixed pool "
		       "on one lock-free stack, ABA-safe by a generation CAS "
		       "(objpool-freelist's peer)",
	.create = cks_create,
	.destroy = cks_destroy,
	.thread_init = cks_thread_init,
	.thread_fini = cks_thread_fini,
	.stats = cks_stats,
)
