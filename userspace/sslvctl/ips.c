// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl ips [show]
 * sslvctl ips set out DEV in DEV [feedback-timeout MS] [copy DEV]
 * sslvctl ips del
 *
 * The attached IPS that sslvd carries decrypted plaintext through. The
 * names are kept as names: sslvd creates the interfaces.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

static const char *const ips_state_names[__SSLV_IPS_STATE_MAX] = {
	[SSLV_IPS_STATE_UNSET] = "unset",
	[SSLV_IPS_STATE_DOWN] = "down",
	[SSLV_IPS_STATE_UP] = "up",
};

static const uint8_t ips_types[SSLV_IPS_MAX + 1] = {
	[SSLV_IPS_OUT] = MNL_TYPE_NUL_STRING,
	[SSLV_IPS_IN] = MNL_TYPE_NUL_STRING,
	[SSLV_IPS_COPY] = MNL_TYPE_NUL_STRING,
	[SSLV_IPS_FEEDBACK_TIMEOUT] = MNL_TYPE_U32,
	[SSLV_IPS_STATE] = MNL_TYPE_U8,
};

bool print_ips(const struct nlattr *nest)
{
	const struct nlattr *tb[SSLV_IPS_MAX + 1];
	char num[16];

	if (!nest) {
		print_str(PR_ANY, "state", "state", "unset");
		return true;
	}
	if (genl_parse_nest(nest, tb, SSLV_IPS_MAX, ips_types) < 0 ||
	    !tb[SSLV_IPS_OUT] || !tb[SSLV_IPS_IN])
		return false;
	print_str(PR_ANY, "out", "out", mnl_attr_get_str(tb[SSLV_IPS_OUT]));
	print_str(PR_ANY, "in", "in", mnl_attr_get_str(tb[SSLV_IPS_IN]));
	if (tb[SSLV_IPS_COPY])
		print_str(PR_ANY, "copy", "copy",
			  mnl_attr_get_str(tb[SSLV_IPS_COPY]));
	if (tb[SSLV_IPS_FEEDBACK_TIMEOUT])
		print_uint(PR_ANY, "feedback_timeout", "feedback-timeout",
			   mnl_attr_get_u32(tb[SSLV_IPS_FEEDBACK_TIMEOUT]));
	if (tb[SSLV_IPS_STATE])
		print_str(PR_ANY, "state", "state",
			  keyword_name(ips_state_names, __SSLV_IPS_STATE_MAX,
				       mnl_attr_get_u8(tb[SSLV_IPS_STATE]),
				       num));
	return true;
}

static const uint8_t ips_top_types[SSLV_A_MAX + 1] = {
	[SSLV_A_IPS] = MNL_TYPE_NESTED,
};

static int ips_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	bool ok;

	if (genl_parse(nlh, tb, SSLV_A_MAX, ips_top_types) < 0)
		return MNL_CB_ERROR;
	open_object(NULL);
	ok = print_ips(tb[SSLV_A_IPS]);
	close_object();
	return ok ? MNL_CB_OK : MNL_CB_ERROR;
}

/* `ips set ...` of the IPS the module keeps; nothing when none is set. */
int ips_save(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const struct nlattr *it[SSLV_IPS_MAX + 1];
	FILE *f = data;

	if (genl_parse(nlh, tb, SSLV_A_MAX, ips_top_types) < 0)
		return MNL_CB_ERROR;
	if (!tb[SSLV_A_IPS])
		return MNL_CB_OK;
	if (genl_parse_nest(tb[SSLV_A_IPS], it, SSLV_IPS_MAX, ips_types) < 0 ||
	    !it[SSLV_IPS_OUT] || !it[SSLV_IPS_IN]) {
		errorf("malformed IPS reply");
		return MNL_CB_ERROR;
	}
	fputs("ips set out ", f);
	print_word(f, mnl_attr_get_str(it[SSLV_IPS_OUT]));
	fputs(" in ", f);
	print_word(f, mnl_attr_get_str(it[SSLV_IPS_IN]));
	if (it[SSLV_IPS_FEEDBACK_TIMEOUT])
		fprintf(f, " feedback-timeout %u",
			mnl_attr_get_u32(it[SSLV_IPS_FEEDBACK_TIMEOUT]));
	if (it[SSLV_IPS_COPY]) {
		fputs(" copy ", f);
		print_word(f, mnl_attr_get_str(it[SSLV_IPS_COPY]));
	}
	fputc('\n', f);
	return MNL_CB_OK;
}

/*
 * An interface name as the kernel takes one (dev_valid_name()); it need
 * not exist. False, reported, if not.
 */
static bool ifname_ok(const char *kw, const char *s)
{
	char what[64];
	const char *p;

	snprintf(what, sizeof(what), "invalid %s interface name", kw);
	if (!*s) {
		errorf("%s \"\": empty", what);
		return false;
	}
	if (strlen(s) > 15) {
		errorf("%s \"%s\": longer than 15 bytes", what, s);
		return false;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		errorf("%s \"%s\"", what, s);
		return false;
	}
	for (p = s; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p)) {
			errorf("%s \"%s\": no '/', ':' or whitespace", what, s);
			return false;
		}
	}
	return true;
}

static int ips_set(int argc, char **argv)
{
	static const char *const words[] = {
		"out", "in", "feedback-timeout", "copy", NULL
	};
	const char *out = NULL, *in = NULL, *copy = NULL, *val;
	bool seen[4] = { false };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t feedback = 0;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct genl g;
	int ret, i, w;

	for (i = 1; i < argc; i++) {
		if (!expand_keyword(&argv[i], words))
			return EXIT_USAGE;
		for (w = 0; words[w] && strcmp(argv[i], words[w]); w++)
			;
		if (!words[w])
			return arg_error("unknown keyword", argv[i]);
		if (!once(&seen[w], argv[i]))
			return EXIT_USAGE;
		val = next_arg(argc, argv, &i);
		if (!val)
			return EXIT_USAGE;
		switch (w) {
		case 0:
			out = val;
			break;
		case 1:
			in = val;
			break;
		case 2:
			if (!parse_u32(val, UINT32_MAX, &feedback) ||
			    feedback < SSLV_IPS_FEEDBACK_MIN ||
			    feedback > SSLV_IPS_FEEDBACK_MAX) {
				errorf("invalid feedback-timeout \"%s\": %u to %u ms",
				       val, SSLV_IPS_FEEDBACK_MIN,
				       SSLV_IPS_FEEDBACK_MAX);
				return EXIT_USAGE;
			}
			break;
		default:
			copy = val;
			break;
		}
		if (w != 2 && !ifname_ok(words[w], val))
			return EXIT_USAGE;
	}
	if (!out || !in) {
		errorf("ips set needs out DEV and in DEV");
		return EXIT_USAGE;
	}
	if (!strcmp(out, in))
		return arg_error("in is the same interface as out", in);
	if (copy && (!strcmp(copy, out) || !strcmp(copy, in)))
		return arg_error("copy is the same interface as out or in",
				 copy);

	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_IPS_SET, 0);
	nest = mnl_attr_nest_start(nlh, SSLV_A_IPS);
	mnl_attr_put_strz(nlh, SSLV_IPS_OUT, out);
	mnl_attr_put_strz(nlh, SSLV_IPS_IN, in);
	if (copy)
		mnl_attr_put_strz(nlh, SSLV_IPS_COPY, copy);
	if (feedback)
		mnl_attr_put_u32(nlh, SSLV_IPS_FEEDBACK_TIMEOUT, feedback);
	mnl_attr_nest_end(nlh, nest);
	ret = sslv_request(&g, nlh, NULL, NULL);
	genl_close(&g);
	return ret;
}

int do_ips(int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show")) {
		if (argc > 1)
			return arg_error("unexpected argument", argv[1]);
		return sslv_simple(SSLV_CMD_IPS_GET, 0, ips_reply, NULL);
	}
	if (!strcmp(argv[0], "set"))
		return ips_set(argc, argv);
	if (!strcmp(argv[0], "del")) {
		if (argc > 1)
			return arg_error("unexpected argument", argv[1]);
		return sslv_simple(SSLV_CMD_IPS_DEL, 0, NULL, NULL);
	}
	return arg_error("unknown keyword", argv[0]);
}
