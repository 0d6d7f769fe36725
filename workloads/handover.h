/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * handover.h - the queue through which the remote-free workload passes
 * objects from the thread that allocates them to the thread that frees
 * them: a single-producer/single-consumer ring of pointers, each side
 * keeping a cached copy of the other side's index so that it touches the
 * other's cache line only when the ring looks full (producer) or empty
 * (consumer). Harness code, not an allocator: its cost is in every remote
 * free figure and the null backend's row measures it.
 *
 * Concurrency contract: one producer thread calls pb_handover_put and, at
 * its end, pb_handover_flush (or pb_handover_abort); one consumer thread
 * calls pb_handover_take.
 * Waiting spins (with a pause), then yields (pb_handover_wait).
 */
#ifndef PB_WORKLOADS_HANDOVER_H
#define PB_WORKLOADS_HANDOVER_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define PB_HO_CACHELINE 64

/* Puts (takes) between publications of the producer's (consumer's) index. */
#define PB_HO_BATCH 16

struct pb_handover {
	/* Producer's line: its index, its copy of the consumer's, what it
	 * has filled but not yet published. */
	_Alignas(PB_HO_CACHELINE) atomic_size_t tail;
	size_t head_seen;
	size_t tail_local;
	/* Consumer's line. */
	_Alignas(PB_HO_CACHELINE) atomic_size_t head;
	size_t tail_seen;
	size_t head_local;
	/* Read-mostly. */
	_Alignas(PB_HO_CACHELINE) atomic_bool aborted;
	size_t mask;
	_Atomic(void *) *slots;
};

/**
 * pb_handover_init() - an empty ring
 * @ho: the queue
 * @size: its slots, a power of two
 *
 * Return: 0, or -1 (no memory).
 */
int pb_handover_init(struct pb_handover *ho, size_t size);

/**
 * pb_handover_destroy() - free the ring; objects still in it are the caller's
 * @ho: the queue
 */
void pb_handover_destroy(struct pb_handover *ho);

/* Pauses before a waiting side yields its CPU. */
#define PB_HO_SPINS_BEFORE_YIELD 1024

/**
 * pb_handover_wait() - one step of a wait for the other side
 * @spins: the steps so far; updated
 *
 * Spins first (the partner runs on another CPU); then
 * yields, so that under --oversubscribe a waiter does not burn the time
 * slice its descheduled partner needs (the harness's cost must not be
 * what an oversubscribed run measures).
 */
static inline void pb_handover_wait(unsigned int *spins)
{
	if (++*spins < PB_HO_SPINS_BEFORE_YIELD) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#else
		__asm__ __volatile__("" ::: "memory");
#endif
		return;
	}
	*spins = 0;
	sched_yield();
}

/**
 * pb_handover_flush() - producer: publish every object put so far
 * @ho: the queue
 *
 * Release: the slots (and the objects' contents) before the index.
 */
static inline void pb_handover_flush(struct pb_handover *ho)
{
	atomic_store_explicit(&ho->tail, ho->tail_local, memory_order_release);
}

/**
 * pb_handover_put() - producer: add an object, waiting while full
 * @ho: the queue
 * @obj: the object, not NULL
 *
 * The index is published every PB_HO_BATCH puts, before waiting, and by
 * pb_handover_flush(): one cache-line transfer per batch, not per object,
 * so the queue's own cost stays small and does not swing between a
 * "queue full" and a "queue empty" regime from run to run.
 */
static inline void pb_handover_put(struct pb_handover *ho, void *obj)
{
	size_t tail = ho->tail_local;
	unsigned int spins = 0;

	if (tail - ho->head_seen > ho->mask) {
		pb_handover_flush(ho);
		for (;;) {
			/* Acquire: the consumer's reads of those slots are done. */
			ho->head_seen = atomic_load_explicit(&ho->head,
							     memory_order_acquire);
			if (tail - ho->head_seen <= ho->mask)
				break;
			pb_handover_wait(&spins);
		}
	}
	atomic_store_explicit(&ho->slots[tail & ho->mask], obj,
			      memory_order_relaxed);
	ho->tail_local = tail + 1;
	if (!((tail + 1) % PB_HO_BATCH))
		pb_handover_flush(ho);
}

/**
 * pb_handover_abort() - producer: no more objects will come
 * @ho: the queue
 */
static inline void pb_handover_abort(struct pb_handover *ho)
{
	pb_handover_flush(ho);
	atomic_store_explicit(&ho->aborted, true, memory_order_release);
}

/**
 * pb_handover_take() - consumer: the next object, waiting while empty
 * @ho: the queue
 *
 * Its index is published every PB_HO_BATCH takes and before waiting.
 *
 * Return: NULL once the ring is empty and the producer aborted.
 */
static inline void *pb_handover_take(struct pb_handover *ho)
{
	size_t head = ho->head_local;
	unsigned int spins = 0;
	void *obj;

	if (head == ho->tail_seen) {
		/* Release: our reads of the slots before the producer reuses them. */
		atomic_store_explicit(&ho->head, head, memory_order_release);
		for (;;) {
			/* Acquire pairs with the producer's release of tail. */
			ho->tail_seen = atomic_load_explicit(&ho->tail,
							     memory_order_acquire);
			if (head != ho->tail_seen)
				break;
			if (atomic_load_explicit(&ho->aborted,
						 memory_order_acquire)) {
				/* Anything put before the abort is still taken. */
				ho->tail_seen = atomic_load_explicit(
					&ho->tail, memory_order_acquire);
				if (head == ho->tail_seen)
					return NULL;
				break;
			}
			pb_handover_wait(&spins);
		}
	}
	obj = atomic_load_explicit(&ho->slots[head & ho->mask],
				   memory_order_relaxed);
	ho->head_local = head + 1;
	if (!((head + 1) % PB_HO_BATCH))
		atomic_store_explicit(&ho->head, head + 1, memory_order_release);
	return obj;
}

#endif /* PB_WORKLOADS_HANDOVER_H */
