/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network an attached IPS sees: two private network namespaces sslvd
 * creates (unshare, the descriptors kept, nothing named in /run/netns),
 * each joined to the box's namespace by a veth pair. The box side of each
 * pair carries the name the operator gave (`sslvctl ips set out NAME in
 * NAME`): the IPS binds it, or it is enslaved to a bridge; its peer lives
 * in the private namespace:
 *
 *   [out netns] sslv-ips  <-veth->  OUT  ~~ IPS ~~  IN  <-veth->  sslv-ips [in netns]
 *
 * A generated connection has the original flow's exact addresses and
 * ports; in their own namespaces its sockets cannot collide with the two
 * real legs, which use the same 4-tuple in the box's namespace, and they
 * touch neither the box's routes nor sslv.ko's hooks. In each private
 * namespace every destination is local to frames that come in from the
 * peer (`ip rule iif sslv-ips lookup T`, `local 0.0.0.0/0 dev lo table T`,
 * the same for ::/0), and every frame goes out of the peer toward a
 * gateway whose permanent neighbour entry is the OTHER peer's MAC: frames
 * cross the IPS addressed to the far peer, with no ARP or ND through it.
 *
 * In passive-inline mode (copy NAME) the two private namespaces are joined
 * directly by one veth pair (no IPS) and every frame of the out side's
 * peer is mirrored (tc matchall + mirred) to a third pair whose box side is
 * the copy port.
 *
 * All set-up is rtnetlink (libmnl) and sysctl writes done from inside the
 * namespace; nothing here blocks on the network.
 */
#ifndef SSLVD_IPSNET_H
#define SSLVD_IPSNET_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define SSLVD_IPS_TABLE		0x5c1e	/* the private namespaces' local table */
#define SSLVD_IPS_PEER		"sslv-ips"
#define SSLVD_IPS_COPY_PEER	"sslv-copy"
#define SSLVD_IPS_DIRECT	"sslv-direct"	/* passive-inline: ns to ns */
#define SSLVD_IPS_DIRECT_MARK	1		/* SO_MARK: through sslv-direct */
#define SSLVD_IPS_DIRECT_TABLE	0x5c1f

enum { IPSNET_OUT, IPSNET_IN };

struct ipsnet_side {
	int ns;				/* the private namespace, or -1 */
	char name[IFNAMSIZ];		/* the box side's name (the operator's) */
	bool created;			/* the box side is ours: delete it */
	int peer_ifindex;		/* in the private namespace */
	uint8_t peer_mac[6];
	int pkt;			/* packet socket counting inbound RSTs */
};

struct ipsnet {
	int box;			/* the box's namespace */
	struct ipsnet_side side[2];
	char copy[IFNAMSIZ];		/* passive-inline: the copy port, or "" */
	bool copy_created, passive;
};

/* Opens the box's namespace: 0, or -errno (logged). */
int ipsnet_init(struct ipsnet *n);

/*
 * Creates the namespaces and the veth pairs named @out and @in (@copy
 * non-empty: passive-inline, the two namespaces joined directly and their
 * frames copied to @copy) and sets them up. A name that exists already is
 * not sslvd's: an error. 0, or -errno with the cause logged; whatever was
 * made is undone on failure.
 */
int ipsnet_up(struct ipsnet *n, const char *out, const char *in, const char *copy);

/* Deletes the veth pairs and closes the namespaces (their sockets first). */
void ipsnet_down(struct ipsnet *n);
void ipsnet_fini(struct ipsnet *n);

bool ipsnet_is_up(const struct ipsnet *n);

/*
 * A socket of @type made in the private namespace @side: its descriptor,
 * or -1 with errno. Back in the box's namespace either way.
 */
int ipsnet_socket(struct ipsnet *n, int side, int family, int type, int proto);

/* Whether the box side and the peer of @side are both up with carrier. */
bool ipsnet_link_ok(struct ipsnet *n, int side);

/*
 * One RST the packet socket of @side saw: its addresses (@src is the
 * sender). 1 when one was read, 0 when there is none, -errno.
 */
int ipsnet_rst_read(struct ipsnet *n, int side, struct sockaddr_storage *src,
		    struct sockaddr_storage *dst);

#endif /* SSLVD_IPSNET_H */
