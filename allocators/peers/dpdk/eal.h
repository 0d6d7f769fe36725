/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eal.h - DPDK's Environment Abstraction Layer, started once per process
 * for the DPDK peers (dpdk-mempool, dpdk-ring, dpdk-stack), and what
 * meta.json records of it.
 *
 * A DPDK application calls rte_eal_init() first thing in main(), with
 * hugepages, PCI probing and one pinned thread per lcore. poolbench starts
 * it lazily, at the first create of a DPDK backend, with what the three
 * libraries need and nothing that changes the process: no hugepages (plain
 * anonymous memory), no PCI, no shared config file, no telemetry socket,
 * and one EAL lcore allowed on every CPU the calling thread may run on, so
 * that EAL pins no thread (the harness places the workers with hwloc).
 */
#ifndef PB_ALLOCATORS_PEERS_DPDK_EAL_H
#define PB_ALLOCATORS_PEERS_DPDK_EAL_H

#include <stddef.h>

/*
 * EAL memory (-m) in MB unless PB_DPDK_EAL_MEM_MB says otherwise: enough
 * for the million workload's 2^21 objects of 1024 bytes in dpdk-mempool
 * (about 2.4 GB with DPDK's per-object headers). Without hugepages it is
 * one anonymous mapping, touched only where used (about 0.5 s and 70 MB
 * resident to start). A pool that does not fit is skipped, with the
 * reason.
 */
#define PB_DPDK_EAL_MEM_MB_DEFAULT 4096
/* The largest PB_DPDK_EAL_MEM_MB accepted (1 TB). */
#define PB_DPDK_EAL_MEM_MB_MAX (1u << 20)

/**
 * pb_dpdk_eal_start() - start EAL once per process, or give its answer again
 * @err: receives "EAL: <reason>" on failure
 * @errlen: size of @err
 *
 * Thread-safe: the first caller initialises EAL (rte_eal_init) with the
 * arguments pb_dpdk_eal_args() gives, every later caller gets the same
 * answer. A failure is kept (EAL cannot be initialised twice in a process)
 * and every later call repeats its reason. The calling thread's CPU
 * affinity is the same afterwards (checked; restored and reported as a
 * failure if not). A backend answers -1 from create() for -EINVAL (the
 * user's configuration is wrong) and PB_CREATE_UNSUPPORTED for -1 (this
 * process cannot run DPDK: the harness skips the point with the reason).
 *
 * Return: 0; -1 with "EAL: <reason>" in @err when EAL failed to start;
 * -EINVAL with the reason in @err when PB_DPDK_EAL_MEM_MB is not a valid
 * size (EAL was not tried).
 */
int pb_dpdk_eal_start(char *err, size_t errlen);

/**
 * pb_dpdk_eal_args() - the EAL argument line poolbench uses, for meta.json
 * @buf: receives the arguments, space-separated ("" before any start was
 *       tried and when PB_DPDK_EAL_MEM_MB is invalid)
 * @len: size of @buf
 *
 * Before pb_dpdk_eal_start() the line is what it would pass from the
 * calling thread; after it, what it passed.
 *
 * Return: the length of the line (as snprintf: may exceed @len - 1).
 */
size_t pb_dpdk_eal_args(char *buf, size_t len);

/*
 * TSan and DPDK. DPDK's libraries are not instrumented, so ThreadSanitizer
 * does not see the release/acquire that a ring, stack or mempool gives
 * between the thread that frees an object (enqueue, push, put) and the
 * one that allocates it next (dequeue, pop, get): every reuse would look
 * like a race on the object. The backends tell TSan about that edge
 * themselves, with the object as the sync address: release before the
 * object goes in, acquire after it comes out. Under TSan only; this is an
 * annotation of what DPDK does, not a suppression.
 */
#if defined(__SANITIZE_THREAD__)
#define PB_DPDK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PB_DPDK_TSAN 1
#endif
#endif

#ifdef PB_DPDK_TSAN
#include <sanitizer/tsan_interface.h>

static inline void pb_dpdk_tsan_release(void *const *objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		__tsan_release(objs[i]);
}

static inline void pb_dpdk_tsan_acquire(void *const *objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		__tsan_acquire(objs[i]);
}
#else
static inline void pb_dpdk_tsan_release(void *const *objs, size_t n)
{
	(void)objs;
	(void)n;
}

static inline void pb_dpdk_tsan_acquire(void *const *objs, size_t n)
{
	(void)objs;
	(void)n;
}
#endif

/**
 * pb_dpdk_version() - the DPDK library version ("DPDK 22.11.x")
 *
 * Return: rte_version(), a static string.
 */
const char *pb_dpdk_version(void);

#endif /* PB_ALLOCATORS_PEERS_DPDK_EAL_H */
