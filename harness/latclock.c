// SPDX-License-Identifier: GPL-2.0-only
/*
 * latclock.c - the latency clock's calibration (latclock.h): which
 * reading, its rate against CLOCK_MONOTONIC, its probe cost.
 *
 * Called by the latency pass and tests/unit/test_hist.c; calls nothing
 * else in the tree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#ifdef __x86_64__
#include <cpuid.h>
#endif

#include "harness/latclock.h"

#define NR_RATE_TRIES 3
#define RATE_SLEEP_NS (50 * 1000 * 1000L)
#define NR_PROBES 100000
/* A TSC outside 50 MHz .. 50 GHz is broken, not fast or slow. */
#define MIN_TICKS_PER_NS 0.05
#define MAX_TICKS_PER_NS 50.0

enum pb_lat_reading pb_lat_reading = PB_LAT_MONOTONIC;

static void say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Whether @name is one of @flags' whitespace-separated words. */
static bool has_flag(const char *flags, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = flags; (p = strstr(p, name)); p += n) {
		bool starts = p == flags || isspace((unsigned char)p[-1]);
		bool ends = p[n] == '\0' || isspace((unsigned char)p[n]);

		if (starts && ends)
			return true;
	}
	return false;
}

/* /proc/cpuinfo's first "flags" line (malloc()'d), or NULL. */
static char *read_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "flags", 5) && strchr(line, ':')) {
			fclose(f);
			return line;
		}
	}
	free(line);
	fclose(f);
	return NULL;
}

/* Whether rdtsc may be the clock; the reason in @why when not. */
static bool tsc_usable(const char *flags, char *why, size_t len)
{
#ifdef __x86_64__
	int mode;

	if (!flags) {
		say(why, len, "cannot read the flags of /proc/cpuinfo");
		return false;
	}
	if (!has_flag(flags, "constant_tsc")) {
		say(why, len, "/proc/cpuinfo's flags lack constant_tsc "
		    "(the TSC may follow the core's frequency)");
		return false;
	}
	if (!has_flag(flags, "nonstop_tsc")) {
		say(why, len, "/proc/cpuinfo's flags lack nonstop_tsc "
		    "(the TSC may stop in deep C-states)");
		return false;
	}
	/* Fails on kernels without it: then nothing forbids rdtsc. */
	if (prctl(PR_GET_TSC, &mode) == 0 && mode != PR_TSC_ENABLE) {
		say(why, len, "prctl(PR_GET_TSC): rdtsc faults in this process");
		return false;
	}
	return true;
#else
	(void)flags;
	say(why, len, "not x86-64");
	return false;
#endif
}

/* Whether the CPU has rdtscp: CPUID 0x80000001, EDX bit 27. */
static bool has_rdtscp(void)
{
#ifdef __x86_64__
	unsigned int a, b, c, d;

	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27));
#else
	return false;
#endif
}

/*
 * TSC ticks per CLOCK_MONOTONIC nanosecond, pb_lat_reading set to a TSC
 * reading: the try with the narrowest brackets, or 0 when none measured.
 */
static double measure_rate(void)
{
	uint64_t best_width = UINT64_MAX;
	double rate = 0;

	for (int t = 0; t < NR_RATE_TRIES; t++) {
		struct timespec nap = { 0, RATE_SLEEP_NS };
		uint64_t a0, a1, b0, b1, m0, m1, width;

		a0 = pb_lat_start();
		m0 = pb_lat_monotonic_ns();
		a1 = pb_lat_end();
		while (nanosleep(&nap, &nap) == -1 && errno == EINTR)
			continue;
		b0 = pb_lat_start();
		m1 = pb_lat_monotonic_ns();
		b1 = pb_lat_end();
		width = (a1 - a0) + (b1 - b0);
		if (m1 <= m0 || b0 <= a1 || width >= best_width)
			continue;
		best_width = width;
		rate = (double)((b0 + (b1 - b0) / 2) - (a0 + (a1 - a0) / 2)) /
		       (double)(m1 - m0);
	}
	return rate;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The median and minimum of NR_PROBES empty pairs; -1: out of memory. */
static int measure_probe(struct pb_lat_clock *c)
{
	uint64_t *d = malloc(NR_PROBES * sizeof(*d));

	if (!d)
		return -1;
	/* Fault the pages in first: not between two pairs. */
	memset(d, 0, NR_PROBES * sizeof(*d));
	for (size_t i = 0; i < NR_PROBES; i++) {
		uint64_t t0 = pb_lat_start();

		d[i] = pb_lat_end() - t0;
	}
	qsort(d, NR_PROBES, sizeof(*d), cmp_u64);
	c->probe_min = d[0];
	c->probe_median = d[NR_PROBES / 2];
	free(d);
	return 0;
}

int pb_lat_calibrate_flags(struct pb_lat_clock *c, const char *flags,
			   char *why, size_t len)
{
	struct timespec ts;

	pb_lat_reading = PB_LAT_MONOTONIC;
	memset(c, 0, sizeof(*c));
	if (why && len)
		why[0] = '\0';
	if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
		say(why, len, "clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
		return -1;
	}
	if (tsc_usable(flags, why, len)) {
		double rate;

		pb_lat_reading = has_rdtscp() ? PB_LAT_RDTSCP : PB_LAT_RDTSC;
		rate = measure_rate();
		if (rate >= MIN_TICKS_PER_NS && rate <= MAX_TICKS_PER_NS) {
			c->source = "rdtsc";
			c->method = pb_lat_reading == PB_LAT_RDTSCP ?
				    "lfence;rdtsc .. rdtscp;lfence" :
				    "lfence;rdtsc .. lfence;rdtsc;lfence (no rdtscp)";
			c->ticks_per_ns = rate;
		} else {
			say(why, len, "rdtsc ran at %.3g ticks per CLOCK_MONOTONIC ns, "
			    "outside [%g, %g]", rate, MIN_TICKS_PER_NS, MAX_TICKS_PER_NS);
			pb_lat_reading = PB_LAT_MONOTONIC;
		}
	}
	if (pb_lat_reading == PB_LAT_MONOTONIC) {
		c->source = "clock_gettime";
		c->method = "clock_gettime(CLOCK_MONOTONIC)";
		c->ticks_per_ns = 1;
	}
	if (measure_probe(c)) {
		say(why, len, "out of memory for %d probe samples", NR_PROBES);
		pb_lat_reading = PB_LAT_MONOTONIC;
		return -1;
	}
	return 0;
}

int pb_lat_calibrate(struct pb_lat_clock *c, char *why, size_t len)
{
	char *flags = read_flags();
	int ret = pb_lat_calibrate_flags(c, flags, why, len);

	free(flags);
	return ret;
}

double pb_lat_ticks_to_ns(const struct pb_lat_clock *c, double ticks)
{
	return ticks / c->ticks_per_ns;
}
