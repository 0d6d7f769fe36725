/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * topo.h - hwloc topology, thread placement and pinning.
 *
 * The topology is restricted to the PUs this process may run on (cgroup
 * cpuset and the affinity it was started with, e.g. under taskset), so
 * "all" threads means all PUs the run may use. PUs are numbered by their
 * hwloc logical index among the allowed ones: that number is the CPU slot a
 * worker's ctx is bound to.
 *
 * Placements of T threads:
 *   compact  PUs in logical order (fill a core's hyperthreads, then the next
 *            core, then the next package);
 *   scatter  hwloc_distrib over the machine: spread over packages, then
 *            cores, before sharing.
 * With more threads than PUs (--oversubscribe) thread t takes the PU of
 * thread t mod nr_pus.
 */
#ifndef PB_HARNESS_TOPO_H
#define PB_HARNESS_TOPO_H

#include <stddef.h>

enum pb_placement { PB_PLACE_COMPACT, PB_PLACE_SCATTER };

struct pb_topo;

/**
 * pb_topo_load() - discover the machine, restricted to the allowed PUs
 * @out: receives the topology (pb_topo_destroy() frees it)
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_topo_load(struct pb_topo **out, char *err, size_t errlen);

/**
 * pb_topo_destroy() - free a topology
 * @t: the topology; may be NULL
 */
void pb_topo_destroy(struct pb_topo *t);

/**
 * pb_topo_nr_pus() - how many PUs the run may use
 * @t: the topology
 *
 * Return: the number of allowed PUs (CPU slots 0 .. n-1).
 */
unsigned int pb_topo_nr_pus(const struct pb_topo *t);

/**
 * pb_topo_os_index() - the Linux CPU number of an allowed PU
 * @t: the topology
 * @slot: the CPU slot (the PU's logical index among the allowed ones)
 *
 * Return: the OS index, or -1 when @slot is out of range.
 */
int pb_topo_os_index(const struct pb_topo *t, unsigned int slot);

/**
 * pb_topo_place() - the CPU slots of @nthreads threads under a placement
 * @t: the topology
 * @how: compact or scatter
 * @nthreads: how many threads (more than the PUs: thread t takes the PU of
 *            thread t mod nr_pus)
 * @slots: receives @nthreads CPU slots
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_topo_place(const struct pb_topo *t, enum pb_placement how,
		  unsigned int nthreads, unsigned int *slots, char *err,
		  size_t errlen);

/**
 * pb_topo_unbind_self() - let the calling thread run on every PU of the
 * topology (the PUs the process was started on), undoing a pin
 * @t: the topology
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_topo_unbind_self(const struct pb_topo *t, char *err, size_t errlen);

/**
 * pb_topo_bind_self() - pin the calling thread to one PU, strictly
 * @t: the topology
 * @slot: the CPU slot
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with a message in @err (binding unsupported or refused).
 */
int pb_topo_bind_self(const struct pb_topo *t, unsigned int slot, char *err,
		      size_t errlen);

/**
 * pb_topo_export_xml() - write the topology as hwloc XML
 * @t: the topology
 * @path: the file to write
 * @err: receives a one-line reason on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with a message in @err.
 */
int pb_topo_export_xml(const struct pb_topo *t, const char *path, char *err,
		       size_t errlen);

/**
 * pb_topo_summary() - one line for the console and meta.json
 * @t: the topology
 * @buf: receives e.g. "1 package, 2 cores, 2 PUs, 1 NUMA node"
 * @len: size of @buf
 */
void pb_topo_summary(const struct pb_topo *t, char *buf, size_t len);

/**
 * pb_topo_versions() - the hwloc versions, for meta.json
 * @library: receives the hwloc release compiled against
 * @llen: size of @library
 * @api: receives the API version of the library loaded
 * @alen: size of @api
 */
void pb_topo_versions(char *library, size_t llen, char *api, size_t alen);

#endif /* PB_HARNESS_TOPO_H */
