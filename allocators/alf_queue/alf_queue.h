/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alf_queue.h - array-based lock-free queue of pointers (Brouer's alf_queue,
 * REFERENCE §3 in docs/designs.md), written on C11 atomics for userspace.
 *
 * Design
 *   A ring of @size pointers (a power of two) and two pairs of free-running
 *   32-bit indices, producer {head, tail} and consumer {head, tail}, each
 *   pair on its own cache line. Index i lives in slot i & mask, so the whole
 *   ring is usable and the wrap-around of the indices is plain unsigned
 *   arithmetic. On each side, head is where the next reservation starts and
 *   tail is how far that side has finished; head == tail when no operation
 *   of the side is in flight. count = producer.tail - consumer.head, free
 *   space = size + consumer.tail - producer.head.
 *
 *   The multi-producer/multi-consumer operations reserve a range of indices
 *   with one compare-and-swap on their side's head, copy the pointers, wait
 *   until the earlier reservations of their side have finished and then
 *   publish by moving the tail with a release store: one CAS per bulk, its
 *   cost amortised over the bulk size. The single-producer/single-consumer
 *   operations need no CAS and no wait. Enqueue is all-or-nothing, dequeue
 *   is partial.
 *
 *   The two sides are independent: each side may use its multi or its
 *   single variant whatever the other side uses (e.g. _sp enqueue with _mc
 *   dequeue), but the callers of one side must not mix its two variants
 *   while they may overlap.
 *
 * Memory ordering (the non-relaxed accesses, and why the rest is relaxed)
 *   - A side publishes its tail with a release store; the other side loads
 *     it with acquire before touching slots. Producer -> consumer: the
 *     pointers stored below producer.tail are visible to the consumer that
 *     reads them. Consumer -> producer: the loads of the slots below
 *     consumer.tail have happened before a producer stores there again.
 *   - The wait of a multi operation for its side's tail loads it with
 *     acquire: our release store is a plain store, not part of the earlier
 *     reservation's release sequence, so only this acquire lets it carry
 *     the earlier reservation's slot accesses to the other side.
 *   - Heads and their CAS are relaxed: they only split index ranges among
 *     the threads of one side and carry no data. A head and the other
 *     side's tail read one after the other may come from moments far
 *     apart (a delay between the loads, or load reordering on weakly
 *     ordered CPUs): such a pair shows a distance beyond size and is read
 *     again. A pair within size is safe to act on: the tail was acquired,
 *     and the CAS confirms that the head is still current.
 *     The single variants read their own head, which no one else moves.
 *
 * Suits
 *   Bulk hand-over of objects between threads that each own their CPU, as
 *   in qmempool (seed 000): pointers packed eight to a cache line, no
 *   per-element memory, one CAS per bulk on the shared queue and none on a
 *   per-CPU one.
 *
 * Limits
 *   Sizes 2..65536. Values are opaque (NULL is a valid element). The
 *   indices are 32-bit: a thread that stalls between reading its head and
 *   its CAS while a multiple of 2^32 elements pass could succeed on the
 *   stale value (ABA), as in the original; at a nanosecond per element that
 *   takes a stall of seconds and an exact match.
 *
 * Userspace hazard: not preemption safe
 *   Between its reservation (the CAS on head) and its publication (the
 *   store to tail) a multi operation holds up every later operation of its
 *   side, which spin in the wait for the tail: the scheme is a ticket lock
 *   per side, not lock-free. The kernel runs it with preemption off; in
 *   userspace a thread preempted, stopped or faulting inside that window
 *   stalls all other producers (or consumers) until it runs again, which
 *   under oversubscription costs them whole time slices (lock-holder
 *   preemption). Two multi consumers (or producers) sharing a CPU can fall
 *   into a convoy where every hand-over waits for a time slice: on two
 *   CPUs the stress test sees runs of milliseconds take seconds. The wait
 *   never yields or sleeps: measure the effect rather than hide it.
 */
#ifndef PB_ALLOCATORS_ALF_QUEUE_ALF_QUEUE_H
#define PB_ALLOCATORS_ALF_QUEUE_ALF_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ALF_QUEUE_MAX_SIZE 65536u
#define ALF_CACHE_LINE 64

#define alf_unlikely(x) __builtin_expect(!!(x), 0)

/* One side of the queue: next index to reserve, and first unfinished one. */
struct alf_actor {
	_Atomic uint32_t head;
	_Atomic uint32_t tail;
};

/*
 * struct alf_queue - the queue.
 *
 * Invariants, with the indices taken as unbounded counters:
 * consumer.tail <= consumer.head <= producer.tail <= producer.head <=
 * consumer.tail + size. Slots [consumer.head, producer.tail) hold elements
 * ready to dequeue. size and mask are written at alloc only.
 */
struct alf_queue {
	struct alf_actor producer __attribute__((aligned(ALF_CACHE_LINE)));
	struct alf_actor consumer __attribute__((aligned(ALF_CACHE_LINE)));
	uint32_t size __attribute__((aligned(ALF_CACHE_LINE)));
	uint32_t mask;
	void *ring[] __attribute__((aligned(ALF_CACHE_LINE)));
};

/**
 * alf_queue_alloc() - allocate an empty queue
 * @size: number of slots, a power of two in [2, ALF_QUEUE_MAX_SIZE]
 *
 * The queue is cache-line aligned. Any thread; the queue must reach the
 * threads that use it through some synchronisation (thread creation, a
 * lock, a release store).
 *
 * Return: the queue, or NULL with errno EINVAL for a bad @size, ENOMEM when
 * out of memory.
 */
struct alf_queue *alf_queue_alloc(uint32_t size);

/**
 * alf_queue_free() - free a queue
 * @q: the queue, or NULL
 *
 * No operation may be in flight or follow. Elements still queued are the
 * caller's: dequeue them first if they own memory.
 */
void alf_queue_free(struct alf_queue *q);

/**
 * alf_queue_size() - number of slots
 * @q: the queue
 *
 * Return: the size given to alf_queue_alloc().
 */
uint32_t alf_queue_size(const struct alf_queue *q);

/**
 * alf_queue_count() - number of elements ready to dequeue
 * @q: the queue
 *
 * producer.tail - consumer.head. Any thread, at any time; under concurrent
 * operations it is a snapshot, kept within [0, size] when an index moved
 * between the two loads.
 *
 * Return: the count, exact when no operation is in flight.
 */
uint32_t alf_queue_count(const struct alf_queue *q);

/**
 * alf_queue_avail_space() - number of free slots
 * @q: the queue
 *
 * size + consumer.tail - producer.head: an enqueue of up to this many could
 * succeed now. A snapshot within [0, size], as alf_queue_count().
 *
 * Return: the free space, exact when no operation is in flight.
 */
uint32_t alf_queue_avail_space(const struct alf_queue *q);

/**
 * alf_queue_empty() - whether a dequeue would find nothing
 * @q: the queue
 *
 * Return: alf_queue_count() == 0, a snapshot.
 */
bool alf_queue_empty(const struct alf_queue *q);

/**
 * alf_queue_full() - whether an enqueue of one would fail
 * @q: the queue
 *
 * Return: alf_queue_avail_space() == 0, a snapshot.
 */
bool alf_queue_full(const struct alf_queue *q);

/**
 * alf_queue_reset_indices() - for tests: set the indices of an EMPTY queue
 * @q: the queue, empty and with no operation in flight or concurrent
 * @start: the value all four indices take
 *
 * Lets a test start near UINT32_MAX and cross the 32-bit wrap-around
 * within a few operations. The caller orders it before later operations of
 * other threads (e.g. by creating them afterwards).
 *
 * Return: 0, or -EBUSY if @q holds elements or an operation is in flight.
 */
int alf_queue_reset_indices(struct alf_queue *q, uint32_t start);

/**
 * alf_cpu_relax() - spin-wait hint: x86 PAUSE, AArch64 YIELD, else a
 * compiler barrier
 */
static inline void alf_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/**
 * __alf_store() - copy pointers into reserved slots
 * @q: the queue
 * @index: the first reserved index
 * @ptrs: the pointers
 * @n: how many; [index, index + n) is reserved by the caller
 */
static inline void __alf_store(struct alf_queue *q, uint32_t index,
			       void *const *ptrs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		q->ring[(index + i) & q->mask] = ptrs[i];
}

/**
 * __alf_load() - copy pointers out of reserved slots
 * @q: the queue
 * @index: the first reserved index
 * @ptrs: where to put them
 * @n: how many; [index, index + n) is reserved by the caller
 */
static inline void __alf_load(struct alf_queue *q, uint32_t index,
			      void **ptrs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ptrs[i] = q->ring[(index + i) & q->mask];
}

/**
 * __alf_wait_publish() - finish a multi operation in reservation order
 * @tail: producer.tail or consumer.tail
 * @start: the first index reserved by the caller
 * @end: one past the last
 *
 * Spins until the reservations before @start have published, then
 * publishes @end. This is the window of the preemption hazard.
 */
static inline void __alf_wait_publish(_Atomic uint32_t *tail, uint32_t start,
				      uint32_t end)
{
	/*
	 * Acquire pairs with the release below in the reservation before
	 * ours: its slot accesses then happen before our release, and reach
	 * the other side with it.
	 */
	while (atomic_load_explicit(tail, memory_order_acquire) != start)
		alf_cpu_relax();
	/*
	 * Release pairs with the other side's acquire load of this tail:
	 * producer.tail publishes the stored pointers, consumer.tail
	 * releases slots whose loads are done.
	 */
	atomic_store_explicit(tail, end, memory_order_release);
}

/**
 * alf_queue_enqueue_mp() - multi-producer enqueue, all or nothing
 * @q: the queue
 * @ptrs: the pointers to enqueue, in order
 * @n: how many
 *
 * Any number of threads may call it at once, concurrently with consumers
 * of either kind; it must not overlap alf_queue_enqueue_sp() on @q. Spins
 * while an earlier producer has reserved but not yet published.
 *
 * Return: @n, or 0 if @n exceeds the free space or is 0 (nothing queued).
 */
static inline unsigned int alf_queue_enqueue_mp(struct alf_queue *q,
						void *const *ptrs,
						unsigned int n)
{
	uint32_t head, space;

	if (alf_unlikely(!n))
		return 0;
	head = atomic_load_explicit(&q->producer.head, memory_order_relaxed);
	for (;;) {
		/*
		 * Acquire pairs with the consumers' release of consumer.tail:
		 * their loads of the slots we may now reuse are done.
		 */
		space = q->size - head +
			atomic_load_explicit(&q->consumer.tail,
					     memory_order_acquire);
		if (alf_unlikely(space > q->size)) {
			/* head and tail from different moments: look again. */
			head = atomic_load_explicit(&q->producer.head,
						    memory_order_relaxed);
			continue;
		}
		if (n > space)
			return 0;
		if (atomic_compare_exchange_weak_explicit(&q->producer.head,
							  &head, head + n,
							  memory_order_relaxed,
							  memory_order_relaxed))
			break;
	}
	__alf_store(q, head, ptrs, n);
	__alf_wait_publish(&q->producer.tail, head, head + n);
	return n;
}

/**
 * alf_queue_dequeue_mc() - multi-consumer dequeue, partial
 * @q: the queue
 * @ptrs: where to put the pointers, in queue order; room for @n
 * @n: at most how many
 *
 * Any number of threads may call it at once, concurrently with producers
 * of either kind; it must not overlap alf_queue_dequeue_sc() on @q. Spins
 * while an earlier consumer has reserved but not yet finished. @ptrs past
 * the returned count are left alone.
 *
 * Return: how many were dequeued, 0..@n.
 */
static inline unsigned int alf_queue_dequeue_mc(struct alf_queue *q,
						void **ptrs, unsigned int n)
{
	uint32_t head, avail;

	head = atomic_load_explicit(&q->consumer.head, memory_order_relaxed);
	for (;;) {
		/*
		 * Acquire pairs with the producers' release of producer.tail:
		 * the pointers below it are stored.
		 */
		avail = atomic_load_explicit(&q->producer.tail,
					     memory_order_acquire) - head;
		if (alf_unlikely(avail > q->size)) {
			/* head and tail from different moments: look again. */
			head = atomic_load_explicit(&q->consumer.head,
						    memory_order_relaxed);
			continue;
		}
		if (n < avail)
			avail = n;
		if (!avail)
			return 0;
		if (atomic_compare_exchange_weak_explicit(&q->consumer.head,
							  &head, head + avail,
							  memory_order_relaxed,
							  memory_order_relaxed))
			break;
	}
	__alf_load(q, head, ptrs, avail);
	__alf_wait_publish(&q->consumer.tail, head, head + avail);
	return avail;
}

/**
 * alf_queue_enqueue_sp() - single-producer enqueue, all or nothing
 * @q: the queue
 * @ptrs: the pointers to enqueue, in order
 * @n: how many
 *
 * One producer at a time: calls on @q must not overlap each other or
 * alf_queue_enqueue_mp(), and when they come from different threads the
 * caller orders them (a lock, a hand-over with release/acquire). May run
 * concurrently with consumers of either kind. Never spins.
 *
 * Return: @n, or 0 if @n exceeds the free space or is 0 (nothing queued).
 */
static inline unsigned int alf_queue_enqueue_sp(struct alf_queue *q,
						void *const *ptrs,
						unsigned int n)
{
	uint32_t head, space;

	/* Ours alone: the value we (or the producer before us) stored. */
	head = atomic_load_explicit(&q->producer.head, memory_order_relaxed);
	/*
	 * Acquire pairs with the consumers' release of consumer.tail: their
	 * loads of the slots we may now reuse are done.
	 */
	space = q->size - head +
		atomic_load_explicit(&q->consumer.tail, memory_order_acquire);
	if (alf_unlikely(!n) || n > space)
		return 0;
	__alf_store(q, head, ptrs, n);
	atomic_store_explicit(&q->producer.head, head + n,
			      memory_order_relaxed);
	/* Release pairs with the consumers' acquire of producer.tail. */
	atomic_store_explicit(&q->producer.tail, head + n,
			      memory_order_release);
	return n;
}

/**
 * alf_queue_dequeue_sc() - single-consumer dequeue, partial
 * @q: the queue
 * @ptrs: where to put the pointers, in queue order; room for @n
 * @n: at most how many
 *
 * One consumer at a time: calls on @q must not overlap each other or
 * alf_queue_dequeue_mc(), and when they come from different threads the
 * caller orders them. May run concurrently with producers of either kind.
 * Never spins. @ptrs past the returned count are left alone.
 *
 * Return: how many were dequeued, 0..@n.
 */
static inline unsigned int alf_queue_dequeue_sc(struct alf_queue *q,
						void **ptrs, unsigned int n)
{
	uint32_t head, avail;

	/* Ours alone: the value we (or the consumer before us) stored. */
	head = atomic_load_explicit(&q->consumer.head, memory_order_relaxed);
	/*
	 * Acquire pairs with the producers' release of producer.tail: the
	 * pointers below it are stored.
	 */
	avail = atomic_load_explicit(&q->producer.tail, memory_order_acquire) -
		head;
	if (n < avail)
		avail = n;
	if (!avail)
		return 0;
	__alf_load(q, head, ptrs, avail);
	atomic_store_explicit(&q->consumer.head, head + avail,
			      memory_order_relaxed);
	/*
	 * Release pairs with the producers' acquire of consumer.tail: our
	 * slot loads are done before a producer stores there again.
	 */
	atomic_store_explicit(&q->consumer.tail, head + avail,
			      memory_order_release);
	return avail;
}

#endif /* PB_ALLOCATORS_ALF_QUEUE_ALF_QUEUE_H */
