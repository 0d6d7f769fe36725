/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jsonw.h - a minimal streaming JSON writer (objects, arrays, scalars).
 *
 * Keys are given for members of an object and NULL for elements of an
 * array. Strings are escaped; a non-finite number is written as null (JSON
 * has no NaN). One writer per thread; nesting up to PB_JW_DEPTH.
 */
#ifndef PB_HARNESS_JSONW_H
#define PB_HARNESS_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PB_JW_DEPTH 16

struct pb_jw {
	FILE *f;
	int depth;
	bool first[PB_JW_DEPTH];
};

void pb_jw_init(struct pb_jw *w, FILE *f);
void pb_jw_obj_begin(struct pb_jw *w, const char *key);
void pb_jw_obj_end(struct pb_jw *w);
void pb_jw_arr_begin(struct pb_jw *w, const char *key);
void pb_jw_arr_end(struct pb_jw *w);
void pb_jw_str(struct pb_jw *w, const char *key, const char *val);
void pb_jw_num(struct pb_jw *w, const char *key, double val);
void pb_jw_int(struct pb_jw *w, const char *key, int64_t val);
void pb_jw_bool(struct pb_jw *w, const char *key, bool val);
void pb_jw_null(struct pb_jw *w, const char *key);

#endif /* PB_HARNESS_JSONW_H */
