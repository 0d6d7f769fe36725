// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - names and kinds of the statistics in stats.h.
 */
#include "allocators/stats.h"

static const struct {
	const char *name;
	enum pb_stat_kind kind;
} stat_info[PB_STAT__COUNT] = {
#define PB_STAT_INFO(n, k, d) [PB_STAT_##n] = { #n, k },
	PB_STAT_LIST(PB_STAT_INFO)
#undef PB_STAT_INFO
};

const char *pb_stat_name(enum pb_stat_id id)
{
	return stat_info[id].name;
}

enum pb_stat_kind pb_stat_kind(enum pb_stat_id id)
{
	return stat_info[id].kind;
}
