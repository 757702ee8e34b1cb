// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl mode [set active-inline|passive-inline|passive-tap [dev IFNAME]]
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

static const char *const mode_names[__SSLV_MODE_MAX] = {
	[SSLV_MODE_ACTIVE_INLINE] = "active-inline",
	[SSLV_MODE_PASSIVE_INLINE] = "passive-inline",
	[SSLV_MODE_PASSIVE_TAP] = "passive-tap",
};

static int mode_reply(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_MODE] = MNL_TYPE_U8,
		[SSLV_A_IFINDEX] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	char num[16];

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 || !tb[SSLV_A_MODE])
		return MNL_CB_ERROR;
	open_object(NULL);
	print_str(PR_ANY, "mode", "mode",
		  keyword_name(mode_names, __SSLV_MODE_MAX,
			       mnl_attr_get_u8(tb[SSLV_A_MODE]), num));
	if (tb[SSLV_A_IFINDEX])
		print_ifindex("dev", "dev", mnl_attr_get_u32(tb[SSLV_A_IFINDEX]));
	close_object();
	return MNL_CB_OK;
}

static int mode_show(int argc, char **argv)
{
	if (argc > 1)
		return arg_error("unexpected argument", argv[1]);
	return sslv_simple(SSLV_CMD_MODE_GET, 0, mode_reply, NULL);
}

static int mode_set(int argc, char **argv)
{
	static const char *const dev_word[] = { "dev", NULL };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *name;
	uint32_t ifindex = 0;
	struct nlmsghdr *nlh;
	struct genl g;
	int mode, ret, i;

	if (argc < 2) {
		errorf("missing mode after \"set\"");
		return EXIT_USAGE;
	}
	mode = parse_keyword(argv[1], mode_names, __SSLV_MODE_MAX);
	if (mode == -2)
		return EXIT_USAGE;
	if (mode < 0)
		return arg_error("invalid mode", argv[1]);
	for (i = 2; i < argc; i++) {
		if (!expand_keyword(&argv[i], dev_word))
			return EXIT_USAGE;
		if (strcmp(argv[i], "dev"))
			return arg_error("unknown keyword", argv[i]);
		if (mode != SSLV_MODE_PASSIVE_TAP)
			return arg_error("only passive-tap takes", argv[i]);
		if (ifindex)
			return arg_error("duplicate keyword", argv[i]);
		name = next_arg(argc, argv, &i);
		if (!name)
			return EXIT_USAGE;
		if (!parse_ifname(name, &ifindex))
			return arg_error("no such interface", name);
	}

	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_MODE_SET, 0);
	mnl_attr_put_u8(nlh, SSLV_A_MODE, (uint8_t)mode);
	if (ifindex)
		mnl_attr_put_u32(nlh, SSLV_A_IFINDEX, ifindex);
	ret = sslv_request(&g, nlh, NULL, NULL);
	genl_close(&g);
	return ret;
}

int do_mode(int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show"))
		return mode_show(argc, argv);
	if (!strcmp(argv[0], "set"))
		return mode_set(argc, argv);
	return arg_error("unknown keyword", argv[0]);
}

int mode_save(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_MODE] = MNL_TYPE_U8,
		[SSLV_A_IFINDEX] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	char name[IF_NAMESIZE];
	FILE *f = data;
	uint8_t mode;

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 || !tb[SSLV_A_MODE])
		return MNL_CB_ERROR;
	mode = mnl_attr_get_u8(tb[SSLV_A_MODE]);
	if (mode >= __SSLV_MODE_MAX || !mode_names[mode]) {
		errorf("unknown mode %u", mode);
		return MNL_CB_ERROR;
	}
	fprintf(f, "mode set %s", mode_names[mode]);
	if (tb[SSLV_A_IFINDEX]) {
		if (!if_indextoname(mnl_attr_get_u32(tb[SSLV_A_IFINDEX]), name)) {
			errorf("the mirror device (ifindex %u) has no name",
			       mnl_attr_get_u32(tb[SSLV_A_IFINDEX]));
			return MNL_CB_ERROR;
		}
		fputs(" dev ", f);
		print_word(f, name);
	}
	fputc('\n', f);
	return MNL_CB_OK;
}
