// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The TLS keywords of a rule: what the handshake must show for the rule to
 * match (see enum sslv_rule_attr), their netlink form and how they are
 * shown.
 *
 *   sni PATTERN                  a server name, or "*.suffix"
 *   sni-list NAME                a domain set loaded with `domains load`
 *   alpn NAME                    an ALPN protocol the client offers
 *   tls-version V[-V]            negotiated version, ssl3 1.0 1.1 1.2 1.3
 *   undecryptable CLASS[,CLASS]  client-cert legacy-ssl compression
 *                                no-cipher ech, or any
 *   nontls                       the client did not open with TLS; alone
 */
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

static bool parse_versions(const char *s, uint16_t range[2])
{
	char lo[8];
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);

	if (n >= sizeof(lo))
		return false;
	memcpy(lo, s, n);
	lo[n] = '\0';
	range[0] = tls_version_parse(lo);
	range[1] = dash ? tls_version_parse(dash + 1) : range[0];
	return range[0] && range[1] && range[0] <= range[1];
}

static bool parse_value(const char *kw, char *val, struct rule *r)
{
	const char *why;

	if (!strcmp(kw, "sni")) {
		why = domain_check(val);
		if (why) {
			errorf("invalid sni \"%s\": %s", val, why);
			return false;
		}
		r->sni = val;
	} else if (!strcmp(kw, "sni-list")) {
		if (!domset_name_ok(val))
			return bad_arg("invalid sni-list", val);
		r->domset = val;
	} else if (!strcmp(kw, "alpn")) {
		if (!alpn_ok(val))
			return bad_arg("invalid alpn", val);
		r->alpn = val;
	} else if (!strcmp(kw, "tls-version")) {
		if (!parse_versions(val, r->tls_ver))
			return bad_arg("invalid tls-version", val);
		r->has |= RULE_HAS_TLS_VER;
	} else {
		return ud_classes_parse(val, &r->undecryptable);
	}
	return true;
}

int parse_rule_tls(int argc, char **argv, int *i, struct rule *r,
		   struct rule_tls_seen *seen)
{
	const char *kw = argv[*i];
	bool *once_flag;

	if (!strcmp(kw, "nontls")) {
		if (!once(&seen->nontls, kw))
			return -1;
		if (seen->first) {
			bad_arg("nontls excludes", seen->first);
			return -1;
		}
		r->has |= RULE_HAS_NONTLS;
		return 1;
	}
	if (!strcmp(kw, "sni"))
		once_flag = &seen->sni;
	else if (!strcmp(kw, "sni-list"))
		once_flag = &seen->domset;
	else if (!strcmp(kw, "alpn"))
		once_flag = &seen->alpn;
	else if (!strcmp(kw, "tls-version"))
		once_flag = &seen->tls_ver;
	else if (!strcmp(kw, "undecryptable"))
		once_flag = &seen->ud;
	else
		return 0;
	if (!once(once_flag, kw))
		return -1;
	if (seen->nontls) {
		bad_arg("nontls excludes", kw);
		return -1;
	}
	if (!seen->first)
		seen->first = kw;
	if (!next_arg(argc, argv, i) || !parse_value(kw, argv[*i], r))
		return -1;
	return 1;
}

void put_rule_tls(struct nlmsghdr *nlh, const struct rule *r)
{
	if (r->sni)
		mnl_attr_put_strz(nlh, SSLV_RULE_SNI, r->sni);
	if (r->domset)
		mnl_attr_put_strz(nlh, SSLV_RULE_DOMSET, r->domset);
	if (r->alpn)
		mnl_attr_put_strz(nlh, SSLV_RULE_ALPN, r->alpn);
	if (r->has & RULE_HAS_TLS_VER) {
		mnl_attr_put_u16(nlh, SSLV_RULE_TLS_VER_MIN, r->tls_ver[0]);
		mnl_attr_put_u16(nlh, SSLV_RULE_TLS_VER_MAX, r->tls_ver[1]);
	}
	if (r->has & RULE_HAS_NONTLS)
		mnl_attr_put(nlh, SSLV_RULE_NONTLS, 0, "");
	if (r->undecryptable)
		mnl_attr_put_u32(nlh, SSLV_RULE_UNDECRYPTABLE, r->undecryptable);
}

/* A string attribute, up to its NUL if it has one. */
static void print_rule_str(const char *word, const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);

	print_bytes(PR_ANY, word, word, s,
		    strnlen(s, mnl_attr_get_payload_len(a)));
}

/* "1.2-1.3", or "1.3" for a single version. */
static void print_versions(const struct nlattr *min, const struct nlattr *max)
{
	uint16_t lo = mnl_attr_get_u16(min ? min : max);
	uint16_t hi = mnl_attr_get_u16(max ? max : min);
	char a[8], b[8], text[24];

	if (lo == hi)
		snprintf(text, sizeof(text), "%s", tls_version_name(lo, a));
	else
		snprintf(text, sizeof(text), "%s-%s", tls_version_name(lo, a),
			 tls_version_name(hi, b));
	print_str(PR_ANY, "tls-version", "tls-version", text);
}

void print_rule_tls(const struct nlattr **tb)
{
	if (tb[SSLV_RULE_SNI])
		print_rule_str("sni", tb[SSLV_RULE_SNI]);
	if (tb[SSLV_RULE_DOMSET])
		print_rule_str("sni-list", tb[SSLV_RULE_DOMSET]);
	if (tb[SSLV_RULE_ALPN])
		print_rule_str("alpn", tb[SSLV_RULE_ALPN]);
	if (tb[SSLV_RULE_TLS_VER_MIN] || tb[SSLV_RULE_TLS_VER_MAX])
		print_versions(tb[SSLV_RULE_TLS_VER_MIN],
			       tb[SSLV_RULE_TLS_VER_MAX]);
	if (tb[SSLV_RULE_NONTLS])
		print_flag(PR_ANY, "nontls", "nontls");
	if (tb[SSLV_RULE_UNDECRYPTABLE])
		print_ud_classes("undecryptable", "undecryptable",
				 mnl_attr_get_u32(tb[SSLV_RULE_UNDECRYPTABLE]));
}
