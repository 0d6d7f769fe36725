/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * perfev.h - per-thread perf_event counter groups.
 *
 * Once per process pb_perf_probe() picks a counter group by opening it on
 * the calling thread, enabling it for a moment and reading it back:
 *   hardware  cycles, instructions, cache_misses, branch_misses
 *             (PERF_TYPE_HARDWARE; needs a PMU, which many VMs lack);
 *   software  task_clock_ns, page_faults, context_switches, cpu_migrations
 *             (PERF_TYPE_SOFTWARE; the fallback);
 *   none      perf_event_open refused, or --counters off.
 * Then every worker thread opens its own group (pid 0, cpu -1: the calling
 * thread on whatever CPU it runs), brackets its timed loop with
 * pb_perf_thread_start() and pb_perf_thread_stop() (two and one ioctls, no
 * allocation) and reads the group with one read().
 *
 * A value that was not counted is reported as such (counted false, value
 * NAN), never as 0: an event that did not open, a group never scheduled on
 * the PMU (time_running 0), a failed ioctl or read. Values of a group that
 * was multiplexed are scaled by time_enabled / time_running and flagged.
 *
 * Events are counted in user space only (exclude_kernel, exclude_hv, as
 * perf_event_paranoid >= 2 requires) except context_switches and
 * cpu_migrations: both happen in the kernel, so user-only counting reads 0
 * whatever happens. They are opened with the kernel included and are
 * unavailable, with the reason, where that is refused. task_clock_ns is
 * CPU time, kernel time included, whatever the exclude bits say.
 *
 * Limits: PERF_TYPE_HARDWARE events open on one PMU only; on hybrid CPUs
 * they count while the thread runs on that core type, and show up as
 * scaled values with a running fraction below 1.
 *
 * Concurrency: pb_perf_probe() runs once, before the workers; a probe is
 * then only read. A struct pb_perf_thread belongs to the thread that opened
 * it: the counters follow that thread, so it must also start, stop and read
 * them.
 */
#ifndef PB_HARNESS_PERFEV_H
#define PB_HARNESS_PERFEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Events of a probe: one group (at most 4), or every known event for "none". */
#define PB_PERF_MAX_EVENTS 8
#define PB_PERF_REASON_LEN 256

enum pb_perf_request { PB_PERF_AUTO, PB_PERF_HW, PB_PERF_SW, PB_PERF_OFF };

enum pb_perf_group { PB_PERF_GROUP_NONE, PB_PERF_GROUP_HW, PB_PERF_GROUP_SW };

/*
 * One event of a probe. @known indexes pb_perf_known_event(). Exactly the
 * unavailable events have a non-empty @reason: the errno text and what was
 * tried, e.g. "perf_event_open(PERF_COUNT_HW_CPU_CYCLES, user only, group
 * leader): No such file or directory (no hardware PMU)".
 */
struct pb_perf_event_info {
	const char *name;		/* stable column name, e.g. "task_clock_ns" */
	const char *description;	/* unit and what is counted */
	unsigned int known;
	bool user_only;			/* opened with exclude_kernel */
	bool available;
	char reason[PB_PERF_REASON_LEN];
};

/*
 * The counter group of a process. @group is "hardware", "software" or
 * "none"; @group_reason says why, and when the hardware group was tried and
 * not used, why not. With "none" @events holds every known event, all
 * unavailable.
 */
struct pb_perf_probe {
	enum pb_perf_request requested;
	enum pb_perf_group kind;
	const char *group;
	char group_reason[3 * PB_PERF_REASON_LEN];
	unsigned int nr_events;
	struct pb_perf_event_info events[PB_PERF_MAX_EVENTS];
};

/*
 * A thread's open group: @fd[e] and @id[e] for probe event e, @fd[0] the
 * leader. @fd[e] is -1 when e is not open in this thread, with @reason[e].
 */
struct pb_perf_thread {
	const struct pb_perf_probe *probe;
	int fd[PB_PERF_MAX_EVENTS];
	uint64_t id[PB_PERF_MAX_EVENTS];
	int ioctl_err;			/* errno of a failed start/stop ioctl */
	char reason[PB_PERF_MAX_EVENTS][PB_PERF_REASON_LEN];
};

/*
 * One reading, by probe event index. @value[e] is NAN unless @counted[e].
 * @running_fraction is time_running / time_enabled: 1 when the group ran
 * all the time it was enabled, 0 when it never ran (nothing counted), NAN
 * without a group. @scaled: the values were scaled up by its inverse.
 */
struct pb_perf_values {
	double value[PB_PERF_MAX_EVENTS];
	bool counted[PB_PERF_MAX_EVENTS];
	bool scaled;
	double running_fraction;
	uint64_t time_enabled_ns, time_running_ns;
};

/**
 * pb_perf_request_parse() - parse a --counters choice.
 * @s: "auto", "hw", "sw" or "off".
 * @out: the request; left alone on error.
 *
 * Return: 0, or -1 when @s is NULL or none of the choices.
 */
int pb_perf_request_parse(const char *s, enum pb_perf_request *out);

/**
 * pb_perf_request_name() - the choice string of a request.
 * @req: the request.
 *
 * Return: "auto", "hw", "sw" or "off"; "?" for a value out of range.
 */
const char *pb_perf_request_name(enum pb_perf_request req);

/**
 * pb_perf_nr_known_events() - number of events any group may hold.
 *
 * Return: the number of known events (the hardware ones, then the software
 * ones).
 */
unsigned int pb_perf_nr_known_events(void);

/**
 * pb_perf_known_event() - stable column name of a known event.
 * @i: index below pb_perf_nr_known_events().
 *
 * Return: the name, e.g. "cycles" or "page_faults"; NULL when @i is out of
 * range.
 */
const char *pb_perf_known_event(unsigned int i);

/**
 * pb_perf_probe() - choose the counter group of this process.
 * @req: PB_PERF_AUTO (hardware, else software, else none), PB_PERF_HW,
 *	 PB_PERF_SW or PB_PERF_OFF (none, "disabled (--counters off)").
 * @out: the choice, filled in whatever the outcome.
 *
 * Opens the group on the calling thread, counts a short loop with it and
 * closes it: a group that opens but is never scheduled is not usable.
 * A member event that fails is marked unavailable; the group is usable
 * when its leader (cycles or task_clock_ns) counts.
 *
 * Return: 0; -1 when PB_PERF_HW or PB_PERF_SW was asked for and that group
 * is not usable: @out is then group "none" and @out->group_reason says why.
 */
int pb_perf_probe(enum pb_perf_request req, struct pb_perf_probe *out);

/**
 * pb_perf_thread_open() - open the probe's group for the calling thread.
 * @probe: from pb_perf_probe(); must outlive @t.
 * @t: the thread's group, disabled until pb_perf_thread_start().
 *
 * A member that fails here is left out of this thread, with its reason in
 * @t->reason; the others still count. With group "none" nothing is opened.
 *
 * Return: 0, or -1 when the leader failed (nothing is open; @t->reason[0]
 * says why). Either way @t may be passed to the other pb_perf_thread_*().
 */
int pb_perf_thread_open(const struct pb_perf_probe *probe,
			struct pb_perf_thread *t);

/**
 * pb_perf_thread_start() - zero and enable the group.
 * @t: the calling thread's group.
 *
 * Two ioctls on the leader; a failure marks this run's reading not counted.
 */
void pb_perf_thread_start(struct pb_perf_thread *t);

/**
 * pb_perf_thread_stop() - disable the group.
 * @t: the calling thread's group.
 *
 * One ioctl on the leader; a failure marks the next reading not counted.
 */
void pb_perf_thread_stop(struct pb_perf_thread *t);

/**
 * pb_perf_thread_read() - read the group once.
 * @t: the calling thread's group, stopped.
 * @out: the values, by probe event index.
 *
 * Return: 0 when the group was read, or when there is no group ("none",
 * nothing counted); -1 with errno when the group is not open (EBADF), a
 * start/stop ioctl failed (its errno), the read failed or returned no
 * complete reading (EPROTO): nothing is counted then.
 */
int pb_perf_thread_read(struct pb_perf_thread *t, struct pb_perf_values *out);

/**
 * pb_perf_decode() - map a PERF_FORMAT_GROUP reading onto a thread's events.
 * @t: the group the reading came from (its @fd marks the open events, its
 *     @id maps values back to them).
 * @words: the reading: nr, time_enabled, time_running, then nr pairs of
 *	   value and id.
 * @nr_words: number of 64-bit words in @words.
 * @out: the values, scaled when time_running < time_enabled.
 *
 * Return: 0, or -1 when @words is not a complete reading (nothing counted).
 */
int pb_perf_decode(const struct pb_perf_thread *t, const uint64_t *words,
		   size_t nr_words, struct pb_perf_values *out);

/**
 * pb_perf_thread_close() - close the group's descriptors.
 * @t: the group; closing twice is harmless.
 */
void pb_perf_thread_close(struct pb_perf_thread *t);

#endif /* PB_HARNESS_PERFEV_H */
