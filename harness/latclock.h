/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * latclock.h - the clock of the per-operation latency pass: the cheapest
 * stable clock for timing one operation, read as
 *	t0 = pb_lat_start(); op(); t1 = pb_lat_end();
 *	pb_hist_record(h, pb_lat_elapsed(&clock, t0, t1));
 *
 * pb_lat_calibrate() picks the reading once per process, before the
 * threads that time start:
 *   rdtsc          on x86-64 when /proc/cpuinfo's flags have both
 *                  constant_tsc (the TSC ticks at a fixed rate, whatever
 *                  the core's frequency) and nonstop_tsc (it keeps ticking
 *                  in deep C-states), and prctl(PR_GET_TSC) allows it. The
 *                  start is `lfence; rdtsc` (everything before has
 *                  completed), the end `rdtscp; lfence` (rdtscp waits for
 *                  the timed instructions, the lfence keeps later ones out),
 *                  the pattern of Intel's "How to Benchmark Code Execution
 *                  Times" with lfence for cpuid. Where the CPU hides rdtscp
 *                  (CPUID 0x80000001 EDX bit 27; some hypervisors do) the end
 *                  is `lfence; rdtsc; lfence`, the same ordering.
 *   clock_gettime  CLOCK_MONOTONIC in nanoseconds anywhere else (other
 *                  architectures, a flag missing, the TSC refused by
 *                  prctl), the reason given.
 * Ticks are TSC cycles or nanoseconds; pb_lat_ticks_to_ns() converts with
 * the rate measured against CLOCK_MONOTONIC.
 *
 * The probe cost (struct pb_lat_clock.probe_median) is the median of
 * many back-to-back empty start/end pairs: what timing nothing reads.
 * pb_lat_elapsed() subtracts it from every sample so that a sample
 * estimates the operation alone. The median, not the minimum: the minimum
 * is the luckiest pair (the two readings overlapped best), so subtracting
 * it leaves most of the overhead in a typical sample; with the median
 * about half of the samples of an empty operation read 0 and the rest a
 * few ticks, and no sample goes below 0 (it is clamped). The minimum is
 * kept for the record: the spread between the two bounds what a single
 * sample can resolve.
 *
 * Limits: the flags are the CPU's promise, not the kernel's verdict: a TSC
 * the kernel found unsynchronised between sockets is not detected here.
 * A thread that migrates between its two readings reads two CPUs' TSCs,
 * equal where the kernel keeps them synchronised (constant_tsc machines
 * normally are); a difference that went backwards reads 0.
 *
 * Called by the latency pass and tests/unit/test_hist.c; calls nothing
 * else in the tree.
 */
#ifndef PB_HARNESS_LATCLOCK_H
#define PB_HARNESS_LATCLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The readings pb_lat_start() and pb_lat_end() make. */
enum pb_lat_reading {
	PB_LAT_MONOTONIC,	/* clock_gettime(CLOCK_MONOTONIC), ns */
	PB_LAT_RDTSCP,		/* lfence;rdtsc, then rdtscp;lfence */
	PB_LAT_RDTSC,		/* lfence;rdtsc, then lfence;rdtsc;lfence */
};

/*
 * The process's reading: written by pb_lat_calibrate() only, read by the
 * inline functions below (one predictable branch). PB_LAT_MONOTONIC until
 * calibrated.
 */
extern enum pb_lat_reading pb_lat_reading;

/* What calibration found. */
struct pb_lat_clock {
	const char *source;	/* "rdtsc" or "clock_gettime" */
	const char *method;	/* the instructions or the call, in words */
	double ticks_per_ns;	/* measured for rdtsc; exactly 1 otherwise */
	uint64_t probe_median;	/* ticks an empty start/end pair reads: */
	uint64_t probe_min;	/*   median (subtracted) and minimum */
};

/**
 * pb_lat_calibrate() - pick the clock, measure its rate and probe cost
 * @c: receives what was found
 * @why: receives why rdtsc is not used ("" when it is); may be NULL
 * @len: its size
 *
 * The rate: 3 tries of ~50 ms asleep, each end reading CLOCK_MONOTONIC
 * between two TSC readings; the try whose brackets were narrowest (least
 * disturbed) gives TSC ticks over nanoseconds between the brackets'
 * midpoints. A rate outside [0.05, 50] ticks/ns (a broken virtual TSC)
 * falls back to clock_gettime. The probe cost: 100000 back-to-back empty
 * pairs, their median and minimum. Takes ~0.2 s.
 *
 * Sets pb_lat_reading: call it before the threads that time start, never
 * while one is timing.
 *
 * Return: 0; -1 with the reason in @why when out of memory or
 * CLOCK_MONOTONIC cannot be read (pb_lat_reading is PB_LAT_MONOTONIC
 * then, @c not to be used).
 */
int pb_lat_calibrate(struct pb_lat_clock *c, char *why, size_t len);

/**
 * pb_lat_calibrate_flags() - pb_lat_calibrate() with given CPU flags
 * @c: receives what was found
 * @flags: /proc/cpuinfo's flags, space-separated ("flags :" may lead); NULL
 *         when they could not be read (then clock_gettime)
 * @why: as for pb_lat_calibrate()
 * @len: its size
 *
 * What pb_lat_calibrate() does after reading the flags: a caller (a test)
 * can reach the clock_gettime path on any machine with flags that lack
 * constant_tsc. rdtscp is never taken from @flags but from CPUID, so no
 * flags make this function run an instruction the CPU lacks.
 *
 * Return: as for pb_lat_calibrate().
 */
int pb_lat_calibrate_flags(struct pb_lat_clock *c, const char *flags,
			   char *why, size_t len);

/**
 * pb_lat_ticks_to_ns() - convert ticks to nanoseconds
 * @c: the calibrated clock
 * @ticks: a duration in ticks (a difference, a percentile, a probe cost)
 *
 * Return: @ticks / @c->ticks_per_ns.
 */
double pb_lat_ticks_to_ns(const struct pb_lat_clock *c, double ticks);

/**
 * pb_lat_monotonic_ns() - CLOCK_MONOTONIC now: the clock_gettime reading
 *
 * Return: nanoseconds.
 */
static inline uint64_t pb_lat_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * pb_lat_start() - read the clock before a timed operation
 *
 * The "memory" clobbers keep the compiler from moving memory accesses
 * across the reading, in either function.
 *
 * Return: ticks (TSC cycles or nanoseconds, see pb_lat_reading).
 */
static inline uint64_t pb_lat_start(void)
{
#ifdef __x86_64__
	if (pb_lat_reading != PB_LAT_MONOTONIC) {
		uint32_t lo, hi;

		__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
		return (uint64_t)hi << 32 | lo;
	}
#endif
	return pb_lat_monotonic_ns();
}

/**
 * pb_lat_end() - read the clock after a timed operation
 *
 * Return: ticks, in the same unit as pb_lat_start()'s.
 */
static inline uint64_t pb_lat_end(void)
{
#ifdef __x86_64__
	if (pb_lat_reading != PB_LAT_MONOTONIC) {
		uint32_t lo, hi;

		if (pb_lat_reading == PB_LAT_RDTSCP)
			__asm__ volatile("rdtscp\n\tlfence"
					 : "=a"(lo), "=d"(hi) : : "rcx", "memory");
		else
			__asm__ volatile("lfence\n\trdtsc\n\tlfence"
					 : "=a"(lo), "=d"(hi) : : "memory");
		return (uint64_t)hi << 32 | lo;
	}
#endif
	return pb_lat_monotonic_ns();
}

/**
 * pb_lat_elapsed() - one sample: the ticks between two readings, less the
 * probe cost
 * @c: the calibrated clock
 * @t0: pb_lat_start()'s reading
 * @t1: pb_lat_end()'s reading
 *
 * Return: @t1 - @t0 - @c->probe_median, or 0 when that is not positive.
 */
static inline uint64_t pb_lat_elapsed(const struct pb_lat_clock *c,
				      uint64_t t0, uint64_t t1)
{
	int64_t d = (int64_t)(t1 - t0 - c->probe_median);

	return d > 0 ? (uint64_t)d : 0;
}

#endif /* PB_HARNESS_LATCLOCK_H */
