// SPDX-License-Identifier: GPL-2.0-only
/*
 * handover.c - setting up and tearing down the remote-free workload's
 * hand-over queue (handover.h); the queue operations are inline there.
 */
#include <stdlib.h>
#include <string.h>

#include "workloads/handover.h"

int pb_handover_init(struct pb_handover *ho, size_t size)
{
	memset(ho, 0, sizeof(*ho));
	if (!size || (size & (size - 1)))
		return -1;
	ho->slots = calloc(size, sizeof(*ho->slots));
	if (!ho->slots)
		return -1;
	ho->mask = size - 1;
	return 0;
}

void pb_handover_destroy(struct pb_handover *ho)
{
	free(ho->slots);
	ho->slots = NULL;
}
