// SPDX-License-Identifier: GPL-2.0-only
/*
 * backends.c - test helpers shared by the suites that run every backend.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/percpu/pcpu.h"
#include "tests/common/backends.h"

/*
 * Every test program links this file: line-buffered stdout, so the last
 * test a program started is in its log even when tests/run.sh stops it
 * at its time limit.
 */
__attribute__((constructor)) static void pb_test_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Split "k=v;k=v" into @c->opts (pointing into @c->buf). */
static void parse_variant(struct pb_test_case *c, const char *variant)
{
	char *save = NULL;

	snprintf(c->buf, sizeof(c->buf), "%s", variant);
	for (char *kv = strtok_r(c->buf, ";", &save); kv;
	     kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || c->nr_opts == PB_TEST_MAX_OPTS)
			fail_msg("%s: bad variant '%s'", c->b->name, variant);
		*eq = '\0';
		c->opts[c->nr_opts].key = kv;
		c->opts[c->nr_opts].value = eq + 1;
		c->nr_opts++;
	}
}

static size_t nr_variants(const struct pb_backend *b)
{
	size_t n = 0;

	while (b->variants && b->variants[n])
		n++;
	return n;
}

/* Is @name in the comma-separated list @only (NULL: every backend)? */
static bool selected(const char *only, const char *name)
{
	size_t len = strlen(name);

	if (!only)
		return true;
	for (const char *p = only; *p;) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* Exit with a message if PB_TEST_ONLY names a backend that is not there. */
static void check_only(const char *only)
{
	for (const char *p = only; p && *p;) {
		size_t n = strcspn(p, ",");
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (!pb_backend_find(name)) {
			fprintf(stderr, "PB_TEST_ONLY: no backend '%s' is registered\n",
				name);
			exit(2);
		}
		p += n + (p[n] == ',');
	}
}

int pb_test_run_all(const char *group, const struct pb_test_fn *fns, size_t n)
{
	size_t nb = pb_backend_count(), max = 0, k = 0;
	const char *only = getenv("PB_TEST_ONLY");
	struct CMUnitTest *tests;
	struct pb_test_case *cases;
	int failed;

	if (only && !*only)
		only = NULL;
	check_only(only);
	for (size_t i = 0; i < nb; i++)
		max += (1 + nr_variants(pb_backend_at(i))) * PB_MODE__COUNT * n;
	tests = calloc(max, sizeof(*tests));
	cases = calloc(max, sizeof(*cases));
	assert_non_null(tests);
	assert_non_null(cases);
	for (size_t i = 0; i < nb; i++) {
		const struct pb_backend *b = pb_backend_at(i);
		bool baseline = b->flags & PB_BACKEND_BASELINE;

		if (!selected(only, b->name))
			continue;
		for (size_t v = 0; v <= nr_variants(b); v++)
		for (int m = 0; m < PB_MODE__COUNT; m++)
		for (size_t f = 0; f < n; f++) {
			struct pb_test_case *c = &cases[k];

			if (baseline ? !(fns[f].baseline_too || fns[f].only_baseline) :
				       fns[f].only_baseline)
				continue;
			c->b = b;
			c->mode = (enum pb_mode)m;
			if (v)
				parse_variant(c, b->variants[v - 1]);
			snprintf(c->name, sizeof(c->name), "%s%s%s/%s/%s", b->name,
				 v ? ":" : "", v ? b->variants[v - 1] : "",
				 pb_mode_name(c->mode), fns[f].name);
			tests[k].name = c->name;
			tests[k].test_func = fns[f].fn;
			tests[k].initial_state = c;
			k++;
		}
	}
	if (!k) {
		/* cmocka refuses an empty group: say so instead. */
		printf("[==========] %s: no test applies to the selected backends\n",
		       group);
		free(tests);
		free(cases);
		return 0;
	}
	failed = _cmocka_run_group_tests(group, tests, k, NULL, NULL);
	free(tests);
	free(cases);
	return failed;
}

struct pb_config pb_test_config(const struct pb_test_case *c, size_t obj_size,
				size_t align, size_t capacity,
				unsigned int nr_cpus)
{
	return (struct pb_config){
		.obj_size = obj_size,
		.align = align,
		.capacity = capacity,
		.prealloc = capacity,
		.nr_cpus = nr_cpus,
		.nr_threads = 1,
		.mode = c->mode,
		.opts = c->opts,
		.nr_opts = c->nr_opts,
	};
}

void *pb_test_create(const struct pb_backend *b, const struct pb_config *cfg)
{
	char err[512] = "";
	void *pool = NULL;

	switch (b->create(cfg, &pool, err, sizeof(err))) {
	case 0:
		break;
	case PB_CREATE_UNSUPPORTED:
		/* A valid point this backend does not serve: not a failure. */
		print_message("skipped: %s\n", err);
		skip();
		break;
	default:
		fail_msg("%s: create failed: %s", b->name, err);
	}
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

const size_t pb_test_sizes[PB_TEST_NR_SIZES] = {
	1, 3, 8, 24, 40, 64, 100, 256, 1000, 4096
};
const size_t pb_test_aligns[PB_TEST_NR_ALIGNS] = { 0, 8, 16, 32, 64, 128, 4096 };

size_t pb_test_effective_align(const struct pb_backend *b, size_t align)
{
	if (align)
		return align;
	return b->flags & PB_BACKEND_PERCPU ? PB_PCPU_DFL_ALIGN :
					      alignof(max_align_t);
}

/* One CPU's copy of one object, as an interval to sort. */
struct pb_test_span {
	uintptr_t start;
	size_t obj;		/* index in the caller's array */
	unsigned int cpu;
};

static int cmp_span(const void *a, const void *b)
{
	const struct pb_test_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void pb_test_check_objects(const struct pb_backend *b, void *pool, void **objs,
			   size_t n, size_t size, size_t align,
			   unsigned int nr_cpus, const char *what)
{
	unsigned int copies = (b->flags & PB_BACKEND_PERCPU) ? nr_cpus : 1;
	size_t a = pb_test_effective_align(b, align), k = 0;
	struct pb_test_span *s = malloc(n * copies * sizeof(*s) + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		if (!objs[i]) {
			free(s);
			fail_msg("%s: %s: object %zu is NULL", b->name, what, i);
		}
		for (unsigned int c = 0; c < copies; c++) {
			uintptr_t p = (uintptr_t)copy_of(b, pool, objs[i], c);

			if (p % a) {
				free(s);
				fail_msg("%s: %s: object %zu (cpu %u copy %#lx) is "
					 "not aligned to %zu (size %zu)", b->name,
					 what, i, c, (unsigned long)p, a, size);
			}
			s[k++] = (struct pb_test_span){ p, i, c };
		}
	}
	qsort(s, k, sizeof(*s), cmp_span);
	for (size_t i = 1; i < k; i++) {
		if (s[i - 1].start + size <= s[i].start)
			continue;
		struct pb_test_span x = s[i - 1], y = s[i];

		free(s);
		if (x.start == y.start && x.cpu == y.cpu)
			fail_msg("%s: %s: objects %zu and %zu are the same object "
				 "%#lx (size %zu)", b->name, what, x.obj, y.obj,
				 (unsigned long)x.start, size);
		fail_msg("%s: %s: object %zu (cpu %u copy at %#lx) overlaps object "
			 "%zu (cpu %u copy at %#lx): size %zu", b->name, what,
			 x.obj, x.cpu, (unsigned long)x.start, y.obj, y.cpu,
			 (unsigned long)y.start, size);
	}
	free(s);
}
