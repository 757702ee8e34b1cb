// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl stats [reset]: the module's counters, in the kernel's order.
 */
#include <string.h>

#include "sslvctl.h"
#include "print.h"

int stats_walk(const struct nlmsghdr *nlh,
	       void (*fn)(const char *name, uint64_t value, void *data),
	       void *data)
{
	static const uint8_t types[SSLV_STAT_MAX + 1] = {
		[SSLV_STAT_NAME] = MNL_TYPE_NUL_STRING,
		[SSLV_STAT_VALUE] = MNL_TYPE_U64,
	};
	const struct nlattr *tb[SSLV_STAT_MAX + 1];
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_STAT)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    genl_parse_nest(attr, tb, SSLV_STAT_MAX, types) < 0 ||
		    !tb[SSLV_STAT_NAME] || !tb[SSLV_STAT_VALUE])
			return MNL_CB_ERROR;
		fn(mnl_attr_get_str(tb[SSLV_STAT_NAME]),
		   mnl_attr_get_u64(tb[SSLV_STAT_VALUE]), data);
	}
	return MNL_CB_OK;
}

static void stats_print(const char *name, uint64_t value, void *data)
{
	print_uint(PR_ANY, name, name, value);
	print_nl();
}

static int stats_reply(const struct nlmsghdr *nlh, void *data)
{
	int ret;

	open_object(NULL);
	ret = stats_walk(nlh, stats_print, NULL);
	close_object();
	return ret;
}

int do_stats(int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show")) {
		if (argc > 1)
			return arg_error("unexpected argument", argv[1]);
		return sslv_simple(SSLV_CMD_STATS_GET, 0, stats_reply, NULL);
	}
	if (!strcmp(argv[0], "reset")) {
		if (argc > 1)
			return arg_error("unexpected argument", argv[1]);
		return sslv_simple(SSLV_CMD_STATS_RESET, 0, NULL, NULL);
	}
	return arg_error("unknown keyword", argv[0]);
}
