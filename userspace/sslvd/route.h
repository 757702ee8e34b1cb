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

struct sslvd_route {
	uint32_t mark, table, prio;
	int installed;		/* bits: what to remove at exit */
};

/*
 * Installs the rules and routes. A rule or route already there (left by an
 * sslvd that was killed) is taken over. 0, or -errno with what failed
 * logged; whatever was installed is removed again on failure.
 */
int sslvd_route_up(struct sslvd_route *r);

/* Removes what sslvd_route_up installed; failures are logged. */
void sslvd_route_down(struct sslvd_route *r);

#endif /* SSLVD_ROUTE_H */
