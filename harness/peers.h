/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * peers.h - the general allocators an isolated run runs under the malloc
 * backend (peers.c).
 *
 * Called by the isolated executor (isolate.c, merge.c); peers.c calls
 * only jsonw.c.
 */
#ifndef PB_HARNESS_PEERS_H
#define PB_HARNESS_PEERS_H

#include <limits.h>
#include <stdbool.h>

#include "harness/cli.h"
#include "harness/jsonw.h"

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

#endif /* PB_HARNESS_PEERS_H */
