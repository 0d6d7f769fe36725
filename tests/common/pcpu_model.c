// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcpu_model.c - the reference model of the percpu API (pcpu_model.h).
 *
 * The unit copies of the live allocations sit in one array of address
 * ranges sorted by their start, so an overlap of a new copy with any live
 * copy (same chunk or not, same unit or not) is seen by comparing it with
 * its two neighbours in that order. Tags are one byte per (allocation,
 * unit), never zero, so a zeroed or foreign byte shows.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/pcpu_model.h"

/* Addresses that are in no chunk: the PM_BOGUS_OUTSIDE frees point here. */
static char pm_outside[4096];

static const size_t pm_aligns[16] = {
	0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
};

static const char *const pm_bogus_names[PM_BOGUS_NR] = {
	"freed handle", "inside a live allocation", "another unit's copy",
	"outside any chunk", "null-ish",
};

__attribute__((format(printf, 2, 3)))
static int pm_fail(struct pcpu_model *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(m->err, sizeof(m->err), "%s seed %llu step %llu (%s): ",
		     m->ops->name, (unsigned long long)m->seed,
		     (unsigned long long)m->step, m->op);
	if (n < 0 || (size_t)n >= sizeof(m->err))
		return -1;
	va_start(ap, fmt);
	vsnprintf(m->err + n, sizeof(m->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 2, 3)))
static void pm_begin(struct pcpu_model *m, const char *fmt, ...)
{
	va_list ap;

	m->step++;
	va_start(ap, fmt);
	vsnprintf(m->op, sizeof(m->op), fmt, ap);
	va_end(ap);
}

static bool pm_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

static bool pm_valid(const struct pcpu_model *m, size_t size, size_t align)
{
	return size >= 1 && size <= m->max_alloc &&
	       (!align || (pm_pow2(align) && align <= PB_PCPU_PAGE_SIZE));
}

static unsigned char pm_tag(uint64_t id, unsigned int unit)
{
	return (unsigned char)((id * 0x9eu + unit * 0x3bu) % 255u + 1u);
}

/* The first of @n bytes at @p that is not @c, or @n. */
static size_t pm_first_not(const unsigned char *p, size_t n, unsigned char c)
{
	size_t i;

	if (!n || p[0] != c)
		return 0;
	if (!memcmp(p, p + 1, n - 1))
		return n;
	for (i = 1; i < n && p[i] == c; i++)
		;
	return i;
}

static char *pm_unit_ptr(const struct pcpu_model *m, const char *h,
			 unsigned int u)
{
	return (char *)((uintptr_t)h + (uintptr_t)u * m->unit_size);
}

/* ---- the range set ---------------------------------------------------- */

/* Index of the first range whose lo is >= @x. */
static size_t pm_lower(const struct pcpu_model *m, uintptr_t x)
{
	size_t lo = 0, hi = m->nr_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ranges[mid].lo < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool pm_is_live_handle(const struct pcpu_model *m, const void *p)
{
	size_t i = pm_lower(m, (uintptr_t)p);

	return i < m->nr_ranges && m->ranges[i].lo == (uintptr_t)p &&
	       m->ranges[i].unit == 0;
}

static int pm_range_add(struct pcpu_model *m, const struct pm_range *r)
{
	size_t i = pm_lower(m, r->lo);
	const struct pm_range *o = NULL;

	if (i > 0 && m->ranges[i - 1].hi > r->lo)
		o = &m->ranges[i - 1];
	else if (i < m->nr_ranges && m->ranges[i].lo < r->hi)
		o = &m->ranges[i];
	if (o)
		return pm_fail(m, "unit %u copy [%#lx, %#lx) overlaps live "
			       "allocation #%llu's unit %u copy [%#lx, %#lx)",
			       r->unit, (unsigned long)r->lo, (unsigned long)r->hi,
			       (unsigned long long)o->id, o->unit,
			       (unsigned long)o->lo, (unsigned long)o->hi);
	if (m->nr_ranges == m->cap_ranges) {
		size_t cap = m->cap_ranges ? 2 * m->cap_ranges : 256;
		struct pm_range *n = realloc(m->ranges, cap * sizeof(*n));

		if (!n)
			return pm_fail(m, "model out of memory");
		m->ranges = n;
		m->cap_ranges = cap;
	}
	memmove(&m->ranges[i + 1], &m->ranges[i],
		(m->nr_ranges - i) * sizeof(*m->ranges));
	m->ranges[i] = *r;
	m->nr_ranges++;
	return 0;
}

static void pm_range_del(struct pcpu_model *m, uintptr_t lo)
{
	size_t i = pm_lower(m, lo);

	memmove(&m->ranges[i], &m->ranges[i + 1],
		(m->nr_ranges - i - 1) * sizeof(*m->ranges));
	m->nr_ranges--;
}

/* ---- checks after every step ------------------------------------------ */

static int pm_verify(struct pcpu_model *m)
{
	struct pb_pcpu_stats st;
	char e[256] = "";

	if (m->ops->check(m->a, e, sizeof(e)))
		return pm_fail(m, "check(): %s", e);
	m->ops->stats(m->a, &st);
	if (st.live != m->nr_live)
		return pm_fail(m, "stats live %llu, the model has %zu",
			       (unsigned long long)st.live, m->nr_live);
	if (st.live_bytes < m->live_sum ||
	    st.live_bytes > m->live_sum + (uint64_t)m->nr_live * PM_SLACK)
		return pm_fail(m, "stats live_bytes %llu, the model's %zu "
			       "allocations requested %llu (at most %u more allowed "
			       "each)", (unsigned long long)st.live_bytes,
			       m->nr_live, (unsigned long long)m->live_sum,
			       PM_SLACK);
	if (st.chunks != st.chunks_created - st.chunks_released)
		return pm_fail(m, "stats chunks %llu, created %llu - released %llu",
			       (unsigned long long)st.chunks,
			       (unsigned long long)st.chunks_created,
			       (unsigned long long)st.chunks_released);
	if (st.chunks_empty > st.chunks)
		return pm_fail(m, "stats: %llu empty chunks of %llu",
			       (unsigned long long)st.chunks_empty,
			       (unsigned long long)st.chunks);
	/* Only balance() releases a chunk: never alloc, never free. */
	if (st.chunks_released != m->released)
		return pm_fail(m, "%llu chunks released, balance() released %llu",
			       (unsigned long long)st.chunks_released,
			       (unsigned long long)m->released);
	if (st.live_bytes > st.chunks * m->unit_size)
		return pm_fail(m, "stats live_bytes %llu above %llu chunks of %zu",
			       (unsigned long long)st.live_bytes,
			       (unsigned long long)st.chunks, m->unit_size);
	if (st.chunks > m->max_chunks)
		m->max_chunks = st.chunks;
	return 0;
}

static int pm_stats_same(struct pcpu_model *m, const struct pb_pcpu_stats *a,
			 const char *what)
{
	struct pb_pcpu_stats b;

	m->ops->stats(m->a, &b);
	if (a->live != b.live || a->live_bytes != b.live_bytes ||
	    a->chunks != b.chunks || a->chunks_created != b.chunks_created ||
	    a->chunks_released != b.chunks_released)
		return pm_fail(m, "%s changed the stats: live %llu -> %llu, "
			       "live_bytes %llu -> %llu, chunks %llu -> %llu",
			       what, (unsigned long long)a->live,
			       (unsigned long long)b.live,
			       (unsigned long long)a->live_bytes,
			       (unsigned long long)b.live_bytes,
			       (unsigned long long)a->chunks,
			       (unsigned long long)b.chunks);
	return 0;
}

/* ---- operations ------------------------------------------------------- */

int pm_init(struct pcpu_model *m, const struct pb_pcpu_ops *ops,
	    unsigned int nr_units, size_t unit_size, uint64_t seed)
{
	struct pb_pcpu_config cfg = { .nr_units = nr_units,
				      .unit_size = unit_size };
	char e[256] = "";

	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->nr_units = nr_units;
	m->seed = seed;
	pm_begin(m, "create %u units of %zu bytes", nr_units, unit_size);
	m->step = 0;
	if (ops->create(&cfg, &m->a, e, sizeof(e))) {
		m->a = NULL;
		return pm_fail(m, "create(): %s", e);
	}
	m->unit_size = ops->unit_size(m->a);
	if (m->unit_size != (unit_size ? unit_size : PB_PCPU_DFL_UNIT_SIZE))
		return pm_fail(m, "unit_size() %zu, asked for %zu", m->unit_size,
			       unit_size);
	m->max_alloc = pb_pcpu_max_alloc(m->unit_size);
	m->max_live = 4096;
	m->max_live_bytes = 16 * (uint64_t)m->unit_size;
	m->next_id = 1;
	return pm_verify(m);
}

void pm_fini(struct pcpu_model *m)
{
	if (m->a)
		m->ops->destroy(m->a);
	m->a = NULL;
	free(m->live);
	free(m->ranges);
	m->live = NULL;
	m->ranges = NULL;
	m->nr_live = m->cap_live = m->nr_ranges = m->cap_ranges = 0;
}

int pm_free_index(struct pcpu_model *m, size_t i)
{
	struct pm_alloc e;
	int rc;

	if (!m->nr_live) {
		pm_begin(m, "free: nothing live");
		return pm_verify(m);
	}
	i %= m->nr_live;
	e = m->live[i];
	pm_begin(m, "free #%llu %p size %zu align %zu, live index %zu of %zu",
		 (unsigned long long)e.id, (void *)e.h, e.size, e.align, i,
		 m->nr_live);
	for (unsigned int u = 0; u < m->nr_units; u++) {
		const unsigned char *q = (unsigned char *)pm_unit_ptr(m, e.h, u);
		unsigned char tag = pm_tag(e.id, u);
		size_t k = pm_first_not(q, e.size, tag);

		if (k < e.size)
			return pm_fail(m, "unit %u byte %zu is %#x, not its tag "
				       "%#x: written through another allocation",
				       u, k, q[k], tag);
	}
	rc = m->ops->free(m->a, e.h);
	if (rc)
		return pm_fail(m, "free of a live handle returned %d", rc);
	for (unsigned int u = 0; u < m->nr_units; u++)
		pm_range_del(m, (uintptr_t)pm_unit_ptr(m, e.h, u));
	memmove(&m->live[i], &m->live[i + 1],
		(m->nr_live - i - 1) * sizeof(*m->live));
	m->nr_live--;
	m->live_sum -= e.size;
	m->freed[m->nr_freed++ % PM_FREED_RING] = e.h;
	m->nr_frees++;
	return pm_verify(m);
}

int pm_alloc(struct pcpu_model *m, size_t size, size_t align)
{
	struct pm_alloc e = { .size = size, .align = align };

	while (m->nr_live && (m->nr_live >= m->max_live ||
			      m->live_sum + size > m->max_live_bytes))
		if (pm_free_index(m, 0))
			return -1;
	pm_begin(m, "alloc #%llu size %zu align %zu",
		 (unsigned long long)m->next_id, size, align);
	if (!pm_valid(m, size, align))
		return pm_fail(m, "not a valid request: the caller's mistake");
	e.id = m->next_id++;
	e.h = m->ops->alloc(m->a, size, align);
	if (!e.h)
		return pm_fail(m, "NULL for a valid request");
	if (align && (uintptr_t)e.h % align)
		return pm_fail(m, "handle %p not aligned to %zu", (void *)e.h,
			       align);
	for (unsigned int u = 0; u < m->nr_units; u++) {
		struct pm_range r = { .lo = (uintptr_t)pm_unit_ptr(m, e.h, u),
				      .id = e.id, .unit = u };

		r.hi = r.lo + size;
		if (pm_range_add(m, &r))
			return -1;
	}
	for (unsigned int u = 0; u < m->nr_units; u++) {
		unsigned char *q = (unsigned char *)pm_unit_ptr(m, e.h, u);
		size_t k = pm_first_not(q, size, 0);

		if (k < size)
			return pm_fail(m, "handle %p: unit %u byte %zu is %#x, "
				       "not zero", (void *)e.h, u, k, q[k]);
		memset(q, pm_tag(e.id, u), size);
	}
	if (m->nr_live == m->cap_live) {
		size_t cap = m->cap_live ? 2 * m->cap_live : 64;
		struct pm_alloc *n = realloc(m->live, cap * sizeof(*n));

		if (!n)
			return pm_fail(m, "model out of memory");
		m->live = n;
		m->cap_live = cap;
	}
	m->live[m->nr_live++] = e;
	m->live_sum += size;
	m->nr_allocs++;
	return pm_verify(m);
}

int pm_alloc_invalid(struct pcpu_model *m, size_t size, size_t align)
{
	struct pb_pcpu_stats st;
	void *p;

	pm_begin(m, "invalid alloc size %zu align %zu", size, align);
	if (pm_valid(m, size, align))
		return pm_fail(m, "a valid request: the caller's mistake");
	m->ops->stats(m->a, &st);
	p = m->ops->alloc(m->a, size, align);
	if (p)
		return pm_fail(m, "returned %p, want NULL", p);
	if (pm_stats_same(m, &st, "the refused request"))
		return -1;
	m->nr_invalid++;
	return pm_verify(m);
}

int pm_free_bogus(struct pcpu_model *m, enum pm_bogus kind, uint32_t pick)
{
	static const uintptr_t nullish[] = {
		0, 1, 8, 4096, UINTPTR_MAX, UINTPTR_MAX - 4095,
		(UINTPTR_MAX >> 1) & ~(uintptr_t)4095,
	};
	struct pb_pcpu_stats st;
	const struct pm_alloc *e;
	uintptr_t p;
	int rc;

	if ((kind == PM_BOGUS_INSIDE || kind == PM_BOGUS_UNIT) && !m->nr_live)
		kind = PM_BOGUS_OUTSIDE;
	if (kind == PM_BOGUS_FREED && !m->nr_freed)
		kind = PM_BOGUS_NULLISH;
	switch (kind) {
	case PM_BOGUS_FREED: {
		unsigned int n = m->nr_freed < PM_FREED_RING ? m->nr_freed :
							     PM_FREED_RING;

		p = (uintptr_t)m->freed[pick % n];
		break;
	}
	case PM_BOGUS_INSIDE: {
		size_t offs[5];

		e = &m->live[pick % m->nr_live];
		offs[0] = 1;
		offs[1] = 2;
		offs[2] = 4;
		offs[3] = e->size - 1;
		offs[4] = (pick >> 8) % e->size;
		p = (uintptr_t)e->h + (offs[(pick >> 4) % 5] % e->size ?: 1);
		break;
	}
	case PM_BOGUS_UNIT:
		e = &m->live[pick % m->nr_live];
		p = (uintptr_t)pm_unit_ptr(m, e->h, 1 + (pick >> 8) % m->nr_units);
		break;
	case PM_BOGUS_OUTSIDE:
		p = (uintptr_t)&pm_outside[pick % sizeof(pm_outside)];
		break;
	default:
		kind = PM_BOGUS_NULLISH;
		p = nullish[pick % (sizeof(nullish) / sizeof(nullish[0]))];
		break;
	}
	pm_begin(m, "bogus free %#lx (%s)", (unsigned long)p,
		 pm_bogus_names[kind]);
	if (pm_is_live_handle(m, (void *)p))
		return pm_verify(m);	/* a live handle again: not bogus */
	m->ops->stats(m->a, &st);
	rc = m->ops->free(m->a, (void *)p);
	if (rc != -1)
		return pm_fail(m, "returned %d, want -1", rc);
	if (pm_stats_same(m, &st, "the refused free"))
		return -1;
	m->nr_bogus++;
	return pm_verify(m);
}

int pm_balance(struct pcpu_model *m)
{
	struct pb_pcpu_stats a, b;
	uint64_t gone;

	pm_begin(m, "balance");
	m->ops->stats(m->a, &a);
	if (m->ops->balance)
		m->ops->balance(m->a);
	m->ops->stats(m->a, &b);
	gone = m->ops->balance && a.chunks_empty > 1 ? a.chunks_empty - 1 : 0;
	if (b.chunks_released - a.chunks_released != gone ||
	    b.chunks_empty != a.chunks_empty - gone ||
	    b.chunks_created != a.chunks_created || b.live != a.live ||
	    b.live_bytes != a.live_bytes)
		return pm_fail(m, "%llu empty chunks of %llu before, %llu of %llu "
			       "after, %llu released (want %llu), %llu created "
			       "(was %llu), live %llu (was %llu)",
			       (unsigned long long)a.chunks_empty,
			       (unsigned long long)a.chunks,
			       (unsigned long long)b.chunks_empty,
			       (unsigned long long)b.chunks,
			       (unsigned long long)(b.chunks_released -
						    a.chunks_released),
			       (unsigned long long)gone,
			       (unsigned long long)b.chunks_created,
			       (unsigned long long)a.chunks_created,
			       (unsigned long long)b.live,
			       (unsigned long long)a.live);
	m->released += gone;
	/* What stays is what was live: the first byte of every copy kept its tag. */
	for (size_t i = 0; i < m->nr_live; i++)
		for (unsigned int u = 0; u < m->nr_units; u++) {
			const struct pm_alloc *e = &m->live[i];
			unsigned char q = *(unsigned char *)pm_unit_ptr(m, e->h, u);

			if (q != pm_tag(e->id, u))
				return pm_fail(m, "live #%llu %p unit %u byte 0 is "
					       "%#x, not its tag %#x",
					       (unsigned long long)e->id,
					       (void *)e->h, u, q, pm_tag(e->id, u));
		}
	m->nr_balances++;
	return pm_verify(m);
}

int pm_drain(struct pcpu_model *m, enum pm_order order)
{
	bool back = order == PM_LIFO;

	while (m->nr_live) {
		if (pm_free_index(m, back ? m->nr_live - 1 : 0))
			return -1;
		if (order == PM_ALTERNATE)
			back = !back;
	}
	return 0;
}

/* A size of class @cls (small, to 1 KiB, to 4 KiB, to the unit) from @r. */
static size_t pm_size(const struct pcpu_model *m, unsigned int cls, uint32_t r)
{
	switch (cls & 3) {
	case 0:
		return r % 64 + 1;
	case 1:
		return r % 1024 + 1;
	case 2:
		return r % 4096 + 1;
	default:
		return r % 8 ? r % m->max_alloc + 1 : m->max_alloc;
	}
}

/*
 * Record: rec[0] the operation (low 4 bits) and, for an alloc, the size
 * class (bits 4-5); rec[1] the alignment index (low 4 bits) or a kind;
 * rec[2..3] a 16-bit parameter (size, index, pick). Operation 15 is a
 * drain (rec[1] % 8 == 0), a balance (1) or a free (2..7).
 */
int pm_step(struct pcpu_model *m, const uint8_t rec[PM_REC])
{
	uint32_t r = (uint32_t)rec[2] << 8 | rec[3];
	unsigned int op = rec[0] & 15, cls = rec[0] >> 4;
	size_t align = pm_aligns[rec[1] & 15];

	switch (op) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:
		return pm_alloc(m, pm_size(m, cls, r), align);
	case 7: case 8:
		return pm_free_index(m, r);
	case 9:
		return pm_free_index(m, 0);
	case 10:
		return pm_free_index(m, m->nr_live ? m->nr_live - 1 : 0);
	case 11: case 12:
		return pm_free_bogus(m, (enum pm_bogus)(rec[1] % PM_BOGUS_NR), r);
	case 13:
		switch (rec[1] & 3) {
		case 0:
			return pm_alloc_invalid(m, 0, align);
		case 1:
			return pm_alloc_invalid(m, r % 8 ? m->max_alloc + 1 + r :
						SIZE_MAX, align);
		case 2: {
			size_t bad = r % 16 == 15 ? SIZE_MAX : 3 + r % 4094;

			return pm_alloc_invalid(m, r % 64 + 1,
						pm_pow2(bad) ? bad + 1 : bad);
		}
		default:
			return pm_alloc_invalid(m, r % 64 + 1,
						(size_t)PB_PCPU_PAGE_SIZE << (1 + r % 8));
		}
	case 14:
		for (unsigned int n = rec[1] % 16 + 1; n; n--)
			if (pm_alloc(m, pm_size(m, cls, r), pm_aligns[(r + n) & 15]))
				return -1;
		return 0;
	default:
		if (rec[1] % 8 == 1)
			return pm_balance(m);
		if (rec[1] % 8)
			return pm_free_index(m, r);
		return pm_drain(m, (enum pm_order)(rec[1] / 8 % PM_ORDER_NR));
	}
}
