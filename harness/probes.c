// SPDX-License-Identifier: GPL-2.0-only
/*
 * probes.c - the memory probe and the latency pass of a run (probes.h).
 *
 * Memory. Thread 0 gives back what malloc keeps of earlier runs (freed,
 * still resident), resets the process's peak RSS (writing 5 to
 * /proc/self/clear_refs: VmHWM restarts from the RSS now) and reads the
 * RSS (/proc/self/statm) before the pool is created: the base, with the
 * workers' scratch rings and histograms already allocated and written.
 * After the timed batch and its statistics, every worker takes a new
 * ctx and holds the workload's live set again (the kernel's n objects
 * per thread: 1 for fastpath-reuse, the ring for ring-cleanup, ...) with
 * plain allocs, untimed; thread 0 then reads the RSS and the backend's
 * free objects (its `cached` and `reserve_level` statistics). The million
 * workload reads its RSS and those statistics inside its own untimed
 * peak, between its alloc and free phases, with all its objects live
 * (workloads/million.c).
 *
 * Latency (--latency, a run of its own): the batch is the kernel's
 * latency twin (workloads/kernels.h), each alloc and free between two
 * readings of the latency clock, recorded per thread in a log-linear
 * histogram of ticks (harness/hist.h). The threads' histograms are
 * merged; the percentiles have the probe's own cost, measured once per
 * process (harness/latclock.c), subtracted and are converted to ns. The
 * merged histograms of every run are kept, numbered, until the rows of
 * the instance are reported: a run row names its run's number (lat_seq)
 * and latency.csv gets the histograms of the reported runs, summed.
 *
 * Called by bench.c (the steps), results.c and merge.c (latency.csv).
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/probes.h"
#include "harness/results.h"

static struct pb_lat_clock lat_clock;
static bool lat_clock_ok;
static char lat_why[200];
static long lat_seq_next;

/* A run's merged histograms, kept until its instance's rows are written. */
struct lat_kept {
	const struct pb_instance *in;
	long seq;
	struct pb_hist *hist[PB_LAT_NR_OPS];
	struct lat_kept *next;
};
static struct lat_kept *lat_kept;

static const char *const lat_op_names[PB_LAT_NR_OPS] = { "alloc", "free" };

static struct lat_kept *lat_merge(struct pb_instance *in);

int pb_probes_init(struct pb_run *r, char *err, size_t errlen)
{
	bool any = false;

	r->peak_resets = pb_mem_peak_resets(r->peak_note, sizeof(r->peak_note));
	for (size_t i = 0; i < r->nr_inst; i++)
		any |= r->inst[i].latency;
	if (!any)
		return 0;
	if (!lat_clock_ok) {
		if (pb_lat_calibrate(&lat_clock, lat_why, sizeof(lat_why))) {
			snprintf(err, errlen, "the latency clock: %s", lat_why);
			return -1;
		}
		lat_clock_ok = true;
	}
	r->lat_clock = lat_clock;
	snprintf(r->lat_clock_why, sizeof(r->lat_clock_why), "%s", lat_why);
	r->lat_clock_ok = true;
	return 0;
}

/* ---- memory ------------------------------------------------------------ */

/*
 * Restart the process's peak RSS from its RSS now: write 5 to
 * /proc/self/clear_refs (Linux 4.0+). Return: 0, or -1 (the peak is then
 * the process's since it started).
 */
static int reset_peak_rss(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs("5", f) < 0;
	rc |= fclose(f) != 0;
	return rc ? -1 : 0;
}

/* The process's peak RSS (VmHWM, KiB). Return: 0, or -1. */
static int peak_rss_kib(double *kib)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lf kB", kib) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

/*
 * Give back what the process's malloc keeps of earlier runs (freed but
 * resident), so that the base is low and the growth is this run's: glibc's
 * malloc_trim, or a preloaded peer's own purge (found by name, never
 * linked: jemalloc's mallctl, tcmalloc's MallocExtension_ReleaseFreeMemory,
 * mimalloc's mi_collect).
 */
static void release_retained(void)
{
	int (*mallctl)(const char *, void *, size_t *, void *, size_t) =
		(int (*)(const char *, void *, size_t *, void *, size_t))
		dlsym(RTLD_DEFAULT, "mallctl");
	void (*tc_release)(void) =
		(void (*)(void))dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory");
	void (*mi_collect)(bool) =
		(void (*)(bool))dlsym(RTLD_DEFAULT, "mi_collect");

	malloc_trim(0);
	if (mallctl)
		mallctl("arena.4096.purge", NULL, NULL, NULL, 0);	/* all arenas */
	if (tc_release)
		tc_release();
	if (mi_collect)
		mi_collect(true);
}

bool pb_mem_peak_resets(char *why, size_t len)
{
	if (!reset_peak_rss())
		return true;
	snprintf(why, len, "/proc/self/clear_refs: %s: rss_peak_kib is the "
		 "process's peak since it started", strerror(errno));
	return false;
}

void pb_mem_before_create(struct pb_instance *in)
{
	memset(&in->mem, 0, sizeof(in->mem));
	in->mem.cached = NAN;
	in->mem.live = NAN;
	release_retained();
	reset_peak_rss();
	in->mem.ok = !pb_rss_kib(&in->mem.base_kib);
}

/* The workload's live set of one thread: what its kernel holds at most. */
static size_t live_per_thread(const struct pb_instance *in)
{
	return in->point.n;
}

int pb_probes_thread_prepare(struct pb_instance *in, unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];

	if (!in->latency)
		return 0;
	for (int op = 0; op < PB_LAT_NR_OPS; op++) {
		if (!r->lat[op])
			r->lat[op] = malloc(sizeof(*r->lat[op]));
		if (!r->lat[op]) {
			snprintf(r->error, sizeof(r->error),
				 "thread %u: out of memory", ti);
			return -1;
		}
		/* Every page written now: none faults inside the pass. */
		pb_hist_init(r->lat[op]);
	}
	r->args.lat_alloc = r->lat[0];
	r->args.lat_free = r->lat[1];
	return 0;
}

void pb_probes_thread_release(struct pb_instance *in, unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];

	for (int op = 0; op < PB_LAT_NR_OPS; op++) {
		free(r->lat[op]);
		r->lat[op] = NULL;
	}
}

void *pb_probes_thread_start(struct pb_instance *in, unsigned int ti)
{
	struct pb_thread_result *r = &in->tr[ti];
	size_t n = live_per_thread(in);
	void *ctx;

	r->held = 0;
	/* million reads its own, with every object live (pb_million_peak). */
	if (!r->ran || !in->pool || in->workload->times_phases)
		return NULL;
	ctx = in->backend->thread_init(in->pool, in->slots[ti]);
	if (!ctx)
		return NULL;
	while (r->held < n) {
		void *p = in->backend->alloc(ctx);

		if (!p)
			break;	/* a fixed pool may hold less: count what it gave */
		r->args.ring[r->held++] = p;
	}
	return ctx;
}

void pb_mem_read_live(struct pb_instance *in)
{
	struct pb_stats s = { 0 };
	double live = 0;

	if (!in->mem.ok || !in->pool)
		return;
	if (in->workload->times_phases) {
		const struct pb_kernel_out *o = &in->tr[0].out;

		if (!o->peak_rss_ok || !in->tr[0].ran) {
			in->mem.ok = false;
			return;
		}
		in->mem.live_kib = o->peak_rss_kib;
		in->mem.live = (double)o->peak_live;
		if (o->peak_cached_ok)
			in->mem.cached = (double)o->peak_cached;
	} else {
		for (unsigned int t = 0; t < in->threads; t++) {
			if (!in->tr[t].ran) {
				in->mem.ok = false;
				return;
			}
			live += (double)in->tr[t].held;
		}
		if (pb_rss_kib(&in->mem.live_kib)) {
			in->mem.ok = false;
			return;
		}
		in->mem.live = live;
		in->backend->stats(in->pool, &s);
		if (pb_stats_has(&s, PB_STAT_cached) ||
		    pb_stats_has(&s, PB_STAT_reserve_level))
			in->mem.cached = (double)(s.v[PB_STAT_cached] +
						  s.v[PB_STAT_reserve_level]);
	}
}

void pb_probes_thread_end(struct pb_instance *in, unsigned int ti, void *ctx)
{
	struct pb_thread_result *r = &in->tr[ti];

	if (!ctx)
		return;
	while (r->held)
		in->backend->free(ctx, r->args.ring[--r->held]);
	in->backend->thread_fini(in->pool, ctx);
}

/* ---- latency ------------------------------------------------------------ */

/* Ticks (probe included) to ns with the probe's cost taken off, >= 0. */
static double lat_ns(uint64_t ticks)
{
	double t = (double)ticks - (double)lat_clock.probe_median;

	return t > 0 ? pb_lat_ticks_to_ns(&lat_clock, t) : 0.0;
}

void pb_lat_collect(struct pb_instance *in)
{
	in->lat.ran = false;
	in->lat.kept = NULL;
	if (!in->latency || !lat_clock_ok)
		return;
	for (unsigned int t = 0; t < in->threads; t++)
		if (!in->tr[t].ran)
			return;
	in->lat.kept = lat_merge(in);
	in->lat.ran = in->lat.kept != NULL;
}

/* Merge the threads' histograms of this run and keep them, numbered. */
static struct lat_kept *lat_merge(struct pb_instance *in)
{
	struct lat_kept *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	for (int op = 0; op < PB_LAT_NR_OPS; op++) {
		k->hist[op] = malloc(sizeof(*k->hist[op]));
		if (!k->hist[op]) {
			for (int o = 0; o < op; o++)
				free(k->hist[o]);
			free(k);
			return NULL;
		}
		pb_hist_init(k->hist[op]);
		for (unsigned int t = 0; t < in->threads; t++)
			pb_hist_merge(k->hist[op], in->tr[t].lat[op]);
	}
	k->in = in;
	k->seq = lat_seq_next++;
	k->next = lat_kept;
	lat_kept = k;
	return k;
}

void pb_probes_set_counters(struct pb_gb_state *st, struct pb_instance *in)
{
	static const double pcts[] = {
#define PB_LAT_PCT_VALUE(name, p) p,
		PB_LAT_PCTS(PB_LAT_PCT_VALUE)
#undef PB_LAT_PCT_VALUE
	};
	static const char *const pct_names[] = {
#define PB_LAT_PCT_NAME(name, p) #name,
		PB_LAT_PCTS(PB_LAT_PCT_NAME)
#undef PB_LAT_PCT_NAME
	};
	const struct pb_mem_probe *m = &in->mem;
	double peak;

	if (m->ok && m->live > 0) {
		pb_gb_set_counter(st, PB_CNT_MEM_PREFIX "rss_base_kib", m->base_kib);
		pb_gb_set_counter(st, PB_CNT_MEM_PREFIX "rss_live_kib", m->live_kib);
		pb_gb_set_counter(st, PB_CNT_MEM_PREFIX "live_objs", m->live);
		pb_gb_set_counter(st, PB_CNT_MEM_PREFIX "bytes_per_live_obj",
				  (m->live_kib - m->base_kib) * 1024.0 / m->live);
		if (isfinite(m->cached))
			pb_gb_set_counter(st, PB_CNT_MEM_PREFIX "cached_objs",
					  m->cached);
	}
	/*
	 * Not getrusage's ru_maxrss: it keeps the peak of every thread that
	 * exited (Google Benchmark's, of earlier runs), which no reset clears.
	 */
	if (!peak_rss_kib(&peak))
		pb_gb_set_counter(st, PB_CNT_MEM_PREFIX "rss_peak_kib", peak);

	if (in->latency && in->lat.ran) {
		const struct lat_kept *k = in->lat.kept;

		pb_gb_set_counter(st, PB_CNT_LAT_SEQ, (double)k->seq);
		pb_gb_set_counter(st, PB_CNT_LAT_PROBE,
				  pb_lat_ticks_to_ns(&lat_clock,
						     (double)lat_clock.probe_median));
		for (int op = 0; op < PB_LAT_NR_OPS; op++) {
			if (!k->hist[op]->count)
				continue;	/* remote-free: one side each */
			for (int p = 0; p < PB_LAT_NR_PCTS; p++) {
				char name[64];

				snprintf(name, sizeof(name), PB_CNT_LAT_PREFIX "%s_%s_ns",
					 lat_op_names[op], pct_names[p]);
				pb_gb_set_counter(st, name,
						  lat_ns(pb_hist_value_at(k->hist[op],
									  pcts[p])));
			}
		}
	}
}

bool pb_probes_row_counter(struct pb_row *row, const char *name, double v)
{
	static const char *const mem_names[] = {
#define PB_MEM_NAME(name, desc) #name,
		PB_MEM_LIST(PB_MEM_NAME)
#undef PB_MEM_NAME
	};
	static const char *const pct_names[] = {
#define PB_LAT_PCT_NAME(name, p) #name,
		PB_LAT_PCTS(PB_LAT_PCT_NAME)
#undef PB_LAT_PCT_NAME
	};
	size_t lm = strlen(PB_CNT_MEM_PREFIX), ll = strlen(PB_CNT_LAT_PREFIX);

	if (!strncmp(name, PB_CNT_MEM_PREFIX, lm)) {
		for (int c = 0; c < PB_MEM__COUNT; c++)
			if (!strcmp(name + lm, mem_names[c]))
				row->mem[c] = v;
		return true;
	}
	if (!strcmp(name, PB_CNT_LAT_SEQ)) {
		row->lat_seq = (long)v;
		return true;
	}
	if (!strcmp(name, PB_CNT_LAT_PROBE)) {
		row->lat_probe_ns = v;
		return true;
	}
	if (!strncmp(name, PB_CNT_LAT_PREFIX, ll)) {
		for (int op = 0; op < PB_LAT_NR_OPS; op++)
			for (int p = 0; p < PB_LAT_NR_PCTS; p++) {
				char c[64];

				snprintf(c, sizeof(c), "%s_%s_ns", lat_op_names[op],
					 pct_names[p]);
				if (!strcmp(name + ll, c))
					row->lat[op * PB_LAT_NR_PCTS + p] = v;
			}
		return true;
	}
	return false;
}

/* ---- latency.csv --------------------------------------------------------- */

/*
 * latency.csv's buckets, in ns with the probe's cost taken off: [0, 1),
 * then 32 per power of two (about 2% wide), the same in every process so
 * that the histograms of a benchmark's repetitions add up bucket by bucket
 * (merge.c). The histograms' own buckets are finer (harness/hist.h); each
 * lands in the one that holds its middle.
 */
#define LAT_CSV_SUB 32

static long lat_csv_bucket(double ns)
{
	int e;
	double m;

	if (ns < 1.0)
		return 0;
	m = frexp(ns, &e);	/* ns = m * 2^e, m in [0.5, 1) */
	return 1 + (long)(e - 1) * LAT_CSV_SUB +
	       (long)((2.0 * m - 1.0) * LAT_CSV_SUB);
}

static void lat_csv_bounds(long b, double *low, double *high)
{
	long e = (b - 1) / LAT_CSV_SUB, i = (b - 1) % LAT_CSV_SUB;

	if (b == 0) {
		*low = 0;
		*high = 1;
		return;
	}
	*low = ldexp(1.0 + (double)i / LAT_CSV_SUB, (int)e);
	*high = ldexp(1.0 + (double)(i + 1) / LAT_CSV_SUB, (int)e);
}

void pb_lat_csv_header(FILE *f)
{
	fputs("machine,", f);
	pb_csv_point_header(f, false);
	fputs(",op,low_ns,high_ns,samples\n", f);
}

/* Append @h's buckets to @f, as latency.csv's lines of @in's @op. */
static void lat_csv_hist(FILE *f, const struct pb_run *r,
			 const struct pb_instance *in, const char *label,
			 int op, const struct pb_hist *h)
{
	long last = -1;
	uint64_t count = 0;

	for (size_t i = 0; i <= pb_hist_nr_buckets(); i++) {
		long b = -1;

		if (i < pb_hist_nr_buckets()) {
			if (!h->bucket[i])
				continue;
			b = lat_csv_bucket(lat_ns((pb_hist_bucket_low(i) +
						   pb_hist_bucket_high(i)) / 2));
		}
		if (b != last && last >= 0 && count) {
			double lo, hi;

			lat_csv_bounds(last, &lo, &hi);
			fprintf(f, "%s,", pb_csv_machine(r, NULL));
			pb_csv_point(f, r, in, label, false);
			fprintf(f, ",%s,%.9g,%.9g,%" PRIu64 "\n", lat_op_names[op],
				lo, hi, count);
			count = 0;
		}
		if (b < 0)
			break;
		last = b;
		count += h->bucket[i];
	}
	if (h->overflow) {
		fprintf(f, "%s,", pb_csv_machine(r, NULL));
		pb_csv_point(f, r, in, label, false);
		fprintf(f, ",%s,%.9g,inf,%" PRIu64 "\n", lat_op_names[op],
			lat_ns(pb_hist_bucket_high(pb_hist_nr_buckets() - 1)),
			h->overflow);
	}
}

int pb_lat_write_instance(const struct pb_run *r, const struct pb_instance *in,
			  const char *label, char *err, size_t errlen)
{
	struct pb_hist *sum[PB_LAT_NR_OPS] = { NULL };
	struct lat_kept **pk = &lat_kept;
	bool any = false;
	int rc = 0;

	for (int op = 0; op < PB_LAT_NR_OPS; op++) {
		sum[op] = malloc(sizeof(*sum[op]));
		if (!sum[op]) {
			snprintf(err, errlen, "latency.csv: out of memory");
			rc = -1;
			goto out;
		}
		pb_hist_init(sum[op]);
	}
	/* The runs that rows report (not Google Benchmark's trial runs). */
	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct pb_row *row = &r->rows[i];

		if (row->in != in || row->lat_seq < 0 ||
		    strcmp(row->statistic, "run"))
			continue;
		for (struct lat_kept *k = lat_kept; k; k = k->next)
			if (k->in == in && k->seq == row->lat_seq) {
				for (int op = 0; op < PB_LAT_NR_OPS; op++)
					pb_hist_merge(sum[op], k->hist[op]);
				any = true;
			}
	}
	if (any) {
		char path[4200];
		bool fresh;
		FILE *f;

		snprintf(path, sizeof(path), "%.4090s/latency.csv", r->dir);
		fresh = access(path, F_OK) != 0;
		f = fopen(path, "a");
		if (!f) {
			snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
			rc = -1;
			goto out;
		}
		if (fresh)
			pb_lat_csv_header(f);
		for (int op = 0; op < PB_LAT_NR_OPS; op++)
			if (sum[op]->count)
				lat_csv_hist(f, r, in, label, op, sum[op]);
		if (fclose(f)) {
			snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
			rc = -1;
		}
	}
out:
	/* Forget every run of @in, reported or not. */
	while (*pk) {
		struct lat_kept *k = *pk;

		if (k->in != in) {
			pk = &k->next;
			continue;
		}
		*pk = k->next;
		for (int op = 0; op < PB_LAT_NR_OPS; op++)
			free(k->hist[op]);
		free(k);
	}
	for (int op = 0; op < PB_LAT_NR_OPS; op++)
		free(sum[op]);
	return rc;
}
