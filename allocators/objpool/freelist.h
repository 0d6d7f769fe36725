/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * freelist.h - the 2021 objpool proposal (seed 001): per-CPU slots, each a
 * lock-free LIFO freelist whose nodes carry a reference count, so that a
 * node can be popped by a thread that read it long ago without the ABA
 * problem corrupting the list.
 *
 * Glossary
 *   node   struct opfl_node {next, refs}, at the start of every element
 *          (the user's payload follows it, as in the seed's container_of
 *          use). Nodes are never freed while the pool exists.
 *   slot   one per CPU: the head of a freelist. Self-managed elements are
 *          allocated next to their slot.
 *   refs   REFS_ON_FREELIST (bit 31) says "should be on the list"; the low
 *          31 bits count the references: the list's own (1 while on the
 *          list) plus one per popper currently looking at the node.
 *
 * Algorithm (REFERENCE §5; moodycamel's "solving the ABA problem")
 *   pop:  load head; take a reference on it (CAS refs -> refs+1, refused
 *         when the count is 0: the node is being re-added); while we hold
 *         it nobody can re-add it, so head->next is frozen and the CAS of
 *         head -> next cannot succeed on a recycled head. On success drop
 *         our reference and the list's (-2); on failure drop ours (-1), and
 *         if that left only the "should be on list" flag, we are the last
 *         holder of a node someone pushed meanwhile: add it for them.
 *   push: set REFS_ON_FREELIST; if no reference was held (old refs 0), add
 *         now; otherwise the last popper to drop its reference adds it
 *         (deferred add, onto the slot that popper was working, as in
 *         the seed). The add loops: next = head, refs = 1, CAS head;
 *         a failed CAS re-flags the node and retries only if nobody took a
 *         reference in between.
 *
 * Per-CPU layout: push goes to the caller's CPU slot; pop tries the
 * caller's slot, then each other slot in turn. An empty pool pops NULL.
 * Fill styles (seed 001): self-managed elements with an init callback
 * (opfl_init with objsz > 0), a user buffer cut into elements in one batch
 * (opfl_populate), and elements added one by one (opfl_add_scattered).
 * opfl_fini hands every element, and then the user buffer, to a release
 * callback told whether it is user-provided and whether it is an element.
 * Memory is released only at fini.
 *
 * Concurrency contract
 *   opfl_init/populate/add_scattered/fini: one thread, pool not in use.
 *   opfl_push/opfl_pop: any thread, any slot, concurrently: every slot is
 *   a multi-producer/multi-consumer CAS list, so no per-CPU exclusion is
 *   needed (the kernel patch, too, ran them preemptible). The cpu argument
 *   only picks which slot to start from.
 *
 * Userspace against the kernel: the kernel used raw_smp_processor_id(); the
 * caller passes its CPU slot here. A thread preempted inside pop while
 * holding a reference only delays a re-add of that node (the deferred
 * add), never other threads' progress. Every slot head is a shared CAS
 * target: under contention its cache line is the cost this design pays,
 * which the ring design (ring.h) was written to avoid.
 */
#ifndef PB_ALLOCATORS_OBJPOOL_FREELIST_H
#define PB_ALLOCATORS_OBJPOOL_FREELIST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPFL_REFS_ON_FREELIST 0x80000000u
#define OPFL_REFS_MASK 0x7fffffffu
#define OPFL_CACHELINE 64

/* struct opfl_node - the header at the start of every element. */
struct opfl_node {
	_Atomic(struct opfl_node *) next;
	atomic_uint refs;
};

/* struct opfl_slot - one CPU's freelist; its own cache line. */
struct opfl_slot {
	_Atomic(struct opfl_node *) head;
} __attribute__((aligned(OPFL_CACHELINE)));

/* Set once by opfl_init/populate; read-only while the pool is in use. */
struct opfl_head {
	uint32_t objsz;		/* element size, node included */
	uint32_t nobjs;		/* elements added so far */
	uint32_t ncpus;
	bool in_slot;		/* self-managed elements live next to slots */
	void *pool;		/* user buffer (opfl_populate), or NULL */
	size_t pool_size;
	struct opfl_slot **slots;	/* [ncpus] */
	size_t *slot_bytes;	/* [ncpus]: slot plus its elements */
};

/* opfl_init_cb - set up one element before it joins the pool; 0 or error. */
typedef int (*opfl_init_cb)(void *context, struct opfl_node *node);
/*
 * opfl_release_cb - called by opfl_fini for each element (@element true)
 * and then for the user buffer (@element false); @user: the memory was
 * provided by the user (a buffer, or an element added by hand).
 */
typedef void (*opfl_release_cb)(void *context, void *obj, bool user,
				bool element);

/**
 * opfl_init() - set up a pool's slots and its self-managed elements
 * @h: the pool
 * @nobjs: self-managed elements, spread round-robin over the slots
 * @objsz: bytes of each (rounded up to @align; each starts with its
 *         node); 0: none, the elements come from opfl_populate() or
 *         opfl_add_scattered()
 * @align: elements start at a multiple of it (a power of two; below the
 *         pointer size, the pointer size), a userspace addition: the
 *         kernel had kmalloc's
 * @ncpus: slots
 * @context: passed to @objinit
 * @objinit: called on each element before it joins; may be NULL
 *
 * Return: 0, -ENOMEM, -EINVAL, or @objinit's error (@h is then cleaned up).
 */
int opfl_init(struct opfl_head *h, uint32_t nobjs, uint32_t objsz,
	      size_t align, uint32_t ncpus, void *context,
	      opfl_init_cb objinit);

/**
 * opfl_populate() - cut a user buffer into elements and add them
 * round-robin, once per pool
 * @h: the pool
 * @buf: the buffer, pointer-aligned
 * @size: its bytes
 * @objsz: bytes of each element (a multiple of the pointer size; each
 *         starts with its node)
 * @context: passed to @objinit
 * @objinit: called on each element; may be NULL
 *
 * Every element is initialised before any joins the pool, so on an error
 * the pool is unchanged and the buffer still the caller's.
 *
 * Return: 0, -EINVAL (bad arguments, a buffer smaller than one element, a
 * second buffer, @objsz differing from the pool's), or @objinit's error.
 */
int opfl_populate(struct opfl_head *h, void *buf, size_t size, uint32_t objsz,
		  void *context, opfl_init_cb objinit);

/**
 * opfl_add_scattered() - add one user element, balancing the slots
 * @h: the pool
 * @node: the element's node
 */
void opfl_add_scattered(struct opfl_head *h, struct opfl_node *node);

/**
 * opfl_fini() - pop every element, then the user buffer, to @release; free
 * the slots
 * @h: the pool; zeroed
 * @context: passed to @release
 * @release: called for each element, then the buffer; may be NULL
 */
void opfl_fini(struct opfl_head *h, void *context, opfl_release_cb release);

/**
 * opfl_is_inpool() - whether an address lies in the pool's user buffer
 * @h: the pool
 * @obj: the address
 *
 * Return: true if it does.
 */
bool opfl_is_inpool(const struct opfl_head *h, const void *obj);

/**
 * opfl_is_inslot() - whether an address lies in a slot's self-managed area
 * @h: the pool
 * @obj: the address
 *
 * Return: true if it does.
 */
bool opfl_is_inslot(const struct opfl_head *h, const void *obj);

/* ---- the lock-free list (any thread) ------------------------------------ */

/**
 * opfl_add_slow() - link a node at a slot's head
 * @node: the node, refs 0 or flagged-only: nobody else may touch it
 * @slot: the slot
 *
 * Out of line: it is the rare path of a push that raced a popper.
 */
void opfl_add_slow(struct opfl_node *node, struct opfl_slot *slot);

/**
 * opfl_push_slot() - give a node back to a slot
 * @node: the node
 * @slot: the slot
 *
 * The fetch_add publishes the flag. Release: the caller's writes to the
 * element come before whoever re-adds it (it may be a popper's deferred
 * add). Acquire: when the old value is 0 we add it ourselves, and the last
 * popper's read of next (before its release decrement) must come before
 * our write of next. Only when no popper holds a reference do we add.
 */
static inline void opfl_push_slot(struct opfl_node *node,
				  struct opfl_slot *slot)
{
	if (atomic_fetch_add_explicit(&node->refs, OPFL_REFS_ON_FREELIST,
				      memory_order_acq_rel) == 0)
		opfl_add_slow(node, slot);
}

/**
 * opfl_pop_slot() - take the head of a slot
 * @slot: the slot
 *
 * Return: the node, or NULL when the slot is empty.
 */
static inline struct opfl_node *opfl_pop_slot(struct opfl_slot *slot)
{
	/* Acquire pairs with the add's release CAS: node fields visible. */
	struct opfl_node *head = atomic_load_explicit(&slot->head,
						      memory_order_acquire);

	while (head) {
		struct opfl_node *prev = head, *next;
		unsigned int refs = atomic_load_explicit(&head->refs,
							 memory_order_relaxed);

		/*
		 * No reference left (being re-added) or the count moved:
		 * start over from the current head. Acquire on success: our
		 * read of next must not move before we hold the reference.
		 */
		if ((refs & OPFL_REFS_MASK) == 0 ||
		    !atomic_compare_exchange_strong_explicit(
			    &head->refs, &refs, refs + 1,
			    memory_order_acquire, memory_order_relaxed)) {
			head = atomic_load_explicit(&slot->head,
						    memory_order_acquire);
			continue;
		}
		/* We hold a reference: next cannot change under us. */
		next = atomic_load_explicit(&head->next, memory_order_relaxed);
		/*
		 * Acquire on success: the element's contents (written before
		 * the push that put it here) are visible to the new owner.
		 * On failure head is reloaded with acquire for the next turn.
		 */
		if (atomic_compare_exchange_strong_explicit(
			    &slot->head, &head, next, memory_order_acquire,
			    memory_order_acquire)) {
			/*
			 * Ours. The flag must be clear (whoever pushes sets it
			 * only after owning the node): drop the list's
			 * reference and ours. Release: our read of next is
			 * done before a later push (acquire) rewrites it.
			 */
			atomic_fetch_sub_explicit(&prev->refs, 2,
						  memory_order_release);
			return prev;
		}
		/*
		 * Lost the race: drop our reference. If only the flag is
		 * left, a push happened while we held it and we are the last
		 * holder: the add is ours to do (acq_rel: see the pusher's
		 * writes, and order our earlier reads before the re-add).
		 */
		refs = atomic_fetch_sub_explicit(&prev->refs, 1,
						 memory_order_acq_rel);
		if (refs == OPFL_REFS_ON_FREELIST + 1)
			opfl_add_slow(prev, slot);
	}
	return NULL;
}

/**
 * opfl_push() - give a node back to a CPU's slot
 * @h: the pool
 * @node: the node
 * @cpu: the slot
 */
static inline void opfl_push(struct opfl_head *h, struct opfl_node *node,
			     unsigned int cpu)
{
	opfl_push_slot(node, h->slots[cpu]);
}

/**
 * opfl_pop() - an element: a CPU's slot first, then the others in turn
 * @h: the pool
 * @cpu: the slot to try first
 * @stolen: set when it came from another CPU's slot (may be NULL)
 *
 * Return: the node, or NULL when every slot was empty when looked at.
 */
static inline struct opfl_node *opfl_pop(struct opfl_head *h,
					 unsigned int cpu, bool *stolen)
{
	struct opfl_node *n = opfl_pop_slot(h->slots[cpu]);
	unsigned int c = cpu;

	if (stolen)
		*stolen = false;
	if (n)
		return n;
	for (uint32_t i = 1; i < h->ncpus; i++) {
		if (++c >= h->ncpus)
			c = 0;
		n = opfl_pop_slot(h->slots[c]);
		if (n) {
			if (stolen)
				*stolen = true;
			return n;
		}
	}
	return NULL;
}

#endif /* PB_ALLOCATORS_OBJPOOL_FREELIST_H */
