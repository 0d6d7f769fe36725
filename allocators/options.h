/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * options.h - typed key=value options for backends and workload parameters.
 *
 * A backend (or workload) declares a table of struct pb_option_spec,
 * terminated by an entry whose key is NULL. pb_options_parse() turns the
 * user's key=value pairs into one uint64_t per table entry (the default where
 * a key was not given; the index into choices[] for an enum), and refuses an
 * unknown key or a bad value with a message that names the valid ones.
 */
#ifndef PB_ALLOCATORS_OPTIONS_H
#define PB_ALLOCATORS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct pb_kv {
	const char *key;
	const char *value;
};

enum pb_opt_type {
	PB_OPT_UINT,	/* decimal integer in [min, max]; K/M/G suffixes allowed */
	PB_OPT_ENUM,	/* one of choices[], a NULL-terminated list */
	PB_OPT_NAME,	/* a non-empty name the owner checks (a backend name) */
};

/*
 * For PB_OPT_NAME the parsed value is a const char * stored in the uint64_t
 * (pb_option_name() reads it back) and def_name is the default.
 */
struct pb_option_spec {
	const char *key;
	enum pb_opt_type type;
	uint64_t def;
	uint64_t min;
	uint64_t max;
	const char *const *choices;
	const char *help;
	const char *def_name;
	/*
	 * Workload parameters only: the values swept when the user gives no
	 * --param for this key (NULL-terminated; NULL: just the default).
	 * million sweeps its three free orders this way.
	 */
	const char *const *sweep;
};

/**
 * pb_option_name() - the name a parsed PB_OPT_NAME value holds
 * @v: the value
 *
 * Return: the name.
 */
static inline const char *pb_option_name(uint64_t v)
{
	return (const char *)(uintptr_t)v;
}

/**
 * pb_option_default() - the default of an option as a parsed value
 * @s: the option
 *
 * Return: def, or def_name for a PB_OPT_NAME option.
 */
static inline uint64_t pb_option_default(const struct pb_option_spec *s)
{
	return s->type == PB_OPT_NAME ? (uint64_t)(uintptr_t)s->def_name : s->def;
}

/**
 * pb_options_count() - the entries of an option table
 * @spec: the table, terminated by a NULL key; may be NULL
 *
 * Return: how many options it has (0 for NULL).
 */
size_t pb_options_count(const struct pb_option_spec *spec);

/**
 * pb_options_find() - an option by key
 * @spec: the table; may be NULL
 * @key: the key
 *
 * Return: its index in @spec, or -1.
 */
int pb_options_find(const struct pb_option_spec *spec, const char *key);

/**
 * pb_options_parse() - parse the user's key=value pairs against a table
 * @spec: option table (may be NULL: no option is then valid)
 * @kv: the user's pairs
 * @n: how many
 * @out: one value per spec entry, defaults where a key is absent
 * @owner: name used in messages ("mutex-mempool")
 * @err: receives a one-line message on error (an unknown key names the
 *       valid ones)
 * @errlen: size of @err
 *
 * Return: 0, or -1 with the message in @err.
 */
int pb_options_parse(const struct pb_option_spec *spec, const struct pb_kv *kv,
		     size_t n, uint64_t *out, const char *owner, char *err,
		     size_t errlen);

/**
 * pb_option_parse_value() - parse one value of one option
 * @s: the option
 * @value: the text
 * @out: receives the parsed value
 * @owner: name used in messages
 * @err: receives a one-line message on error
 * @errlen: size of @err
 *
 * Return: 0, or -1 with the message in @err.
 */
int pb_option_parse_value(const struct pb_option_spec *s, const char *value,
			  uint64_t *out, const char *owner, char *err,
			  size_t errlen);

/**
 * pb_options_keys() - the keys of a table, "a, b, c", for messages
 * @spec: the table; may be NULL
 * @buf: receives the list
 * @len: size of @buf
 */
void pb_options_keys(const struct pb_option_spec *spec, char *buf, size_t len);

/**
 * pb_option_format() - a parsed value as the user writes it ("64", "atomic")
 * @s: the option
 * @v: the value
 * @buf: receives the text
 * @len: size of @buf
 */
void pb_option_format(const struct pb_option_spec *s, uint64_t v, char *buf,
		      size_t len);

#endif /* PB_ALLOCATORS_OPTIONS_H */
