// SPDX-License-Identifier: GPL-2.0
/* The diversion's rules and local routes, see route.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "route.h"


static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/*
 * An rtnetlink socket for requests; or NULL, errno set, the failure logged
 * with @then (what follows from it) appended.
 */
static struct mnl_socket *rtnl_open(const char *then)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int err;

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0)
		return nl;
	err = errno;
	sslvd_log("rtnetlink: %s%s", strerror(err), then);
	if (nl)
		mnl_socket_close(nl);
	errno = err;
	return NULL;
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

/* The divert mark's rule, or with @out the egress mark's. */
static int rule(struct mnl_socket *nl, const struct sslvd_route *r, int family,
		uint16_t type, uint16_t flags, bool out)
{
	uint32_t mark = out ? r->out_mark : r->mark, table = out ? r->out_table : r->table;
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
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

/* ---- the way out of a bridge, and the namespace's settings ------------ */

/* The bridges of the namespace (RTM_GETLINK dump), at most SSLVD_BRIDGES. */
static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sslvd_route *r = data;
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a, *info = NULL, *name = NULL;

	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_LINKINFO)
			info = a;
		else if (mnl_attr_get_type(a) == IFLA_IFNAME)
			name = a;
	}
	if (!info || !name || r->nbridges >= SSLVD_BRIDGES)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(a, info) {
		if (mnl_attr_get_type(a) != IFLA_INFO_KIND ||
		    strcmp(mnl_attr_get_str(a), "bridge"))
			continue;
		r->bridge[r->nbridges] = (unsigned int)ifi->ifi_index;
		snprintf(r->bridge_name[r->nbridges], IF_NAMESIZE, "%s",
			 mnl_attr_get_str(name));
		r->nbridges++;
	}
	return MNL_CB_OK;
}

static int bridges(struct mnl_socket *nl, struct sslvd_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint32_t portid = mnl_socket_get_portid(nl);
	struct rtgenmsg *g;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	r->nbridges = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, link_cb, r);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* ip rule add fwmark OUT_MARK lookup OUT_TABLE; route default dev BRIDGE. */
static int egress_route(struct mnl_socket *nl, const struct sslvd_route *r, int family,
			uint16_t type, uint16_t flags)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = r->out_table < 256 ? (uint8_t)r->out_table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->out_table);
	mnl_attr_put_u32(nlh, RTA_OIF, r->bridge[0]);
	return rtnl_talk(nl, nlh);
}

/* Reads the one-line sysctl file @path into @v; false if it has none. */
static bool sysctl_read(const char *path, char *v, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, v, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	v[n] = 0;
	v[strcspn(v, "\n")] = 0;
	return true;
}

static int sysctl_write(const char *path, const char *v)
{
	size_t len = strlen(v);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, v, len) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Sets net.@fmt (a file under /proc/sys/net, formatted with @dev) to @v if
 * it is not already, remembering the old value for sslvd_route_down(). A
 * file that does not exist (IPv6 off) is skipped.
 */
static int sysctl_set(struct sslvd_route *r, const char *fmt, const char *dev,
		      const char *v)
{
	struct sslvd_sysctl *s = &r->saved[r->nsaved];
	char rel[80], old[sizeof(s->old)];
	int err;

	snprintf(rel, sizeof(rel), fmt, dev);
	snprintf(s->path, sizeof(s->path), "/proc/sys/net/%s", rel);
	if (!sysctl_read(s->path, old, sizeof(old)) || !strcmp(old, v))
		return 0;
	if (r->nsaved >= SSLVD_SYSCTLS)
		return -ENOSPC;
	err = sysctl_write(s->path, v);
	if (err) {
		sslvd_log("cannot set net.%s to %s: %s", rel, v, strerror(-err));
		return err;
	}
	memcpy(s->old, old, sizeof(s->old));
	r->nsaved++;
	return 0;
}

/*
 * What diverted frames need of the namespace: IPv6 on every bridge (no
 * address: addr_gen_mode none first) and on lo, no reverse-path filter on
 * the bridges (the box has no route back to the ends but sslvd's own).
 */
static int bridge_settings(struct sslvd_route *r, const char *name)
{
	int err;

	err = sysctl_set(r, "ipv4/conf/%s/rp_filter", name, "0");
	if (!err)
		err = sysctl_set(r, "ipv6/conf/%s/addr_gen_mode", name, "1");
	if (!err)
		err = sysctl_set(r, "ipv6/conf/%s/disable_ipv6", name, "0");
	return err;
}

static int settings_up(struct sslvd_route *r)
{
	char v[16];
	unsigned int i;
	int err = 0;

	if (sysctl_read("/proc/sys/net/ipv4/conf/all/rp_filter", v, sizeof(v)) &&
	    strcmp(v, "0")) {
		sslvd_log("net.ipv4.conf.all.rp_filter is %s in this namespace: diverted "
			  "connections would be dropped; set it to 0 (sslvd turns it off on "
			  "the bridges itself)", v);
		return -EINVAL;
	}
	for (i = 0; !err && i < r->nbridges; i++)
		err = bridge_settings(r, r->bridge_name[i]);
	if (!err)
		err = sysctl_set(r, "ipv6/conf/%s/disable_ipv6", "lo", "0");
	return err;
}

static void settings_down(struct sslvd_route *r)
{
	int err;

	while (r->nsaved) {
		struct sslvd_sysctl *s = &r->saved[--r->nsaved];

		err = sysctl_write(s->path, s->old);
		if (err)
			sslvd_log("cannot set %s back to %s: %s", s->path, s->old,
				  strerror(-err));
	}
}

enum what { W_RULE, W_ROUTE, W_OUTRULE, W_OUTROUTE };

static int talk(struct mnl_socket *nl, const struct sslvd_route *r, int family,
		enum what w, bool del, unsigned int lo)
{
	uint16_t flags = del ? 0 : NLM_F_CREATE | NLM_F_EXCL;
	uint16_t rt = del ? RTM_DELROUTE : RTM_NEWROUTE, ru = del ? RTM_DELRULE : RTM_NEWRULE;

	switch (w) {
	case W_RULE:
		return rule(nl, r, family, ru, flags, false);
	case W_OUTRULE:
		return rule(nl, r, family, ru, flags, true);
	case W_ROUTE:
		return route(nl, r, family, rt, flags, lo);
	default:
		return egress_route(nl, r, family, rt, flags);
	}
}

/* r->installed's bit for @w in @family. */
static int bit(int family, enum what w)
{
	return 1 << (w * 2 + (family == AF_INET6));
}

static void add_failed(const struct sslvd_route *r, int family, enum what w, int err)
{
	switch (w) {
	case W_RULE:
	case W_OUTRULE:
		sslvd_log("cannot add the %s rule fwmark 0x%x lookup %u: %s", fam_name(family),
			  w == W_RULE ? r->mark : r->out_mark,
			  w == W_RULE ? r->table : r->out_table, strerror(-err));
		break;
	case W_ROUTE:
		sslvd_log("cannot add the %s route local %s dev lo table %u: %s",
			  fam_name(family), family == AF_INET ? "0.0.0.0/0" : "::/0",
			  r->table, strerror(-err));
		break;
	default:
		sslvd_log("cannot add the %s route default dev %s table %u: %s",
			  fam_name(family), r->bridge_name[0], r->out_table, strerror(-err));
	}
}

/* Adds, or takes over one already there. */
static int add(struct mnl_socket *nl, struct sslvd_route *r, int family, enum what w,
	       unsigned int lo)
{
	int err;

	err = talk(nl, r, family, w, false, lo);
	if (err == -EEXIST)
		err = 0;
	if (err && family == AF_INET6 && (err == -EACCES || err == -EAFNOSUPPORT)) {
		/* IPv6 disabled (disable_ipv6, ipv6.disable): IPv4 goes on */
		sslvd_log("IPv6 is disabled in this namespace (%s): IPv4 flows only",
			  strerror(-err));
		return 0;
	}
	if (err) {
		add_failed(r, family, w, err);
		return err;
	}
	r->installed |= bit(family, w);
	return 0;
}

int sslvd_route_up(struct sslvd_route *r)
{
	static const enum what order[] = { W_ROUTE, W_RULE, W_OUTROUTE, W_OUTRULE };
	unsigned int lo = if_nametoindex("lo"), i, n = r->out_mark ? 4 : 2;
	struct mnl_socket *nl;
	int err;

	r->installed = 0;
	r->nsaved = 0;
	if (!lo) {
		sslvd_log("no loopback device in this namespace: %s", strerror(errno));
		return -ENODEV;
	}
	nl = rtnl_open("");
	if (!nl)
		return -errno;
	err = 0;
	if (r->out_mark) {
		err = bridges(nl, r);
		if (err)
			sslvd_log("rtnetlink: the namespace's links: %s", strerror(-err));
		else if (!r->nbridges) {
			sslvd_log("no bridge in this namespace: sslv diverts flows crossing one");
			err = -ENODEV;
		}
		if (!err)
			err = settings_up(r);
	}
	for (i = 0; !err && i < n * 2; i++)
		err = add(nl, r, i % 2 ? AF_INET6 : AF_INET, order[i / 2], lo);
	mnl_socket_close(nl);
	if (err)
		sslvd_route_down(r);
	return err;
}

/* ---- bridges that come and go ------------------------------------------ */

int sslvd_route_watch(struct sslvd_route *r)
{
	r->watch = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!r->watch || mnl_socket_bind(r->watch, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		if (r->watch)
			mnl_socket_close(r->watch);
		r->watch = NULL;
		return err;
	}
	return mnl_socket_get_fd(r->watch);
}

static int bridge_index(const struct sslvd_route *r, unsigned int ifindex)
{
	unsigned int i;

	for (i = 0; i < r->nbridges; i++)
		if (r->bridge[i] == ifindex)
			return (int)i;
	return -1;
}

/* Forgets the saved sysctls of the bridge @name: they went with it. */
static void sysctls_forget(struct sslvd_route *r, const char *name)
{
	char v4[64], v6[64];
	unsigned int i, j = 0;

	snprintf(v4, sizeof(v4), "/proc/sys/net/ipv4/conf/%.15s/", name);
	snprintf(v6, sizeof(v6), "/proc/sys/net/ipv6/conf/%.15s/", name);
	for (i = 0; i < r->nsaved; i++) {
		if (!strncmp(r->saved[i].path, v4, strlen(v4)) ||
		    !strncmp(r->saved[i].path, v6, strlen(v6)))
			continue;
		r->saved[j++] = r->saved[i];
	}
	r->nsaved = j;
}

/*
 * The way out through r->bridge[0], put back if it is gone: the kernel
 * removes a route with its device, and IPv4's when the device goes down.
 */
static void way_out(struct mnl_socket *nl, struct sslvd_route *r)
{
	unsigned int lo = if_nametoindex("lo");
	int family, err;

	for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
		if (!(r->installed & bit(family, W_OUTROUTE)))
			continue;
		err = talk(nl, r, family, W_OUTROUTE, false, lo);
		if (!err)
			sslvd_log("%s way out of the bridges restored, through %s",
				  fam_name(family), r->bridge_name[0]);
		else if (err != -EEXIST && err != -ENETDOWN)	/* back once it is up */
			add_failed(r, family, W_OUTROUTE, err);
	}
}

void sslvd_route_links(struct sslvd_route *r)
{
	unsigned int old[SSLVD_BRIDGES], n_old = r->nbridges, out, i;
	char old_name[SSLVD_BRIDGES][IF_NAMESIZE], buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	int err, k;
	ssize_t n;

	/* The events only wake sslvd up: it lists the bridges again. */
	do {
		n = recv(mnl_socket_get_fd(r->watch), buf, sizeof(buf), 0);
	} while (n > 0 || (n < 0 && errno == ENOBUFS));

	memcpy(old, r->bridge, sizeof(old));
	memcpy(old_name, r->bridge_name, sizeof(old_name));
	out = n_old ? old[0] : 0;
	nl = rtnl_open("; bridges created from now on are not set up");
	if (!nl)
		return;
	err = bridges(nl, r);
	if (err) {
		sslvd_log("rtnetlink: the namespace's links: %s", strerror(-err));
		memcpy(r->bridge, old, sizeof(old));
		memcpy(r->bridge_name, old_name, sizeof(old_name));
		r->nbridges = n_old;
		goto out;
	}
	for (i = 0; i < n_old; i++) {
		if (bridge_index(r, old[i]) < 0) {
			sslvd_log("bridge %s is gone", old_name[i]);
			sysctls_forget(r, old_name[i]);
		}
	}
	for (i = 0; i < r->nbridges; i++) {
		unsigned int j;

		for (j = 0; j < n_old && old[j] != r->bridge[i]; j++)
			;
		if (j < n_old)
			continue;
		if (!bridge_settings(r, r->bridge_name[i]))
			sslvd_log("bridge %s: set up for diverted flows (rp_filter off, IPv6 on)",
				  r->bridge_name[i]);
	}
	/* The way out stays where it is while its bridge does. */
	k = out ? bridge_index(r, out) : -1;
	if (k > 0) {
		unsigned int t = r->bridge[0];

		memcpy(buf, r->bridge_name[0], IF_NAMESIZE);
		r->bridge[0] = r->bridge[k];
		memcpy(r->bridge_name[0], r->bridge_name[k], IF_NAMESIZE);
		r->bridge[k] = t;
		memcpy(r->bridge_name[k], buf, IF_NAMESIZE);
	}
	if (r->nbridges)
		way_out(nl, r);
	else if (out)
		sslvd_log("no bridge left: sslvd's connections have no way out until one is "
			  "created");
out:
	mnl_socket_close(nl);
}

void sslvd_route_down(struct sslvd_route *r)
{
	unsigned int lo = if_nametoindex("lo");
	struct mnl_socket *nl;
	int err, w, family;

	if (r->watch) {
		mnl_socket_close(r->watch);
		r->watch = NULL;
	}

	if (!r->installed) {
		settings_down(r);
		return;
	}
	nl = rtnl_open("; the diversion's rules and routes stay");
	if (!nl) {
		settings_down(r);
		return;
	}
	/* Rules first: no packet is steered to a table being emptied. */
	for (w = W_OUTRULE; w >= W_RULE; w -= 2) {
		for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
			if (!(r->installed & bit(family, (enum what)w)))
				continue;
			err = talk(nl, r, family, (enum what)w, true, lo);
			if (err && err != -ENOENT && err != -ESRCH)
				sslvd_log("cannot remove the %s rule of table %u: %s",
					  fam_name(family), w == W_RULE ? r->table : r->out_table,
					  strerror(-err));
			r->installed &= ~bit(family, (enum what)w);
		}
	}
	for (w = W_OUTROUTE; w >= W_ROUTE; w -= 2) {
		for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
			if (!(r->installed & bit(family, (enum what)w)))
				continue;
			err = talk(nl, r, family, (enum what)w, true, lo);
			/* ENODEV: the way out's bridge is gone, and its route */
			if (err && err != -ENOENT && err != -ESRCH && err != -ENODEV)
				sslvd_log("cannot remove the %s route of table %u: %s",
					  fam_name(family), w == W_ROUTE ? r->table : r->out_table,
					  strerror(-err));
			r->installed &= ~bit(family, (enum what)w);
		}
	}
	mnl_socket_close(nl);
	settings_down(r);
}
