// SPDX-License-Identifier: GPL-2.0-only
/*
 * noise.c - the noise report of a run (noise.h).
 *
 * Everything comes from /proc and /sys, read twice (start, end):
 *   /proc/loadavg                     the load average
 *   /proc/stat, its `cpu` line        busy, idle and stolen time of all CPUs
 *   getrusage(SELF and CHILDREN)      the CPU time of this run's processes
 *   cpufreq/scaling_governor, scaling_cur_freq of every PU
 *   /sys/devices/system/cpu/smt/active
 * Other processes' share = (busy time of all CPUs - this run's CPU time)
 * / (elapsed time x online CPUs); steal = stolen / all time of all CPUs.
 * Both are over the whole run, between the two samples.
 *
 * Called by local.c, isolate.c and results.c; calls jsonw.c only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "harness/noise.h"

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void read_governors(struct pb_noise_sample *s)
{
	char path[128], val[64];
	int cpus = (int)sysconf(_SC_NPROCESSORS_CONF);

	s->governor[0] = '\0';
	s->mhz_min = s->mhz_max = NAN;
	for (int c = 0; c < cpus && c < 4096; c++) {
		FILE *f;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c);
		f = fopen(path, "r");
		if (f) {
			if (fgets(val, sizeof(val), f)) {
				val[strcspn(val, "\n")] = '\0';
				/* Each governor once. */
				if (!strstr(s->governor, val) &&
				    strlen(s->governor) + strlen(val) + 2 <
				    sizeof(s->governor))
					snprintf(s->governor + strlen(s->governor),
						 sizeof(s->governor) - strlen(s->governor),
						 "%s%s", s->governor[0] ? "," : "", val);
			}
			fclose(f);
		}
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", c);
		f = fopen(path, "r");
		if (f) {
			double khz;

			if (fscanf(f, "%lf", &khz) == 1) {
				double mhz = khz / 1000;

				if (isnan(s->mhz_min) || mhz < s->mhz_min)
					s->mhz_min = mhz;
				if (isnan(s->mhz_max) || mhz > s->mhz_max)
					s->mhz_max = mhz;
			}
			fclose(f);
		}
	}
}

void pb_noise_sample(struct pb_noise_sample *s)
{
	struct rusage self, kids;
	struct timespec ts;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->taken = true;
	gmtime_r(&now, &tm);
	strftime(s->utc, sizeof(s->utc), "%Y-%m-%dT%H:%M:%SZ", &tm);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->mono_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	s->load[0] = s->load[1] = s->load[2] = NAN;
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &s->load[0], &s->load[1],
			   &s->load[2]) != 3)
			s->load[0] = s->load[1] = s->load[2] = NAN;
		fclose(f);
	}
	f = fopen("/proc/stat", "r");
	if (f) {
		unsigned long long *c = s->cpu;

		s->cpu_ok = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
				   &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6],
				   &c[7]) == PB_NOISE_NR_CPU_FIELDS;
		fclose(f);
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	s->own_cpu_s = tv_s(self.ru_utime) + tv_s(self.ru_stime) +
		       tv_s(kids.ru_utime) + tv_s(kids.ru_stime);
	read_governors(s);
	s->smt = -1;
	f = fopen("/sys/devices/system/cpu/smt/active", "r");
	if (f) {
		if (fscanf(f, "%d", &s->smt) != 1)
			s->smt = -1;
		fclose(f);
	}
}

/* Others' CPU and steal in % of all CPUs' time between the samples. */
static void shares(const struct pb_noise *n, double *others, double *steal)
{
	const unsigned long long *a = n->start.cpu, *b = n->end.cpu;
	double hz = (double)sysconf(_SC_CLK_TCK), all = 0, busy, own;
	double elapsed = n->end.mono_s - n->start.mono_s;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*others = *steal = NAN;
	if (!n->start.cpu_ok || !n->end.cpu_ok || elapsed <= 0 || cpus < 1 ||
	    hz <= 0)
		return;
	for (int i = 0; i < PB_NOISE_NR_CPU_FIELDS; i++)
		all += (double)(b[i] - a[i]);
	if (all <= 0)
		return;
	*steal = 100 * (double)(b[7] - a[7]) / all;
	/* user, nice, system, irq, softirq: busy in this guest. */
	busy = (double)((b[0] - a[0]) + (b[1] - a[1]) + (b[2] - a[2]) +
			(b[5] - a[5]) + (b[6] - a[6])) / hz;
	own = n->end.own_cpu_s - n->start.own_cpu_s;
	*others = 100 * (busy - own) / (elapsed * (double)cpus);
	if (*others < 0)
		*others = 0;	/* jiffies are coarser than rusage */
}

/* Max over min of the probes' medians; NAN with fewer than two. */
static double drift(const struct pb_noise *n)
{
	double lo = INFINITY, hi = 0;
	int ok = 0;

	for (int i = 0; i < n->nr_probes; i++) {
		double v = n->probe[i].median_ns;

		if (!isfinite(v) || v <= 0)
			continue;
		ok++;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	return ok >= 2 ? hi / lo : NAN;
}

bool pb_noise_verdict(const struct pb_noise *n, char *buf, size_t len)
{
	double others, steal, d = drift(n);
	bool quiet = true, judged = n->end.mono_s - n->start.mono_s >=
				    PB_NOISE_MIN_SECONDS;
	size_t off;

	shares(n, &others, &steal);
	quiet &= !judged || !(others > PB_NOISE_MAX_OTHERS_PCT);
	quiet &= !(steal > PB_NOISE_MAX_STEAL_PCT);
	quiet &= !(d > PB_NOISE_MAX_DRIFT);
	off = (size_t)snprintf(buf, len, "%s: ", quiet ? "quiet" : "noisy");
	if (isfinite(others) && judged)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"other processes used %.1f%% of the CPUs "
					"(threshold %.0f%%)", others,
					PB_NOISE_MAX_OTHERS_PCT);
	else if (isfinite(others))
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"other processes used %.1f%% of the CPUs "
					"(not judged: the run took under %.0f s)",
					others, PB_NOISE_MIN_SECONDS);
	else
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"other processes' CPU unknown (/proc/stat "
					"unreadable)");
	if (isfinite(steal))
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					", steal %.1f%% (threshold %.0f%%)", steal,
					PB_NOISE_MAX_STEAL_PCT);
	if (isfinite(d))
		snprintf(buf + off, off < len ? len - off : 0,
			 ", null baseline drift %.2f (max/min of %d probes, "
			 "threshold %.2f)", d, n->nr_probes, PB_NOISE_MAX_DRIFT);
	else if (n->nr_probes)
		snprintf(buf + off, off < len ? len - off : 0,
			 ", null baseline drift unknown (fewer than two probes "
			 "ran)");
	return quiet;
}

static void sample_meta(struct pb_jw *w, const char *key,
			const struct pb_noise_sample *s)
{
	pb_jw_obj_begin(w, key);
	pb_jw_str(w, "utc", s->utc);
	pb_jw_arr_begin(w, "load_average");
	for (int i = 0; i < 3; i++)
		pb_jw_num(w, NULL, s->load[i]);
	pb_jw_arr_end(w);
	if (s->governor[0])
		pb_jw_str(w, "governor", s->governor);
	else
		pb_jw_null(w, "governor");
	pb_jw_num(w, "mhz_min", s->mhz_min);
	pb_jw_num(w, "mhz_max", s->mhz_max);
	if (s->smt >= 0)
		pb_jw_bool(w, "smt", s->smt == 1);
	else
		pb_jw_null(w, "smt");
	pb_jw_obj_end(w);
}

void pb_noise_meta(struct pb_jw *w, const struct pb_noise *n)
{
	double others, steal, d = drift(n);
	char line[512];
	bool quiet;

	if (!n->start.taken || !n->end.taken)
		return;
	quiet = pb_noise_verdict(n, line, sizeof(line));
	shares(n, &others, &steal);
	pb_jw_obj_begin(w, "noise");
	sample_meta(w, "start", &n->start);
	sample_meta(w, "end", &n->end);
	pb_jw_num(w, "seconds", n->end.mono_s - n->start.mono_s);
	pb_jw_num(w, "others_cpu_pct", others);
	pb_jw_num(w, "steal_pct", steal);
	pb_jw_arr_begin(w, "null_probes");
	for (int i = 0; i < n->nr_probes; i++) {
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "at", n->probe[i].at);
		pb_jw_num(w, "started_s", n->probe[i].started_s);
		pb_jw_num(w, "median_ns", n->probe[i].median_ns);
		if (n->probe[i].reason[0])
			pb_jw_str(w, "reason", n->probe[i].reason);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_num(w, "null_drift", d);
	pb_jw_obj_begin(w, "thresholds");
	pb_jw_num(w, "others_cpu_pct", PB_NOISE_MAX_OTHERS_PCT);
	pb_jw_num(w, "steal_pct", PB_NOISE_MAX_STEAL_PCT);
	pb_jw_num(w, "null_drift", PB_NOISE_MAX_DRIFT);
	pb_jw_num(w, "min_seconds", PB_NOISE_MIN_SECONDS);
	pb_jw_obj_end(w);
	pb_jw_str(w, "verdict", quiet ? "quiet" : "noisy");
	pb_jw_str(w, "line", line);
	pb_jw_obj_end(w);
}
