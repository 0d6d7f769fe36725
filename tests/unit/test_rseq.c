// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_rseq.c - the restartable sequences of allocators/rseq/rseq.h.
 *
 *   - a pop and a push do what a ring does: order, the count, empty and
 *     full, all-or-none, indices across 2^32;
 *   - a sequence started for another CPU than the thread's is refused
 *     (PB_RSEQ_ABORT) and changes nothing;
 *   - the abort path, deterministically: a test sequence, built with the
 *     same frame as the real ones (PB_RSEQ_START, PB_RSEQ_COMMITTED),
 *     waits inside its critical section for a flag that only a signal
 *     handler sets. The main thread signals it once it is inside: the
 *     kernel must abort the sequence (the handler ran between its start
 *     and its commit), the caller retries, and the committing increment
 *     happens exactly once;
 *   - where rseq is unavailable (__rseq_size 0, another architecture) the
 *     reason is given and these tests are skipped, not passed.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "allocators/rseq/rseq.h"

#define RING 8

static int need_rseq(void)
{
	char why[256];

	if (pb_rseq_available(why, sizeof(why)))
		return 1;
	print_message("skipped: %s\n", why);
	skip();
	return 0;
}

#if PB_RSEQ_ARCH
/* One try after another until the sequence is not aborted. */
static int pop(uint32_t *cons, uint32_t *prod, void **slots, void **out,
	       uint32_t n)
{
	int got;

	while ((got = pb_rseq_ring_pop(pb_rseq_cpu(), cons, prod, slots,
				       RING - 1, out, n)) == PB_RSEQ_ABORT)
		;
	return got;
}

static int push(uint32_t *prod, uint32_t *cons, void **slots, void *const *in,
		uint32_t n)
{
	int done;

	while ((done = pb_rseq_ring_push(pb_rseq_cpu(), prod, cons, slots,
					 RING - 1, RING, in, n)) == PB_RSEQ_ABORT)
		;
	return done;
}

static void ring_semantics(uint32_t start)
{
	void *slots[RING] = { 0 }, *in[RING], *out[RING];
	uint32_t prod = start, cons = start;

	for (uintptr_t i = 0; i < RING; i++)
		in[i] = (void *)(i + 1);
	assert_int_equal(pop(&cons, &prod, slots, out, 1), 0);
	assert_int_equal(push(&prod, &cons, slots, in, 3), 3);
	assert_int_equal(prod - cons, 3);
	assert_int_equal(push(&prod, &cons, slots, in + 3, 5), 5);
	/* Full: a push of one more is refused whole. */
	assert_int_equal(push(&prod, &cons, slots, in, 1), 0);
	assert_int_equal(prod - cons, RING);
	/* Oldest first, at most n. */
	assert_int_equal(pop(&cons, &prod, slots, out, 2), 2);
	assert_ptr_equal(out[0], in[0]);
	assert_ptr_equal(out[1], in[1]);
	/* Room for 2, not for 3: all or none. */
	assert_int_equal(push(&prod, &cons, slots, in, 3), 0);
	assert_int_equal(push(&prod, &cons, slots, in, 2), 2);
	/* Fewer than asked when fewer are there. */
	assert_int_equal(pop(&cons, &prod, slots, out, RING), RING);
	for (int i = 0; i < 6; i++)
		assert_ptr_equal(out[i], in[i + 2]);
	assert_ptr_equal(out[6], in[0]);
	assert_ptr_equal(out[7], in[1]);
	assert_int_equal(pop(&cons, &prod, slots, out, 1), 0);
	assert_int_equal(prod, start + 10);
	assert_int_equal(cons, start + 10);
}

static void rseq_ring_semantics(void **state)
{
	(void)state;
	if (!need_rseq())
		return;
	ring_semantics(0);
	/* The 32-bit indices cross 2^32 on the way. */
	ring_semantics(UINT32_MAX - 4);
}

static void rseq_wrong_cpu_aborts(void **state)
{
	void *slots[RING] = { 0 }, *in[1] = { (void *)1 }, *out[1];
	uint32_t prod = 0, cons = 0;
	unsigned int other;

	(void)state;
	if (!need_rseq())
		return;
	/* Any other number than the thread's CPU: the sequence must refuse. */
	other = pb_rseq_cpu() + 1;
	assert_int_equal(pb_rseq_ring_push(other, &prod, &cons, slots, RING - 1,
					   RING, in, 1), PB_RSEQ_ABORT);
	assert_int_equal(prod, 0);
	assert_null(slots[0]);
	assert_int_equal(push(&prod, &cons, slots, in, 1), 1);
	assert_int_equal(pb_rseq_ring_pop(other, &cons, &prod, slots, RING - 1,
					  out, 1), PB_RSEQ_ABORT);
	assert_int_equal(cons, 0);
	assert_int_equal(pop(&cons, &prod, slots, out, 1), 1);
}

/* ---- the abort path, forced by a signal ------------------------------------ */

static volatile uint32_t go;		/* set by the handler only */
static volatile uint32_t inside;	/* set inside the sequence */
static atomic_int handled;

static void on_signal(int sig)
{
	(void)sig;
	go = 1;
	atomic_fetch_add(&handled, 1);
}

/*
 * A test sequence in the real sequences' frame: mark @inside, wait for
 * @go inside the critical section, then commit (*counter)++ with one
 * store. Return: 0 committed, PB_RSEQ_ABORT aborted.
 */
static int wait_then_increment(unsigned int cpu, uint32_t *counter)
{
	uint64_t v;
	int rc;

	__asm__ __volatile__(
		PB_RSEQ_START(v)
		"movl $1, (%[inside])\n"
		"7:\n\t"
		"pause\n\t"
		"cmpl $0, (%[go])\n\t"
		"je 7b\n\t"
		"movl (%[counter]), %k[v]\n\t"
		"incl %k[v]\n\t"
		"movl %k[v], (%[counter])"	/* commit */
		PB_RSEQ_COMMITTED
		"5:\n\t"
		"movl $-1, %[rc]\n\t"
		"jmp 9f\n"
		"6:\n\t"
		"movl $0, %[rc]\n"
		"9:\n"
		: [rc] "=&r"(rc), [v] "=&r"(v)
		: [off] "r"(__rseq_offset), [cpu] "r"(cpu),
		  [inside] "r"(&inside), [go] "r"(&go), [counter] "r"(counter)
		: "memory", "cc");
	return rc;
}

struct victim {
	pthread_t th;
	uint32_t counter;
	int aborts;
};

static void *victim_main(void *arg)
{
	struct victim *v = arg;
	struct timespec zero = { 0 };

	while (wait_then_increment(pb_rseq_cpu(), &v->counter) == PB_RSEQ_ABORT) {
		v->aborts++;
		/*
		 * ThreadSanitizer defers a signal's handler to the thread's
		 * next intercepted call (the kernel still aborts the sequence
		 * at delivery): a call it intercepts lets the handler run.
		 * Elsewhere the handler ran before the abort path.
		 */
		nanosleep(&zero, NULL);
	}
	return NULL;
}

static void rseq_signal_aborts_once(void **state)
{
	struct sigaction sa = { .sa_handler = on_signal }, old;
	struct victim v = { .counter = 0 };

	(void)state;
	if (!need_rseq())
		return;
	go = 0;
	inside = 0;
	atomic_store(&handled, 0);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(pthread_create(&v.th, NULL, victim_main, &v), 0);
	/* The victim waits inside its sequence until the handler runs. */
	while (!inside)
		sched_yield();
	assert_int_equal(pthread_kill(v.th, SIGUSR1), 0);
	assert_int_equal(pthread_join(v.th, NULL), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_int_equal(atomic_load(&handled), 1);
	/* Aborted by the signal (and maybe by preemption before it)... */
	assert_true(v.aborts >= 1);
	/* ...retried, and the committing store happened exactly once. */
	assert_int_equal(v.counter, 1);
}
#else
static void rseq_ring_semantics(void **state)
{
	(void)state;
	need_rseq();
}

static void rseq_wrong_cpu_aborts(void **state)
{
	(void)state;
	need_rseq();
}

static void rseq_signal_aborts_once(void **state)
{
	(void)state;
	need_rseq();
}
#endif

static void rseq_nr_cpu_ids(void **state)
{
	(void)state;
	assert_true(pb_rseq_nr_cpu_ids() >= 1);
#if PB_RSEQ_ARCH
	if (pb_rseq_available(NULL, 0))
		assert_true(pb_rseq_cpu() < pb_rseq_nr_cpu_ids());
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rseq_ring_semantics),
		cmocka_unit_test(rseq_wrong_cpu_aborts),
		cmocka_unit_test(rseq_signal_aborts_once),
		cmocka_unit_test(rseq_nr_cpu_ids),
	};

	return cmocka_run_group_tests_name("rseq", tests, NULL, NULL);
}
