/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * sslv's own RSTs, from its monitor log: the JSON lines of `sslvctl -j
 * monitor` (Documentation/sslvctl.md). Each "rst" event whose reason is not
 * "none" is an RST sslv sent itself; an RST of the capture with the same
 * ends (sender and receiver, VLAN) and the same seq is that RST, and is
 * explained by its reason rather than by a guess from the flow's history.
 * Other events (sessions, rejected flows, RSTs sslv only saw) are skipped.
 */
#ifndef RSTSCOPE_SSLVLOG_H
#define RSTSCOPE_SSLVLOG_H

#include "decode.h"

struct rs_sslv_rst {
	u8 family;
	u16 vlan;
	struct rs_endpoint src, dst;	/* the RST's sender and receiver */
	u32 seq;
	u8 reason;			/* enum sslv_reason */
	bool matched;
};

struct rs_sslvlog {
	struct rs_sslv_rst *rsts;	/* sorted by seq */
	size_t n;
	unsigned long matched;
};

/*
 * Read @path. false after printing an error that names the file and line
 * (a line that is not JSON, an rst event without its keys) or the system's.
 * A last line cut short (the monitor killed while writing) is ignored with
 * a warning.
 */
bool rs_sslvlog_load(struct rs_sslvlog *log, const char *path);

/*
 * The reason sslv gave for the RST @pkt when it sent it, else SSLV_R_NONE.
 * Each logged RST matches one RST of the capture at most.
 */
unsigned int rs_sslvlog_match(struct rs_sslvlog *log, const struct rs_pkt *pkt);

/* "operator reject (sslvctl flow reject)" and the like, for @reason. */
const char *rs_sslv_reason_text(unsigned int reason);

void rs_sslvlog_free(struct rs_sslvlog *log);

#endif /* RSTSCOPE_SSLVLOG_H */
