/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Everything rstscope prints goes through here: one line per RST and the
 * closing summary, as text or as JSON lines (-j) from the same calls, so
 * the two never drift apart. JSON goes through userspace/lib/json_writer.c,
 * sslvctl's writer: the same keys, and the same "flow" object.
 */
#ifndef RSTSCOPE_REPORT_H
#define RSTSCOPE_REPORT_H

#include <stdio.h>

#include "rst.h"
#include "flows.h"
#include "json_writer.h"

struct rs_totals {
	unsigned long frames, tcp, other, bad, filtered;
	unsigned long flows, evicted;
	bool sslv_log;			/* --sslv-log given: */
	unsigned long sslv_logged;	/* RSTs sslv sent, by its log */
	unsigned long sslv_matched;	/* ... found in the capture */
};

struct rs_report {
	FILE *out;
	bool json;
	struct jw jw;
	long long first_us;		/* capture time of the first RST's file */
	unsigned long rsts;
	unsigned long phase[__SSLV_RST_PHASE_MAX];
	unsigned long sender[__SSLV_RST_SENDER_MAX];
	unsigned long kind[__SSLV_RST_KIND_MAX];
	unsigned long ttl[__SSLV_RST_TTL_MAX];
	unsigned long seq[SSLV_SEQ_OUTSIDE + 1];
	unsigned long cause[SSLV_RST_NCAUSES];
};

/* Reports go to @out, as JSON lines when @json. */
void rs_report_init(struct rs_report *r, FILE *out, bool json);

/* Note the capture's first timestamp: times are printed relative to it. */
void rs_report_start(struct rs_report *r, long long ts_us);

/*
 * Print and count one RST: frame number (1-based, as Wireshark numbers
 * them), capture time, the packet, its flow before the RST (NULL when none),
 * Zeek's view of the flow with the RST counted, and the classifier's
 * verdict.
 */
void rs_report_rst(struct rs_report *r, unsigned long frame, long long ts_us,
		   const struct rs_pkt *pkt, const struct rs_flow *flow,
		   const struct rs_zeek *zeek,
		   const struct sslv_rst_info *info);

/*
 * The explanation of @info into @buf: the classifier's, or, for an RST
 * sslv's log says sslv sent, "sslv: <why>" and whom it reset.
 */
void rs_explain(char *buf, size_t size, const struct sslv_rst_info *info);

/* "ADDR:PORT", "[ADDR]:PORT" for IPv6. */
void rs_endpoint_str(char *buf, size_t size, u8 family,
		     const struct rs_endpoint *e);

void rs_report_summary(struct rs_report *r, const struct rs_totals *tot);

#endif /* RSTSCOPE_REPORT_H */
