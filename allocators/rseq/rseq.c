// SPDX-License-Identifier: GPL-2.0-only
/*
 * rseq.c - the slow parts of rseq.h: whether restartable sequences can run
 * here, and how many CPU numbers per-CPU state must cover.
 */
#include <stdio.h>
#include <unistd.h>

#include "allocators/rseq/rseq.h"

int pb_rseq_available(char *why, size_t len)
{
	char dummy[1];

	if (!why) {
		why = dummy;
		len = sizeof(dummy);
	}
#if PB_RSEQ_ARCH
	if (!__rseq_size) {
		snprintf(why, len, "rseq: glibc did not register an rseq area "
			 "(__rseq_size is 0: a kernel before 4.18, or "
			 "GLIBC_TUNABLES=glibc.pthread.rseq=0)");
		return 0;
	}
	if ((int32_t)pb_rseq_area()->cpu_id < 0) {
		snprintf(why, len, "rseq: this thread's area holds no CPU number "
			 "(cpu_id %d: registration failed)",
			 (int)(int32_t)pb_rseq_area()->cpu_id);
		return 0;
	}
	return 1;
#else
	snprintf(why, len, "rseq: the critical sections are written for "
		 "x86-64 with glibc 2.35+ (<sys/rseq.h>) only, not this build");
	return 0;
#endif
}

unsigned int pb_rseq_nr_cpu_ids(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned int max = 0, a, b;
	long conf;
	int c;

	/* A list of ranges, "0-3,8-11" or "0": the highest number wins. */
	if (f) {
		for (;;) {
			if (fscanf(f, "%u", &a) != 1)
				break;
			b = a;
			c = fgetc(f);
			if (c == '-') {
				if (fscanf(f, "%u", &b) != 1)
					break;
				c = fgetc(f);
			}
			if (b + 1 > max)
				max = b + 1;
			if (c != ',')
				break;
		}
		fclose(f);
	}
	if (max)
		return max;
	conf = sysconf(_SC_NPROCESSORS_CONF);
	return conf > 0 ? (unsigned int)conf : 1;
}
