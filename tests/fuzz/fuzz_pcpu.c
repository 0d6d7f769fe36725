// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_pcpu.c - libFuzzer target: the percpu allocators of the registry
 * against the reference model (tests/common/pcpu_model.h).
 *
 * Input: byte 0 picks the allocator (modulo the registry's count), byte 1
 * the geometry (2..4 units of 8, 16 or 32 KiB); every following PM_REC
 * bytes are one operation (pm_step: allocations, frees, bogus frees,
 * invalid requests, drains and balance() at the points the input says).
 * The input ends with a drain and a balance. A model violation prints the
 * model's message and aborts, so libFuzzer keeps the input as a crash
 * artifact.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "allocators/percpu/pcpu.h"
#include "tests/common/pcpu_model.h"

/* Operations per input at most: keeps one run short. */
#define FUZZ_MAX_OPS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t fuzz_units[] = { 8192, 16384, 0, 0 };

static uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

static void fuzz_die(struct pcpu_model *m)
{
	fprintf(stderr, "fuzz_pcpu: model violation: %s\n", m->err);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcpu_model m;
	size_t nr = pb_pcpu_count(), ops = 0;

	if (!nr) {
		fprintf(stderr, "fuzz_pcpu: no percpu allocator registered\n");
		abort();
	}
	if (size < 2)
		return 0;
	/* The seed labels messages: the input's hash. */
	if (pm_init(&m, pb_pcpu_at(data[0] % nr), 2 + data[1] % 3,
		    fuzz_units[data[1] / 3 % 4], fuzz_hash(data, size)))
		fuzz_die(&m);
	m.max_live = 512;
	m.max_live_bytes = 8 * (uint64_t)m.unit_size;
	for (size_t i = 2; i + PM_REC <= size && ops < FUZZ_MAX_OPS;
	     i += PM_REC, ops++)
		if (pm_step(&m, data + i))
			fuzz_die(&m);
	if (pm_drain(&m, (enum pm_order)(data[1] % PM_ORDER_NR)) || pm_balance(&m))
		fuzz_die(&m);
	pm_fini(&m);
	return 0;
}
