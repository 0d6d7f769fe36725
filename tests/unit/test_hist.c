// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_hist.c - the latency pass's histogram (harness/hist.h) and clock
 * (harness/latclock.h).
 *
 * The histogram is checked on synthetic data with known answers: uniform
 * 1..1000, one value, a bimodal set, merging, the bucket bounds, the
 * overflow, an empty histogram, the percentiles' edges. The clock only on
 * what holds on any machine, loaded or not: calibration succeeds, the rate
 * is plausible, the probe cost's median is not below its minimum, and a
 * 20 ms sleep reads between 15 and 200 ms. Nothing here asserts a speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/hist.h"
#include "harness/latclock.h"

static struct pb_hist *new_hist(void)
{
	struct pb_hist *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	pb_hist_init(h);
	return h;
}

/* Deterministic values over 10 decades, with some past PB_HIST_LIMIT. */
static uint64_t next_value(uint64_t *state)
{
	uint64_t x;

	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	x = *state >> 20;
	return x >> (x % 44);
}

static void hist_uniform_1_to_1000(void **state)
{
	struct pb_hist *h = new_hist();

	(void)state;
	for (uint64_t v = 1; v <= 1000; v++)
		pb_hist_record(h, v);
	assert_int_equal(h->count, 1000);
	assert_int_equal(h->min, 1);
	assert_int_equal(h->max, 1000);
	assert_int_equal(h->sum, 500500);
	assert_int_equal(h->overflow, 0);
	assert_in_range(pb_hist_value_at(h, 50), 500, 505);
	assert_in_range(pb_hist_value_at(h, 99), 990, 999);
	assert_int_equal(pb_hist_value_at(h, 100), 1000);
	assert_int_equal(pb_hist_value_at(h, 0), 1);
	/* Rank r holds value r: never below it, above by under 1/128. */
	for (int tenths = 1; tenths < 1000; tenths++) {
		uint64_t exact = (uint64_t)tenths;	/* ceil(tenths / 1000 x 1000) */
		uint64_t got = pb_hist_value_at(h, tenths / 10.0);

		assert_true(got >= exact);
		assert_true(got <= exact + exact / 128);
	}
	free(h);
}

static void hist_small_values_exact(void **state)
{
	struct pb_hist *h = new_hist();

	(void)state;
	for (uint64_t v = 0; v < 256; v++)
		pb_hist_record(h, v);
	/* Rank k (k / 256 of the count) is the value k - 1, exactly. */
	for (uint64_t k = 1; k <= 256; k++)
		assert_int_equal(pb_hist_value_at(h, 100.0 * (double)k / 256), k - 1);
	free(h);
}

static void hist_single_value(void **state)
{
	static const double ps[] = { 0, 1e-9, 25, 50, 99, 99.999, 100 };
	struct pb_hist *h = new_hist();

	(void)state;
	pb_hist_record(h, 12345);
	assert_int_equal(h->count, 1);
	assert_int_equal(h->min, 12345);
	assert_int_equal(h->max, 12345);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_int_equal(pb_hist_value_at(h, ps[i]), 12345);
	free(h);
}

/*
 * 99.9% at 10, 0.1% at 100000. The rank rule: p99.9 is rank 99900 of
 * 100000, the last 10 (the product must not round up to 99901); any
 * percentile above it reaches the 100000s.
 */
static void hist_bimodal(void **state)
{
	struct pb_hist *h = new_hist();

	(void)state;
	for (int i = 0; i < 99900; i++)
		pb_hist_record(h, 10);
	for (int i = 0; i < 100; i++)
		pb_hist_record(h, 100000);
	assert_int_equal(h->count, 100000);
	assert_int_equal(pb_hist_value_at(h, 50), 10);
	assert_int_equal(pb_hist_value_at(h, 99), 10);
	assert_int_equal(pb_hist_value_at(h, 99.9), 10);
	assert_int_equal(pb_hist_value_at(h, 99.901), 100000);
	assert_int_equal(pb_hist_value_at(h, 99.99), 100000);
	assert_int_equal(pb_hist_value_at(h, 100), 100000);
	assert_int_equal(pb_hist_value_at(h, 0), 10);
	free(h);
}

static void hist_merge_equals_one(void **state)
{
	struct pb_hist *a = new_hist(), *b = new_hist(), *all = new_hist();
	struct pb_hist *none = new_hist();
	uint64_t seed = 18;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint64_t v = next_value(&seed);

		pb_hist_record(i % 3 ? a : b, v);
		pb_hist_record(all, v);
	}
	assert_true(all->overflow > 0);
	pb_hist_merge(a, b);
	assert_memory_equal(a, all, sizeof(*a));
	pb_hist_merge(a, none);
	assert_memory_equal(a, all, sizeof(*a));
	pb_hist_merge(none, all);
	assert_memory_equal(none, all, sizeof(*a));
	free(a);
	free(b);
	free(all);
	free(none);
}

static void hist_bucket_bounds(void **state)
{
	size_t n = pb_hist_nr_buckets();

	(void)state;
	assert_int_equal(n, PB_HIST_NR_BUCKETS);
	assert_true(PB_HIST_LIMIT >= 1ull << 36);
	assert_int_equal(pb_hist_bucket_low(0), 0);
	assert_int_equal(pb_hist_bucket_high(n - 1), PB_HIST_LIMIT - 1);
	assert_int_equal(pb_hist_bucket_low(n), PB_HIST_LIMIT);
	assert_int_equal(pb_hist_bucket_high(n), UINT64_MAX);
	for (size_t i = 0; i < n; i++) {
		uint64_t low = pb_hist_bucket_low(i), high = pb_hist_bucket_high(i);

		assert_true(low <= high);
		if (i > 0)
			assert_int_equal(low, pb_hist_bucket_high(i - 1) + 1);
		if (low < 256)
			assert_int_equal(high, low);
		else
			assert_true((high - low + 1) * 128 <= low);
		assert_int_equal(pb_hist_bucket_index(low), i);
		assert_int_equal(pb_hist_bucket_index(high), i);
	}
	assert_true(pb_hist_bucket_index(PB_HIST_LIMIT) >= n);
	assert_true(pb_hist_bucket_index(UINT64_MAX) >= n);
}

static void hist_overflow(void **state)
{
	struct pb_hist *h = new_hist();

	(void)state;
	pb_hist_record(h, PB_HIST_LIMIT - 1);
	pb_hist_record(h, PB_HIST_LIMIT);
	pb_hist_record(h, UINT64_MAX);
	assert_int_equal(h->count, 3);
	assert_int_equal(h->overflow, 2);
	assert_int_equal(h->bucket[PB_HIST_NR_BUCKETS - 1], 1);
	assert_int_equal(h->max, UINT64_MAX);
	assert_int_equal(h->min, PB_HIST_LIMIT - 1);
	/* Rank 1 in the last bucket; ranks 2 and 3 overflowed: the max. */
	assert_int_equal(pb_hist_value_at(h, 33), PB_HIST_LIMIT - 1);
	assert_int_equal(pb_hist_value_at(h, 50), UINT64_MAX);
	assert_int_equal(pb_hist_value_at(h, 100), UINT64_MAX);
	free(h);
}

static void hist_empty(void **state)
{
	struct pb_hist *h = new_hist(), *other = new_hist();

	(void)state;
	assert_true(pb_hist_empty(h));
	assert_int_equal(h->min, UINT64_MAX);
	assert_int_equal(h->max, 0);
	assert_int_equal(pb_hist_value_at(h, 0), 0);
	assert_int_equal(pb_hist_value_at(h, 50), 0);
	assert_int_equal(pb_hist_value_at(h, 100), 0);
	pb_hist_merge(h, other);
	assert_true(pb_hist_empty(h));
	assert_int_equal(h->min, UINT64_MAX);
	pb_hist_record(h, 0);
	assert_false(pb_hist_empty(h));
	assert_int_equal(pb_hist_value_at(h, 50), 0);
	free(h);
	free(other);
}

static void hist_percentile_edges(void **state)
{
	struct pb_hist *h = new_hist();

	(void)state;
	for (uint64_t v = 1000; v <= 5000; v += 7)
		pb_hist_record(h, v);
	assert_int_equal(pb_hist_value_at(h, 0), 1000);
	assert_int_equal(pb_hist_value_at(h, -5), 1000);
	assert_int_equal(pb_hist_value_at(h, NAN), 1000);
	assert_int_equal(pb_hist_value_at(h, 100), h->max);
	assert_int_equal(pb_hist_value_at(h, 150), h->max);
	assert_int_equal(h->max, 1000 + 7 * (4000 / 7));
	/* Rank 1: the first value's bucket, [1000, 1003]. */
	assert_in_range(pb_hist_value_at(h, 1e-6), 1000, 1003);
	free(h);
}

static void calibrated(struct pb_lat_clock *c)
{
	char why[256] = "unset";

	assert_int_equal(pb_lat_calibrate(c, why, sizeof(why)), 0);
	assert_non_null(c->source);
	assert_non_null(c->method);
	if (!strcmp(c->source, "rdtsc")) {
		assert_string_equal(why, "");
		assert_true(c->ticks_per_ns >= 0.1 && c->ticks_per_ns <= 10);
	} else {
		assert_string_equal(c->source, "clock_gettime");
		assert_true(why[0] != '\0');
		assert_true(c->ticks_per_ns == 1);
	}
	assert_true(c->probe_median >= c->probe_min);
	print_message("latclock: %s (%s)%s%s, %.4f ticks/ns, "
		      "probe median %llu min %llu ticks (%.1f, %.1f ns)\n",
		      c->source, c->method, why[0] ? ": " : "", why, c->ticks_per_ns,
		      (unsigned long long)c->probe_median,
		      (unsigned long long)c->probe_min,
		      pb_lat_ticks_to_ns(c, (double)c->probe_median),
		      pb_lat_ticks_to_ns(c, (double)c->probe_min));
}

/* A ~20 ms sleep timed with the clock reads 15 to 200 ms. */
static void sleep_reads_right(const struct pb_lat_clock *c)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	uint64_t t0, t1;
	double ms;

	t0 = pb_lat_start();
	nanosleep(&nap, NULL);
	t1 = pb_lat_end();
	ms = pb_lat_ticks_to_ns(c, (double)pb_lat_elapsed(c, t0, t1)) / 1e6;
	assert_true(ms >= 15 && ms <= 200);
	for (int i = 0; i < 1000; i++) {
		t0 = pb_lat_start();
		t1 = pb_lat_end();
		assert_true(t1 >= t0);
	}
}

static void latclock_calibrates(void **state)
{
	struct pb_lat_clock c;

	(void)state;
	calibrated(&c);
	sleep_reads_right(&c);
	assert_int_equal(pb_lat_elapsed(&c, 100, 100), 0);
	assert_int_equal(pb_lat_elapsed(&c, 100, 50), 0);
	assert_int_equal(pb_lat_elapsed(&c, 100, 1100 + c.probe_median), 1000);
}

static void latclock_falls_back(void **state)
{
	static const char *const flags[] = {
		"flags\t\t: fpu tsc nonstop_tsc\n",		/* no constant_tsc */
		"fpu constant_tsc_x nonstop_tsc",		/* a longer word */
		"constant_tsc",					/* no nonstop_tsc */
	};
	struct pb_lat_clock c;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_int_equal(pb_lat_calibrate_flags(&c, flags[i], why, sizeof(why)), 0);
		assert_string_equal(c.source, "clock_gettime");
		assert_int_equal(pb_lat_reading, PB_LAT_MONOTONIC);
		assert_true(c.ticks_per_ns == 1);
#ifdef __x86_64__
		assert_non_null(strstr(why, i < 2 ? "constant_tsc" : "nonstop_tsc"));
#endif
		sleep_reads_right(&c);
	}
	assert_int_equal(pb_lat_calibrate_flags(&c, NULL, why, sizeof(why)), 0);
	assert_string_equal(c.source, "clock_gettime");
#ifdef __x86_64__
	assert_non_null(strstr(why, "/proc/cpuinfo"));
#endif
	assert_true(c.probe_median >= c.probe_min);
	calibrated(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hist_uniform_1_to_1000),
		cmocka_unit_test(hist_small_values_exact),
		cmocka_unit_test(hist_single_value),
		cmocka_unit_test(hist_bimodal),
		cmocka_unit_test(hist_merge_equals_one),
		cmocka_unit_test(hist_bucket_bounds),
		cmocka_unit_test(hist_overflow),
		cmocka_unit_test(hist_empty),
		cmocka_unit_test(hist_percentile_edges),
		cmocka_unit_test(latclock_calibrates),
		cmocka_unit_test(latclock_falls_back),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
