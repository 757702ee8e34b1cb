// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rstscope: explain every TCP reset in a capture.
 *
 *   rstscope [-j] [-i MS] FILE
 *   rstscope -V
 *
 * Reads a pcap or pcapng file (FILE "-" is standard input), replays each
 * TCP flow through the module's own tracker (kmod/lib/tcp.c) and hands
 * every RST, before the tracker sees it, to the module's classifier
 * (kmod/lib/rst.c). One line per RST, then a summary; -j prints the same as
 * JSON lines. -i sets the silence, in ms, after which an RST is flagged as
 * an idle timeout.
 */
#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"

/* Flows remembered at once, closed ones included; the oldest make room. */
#define RS_MAX_FLOWS 65536

struct rs_run {
	struct rs_flows flows;
	struct rs_totals tot;
	struct rs_report report;
	struct sslv_rst_cfg cfg;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: rstscope [-j] [-i MS] FILE\n"
		"       rstscope -V\n"
		"  -j     JSON lines: one object per RST, then a summary object\n"
		"  -i MS  silence before an RST that counts as idle (default %u)\n"
		"  -V     print the version\n",
		SSLV_RST_IDLE_MS_DEFAULT);
}

static bool new_connection(const struct rs_flow *f, const struct sslv_seg *s)
{
	return (s->flags & (SSLV_TH_SYN | SSLV_TH_ACK | SSLV_TH_RST)) ==
	       SSLV_TH_SYN && f->tcp.state == SSLV_FS_CLOSED;
}

/* One TCP segment: classify it if it is an RST, then track it. */
static int rs_segment(struct rs_run *run, unsigned long frame, long long ts_us,
		      const struct rs_pkt *pkt)
{
	u32 now_ms = (u32)(ts_us / 1000);
	int dir = SSLV_DIR_ORIG;
	struct rs_flow *f = rs_flows_find(&run->flows, pkt, &dir);

	if (pkt->seg.flags & SSLV_TH_RST) {
		struct sslv_rst_info info;

		info = sslv_rst_classify(f ? &f->tcp : NULL, dir, &pkt->seg,
					 now_ms, &run->cfg, SSLV_R_NONE);
		rs_report_rst(&run->report, frame, ts_us, pkt, f, &info);
	}
	if (!f)
		return rs_flows_add(&run->flows, pkt, now_ms) ? 0 : -ENOMEM;
	if (new_connection(f, &pkt->seg))
		rs_flows_restart(f, pkt, now_ms);
	else
		sslv_tcp_update(&f->tcp, dir, &pkt->seg, now_ms);
	return 0;
}

/* 0: done, 1: a read error cut it short, -1: the file is unusable. */
static int rs_replay(struct rs_run *run, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *frame;
	pcap_t *pc;
	int linktype, rc, ret = 0;

	pc = pcap_open_offline(path, err);
	if (!pc) {
		fprintf(stderr, "rstscope: %s: %s\n", path, err);
		return -1;
	}
	linktype = pcap_datalink(pc);
	if (!rs_decode_supported(linktype)) {
		fprintf(stderr, "rstscope: %s: link type %s (%d) not supported\n",
			path, pcap_datalink_val_to_name(linktype) ?: "unknown",
			linktype);
		pcap_close(pc);
		return -1;
	}

	while ((rc = pcap_next_ex(pc, &h, &frame)) == 1) {
		long long ts_us = (long long)h->ts.tv_sec * 1000000 +
				  h->ts.tv_usec;
		struct rs_pkt pkt;

		if (!run->tot.frames++)
			rs_report_start(&run->report, ts_us);
		switch (rs_decode(linktype, frame, h->caplen, h->len, &pkt)) {
		case RS_DECODE_OTHER:
			run->tot.other++;
			continue;
		case RS_DECODE_BAD:
			run->tot.bad++;
			continue;
		case RS_DECODE_TCP:
			run->tot.tcp++;
			break;
		}
		if (rs_segment(run, run->tot.frames, ts_us, &pkt)) {
			fprintf(stderr, "rstscope: %s: out of memory\n", path);
			ret = 1;
			break;
		}
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "rstscope: %s: %s\n", path, pcap_geterr(pc));
		ret = 1;
	}
	pcap_close(pc);
	return ret;
}

int main(int argc, char **argv)
{
	struct rs_run run = {
		.cfg = { .idle_ms = SSLV_RST_IDLE_MS_DEFAULT },
	};
	unsigned long ms;
	bool json = false;
	char *end;
	int opt, ret;

	while ((opt = getopt(argc, argv, "ji:hV")) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'i':
			errno = 0;
			ms = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || ms > UINT32_MAX) {
				fprintf(stderr, "Error: -i %s: not a number of milliseconds\n",
					optarg);
				return 2;
			}
			run.cfg.idle_ms = (u32)ms;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rstscope %s\n", SSLV_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	rs_report_init(&run.report, stdout, json);
	if (!rs_flows_init(&run.flows, RS_MAX_FLOWS)) {
		fprintf(stderr, "rstscope: out of memory\n");
		return 1;
	}

	ret = rs_replay(&run, argv[optind]);
	if (ret < 0) {
		rs_flows_free(&run.flows);
		return 1;
	}
	run.tot.flows = run.flows.created;
	run.tot.evicted = run.flows.evicted;
	rs_report_summary(&run.report, &run.tot);
	rs_flows_free(&run.flows);
	return ret;
}
