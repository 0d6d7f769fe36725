/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * noise.h - how quiet the machine was during a run (noise.c): the load
 * average, CPU time stolen by the hypervisor, CPU time used by other
 * processes, the frequency governor, the current frequencies and SMT,
 * sampled at the run's start and end; an isolated run adds the null
 * baseline measured at its start, middle and end. The verdict says
 * whether the run was quiet enough to trust, against fixed thresholds.
 *
 * Called by the executors (local.c, isolate.c: the samples and the
 * probes' medians) and results.c (meta.json); calls jsonw.c only.
 */
#ifndef PB_HARNESS_NOISE_H
#define PB_HARNESS_NOISE_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/jsonw.h"

/* The verdict's thresholds: above any of them, the run is noisy. */
#define PB_NOISE_MAX_OTHERS_PCT 5.0	/* others' CPU, % of all CPUs' time */
#define PB_NOISE_MAX_STEAL_PCT 1.0	/* stolen, % of all CPUs' time */
#define PB_NOISE_MAX_DRIFT 1.10		/* null probes: max / min median */
/*
 * Shorter runs are not judged on other processes' CPU: /proc/stat counts
 * in clock ticks (10 ms), too coarse for a few seconds.
 */
#define PB_NOISE_MIN_SECONDS 5.0

/* /proc/stat's `cpu` line: user nice system idle iowait irq softirq steal. */
#define PB_NOISE_NR_CPU_FIELDS 8

/* What the machine looked like at one moment. */
struct pb_noise_sample {
	bool taken;
	char utc[32];
	double mono_s;			/* CLOCK_MONOTONIC */
	double load[3];			/* 1, 5, 15 minutes; NAN: unreadable */
	unsigned long long cpu[PB_NOISE_NR_CPU_FIELDS];	/* jiffies */
	bool cpu_ok;
	double own_cpu_s;		/* this process and its waited-for children */
	char governor[128];		/* the PUs' governors, ','-separated; "" */
	double mhz_min, mhz_max;	/* current frequencies; NAN: unreadable */
	int smt;			/* 1 on, 0 off, -1 unknown */
};

/* One measurement of the null baseline (null, fastpath-reuse, 1 thread). */
struct pb_noise_probe {
	char at[16];			/* "start", "round-<k>", "middle", "end" */
	double started_s;		/* after the run's start */
	double median_ns;		/* NAN: it failed */
	char reason[256];		/* why it failed */
};

/* At most: the start, 8 between (rounds or the middle), the end. */
#define PB_NOISE_NR_PROBES 10

/* A run's noise report. */
struct pb_noise {
	struct pb_noise_sample start, end;
	struct pb_noise_probe probe[PB_NOISE_NR_PROBES];
	int nr_probes;
};

/**
 * pb_noise_sample() - read the machine's state now
 * @s: where it goes (every field that cannot be read says so)
 */
void pb_noise_sample(struct pb_noise_sample *s);

/**
 * pb_noise_verdict() - the closing line: quiet or noisy, with the figures
 * and the thresholds
 * @n: the report, its start and end sampled
 * @buf: where the line goes (no newline)
 * @len: its size
 *
 * Return: true when quiet: other processes, steal and (with probes) the
 * null baseline's drift within their thresholds; a figure that could
 * not be read is named and does not make the run noisy.
 */
bool pb_noise_verdict(const struct pb_noise *n, char *buf, size_t len);

/**
 * pb_noise_meta() - meta.json's `noise` member
 * @w: the writer, inside the top object
 * @n: the report
 */
void pb_noise_meta(struct pb_jw *w, const struct pb_noise *n);

#endif /* PB_HARNESS_NOISE_H */
