// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl flow list [FILTER...] | flow reject ID, and how a flow is shown
 * (here, in monitor events and, briefly, in RST and session events).
 *
 * Exact filters are also sent to the kernel so that it dumps less; every
 * filter, prefixes and port ranges included, is applied here as well.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

static const char *const state_names[__SSLV_FS_MAX] = {
	[SSLV_FS_SYN_SENT] = "syn-sent",
	[SSLV_FS_SYN_RECV] = "syn-recv",
	[SSLV_FS_ESTABLISHED] = "established",
	[SSLV_FS_CLOSING] = "closing",
	[SSLV_FS_CLOSED] = "closed",
	[SSLV_FS_REJECTED] = "rejected",
	[SSLV_FS_DROPPED] = "dropped",
};

static const uint8_t flow_types[SSLV_FLOW_MAX + 1] = {
	[SSLV_FLOW_ID] = MNL_TYPE_U32,
	[SSLV_FLOW_FAMILY] = MNL_TYPE_U8,
	[SSLV_FLOW_SPORT] = MNL_TYPE_U16,
	[SSLV_FLOW_DPORT] = MNL_TYPE_U16,
	[SSLV_FLOW_VLAN] = MNL_TYPE_U16,
	[SSLV_FLOW_STATE] = MNL_TYPE_U8,
	[SSLV_FLOW_FLAGS] = MNL_TYPE_U32,
	[SSLV_FLOW_AGE_MS] = MNL_TYPE_U32,
	[SSLV_FLOW_ORIG_IFINDEX] = MNL_TYPE_U32,
	[SSLV_FLOW_REPLY_IFINDEX] = MNL_TYPE_U32,
	[SSLV_FLOW_ORIG_TTL] = MNL_TYPE_U8,
	[SSLV_FLOW_REPLY_TTL] = MNL_TYPE_U8,
	[SSLV_FLOW_ORIG_SEQ] = MNL_TYPE_U32,
	[SSLV_FLOW_REPLY_SEQ] = MNL_TYPE_U32,
	[SSLV_FLOW_ACTION] = MNL_TYPE_U8,
};

#define FILTER_SPORT	(1U << 0)
#define FILTER_DPORT	(1U << 1)
#define FILTER_VLAN	(1U << 2)
#define FILTER_STATE	(1U << 3)

struct flow_filter {
	uint8_t family;
	uint8_t has;		/* FILTER_* */
	uint8_t state;
	uint16_t vlan;
	uint16_t sport[2];
	uint16_t dport[2];
	struct prefix src;
	struct prefix dst;
};

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint16_t get_u16(const struct nlattr *a)
{
	return a ? mnl_attr_get_u16(a) : 0;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

/* The flow's address as a byte string of its family's size, or NULL. */
static const uint8_t *flow_addr(const struct nlattr *a, uint8_t family)
{
	if (!a || mnl_attr_get_payload_len(a) != (family == AF_INET ? 4 : 16))
		return NULL;
	return mnl_attr_get_payload(a);
}

/* Text "SRC:SPORT @arrow DST:DPORT"; JSON each field. */
static void print_endpoints(const struct nlattr **tb, const char *arrow)
{
	uint8_t family = get_u8(tb[SSLV_FLOW_FAMILY]);
	const uint8_t *saddr = flow_addr(tb[SSLV_FLOW_SADDR], family);
	const uint8_t *daddr = flow_addr(tb[SSLV_FLOW_DADDR], family);
	uint16_t sport = get_u16(tb[SSLV_FLOW_SPORT]);
	uint16_t dport = get_u16(tb[SSLV_FLOW_DPORT]);
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	char text[2 * INET6_ADDRSTRLEN + 32];
	bool v6 = family == AF_INET6;

	if (!saddr || !daddr)
		return;
	format_addr(s, sizeof(s), family, saddr, -1);
	format_addr(d, sizeof(d), family, daddr, -1);
	snprintf(text, sizeof(text), "%s%s%s:%u %s %s%s%s:%u",
		 v6 ? "[" : "", s, v6 ? "]" : "", sport, arrow,
		 v6 ? "[" : "", d, v6 ? "]" : "", dport);
	print_str(PR_TEXT, NULL, NULL, text);
	print_str(PR_JSON, "family", NULL, v6 ? "inet6" : "inet");
	print_str(PR_JSON, "src", NULL, s);
	print_uint(PR_JSON, "sport", NULL, sport);
	print_str(PR_JSON, "dst", NULL, d);
	print_uint(PR_JSON, "dport", NULL, dport);
}

/* @view: what the text shows (see enum flow_view); JSON shows everything. */
static void print_flow_attrs(const struct nlattr **tb, enum flow_view view)
{
	bool full = view == FLOW_FULL || opts.json;
	enum pr_where proto = view == FLOW_ENDS ? PR_JSON : PR_ANY;
	enum pr_where seq_where = opts.details && full ? PR_ANY : PR_JSON;
	uint32_t flags = get_u32(tb[SSLV_FLOW_FLAGS]);
	uint32_t id = get_u32(tb[SSLV_FLOW_ID]);
	uint16_t vlan = get_u16(tb[SSLV_FLOW_VLAN]);
	char num[16];

	if (view == FLOW_BRIEF && tb[SSLV_FLOW_ID] && !id) {
		print_uint(PR_JSON, "id", NULL, id);
		print_str(PR_TEXT, NULL, NULL, "no-flow");
	} else if (tb[SSLV_FLOW_ID]) {
		print_uint(PR_ANY, "id", "flow", id);
	}
	print_str(proto, "proto", NULL, "tcp");
	print_endpoints(tb, view == FLOW_ENDS ? ">" : "->");
	if (tb[SSLV_FLOW_VLAN])
		print_uint(vlan ? PR_ANY : PR_JSON, "vlan", "vlan", vlan);
	if (!full)
		return;
	if (tb[SSLV_FLOW_STATE])
		print_str(PR_ANY, "state", NULL,
			  keyword_name(state_names, __SSLV_FS_MAX,
				       get_u8(tb[SSLV_FLOW_STATE]), num));
	if (tb[SSLV_FLOW_AGE_MS])
		print_uint_unit(PR_ANY, "age_ms", "age",
				get_u32(tb[SSLV_FLOW_AGE_MS]), "ms");
	if (tb[SSLV_FLOW_ORIG_IFINDEX])
		print_ifindex("orig_if", "orig-if",
			      get_u32(tb[SSLV_FLOW_ORIG_IFINDEX]));
	if (tb[SSLV_FLOW_ORIG_TTL])
		print_uint(PR_ANY, "orig_ttl", "ttl",
			   get_u8(tb[SSLV_FLOW_ORIG_TTL]));
	if (tb[SSLV_FLOW_REPLY_IFINDEX])
		print_ifindex("reply_if", "reply-if",
			      get_u32(tb[SSLV_FLOW_REPLY_IFINDEX]));
	if (tb[SSLV_FLOW_REPLY_TTL])
		print_uint(PR_ANY, "reply_ttl", "ttl",
			   get_u8(tb[SSLV_FLOW_REPLY_TTL]));
	if (tb[SSLV_FLOW_ORIG_SEQ])
		print_uint(seq_where, "orig_seq", "orig-seq",
			   get_u32(tb[SSLV_FLOW_ORIG_SEQ]));
	if (tb[SSLV_FLOW_REPLY_SEQ])
		print_uint(seq_where, "reply_seq", "reply-seq",
			   get_u32(tb[SSLV_FLOW_REPLY_SEQ]));
	if (flags & SSLV_FLOW_F_MIDSTREAM)
		print_flag(PR_ANY, "midstream", "midstream");
	if (flags & SSLV_FLOW_F_TAP)
		print_flag(PR_ANY, "tap", "tap");
	if (flags & SSLV_FLOW_F_DIVERTED)
		print_flag(PR_ANY, "diverted", "diverted");
	if (tb[SSLV_FLOW_ACTION])
		print_str(PR_ANY, "action", "action",
			  keyword_name(action_names, __SSLV_ACT_MAX,
				       get_u8(tb[SSLV_FLOW_ACTION]), num));
}

bool flow_ends(const struct nlattr *nest, struct flow_ends *e)
{
	const struct nlattr *tb[SSLV_FLOW_MAX + 1];
	const uint8_t *saddr, *daddr;

	memset(e, 0, sizeof(*e));
	if (!nest || genl_parse_nest(nest, tb, SSLV_FLOW_MAX, flow_types) < 0)
		return false;
	e->family = get_u8(tb[SSLV_FLOW_FAMILY]);
	saddr = flow_addr(tb[SSLV_FLOW_SADDR], e->family);
	daddr = flow_addr(tb[SSLV_FLOW_DADDR], e->family);
	if (!saddr || !daddr)
		return false;
	format_addr(e->src, sizeof(e->src), e->family, saddr, -1);
	format_addr(e->dst, sizeof(e->dst), e->family, daddr, -1);
	e->id = get_u32(tb[SSLV_FLOW_ID]);
	e->sport = get_u16(tb[SSLV_FLOW_SPORT]);
	e->dport = get_u16(tb[SSLV_FLOW_DPORT]);
	e->vlan = get_u16(tb[SSLV_FLOW_VLAN]);
	return true;
}

bool print_flow(const struct nlattr *nest, const char *key,
		enum flow_view view)
{
	const struct nlattr *tb[SSLV_FLOW_MAX + 1];

	if (genl_parse_nest(nest, tb, SSLV_FLOW_MAX, flow_types) < 0)
		return false;
	open_object(key);
	print_flow_attrs(tb, view);
	close_object();
	return true;
}

static bool prefix_match(const struct prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;
	uint8_t mask = (uint8_t)(0xff00 >> rest);

	if (!addr || memcmp(p->addr, addr, full))
		return false;
	return !rest || (addr[full] & mask) == p->addr[full];
}

static bool port_match(const uint16_t range[2], const struct nlattr *a)
{
	uint16_t port = get_u16(a);

	return a && port >= range[0] && port <= range[1];
}

static bool flow_match(const struct flow_filter *f, const struct nlattr **tb)
{
	uint8_t family = get_u8(tb[SSLV_FLOW_FAMILY]);

	if (f->family && family != f->family)
		return false;
	if (f->src.family &&
	    !prefix_match(&f->src, flow_addr(tb[SSLV_FLOW_SADDR], family)))
		return false;
	if (f->dst.family &&
	    !prefix_match(&f->dst, flow_addr(tb[SSLV_FLOW_DADDR], family)))
		return false;
	if ((f->has & FILTER_SPORT) && !port_match(f->sport, tb[SSLV_FLOW_SPORT]))
		return false;
	if ((f->has & FILTER_DPORT) && !port_match(f->dport, tb[SSLV_FLOW_DPORT]))
		return false;
	if ((f->has & FILTER_VLAN) && get_u16(tb[SSLV_FLOW_VLAN]) != f->vlan)
		return false;
	if ((f->has & FILTER_STATE) &&
	    (!tb[SSLV_FLOW_STATE] || get_u8(tb[SSLV_FLOW_STATE]) != f->state))
		return false;
	return true;
}

static int flow_reply(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_FLOW] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const struct nlattr *ftb[SSLV_FLOW_MAX + 1];

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 || !tb[SSLV_A_FLOW] ||
	    genl_parse_nest(tb[SSLV_A_FLOW], ftb, SSLV_FLOW_MAX, flow_types) < 0)
		return MNL_CB_ERROR;
	if (flow_match(data, ftb)) {
		open_object(NULL);
		print_flow_attrs(ftb, FLOW_FULL);
		close_object();
	}
	return MNL_CB_OK;
}

static bool parse_family(const char *s, uint8_t *family)
{
	if (!strcmp(s, "inet") || !strcmp(s, "ipv4"))
		*family = AF_INET;
	else if (!strcmp(s, "inet6") || !strcmp(s, "ipv6"))
		*family = AF_INET6;
	else
		return false;
	return true;
}

static bool set_family(struct flow_filter *f, uint8_t family, const char *tok)
{
	if (f->family && f->family != family)
		return bad_arg("address family mismatch", tok);
	f->family = family;
	return true;
}

static const char *const filter_keywords[] = {
	"family", "src", "dst", "sport", "dport", "vlan", "state", NULL
};

static bool parse_filter(int argc, char **argv, struct flow_filter *f)
{
	bool seen_family = false, seen_src = false, seen_dst = false;
	bool seen_sport = false, seen_dport = false, seen_vlan = false;
	bool seen_state = false;
	const char *kw, *val;
	uint8_t family;
	uint32_t vlan;
	int i, state;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i++) {
		if (!expand_keyword(&argv[i], filter_keywords))
			return false;
		kw = argv[i];
		if (!strcmp(kw, "family")) {
			if (!once(&seen_family, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_family(val, &family))
				return bad_arg("invalid family", val);
			if (!set_family(f, family, val))
				return false;
		} else if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
			struct prefix *p = kw[0] == 's' ? &f->src : &f->dst;

			if (!once(kw[0] == 's' ? &seen_src : &seen_dst, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_prefix(val, p))
				return bad_arg("invalid prefix", val);
			if (!set_family(f, p->family, val))
				return false;
		} else if (!strcmp(kw, "sport") || !strcmp(kw, "dport")) {
			bool s = kw[0] == 's';

			if (!once(s ? &seen_sport : &seen_dport, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_port_range(val, s ? f->sport : f->dport))
				return bad_arg("invalid port", val);
			f->has |= s ? FILTER_SPORT : FILTER_DPORT;
		} else if (!strcmp(kw, "vlan")) {
			if (!once(&seen_vlan, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_u32(val, 4094, &vlan))
				return bad_arg("invalid vlan", val);
			f->vlan = (uint16_t)vlan;
			f->has |= FILTER_VLAN;
		} else if (!strcmp(kw, "state")) {
			if (!once(&seen_state, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			state = parse_keyword(val, state_names, __SSLV_FS_MAX);
			if (state == -2)
				return false;
			if (state < 0)
				return bad_arg("invalid state", val);
			f->state = (uint8_t)state;
			f->has |= FILTER_STATE;
		} else {
			return bad_arg("unknown keyword", kw);
		}
	}
	return true;
}

static bool is_host(const struct prefix *p)
{
	return p->family && p->len == (p->family == AF_INET ? 32 : 128);
}

/* The exact part of @f, as the kernel's dump filter. */
static void put_filter(struct nlmsghdr *nlh, const struct flow_filter *f)
{
	struct nlattr *nest;
	size_t alen = f->family == AF_INET ? 4 : 16;

	if (!f->family && !f->has)
		return;
	nest = mnl_attr_nest_start(nlh, SSLV_A_FLOW);
	if (f->family)
		mnl_attr_put_u8(nlh, SSLV_FLOW_FAMILY, f->family);
	if (is_host(&f->src))
		mnl_attr_put(nlh, SSLV_FLOW_SADDR, alen, f->src.addr);
	if (is_host(&f->dst))
		mnl_attr_put(nlh, SSLV_FLOW_DADDR, alen, f->dst.addr);
	if ((f->has & FILTER_SPORT) && f->sport[0] == f->sport[1])
		mnl_attr_put_u16(nlh, SSLV_FLOW_SPORT, f->sport[0]);
	if ((f->has & FILTER_DPORT) && f->dport[0] == f->dport[1])
		mnl_attr_put_u16(nlh, SSLV_FLOW_DPORT, f->dport[0]);
	if (f->has & FILTER_VLAN)
		mnl_attr_put_u16(nlh, SSLV_FLOW_VLAN, f->vlan);
	if (f->has & FILTER_STATE)
		mnl_attr_put_u8(nlh, SSLV_FLOW_STATE, f->state);
	mnl_attr_nest_end(nlh, nest);
}

static int flow_list(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct flow_filter f;
	struct nlmsghdr *nlh;
	struct genl g;
	int ret;

	if (!parse_filter(argc, argv, &f))
		return EXIT_USAGE;
	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_FLOW_GET, NLM_F_DUMP);
	put_filter(nlh, &f);
	open_array(NULL);
	ret = sslv_request(&g, nlh, flow_reply, &f);
	close_array();
	genl_close(&g);
	return ret;
}

static int flow_reject(int argc, char **argv)
{
	return sslv_by_id(argc, argv, "flow", SSLV_CMD_FLOW_REJECT, SSLV_A_FLOW_ID);
}

int do_flow(int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "list") || !strcmp(argv[0], "show"))
		return flow_list(argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (!strcmp(argv[0], "reject"))
		return flow_reject(argc, argv);
	return arg_error("unknown keyword", argv[0]);
}
