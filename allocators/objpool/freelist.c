// SPDX-License-Identifier: GPL-2.0-only
/*
 * freelist.c - the out-of-line parts of the objpool freelist (freelist.h):
 * the deferred add, and setting up and tearing down a pool in its three
 * fill styles. Only opfl_push/opfl_pop (inline, in the header) run while
 * the pool is in use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/objpool/freelist.h"

/*
 * Called with the node's count at 0 and nobody able to raise it (a popper
 * refuses a node with count 0), so next and refs are ours to write.
 */
void opfl_add_slow(struct opfl_node *node, struct opfl_slot *slot)
{
	struct opfl_node *head = atomic_load_explicit(&slot->head,
						      memory_order_relaxed);

	for (;;) {
		atomic_store_explicit(&node->next, head, memory_order_relaxed);
		/* The list's reference; release: next is set before it. */
		atomic_store_explicit(&node->refs, 1, memory_order_release);
		/* Release pairs with the poppers' acquire of head. */
		if (atomic_compare_exchange_strong_explicit(
			    &slot->head, &head, node, memory_order_release,
			    memory_order_relaxed))
			return;
		/*
		 * A popper may have taken a reference on @node meanwhile (it
		 * saw refs 1). Re-flag it and drop the list's reference; if
		 * nobody holds one (old 1) retry, else the last holder adds
		 * it (deferred add).
		 */
		if (atomic_fetch_add_explicit(&node->refs,
					      OPFL_REFS_ON_FREELIST - 1,
					      memory_order_acq_rel) != 1)
			return;
	}
}

/* Link @node into @slot during set-up: single-threaded, no CAS needed. */
static void opfl_insert(struct opfl_node *node, struct opfl_slot *slot)
{
	atomic_store_explicit(&node->next,
			      atomic_load_explicit(&slot->head,
						   memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&node->refs, 1, memory_order_relaxed);
	atomic_store_explicit(&slot->head, node, memory_order_relaxed);
}

static void opfl_free_slots(struct opfl_head *h)
{
	if (!h->slots)
		return;
	for (uint32_t i = 0; i < h->ncpus; i++)
		free(h->slots[i]);
	free(h->slots);
	free(h->slot_bytes);
	h->slots = NULL;
	h->slot_bytes = NULL;
}

int opfl_init(struct opfl_head *h, uint32_t nobjs, uint32_t objsz,
	      size_t align, uint32_t ncpus, void *context,
	      opfl_init_cb objinit)
{
	size_t a = align < sizeof(void *) ? sizeof(void *) : align;
	size_t esz = ((size_t)objsz + a - 1) & ~(a - 1);
	size_t base = a < OPFL_CACHELINE ? OPFL_CACHELINE : a;
	int rc = -ENOMEM;

	memset(h, 0, sizeof(*h));
	if (!ncpus || (objsz && objsz < sizeof(struct opfl_node)) ||
	    (a & (a - 1)) || a > 4096 || esz > UINT32_MAX)
		return -EINVAL;
	h->ncpus = ncpus;
	h->objsz = (uint32_t)esz;
	h->in_slot = esz != 0;
	h->slots = calloc(ncpus, sizeof(*h->slots));
	h->slot_bytes = calloc(ncpus, sizeof(*h->slot_bytes));
	if (!h->slots || !h->slot_bytes)
		goto fail;
	for (uint32_t i = 0; i < ncpus; i++) {
		/* This slot's share of the elements, spread round-robin. */
		size_t n = h->in_slot ? nobjs / ncpus + (i < nobjs % ncpus) : 0;
		/* The slot's own line(s), then its elements, as kmalloc_node did. */
		size_t first = (sizeof(struct opfl_slot) + a - 1) & ~(a - 1);
		size_t bytes = (first + n * esz + base - 1) & ~(base - 1);
		struct opfl_slot *slot = aligned_alloc(base, bytes);
		char *objs;

		if (!slot)
			goto fail;
		memset(slot, 0, bytes);
		h->slots[i] = slot;
		h->slot_bytes[i] = bytes;
		objs = (char *)slot + first;
		for (size_t j = 0; j < n; j++) {
			/* esz is a multiple of the alignment: every element is aligned. */
			struct opfl_node *node = (void *)(objs + j * esz);

			if (objinit && (rc = objinit(context, node)))
				goto fail;
			opfl_insert(node, slot);
			h->nobjs++;
		}
	}
	return 0;
fail:
	opfl_free_slots(h);
	memset(h, 0, sizeof(*h));
	return rc;
}

void opfl_add_scattered(struct opfl_head *h, struct opfl_node *node)
{
	/* Balance the slots: the next one in round-robin order. */
	opfl_insert(node, h->slots[h->nobjs % h->ncpus]);
	h->nobjs++;
}

int opfl_populate(struct opfl_head *h, void *buf, size_t size, uint32_t objsz,
		  void *context, opfl_init_cb objinit)
{
	size_t used = 0;

	if (h->pool || !buf || objsz < sizeof(struct opfl_node) || size < objsz ||
	    objsz % sizeof(void *) || (uintptr_t)buf % sizeof(void *) ||
	    (h->objsz && h->objsz != objsz))
		return -EINVAL;
	/*
	 * Every element is set up before any is added: a failing callback
	 * then leaves the pool as it was (the seed had added the elements
	 * before the failure, which fini later took for scattered ones).
	 */
	for (; used + objsz <= size; used += objsz) {
		/* buf and objsz are pointer-aligned (checked above). */
		int rc = objinit ? objinit(context, (void *)((char *)buf + used)) : 0;

		if (rc)
			return rc;
	}
	for (size_t off = 0; off < used; off += objsz)
		opfl_add_scattered(h, (void *)((char *)buf + off));
	h->pool = buf;
	h->pool_size = size;
	h->objsz = objsz;
	return 0;
}

bool opfl_is_inpool(const struct opfl_head *h, const void *obj)
{
	const char *p = obj, *b = h->pool;

	return obj && b && p >= b && p < b + h->pool_size;
}

bool opfl_is_inslot(const struct opfl_head *h, const void *obj)
{
	const char *p = obj;

	for (uint32_t i = 0; h->in_slot && i < h->ncpus; i++) {
		const char *s = (const char *)h->slots[i];

		if (p >= s && p < s + h->slot_bytes[i])
			return true;
	}
	return false;
}

void opfl_fini(struct opfl_head *h, void *context, opfl_release_cb release)
{
	if (!h->slots)
		return;
	for (uint32_t i = 0; release && i < h->ncpus; i++) {
		struct opfl_node *n;

		while ((n = opfl_pop_slot(h->slots[i]))) {
			bool user = !opfl_is_inpool(h, n) && !opfl_is_inslot(h, n);

			release(context, n, user, true);
		}
	}
	if (h->pool && release)
		release(context, h->pool, true, false);
	opfl_free_slots(h);
	memset(h, 0, sizeof(*h));
}
