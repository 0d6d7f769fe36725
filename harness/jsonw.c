// SPDX-License-Identifier: GPL-2.0-only
/*
 * jsonw.c - a minimal streaming JSON writer (see jsonw.h).
 */
#include <inttypes.h>
#include <math.h>

#include "harness/jsonw.h"

void pb_jw_init(struct pb_jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->first[0] = true;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator, indentation and "key": before a value. */
static void lead(struct pb_jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth])
			fputc(',', w->f);
		fputc('\n', w->f);
		for (int i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	w->first[w->depth] = false;
	if (key) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void open_(struct pb_jw *w, const char *key, char c)
{
	lead(w, key);
	fputc(c, w->f);
	if (w->depth + 1 < PB_JW_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct pb_jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty) {
		fputc('\n', w->f);
		for (int i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(c, w->f);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void pb_jw_obj_begin(struct pb_jw *w, const char *key)
{
	open_(w, key, '{');
}

void pb_jw_obj_end(struct pb_jw *w)
{
	close_(w, '}');
}

void pb_jw_arr_begin(struct pb_jw *w, const char *key)
{
	open_(w, key, '[');
}

void pb_jw_arr_end(struct pb_jw *w)
{
	close_(w, ']');
}

void pb_jw_str(struct pb_jw *w, const char *key, const char *val)
{
	lead(w, key);
	if (val)
		put_string(w->f, val);
	else
		fputs("null", w->f);
}

void pb_jw_num(struct pb_jw *w, const char *key, double val)
{
	lead(w, key);
	if (isfinite(val))
		fprintf(w->f, "%.17g", val);
	else
		fputs("null", w->f);
}

void pb_jw_int(struct pb_jw *w, const char *key, int64_t val)
{
	lead(w, key);
	fprintf(w->f, "%" PRId64, val);
}

void pb_jw_bool(struct pb_jw *w, const char *key, bool val)
{
	lead(w, key);
	fputs(val ? "true" : "false", w->f);
}

void pb_jw_null(struct pb_jw *w, const char *key)
{
	lead(w, key);
	fputs("null", w->f);
}
