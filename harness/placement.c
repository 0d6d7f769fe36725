// SPDX-License-Identifier: GPL-2.0-only
/*
 * placement.c - where a Slurm run's units ran (placement.h). Each unit's
 * part folder is an ordinary results folder made on its node: its
 * meta.json gives the host, CPU model, topology and allowed PUs. From
 * them: meta.json's list of nodes, and the warnings of a placement that
 * puts a comparison in doubt (docs/cluster.md).
 *
 * A node is listed once per machine: in a --partitions a,b run the same
 * host may serve two partitions (the local test cluster does).
 *
 * Part of the isolated executor; called by merge.c and isolate.c, calls
 * reps.c (the units' names), topo.c and jsonw.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/placement.h"
#include "harness/reps.h"
#include "harness/topo.h"

/* The same machine: both NULL (one machine) or the same partition. */
static bool same_machine(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * A Slurm unit's node: host, CPU model, topology and kernel from its part's
 * meta.json (read once; after --resume, groups.tsv brings no node).
 */
static void unit_node(const struct pb_iso *s, const struct pb_group *g,
		      struct pb_unit *u)
{
	static const char *const keys[] = { "\"host\": \"", "\"cpu_model\": \"",
					    "\"topology\": \"", "\"kernel\": \"" };
	char *dst[] = { u->node, u->cpu_model, u->topology, u->kernel };
	size_t size[] = { sizeof(u->node), sizeof(u->cpu_model), sizeof(u->topology),
			  sizeof(u->kernel) };
	char path[4800], name[300], line[1024];
	FILE *f;

	if (u->state != PB_GROUP_DONE || u->cpu_model[0])
		return;
	pb_unit_name(g, u, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/parts/%s/meta.json", s->r->dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *pus = strstr(line, "\"allowed_pus\": ");

		if (pus && !u->pus)
			u->pus = atoi(pus + strlen("\"allowed_pus\": "));
		for (int k = 0; k < 4; k++) {
			char *v = strstr(line, keys[k]);

			if (!v || dst[k][0])
				continue;
			v += strlen(keys[k]);
			v[strcspn(v, "\"")] = '\0';
			snprintf(dst[k], size[k], "%s", v);
		}
	}
	fclose(f);
}

/* The CPU models @wl's units ran on in @machine, "model (node), ..." in @buf. */
static size_t workload_models(const struct pb_iso *s, const struct pb_workload *wl,
			      const char *machine, char *buf, size_t len)
{
	const char *seen[16];
	size_t n = 0, off = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < s->ng; k++) {
		const struct pb_group *g = &s->g[k];

		if (g->workload != wl || !same_machine(g->machine, machine))
			continue;
		for (int i = 0; i < g->nu; i++) {
			const struct pb_unit *u = &g->u[i];
			bool known = !u->cpu_model[0];

			for (size_t j = 0; j < n && !known; j++)
				known = !strcmp(seen[j], u->cpu_model);
			if (known || n == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[n++] = u->cpu_model;
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
						"%s%s (%s)", n > 1 ? ", " : "",
						u->cpu_model, u->node);
		}
	}
	return n;
}

/* A node's first unit, and the machine it ran it for. */
struct node {
	const struct pb_unit *u;
	const char *machine;
};

/* The first unit of each node and machine, in plan order: @first[0..return). */
static size_t nodes(struct pb_iso *s, struct node *first, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < s->ng; k++) {
		for (int i = 0; i < s->g[k].nu; i++) {
			struct pb_unit *u = &s->g[k].u[i];
			bool known;

			unit_node(s, &s->g[k], u);
			known = !u->node[0] || !u->cpu_model[0];
			for (size_t j = 0; j < n && !known; j++)
				known = !strcmp(first[j].u->node, u->node) &&
					same_machine(first[j].machine, s->g[k].machine);
			if (!known && n < max)
				first[n++] = (struct node){ u, s->g[k].machine };
		}
	}
	return n;
}

size_t pb_iso_placement_warnings(struct pb_iso *s, char (*warn)[PB_WARN_LEN],
				 size_t max)
{
	struct node first[256];
	size_t nn = nodes(s, first, 256), n = 0;
	unsigned int pus = pb_topo_nr_pus(s->r->topo);
	char buf[2048];

	for (size_t j = 0; j < nn && n < max; j++) {
		bool again = false;

		for (size_t i = 0; i < j; i++)	/* a host of two machines: once */
			again |= !strcmp(first[i].u->node, first[j].u->node);
		if (!again && first[j].u->pus && first[j].u->pus != (int)pus)
			snprintf(warn[n++], PB_WARN_LEN, "node %s has %d allowed "
				 "PUs, the plan was made on the submit host, with "
				 "%u: thread lists such as pow2 and all follow the "
				 "submit host's (docs/cluster.md)", first[j].u->node,
				 first[j].u->pus, pus);
	}
	for (size_t k = 0; k < s->ng && n < max; k++) {
		const struct pb_group *g = &s->g[k];

		if (k && g->workload == s->g[k - 1].workload &&
		    same_machine(g->machine, s->g[k - 1].machine))
			continue;
		if (workload_models(s, g->workload, g->machine, buf, sizeof(buf)) > 1)
			snprintf(warn[n++], PB_WARN_LEN, "%s%s%s ran on nodes of "
				 "different CPU models: %.1800s; compare its "
				 "backends with care", g->workload->name,
				 g->machine ? " on machine " : "",
				 g->machine ? g->machine : "", buf);
	}
	return n;
}

void pb_iso_placement_meta(struct pb_jw *w, struct pb_iso *s)
{
	struct node first[256];
	char warn[16][PB_WARN_LEN];
	size_t nn = nodes(s, first, 256), nw;

	pb_jw_arr_begin(w, "nodes");
	for (size_t j = 0; j < nn; j++) {
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "host", first[j].u->node);
		if (first[j].machine)
			pb_jw_str(w, "machine", first[j].machine);
		pb_jw_str(w, "cpu_model", first[j].u->cpu_model);
		pb_jw_str(w, "topology", first[j].u->topology);
		pb_jw_str(w, "kernel", first[j].u->kernel);
		pb_jw_int(w, "allowed_pus", first[j].u->pus);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	nw = pb_iso_placement_warnings(s, warn, 16);
	pb_jw_arr_begin(w, "placement_warnings");
	for (size_t j = 0; j < nw; j++)
		pb_jw_str(w, NULL, warn[j]);
	pb_jw_arr_end(w);
}
