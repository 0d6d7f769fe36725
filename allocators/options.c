// SPDX-License-Identifier: GPL-2.0-only
/*
 * options.c - parsing of typed key=value options (see options.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

size_t pb_options_count(const struct pb_option_spec *spec)
{
	size_t n = 0;

	while (spec && spec[n].key)
		n++;
	return n;
}

int pb_options_find(const struct pb_option_spec *spec, const char *key)
{
	for (size_t i = 0; spec && spec[i].key; i++)
		if (!strcmp(spec[i].key, key))
			return (int)i;
	return -1;
}

void pb_options_keys(const struct pb_option_spec *spec, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; spec && spec[i].key && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", spec[i].key);
	if (!spec || !spec[0].key)
		snprintf(buf, len, "none");
}

static void choices_list(const struct pb_option_spec *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; s->choices[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "|" : "", s->choices[i]);
}

/* Decimal integer with an optional K/M/G (binary) suffix; no sign, no junk. */
static int parse_u64(const char *str, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!*str || *str < '0' || *str > '9')
		return -1;
	errno = 0;
	v = strtoull(str, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		mul = UINT64_C(1) << 10;
	else if (*end == 'M' || *end == 'm')
		mul = UINT64_C(1) << 20;
	else if (*end == 'G' || *end == 'g')
		mul = UINT64_C(1) << 30;
	if (mul != 1)
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

int pb_option_parse_value(const struct pb_option_spec *s, const char *value,
			  uint64_t *out, const char *owner, char *err,
			  size_t errlen)
{
	char buf[256];

	if (s->type == PB_OPT_NAME) {
		if (!*value) {
			snprintf(err, errlen, "%s: option %s: empty name", owner,
				 s->key);
			return -1;
		}
		*out = (uint64_t)(uintptr_t)value;
		return 0;
	}
	if (s->type == PB_OPT_ENUM) {
		for (uint64_t i = 0; s->choices[i]; i++) {
			if (!strcmp(s->choices[i], value)) {
				*out = i;
				return 0;
			}
		}
		choices_list(s, buf, sizeof(buf));
		snprintf(err, errlen, "%s: option %s=%s: expected one of %s",
			 owner, s->key, value, buf);
		return -1;
	}
	if (parse_u64(value, out) || *out < s->min || *out > s->max) {
		snprintf(err, errlen,
			 "%s: option %s=%s: expected an integer in [%" PRIu64
			 ", %" PRIu64 "]",
			 owner, s->key, value, s->min, s->max);
		return -1;
	}
	return 0;
}

int pb_options_parse(const struct pb_option_spec *spec, const struct pb_kv *kv,
		     size_t n, uint64_t *out, const char *owner, char *err,
		     size_t errlen)
{
	char keys[512];

	for (size_t i = 0; spec && spec[i].key; i++)
		out[i] = pb_option_default(&spec[i]);
	for (size_t i = 0; i < n; i++) {
		int idx = pb_options_find(spec, kv[i].key);

		if (idx < 0) {
			pb_options_keys(spec, keys, sizeof(keys));
			snprintf(err, errlen,
				 "%s: unknown option '%s' (valid: %s)", owner,
				 kv[i].key, keys);
			return -1;
		}
		if (pb_option_parse_value(&spec[idx], kv[i].value, &out[idx],
					  owner, err, errlen))
			return -1;
	}
	return 0;
}

void pb_option_format(const struct pb_option_spec *s, uint64_t v, char *buf,
		      size_t len)
{
	if (s->type == PB_OPT_ENUM)
		snprintf(buf, len, "%s", s->choices[v]);
	else if (s->type == PB_OPT_NAME)
		snprintf(buf, len, "%s", pb_option_name(v));
	else
		snprintf(buf, len, "%" PRIu64, v);
}
