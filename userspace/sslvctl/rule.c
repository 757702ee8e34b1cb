// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl rule add|insert|list|del|flush|replace: the rule grammar, its
 * netlink form, and how a rule is shown. The TLS keywords are rule_tls.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

static const uint8_t rule_types[SSLV_RULE_MAX + 1] = {
	[SSLV_RULE_ID] = MNL_TYPE_U32,
	[SSLV_RULE_FAMILY] = MNL_TYPE_U8,
	[SSLV_RULE_SRC_LEN] = MNL_TYPE_U8,
	[SSLV_RULE_DST_LEN] = MNL_TYPE_U8,
	[SSLV_RULE_SPORT_MIN] = MNL_TYPE_U16,
	[SSLV_RULE_SPORT_MAX] = MNL_TYPE_U16,
	[SSLV_RULE_DPORT_MIN] = MNL_TYPE_U16,
	[SSLV_RULE_DPORT_MAX] = MNL_TYPE_U16,
	[SSLV_RULE_VLAN] = MNL_TYPE_U16,
	[SSLV_RULE_IIF] = MNL_TYPE_U32,
	[SSLV_RULE_ACTION] = MNL_TYPE_U8,
	[SSLV_RULE_HITS] = MNL_TYPE_U64,
	[SSLV_RULE_SNI] = MNL_TYPE_BINARY,	/* NUL-terminated or not */
	[SSLV_RULE_DOMSET] = MNL_TYPE_BINARY,
	[SSLV_RULE_ALPN] = MNL_TYPE_BINARY,
	[SSLV_RULE_TLS_VER_MIN] = MNL_TYPE_U16,
	[SSLV_RULE_TLS_VER_MAX] = MNL_TYPE_U16,
	[SSLV_RULE_NONTLS] = MNL_TYPE_FLAG,
	[SSLV_RULE_UNDECRYPTABLE] = MNL_TYPE_U32,
	[SSLV_RULE_COMMENT] = MNL_TYPE_BINARY,
};

static bool parse_rule_prefix(const char *tok, struct prefix *p,
			      const struct prefix *other)
{
	if (!parse_prefix(tok, p))
		return bad_arg("invalid prefix", tok);
	if (other->family && other->family != p->family)
		return bad_arg("address family mismatch", tok);
	return true;
}

/* The keywords of a rule; rule insert puts its positions before them. */
#define RULE_KEYWORDS \
	"src", "dst", "sport", "dport", "vlan", "iif", "sni", "sni-list", \
	"alpn", "tls-version", "undecryptable", "nontls", "action", "comment"

static const char *const rule_keywords[] = { RULE_KEYWORDS, NULL };

const char *comment_check(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return "empty";
	if (len > SSLV_RULE_COMMENT_MAX)
		return "longer than 128 bytes";
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "control character";
	return NULL;
}

bool parse_rule(int argc, char **argv, struct rule *r)
{
	bool seen_src = false, seen_dst = false, seen_sport = false;
	bool seen_dport = false, seen_vlan = false, seen_iif = false;
	bool seen_action = false, seen_comment = false;
	struct rule_tls_seen seen_tls = { 0 };
	const char *kw, *val, *why;
	uint32_t vlan;
	int i, action, tls;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < argc; i++) {
		if (!expand_keyword(&argv[i], rule_keywords))
			return false;
		kw = argv[i];
		tls = parse_rule_tls(argc, argv, &i, r, &seen_tls);
		if (tls < 0)
			return false;
		if (tls > 0)
			continue;
		if (!strcmp(kw, "src")) {
			if (!once(&seen_src, kw) ||
			    !(val = next_arg(argc, argv, &i)) ||
			    !parse_rule_prefix(val, &r->src, &r->dst))
				return false;
		} else if (!strcmp(kw, "dst")) {
			if (!once(&seen_dst, kw) ||
			    !(val = next_arg(argc, argv, &i)) ||
			    !parse_rule_prefix(val, &r->dst, &r->src))
				return false;
		} else if (!strcmp(kw, "sport")) {
			if (!once(&seen_sport, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_port_range(val, r->sport))
				return bad_arg("invalid port", val);
			r->has |= RULE_HAS_SPORT;
		} else if (!strcmp(kw, "dport")) {
			if (!once(&seen_dport, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_port_range(val, r->dport))
				return bad_arg("invalid port", val);
			r->has |= RULE_HAS_DPORT;
		} else if (!strcmp(kw, "vlan")) {
			if (!once(&seen_vlan, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_u32(val, 4094, &vlan))
				return bad_arg("invalid vlan", val);
			r->vlan = (uint16_t)vlan;
			r->has |= RULE_HAS_VLAN;
		} else if (!strcmp(kw, "iif")) {
			if (!once(&seen_iif, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			if (!parse_ifname(val, &r->iif))
				return bad_arg("no such interface", val);
			r->has |= RULE_HAS_IIF;
		} else if (!strcmp(kw, "action")) {
			if (!once(&seen_action, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			/* "d" is drop or decrypt: both are named. */
			action = parse_keyword_of(val, action_names,
						  __SSLV_ACT_MAX, "action");
			if (action == -2)
				return false;
			if (action < 0)
				return bad_arg("invalid action", val);
			r->action = (uint8_t)action;
		} else if (!strcmp(kw, "comment")) {
			if (!once(&seen_comment, kw) ||
			    !(val = next_arg(argc, argv, &i)))
				return false;
			why = comment_check(val, strlen(val));
			if (why) {
				errorf("invalid comment \"%s\": %s", val, why);
				return false;
			}
			r->comment = val;
		} else {
			return bad_arg("unknown keyword", kw);
		}
	}
	if (!seen_action) {
		errorf("\"action\" is required");
		return false;
	}
	return true;
}

static void put_prefix(struct nlmsghdr *nlh, uint16_t addr_attr,
		       uint16_t len_attr, const struct prefix *p)
{
	mnl_attr_put(nlh, addr_attr, p->family == AF_INET ? 4 : 16, p->addr);
	mnl_attr_put_u8(nlh, len_attr, p->len);
}

void put_rule(struct nlmsghdr *nlh, const struct rule *r)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);
	uint8_t family = r->src.family ? r->src.family : r->dst.family;

	if (family)
		mnl_attr_put_u8(nlh, SSLV_RULE_FAMILY, family);
	if (r->src.family)
		put_prefix(nlh, SSLV_RULE_SRC, SSLV_RULE_SRC_LEN, &r->src);
	if (r->dst.family)
		put_prefix(nlh, SSLV_RULE_DST, SSLV_RULE_DST_LEN, &r->dst);
	if (r->has & RULE_HAS_SPORT) {
		mnl_attr_put_u16(nlh, SSLV_RULE_SPORT_MIN, r->sport[0]);
		mnl_attr_put_u16(nlh, SSLV_RULE_SPORT_MAX, r->sport[1]);
	}
	if (r->has & RULE_HAS_DPORT) {
		mnl_attr_put_u16(nlh, SSLV_RULE_DPORT_MIN, r->dport[0]);
		mnl_attr_put_u16(nlh, SSLV_RULE_DPORT_MAX, r->dport[1]);
	}
	if (r->has & RULE_HAS_VLAN)
		mnl_attr_put_u16(nlh, SSLV_RULE_VLAN, r->vlan);
	if (r->has & RULE_HAS_IIF)
		mnl_attr_put_u32(nlh, SSLV_RULE_IIF, r->iif);
	put_rule_tls(nlh, r);
	mnl_attr_put_u8(nlh, SSLV_RULE_ACTION, r->action);
	if (r->comment)
		mnl_attr_put_strz(nlh, SSLV_RULE_COMMENT, r->comment);
	mnl_attr_nest_end(nlh, nest);
}

static void print_prefix(const char *key, const struct nlattr *addr,
			 const struct nlattr *len)
{
	uint16_t alen = mnl_attr_get_payload_len(addr);
	uint8_t family = alen == 4 ? AF_INET : AF_INET6;
	char buf[INET6_ADDRSTRLEN + 4];

	if (alen != 4 && alen != 16)
		return;
	format_addr(buf, sizeof(buf), family, mnl_attr_get_payload(addr),
		    len ? mnl_attr_get_u8(len) : alen * 8);
	print_str(PR_ANY, key, key, buf);
}

static void print_ports(const char *key, const struct nlattr *min,
			const struct nlattr *max)
{
	char key_min[16], key_max[16], buf[16];
	uint16_t lo = mnl_attr_get_u16(min);
	uint16_t hi = max ? mnl_attr_get_u16(max) : lo;

	if (lo == hi)
		snprintf(buf, sizeof(buf), "%u", lo);
	else
		snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
	snprintf(key_min, sizeof(key_min), "%s_min", key);
	snprintf(key_max, sizeof(key_max), "%s_max", key);
	print_str(PR_TEXT, NULL, key, buf);
	print_uint(PR_JSON, key_min, NULL, lo);
	print_uint(PR_JSON, key_max, NULL, hi);
}

/* The comment's bytes, up to a NUL if it has one. */
static size_t comment_bytes(const struct nlattr *a, const char **s)
{
	*s = mnl_attr_get_payload(a);
	return strnlen(*s, mnl_attr_get_payload_len(a));
}

/*
 * Text "comment WORD", quoted as save writes it (control bytes, which
 * sslvctl never sends, as \xNN); JSON "comment": "TEXT".
 */
static void print_comment(const struct nlattr *a)
{
	char text[SSLV_RULE_COMMENT_MAX * 4 + 3], *t = text;
	const char *s;
	size_t len = comment_bytes(a, &s), i;
	bool quote = !len || strspn(s, PLAIN_WORD) < len;

	print_bytes(PR_JSON, "comment", NULL, s, len);
	if (len > SSLV_RULE_COMMENT_MAX)
		len = SSLV_RULE_COMMENT_MAX;
	if (quote)
		*t++ = '\'';
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f)
			t += sprintf(t, "\\x%02x", c);
		else if (c == '\'')
			t += sprintf(t, "'\\''");
		else
			*t++ = c;
	}
	if (quote)
		*t++ = '\'';
	*t = '\0';
	print_str(PR_TEXT, NULL, "comment", text);
}

static int print_rule(const struct nlattr *nest)
{
	const struct nlattr *tb[SSLV_RULE_MAX + 1];
	char num[16];

	if (genl_parse_nest(nest, tb, SSLV_RULE_MAX, rule_types) < 0)
		return MNL_CB_ERROR;
	open_object(NULL);
	if (tb[SSLV_RULE_ID])
		print_uint(PR_ANY, "id", "rule",
			   mnl_attr_get_u32(tb[SSLV_RULE_ID]));
	if (tb[SSLV_RULE_FAMILY])
		print_str(PR_JSON, "family", NULL,
			  mnl_attr_get_u8(tb[SSLV_RULE_FAMILY]) == AF_INET ?
			  "inet" : "inet6");
	if (tb[SSLV_RULE_SRC])
		print_prefix("src", tb[SSLV_RULE_SRC], tb[SSLV_RULE_SRC_LEN]);
	if (tb[SSLV_RULE_DST])
		print_prefix("dst", tb[SSLV_RULE_DST], tb[SSLV_RULE_DST_LEN]);
	if (tb[SSLV_RULE_SPORT_MIN])
		print_ports("sport", tb[SSLV_RULE_SPORT_MIN],
			    tb[SSLV_RULE_SPORT_MAX]);
	if (tb[SSLV_RULE_DPORT_MIN])
		print_ports("dport", tb[SSLV_RULE_DPORT_MIN],
			    tb[SSLV_RULE_DPORT_MAX]);
	if (tb[SSLV_RULE_VLAN])
		print_uint(PR_ANY, "vlan", "vlan",
			   mnl_attr_get_u16(tb[SSLV_RULE_VLAN]));
	if (tb[SSLV_RULE_IIF])
		print_ifindex("iif", "iif", mnl_attr_get_u32(tb[SSLV_RULE_IIF]));
	print_rule_tls(tb);
	if (tb[SSLV_RULE_ACTION])
		print_str(PR_ANY, "action", "action",
			  keyword_name(action_names, __SSLV_ACT_MAX,
				       mnl_attr_get_u8(tb[SSLV_RULE_ACTION]),
				       num));
	if (tb[SSLV_RULE_COMMENT])
		print_comment(tb[SSLV_RULE_COMMENT]);
	if (tb[SSLV_RULE_HITS])
		print_uint(PR_ANY, "hits", "hits",
			   mnl_attr_get_u64(tb[SSLV_RULE_HITS]));
	close_object();
	return MNL_CB_OK;
}

/* " KEY ADDR/LEN" of a rule's prefix; false if malformed. */
static bool save_prefix(FILE *f, const char *key, const struct nlattr *addr,
			const struct nlattr *len)
{
	uint16_t alen = mnl_attr_get_payload_len(addr);
	char buf[INET6_ADDRSTRLEN + 4];

	if ((alen != 4 && alen != 16) || !len)
		return false;
	format_addr(buf, sizeof(buf), alen == 4 ? AF_INET : AF_INET6,
		    mnl_attr_get_payload(addr), mnl_attr_get_u8(len));
	fprintf(f, " %s %s", key, buf);
	return true;
}

static void save_ports(FILE *f, const char *key, const struct nlattr *min,
		       const struct nlattr *max)
{
	uint16_t lo = mnl_attr_get_u16(min);
	uint16_t hi = max ? mnl_attr_get_u16(max) : lo;

	if (lo == hi)
		fprintf(f, " %s %u", key, lo);
	else
		fprintf(f, " %s %u-%u", key, lo, hi);
}

/* " KEY WORD" of a string attribute, quoted as needed. */
static void save_str(FILE *f, const char *key, const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);
	char buf[256];

	snprintf(buf, sizeof(buf), "%.*s",
		 (int)strnlen(s, mnl_attr_get_payload_len(a)), s);
	fprintf(f, " %s ", key);
	print_word(f, buf);
}

/*
 * One rule as the `rule add` command that makes it again, written to @f
 * (a memory stream); false, naming the rule, when it cannot be written.
 */
static bool save_one(FILE *f, const struct nlattr **tb)
{
	uint32_t id = tb[SSLV_RULE_ID] ? mnl_attr_get_u32(tb[SSLV_RULE_ID]) : 0;
	const struct nlattr *lo, *hi;
	char name[IF_NAMESIZE], a[8], b[8], classes[96];
	uint8_t action;

	fputs("rule add", f);
	if (tb[SSLV_RULE_SRC] &&
	    !save_prefix(f, "src", tb[SSLV_RULE_SRC], tb[SSLV_RULE_SRC_LEN]))
		goto bad;
	if (tb[SSLV_RULE_DST] &&
	    !save_prefix(f, "dst", tb[SSLV_RULE_DST], tb[SSLV_RULE_DST_LEN]))
		goto bad;
	if (tb[SSLV_RULE_SPORT_MIN])
		save_ports(f, "sport", tb[SSLV_RULE_SPORT_MIN],
			   tb[SSLV_RULE_SPORT_MAX]);
	if (tb[SSLV_RULE_DPORT_MIN])
		save_ports(f, "dport", tb[SSLV_RULE_DPORT_MIN],
			   tb[SSLV_RULE_DPORT_MAX]);
	if (tb[SSLV_RULE_VLAN])
		fprintf(f, " vlan %u", mnl_attr_get_u16(tb[SSLV_RULE_VLAN]));
	if (tb[SSLV_RULE_IIF]) {
		if (!if_indextoname(mnl_attr_get_u32(tb[SSLV_RULE_IIF]), name)) {
			errorf("rule %u: its iif (ifindex %u) has no name", id,
			       mnl_attr_get_u32(tb[SSLV_RULE_IIF]));
			return false;
		}
		fputs(" iif ", f);
		print_word(f, name);
	}
	if (tb[SSLV_RULE_SNI])
		save_str(f, "sni", tb[SSLV_RULE_SNI]);
	if (tb[SSLV_RULE_DOMSET])
		save_str(f, "sni-list", tb[SSLV_RULE_DOMSET]);
	if (tb[SSLV_RULE_ALPN])
		save_str(f, "alpn", tb[SSLV_RULE_ALPN]);
	lo = tb[SSLV_RULE_TLS_VER_MIN];
	hi = tb[SSLV_RULE_TLS_VER_MAX];
	if (lo || hi) {
		const char *v0 = tls_version_name(mnl_attr_get_u16(lo ? lo : hi), a);
		const char *v1 = tls_version_name(mnl_attr_get_u16(hi ? hi : lo), b);

		if (!tls_version_parse(v0) || !tls_version_parse(v1))
			goto bad;
		if (!strcmp(v0, v1))
			fprintf(f, " tls-version %s", v0);
		else
			fprintf(f, " tls-version %s-%s", v0, v1);
	}
	if (tb[SSLV_RULE_NONTLS])
		fputs(" nontls", f);
	if (tb[SSLV_RULE_UNDECRYPTABLE]) {
		if (!ud_classes_format(mnl_attr_get_u32(tb[SSLV_RULE_UNDECRYPTABLE]),
				       classes, sizeof(classes)))
			goto bad;
		fprintf(f, " undecryptable %s", classes);
	}
	if (!tb[SSLV_RULE_ACTION])
		goto bad;
	action = mnl_attr_get_u8(tb[SSLV_RULE_ACTION]);
	if (action >= __SSLV_ACT_MAX || !action_names[action])
		goto bad;
	fprintf(f, " action %s", action_names[action]);
	if (tb[SSLV_RULE_COMMENT]) {
		const char *s;
		size_t len = comment_bytes(tb[SSLV_RULE_COMMENT], &s);

		if (comment_check(s, len))
			goto bad;
		save_str(f, "comment", tb[SSLV_RULE_COMMENT]);
	}
	fputc('\n', f);
	return true;
bad:
	errorf("rule %u: the module reported what sslvctl cannot write", id);
	return false;
}

int rule_save(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_RULE_MAX + 1];
	const struct nlattr *attr;
	FILE *f = data;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_RULE)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    genl_parse_nest(attr, tb, SSLV_RULE_MAX, rule_types) < 0)
			return MNL_CB_ERROR;
		if (!save_one(f, tb)) {
			errno = ECANCELED;	/* told already */
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_OK;
}

/* A dump message, or the reply to an add: each SSLV_A_RULE nest a rule. */
static int rules_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_RULE)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    print_rule(attr) < 0)
			return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Where rule insert puts its rule: SSLV_A_RULE_INDEX, _BEFORE or _AFTER. */
struct rule_pos {
	uint16_t attr;
	uint32_t value;
	char *const *words;	/* as given, e.g. "after" "7"; NULL: none */
};

/*
 * rule insert's position, if argv[0] is one ("index N", "before ID",
 * "after ID"): the words it took, 0 for none (the head: index 0), -1 if
 * invalid (reported).
 */
static int parse_position(int argc, char **argv, struct rule_pos *pos)
{
	static const char *const words[] = {
		"index", "before", "after", RULE_KEYWORDS, NULL
	};
	int i = 0;

	pos->attr = SSLV_A_RULE_INDEX;
	pos->value = 0;
	pos->words = NULL;
	if (!argc)
		return 0;
	if (!expand_keyword(&argv[0], words))
		return -1;
	if (strcmp(argv[0], "index") && strcmp(argv[0], "before") &&
	    strcmp(argv[0], "after"))
		return 0;
	if (!next_arg(argc, argv, &i))
		return -1;
	pos->words = argv;
	if (!strcmp(argv[0], "index")) {
		if (parse_u32(argv[1], UINT32_MAX, &pos->value))
			return 2;
		bad_arg("invalid index", argv[1]);
		return -1;
	}
	pos->attr = !strcmp(argv[0], "before") ? SSLV_A_RULE_BEFORE :
						 SSLV_A_RULE_AFTER;
	if (parse_u32(argv[1], UINT32_MAX, &pos->value) && pos->value)
		return 2;
	bad_arg("invalid rule id", argv[1]);
	return -1;
}

/* rule add (@insert false) and rule insert. */
static int rule_add(int argc, char **argv, bool insert)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct rule_pos pos = { 0 };
	struct nlmsghdr *nlh;
	uint32_t pos_off = 0;
	struct rule r;
	struct genl g;
	int ret, err, used = 0;

	if (insert) {
		used = parse_position(argc, argv, &pos);
		if (used < 0)
			return EXIT_USAGE;
	}
	if (!parse_rule(argc - used, argv + used, &r))
		return EXIT_USAGE;
	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_RULE_ADD, 0);
	if (insert) {
		pos_off = nlh->nlmsg_len;
		mnl_attr_put_u32(nlh, pos.attr, pos.value);
	}
	put_rule(nlh, &r);
	/* A file of commands (-f) adds quietly, as nft -f does. */
	if (!opts.batch)
		open_array(NULL);
	err = genl_request(&g, nlh, opts.batch ? NULL : rules_reply, NULL);
	if (!opts.batch)
		close_array();
	ret = err ? EXIT_KERNEL : EXIT_OK;
	/* A position that does not exist: named as it was given. */
	if (err && pos.words && g.ext_off == pos_off && g.ext_msg[0])
		errorf("\"%s %s\": %s (%s)", pos.words[0], pos.words[1],
		       g.ext_msg, strerror(-err));
	else if (err)
		sslv_report(&g, err);
	genl_close(&g);
	return ret;
}

static int rule_del(int argc, char **argv)
{
	return sslv_by_id(argc, argv, "rule", SSLV_CMD_RULE_DEL, SSLV_A_RULE_ID);
}

static int rule_list(void)
{
	int ret;

	open_array(NULL);
	ret = sslv_simple(SSLV_CMD_RULE_GET, NLM_F_DUMP, rules_reply, NULL);
	close_array();
	return ret;
}

int do_rule(int argc, char **argv)
{
	const char *cmd = argc ? argv[0] : NULL;

	if (!cmd) {
		errorf("missing command after \"rule\"");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "add") || !strcmp(cmd, "insert"))
		return rule_add(argc - 1, argv + 1, !strcmp(cmd, "insert"));
	if (!strcmp(cmd, "del") || !strcmp(cmd, "delete"))
		return rule_del(argc, argv);
	if (!strcmp(cmd, "replace")) {
		if (argc < 2) {
			errorf("missing file after \"replace\"");
			return EXIT_USAGE;
		}
		if (argc > 2)
			return arg_error("unexpected argument", argv[2]);
		return rule_replace(argv[1]);
	}
	if (strcmp(cmd, "list") && strcmp(cmd, "show") && strcmp(cmd, "flush"))
		return arg_error("unknown keyword", cmd);
	if (argc > 1)
		return arg_error("unexpected argument", argv[1]);
	if (!strcmp(cmd, "flush"))
		return sslv_simple(SSLV_CMD_RULE_FLUSH, 0, NULL, NULL);
	return rule_list();
}
