/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attached IPS: each decrypted flow's plaintext carried as a generated
 * TCP connection with the flow's own addresses and ports, out of the `out`
 * interface and back in at `in` (ipsnet.h draws the network), so that an
 * inline IPS between them sees a plain TCP connection between the real
 * client and server, and can pass, drop or reset it:
 *
 *   client =kTLS= sslvd --gen client socket--> OUT ~IPS~ IN --accepted--> sslvd =kTLS= server
 *
 * Two relays per flow: (client leg <-> generated client socket) and
 * (accepted generated server socket <-> upstream leg). FIN travels through.
 *
 * Feedback: per direction, bytes written into the IPS side against bytes
 * read out of the other side (a FIN counts as one). When out < in, the
 * reader of the far side waits for data (it is not itself held back by the
 * real end) and out has not advanced for the feedback timeout, the flow
 * ends with ips-drop; a generated SYN not accepted within the timeout too.
 * An RST on a generated socket ends it with ips-reset. The RSTs the IPS
 * sent are counted on the wire by a packet socket in each private
 * namespace (ipsnet.c) and reported with the flow.
 *
 * One listener per server port in use in the in-side namespace, counted
 * by the flows that use it; an accepted socket is paired with its flow by
 * its 4-tuple.
 */
#ifndef SSLVD_IPS_H
#define SSLVD_IPS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ipsnet.h"
#include "relay.h"

#define SSLVD_IPS_TIMEOUT_DEFAULT	1000	/* ms */

/* How a flow's plaintext is inspected (the report's SSLV_SESS_IPS). */
enum sslvd_ips_mode {
	SSLVD_IPS_NONE,
	SSLVD_IPS_ACTIVE,
	SSLVD_IPS_PASSIVE,
};

/* The IPS as the module holds it (IPS_GET, SSLV_EV_IPS). */
struct sslvd_ips_conf {
	bool set;
	char out[IFNAMSIZ], in[IFNAMSIZ], copy[IFNAMSIZ];
	uint32_t timeout_ms;
};

/* What the epoll loop's data.ptr names for the IPS's own descriptors. */
#define SSLVD_IPS_LEG	100
struct sslvd_ips_ref {
	void *obj;
	int leg;		/* SSLVD_IPS_LEG + what */
};

struct sslvd_ips_listener {
	struct sslvd_ips_ref ref;
	struct sslvd_ips_listener *next;
	int fd;
	uint16_t port;
	uint32_t mark;
	unsigned int users;
};

struct sslvd_ips;

/* The daemon's side: pairs accepted sockets and RSTs with flows. */
struct sslvd_ips_ops {
	/* an accepted generated connection: take @fd, or it is reset */
	bool (*accepted)(void *data, int fd, const struct sockaddr_storage *cli,
			 const struct sockaddr_storage *srv);
	/* an RST the IPS sent, seen at @side's peer, @src its sender */
	void (*rst)(void *data, const struct sockaddr_storage *src,
		    const struct sockaddr_storage *dst);
	void *data;
};

struct sslvd_ips {
	struct sslvd_ips_conf conf;
	struct ipsnet net;
	int ep;
	struct sslvd_ips_ops ops;
	struct sslvd_ips_listener *listeners;
	struct sslvd_ips_listener *dead;	/* closed, freed after the batch */
	struct sslvd_ips_ref pkt_ref[2];
	unsigned int flows;		/* generated connections open */
	bool ready;			/* namespaces and veths up */
	/* health (sslvd_ips_health) */
	bool up;			/* as last reported to the module */
	bool unknown;			/* not reported yet: the first probe says */
	bool changed;			/* a probe got through: UP to report */
	int down_link;			/* 1 + the side whose link is down (logged), or 0 */
	int probe_fd;			/* the probe's client socket, or -1 */
	struct sslvd_ips_listener *probe_l;
	uint64_t probe_start_ns, next_probe_ns, next_link_ns;
};

/* A flow's generated connection. */
struct sslvd_ips_conn {
	int fd[2];			/* 0: client side (out netns), 1: accepted (in) */
	struct sslvd_relay r[2];	/* r[0]: client leg <-> fd[0]; r[1]: fd[1] <-> upstream */
	bool relaying;
	bool done[2];			/* r[i] ended cleanly */
	struct sslvd_ips_listener *l;
	uint64_t start_ns;
	uint64_t since[2];		/* per direction: the feedback clock's start */
	uint64_t last_out[2], last_in[2];
	uint32_t rsts;			/* RSTs from the IPS, counted on the wire */
	uint64_t reset_ns;		/* the IPS reset it: the session ends then */
	enum sslvd_ips_mode mode;
};

int sslvd_ips_init(struct sslvd_ips *ips, int ep, const struct sslvd_ips_ops *ops);
void sslvd_ips_fini(struct sslvd_ips *ips);

/*
 * Applies the module's IPS configuration: creates, replaces or deletes the
 * namespaces and veths. The caller has ended the flows carried by the old
 * ones. 0, or -errno (logged; the IPS is not ready).
 */
int sslvd_ips_apply(struct sslvd_ips *ips, const struct sslvd_ips_conf *c);
bool sslvd_ips_same(const struct sslvd_ips *ips, const struct sslvd_ips_conf *c);

/*
 * Health. A generated SYN that timed out may be one flow's SYN an IPS rule
 * dropped, so it only makes sslvd probe: a generated connection of its own
 * (169.254.0.2 -> 169.254.0.3 port 9) that no sane rule drops. A probe not
 * accepted within the feedback timeout, or a link of the veths down: DOWN;
 * while DOWN a probe every second; UP when one gets through.
 */
#define SSLVD_IPS_PROBE_SRC	"169.254.0.2"
#define SSLVD_IPS_PROBE_DST	"169.254.0.3"
#define SSLVD_IPS_PROBE_PORT	9

void sslvd_ips_suspect(struct sslvd_ips *ips);

/*
 * Called from the loop's timer: 1 when the IPS went UP, 0 when it went
 * DOWN (to report to the module), -1 when nothing changed.
 */
int sslvd_ips_health(struct sslvd_ips *ips, uint64_t now);

/* An event on one of the IPS's own descriptors (listeners, RST counters). */
void sslvd_ips_event(struct sslvd_ips *ips, struct sslvd_ips_ref *ref);

/* Frees the listeners closed during the loop's last batch of events. */
void sslvd_ips_reap(struct sslvd_ips *ips);

/* Reads every RST queued on the counters (before a report). */
void sslvd_ips_rst_drain(struct sslvd_ips *ips);

/*
 * Opens the generated connection of the flow @cli -> @srv: the client-side
 * socket (transparent, bound to @cli) connecting to @srv in the out-side
 * namespace, and a listener on @srv's port in the in-side one; @passive:
 * through the namespaces' direct link, copied to the copy port. Its fd[0],
 * or -errno (logged).
 */
int sslvd_ips_conn_open(struct sslvd_ips *ips, struct sslvd_ips_conn *c,
			const struct sockaddr_storage *cli,
			const struct sockaddr_storage *srv, bool passive, const char *what);

/* Both relays, from the two real legs and the two generated sockets. */
int sslvd_ips_conn_relay(struct sslvd_ips_conn *c, int client, int upstream);

/*
 * Whether the IPS held bytes (or a FIN) of either direction for longer
 * than the timeout at @now; @dir says which.
 */
bool sslvd_ips_conn_held(struct sslvd_ips *ips, struct sslvd_ips_conn *c, uint64_t now,
			 int *dir);

/* Frees the relays and drops the listener; the sockets are the caller's. */
void sslvd_ips_conn_close(struct sslvd_ips *ips, struct sslvd_ips_conn *c);

#endif /* SSLVD_IPS_H */
