// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl config [set [max-flows N] [timeout-handshake S] ... [rst-idle MS]
 *                    [rst-rate N] [client-cert reject|cut|drop]
 *                    [hs-mem BYTES] [hs-timeout S]
 *                    [decrypt-unavailable cut|reject]
 *                    [upstream-invalid reject|untrusted|cut]
 *                    [ips-fail open|closed]]
 */
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

static const char *const ips_fail_names[__SSLV_IPS_FAIL_MAX] = {
	[SSLV_IPS_FAIL_OPEN] = "open",
	[SSLV_IPS_FAIL_CLOSED] = "closed",
};

static const char *const upstream_invalid_names[__SSLV_UPSTREAM_MAX] = {
	[SSLV_UPSTREAM_REJECT] = "reject",
	[SSLV_UPSTREAM_UNTRUSTED] = "untrusted",
	[SSLV_UPSTREAM_CUT] = "cut",
};

/*
 * In the order they are shown; flows-current, hs-bytes and decrypt-daemon
 * (the registered sslvd's netlink port, 0 none) are read-only.
 * Only rst-idle may be 0 (no RST is put down to an idle timeout). A key
 * with @names is a u8 given and shown as one of its words, the others are
 * u32 numbers, @max (if set) the highest the kernel takes, @min (if set)
 * the lowest.
 */
static const struct config_key {
	const char *word;
	const char *key;
	uint16_t attr;
	bool settable;
	bool zero_ok;
	const char *const *names;
	unsigned int nnames;
	uint32_t min, max;
} config_keys[] = {
	{ .word = "max-flows", .key = "max_flows", .attr = SSLV_A_MAX_FLOWS,
	  .settable = true },
	{ .word = "flows-current", .key = "flows_current",
	  .attr = SSLV_A_FLOWS_CURRENT },
	{ .word = "hs-bytes", .key = "hs_bytes", .attr = SSLV_A_HS_BYTES },
	{ .word = "hs-mem", .key = "hs_mem", .attr = SSLV_A_HS_MEM,
	  .settable = true, .min = SSLV_HS_MEM_MIN, .max = SSLV_HS_MEM_MAX },
	{ .word = "hs-timeout", .key = "hs_timeout", .attr = SSLV_A_HS_TIMEOUT,
	  .settable = true, .max = SSLV_HS_TIMEOUT_MAX },
	{ .word = "timeout-handshake", .key = "timeout_handshake",
	  .attr = SSLV_A_TIMEOUT_HANDSHAKE, .settable = true },
	{ .word = "timeout-established", .key = "timeout_established",
	  .attr = SSLV_A_TIMEOUT_ESTABLISHED, .settable = true },
	{ .word = "timeout-closing", .key = "timeout_closing",
	  .attr = SSLV_A_TIMEOUT_CLOSING, .settable = true },
	{ .word = "timeout-closed", .key = "timeout_closed",
	  .attr = SSLV_A_TIMEOUT_CLOSED, .settable = true },
	{ .word = "timeout-rejected", .key = "timeout_rejected",
	  .attr = SSLV_A_TIMEOUT_REJECTED, .settable = true },
	{ .word = "rst-idle", .key = "rst_idle_ms", .attr = SSLV_A_RST_IDLE_MS,
	  .settable = true, .zero_ok = true },
	{ .word = "rst-rate", .key = "rst_rate", .attr = SSLV_A_RST_RATE,
	  .settable = true },
	{ .word = "client-cert", .key = "client_cert", .attr = SSLV_A_CLIENT_CERT,
	  .settable = true, .names = action_names, .nnames = SSLV_ACT_DROP + 1 },
	{ .word = "decrypt-unavailable", .key = "decrypt_unavailable",
	  .attr = SSLV_A_DECRYPT_UNAVAILABLE, .settable = true,
	  .names = action_names, .nnames = SSLV_ACT_REJECT + 1 },
	{ .word = "upstream-invalid", .key = "upstream_invalid",
	  .attr = SSLV_A_UPSTREAM_INVALID, .settable = true,
	  .names = upstream_invalid_names, .nnames = __SSLV_UPSTREAM_MAX },
	{ .word = "ips-fail", .key = "ips_fail", .attr = SSLV_A_IPS_FAIL,
	  .settable = true, .names = ips_fail_names,
	  .nnames = __SSLV_IPS_FAIL_MAX },
	{ .word = "decrypt-daemon", .key = "decrypt_daemon",
	  .attr = SSLV_A_DECRYPT_PORTID },
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static int config_parse(const struct nlmsghdr *nlh,
			const struct nlattr **tb)
{
	uint8_t types[SSLV_A_MAX + 1] = { 0 };
	unsigned int i;

	for (i = 0; i < NKEYS; i++)
		types[config_keys[i].attr] = config_keys[i].names ?
					     MNL_TYPE_U8 : MNL_TYPE_U32;
	return genl_parse(nlh, tb, SSLV_A_MAX, types);
}

static int config_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const struct config_key *k;
	const struct nlattr *a;
	char num[16];
	unsigned int i;

	if (config_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	open_object(NULL);
	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		a = tb[k->attr];
		if (!a)
			continue;
		if (k->names)
			print_str(PR_ANY, k->key, k->word,
				  keyword_name(k->names, k->nnames,
					       mnl_attr_get_u8(a), num));
		else
			print_uint(PR_ANY, k->key, k->word, mnl_attr_get_u32(a));
		print_nl();
	}
	close_object();
	return MNL_CB_OK;
}

/* One `config set` line of every settable key the module reported. */
int config_save(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const struct config_key *k;
	const struct nlattr *a;
	bool any = false;
	FILE *f = data;
	unsigned int i;
	uint8_t v = 0;

	if (config_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		a = tb[k->attr];
		if (!a || !k->settable)
			continue;
		if (k->names) {
			v = mnl_attr_get_u8(a);
			if (v >= k->nnames || !k->names[v]) {
				errorf("unknown %s %u", k->word, v);
				return MNL_CB_ERROR;
			}
		}
		fputs(any ? " " : "config set ", f);
		any = true;
		if (k->names)
			fprintf(f, "%s %s", k->word, k->names[v]);
		else
			fprintf(f, "%s %u", k->word, mnl_attr_get_u32(a));
	}
	if (any)
		fputc('\n', f);
	return MNL_CB_OK;
}

/* The keys' words, NULL-ended, for expand_keyword(). */
static const char *const *key_words(void)
{
	static const char *words[NKEYS + 1];
	unsigned int i;

	for (i = 0; i < NKEYS; i++)
		words[i] = config_keys[i].word;
	return words;
}

static const struct config_key *find_key(const char *word)
{
	unsigned int i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(word, config_keys[i].word))
			return &config_keys[i];
	return NULL;
}

/* The value of @k in @val; false (reported) if invalid. */
static bool parse_value(const struct config_key *k, const char *val,
			uint32_t *out)
{
	char what[64];
	int word;

	snprintf(what, sizeof(what), "invalid %s", k->word);
	if (k->names) {
		word = parse_keyword(val, k->names, k->nnames);
		if (word == -2)
			return false;
		if (word < 0)
			return bad_arg(what, val);
		*out = (uint32_t)word;
		return true;
	}
	if (!parse_u32(val, UINT32_MAX, out) || (!*out && !k->zero_ok))
		return bad_arg(what, val);
	if ((k->min && *out < k->min) || (k->max && *out > k->max)) {
		errorf("invalid %s \"%s\": %u to %u", k->word, val,
		       k->min ? k->min : 1, k->max);
		return false;
	}
	return true;
}

static int config_set(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t values[NKEYS] = { 0 };
	bool given[NKEYS] = { false };
	const struct config_key *k;
	struct nlmsghdr *nlh;
	const char *val;
	struct genl g;
	unsigned int n;
	int ret, i;

	if (argc < 2) {
		errorf("nothing to set");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (!expand_keyword(&argv[i], key_words()))
			return EXIT_USAGE;
		k = find_key(argv[i]);
		if (!k)
			return arg_error("unknown keyword", argv[i]);
		if (!k->settable)
			return arg_error("read-only", argv[i]);
		n = (unsigned int)(k - config_keys);
		if (!once(&given[n], argv[i]))
			return EXIT_USAGE;
		val = next_arg(argc, argv, &i);
		if (!val || !parse_value(k, val, &values[n]))
			return EXIT_USAGE;
	}

	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_CONFIG_SET, 0);
	for (n = 0; n < NKEYS; n++) {
		if (!given[n])
			continue;
		if (config_keys[n].names)
			mnl_attr_put_u8(nlh, config_keys[n].attr,
					(uint8_t)values[n]);
		else
			mnl_attr_put_u32(nlh, config_keys[n].attr, values[n]);
	}
	ret = sslv_request(&g, nlh, NULL, NULL);
	genl_close(&g);
	return ret;
}

int do_config(int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show")) {
		if (argc > 1)
			return arg_error("unexpected argument", argv[1]);
		return sslv_simple(SSLV_CMD_CONFIG_GET, 0, config_reply, NULL);
	}
	if (!strcmp(argv[0], "set"))
		return config_set(argc, argv);
	return arg_error("unknown keyword", argv[0]);
}
