// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - names, kinds and descriptions of the statistics in stats.h.
 */
#include "stats.h"

static const struct {
	const char *name;
	enum pb_stat_kind kind;
	const char *desc;
} stat_info[PB_STAT__COUNT] = {
#define PB_STAT_INFO(n, k, d) [PB_STAT_##n] = { #n, k, d },
	PB_STAT_LIST(PB_STAT_INFO)
#undef PB_STAT_INFO
};

const char *pb_stat_name(enum pb_stat_id id)
{
	return stat_info[id].name;
}

const char *pb_stat_description(enum pb_stat_id id)
{
	return stat_info[id].desc;
}

enum pb_stat_kind pb_stat_kind(enum pb_stat_id id)
{
	return stat_info[id].kind;
}
