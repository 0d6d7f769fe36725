/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probes.h - the memory probe of every run and the histograms of a latency
 * run (probes.c), and the columns they fill.
 *
 * A run's steps (bench.c), each thread of the instance in lock step:
 *
 *   all:      pb_probes_thread_prepare(): a latency run's histograms
 *   thread 0: pb_mem_before_create(): reset the peak, read the base RSS
 *   all:      the batch (a latency run: the latency kernel, which records
 *             into the histograms); thread_fini  (nothing here runs in it)
 *   thread 0: the backend's statistics of the batch
 *   all:      pb_probes_thread_start(): a new ctx, holding the workload's
 *             live objects
 *   thread 0: pb_mem_read_live(): RSS and cached objects with them held;
 *             pb_lat_collect(): a latency run's histograms, merged
 *   all:      pb_probes_thread_end(): free them, thread_fini
 *   thread 0: pb_probes_set_counters(): the columns, as Google Benchmark
 *             counters of the run
 *
 * Called by bench.c; calls the backend's operations, the latency kernels
 * (workloads/kernels.h), harness/hist.c and harness/latclock.c.
 */
#ifndef PB_HARNESS_PROBES_H
#define PB_HARNESS_PROBES_H

#include <stdio.h>

#include "harness/gbshim.h"
#include "harness/latclock.h"
#include "harness/run.h"

/* Counter names of the probes' columns (Google Benchmark's counters). */
#define PB_CNT_MEM_PREFIX "mem."
#define PB_CNT_LAT_PREFIX "lat."
#define PB_CNT_LAT_SEQ "lat_seq"
#define PB_CNT_LAT_PROBE "lat_probe_ns"

/**
 * pb_probes_init() - what the probes can do in this process, for the run
 * and its meta.json: whether the peak RSS restarts per run, and, when an
 * instance is a latency one, the latency clock, calibrated once
 * @r: the planned run; its lat_clock, peak_resets and peak_note are set
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err (the clock could not be calibrated).
 */
int pb_probes_init(struct pb_run *r, char *err, size_t errlen);

/**
 * pb_mem_peak_resets() - whether this process can restart its peak RSS
 * (/proc/self/clear_refs), so that rss_peak_kib is one run's
 * @why: the reason when it cannot
 * @len: its size
 *
 * Return: true when it can.
 */
bool pb_mem_peak_resets(char *why, size_t len);

/**
 * pb_mem_before_create() - thread 0, before the pool's create: reset the
 * process's peak RSS and read the base RSS
 * @in: the instance
 */
void pb_mem_before_create(struct pb_instance *in);

/**
 * pb_probes_thread_prepare() - a worker, before the run: its latency
 * histograms (allocated and written here, so that no page of them faults
 * inside the pass)
 * @in: the instance
 * @ti: the thread
 *
 * Return: 0, or -1 with the thread's error set (out of memory).
 */
int pb_probes_thread_prepare(struct pb_instance *in, unsigned int ti);

/**
 * pb_probes_thread_start() - a worker, after the batch's statistics were
 * read: a new ctx, holding the workload's live objects
 * @in: the instance
 * @ti: the thread
 *
 * Every thread of the instance calls it (and pb_probes_thread_end());
 * one whose batch did not run does nothing.
 *
 * Return: the ctx, NULL when none was made.
 */
void *pb_probes_thread_start(struct pb_instance *in, unsigned int ti);

/**
 * pb_mem_read_live() - thread 0, with every worker's objects held: the
 * RSS and the backend's cached objects
 * @in: the instance
 */
void pb_mem_read_live(struct pb_instance *in);

/**
 * pb_lat_collect() - thread 0, every worker past its batch: a latency
 * run's histograms, the threads' merged and kept under a new number
 * @in: the instance
 */
void pb_lat_collect(struct pb_instance *in);

/**
 * pb_probes_thread_end() - a worker: free what it held, thread_fini
 * @in: the instance
 * @ti: the thread
 * @ctx: what pb_probes_thread_start() returned
 */
void pb_probes_thread_end(struct pb_instance *in, unsigned int ti, void *ctx);

/**
 * pb_probes_set_counters() - thread 0, at the end of a run that did not
 * fail: the memory and latency columns as counters of the run
 * @st: the body's state
 * @in: the instance
 */
void pb_probes_set_counters(struct pb_gb_state *st, struct pb_instance *in);

/**
 * pb_probes_thread_release() - a worker, at the end: free its histograms
 * @in: the instance
 * @ti: the thread
 */
void pb_probes_thread_release(struct pb_instance *in, unsigned int ti);

/**
 * pb_probes_row_counter() - read one of the probes' counters into a row
 * @row: the row being filled from a report
 * @name: the counter's name
 * @v: its value
 *
 * Return: true when @name was one of the probes'.
 */
bool pb_probes_row_counter(struct pb_row *row, const char *name, double v);

/**
 * pb_lat_csv_header() - latency.csv's header line
 * @f: the file
 */
void pb_lat_csv_header(FILE *f);

/**
 * pb_lat_write_instance() - append @in's histograms to latency.csv: the
 * latency passes of the rows reported for it, summed, one line per
 * operation and bucket; then forget them
 * @r: the run; latency.csv is in its folder
 * @in: the instance, all its rows in
 * @label: its backend label (results.csv's)
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0 (also when it had no latency pass), or -1 with @err.
 */
int pb_lat_write_instance(const struct pb_run *r, const struct pb_instance *in,
			  const char *label, char *err, size_t errlen);

#endif /* PB_HARNESS_PROBES_H */
