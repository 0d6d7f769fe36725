// SPDX-License-Identifier: GPL-2.0-only
/*
 * topo.c - hwloc topology, placement and pinning (see topo.h).
 *
 * A loaded hwloc topology is only read after pb_topo_load(), so workers may
 * bind themselves concurrently. Binding is checked: the binding support
 * flags first, then HWLOC_CPUBIND_STRICT, then the CPU the thread runs on.
 */
#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/topo.h"

struct pb_topo {
	hwloc_topology_t topo;
	unsigned int nr_pus;
};

int pb_topo_load(struct pb_topo **out, char *err, size_t errlen)
{
	struct pb_topo *t = calloc(1, sizeof(*t));
	const struct hwloc_topology_support *sup;
	int depth;

	if (!t) {
		snprintf(err, errlen, "hwloc: out of memory");
		return -1;
	}
	if (hwloc_topology_init(&t->topo)) {
		snprintf(err, errlen, "hwloc_topology_init: %s", strerror(errno));
		free(t);
		return -1;
	}
	/* Honour the affinity the process was started with (taskset). */
	hwloc_topology_set_flags(t->topo,
				 HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING);
	if (hwloc_topology_load(t->topo)) {
		snprintf(err, errlen, "hwloc_topology_load: %s", strerror(errno));
		hwloc_topology_destroy(t->topo);
		free(t);
		return -1;
	}
	depth = hwloc_get_type_depth(t->topo, HWLOC_OBJ_PU);
	t->nr_pus = (unsigned int)hwloc_get_nbobjs_by_depth(t->topo, depth);
	sup = hwloc_topology_get_support(t->topo);
	if (!t->nr_pus || !sup->cpubind->set_thisthread_cpubind) {
		snprintf(err, errlen, "hwloc: %s",
			 t->nr_pus ? "this system cannot bind threads to PUs" :
				     "no processing unit found");
		hwloc_topology_destroy(t->topo);
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void pb_topo_destroy(struct pb_topo *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->topo);
	free(t);
}

unsigned int pb_topo_nr_pus(const struct pb_topo *t)
{
	return t->nr_pus;
}

static hwloc_obj_t pu(const struct pb_topo *t, unsigned int slot)
{
	return hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, slot);
}

int pb_topo_os_index(const struct pb_topo *t, unsigned int slot)
{
	hwloc_obj_t o = pu(t, slot);

	return o ? (int)o->os_index : -1;
}

static int place_scatter(const struct pb_topo *t, unsigned int n,
			 unsigned int *slots, char *err, size_t errlen)
{
	hwloc_obj_t root = hwloc_get_root_obj(t->topo);
	/* hwloc_distrib() allocates the n cpusets itself; we free them. */
	hwloc_bitmap_t *sets = calloc(n, sizeof(*sets));
	int rc;

	if (!sets) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = hwloc_distrib(t->topo, &root, 1, sets, n, INT_MAX, 0);
	for (unsigned int i = 0; !rc && i < n; i++) {
		hwloc_obj_t o = NULL;

		if (sets[i]) {
			hwloc_bitmap_singlify(sets[i]);
			o = hwloc_get_pu_obj_by_os_index(t->topo,
							 (unsigned int)hwloc_bitmap_first(sets[i]));
		}
		if (!o)
			rc = -1;
		else
			slots[i] = o->logical_index;
	}
	if (rc)
		snprintf(err, errlen, "hwloc_distrib failed for %u threads", n);
	for (unsigned int i = 0; i < n; i++)
		hwloc_bitmap_free(sets[i]);
	free(sets);
	return rc;
}

int pb_topo_place(const struct pb_topo *t, enum pb_placement how,
		  unsigned int nthreads, unsigned int *slots, char *err,
		  size_t errlen)
{
	unsigned int distinct = nthreads < t->nr_pus ? nthreads : t->nr_pus;

	if (how == PB_PLACE_SCATTER) {
		if (place_scatter(t, distinct, slots, err, errlen))
			return -1;
	} else {
		for (unsigned int i = 0; i < distinct; i++)
			slots[i] = i;
	}
	for (unsigned int i = distinct; i < nthreads; i++)
		slots[i] = slots[i % distinct];
	return 0;
}

int pb_topo_bind_self(const struct pb_topo *t, unsigned int slot, char *err,
		      size_t errlen)
{
	hwloc_obj_t o = pu(t, slot);
	int cpu;

	if (!o) {
		snprintf(err, errlen, "no PU with logical index %u", slot);
		return -1;
	}
	if (hwloc_set_cpubind(t->topo, o->cpuset,
			      HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT)) {
		snprintf(err, errlen, "binding to PU L#%u (P#%u) failed: %s",
			 slot, o->os_index, strerror(errno));
		return -1;
	}
	cpu = sched_getcpu();
	if (cpu >= 0 && (unsigned int)cpu != o->os_index) {
		/* The scheduler moves us at the next opportunity; make it now. */
		sched_yield();
		cpu = sched_getcpu();
	}
	if (cpu >= 0 && (unsigned int)cpu != o->os_index) {
		snprintf(err, errlen, "bound to PU P#%u but running on CPU %d",
			 o->os_index, cpu);
		return -1;
	}
	return 0;
}

int pb_topo_unbind_self(const struct pb_topo *t, char *err, size_t errlen)
{
	hwloc_const_cpuset_t set = hwloc_topology_get_topology_cpuset(t->topo);

	if (hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD)) {
		snprintf(err, errlen, "unbinding from one PU failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int pb_topo_export_xml(const struct pb_topo *t, const char *path, char *err,
		       size_t errlen)
{
	if (hwloc_topology_export_xml(t->topo, path, 0)) {
		snprintf(err, errlen, "hwloc XML export to %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void pb_topo_summary(const struct pb_topo *t, char *buf, size_t len)
{
	int pk = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
	int co = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
	int nu = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);

	snprintf(buf, len, "%d package%s, %d core%s, %u PU%s, %d NUMA node%s",
		 pk, pk == 1 ? "" : "s", co, co == 1 ? "" : "s", t->nr_pus,
		 t->nr_pus == 1 ? "" : "s", nu, nu == 1 ? "" : "s");
}

static void version_string(unsigned int v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

void pb_topo_versions(char *library, size_t llen, char *api, size_t alen)
{
	snprintf(library, llen, "%s", HWLOC_VERSION);
	version_string(hwloc_get_api_version(), api, alen);
}
