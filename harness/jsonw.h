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

/**
 * pb_jw_init() - start a writer
 * @w: the writer
 * @f: the stream it writes to
 */
void pb_jw_init(struct pb_jw *w, FILE *f);

/**
 * pb_jw_obj_begin() - open an object
 * @w: the writer
 * @key: its member name in the enclosing object, or NULL in an array or
 *       at the top
 */
void pb_jw_obj_begin(struct pb_jw *w, const char *key);

/**
 * pb_jw_obj_end() - close the innermost object
 * @w: the writer
 */
void pb_jw_obj_end(struct pb_jw *w);

/**
 * pb_jw_arr_begin() - open an array
 * @w: the writer
 * @key: its member name, or NULL in an array or at the top
 */
void pb_jw_arr_begin(struct pb_jw *w, const char *key);

/**
 * pb_jw_arr_end() - close the innermost array
 * @w: the writer
 */
void pb_jw_arr_end(struct pb_jw *w);

/**
 * pb_jw_str() - write a string, escaped
 * @w: the writer
 * @key: its member name, or NULL in an array
 * @val: the string; NULL writes null
 */
void pb_jw_str(struct pb_jw *w, const char *key, const char *val);

/**
 * pb_jw_num() - write a number
 * @w: the writer
 * @key: its member name, or NULL in an array
 * @val: the value; NaN and infinities are written as null
 */
void pb_jw_num(struct pb_jw *w, const char *key, double val);

/**
 * pb_jw_int() - write an integer, exactly
 * @w: the writer
 * @key: its member name, or NULL in an array
 * @val: the value
 */
void pb_jw_int(struct pb_jw *w, const char *key, int64_t val);

/**
 * pb_jw_bool() - write true or false
 * @w: the writer
 * @key: its member name, or NULL in an array
 * @val: the value
 */
void pb_jw_bool(struct pb_jw *w, const char *key, bool val);

/**
 * pb_jw_null() - write null
 * @w: the writer
 * @key: its member name, or NULL in an array
 */
void pb_jw_null(struct pb_jw *w, const char *key);

#endif /* PB_HARNESS_JSONW_H */
