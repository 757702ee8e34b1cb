// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rstscope: explain every TCP reset in a capture.
 *
 *   rstscope [-j] [--idle MS] FILE [EXPRESSION]
 *   rstscope -V
 *
 * Reads a pcap or pcapng file (FILE "-" is standard input), replays each
 * TCP flow through the module's own tracker (kmod/lib/tcp.c) and hands
 * every RST, before the tracker sees it, to the module's classifier
 * (kmod/lib/rst.c). One line per RST, then a summary; -j prints the same as
 * JSON lines. --idle sets the silence, in ms, after which an RST is flagged
 * as an idle timeout. EXPRESSION is a pcap filter, as tcpdump takes it:
 * frames it rejects are not replayed at all.
 */
#include <errno.h>
#include <getopt.h>
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
	const char *filter;		/* pcap filter expression, or NULL */
	struct bpf_program prog;	/* ... compiled for the file's link type */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: rstscope [-j] [--idle MS] FILE [EXPRESSION]\n"
		"       rstscope -V\n"
		"  -j, --json     JSON lines: one object per RST, then a summary object\n"
		"  --idle MS      silence before an RST that counts as idle (default %u)\n"
		"                 (-i MS: the same, deprecated)\n"
		"  -V, --version  print the version\n"
		"  EXPRESSION     a pcap filter (tcpdump's syntax): only the frames it\n"
		"                 accepts are replayed\n",
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
	bool rst = pkt->seg.flags & SSLV_TH_RST;
	int dir = SSLV_DIR_ORIG;
	struct rs_flow *f = rs_flows_find(&run->flows, pkt, &dir);
	struct sslv_rst_info info;

	if (rst)
		info = sslv_rst_classify(f ? &f->tcp : NULL, dir, &pkt->seg,
					 now_ms, &run->cfg, SSLV_R_NONE);
	if (!f) {
		f = rs_flows_add(&run->flows, pkt, now_ms);
		if (!f)
			return -ENOMEM;
		dir = rs_flow_dir(f, pkt);
		rs_zeek_update(&f->zeek, dir, &pkt->seg);
		/* Nothing was known of it: the RST is shown as it came. */
		if (rst)
			rs_report_rst(&run->report, frame, ts_us, pkt, NULL,
				      &f->zeek, &info);
		return 0;
	}
	if (new_connection(f, &pkt->seg)) {
		rs_flows_restart(f, pkt, now_ms);
		rs_zeek_update(&f->zeek, rs_flow_dir(f, pkt), &pkt->seg);
		return 0;
	}
	rs_zeek_update(&f->zeek, dir, &pkt->seg);
	if (rst)
		rs_report_rst(&run->report, frame, ts_us, pkt, f, &f->zeek,
			      &info);
	sslv_tcp_update(&f->tcp, dir, &pkt->seg, now_ms);
	return 0;
}

/*
 * 0: done, 1: a read error cut it short, -1: the file is unusable, -2: the
 * filter expression is.
 */
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

	if (run->filter) {
		struct bpf_program prog;

		if (pcap_compile(pc, &prog, run->filter, 1,
				 PCAP_NETMASK_UNKNOWN) < 0) {
			fprintf(stderr, "rstscope: bad filter expression \"%s\": %s\n",
				run->filter, pcap_geterr(pc));
			pcap_close(pc);
			return -2;
		}
		run->prog = prog;
	}

	while ((rc = pcap_next_ex(pc, &h, &frame)) == 1) {
		long long ts_us = (long long)h->ts.tv_sec * 1000000 +
				  h->ts.tv_usec;
		struct rs_pkt pkt;

		if (!run->tot.frames++)
			rs_report_start(&run->report, ts_us);
		/*
		 * Filtered here rather than by pcap_setfilter(), so that
		 * frame numbers stay those of the file (Wireshark's).
		 */
		if (run->filter && !pcap_offline_filter(&run->prog, h, frame)) {
			run->tot.filtered++;
			continue;
		}
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
	if (run->filter)
		pcap_freecode(&run->prog);
	pcap_close(pc);
	return ret;
}

/* tcpdump's way: the words after FILE, joined by spaces, are the filter. */
static char *join_words(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

static bool parse_ms(const char *opt, const char *arg, u32 *ms)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || *arg == '-' || v > UINT32_MAX) {
		fprintf(stderr, "Error: %s %s: not a number of milliseconds\n",
			opt, arg);
		return false;
	}
	*ms = (u32)v;
	return true;
}

enum { OPT_IDLE = 256 };

static const struct option long_options[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "idle",	required_argument,	NULL, OPT_IDLE },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	struct rs_run run = {
		.cfg = { .idle_ms = SSLV_RST_IDLE_MS_DEFAULT },
	};
	char *filter = NULL;
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "ji:hV", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'i':
			fprintf(stderr, "rstscope: -i is deprecated, use --idle %s\n",
				optarg);
			if (!parse_ms("-i", optarg, &run.cfg.idle_ms))
				return 2;
			break;
		case OPT_IDLE:
			if (!parse_ms("--idle", optarg, &run.cfg.idle_ms))
				return 2;
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
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (argc - optind > 1) {
		filter = join_words(argv + optind + 1, argc - optind - 1);
		if (!filter) {
			fprintf(stderr, "rstscope: out of memory\n");
			return 1;
		}
		run.filter = filter;
	}
	rs_report_init(&run.report, stdout, json);
	if (!rs_flows_init(&run.flows, RS_MAX_FLOWS)) {
		fprintf(stderr, "rstscope: out of memory\n");
		free(filter);
		return 1;
	}

	ret = rs_replay(&run, argv[optind]);
	if (ret < 0) {
		rs_flows_free(&run.flows);
		free(filter);
		return ret == -2 ? 2 : 1;
	}
	run.tot.flows = run.flows.created;
	run.tot.evicted = run.flows.evicted;
	rs_report_summary(&run.report, &run.tot);
	rs_flows_free(&run.flows);
	free(filter);
	return ret;
}
