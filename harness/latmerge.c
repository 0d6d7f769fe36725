// SPDX-License-Identifier: GPL-2.0-only
/*
 * latmerge.c - an isolated latency run's latency.csv: every group's
 * histograms, its repetitions summed (latmerge.h).
 *
 * Each child writes the latency.csv of its own folder (probes.c): one
 * line per benchmark, operation and bucket, the count last. The buckets
 * are the same in every process, so the repetitions of a benchmark (one
 * child each in an interleaved run) add up line by line: the lines that
 * agree on everything but the count are one bucket. The merged lines keep
 * the order of the benchmarks' first appearance, then operation, then
 * bucket.
 *
 * Part of the isolated executor; called by merge.c, calls reps.c (the
 * units' folder names) and results.c (the header).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "harness/latmerge.h"
#include "harness/probes.h"
#include "harness/reps.h"
#include "harness/results.h"

/* One line: the benchmark (its point columns), operation, bucket, count. */
struct lat_line {
	char *key;		/* the line but its count, newline cut */
	size_t point_len;	/* its point columns: key[0..point_len) */
	size_t point;		/* order of the point's first appearance */
	int op;			/* 0: alloc, 1: free (as in the line) */
	double low;		/* low_ns */
	uint64_t count;
};

struct lat_lines {
	struct lat_line *l;
	size_t n, cap;
};

/*
 * Cut @text (a latency.csv line, no newline) from the right: its count,
 * low_ns and op. Return: 0, or -1 when the line is not one.
 */
static int parse_line(char *text, struct lat_line *l)
{
	char *c[4];
	size_t len = strlen(text);

	for (int i = 0; i < 4; i++) {
		while (len && text[len - 1] != ',')
			len--;
		if (!len)
			return -1;
		c[i] = text + len;	/* count, high, low, op */
		len--;
	}
	l->point_len = len;
	l->count = strtoull(c[0], NULL, 10);
	l->low = strtod(c[2], NULL);
	l->op = !strncmp(c[3], "free,", 5);
	c[0][-1] = '\0';	/* the key: everything but ",count" */
	l->key = text;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct lat_line *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int by_order(const void *a, const void *b)
{
	const struct lat_line *x = a, *y = b;

	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	if (x->op != y->op)
		return x->op - y->op;
	return (x->low > y->low) - (x->low < y->low);
}

/*
 * Read the lines of @path (after its header) into @ls; the point of a
 * line is numbered at its first appearance (@points, compared with the
 * last few seen). Return: 0 (also when @path does not exist), or -1.
 */
static int read_file(const char *path, struct lat_lines *ls, char ***points,
		     size_t *nr_points)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool header = true;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct lat_line l;
		size_t p;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (header) {
			header = false;
			continue;
		}
		if (parse_line(line, &l))
			continue;
		for (p = *nr_points; p > 0; p--)
			if (strlen((*points)[p - 1]) == l.point_len &&
			    !strncmp((*points)[p - 1], l.key, l.point_len))
				break;
		if (p == 0) {
			char **np = realloc(*points, (*nr_points + 1) * sizeof(*np));

			if (!np)
				goto oom;
			*points = np;
			np[*nr_points] = strndup(l.key, l.point_len);
			if (!np[*nr_points])
				goto oom;
			p = ++*nr_points;
		}
		l.point = p - 1;
		if (ls->n == ls->cap) {
			size_t nc = ls->cap ? 2 * ls->cap : 1024;
			struct lat_line *nl = realloc(ls->l, nc * sizeof(*nl));

			if (!nl)
				goto oom;
			ls->l = nl;
			ls->cap = nc;
		}
		l.key = strdup(l.key);
		if (!l.key)
			goto oom;
		ls->l[ls->n++] = l;
	}
	free(line);
	fclose(f);
	return 0;
oom:
	free(line);
	fclose(f);
	errno = ENOMEM;
	return -1;
}

int pb_lat_merge_group(const struct pb_iso *s, const struct pb_group *g,
		       FILE *out, char *err, size_t errlen)
{
	struct lat_lines ls = { 0 };
	char **points = NULL;
	size_t nr_points = 0, w = 0;
	int rc = 0;

	for (int u = 0; u < g->nu; u++) {
		char name[300], path[4800];

		if (g->u[u].state != PB_GROUP_DONE)
			continue;
		if (g->nu > 1)
			pb_unit_name(g, &g->u[u], name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", g->id);
		snprintf(path, sizeof(path), "%s/parts/%s/latency.csv", s->r->dir,
			 name);
		if (read_file(path, &ls, &points, &nr_points)) {
			snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
			rc = -1;
			goto out;
		}
	}
	/* The same bucket of the same benchmark: one line, counts summed. */
	if (ls.n)
		qsort(ls.l, ls.n, sizeof(*ls.l), by_key);
	for (size_t i = 0; i < ls.n; i++) {
		if (w && !strcmp(ls.l[w - 1].key, ls.l[i].key)) {
			ls.l[w - 1].count += ls.l[i].count;
			if (ls.l[i].point < ls.l[w - 1].point)
				ls.l[w - 1].point = ls.l[i].point;
			free(ls.l[i].key);
			continue;
		}
		ls.l[w++] = ls.l[i];
	}
	if (w)
		qsort(ls.l, w, sizeof(*ls.l), by_order);
	for (size_t i = 0; i < w; i++)
		fprintf(out, "%s,%" PRIu64 "\n", ls.l[i].key, ls.l[i].count);
	ls.n = w;
out:
	for (size_t i = 0; i < ls.n; i++)
		free(ls.l[i].key);
	free(ls.l);
	for (size_t p = 0; p < nr_points; p++)
		free(points[p]);
	free(points);
	return rc;
}
