// SPDX-License-Identifier: GPL-2.0-only
/*
 * alf_queue.c - the out-of-line parts of the array-based lock-free queue:
 * allocation, freeing and the state getters. The enqueue and dequeue fast
 * paths are static inline in alf_queue.h, which describes the design, what
 * it suits, its limits and its userspace hazard: it is not preemption safe,
 * a thread descheduled between its reservation and its publication stalls
 * every other producer (or consumer) spinning on the tail.
 *
 * The getters read two indices that concurrent operations move, so what
 * they return is a snapshot; they never return more than size.
 */
#include <errno.h>
#include <stdlib.h>

#include "allocators/alf_queue/alf_queue.h"

struct alf_queue *alf_queue_alloc(uint32_t size)
{
	struct alf_queue *q;
	void *mem;

	if (size < 2 || size > ALF_QUEUE_MAX_SIZE || (size & (size - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (posix_memalign(&mem, ALF_CACHE_LINE,
			   sizeof(*q) + (size_t)size * sizeof(q->ring[0]))) {
		errno = ENOMEM;
		return NULL;
	}
	q = mem;
	atomic_init(&q->producer.head, 0);
	atomic_init(&q->producer.tail, 0);
	atomic_init(&q->consumer.head, 0);
	atomic_init(&q->consumer.tail, 0);
	q->size = size;
	q->mask = size - 1;
	return q;
}

void alf_queue_free(struct alf_queue *q)
{
	free(q);
}

uint32_t alf_queue_size(const struct alf_queue *q)
{
	return q->size;
}

/**
 * snapshot_clamp() - bring a snapshot into range
 * @diff: a difference of two indices, which may have been read at moments
 *        far enough apart for a concurrent operation to move one of them
 * @size: the queue size
 *
 * Return: @diff within [0, @size]: 0 for a "negative" one (the index that
 * should be ahead was read first), @size for one above @size.
 */
static uint32_t snapshot_clamp(uint32_t diff, uint32_t size)
{
	if (diff > UINT32_MAX / 2)
		return 0;
	return diff < size ? diff : size;
}

uint32_t alf_queue_count(const struct alf_queue *q)
{
	uint32_t head, tail;

	head = atomic_load_explicit(&q->consumer.head, memory_order_relaxed);
	tail = atomic_load_explicit(&q->producer.tail, memory_order_relaxed);
	return snapshot_clamp(tail - head, q->size);
}

uint32_t alf_queue_avail_space(const struct alf_queue *q)
{
	uint32_t head, tail;

	head = atomic_load_explicit(&q->producer.head, memory_order_relaxed);
	tail = atomic_load_explicit(&q->consumer.tail, memory_order_relaxed);
	return snapshot_clamp(q->size - head + tail, q->size);
}

bool alf_queue_empty(const struct alf_queue *q)
{
	return alf_queue_count(q) == 0;
}

bool alf_queue_full(const struct alf_queue *q)
{
	return alf_queue_avail_space(q) == 0;
}

int alf_queue_reset_indices(struct alf_queue *q, uint32_t start)
{
	uint32_t ph, pt, ch, ct;

	ph = atomic_load_explicit(&q->producer.head, memory_order_relaxed);
	pt = atomic_load_explicit(&q->producer.tail, memory_order_relaxed);
	ch = atomic_load_explicit(&q->consumer.head, memory_order_relaxed);
	ct = atomic_load_explicit(&q->consumer.tail, memory_order_relaxed);
	if (ph != pt || pt != ch || ch != ct)
		return -EBUSY;
	atomic_store_explicit(&q->producer.head, start, memory_order_relaxed);
	atomic_store_explicit(&q->producer.tail, start, memory_order_relaxed);
	atomic_store_explicit(&q->consumer.head, start, memory_order_relaxed);
	atomic_store_explicit(&q->consumer.tail, start, memory_order_relaxed);
	return 0;
}
