// SPDX-License-Identifier: GPL-2.0-only
/*
 * gbjson.c - an isolated run's merged bench.json (gbjson.h).
 *
 * Google Benchmark writes {"context": {...}, "benchmarks": [...]}, the
 * array last. The merge copies the first unit's context and splices the
 * array bodies of every finished unit as text, changing only what must
 * change for the entries to live in one file: an interleaved child's
 * repetition index (it ran one repetition, its own index 0) and the
 * repeats:1 of its names, and a peer's `malloc/` name prefix.
 *
 * Part of the isolated executor; called by isolate.c, calls reps.c and
 * results.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/gbjson.h"
#include "harness/reps.h"
#include "harness/results.h"

/* @s with every @from made @to: a new string (the old one freed). */
static char *replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), len = 0;
	char *out = NULL, *p = s, *hit;
	FILE *m = open_memstream(&out, &len);

	if (!m) {
		perror("poolbench");
		exit(1);
	}
	while ((hit = strstr(p, from))) {
		fwrite(p, 1, (size_t)(hit - p), m);
		fputs(to, m);
		p = hit + fl;
	}
	fputs(p, m);
	fclose(m);
	free(s);
	return out;
}

/*
 * Cut @text into its context object and its benchmarks' body (between the
 * array's brackets, blanks trimmed). Return: false if it is not Google
 * Benchmark's layout.
 */
static bool cut(char *text, const char **ctx, size_t *ctx_len, char **body)
{
	char *c = strstr(text, "\"context\":");
	char *b = strstr(text, "\"benchmarks\": [");
	char *close, *end;

	if (!c || !b || b < c)
		return false;
	close = b;
	while (close > c && *close != '}')
		close--;
	end = strrchr(b, ']');
	if (close == c || !end)
		return false;
	*ctx = c;
	*ctx_len = (size_t)(close - c) + 1;
	b += strlen("\"benchmarks\": [");
	while (b < end && (*b == '\n' || *b == ' '))
		b++;
	while (end > b && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	*end = '\0';
	*body = b;
	return true;
}

/* Unit @u's entries, as they go into the merged file (NULL: none). */
static char *unit_entries(const struct pb_iso *s, const struct pb_group *g,
			  const struct pb_unit *u, FILE *out, bool *context)
{
	char name[300], path[4800], *text, *body, *entries;
	const char *ctx;
	size_t ctx_len;

	pb_unit_name(g, u, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/parts/%s/bench.json", s->r->dir, name);
	text = pb_read_file(path, NULL);
	if (!text)
		return NULL;
	if (!cut(text, &ctx, &ctx_len, &body) || !*body) {
		free(text);
		return NULL;
	}
	if (!*context) {
		fputs("{\n  ", out);
		fwrite(ctx, 1, ctx_len, out);
		fputs(",\n  \"benchmarks\": [\n", out);
		*context = true;
	}
	entries = strdup(body);
	free(text);
	if (!entries) {
		perror("poolbench");
		exit(1);
	}
	if (u->rep >= 0) {
		char idx[64], reps[64];

		snprintf(idx, sizeof(idx), "\"repetition_index\": %d,", u->rep);
		entries = replace_all(entries, "\"repetition_index\": 0,", idx);
		snprintf(reps, sizeof(reps), "/repeats:%d/", s->r->opts->reps);
		entries = replace_all(entries, "/repeats:1/", reps);
	}
	/* A peer's entries by its label; a machine comparison's by machine. */
	if (g->peer || g->machine) {
		char from[160], to[200];

		snprintf(from, sizeof(from), "\"name\": \"%s/", g->backend->name);
		snprintf(to, sizeof(to), "\"name\": \"%s%s%s/", g->label,
			 g->machine ? "@" : "", g->machine ? g->machine : "");
		entries = replace_all(entries, from, to);
		snprintf(from, sizeof(from), "\"run_name\": \"%s/", g->backend->name);
		snprintf(to, sizeof(to), "\"run_name\": \"%s%s%s/", g->label,
			 g->machine ? "@" : "", g->machine ? g->machine : "");
		entries = replace_all(entries, from, to);
	}
	return entries;
}

int pb_gbjson_merge(const struct pb_iso *s, char *err, size_t errlen)
{
	struct pb_pending p;
	bool context = false, first = true;

	if (!pb_pending_open(&p, s->r->dir, "bench.json")) {
		snprintf(err, errlen, "%.900s: %s", p.tmp, strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < s->ng; k++) {
		const struct pb_group *g = &s->g[k];

		for (int i = 0; i < g->nu; i++) {
			char *entries;

			if (g->u[i].state != PB_GROUP_DONE)
				continue;
			entries = unit_entries(s, g, &g->u[i], p.f, &context);
			if (!entries)
				continue;
			fputs(first ? "    " : ",\n    ", p.f);
			fputs(entries, p.f);
			first = false;
			free(entries);
		}
	}
	if (!context) {
		fclose(p.f);
		unlink(p.tmp);
		return 0;
	}
	fputs("\n  ]\n}\n", p.f);
	return pb_pending_commit(&p, err, errlen);
}
