// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pcpu_bitmap.c - single-thread semantics of the percpu bitmap
 * allocator (allocators/percpu/bitmap.c) through the general percpu API and
 * its introspection (bitmap.h): alignment and sizes, hints exact after
 * every allocation and never above the truth after a free (short by less
 * than two blocks), chunk creation and release (by balance, never by
 * free), slot relocation (up to the head, down to the tail), ties
 * going to the better-aligned run, the scan_hint skipping a known-too-small
 * hole, frees of unknown handles refused, bad options refused, a seeded
 * random sequence, and 2^20 4-byte objects freed in order, alternating and
 * in reverse. check() runs after every operation (after every phase in the
 * 2^20 case, where a full check per operation would be quadratic). The
 * concurrent behaviour is covered by the conformance and stress suites.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/percpu/pcpu.h"
#include "allocators/percpu/bitmap.h"

#define NR_UNITS 3

/* The allocator under test and the options it was made with. */
struct bt {
	const struct pb_pcpu_ops *ops;
	void *a;
	unsigned int nr_units;
};

/* "k=v;k=v" into @kv (pointing into @buf). Return: how many pairs. */
static size_t parse_opts(const char *opts, char *buf, size_t len,
			 struct pb_kv *kv, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	snprintf(buf, len, "%s", opts ? opts : "");
	for (char *t = strtok_r(buf, ";", &save); t && n < max;
	     t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');

		assert_non_null(eq);
		*eq = '\0';
		kv[n++] = (struct pb_kv){ t, eq + 1 };
	}
	return n;
}

/* create() with @opts; -1 and the message in @err when refused. */
static int bt_try(struct bt *t, unsigned int nr_units, const char *opts,
		  char *err, size_t errlen)
{
	struct pb_kv kv[8];
	char buf[256];
	struct pb_pcpu_config cfg = { .nr_units = nr_units };

	t->ops = pb_pcpu_find(PBM_NAME);
	assert_non_null(t->ops);
	t->nr_units = nr_units;
	cfg.opts = kv;
	cfg.nr_opts = parse_opts(opts, buf, sizeof(buf), kv, 8);
	return t->ops->create(&cfg, &t->a, err, errlen);
}

static void bt_new(struct bt *t, unsigned int nr_units, const char *opts)
{
	char err[256] = "";

	if (bt_try(t, nr_units, opts, err, sizeof(err)))
		fail_msg("create(%s): %s", opts ? opts : "", err);
}

static void bt_check(const struct bt *t)
{
	char err[256] = "";

	if (t->ops->check(t->a, err, sizeof(err)))
		fail_msg("check: %s", err);
}

static struct pbm_chunk_hints hints_of(const struct bt *t, const void *p)
{
	struct pbm_chunk_hints h;

	assert_int_equal(pbm_chunk_hints(t->a, p, &h), 0);
	return h;
}

static struct pbm_block_hints block_of(const struct bt *t, const void *p,
				       int block)
{
	struct pbm_block_hints h;

	assert_int_equal(pbm_block_hints(t->a, p, block, &h), 0);
	return h;
}

/* alloc, then: aligned, zero in every unit, chunk hint exact, check passes. */
static void *bt_alloc(const struct bt *t, size_t size, size_t align)
{
	char *p = t->ops->alloc(t->a, size, align);

	assert_non_null(p);
	if (align)
		assert_int_equal((uintptr_t)p % align, 0);
	for (unsigned int u = 0; u < t->nr_units; u++) {
		char *q = pb_pcpu_ptr(t->ops, t->a, p, u);

		for (size_t i = 0; i < size; i++)
			assert_int_equal(q[i], 0);
	}
	assert_true(hints_of(t, p).exact);
	bt_check(t);
	return p;
}

static void bt_free(const struct bt *t, void *p)
{
	assert_int_equal(t->ops->free(t->a, p), 0);
	bt_check(t);
}

static struct pb_pcpu_stats bt_stats(const struct bt *t)
{
	struct pb_pcpu_stats st;

	t->ops->stats(t->a, &st);
	return st;
}

/* Bit offset of @p from @chunk_first, an object at offset 0 of its chunk. */
static int bit_of(const void *p, const void *chunk_first)
{
	return (int)(((const char *)p - (const char *)chunk_first) / PBM_MIN_ALLOC);
}

static void test_alignment(void **state)
{
	static const size_t sizes[] = { 1, 3, 4, 5, 12, 64, 100, 1000, 4096, 8192 };
	struct bt t;
	void *p[14 * 10];
	size_t n = 0;

	(void)state;
	bt_new(&t, NR_UNITS, NULL);
	for (size_t align = 0; align <= PB_PCPU_PAGE_SIZE; align = align ? 2 * align : 1)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			p[n] = bt_alloc(&t, sizes[i], align);
			for (unsigned int u = 0; u < NR_UNITS; u++)
				memset(pb_pcpu_ptr(t.ops, t.a, p[n], u), 0x5a, sizes[i]);
			n++;
		}
	assert_int_equal(bt_stats(&t).live, n);
	while (n)
		bt_free(&t, p[--n]);
	t.ops->destroy(t.a);
}

static void test_sizes(void **state)
{
	struct bt t;
	struct pb_pcpu_stats st;
	void *p, *q;

	(void)state;
	bt_new(&t, NR_UNITS, NULL);
	assert_null(t.ops->alloc(t.a, 0, 0));
	assert_null(t.ops->alloc(t.a, PB_PCPU_MIN_UNIT_SIZE + 1, 0));
	assert_null(t.ops->alloc(t.a, 8, 12));
	assert_null(t.ops->alloc(t.a, 8, 2 * PB_PCPU_PAGE_SIZE));
	/* Sizes round up to 4 bytes: two 1-byte objects sit 4 bytes apart. */
	p = bt_alloc(&t, 1, 0);
	q = bt_alloc(&t, 1, 0);
	assert_int_equal((char *)q - (char *)p, 4);
	st = bt_stats(&t);
	assert_int_equal(st.live, 2);
	assert_int_equal(st.live_bytes, 8);
	bt_free(&t, p);
	bt_free(&t, q);
	/* The largest allocation is PCPU_MIN_UNIT_SIZE, whatever the unit. */
	p = bt_alloc(&t, PB_PCPU_MIN_UNIT_SIZE, PB_PCPU_PAGE_SIZE);
	assert_int_equal(hints_of(&t, p).free_bytes,
			 PB_PCPU_DFL_UNIT_SIZE - PB_PCPU_MIN_UNIT_SIZE);
	bt_free(&t, p);
	t.ops->destroy(t.a);
	/* In a 32 KiB unit that is the whole chunk. */
	bt_new(&t, NR_UNITS, "unit_size=32768");
	assert_null(t.ops->alloc(t.a, PB_PCPU_MIN_UNIT_SIZE + 1, 0));
	p = bt_alloc(&t, PB_PCPU_MIN_UNIT_SIZE, PB_PCPU_PAGE_SIZE);
	assert_int_equal(hints_of(&t, p).free_bytes, 0);
	assert_int_equal(hints_of(&t, p).slot, 0);
	bt_free(&t, p);
	t.ops->destroy(t.a);
}

/*
 * A free whose run goes on into the previous block leaves the chunk hint
 * short (never above the truth); the next allocation makes it exact.
 */
static void test_hint_after_free(void **state)
{
	struct bt t;
	void *p[16];
	struct pbm_chunk_hints h;

	(void)state;
	/* Four blocks of 16 bits; sixteen 16-byte objects fill the chunk. */
	bt_new(&t, NR_UNITS, "unit_size=4096;block_size=64;chunk_size=256");
	for (int i = 0; i < 16; i++)
		p[i] = bt_alloc(&t, 16, 0);
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 0);
	assert_int_equal(h.slot, 0);
	assert_int_equal(h.first_bit, 64);
	bt_free(&t, p[3]);		/* bits 12..15: end of block 0 */
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 4);
	assert_int_equal(h.contig_start, 12);
	assert_true(h.exact);
	bt_free(&t, p[4]);		/* bits 16..19: joins the run above */
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 4);	/* the true run is 8 */
	assert_int_equal(h.contig_start, 16);	/* the better-aligned one */
	assert_false(h.exact);
	assert_int_equal(h.first_bit, 12);
	/* A request of the whole run is still found (the hint is rebuilt). */
	p[3] = bt_alloc(&t, 4, 0);
	h = hints_of(&t, p[0]);
	assert_int_equal(bit_of(p[3], p[0]), 12);
	assert_int_equal(h.contig_bits, 7);
	assert_true(h.exact);
	bt_free(&t, p[3]);
	for (int i = 0; i < 16; i++)
		if (i != 3 && i != 4)
			bt_free(&t, p[i]);
	t.ops->destroy(t.a);
}

/*
 * The bound check() allows: a run grown at both ends by frees inside its
 * edge blocks, with no allocation between, leaves the hint short by more
 * than one block (less than two). The next allocation rebuilds it.
 */
static void test_hint_short_both_sides(void **state)
{
	struct bt t;
	void *p[64];
	struct pbm_chunk_hints h;

	(void)state;
	bt_new(&t, NR_UNITS, "unit_size=4096;block_size=64;chunk_size=256");
	for (int i = 0; i < 64; i++)
		p[i] = bt_alloc(&t, 4, 0);
	bt_free(&t, p[15]);
	bt_free(&t, p[32]);
	for (int i = 16; i < 32; i++)
		bt_free(&t, p[i]);		/* block 1 free: hint rebuilt */
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 18);
	assert_true(h.exact);
	for (int i = 1; i < 15; i++)
		bt_free(&t, p[i]);		/* block 0: run 1..15 */
	for (int i = 33; i < 47; i++)
		bt_free(&t, p[i]);		/* block 2: run 0..14 */
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 18);	/* the run is 1..46: 46 bits */
	assert_false(h.exact);
	p[1] = bt_alloc(&t, 4, 0);
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 45);
	assert_true(h.exact);
	bt_free(&t, p[1]);
	bt_free(&t, p[0]);
	for (int i = 47; i < 64; i++)
		bt_free(&t, p[i]);
	t.ops->destroy(t.a);
}

/*
 * A chunk is made when nothing fits; free never releases one, even the
 * second to empty; balance releases all empty chunks but one.
 */
static void test_chunks(void **state)
{
	struct bt t;
	char *a[4], *b[4];
	struct pb_pcpu_stats st;
	struct pbm_chunk_hints h;

	(void)state;
	bt_new(&t, NR_UNITS, "unit_size=4096");
	for (int i = 0; i < 4; i++)
		a[i] = bt_alloc(&t, 1024, 0);
	st = bt_stats(&t);
	assert_int_equal(st.chunks, 1);
	assert_int_equal(hints_of(&t, a[0]).slot, 0);
	for (int i = 0; i < 4; i++)
		b[i] = bt_alloc(&t, 1024, 0);
	st = bt_stats(&t);
	assert_int_equal(st.chunks, 2);
	assert_int_equal(st.chunks_created, 2);
	assert_true(st.metadata_bytes > 0);
	/* Unit 1 of a chunk belongs to no chunk: only unit 0 holds handles. */
	assert_int_equal(pbm_chunk_hints(t.a, a[0] + 4096, &h), -1);
	assert_int_equal(pbm_chunk_hints(t.a, b[3], &h), 0);
	/* The first chunk to empty stays ... */
	for (int i = 0; i < 4; i++)
		bt_free(&t, b[i]);
	st = bt_stats(&t);
	assert_int_equal(st.chunks, 2);
	assert_int_equal(st.chunks_empty, 1);
	/* ... and so does the second: free leaves the release to balance. */
	for (int i = 0; i < 4; i++)
		bt_free(&t, a[i]);
	st = bt_stats(&t);
	assert_int_equal(st.chunks, 2);
	assert_int_equal(st.chunks_empty, 2);
	assert_int_equal(st.chunks_released, 0);
	t.ops->balance(t.a);
	bt_check(&t);
	st = bt_stats(&t);
	assert_int_equal(st.chunks, 1);
	assert_int_equal(st.chunks_empty, 1);
	assert_int_equal(st.chunks_released, 1);
	assert_int_equal(st.live, 0);
	/* The spare is the first on the empty slot: the last one emptied. */
	assert_int_equal(pbm_chunk_hints(t.a, a[0], &h), 0);
	assert_int_equal(pbm_chunk_hints(t.a, b[0], &h), -1);
	/* The kept chunk serves again without a new one. */
	a[0] = bt_alloc(&t, 4096, 0);
	assert_int_equal(bt_stats(&t).chunks_created, 2);
	bt_free(&t, a[0]);
	t.ops->destroy(t.a);
}

static bool in_chunk(const void *p, const void *first, int chunk_bytes)
{
	return (const char *)p >= (const char *)first &&
	       (const char *)p < (const char *)first + chunk_bytes;
}

/* Relocation: moving up puts a chunk at the head, moving down at the tail. */
static void test_slots(void **state)
{
	struct bt t;
	char *a[128], *b[128], *p, *q;

	(void)state;
	bt_new(&t, NR_UNITS, "unit_size=4096;block_size=64");
	for (int i = 0; i < 128; i++)
		a[i] = bt_alloc(&t, 32, 0);
	for (int i = 0; i < 128; i++)
		b[i] = bt_alloc(&t, 32, 0);
	assert_false(in_chunk(b[0], a[0], 4096));
	/* A: two 32-byte holes, 64 free: slot 4, contig 8 bits. */
	bt_free(&t, a[0]);
	bt_free(&t, a[2]);
	assert_int_equal(hints_of(&t, a[1]).slot, 4);
	assert_int_equal(hints_of(&t, a[1]).contig_bits, 8);
	/* B: 128 contiguous free bytes: slot 5. */
	for (int i = 0; i < 4; i++)
		bt_free(&t, b[i]);
	assert_int_equal(hints_of(&t, b[4]).slot, 5);
	/* 64 bytes fit only in B, which drops to slot 4, behind A. */
	p = bt_alloc(&t, 64, 0);
	assert_true(in_chunk(p, b[4] - 128, 4096));
	assert_int_equal(hints_of(&t, b[4]).slot, 4);
	q = bt_alloc(&t, 4, 0);
	assert_true(in_chunk(q, a[1] - 32, 4096));
	/* A drops to slot 3; freeing more moves it up to slot 4, ahead of B. */
	assert_int_equal(hints_of(&t, a[1]).slot, 3);
	bt_free(&t, a[4]);
	assert_int_equal(hints_of(&t, a[1]).slot, 4);
	t.ops->free(t.a, q);
	bt_check(&t);
	assert_int_equal(hints_of(&t, a[1]).slot, 4);
	q = bt_alloc(&t, 4, 0);
	assert_true(in_chunk(q, a[1] - 32, 4096));
	bt_free(&t, q);
	bt_free(&t, p);
	for (int i = 0; i < 128; i++) {
		if (i != 0 && i != 2 && i != 4)
			bt_free(&t, a[i]);
		if (i >= 4)
			bt_free(&t, b[i]);
	}
	t.ops->destroy(t.a);
}

/* Equal runs: the block and chunk hints take the better-aligned start. */
static void test_tie_alignment(void **state)
{
	struct bt t;
	void *p[64];
	struct pbm_block_hints bh;
	struct pbm_chunk_hints h;

	(void)state;
	/* Blocks of 16 bits; 64 four-byte objects fill the chunk. */
	bt_new(&t, NR_UNITS, "unit_size=4096;block_size=64;chunk_size=256");
	for (int i = 0; i < 64; i++)
		p[i] = bt_alloc(&t, 4, 0);
	bt_free(&t, p[2]);
	bt_free(&t, p[3]);
	bh = block_of(&t, p[0], 0);
	assert_int_equal(bh.contig_hint, 2);
	assert_int_equal(bh.contig_start, 2);
	bt_free(&t, p[8]);
	bt_free(&t, p[9]);
	bh = block_of(&t, p[0], 0);
	assert_int_equal(bh.contig_hint, 2);
	assert_int_equal(bh.contig_start, 8);
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_bits, 2);
	assert_int_equal(h.contig_start, 8);
	/* The same in the chunk hint: bit 20 does not beat bit 8 ... */
	bt_free(&t, p[20]);
	bt_free(&t, p[21]);
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_start, 8);
	/* ... and bit 32 beats bit 8. */
	bt_free(&t, p[32]);
	bt_free(&t, p[33]);
	h = hints_of(&t, p[0]);
	assert_int_equal(h.contig_start, 32);
	/* First fit still takes the first hole that holds the request. */
	p[2] = bt_alloc(&t, 8, 0);
	assert_int_equal(bit_of(p[2], p[0]), 2);
	for (int i = 0; i < 64; i++)
		if (i != 3 && i != 8 && i != 9 && i != 20 && i != 21 && i != 32 &&
		    i != 33)
			bt_free(&t, p[i]);
	t.ops->destroy(t.a);
}

/* A hole skipped by a scan becomes the scan_hint; the next scan starts past it. */
static void test_scan_hint(void **state)
{
	struct bt t;
	void *p[32], *x, *y, *z, *w;
	struct pbm_block_hints bh;
	struct pbm_counters c0, c1;

	(void)state;
	bt_new(&t, NR_UNITS, "unit_size=4096;block_size=64");
	for (int i = 0; i < 32; i++)
		p[i] = bt_alloc(&t, 4, 0);
	/* Block 0: holes 1, 4..5, 8..10, and 12..15 (its contig). */
	bt_free(&t, p[1]);
	bt_free(&t, p[4]);
	bt_free(&t, p[5]);
	for (int i = 8; i <= 10; i++)
		bt_free(&t, p[i]);
	for (int i = 12; i <= 15; i++)
		bt_free(&t, p[i]);
	/* The run at 12 outgrew the contig run at 8, which became the scan_hint. */
	bh = block_of(&t, p[0], 0);
	assert_int_equal(bh.contig_hint, 4);
	assert_int_equal(bh.contig_start, 12);
	assert_int_equal(bh.scan_hint, 3);
	assert_int_equal(bh.scan_start, 8);
	/* 16 bytes: larger than the scan_hint, so the scan starts past it. */
	pbm_counters(t.a, &c0);
	x = bt_alloc(&t, 16, 0);
	pbm_counters(t.a, &c1);
	assert_int_equal(bit_of(x, p[0]), 12);
	assert_int_equal(c1.scan_skips, c0.scan_skips + 1);
	/* The contig run is gone: the scan_hint run is promoted to it. */
	bh = block_of(&t, p[0], 0);
	assert_int_equal(bh.contig_hint, 3);
	assert_int_equal(bh.contig_start, 8);
	assert_int_equal(bh.scan_hint, 0);
	/* 8 bytes: the scan from bit 1 skips the hole at 1, which is recorded. */
	y = bt_alloc(&t, 8, 0);
	assert_int_equal(bit_of(y, p[0]), 4);
	bh = block_of(&t, p[0], 0);
	assert_int_equal(bh.scan_hint, 1);
	assert_int_equal(bh.scan_start, 1);
	/* The next 8 bytes skip it: no scan of bits 1..2 again. */
	pbm_counters(t.a, &c0);
	z = bt_alloc(&t, 8, 0);
	pbm_counters(t.a, &c1);
	assert_int_equal(bit_of(z, p[0]), 8);
	assert_int_equal(c1.scan_skips, c0.scan_skips + 1);
	/* A request that fits in the scan_hint still scans from first_free. */
	w = bt_alloc(&t, 4, 0);
	assert_int_equal(bit_of(w, p[0]), 1);
	bt_free(&t, w);
	bt_free(&t, x);
	bt_free(&t, y);
	bt_free(&t, z);
	for (int i = 0; i < 32; i++)
		if (i != 1 && i != 4 && i != 5 && (i < 8 || i > 10) && (i < 12 || i > 15))
			bt_free(&t, p[i]);
	t.ops->destroy(t.a);
}

static void test_unknown_frees(void **state)
{
	struct bt t;
	char *p, *q;
	int local;

	(void)state;
	bt_new(&t, NR_UNITS, NULL);
	assert_int_equal(t.ops->free(t.a, NULL), -1);	/* no chunk yet */
	p = bt_alloc(&t, 16, 0);
	q = bt_alloc(&t, 16, 0);
	assert_int_equal(t.ops->free(t.a, NULL), -1);
	assert_int_equal(t.ops->free(t.a, &local), -1);
	assert_int_equal(t.ops->free(t.a, p + 1), -1);	/* misaligned */
	assert_int_equal(t.ops->free(t.a, p + 4), -1);	/* inside */
	assert_int_equal(t.ops->free(t.a, q + 16), -1);	/* free space */
	assert_int_equal(t.ops->free(t.a, pb_pcpu_ptr(t.ops, t.a, p, 1)), -1);
	assert_int_equal(t.ops->free(t.a, p - PB_PCPU_PAGE_SIZE), -1);
	bt_check(&t);
	assert_int_equal(bt_stats(&t).live, 2);
	bt_free(&t, p);
	assert_int_equal(t.ops->free(t.a, p), -1);	/* double free */
	bt_check(&t);
	assert_int_equal(bt_stats(&t).live, 1);
	bt_free(&t, q);
	t.ops->destroy(t.a);
}

static void test_bad_options(void **state)
{
	static const char *const bad[] = {
		"unit_size=5000", "unit_size=1024", "block_size=100", "block_size=32",
		"unit_size=4096;block_size=8192", "chunk_size=6000",
		"chunk_size=524288", "unit_size=8192;block_size=4096;chunk_size=12288",
		"no_such_option=1", "block_size=lots",
	};
	char err[256];
	struct bt t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(bt_try(&t, NR_UNITS, bad[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, PBM_NAME));
		if (!strstr(err, "valid") && !strstr(err, "expected"))
			fail_msg("%s: message names no valid values: %s", bad[i], err);
	}
	assert_int_equal(bt_try(&t, 0, NULL, err, sizeof(err)), -1);
	/* Good ones, defaults spelled out included. */
	bt_new(&t, 1, "unit_size=32768;block_size=4096;chunk_size=0");
	t.ops->destroy(t.a);
	bt_new(&t, 1, "unit_size=65536;block_size=128;chunk_size=8192");
	assert_int_equal(t.ops->unit_size(t.a), 65536);
	assert_null(t.ops->alloc(t.a, 8193, 0));
	bt_free(&t, bt_alloc(&t, 8192, 0));
	t.ops->destroy(t.a);
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

struct live {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

/* Random sizes, alignments and frees; every object tagged in every unit. */
static void random_run(const char *opts, int ops)
{
	enum { MAXLIVE = 300 };
	struct live l[MAXLIVE];
	size_t n = 0;
	struct bt t;

	rnd_state = 0x9e3779b97f4a7c15ull;
	bt_new(&t, NR_UNITS, opts);
	for (int op = 0; op < ops; op++) {
		bool do_alloc = n < MAXLIVE && (!n || rnd() % 100 < 55);

		if (do_alloc) {
			static const size_t aligns[] = { 0, 4, 8, 16, 64, 256, 4096 };
			size_t size = rnd() % 8 ? 1 + rnd() % 64 : 1 + rnd() % 1024;
			size_t align = aligns[rnd() % 7];

			l[n].p = bt_alloc(&t, size, align);
			l[n].size = size;
			l[n].tag = (unsigned char)(op | 1);
			for (unsigned int u = 0; u < NR_UNITS; u++)
				memset(pb_pcpu_ptr(t.ops, t.a, l[n].p, u),
				       l[n].tag + u, size);
			n++;
		} else {
			size_t i = rnd() % n;

			for (unsigned int u = 0; u < NR_UNITS; u++) {
				unsigned char *q = pb_pcpu_ptr(t.ops, t.a, l[i].p, u);

				for (size_t k = 0; k < l[i].size; k++)
					assert_int_equal(q[k], (unsigned char)(l[i].tag + u));
			}
			bt_free(&t, l[i].p);
			l[i] = l[--n];
		}
	}
	assert_int_equal(bt_stats(&t).live, n);
	while (n)
		bt_free(&t, l[--n].p);
	t.ops->balance(t.a);
	bt_check(&t);
	assert_int_equal(bt_stats(&t).chunks, 1);
	t.ops->destroy(t.a);
}

static void test_random_default(void **state)
{
	(void)state;
	random_run(NULL, 3000);
}

static void test_random_small_blocks(void **state)
{
	(void)state;
	random_run("unit_size=8192;block_size=64;chunk_size=4096", 6000);
}

enum free_order { IN_ORDER, ALTERNATING, REVERSE };

/* 2^20 four-byte objects, freed in @order; seconds, not minutes. */
static void million(enum free_order order)
{
	const size_t n = (size_t)1 << 20;
	void **p = malloc(n * sizeof(*p));
	struct bt t;

	assert_non_null(p);
	bt_new(&t, 1, NULL);
	for (size_t i = 0; i < n; i++) {
		p[i] = t.ops->alloc(t.a, 4, 0);
		assert_non_null(p[i]);
	}
	bt_check(&t);
	assert_int_equal(bt_stats(&t).chunks, n * 4 / PB_PCPU_DFL_UNIT_SIZE);
	for (size_t k = 0; k < n; k++) {
		size_t i = order == IN_ORDER ? k : order == REVERSE ? n - 1 - k :
			   k < n / 2 ? 2 * k : 2 * (k - n / 2) + 1;

		assert_int_equal(t.ops->free(t.a, p[i]), 0);
		if (k == n / 2)
			bt_check(&t);
	}
	bt_check(&t);
	assert_int_equal(bt_stats(&t).live, 0);
	/* Free released nothing; balance keeps one of the empty chunks. */
	assert_int_equal(bt_stats(&t).chunks, n * 4 / PB_PCPU_DFL_UNIT_SIZE);
	t.ops->balance(t.a);
	assert_int_equal(bt_stats(&t).chunks, 1);
	t.ops->destroy(t.a);
	free(p);
}

static void test_million_in_order(void **state)
{
	(void)state;
	million(IN_ORDER);
}

static void test_million_alternating(void **state)
{
	(void)state;
	million(ALTERNATING);
}

static void test_million_reverse(void **state)
{
	(void)state;
	million(REVERSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_hint_after_free),
		cmocka_unit_test(test_hint_short_both_sides),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_tie_alignment),
		cmocka_unit_test(test_scan_hint),
		cmocka_unit_test(test_unknown_frees),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_random_default),
		cmocka_unit_test(test_random_small_blocks),
		cmocka_unit_test(test_million_in_order),
		cmocka_unit_test(test_million_alternating),
		cmocka_unit_test(test_million_reverse),
	};

	return cmocka_run_group_tests_name("pcpu_bitmap", tests, NULL, NULL);
}
