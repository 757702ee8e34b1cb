/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sslvd daemon: start-up (CAs, trust store, registration with sslv.ko,
 * the diversion's routing, the transparent listener), one epoll loop over
 * every session, and a clean exit on SIGTERM/SIGINT. See
 * Documentation/sslvd.md for the session states and the failure rules.
 */
#ifndef SSLVD_DAEMON_H
#define SSLVD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define SSLVD_PORT_DEFAULT		8443
#define SSLVD_MAX_SESSIONS_DEFAULT	4096
#define SSLVD_IDLE_DEFAULT		60	/* seconds */
#define SSLVD_QUIET_DEFAULT		3600	/* seconds */
#define SSLVD_CACHE_DEFAULT		1024	/* forged leaves */
#define SSLVD_MARK_DEFAULT		0x5c1d	/* the module's divert mark */
#define SSLVD_TABLE_DEFAULT		0x5c1d

struct sslvd_conf {
	const char *ca_cert, *ca_key, *un_cert, *un_key, *trust_store;
	uint16_t port;
	bool foreground;
	bool no_module;		/* testing: no sslv.ko, every connection decrypted */
	unsigned int max_sessions;
	unsigned int idle_s;	/* no handshake step, or bytes that do not move */
	unsigned int quiet_s;	/* a relay on which nobody sends anything */
	unsigned int cache_size;
	uint32_t mark, table;
	/* testing without the module: the IPS's interfaces (ips.h) */
	const char *ips_out, *ips_in, *ips_copy;
	unsigned int ips_timeout_ms;
	int ips_mode;		/* enum sslv_mode */
	const char *ips_meta;	/* a file or unix datagram socket (meta.h) */
};

/* Runs the daemon until SIGTERM/SIGINT; returns the exit status (log.h). */
int sslvd_main(const struct sslvd_conf *conf);

/* An IPv4-mapped IPv6 address (a dual-stack listener's) as IPv4; others unchanged. */
void sslvd_addr_unmap(struct sockaddr_storage *ss);

#endif /* SSLVD_DAEMON_H */
