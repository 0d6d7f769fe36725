// SPDX-License-Identifier: GPL-2.0-only
/*
 * hist.c - the log-linear latency histogram (hist.h): its slow paths,
 * merging, percentiles and the bucket bounds for dumping.
 *
 * Called by the latency pass and tests/unit/test_hist.c; calls nothing.
 */
#include <float.h>
#include <string.h>

#include "harness/hist.h"

void pb_hist_init(struct pb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void pb_hist_merge(struct pb_hist *dst, const struct pb_hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	dst->overflow += src->overflow;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (size_t i = 0; i < PB_HIST_NR_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

/* ceil(@percentile / 100 x @count) in [1, @count]; @percentile in (0, 100). */
static uint64_t rank_of(double percentile, uint64_t count)
{
	double x = percentile * (double)count / 100;
	uint64_t r = (uint64_t)x;

	/*
	 * Round up only past the error of the two roundings above and of
	 * @percentile's own (99.9 is not a binary fraction): each is within
	 * DBL_EPSILON / 2 of x.
	 */
	if ((double)r < x - x * 4 * DBL_EPSILON)
		r++;
	if (r < 1)
		r = 1;
	return r < count ? r : count;
}

uint64_t pb_hist_value_at(const struct pb_hist *h, double percentile)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (!(percentile > 0))
		return h->min;
	if (percentile >= 100)
		return h->max;
	rank = rank_of(percentile, h->count);
	for (size_t i = 0; i < PB_HIST_NR_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t high = pb_hist_bucket_high(i);

			return high < h->max ? high : h->max;
		}
	}
	return h->max;
}

size_t pb_hist_nr_buckets(void)
{
	return PB_HIST_NR_BUCKETS;
}

/* The shift of bucket @i: its width is 1 << shift (hist.h's b). */
static unsigned int bucket_shift(size_t i)
{
	return i < (2u << PB_HIST_SUB_BITS) ? 0 :
	       (unsigned int)(i >> PB_HIST_SUB_BITS) - 1;
}

uint64_t pb_hist_bucket_low(size_t i)
{
	unsigned int b = bucket_shift(i);

	if (i >= PB_HIST_NR_BUCKETS)
		return PB_HIST_LIMIT;
	/* Inverts pb_hist_bucket_index(): i = (b << 7) + (low >> b). */
	return (uint64_t)(i - ((size_t)b << PB_HIST_SUB_BITS)) << b;
}

uint64_t pb_hist_bucket_high(size_t i)
{
	if (i >= PB_HIST_NR_BUCKETS)
		return UINT64_MAX;
	return pb_hist_bucket_low(i) + (1ull << bucket_shift(i)) - 1;
}
