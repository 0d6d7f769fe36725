/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backends.h - test helpers shared by the suites that run every backend.
 *
 * pb_test_cases() builds one cmocka test per (backend, mode, test function)
 * from the registry at run time, so a new backend is tested without any
 * edit to the tests.
 */
#ifndef PB_TESTS_COMMON_BACKENDS_H
#define PB_TESTS_COMMON_BACKENDS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "allocators/backend.h"

#define PB_TEST_MAX_OPTS 8

/* What a generated test receives as *state. */
struct pb_test_case {
	const struct pb_backend *b;
	enum pb_mode mode;
	struct pb_kv opts[PB_TEST_MAX_OPTS];	/* one of the backend's variants */
	size_t nr_opts;
	char buf[256];				/* the strings opts point into */
	char name[384];
};

struct pb_test_fn {
	const char *name;
	CMUnitTestFunction fn;
	bool baseline_too;	/* also run for PB_BACKEND_BASELINE backends */
	bool only_baseline;	/* run only for them */
};

/*
 * pb_test_run_all() - run @fns for every registered backend, with its
 * default options and each of its variants, in both modes, as cmocka group
 * @group. Return: the number of failed tests.
 */
int pb_test_run_all(const char *group, const struct pb_test_fn *fns, size_t n);

/*
 * A config with the given geometry, and the mode and options of case @c,
 * for one thread (callers with more set nr_threads).
 */
struct pb_config pb_test_config(const struct pb_test_case *c, size_t obj_size,
				size_t align, size_t capacity,
				unsigned int nr_cpus);

/*
 * Create a pool, or fail the test with the backend's message, or skip it
 * when the backend answers PB_CREATE_UNSUPPORTED.
 */
void *pb_test_create(const struct pb_backend *b, const struct pb_config *cfg);

/* Bytes of @obj that are writable: every CPU's copy for percpu backends. */
void pb_test_fill(const struct pb_backend *b, void *pool, void *obj,
		  size_t size, unsigned int nr_cpus, unsigned char byte);
/* True if every byte of every copy of @obj is @byte. */
bool pb_test_check(const struct pb_backend *b, void *pool, void *obj,
		   size_t size, unsigned int nr_cpus, unsigned char byte);

#endif /* PB_TESTS_COMMON_BACKENDS_H */
