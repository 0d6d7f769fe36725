/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.h - the objpool design that replaced the freelist upstream (Linux
 * 6.7 lib/objpool.c; REFERENCE §5): per-CPU rings of object pointers, each
 * large enough to hold every object of the pool, so a push never overflows
 * and has no failure path.
 *
 * Glossary
 *   slot   one per CPU: {head, tail, last, mask, entries[]}. head is the
 *          next entry to pop, tail the next to reserve for a push, last the
 *          end of the published entries (tail runs ahead of last while a
 *          push is between its reservation and its publication).
 *   size   nr_objs rounded up to a power of two: every slot's capacity.
 *
 * Algorithm
 *   push (own slot): reserve an entry by CAS tail -> tail+1, store the
 *         pointer, publish with a release store last = tail+1.
 *   pop:  acquire head; while head != last: if last - head - 1 >= nr_objs
 *         the head snapshot is stale against last (the 2023 overrun fix):
 *         reload head; else read the entry and CAS head -> head+1; the
 *         entry read before the CAS is ours if the CAS succeeds. Own slot
 *         first, then the others in turn; all empty: NULL.
 *
 * Userspace against the kernel. `last` is only right if two pushes to one
 * slot never overlap: a second push reserving tail+1 and publishing
 * last = tail+2 before the first stored its entry would expose a stale
 * entry to poppers. The kernel guarantees it by pushing with interrupts off
 * on the local CPU. Userspace cannot turn preemption off, so:
 *   - exclusive mode: only the thread bound to a slot pushes to it (the
 *     harness runs one pinned worker per slot; a free from another thread
 *     goes to that thread's own slot), so pushes never overlap and run as
 *     in the kernel, CAS reservation included;
 *   - shared mode: a push holds its slot's lock word (test-and-set, yields
 *     after a bounded spin since the holder can be descheduled): the cost
 *     the shared column measures. Pops never take it: head is a
 *     multi-consumer CAS in every mode;
 *   - rseq mode: a push to the slot of the CPU the thread is on is a
 *     restartable sequence (allocators/rseq/rseq.h), which cannot overlap
 *     another on that CPU: it stores the entry at last and commits with
 *     the one store last = last+1, opr_push_rseq(). Difference: no CAS
 *     reservation of tail (a sequence commits with one store; the kernel's
 *     CAS serves pushes nested from NMI context, which userspace has no
 *     image of: a signal aborts the sequence instead of nesting in it), so
 *     tail stays where it was and last alone says how far the ring goes.
 *     Pops read head and last only, unchanged.
 * A thread preempted between reservation and publication only hides its
 * own entry (and those behind it) until it runs again; poppers then steal
 * from other slots or report empty, they never spin on it.
 *
 * Concurrency contract
 *   opr_init/opr_fini: one thread, pool not in use.
 *   opr_push_excl(slot): only the slot's owner thread.
 *   opr_push_locked(slot): any thread.
 *   opr_push_rseq(cpu): any thread; its pushes are the slot's only ones.
 *   opr_pop: any thread, any slot, concurrently.
 */
#ifndef PB_ALLOCATORS_OBJPOOL_RING_H
#define PB_ALLOCATORS_OBJPOOL_RING_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocators/rseq/rseq.h"

#define OPR_CACHELINE 64
#define OPR_SPINS_BEFORE_YIELD 128

struct opr_slot {
	atomic_uint head;	/* consumers' CAS target */
	atomic_uint tail;	/* push reservation */
	atomic_uint last;	/* published end: release by push */
	uint32_t mask;
	atomic_int lock;	/* shared mode: serialises pushes */
	/* entries[] follows, on its own cache line */
	_Alignas(OPR_CACHELINE) _Atomic(void *) entries[];
};

/* Set by opr_init; read-only while the pool is in use. */
struct opr_head {
	uint32_t nr_objs;	/* objects the pool holds */
	uint32_t ncpus;
	size_t obj_stride;	/* bytes between self-managed objects */
	struct opr_slot **slots;	/* [ncpus], each with its objects after it */
	size_t *slot_bytes;
};

/* opr_init_cb - set up one object before it joins the pool; 0 or error. */
typedef int (*opr_init_cb)(void *context, void *obj);

/**
 * opr_init() - a pool of objects allocated next to their slots
 * @h: the pool
 * @nr_objs: objects, spread round-robin over the slots
 * @objsz: bytes of each
 * @align: their alignment (a power of two, at least the pointer size)
 * @ncpus: slots
 * @context: passed to @objinit
 * @objinit: called on each object; may be NULL
 *
 * Return: 0, -EINVAL, -ENOMEM or @objinit's error (nothing is left).
 */
int opr_init(struct opr_head *h, uint32_t nr_objs, size_t objsz, size_t align,
	     uint32_t ncpus, void *context, opr_init_cb objinit);

/**
 * opr_fini() - free every slot and object
 * @h: the pool; zeroed
 *
 * Objects not pushed back are lost to their holders (the memory goes with
 * the slots).
 */
void opr_fini(struct opr_head *h);

/**
 * opr_owns() - whether an address is one of the pool's objects (for tests
 * and assertions)
 * @h: the pool
 * @obj: the address
 *
 * Return: true if it is.
 */
bool opr_owns(const struct opr_head *h, const void *obj);

/** opr_cpu_relax() - spin-wait hint: x86 PAUSE, else a compiler barrier */
static inline void opr_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/**
 * opr_push_excl() - give an object back to a slot, as its owner
 * @slot: the slot; only its owner may call this: pushes to one slot must
 *        not overlap (top comment)
 * @obj: the object
 */
static inline void opr_push_excl(struct opr_slot *slot, void *obj)
{
	unsigned int tail = atomic_load_explicit(&slot->tail,
						 memory_order_relaxed);

	/*
	 * Reserve the entry. Relaxed is enough: with one pusher the CAS
	 * cannot fail; it is kept because it is the upstream algorithm and
	 * its cost is part of what is measured. The ring can hold every
	 * object, so there is no room check.
	 */
	while (!atomic_compare_exchange_weak_explicit(
		       &slot->tail, &tail, tail + 1, memory_order_relaxed,
		       memory_order_relaxed))
		;
	atomic_store_explicit(&slot->entries[tail & slot->mask], obj,
			      memory_order_relaxed);
	/* Release pairs with the poppers' acquire of last: entry first. */
	atomic_store_explicit(&slot->last, tail + 1, memory_order_release);
}

/**
 * opr_lock_slow() - take a slot's lock word, found taken: spin, then yield
 * @slot: the slot
 *
 * Out of line: the rare path of opr_push_locked().
 */
void opr_lock_slow(struct opr_slot *slot);

/**
 * opr_push_locked() - give an object back to a slot, from any thread,
 * under the slot's lock
 * @slot: the slot
 * @obj: the object
 */
static inline void opr_push_locked(struct opr_slot *slot, void *obj)
{
	/* Acquire pairs with the previous holder's release in the unlock. */
	if (atomic_exchange_explicit(&slot->lock, 1, memory_order_acquire))
		opr_lock_slow(slot);
	opr_push_excl(slot, obj);
	atomic_store_explicit(&slot->lock, 0, memory_order_release);
}

#if PB_RSEQ_ARCH
/**
 * opr_push_rseq() - give an object back to the slot of the CPU the thread
 * is on, from any thread, in a restartable sequence
 * @h: the pool, with a slot for every CPU number (pb_rseq_nr_cpu_ids())
 * @obj: the object
 * @cpu: the CPU of the last try (updated)
 *
 * Return: how many tries were aborted (and retried).
 */
static inline unsigned int opr_push_rseq(struct opr_head *h, void *obj,
					 unsigned int *cpu)
{
	unsigned int aborts = 0;

	for (;;) {
		struct opr_slot *slot;
		int done;

		*cpu = pb_rseq_cpu();
		slot = h->slots[*cpu];
		/* Before the commit makes it anybody's (ThreadSanitizer). */
		pb_rseq_tsan_release(&slot->last);
		/*
		 * The room check cannot fail: a slot's ring holds every
		 * object of the pool, and @obj is not in any ring.
		 */
		done = pb_rseq_ring_push(*cpu, (uint32_t *)&slot->last,
					 (const uint32_t *)&slot->head,
					 (void **)slot->entries, slot->mask,
					 slot->mask + 1, &obj, 1);
		if (done >= 0)
			return aborts;
		aborts++;
	}
}
#endif

/**
 * opr_pop_slot() - one object from a slot
 * @h: the pool
 * @slot: the slot
 *
 * Return: the object, or NULL when the slot is empty.
 */
static inline void *opr_pop_slot(struct opr_head *h, struct opr_slot *slot)
{
	unsigned int head = atomic_load_explicit(&slot->head,
						 memory_order_acquire);
	unsigned int last;

	/* Acquire of last pairs with the push's release: entries are set. */
	while (head != (last = atomic_load_explicit(&slot->last,
						    memory_order_acquire))) {
		void *obj;

		/*
		 * head and last come from different moments: a head read
		 * long ago may already be past what this last says. A
		 * distance beyond nr_objs cannot be real: read head again.
		 */
		if (last - head - 1 >= h->nr_objs) {
			head = atomic_load_explicit(&slot->head,
						    memory_order_acquire);
			continue;
		}
		obj = atomic_load_explicit(&slot->entries[head & slot->mask],
					   memory_order_relaxed);
		/*
		 * The entry was read before the CAS: if head did not move,
		 * nobody popped it, and no push can have reused its place
		 * (a slot's ring holds every object of the pool). Release,
		 * as upstream: the entry read stays before head moves.
		 * Failure reloads head; last is read again above.
		 */
		if (atomic_compare_exchange_weak_explicit(
			    &slot->head, &head, head + 1, memory_order_release,
			    memory_order_relaxed))
			return obj;
	}
	return NULL;
}

/**
 * opr_pop() - an object: a CPU's slot first, then the others in turn
 * @h: the pool
 * @cpu: the slot to try first
 * @stolen: set when it came from another CPU's slot (may be NULL)
 *
 * Return: the object, or NULL when every slot was empty when looked at.
 */
static inline void *opr_pop(struct opr_head *h, unsigned int cpu, bool *stolen)
{
	void *obj = opr_pop_slot(h, h->slots[cpu]);
	unsigned int c = cpu;

	if (stolen)
		*stolen = false;
	if (obj)
		return obj;
	for (uint32_t i = 1; i < h->ncpus; i++) {
		if (++c >= h->ncpus)
			c = 0;
		obj = opr_pop_slot(h, h->slots[c]);
		if (obj) {
			if (stolen)
				*stolen = true;
			return obj;
		}
	}
	return NULL;
}

#endif /* PB_ALLOCATORS_OBJPOOL_RING_H */
