// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the way the module reads a handshake: the input's
 * tail is a client's stream opening, cut into segments that arrive out of
 * order, repeated and overlapping, as the input's first bytes decide. Each
 * segment's missing runs are copied into a buffer at their offset, its held
 * runs compared, and the segment recorded with kmod/lib/reasm.c; whenever
 * the contiguous prefix grows and sslv_tls_walk() says so, kmod/lib/tls.c
 * parses it, as kmod/handshake.c does. A segment reasm refuses (too many
 * holes) is sent again at the end, as TCP would retransmit it. Checked,
 * a violation aborting like a crash:
 * - reasm's prefix never shrinks, never passes what was delivered, and
 *   its held ranges stay sorted, disjoint and past the prefix;
 * - the runs of a segment cover it, and its held runs equal what was kept
 *   (one stream: a repeated byte never differs);
 * - the first answer other than SSLV_TLS_MORE is the answer for the whole
 *   stream, with the same fields: however the stream arrives, the policy
 *   sees the same hello;
 * - a stream whose whole answer is DONE or NOT_TLS gets that answer from
 *   the parses the walker asks for: it never misses the decisive byte. (A
 *   MALFORMED inside a message may be found only when the message is
 *   complete, or by the module's parse at its buffer bound.)
 */
#include <stdlib.h>

#include "reasm.h"
#include "tls.h"

#define PROPERTY(x) do { if (!(x)) abort(); } while (0)

#define SEGS	16

struct seg {
	u32 off, len;
};

static void ranges_ok(const struct sslv_reasm *ra)
{
	u32 i;

	PROPERTY(ra->n <= SSLV_REASM_RANGES);
	for (i = 0; i < ra->n; i++) {
		PROPERTY(ra->r[i].start > ra->have);
		PROPERTY(ra->r[i].start < ra->r[i].end);
		if (i)
			PROPERTY(ra->r[i].start > ra->r[i - 1].end);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sslv_tls_client whole, part;
	enum sslv_tls_res want, got = SSLV_TLS_MORE;
	struct seg seg[2 * SEGS];
	struct sslv_reasm ra = {};
	struct sslv_tls_walk w = {};
	const u8 *ctl = data, *stream = data + SEGS;
	u32 n, i, nseg = 0, sent = 0, at, run;
	bool held;
	u8 *buf;

	if (size <= SEGS)
		return 0;
	n = size - SEGS > 16384 ? 16384 : (u32)(size - SEGS);
	want = sslv_tls_parse_client(stream, n, &whole);

	/* Cut points from the control bytes, then a shuffle by them too. */
	for (i = 0; i < SEGS && sent < n; i++) {
		u32 len = 1 + ctl[i] * n / 256 / 4;

		if (len > n - sent || i == SEGS - 1)
			len = n - sent;
		/* Every other segment overlaps its predecessor a little. */
		seg[nseg].off = sent && (ctl[i] & 1) ? sent - 1 : sent;
		seg[nseg].len = sent + len - seg[nseg].off;
		sent += len;
		nseg++;
	}
	for (i = nseg; i > 1; i--) {
		u32 j = ctl[i - 1] % i;
		struct seg t = seg[i - 1];

		seg[i - 1] = seg[j];
		seg[j] = t;
	}

	buf = malloc(n);
	if (!buf)
		return 0;
	for (i = 0; i < nseg && got == SSLV_TLS_MORE; i++) {
		u32 have = ra.have;

		for (at = seg[i].off; at < seg[i].off + seg[i].len; at = run) {
			run = sslv_reasm_run(&ra, at, seg[i].off + seg[i].len,
					     &held);
			PROPERTY(run > at && run <= seg[i].off + seg[i].len);
			if (held)
				PROPERTY(!memcmp(buf + at, stream + at,
						 run - at));
			else
				memcpy(buf + at, stream + at, run - at);
		}
		if (!sslv_reasm_add(&ra, seg[i].off, seg[i].len)) {
			PROPERTY(ra.have == have);
			if (nseg < 2 * SEGS)
				seg[nseg++] = seg[i];	/* retransmitted */
			continue;
		}
		ranges_ok(&ra);
		PROPERTY(ra.have >= have && ra.have <= n);
		if (ra.have == have || !sslv_tls_walk(&w, buf, ra.have))
			continue;
		got = sslv_tls_parse_client(buf, ra.have, &part);
	}
	if (ra.have == n && (want == SSLV_TLS_DONE || want == SSLV_TLS_NOT_TLS))
		PROPERTY(got == want);
	if (got != SSLV_TLS_MORE) {
		PROPERTY(got == want);
		if (got == SSLV_TLS_DONE)
			PROPERTY(!memcmp(&part, &whole, sizeof(whole)));
	}
	free(buf);
	return 0;
}
