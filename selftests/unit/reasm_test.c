// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/lib/reasm.c: hand-written cases, every order of two sets of six
 * segments, then random segment sequences checked against a bitmap of the
 * bytes in place (fixed seed), runs included; the first copy of a byte is
 * kept and a different second copy is seen.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "reasm.h"
#include "unit.h"

static bool add(struct sslv_reasm *ra, u32 start, u32 end)
{
	return sslv_reasm_add(ra, start, end - start);
}

/* @ra holds [0, @have) and the @n ranges given as start, end pairs. */
static bool state_is(const struct sslv_reasm *ra, u32 have, u32 n, ...)
{
	va_list ap;
	bool ok = ra->have == have && ra->n == n;
	u32 i;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		u32 start = va_arg(ap, u32), end = va_arg(ap, u32);

		ok = ok && ra->r[i].start == start && ra->r[i].end == end;
	}
	va_end(ap);
	return ok;
}

static void test_in_order(void)
{
	struct sslv_reasm ra = { 0 };

	CHECK(sslv_reasm_add(&ra, 0, 0));
	CHECK(state_is(&ra, 0, 0));
	CHECK(add(&ra, 0, 100));
	CHECK(add(&ra, 100, 150));
	CHECK(state_is(&ra, 150, 0));
	CHECK(add(&ra, 0, 150));		/* a duplicate */
	CHECK(add(&ra, 20, 30));
	CHECK(state_is(&ra, 150, 0));
	CHECK(add(&ra, 120, 200));		/* overlapping */
	CHECK(state_is(&ra, 200, 0));
	CHECK(sslv_reasm_add(&ra, 500, 0));	/* empty, far away */
	CHECK(state_is(&ra, 200, 0));
	CHECK(sslv_reasm_add(&ra, 0x7fffff00, 0x100));	/* up to 2^31 */
	CHECK(state_is(&ra, 200, 1, 0x7fffff00U, 0x80000000U));
}

static void test_out_of_order(void)
{
	struct sslv_reasm ra = { 0 };

	CHECK(add(&ra, 30, 40));
	CHECK(add(&ra, 10, 20));
	CHECK(state_is(&ra, 0, 2, 10U, 20U, 30U, 40U));
	CHECK(add(&ra, 20, 30));		/* touches both */
	CHECK(state_is(&ra, 0, 1, 10U, 40U));
	CHECK(add(&ra, 40, 45));		/* touches the end */
	CHECK(add(&ra, 5, 10));			/* touches the start */
	CHECK(state_is(&ra, 0, 1, 5U, 45U));
	CHECK(add(&ra, 60, 70));
	CHECK(add(&ra, 44, 61));		/* overlaps both */
	CHECK(state_is(&ra, 0, 1, 5U, 70U));
	CHECK(add(&ra, 0, 5));			/* reaches have's range */
	CHECK(state_is(&ra, 70, 0));

	/* A segment from have swallows every range it reaches. */
	CHECK(add(&ra, 80, 90));
	CHECK(add(&ra, 95, 100));
	CHECK(add(&ra, 120, 130));
	CHECK(add(&ra, 60, 96));
	CHECK(state_is(&ra, 100, 1, 120U, 130U));
	CHECK(add(&ra, 110, 200));		/* covers a range whole */
	CHECK(state_is(&ra, 100, 1, 110U, 200U));
}

static void test_too_many(void)
{
	struct sslv_reasm ra = { 0 }, before;

	CHECK(add(&ra, 10, 11));
	CHECK(add(&ra, 20, 21));
	CHECK(add(&ra, 30, 31));
	CHECK(add(&ra, 40, 41));
	CHECK(state_is(&ra, 0, 4, 10U, 11U, 20U, 21U, 30U, 31U, 40U, 41U));
	before = ra;
	CHECK(!add(&ra, 50, 51));		/* a fifth, after */
	CHECK(!add(&ra, 5, 6));			/* before */
	CHECK(!add(&ra, 15, 16));		/* between */
	CHECK(!memcmp(&ra, &before, sizeof(ra)));
	CHECK(add(&ra, 11, 15));		/* touches one: no new range */
	CHECK(add(&ra, 21, 30));		/* joins two */
	CHECK(state_is(&ra, 0, 3, 10U, 15U, 20U, 31U, 40U, 41U));
	CHECK(add(&ra, 50, 51));		/* now there is room */
	CHECK(!add(&ra, 60, 61));
	CHECK(add(&ra, 0, 45));			/* from have over them all */
	CHECK(state_is(&ra, 45, 1, 50U, 51U));
}

/*
 * What handshake.c does with a segment: copy the missing runs, compare the
 * held ones. Returns the bytes that differ from the copy already kept.
 */
static u32 store(struct sslv_reasm *ra, u8 *buf, u32 off, const char *data)
{
	u32 len = (u32)strlen(data), end = off + len, at, run, diff = 0, i;
	bool held;

	for (at = off; at < end; at = run) {
		run = sslv_reasm_run(ra, at, end, &held);
		for (i = at; i < run; i++) {
			if (!held)
				buf[i] = (u8)data[i - off];
			else if (buf[i] != (u8)data[i - off])
				diff++;
		}
	}
	CHECK(sslv_reasm_add(ra, off, len));
	return diff;
}

static void test_first_copy(void)
{
	struct sslv_reasm ra = { 0 };
	u8 buf[64] = { 0 };
	bool held;

	CHECK(sslv_reasm_run(&ra, 0, 10, &held) == 10 && !held);
	CHECK(store(&ra, buf, 0, "good.example") == 0);
	CHECK(store(&ra, buf, 0, "good.example") == 0);	/* same again */
	CHECK(store(&ra, buf, 0, "evil.example") == 4);	/* what differs */
	CHECK(!memcmp(buf, "good.example", 12));	/* the first stays */
	CHECK(state_is(&ra, 12, 0));

	/* Past a hole: held and missing runs of one segment. */
	CHECK(store(&ra, buf, 20, "abc") == 0);
	CHECK(sslv_reasm_run(&ra, 5, 30, &held) == 12 && held);
	CHECK(sslv_reasm_run(&ra, 12, 30, &held) == 20 && !held);
	CHECK(sslv_reasm_run(&ra, 20, 30, &held) == 23 && held);
	CHECK(sslv_reasm_run(&ra, 23, 30, &held) == 30 && !held);
	CHECK(store(&ra, buf, 10, "leXXXXXXXXaXYZ") == 2);  /* "bc" differ */
	CHECK(!memcmp(buf + 10, "leXXXXXXXXabcZ", 14));
	CHECK(state_is(&ra, 24, 0));
}

/* ---- a bitmap model -------------------------------------------------------- */

#define SPACE	4096

struct model {
	u8 in[SPACE];
};

/* The state the model stands for; false when it needs too many ranges. */
static bool model_state(const struct model *m, struct sslv_reasm *ra)
{
	u32 i = 0;

	memset(ra, 0, sizeof(*ra));
	while (i < SPACE && m->in[i])
		i++;
	ra->have = i;
	for (;;) {
		while (i < SPACE && !m->in[i])
			i++;
		if (i == SPACE)
			return true;
		if (ra->n == SSLV_REASM_RANGES)
			return false;
		ra->r[ra->n].start = i;
		while (i < SPACE && m->in[i])
			i++;
		ra->r[ra->n++].end = i;
	}
}

static bool same_state(const struct sslv_reasm *a, const struct sslv_reasm *b)
{
	u32 i;

	if (a->have != b->have || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->r[i].start != b->r[i].start || a->r[i].end != b->r[i].end)
			return false;
	return true;
}

enum step { STEP_WRONG, STEP_ADDED, STEP_REFUSED };

/*
 * Add [@off, @off + @len) to @ra and to @m: whether @ra agrees with the
 * model, and whether the bytes were added or refused.
 */
static enum step step(struct sslv_reasm *ra, struct model *m, u32 off,
		      u32 len)
{
	struct sslv_reasm before = *ra, want;
	static struct model next;
	bool fits, added, held;
	u32 at, end, i;

	/* The runs cover the segment, each all in place or all missing. */
	for (at = off; at < off + len; at = end) {
		end = sslv_reasm_run(ra, at, off + len, &held);
		if (end <= at || end > off + len)
			return STEP_WRONG;
		for (i = at; i < end; i++)
			if (m->in[i] != held)
				return STEP_WRONG;
		if (end < off + len && m->in[end] == held)
			return STEP_WRONG;	/* a run ends early */
	}
	next = *m;
	memset(next.in + off, 1, len);
	fits = model_state(&next, &want);
	added = sslv_reasm_add(ra, off, len);
	if (added != fits)
		return STEP_WRONG;
	if (!fits)
		return memcmp(ra, &before, sizeof(*ra)) ? STEP_WRONG :
							  STEP_REFUSED;
	*m = next;
	return same_state(ra, &want) ? STEP_ADDED : STEP_WRONG;
}

struct seg {
	u32 start, end;
};

/* Every order of @segs: each step agrees with the model, all end in have. */
static void every_order(const struct seg *segs, u32 n, u32 total)
{
	u32 perm[6], i, orders = 0, bad = 0;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (;;) {
		struct sslv_reasm ra = { 0 };
		static struct model m;
		u32 j, k;

		memset(&m, 0, sizeof(m));
		for (i = 0; i < n; i++)
			if (step(&ra, &m, segs[perm[i]].start,
				 segs[perm[i]].end - segs[perm[i]].start) !=
			    STEP_ADDED)
				bad++;
		if (ra.have != total || ra.n)
			bad++;
		orders++;

		/* next permutation in lexicographic order */
		for (j = n - 1; j > 0 && perm[j - 1] > perm[j]; j--)
			;
		if (!j)
			break;
		for (k = n - 1; perm[k] < perm[j - 1]; k--)
			;
		i = perm[j - 1], perm[j - 1] = perm[k], perm[k] = i;
		for (k = n - 1; j < k; j++, k--)
			i = perm[j], perm[j] = perm[k], perm[k] = i;
	}
	CHECK(orders == 720);
	CHECK(bad == 0);
}

static void test_every_order(void)
{
	static const struct seg adjacent[] = {
		{ 0, 10 }, { 10, 25 }, { 25, 30 }, { 30, 50 }, { 50, 51 },
		{ 51, 80 },
	};
	static const struct seg overlapping[] = {
		{ 0, 12 }, { 10, 25 }, { 20, 22 }, { 24, 50 }, { 40, 60 },
		{ 59, 80 },
	};

	every_order(adjacent, 6, 80);
	every_order(overlapping, 6, 80);
}

static void test_random(void)
{
	static struct model m;
	u32 seq, bad = 0, refused = 0, full = 0;

	for (seq = 0; seq < 5000; seq++) {
		struct sslv_reasm ra = { 0 };
		u32 i;

		memset(&m, 0, sizeof(m));
		for (i = 0; i < 200 && ra.have < SPACE; i++) {
			u64 rng = unit_rand();
			u32 off, len;
			enum step res;

			/*
			 * Segments near the front, as a stream's arrive, in
			 * a window that grows with the sequence number, some
			 * reaching back before have.
			 */
			off = ra.have + (u32)(rng >> 40) % (64 + seq % 2000);
			off = off < 32 ? 0 : off - 32;
			off = off < SPACE ? off : SPACE - 1;
			len = (u32)(rng >> 8) % (seq % 3 ? 200 : 600);
			if (len > SPACE - off)
				len = SPACE - off;
			res = step(&ra, &m, off, len);
			if (res == STEP_WRONG && !bad++)
				fprintf(stderr, "sequence %u step %u: [%u, %u)\n",
					seq, i, off, off + len);
			refused += res == STEP_REFUSED;
		}
		full += ra.have == SPACE;
	}
	CHECK(bad == 0);
	CHECK(refused > 0);
	CHECK(full > 0);
	printf("random: %u refusals, %u of 5000 sequences complete\n",
	       refused, full);
}

int main(void)
{
	test_in_order();
	test_out_of_order();
	test_too_many();
	test_first_copy();
	test_every_order();
	test_random();
	return unit_done();
}
