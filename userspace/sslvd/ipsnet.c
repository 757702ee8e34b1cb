// SPDX-License-Identifier: GPL-2.0
/* The IPS's private namespaces and veth pairs, see ipsnet.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/veth.h>

#include "ipsnet.h"
#include "log.h"

#define GW4	"169.254.0.1"
#define GW6	"fe80::1"

static const char *const side_names[2] = { "out", "in" };

static int enter(struct ipsnet *n, int ns)
{
	if (setns(ns, CLONE_NEWNET) < 0) {
		sslvd_log("ips: setns: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void leave(struct ipsnet *n)
{
	/* back home: failing here would leave sslvd in the wrong namespace */
	if (setns(n->box, CLONE_NEWNET) < 0) {
		sslvd_log("ips: cannot return to the box's namespace: %s", strerror(errno));
		abort();
	}
}

int ipsnet_init(struct ipsnet *n)
{
	memset(n, 0, sizeof(*n));
	n->side[0].ns = n->side[1].ns = -1;
	n->side[0].pkt = n->side[1].pkt = -1;
	n->box = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (n->box < 0) {
		sslvd_log("ips: /proc/self/ns/net: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

void ipsnet_fini(struct ipsnet *n)
{
	ipsnet_down(n);
	if (n->box >= 0)
		close(n->box);
	n->box = -1;
}

bool ipsnet_is_up(const struct ipsnet *n)
{
	return n->side[0].ns >= 0 && n->side[1].ns >= 0;
}

/* ---- rtnetlink --------------------------------------------------------- */

/* An rtnetlink socket of the namespace @ns (-1: the box's). */
static struct mnl_socket *rtnl_open(struct ipsnet *n, int ns)
{
	struct mnl_socket *nl;
	int err;

	if (ns >= 0 && enter(n, ns) < 0)
		return NULL;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	err = errno;
	if (ns >= 0)
		leave(n);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		sslvd_log("ips: rtnetlink: %s", strerror(err));
		if (nl)
			mnl_socket_close(nl);
		return NULL;
	}
	(void)err;
	return nl;
}

/* Sends @nlh with NLM_F_ACK and reads the ack: 0 or -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	static uint32_t seq;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t r;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq ? seq : ++seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		r = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (r < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)r, nlh->nlmsg_seq, portid, NULL, NULL);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

/* ip link add NAME type veth peer name PEER netns NS (NS -1: here) */
static int veth_add(struct mnl_socket *nl, const char *name, const char *peer, int ns)
{
	char buf[1024] = { 0 };
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *li, *data, *pn;
	struct ifinfomsg *pi;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pn = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pi));
	pi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (ns >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return talk(nl, nlh);
}

static int link_del(struct mnl_socket *nl, const char *name)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, 0);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return talk(nl, nlh);
}

static int link_up(struct mnl_socket *nl, int ifindex)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return talk(nl, nlh);
}

static int rule_add_tab(struct mnl_socket *nl, int family, const char *iif, uint32_t mark,
			uint32_t table, uint32_t prio)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = RTM_NEWRULE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = RT_TABLE_UNSPEC;
	if (iif)
		mnl_attr_put_strz(nlh, FRA_IIFNAME, iif);
	if (mark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	}
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	return talk(nl, nlh);
}

static int rule_add(struct mnl_socket *nl, int family, const char *iif)
{
	return rule_add_tab(nl, family, iif, 0, SSLVD_IPS_TABLE, 100);
}

/* local 0.0.0.0/0 dev lo table T, or default via GW dev PEER onlink [table] */
static int route_add_tab(struct mnl_socket *nl, int family, int oif, bool local,
			 uint32_t table)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct in6_addr gw6;
	struct in_addr gw4;
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_protocol = RTPROT_STATIC;
	if (local) {
		rtm->rtm_table = RT_TABLE_UNSPEC;
		rtm->rtm_scope = RT_SCOPE_HOST;
		rtm->rtm_type = RTN_LOCAL;
		mnl_attr_put_u32(nlh, RTA_TABLE, SSLVD_IPS_TABLE);
	} else {
		rtm->rtm_table = RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
		rtm->rtm_flags = RTNH_F_ONLINK;
		if (family == AF_INET) {
			inet_pton(AF_INET, GW4, &gw4);
			mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw4);
		} else {
			inet_pton(AF_INET6, GW6, &gw6);
			mnl_attr_put(nlh, RTA_GATEWAY, 16, &gw6);
		}
	}
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return talk(nl, nlh);
}

static int route_add(struct mnl_socket *nl, int family, int oif, bool local)
{
	return route_add_tab(nl, family, oif, local, RT_TABLE_MAIN);
}

/* The gateway's permanent neighbour entry: the far peer's MAC. */
static int neigh_add(struct mnl_socket *nl, int family, int ifindex, const uint8_t *mac)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct in6_addr gw6;
	struct in_addr gw4;
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	if (family == AF_INET) {
		inet_pton(AF_INET, GW4, &gw4);
		mnl_attr_put(nlh, NDA_DST, 4, &gw4);
	} else {
		inet_pton(AF_INET6, GW6, &gw6);
		mnl_attr_put(nlh, NDA_DST, 16, &gw6);
	}
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	return talk(nl, nlh);
}

/* ---- inside a private namespace ---------------------------------------- */

/* Writes @val to /proc/sys/@path of the namespace sslvd is in now. */
static int sysctl_set(const char *path, const char *val)
{
	char p[160];
	int fd, ret = 0;

	snprintf(p, sizeof(p), "/proc/sys/%s", path);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		ret = -errno;
	else if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	/* a missing one (IPv6 off) changes nothing that matters */
	if (ret && ret != -ENOENT)
		sslvd_log("ips: sysctl %s = %s: %s", path, val, strerror(-ret));
	return ret;
}

/*
 * GSO, TSO, GRO and checksum offload off: an af-packet IPS wants the frames
 * as they would be on a wire, whole and with their checksums.
 */
static void offloads_off(int fd, const char *dev)
{
	static const uint32_t cmds[] = { ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO,
					 ETHTOOL_STXCSUM };
	struct ethtool_value ev = { .data = 0 };
	struct ifreq ifr;
	unsigned int i;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&ev;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ev.cmd = cmds[i];
		if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 && errno != EOPNOTSUPP)
			sslvd_log("ips: %s: offload off (ethtool %u): %s", dev, cmds[i],
				  strerror(errno));
	}
}

/* @peer's index and MAC, and the sysctls, from inside @s's namespace. */
static int dev_prepare(struct ipsnet *n, struct ipsnet_side *s, const char *peer,
		       int *ifindex, uint8_t *mac)
{
	static const char *const v4[] = { "all", "default", "lo" };
	char path[128];
	struct ifreq ifr;
	unsigned int i;
	int fd, err = 0;

	err = enter(n, s->ns);
	if (err)
		return err;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", v4[i]);
		sysctl_set(path, "0");
		snprintf(path, sizeof(path), "net/ipv4/conf/%s/accept_local", v4[i]);
		sysctl_set(path, "1");
	}
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", peer);
	sysctl_set(path, "0");
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/accept_local", peer);
	sysctl_set(path, "1");
	/* no addresses of its own, so nothing of its own through the IPS */
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/addr_gen_mode", peer);
	sysctl_set(path, "1");
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad", peer);
	sysctl_set(path, "0");
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_ra", peer);
	sysctl_set(path, "0");
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/router_solicitations", peer);
	sysctl_set(path, "0");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", peer);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		err = -errno;
		sslvd_log("ips: %s in the private namespace: %s", peer, strerror(errno));
		close(fd);
		goto out;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		err = -errno;
		close(fd);
		goto out;
	}
	if (mac)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	offloads_off(fd, peer);
	close(fd);
out:
	leave(n);
	return err;
}

/*
 * In @s's namespace: lo and the peer up, the local table for what comes
 * in from the peer, the default route out of it toward @far_mac.
 */
static int peer_routes(struct ipsnet *n, struct ipsnet_side *s, const uint8_t *far_mac)
{
	struct mnl_socket *nl = rtnl_open(n, s->ns);
	unsigned int lo;
	int err, fam;
	const char *what = "";

	if (!nl)
		return -EIO;
	lo = 1;		/* lo is always 1 in a new namespace */
	err = link_up(nl, (int)lo);
	if (err) {
		what = "lo up";
		goto out;
	}
	err = link_up(nl, s->peer_ifindex);
	if (err) {
		what = "peer up";
		goto out;
	}
	for (fam = AF_INET; ; fam = AF_INET6) {
		err = route_add(nl, fam, (int)lo, true);
		if (!err)
			err = rule_add(nl, fam, SSLVD_IPS_PEER);
		if (!err)
			err = neigh_add(nl, fam, s->peer_ifindex, far_mac);
		if (!err)
			err = route_add(nl, fam, s->peer_ifindex, false);
		if (err && fam == AF_INET6) {
			/* IPv6 off in this kernel: IPv4 flows only */
			sslvd_log("ips: %s side: IPv6 routes: %s; IPv4 only",
				  side_names[s == &n->side[1]], strerror(-err));
			err = 0;
		}
		if (err) {
			what = "IPv4 routes";
			goto out;
		}
		if (fam == AF_INET6)
			break;
	}
out:
	if (err)
		sslvd_log("ips: %s side: %s: %s", side_names[s == &n->side[1]], what,
			  strerror(-err));
	mnl_socket_close(nl);
	return err;
}

/* A packet socket on the peer that sees the RSTs coming in from the IPS. */
static int rst_socket(struct ipsnet *n, struct ipsnet_side *s)
{
	/* SOCK_DGRAM: the packet starts at the IP header */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 15, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 6),
		/* IPv4: TCP, not a fragment, RST set */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 11),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 9, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_JUMP(BPF_JMP | BPF_JA, 4, 0, 0),
		/* IPv6: TCP right after the fixed header, RST set */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 4),
		BPF_STMT(BPF_LDX | BPF_IMM, 40),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x04, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = s->peer_ifindex,
	};
	int fd;

	fd = ipsnet_socket(n, s == &n->side[1], AF_PACKET,
			   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		sslvd_log("ips: %s side: RST counter socket: %s",
			  side_names[s == &n->side[1]], strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->pkt = fd;
	return 0;
}

/* tc qdisc add dev IFINDEX clsact */
static int clsact_add(struct mnl_socket *nl, int ifindex)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *t;

	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	t->tcm_parent = TC_H_CLSACT;
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	return talk(nl, nlh);
}

/* tc filter add dev IFINDEX ingress|egress matchall action mirred egress mirror dev TO */
static int mirror_add(struct mnl_socket *nl, int ifindex, bool ingress, int to)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tc_mirred parms = {
		.action = TC_ACT_PIPE, .eaction = TCA_EGRESS_MIRROR, .ifindex = (uint32_t)to,
	};
	struct nlattr *opt, *acts, *act, *aopt;
	struct tcmsg *t;

	nlh->nlmsg_type = RTM_NEWTFILTER;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
	t->tcm_info = TC_H_MAKE(1U << 16, htons(ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "matchall");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	acts = mnl_attr_nest_start(nlh, TCA_MATCHALL_ACT);
	act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	aopt = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(parms), &parms);
	mnl_attr_nest_end(nlh, aopt);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opt);
	return talk(nl, nlh);
}

/*
 * passive-inline: the two namespaces joined directly (sslv-direct in both),
 * used by sockets marked SSLVD_IPS_DIRECT_MARK, and every frame of the out
 * side's end mirrored to the copy pair, whose box side is @copy.
 */
static int passive_up(struct ipsnet *n, struct mnl_socket *box_nl, const char *copy)
{
	struct ipsnet_side *o = &n->side[IPSNET_OUT];
	int dix[2] = { 0, 0 }, copy_ix = 0, i, fam, err;
	uint8_t dmac[2][6];
	struct mnl_socket *nl;
	const char *what = "";
	struct ifreq ifr;
	int fd;

	nl = rtnl_open(n, o->ns);
	if (!nl)
		return -EIO;
	err = veth_add(nl, SSLVD_IPS_DIRECT, SSLVD_IPS_DIRECT, n->side[IPSNET_IN].ns);
	mnl_socket_close(nl);
	if (err) {
		sslvd_log("ips: cannot join the private namespaces: %s", strerror(-err));
		return err;
	}
	err = veth_add(box_nl, copy, SSLVD_IPS_COPY_PEER, o->ns);
	if (err == -EEXIST) {
		sslvd_log("ips: copy interface %s exists already and is not sslvd's: delete "
			  "it, or name another in `sslvctl ips set`", copy);
		return err;
	}
	if (err) {
		sslvd_log("ips: cannot create the veth pair %s: %s", copy, strerror(-err));
		return err;
	}
	snprintf(n->copy, sizeof(n->copy), "%s", copy);
	n->copy_created = true;
	for (i = 0; i < 2; i++) {
		err = dev_prepare(n, &n->side[i], SSLVD_IPS_DIRECT, &dix[i], dmac[i]);
		if (err)
			return err;
	}
	err = dev_prepare(n, o, SSLVD_IPS_COPY_PEER, &copy_ix, NULL);
	if (err)
		return err;
	for (i = 0; i < 2 && !err; i++) {
		nl = rtnl_open(n, n->side[i].ns);
		if (!nl)
			return -EIO;
		what = "up";
		err = link_up(nl, dix[i]);
		if (!err && i == IPSNET_OUT)
			err = link_up(nl, copy_ix);
		for (fam = AF_INET; !err; fam = AF_INET6) {
			what = "routes";
			err = rule_add_tab(nl, fam, SSLVD_IPS_DIRECT, 0, SSLVD_IPS_TABLE, 100);
			if (!err)
				err = rule_add_tab(nl, fam, NULL, SSLVD_IPS_DIRECT_MARK,
						   SSLVD_IPS_DIRECT_TABLE, 90);
			if (!err)
				err = neigh_add(nl, fam, dix[i], dmac[!i]);
			if (!err)
				err = route_add_tab(nl, fam, dix[i], false, SSLVD_IPS_DIRECT_TABLE);
			if (err && fam == AF_INET6)
				err = 0;	/* IPv4 only, logged by peer_routes */
			if (fam == AF_INET6)
				break;
		}
		if (!err && i == IPSNET_OUT) {
			what = "the mirror to the copy port (tc clsact, matchall, mirred)";
			err = clsact_add(nl, dix[i]);
			if (!err)
				err = mirror_add(nl, dix[i], true, copy_ix);
			if (!err)
				err = mirror_add(nl, dix[i], false, copy_ix);
		}
		mnl_socket_close(nl);
	}
	if (err) {
		sslvd_log("ips: passive-inline: %s: %s", what, strerror(-err));
		return err;
	}
	/* the box side of the copy pair: up, offloads off */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", copy);
	if (fd < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		err = -errno;
		sslvd_log("ips: %s: %s", copy, strerror(errno));
	} else {
		offloads_off(fd, copy);
		err = link_up(box_nl, ifr.ifr_ifindex);
		if (err)
			sslvd_log("ips: %s up: %s", copy, strerror(-err));
	}
	if (fd >= 0)
		close(fd);
	return err;
}

int ipsnet_socket(struct ipsnet *n, int side, int family, int type, int proto)
{
	int fd, err;

	if (n->side[side].ns < 0) {
		errno = ENETDOWN;
		return -1;
	}
	if (setns(n->side[side].ns, CLONE_NEWNET) < 0)
		return -1;
	fd = socket(family, type, proto);
	err = errno;
	leave(n);
	errno = err;
	return fd;
}

/* A new, empty namespace for @s, kept by its descriptor. */
static int ns_new(struct ipsnet *n, struct ipsnet_side *s)
{
	int err;

	if (unshare(CLONE_NEWNET) < 0) {
		err = -errno;
		sslvd_log("ips: cannot create a network namespace: %s (sslvd needs "
			  "CAP_SYS_ADMIN)", strerror(errno));
		return err;
	}
	s->ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	err = errno;
	leave(n);
	if (s->ns < 0) {
		sslvd_log("ips: /proc/self/ns/net: %s", strerror(err));
		return -err;
	}
	return 0;
}

int ipsnet_up(struct ipsnet *n, const char *out, const char *in, const char *copy)
{
	const char *names[2] = { out, in };
	struct mnl_socket *nl;
	struct ifreq ifr;
	int i, err = 0, fd;

	if (ipsnet_is_up(n))
		ipsnet_down(n);
	nl = rtnl_open(n, -1);
	if (!nl)
		return -EIO;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = 0; i < 2; i++) {
		struct ipsnet_side *s = &n->side[i];

		snprintf(s->name, sizeof(s->name), "%s", names[i]);
		err = ns_new(n, s);
		if (err)
			goto fail;
		err = veth_add(nl, s->name, SSLVD_IPS_PEER, s->ns);
		if (err == -EEXIST) {
			sslvd_log("ips: %s interface %s exists already and is not sslvd's: "
				  "delete it, or name another in `sslvctl ips set`",
				  side_names[i], s->name);
			goto fail;
		}
		if (err) {
			sslvd_log("ips: cannot create the veth pair %s: %s", s->name,
				  strerror(-err));
			goto fail;
		}
		s->created = true;
		err = dev_prepare(n, s, SSLVD_IPS_PEER, &s->peer_ifindex, s->peer_mac);
		if (err)
			goto fail;
		/* the box side: up, offloads off; the operator attaches it */
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->name);
		if (fd < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
			err = -errno;
			sslvd_log("ips: %s: %s", s->name, strerror(errno));
			goto fail;
		}
		offloads_off(fd, s->name);
		err = link_up(nl, ifr.ifr_ifindex);
		if (err) {
			sslvd_log("ips: %s up: %s", s->name, strerror(-err));
			goto fail;
		}
	}
	for (i = 0; i < 2; i++) {
		err = peer_routes(n, &n->side[i], n->side[!i].peer_mac);
		if (err)
			goto fail;
		if (rst_socket(n, &n->side[i]) < 0) {
			err = -EIO;
			goto fail;
		}
	}
	if (copy && copy[0]) {
		err = passive_up(n, nl, copy);
		if (err)
			goto fail;
		n->passive = true;
	}
	if (fd >= 0)
		close(fd);
	mnl_socket_close(nl);
	sslvd_log("ips: out %s, in %s%s%s: veth pairs and private namespaces ready", out, in,
		  n->passive ? ", copy " : "", n->passive ? copy : "");
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	mnl_socket_close(nl);
	ipsnet_down(n);
	return err ? err : -EIO;
}

void ipsnet_down(struct ipsnet *n)
{
	struct mnl_socket *nl = NULL;
	int i, err;

	for (i = 0; i < 2; i++) {
		struct ipsnet_side *s = &n->side[i];

		if (s->pkt >= 0)
			close(s->pkt);
		s->pkt = -1;
		if (s->created) {
			if (!nl)
				nl = rtnl_open(n, -1);
			err = nl ? link_del(nl, s->name) : -EIO;
			if (err && err != -ENODEV)
				sslvd_log("ips: cannot delete %s: %s", s->name, strerror(-err));
			s->created = false;
		}
		if (s->ns >= 0)
			close(s->ns);
		s->ns = -1;
		s->peer_ifindex = 0;
	}
	if (n->copy_created) {
		if (!nl)
			nl = rtnl_open(n, -1);
		err = nl ? link_del(nl, n->copy) : -EIO;
		if (err && err != -ENODEV)
			sslvd_log("ips: cannot delete %s: %s", n->copy, strerror(-err));
		n->copy_created = false;
	}
	n->passive = false;
	if (nl)
		mnl_socket_close(nl);
}

static bool dev_ok(int fd, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

bool ipsnet_link_ok(struct ipsnet *n, int side)
{
	bool ok;
	int fd;

	if (n->side[side].ns < 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = dev_ok(fd, n->side[side].name);
	close(fd);
	fd = ipsnet_socket(n, side, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = ok && dev_ok(fd, SSLVD_IPS_PEER);
	close(fd);
	return ok;
}

static void sa_set(struct sockaddr_storage *ss, int family, const void *addr, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
		s4->sin_port = port;
	} else {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
		s6->sin6_port = port;
	}
}

int ipsnet_rst_read(struct ipsnet *n, int side, struct sockaddr_storage *src,
		    struct sockaddr_storage *dst)
{
	uint8_t p[128];
	uint16_t ports[2];
	unsigned int hl;
	ssize_t len;

	if (n->side[side].pkt < 0)
		return 0;
	for (;;) {
		len = recv(n->side[side].pkt, p, sizeof(p), MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (len > (ssize_t)sizeof(p))
			len = sizeof(p);
		if (len >= 20 && (p[0] >> 4) == 4) {
			hl = (p[0] & 0xf) * 4u;
			if (len < (ssize_t)hl + 4)
				continue;
			memcpy(ports, p + hl, 4);
			sa_set(src, AF_INET, p + 12, ports[0]);
			sa_set(dst, AF_INET, p + 16, ports[1]);
			return 1;
		}
		if (len >= 44 && (p[0] >> 4) == 6) {
			memcpy(ports, p + 40, 4);
			sa_set(src, AF_INET6, p + 8, ports[0]);
			sa_set(dst, AF_INET6, p + 24, ports[1]);
			return 1;
		}
	}
}
