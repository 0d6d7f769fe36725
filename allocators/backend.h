/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backend.h - the allocator backend interface of poolbench.
 *
 * Glossary
 *   backend  a named struct of operations (struct pb_backend), one folder and
 *            one .c file each under allocators/, registered by one line:
 *            PB_BACKEND_REGISTER(sym, fast_alloc, fast_free, ...) (register.h).
 *   pool     what create() returns: one instance of a backend, configured by
 *            a struct pb_config. Opaque to everybody but its backend.
 *   ctx      a per-thread context handle. A worker bound to CPU slot `cpu`
 *            calls thread_init(pool, cpu) once and passes the handle to every
 *            alloc/free it makes. Backends without per-thread state leave
 *            thread_init out and the handle is the pool itself.
 *   kernel   a timed inner loop (workloads/kernels.h). PB_BACKEND_REGISTER
 *            (register.h) instantiates every kernel with the backend's own alloc/free, so
 *            the harness makes one indirect call per batch, not per object.
 *
 * Context modes (the userspace image of the seeds' "softirq" / "elsewhere"):
 *   PB_MODE_EXCLUSIVE  the harness runs at most one worker per CPU slot, each
 *                      pinned to its own PU: a backend may touch the state of
 *                      the slot its ctx was bound to without protection.
 *   PB_MODE_SHARED     several threads may use one CPU slot at once (or a
 *                      thread may run on a CPU other than its slot's): per-CPU
 *                      state must be protected; that cost is what the mode
 *                      measures.
 *   PB_MODE_RSEQ       workers are not pinned and may outnumber the PUs; a
 *                      backend with per-CPU state acts on the state of the
 *                      CPU the thread is on at that instant (the rseq area's
 *                      cpu_id, allocators/rseq/rseq.h), not on its ctx's
 *                      slot, through restartable sequences: the userspace
 *                      image of the kernel's preempt-disabled this_cpu
 *                      access. Its per-CPU arrays cover every possible CPU
 *                      number (pb_rseq_nr_cpu_ids()); where rseq cannot run
 *                      create answers PB_CREATE_UNSUPPORTED. Backends without
 *                      per-CPU state run their usual code.
 *
 * Concurrency contract of the operations
 *   create/destroy     one thread, with no ctx live on the pool.
 *   thread_init/fini   any thread, concurrently with each other and with
 *                      alloc/free through other ctxs.
 *   alloc/free(ctx)    only by the thread that owns ctx, concurrently with
 *                      other threads' ctxs. An object may be freed through a
 *                      different ctx (another thread) than it was allocated.
 *   stats              after every ctx of the pool has been finalised.
 */
#ifndef PB_ALLOCATORS_BACKEND_H
#define PB_ALLOCATORS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocators/config.h"
#include "allocators/options.h"
#include "allocators/stats.h"

/*
 * What struct pb_backend needs of the kernels (workloads/kernels.h, which
 * the registration macros in register.h include): the type of one
 * instantiated kernel, repeated here as C11 allows a typedef to be, so the
 * interface does not pull in the timed loops.
 */
struct pb_kernel_args;
typedef int (*pb_kernel_fn)(void *ctx, const struct pb_kernel_args *args,
			    uint64_t iterations);

/* create()'s answer for a valid configuration the backend cannot serve. */
#define PB_CREATE_UNSUPPORTED (-2)

/* Backend capability flags. */
enum {
	/*
	 * The backend is a measuring baseline, not an allocator: alloc hands
	 * back one preallocated object per ctx, again and again. The
	 * conformance suite checks that contract instead of distinctness.
	 */
	PB_BACKEND_BASELINE = 1u << 0,
	/* Objects are percpu areas: per_cpu_ptr() gives each CPU's copy. */
	PB_BACKEND_PERCPU = 1u << 1,
	/*
	 * A fixed pool: it serves exactly cfg->capacity objects, and alloc
	 * returns NULL while all of them are live (exhaustion, not an
	 * error of the pool). The conformance suite checks that path.
	 */
	PB_BACKEND_FIXED = 1u << 2,
	/*
	 * A peer, not a port: a userspace library built on the same idea as
	 * a seed design (DPDK, Concurrency Kit, GLib), run as it ships
	 * (allocators/peers/). Listed apart, after the ports, so a reader
	 * never takes one for the other.
	 */
	PB_BACKEND_PEER = 1u << 3,
};

/*
 * struct pb_backend - a backend's operations.
 *
 * Mandatory: name, create, destroy, alloc, free (refused at registration
 * otherwise). Everything else is optional and has a generic default
 * (thread_init returns the pool as the ctx, stats reports nothing: every
 * stat unavailable; bulk operations loop over alloc/free).
 */
struct pb_backend {
	const char *name;
	const char *description;
	unsigned int flags;
	/* Options this backend accepts, terminated by a zeroed entry; may be NULL. */
	const struct pb_option_spec *options;
	/*
	 * Option sets ("key=value;key=value") that change which code runs,
	 * NULL-terminated; may be NULL. The conformance and stress suites run
	 * every one of them besides the defaults.
	 */
	const char *const *variants;

	/*
	 * create() - make a pool for @cfg.
	 * Return: 0 and the pool in *@pool; -1 with a one-line reason in @err
	 * when @cfg is invalid (an unknown or invalid option names the valid
	 * ones); PB_CREATE_UNSUPPORTED with the reason when @cfg is valid but
	 * this backend cannot serve it (an SPSC queue and two threads): the
	 * harness then skips that point and the tests skip that case.
	 */
	int (*create)(const struct pb_config *cfg, void **pool, char *err,
		      size_t errlen);
	void (*destroy)(void *pool);

	/*
	 * thread_init() - bind the calling thread to CPU slot @cpu.
	 * Return: the ctx, or NULL on error, the reason given first with
	 * pb_thread_init_error() (the harness records it with the run).
	 */
	void *(*thread_init)(void *pool, unsigned int cpu);
	void (*thread_fini)(void *pool, void *ctx);

	/* alloc() - one object, or NULL when the pool cannot serve one. */
	void *(*alloc)(void *ctx);
	void (*free)(void *ctx, void *obj);

	/*
	 * alloc_bulk() - up to @n objects into @objs. Return: how many.
	 * Filled in by the registration macros (a loop over alloc by default).
	 */
	size_t (*alloc_bulk)(void *ctx, void **objs, size_t n);
	void (*free_bulk)(void *ctx, void **objs, size_t n);

	/* per_cpu_ptr() - CPU @cpu's copy of percpu object @obj. */
	void *(*per_cpu_ptr)(void *pool, void *obj, unsigned int cpu);

	/*
	 * stats() - fill @st (pb_stats_set) with no operation in flight:
	 * after every ctx was finalised, or with live ctxs idle (the memory
	 * probe reads it while the workers hold their objects, the million
	 * workload at its peak).
	 */
	void (*stats)(void *pool, struct pb_stats *st);

	/*
	 * balance() - the deferred work the kernel does away from the
	 * allocating and freeing callers (percpu: pcpu_balance_workfn, which
	 * releases the empty chunks a free only queued, keeping one spare).
	 * The harness calls it outside every timed phase: after each timed
	 * batch, and in the million workload after each round's free phase;
	 * destroy() must release everything whether or not it ran. Any
	 * thread, concurrently with alloc/free through live ctxs (the backend
	 * takes its own locks, as the kernel's worker does). May be NULL.
	 */
	void (*balance)(void *pool);

	/*
	 * Kernels instantiated with this backend's own alloc/free, and
	 * their latency twins (NULL where a kernel has none; the table may
	 * be NULL: no latency pass for this backend).
	 */
	const pb_kernel_fn *kernels;
	const pb_kernel_fn *lat_kernels;
};

/**
 * pb_thread_init_error() - say why thread_init() is about to return NULL
 * @fmt: printf-style format of a one-line reason, naming the backend
 * @...: its arguments
 *
 * Kept per thread: the harness reads it right after the failed call, on
 * the same thread, with pb_thread_init_why().
 */
void pb_thread_init_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/**
 * pb_thread_init_why() - the calling thread's last thread_init() failure
 * @buf: receives the reason ("" when none was given); cleared afterwards
 * @len: size of @buf
 */
void pb_thread_init_why(char *buf, size_t len);

/**
 * pb_backend_register() - check @b, fill in its defaults and list it
 * @b: the backend; PB_BACKEND_REGISTER (register.h) calls this from a
 *     constructor
 *
 * A missing mandatory operation, a taken name or too many backends stops
 * the program with a message (pb_registry_refuse()).
 *
 * Return: 0.
 */
int pb_backend_register(struct pb_backend *b);

/**
 * pb_backend_count() - how many backends are registered
 *
 * Return: the count.
 */
size_t pb_backend_count(void);

/**
 * pb_backend_at() - a backend by position: baselines first, then by name
 * @i: index from 0
 *
 * Return: the backend, or NULL past the last one.
 */
const struct pb_backend *pb_backend_at(size_t i);

/**
 * pb_backend_find() - a backend by name
 * @name: its name, as `poolbench list` prints it
 *
 * Return: the backend, or NULL when none has that name.
 */
const struct pb_backend *pb_backend_find(const char *name);

#endif /* PB_ALLOCATORS_BACKEND_H */
