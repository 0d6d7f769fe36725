/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * results.h - writing a run's results folder (results.c).
 *
 * Called by main.c (the --out check), the executors (local.c, isolate.c
 * and the merge of an isolated run), the benchmark body (bench.c: rows,
 * a child's partial files) and the console (progress.c: medians).
 * results.c calls only jsonw.c, topo.c, perfev.c, noise.c and rows.c.
 */
#ifndef PB_HARNESS_RESULTS_H
#define PB_HARNESS_RESULTS_H

#include <stdio.h>

#include "harness/jsonw.h"
#include "harness/rows.h"
#include "harness/run.h"

/* A file written under a temporary name, renamed into place when whole. */
struct pb_pending {
	FILE *f;
	char tmp[4200], path[4200];
};

/* meta.json while it is written: pb_results_meta_open() to _close(). */
struct pb_meta {
	struct pb_pending file;
	struct pb_jw w;
};

/**
 * pb_results_check_out() - refuse an --out folder results cannot go to
 * @out: the folder the user named
 * @err: where the reason goes
 * @errlen: its size
 *
 * Return: 0 when @out does not exist or is an empty folder, else -1.
 */
int pb_results_check_out(const char *out, char *err, size_t errlen);

/**
 * pb_results_mkdir() - create the run's folder and name it in @r->dir
 * @r: the run (--out, else results/<host>/<UTC time>)
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err.
 */
int pb_results_mkdir(struct pb_run *r, char *err, size_t errlen);

/**
 * pb_results_write() - write an in-process run's whole folder
 * @r: the run, with its rows
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Writes results.csv, meta.json, bench.json (renamed from Google
 * Benchmark's temporary file) and topology.xml, and removes a child's
 * partial files.
 *
 * Return: 0, or -1 with @err.
 */
int pb_results_write(struct pb_run *r, char *err, size_t errlen);

/**
 * pb_results_meta_open() - start meta.json with everything a run has
 * @m: the file being written
 * @r: the run
 * @gb_json: Google Benchmark's JSON, for its build type
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * The caller may add members to the top object through @m->w, then
 * calls pb_results_meta_close().
 *
 * Return: 0, or -1 with @err (nothing to close then).
 */
int pb_results_meta_open(struct pb_meta *m, const struct pb_run *r,
			 const char *gb_json, char *err, size_t errlen);

/**
 * pb_results_meta_close() - end meta.json and rename it into place
 * @m: the file pb_results_meta_open() started
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err.
 */
int pb_results_meta_close(struct pb_meta *m, char *err, size_t errlen);

/**
 * pb_results_write_topology() - write topology.xml
 * @r: the run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err.
 */
int pb_results_write_topology(const struct pb_run *r, char *err, size_t errlen);

/**
 * pb_results_write_instance() - write the rows of one instance at once
 * @r: the run (an isolated run's child)
 * @in: the instance whose rows are all in
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * To partial/<k>.csv (k: its index in the plan, no header): if the child
 * dies later in its group, its parent keeps these.
 *
 * Return: 0, or -1 with @err.
 */
int pb_results_write_instance(struct pb_run *r, const struct pb_instance *in,
			      char *err, size_t errlen);

/**
 * pb_pending_open() - open @dir/.@name.tmp, to become @dir/@name
 * @p: the pending file
 * @dir: its folder
 * @name: its final name
 *
 * Return: the stream, or NULL (errno set; @p->tmp names the file).
 */
FILE *pb_pending_open(struct pb_pending *p, const char *dir, const char *name);

/**
 * pb_pending_commit() - flush, sync, close and rename @p into place
 * @p: a file pb_pending_open() opened
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err (the temporary file removed).
 */
int pb_pending_commit(struct pb_pending *p, char *err, size_t errlen);

/**
 * pb_read_file() - a whole file of a results folder, in memory
 * @path: the file
 * @len: where its length goes (NULL: not wanted)
 *
 * Return: its bytes, NUL-terminated (free() them), or NULL with errno set.
 */
char *pb_read_file(const char *path, size_t *len);

/**
 * pb_csv_point_header() - the columns that name a benchmark on one machine
 * (results.csv's and latency.csv's after `machine`, up to `options`;
 * latency.csv's and plan.tsv's lack `pus`), no newline
 * @f: the file
 * @pus: with the `pus` column (the CPUs a repetition ran on)
 */
void pb_csv_point_header(FILE *f, bool pus);

/**
 * pb_csv_point() - the values of pb_csv_point_header()'s columns for @in
 * @f: the file
 * @r: the run
 * @in: the benchmark
 * @label: its backend column; NULL: the backend's name (or an isolated
 *         run child's label)
 * @pus: with the `pus` column
 */
void pb_csv_point(FILE *f, const struct pb_run *r, const struct pb_instance *in,
		  const char *label, bool pus);

/**
 * pb_csv_header() - write results.csv's header line
 * @f: where to
 */
void pb_csv_header(FILE *f);

/**
 * pb_csv_machine() - the machine column's value: the partition of a
 * --partitions a,b run, "" in a run of one machine
 * @r: the run (an isolated run's child gets --machine)
 * @machine: the value to use instead (the parent's row of a group); NULL:
 *           the run's own
 */
const char *pb_csv_machine(const struct pb_run *r, const char *machine);

/**
 * pb_csv_row() - write one line of results.csv
 * @f: where to
 * @r: the run
 * @row: the row
 * @label: replaces the backend column (NULL: the run's own)
 * @machine: replaces the machine column (NULL: the run's own)
 */
void pb_csv_row(FILE *f, const struct pb_run *r, const struct pb_row *row,
		const char *label, const char *machine);

/**
 * pb_utc_now() - the time now, UTC, ISO 8601 (2026-11-23T21:45:04Z)
 * @buf: where it goes
 * @len: its size
 */
void pb_utc_now(char *buf, size_t len);

#endif /* PB_HARNESS_RESULTS_H */
