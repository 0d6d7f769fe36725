// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_exclusive_slot.c - the exclusive mode's one-live-ctx-per-slot
 * contract is guarded by the backends whose per-CPU state it leaves
 * unprotected (qmempool's localq, objpool-ring's pushes): a second
 * thread_init on a slot that has a live ctx is refused with a reason that
 * names the slot, the slot is free again after thread_fini, other slots
 * are unaffected, and shared mode still lets ctxs share a slot. Such a
 * misuse would otherwise corrupt the pool silently: every access is
 * atomic, so TSan does not see it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "allocators/backend.h"

/* The backends that touch a slot's state unprotected in exclusive mode. */
static const char *const guarded[] = { "qmempool", "objpool-ring" };

static void *create(const struct pb_backend *b, enum pb_mode mode)
{
	struct pb_config cfg = {
		.obj_size = 64, .capacity = 256, .prealloc = 256,
		.nr_cpus = 2, .nr_threads = 2, .mode = mode,
	};
	char err[256] = "";
	void *pool = NULL;

	if (b->create(&cfg, &pool, err, sizeof(err)))
		fail_msg("%s: create failed: %s", b->name, err);
	return pool;
}

static void exclusive_refuses_second_ctx(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		const struct pb_backend *b = pb_backend_find(guarded[i]);
		void *pool, *a, *again, *other, *obj;
		char why[256];

		assert_non_null(b);
		pool = create(b, PB_MODE_EXCLUSIVE);
		a = b->thread_init(pool, 0);
		assert_non_null(a);
		pb_thread_init_why(why, sizeof(why));
		assert_string_equal(why, "");

		again = b->thread_init(pool, 0);
		assert_null(again);
		pb_thread_init_why(why, sizeof(why));
		if (!strstr(why, b->name) || !strstr(why, "exclusive") ||
		    !strstr(why, "slot 0"))
			fail_msg("%s: the refusal does not say why: '%s'", b->name, why);
		pb_thread_init_why(why, sizeof(why));
		assert_string_equal(why, "");	/* read once, then cleared */

		/* The first ctx still works; another slot is unaffected. */
		other = b->thread_init(pool, 1);
		assert_non_null(other);
		obj = b->alloc(a);
		assert_non_null(obj);
		b->free(other, obj);

		/* After its fini the slot can be bound again. */
		b->thread_fini(pool, a);
		a = b->thread_init(pool, 0);
		assert_non_null(a);
		b->thread_fini(pool, a);
		b->thread_fini(pool, other);
		b->destroy(pool);
	}
}

static void shared_lets_ctxs_share_a_slot(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		const struct pb_backend *b = pb_backend_find(guarded[i]);
		void *pool, *a, *c, *obj;

		assert_non_null(b);
		pool = create(b, PB_MODE_SHARED);
		a = b->thread_init(pool, 0);
		c = b->thread_init(pool, 0);
		assert_non_null(a);
		assert_non_null(c);
		obj = b->alloc(a);
		assert_non_null(obj);
		b->free(c, obj);
		b->thread_fini(pool, a);
		b->thread_fini(pool, c);
		b->destroy(pool);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exclusive_refuses_second_ctx),
		cmocka_unit_test(shared_lets_ctxs_share_a_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
