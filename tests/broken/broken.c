// SPDX-License-Identifier: GPL-2.0-only
/*
 * broken.c - backends with one planted bug each, to show that the test
 * suites catch every class of fault they claim to (tests/README.md).
 *
 * Built only into build/broken/ (never into poolbench or the suites that
 * `make test` runs on the real backends), by tests/harness/test_broken.sh,
 * which runs each of them alone (PB_TEST_ONLY) and expects the named suite
 * to fail with the named message.
 *
 * The base is a correct fixed pool: cfg->capacity objects carved from one
 * aligned block at a stride of obj_size rounded up to the alignment, a
 * LIFO stack of free objects under one mutex, a ctx that remembers the
 * last objects it allocated. Each registered backend flips one bug on.
 */
#include <pthread.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocators/register.h"

enum bug {
	BUG_ALIGN,	/* ignores an alignment of 64 or more */
	BUG_OVERLAP,	/* stride rounded down to the alignment: 100 B overlap */
	BUG_BULK_DUP,	/* alloc_bulk hands one object out twice */
	BUG_BULK_SHORT,	/* alloc_bulk gives at most 8 with room for more */
	BUG_CAPACITY,	/* serves capacity rounded up to a power of two */
	BUG_STRAY,	/* free writes one byte past the object */
	BUG_LEAK,	/* destroy forgets the block */
	BUG_STATS,	/* reports fast_hits only once an alloc happened */
	BUG_CTX,	/* thread_fini takes back objects that are still live */
	BUG_HANG,	/* alloc spins forever for 4096-byte objects */
};

struct bpool {
	pthread_mutex_t lock;
	enum bug bug;
	char *block;
	void **free;
	size_t nr_free, nr_objs, size, stride;
	uint64_t allocs, fails;
};

#define RECENT 8

struct bctx {
	struct bpool *p;
	void *recent[RECENT];	/* the last objects this ctx allocated */
	unsigned int next;
};

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static int bcreate(enum bug bug, const char *name, const struct pb_config *cfg,
		   void **pool, char *err, size_t errlen)
{
	size_t align = cfg->align > alignof(max_align_t) ? cfg->align :
							    alignof(max_align_t);
	size_t stride, n = cfg->capacity;
	struct pb_geometry g;
	struct bpool *p;
	uint64_t none[1];

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, name, err,
			     errlen) ||
	    pb_config_geometry(cfg, name, &g, err, errlen))
		return -1;
	if (bug == BUG_ALIGN && align >= 64)
		align = alignof(max_align_t);
	stride = round_up(cfg->obj_size, align);
	if (bug == BUG_OVERLAP && cfg->obj_size > align)
		stride = cfg->obj_size / align * align;
	if (bug == BUG_CAPACITY)
		while (n & (n - 1))
			n++;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	p->bug = bug;
	p->nr_objs = n;
	p->size = cfg->obj_size;
	p->stride = stride;
	p->block = aligned_alloc(align, round_up(n * stride + 1, align));
	p->free = calloc(n, sizeof(*p->free));
	if (!p->block || !p->free) {
		free(p->block);
		free(p->free);
		free(p);
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		p->free[p->nr_free++] = p->block + (n - 1 - i) * stride;
	pthread_mutex_init(&p->lock, NULL);
	*pool = p;
	return 0;
}

static void bdestroy(void *pool)
{
	struct bpool *p = pool;

	pthread_mutex_destroy(&p->lock);
	if (p->bug != BUG_LEAK)
		free(p->block);
	free(p->free);
	free(p);
}

static void *bthread_init(void *pool, unsigned int cpu)
{
	struct bctx *c = calloc(1, sizeof(*c));

	(void)cpu;
	if (c)
		c->p = pool;
	return c;
}

static void bfree(void *ctx, void *obj);

static void bthread_fini(void *pool, void *ctx)
{
	struct bctx *c = ctx;

	(void)pool;
	/* The bug: "flushes its cache" of objects that are not its to take. */
	if (c->p->bug == BUG_CTX)
		for (unsigned int i = 0; i < RECENT; i++)
			if (c->recent[i])
				bfree(c, c->recent[i]);
	free(c);
}

static void *balloc(void *ctx)
{
	struct bctx *c = ctx;
	struct bpool *p = c->p;
	void *obj = NULL;

	if (p->bug == BUG_HANG && p->size == 4096)
		for (;;)
			sleep(1);
	pthread_mutex_lock(&p->lock);
	if (p->nr_free) {
		obj = p->free[--p->nr_free];
		p->allocs++;
	} else {
		p->fails++;
	}
	pthread_mutex_unlock(&p->lock);
	if (obj) {
		c->recent[c->next++ % RECENT] = obj;
	}
	return obj;
}

static void bfree(void *ctx, void *obj)
{
	struct bctx *c = ctx;
	struct bpool *p = c->p;

	for (unsigned int i = 0; i < RECENT; i++)
		if (c->recent[i] == obj)
			c->recent[i] = NULL;
	/* The bug: one byte into the next object, which may be live. */
	if (p->bug == BUG_STRAY &&
	    (char *)obj + p->stride < p->block + p->nr_objs * p->stride)
		((char *)obj)[p->stride + p->size / 2] ^= 0x40;
	pthread_mutex_lock(&p->lock);
	p->free[p->nr_free++] = obj;
	pthread_mutex_unlock(&p->lock);
}

static size_t balloc_bulk(void *ctx, void **objs, size_t n)
{
	struct bctx *c = ctx;
	size_t i;

	if (c->p->bug == BUG_BULK_SHORT && n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		if (c->p->bug == BUG_BULK_DUP && i == 3) {
			objs[i] = objs[0];
			continue;
		}
		objs[i] = balloc(ctx);
		if (!objs[i])
			break;
	}
	return i;
}

static void bfree_bulk(void *ctx, void **objs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* The duplicate goes back once, or the stack would overflow. */
		if (((struct bctx *)ctx)->p->bug == BUG_BULK_DUP &&
		    i == 3 && objs[3] == objs[0])
			continue;
		bfree(ctx, objs[i]);
	}
}

static void bstats(void *pool, struct pb_stats *st)
{
	struct bpool *p = pool;

	if (p->bug != BUG_STATS || p->allocs)
		pb_stats_set(st, PB_STAT_fast_hits, p->allocs);
	pb_stats_set(st, PB_STAT_alloc_fails, p->fails);
}

#define BROKEN(sym, bugid, label)                                              \
	static int sym##_create(const struct pb_config *cfg, void **pool,      \
				char *err, size_t errlen)                      \
	{                                                                      \
		return bcreate(bugid, label, cfg, pool, err, errlen);          \
	}                                                                      \
	PB_BACKEND_REGISTER_BULK(sym, balloc, bfree, balloc_bulk, bfree_bulk,  \
		.name = label,                                                 \
		.description = "planted bug: " #bugid,                         \
		.flags = PB_BACKEND_FIXED,                                     \
		.create = sym##_create,                                        \
		.destroy = bdestroy,                                           \
		.thread_init = bthread_init,                                   \
		.thread_fini = bthread_fini,                                   \
		.stats = bstats,                                               \
	)

BROKEN(broken_align, BUG_ALIGN, "broken-align")
BROKEN(broken_overlap, BUG_OVERLAP, "broken-overlap")
BROKEN(broken_bulk_dup, BUG_BULK_DUP, "broken-bulk-dup")
BROKEN(broken_bulk_short, BUG_BULK_SHORT, "broken-bulk-short")
BROKEN(broken_capacity, BUG_CAPACITY, "broken-capacity")
BROKEN(broken_stray, BUG_STRAY, "broken-stray")
BROKEN(broken_leak, BUG_LEAK, "broken-leak")
BROKEN(broken_stats, BUG_STATS, "broken-stats")
BROKEN(broken_ctx, BUG_CTX, "broken-ctx")
BROKEN(broken_hang, BUG_HANG, "broken-hang")
