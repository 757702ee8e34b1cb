// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reading sslv's monitor log: a small JSON reader, enough for one object a
 * line, that keeps the keys an rst event needs and skips everything else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "flows.h"
#include "rst.h"
#include "sslvlog.h"

#define RS_JSON_DEPTH 32

struct rs_json {
	const char *p;
	bool bad;
};

/* The keys of an rst event that matter here; flow's keys prefixed "flow.". */
struct rs_event {
	char event[16], sender[16], reason[32], family[8];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned long long sport, dport, vlan, seq;
	unsigned int have;		/* RS_EV_* */
};

#define RS_EV_SPORT	0x01
#define RS_EV_DPORT	0x02
#define RS_EV_SEQ	0x04
#define RS_EV_FLOW	0x08

static void ws(struct rs_json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
		j->p++;
}

static bool eat(struct rs_json *j, char c)
{
	ws(j);
	if (*j->p != c)
		return false;
	j->p++;
	return true;
}

/* A string into @buf (cut to fit; NULL: skipped); \u escapes become '?'. */
static bool string(struct rs_json *j, char *buf, size_t size)
{
	size_t n = 0;

	if (!eat(j, '"'))
		return false;
	for (;;) {
		char c = *j->p++;

		if (c == '\0' || (unsigned char)c < 0x20)
			return false;
		if (c == '"')
			break;
		if (c == '\\') {
			c = *j->p++;
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '"': case '\\': case '/': break;
			case 'u':
				for (int i = 0; i < 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    *j->p++) || !j->p[-1])
						return false;
				c = '?';
				break;
			default:
				return false;
			}
		}
		if (buf && n + 1 < size)
			buf[n++] = c;
	}
	if (buf && size)
		buf[n] = '\0';
	return true;
}

/* A number; @v gets it when it is a whole number, else @v is untouched. */
static bool number(struct rs_json *j, unsigned long long *v, bool *whole)
{
	const char *start;
	char *end;

	ws(j);
	start = j->p;
	if (*j->p == '-')
		j->p++;
	if (*j->p < '0' || *j->p > '9')
		return false;
	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	*whole = *start != '-';
	if (*j->p == '.') {
		*whole = false;
		j->p++;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		*whole = false;
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*whole) {
		errno = 0;
		*v = strtoull(start, &end, 10);
		if (errno)
			*whole = false;
	}
	return true;
}

static bool value(struct rs_json *j, int depth);

static bool container(struct rs_json *j, int depth, char close, bool keys)
{
	if (depth > RS_JSON_DEPTH)
		return false;
	if (eat(j, close))
		return true;
	do {
		if (keys && (!string(j, NULL, 0) || !eat(j, ':')))
			return false;
		if (!value(j, depth + 1))
			return false;
	} while (eat(j, ','));
	return eat(j, close);
}

static bool literal(struct rs_json *j, const char *word)
{
	size_t n = strlen(word);

	ws(j);
	if (strncmp(j->p, word, n))
		return false;
	j->p += n;
	return true;
}

/* Any value, skipped. */
static bool value(struct rs_json *j, int depth)
{
	unsigned long long v;
	bool whole;

	ws(j);
	switch (*j->p) {
	case '{':
		j->p++;
		return container(j, depth, '}', true);
	case '[':
		j->p++;
		return container(j, depth, ']', false);
	case '"':
		return string(j, NULL, 0);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	}
	return number(j, &v, &whole);
}

static bool uint_member(struct rs_json *j, unsigned long long *v,
			unsigned int *have, unsigned int bit)
{
	bool whole;

	ws(j);
	if (*j->p != '-' && (*j->p < '0' || *j->p > '9'))
		return value(j, 1);	/* not a number: it stays missing */
	if (!number(j, v, &whole))
		return false;
	if (whole)
		*have |= bit;
	return true;
}

static bool str_member(struct rs_json *j, char *buf, size_t size)
{
	ws(j);
	if (*j->p != '"')
		return value(j, 1);
	return string(j, buf, size);
}

static bool flow_object(struct rs_json *j, struct rs_event *ev)
{
	char key[32];

	if (!eat(j, '{'))
		return value(j, 1);
	ev->have |= RS_EV_FLOW;
	if (eat(j, '}'))
		return true;
	do {
		bool ok;

		if (!string(j, key, sizeof(key)) || !eat(j, ':'))
			return false;
		if (!strcmp(key, "family"))
			ok = str_member(j, ev->family, sizeof(ev->family));
		else if (!strcmp(key, "src"))
			ok = str_member(j, ev->src, sizeof(ev->src));
		else if (!strcmp(key, "dst"))
			ok = str_member(j, ev->dst, sizeof(ev->dst));
		else if (!strcmp(key, "sport"))
			ok = uint_member(j, &ev->sport, &ev->have, RS_EV_SPORT);
		else if (!strcmp(key, "dport"))
			ok = uint_member(j, &ev->dport, &ev->have, RS_EV_DPORT);
		else if (!strcmp(key, "vlan"))
			ok = uint_member(j, &ev->vlan, &ev->have, 0);
		else
			ok = value(j, 2);
		if (!ok)
			return false;
	} while (eat(j, ','));
	return eat(j, '}');
}

/* One line: a JSON object, its keys of interest in @ev. */
static bool rs_event_parse(const char *line, struct rs_event *ev)
{
	struct rs_json j = { .p = line };
	char key[32];

	memset(ev, 0, sizeof(*ev));
	if (!eat(&j, '{'))
		return false;
	if (!eat(&j, '}')) {
		do {
			bool ok;

			if (!string(&j, key, sizeof(key)) || !eat(&j, ':'))
				return false;
			if (!strcmp(key, "event"))
				ok = str_member(&j, ev->event, sizeof(ev->event));
			else if (!strcmp(key, "sender"))
				ok = str_member(&j, ev->sender, sizeof(ev->sender));
			else if (!strcmp(key, "reason"))
				ok = str_member(&j, ev->reason, sizeof(ev->reason));
			else if (!strcmp(key, "tcp_seq"))
				ok = uint_member(&j, &ev->seq, &ev->have, RS_EV_SEQ);
			else if (!strcmp(key, "flow"))
				ok = flow_object(&j, ev);
			else
				ok = value(&j, 1);
			if (!ok)
				return false;
		} while (eat(&j, ','));
		if (!eat(&j, '}'))
			return false;
	}
	ws(&j);
	return *j.p == '\0';
}

static int rs_reason_code(const char *label)
{
	for (unsigned int r = SSLV_R_NONE + 1; r < __SSLV_R_MAX; r++)
		if (!strcmp(label, sslv_rst_reason_label(r)))
			return (int)r;
	return -1;
}

static bool rs_endpoint_parse(struct rs_endpoint *e, u8 family,
			      const char *addr, unsigned long long port)
{
	memset(e, 0, sizeof(*e));
	e->port = (u16)port;
	return port <= 0xffff && inet_pton(family, addr, e->addr) == 1;
}

/*
 * An rst event into @r: 1 when sslv sent it, 0 when it only saw it (or the
 * line is another event), -1 with @why set when a key is missing or wrong.
 */
static int rs_event_rst(const struct rs_event *ev, struct rs_sslv_rst *r,
			const char **why)
{
	const unsigned int need = RS_EV_FLOW | RS_EV_SPORT | RS_EV_DPORT |
				  RS_EV_SEQ;
	struct rs_endpoint a, b;
	bool server;
	int reason;

	if (strcmp(ev->event, "rst"))
		return 0;
	if (!strcmp(ev->reason, "none"))
		return 0;
	*why = "an rst event without flow, sport, dport or tcp_seq";
	if ((ev->have & need) != need || ev->seq > UINT32_MAX)
		return -1;
	reason = rs_reason_code(ev->reason);
	*why = "an rst event of unknown reason";
	if (reason < 0)
		return -1;
	r->family = !strcmp(ev->family, "inet6") ? AF_INET6 : AF_INET;
	*why = "an rst event with a bad address, port or vlan";
	if (strcmp(ev->family, "inet") && strcmp(ev->family, "inet6"))
		return -1;
	if (!rs_endpoint_parse(&a, r->family, ev->src, ev->sport) ||
	    !rs_endpoint_parse(&b, r->family, ev->dst, ev->dport) ||
	    ev->vlan > 4095)
		return -1;
	/* The flow is written client first; the server's RST goes the other way. */
	server = !strcmp(ev->sender, "server");
	r->src = server ? b : a;
	r->dst = server ? a : b;
	r->vlan = (u16)ev->vlan;
	r->seq = (u32)ev->seq;
	r->reason = (u8)reason;
	r->matched = false;
	return 1;
}

static int rs_by_seq(const void *a, const void *b)
{
	u32 x = ((const struct rs_sslv_rst *)a)->seq;
	u32 y = ((const struct rs_sslv_rst *)b)->seq;

	return x < y ? -1 : x > y;
}

bool rs_sslvlog_load(struct rs_sslvlog *log, const char *path)
{
	size_t cap = 0, size = 0;
	unsigned long lineno = 0;
	char *line = NULL;
	ssize_t len;
	FILE *f;

	memset(log, 0, sizeof(*log));
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "rstscope: %s: %s\n", path, strerror(errno));
		return false;
	}
	while ((len = getline(&line, &size, f)) >= 0) {
		struct rs_event ev;
		const char *why = "not a JSON object (sslvctl -j monitor writes one a line)";
		bool last = !len || line[len - 1] != '\n';
		int rc;

		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		rc = rs_event_parse(line, &ev) ?
		     rs_event_rst(&ev, &(struct rs_sslv_rst){ 0 }, &why) : -1;
		if (rc < 0 && last) {
			fprintf(stderr, "rstscope: %s:%lu: warning: the last line is cut short, ignored\n",
				path, lineno);
			break;
		}
		if (rc < 0) {
			fprintf(stderr, "rstscope: %s:%lu: %s\n", path, lineno,
				why);
			goto fail;
		}
		if (!rc)
			continue;
		if (log->n == cap) {
			struct rs_sslv_rst *more;

			cap = cap ? 2 * cap : 64;
			more = realloc(log->rsts, cap * sizeof(*more));
			if (!more) {
				fprintf(stderr, "rstscope: out of memory\n");
				goto fail;
			}
			log->rsts = more;
		}
		rs_event_rst(&ev, &log->rsts[log->n++], &why);
	}
	if (ferror(f)) {
		fprintf(stderr, "rstscope: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(f);
	qsort(log->rsts, log->n, sizeof(*log->rsts), rs_by_seq);
	return true;
fail:
	free(line);
	fclose(f);
	rs_sslvlog_free(log);
	return false;
}

unsigned int rs_sslvlog_match(struct rs_sslvlog *log, const struct rs_pkt *pkt)
{
	size_t lo = 0, hi = log->n;

	while (lo < hi) {		/* the first with seq >= the RST's */
		size_t mid = lo + (hi - lo) / 2;

		if (log->rsts[mid].seq < pkt->seg.seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < log->n && log->rsts[lo].seq == pkt->seg.seq; lo++) {
		struct rs_sslv_rst *r = &log->rsts[lo];

		if (r->matched || r->family != pkt->family ||
		    r->vlan != pkt->vlan || !rs_endpoint_eq(&r->src, &pkt->src) ||
		    !rs_endpoint_eq(&r->dst, &pkt->dst))
			continue;
		r->matched = true;
		log->matched++;
		return r->reason;
	}
	return SSLV_R_NONE;
}

const char *rs_sslv_reason_text(unsigned int reason)
{
	switch (reason) {
	case SSLV_R_RULE:
		return "policy reject (a reject rule matched)";
	case SSLV_R_OPERATOR:
		return "operator reject (sslvctl flow reject)";
	case SSLV_R_CLIENT_CERT:
		return "undecryptable policy reject (the client-cert default)";
	case SSLV_R_CONFLICT:
		return "flow error reject (a retransmission changed handshake bytes)";
	}
	return sslv_rst_reason_label(reason);
}

void rs_sslvlog_free(struct rs_sslvlog *log)
{
	free(log->rsts);
	memset(log, 0, sizeof(*log));
}
