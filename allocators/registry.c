// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - the list of registered backends.
 *
 * Backends register from constructors (PB_BACKEND_REGISTER), before main().
 * A backend with a missing mandatory operation, or a name already taken, is
 * refused loudly and the program stops: a half-registered backend would fail
 * later, far from its cause. Optional per-thread and stats operations get
 * generic defaults here; bulk operations fall back to loops in backend.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#define PB_MAX_BACKENDS 64

static struct pb_backend *backends[PB_MAX_BACKENDS];
static size_t nr_backends;

const char *pb_mode_name(enum pb_mode mode)
{
	return mode == PB_MODE_SHARED ? "shared" : "exclusive";
}

static void *default_thread_init(void *pool, unsigned int cpu)
{
	(void)cpu;
	return pool;
}

static void default_thread_fini(void *pool, void *ctx)
{
	(void)pool;
	(void)ctx;
}

static void default_stats(void *pool, struct pb_stats *st)
{
	(void)pool;
	(void)st;
}

/* Listing order: baselines first (they run first in every run), then by name. */
static int backend_before(const struct pb_backend *a, const struct pb_backend *b)
{
	bool ab = a->flags & PB_BACKEND_BASELINE, bb = b->flags & PB_BACKEND_BASELINE;

	if (ab != bb)
		return ab;
	return strcmp(a->name, b->name) < 0;
}

static void insert_sorted(struct pb_backend *b)
{
	size_t i = nr_backends++;

	while (i > 0 && backend_before(b, backends[i - 1])) {
		backends[i] = backends[i - 1];
		i--;
	}
	backends[i] = b;
}

static void refuse(const struct pb_backend *b, const char *why)
{
	fprintf(stderr, "poolbench: backend '%s' refused at registration: %s\n",
		b->name ? b->name : "(unnamed)", why);
	abort();
}

int pb_backend_register(struct pb_backend *b)
{
	if (!b->name || !*b->name)
		refuse(b, "no name");
	if (!b->create)
		refuse(b, "missing mandatory operation create");
	if (!b->destroy)
		refuse(b, "missing mandatory operation destroy");
	if (!b->alloc)
		refuse(b, "missing mandatory operation alloc");
	if (!b->free)
		refuse(b, "missing mandatory operation free");
	if (!b->kernels)
		refuse(b, "no kernels (use PB_BACKEND_REGISTER)");
	if (!b->thread_init != !b->thread_fini)
		refuse(b, "thread_init and thread_fini go together");
	if ((b->flags & PB_BACKEND_PERCPU) && !b->per_cpu_ptr)
		refuse(b, "a percpu backend needs per_cpu_ptr");
	if (pb_backend_find(b->name))
		refuse(b, "name already registered");
	if (nr_backends == PB_MAX_BACKENDS)
		refuse(b, "too many backends");

	if (!b->description)
		b->description = "";
	if (!b->thread_init) {
		b->thread_init = default_thread_init;
		b->thread_fini = default_thread_fini;
	}
	if (!b->stats)
		b->stats = default_stats;
	insert_sorted(b);
	return 0;
}

size_t pb_backend_count(void)
{
	return nr_backends;
}

const struct pb_backend *pb_backend_at(size_t i)
{
	return i < nr_backends ? backends[i] : NULL;
}

const struct pb_backend *pb_backend_find(const char *name)
{
	for (size_t i = 0; i < nr_backends; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}
