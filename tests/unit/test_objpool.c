// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_objpool.c - single-thread semantics of the two objpool designs: the
 * per-CPU refcounted freelists of seed 001 (allocators/objpool/freelist.h)
 * and the per-CPU rings of Linux 6.7 (allocators/objpool/ring.h), through
 * their own APIs rather than the backends.
 *
 * Freelist: the three fill styles (self-managed elements with an init
 * callback, a user buffer, elements added one by one) and their mix, how
 * they spread over the slots, what opfl_fini tells its release callback,
 * exhaustion and the walk over the other slots (the stolen flag), LIFO
 * order within a slot, and argument checks. Ring: the round-robin spread
 * and alignment of the objects, exhaustion and stealing, one slot's ring
 * holding every object, FIFO order within a slot, many rounds of the
 * indices and their 32-bit wrap-around, the locked push, argument checks;
 * and, through the backend objpool-ring, the steals of the remote-free
 * pattern, counted exactly.
 * Every release callback frees what it is told is user memory, so the
 * ASan build's leak check covers the hand-over. The concurrent behaviour
 * is in tests/stress/test_objpool_stress.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/backend.h"
#include "allocators/objpool/freelist.h"
#include "allocators/objpool/ring.h"

#define MAX_OBJS 1024

/* A freelist element: the node first, then the payload. */
struct fl_elem {
	struct opfl_node node;
	uint32_t id;		/* order of the init callback / of addition */
	uint32_t magic;
};

#define FL_MAGIC 0x0b1ec7u

/* Context of the init callbacks: counts calls, fails the fail_at-th. */
struct init_ctx {
	unsigned int calls;
	unsigned int fail_at;	/* 0: never */
	void *seen[MAX_OBJS];	/* in call order */
};

/* What opfl_fini told the release callback, by (user, element). */
struct release_ctx {
	unsigned int count[2][2];
	unsigned int elems_after_buffer;	/* elements after the buffer */
	bool buffer_seen;
	void *buffer;				/* what it was told */
	void *elems[MAX_OBJS];			/* elements, in call order */
};

static int fl_init_cb(void *context, struct opfl_node *node)
{
	struct init_ctx *c = context;
	struct fl_elem *e = (struct fl_elem *)node;

	if (c->fail_at && c->calls + 1 == c->fail_at)
		return -EIO;
	assert_true(c->calls < MAX_OBJS);
	c->seen[c->calls] = node;
	e->id = c->calls++;
	e->magic = FL_MAGIC;
	return 0;
}

static void fl_release_cb(void *context, void *obj, bool user, bool element)
{
	struct release_ctx *c = context;
	unsigned int n = c->count[0][1] + c->count[1][1];

	assert_non_null(obj);
	if (element) {
		assert_true(n < MAX_OBJS);
		c->elems[n] = obj;
		if (c->buffer_seen)
			c->elems_after_buffer++;
	} else {
		/* Only the user buffer is not an element, and it is user's. */
		assert_true(user);
		assert_false(c->buffer_seen);
		c->buffer_seen = true;
		c->buffer = obj;
	}
	c->count[user][element]++;
	if (user)
		free(obj);
}

/* Elements in @slot, popped and pushed back in the same order. */
static unsigned int fl_slot_count(struct opfl_slot *slot)
{
	struct opfl_node *stack[MAX_OBJS], *node;
	unsigned int n = 0;

	while ((node = opfl_pop_slot(slot))) {
		assert_true(n < MAX_OBJS);
		stack[n++] = node;
	}
	for (unsigned int i = n; i-- > 0;)
		opfl_push_slot(stack[i], slot);
	return n;
}

/* Pop every slot dry: @out gets the elements, @slot_of each one's slot. */
static unsigned int fl_drain(struct opfl_head *h, struct opfl_node **out,
			     unsigned int *slot_of)
{
	unsigned int n = 0;

	for (uint32_t s = 0; s < h->ncpus; s++) {
		struct opfl_node *node;

		while ((node = opfl_pop_slot(h->slots[s]))) {
			assert_true(n < MAX_OBJS);
			if (slot_of)
				slot_of[n] = s;
			out[n++] = node;
		}
	}
	return n;
}

static void assert_distinct(void *const *objs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
}

static bool contains(void *const *objs, unsigned int n, const void *p)
{
	for (unsigned int i = 0; i < n; i++)
		if (objs[i] == p)
			return true;
	return false;
}

/* ---- freelist: fill styles ------------------------------------------- */

static void fl_self_managed(uint32_t nobjs, uint32_t ncpus, size_t align)
{
	struct opfl_head h;
	struct init_ctx *ic = calloc(1, sizeof(*ic));
	struct release_ctx *rc = calloc(1, sizeof(*rc));
	size_t a = align < sizeof(void *) ? sizeof(void *) : align;
	size_t esz = (sizeof(struct fl_elem) + a - 1) & ~(a - 1);

	assert_non_null(ic);
	assert_non_null(rc);
	assert_int_equal(opfl_init(&h, nobjs, sizeof(struct fl_elem), align,
				   ncpus, ic, fl_init_cb), 0);
	assert_int_equal(ic->calls, nobjs);
	assert_int_equal(h.nobjs, nobjs);
	assert_int_equal(h.ncpus, ncpus);
	assert_int_equal(h.objsz, esz);
	assert_true(h.in_slot);
	assert_null(h.pool);
	assert_distinct(ic->seen, ic->calls);
	for (uint32_t s = 0; s < ncpus; s++)
		assert_int_equal(fl_slot_count(h.slots[s]),
				 nobjs / ncpus + (s < nobjs % ncpus));
	for (unsigned int i = 0; i < ic->calls; i++) {
		struct fl_elem *e = ic->seen[i];

		assert_int_equal((uintptr_t)e % a, 0);
		assert_true(opfl_is_inslot(&h, e));
		assert_false(opfl_is_inpool(&h, e));
		assert_int_equal(e->magic, FL_MAGIC);
		assert_int_equal(e->id, i);
	}
	assert_false(opfl_is_inslot(&h, &h));

	opfl_fini(&h, rc, fl_release_cb);
	assert_int_equal(rc->count[0][1], nobjs);
	assert_int_equal(rc->count[1][1], 0);
	assert_int_equal(rc->count[1][0], 0);
	assert_int_equal(rc->count[0][0], 0);
	for (unsigned int i = 0; i < nobjs; i++)
		assert_true(contains(rc->elems, nobjs, ic->seen[i]));
	assert_null(h.slots);
	assert_int_equal(h.nobjs, 0);
	free(ic);
	free(rc);
}

static void test_fl_init_self(void **state)
{
	static const size_t aligns[] = { 0, 8, 16, 64, 4096 };

	(void)state;
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		fl_self_managed(10, 4, aligns[i]);
		fl_self_managed(3, 4, aligns[i]);
	}
	fl_self_managed(1, 1, 0);
	fl_self_managed(0, 2, 0);
	fl_self_managed(1000, 3, 0);
}

static void test_fl_init_callback_error(void **state)
{
	struct opfl_head h;
	struct init_ctx *ic = calloc(1, sizeof(*ic));

	(void)state;
	assert_non_null(ic);
	ic->fail_at = 5;
	assert_int_equal(opfl_init(&h, 8, sizeof(struct fl_elem), 0, 2, ic,
				   fl_init_cb), -EIO);
	assert_int_equal(ic->calls, 4);
	/* Cleaned up: nothing left to free (LeakSanitizer would say). */
	assert_null(h.slots);
	assert_null(h.slot_bytes);
	assert_int_equal(h.nobjs, 0);
	free(ic);
}

static void test_fl_populate(void **state)
{
	const uint32_t objsz = sizeof(struct fl_elem), ncpus = 3, n = 7;
	/* Half an element left over at the end: not an element. */
	size_t size = (size_t)n * objsz + objsz / 2;
	char *buf = malloc(size);
	struct opfl_head h;
	struct init_ctx *ic = calloc(1, sizeof(*ic));
	struct release_ctx *rc = calloc(1, sizeof(*rc));
	struct opfl_node *all[MAX_OBJS];
	unsigned int slot_of[MAX_OBJS], per_slot[3] = { 0 };

	(void)state;
	assert_non_null(buf);
	assert_non_null(ic);
	assert_non_null(rc);
	assert_int_equal(opfl_init(&h, 0, 0, 0, ncpus, NULL, NULL), 0);
	assert_int_equal(h.nobjs, 0);
	assert_false(h.in_slot);
	assert_int_equal(opfl_populate(&h, buf, size, objsz, ic, fl_init_cb),
			 0);
	assert_int_equal(ic->calls, n);
	assert_int_equal(h.nobjs, n);
	assert_ptr_equal(h.pool, buf);
	assert_int_equal(h.pool_size, size);
	assert_int_equal(h.objsz, objsz);
	/* In buffer order, at objsz stride, inside the buffer. */
	for (unsigned int i = 0; i < n; i++) {
		assert_ptr_equal(ic->seen[i], buf + (size_t)i * objsz);
		assert_true(opfl_is_inpool(&h, ic->seen[i]));
		assert_false(opfl_is_inslot(&h, ic->seen[i]));
	}
	assert_false(opfl_is_inpool(&h, buf + size));
	assert_false(opfl_is_inpool(&h, NULL));
	/* A second buffer, even a good one, is refused. */
	assert_int_equal(opfl_populate(&h, buf, size, objsz, ic, fl_init_cb),
			 -EINVAL);
	assert_int_equal(ic->calls, n);
	assert_int_equal(h.nobjs, n);

	/* Round-robin: element i in slot i % ncpus. */
	assert_int_equal(fl_drain(&h, all, slot_of), n);
	for (unsigned int i = 0; i < n; i++) {
		struct fl_elem *e = (struct fl_elem *)all[i];

		assert_int_equal(slot_of[i], e->id % ncpus);
		per_slot[slot_of[i]]++;
		opfl_push(&h, all[i], slot_of[i]);
	}
	assert_int_equal(per_slot[0], 3);
	assert_int_equal(per_slot[1], 2);
	assert_int_equal(per_slot[2], 2);

	/* Every element as not-user, then the buffer once, last. */
	opfl_fini(&h, rc, fl_release_cb);
	assert_int_equal(rc->count[0][1], n);
	assert_int_equal(rc->count[1][0], 1);
	assert_int_equal(rc->count[1][1], 0);
	assert_int_equal(rc->count[0][0], 0);
	assert_ptr_equal(rc->buffer, buf);
	assert_int_equal(rc->elems_after_buffer, 0);
	for (unsigned int i = 0; i < n; i++)
		assert_true(contains(rc->elems, n, ic->seen[i]));
	free(ic);
	free(rc);
}

/*
 * A failing init callback during populate leaves the pool unchanged: no
 * element of the buffer joined a slot, the buffer is still the caller's,
 * and fini releases nothing of it (the seed had added the elements before
 * the failure, and fini then released the buffer as scattered elements).
 */
static void test_fl_populate_callback_error(void **state)
{
	const uint32_t objsz = sizeof(struct fl_elem);
	char *buf = malloc(4 * (size_t)objsz);
	struct init_ctx *ic = calloc(1, sizeof(*ic));
	struct release_ctx *rc = calloc(1, sizeof(*rc));
	struct opfl_head h;

	(void)state;
	assert_non_null(buf);
	assert_non_null(ic);
	assert_non_null(rc);
	assert_int_equal(opfl_init(&h, 2, objsz, 0, 2, NULL, NULL), 0);
	ic->fail_at = 3;
	assert_int_equal(opfl_populate(&h, buf, 4 * (size_t)objsz, objsz, ic,
				       fl_init_cb), -EIO);
	assert_int_equal(h.nobjs, 2);
	assert_null(h.pool);
	opfl_fini(&h, rc, fl_release_cb);
	/* Only the two self-managed elements; nothing user-provided. */
	assert_int_equal(rc->count[0][1], 2);
	assert_int_equal(rc->count[1][1], 0);
	assert_int_equal(rc->count[1][0], 0);
	free(buf);
	free(ic);
	free(rc);
}

static void test_fl_populate_rejects(void **state)
{
	const uint32_t objsz = sizeof(struct fl_elem);
	size_t size = 4 * (size_t)objsz;
	char *buf = malloc(size);
	struct opfl_head h;
	struct release_ctx *rc = calloc(1, sizeof(*rc));

	(void)state;
	assert_non_null(buf);
	assert_non_null(rc);
	assert_int_equal(opfl_init(&h, 0, 0, 0, 2, NULL, NULL), 0);
	assert_int_equal(opfl_populate(&h, NULL, size, objsz, NULL, NULL),
			 -EINVAL);
	/* Smaller than the node; not a multiple of the pointer size. */
	assert_int_equal(opfl_populate(&h, buf, size, 8, NULL, NULL), -EINVAL);
	assert_int_equal(opfl_populate(&h, buf, size, objsz + 4, NULL, NULL),
			 -EINVAL);
	assert_int_equal(opfl_populate(&h, buf, size, 0, NULL, NULL), -EINVAL);
	/* A buffer not aligned to the pointer size. */
	assert_int_equal(opfl_populate(&h, buf + 4, size, objsz, NULL, NULL),
			 -EINVAL);
	/* Not one element fits: refused like the seed, -EINVAL. */
	assert_int_equal(opfl_populate(&h, buf, objsz - 1, objsz, NULL, NULL),
			 -EINVAL);
	assert_int_equal(opfl_populate(&h, buf, 0, objsz, NULL, NULL), -EINVAL);
	/* Nothing was added by the refused calls; a good one still works. */
	assert_int_equal(h.nobjs, 0);
	assert_null(h.pool);
	assert_int_equal(opfl_populate(&h, buf, size, objsz, NULL, NULL), 0);
	assert_int_equal(h.nobjs, 4);
	opfl_fini(&h, rc, fl_release_cb);
	assert_int_equal(rc->count[0][1], 4);
	assert_int_equal(rc->count[1][0], 1);

	/* A pool with self-managed elements takes only their size. */
	buf = aligned_alloc(64, 64 * 4);
	assert_non_null(buf);
	memset(rc, 0, sizeof(*rc));
	assert_int_equal(opfl_init(&h, 2, sizeof(struct fl_elem), 64, 2, NULL,
				   NULL), 0);
	assert_int_equal(h.objsz, 64);
	assert_int_equal(opfl_populate(&h, buf, 64 * 4, objsz, NULL, NULL),
			 -EINVAL);
	assert_int_equal(opfl_populate(&h, buf, 64 * 4, 64, NULL, NULL), 0);
	assert_int_equal(h.nobjs, 6);
	opfl_fini(&h, rc, fl_release_cb);
	assert_int_equal(rc->count[0][1], 6);
	assert_int_equal(rc->count[1][0], 1);
	assert_int_equal(rc->count[1][1], 0);
	free(rc);
}

static void test_fl_scattered(void **state)
{
	const uint32_t ncpus = 3, n = 8;
	struct opfl_head h;
	struct release_ctx *rc = calloc(1, sizeof(*rc));
	struct fl_elem *elems[8];
	struct opfl_node *all[MAX_OBJS];
	unsigned int slot_of[MAX_OBJS];

	(void)state;
	assert_non_null(rc);
	assert_int_equal(opfl_init(&h, 0, 0, 0, ncpus, NULL, NULL), 0);
	for (uint32_t i = 0; i < n; i++) {
		elems[i] = malloc(sizeof(*elems[i]));
		assert_non_null(elems[i]);
		elems[i]->id = i;
		opfl_add_scattered(&h, &elems[i]->node);
		assert_int_equal(h.nobjs, i + 1);
		assert_false(opfl_is_inslot(&h, elems[i]));
		assert_false(opfl_is_inpool(&h, elems[i]));
	}
	/* Balanced: the k-th one in slot k % ncpus (3, 3, 2). */
	for (uint32_t s = 0; s < ncpus; s++)
		assert_int_equal(fl_slot_count(h.slots[s]),
				 n / ncpus + (s < n % ncpus));
	assert_int_equal(fl_drain(&h, all, slot_of), n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(slot_of[i],
				 ((struct fl_elem *)all[i])->id % ncpus);
		opfl_push(&h, all[i], slot_of[i]);
	}
	/* Every element as user memory: the callback frees each. */
	opfl_fini(&h, rc, fl_release_cb);
	assert_int_equal(rc->count[1][1], n);
	assert_int_equal(rc->count[0][1], 0);
	assert_int_equal(rc->count[1][0], 0);
	assert_int_equal(rc->count[0][0], 0);
	free(rc);
}

/* All three styles in one pool; scattered balancing continues from them. */
static void test_fl_mixed(void **state)
{
	const uint32_t ncpus = 2;
	struct opfl_head h;
	struct init_ctx *ic = calloc(1, sizeof(*ic));
	struct release_ctx *rc = calloc(1, sizeof(*rc));
	uint32_t objsz;
	char *buf;

	(void)state;
	assert_non_null(ic);
	assert_non_null(rc);
	assert_int_equal(opfl_init(&h, 5, sizeof(struct fl_elem), 16, ncpus, ic,
				   fl_init_cb), 0);
	objsz = h.objsz;
	buf = aligned_alloc(16, 4 * objsz);
	assert_non_null(buf);
	assert_int_equal(opfl_populate(&h, buf, 4 * objsz, objsz, ic,
				       fl_init_cb), 0);
	assert_int_equal(ic->calls, 9);
	for (int i = 0; i < 3; i++) {
		struct fl_elem *e = malloc(sizeof(*e));

		assert_non_null(e);
		opfl_add_scattered(&h, &e->node);
	}
	assert_int_equal(h.nobjs, 12);
	/* 12 elements added round-robin from the first: 6 and 6. */
	assert_int_equal(fl_slot_count(h.slots[0]), 6);
	assert_int_equal(fl_slot_count(h.slots[1]), 6);
	opfl_fini(&h, rc, fl_release_cb);
	assert_int_equal(rc->count[0][1], 9);
	assert_int_equal(rc->count[1][1], 3);
	assert_int_equal(rc->count[1][0], 1);
	assert_int_equal(rc->count[0][0], 0);
	assert_ptr_equal(rc->buffer, buf);
	assert_int_equal(rc->elems_after_buffer, 0);
	free(ic);
	free(rc);
}

/* Without a release callback fini frees only its own memory. */
static void test_fl_fini_no_release(void **state)
{
	struct opfl_head h;

	(void)state;
	assert_int_equal(opfl_init(&h, 6, 32, 0, 3, NULL, NULL), 0);
	opfl_fini(&h, NULL, NULL);
	assert_null(h.slots);
	/* A second fini of the zeroed head does nothing. */
	opfl_fini(&h, NULL, NULL);
}

/* ---- freelist: pop and push ------------------------------------------ */

static void test_fl_exhaust_and_steal(void **state)
{
	const uint32_t ncpus = 3, n = 7;
	struct opfl_head h;
	struct opfl_node *all[MAX_OBJS], *got[MAX_OBJS];
	unsigned int slot_of[MAX_OBJS];
	bool stolen;

	(void)state;
	assert_int_equal(opfl_init(&h, n, sizeof(struct fl_elem), 0, ncpus,
				   NULL, NULL), 0);
	/*
	 * Where each element lives (3, 2, 2); pushed back in reverse, each
	 * slot pops them again in the order drained.
	 */
	assert_int_equal(fl_drain(&h, all, slot_of), n);
	for (unsigned int i = n; i-- > 0;)
		opfl_push(&h, all[i], slot_of[i]);

	for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
		unsigned int k = 0, own = n / ncpus + (cpu < n % ncpus);
		/* Expected order: own slot, then cpu + 1, cpu + 2, ... */
		unsigned int order[MAX_OBJS], m = 0;
		struct opfl_node *node;

		for (uint32_t d = 0; d < ncpus; d++)
			for (unsigned int i = 0; i < n; i++)
				if (slot_of[i] == (cpu + d) % ncpus)
					order[m++] = i;
		assert_int_equal(m, n);
		while ((node = opfl_pop(&h, cpu, &stolen))) {
			assert_true(k < n);
			got[k] = node;
			assert_ptr_equal(node, all[order[k]]);
			assert_int_equal(stolen, slot_of[order[k]] != cpu);
			assert_int_equal(stolen, k >= own);
			k++;
		}
		assert_int_equal(k, n);
		assert_distinct((void **)got, k);
		assert_null(opfl_pop(&h, cpu, NULL));
		stolen = true;
		assert_null(opfl_pop(&h, cpu, &stolen));
		assert_false(stolen);
		/* Back where each came from, in the same order; pop again. */
		for (unsigned int i = n; i-- > 0;)
			opfl_push(&h, all[i], slot_of[i]);
	}
	/* Pushed all to one slot: every other CPU steals every one. */
	assert_int_equal(fl_drain(&h, got, NULL), n);
	for (unsigned int i = 0; i < n; i++)
		opfl_push(&h, got[i], 2);
	for (unsigned int i = 0; i < n; i++) {
		assert_non_null(opfl_pop(&h, 1, &stolen));
		assert_true(stolen);
	}
	assert_null(opfl_pop(&h, 1, &stolen));
	for (unsigned int i = 0; i < n; i++)
		opfl_push(&h, got[i], 0);
	opfl_fini(&h, NULL, NULL);
}

static void test_fl_push_lifo(void **state)
{
	const uint32_t ncpus = 3;
	struct opfl_head h;
	struct opfl_node *all[MAX_OBJS];
	bool stolen;

	(void)state;
	assert_int_equal(opfl_init(&h, 6, sizeof(struct fl_elem), 0, ncpus,
				   NULL, NULL), 0);
	assert_int_equal(fl_drain(&h, all, NULL), 6);
	for (uint32_t s = 0; s < ncpus; s++)
		assert_null(opfl_pop_slot(h.slots[s]));
	/* Pushes to CPU 2's slot come back from it, last in first out. */
	for (unsigned int i = 0; i < 4; i++)
		opfl_push(&h, all[i], 2);
	assert_null(opfl_pop_slot(h.slots[0]));
	assert_null(opfl_pop_slot(h.slots[1]));
	for (unsigned int i = 4; i-- > 0;)
		assert_ptr_equal(opfl_pop_slot(h.slots[2]), all[i]);
	assert_null(opfl_pop_slot(h.slots[2]));
	/* Interleaved: push a, b; pop b; push c; pop c, a. */
	opfl_push(&h, all[0], 1);
	opfl_push(&h, all[1], 1);
	assert_ptr_equal(opfl_pop(&h, 1, &stolen), all[1]);
	assert_false(stolen);
	opfl_push(&h, all[2], 1);
	assert_ptr_equal(opfl_pop(&h, 1, &stolen), all[2]);
	assert_ptr_equal(opfl_pop(&h, 1, &stolen), all[0]);
	assert_null(opfl_pop(&h, 1, &stolen));
	/* At rest a popped node holds no reference and no flag. */
	for (unsigned int i = 0; i < 6; i++) {
		assert_int_equal(atomic_load(&all[i]->refs), 0);
		opfl_push(&h, all[i], i % ncpus);
		assert_int_equal(atomic_load(&all[i]->refs), 1);
	}
	opfl_fini(&h, NULL, NULL);
}

static void test_fl_init_rejects(void **state)
{
	struct opfl_head h;

	(void)state;
	assert_int_equal(opfl_init(&h, 4, sizeof(struct opfl_node) - 1, 0, 2,
				   NULL, NULL), -EINVAL);
	assert_null(h.slots);
	assert_int_equal(opfl_init(&h, 4, 1, 0, 2, NULL, NULL), -EINVAL);
	assert_int_equal(opfl_init(&h, 4, 32, 0, 0, NULL, NULL), -EINVAL);
	assert_int_equal(opfl_init(&h, 0, 0, 0, 0, NULL, NULL), -EINVAL);
	assert_int_equal(opfl_init(&h, 4, 32, 24, 2, NULL, NULL), -EINVAL);
	assert_int_equal(opfl_init(&h, 4, 32, 8192, 2, NULL, NULL), -EINVAL);
	assert_null(h.slots);
	/* Exactly a node is enough. */
	assert_int_equal(opfl_init(&h, 4, sizeof(struct opfl_node), 0, 2, NULL,
				   NULL), 0);
	assert_int_equal(h.nobjs, 4);
	opfl_fini(&h, NULL, NULL);
}

/* ---- ring --------------------------------------------------------------- */

struct ring_init_ctx {
	unsigned int calls;
	unsigned int fail_at;
	size_t objsz;
	void *seen[MAX_OBJS];
};

static int ring_init_cb(void *context, void *obj)
{
	struct ring_init_ctx *c = context;

	if (c->fail_at && c->calls + 1 == c->fail_at)
		return -EIO;
	assert_true(c->calls < MAX_OBJS);
	/* The whole object is writable (ASan checks the bounds). */
	memset(obj, 0xa5, c->objsz);
	c->seen[c->calls++] = obj;
	return 0;
}

/* Objects in @slot, in pop order, pushed back in the same order. */
static unsigned int ring_slot_list(struct opr_head *h, struct opr_slot *slot,
				   void **out)
{
	unsigned int n = 0;
	void *tmp[MAX_OBJS], *obj;

	while ((obj = opr_pop_slot(h, slot))) {
		assert_true(n < h->nr_objs && n < MAX_OBJS);
		tmp[n++] = obj;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (out)
			out[i] = tmp[i];
		opr_push_excl(slot, tmp[i]);
	}
	return n;
}

/* Pop every slot dry, in slot order. */
static unsigned int ring_drain(struct opr_head *h, void **out,
			       unsigned int *slot_of)
{
	unsigned int n = 0;

	for (uint32_t s = 0; s < h->ncpus; s++) {
		void *obj;

		while ((obj = opr_pop_slot(h, h->slots[s]))) {
			assert_true(n < h->nr_objs);
			if (slot_of)
				slot_of[n] = s;
			out[n++] = obj;
		}
	}
	return n;
}

static void test_ring_init_rejects(void **state)
{
	static const size_t bad_align[] = { 0, 1, 4, 3, 12, 24, 100, 8192 };
	struct opr_head h;

	(void)state;
	assert_int_equal(opr_init(&h, 0, 32, 8, 2, NULL, NULL), -EINVAL);
	assert_null(h.slots);
	assert_int_equal(opr_init(&h, 4, 32, 8, 0, NULL, NULL), -EINVAL);
	assert_int_equal(opr_init(&h, 4, 0, 8, 2, NULL, NULL), -EINVAL);
	assert_int_equal(opr_init(&h, (1u << 30) + 1, 8, 8, 1, NULL, NULL),
			 -EINVAL);
	for (size_t i = 0; i < sizeof(bad_align) / sizeof(bad_align[0]); i++)
		assert_int_equal(opr_init(&h, 4, 32, bad_align[i], 2, NULL,
					  NULL), -EINVAL);
	assert_null(h.slots);
	opr_fini(&h);
}

static void test_ring_init_callback_error(void **state)
{
	struct opr_head h;
	struct ring_init_ctx *ic = calloc(1, sizeof(*ic));

	(void)state;
	assert_non_null(ic);
	ic->objsz = 16;
	ic->fail_at = 6;
	assert_int_equal(opr_init(&h, 9, 16, 8, 2, ic, ring_init_cb), -EIO);
	assert_int_equal(ic->calls, 5);
	assert_null(h.slots);
	assert_int_equal(h.nr_objs, 0);
	free(ic);
}

static void ring_spread(uint32_t nr_objs, uint32_t ncpus, size_t objsz,
			size_t align)
{
	struct opr_head h;
	struct ring_init_ctx *ic = calloc(1, sizeof(*ic));
	void *list[MAX_OBJS];
	unsigned int k = 0;
	int on_stack;

	assert_non_null(ic);
	ic->objsz = objsz;
	assert_int_equal(opr_init(&h, nr_objs, objsz, align, ncpus, ic,
				  ring_init_cb), 0);
	assert_int_equal(ic->calls, nr_objs);
	assert_int_equal(h.nr_objs, nr_objs);
	assert_int_equal(h.ncpus, ncpus);
	assert_true(h.obj_stride >= objsz);
	assert_int_equal(h.obj_stride % align, 0);
	assert_distinct(ic->seen, ic->calls);
	for (unsigned int i = 0; i < nr_objs; i++) {
		assert_int_equal((uintptr_t)ic->seen[i] % align, 0);
		assert_true(opr_owns(&h, ic->seen[i]));
	}
	assert_false(opr_owns(&h, &on_stack));
	assert_false(opr_owns(&h, NULL));
	assert_false(opr_owns(&h, ic));
	for (uint32_t s = 0; s < ncpus; s++) {
		uint32_t mask = h.slots[s]->mask;
		unsigned int n = ring_slot_list(&h, h.slots[s], list);

		/* The capacity: a power of two that holds every object. */
		assert_int_equal(mask & (mask + 1), 0);
		assert_true(mask + 1 >= nr_objs);
		assert_true(mask / 2 + 1 < nr_objs || nr_objs == 1);
		assert_int_equal((uintptr_t)h.slots[s] % OPR_CACHELINE, 0);
		assert_int_equal((uintptr_t)h.slots[s]->entries % OPR_CACHELINE,
				 0);
		/* Round-robin, FIFO within a slot: init order, slot by slot. */
		assert_int_equal(n, nr_objs / ncpus + (s < nr_objs % ncpus));
		for (unsigned int i = 0; i < n; i++)
			assert_ptr_equal(list[i], ic->seen[k + i]);
		k += n;
	}
	assert_int_equal(k, nr_objs);
	opr_fini(&h);
	assert_null(h.slots);
	free(ic);
}

static void test_ring_init_spread(void **state)
{
	static const size_t aligns[] = { 8, 16, 64, 4096 };

	(void)state;
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		ring_spread(10, 4, 24, aligns[i]);
		ring_spread(3, 4, 8, aligns[i]);
		ring_spread(5, 1, 100, aligns[i]);
		ring_spread(1, 2, 1, aligns[i]);
		ring_spread(64, 3, 64, aligns[i]);
	}
	ring_spread(1000, 2, 16, 8);
}

static void test_ring_exhaust_and_steal(void **state)
{
	const uint32_t ncpus = 3, n = 8;
	struct opr_head h;
	void *all[MAX_OBJS], *got[MAX_OBJS];
	unsigned int slot_of[MAX_OBJS];
	bool stolen;

	(void)state;
	assert_int_equal(opr_init(&h, n, 32, 16, ncpus, NULL, NULL), 0);
	assert_int_equal(ring_drain(&h, all, slot_of), n);
	for (unsigned int i = 0; i < n; i++)
		opr_push_excl(h.slots[slot_of[i]], all[i]);

	for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
		unsigned int k = 0, own = n / ncpus + (cpu < n % ncpus);
		/* Expected order: own slot, then cpu + 1, cpu + 2, ... */
		unsigned int order[MAX_OBJS], m = 0;

		for (uint32_t d = 0; d < ncpus; d++)
			for (unsigned int i = 0; i < n; i++)
				if (slot_of[i] == (cpu + d) % ncpus)
					order[m++] = i;
		assert_int_equal(m, n);
		while ((got[k] = opr_pop(&h, cpu, &stolen))) {
			assert_true(k < n);
			assert_ptr_equal(got[k], all[order[k]]);
			assert_int_equal(stolen, slot_of[order[k]] != cpu);
			assert_int_equal(stolen, k >= own);
			k++;
		}
		assert_int_equal(k, n);
		assert_distinct(got, k);
		stolen = true;
		assert_null(opr_pop(&h, cpu, &stolen));
		assert_false(stolen);
		for (unsigned int i = 0; i < n; i++)
			opr_push_excl(h.slots[slot_of[i]], all[i]);
	}
	opr_fini(&h);
}

/* One slot's ring takes every object, and gives them back FIFO. */
static void ring_one_slot(uint32_t nr_objs, bool locked)
{
	const uint32_t ncpus = 3;
	struct opr_head h;
	void **all = calloc(nr_objs, sizeof(*all));
	void **got = calloc(nr_objs, sizeof(*got));
	bool stolen;

	assert_non_null(all);
	assert_non_null(got);
	assert_int_equal(opr_init(&h, nr_objs, 16, 8, ncpus, NULL, NULL), 0);
	for (int round = 0; round < 3; round++) {
		uint32_t target = (uint32_t)round % ncpus;
		unsigned int k = 0;
		void *obj;

		assert_int_equal(ring_drain(&h, all, NULL), nr_objs);
		for (uint32_t s = 0; s < ncpus; s++)
			assert_null(opr_pop_slot(&h, h.slots[s]));
		/* Reversed, so that FIFO differs from where they came from. */
		for (unsigned int i = nr_objs; i-- > 0;) {
			if (locked)
				opr_push_locked(h.slots[target], all[i]);
			else
				opr_push_excl(h.slots[target], all[i]);
		}
		assert_int_equal(atomic_load(&h.slots[target]->lock), 0);
		assert_int_equal(atomic_load(&h.slots[target]->last) -
				 atomic_load(&h.slots[target]->head), nr_objs);
		for (uint32_t s = 0; s < ncpus; s++)
			if (s != target)
				assert_null(opr_pop_slot(&h, h.slots[s]));
		/* From another CPU: all stolen, in push order. */
		while ((obj = opr_pop(&h, (target + 1) % ncpus, &stolen))) {
			assert_true(k < nr_objs);
			assert_true(stolen);
			assert_ptr_equal(obj, all[nr_objs - 1 - k]);
			got[k++] = obj;
		}
		assert_int_equal(k, nr_objs);
		for (unsigned int i = 0; i < nr_objs; i++)
			opr_push_excl(h.slots[i % ncpus], got[i]);
	}
	opr_fini(&h);
	free(all);
	free(got);
}

static void test_ring_one_slot_holds_all(void **state)
{
	static const uint32_t sizes[] = { 1, 2, 5, 7, 64, 1000, 1024 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ring_one_slot(sizes[i], false);
		ring_one_slot(sizes[i], true);
	}
}

static void test_ring_fifo(void **state)
{
	struct opr_head h;
	void *all[8];
	struct opr_slot *s;

	(void)state;
	assert_int_equal(opr_init(&h, 5, 32, 8, 2, NULL, NULL), 0);
	assert_int_equal(ring_drain(&h, all, NULL), 5);
	s = h.slots[1];
	/* push a b c; pop a; push d; pop b c d; push e a; pop e a. */
	opr_push_excl(s, all[0]);
	opr_push_excl(s, all[1]);
	opr_push_excl(s, all[2]);
	assert_ptr_equal(opr_pop_slot(&h, s), all[0]);
	opr_push_excl(s, all[3]);
	assert_ptr_equal(opr_pop_slot(&h, s), all[1]);
	assert_ptr_equal(opr_pop_slot(&h, s), all[2]);
	assert_ptr_equal(opr_pop_slot(&h, s), all[3]);
	assert_null(opr_pop_slot(&h, s));
	opr_push_excl(s, all[4]);
	opr_push_excl(s, all[0]);
	assert_ptr_equal(opr_pop_slot(&h, s), all[4]);
	assert_ptr_equal(opr_pop_slot(&h, s), all[0]);
	assert_null(opr_pop_slot(&h, s));
	assert_null(opr_pop_slot(&h, h.slots[0]));
	for (unsigned int i = 0; i < 5; i++)
		opr_push_excl(h.slots[i % 2], all[i]);
	opr_fini(&h);
}

/*
 * Many rounds through a small ring: the indices run far past the capacity
 * (2^16 rounds x 3 per slot), so every entry is reused many times over.
 */
static void test_ring_many_rounds(void **state)
{
	const uint32_t n = 3, ncpus = 2, rounds = 3u << 16;
	struct opr_head h;
	void *all[3], *held[3];
	uint64_t pops = 0;
	bool stolen;

	(void)state;
	assert_int_equal(opr_init(&h, n, 16, 8, ncpus, NULL, NULL), 0);
	assert_int_equal(ring_drain(&h, all, NULL), n);
	for (unsigned int i = 0; i < n; i++)
		opr_push_excl(h.slots[0], all[i]);
	for (uint32_t r = 0; r < rounds; r++) {
		unsigned int k = 1 + r % n;	/* hold 1..n at a time */
		uint32_t cpu = (r / 7) % ncpus;

		for (unsigned int i = 0; i < k; i++) {
			held[i] = opr_pop(&h, cpu, &stolen);
			assert_non_null(held[i]);
			assert_true(contains(all, n, held[i]));
			pops++;
		}
		assert_distinct(held, k);
		for (unsigned int i = 0; i < k; i++) {
			struct opr_slot *s = h.slots[(r + i) % ncpus];

			if (r & 1)
				opr_push_locked(s, held[i]);
			else
				opr_push_excl(s, held[i]);
		}
	}
	/* Every push advanced one slot's indices: they add up to the pops. */
	{
		uint64_t pushed = 0;

		for (uint32_t s = 0; s < ncpus; s++) {
			struct opr_slot *sl = h.slots[s];

			assert_int_equal(atomic_load(&sl->tail),
					 atomic_load(&sl->last));
			pushed += atomic_load(&sl->tail);
		}
		assert_true(pushed == pops + 2 * n);
	}
	assert_int_equal(ring_drain(&h, held, NULL), n);
	for (unsigned int i = 0; i < n; i++)
		assert_true(contains(held, n, all[i]));
	for (unsigned int i = 0; i < n; i++)
		opr_push_excl(h.slots[0], all[i]);
	opr_fini(&h);
}

/*
 * One round of test_ring_wrap32: every slot of @h empty at index @start;
 * fill slot 1 with @n objects across the wrap, run rounds through it, then
 * drain it from CPU 0's side.
 */
static void ring_wrap_from(struct opr_head *h, void **all, uint32_t n,
			   uint32_t start)
{
	struct opr_slot *s = h->slots[1];
	uint32_t next_in = 0, next_out = 0;
	void *got[8];
	bool stolen;

	for (uint32_t c = 0; c < h->ncpus; c++) {
		atomic_store(&h->slots[c]->head, start);
		atomic_store(&h->slots[c]->tail, start);
		atomic_store(&h->slots[c]->last, start);
	}
	assert_null(opr_pop(h, 0, &stolen));
	/* Full across the wrap, then a rotating queue. */
	for (unsigned int i = 0; i < n; i++)
		opr_push_excl(s, all[next_in++ % n]);
	assert_int_equal(atomic_load(&s->last) - atomic_load(&s->head), n);
	for (unsigned int r = 0; r < 300; r++) {
		unsigned int k = 1 + r % n;

		for (unsigned int i = 0; i < k; i++) {
			got[i] = opr_pop(h, 1, &stolen);
			assert_ptr_equal(got[i], all[next_out++ % n]);
			assert_false(stolen);
		}
		for (unsigned int i = 0; i < k; i++, next_in++) {
			if (r & 1)
				opr_push_locked(s, got[i]);
			else
				opr_push_excl(s, got[i]);
		}
	}
	/* Drained from CPU 0's side: stolen, still FIFO. */
	for (unsigned int i = 0; i < n; i++) {
		assert_ptr_equal(opr_pop(h, 0, &stolen), all[next_out++ % n]);
		assert_true(stolen);
	}
	assert_null(opr_pop(h, 0, &stolen));
	assert_int_equal(next_in, next_out);
	/* Really crossed 2^32. */
	assert_int_equal(atomic_load(&s->tail), (uint32_t)(start + next_in));
	assert_true(atomic_load(&s->tail) < start);
	assert_int_equal(atomic_load(&s->head), atomic_load(&s->last));
}

/*
 * The 32-bit indices cross 2^32: set head = tail = last just short of it
 * on empty slots, then fill one slot so that it straddles the wrap, and
 * run rounds across it. The entries at the new positions are stale, which
 * is fine: an empty slot's entries are never read.
 */
static void test_ring_wrap32(void **state)
{
	static const uint32_t starts[] = {
		UINT32_MAX, UINT32_MAX - 1, UINT32_MAX - 4, UINT32_MAX - 100,
	};
	static const uint32_t sizes[] = { 5, 8, 1 };

	(void)state;
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		const uint32_t n = sizes[z];
		struct opr_head h;
		void *all[8];

		assert_int_equal(opr_init(&h, n, 24, 8, 2, NULL, NULL), 0);
		assert_int_equal(ring_drain(&h, all, NULL), n);
		for (size_t w = 0; w < sizeof(starts) / sizeof(starts[0]); w++)
			ring_wrap_from(&h, all, n, starts[w]);
		for (unsigned int i = 0; i < n; i++)
			opr_push_excl(h.slots[0], all[i]);
		opr_fini(&h);
	}
}

/* Single-threaded, the locked push is the exclusive one plus the lock. */
static void test_ring_push_locked(void **state)
{
	struct opr_head a, b;
	void *pa[6], *pb[6], *ga, *gb;
	bool sa, sb;

	(void)state;
	assert_int_equal(opr_init(&a, 6, 40, 8, 2, NULL, NULL), 0);
	assert_int_equal(opr_init(&b, 6, 40, 8, 2, NULL, NULL), 0);
	assert_int_equal(ring_drain(&a, pa, NULL), 6);
	assert_int_equal(ring_drain(&b, pb, NULL), 6);
	for (unsigned int i = 0; i < 6; i++) {
		opr_push_excl(a.slots[i % 3 == 0], pa[i]);
		opr_push_locked(b.slots[i % 3 == 0], pb[i]);
		assert_int_equal(atomic_load(&b.slots[i % 3 == 0]->lock), 0);
	}
	for (uint32_t s = 0; s < 2; s++) {
		assert_int_equal(atomic_load(&a.slots[s]->tail),
				 atomic_load(&b.slots[s]->tail));
		assert_int_equal(atomic_load(&a.slots[s]->last),
				 atomic_load(&b.slots[s]->last));
		assert_int_equal(atomic_load(&a.slots[s]->head),
				 atomic_load(&b.slots[s]->head));
	}
	/* Same objects by index, same order, same stolen flags. */
	for (unsigned int k = 0; k < 6; k++) {
		unsigned int ia = 0, ib = 0;

		ga = opr_pop(&a, 1, &sa);
		gb = opr_pop(&b, 1, &sb);
		while (pa[ia] != ga)
			assert_true(++ia < 6);
		while (pb[ib] != gb)
			assert_true(++ib < 6);
		assert_int_equal(ia, ib);
		assert_int_equal(sa, sb);
	}
	assert_null(opr_pop(&a, 0, &sa));
	assert_null(opr_pop(&b, 0, &sb));
	for (unsigned int i = 0; i < 6; i++) {
		opr_push_locked(a.slots[0], pa[i]);
		opr_push_locked(b.slots[1], pb[i]);
	}
	opr_fini(&a);
	opr_fini(&b);
}

/*
 * The backend objpool-ring on the remote-free pattern, one thread playing
 * both sides: a producer ctx on CPU 0 allocates, a consumer ctx on CPU 1
 * frees each object into its own slot. The producer's slot starts with its
 * round-robin share of the pool and never gets an object back, so every
 * alloc past that share is a steal from the consumer's slot, none fails,
 * and the statistics say so exactly (counted in objects, whatever the
 * number of rounds).
 */
static void ring_backend_remote_free(enum pb_mode mode)
{
	enum { CAPACITY = 260, SHARE = CAPACITY / 2, IN_FLIGHT = 128, ROUNDS = 40 };
	const struct pb_backend *b = pb_backend_find("objpool-ring");
	struct pb_config cfg = {
		.obj_size = 64, .capacity = CAPACITY, .nr_cpus = 2,
		.nr_threads = 2, .mode = mode,
	};
	void *objs[IN_FLIGHT], *pool, *producer, *consumer;
	struct pb_stats st = { 0 };
	char err[256] = "";

	assert_non_null(b);
	assert_int_equal(b->create(&cfg, &pool, err, sizeof(err)), 0);
	producer = b->thread_init(pool, 0);
	consumer = b->thread_init(pool, 1);
	assert_non_null(producer);
	assert_non_null(consumer);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		for (unsigned int i = 0; i < IN_FLIGHT; i++) {
			objs[i] = b->alloc(producer);
			assert_non_null(objs[i]);
		}
		assert_distinct(objs, IN_FLIGHT);
		for (unsigned int i = 0; i < IN_FLIGHT; i++)
			b->free(consumer, objs[i]);
	}
	b->thread_fini(pool, producer);
	b->thread_fini(pool, consumer);
	b->stats(pool, &st);
	assert_true(pb_stats_has(&st, PB_STAT_fast_hits));
	assert_true(pb_stats_has(&st, PB_STAT_steals));
	assert_int_equal(st.v[PB_STAT_fast_hits], SHARE);
	assert_int_equal(st.v[PB_STAT_steals], ROUNDS * IN_FLIGHT - SHARE);
	assert_int_equal(st.v[PB_STAT_alloc_fails], 0);
	b->destroy(pool);
}

static void test_ring_backend_remote_free_steals(void **state)
{
	(void)state;
	ring_backend_remote_free(PB_MODE_EXCLUSIVE);
	ring_backend_remote_free(PB_MODE_SHARED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fl_init_self),
		cmocka_unit_test(test_fl_init_callback_error),
		cmocka_unit_test(test_fl_populate),
		cmocka_unit_test(test_fl_populate_rejects),
		cmocka_unit_test(test_fl_populate_callback_error),
		cmocka_unit_test(test_fl_scattered),
		cmocka_unit_test(test_fl_mixed),
		cmocka_unit_test(test_fl_fini_no_release),
		cmocka_unit_test(test_fl_exhaust_and_steal),
		cmocka_unit_test(test_fl_push_lifo),
		cmocka_unit_test(test_fl_init_rejects),
		cmocka_unit_test(test_ring_init_rejects),
		cmocka_unit_test(test_ring_init_callback_error),
		cmocka_unit_test(test_ring_init_spread),
		cmocka_unit_test(test_ring_exhaust_and_steal),
		cmocka_unit_test(test_ring_one_slot_holds_all),
		cmocka_unit_test(test_ring_fifo),
		cmocka_unit_test(test_ring_many_rounds),
		cmocka_unit_test(test_ring_wrap32),
		cmocka_unit_test(test_ring_push_locked),
		cmocka_unit_test(test_ring_backend_remote_free_steals),
	};

	return cmocka_run_group_tests_name("objpool", tests, NULL, NULL);
}
