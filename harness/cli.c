// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli.c - parsing of the `poolbench run` command line (see cli.h).
 *
 * Called by main.c; calls nothing else of the harness.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli.h"

void pb_cli_usage(FILE *f)
{
	fputs(
"usage: poolbench list\n"
"       poolbench run [options]\n"
"       poolbench compare A B [options]\n"
"       poolbench --help\n"
"\n"
"list     print every registered backend and workload, with its options.\n"
"run      run the cross product backends x workloads x modes x threads x\n"
"         sizes x parameter values, and write a new results folder.\n"
"compare  compare two stored results folders, benchmark by benchmark: the\n"
"         change of the median, the Mann-Whitney U test, a verdict\n"
"         (scripts/compare/compare.py; its options: compare --help;\n"
"         docs/compare.md).\n"
"\n"
"run options (lists are comma-separated):\n"
"  --backends a,b        backends to run (default: all). The null baseline\n"
"                        always runs too: it is the harness's own cost.\n"
"  --workloads x,y       workloads to run (default: all).\n"
"  --threads LIST        thread counts: integers, 'all' (every allowed PU),\n"
"                        'pow2' (1,2,4,... and all). Default: 1, and\n"
"                        1,2,...,all for the scaling workload.\n"
"  --placement P         compact (PUs in logical order, default) or scatter\n"
"                        (spread over packages and cores first).\n"
"  --oversubscribe       allow more threads than PUs; such runs are\n"
"                        shared or rseq (exclusive ones become shared).\n"
"  --size LIST           object sizes in bytes (default: 64; million:\n"
"                        4,16,64,256,1024).\n"
"  --align BYTES         object alignment, a power of two; 0 = malloc's own\n"
"                        (default: 0).\n"
"  --mode LIST           exclusive (one pinned worker per CPU, per-CPU state\n"
"                        unprotected), shared (per-CPU state protected by a\n"
"                        lock word) and/or rseq (unpinned workers, per-CPU\n"
"                        state of the CPU they are on, through restartable\n"
"                        sequences). Default: exclusive.\n"
"  --param [S.]K=V[,V]   a backend option or workload parameter; S (a backend\n"
"                        or workload name) limits it to that one; several\n"
"                        values sweep. Repeatable. See 'poolbench list'.\n"
"  --reps N              repetitions of every benchmark (default: 5); the\n"
"                        results hold each one and median, mean, min, max,\n"
"                        stddev and cv over them.\n"
"  --min-time SECONDS    minimum time of one repetition (default: 0.5).\n"
"  --quick               smoke run: --reps 2 --min-time 0.01 unless given.\n"
"  --latency             a latency run: each alloc and free timed apart\n"
"                        (rdtsc, or clock_gettime), percentiles per row and\n"
"                        latency.csv; no ns_per_op (probes inside). Only\n"
"                        the workloads with a latency kernel run\n"
"                        (fastpath-reuse, ring-cleanup, remote-free).\n"
"  --counters C          auto (hardware counters if the machine has a PMU,\n"
"                        else software ones; default), hw, sw, or off.\n"
"  --out DIR             results folder (must not exist or be empty; default:\n"
"                        results/<host>/<UTC timestamp>/).\n"
"  --isolate             run every backend x workload in its own child\n"
"                        process with a time limit: a crash, hang or failure\n"
"                        is recorded as failed and the run goes on; finished\n"
"                        groups are merged into results.csv as they end.\n"
"  --group-timeout S     with --isolate: kill a group after S seconds\n"
"                        (default: 120 + 4 x its estimate + the limit_s of\n"
"                        its million cases).\n"
"  --peers LIST|none     with --isolate: general allocators the malloc\n"
"                        backend also runs under (LD_PRELOAD), each as\n"
"                        malloc:<name>: jemalloc, tcmalloc, mimalloc.\n"
"                        Default: every one installed.\n"
"  --interleave on|off   run repetition k of every benchmark before\n"
"                        repetition k+1 of any (default: on). With\n"
"                        --isolate: one child per group and repetition,\n"
"                        the groups in rotating order; in process: Google\n"
"                        Benchmark's random interleaving.\n"
"  --executor E          with --isolate: where the groups run: local (this\n"
"                        machine, one after the other; default) or slurm\n"
"                        (one Slurm job array, a task per group, each on a\n"
"                        node of its own: sbatch --exclusive; the results\n"
"                        folder must be on a filesystem the nodes share).\n"
"  --partitions P[,P..]  with --executor slurm: the partition to run in\n"
"                        (default: the cluster's default); several: the\n"
"                        plan once on each, a machine column tells them.\n"
"  --account A           with --executor slurm: sbatch --account.\n"
"  --sbatch-args 'ARGS'  with --executor slurm: more sbatch flags, split on\n"
"                        blanks (no quoting), e.g. '--qos=long'.\n"
"  --resume DIR          finish the isolated run in DIR (interrupted): its\n"
"                        own command line is reused, finished groups are\n"
"                        kept. No other option may be given.\n"
"  -h, --help            this text.\n"
"\n"
"Exit status: 0 all benchmarks ran; 1 some benchmark failed (recorded in the\n"
"results); 2 bad command line or configuration.\n", f);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("poolbench");
		exit(1);
	}
	return d;
}

/* Split @arg on commas into @items (strdup'ed); empty items are refused. */
static int split_list(const char *flag, const char *arg, char **items,
		      size_t *n, char *err, size_t errlen)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;
	size_t len = strlen(arg);

	*n = 0;
	if (!len || arg[0] == ',' || arg[len - 1] == ',' || strstr(arg, ",,")) {
		snprintf(err, errlen, "%s: empty item in list '%s'", flag, arg);
		free(copy);
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == PB_CLI_MAX_LIST) {
			snprintf(err, errlen, "%s: more than %d items", flag,
				 PB_CLI_MAX_LIST);
			free(copy);
			return -1;
		}
		items[(*n)++] = xstrdup(tok);
	}
	free(copy);
	return 0;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_threads(const char *arg, struct pb_run_opts *o, char *err,
			 size_t errlen)
{
	char *items[PB_CLI_MAX_LIST];
	size_t n;
	int rc = 0;

	if (split_list("--threads", arg, items, &n, err, errlen))
		return -1;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t v;

		if (!strcmp(items[i], "all")) {
			o->threads[i] = PB_THREADS_ALL;
		} else if (!strcmp(items[i], "pow2")) {
			o->threads[i] = PB_THREADS_POW2;
		} else if (parse_size(items[i], &v) || v < 1 || v > 4096) {
			snprintf(err, errlen,
				 "--threads: '%s' is not a thread count (1..4096, "
				 "'all' or 'pow2')", items[i]);
			rc = -1;
		} else {
			o->threads[i] = (unsigned int)v;
		}
	}
	o->nr_threads = rc ? 0 : n;
	free_list(items, n);
	return rc;
}

static int parse_sizes(const char *arg, struct pb_run_opts *o, char *err,
		       size_t errlen)
{
	char *items[PB_CLI_MAX_LIST];
	size_t n;
	int rc = 0;

	if (split_list("--size", arg, items, &n, err, errlen))
		return -1;
	for (size_t i = 0; i < n && !rc; i++) {
		if (parse_size(items[i], &o->sizes[i]) || !o->sizes[i] ||
		    o->sizes[i] > (1u << 30)) {
			snprintf(err, errlen,
				 "--size: '%s' is not a size in bytes (1..1G)",
				 items[i]);
			rc = -1;
		}
	}
	o->nr_sizes = rc ? 0 : n;
	free_list(items, n);
	return rc;
}

static int parse_modes(const char *arg, struct pb_run_opts *o, char *err,
		       size_t errlen)
{
	char *items[PB_CLI_MAX_LIST];
	size_t n;
	int rc = 0;

	if (split_list("--mode", arg, items, &n, err, errlen))
		return -1;
	o->nr_modes = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		enum pb_mode m;

		if (!strcmp(items[i], "exclusive")) {
			m = PB_MODE_EXCLUSIVE;
		} else if (!strcmp(items[i], "shared")) {
			m = PB_MODE_SHARED;
		} else if (!strcmp(items[i], "rseq")) {
			m = PB_MODE_RSEQ;
		} else {
			snprintf(err, errlen,
				 "--mode: unknown mode '%s' (valid: exclusive, "
				 "shared, rseq)",
				 items[i]);
			rc = -1;
			break;
		}
		for (size_t j = 0; j < o->nr_modes; j++)
			if (o->modes[j] == m)
				goto dup;
		o->modes[o->nr_modes++] = m;
dup:;
	}
	free_list(items, n);
	return rc;
}

static int parse_param(const char *arg, struct pb_run_opts *o, char *err,
		       size_t errlen)
{
	const char *eq = strchr(arg, '=');
	struct pb_param *p;
	char *lhs, *dot;

	if (!eq || eq == arg || !eq[1]) {
		snprintf(err, errlen,
			 "--param: '%s' is not [scope.]key=value[,value...]", arg);
		return -1;
	}
	if (o->nr_params == PB_CLI_MAX_LIST) {
		snprintf(err, errlen, "--param: more than %d given", PB_CLI_MAX_LIST);
		return -1;
	}
	p = &o->params[o->nr_params];
	memset(p, 0, sizeof(*p));
	lhs = strndup(arg, (size_t)(eq - arg));
	if (!lhs) {
		perror("poolbench");
		exit(1);
	}
	dot = strrchr(lhs, '.');
	if (dot) {
		*dot = '\0';
		p->scope = xstrdup(lhs);
		p->key = xstrdup(dot + 1);
	} else {
		p->key = xstrdup(lhs);
	}
	free(lhs);
	if (!*p->key || (p->scope && !*p->scope)) {
		snprintf(err, errlen, "--param: '%s': empty scope or key", arg);
		free(p->scope);
		free(p->key);
		return -1;
	}
	if (split_list("--param", eq + 1, p->values, &p->nr_values, err, errlen)) {
		free(p->scope);
		free(p->key);
		return -1;
	}
	o->nr_params++;
	return 0;
}

/* A --progress-* value: a non-negative number, the whole argument. */
static int parse_progress(const char *arg, double *out, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || end == arg || *end || !(*out >= 0)) {
		snprintf(err, errlen, "--progress-*: '%s' is not a number", arg);
		return -1;
	}
	return 0;
}

static void free_params(struct pb_run_opts *o)
{
	for (size_t i = 0; i < o->nr_params; i++) {
		free(o->params[i].scope);
		free(o->params[i].key);
		free_list(o->params[i].values, o->params[i].nr_values);
	}
	o->nr_params = 0;
}

/* --null-probe: one point, the null baseline, whatever else was asked. */
static int probe_plan(struct pb_run_opts *o, char *err, size_t errlen)
{
	free_list(o->backends, o->nr_backends);
	free_list(o->workloads, o->nr_workloads);
	free_params(o);
	o->nr_backends = o->nr_workloads = 0;
	if (split_list("--backends", "null", o->backends, &o->nr_backends, err,
		       errlen) ||
	    split_list("--workloads", "fastpath-reuse", o->workloads,
		       &o->nr_workloads, err, errlen))
		return -1;
	o->threads[0] = 1;
	o->nr_threads = 1;
	o->threads_given = true;
	o->modes[0] = PB_MODE_EXCLUSIVE;
	o->nr_modes = 1;
	o->sizes[0] = 64;
	o->nr_sizes = 1;
	o->sizes_given = true;
	o->align = 0;
	o->placement = PB_PLACE_COMPACT;
	return 0;
}

int pb_cli_parse_run(int argc, char **argv, struct pb_run_opts *o,
		     struct pb_child_opts *child, char *err, size_t errlen)
{
	enum { O_BACKENDS = 256, O_WORKLOADS, O_THREADS, O_PLACEMENT, O_SIZE,
	       O_ALIGN, O_MODE, O_PARAM, O_REPS, O_MINTIME, O_QUICK, O_OVERSUB,
	       O_COUNTERS, O_OUT, O_ISOLATE, O_GROUP_TIMEOUT, O_PEERS,
	       O_RESUME, O_ONLY_BACKEND, O_ONLY_WORKLOAD, O_LABEL,
	       O_EXPECT_MALLOC, O_PROGRESS_DONE, O_PROGRESS_TOTAL, O_PROGRESS_T0,
	       O_PROGRESS_DONE_EST, O_PROGRESS_TOTAL_EST, O_INTERLEAVE, O_REP, O_PROBE,
	       O_LATENCY, O_EXECUTOR, O_PARTITIONS, O_ACCOUNT, O_SBATCH_ARGS,
	       O_MACHINE };
	static const struct option longopts[] = {
		{ "backends", required_argument, NULL, O_BACKENDS },
		{ "workloads", required_argument, NULL, O_WORKLOADS },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "placement", required_argument, NULL, O_PLACEMENT },
		{ "size", required_argument, NULL, O_SIZE },
		{ "align", required_argument, NULL, O_ALIGN },
		{ "mode", required_argument, NULL, O_MODE },
		{ "param", required_argument, NULL, O_PARAM },
		{ "reps", required_argument, NULL, O_REPS },
		{ "min-time", required_argument, NULL, O_MINTIME },
		{ "quick", no_argument, NULL, O_QUICK },
		{ "oversubscribe", no_argument, NULL, O_OVERSUB },
		{ "latency", no_argument, NULL, O_LATENCY },
		{ "counters", required_argument, NULL, O_COUNTERS },
		{ "out", required_argument, NULL, O_OUT },
		{ "isolate", no_argument, NULL, O_ISOLATE },
		{ "group-timeout", required_argument, NULL, O_GROUP_TIMEOUT },
		{ "peers", required_argument, NULL, O_PEERS },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "interleave", required_argument, NULL, O_INTERLEAVE },
		{ "executor", required_argument, NULL, O_EXECUTOR },
		{ "partitions", required_argument, NULL, O_PARTITIONS },
		{ "account", required_argument, NULL, O_ACCOUNT },
		{ "sbatch-args", required_argument, NULL, O_SBATCH_ARGS },
		/* Internal: struct pb_child_opts, set by --isolate for its children. */
		{ "only-backend", required_argument, NULL, O_ONLY_BACKEND },
		{ "only-workload", required_argument, NULL, O_ONLY_WORKLOAD },
		{ "label", required_argument, NULL, O_LABEL },
		{ "machine", required_argument, NULL, O_MACHINE },
		{ "expect-malloc", required_argument, NULL, O_EXPECT_MALLOC },
		{ "rep", required_argument, NULL, O_REP },
		{ "null-probe", no_argument, NULL, O_PROBE },
		{ "progress-done", required_argument, NULL, O_PROGRESS_DONE },
		{ "progress-total", required_argument, NULL, O_PROGRESS_TOTAL },
		{ "progress-t0-ns", required_argument, NULL, O_PROGRESS_T0 },
		{ "progress-done-est", required_argument, NULL, O_PROGRESS_DONE_EST },
		{ "progress-total-est", required_argument, NULL, O_PROGRESS_TOTAL_EST },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct pb_child_progress *pg = &child->progress;
	bool reps_given = false, min_time_given = false;
	double num;
	int c;

	memset(o, 0, sizeof(*o));
	memset(child, 0, sizeof(*child));
	o->threads[0] = 1;
	o->nr_threads = 1;
	o->placement = PB_PLACE_COMPACT;
	o->sizes[0] = 64;
	o->nr_sizes = 1;
	o->modes[0] = PB_MODE_EXCLUSIVE;
	o->nr_modes = 1;
	o->reps = 5;
	o->min_time = 0.5;
	o->counters = PB_PERF_AUTO;
	o->interleave = true;
	child->rep = -1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		char *end;
		int rc = 0;

		switch (c) {
		case O_BACKENDS:
			free_list(o->backends, o->nr_backends);
			rc = split_list("--backends", optarg, o->backends,
					&o->nr_backends, err, errlen);
			break;
		case O_WORKLOADS:
			free_list(o->workloads, o->nr_workloads);
			rc = split_list("--workloads", optarg, o->workloads,
					&o->nr_workloads, err, errlen);
			break;
		case O_THREADS:
			rc = parse_threads(optarg, o, err, errlen);
			o->threads_given = true;
			break;
		case O_PLACEMENT:
			if (!strcmp(optarg, "compact")) {
				o->placement = PB_PLACE_COMPACT;
			} else if (!strcmp(optarg, "scatter")) {
				o->placement = PB_PLACE_SCATTER;
			} else {
				snprintf(err, errlen,
					 "--placement: unknown placement '%s' "
					 "(valid: compact, scatter)", optarg);
				rc = -1;
			}
			break;
		case O_SIZE:
			rc = parse_sizes(optarg, o, err, errlen);
			o->sizes_given = true;
			break;
		case O_ALIGN:
			if (parse_size(optarg, &o->align) ||
			    (o->align & (o->align - 1)) || o->align > 4096) {
				snprintf(err, errlen,
					 "--align: '%s' is not 0 or a power of two "
					 "up to 4096", optarg);
				rc = -1;
			}
			break;
		case O_MODE:
			rc = parse_modes(optarg, o, err, errlen);
			break;
		case O_PARAM:
			rc = parse_param(optarg, o, err, errlen);
			break;
		case O_REPS: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 1000) {
				snprintf(err, errlen,
					 "--reps: '%s' is not an integer in [1, 1000]",
					 optarg);
				rc = -1;
			}
			o->reps = (int)v;
			reps_given = true;
			break;
		}
		case O_MINTIME:
			errno = 0;
			o->min_time = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(o->min_time) ||
			    o->min_time <= 0 || o->min_time > 3600) {
				snprintf(err, errlen,
					 "--min-time: '%s' is not a number of seconds "
					 "in (0, 3600]", optarg);
				rc = -1;
			}
			min_time_given = true;
			break;
		case O_QUICK:
			o->quick = true;
			break;
		case O_OVERSUB:
			o->oversubscribe = true;
			break;
		case O_LATENCY:
			o->latency = true;
			break;
		case O_COUNTERS:
			if (pb_perf_request_parse(optarg, &o->counters)) {
				snprintf(err, errlen,
					 "--counters: unknown choice '%s' (valid: "
					 "auto, hw, sw, off)", optarg);
				rc = -1;
			}
			break;
		case O_OUT:
			if (!*optarg) {
				snprintf(err, errlen, "--out: empty path");
				rc = -1;
			}
			o->out = optarg;
			break;
		case O_ISOLATE:
			o->isolate = true;
			break;
		case O_GROUP_TIMEOUT:
			errno = 0;
			o->group_timeout = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !isfinite(o->group_timeout) || o->group_timeout <= 0 ||
			    o->group_timeout > 7 * 86400) {
				snprintf(err, errlen,
					 "--group-timeout: '%s' is not a number of "
					 "seconds in (0, 604800]", optarg);
				rc = -1;
			}
			break;
		case O_PEERS:
			free_list(o->peers, o->nr_peers);
			o->nr_peers = 0;
			o->peers_given = true;
			if (strcmp(optarg, "none"))
				rc = split_list("--peers", optarg, o->peers,
						&o->nr_peers, err, errlen);
			break;
		case O_RESUME:
			if (!*optarg) {
				snprintf(err, errlen, "--resume: empty path");
				rc = -1;
			}
			o->resume = optarg;
			break;
		case O_INTERLEAVE:
			if (!strcmp(optarg, "on") || !strcmp(optarg, "off")) {
				o->interleave = !strcmp(optarg, "on");
			} else {
				snprintf(err, errlen, "--interleave: unknown choice "
					 "'%s' (valid: on, off)", optarg);
				rc = -1;
			}
			break;
		case O_EXECUTOR:
			if (!strcmp(optarg, "local") || !strcmp(optarg, "slurm")) {
				o->executor = strcmp(optarg, "local") ?
					      PB_EXEC_SLURM : PB_EXEC_LOCAL;
			} else {
				snprintf(err, errlen, "--executor: unknown choice "
					 "'%s' (valid: local, slurm)", optarg);
				rc = -1;
			}
			break;
		case O_PARTITIONS:	/* names: pb_slurm_check() */
			free_list(o->partitions, o->nr_partitions);
			rc = split_list("--partitions", optarg, o->partitions,
					&o->nr_partitions, err, errlen);
			break;
		case O_ACCOUNT:
			o->account = optarg;
			break;
		case O_SBATCH_ARGS:
			o->sbatch_args = optarg;
			break;
		case O_REP: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v >= 1000) {
				snprintf(err, errlen, "--rep: '%s' is not an "
					 "integer in [0, 1000)", optarg);
				rc = -1;
			}
			child->rep = (int)v;
			break;
		}
		case O_PROBE:
			child->probe = true;
			break;
		case O_ONLY_BACKEND:
			child->active = true;
			child->backend = optarg;
			break;
		case O_ONLY_WORKLOAD:
			child->workload = optarg;
			break;
		case O_LABEL:
			child->label = optarg;
			break;
		case O_MACHINE:
			child->machine = optarg;
			break;
		case O_EXPECT_MALLOC:
			child->expect_malloc = optarg;
			break;
		case O_PROGRESS_DONE:
		case O_PROGRESS_TOTAL:
		case O_PROGRESS_T0:
		case O_PROGRESS_DONE_EST:
		case O_PROGRESS_TOTAL_EST:
			rc = parse_progress(optarg, &num, err, errlen);
			pg->given = true;
			if (c == O_PROGRESS_DONE)
				pg->done = (size_t)num;
			else if (c == O_PROGRESS_TOTAL)
				pg->total = (size_t)num;
			else if (c == O_PROGRESS_T0)
				pg->t0_ns = (uint64_t)num;
			else if (c == O_PROGRESS_DONE_EST)
				pg->done_est = num;
			else
				pg->total_est = num;
			break;
		case 'h':
			pb_cli_usage(stdout);
			return 1;
		case ':':
			snprintf(err, errlen, "%s: missing value", argv[optind - 1]);
			rc = -1;
			break;
		default:
			snprintf(err, errlen,
				 "unknown option '%s' (see poolbench --help)",
				 argv[optind - 1]);
			rc = -1;
		}
		if (rc)
			return -1;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see poolbench --help)",
			 argv[optind]);
		return -1;
	}
	/*
	 * A child of an isolated run gets its parent's command line plus
	 * --only-backend and a later --out: it runs its own group, here.
	 */
	if (child->active)
		o->isolate = false;
	else if ((o->group_timeout > 0 || o->peers_given ||
		  o->executor != PB_EXEC_LOCAL) && !o->isolate) {
		snprintf(err, errlen, "%s needs --isolate",
			 o->peers_given ? "--peers" : o->group_timeout > 0 ?
			 "--group-timeout" : "--executor slurm");
		return -1;
	}
	if (!child->active && o->executor != PB_EXEC_SLURM &&
	    (o->nr_partitions || o->account || o->sbatch_args)) {
		snprintf(err, errlen, "%s needs --executor slurm",
			 o->nr_partitions ? "--partitions" : o->account ?
			 "--account" : "--sbatch-args");
		return -1;
	}
	if (o->quick) {
		if (!reps_given)
			o->reps = 2;
		if (!min_time_given)
			o->min_time = 0.01;
	}
	if (child->probe && probe_plan(o, err, errlen))
		return -1;
	if (child->rep >= o->reps) {
		snprintf(err, errlen, "--rep %d: the run has %d repetitions",
			 child->rep, o->reps);
		return -1;
	}
	return 0;
}

void pb_cli_free(struct pb_run_opts *o)
{
	free_list(o->partitions, o->nr_partitions);
	free_list(o->peers, o->nr_peers);
	free_list(o->backends, o->nr_backends);
	free_list(o->workloads, o->nr_workloads);
	free_params(o);
}
