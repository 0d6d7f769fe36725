// SPDX-License-Identifier: GPL-2.0-only
/*
 * gslice.c - the peer backend "gslice": GLib's slice allocator,
 * g_slice_alloc(obj_size) and g_slice_free1(obj_size, obj), as Debian 12
 * ships it (GLib 2.74).
 *
 * GSlice is Bonwick's magazine design (Bonwick and Adams, USENIX 2001),
 * which the kernel's slab caches and qmempool's localq/sharedq split
 * descend from: per-thread magazines (two per size class, GPrivate) in
 * front of a global depot of full magazines under one mutex, in front of
 * page-sized slabs cut into chunks. Sizes are rounded up to a multiple of
 * 2 * sizeof(void *); chunks up to pb_gslice_max_chunk_size() (1008 bytes
 * with GLib 2.74 on x86-64: at least 8 chunks per 8 KiB slab) come from
 * the magazines, larger objects from g_malloc, i.e. malloc, inside
 * g_slice_alloc itself (refused here, below).
 *
 * Not a fixed pool: one process-wide allocator behind every pool, which
 * never returns NULL (GLib aborts when out of memory). A pool holds only
 * obj_size; destroy cannot take back what the magazines cache (GLib keeps
 * it for the process, trimming its depot after 15 s). Magazines are GLib's
 * own per-thread state, so the ctx is the pool (default thread_init), the
 * CPU slot plays no part, and both context modes run the same code.
 *
 * How it differs from GLib's users: only that the size is the pool's, as
 * g_slice_new(type) would pass sizeof(type). Bulk alloc and free are the
 * generic loops: GLib has no bulk alloc, and its g_slice_free_chain
 * wants the objects linked through a field inside them, a write of ours
 * into every object that no other backend's bulk free makes.
 *
 * What is refused (PB_CREATE_UNSUPPORTED, a valid point it cannot serve):
 *  - an alignment above 2 * sizeof(void *) (16 on x86-64), what GSlice
 *    and malloc give;
 *  - GLib 2.76 or later at run time: g_slice_* became plain g_malloc and
 *    g_free there, so the backend would measure malloc under gslice's
 *    name;
 *  - an obj_size above the largest magazine chunk: g_slice_alloc would
 *    hand it to malloc, and the backend would measure malloc under
 *    gslice's name (mempool-perf's 2048-byte objects, million's 1024);
 *  - G_SLICE naming always-malloc (the same thing, by the environment; GLib
 *    also switches it on by itself under valgrind when G_SLICE is unset)
 *    or debug-blocks (GLib's block checker, a global tree under a mutex, on
 *    every call). GLib reads G_SLICE once, at its first use; create reads
 *    it each time, with GLib's own parser.
 *
 * ThreadSanitizer. GLib is not instrumented, and its mutexes are futexes,
 * not pthread mutexes: TSan cannot see the hand-over when a chunk freed by
 * one thread reaches another through the depot. In TSan builds only,
 * __tsan_release(obj) before g_slice_free1 and __tsan_acquire(obj) after
 * g_slice_alloc say what GLib's locks do. GSlice's own writes into free
 * chunks (its chunk links) are uninstrumented, so TSan sees no others. One
 * case no annotation of ours reaches: a chunk handed out for the first
 * time, carved by another thread's refill from a slab that thread got from
 * posix_memalign, which TSan counts as that thread's write; the
 * called_from_lib entry for GLib in tests/sanitizers/tsan.supp covers it
 * (without it, test_peers had that report in 2 of 17 runs on the 2-core
 * development VM).
 *
 * Leaks. LeakSanitizer reports none of the chunks the magazines and the
 * depot cache at exit: GLib's globals and its threads' GPrivate data keep
 * them reachable (checked under make VARIANT=asan), so lsan.supp has no
 * entry for GLib. ASan cannot catch an overflow from one chunk into the
 * next: a slab is one posix_memalign block to it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "allocators/peers/gslice/gslice.h"
#include "allocators/register.h"

#define GS_NAME "gslice"
/* The alignment of every slice: GLib's P2ALIGNMENT. */
#define GS_ALIGN (2 * sizeof(void *))

#if defined(__SANITIZE_THREAD__)
#define GS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GS_TSAN 1
#endif
#endif

#ifdef GS_TSAN
#include <sanitizer/tsan_interface.h>
#define gs_tsan_release(obj) __tsan_release(obj)
#define gs_tsan_acquire(obj) __tsan_acquire(obj)
#else
#define gs_tsan_release(obj) ((void)(obj))
#define gs_tsan_acquire(obj) ((void)(obj))
#endif

struct gs_pool {
	size_t size;		/* obj_size, given to every call */
};

/* ---- fast paths -------------------------------------------------------- */

/* gs_alloc() - any thread: GLib finds the thread's magazines itself. */
static inline void *gs_alloc(void *ctx)
{
	void *obj = g_slice_alloc(((const struct gs_pool *)ctx)->size);

	gs_tsan_acquire(obj);
	return obj;
}

/* gs_free() - any thread, whichever thread allocated @obj. */
static inline void gs_free(void *ctx, void *obj)
{
	gs_tsan_release(obj);
	g_slice_free1(((const struct gs_pool *)ctx)->size, obj);
}

/* ---- what GLib runs here ------------------------------------------------ */

static char gs_version[32];
static pthread_once_t gs_version_once = PTHREAD_ONCE_INIT;

static void gs_version_init(void)
{
	snprintf(gs_version, sizeof(gs_version), "%u.%u.%u",
		 glib_major_version, glib_minor_version, glib_micro_version);
}

const char *pb_gslice_glib_version(void)
{
	pthread_once(&gs_version_once, gs_version_init);
	return gs_version;
}

/*
 * gs_off() - why g_slice_* is not GSlice's magazine allocator here
 * @why: receives the reason, naming the backend
 * @len: size of @why
 *
 * Return: true (with the reason) when it is not.
 */
static bool gs_off(char *why, size_t len)
{
	static const GDebugKey keys[] = {
		{ "always-malloc", 1 << 0 },
		{ "debug-blocks", 1 << 1 },
	};
	const char *env = getenv("G_SLICE");
	guint flags;

	if (!glib_check_version(2, 76, 0)) {
		snprintf(why, len, GS_NAME ": GLib %s: since 2.76 g_slice_* is "
			 "g_malloc, not the slice allocator",
			 pb_gslice_glib_version());
		return true;
	}
	flags = env ? g_parse_debug_string(env, keys, G_N_ELEMENTS(keys)) : 0;
	if (flags & (1 << 0)) {
		snprintf(why, len, GS_NAME ": G_SLICE=%s: always-malloc turns "
			 "the slice allocator into g_malloc", env);
		return true;
	}
	if (flags & (1 << 1)) {
		snprintf(why, len, GS_NAME ": G_SLICE=%s: debug-blocks checks "
			 "every block in a global tree", env);
		return true;
	}
	return false;
}

size_t pb_gslice_max_chunk_size(void)
{
	char why[160];
	gint64 n;

	if (gs_off(why, sizeof(why)))
		return 0;
	/* GSlice sets its geometry up at its first use. */
	g_slice_free1(1, g_slice_alloc(1));
	/*
	 * Deprecated since 2.34 but still GLib's only way to ask: the number
	 * of chunk sizes, which are 1..n times GS_ALIGN.
	 */
	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	n = g_slice_get_config(G_SLICE_CONFIG_CHUNK_SIZES);
	G_GNUC_END_IGNORE_DEPRECATIONS
	return n > 0 ? (size_t)n * GS_ALIGN : 0;
}

/* ---- create / destroy -------------------------------------------------- */

static int gs_create(const struct pb_config *cfg, void **pool, char *err,
		     size_t errlen)
{
	struct pb_geometry g;
	struct gs_pool *p;
	uint64_t none[1];
	size_t max;

	if (pb_options_parse(NULL, cfg->opts, cfg->nr_opts, none, GS_NAME,
			     err, errlen) ||
	    pb_config_geometry(cfg, GS_NAME, &g, err, errlen))
		return -1;
	if (cfg->align > GS_ALIGN) {
		snprintf(err, errlen, GS_NAME ": align %zu: GSlice aligns "
			 "slices to %zu bytes (2 * sizeof(void *)) only",
			 cfg->align, GS_ALIGN);
		return PB_CREATE_UNSUPPORTED;
	}
	if (gs_off(err, errlen))
		return PB_CREATE_UNSUPPORTED;
	max = pb_gslice_max_chunk_size();
	if (cfg->obj_size > max) {
		snprintf(err, errlen, GS_NAME ": obj_size %zu: above GSlice's "
			 "largest magazine chunk (%zu bytes), g_slice_alloc "
			 "would call malloc", cfg->obj_size, max);
		return PB_CREATE_UNSUPPORTED;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		snprintf(err, errlen, GS_NAME ": out of memory");
		return -1;
	}
	p->size = cfg->obj_size;
	*pool = p;
	return 0;
}

/* The magazines keep what they cache: GSlice has no per-pool state. */
static void gs_destroy(void *pool)
{
	free(pool);
}

PB_BACKEND_REGISTER(gslice, gs_alloc, gs_free,
	.name = GS_NAME,
	.flags = PB_BACKEND_PEER,
	.description = "GLib's slice allocator (GLib < 2.76): per-thread "
		       "magazines before a global depot, Bonwick's design; "
		       "objects up to 1008 B (x86-64; GLib mallocs larger)",
	.create = gs_create,
	.destroy = gs_destroy,
)
