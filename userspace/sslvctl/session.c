// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * How monitor shows the session log: one SSLV_EV_SESSION event per flow
 * whose handshake sslv read, once its policy is final.
 *
 *   session flow 17 10.0.0.1:43210 > 10.0.0.2:443 vlan 10 tls 1.3
 *           cipher 0x1302 TLS_AES_256_GCM_SHA384 sni www.example.com
 *           alpn h2 action cut [rule N] [reason R] [classes C,C] [error E]
 *
 * (one line). Fields the kernel did not see are left out; a cipher suite
 * without a name in tls_ciphers.c is shown by number only. The server name
 * and ALPN are the client's bytes: shown escaped, never trusted.
 */
#include <stdio.h>

#include "rst.h"
#include "sslvctl.h"
#include "print.h"

static const char *const error_names[__SSLV_SESS_E_MAX] = {
	[SSLV_SESS_E_NONE] = "none",
	[SSLV_SESS_E_NONTLS] = "nontls",
	[SSLV_SESS_E_MALFORMED] = "malformed",
	[SSLV_SESS_E_SERVER] = "server",
	[SSLV_SESS_E_LIMIT] = "limit",
	[SSLV_SESS_E_INCOMPLETE] = "incomplete",
	[SSLV_SESS_E_CONFLICT] = "conflict",
	[SSLV_SESS_E_TIMEOUT] = "timeout",
};

static void print_version(const char *key, const char *label,
			  const struct nlattr *a)
{
	char buf[8];

	if (a)
		print_str(label ? PR_ANY : PR_JSON, key, label,
			  tls_version_name(mnl_attr_get_u16(a), buf));
}

static void print_wire_bytes(const char *key, const struct nlattr *a)
{
	if (a)
		print_bytes(PR_ANY, key, key, mnl_attr_get_payload(a),
			    mnl_attr_get_payload_len(a));
}

static const char *const close_names[__SSLV_CLOSE_MAX] = {
	[SSLV_CLOSE_DONE] = "done",
	[SSLV_CLOSE_CLIENT_RESET] = "client-reset",
	[SSLV_CLOSE_SERVER_RESET] = "server-reset",
	[SSLV_CLOSE_UPSTREAM_REFUSED] = "upstream-refused",
	[SSLV_CLOSE_UPSTREAM_INVALID] = "upstream-invalid",
	[SSLV_CLOSE_HANDSHAKE] = "handshake",
	[SSLV_CLOSE_PROTO] = "proto",
	[SSLV_CLOSE_KEYUPDATE] = "keyupdate",
	[SSLV_CLOSE_IDLE] = "idle",
	[SSLV_CLOSE_ERROR] = "error",
	[SSLV_CLOSE_IPS_DROP] = "ips-drop",
	[SSLV_CLOSE_IPS_RESET] = "ips-reset",
	[SSLV_CLOSE_REJECTED] = "rejected",
	[SSLV_CLOSE_UPSTREAM_UNREACHABLE] = "upstream-unreachable",
};

static const char *const sess_ips_names[__SSLV_SESS_IPS_MAX] = {
	[SSLV_SESS_IPS_NONE] = "none",
	[SSLV_SESS_IPS_ACTIVE] = "active-inline",
	[SSLV_SESS_IPS_PASSIVE] = "passive-inline",
};

/* sslvd's report of a decrypted session, when the event carries one. */
static void print_report(const struct nlattr **tb)
{
	char num[16];

	if (tb[SSLV_SESS_VERIFIED])
		print_str(PR_ANY, "upstream", "upstream",
			  mnl_attr_get_u8(tb[SSLV_SESS_VERIFIED]) ?
			  "verified" : "unverified");
	if (tb[SSLV_SESS_VERIFY])
		print_uint(PR_ANY, "verify", "verify",
			   mnl_attr_get_u32(tb[SSLV_SESS_VERIFY]));
	if (tb[SSLV_SESS_CACHE_HIT] && mnl_attr_get_u8(tb[SSLV_SESS_CACHE_HIT]))
		print_flag(PR_ANY, "cache_hit", "cache-hit");
	if (tb[SSLV_SESS_KTLS])
		print_uint(PR_ANY, "ktls", "ktls",
			   mnl_attr_get_u8(tb[SSLV_SESS_KTLS]));
	if (tb[SSLV_SESS_BYTES_ORIG])
		print_uint(PR_ANY, "bytes_orig", "bytes-orig",
			   mnl_attr_get_u64(tb[SSLV_SESS_BYTES_ORIG]));
	if (tb[SSLV_SESS_BYTES_REPLY])
		print_uint(PR_ANY, "bytes_reply", "bytes-reply",
			   mnl_attr_get_u64(tb[SSLV_SESS_BYTES_REPLY]));
	if (tb[SSLV_SESS_CLOSE])
		print_str(PR_ANY, "close", "close",
			  keyword_name(close_names, __SSLV_CLOSE_MAX,
				       mnl_attr_get_u8(tb[SSLV_SESS_CLOSE]),
				       num));
	if (tb[SSLV_SESS_IPS])
		print_str(PR_ANY, "ips", "ips",
			  keyword_name(sess_ips_names, __SSLV_SESS_IPS_MAX,
				       mnl_attr_get_u8(tb[SSLV_SESS_IPS]), num));
	if (tb[SSLV_SESS_IPS_RSTS])
		print_uint(PR_ANY, "ips_rsts", "ips-rsts",
			   mnl_attr_get_u32(tb[SSLV_SESS_IPS_RSTS]));
}

static void print_session(const struct nlattr **tb,
			  const struct nlattr *reason,
			  const struct nlattr *rule)
{
	const char *name;
	uint16_t cipher;
	char num[16];
	uint8_t v;

	print_version("tls-version", "tls", tb[SSLV_SESS_VERSION]);
	print_version("client-version", NULL, tb[SSLV_SESS_CLIENT_VERSION]);
	if (tb[SSLV_SESS_CIPHER]) {
		cipher = mnl_attr_get_u16(tb[SSLV_SESS_CIPHER]);
		name = tls_cipher_name(cipher);
		snprintf(num, sizeof(num), "0x%04x", cipher);
		print_str(PR_TEXT, NULL, "cipher", num);
		print_uint(PR_JSON, "cipher", NULL, cipher);
		if (name)
			print_str(PR_ANY, "cipher_name", NULL, name);
	}
	print_wire_bytes("sni", tb[SSLV_SESS_SNI]);
	print_wire_bytes("alpn", tb[SSLV_SESS_ALPN]);
	if (tb[SSLV_SESS_ACTION])
		print_str(PR_ANY, "action", "action",
			  keyword_name(action_names, __SSLV_ACT_MAX,
				       mnl_attr_get_u8(tb[SSLV_SESS_ACTION]),
				       num));
	if (rule)
		print_uint(PR_ANY, "rule", "rule", mnl_attr_get_u32(rule));
	v = reason ? mnl_attr_get_u8(reason) : SSLV_R_NONE;
	if (v != SSLV_R_NONE)
		print_str(PR_ANY, "reason", "reason", sslv_rst_reason_label(v));
	if (tb[SSLV_SESS_CLASSES])
		print_ud_classes("classes", "classes",
				 mnl_attr_get_u32(tb[SSLV_SESS_CLASSES]));
	v = tb[SSLV_SESS_ERROR] ? mnl_attr_get_u8(tb[SSLV_SESS_ERROR]) :
				  SSLV_SESS_E_NONE;
	if (v != SSLV_SESS_E_NONE)
		print_str(PR_ANY, "error", "error",
			  keyword_name(error_names, __SSLV_SESS_E_MAX, v, num));
	print_report(tb);
}

bool print_session_event(const struct nlattr **tb)
{
	static const uint8_t types[SSLV_SESS_MAX + 1] = {
		[SSLV_SESS_VERSION] = MNL_TYPE_U16,
		[SSLV_SESS_CLIENT_VERSION] = MNL_TYPE_U16,
		[SSLV_SESS_CIPHER] = MNL_TYPE_U16,
		[SSLV_SESS_SNI] = MNL_TYPE_BINARY,
		[SSLV_SESS_ALPN] = MNL_TYPE_BINARY,
		[SSLV_SESS_CLASSES] = MNL_TYPE_U32,
		[SSLV_SESS_ACTION] = MNL_TYPE_U8,
		[SSLV_SESS_ERROR] = MNL_TYPE_U8,
		[SSLV_SESS_CLIENT_FLAGS] = MNL_TYPE_U32,
		[SSLV_SESS_SERVER_FLAGS] = MNL_TYPE_U32,
		[SSLV_SESS_VERIFY] = MNL_TYPE_U32,
		[SSLV_SESS_VERIFIED] = MNL_TYPE_U8,
		[SSLV_SESS_CACHE_HIT] = MNL_TYPE_U8,
		[SSLV_SESS_KTLS] = MNL_TYPE_U8,
		[SSLV_SESS_BYTES_ORIG] = MNL_TYPE_U64,
		[SSLV_SESS_BYTES_REPLY] = MNL_TYPE_U64,
		[SSLV_SESS_CLOSE] = MNL_TYPE_U8,
		[SSLV_SESS_IPS_RSTS] = MNL_TYPE_U32,
		[SSLV_SESS_IPS] = MNL_TYPE_U8,
	};
	const struct nlattr *stb[SSLV_SESS_MAX + 1];
	const struct nlattr *flow = tb[SSLV_A_FLOW];

	if (!flow || !tb[SSLV_A_SESSION] ||
	    genl_parse_nest(tb[SSLV_A_SESSION], stb, SSLV_SESS_MAX, types) < 0)
		return false;
	open_object(NULL);
	print_event("session");
	print_flow(flow, "flow", FLOW_ENDS);
	print_session(stb, tb[SSLV_A_REASON], tb[SSLV_A_RULE_ID]);
	close_object();
	return true;
}
