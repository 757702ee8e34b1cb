/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reassembly bookkeeping for the opening bytes of one direction of a TCP
 * stream, copied into a fixed buffer as segments arrive, out of order or
 * overlapping: which bytes are in place, so that a parser (tls.h) can be
 * run on the contiguous prefix. The caller copies the bytes; this only
 * counts them. Pure C shared by the module and userspace, see types.h.
 *
 * The first copy of a byte is the one kept: a caller copies only the runs
 * sslv_reasm_run() reports missing and compares the runs it reports held,
 * so that a retransmission carrying different bytes is seen as such (no
 * TCP stack sends two versions of one byte; a middlebox that kept the last
 * copy could be shown a hello the receiver never accepted).
 *
 * Offsets are relative to the stream's first byte. A zeroed struct
 * sslv_reasm holds nothing.
 */
#ifndef SSLV_LIB_REASM_H
#define SSLV_LIB_REASM_H

#include "types.h"

#define SSLV_REASM_RANGES	4

struct sslv_reasm {
	u32 have;	/* bytes [0, have) are in place */
	u8 n;		/* ranges held past have */
	struct sslv_reasm_range {
		u32 start, end;
	} r[SSLV_REASM_RANGES];	/* sorted, disjoint, start > have */
};

/*
 * Note that bytes [@off, @off + @len) are now in place. They merge with
 * @have and with held ranges they overlap or touch, so held ranges are
 * never adjacent either. Returns false, recording nothing, when the bytes
 * would need more than SSLV_REASM_RANGES ranges past @have; a len of 0 is
 * a no-op returning true. Callers keep @off + @len <= 2^31.
 */
bool sslv_reasm_add(struct sslv_reasm *ra, u32 off, u32 len);

/*
 * Bytes [@off, @end), @off < @end, split at the edges of what is in place:
 * returns the end of the run that starts at @off, whose bytes are either
 * all in place (*@held true) or all missing.
 */
u32 sslv_reasm_run(const struct sslv_reasm *ra, u32 off, u32 end, bool *held);

#endif /* SSLV_LIB_REASM_H */
