// SPDX-License-Identifier: GPL-2.0-only
/*
 * results.c - the results folder of a run.
 *
 *   bench.json    Google Benchmark's own JSON, untouched
 *   results.csv   one row per instance and statistic (columns: docs/results-format.md)
 *   meta.json     how the numbers were made: command line, build, library
 *                 versions, machine, counters used and why others were not
 *   topology.xml  the hwloc topology the run was placed on
 *
 * A folder is never reused: the default name carries the UTC time (with a
 * suffix if taken), and --out must name a new or empty folder. Every file is
 * written to a temporary name, synced, then renamed into place, so a reader
 * never sees half a file.
 *
 * Calls only jsonw.c, topo.c, perfev.c, noise.c and rows.c (the rows'
 * own helpers); called by every other part of the run.
 */
#include <dirent.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "buildinfo.h"
#include "allocators/peers/dpdk/eal.h"
#include "allocators/peers/gslice/gslice.h"
#include "harness/probemeta.h"
#include "harness/results.h"

/* ---- folder ---------------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -1;
	return 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* pb_results_mkdir() checks again when it creates the folder. */
int pb_results_check_out(const char *out, char *err, size_t errlen)
{
	struct stat st;

	if (!stat(out, &st) && (!S_ISDIR(st.st_mode) || !dir_is_empty(out))) {
		snprintf(err, errlen, "--out %.900s: exists and is not an empty "
			 "folder; results are never written over", out);
		return -1;
	}
	return 0;
}

int pb_results_mkdir(struct pb_run *r, char *err, size_t errlen)
{
	char host[256] = "unknown-host", stamp[32], parent[4096];
	time_t now = time(NULL);
	struct tm tm;

	if (r->opts->out) {
		snprintf(r->dir, sizeof(r->dir), "%s", r->opts->out);
		if (pb_results_check_out(r->dir, err, errlen))
			return -1;
		if (mkdir_p(r->dir)) {
			snprintf(err, errlen, "--out %s: %s", r->dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (*p == '/')
			*p = '_';
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(parent, sizeof(parent), "results/%s", host);
	if (mkdir_p(parent)) {
		snprintf(err, errlen, "%s: %s", parent, strerror(errno));
		return -1;
	}
	for (int i = 0; i < 1000; i++) {
		int n = i ? snprintf(r->dir, sizeof(r->dir), "%s/%s-%d", parent, stamp, i)
			  : snprintf(r->dir, sizeof(r->dir), "%s/%s", parent, stamp);

		if ((size_t)n >= sizeof(r->dir)) {
			errno = ENAMETOOLONG;
			break;
		}
		if (!mkdir(r->dir, 0777))
			return 0;
		if (errno != EEXIST)
			break;
	}
	snprintf(err, errlen, "%s: %s", r->dir, strerror(errno));
	return -1;
}

/* ---- atomic files ------------------------------------------------------------ */

FILE *pb_pending_open(struct pb_pending *p, const char *dir, const char *name)
{
	snprintf(p->path, sizeof(p->path), "%s/%s", dir, name);
	snprintf(p->tmp, sizeof(p->tmp), "%s/.%s.tmp", dir, name);
	p->f = fopen(p->tmp, "w");
	return p->f;
}

int pb_pending_commit(struct pb_pending *p, char *err, size_t errlen)
{
	int bad = ferror(p->f);

	bad |= fflush(p->f) || fsync(fileno(p->f));
	bad |= fclose(p->f);
	if (bad || rename(p->tmp, p->path)) {
		snprintf(err, errlen, "writing %s: %s", p->path, strerror(errno));
		unlink(p->tmp);
		return -1;
	}
	return 0;
}

char *pb_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r"), *m;
	char *buf = NULL;
	size_t n = 0;
	int e;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &n);
	if (!m) {
		e = errno;
		fclose(f);
		errno = e;
		return NULL;
	}
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	e = ferror(f) ? EIO : 0;
	fclose(f);
	if (fclose(m) || e) {
		free(buf);
		errno = e ? e : ENOMEM;
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

/* ---- results.csv ------------------------------------------------------------ */

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.9g", v);
}

/* Workload parameter columns: every key of every registered workload, once. */
static size_t wl_param_columns(const char **keys, size_t max)
{
	size_t n = 0;

	for (size_t w = 0; w < pb_workload_count(); w++) {
		const struct pb_option_spec *p = pb_workload_at(w)->params;

		for (size_t i = 0; p && p[i].key; i++) {
			bool seen = false;

			for (size_t k = 0; k < n; k++)
				seen |= !strcmp(keys[k], p[i].key);
			if (!seen && n < max)
				keys[n++] = p[i].key;
		}
	}
	return n;
}

void pb_csv_point_header(FILE *f, bool pus)
{
	const char *wkeys[64];
	size_t nwk = wl_param_columns(wkeys, 64);

	fputs(pus ? "backend,workload,mode,threads,placement,pus,obj_size,align" :
		    "backend,workload,mode,threads,placement,obj_size,align", f);
	for (size_t k = 0; k < nwk; k++)
		fprintf(f, ",%s", wkeys[k]);
	fputs(",options", f);
}

void pb_csv_header(FILE *f)
{
	static const char *const mem[] = {
#define PB_MEM_NAME(name, desc) #name,
		PB_MEM_LIST(PB_MEM_NAME)
#undef PB_MEM_NAME
	};
	static const char *const ops[] = {
#define PB_LAT_OP_NAME(name) #name,
		PB_LAT_OPS(PB_LAT_OP_NAME)
#undef PB_LAT_OP_NAME
	};
	static const char *const pcts[] = {
#define PB_LAT_PCT_NAME(name, p) #name,
		PB_LAT_PCTS(PB_LAT_PCT_NAME)
#undef PB_LAT_PCT_NAME
	};

	fputs("machine,", f);
	pb_csv_point_header(f, true);
	fputs(",statistic,rep,rep_start_s,iterations,ns_per_op,ops_per_sec,"
	      "efficiency,hits_per_op,misses_per_op,"
	      "alloc_ms,free_ms,phase_faults,metadata_per_obj,chunks_peak", f);
	for (int c = 0; c < PB_MEM__COUNT; c++)
		fprintf(f, ",%s", mem[c]);
	for (int o = 0; o < PB_LAT_NR_OPS; o++)
		for (int c = 0; c < PB_LAT_NR_PCTS; c++)
			fprintf(f, ",%s_%s_ns", ops[o], pcts[c]);
	fputs(",lat_probe_ns,gb_real_ns,gb_cpu_ns,counter_group", f);
	for (unsigned int e = 0; e < pb_perf_nr_known_events(); e++)
		fprintf(f, ",%s_per_op", pb_perf_known_event(e));
	fputs(",perf_running", f);
	for (int s = 0; s < PB_STAT__COUNT; s++)
		fprintf(f, pb_stat_kind(s) == PB_STAT_EVENTS ? ",%s_per_op" : ",%s",
			pb_stat_name(s));
	fputs(",error\n", f);
}

void pb_csv_point(FILE *f, const struct pb_run *r, const struct pb_instance *in,
		  const char *label, bool pus)
{
	const struct pb_option_spec *wp = in->workload->params;
	const char *wkeys[64];
	size_t nwk = wl_param_columns(wkeys, 64);

	if (!label)
		label = r->child && r->child->label &&
			!(in->backend->flags & PB_BACKEND_BASELINE) ?
			r->child->label : in->backend->name;
	csv_str(f, label);
	fputc(',', f);
	csv_str(f, in->workload->name);
	fprintf(f, ",%s,%u,%s", pb_mode_name(in->mode), in->threads,
		in->placement == PB_PLACE_SCATTER ? "scatter" : "compact");
	if (pus)
		fprintf(f, ",%s", in->pus);
	fprintf(f, ",%zu,%zu", in->obj_size, in->align);
	for (size_t k = 0; k < nwk; k++) {
		int idx = pb_options_find(wp, wkeys[k]);
		char v[64];

		fputc(',', f);
		if (idx >= 0) {
			pb_option_format(&wp[idx], in->wl_values[idx], v, sizeof(v));
			csv_str(f, v);
		}
	}
	fputc(',', f);
	csv_str(f, in->opts_text);
}

const char *pb_csv_machine(const struct pb_run *r, const char *machine)
{
	if (machine)
		return machine;
	return r->child && r->child->machine ? r->child->machine : "";
}

void pb_csv_row(FILE *f, const struct pb_run *r, const struct pb_row *row,
		const char *label, const char *machine)
{
	csv_str(f, pb_csv_machine(r, machine));
	fputc(',', f);
	pb_csv_point(f, r, row->in, label, true);
	fprintf(f, ",%s,", row->statistic);
	if (row->rep >= 0)
		fprintf(f, "%ld", row->rep);
	csv_num(f, row->rep_start_s);
	fprintf(f, ",%" PRIu64, row->iterations);
	csv_num(f, row->ns_per_op);
	csv_num(f, row->ops_per_sec);
	csv_num(f, row->efficiency);
	csv_num(f, row->hits);
	csv_num(f, row->misses);
	csv_num(f, row->alloc_ms);
	csv_num(f, row->free_ms);
	csv_num(f, row->phase_faults);
	csv_num(f, row->metadata_per_obj);
	csv_num(f, row->chunks_peak);
	for (int c = 0; c < PB_MEM__COUNT; c++)
		csv_num(f, row->mem[c]);
	for (int c = 0; c < PB_LAT__COUNT; c++)
		csv_num(f, row->lat[c]);
	csv_num(f, row->lat_probe_ns);
	csv_num(f, row->error ? NAN : row->real_ns);
	csv_num(f, row->error ? NAN : row->cpu_ns);
	fprintf(f, ",%s", r->probe.group);
	for (unsigned int e = 0; e < pb_perf_nr_known_events(); e++) {
		double v = NAN;

		for (unsigned int p = 0; p < r->probe.nr_events; p++)
			if (!strcmp(r->probe.events[p].name, pb_perf_known_event(e)))
				v = row->perf[p];
		csv_num(f, v);
	}
	csv_num(f, row->perf_running);
	for (int s = 0; s < PB_STAT__COUNT; s++)
		csv_num(f, row->stat[s]);
	fputc(',', f);
	csv_str(f, row->error_message);
	fputc('\n', f);
}

/*
 * A child of an isolated run writes each instance's rows as soon as they
 * are all in, to partial/<k>.csv (k: its index in the plan, no header): if
 * the process dies later in its group, the parent keeps these.
 */
int pb_results_write_instance(struct pb_run *r, const struct pb_instance *in,
			      char *err, size_t errlen)
{
	char dir[4120], name[32];
	struct pb_pending p;

	snprintf(dir, sizeof(dir), "%.4090s/partial", r->dir);
	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(err, errlen, "%.900s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(name, sizeof(name), "%zu.csv", (size_t)(in - r->inst));
	if (!pb_pending_open(&p, dir, name)) {
		snprintf(err, errlen, "%.900s: %s", p.tmp, strerror(errno));
		return -1;
	}
	pb_rows_efficiency(r);
	for (size_t i = 0; i < r->nr_rows; i++)
		if (r->rows[i].in == in)
			pb_csv_row(p.f, r, &r->rows[i], NULL, NULL);
	return pb_pending_commit(&p, err, errlen);
}

/* Once results.csv holds every row, the partial files are redundant. */
static void remove_partial(const struct pb_run *r)
{
	char dir[4200], path[4400];

	snprintf(dir, sizeof(dir), "%s/partial", r->dir);
	for (size_t i = 0; i < r->nr_inst; i++) {
		snprintf(path, sizeof(path), "%s/%zu.csv", dir, i);
		unlink(path);
	}
	rmdir(dir);
}

static int write_csv(struct pb_run *r, char *err, size_t errlen)
{
	const struct pb_row **order = pb_rows_plan_order(r);
	struct pb_pending p;

	if (!order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}

	if (!pb_pending_open(&p, r->dir, "results.csv")) {
		snprintf(err, errlen, "%s: %s", p.tmp, strerror(errno));
		free(order);
		return -1;
	}
	pb_rows_efficiency(r);
	pb_csv_header(p.f);
	for (size_t i = 0; i < r->nr_rows; i++)
		pb_csv_row(p.f, r, order[i], NULL, NULL);
	free(order);
	return pb_pending_commit(&p, err, errlen);
}

/* ---- meta.json -------------------------------------------------------------- */

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon || strncmp(line, "model name", 10))
			continue;
		colon += 2;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* Google Benchmark records its build type only in its JSON: read it back. */
static void gb_build_type(const char *json, char *buf, size_t len)
{
	static const char key[] = "\"library_build_type\": \"";
	FILE *f = fopen(json, "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

		if (p) {
			p += sizeof(key) - 1;
			p[strcspn(p, "\"")] = '\0';
			snprintf(buf, len, "%s", p);
			break;
		}
	}
	fclose(f);
}

static void write_meta_run(struct pb_jw *w, const struct pb_run *r)
{
	const struct pb_run_opts *o = r->opts;
	size_t failed = 0;

	pb_jw_obj_begin(w, "run");
	pb_jw_str(w, "started_utc", r->started);
	pb_jw_str(w, "finished_utc", r->finished);
	pb_jw_int(w, "repetitions", o->reps);
	pb_jw_num(w, "min_time_s", o->min_time);
	pb_jw_bool(w, "quick", o->quick);
	pb_jw_bool(w, "oversubscribe", o->oversubscribe);
	pb_jw_str(w, "placement",
		  o->placement == PB_PLACE_SCATTER ? "scatter" : "compact");
	if (r->merged) {
		pb_jw_int(w, "benchmarks", r->merged_benchmarks);
		pb_jw_int(w, "failed_runs", r->merged_failed);
	} else {
		pb_jw_int(w, "benchmarks", (int64_t)r->nr_inst);
		for (size_t i = 0; i < r->nr_rows; i++)
			failed += r->rows[i].error;
		pb_jw_int(w, "failed_runs", (int64_t)failed);
	}
	pb_jw_arr_begin(w, "skipped");
	for (size_t i = 0; i < r->nr_skipped; i++) {
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "benchmark", r->skipped[i].name);
		pb_jw_str(w, "reason", r->skipped[i].reason);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_arr_begin(w, "backends");
	for (size_t i = 0; i < r->nr_inst; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= r->inst[j].backend == r->inst[i].backend;
		if (seen)
			continue;
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "name", r->inst[i].backend->name);
		pb_jw_str(w, "description", r->inst[i].backend->description);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_obj_end(w);
}

static void write_meta_counters(struct pb_jw *w, const struct pb_run *r)
{
	const struct pb_perf_probe *pr = &r->probe;
	char other[1024];

	pb_jw_obj_begin(w, "counters");
	pb_jw_str(w, "requested", pb_perf_request_name(r->opts->counters));
	pb_jw_str(w, "group", pr->group);
	pb_jw_str(w, "why_this_group", pr->group_reason);
	pb_jw_arr_begin(w, "events");
	for (unsigned int e = 0; e < pr->nr_events; e++) {
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "name", pr->events[e].name);
		pb_jw_str(w, "description", pr->events[e].description);
		pb_jw_bool(w, "available", pr->events[e].available);
		if (!pr->events[e].available)
			pb_jw_str(w, "reason", pr->events[e].reason);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_arr_begin(w, "unavailable");
	snprintf(other, sizeof(other), "not in the %s group used on this run: %s",
		 pr->group, pr->group_reason);
	for (unsigned int e = 0; e < pb_perf_nr_known_events(); e++) {
		const char *name = pb_perf_known_event(e);
		const char *why = other;

		for (unsigned int p = 0; p < pr->nr_events; p++) {
			if (strcmp(pr->events[p].name, name))
				continue;
			why = pr->events[p].available ? NULL : pr->events[p].reason;
		}
		if (!why)
			continue;
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "name", name);
		pb_jw_str(w, "reason", why);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_obj_end(w);
}

int pb_results_meta_open(struct pb_meta *m, const struct pb_run *r,
			 const char *json_path, char *err, size_t errlen)
{
	struct pb_jw *w = &m->w;
	struct utsname u;
	char buf[512], lib[64], api[64], host[256] = "";

	if (!pb_pending_open(&m->file, r->dir, "meta.json")) {
		snprintf(err, errlen, "%s: %s", m->file.tmp, strerror(errno));
		return -1;
	}
	pb_jw_init(w, m->file.f);
	pb_jw_obj_begin(w, NULL);
	pb_jw_str(w, "format", "poolbench-results-1");
	pb_jw_arr_begin(w, "command_line");
	for (int i = 0; i < r->argc; i++)
		pb_jw_str(w, NULL, r->argv[i]);
	pb_jw_arr_end(w);

	pb_jw_obj_begin(w, "build");
	pb_jw_str(w, "git_commit", PB_BUILD_GIT_COMMIT);
	pb_jw_bool(w, "git_dirty", PB_BUILD_GIT_DIRTY);
	pb_jw_str(w, "cc", PB_BUILD_CC_VERSION);
	pb_jw_str(w, "cflags", PB_BUILD_CFLAGS);
	pb_jw_str(w, "cxx", PB_BUILD_CXX_VERSION);
	pb_jw_str(w, "cxxflags", PB_BUILD_CXXFLAGS);
	pb_jw_str(w, "built_utc", PB_BUILD_DATE);
	pb_jw_obj_end(w);

	pb_jw_obj_begin(w, "libraries");
	pb_jw_str(w, "google_benchmark", PB_BUILD_GB_VERSION);
	pb_jw_str(w, "google_benchmark_debian", PB_BUILD_GB_DEB);
	gb_build_type(json_path, buf, sizeof(buf));
	pb_jw_str(w, "google_benchmark_build_type", buf);
	pb_topo_versions(lib, sizeof(lib), api, sizeof(api));
	pb_jw_str(w, "hwloc", lib);
	pb_jw_str(w, "hwloc_runtime_api", api);
	pb_jw_str(w, "hwloc_debian", PB_BUILD_HWLOC_DEB);
	pb_jw_str(w, "glibc", gnu_get_libc_version());
	/*
	 * The same-kind peers (allocators/peers/): the versions built
	 * against, the libraries loaded, and the EAL arguments the DPDK
	 * backends start EAL with (in every process that creates one).
	 */
	pb_jw_str(w, "dpdk", PB_BUILD_DPDK_VERSION);
	pb_jw_str(w, "dpdk_debian", PB_BUILD_DPDK_DEB);
	pb_jw_str(w, "dpdk_runtime", pb_dpdk_version());
	pb_dpdk_eal_args(buf, sizeof(buf));
	pb_jw_str(w, "dpdk_eal_args", buf);
	pb_jw_str(w, "ck", PB_BUILD_CK_VERSION);
	pb_jw_str(w, "ck_debian", PB_BUILD_CK_DEB);
	pb_jw_str(w, "glib", PB_BUILD_GLIB_VERSION);
	pb_jw_str(w, "glib_debian", PB_BUILD_GLIB_DEB);
	pb_jw_str(w, "glib_runtime", pb_gslice_glib_version());
	pb_jw_int(w, "gslice_max_chunk_bytes", (long long)pb_gslice_max_chunk_size());
	pb_jw_obj_end(w);

	pb_jw_obj_begin(w, "machine");
	gethostname(host, sizeof(host) - 1);
	pb_jw_str(w, "host", host);
	if (!uname(&u)) {
		pb_jw_str(w, "kernel", u.release);
		pb_jw_str(w, "kernel_version", u.version);
		pb_jw_str(w, "arch", u.machine);
	}
	cpu_model(buf, sizeof(buf));
	pb_jw_str(w, "cpu_model", buf);
	pb_jw_int(w, "online_cpus", sysconf(_SC_NPROCESSORS_ONLN));
	pb_jw_int(w, "allowed_pus", pb_topo_nr_pus(r->topo));
	pb_topo_summary(r->topo, buf, sizeof(buf));
	pb_jw_str(w, "topology", buf);
	pb_jw_obj_end(w);

	write_meta_counters(w, r);
	pb_meta_probes(w, r);
	write_meta_run(w, r);
	pb_noise_meta(w, &r->noise);
	return 0;
}

int pb_results_meta_close(struct pb_meta *m, char *err, size_t errlen)
{
	pb_jw_obj_end(&m->w);
	return pb_pending_commit(&m->file, err, errlen);
}

int pb_results_write(struct pb_run *r, char *err, size_t errlen)
{
	char json_tmp[4200], json[4200];

	snprintf(json_tmp, sizeof(json_tmp), "%s/.bench.json.tmp", r->dir);
	snprintf(json, sizeof(json), "%s/bench.json", r->dir);

	struct pb_meta m;

	if (pb_results_meta_open(&m, r, json_tmp, err, errlen) ||
	    pb_results_meta_close(&m, err, errlen) ||
	    write_csv(r, err, errlen))
		return -1;
	remove_partial(r);
	if (rename(json_tmp, json)) {
		snprintf(err, errlen, "%s: %s", json, strerror(errno));
		return -1;
	}
	return pb_results_write_topology(r, err, errlen);
}

int pb_results_write_topology(const struct pb_run *r, char *err, size_t errlen)
{
	char xml_tmp[4200], xml[4200];

	snprintf(xml_tmp, sizeof(xml_tmp), "%s/.topology.xml.tmp", r->dir);
	snprintf(xml, sizeof(xml), "%s/topology.xml", r->dir);
	if (pb_topo_export_xml(r->topo, xml_tmp, err, errlen))
		return -1;
	if (rename(xml_tmp, xml)) {
		snprintf(err, errlen, "%s: %s", xml, strerror(errno));
		return -1;
	}
	return 0;
}

void pb_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
