// SPDX-License-Identifier: GPL-2.0-only
/*
 * plan.c - turn the command line into a run's instances (run.h).
 *
 * Every name, key and value is checked against the registries, and every
 * backend configuration by creating and destroying a pool once: a bad
 * input stops the run before anything is measured (exit status 2). A
 * point a backend cannot serve, or a thread count a workload cannot use,
 * is a skip with its reason, not an error. Also the time estimate of an
 * instance, for the plan, the progress lines and the group time limits.
 *
 * No I/O: what planning has to say goes into struct pb_run (skipped,
 * shared_only_threads) for main.c to print. Calls only the registries
 * (backends, workloads, options) and topo.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/rseq/rseq.h"
#include "harness/plan.h"

/*
 * Seconds an instance should take: Google Benchmark's iteration-count
 * trials cost about 1.5 repetitions more; a phase-timed round runs as long
 * as it takes, its workload's guess, at most its limit.
 */
double pb_instance_estimate(const struct pb_instance *in, int reps,
			    double min_time, bool *open_ended)
{
	*open_ended = in->workload->times_phases;
	if (in->workload->times_phases) {
		double round = in->round_s;

		if (in->limit_s > 0 && round > in->limit_s)
			round = in->limit_s;
		return reps * round;
	}
	return (reps + 1.5) * min_time + 0.02;
}

static int plan_error(char *err, size_t errlen, const char *fmt, const char *a,
		      const char *b)
{
	/* A message cut short still names the problem; nothing else is lost. */
	if ((size_t)snprintf(err, errlen, fmt, a, b) >= errlen && errlen > 4)
		strcpy(err + errlen - 4, "...");
	return -1;
}

static void list_names(char *buf, size_t len, bool backends)
{
	size_t off = 0, n = backends ? pb_backend_count() : pb_workload_count();

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					backends ? pb_backend_at(i)->name :
						   pb_workload_at(i)->name);
}

struct selection {
	const struct pb_backend *b[PB_CLI_MAX_LIST + 1];
	size_t nb;
	const struct pb_workload *w[PB_CLI_MAX_LIST];
	size_t nw;
	unsigned int threads[4096];	/* 1..all on the largest boxes */
	size_t nt;
	bool all_counts;	/* thread list of a workload that sweeps them */
};

static int select_names(const struct pb_run_opts *o, struct selection *s,
			char *err, size_t errlen)
{
	char valid[1024];
	const struct pb_backend *null = NULL;

	s->nb = s->nw = 0;
	for (size_t i = 0; i < pb_backend_count(); i++)
		if (pb_backend_at(i)->flags & PB_BACKEND_BASELINE)
			null = pb_backend_at(i);
	if (!o->nr_backends) {
		for (size_t i = 0; i < pb_backend_count(); i++)
			s->b[s->nb++] = pb_backend_at(i);
	} else {
		/* The baseline runs first, in every run. */
		if (null)
			s->b[s->nb++] = null;
		for (size_t i = 0; i < o->nr_backends; i++) {
			const struct pb_backend *b = pb_backend_find(o->backends[i]);
			bool dup = false;

			if (!b) {
				list_names(valid, sizeof(valid), true);
				return plan_error(err, errlen,
						  "--backends: unknown backend '%s' (valid: %s)",
						  o->backends[i], valid);
			}
			for (size_t j = 0; j < s->nb; j++)
				dup |= s->b[j] == b;
			if (!dup)
				s->b[s->nb++] = b;
		}
	}
	if (!o->nr_workloads) {
		for (size_t i = 0; i < pb_workload_count(); i++)
			s->w[s->nw++] = pb_workload_at(i);
	} else {
		for (size_t i = 0; i < o->nr_workloads; i++) {
			const struct pb_workload *w = pb_workload_find(o->workloads[i]);
			bool dup = false;

			if (!w) {
				list_names(valid, sizeof(valid), false);
				return plan_error(err, errlen,
						  "--workloads: unknown workload '%s' (valid: %s)",
						  o->workloads[i], valid);
			}
			for (size_t j = 0; j < s->nw; j++)
				dup |= s->w[j] == w;
			if (!dup)
				s->w[s->nw++] = w;
		}
	}
	return 0;
}

static void add_threads(struct selection *s, unsigned int t)
{
	for (size_t i = 0; i < s->nt; i++)
		if (s->threads[i] == t)
			return;
	if (s->nt < sizeof(s->threads) / sizeof(s->threads[0]))
		s->threads[s->nt++] = t;
}

static int select_threads(const struct pb_run_opts *o, unsigned int nr_pus,
			  struct selection *s, char *err, size_t errlen)
{
	s->nt = 0;
	if (!o->threads_given && s->all_counts) {
		/* The scaling workload without --threads: 1, 2, ... all. */
		for (unsigned int t = 1; t <= nr_pus; t++)
			add_threads(s, t);
		return 0;
	}
	for (size_t i = 0; i < o->nr_threads; i++) {
		unsigned int t = o->threads[i];

		if (t == PB_THREADS_POW2) {
			for (unsigned int p = 1; p < nr_pus; p *= 2)
				add_threads(s, p);
			add_threads(s, nr_pus);
			continue;
		}
		if (t == PB_THREADS_ALL)
			t = nr_pus;
		if (t > nr_pus && !o->oversubscribe) {
			snprintf(err, errlen,
				 "--threads: %u threads but only %u PUs are allowed "
				 "(use --oversubscribe to run more threads than PUs)",
				 t, nr_pus);
			return -1;
		}
		add_threads(s, t);
	}
	return 0;
}

static bool scope_matches(const struct pb_param *p, const char *name)
{
	return !p->scope || !strcmp(p->scope, name);
}

/* Every --param must apply to some selected backend or workload, once. */
static int check_params(const struct pb_run_opts *o, const struct selection *s,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < o->nr_params; i++) {
		const struct pb_param *p = &o->params[i];
		bool scope_ok = !p->scope, in_b = false, in_w = false;
		char owner[128];

		for (size_t j = 0; j < s->nb; j++) {
			if (!scope_matches(p, s->b[j]->name))
				continue;
			scope_ok = true;
			if (pb_options_find(s->b[j]->options, p->key) >= 0) {
				in_b = true;
				snprintf(owner, sizeof(owner), "%s", s->b[j]->name);
				for (size_t v = 0; v < p->nr_values; v++) {
					uint64_t x;
					int k = pb_options_find(s->b[j]->options, p->key);

					if (pb_option_parse_value(&s->b[j]->options[k],
								  p->values[v], &x,
								  owner, err, errlen))
						return -1;
				}
			}
		}
		for (size_t j = 0; j < s->nw; j++) {
			if (!scope_matches(p, s->w[j]->name))
				continue;
			scope_ok = true;
			if (pb_options_find(s->w[j]->params, p->key) >= 0) {
				int k = pb_options_find(s->w[j]->params, p->key);

				in_w = true;
				for (size_t v = 0; v < p->nr_values; v++) {
					uint64_t x;

					if (pb_option_parse_value(&s->w[j]->params[k],
								  p->values[v], &x,
								  s->w[j]->name, err,
								  errlen))
						return -1;
				}
			}
		}
		if (!scope_ok)
			return plan_error(err, errlen,
					  "--param: scope '%s' is not a selected backend "
					  "or workload (see 'poolbench list')%s",
					  p->scope, "");
		if (!in_b && !in_w)
			return plan_error(err, errlen,
					  "--param: no selected backend or workload has "
					  "a parameter '%s'%s (see 'poolbench list')",
					  p->key, p->scope ? " in that scope" : "");
		if (in_b && in_w)
			return plan_error(err, errlen,
					  "--param: '%s' is both a backend option and a "
					  "workload parameter: qualify it as "
					  "<backend>.%s or <workload>.%s",
					  p->key, p->key);
	}
	return 0;
}

/*
 * The parameters of one owner (a backend or workload) that apply to it,
 * as an odometer over their value lists.
 */
struct sweep {
	const struct pb_param *p[PB_MAX_OPTS];
	size_t n;
	size_t pos[PB_MAX_OPTS];
	struct pb_param dflt[PB_MAX_OPTS];	/* from pb_option_spec.sweep */
};

static void sweep_init(struct sweep *sw, const struct pb_run_opts *o,
		       const char *owner, const struct pb_option_spec *spec)
{
	memset(sw, 0, sizeof(*sw));
	for (size_t i = 0; i < o->nr_params && sw->n < PB_MAX_OPTS; i++) {
		const struct pb_param *p = &o->params[i];

		if (!scope_matches(p, owner) || pb_options_find(spec, p->key) < 0)
			continue;
		/* A later --param for the same key replaces an earlier one. */
		for (size_t j = 0; j < sw->n; j++) {
			if (!strcmp(sw->p[j]->key, p->key)) {
				sw->p[j] = p;
				goto next;
			}
		}
		sw->p[sw->n++] = p;
next:;
	}
	/* A parameter with a default sweep that the user did not name. */
	for (size_t k = 0, nd = 0; spec && spec[k].key && sw->n < PB_MAX_OPTS; k++) {
		struct pb_param *d = &sw->dflt[nd];
		bool given = false;

		if (!spec[k].sweep)
			continue;
		for (size_t j = 0; j < sw->n; j++)
			given |= !strcmp(sw->p[j]->key, spec[k].key);
		if (given)
			continue;
		d->key = (char *)spec[k].key;
		for (d->nr_values = 0; spec[k].sweep[d->nr_values] &&
		     d->nr_values < PB_CLI_MAX_LIST; d->nr_values++)
			d->values[d->nr_values] = (char *)spec[k].sweep[d->nr_values];
		sw->p[sw->n++] = d;
		nd++;
	}
}

/* Advance to the next combination. Return: false after the last one. */
static bool sweep_next(struct sweep *sw)
{
	for (size_t i = sw->n; i-- > 0;) {
		if (++sw->pos[i] < sw->p[i]->nr_values)
			return true;
		sw->pos[i] = 0;
	}
	return false;
}

static void append(char *buf, size_t len, const char *fmt, const char *a,
		   const char *b)
{
	size_t off = strlen(buf);

	if (off < len)
		snprintf(buf + off, len - off, fmt, a, b);
}

/* A new, zeroed instance at the end of @r's; NULL when out of memory. */
static struct pb_instance *new_instance(struct pb_run *r)
{
	if (r->nr_inst == r->cap_inst) {
		size_t cap = r->cap_inst ? 2 * r->cap_inst : 64;
		struct pb_instance *inst = realloc(r->inst, cap * sizeof(*inst));

		if (!inst)
			return NULL;
		r->inst = inst;
		r->cap_inst = cap;
	}
	memset(&r->inst[r->nr_inst], 0, sizeof(r->inst[0]));
	return &r->inst[r->nr_inst++];
}

/*
 * Check one instance's backend configuration by a create/destroy.
 * Return: 0, -1 (invalid: @err says why) or PB_CREATE_UNSUPPORTED (@err
 * says why the backend cannot serve this point).
 */
static int try_config(const struct pb_instance *in, char *err, size_t errlen)
{
	char why[256] = "";
	void *pool;
	int rc = in->backend->create(&in->cfg, &pool, why, sizeof(why));

	if (rc) {
		snprintf(err, errlen, "%s", why);
		return rc == PB_CREATE_UNSUPPORTED ? rc : -1;
	}
	in->backend->destroy(pool);
	return 0;
}

/*
 * Remember a point the backend cannot serve; it is left out of the run.
 * Return: 0, or -1 (out of memory) with @err.
 */
static int skip_instance(struct pb_run *r, const struct pb_instance *in,
			 const char *why, char *err, size_t errlen)
{
	struct pb_skip *sk;

	if (r->nr_skipped == r->cap_skipped) {
		size_t cap = r->cap_skipped ? 2 * r->cap_skipped : 16;

		sk = realloc(r->skipped, cap * sizeof(*sk));
		if (!sk)
			return plan_error(err, errlen, "out of memory%s%s", "", "");
		r->skipped = sk;
		r->cap_skipped = cap;
	}
	sk = &r->skipped[r->nr_skipped++];
	snprintf(sk->name, sizeof(sk->name), "%s", in->name);
	snprintf(sk->reason, sizeof(sk->reason), "%s", why);
	return 0;
}

static bool mode_given(const struct pb_run_opts *o, enum pb_mode m)
{
	for (size_t i = 0; i < o->nr_modes; i++)
		if (o->modes[i] == m)
			return true;
	return false;
}

static int plan_backend(struct pb_run *r, const struct pb_instance *tmpl,
			const struct pb_backend *b, char *err, size_t errlen)
{
	const struct pb_run_opts *o = r->opts;
	struct sweep sw;

	sweep_init(&sw, o, b->name, b->options);
	do {
		struct pb_instance *in = new_instance(r);
		uint64_t eff[PB_MAX_OPTS];
		char buf[64], buf2[256];

		if (!in)
			return plan_error(err, errlen, "out of memory%s%s", "", "");
		*in = *tmpl;
		in->backend = b;
		if ((size_t)snprintf(in->name, sizeof(in->name), "%s/%s", b->name,
				     tmpl->name) >= sizeof(in->name))
			return plan_error(err, errlen, "benchmark name too long: "
					  "%s/%s", b->name, tmpl->name);
		for (size_t i = 0; i < sw.n; i++) {
			in->opts[i].key = sw.p[i]->key;
			in->opts[i].value = sw.p[i]->values[sw.pos[i]];
			append(in->name, sizeof(in->name), "/%s:%s", in->opts[i].key,
			       in->opts[i].value);
		}
		if (strlen(in->name) + 1 >= sizeof(in->name))
			return plan_error(err, errlen, "benchmark name too long: "
					  "%s%s", in->name, "");
		in->nr_opts = sw.n;
		/* Valid until r->inst moves; pb_plan() sets it for good. */
		in->cfg.opts = in->opts;
		in->cfg.nr_opts = in->nr_opts;
		if (pb_options_parse(b->options, in->opts, in->nr_opts, eff,
				     b->name, err, errlen))
			return -1;
		in->opts_text[0] = '\0';
		for (size_t i = 0; b->options && b->options[i].key; i++) {
			pb_option_format(&b->options[i], eff[i], buf, sizeof(buf));
			append(in->opts_text, sizeof(in->opts_text), "%s%s",
			       i ? ";" : "", b->options[i].key);
			append(in->opts_text, sizeof(in->opts_text), "=%s%s", buf, "");
		}
		if (in->cfg.mode == PB_MODE_RSEQ &&
		    !pb_rseq_available(buf2, sizeof(buf2))) {
			r->nr_inst--;
			if (skip_instance(r, in, buf2, err, errlen))
				return -1;
			continue;
		}
		if (o->latency && (!b->lat_kernels || !b->lat_kernels[in->kernel])) {
			r->nr_inst--;
			snprintf(buf2, sizeof(buf2), "--latency: the %s workload "
				 "has no latency kernel (fastpath-reuse, "
				 "ring-cleanup and remote-free have)",
				 in->workload->name);
			if (skip_instance(r, in, buf2, err, errlen))
				return -1;
			continue;
		}
		in->latency = o->latency;
		switch (try_config(in, err, errlen)) {
		case 0:
			break;
		case PB_CREATE_UNSUPPORTED:
			r->nr_inst--;
			if (skip_instance(r, in, err, err, errlen))
				return -1;
			break;
		default:
			return -1;
		}
	} while (sweep_next(&sw));
	return 0;
}

int pb_plan(struct pb_run *r, char *err, size_t errlen)
{
	const struct pb_run_opts *o = r->opts;
	const struct pb_child_opts *child = r->child;
	unsigned int nr_pus = pb_topo_nr_pus(r->topo);
	struct selection s;
	bool noted = false;

	s.all_counts = false;
	if (select_names(o, &s, err, errlen) ||
	    select_threads(o, nr_pus, &s, err, errlen) ||
	    check_params(o, &s, err, errlen))
		return -1;
	if (child && !pb_backend_find(child->backend))
		return plan_error(err, errlen, "--only-backend: unknown backend "
				  "'%s'%s", child->backend, "");

	for (size_t wi = 0; wi < s.nw; wi++) {
		const struct pb_workload *w = s.w[wi];
		struct sweep sw;

		if (child && child->workload && strcmp(w->name, child->workload))
			continue;
		s.all_counts = w->all_thread_counts;
		if (select_threads(o, nr_pus, &s, err, errlen))
			return -1;

		if (pb_options_count(w->params) > PB_MAX_WL_PARAMS)
			return plan_error(err, errlen, "workload %s: too many "
					  "parameters%s", w->name, "");
		sweep_init(&sw, o, w->name, w->params);
		do {
			struct pb_instance tmpl = { 0 };
			const size_t *sizes;
			size_t nz;
			struct pb_kv kv[PB_MAX_OPTS];
			char wname[192];

			for (size_t i = 0; i < sw.n; i++) {
				kv[i].key = sw.p[i]->key;
				kv[i].value = sw.p[i]->values[sw.pos[i]];
			}
			if (pb_options_parse(w->params, kv, sw.n, tmpl.wl_values,
					     w->name, err, errlen) ||
			    w->prepare(tmpl.wl_values, &tmpl.point, err, errlen))
				return -1;
			tmpl.kernel = w->pick_kernel ? w->pick_kernel(tmpl.wl_values) :
						       w->kernel;
			tmpl.round_s = 0.01;
			if (w->round_time)
				w->round_time(tmpl.wl_values, &tmpl.round_s,
					      &tmpl.limit_s);
			if (!tmpl.point.capacity)
				tmpl.point.capacity = tmpl.point.n;
			snprintf(wname, sizeof(wname), "%s", w->name);
			for (size_t i = 0; w->params && w->params[i].key; i++) {
				char v[32];

				pb_option_format(&w->params[i], tmpl.wl_values[i],
						 v, sizeof(v));
				append(wname, sizeof(wname), "/%s:%s",
				       w->params[i].key, v);
			}
			tmpl.workload = w;
			nz = o->nr_sizes;
			sizes = o->sizes;
			if (!o->sizes_given && w->sizes) {
				sizes = w->sizes;
				for (nz = 0; sizes[nz]; nz++)
					;
			}
			for (size_t zi = 0; zi < nz; zi++)
			for (size_t ti = 0; ti < s.nt; ti++)
			for (size_t mi = 0; mi < o->nr_modes; mi++) {
				unsigned int t = s.threads[ti];
				enum pb_mode m = o->modes[mi];

				/*
				 * More threads than PUs share CPUs: shared or
				 * rseq; exclusive becomes shared, once.
				 */
				if (t > nr_pus && m == PB_MODE_EXCLUSIVE) {
					if (!noted)
						r->shared_only_threads = t;
					noted = true;
					if (mode_given(o, PB_MODE_SHARED))
						continue;
					m = PB_MODE_SHARED;
				}
				tmpl.mode = m;
				tmpl.threads = t;
				tmpl.placement = o->placement;
				tmpl.obj_size = sizes[zi];
				tmpl.align = o->align;
				tmpl.topo = r->topo;
				tmpl.probe = &r->probe;
				tmpl.cfg = (struct pb_config){
					.obj_size = sizes[zi],
					.align = o->align,
					.capacity = (size_t)t * tmpl.point.capacity,
					.prealloc = (size_t)t * tmpl.point.capacity,
					.nr_cpus = nr_pus,
					.nr_threads = t,
					.mode = m,
				};
				snprintf(tmpl.name, sizeof(tmpl.name),
					 "%s/%s/thr:%u/size:%zu/align:%zu", wname,
					 pb_mode_name(m), t, sizes[zi], o->align);
				if (w->single_thread && t > 1) {
					char why[128];

					snprintf(why, sizeof(why), "%s runs on one "
						 "thread only", w->name);
					if (skip_instance(r, &tmpl, why, err,
							  errlen))
						return -1;
					continue;
				}
				if (w->thread_multiple > 1 && t % w->thread_multiple) {
					char why[128];

					snprintf(why, sizeof(why), "%s needs a multiple "
						 "of %u threads", w->name,
						 w->thread_multiple);
					if (skip_instance(r, &tmpl, why, err,
							  errlen))
						return -1;
					continue;
				}
				for (size_t bi = 0; bi < s.nb; bi++) {
					if (child &&
					    strcmp(s.b[bi]->name, child->backend))
						continue;
					if (plan_backend(r, &tmpl, s.b[bi], err, errlen))
						return -1;
				}
			}
		} while (sweep_next(&sw));
	}
	/* The instance array stopped moving (realloc): point at its own options. */
	for (size_t i = 0; i < r->nr_inst; i++)
		r->inst[i].cfg.opts = r->inst[i].opts;
	return 0;
}

void pb_plan_free(struct pb_run *r)
{
	free(r->inst);
	free(r->rows);
	free(r->skipped);
	r->inst = NULL;
	r->rows = NULL;
	r->skipped = NULL;
	r->nr_inst = r->nr_rows = r->nr_skipped = 0;
}
