// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl monitor -w FILE: the events as Suricata eve.json lines, so that a
 * pipeline that ingests Suricata's (Filebeat's suricata module, Logstash,
 * Zeek's JSON readers, jq) takes sslv's too. Documentation/eve.md.
 *
 *   {"timestamp":"...","flow_id":17,"event_type":"tls","vlan":[10],
 *    "src_ip":"10.0.1.1","src_port":40000,"dest_ip":"10.0.1.2",
 *    "dest_port":443,"proto":"TCP","app_proto":"tls",
 *    "tls":{"sni":"www.example.com","version":"TLS 1.3"},
 *    "sslv":{...the record sslvctl -j monitor prints...}}
 *
 * A session is event_type "tls", with a "tls" object as Suricata writes
 * one (sni, version) when sslv read them; every other event (rejected,
 * ended, rst, lost) is event_type "sslv". Every line carries the whole
 * monitor record as "sslv". The file is appended to, a line flushed at a
 * time, and reopened on SIGHUP (logrotate's postrotate).
 */
#include <errno.h>
#include <string.h>

#include "json_writer.h"
#include "sslvctl.h"

int eve_open(struct eve *e)
{
	e->f = fopen(e->path, "a");
	if (!e->f) {
		errorf("cannot open \"%s\": %s", e->path, strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int eve_reopen(struct eve *e)
{
	if (e->f && fclose(e->f)) {
		e->f = NULL;
		errorf("cannot write \"%s\": %s", e->path, strerror(errno));
		return EXIT_KERNEL;
	}
	e->f = NULL;
	return eve_open(e);
}

/* Suricata's names of TLS versions (SSLVersionToString()), else hex. */
static const char *eve_tls_version(uint16_t v, char buf[8])
{
	switch (v) {
	case 0x0200: return "SSLv2";
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	}
	snprintf(buf, 8, "0x%04x", v);
	return buf;
}

/* "tls": {"sni", "version"} of a session, when sslv read either. */
static void eve_tls(struct jw *w, const struct nlattr *session)
{
	static const uint8_t types[SSLV_SESS_MAX + 1] = {
		[SSLV_SESS_VERSION] = MNL_TYPE_U16,
		[SSLV_SESS_SNI] = MNL_TYPE_BINARY,
	};
	const struct nlattr *tb[SSLV_SESS_MAX + 1];
	char buf[8];

	if (!session ||
	    genl_parse_nest(session, tb, SSLV_SESS_MAX, types) < 0 ||
	    (!tb[SSLV_SESS_SNI] && !tb[SSLV_SESS_VERSION]))
		return;
	jw_open_object(w, "tls");
	if (tb[SSLV_SESS_SNI])
		jw_bytes(w, "sni", mnl_attr_get_payload(tb[SSLV_SESS_SNI]),
			 mnl_attr_get_payload_len(tb[SSLV_SESS_SNI]));
	if (tb[SSLV_SESS_VERSION])
		jw_string(w, "version",
			  eve_tls_version(mnl_attr_get_u16(tb[SSLV_SESS_VERSION]),
					  buf));
	jw_close_object(w);
}

static void eve_head(struct jw *w, const struct timespec *ts,
		     const struct flow_ends *fe, const char *event_type)
{
	char stamp[JW_TIME_SIZE];

	jw_open_object(w, NULL);
	jw_string(w, "timestamp",
		  jw_time(stamp, ts->tv_sec, ts->tv_nsec / 1000));
	if (fe && fe->id)
		jw_uint(w, "flow_id", fe->id);
	jw_string(w, "event_type", event_type);
	if (!fe)
		return;
	if (fe->vlan) {
		jw_open_array(w, "vlan");
		jw_uint(w, NULL, fe->vlan);
		jw_close_array(w);
	}
	jw_string(w, "src_ip", fe->src);
	jw_uint(w, "src_port", fe->sport);
	jw_string(w, "dest_ip", fe->dst);
	jw_uint(w, "dest_port", fe->dport);
	jw_string(w, "proto", "TCP");
}

static int eve_end(struct eve *e, struct jw *w)
{
	jw_close_object(w);
	if (fflush(e->f) || ferror(e->f)) {
		errorf("cannot write \"%s\": %s", e->path, strerror(errno));
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}

int eve_write(struct eve *e, const struct nlattr **tb, uint8_t type,
	      const struct timespec *ts, const char *record, size_t len)
{
	struct flow_ends fe;
	bool ends = flow_ends(tb[SSLV_A_FLOW], &fe);
	bool tls = type == SSLV_EV_SESSION;
	char raw[65536];
	struct jw w;

	while (len && record[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(raw))
		return EXIT_OK;
	memcpy(raw, record, len);
	raw[len] = '\0';
	jw_init(&w, e->f);
	eve_head(&w, ts, ends ? &fe : NULL, tls ? "tls" : "sslv");
	if (tls) {
		jw_string(&w, "app_proto", "tls");
		eve_tls(&w, tb[SSLV_A_SESSION]);
	}
	jw_number(&w, "sslv", raw);
	return eve_end(e, &w);
}

int eve_lost(struct eve *e, const struct timespec *ts, uint32_t n)
{
	char stamp[JW_TIME_SIZE];
	struct jw w;

	jw_init(&w, e->f);
	eve_head(&w, ts, NULL, "sslv");
	jw_open_object(&w, "sslv");
	jw_string(&w, "event", "lost");
	jw_string(&w, "timestamp",
		  jw_time(stamp, ts->tv_sec, ts->tv_nsec / 1000));
	jw_uint(&w, "count", n);
	jw_close_object(&w);
	return eve_end(e, &w);
}
