// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl config [set [max-flows N] [timeout-handshake S] ... [rst-idle MS]]
 */
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

/*
 * In the order they are shown; flows-current is read-only. Only rst-idle
 * may be 0 (no RST is put down to an idle timeout).
 */
static const struct config_key {
	const char *word;
	const char *key;
	uint16_t attr;
	bool settable;
	bool zero_ok;
} config_keys[] = {
	{ "max-flows", "max_flows", SSLV_A_MAX_FLOWS, true, false },
	{ "flows-current", "flows_current", SSLV_A_FLOWS_CURRENT, false, false },
	{ "timeout-handshake", "timeout_handshake",
	  SSLV_A_TIMEOUT_HANDSHAKE, true, false },
	{ "timeout-established", "timeout_established",
	  SSLV_A_TIMEOUT_ESTABLISHED, true, false },
	{ "timeout-closing", "timeout_closing", SSLV_A_TIMEOUT_CLOSING,
	  true, false },
	{ "timeout-closed", "timeout_closed", SSLV_A_TIMEOUT_CLOSED,
	  true, false },
	{ "timeout-rejected", "timeout_rejected",
	  SSLV_A_TIMEOUT_REJECTED, true, false },
	{ "rst-idle", "rst_idle_ms", SSLV_A_RST_IDLE_MS, true, true },
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static int config_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	uint8_t types[SSLV_A_MAX + 1] = { 0 };
	unsigned int i;

	for (i = 0; i < NKEYS; i++)
		types[config_keys[i].attr] = MNL_TYPE_U32;
	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0)
		return MNL_CB_ERROR;
	open_object(NULL);
	for (i = 0; i < NKEYS; i++) {
		if (!tb[config_keys[i].attr])
			continue;
		print_uint(PR_ANY, config_keys[i].key, config_keys[i].word,
			   mnl_attr_get_u32(tb[config_keys[i].attr]));
		print_nl();
	}
	close_object();
	return MNL_CB_OK;
}

static const struct config_key *settable_key(const char *word)
{
	unsigned int i;

	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].settable && !strcmp(word, config_keys[i].word))
			return &config_keys[i];
	return NULL;
}

static int config_set(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t values[NKEYS] = { 0 };
	bool given[NKEYS] = { false };
	const struct config_key *k;
	struct nlmsghdr *nlh;
	char what[64];
	const char *val;
	struct genl g;
	unsigned int n;
	int ret, i;

	if (argc < 2) {
		errorf("nothing to set");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		k = settable_key(argv[i]);
		if (!k)
			return arg_error("unknown keyword", argv[i]);
		n = (unsigned int)(k - config_keys);
		if (!once(&given[n], argv[i]))
			return EXIT_USAGE;
		val = next_arg(argc, argv, &i);
		if (!val)
			return EXIT_USAGE;
		snprintf(what, sizeof(what), "invalid %s", k->word);
		if (!parse_u32(val, UINT32_MAX, &values[n]) ||
		    (!values[n] && !k->zero_ok))
			return arg_error(what, val);
	}

	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_CONFIG_SET, 0);
	for (n = 0; n < NKEYS; n++)
		if (given[n])
			mnl_attr_put_u32(nlh, config_keys[n].attr, values[n]);
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
