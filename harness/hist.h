/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hist.h - a log-linear histogram of uint64_t values (clock ticks of
 * latclock.h), HdrHistogram's layout with two significant decimal digits:
 * the per-operation latency pass's record of every timed operation.
 *
 * Each worker thread records into its own struct pb_hist (calloc() it,
 * then pb_hist_init()); after the run they are merged with
 * pb_hist_merge() and read with pb_hist_value_at() or bucket by bucket.
 * Called by the latency pass and tests/unit/test_hist.c; calls nothing.
 *
 * Layout (PB_HIST_SUB_BITS = 7, PB_HIST_MAX_BITS = 38):
 *   values 0 .. 255         one bucket each: exact;
 *   values 2^k .. 2^(k+1)-1 (k = 8 .. 37) 128 buckets of width 2^(k-7):
 *                           a bucket's width is at most 1/128 of its
 *                           lowest value (0.78%);
 *   values >= 2^38          counted in @overflow only (2^38 ticks: 92 s at
 *                           3 GHz, 275 s in nanoseconds).
 * 256 + 30 x 128 = 4096 buckets, 32 KiB of counts, 32 KiB + 40 bytes a
 * histogram. A value's bucket is (b << 7) + (v >> b) where
 * b = max(0, msb(v) - 7): one clz, one shift, no division.
 *
 * Invariants: @count is the sum of every bucket and @overflow; @sum is the
 * sum of every recorded value (overflowed ones included); @min and @max
 * are exact, UINT64_MAX and 0 while empty.
 *
 * Concurrency: none; a histogram belongs to one thread until merged.
 */
#ifndef PB_HARNESS_HIST_H
#define PB_HARNESS_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_HIST_SUB_BITS 7	/* 128 buckets per power of two from 256 */
#define PB_HIST_MAX_BITS 38	/* values below 2^38 land in a bucket */
/* The lowest value counted in @overflow. */
#define PB_HIST_LIMIT (1ull << PB_HIST_MAX_BITS)
#define PB_HIST_NR_BUCKETS \
	((size_t)(PB_HIST_MAX_BITS - PB_HIST_SUB_BITS + 1) << PB_HIST_SUB_BITS)

/* A histogram: initialise with pb_hist_init() (all zero is not empty). */
struct pb_hist {
	uint64_t count;		/* values recorded, @overflow included */
	uint64_t min, max;	/* exact; UINT64_MAX and 0 while empty */
	uint64_t sum;		/* of every value: the mean is sum / count */
	uint64_t overflow;	/* values >= PB_HIST_LIMIT */
	uint64_t bucket[PB_HIST_NR_BUCKETS];
};

/**
 * pb_hist_init() - make a histogram empty
 * @h: the histogram (calloc()'d or not)
 */
void pb_hist_init(struct pb_hist *h);

/**
 * pb_hist_bucket_index() - the bucket a value falls in
 * @v: the value
 *
 * Return: the bucket's index; PB_HIST_NR_BUCKETS or more when @v is at
 * least PB_HIST_LIMIT (an overflow).
 */
static inline size_t pb_hist_bucket_index(uint64_t v)
{
	/* b = msb(v) - 7, or 0 below 256; then v >> b is in [128, 255]. */
	unsigned int b = 63 - PB_HIST_SUB_BITS -
			 (unsigned int)__builtin_clzll(v | ((2ull << PB_HIST_SUB_BITS) - 1));

	return ((size_t)b << PB_HIST_SUB_BITS) + (size_t)(v >> b);
}

/**
 * pb_hist_record() - count one value
 * @h: the histogram
 * @v: the value, in ticks
 *
 * The fast path, called between two timed operations: no division, one
 * well-predicted branch (overflow), the min and max as conditional moves.
 */
static inline void pb_hist_record(struct pb_hist *h, uint64_t v)
{
	size_t i = pb_hist_bucket_index(v);

	h->count++;
	h->sum += v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
	if (__builtin_expect(i < PB_HIST_NR_BUCKETS, 1))
		h->bucket[i]++;
	else
		h->overflow++;
}

/**
 * pb_hist_empty() - whether nothing was recorded
 * @h: the histogram
 *
 * Return: true when @h->count is 0.
 */
static inline bool pb_hist_empty(const struct pb_hist *h)
{
	return h->count == 0;
}

/**
 * pb_hist_merge() - add one histogram's values to another's
 * @dst: receives them
 * @src: is left as it is; may be empty
 *
 * Afterwards @dst is exactly what recording both sets of values into one
 * histogram gives.
 */
void pb_hist_merge(struct pb_hist *dst, const struct pb_hist *src);

/**
 * pb_hist_value_at() - the value at a percentile
 * @h: the histogram
 * @percentile: in [0, 100]; below 0 (or NaN) reads as 0, above 100 as 100
 *
 * The rank is ceil(@percentile / 100 x count), at least 1; a product
 * within a few ulps of an integer is that integer (99.9% of 100000 is
 * rank 99900, whatever rounding 99.9 takes). The answer is the highest
 * value of the bucket holding that rank (HdrHistogram's "highest
 * equivalent value"), clamped to @h->max: never below the true value of
 * that rank and above it by less than 1/128 of it (0 below 256). A rank
 * among the overflowed values answers @h->max.
 *
 * Return: that value; exactly @h->min for 0 and @h->max for 100; 0 for an
 * empty histogram (pb_hist_empty() tells it from a recorded 0).
 */
uint64_t pb_hist_value_at(const struct pb_hist *h, double percentile);

/**
 * pb_hist_nr_buckets() - how many buckets a histogram has
 *
 * Return: PB_HIST_NR_BUCKETS; their counts are @h->bucket[0 .. n-1].
 */
size_t pb_hist_nr_buckets(void);

/**
 * pb_hist_bucket_low() - the lowest value of a bucket
 * @i: the bucket's index
 *
 * Buckets are contiguous and ascending: bucket i + 1 starts one past
 * pb_hist_bucket_high(i).
 *
 * Return: the value; PB_HIST_LIMIT for @i >= PB_HIST_NR_BUCKETS (the
 * overflow range).
 */
uint64_t pb_hist_bucket_low(size_t i);

/**
 * pb_hist_bucket_high() - the highest value of a bucket (inclusive)
 * @i: the bucket's index
 *
 * Return: the value; UINT64_MAX for @i >= PB_HIST_NR_BUCKETS (the
 * overflow range).
 */
uint64_t pb_hist_bucket_high(size_t i);

#endif /* PB_HARNESS_HIST_H */
