// SPDX-License-Identifier: GPL-2.0-only
/*
 * reps.c - an interleaved group's rows: the run rows its children wrote,
 * one child per repetition, and the aggregates over them (reps.h).
 *
 * The children write ordinary results.csv files; this file reads them as
 * text. A row is matched to its benchmark by the columns before
 * `statistic` (the point and the options), `pus` left out; the columns
 * after `iterations`, but `counter_group` and `error`, are numbers, and an
 * aggregate row holds the statistic of each over the runs that have it.
 *
 * Part of the isolated executor; called by merge.c and isolate.c, calls
 * results.c.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness/reps.h"
#include "harness/results.h"

#define MAX_COLS 160

/* A field of a CSV line: where it starts in the line, and its length. */
struct span {
	size_t at, len;
};

/* A CSV line cut into fields (quoted fields kept with their quotes). */
struct line {
	char *text;
	struct span f[MAX_COLS];
	size_t nf;
};

/* The header's columns this file needs. */
struct cols {
	size_t n, statistic, rep, rep_start, iterations, efficiency, group, error,
	       pus;
};

static void split(struct line *l)
{
	const char *t = l->text;
	size_t i = 0;

	l->nf = 0;
	for (;;) {
		size_t start = i;
		bool quoted = t[i] == '"';

		if (quoted) {
			for (i++; t[i]; i++) {
				if (t[i] == '"' && t[i + 1] == '"')
					i++;
				else if (t[i] == '"') {
					i++;
					break;
				}
			}
		}
		while (t[i] && t[i] != ',')
			i++;
		if (l->nf < MAX_COLS)
			l->f[l->nf++] = (struct span){ start, i - start };
		if (!t[i])
			return;
		i++;
	}
}

static bool field_eq(const struct line *a, const struct line *b, size_t k)
{
	return k < a->nf && k < b->nf && a->f[k].len == b->f[k].len &&
	       !memcmp(a->text + a->f[k].at, b->text + b->f[k].at, a->f[k].len);
}

static bool field_empty(const struct line *l, size_t k)
{
	return k >= l->nf || !l->f[k].len;
}

/* The same benchmark: every column before `statistic` but `pus`. */
static bool same_point(const struct line *a, const struct line *b,
		       const struct cols *c)
{
	for (size_t k = 0; k < c->statistic; k++)
		if (k != c->pus && !field_eq(a, b, k))
			return false;
	return true;
}

static int find_col(const struct line *h, const char *name, size_t *k)
{
	for (size_t i = 0; i < h->nf; i++) {
		if (h->f[i].len == strlen(name) &&
		    !memcmp(h->text + h->f[i].at, name, h->f[i].len)) {
			*k = i;
			return 0;
		}
	}
	return -1;
}

/* The header results.c writes, and where its columns are. */
static int header_cols(struct cols *c, char *err, size_t errlen)
{
	struct line h = { 0 };
	size_t len = 0;
	FILE *m = open_memstream(&h.text, &len);
	int rc = 0;

	if (!m) {
		snprintf(err, errlen, "open_memstream: %s", strerror(errno));
		return -1;
	}
	pb_csv_header(m);
	fclose(m);
	h.text[strcspn(h.text, "\n")] = '\0';
	split(&h);
	c->n = h.nf;
	if (find_col(&h, "statistic", &c->statistic) ||
	    find_col(&h, "rep", &c->rep) ||
	    find_col(&h, "rep_start_s", &c->rep_start) ||
	    find_col(&h, "iterations", &c->iterations) ||
	    find_col(&h, "efficiency", &c->efficiency) ||
	    find_col(&h, "counter_group", &c->group) ||
	    find_col(&h, "error", &c->error) || find_col(&h, "pus", &c->pus) ||
	    c->n >= MAX_COLS) {
		snprintf(err, errlen, "results.csv's header lacks a column the "
			 "merge of repetitions needs");
		rc = -1;
	}
	free(h.text);
	return rc;
}

/* A unit's results.csv (or a partial file), its lines after the header. */
struct file {
	struct line *l;
	size_t n;
};

static int read_lines(const char *path, bool header, struct file *f)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *in = fopen(path, "r");

	f->l = NULL;
	f->n = 0;
	if (!in)
		return -1;
	while ((len = getline(&buf, &cap, in)) > 0) {
		struct line *l;

		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (header) {
			header = false;
			continue;
		}
		f->l = realloc(f->l, (f->n + 1) * sizeof(*f->l));
		if (!f->l) {
			perror("poolbench");
			exit(1);
		}
		l = &f->l[f->n++];
		l->text = strdup(buf);
		if (!l->text) {
			perror("poolbench");
			exit(1);
		}
		split(l);
	}
	free(buf);
	fclose(in);
	return 0;
}

static void free_lines(struct file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->l[i].text);
	free(f->l);
	f->l = NULL;
	f->n = 0;
}

/* A failure row of benchmark @i for repetition @rep, as a line. */
static void failure_line(const struct pb_iso *s, const struct pb_group *g,
			 size_t i, int rep, const char *why, struct line *l)
{
	struct pb_row row;
	size_t len = 0;
	FILE *m = open_memstream(&l->text, &len);

	if (!m) {
		perror("poolbench");
		exit(1);
	}
	pb_row_init(&row, &s->r->inst[g->idx[i]], "run", rep);
	row.error = true;
	snprintf(row.error_message, sizeof(row.error_message), "%.255s", why);
	pb_csv_row(m, s->r, &row, g->label, g->machine);
	fclose(m);
	l->text[strcspn(l->text, "\n")] = '\0';
	split(l);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void put_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.9g", v);
}

static void put_field(FILE *out, const struct line *l, size_t k)
{
	if (k < l->nf)
		fwrite(l->text + l->f[k].at, 1, l->f[k].len, out);
}

static const char *const aggregates[] = { "mean", "median", "stddev", "cv",
					  "min", "max" };

/* Statistic @a of the numbers in column @k of @runs. */
static double aggregate(size_t a, const struct line *const *runs, size_t n,
			size_t k)
{
	double *v = malloc((n + 1) * sizeof(*v)), sum = 0, mean, ss = 0, res;
	size_t m = 0;

	if (!v) {
		perror("poolbench");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		char *end;
		double x;

		if (field_empty(runs[i], k))
			continue;
		x = strtod(runs[i]->text + runs[i]->f[k].at, &end);
		if (isfinite(x))
			v[m++] = x;
	}
	if (!m) {
		free(v);
		return NAN;
	}
	qsort(v, m, sizeof(*v), dbl_cmp);
	for (size_t i = 0; i < m; i++)
		sum += v[i];
	mean = sum / (double)m;
	for (size_t i = 0; i < m; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	switch (a) {
	case 0:
		res = mean;
		break;
	case 1:
		res = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
		break;
	case 2:
		res = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
		break;
	case 3:
		res = m > 1 && mean != 0 ? sqrt(ss / (double)(m - 1)) / mean : NAN;
		break;
	case 4:
		res = v[0];
		break;
	default:
		res = v[m - 1];
	}
	free(v);
	return res;
}

static void write_aggregates(FILE *out, const struct line *const *runs, size_t n,
			     const struct cols *c)
{
	for (size_t a = 0; a < sizeof(aggregates) / sizeof(*aggregates); a++) {
		for (size_t k = 0; k < c->n; k++) {
			if (k)
				fputc(',', out);
			if (k < c->statistic || k == c->group)
				put_field(out, runs[0], k);
			else if (k == c->statistic)
				fputs(aggregates[a], out);
			else if (k == c->iterations)
				fprintf(out, "%zu", n);
			else if (k == c->rep || k == c->rep_start || k == c->error ||
				 (k == c->efficiency && (a == 2 || a == 3)))
				continue;
			else
				put_num(out, aggregate(a, runs, n, k));
		}
		fputc('\n', out);
	}
}

/* The row of benchmark @i in @f: its own line if it matches, else any. */
static const struct line *find_row(const struct file *f, size_t i,
				   const struct line *want, const struct cols *c)
{
	if (i < f->n && same_point(&f->l[i], want, c))
		return &f->l[i];
	for (size_t j = 0; j < f->n; j++)
		if (same_point(&f->l[j], want, c))
			return &f->l[j];
	return NULL;
}

void pb_unit_name(const struct pb_group *g, const struct pb_unit *u, char *buf,
		  size_t len)
{
	if (u->rep < 0)
		snprintf(buf, len, "%s", g->id);
	else
		snprintf(buf, len, "%s/rep-%d", g->id, u->rep);
}

int pb_reps_write_group(const struct pb_iso *s, const struct pb_group *g,
			FILE *out, long *failed, char *err, size_t errlen)
{
	struct file *done = calloc((size_t)g->nu, sizeof(*done));
	struct line *made = calloc((size_t)g->nu, sizeof(*made));
	const struct line **runs = calloc((size_t)g->nu, sizeof(*runs));
	const struct line **ok = calloc((size_t)g->nu, sizeof(*ok));
	bool complete = true;
	struct cols c;
	int rc = 0;

	if (!done || !made || !runs || !ok) {
		perror("poolbench");
		exit(1);
	}
	if (header_cols(&c, err, errlen)) {
		rc = -1;
		goto out;
	}
	for (int u = 0; u < g->nu; u++) {
		char name[300], path[4800];

		complete &= g->u[u].state != PB_GROUP_PENDING;
		if (g->u[u].state != PB_GROUP_DONE)
			continue;
		pb_unit_name(g, &g->u[u], name, sizeof(name));
		snprintf(path, sizeof(path), "%s/parts/%s/results.csv", s->r->dir,
			 name);
		if (read_lines(path, true, &done[u])) {
			snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
			rc = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < g->n; i++) {
		struct line want = { 0 };
		size_t n = 0, nok = 0;

		failure_line(s, g, i, 0, "", &want);
		for (int u = 0; u < g->nu; u++) {
			const struct pb_unit *un = &g->u[u];
			const struct line *row = NULL;
			struct file part = { 0 };
			char name[300], path[4800], why[700];

			if (un->state == PB_GROUP_PENDING)
				continue;
			pb_unit_name(g, un, name, sizeof(name));
			if (un->state == PB_GROUP_DONE) {
				row = find_row(&done[u], i, &want, &c);
				snprintf(why, sizeof(why), "no row for this benchmark "
					 "in parts/%.250s/results.csv", name);
			} else {
				/* What the child finished before it failed. */
				snprintf(path, sizeof(path), "%s/parts/%s/partial/%zu.csv",
					 s->r->dir, name, i);
				if (!read_lines(path, false, &part) && part.n) {
					made[u].text = strdup(part.l[0].text);
					if (!made[u].text) {
						perror("poolbench");
						exit(1);
					}
					split(&made[u]);
					row = &made[u];
				}
				free_lines(&part);
				snprintf(why, sizeof(why), "%.690s", un->reason);
			}
			if (!row) {
				free(made[u].text);
				failure_line(s, g, i, un->rep, why, &made[u]);
				row = &made[u];
			}
			runs[n++] = row;
			if (field_empty(row, c.error))
				ok[nok++] = row;
			else
				(*failed)++;
		}
		for (size_t k = 0; k < n; k++)
			fprintf(out, "%s\n", runs[k]->text);
		if (complete && nok >= 2)
			write_aggregates(out, ok, nok, &c);
		for (int u = 0; u < g->nu; u++) {
			free(made[u].text);
			made[u].text = NULL;
		}
		free(want.text);
	}
out:
	for (int u = 0; u < g->nu; u++)
		free_lines(&done[u]);
	free(done);
	free(made);
	free(runs);
	free(ok);
	return rc;
}

int pb_part_median(const char *path, const char *column, double *v)
{
	struct file f;
	size_t col, stat;
	int rc = -1;

	if (read_lines(path, false, &f))
		return -1;
	if (f.n && !find_col(&f.l[0], column, &col) &&
	    !find_col(&f.l[0], "statistic", &stat)) {
		for (size_t i = 1; i < f.n; i++) {
			const struct line *l = &f.l[i];
			char *end;

			if (field_empty(l, col) || l->f[stat].len != 6 ||
			    memcmp(l->text + l->f[stat].at, "median", 6))
				continue;
			*v = strtod(l->text + l->f[col].at, &end);
			rc = 0;
			break;
		}
	}
	free_lines(&f);
	return rc;
}
