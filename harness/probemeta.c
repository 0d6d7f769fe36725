// SPDX-License-Identifier: GPL-2.0-only
/*
 * probemeta.c - meta.json's "memory" and "latency" objects (probemeta.h).
 *
 * What a reader needs to trust the probes' columns (docs/results-format.md
 * explains each column): where each reading comes from, what was done
 * before the base reading, whether the peak is one run's, and, for every
 * column that can be empty, when it is. A latency run adds its clock: the
 * source, the rate, the probe's cost that every percentile has taken off.
 *
 * Called by results.c; calls jsonw.c.
 */
#include <stdio.h>

#include "harness/probemeta.h"

/* Columns and when they are empty: the rule, the same for every run. */
struct empty_rule {
	const char *columns, *when;
};

static const struct empty_rule mem_empty[] = {
	{ "rss_base_kib,rss_live_kib,live_objs,bytes_per_live_obj",
	  "the row failed (its error column says why), or a million round "
	  "stopped before its peak" },
	{ "cached_objs",
	  "the backend reports no count of the free objects it holds (neither "
	  "its cached nor its reserve_level statistic): the general allocators "
	  "(malloc and its peers), GLib's slices, the percpu allocators, the "
	  "null backend" },
	{ "rss_peak_kib", "/proc/self/status has no VmHWM" },
	{ "every memory column, in a cv row",
	  "the column's mean over the repetitions is 0 (cv = stddev / mean "
	  "has no value): no resident growth, or nothing cached" },
};

/* Readings that are there but say less than they seem to. */
static const struct {
	const char *text;
} mem_caveats[] = {
	{ "the DPDK backends take their objects from the memory DPDK's EAL "
	  "reserved when it started, before any base reading: their growth is "
	  "near 0 (read their metadata_bytes instead)" },
	{ "GLib's slices keep their slabs resident for the process, out of "
	  "malloc_trim's reach: only the first run of a gslice group in a "
	  "process shows its growth" },
	{ "the RSS moves in pages: with few objects live, bytes_per_live_obj is "
	  "0 or a page over live_objs" },
};

static const struct empty_rule lat_empty[] = {
	{ "alloc_*_ns,free_*_ns,lat_probe_ns",
	  "not a latency run (poolbench run --latency), or the row failed" },
	{ "ns_per_op,ops_per_sec,efficiency",
	  "a latency run: its batch has a clock reading around every "
	  "operation, so its time per pair is not the allocator's" },
};

/* An "empty" array: each rule's columns and when. */
static void write_empty(struct pb_jw *w, const struct empty_rule *rules,
			size_t n)
{
	pb_jw_arr_begin(w, "empty");
	for (size_t i = 0; i < n; i++) {
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "columns", rules[i].columns);
		pb_jw_str(w, "when", rules[i].when);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
}

void pb_meta_probes(struct pb_jw *w, const struct pb_run *r)
{
	const struct pb_lat_clock *c = &r->lat_clock;

	pb_jw_obj_begin(w, "memory");
	pb_jw_str(w, "rss", "/proc/self/smaps_rollup Rss (counted page by page "
		  "when read); /proc/self/statm where it is missing");
	pb_jw_str(w, "before_base", "malloc_trim(0), and a preloaded peer's own "
		  "purge (jemalloc arena purge, tcmalloc ReleaseFreeMemory, "
		  "mimalloc mi_collect): no run starts on pages an earlier one "
		  "freed");
	pb_jw_str(w, "live", "each thread holds the kernel's n objects again "
		  "after the timed batch, untimed (million: read at its own "
		  "peak, every object live)");
	pb_jw_str(w, "peak", "VmHWM of /proc/self/status, from the kernel's "
		  "per-CPU RSS counters: it may read a few hundred KiB below an "
		  "exact reading");
	pb_jw_bool(w, "peak_per_run", r->peak_resets);
	if (!r->peak_resets)
		pb_jw_str(w, "peak_note", r->peak_note);
	write_empty(w, mem_empty, sizeof(mem_empty) / sizeof(mem_empty[0]));
	pb_jw_arr_begin(w, "caveats");
	for (size_t i = 0; i < sizeof(mem_caveats) / sizeof(mem_caveats[0]); i++)
		pb_jw_str(w, NULL, mem_caveats[i].text);
	pb_jw_arr_end(w);
	pb_jw_obj_end(w);

	pb_jw_obj_begin(w, "latency");
	pb_jw_bool(w, "latency_run", r->opts->latency);
	if (r->lat_clock_ok) {
		pb_jw_str(w, "clock", c->source);
		pb_jw_str(w, "method", c->method);
		pb_jw_str(w, "why_not_rdtsc", r->lat_clock_why);
		pb_jw_num(w, "ticks_per_ns", c->ticks_per_ns);
		pb_jw_num(w, "probe_median_ns", (double)c->probe_median / c->ticks_per_ns);
		pb_jw_num(w, "probe_min_ns", (double)c->probe_min / c->ticks_per_ns);
		pb_jw_str(w, "subtracted", "probe_median_ns, from every sample "
			  "(a sample below it counts as 0); each row's "
			  "lat_probe_ns is its own process's");
	}
	write_empty(w, lat_empty, sizeof(lat_empty) / sizeof(lat_empty[0]));
	pb_jw_obj_end(w);
}
