// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rstscope: explain every TCP reset in a capture.
 *
 *   rstscope [-j] [--idle MS] [--ladder[=N]] [--ladder-svg SVG] FILE [EXPRESSION]
 *   rstscope -V
 *
 * Reads a pcap or pcapng file (FILE "-" is standard input), replays each
 * TCP flow through the module's own tracker (kmod/lib/tcp.c) and hands
 * every RST, before the tracker sees it, to the module's classifier
 * (kmod/lib/rst.c). One line per RST, then a summary; -j prints the same as
 * JSON lines. --idle sets the silence, in ms, after which an RST is flagged
 * as an idle timeout. EXPRESSION is a pcap filter, as tcpdump takes it:
 * frames it rejects are not replayed at all. --ladder draws each RST's flow
 * around it as a sequence diagram (ladder.c), --ladder-svg the same in SVG.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ladder.h"
#include "report.h"
#include "sslvlog.h"

/* Flows remembered at once, closed ones included; the oldest make room. */
#define RS_MAX_FLOWS 65536

struct rs_run {
	struct rs_flows flows;
	struct rs_totals tot;
	struct rs_report report;
	struct sslv_rst_cfg cfg;
	struct rs_ladders ladders;
	struct rs_sslvlog log;
	bool has_log;			/* --sslv-log */
	bool ladder;			/* --ladder or --ladder-svg */
	const char *filter;		/* pcap filter expression, or NULL */
	struct bpf_program prog;	/* ... compiled for the file's link type */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: rstscope [-j] [--idle MS] [--ladder[=N]] [--ladder-svg FILE]\n"
		"                [--sslv-log LOG] FILE [EXPRESSION]\n"
		"       rstscope -V\n"
		"  -j, --json     JSON lines: one object per RST, then a summary object\n"
		"  --idle MS      silence before an RST that counts as idle (default %u)\n"
		"                 (-i MS: the same, deprecated)\n"
		"  --ladder[=N]   among the RST lines, once its flow has moved on, each\n"
		"                 RST flow's sequence diagram: N segments before and\n"
		"                 up to N after (default %u)\n"
		"  --ladder-svg FILE  the same ladders, drawn in an SVG document\n"
		"  --sslv-log LOG an RST that sslv's log (sslvctl -j monitor) says sslv\n"
		"                 sent is explained as sslv's, with its reason\n"
		"  -V, --version  print the version\n"
		"  EXPRESSION     a pcap filter (tcpdump's syntax): only the frames it\n"
		"                 accepts are replayed\n",
		SSLV_RST_IDLE_MS_DEFAULT, RS_LADDER_DEPTH_DEFAULT);
}

static bool new_connection(const struct rs_flow *f, const struct sslv_seg *s)
{
	return (s->flags & (SSLV_TH_SYN | SSLV_TH_ACK | SSLV_TH_RST)) ==
	       SSLV_TH_SYN && f->tcp.state == SSLV_FS_CLOSED;
}

/* With ladders on: a new flow's ring, and @f's segment. */
static int rs_ladder_seg(struct rs_run *run, struct rs_flow *f,
			 const struct rs_pkt *pkt, unsigned long frame,
			 long long ts_us, const struct sslv_rst_info *info)
{
	if (!run->ladder)
		return 0;
	if (!f->ring) {
		f->ring = rs_ring_new(&run->ladders);
		if (!f->ring)
			return -ENOMEM;
	}
	if (!rs_ladders_segment(&run->ladders, f, pkt, rs_flow_dir(f, pkt),
				frame, ts_us, info))
		return -ENOMEM;
	return 0;
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
					 now_ms, &run->cfg, run->has_log ?
					 rs_sslvlog_match(&run->log, pkt) :
					 SSLV_R_NONE);
	if (!f) {
		f = rs_flows_add(&run->flows, pkt, now_ms);
		if (!f)
			return -ENOMEM;
		rs_zeek_update(&f->zeek, rs_flow_dir(f, pkt), &pkt->seg);
		/* Nothing was known of it: the RST is shown as it came. */
		if (rst)
			rs_report_rst(&run->report, frame, ts_us, pkt, NULL,
				      &f->zeek, &info);
		return rs_ladder_seg(run, f, pkt, frame, ts_us,
				     rst ? &info : NULL);
	}
	if (new_connection(f, &pkt->seg)) {
		if (run->ladder) {
			rs_ladders_flow_end(&run->ladders, f);
			if (f->ring)
				memset(f->ring, 0, sizeof(*f->ring));
		}
		rs_flows_restart(f, pkt, now_ms);
		rs_zeek_update(&f->zeek, rs_flow_dir(f, pkt), &pkt->seg);
		return rs_ladder_seg(run, f, pkt, frame, ts_us, NULL);
	}
	rs_zeek_update(&f->zeek, dir, &pkt->seg);
	if (rst)
		rs_report_rst(&run->report, frame, ts_us, pkt, f, &f->zeek,
			      &info);
	if (rs_ladder_seg(run, f, pkt, frame, ts_us, rst ? &info : NULL))
		return -ENOMEM;
	sslv_tcp_update(&f->tcp, dir, &pkt->seg, now_ms);
	return 0;
}

static void rs_flow_gone(void *ctx, struct rs_flow *f)
{
	rs_ladders_flow_end(ctx, f);
}

static int rs_by_frame(const void *a, const void *b)
{
	unsigned long fa = rs_ladder_frame(*(struct rs_flow *const *)a);
	unsigned long fb = rs_ladder_frame(*(struct rs_flow *const *)b);

	return fa < fb ? -1 : fa > fb;
}

/* The end of the capture: the ladders still open, in the order of RSTs. */
static void rs_ladders_finish(struct rs_run *run)
{
	struct rs_flow **open, *f;
	size_t n = 0;

	open = calloc(run->flows.count ? run->flows.count : 1, sizeof(*open));
	for (f = run->flows.oldest; f; f = f->newer) {
		if (!f->ladder)
			continue;
		if (open)
			open[n++] = f;
		else
			rs_ladders_flow_end(&run->ladders, f);
	}
	if (open) {
		qsort(open, n, sizeof(*open), rs_by_frame);
		for (size_t i = 0; i < n; i++)
			rs_ladders_flow_end(&run->ladders, open[i]);
	}
	free(open);
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

		if (!run->tot.frames++) {
			rs_report_start(&run->report, ts_us);
			run->ladders.first_us = ts_us;
		}
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

/*
 * @arg, a whole decimal number of @what from @min to @max, into @out; else
 * false, with an error naming the option as it was given ("@opt@sep@arg")
 * and what it takes: the range too when it is narrower than a u32's.
 */
static bool parse_u32(const char *opt, const char *sep, const char *arg,
		      unsigned long min, unsigned long max, const char *what,
		      u32 *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || *arg == '-' || v < min || v > max) {
		fprintf(stderr, "Error: %s%s%s: not a number of %s", opt, sep,
			arg, what);
		if (min > 0 || max < UINT32_MAX)
			fprintf(stderr, " from %lu to %lu", min, max);
		fputc('\n', stderr);
		return false;
	}
	*out = (u32)v;
	return true;
}

static bool parse_ms(const char *opt, const char *arg, u32 *ms)
{
	return parse_u32(opt, " ", arg, 0, UINT32_MAX, "milliseconds", ms);
}

enum { OPT_IDLE = 256, OPT_LADDER, OPT_LADDER_SVG, OPT_SSLV_LOG };

static const struct option long_options[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "idle",	required_argument,	NULL, OPT_IDLE },
	{ "ladder",	optional_argument,	NULL, OPT_LADDER },
	{ "ladder-svg",	required_argument,	NULL, OPT_LADDER_SVG },
	{ "sslv-log",	required_argument,	NULL, OPT_SSLV_LOG },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	struct rs_run run = {
		.cfg = { .idle_ms = SSLV_RST_IDLE_MS_DEFAULT },
	};
	u32 depth = RS_LADDER_DEPTH_DEFAULT;
	const char *svg = NULL, *log = NULL;
	bool json = false, ladder_text = false;
	char *filter = NULL;
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
		case OPT_LADDER:
			ladder_text = true;
			if (optarg &&
			    !parse_u32("--ladder", "=", optarg, 1,
				       RS_LADDER_DEPTH_MAX,
				       "segments", &depth))
				return 2;
			break;
		case OPT_LADDER_SVG:
			if (!*optarg) {
				fprintf(stderr, "Error: --ladder-svg: empty file name\n");
				return 2;
			}
			svg = optarg;
			break;
		case OPT_SSLV_LOG:
			log = optarg;
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
	if (json && ladder_text) {
		fprintf(stderr, "Error: --ladder draws text, which -j does not mix with JSON: use --ladder-svg FILE\n");
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
	if (log) {
		if (!rs_sslvlog_load(&run.log, log)) {
			free(filter);
			return 1;
		}
		run.has_log = true;
	}
	rs_report_init(&run.report, stdout, json);
	run.ladder = ladder_text || svg;
	if (!rs_flows_init(&run.flows, RS_MAX_FLOWS) ||
	    !rs_ladders_init(&run.ladders, depth, ladder_text ? stdout : NULL,
			     svg)) {
		fprintf(stderr, "rstscope: out of memory\n");
		rs_flows_free(&run.flows);
		free(filter);
		return 1;
	}
	if (run.ladder) {
		run.flows.on_end = rs_flow_gone;
		run.flows.ctx = &run.ladders;
	}

	ret = rs_replay(&run, argv[optind]);
	if (ret < 0) {
		run.flows.on_end = NULL;
		rs_flows_free(&run.flows);
		rs_ladders_free(&run.ladders);
		rs_sslvlog_free(&run.log);
		free(filter);
		return ret == -2 ? 2 : 1;
	}
	if (run.ladder)
		rs_ladders_finish(&run);
	run.tot.flows = run.flows.created;
	run.tot.evicted = run.flows.evicted;
	run.tot.sslv_log = run.has_log;
	run.tot.sslv_logged = run.log.n;
	run.tot.sslv_matched = run.log.matched;
	rs_report_summary(&run.report, &run.tot);
	rs_flows_free(&run.flows);
	if (svg && !rs_ladders_write_svg(&run.ladders, svg)) {
		fprintf(stderr, "rstscope: %s: %s\n", svg, strerror(errno));
		ret = 1;
	}
	rs_ladders_free(&run.ladders);
	rs_sslvlog_free(&run.log);
	free(filter);
	return ret;
}
