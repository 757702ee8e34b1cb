/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sslvd's side of the netlink interface with sslv.ko (family "sslv"):
 * registration as the namespace's decrypt daemon, the module's decision for
 * an accepted connection, its upstream-invalid policy, and the report of a
 * session at its end. Each call is one request answered by the kernel at
 * once (no network wait), on the registered socket.
 */
#ifndef SSLVD_KERNEL_H
#define SSLVD_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/sslv.h>

#include "genl.h"
#include "ips.h"

/* The decrypt action (a local stand-in where the uapi has none yet). */
#ifdef SSLVD_HAVE_DECRYPT
#define SSLVD_ACT_DECRYPT	SSLV_ACT_DECRYPT
#else
#define SSLVD_ACT_DECRYPT	__SSLV_ACT_MAX
#endif

struct sslvd_kernel {
	struct genl g;		/* the registered socket: requests */
	struct genl ev;		/* the events group: rejects and drops */
	bool open, ev_open;
	/* SSLV_EV_IPS: the IPS was set or deleted */
	void (*ips_cb)(void *data, const struct sslvd_ips_conf *c);
	void *ips_data;
};

/*
 * Opens the family and registers as this namespace's decrypt daemon with
 * the transparent listener's @port and the @mark diverted frames carry.
 * SSLVD_OK, or (logged) SSLVD_EX_MODULE (no module, or one without the
 * decrypt interface), SSLVD_EX_BUSY (another sslvd serves this namespace),
 * SSLVD_EX_FAIL.
 */
int sslvd_kernel_register(struct sslvd_kernel *k, uint16_t port, uint32_t mark);
void sslvd_kernel_close(struct sslvd_kernel *k);

/*
 * The events socket (non-blocking), joined to the module's events group:
 * its descriptor, or -1 (logged). sslvd_kernel_events() reads what is
 * there and calls @cb for each flow the module rejected or dropped (its
 * hello never reaches sslvd then). -ENOBUFS when events were lost.
 */
int sslvd_kernel_events_open(struct sslvd_kernel *k);
int sslvd_kernel_events(struct sslvd_kernel *k,
			void (*cb)(void *data, const struct sockaddr_storage *cli,
				   const struct sockaddr_storage *srv, int action),
			void *data);

/* The module's action for a flow: enum sslv_action, or one of these. */
#define SSLVD_FLOW_UNKNOWN	-1	/* no such flow */
#define SSLVD_FLOW_UNDECIDED	-2	/* the module has not decided yet */

struct sslvd_flow {
	uint32_t id;
	int action;
	uint16_t vlan;
};

/*
 * The flow the accepted socket with client @cli and original destination
 * @srv is (the module calls the client the source): 0 with @f filled, or
 * -errno (logged once per kind).
 */
int sslvd_kernel_flow(struct sslvd_kernel *k, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, struct sslvd_flow *f);

/*
 * The policy for an upstream that failed verification, the module's
 * upstream-invalid: SSLV_ACT_REJECT, SSLV_ACT_CUT or this.
 */
#define SSLVD_INVALID_UNTRUSTED	100	/* forge with the untrusted CA */
int sslvd_kernel_upstream_invalid(struct sslvd_kernel *k);

/* Why a session ended. */
enum sslvd_close {
	SSLVD_CLOSE_DONE,		/* both directions ended cleanly */
	SSLVD_CLOSE_CLIENT,		/* the client reset or went away */
	SSLVD_CLOSE_SERVER,		/* the server reset or went away */
	SSLVD_CLOSE_UPSTREAM_REFUSED,	/* RST to the SYN */
	SSLVD_CLOSE_UPSTREAM_UNREACHABLE, /* ICMP or timeout */
	SSLVD_CLOSE_UPSTREAM_TLS,	/* upstream handshake failed */
	SSLVD_CLOSE_UPSTREAM_INVALID,	/* verification failed, policy reject */
	SSLVD_CLOSE_CLIENT_TLS,		/* client handshake failed */
	SSLVD_CLOSE_KTLS,		/* kTLS could not be installed */
	SSLVD_CLOSE_BAD_RECORD,		/* fatal alert, bad record, EBADMSG */
	SSLVD_CLOSE_KEYUPDATE,		/* a peer sent KeyUpdate */
	SSLVD_CLOSE_IDLE,		/* no progress within the window */
	SSLVD_CLOSE_ERROR,		/* a socket error */
	SSLVD_CLOSE_ACTION,		/* the module said reject or drop */
	SSLVD_CLOSE_NOT_TLS,		/* no ClientHello on a decrypted flow */
	SSLVD_CLOSE_RESOURCES,		/* out of memory, descriptors... */
	SSLVD_CLOSE_SHUTDOWN,		/* sslvd is exiting */
	SSLVD_CLOSE_REJECTED,		/* the module rejected the flow */
	SSLVD_CLOSE_IPS_DROP,		/* the IPS held bytes past the timeout */
	SSLVD_CLOSE_IPS_RESET,		/* the IPS reset the generated connection */
	__SSLVD_CLOSE_MAX
};

const char *sslvd_close_name(enum sslvd_close c);

struct sslvd_report {
	uint32_t flow_id;		/* 0: the module did not know it */
	uint16_t vlan;
	struct sockaddr_storage cli, srv;
	int action;			/* enum sslv_action the session ran */
	long verify;			/* X509_V_*, -1: no upstream handshake */
	bool verified, cache_hit;
	uint16_t version_wire, cipher_id, client_version;
	uint8_t sni_len, alpn_len;
	uint8_t sni[255], alpn[255];	/* as sent; the client's first ALPN name */
	bool ktls_up_tx, ktls_up_rx, ktls_cl_tx, ktls_cl_rx;
	uint64_t bytes_c2s, bytes_s2c;	/* plaintext (decrypt) or bytes (cut) */
	enum sslvd_close reason;
	int err;			/* errno behind ERROR / UNREACHABLE */
	const char *version, *cipher;	/* upstream leg, or NULL */
	char client[64], server[64];	/* "addr port" for the log line */
	uint32_t ips_rsts;		/* RSTs the IPS sent, counted on the wire */
	enum sslvd_ips_mode ips;	/* how the plaintext was inspected */
};

/*
 * Reports the end of a session the module decided to decrypt
 * (SSLV_CMD_DECRYPT_SESSION): the module counts it and emits the flow's
 * session event. The session line is logged here too.
 */
void sslvd_kernel_report(struct sslvd_kernel *k, const struct sslvd_report *r);

/*
 * The IPS as the module holds it (SSLV_CMD_IPS_GET): 0 with @c filled
 * (c->set false: none), or -errno (logged).
 */
int sslvd_kernel_ips_get(struct sslvd_kernel *k, struct sslvd_ips_conf *c);

/* The module's mode (enum sslv_mode), SSLV_MODE_ACTIVE_INLINE on failure. */
int sslvd_kernel_mode(struct sslvd_kernel *k);

/* Reports the IPS DOWN or UP (SSLV_CMD_IPS_STATE): 0 or -errno (logged). */
int sslvd_kernel_ips_state(struct sslvd_kernel *k, bool up);

#endif /* SSLVD_KERNEL_H */
