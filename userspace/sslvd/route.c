// SPDX-License-Identifier: GPL-2.0
/* The diversion's rules and local routes, see route.h. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "route.h"

#define R_RULE4		(1 << 0)
#define R_RULE6		(1 << 1)
#define R_ROUTE4	(1 << 2)
#define R_ROUTE6	(1 << 3)

static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Sends @nlh with NLM_F_ACK and reads the ack: 0 or -errno. */
static int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int rule(struct mnl_socket *nl, const struct sslvd_route *r, int family,
		uint16_t type, uint16_t flags)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_FWMARK, r->mark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->prio);
	return rtnl_talk(nl, nlh);
}

static int route(struct mnl_socket *nl, const struct sslvd_route *r, int family,
		 uint16_t type, uint16_t flags, unsigned int lo)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_HOST;
	rtm->rtm_type = RTN_LOCAL;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	mnl_attr_put_u32(nlh, RTA_OIF, lo);
	return rtnl_talk(nl, nlh);
}

/* Adds, or takes over one already there. */
static int add(struct mnl_socket *nl, struct sslvd_route *r, int family, int is_rule,
	       unsigned int lo)
{
	uint16_t flags = NLM_F_CREATE | NLM_F_EXCL;
	int err;

	err = is_rule ? rule(nl, r, family, RTM_NEWRULE, flags) :
			route(nl, r, family, RTM_NEWROUTE, flags, lo);
	if (err == -EEXIST)
		err = 0;
	if (err && family == AF_INET6 && (err == -EACCES || err == -EAFNOSUPPORT)) {
		/* IPv6 disabled (disable_ipv6, ipv6.disable): IPv4 goes on */
		sslvd_log("IPv6 is disabled in this namespace (%s): IPv4 flows only",
			  strerror(-err));
		return 0;
	}
	if (err) {
		if (is_rule)
			sslvd_log("cannot add the %s rule fwmark 0x%x lookup %u: %s",
				  fam_name(family), r->mark, r->table, strerror(-err));
		else
			sslvd_log("cannot add the %s route local %s dev lo table %u: %s",
				  fam_name(family), family == AF_INET ? "0.0.0.0/0" : "::/0",
				  r->table, strerror(-err));
		return err;
	}
	r->installed |= is_rule ? (family == AF_INET ? R_RULE4 : R_RULE6) :
				  (family == AF_INET ? R_ROUTE4 : R_ROUTE6);
	return 0;
}

int sslvd_route_up(struct sslvd_route *r)
{
	unsigned int lo = if_nametoindex("lo");
	struct mnl_socket *nl;
	int err;

	r->installed = 0;
	if (!lo) {
		sslvd_log("no loopback device in this namespace: %s", strerror(errno));
		return -ENODEV;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		sslvd_log("rtnetlink: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return err;
	}
	err = add(nl, r, AF_INET, 0, lo);
	if (!err)
		err = add(nl, r, AF_INET6, 0, lo);
	if (!err)
		err = add(nl, r, AF_INET, 1, lo);
	if (!err)
		err = add(nl, r, AF_INET6, 1, lo);
	mnl_socket_close(nl);
	if (err)
		sslvd_route_down(r);
	return err;
}

void sslvd_route_down(struct sslvd_route *r)
{
	static const struct { int bit, family, is_rule; } what[] = {
		{ R_RULE4, AF_INET, 1 }, { R_RULE6, AF_INET6, 1 },
		{ R_ROUTE4, AF_INET, 0 }, { R_ROUTE6, AF_INET6, 0 },
	};
	unsigned int lo = if_nametoindex("lo"), i;
	struct mnl_socket *nl;
	int err;

	if (!r->installed)
		return;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		sslvd_log("rtnetlink: %s; the diversion's rules and routes stay",
			  strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return;
	}
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		if (!(r->installed & what[i].bit))
			continue;
		err = what[i].is_rule ? rule(nl, r, what[i].family, RTM_DELRULE, 0) :
					route(nl, r, what[i].family, RTM_DELROUTE, 0, lo);
		if (err && err != -ENOENT && err != -ESRCH)
			sslvd_log("cannot remove the %s %s of table %u: %s",
				  fam_name(what[i].family), what[i].is_rule ? "rule" : "route",
				  r->table, strerror(-err));
		r->installed &= ~what[i].bit;
	}
	mnl_socket_close(nl);
}
