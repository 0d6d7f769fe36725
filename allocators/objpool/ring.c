// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c - the out-of-line parts of the objpool ring (ring.h): setting up
 * and tearing down the per-CPU slots with their objects, and the slow path
 * of the shared-mode push lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/objpool/ring.h"

void opr_lock_slow(struct opr_slot *slot)
{
	for (;;) {
		for (int i = 0; i < OPR_SPINS_BEFORE_YIELD; i++) {
			if (!atomic_load_explicit(&slot->lock, memory_order_relaxed) &&
			    !atomic_exchange_explicit(&slot->lock, 1,
						      memory_order_acquire))
				return;
			opr_cpu_relax();
		}
		/* The holder may be descheduled (oversubscribed): let it run. */
		sched_yield();
	}
}

static size_t round_up(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

int opr_init(struct opr_head *h, uint32_t nr_objs, size_t objsz, size_t align,
	     uint32_t ncpus, void *context, opr_init_cb objinit)
{
	uint32_t size = 1;
	int rc = -ENOMEM;

	memset(h, 0, sizeof(*h));
	if (!ncpus || !nr_objs || !objsz || nr_objs > (1u << 30) ||
	    align < sizeof(void *) || (align & (align - 1)) || align > 4096)
		return -EINVAL;
	while (size < nr_objs)
		size <<= 1;
	h->nr_objs = nr_objs;
	h->ncpus = ncpus;
	h->obj_stride = round_up(objsz, align);
	h->slots = calloc(ncpus, sizeof(*h->slots));
	h->slot_bytes = calloc(ncpus, sizeof(*h->slot_bytes));
	if (!h->slots || !h->slot_bytes)
		goto fail;
	for (uint32_t i = 0; i < ncpus; i++) {
		uint32_t n = nr_objs / ncpus + (i < nr_objs % ncpus);
		size_t a = align > OPR_CACHELINE ? align : OPR_CACHELINE;
		size_t ring = round_up(sizeof(struct opr_slot) +
				       (size_t)size * sizeof(void *), a);
		size_t bytes = round_up(ring + n * h->obj_stride, a);
		struct opr_slot *slot = aligned_alloc(a, bytes);
		char *objs;

		if (!slot)
			goto fail;
		memset(slot, 0, bytes);
		h->slots[i] = slot;
		h->slot_bytes[i] = bytes;
		slot->mask = size - 1;
		/* This slot's objects follow its ring, as upstream. */
		objs = (char *)slot + ring;
		for (uint32_t j = 0; j < n; j++) {
			void *obj = objs + (size_t)j * h->obj_stride;

			if (objinit && (rc = objinit(context, obj)))
				goto fail;
			opr_push_excl(slot, obj);
		}
	}
	return 0;
fail:
	opr_fini(h);
	return rc;
}

bool opr_owns(const struct opr_head *h, const void *obj)
{
	const char *p = obj;

	for (uint32_t i = 0; i < h->ncpus; i++) {
		const char *s = (const char *)h->slots[i];

		if (p >= s && p < s + h->slot_bytes[i])
			return true;
	}
	return false;
}

void opr_fini(struct opr_head *h)
{
	if (h->slots)
		for (uint32_t i = 0; i < h->ncpus; i++)
			free(h->slots[i]);
	free(h->slots);
	free(h->slot_bytes);
	memset(h, 0, sizeof(*h));
}
