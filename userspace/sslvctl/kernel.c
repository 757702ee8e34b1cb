// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The connection to the sslv generic netlink family, and how its failures
 * are told to the user.
 */
#include <errno.h>
#include <string.h>

#include "sslvctl.h"

void sslv_report(const struct genl *g, int err)
{
	if (err == -EPERM || err == -EACCES)
		errorf("%s (CAP_NET_ADMIN required)", strerror(-err));
	else if (g->ext_msg[0])
		errorf("%s (%s)", g->ext_msg, strerror(-err));
	else
		errorf("%s", strerror(-err));
}

int sslv_open(struct genl *g)
{
	int err;

	if (opts.check)
		return EXIT_CHECKED;
	err = genl_open(g, SSLV_GENL_NAME, SSLV_GENL_VERSION);

	if (err == -ENOENT) {
		errorf("sslv module not loaded (generic netlink family \"%s\" not found); load it with \"modprobe sslv\"",
		       SSLV_GENL_NAME);
		return EXIT_KERNEL;
	}
	if (err) {
		errorf("cannot open generic netlink: %s", strerror(-err));
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}

int sslv_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	int err = genl_request(g, nlh, cb, data);

	if (!err)
		return EXIT_OK;
	sslv_report(g, err);
	return EXIT_KERNEL;
}

int sslv_simple(uint8_t cmd, uint16_t flags, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genl g;
	int ret = sslv_open(&g);

	if (ret)
		return ret;
	ret = sslv_request(&g, genl_msg(&g, buf, cmd, flags), cb, data);
	genl_close(&g);
	return ret;
}

int sslv_by_id(int argc, char **argv, const char *what, uint8_t cmd,
	       uint16_t attr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], msg[64];
	struct nlmsghdr *nlh;
	struct genl g;
	uint32_t id;
	int ret;

	if (argc < 2) {
		errorf("missing %s id after \"%s\"", what, argv[0]);
		return EXIT_USAGE;
	}
	snprintf(msg, sizeof(msg), "invalid %s id", what);
	if (!parse_u32(argv[1], UINT32_MAX, &id))
		return arg_error(msg, argv[1]);
	if (argc > 2)
		return arg_error("unexpected argument", argv[2]);
	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, cmd, 0);
	mnl_attr_put_u32(nlh, attr, id);
	ret = sslv_request(&g, nlh, NULL, NULL);
	genl_close(&g);
	return ret;
}
