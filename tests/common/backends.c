// SPDX-License-Identifier: GPL-2.0-only
/*
 * backends.c - test helpers shared by the suites that run every backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/backends.h"

int pb_test_run_all(const char *group, const struct pb_test_fn *fns, size_t n)
{
	size_t nb = pb_backend_count(), max = nb * 2 * n, k = 0;
	struct CMUnitTest *tests = calloc(max, sizeof(*tests));
	struct pb_test_case *cases = calloc(max, sizeof(*cases));
	int failed;

	assert_non_null(tests);
	assert_non_null(cases);
	for (size_t i = 0; i < nb; i++) {
		const struct pb_backend *b = pb_backend_at(i);
		bool baseline = b->flags & PB_BACKEND_BASELINE;

		for (int m = 0; m < 2; m++) {
			for (size_t f = 0; f < n; f++) {
				if (baseline ? !(fns[f].baseline_too || fns[f].only_baseline) :
					       fns[f].only_baseline)
					continue;
				cases[k].b = b;
				cases[k].mode = m ? PB_MODE_SHARED : PB_MODE_EXCLUSIVE;
				snprintf(cases[k].name, sizeof(cases[k].name),
					 "%s/%s/%s", b->name,
					 pb_mode_name(cases[k].mode), fns[f].name);
				tests[k].name = cases[k].name;
				tests[k].test_func = fns[f].fn;
				tests[k].initial_state = &cases[k];
				k++;
			}
		}
	}
	failed = _cmocka_run_group_tests(group, tests, k, NULL, NULL);
	free(tests);
	free(cases);
	return failed;
}

struct pb_config pb_test_config(size_t obj_size, size_t align, size_t capacity,
				unsigned int nr_cpus, enum pb_mode mode)
{
	return (struct pb_config){
		.obj_size = obj_size,
		.align = align,
		.capacity = capacity,
		.prealloc = capacity,
		.nr_cpus = nr_cpus,
		.mode = mode,
	};
}

void *pb_test_create(const struct pb_backend *b, const struct pb_config *cfg)
{
	char err[512] = "";
	void *pool = NULL;

	if (b->create(cfg, &pool, err, sizeof(err)))
		fail_msg("%s: create failed: %s", b->name, err);
	assert_non_null(pool);
	return pool;
}

static unsigned char *copy_of(const struct pb_backend *b, void *pool, void *obj,
			      unsigned int cpu)
{
	if (b->flags & PB_BACKEND_PERCPU)
		return b->per_cpu_ptr(pool, obj, cpu);
	return obj;
}

void pb_test_fill(const struct pb_backend *b, void *pool, void *obj,
		  size_t size, unsigned int nr_cpus, unsigned char byte)
{
	unsigned int copies = (b->flags & PB_BACKEND_PERCPU) ? nr_cpus : 1;

	for (unsigned int c = 0; c < copies; c++)
		memset(copy_of(b, pool, obj, c), byte + c, size);
}

bool pb_test_check(const struct pb_backend *b, void *pool, void *obj,
		   size_t size, unsigned int nr_cpus, unsigned char byte)
{
	unsigned int copies = (b->flags & PB_BACKEND_PERCPU) ? nr_cpus : 1;

	for (unsigned int c = 0; c < copies; c++) {
		const unsigned char *p = copy_of(b, pool, obj, c);

		for (size_t i = 0; i < size; i++)
			if (p[i] != (unsigned char)(byte + c))
				return false;
	}
	return true;
}
