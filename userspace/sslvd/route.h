/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The routing the diversion needs in sslvd's network namespace, set up at
 * start and removed at exit, through rtnetlink (libmnl), for IPv4 and IPv6:
 *
 *   ip rule add fwmark MARK lookup TABLE priority PRIO
 *   ip route add local 0.0.0.0/0 dev lo table TABLE
 *   ip route add local ::/0 dev lo table TABLE
 *
 * so that a diverted packet (the module marks it) is delivered locally, to
 * sslvd's transparent sockets, whatever its destination address.
 */
#ifndef SSLVD_ROUTE_H
#define SSLVD_ROUTE_H

#include <stdint.h>

struct mnl_socket;

#define SSLVD_BRIDGES	16
#define SSLVD_SYSCTLS	(3 * SSLVD_BRIDGES + 1)

/* A sysctl sslvd changed, and the value it had. */
struct sslvd_sysctl {
	char path[112];
	char old[16];
};

struct sslvd_route {
	uint32_t mark, table, prio;
	uint32_t out_mark, out_table;	/* 0: no way out (no module) */
	int installed;		/* bits: what to remove at exit */
	unsigned int nbridges;
	unsigned int bridge[SSLVD_BRIDGES];	/* ifindex; the first is the way out */
	char bridge_name[SSLVD_BRIDGES][16];
	unsigned int nsaved;
	struct sslvd_sysctl saved[SSLVD_SYSCTLS];
	struct mnl_socket *watch;	/* link events, sslvd_route_watch() */
};

/*
 * With @out_mark (the daemon under the module), also the way out for
 * sslvd's own sockets, which carry OUT_MARK (SO_MARK), and what diverted
 * frames need of the namespace's settings:
 *
 *   ip rule add fwmark OUT_MARK lookup OUT_TABLE priority PRIO
 *   ip route add default dev BRIDGE table OUT_TABLE       (and IPv6)
 *   net.ipv4.conf.BRIDGE.rp_filter = 0                     (every bridge)
 *   net.ipv6.conf.BRIDGE.addr_gen_mode = 1 (none), .disable_ipv6 = 0
 *   net.ipv6.conf.lo.disable_ipv6 = 0
 *
 * BRIDGE being the namespace's first bridge (the module sends each packet
 * through the bridge of the flow's own port). A sysctl already so is left
 * alone; those changed get their old value back at exit.
 * net.ipv4.conf.all.rp_filter not 0 is refused (it would win over the
 * bridges'), and so is a namespace without a bridge.
 *
 * Installs the rules and routes. A rule or route already there (left by an
 * sslvd that was killed) is taken over. 0, or -errno with what failed
 * logged; whatever was installed is removed again on failure.
 */
int sslvd_route_up(struct sslvd_route *r);

/*
 * Bridges created after sslvd_route_up() need the same settings, and the
 * way out must not go with its bridge. sslvd_route_watch() opens a
 * socket for the namespace's link events (RTMGRP_LINK) and returns its
 * fd (non-blocking), or -errno. When it is readable, sslvd_route_links()
 * drains it and lists the bridges again (so a lost event loses nothing):
 * a new bridge gets the settings above, whose old values are restored at
 * exit; a bridge that is gone is forgotten; if the way out's bridge went
 * (the kernel removes its routes with it), the way out moves to another
 * bridge, or to the next one created. All of it is logged.
 */
int sslvd_route_watch(struct sslvd_route *r);
void sslvd_route_links(struct sslvd_route *r);

/*
 * Removes what sslvd_route_up installed and sets the sysctls it changed
 * back; failures are logged.
 */
void sslvd_route_down(struct sslvd_route *r);

#endif /* SSLVD_ROUTE_H */
