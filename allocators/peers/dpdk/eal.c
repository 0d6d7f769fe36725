// SPDX-License-Identifier: GPL-2.0-only
/*
 * eal.c - DPDK's EAL, started once per process for the DPDK peers (eal.h).
 *
 * Where this differs from a DPDK application, and why:
 *  - EAL starts at the first create of a DPDK backend, not in main():
 *    poolbench runs most groups without DPDK. The planner's check of
 *    every point (a create and a destroy) starts it in the top process;
 *    the isolated executor's children are new processes (fork and exec),
 *    each starting its own. A fork without exec would share EAL's memory
 *    (a memfd mapping) with the child and not its threads: poolbench
 *    never uses a DPDK pool across one.
 *  - --no-huge --no-pci --no-shconf --no-telemetry: the backends use only
 *    the mempool, ring and stack libraries. Memory is plain anonymous
 *    memory of -m MB (PB_DPDK_EAL_MEM_MB, default
 *    PB_DPDK_EAL_MEM_MB_DEFAULT), no device is probed, no file is shared
 *    with other processes and no socket is opened, so it runs as an
 *    unprivileged user and leaves nothing behind. The objects then live in
 *    4 KB pages, not hugepages: a difference in TLB cost from a DPDK
 *    deployment that the results must not hide.
 *  - --lcores 0@(<the calling thread's CPUs>): one EAL lcore, the calling
 *    thread, allowed on every CPU it already may run on. With -l 0 EAL
 *    would pin that thread to CPU 0, and every thread it creates after
 *    (the harness's workers inherit it) with it, breaking the hwloc
 *    placement. The workers are not EAL lcores: dpdk-mempool registers
 *    them (rte_thread_register), which pins nothing either.
 *  - No -d: the ring mempool driver (ops "ring_mp_mc") is linked by name
 *    (the Makefile's --no-as-needed) and registers itself at load; EAL
 *    scans no plugin folder.
 *  - --log-level=error: EAL's notices would fill every run's log.
 *
 * No rte_eal_cleanup() at exit: the backends release what they made in
 * destroy, EAL's own memory is process memory that exit returns, and
 * cleaning up while an EAL thread or a forked child's state may still
 * refer to it buys nothing. EAL's allocations stay reachable from its
 * globals, so LeakSanitizer does not report them.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "allocators/peers/dpdk/eal.h"

#define EAL_NR_ARGS 10
#define EAL_ERRLEN 256

static pthread_once_t eal_once = PTHREAD_ONCE_INIT;
static int eal_rc;
static char eal_why[EAL_ERRLEN];
static char eal_mem[16], eal_cpus[512];
static char *eal_argv[EAL_NR_ARGS + 1];
static int eal_argc;
static pthread_mutex_t eal_args_lock = PTHREAD_MUTEX_INITIALIZER;

/* "0-3,6,8-9": the CPUs of @set, as EAL's --lcores cpuset syntax takes. */
static int eal_cpulist(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		int last = cpu;
		int n;

		if (!CPU_ISSET(cpu, set))
			continue;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		n = last == cpu ?
			snprintf(buf + used, len - used, "%s%d",
				 used ? "," : "", cpu) :
			snprintf(buf + used, len - used, "%s%d-%d",
				 used ? "," : "", cpu, last);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
		cpu = last;
	}
	return used ? 0 : -1;
}

/* -m from PB_DPDK_EAL_MEM_MB, refused with a message unless 1..MAX. */
static int eal_mem_mb(unsigned long *mb, char *err, size_t errlen)
{
	const char *s = getenv("PB_DPDK_EAL_MEM_MB");
	char *end;

	*mb = PB_DPDK_EAL_MEM_MB_DEFAULT;
	if (!s)
		return 0;
	errno = 0;
	*mb = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || !*mb ||
	    *mb > PB_DPDK_EAL_MEM_MB_MAX) {
		snprintf(err, errlen, "EAL: PB_DPDK_EAL_MEM_MB='%s': must be "
			 "a number of MB in 1..%u", s, PB_DPDK_EAL_MEM_MB_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Fill eal_argv for the calling thread; under eal_args_lock. */
static int eal_build_args(cpu_set_t *cpus, char *err, size_t errlen)
{
	static char lcores[sizeof(eal_cpus) + 8];
	unsigned long mb;

	eal_argc = 0;
	if (eal_mem_mb(&mb, err, errlen))
		return -EINVAL;
	if (pthread_getaffinity_np(pthread_self(), sizeof(*cpus), cpus) ||
	    eal_cpulist(cpus, eal_cpus, sizeof(eal_cpus))) {
		snprintf(err, errlen, "EAL: cannot read this thread's CPU "
			 "affinity");
		return -1;
	}
	snprintf(eal_mem, sizeof(eal_mem), "%lu", mb);
	snprintf(lcores, sizeof(lcores), "0@(%s)", eal_cpus);
	eal_argv[eal_argc++] = "poolbench";
	eal_argv[eal_argc++] = "--no-huge";
	eal_argv[eal_argc++] = "--no-pci";
	eal_argv[eal_argc++] = "--no-shconf";
	eal_argv[eal_argc++] = "--no-telemetry";
	eal_argv[eal_argc++] = "-m";
	eal_argv[eal_argc++] = eal_mem;
	eal_argv[eal_argc++] = "--log-level=error";
	eal_argv[eal_argc++] = "--lcores";
	eal_argv[eal_argc++] = lcores;
	eal_argv[eal_argc] = NULL;
	return 0;
}

static void eal_init_once(void)
{
	char *argv[EAL_NR_ARGS + 1];
	cpu_set_t before, after;

	pthread_mutex_lock(&eal_args_lock);
	eal_rc = eal_build_args(&before, eal_why, sizeof(eal_why));
	/* rte_eal_init may permute its argv: give it a copy. */
	memcpy(argv, eal_argv, sizeof(argv));
	pthread_mutex_unlock(&eal_args_lock);
	if (eal_rc)
		return;		/* -EINVAL or -1, eal_why says which */
	if (rte_eal_init(eal_argc, argv) < 0) {
		snprintf(eal_why, sizeof(eal_why), "EAL: %s",
			 rte_strerror(rte_errno));
		eal_rc = -1;
		return;
	}
	if (pthread_getaffinity_np(pthread_self(), sizeof(after), &after) ||
	    !CPU_EQUAL(&before, &after)) {
		pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
		snprintf(eal_why, sizeof(eal_why), "EAL: rte_eal_init changed "
			 "the calling thread's CPU affinity (restored)");
		eal_rc = -1;
	}
}

int pb_dpdk_eal_start(char *err, size_t errlen)
{
	pthread_once(&eal_once, eal_init_once);
	if (eal_rc)
		snprintf(err, errlen, "%s", eal_why);
	return eal_rc;
}

size_t pb_dpdk_eal_args(char *buf, size_t len)
{
	char err[EAL_ERRLEN];
	size_t used = 0;
	cpu_set_t cpus;

	pthread_mutex_lock(&eal_args_lock);
	/* Not started yet: what a start from this thread would pass. */
	if (!eal_argc && eal_build_args(&cpus, err, sizeof(err)))
		eal_argc = 0;
	if (len)
		buf[0] = '\0';
	for (int i = 1; i < eal_argc; i++) {
		int n = snprintf(len > used ? buf + used : NULL,
				 len > used ? len - used : 0, "%s%s",
				 i > 1 ? " " : "", eal_argv[i]);

		used += n > 0 ? (size_t)n : 0;
	}
	pthread_mutex_unlock(&eal_args_lock);
	return used;
}

const char *pb_dpdk_version(void)
{
	return rte_version();
}
