// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Reassembly bookkeeping; see reasm.h. */
#include "reasm.h"

/* Bytes reaching @have extend it, and it swallows the ranges it reaches. */
static void sslv_reasm_grow(struct sslv_reasm *ra, u32 end)
{
	u32 i, k = 0;

	if (end > ra->have)
		ra->have = end;
	while (k < ra->n && ra->r[k].start <= ra->have) {
		if (ra->r[k].end > ra->have)
			ra->have = ra->r[k].end;
		k++;
	}
	for (i = k; i < ra->n; i++)
		ra->r[i - k] = ra->r[i];
	ra->n -= k;
}

bool sslv_reasm_add(struct sslv_reasm *ra, u32 off, u32 len)
{
	struct sslv_reasm_range out[SSLV_REASM_RANGES + 1];
	u32 start = off, end = off + len, i, n = 0;
	bool placed = false;

	if (!len || end <= ra->have)
		return true;
	if (off <= ra->have) {
		sslv_reasm_grow(ra, end);
		return true;
	}

	/*
	 * Past @have: the held ranges before the new bytes, the new bytes
	 * merged with every range they overlap or touch, the ranges after.
	 */
	for (i = 0; i < ra->n; i++) {
		const struct sslv_reasm_range *r = &ra->r[i];

		if (r->end < start) {
			out[n++] = *r;
		} else if (r->start > end) {
			if (!placed) {
				out[n].start = start;
				out[n++].end = end;
				placed = true;
			}
			out[n++] = *r;
		} else {
			if (r->start < start)
				start = r->start;
			if (r->end > end)
				end = r->end;
		}
	}
	if (!placed) {
		out[n].start = start;
		out[n++].end = end;
	}
	if (n > SSLV_REASM_RANGES)
		return false;
	for (i = 0; i < n; i++)
		ra->r[i] = out[i];
	ra->n = (u8)n;
	return true;
}

u32 sslv_reasm_run(const struct sslv_reasm *ra, u32 off, u32 end, bool *held)
{
	u32 i;

	if (off < ra->have) {
		*held = true;
		return end < ra->have ? end : ra->have;
	}
	for (i = 0; i < ra->n; i++) {
		const struct sslv_reasm_range *r = &ra->r[i];

		if (off < r->start) {
			*held = false;
			return end < r->start ? end : r->start;
		}
		if (off < r->end) {
			*held = true;
			return end < r->end ? end : r->end;
		}
	}
	*held = false;
	return end;
}
