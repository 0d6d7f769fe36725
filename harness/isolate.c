// SPDX-License-Identifier: GPL-2.0-only
/*
 * isolate.c - `poolbench run --isolate`: every backend x workload of the
 * plan in its own child process, with a time limit, merged as it goes.
 *
 * The parent plans the whole matrix (plan.c, every input checked), groups
 * the instances by backend x workload, adds one group per general-allocator
 * peer for each group of the `malloc` backend, prints the plan with its
 * estimate and runs the groups' units, each in a child (child.c) that
 * plans and runs just its group in process (local.c) and writes an
 * ordinary results folder. Interleaved (--interleave on, the default, with
 * more than one repetition), a group has one unit per repetition and the
 * units run in rounds: round k runs repetition k of every group, each
 * workload's groups together, in an order rotated per round (make_order());
 * otherwise a group is
 * one unit running every repetition. The noise report's null baseline
 * probes run before the first unit, between the rounds (back to back: after
 * half of the units) and after the last.
 *
 * After every unit the parent rewrites the folder's state and merged
 * results (merge.c), so an interrupted run (Ctrl-C, or the parent killed)
 * leaves every finished result readable; at the end it merges the units'
 * bench.json (gbjson.c). `--resume DIR` replans from DIR/run-args, checks
 * the plan is the same, and runs only the units not in groups.tsv.
 *
 * With --executor slurm the same groups and units go to a Slurm job array
 * instead (slurm.c), merged the same way.
 *
 * Called by main.c; calls child.c, gbjson.c, merge.c, noise.c, peers.c,
 * placement.c, plan.c, progress.c, reps.c, results.c and slurm.c, never
 * the in-process executor: a child is a new process.
 *
 * Concurrency contract: single-threaded; the only asynchronous state is
 * stop_signal, written by the signal handler and read by the loop.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/child.h"
#include "harness/gbjson.h"
#include "harness/isolate.h"
#include "harness/merge.h"
#include "harness/peers.h"
#include "harness/placement.h"
#include "harness/plan.h"
#include "harness/progress.h"
#include "harness/reps.h"
#include "harness/results.h"
#include "harness/slurm.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		perror("poolbench");
		exit(1);
	}
	return p;
}

/* ---- the plan's groups ---------------------------------------------------- */

static struct pb_group *add_group(struct pb_iso *s, const struct pb_instance *in,
			       const struct pb_peer *peer)
{
	struct pb_group *g;

	s->g = xrealloc(s->g, (s->ng + 1) * sizeof(*s->g));
	g = &s->g[s->ng++];
	memset(g, 0, sizeof(*g));
	g->backend = in->backend;
	g->workload = in->workload;
	g->peer = peer;
	if (peer)
		snprintf(g->label, sizeof(g->label), "%s:%s", in->backend->name,
			 peer->lib->name);
	else
		snprintf(g->label, sizeof(g->label), "%s", in->backend->name);
	snprintf(g->id, sizeof(g->id), "%03zu-%s-%s", s->ng, g->label,
		 in->workload->name);
	for (char *c = g->id; *c; c++)
		if (*c == ':' || *c == '/')
			*c = '-';
	return g;
}

static void group_add_instance(struct pb_group *g, size_t i)
{
	g->idx = xrealloc(g->idx, (g->n + 1) * sizeof(*g->idx));
	g->idx[g->n++] = i;
}

/*
 * Groups in the order of first appearance (workloads, then backends, as
 * planned); each peer's group follows the malloc group it copies. With
 * several partitions, that list once per partition.
 */
static void make_groups(struct pb_iso *s)
{
	struct pb_run *r = s->r;
	const struct pb_run_opts *o = r->opts;

	for (size_t i = 0; i < r->nr_inst; i++) {
		const struct pb_instance *in = &r->inst[i];
		bool known = false;

		for (size_t k = 0; k < s->ng; k++)
			known |= s->g[k].backend == in->backend &&
				 s->g[k].workload == in->workload;
		if (known)
			continue;
		add_group(s, in, NULL);
		if (strcmp(in->backend->name, "malloc"))
			continue;
		for (size_t p = 0; p < PB_NR_PEERS; p++)
			if (s->peers.peer[p].found)
				add_group(s, in, &s->peers.peer[p]);
	}
	/* --partitions a,b: the same groups once per partition, in turn. */
	if (o->executor == PB_EXEC_SLURM && o->nr_partitions > 1) {
		size_t base = s->ng;

		s->g = xrealloc(s->g, base * o->nr_partitions * sizeof(*s->g));
		for (size_t m = o->nr_partitions; m-- > 0;) {
			for (size_t k = 0; k < base; k++) {
				struct pb_group *g = &s->g[m * base + k];
				char id[sizeof(g->id)];

				*g = s->g[k];
				g->machine = o->partitions[m];
				snprintf(id, sizeof(id), "%.200s@%s", s->g[k].id,
					 g->machine);
				memcpy(g->id, id, sizeof(id));
			}
		}
		s->ng = base * o->nr_partitions;
	}
	for (size_t k = 0; k < s->ng; k++) {
		struct pb_group *g = &s->g[k];
		/* Interleaved: one child per repetition (one rep: no need). */
		bool per_rep = o->interleave && o->reps > 1;
		double limits = 0, unit_est = 0;

		for (size_t i = 0; i < r->nr_inst; i++) {
			const struct pb_instance *in = &r->inst[i];
			bool open;

			if (in->backend != g->backend || in->workload != g->workload)
				continue;
			group_add_instance(g, i);
			unit_est += pb_instance_estimate(in, per_rep ? 1 : o->reps,
							 o->min_time, &open);
			if (open)
				limits += in->limit_s;
		}
		g->nu = per_rep ? o->reps : 1;
		g->u = xrealloc(NULL, (size_t)g->nu * sizeof(*g->u));
		for (int u = 0; u < g->nu; u++)
			g->u[u] = (struct pb_unit){ .rep = per_rep ? u : -1,
						    .started_s = -1 };
		g->estimate = unit_est * g->nu;
		/*
		 * A hang guard, not a budget: generous against the estimate,
		 * and every phase-timed case may run to its own limit once.
		 */
		g->timeout = o->group_timeout > 0 ? o->group_timeout :
			     120 + 4 * unit_est + limits;
	}
}

/*
 * The order the units run in. Interleaved: round k runs repetition k of
 * every group. The groups of one workload (every backend and peer a table
 * compares at it) are adjacent in the plan and stay adjacent in every
 * round, so that the repetitions a paired ratio joins run seconds apart,
 * not a round apart. Round k starts at workload block k x blocks / reps
 * and, within each block, at group k x size / reps, so that each group's
 * repetitions take different places in their rounds and blocks.
 */
static void make_order(struct pb_iso *s, size_t (*order)[2])
{
	size_t n = 0, nb = 0, *first = xrealloc(NULL, (s->ng + 1) * sizeof(*first));
	int rounds = 0;

	for (size_t k = 0; k < s->ng; k++) {
		if (s->g[k].nu > rounds)
			rounds = s->g[k].nu;
		if (!k || s->g[k].workload != s->g[k - 1].workload)
			first[nb++] = k;
	}
	first[nb] = s->ng;
	for (int u = 0; u < rounds; u++) {
		size_t boff = (size_t)u * nb / (size_t)rounds;

		for (size_t j = 0; j < nb; j++) {
			size_t b = (j + boff) % nb;
			size_t size = first[b + 1] - first[b];
			size_t off = (size_t)u * size / (size_t)rounds;

			for (size_t i = 0; i < size; i++) {
				size_t k = first[b] + (i + off) % size;

				if (u < s->g[k].nu) {
					order[n][0] = k;
					order[n++][1] = (size_t)u;
				}
			}
		}
	}
	free(first);
}

static void print_plan(const struct pb_iso *s)
{
	const struct pb_run *r = s->r;
	size_t total = 0, pending = 0;
	double est = 0, pend_est = 0;
	char buf[32];
	bool any_peer = false;

	for (size_t k = 0; k < s->ng; k++) {
		total += s->g[k].n;
		est += s->g[k].estimate;
		if (s->g[k].state == PB_GROUP_PENDING) {
			pending += s->g[k].n;
			pend_est += s->g[k].estimate;
		}
	}
	printf("poolbench: plan: %zu benchmarks in %zu groups (backend x "
	       "workload, each in its own process), %d repetitions, min time "
	       "%g s, counters: %s\n", total, s->ng, r->opts->reps,
	       r->opts->min_time, r->probe.group);
	if (r->opts->executor == PB_EXEC_SLURM) {
		printf("poolbench: Slurm: %s, a task per group on a node of its "
		       "own (--exclusive); a group's %d repetitions run there one "
		       "after the other, each in its own process\n",
		       r->opts->nr_partitions > 1 ? "a job array per partition" :
		       "one job array", r->opts->reps);
		if (r->opts->nr_partitions > 1) {
			printf("poolbench: machine comparison: the plan once on "
			       "each of %zu partitions (", r->opts->nr_partitions);
			for (size_t m = 0; m < r->opts->nr_partitions; m++)
				printf("%s%s", m ? ", " : "", r->opts->partitions[m]);
			printf("); results.csv's machine column names it\n");
		}
	} else if (s->ng && s->g[0].nu > 1)
		printf("poolbench: interleaved: %d rounds, round k runs repetition "
		       "k of every group, each in its own process, a workload's "
		       "groups together, in rotating order (--interleave off: "
		       "back to back)\n",
		       s->g[0].nu);
	printf("  %-16s %7s %11s %9s\n", "workload", "groups", "benchmarks",
	       "estimate");
	for (size_t k = 0; k < s->ng; k++) {
		size_t ng = 0, nb = 0;
		double e = 0;
		bool first = true;

		for (size_t j = 0; j < k; j++)
			first &= s->g[j].workload != s->g[k].workload;
		if (!first)
			continue;
		for (size_t j = k; j < s->ng; j++) {
			if (s->g[j].workload != s->g[k].workload)
				continue;
			ng++;
			nb += s->g[j].n;
			e += s->g[j].estimate;
		}
		pb_fmt_duration(buf, sizeof(buf), e);
		printf("  %-16s %7zu %11zu %9s%s\n", s->g[k].workload->name, ng, nb,
		       buf, s->g[k].workload->times_phases ?
		       "  (guessed: a round takes as long as it takes)" : "");
	}
	pb_fmt_duration(buf, sizeof(buf), est);
	printf("  %-16s %7zu %11zu %9s\n", "total", s->ng, total, buf);
	if (pending != total) {
		pb_fmt_duration(buf, sizeof(buf), pend_est);
		printf("poolbench: resuming: %zu benchmarks left, about %s\n",
		       pending, buf);
	}
	printf("poolbench: general allocators under malloc:");
	for (size_t p = 0; p < PB_NR_PEERS; p++) {
		if (!s->peers.peer[p].found)
			continue;
		any_peer = true;
		printf(" malloc:%s (%s %s)", s->peers.peer[p].lib->name,
		       s->peers.peer[p].lib->package, s->peers.peer[p].version);
	}
	printf("%s\n", any_peer ? "" : " none (not installed or --peers none)");
	printf("poolbench: results in %s (merged after every group; after "
	       "Ctrl-C, finish the run with: " PB_RESUME_HINT ")\n", r->dir,
	       r->dir, r->dir);
	fflush(stdout);
}

static double now_s(void)
{
	return (double)pb_now_ns() / 1e9;
}

/*
 * The noise report's probe @at (start_probes()): the null
 * baseline in a child of its own (parts/null-probe-<at>/), its median
 * kept in the run's noise report. Not a group of the plan: its rows stay
 * in its folder. Return: false when the run was interrupted meanwhile.
 */
static bool run_probe(struct pb_iso *s, const char *at, const char *exe,
		      const struct pb_child_progress *pg)
{
	struct pb_noise *nz = &s->r->noise;
	struct pb_noise_probe *p = &nz->probe[nz->nr_probes];
	struct pb_unit u = { .rep = -1, .started_s = -1 };
	struct pb_group g = {
		.backend = pb_backend_find("null"),
		.workload = pb_workload_find("fastpath-reuse"),
		.label = "null", .n = 1, .probe = true, .nu = 1, .u = &u,
		.timeout = 120 + 10 * s->r->opts->reps * s->r->opts->min_time,
	};
	char path[4800];
	bool ended;

	if (!g.backend || !g.workload || nz->nr_probes >= PB_NOISE_NR_PROBES)
		return true;
	snprintf(g.id, sizeof(g.id), "null-probe-%s", at);
	snprintf(p->at, sizeof(p->at), "%s", at);
	p->median_ns = NAN;
	ended = pb_child_run(s, &g, &u, exe, pg, &stop_signal);
	p->started_s = u.started_s;
	nz->nr_probes++;
	snprintf(path, sizeof(path), "%s/parts/%s/results.csv", s->r->dir, g.id);
	if (u.state == PB_GROUP_DONE &&
	    pb_part_median(path, "ns_per_op", &p->median_ns))
		snprintf(p->reason, sizeof(p->reason), "no median ns_per_op in "
			 "parts/%.200s/results.csv", g.id);
	else if (u.state != PB_GROUP_DONE)
		snprintf(p->reason, sizeof(p->reason), "%.255s",
			 ended ? u.reason : "interrupted");
	return ended;
}

/*
 * Where the probes between the first unit and the last go: before the
 * unit at[j] (j < return value), named name[j]. Interleaved: before every
 * round but the first ("round-<k>", at most PB_NOISE_NR_PROBES - 2 of them,
 * spread evenly when there are more rounds: "mid-<j>"), so a drift during
 * the run shows between two rounds; back to back: half way ("middle").
 */
static int probe_points(const struct pb_iso *s, size_t nr_units,
			size_t *at, char (*name)[16])
{
	int rounds = s->ng ? s->g[0].nu : 1;
	int n = rounds > 1 ? rounds - 1 : 1;

	if (n > PB_NOISE_NR_PROBES - 2)
		n = PB_NOISE_NR_PROBES - 2;
	for (int j = 0; j < n; j++) {
		at[j] = (size_t)(j + 1) * nr_units / (size_t)(n + 1);
		if (rounds <= 1)
			snprintf(name[j], sizeof(name[j]), "middle");
		else if (n == rounds - 1)
			snprintf(name[j], sizeof(name[j]), "round-%u",
				 (unsigned char)(j + 1));
		else
			snprintf(name[j], sizeof(name[j]), "mid-%u",
				 (unsigned char)(j + 1));
	}
	return n;
}

static void print_outcome(const struct pb_iso *s)
{
	size_t done = 0, failed = 0, pending = 0;

	printf("\n%-4s %-26s %-16s %10s %8s  %s\n", "#", "backend", "workload",
	       "benchmarks", "seconds", "state");
	for (size_t k = 0; k < s->ng; k++) {
		const struct pb_group *g = &s->g[k];
		char who[160];
		int ran = 0;

		snprintf(who, sizeof(who), "%s%s%s", g->label, g->machine ? "@" : "",
			 g->machine ? g->machine : "");
		for (int u = 0; u < g->nu; u++)
			ran += g->u[u].state != PB_GROUP_PENDING;
		done += g->state == PB_GROUP_DONE;
		failed += g->state == PB_GROUP_FAILED;
		pending += g->state == PB_GROUP_PENDING;
		printf("%-4zu %-26s %-16s %10zu ", k + 1, who, g->workload->name,
		       g->n);
		if (g->state == PB_GROUP_PENDING && ran)
			printf("%8.1f  partly run: %d of %d repetitions\n",
			       g->seconds, ran, g->nu);
		else if (g->state == PB_GROUP_PENDING)
			printf("%8s  not run\n", "-");
		else
			printf("%8.1f  %s%s%s\n", g->seconds, pb_group_state_name(g->state),
			       g->state == PB_GROUP_FAILED ? ": " : "", g->reason);
	}
	printf("poolbench: %zu groups done, %zu failed, %zu not run\n", done,
	       failed, pending);
}

int pb_exec_isolated(struct pb_run *r)
{
	struct pb_iso s = { .r = r };
	struct sigaction sa = { .sa_handler = on_stop }, old[3];
	struct pb_child_progress pg = { .given = true };
	char err[1024] = "", exe[PATH_MAX];
	size_t (*order)[2] = NULL, nr_units = 0, pending = 0;
	size_t probe_at[PB_NOISE_NR_PROBES];
	char probe_name[PB_NOISE_NR_PROBES][16];
	int nr_probe_points, next_probe = 0;
	double t0;
	ssize_t len;
	int rc = 2, fail_rc = 2;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		fprintf(stderr, "poolbench: /proc/self/exe: %s\n", strerror(errno));
		return 2;
	}
	exe[len] = '\0';
	if (pb_peers_select(&s.peers, r->opts, err, sizeof(err))) {
		fprintf(stderr, "poolbench: %s\n", err);
		return 2;
	}
	make_groups(&s);
	if (pb_iso_open_folder(&s, err, sizeof(err)))
		goto fail;
	print_plan(&s);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	sigaction(SIGHUP, &sa, &old[2]);

	for (size_t k = 0; k < s.ng; k++) {
		const struct pb_group *g = &s.g[k];

		for (int u = 0; u < g->nu; u++) {
			pg.total += g->n;
			if (g->u[u].state == PB_GROUP_PENDING) {
				pg.total_est += g->estimate / g->nu;
				pending++;
			} else
				pg.done += g->n;
		}
		nr_units += (size_t)g->nu;
	}
	order = xrealloc(NULL, (nr_units + 1) * sizeof(*order));
	make_order(&s, order);
	nr_probe_points = probe_points(&s, nr_units, probe_at, probe_name);
	pg.t0_ns = pb_now_ns();
	t0 = now_s();
	pb_noise_sample(&r->noise.start);
	if (r->opts->executor == PB_EXEC_SLURM) {
		/* Nothing ran if it fails: bad input or setup (status 2). */
		int src = pb_slurm_exec(&s, exe, &stop_signal, err, sizeof(err));

		fail_rc = src == -1 ? 2 : 1;
		if (src)
			goto fail;
		goto merge;
	}
	fail_rc = 1;	/* from here on, a write error: some results exist */
	/* Nothing left to run (a resumed complete run): nothing to probe. */
	if (pending && !run_probe(&s, "start", exe, &pg))
		s.interrupted = true;
	for (size_t i = 0; i < nr_units && !stop_signal && !s.interrupted; i++) {
		struct pb_group *g = &s.g[order[i][0]];
		struct pb_unit *u = &g->u[order[i][1]];
		char el[32], eta[32], rep[32] = "";

		if (next_probe < nr_probe_points && i == probe_at[next_probe] &&
		    i && pending && !run_probe(&s, probe_name[next_probe++], exe, &pg)) {
			s.interrupted = true;
			break;
		}
		if (u->state != PB_GROUP_PENDING)
			continue;
		if (!pb_child_run(&s, g, u, exe, &pg, &stop_signal)) {
			s.interrupted = true;
			break;
		}
		pb_group_settle(g);
		pg.done += g->n;
		pg.done_est += g->estimate / g->nu;
		if (u->state == PB_GROUP_FAILED) {
			if (u->rep >= 0)
				snprintf(rep, sizeof(rep), " (repetition %d)", u->rep);
			pb_fmt_duration(el, sizeof(el), now_s() - t0);
			pb_progress_eta(eta, sizeof(eta), now_s() - t0, pg.done_est,
					pg.total_est);
			printf("[%zu/%zu] %s elapsed, ETA %s  %s %s%s: %zu benchmarks "
			       "FAILED: %s\n", pg.done, pg.total, el, eta, g->label,
			       g->workload->name, rep, g->n, u->reason);
		}
		if (pb_iso_write_state(&s, err, sizeof(err)))
			goto fail;
	}
	if (pending && !s.interrupted && !stop_signal &&
	    !run_probe(&s, "end", exe, &pg))
		s.interrupted = true;
merge:
	if (stop_signal)
		s.interrupted = true;
	if (pb_iso_write_merged(&s, err, sizeof(err)) ||
	    pb_gbjson_merge(&s, err, sizeof(err)))
		goto fail;
	for (int i = 0; i < 3; i++)
		sigaction(i == 0 ? SIGINT : i == 1 ? SIGTERM : SIGHUP, &old[i], NULL);
	print_outcome(&s);
	if (s.interrupted) {
		fprintf(stderr, "poolbench: interrupted; every finished group is in "
			"%s/results.csv. Finish the run with: " PB_RESUME_HINT "\n",
			r->dir, r->dir, r->dir);
		rc = 128 + (stop_signal ? stop_signal : SIGINT);
	} else {
		rc = r->merged_failed ? 1 : 0;
		if (r->merged_failed)
			fprintf(stderr, "poolbench: %lld runs failed; see the error "
				"column of %s/results.csv\n",
				(long long)r->merged_failed, r->dir);
		printf("poolbench: results written to %s\n", r->dir);
	}
	if (r->opts->executor == PB_EXEC_SLURM) {
		char warn[16][PB_WARN_LEN];
		size_t nw = pb_iso_placement_warnings(&s, warn, 16);

		for (size_t k = 0; k < nw; k++)
			printf("poolbench: WARNING: %s\n", warn[k]);
		printf("poolbench: the nodes' noise: each part's meta.json "
		       "(parts/<group>/.../meta.json) has its node's report\n");
	} else {
		char line[512];

		pb_noise_verdict(&r->noise, line, sizeof(line));
		printf("poolbench: the machine was %s\n", line);
	}
	goto out;
fail:
	fprintf(stderr, "poolbench: %s\n", err);
	rc = fail_rc;
out:
	for (size_t k = 0; k < s.ng; k++) {
		free(s.g[k].idx);
		free(s.g[k].u);
	}
	free(s.g);
	free(order);
	return rc;
}