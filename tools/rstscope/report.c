// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The printing layer. Each field is written by one call naming its JSON key
 * and its text format (NULL: JSON only); a record is a JSON object on one
 * line, or one text line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "report.h"
#include "sslvlog.h"

static void rs_begin(struct rs_report *r)
{
	if (r->json)
		jw_open_object(&r->jw, NULL);
}

static void rs_end(struct rs_report *r)
{
	if (r->json)
		jw_close_object(&r->jw);
	else
		fputc('\n', r->out);
}

static void rs_str(struct rs_report *r, const char *key, const char *fmt,
		   const char *val)
{
	if (r->json)
		jw_string(&r->jw, key, val);
	else if (fmt)
		fprintf(r->out, fmt, val);
}

static void rs_num(struct rs_report *r, const char *key, const char *fmt,
		   unsigned long val)
{
	if (r->json)
		jw_uint(&r->jw, key, val);
	else if (fmt)
		fprintf(r->out, fmt, val);
}

/* A number already rendered as decimal text, e.g. a time with a fraction. */
static void rs_dec(struct rs_report *r, const char *key, const char *fmt,
		   const char *val)
{
	if (r->json)
		jw_number(&r->jw, key, val);
	else if (fmt)
		fprintf(r->out, fmt, val);
}

static void rs_causes(struct rs_report *r, const char *key, unsigned int causes)
{
	bool first = true;

	if (r->json)
		jw_open_array(&r->jw, key);
	for (unsigned int bit = 0; bit < SSLV_RST_NCAUSES; bit++) {
		const char *label = sslv_rst_cause_label(1u << bit);

		if (!(causes & 1u << bit))
			continue;
		if (r->json) {
			jw_string(&r->jw, NULL, label);
		} else {
			fprintf(r->out, "%c%s", first ? ' ' : ',', label);
		}
		first = false;
	}
	if (r->json)
		jw_close_array(&r->jw);
	else if (first)
		fputs(" -", r->out);
}

void rs_endpoint_str(char *buf, size_t size, u8 family,
		     const struct rs_endpoint *e)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(family, e->addr, addr, sizeof(addr));
	snprintf(buf, size, family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 e->port);
}

/*
 * JSON: the packet's ends as sslvctl shows a flow (Documentation/sslvctl.md),
 * client as src when the flow is known, so that a live RST event and the
 * same RST in a capture compare field by field. There is no kernel flow id.
 */
static void rs_flow_json(struct rs_report *r, const struct rs_pkt *pkt,
			 const struct rs_endpoint *src,
			 const struct rs_endpoint *dst)
{
	char addr[INET6_ADDRSTRLEN];

	jw_open_object(&r->jw, "flow");
	jw_string(&r->jw, "proto", "tcp");
	jw_string(&r->jw, "family", pkt->family == AF_INET6 ? "inet6" : "inet");
	inet_ntop(pkt->family, src->addr, addr, sizeof(addr));
	jw_string(&r->jw, "src", addr);
	jw_uint(&r->jw, "sport", src->port);
	inet_ntop(pkt->family, dst->addr, addr, sizeof(addr));
	jw_string(&r->jw, "dst", addr);
	jw_uint(&r->jw, "dport", dst->port);
	jw_uint(&r->jw, "vlan", pkt->vlan);
	jw_close_object(&r->jw);
}

static void rs_time_str(char *buf, size_t size, long long us)
{
	snprintf(buf, size, "%s%lld.%06lld", us < 0 ? "-" : "",
		 (us < 0 ? -us : us) / 1000000, (us < 0 ? -us : us) % 1000000);
}

void rs_explain(char *buf, size_t size, const struct sslv_rst_info *info)
{
	bool server = info->sender == SSLV_RST_SENDER_SERVER;

	if (!(info->causes & SSLV_RST_C_SSLV)) {
		sslv_rst_explain(buf, (u32)size, info);
		return;
	}
	if (info->sender == SSLV_RST_SENDER_UNKNOWN)
		snprintf(buf, size, "sslv: %s",
			 rs_sslv_reason_text(info->reason));
	else
		snprintf(buf, size, "sslv: %s; sslv reset the %s in the %s's name",
			 rs_sslv_reason_text(info->reason),
			 server ? "client" : "server",
			 server ? "server" : "client");
}

void rs_report_init(struct rs_report *r, FILE *out, bool json)
{
	r->out = out;
	r->json = json;
	jw_init(&r->jw, out);
}

void rs_report_start(struct rs_report *r, long long ts_us)
{
	r->first_us = ts_us;
	if (!r->json)
		fprintf(r->out, "%6s %10s %s | %s\n", "frame", "time",
			"client -> server  sender phase kind ttl seq causes conn_state history",
			"explanation");
}

void rs_report_rst(struct rs_report *r, unsigned long frame, long long ts_us,
		   const struct rs_pkt *pkt, const struct rs_flow *flow,
		   const struct rs_zeek *zeek,
		   const struct sslv_rst_info *info)
{
	char a[64], b[64], when[32], line[512];
	const struct rs_endpoint *client = flow ? &flow->client : &pkt->src;
	const struct rs_endpoint *server = flow ? &flow->server : &pkt->dst;

	r->rsts++;
	r->phase[info->phase % __SSLV_RST_PHASE_MAX]++;
	r->sender[info->sender % __SSLV_RST_SENDER_MAX]++;
	r->kind[info->kind % __SSLV_RST_KIND_MAX]++;
	r->ttl[info->ttl % __SSLV_RST_TTL_MAX]++;
	r->seq[info->seq_fit % (SSLV_SEQ_OUTSIDE + 1)]++;
	for (unsigned int bit = 0; bit < SSLV_RST_NCAUSES; bit++)
		if (info->causes & 1u << bit)
			r->cause[bit]++;

	rs_begin(r);
	if (r->json) {
		jw_string(&r->jw, "event", "rst");
		jw_string(&r->jw, "timestamp",
			  jw_time(when, ts_us / 1000000, ts_us % 1000000));
	}
	rs_num(r, "frame", "%6lu", frame);
	rs_time_str(when, sizeof(when), ts_us - r->first_us);
	rs_dec(r, "rel", " %10s", when);
	rs_time_str(when, sizeof(when), ts_us);
	rs_dec(r, "time", NULL, when);
	/* Without a flow nobody knows the client: show the RST's own ends. */
	if (r->json)
		rs_flow_json(r, pkt, client, server);
	/* vlan, client, server, src, dst: the JSON before 0.1.0, kept for it */
	if (pkt->vlan || r->json)
		rs_num(r, "vlan", " vlan %lu", pkt->vlan);
	rs_endpoint_str(a, sizeof(a), pkt->family, client);
	rs_endpoint_str(b, sizeof(b), pkt->family, server);
	rs_str(r, flow ? "client" : "src", " %s", a);
	rs_str(r, flow ? "server" : "dst", " -> %s", b);
	rs_str(r, "sender", "  %s", sslv_rst_sender_label(info->sender));
	rs_str(r, "phase", " %s", sslv_rst_phase_label(info->phase));
	rs_str(r, "kind", " %s", sslv_rst_kind_label(info->kind));
	rs_str(r, "ttl", " %s", sslv_rst_ttl_label(info->ttl));
	rs_num(r, "ttl_seen", NULL, info->ttl_seen);
	rs_num(r, "ttl_expected", NULL, info->ttl_expected);
	rs_str(r, "seq", " %s", sslv_rst_seq_label(info->seq_fit));
	rs_causes(r, "causes", info->causes);
	rs_str(r, "conn_state", " %s", rs_zeek_conn_state(zeek));
	rs_str(r, "history", " %s", zeek->history);
	rs_str(r, "reason", NULL, sslv_rst_reason_label(info->reason));
	rs_num(r, "idle_ms", NULL, info->idle_ms);
	rs_num(r, "rexmit", NULL, info->rexmit);
	rs_num(r, "tcp_seq", NULL, pkt->seg.seq);
	rs_num(r, "tcp_ack", NULL, pkt->seg.ack);
	rs_explain(line, sizeof(line), info);
	rs_str(r, "explain", " | %s", line);
	rs_end(r);
}

static void rs_count(struct rs_report *r, const char *group, const char *label,
		     unsigned long n)
{
	if (r->json) {
		jw_uint(&r->jw, label, n);
	} else {
		fprintf(r->out, "%-8s %-22s %8lu\n", group, label, n);
	}
}

static void rs_group(struct rs_report *r, const char *group, unsigned int n,
		     const unsigned long *counts,
		     const char *(*label)(unsigned int))
{
	if (r->json)
		jw_open_object(&r->jw, group);
	for (unsigned int i = 0; i < n; i++)
		rs_count(r, group, label(i), counts[i]);
	if (r->json)
		jw_close_object(&r->jw);
}

static const char *rs_cause_label_at(unsigned int bit)
{
	return sslv_rst_cause_label(1u << bit);
}

void rs_report_summary(struct rs_report *r, const struct rs_totals *tot)
{
	rs_begin(r);
	if (r->json)
		jw_open_object(&r->jw, "summary");
	else
		fputc('\n', r->out);
	rs_num(r, "rsts", "summary: %lu RSTs", r->rsts);
	rs_num(r, "flows", " in %lu flows", tot->flows);
	rs_num(r, "frames", "; %lu frames:", tot->frames);
	rs_num(r, "tcp", " %lu TCP,", tot->tcp);
	rs_num(r, "other", " %lu other,", tot->other);
	rs_num(r, "malformed", " %lu malformed,", tot->bad);
	rs_num(r, "filtered", " %lu filtered out", tot->filtered);
	rs_num(r, "evicted", "; %lu flows evicted", tot->evicted);
	if (tot->sslv_log) {
		rs_num(r, "sslv_matched", "; sslv's log: %lu", tot->sslv_matched);
		rs_num(r, "sslv_logged", " of its %lu RSTs found",
		       tot->sslv_logged);
	}
	if (!r->json)
		fprintf(r->out, "\n%-8s %-22s %8s\n", "group", "label", "rsts");
	rs_group(r, "phase", __SSLV_RST_PHASE_MAX, r->phase,
		 sslv_rst_phase_label);
	rs_group(r, "sender", __SSLV_RST_SENDER_MAX, r->sender,
		 sslv_rst_sender_label);
	rs_group(r, "kind", __SSLV_RST_KIND_MAX, r->kind, sslv_rst_kind_label);
	rs_group(r, "ttl", __SSLV_RST_TTL_MAX, r->ttl, sslv_rst_ttl_label);
	rs_group(r, "seq", SSLV_SEQ_OUTSIDE + 1, r->seq, sslv_rst_seq_label);
	rs_group(r, "cause", SSLV_RST_NCAUSES, r->cause, rs_cause_label_at);
	if (r->json) {
		jw_close_object(&r->jw);
		rs_end(r);
	}
}
