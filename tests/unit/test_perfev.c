// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_perfev.c - per-thread perf_event counter groups.
 *
 * Nothing here assumes which group the machine gives: tests that need
 * counters skip when the probe finds none, and assert per group only what
 * must hold (a busy loop takes task-clock time and cycles, touching fresh
 * pages takes page faults). The "refused" path is made on purpose with a
 * seccomp filter installed in a helper thread only, so it runs everywhere
 * seccomp does. Decoding (scaling, matching by ID, time_running 0) is
 * checked on synthetic readings, since multiplexing cannot be forced.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness/perfev.h"

#define BUSY_NS (20 * 1000 * 1000ull)

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Burn @ns of this thread's CPU time, mostly in user space. */
static void busy_cpu(uint64_t ns)
{
	uint64_t t0 = thread_cpu_ns(), x = 0;

	do {
		for (unsigned int i = 0; i < 20000; i++) {
			x += i;
			__asm__ volatile("" : "+r"(x));	/* keep the loop */
		}
	} while (thread_cpu_ns() - t0 < ns);
}

static int find_event(const struct pb_perf_probe *p, const char *name)
{
	for (unsigned int e = 0; e < p->nr_events; e++)
		if (!strcmp(p->events[e].name, name))
			return (int)e;
	return -1;
}

/* Probe AUTO; skip the calling test when no group is usable here. */
static void probe_or_skip(struct pb_perf_probe *p)
{
	assert_int_equal(pb_perf_probe(PB_PERF_AUTO, p), 0);
	if (p->kind == PB_PERF_GROUP_NONE) {
		print_message("no counters here: %s\n", p->group_reason);
		skip();
	}
}

/* Count @busy_ns of CPU work with an open group. */
static void count_busy(struct pb_perf_thread *t, uint64_t busy_ns,
		       struct pb_perf_values *v)
{
	pb_perf_thread_start(t);
	busy_cpu(busy_ns);
	pb_perf_thread_stop(t);
	assert_int_equal(pb_perf_thread_read(t, v), 0);
}

static void assert_probe_consistent(const struct pb_perf_probe *p)
{
	assert_true(p->nr_events > 0 && p->nr_events <= PB_PERF_MAX_EVENTS);
	for (unsigned int e = 0; e < p->nr_events; e++) {
		const struct pb_perf_event_info *ev = &p->events[e];

		assert_string_equal(ev->name, pb_perf_known_event(ev->known));
		assert_non_null(ev->description);
		/* A reason exactly for the events that are unavailable. */
		assert_int_equal(ev->available, ev->reason[0] == '\0');
	}
	assert_true(p->group_reason[0] != '\0');
}

static void test_request_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		enum pb_perf_request req;
	} cases[] = {
		{ "auto", 0, PB_PERF_AUTO }, { "hw", 0, PB_PERF_HW },
		{ "sw", 0, PB_PERF_SW }, { "off", 0, PB_PERF_OFF },
		{ "", -1, 0 }, { "HW", -1, 0 }, { "au", -1, 0 },
		{ "autox", -1, 0 }, { "hardware", -1, 0 }, { "off ", -1, 0 },
	};
	enum pb_perf_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req = (enum pb_perf_request)99;
		assert_int_equal(pb_perf_request_parse(cases[i].s, &req), cases[i].rc);
		if (cases[i].rc)
			assert_int_equal(req, 99);
		else
			assert_int_equal(req, cases[i].req);
		if (!cases[i].rc)
			assert_string_equal(pb_perf_request_name(req), cases[i].s);
	}
	assert_int_equal(pb_perf_request_parse(NULL, &req), -1);
}

static void test_known_events(void **state)
{
	static const char *const names[] = {
		"cycles", "instructions", "cache_misses", "branch_misses",
		"task_clock_ns", "page_faults", "context_switches",
		"cpu_migrations",
	};

	(void)state;
	assert_int_equal(pb_perf_nr_known_events(), 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_string_equal(pb_perf_known_event(i), names[i]);
	assert_null(pb_perf_known_event(8));
}

static void test_off(void **state)
{
	struct pb_perf_probe p;
	struct pb_perf_thread t;
	struct pb_perf_values v;

	(void)state;
	assert_int_equal(pb_perf_probe(PB_PERF_OFF, &p), 0);
	assert_string_equal(p.group, "none");
	assert_int_equal(p.kind, PB_PERF_GROUP_NONE);
	assert_int_equal(p.nr_events, pb_perf_nr_known_events());
	assert_probe_consistent(&p);
	for (unsigned int e = 0; e < p.nr_events; e++) {
		assert_false(p.events[e].available);
		assert_string_equal(p.events[e].reason, "disabled (--counters off)");
	}
	assert_int_equal(pb_perf_thread_open(&p, &t), 0);
	for (unsigned int e = 0; e < p.nr_events; e++)
		assert_string_equal(t.reason[e], p.events[e].reason);
	count_busy(&t, 1000, &v);
	for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++) {
		assert_false(v.counted[e]);
		assert_true(isnan(v.value[e]));
	}
	assert_true(isnan(v.running_fraction));
	pb_perf_thread_close(&t);
}

static void test_auto_busy_loop(void **state)
{
	struct pb_perf_probe p;
	struct pb_perf_thread t;
	struct pb_perf_values v;
	int tc, pf;

	(void)state;
	probe_or_skip(&p);
	print_message("group %s: %s\n", p.group, p.group_reason);
	for (unsigned int e = 0; e < p.nr_events; e++)
		if (!p.events[e].available)
			print_message("  %s: %s\n", p.events[e].name,
				      p.events[e].reason);
	assert_probe_consistent(&p);
	assert_int_equal(p.nr_events, 4);
	assert_true(p.events[0].available);
	if (p.kind == PB_PERF_GROUP_HW)
		assert_string_equal(p.group, "hardware");
	else
		assert_string_equal(p.group, "software");

	assert_int_equal(pb_perf_thread_open(&p, &t), 0);
	count_busy(&t, BUSY_NS, &v);
	pb_perf_thread_close(&t);

	assert_true(v.counted[0]);
	assert_true(v.value[0] > 0);
	assert_true(v.running_fraction > 0 && v.running_fraction <= 1);
	assert_int_equal(v.scaled, v.running_fraction < 1);
	for (unsigned int e = 0; e < p.nr_events; e++) {
		/* Every event the probe found available counts here too. */
		assert_int_equal(v.counted[e], p.events[e].available);
		if (v.counted[e])
			assert_true(v.value[e] >= 0);
		else
			assert_true(isnan(v.value[e]));
	}
	tc = find_event(&p, "task_clock_ns");
	if (tc >= 0)	/* task-clock is CPU time: at least the loop's */
		assert_true(v.value[tc] >= 0.9 * (double)BUSY_NS);
	/* Counts of events, not nanoseconds: the loop touches no new page. */
	pf = find_event(&p, "page_faults");
	if (pf >= 0 && v.counted[pf])
		assert_true(v.value[pf] < 1000);
}

/* Count the page faults of filling @pages fresh pages, by hand or by read(). */
static double count_faults(const struct pb_perf_probe *p, int pf, size_t pages,
			   bool by_kernel)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct pb_perf_thread t;
	struct pb_perf_values v;
	char *mem;
	int fd = -1;

	mem = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	/* One fault per page: no (multi-size) THP folio for this range. */
	madvise(mem, pages * page, MADV_NOHUGEPAGE);
	if (by_kernel) {
		fd = open("/dev/zero", O_RDONLY);
		assert_true(fd >= 0);
	}

	assert_int_equal(pb_perf_thread_open(p, &t), 0);
	pb_perf_thread_start(&t);
	/* The raw syscall: a sanitizer's read() may touch the buffer first. */
	if (by_kernel)
		assert_int_equal(syscall(SYS_read, fd, mem, pages * page),
				 (long)(pages * page));
	else
		for (size_t i = 0; i < pages; i++)
			((volatile char *)mem)[i * page] = 1;
	pb_perf_thread_stop(&t);
	assert_int_equal(pb_perf_thread_read(&t, &v), 0);
	pb_perf_thread_close(&t);
	if (fd >= 0)
		close(fd);
	munmap(mem, pages * page);
	assert_true(v.counted[pf]);
	return v.value[pf];
}

static void test_page_faults(void **state)
{
	const size_t pages = 64;
	struct pb_perf_probe p;
	int pf;

	(void)state;
	probe_or_skip(&p);
	pf = find_event(&p, "page_faults");
	if (pf < 0 || !p.events[pf].available)
		skip();
	assert_true(p.events[pf].user_only);
	assert_true(count_faults(&p, pf, pages, false) >= (double)pages);
	/* Faults taken inside read() are the kernel's: not counted. */
	assert_true(count_faults(&p, pf, pages, true) < (double)pages / 2);
}

static void test_hw_request(void **state)
{
	struct pb_perf_probe p, a;
	int rc;

	(void)state;
	rc = pb_perf_probe(PB_PERF_HW, &p);
	assert_probe_consistent(&p);
	assert_int_equal(pb_perf_probe(PB_PERF_AUTO, &a), 0);
	if (!rc) {
		/* A PMU here: AUTO must have picked it as well. */
		assert_string_equal(p.group, "hardware");
		assert_true(p.events[0].available);
		assert_string_equal(a.group, "hardware");
		skip();
	}
	assert_int_equal(rc, -1);
	assert_string_equal(p.group, "none");
	assert_non_null(strstr(p.group_reason, "--counters hw"));
	assert_non_null(strstr(p.group_reason, "cycles: perf_event_open("));
	for (unsigned int e = 0; e < p.nr_events; e++)
		assert_false(p.events[e].available);
	assert_string_not_equal(a.group, "hardware");
	if (a.kind == PB_PERF_GROUP_SW)
		assert_non_null(strstr(a.group_reason, "hardware group not usable: cycles: "));
}

static void test_sw_request(void **state)
{
	struct pb_perf_probe p;

	(void)state;
	if (pb_perf_probe(PB_PERF_SW, &p)) {
		assert_string_equal(p.group, "none");
		assert_non_null(strstr(p.group_reason, "--counters sw"));
		skip();
	}
	assert_probe_consistent(&p);
	assert_string_equal(p.group, "software");
	assert_string_equal(p.events[0].name, "task_clock_ns");
	assert_true(p.events[0].available);
}

/*
 * context_switches and cpu_migrations happen in the kernel: when they are
 * available they must see sleeps and forced moves (user-only, both read 0).
 */
static void test_kernel_side_events(void **state)
{
	const struct timespec ms = { 0, 1000000 };
	const int naps = 20, moves = 10;
	struct pb_perf_probe p;
	struct pb_perf_thread t;
	struct pb_perf_values v;
	cpu_set_t allowed, one;
	int cs, mig, cpu[2], n = 0;

	(void)state;
	probe_or_skip(&p);
	cs = find_event(&p, "context_switches");
	mig = find_event(&p, "cpu_migrations");
	if (cs < 0 || !p.events[cs].available || !p.events[mig].available)
		skip();
	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &allowed))
			cpu[n++] = c;

	assert_int_equal(pb_perf_thread_open(&p, &t), 0);
	pb_perf_thread_start(&t);
	for (int i = 0; i < naps; i++)
		nanosleep(&ms, NULL);
	for (int i = 0; n == 2 && i < moves; i++) {
		CPU_ZERO(&one);
		CPU_SET(cpu[i % 2], &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	pb_perf_thread_stop(&t);
	assert_int_equal(pb_perf_thread_read(&t, &v), 0);
	pb_perf_thread_close(&t);
	sched_setaffinity(0, sizeof(allowed), &allowed);

	assert_true(v.counted[cs] && v.counted[mig]);
	/* At least one switch per nap; a count, not nanoseconds. */
	assert_true(v.value[cs] >= naps && v.value[cs] < 100 * naps);
	if (n == 2)	/* the first move may find it there already */
		assert_true(v.value[mig] >= moves - 1);
}

/* A second run of the same group starts from zero. */
static void test_two_runs_reset(void **state)
{
	struct pb_perf_probe p;
	struct pb_perf_thread t;
	struct pb_perf_values v1, v2;

	(void)state;
	probe_or_skip(&p);
	assert_int_equal(pb_perf_thread_open(&p, &t), 0);
	count_busy(&t, BUSY_NS, &v1);
	count_busy(&t, BUSY_NS / 10, &v2);
	pb_perf_thread_close(&t);

	assert_true(v1.counted[0] && v2.counted[0]);
	assert_true(v2.value[0] > 0);
	/* The leader (cycles or task-clock) follows the CPU work. */
	assert_true(v2.value[0] < v1.value[0] / 2);
}

/* Work after stop is not counted. */
static void test_stop_freezes(void **state)
{
	struct pb_perf_probe p;
	struct pb_perf_thread t;
	struct pb_perf_values v1, v2;

	(void)state;
	probe_or_skip(&p);
	assert_int_equal(pb_perf_thread_open(&p, &t), 0);
	count_busy(&t, BUSY_NS / 10, &v1);
	busy_cpu(BUSY_NS / 2);
	assert_int_equal(pb_perf_thread_read(&t, &v2), 0);
	pb_perf_thread_close(&t);

	assert_int_equal(v1.time_enabled_ns, v2.time_enabled_ns);
	for (unsigned int e = 0; e < p.nr_events; e++) {
		assert_int_equal(v1.counted[e], v2.counted[e]);
		if (v1.counted[e])
			assert_true(v1.value[e] == v2.value[e]);
	}
}

/* Opened but never enabled: time_running 0 is "not counted", not 0. */
static void test_never_enabled(void **state)
{
	struct pb_perf_probe p;
	struct pb_perf_thread t;
	struct pb_perf_values v;

	(void)state;
	probe_or_skip(&p);
	assert_int_equal(pb_perf_thread_open(&p, &t), 0);
	busy_cpu(1000000);
	assert_int_equal(pb_perf_thread_read(&t, &v), 0);
	pb_perf_thread_close(&t);
	assert_int_equal(v.time_running_ns, 0);
	assert_true(v.running_fraction == 0);
	for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++) {
		assert_false(v.counted[e]);
		assert_true(isnan(v.value[e]));
	}
	/* Closed: reading is an error, and counts nothing. */
	assert_int_equal(pb_perf_thread_read(&t, &v), -1);
	assert_false(v.counted[0]);
}

struct worker {
	const struct pb_perf_probe *probe;
	uint64_t busy_ns;
	pthread_barrier_t *barrier;
	int open_rc, read_rc;
	struct pb_perf_values v;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pb_perf_thread t;

	w->open_rc = pb_perf_thread_open(w->probe, &t);
	pthread_barrier_wait(w->barrier);
	pb_perf_thread_start(&t);
	busy_cpu(w->busy_ns);
	pb_perf_thread_stop(&t);
	w->read_rc = pb_perf_thread_read(&t, &w->v);
	pb_perf_thread_close(&t);
	return NULL;
}

/* Concurrent threads count their own work only (pid 0). */
static void test_threads_independent(void **state)
{
	struct pb_perf_probe p;
	pthread_barrier_t barrier;
	struct worker w[2];
	pthread_t tid[2];

	(void)state;
	probe_or_skip(&p);
	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){ .probe = &p, .barrier = &barrier,
					.busy_ns = i ? BUSY_NS / 10 : 2 * BUSY_NS };
		assert_int_equal(pthread_create(&tid[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&barrier);

	for (int i = 0; i < 2; i++) {
		assert_int_equal(w[i].open_rc, 0);
		assert_int_equal(w[i].read_rc, 0);
		assert_true(w[i].v.counted[0]);
		assert_true(w[i].v.value[0] > 0);
	}
	assert_true(w[1].v.value[0] < w[0].v.value[0] / 2);
}

static void test_decode(void **state)
{
	struct pb_perf_thread t;
	struct pb_perf_values v;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++)
		t.fd[e] = -1;
	/* Events 0, 1 and 3 open; 2 failed to open in this thread. */
	t.fd[0] = 10, t.id[0] = 100;
	t.fd[1] = 11, t.id[1] = 101;
	t.fd[3] = 13, t.id[3] = 103;

	{	/* Ran all the time: values as read, matched by ID not order. */
		const uint64_t r[] = { 3, 5000, 5000, 7, 103, 40, 100, 9, 101 };

		assert_int_equal(pb_perf_decode(&t, r, 9, &v), 0);
		assert_false(v.scaled);
		assert_true(v.running_fraction == 1);
		assert_true(v.value[0] == 40 && v.value[1] == 9 && v.value[3] == 7);
		assert_true(v.counted[0] && v.counted[1] && v.counted[3]);
		assert_false(v.counted[2]);
		assert_true(isnan(v.value[2]));
		assert_int_equal(v.time_enabled_ns, 5000);
	}
	{	/* Multiplexed, ran a quarter: scaled by 4; unknown ID ignored. */
		const uint64_t r[] = { 2, 4000, 1000, 10, 100, 5, 999 };

		assert_int_equal(pb_perf_decode(&t, r, 7, &v), 0);
		assert_true(v.scaled);
		assert_true(v.running_fraction == 0.25);
		assert_true(v.counted[0] && v.value[0] == 40);
		assert_false(v.counted[1] || v.counted[2] || v.counted[3]);
	}
	{	/* Never ran: nothing counted, never a 0. */
		const uint64_t r[] = { 3, 4000, 0, 0, 100, 0, 101, 0, 103 };

		assert_int_equal(pb_perf_decode(&t, r, 9, &v), 0);
		assert_true(v.running_fraction == 0);
		for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++)
			assert_false(v.counted[e]);
		assert_true(isnan(v.value[0]));
	}
	{	/* Incomplete readings. */
		const uint64_t r[] = { 3, 10, 10, 1, 100, 2, 101 };
		const uint64_t big[] = { PB_PERF_MAX_EVENTS + 1, 10, 10 };

		assert_int_equal(pb_perf_decode(&t, r, 2, &v), -1);
		assert_int_equal(pb_perf_decode(&t, r, 7, &v), -1);
		assert_false(v.counted[0]);
		assert_int_equal(pb_perf_decode(&t, big, 3, &v), -1);
	}
}

/* What a thread under a seccomp filter refusing perf_event_open saw. */
struct refused {
	int err;
	bool installed;
	int auto_rc, hw_rc, sw_rc, open_rc, read_rc;
	struct pb_perf_probe auto_p, hw_p, sw_p;
	struct pb_perf_values v;
};

static void *refused_main(void *arg)
{
	struct refused *r = arg;
	/* No arch check: the filter only has to catch this process's calls. */
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_perf_event_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | ((unsigned int)r->err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]), .filter = insns,
	};
	struct pb_perf_thread t;

	/* Both are per thread: the filter dies with this thread. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return NULL;
	r->installed = true;
	r->auto_rc = pb_perf_probe(PB_PERF_AUTO, &r->auto_p);
	r->hw_rc = pb_perf_probe(PB_PERF_HW, &r->hw_p);
	r->sw_rc = pb_perf_probe(PB_PERF_SW, &r->sw_p);
	r->open_rc = pb_perf_thread_open(&r->auto_p, &t);
	pb_perf_thread_start(&t);
	pb_perf_thread_stop(&t);
	r->read_rc = pb_perf_thread_read(&t, &r->v);
	pb_perf_thread_close(&t);
	return NULL;
}

static void test_refused(void **state)
{
	static const int errs[] = { EACCES, EPERM, ENOSYS };

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct refused r = { .err = errs[i] };
		const char *text = strerror(errs[i]);
		pthread_t tid;

		assert_int_equal(pthread_create(&tid, NULL, refused_main, &r), 0);
		pthread_join(tid, NULL);
		if (!r.installed)
			skip();

		assert_int_equal(r.auto_rc, 0);
		assert_string_equal(r.auto_p.group, "none");
		assert_probe_consistent(&r.auto_p);
		assert_int_equal(r.auto_p.nr_events, pb_perf_nr_known_events());
		assert_non_null(strstr(r.auto_p.group_reason, text));
		for (unsigned int e = 0; e < r.auto_p.nr_events; e++) {
			assert_false(r.auto_p.events[e].available);
			assert_non_null(strstr(r.auto_p.events[e].reason, text));
		}
		assert_int_equal(r.hw_rc, -1);
		assert_string_equal(r.hw_p.group, "none");
		assert_non_null(strstr(r.hw_p.group_reason, text));
		assert_int_equal(r.sw_rc, -1);
		assert_non_null(strstr(r.sw_p.group_reason, text));
		assert_int_equal(r.open_rc, 0);
		assert_int_equal(r.read_rc, 0);
		for (unsigned int e = 0; e < PB_PERF_MAX_EVENTS; e++)
			assert_false(r.v.counted[e]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_parse),
		cmocka_unit_test(test_known_events),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_auto_busy_loop),
		cmocka_unit_test(test_page_faults),
		cmocka_unit_test(test_hw_request),
		cmocka_unit_test(test_sw_request),
		cmocka_unit_test(test_kernel_side_events),
		cmocka_unit_test(test_two_runs_reset),
		cmocka_unit_test(test_stop_freezes),
		cmocka_unit_test(test_never_enabled),
		cmocka_unit_test(test_threads_independent),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("perfev", tests, NULL, NULL);
}
