/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * testutil.h - small helpers the stress programs share: a monotonic clock
 * for their time budgets and a xorshift64 generator for reproducible
 * random choices (seeded per thread; no shared state).
 */
#ifndef PB_TESTS_COMMON_TESTUTIL_H
#define PB_TESTS_COMMON_TESTUTIL_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64: *rng must start non-zero. */
static inline uint64_t next_rand(uint64_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return *rng;
}

#endif /* PB_TESTS_COMMON_TESTUTIL_H */
