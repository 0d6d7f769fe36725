// SPDX-License-Identifier: GPL-2.0-only
/*
 * perfev.c - per-thread perf_event counter groups (see perfev.h).
 *
 * A group is its leader (the first event) and members opened with group_fd
 * set to it, so one ioctl enables them all and one read() returns them all
 * with the times the group was enabled and running. Values are matched to
 * events by ID, not by position: a member that failed to open leaves no
 * slot in the reading.
 *
 * Failures are turned into text once, where they happen (probe or open),
 * with what was tried and a hint for the usual causes; nothing on the
 * start/stop path formats or allocates.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/perfev.h"

struct event_def {
	const char *name;
	const char *description;
	const char *config_name;	/* what was tried, in the kernel's words */
	uint32_t type;
	uint64_t config;
	bool kernel_side;	/* only happens in the kernel: count it there */
};

#define PB_PERF_GROUP_SIZE 4

/* The hardware group, then the software group; each leader first. */
static const struct event_def known_events[] = {
	{ "cycles", "CPU cycles in user space",
	  "PERF_COUNT_HW_CPU_CYCLES", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_CPU_CYCLES, false },
	{ "instructions", "instructions retired in user space",
	  "PERF_COUNT_HW_INSTRUCTIONS", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_INSTRUCTIONS, false },
	{ "cache_misses",
	  "cache misses in user space, as the PMU defines them (usually the last level)",
	  "PERF_COUNT_HW_CACHE_MISSES", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_CACHE_MISSES, false },
	{ "branch_misses", "mispredicted branches in user space",
	  "PERF_COUNT_HW_BRANCH_MISSES", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_BRANCH_MISSES, false },
	{ "task_clock_ns", "time on a CPU in ns, kernel time included",
	  "PERF_COUNT_SW_TASK_CLOCK", PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_TASK_CLOCK, false },
	{ "page_faults", "page faults taken in user space",
	  "PERF_COUNT_SW_PAGE_FAULTS", PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_PAGE_FAULTS, false },
	{ "context_switches", "context switches (counted in the kernel)",
	  "PERF_COUNT_SW_CONTEXT_SWITCHES", PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CONTEXT_SWITCHES, true },
	{ "cpu_migrations", "moves to another CPU (counted in the kernel)",
	  "PERF_COUNT_SW_CPU_MIGRATIONS", PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CPU_MIGRATIONS, true },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NR_KNOWN ARRAY_SIZE(known_events)
#define HW_FIRST 0u
#define SW_FIRST 4u

_Static_assert(NR_KNOWN <= PB_PERF_MAX_EVENTS, "PB_PERF_MAX_EVENTS too small");

static const char *const request_names[] = {
	[PB_PERF_AUTO] = "auto",
	[PB_PERF_HW] = "hw",
	[PB_PERF_SW] = "sw",
	[PB_PERF_OFF] = "off",
};

static const char *const group_names[] = {
	[PB_PERF_GROUP_NONE] = "none",
	[PB_PERF_GROUP_HW] = "hardware",
	[PB_PERF_GROUP_SW] = "software",
};

int pb_perf_request_parse(const char *s, enum pb_perf_request *out)
{
	if (!s)
		return -1;
	for (unsigned int i = 0; i < ARRAY_SIZE(request_names); i++) {
		if (!strcmp(s, request_names[i])) {
			*out = (enum pb_perf_request)i;
			return 0;
		}
	}
	return -1;
}

const char *pb_perf_request_name(enum pb_perf_request req)
{
	if ((unsigned int)req >= ARRAY_SIZE(request_names))
		return "?";
	return request_names[req];
}

unsigned int pb_perf_nr_known_events(void)
{
	return NR_KNOWN;
}

const char *pb_perf_known_event(unsigned int i)
{
	return i < NR_KNOWN ? known_events[i].name : NULL;
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int level;

	if (!f)
		return -100;
	if (fscanf(f, "%d", &level) != 1)
		level = -100;
	fclose(f);
	return level;
}

/* Why perf_event_open() failed with @err, in the usual cases. */
static void failure_hint(char *buf, size_t len, const struct event_def *d,
			 bool leader, int err)
{
	bool hw = d->type == PERF_TYPE_HARDWARE;
	int level;

	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
		snprintf(buf, len, " (%s)",
			 hw ? (leader ? "no hardware PMU" :
			       "not supported by this PMU") :
			 "not supported by this kernel");
		break;
	case ENODEV:
		snprintf(buf, len, " (no PMU for this event)");
		break;
	case EACCES:
	case EPERM:
		level = paranoid_level();
		if (level == -100)
			snprintf(buf, len, " (refused: perf_event_paranoid "
				 "unreadable, or a seccomp/LSM policy)");
		else
			snprintf(buf, len, " (refused: perf_event_paranoid is %d "
				 "without CAP_PERFMON, or a seccomp/LSM policy%s)",
				 level, d->kernel_side ?
				 "; counted user-only it would always read 0" : "");
		break;
	case ENOSYS:
		snprintf(buf, len, " (perf_event_open unavailable: kernel "
			 "without CONFIG_PERF_EVENTS, or a seccomp filter)");
		break;
	case EINVAL:
		snprintf(buf, len, " (attributes rejected by this kernel)");
		break;
	case EMFILE:
	case ENFILE:
		snprintf(buf, len, " (out of file descriptors)");
		break;
	case EBUSY:
		snprintf(buf, len, " (PMU in exclusive use by someone else)");
		break;
	default:
		buf[0] = '\0';
	}
}

static void describe_open_failure(char *buf, size_t len,
				  const struct event_def *d, bool leader,
				  int err)
{
	char hint[160];

	failure_hint(hint, sizeof(hint), d, leader, err);
	snprintf(buf, len, "perf_event_open(%s, %s, group %s): %s%s",
		 d->config_name, d->kernel_side ? "user and kernel" : "user only",
		 leader ? "leader" : "member", strerror(err), hint);
}

static int open_event(const struct event_def *d, int group_fd)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = d->type;
	attr.config = d->config;
	attr.disabled = group_fd < 0;
	attr.exclude_kernel = !d->kernel_side;
	attr.exclude_hv = 1;
	attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID |
			   PERF_FORMAT_TOTAL_TIME_ENABLED |
			   PERF_FORMAT_TOTAL_TIME_RUNNING;
	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group_fd,
			    PERF_FLAG_FD_CLOEXEC);
}

static void set_not_counted(struct pb_perf_values *out)
{
	for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++) {
		out->value[e] = NAN;
		out->counted[e] = false;
	}
	out->scaled = false;
	out->running_fraction = NAN;
	out->time_enabled_ns = 0;
	out->time_running_ns = 0;
}

int pb_perf_thread_open(const struct pb_perf_probe *probe,
			struct pb_perf_thread *t)
{
	t->probe = probe;
	t->ioctl_err = 0;
	for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++) {
		t->fd[e] = -1;
		t->id[e] = 0;
		t->reason[e][0] = '\0';
	}
	for (unsigned int e = 0; e < probe->nr_events; e++) {
		const struct pb_perf_event_info *ev = &probe->events[e];
		const struct event_def *d = &known_events[ev->known];
		int fd;

		if (!ev->available) {
			memcpy(t->reason[e], ev->reason, sizeof(t->reason[e]));
			continue;
		}
		fd = open_event(d, e ? t->fd[0] : -1);
		if (fd < 0) {
			describe_open_failure(t->reason[e], sizeof(t->reason[e]),
					      d, e == 0, errno);
		} else if (ioctl(fd, PERF_EVENT_IOC_ID, &t->id[e])) {
			snprintf(t->reason[e], sizeof(t->reason[e]),
				 "ioctl(PERF_EVENT_IOC_ID): %s", strerror(errno));
			close(fd);
		} else {
			t->fd[e] = fd;
			continue;
		}
		if (e == 0) {
			for (unsigned int m = 1; m < probe->nr_events; m++)
				snprintf(t->reason[m], sizeof(t->reason[m]),
					 "group leader %s did not open",
					 ev->name);
			return -1;
		}
	}
	return 0;
}

void pb_perf_thread_start(struct pb_perf_thread *t)
{
	if (t->fd[0] < 0)
		return;
	t->ioctl_err = 0;
	if (ioctl(t->fd[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP) ||
	    ioctl(t->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP))
		t->ioctl_err = errno;
}

void pb_perf_thread_stop(struct pb_perf_thread *t)
{
	if (t->fd[0] < 0)
		return;
	if (ioctl(t->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP))
		t->ioctl_err = errno;
}

int pb_perf_decode(const struct pb_perf_thread *t, const uint64_t *words,
		   size_t nr_words, struct pb_perf_values *out)
{
	uint64_t nr, enabled, running;
	double scale;

	set_not_counted(out);
	if (nr_words < 3)
		return -1;
	nr = words[0];
	if (nr > PB_PERF_MAX_EVENTS || nr_words < 3 + 2 * nr)
		return -1;
	enabled = words[1];
	running = words[2];
	out->time_enabled_ns = enabled;
	out->time_running_ns = running;
	if (!running) {
		out->running_fraction = 0;
		return 0;
	}
	out->running_fraction = running < enabled ?
				(double)running / (double)enabled : 1.0;
	out->scaled = running < enabled;
	scale = out->scaled ? (double)enabled / (double)running : 1.0;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t value = words[3 + 2 * i], id = words[4 + 2 * i];

		for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++) {
			if (t->fd[e] >= 0 && t->id[e] == id) {
				out->value[e] = (double)value * scale;
				out->counted[e] = true;
				break;
			}
		}
	}
	return 0;
}

int pb_perf_thread_read(struct pb_perf_thread *t, struct pb_perf_values *out)
{
	uint64_t words[3 + 2 * PB_PERF_MAX_EVENTS];
	ssize_t n;

	set_not_counted(out);
	if (t->probe->kind == PB_PERF_GROUP_NONE)
		return 0;
	if (t->fd[0] < 0) {
		errno = EBADF;
		return -1;
	}
	if (t->ioctl_err) {
		errno = t->ioctl_err;
		return -1;
	}
	n = read(t->fd[0], words, sizeof(words));
	if (n < 0)
		return -1;
	if (pb_perf_decode(t, words, (size_t)n / sizeof(words[0]), out)) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

void pb_perf_thread_close(struct pb_perf_thread *t)
{
	/* Members first: closing the leader first would promote them. */
	for (unsigned int e = PB_PERF_MAX_EVENTS; e-- > 0;) {
		if (t->fd[e] >= 0)
			close(t->fd[e]);
		t->fd[e] = -1;
	}
}

static void spin(void)
{
	for (volatile unsigned int i = 0; i < 100000; i++)
		;
}

/*
 * Fill @out with the group of @kind and try it on this thread: open, count
 * a short loop, read. Return: 0, or -1 with why in @why.
 */
static int try_group(enum pb_perf_group kind, struct pb_perf_probe *out,
		     char *why, size_t whylen)
{
	unsigned int first = kind == PB_PERF_GROUP_HW ? HW_FIRST : SW_FIRST;
	struct pb_perf_thread t;
	struct pb_perf_values v;
	int rc = -1;

	out->kind = kind;
	out->group = group_names[kind];
	out->nr_events = PB_PERF_GROUP_SIZE;
	for (unsigned int e = 0; e < PB_PERF_GROUP_SIZE; e++) {
		struct pb_perf_event_info *ev = &out->events[e];
		const struct event_def *d = &known_events[first + e];

		ev->name = d->name;
		ev->description = d->description;
		ev->known = first + e;
		ev->user_only = !d->kernel_side;
		ev->available = true;
		ev->reason[0] = '\0';
	}
	if (pb_perf_thread_open(out, &t)) {
		snprintf(why, whylen, "%s: %s", out->events[0].name, t.reason[0]);
		return -1;
	}
	for (unsigned int e = 1; e < PB_PERF_GROUP_SIZE; e++) {
		if (t.fd[e] < 0) {
			out->events[e].available = false;
			memcpy(out->events[e].reason, t.reason[e],
			       sizeof(out->events[e].reason));
		}
	}
	pb_perf_thread_start(&t);
	spin();
	pb_perf_thread_stop(&t);
	if (pb_perf_thread_read(&t, &v))
		snprintf(why, whylen, "%s: opened, but counting a test loop "
			 "failed: %s", out->events[0].name, strerror(errno));
	else if (!v.counted[0])
		snprintf(why, whylen, "%s: opened, but the group was never "
			 "scheduled (time_running 0: too few PMU counters, or "
			 "held by someone else)", out->events[0].name);
	else
		rc = 0;
	pb_perf_thread_close(&t);
	return rc;
}

/* Copy @src into @dst, cut to fit. */
static void set_text(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Group "none": every known event unavailable; @hw_why/@sw_why per group. */
static void set_none(struct pb_perf_probe *out, const char *hw_why,
		     const char *sw_why)
{
	out->kind = PB_PERF_GROUP_NONE;
	out->group = group_names[PB_PERF_GROUP_NONE];
	out->nr_events = NR_KNOWN;
	for (unsigned int e = 0; e < NR_KNOWN; e++) {
		struct pb_perf_event_info *ev = &out->events[e];
		const struct event_def *d = &known_events[e];

		ev->name = d->name;
		ev->description = d->description;
		ev->known = e;
		ev->user_only = !d->kernel_side;
		ev->available = false;
		set_text(ev->reason, sizeof(ev->reason),
			 e < SW_FIRST ? hw_why : sw_why);
	}
}

int pb_perf_probe(enum pb_perf_request req, struct pb_perf_probe *out)
{
	/* An event's reason with the event name in front. */
	char hw_why[PB_PERF_REASON_LEN + 32], sw_why[PB_PERF_REASON_LEN + 32];

	memset(out, 0, sizeof(*out));
	out->requested = req;
	switch (req) {
	case PB_PERF_OFF:
		set_none(out, "disabled (--counters off)",
			 "disabled (--counters off)");
		snprintf(out->group_reason, sizeof(out->group_reason),
			 "disabled (--counters off)");
		return 0;
	case PB_PERF_HW:
		if (!try_group(PB_PERF_GROUP_HW, out, hw_why, sizeof(hw_why))) {
			snprintf(out->group_reason, sizeof(out->group_reason),
				 "requested (--counters hw)");
			return 0;
		}
		set_none(out, hw_why, "not tried: --counters hw");
		snprintf(out->group_reason, sizeof(out->group_reason),
			 "hardware counters requested (--counters hw) but not "
			 "usable: %s", hw_why);
		return -1;
	case PB_PERF_SW:
		if (!try_group(PB_PERF_GROUP_SW, out, sw_why, sizeof(sw_why))) {
			snprintf(out->group_reason, sizeof(out->group_reason),
				 "requested (--counters sw)");
			return 0;
		}
		set_none(out, "not tried: --counters sw", sw_why);
		snprintf(out->group_reason, sizeof(out->group_reason),
			 "software counters requested (--counters sw) but not "
			 "usable: %s", sw_why);
		return -1;
	case PB_PERF_AUTO:
		break;
	default:
		set_none(out, "invalid request", "invalid request");
		snprintf(out->group_reason, sizeof(out->group_reason),
			 "invalid counter request %d", (int)req);
		return -1;
	}
	if (!try_group(PB_PERF_GROUP_HW, out, hw_why, sizeof(hw_why))) {
		snprintf(out->group_reason, sizeof(out->group_reason),
			 "hardware PMU counts on this machine");
		return 0;
	}
	if (!try_group(PB_PERF_GROUP_SW, out, sw_why, sizeof(sw_why))) {
		snprintf(out->group_reason, sizeof(out->group_reason),
			 "hardware group not usable: %s", hw_why);
		return 0;
	}
	set_none(out, hw_why, sw_why);
	snprintf(out->group_reason, sizeof(out->group_reason),
		 "no counter group usable: hardware: %s; software: %s",
		 hw_why, sw_why);
	return 0;
}
