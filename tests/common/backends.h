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

/**
 * pb_test_run_all() - run @fns on every registered backend
 * @group: the cmocka group name
 * @fns:   the test functions
 * @n:     how many
 *
 * Each function runs for every registered backend, with its default options
 * and each of its variants, in both modes. PB_TEST_ONLY (a comma-separated
 * list of backend names) narrows the run to those backends; a name that is
 * not registered is an error, so a typo never passes as "nothing failed".
 *
 * Return: the number of failed tests.
 */
int pb_test_run_all(const char *group, const struct pb_test_fn *fns, size_t n);

/*
 * The conformance geometry matrix (test_geometry runs all of it, test_model
 * draws its geometries from it): object sizes and alignments (0: default).
 */
#define PB_TEST_NR_SIZES 10
#define PB_TEST_NR_ALIGNS 7
extern const size_t pb_test_sizes[PB_TEST_NR_SIZES];
extern const size_t pb_test_aligns[PB_TEST_NR_ALIGNS];

/**
 * pb_test_effective_align() - the alignment a backend must give
 * @b:     the backend
 * @align: the requested alignment (0: the default)
 *
 * Return: @align, or for 0 malloc's alignment (alignof(max_align_t)), or
 * for percpu backends the 4-byte percpu granule.
 */
size_t pb_test_effective_align(const struct pb_backend *b, size_t align);

/**
 * pb_test_check_objects() - fail unless @objs are distinct, aligned and
 * disjoint
 * @b:       the backend
 * @pool:    its pool (percpu backends: every CPU's copy is checked)
 * @objs:    the objects, all live
 * @n:       how many
 * @size:    the object size: [obj, obj + size) must not overlap another's
 * @align:   the requested alignment (0: the default)
 * @nr_cpus: the pool's CPU slots (copies of a percpu object)
 * @what:    says where the objects came from, for the failure message
 */
void pb_test_check_objects(const struct pb_backend *b, void *pool, void **objs,
			   size_t n, size_t size, size_t align,
			   unsigned int nr_cpus, const char *what);

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
