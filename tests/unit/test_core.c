// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_core.c - the pieces under every backend and run: option parsing,
 * registration checks, the JSON writer, thread placement and the CLI parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocators/backend.h"
#include "allocators/registry.h"
#include "harness/cli.h"
#include "harness/jsonw.h"
#include "harness/topo.h"
#include "workloads/kernels.h"

static const char *const colours[] = { "red", "green", NULL };

static const struct pb_option_spec spec[] = {
	{ .key = "count", .type = PB_OPT_UINT, .def = 16, .min = 1, .max = 1u << 20,
	  .help = "a count" },
	{ .key = "colour", .type = PB_OPT_ENUM, .def = 1, .choices = colours,
	  .help = "a colour" },
	{ 0 }
};

static int parse(const char *key, const char *value, uint64_t out[2], char *err)
{
	struct pb_kv kv = { key, value };

	return pb_options_parse(spec, &kv, 1, out, "owner", err, 256);
}

static void options_defaults_and_values(void **state)
{
	uint64_t v[2];
	char err[256];

	(void)state;
	assert_int_equal(pb_options_parse(spec, NULL, 0, v, "owner", err, 256), 0);
	assert_int_equal(v[0], 16);
	assert_int_equal(v[1], 1);
	assert_int_equal(parse("count", "4K", v, err), 0);
	assert_int_equal(v[0], 4096);
	assert_int_equal(parse("count", "1M", v, err), 0);
	assert_int_equal(v[0], 1u << 20);
	assert_int_equal(parse("colour", "red", v, err), 0);
	assert_int_equal(v[1], 0);
	assert_int_equal(pb_options_count(spec), 2);
	assert_int_equal(pb_options_find(spec, "colour"), 1);
	assert_int_equal(pb_options_find(spec, "size"), -1);
	assert_int_equal(pb_options_count(NULL), 0);
}

static void options_refusals(void **state)
{
	static const char *const bad_counts[] = { "0", "2M", "-1", "", "12x", "1.5",
						  " 3", "99999999999999999999999" };
	uint64_t v[2];
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse("count", bad_counts[i], v, err), -1);
		assert_non_null(strstr(err, "owner: option count="));
		assert_non_null(strstr(err, "[1, 1048576]"));
	}
	assert_int_equal(parse("colour", "blue", v, err), -1);
	assert_non_null(strstr(err, "expected one of red|green"));
	assert_int_equal(parse("size", "3", v, err), -1);
	assert_non_null(strstr(err, "unknown option 'size' (valid: count, colour)"));
	assert_int_equal(pb_options_parse(NULL, &(struct pb_kv){ "x", "1" }, 1, v,
					  "none", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(valid: none)"));
}

/* Run @fn in a child; Return: its stderr, and whether it died of SIGABRT. */
static bool dies_with(void (*fn)(void), const char *expect)
{
	int pipefd[2], status;
	char buf[1024] = "";
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		fn();
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (n > 0)
		buf[n] = '\0';
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
	       strstr(buf, expect);
}

static int dummy_create(const struct pb_config *c, void **p, char *e, size_t l)
{
	(void)c;
	(void)e;
	(void)l;
	*p = NULL;
	return 0;
}

static void dummy_destroy(void *p)
{
	(void)p;
}

static void *dummy_alloc(void *ctx)
{
	return ctx;
}

static void dummy_free(void *ctx, void *obj)
{
	(void)ctx;
	(void)obj;
}

static const pb_kernel_fn no_kernels[PB_KERNEL__COUNT];

static size_t dummy_alloc_bulk(void *ctx, void **objs, size_t n)
{
	(void)ctx;
	(void)objs;
	return n;
}

static void dummy_free_bulk(void *ctx, void **objs, size_t n)
{
	(void)ctx;
	(void)objs;
	(void)n;
}

static void register_without_free(void)
{
	static struct pb_backend b = { .name = "broken", .create = dummy_create,
				       .destroy = dummy_destroy,
				       .alloc = dummy_alloc,
				       .kernels = no_kernels,
				       .alloc_bulk = dummy_alloc_bulk,
				       .free_bulk = dummy_free_bulk };

	pb_backend_register(&b);
}

static void register_without_create(void)
{
	static struct pb_backend b = { .name = "broken2", .destroy = dummy_destroy,
				       .alloc = dummy_alloc, .free = dummy_free,
				       .kernels = no_kernels,
				       .alloc_bulk = dummy_alloc_bulk,
				       .free_bulk = dummy_free_bulk };

	pb_backend_register(&b);
}

static void register_duplicate(void)
{
	static struct pb_backend b = { .name = "malloc", .create = dummy_create,
				       .destroy = dummy_destroy,
				       .alloc = dummy_alloc, .free = dummy_free,
				       .kernels = no_kernels,
				       .alloc_bulk = dummy_alloc_bulk,
				       .free_bulk = dummy_free_bulk };

	pb_backend_register(&b);
}

static void register_percpu_without_ptr(void)
{
	static struct pb_backend b = { .name = "pcpu", .flags = PB_BACKEND_PERCPU,
				       .create = dummy_create,
				       .destroy = dummy_destroy,
				       .alloc = dummy_alloc, .free = dummy_free,
				       .kernels = no_kernels,
				       .alloc_bulk = dummy_alloc_bulk,
				       .free_bulk = dummy_free_bulk };

	pb_backend_register(&b);
}

static void registry_refuses_incomplete_backends(void **state)
{
	(void)state;
	assert_true(dies_with(register_without_free,
			      "'broken' refused at registration: missing mandatory operation free"));
	assert_true(dies_with(register_without_create,
			      "missing mandatory operation create"));
	assert_true(dies_with(register_duplicate, "name already registered"));
	assert_true(dies_with(register_percpu_without_ptr, "per_cpu_ptr"));
}

/* The generic registry (registry.h): order, lookups and its refusals. */
PB_REGISTRY_DEFINE(test_reg, "test item", 3);
static const int item_a, item_b, item_c;

static void add_to_full_registry(void)
{
	pb_registry_add(&test_reg, "d", 0, &item_a);
}

static void add_taken_name(void)
{
	pb_registry_add(&test_reg, "b", 0, &item_a);
}

static void add_nameless(void)
{
	pb_registry_add(&test_reg, "", 0, &item_a);
}

static void registry_orders_by_rank_then_name(void **state)
{
	(void)state;
	pb_registry_add(&test_reg, "c", 1, &item_c);
	pb_registry_add(&test_reg, "b", 0, &item_b);
	pb_registry_add(&test_reg, "a", 1, &item_a);
	assert_int_equal(pb_registry_count(&test_reg), 3);
	assert_ptr_equal(pb_registry_at(&test_reg, 0), &item_b);
	assert_ptr_equal(pb_registry_at(&test_reg, 1), &item_a);
	assert_ptr_equal(pb_registry_at(&test_reg, 2), &item_c);
	assert_null(pb_registry_at(&test_reg, 3));
	assert_ptr_equal(pb_registry_find(&test_reg, "c"), &item_c);
	assert_null(pb_registry_find(&test_reg, "d"));
	assert_true(dies_with(add_taken_name,
			      "test item 'b' refused at registration: name already registered"));
	assert_true(dies_with(add_nameless, "refused at registration: no name"));
	assert_true(dies_with(add_to_full_registry, "too many test items"));
}

static void registry_fills_defaults(void **state)
{
	const struct pb_backend *b = pb_backend_find("malloc");

	(void)state;
	assert_non_null(b);
	assert_non_null(b->thread_init);
	assert_non_null(b->thread_fini);
	assert_non_null(b->stats);
	/* The default ctx is the pool itself. */
	assert_ptr_equal(b->thread_init((void *)0x1000, 3), (void *)0x1000);
}

static void jsonw_escapes_and_nests(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pb_jw w;

	(void)state;
	assert_non_null(f);
	pb_jw_init(&w, f);
	pb_jw_obj_begin(&w, NULL);
	pb_jw_str(&w, "s", "a\"b\\c\nd\t\x01");
	pb_jw_num(&w, "nan", 0.0 / 0.0);
	pb_jw_num(&w, "x", 1.5);
	pb_jw_int(&w, "i", -3);
	pb_jw_arr_begin(&w, "empty");
	pb_jw_arr_end(&w);
	pb_jw_arr_begin(&w, "a");
	pb_jw_bool(&w, NULL, true);
	pb_jw_null(&w, NULL);
	pb_jw_arr_end(&w);
	pb_jw_obj_end(&w);
	fclose(f);
	assert_non_null(strstr(buf, "\"s\": \"a\\\"b\\\\c\\nd\\t\\u0001\""));
	assert_non_null(strstr(buf, "\"nan\": null"));
	assert_non_null(strstr(buf, "\"x\": 1.5"));
	assert_non_null(strstr(buf, "\"i\": -3"));
	assert_non_null(strstr(buf, "\"empty\": []"));
	assert_non_null(strstr(buf, "true,\n"));
	assert_int_equal(buf[len - 2], '}');
	free(buf);
}

static void placement_compact_scatter_wrap(void **state)
{
	struct pb_topo *t;
	char err[256];
	unsigned int n, slots[64];

	(void)state;
	assert_int_equal(pb_topo_load(&t, err, sizeof(err)), 0);
	n = pb_topo_nr_pus(t);
	assert_true(n >= 1);
	assert_int_equal(pb_topo_place(t, PB_PLACE_COMPACT, n, slots, err,
				       sizeof(err)), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(slots[i], i);
	/* Scatter gives every thread its own PU while there are enough. */
	assert_int_equal(pb_topo_place(t, PB_PLACE_SCATTER, n, slots, err,
				       sizeof(err)), 0);
	for (unsigned int i = 0; i < n; i++) {
		assert_true(slots[i] < n);
		for (unsigned int j = 0; j < i; j++)
			assert_int_not_equal(slots[i], slots[j]);
	}
	/* Oversubscribed: thread t shares the PU of thread t mod n. */
	assert_int_equal(pb_topo_place(t, PB_PLACE_COMPACT, 2 * n + 1, slots, err,
				       sizeof(err)), 0);
	for (unsigned int i = 0; i < 2 * n + 1; i++)
		assert_int_equal(slots[i], slots[i % n]);
	assert_int_equal(pb_topo_bind_self(t, n - 1, err, sizeof(err)), 0);
	assert_int_equal(sched_getcpu(), pb_topo_os_index(t, n - 1));
	assert_int_equal(pb_topo_bind_self(t, n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no PU"));
	pb_topo_destroy(t);
}

static int cli(struct pb_run_opts *o, char *err, ...)
{
	char *argv[32];
	int argc = 0, rc;
	va_list ap;

	argv[argc++] = "run";
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	rc = pb_cli_parse_run(argc, argv, o, err, 512);
	return rc;
}

static void cli_parses_lists_and_params(void **state)
{
	struct pb_run_opts o;
	char err[512];

	(void)state;
	assert_int_equal(cli(&o, err, "--threads", "1,all,pow2", "--size", "8,64",
			     "--mode", "shared,exclusive,shared", "--param",
			     "mutex-mempool.alloc=may-block,atomic", "--param",
			     "n=1,4K", "--quick", NULL), 0);
	assert_int_equal(o.nr_threads, 3);
	assert_int_equal(o.threads[1], PB_THREADS_ALL);
	assert_int_equal(o.threads[2], PB_THREADS_POW2);
	assert_int_equal(o.nr_sizes, 2);
	assert_int_equal(o.nr_modes, 2);
	assert_int_equal(o.nr_params, 2);
	assert_string_equal(o.params[0].scope, "mutex-mempool");
	assert_string_equal(o.params[0].key, "alloc");
	assert_int_equal(o.params[0].nr_values, 2);
	assert_null(o.params[1].scope);
	assert_int_equal(o.reps, 2);
	pb_cli_free(&o);

	assert_int_equal(cli(&o, err, "--reps", "7", "--quick", NULL), 0);
	assert_int_equal(o.reps, 7);
	pb_cli_free(&o);
	assert_int_equal(cli(&o, err, "--param", ".n=3", NULL), -1);
	assert_non_null(strstr(err, "empty scope or key"));
	pb_cli_free(&o);
	assert_int_equal(cli(&o, err, "stray", NULL), -1);
	assert_non_null(strstr(err, "unexpected argument 'stray'"));
	pb_cli_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_defaults_and_values),
		cmocka_unit_test(options_refusals),
		cmocka_unit_test(registry_refuses_incomplete_backends),
		cmocka_unit_test(registry_fills_defaults),
		cmocka_unit_test(registry_orders_by_rank_then_name),
		cmocka_unit_test(jsonw_escapes_and_nests),
		cmocka_unit_test(placement_compact_scatter_wrap),
		cmocka_unit_test(cli_parses_lists_and_params),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
