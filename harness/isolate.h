/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * isolate.h - the isolated executor's state, shared by its three files:
 *
 *   isolate.c  groups, their child processes, the run loop (the top)
 *   merge.c    the run's folder: plan.tsv, groups.tsv, run-args, the
 *              merged results.csv and meta.json, and --resume's checks
 *   peers.c    the general allocators run under the malloc backend
 *
 * isolate.c calls merge.c and peers.c, merge.c calls peers.c, peers.c
 * calls neither; all three may call results.c, progress.c and plan.c.
 */
#ifndef PB_HARNESS_ISOLATE_H
#define PB_HARNESS_ISOLATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "harness/jsonw.h"
#include "harness/run.h"

/* The general allocators Debian packages (peers.c). */
#define PB_NR_PEERS 3

struct pb_peer_lib {
	const char *name, *soname, *package;
};

struct pb_peer {
	const struct pb_peer_lib *lib;
	bool found;		/* installed, and not left out by --peers */
	char path[PATH_MAX];	/* the library file, symlinks resolved */
	char version[128];	/* its Debian package's version */
};

struct pb_peers {
	struct pb_peer peer[PB_NR_PEERS];
	char glibc_version[128];
};

enum pb_group_state { PB_GROUP_PENDING, PB_GROUP_DONE, PB_GROUP_FAILED };

/* One backend x workload (or malloc x workload under one peer). */
struct pb_group {
	const struct pb_backend *backend;
	const struct pb_workload *workload;
	const struct pb_peer *peer;	/* NULL: the process's own malloc */
	char label[96];			/* the backend column */
	char id[256];			/* parts/<id>, logs/<id>.log */
	size_t *idx, n;			/* its instances in r->inst */
	double estimate, timeout;	/* seconds */
	enum pb_group_state state;
	double seconds;
	char reason[512];
};

/* An isolated run: the plan's groups and what the folder says of them. */
struct pb_iso {
	struct pb_run *r;
	struct pb_group *g;
	size_t ng;
	struct pb_peers peers;
	bool interrupted;
	int resumed;			/* how many times --resume ran */
	char first_started[32];
};

/* How to finish an interrupted run: two %s, both the run's folder. */
#define PB_RESUME_HINT "make run-all RESUME=%s (or poolbench run --resume %s)"

/**
 * pb_group_state_name() - "done", "failed" or "pending"
 * @st: the state
 *
 * Return: its name in groups.tsv and meta.json.
 */
const char *pb_group_state_name(enum pb_group_state st);

/**
 * pb_iso_open_folder() - make a new run's folder, or take up a resumed one
 * @s: the run, its groups made; @s->r->opts->resume: the folder to finish
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * A new folder gets run-args and plan.tsv; a resumed one must hold the
 * same plan, and its groups.tsv marks the groups that ended. Both get
 * parts/, logs/ and topology.xml, and @s->r->started.
 *
 * Return: 0, or -1 with @err.
 */
int pb_iso_open_folder(struct pb_iso *s, char *err, size_t errlen);

/**
 * pb_iso_write_state() - rewrite groups.tsv, then the merged results
 * @s: the run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Return: 0, or -1 with @err.
 */
int pb_iso_write_state(struct pb_iso *s, char *err, size_t errlen);

/**
 * pb_iso_write_merged() - rewrite results.csv and meta.json from the
 * finished groups' parts
 * @s: the run
 * @err: where the reason for a failure goes
 * @errlen: its size
 *
 * Sets @s->r->merged_benchmarks and merged_failed.
 *
 * Return: 0, or -1 with @err.
 */
int pb_iso_write_merged(struct pb_iso *s, char *err, size_t errlen);

/**
 * pb_peers_select() - find the installed peers and keep those that run
 * @p: filled in
 * @o: the run options (--peers)
 * @err: where the reason for a refusal goes
 * @errlen: its size
 *
 * Return: 0, or -1 (a peer --peers names is unknown or not installed).
 */
int pb_peers_select(struct pb_peers *p, const struct pb_run_opts *o, char *err,
		    size_t errlen);

/**
 * pb_peers_meta() - meta.json's "peers" and "peers_not_run"
 * @p: the peers
 * @o: the run options (why a peer did not run)
 * @w: the writer, inside the top object
 */
void pb_peers_meta(const struct pb_peers *p, const struct pb_run_opts *o,
		   struct pb_jw *w);

#endif /* PB_HARNESS_ISOLATE_H */
