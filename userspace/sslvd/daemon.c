// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon: start-up, the epoll loop and the session state machine, see
 * daemon.h and Documentation/sslvd.md.
 *
 * Every socket is non-blocking and every step of a session runs from the
 * loop: a session waits for exactly the events its state needs on its two
 * sockets (level-triggered), and a step moves it as far as it can go. A
 * session that ends is unlinked at once and freed after the batch of
 * events that may still name it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cache.h"
#include "client.h"
#include "daemon.h"
#include "forge.h"
#include "ips.h"
#include "kernel.h"
#include "ktls.h"
#include "log.h"
#include "meta.h"
#include "relay.h"
#include "route.h"
#include "upstream.h"

#define VERDICT_RETRY_NS	(20 * 1000000ULL)
#define VERDICT_TRIES	50	/* 1 s for the module to have decided */
#define ACCEPT_BATCH	64
#define FDS_PER_SESSION	12	/* four sockets, four pipes (through the IPS) */
#define LOG_EVERY_NS	(1000 * 1000000ULL)

enum sstate {
	S_HELLO,	/* peeking until the whole ClientHello is there */
	S_VERDICT,	/* asking the module what to do with the flow */
	S_CONNECT,	/* the transparent upstream connect is in progress */
	S_UP_HS,	/* TLS handshake with the server */
	S_CL_HS,	/* TLS handshake with the client */
	S_GEN,		/* the generated connection through the IPS opens */
	S_RELAY,	/* plaintext over kTLS (decrypt) or bytes (cut) */
	S_DEAD,		/* ended, freed after the current batch */
};

static const char *const state_names[] = {
	"hello", "verdict", "connect", "upstream-handshake", "client-handshake",
	"generated-connect", "relay", "dead",
};

enum step { STEP_WAIT, STEP_NEXT, STEP_END };

struct daemon;

struct epref {
	struct session *s;	/* NULL: the listener or the signalfd */
	int leg;
};

struct session {
	struct session *prev, *next;
	struct daemon *d;
	struct epref ref[4];
	int fd[4];			/* 0: the client, 1: upstream, 2 and 3: the
					 * generated connection's client and server
					 * sockets (ips.h) */
	uint32_t ev[4];			/* the events epoll waits for */
	enum sstate st;
	int action;			/* enum sslv_action, SSLVD_ACT_DECRYPT */
	bool report;			/* the module decided decrypt: report the end */
	bool tls;			/* the client opened with a ClientHello */
	uint32_t peeked;		/* S_HELLO: bytes the last peek saw */
	uint32_t hello_len;		/* the bytes in hello once it was whole */
	int tries;
	uint64_t wake_ns;		/* S_VERDICT: when to ask again */
	uint64_t deadline_ns;		/* handshake states: give up */
	uint64_t pending_check_ns;	/* relaying: next look for bytes waiting */
	struct sockaddr_storage cli, srv;
	uint8_t *hello, *alpn_buf;
	struct sslv_tls_client h;
	struct sslv_tls_alpn_wire alpn;
	SSL *up, *cl;
	const struct sslvd_ca *ca;
	struct sslvd_relay *relay;
	struct sslvd_ips_conn *ipsc;	/* carried through the IPS */
	struct sslvd_report rep;
};

struct daemon {
	const struct sslvd_conf *conf;
	int ep, lfd, sfd, efd;
	struct epref lref, sref, eref, rref;
	struct sslvd_kernel k;
	struct sslvd_route route;
	struct sslvd_ips ips;
	bool ips_init;
	struct sslvd_meta meta;		/* --ips-meta */
	struct sslvd_ca box, untrusted;
	bool have_untrusted;
	EVP_PKEY *leaf_key;
	struct sslvd_cache *cache;
	SSL_CTX *up_ctx, *cl_ctx;
	struct session *head, *dead;
	unsigned int nsessions, max_sessions;
	uint64_t idle_ns, quiet_ns;
	uint64_t refused, refused_logged_ns;
	uint64_t listen_off_ns;		/* accept paused until then (EMFILE) */
	bool stop;
};

static void addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned int port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", a, port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", a, port);
	}
}

/* An IPv4-mapped IPv6 address (the dual-stack listener's) as IPv4. */
void sslvd_addr_unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (void *)ss;
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	s4.sin_port = s6->sin6_port;
	memcpy(&s4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &s4, sizeof(s4));
}

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static void set_events(struct session *s, int leg, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = &s->ref[leg] };

	if (s->fd[leg] < 0 || s->ev[leg] == ev)
		return;
	if (epoll_ctl(s->d->ep, EPOLL_CTL_MOD, s->fd[leg], &e) < 0)
		sslvd_log("epoll: %s", strerror(errno));
	s->ev[leg] = ev;
}

static int add_fd(struct session *s, int leg, int fd)
{
	struct epoll_event e = { .events = 0, .data.ptr = &s->ref[leg] };

	s->ref[leg].s = s;
	s->ref[leg].leg = leg;
	if (epoll_ctl(s->d->ep, EPOLL_CTL_ADD, fd, &e) < 0)
		return -1;
	s->fd[leg] = fd;
	s->ev[leg] = 0;
	return 0;
}

/*
 * SO_LINGER 0 (@on) or the default. Every session socket has it from the
 * start, so that the kernel resets both ends of each flow sslvd held when
 * sslvd dies (a close at exit would send FIN and leave the other leg
 * open); only a session that ends cleanly clears it before its close.
 */
static void linger0(int fd, bool on)
{
	struct linger l = { .l_onoff = on, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Closes with an RST (SO_LINGER 0): the peer learns at once it is over. */
static void abort_fd(int fd)
{
	linger0(fd, true);
	close(fd);
}

static int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

static void ips_end(struct session *s);

/*
 * A session that ends before sslvd learnt the module's decision (the client
 * reset or left while sslvd peeked its hello or asked): if the module had
 * decided decrypt, it logs nothing of its own and waits for the report.
 */
static void decision_late(struct session *s, enum sslvd_close reason)
{
	struct daemon *d = s->d;
	struct sslvd_flow f;

	if (s->report || d->conf->no_module || reason == SSLVD_CLOSE_ACTION ||
	    (s->st != S_HELLO && s->st != S_VERDICT) ||
	    sslvd_kernel_flow(&d->k, &s->cli, &s->srv, &f) < 0 ||
	    f.action != SSLVD_ACT_DECRYPT)
		return;
	s->rep.flow_id = f.id;
	s->rep.vlan = f.vlan;
	s->rep.action = f.action;
	s->report = true;
}

/*
 * Ends a session: with RSTs on both sockets when @abort, else closed (the
 * relay has already sent close_notify and FIN both ways); reported to the
 * module when it decrypted or cut the flow.
 */
static enum step session_end(struct session *s, enum sslvd_close reason, int err,
			     bool abort)
{
	struct daemon *d = s->d;
	bool reported = false;
	int i;

	decision_late(s, reason);
	s->rep.reason = reason;
	s->rep.err = err;
	if (s->ipsc)
		ips_end(s);
	if (s->relay) {
		s->rep.bytes_c2s = s->relay->dir[0].bytes;
		s->rep.bytes_s2c = s->relay->dir[1].bytes;
		sslvd_relay_fini(s->relay);
		free(s->relay);
		s->relay = NULL;
	}
	if (s->report && (reason == SSLVD_CLOSE_IPS_DROP || reason == SSLVD_CLOSE_IPS_RESET ||
			  reason == SSLVD_CLOSE_UPSTREAM_INVALID)) {
		/*
		 * The module marks the flow before the RSTs below leave, and
		 * counts them as the IPS's or the policy's (SSLV_CMD_DECRYPT_SESSION
		 * in the uapi header).
		 */
		sslvd_kernel_report(&d->k, &s->rep);
		s->report = false;
		reported = true;
	}
	for (i = 0; i < 4; i++) {
		if (s->fd[i] < 0)
			continue;
		epoll_ctl(d->ep, EPOLL_CTL_DEL, s->fd[i], NULL);
		if (abort) {
			abort_fd(s->fd[i]);
		} else {
			linger0(s->fd[i], false);
			close(s->fd[i]);
		}
		s->fd[i] = -1;
	}
	SSL_free(s->cl);
	SSL_free(s->up);
	s->cl = s->up = NULL;
	free(s->hello);
	free(s->alpn_buf);
	s->hello = s->alpn_buf = NULL;
	if (s->report)
		sslvd_kernel_report(&d->k, &s->rep);
	else if (reason != SSLVD_CLOSE_DONE && !reported)
		sslvd_log("connection %s -> %s ended in state %s: %s%s%s", s->rep.client,
			  s->rep.server, state_names[s->st], sslvd_close_name(reason),
			  err ? ": " : "", err ? strerror(err) : "");
	if (s->prev)
		s->prev->next = s->next;
	else
		d->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->st = S_DEAD;
	s->next = d->dead;
	d->dead = s;
	d->nsessions--;
	return STEP_END;
}

/* Whether the peer has closed its side (FIN received). */
static bool client_gone(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return true;
	return ti.tcpi_state != TCP_ESTABLISHED;
}

static enum step st_hello(struct session *s)
{
	enum sslv_tls_res res;
	ssize_t n;
	int lowat;

	n = recv(s->fd[0], s->hello, SSLVD_HELLO_CAP, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		set_events(s, 0, EPOLLIN);
		return STEP_WAIT;
	}
	if (n <= 0)
		return session_end(s, SSLVD_CLOSE_CLIENT, n < 0 ? errno : 0, true);
	s->alpn.len = 0;
	s->alpn.cut = false;
	res = sslv_tls_parse_client_alpn(s->hello, (u32)n, &s->h, &s->alpn);
	if (res == SSLV_TLS_MORE && n < SSLVD_HELLO_CAP) {
		/* woken with nothing new: a FIN (or RST) ended the hello */
		if ((uint32_t)n == s->peeked && client_gone(s->fd[0]))
			return session_end(s, SSLVD_CLOSE_CLIENT, 0, true);
		s->peeked = (uint32_t)n;
		/* readable again only once more than these bytes are there */
		lowat = (int)n + 1;
		setsockopt(s->fd[0], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
		set_events(s, 0, EPOLLIN);
		return STEP_WAIT;
	}
	lowat = 1;
	setsockopt(s->fd[0], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
	s->tls = res == SSLV_TLS_DONE;
	s->hello_len = (uint32_t)n;
	set_events(s, 0, 0);
	s->st = S_VERDICT;
	s->tries = 0;
	return STEP_NEXT;
}

static enum step connect_failed(struct session *s, int err)
{
	char srv[64];

	addr_str(&s->srv, srv, sizeof(srv));
	return session_end(s, err == ECONNREFUSED ? SSLVD_CLOSE_UPSTREAM_REFUSED :
			   SSLVD_CLOSE_UPSTREAM_UNREACHABLE, err, true);
}

/* The upstream socket: the client's address and port, to the original destination. */
static enum step connect_start(struct session *s)
{
	int family = s->srv.ss_family, one = 1, fd;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return session_end(s, SSLVD_CLOSE_RESOURCES, errno, true);
	linger0(fd, true);
	if ((family == AF_INET ?
	     setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) :
	     setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one))) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (s->d->route.out_mark &&
	     setsockopt(fd, SOL_SOCKET, SO_MARK, &s->d->route.out_mark,
			sizeof(s->d->route.out_mark)) < 0) ||
	    bind(fd, (struct sockaddr *)&s->cli, addr_len(&s->cli)) < 0) {
		int err = errno;

		close(fd);
		sslvd_log("upstream socket for %s: %s", s->rep.client, strerror(err));
		return session_end(s, SSLVD_CLOSE_ERROR, err, true);
	}
	if (add_fd(s, 1, fd) < 0) {
		close(fd);
		return session_end(s, SSLVD_CLOSE_RESOURCES, errno, true);
	}
	s->st = S_CONNECT;
	if (connect(fd, (struct sockaddr *)&s->srv, addr_len(&s->srv)) == 0)
		return STEP_NEXT;
	if (errno != EINPROGRESS)
		return connect_failed(s, errno);
	set_events(s, 1, EPOLLOUT);
	return STEP_WAIT;
}

static enum step st_verdict(struct session *s)
{
	struct daemon *d = s->d;
	struct sslvd_flow f = { .action = SSLVD_ACT_DECRYPT };

	if (!d->conf->no_module) {
		if (sslvd_kernel_flow(&d->k, &s->cli, &s->srv, &f) < 0)
			return session_end(s, SSLVD_CLOSE_ERROR, EPROTO, true);
		if (f.action < 0) {
			if (++s->tries >= VERDICT_TRIES) {
				sslvd_log("%s -> %s: the module %s", s->rep.client, s->rep.server,
					  f.action == SSLVD_FLOW_UNKNOWN ? "has no such flow" :
					  "did not decide");
				return session_end(s, SSLVD_CLOSE_ACTION, 0, true);
			}
			s->wake_ns = sslvd_now_ns() + VERDICT_RETRY_NS;
			return STEP_WAIT;
		}
	}
	s->action = f.action;
	s->rep.flow_id = f.id;
	s->rep.vlan = f.vlan;
	s->rep.action = f.action;
	s->report = f.action == SSLVD_ACT_DECRYPT;
	if (s->tls) {
		s->rep.client_version = s->h.max_version;
		s->rep.sni_len = s->h.sni_len;
		memcpy(s->rep.sni, s->h.sni, s->h.sni_len);
		if (s->h.n_alpn) {
			s->rep.alpn_len = s->h.alpn[0].len;
			memcpy(s->rep.alpn, s->h.alpn[0].name, s->h.alpn[0].len);
		}
	}
	if (f.action == SSLVD_ACT_DECRYPT && !s->tls)
		return session_end(s, SSLVD_CLOSE_NOT_TLS, 0, true);
	if (f.action != SSLVD_ACT_DECRYPT && f.action != SSLV_ACT_CUT)
		return session_end(s, SSLVD_CLOSE_ACTION, 0, true);
	return connect_start(s);
}

static enum step relay_start(struct session *s, bool plain);
static void session_step(struct session *s);

/* ---- the generated connection through the IPS (ips.h) ---------------- */

/*
 * An IPS that resets a connection sends its RSTs in a burst (Suricata's
 * rejectboth: one each way), and the first one ends the generated
 * connection: the session waits this long, its sockets out of the loop,
 * so that the count the module adds to T_ssl_ips_reject has them all.
 */
#define IPS_RST_GRACE_NS	(100 * 1000000ULL)

/* Reset by the IPS, waiting for the rest of its RSTs (gen_fail). */
static bool ips_resetting(const struct session *s)
{
	return s->ipsc && s->ipsc->reset_ns;
}

static enum step gen_fail(struct session *s, int err)
{
	int i;

	if (err != ECONNREFUSED && err != ECONNRESET)
		return session_end(s, SSLVD_CLOSE_ERROR, err, true);
	if (!ips_resetting(s)) {
		for (i = 0; i < 4; i++) {
			if (s->fd[i] >= 0)
				epoll_ctl(s->d->ep, EPOLL_CTL_DEL, s->fd[i], NULL);
			s->ev[i] = 0;
		}
		s->ipsc->reset_ns = sslvd_now_ns() + IPS_RST_GRACE_NS;
		s->rep.err = err;
	}
	return STEP_WAIT;
}

/* The generated connection's metadata line (meta.h), before its first byte. */
static void gen_meta(struct session *s)
{
	struct sslvd_meta_conn m = {
		.flow_id = s->rep.flow_id, .cli = &s->cli, .srv = &s->srv,
		.sni = s->rep.sni, .sni_len = s->rep.sni_len,
		.alpn = s->rep.alpn, .alpn_len = s->rep.alpn_len,
		.version = s->rep.version, .cipher = s->rep.cipher,
		.hello = s->hello, .hello_len = s->hello_len,
		.verify = s->rep.verify, .verified = s->rep.verified,
	};

	if (s->d->meta.fd < 0)
		return;
	m.cert = s->up ? SSL_get1_peer_certificate(s->up) : NULL;
	sslvd_meta_write(&s->d->meta, &m);
	X509_free(m.cert);
}

/*
 * Both legs are on kTLS: open the generated connection; the relays start
 * once the in side has accepted it (gen_accepted).
 */
static enum step gen_start(struct session *s)
{
	struct daemon *d = s->d;
	int mode = d->conf->no_module ? d->conf->ips_mode : sslvd_kernel_mode(&d->k);
	char what[160];
	bool passive;
	int fd;

	snprintf(what, sizeof(what), "%s -> %s", s->rep.client, s->rep.server);
	passive = mode == SSLV_MODE_PASSIVE_INLINE;
	/* passive-inline without a copy port, passive-tap: nothing to carry */
	if (!passive && mode != SSLV_MODE_ACTIVE_INLINE)
		return relay_start(s, false);
	if (passive && !d->ips.conf.copy[0])
		return relay_start(s, false);
	s->ipsc = calloc(1, sizeof(*s->ipsc));
	if (!s->ipsc)
		return session_end(s, SSLVD_CLOSE_RESOURCES, ENOMEM, true);
	fd = sslvd_ips_conn_open(&d->ips, s->ipsc, &s->cli, &s->srv, passive, what);
	if (fd < 0) {
		free(s->ipsc);
		s->ipsc = NULL;
		return session_end(s, SSLVD_CLOSE_ERROR, -fd, true);
	}
	s->rep.ips = passive ? SSLVD_IPS_PASSIVE : SSLVD_IPS_ACTIVE;
	gen_meta(s);
	if (add_fd(s, 2, fd) < 0) {
		close(fd);
		s->ipsc->fd[0] = -1;
		return session_end(s, SSLVD_CLOSE_RESOURCES, errno, true);
	}
	s->ipsc->fd[0] = -1;	/* the session's fd[2] now */
	/* the legs wait for the relays: the client's request stays queued */
	set_events(s, 0, 0);
	set_events(s, 1, 0);
	s->st = S_GEN;
	return STEP_WAIT;
}

/* The in side accepted a generated connection: its flow's relays start. */
static bool gen_accepted(void *data, int fd, const struct sockaddr_storage *cli,
			 const struct sockaddr_storage *srv)
{
	struct daemon *d = data;
	struct session *s;

	for (s = d->head; s; s = s->next) {
		if (s->st != S_GEN || memcmp(&s->cli, cli, addr_len(cli)) ||
		    memcmp(&s->srv, srv, addr_len(srv)))
			continue;
		if (add_fd(s, 3, fd) < 0) {
			session_end(s, SSLVD_CLOSE_RESOURCES, errno, true);
			return false;
		}
		s->ipsc->fd[0] = s->fd[2];
		s->ipsc->fd[1] = fd;
		if (sslvd_ips_conn_relay(s->ipsc, s->fd[0], s->fd[1]) < 0) {
			s->ipsc->fd[0] = s->ipsc->fd[1] = -1;
			session_end(s, SSLVD_CLOSE_RESOURCES, errno, true);
			return true;	/* the session closed it */
		}
		free(s->hello);
		free(s->alpn_buf);
		s->hello = s->alpn_buf = NULL;
		s->st = S_RELAY;
		session_step(s);
		return true;
	}
	sslvd_log("ips: a generated connection no flow waits for: reset");
	return false;
}

/* An RST the IPS sent on a generated connection, seen on the wire. */
static void gen_rst(void *data, const struct sockaddr_storage *src,
		    const struct sockaddr_storage *dst)
{
	struct daemon *d = data;
	struct session *s;

	for (s = d->head; s; s = s->next) {
		if (!s->ipsc)
			continue;
		if ((!memcmp(&s->cli, src, addr_len(src)) && !memcmp(&s->srv, dst, addr_len(dst))) ||
		    (!memcmp(&s->srv, src, addr_len(src)) && !memcmp(&s->cli, dst, addr_len(dst)))) {
			s->ipsc->rsts++;
			s->rep.ips_rsts = s->ipsc->rsts;
			return;
		}
	}
}

/* Before the report: the RSTs on the wire counted, the relays' bytes taken. */
static void ips_end(struct session *s)
{
	struct sslvd_ips_conn *c = s->ipsc;

	sslvd_ips_rst_drain(&s->d->ips);
	s->rep.ips_rsts = c->rsts;
	if (c->relaying) {
		/* what reached the other real end */
		s->rep.bytes_c2s = c->r[1].dir[0].bytes;
		s->rep.bytes_s2c = c->r[0].dir[1].bytes;
	}
	if (s->rep.reason == SSLVD_CLOSE_IPS_DROP || s->rep.reason == SSLVD_CLOSE_IPS_RESET)
		sslvd_log("%s -> %s: %s: %s (%u RST%s from the IPS)", s->rep.client,
			  s->rep.server, sslvd_close_name(s->rep.reason),
			  s->rep.reason == SSLVD_CLOSE_IPS_RESET ?
			  "the IPS reset the generated connection" :
			  "the IPS did not pass the data within the feedback timeout",
			  c->rsts, c->rsts == 1 ? "" : "s");
	sslvd_ips_conn_close(&s->d->ips, c);
	free(c);
	s->ipsc = NULL;
}

/* An error or hang-up on a generated socket (leg 2 or 3). */
static void ips_sock_event(struct session *s, int leg)
{
	int err = sock_error(s->fd[leg]);

	if (err)
		gen_fail(s, err);
}

static uint64_t relay_progress(struct session *s)
{
	if (s->ipsc && s->ipsc->relaying)
		return s->ipsc->r[0].progress_ns > s->ipsc->r[1].progress_ns ?
		       s->ipsc->r[0].progress_ns : s->ipsc->r[1].progress_ns;
	return s->relay->progress_ns;
}

static bool relay_pending(struct session *s)
{
	if (s->ipsc && s->ipsc->relaying)
		return sslvd_relay_pending(&s->ipsc->r[0]) ||
		       sslvd_relay_pending(&s->ipsc->r[1]);
	return sslvd_relay_pending(s->relay);
}

/*
 * A relaying session's window: bytes that wait and do not move for
 * --idle-timeout (a peer that stopped reading, or went away) end it, and
 * so does nothing sent either way for --quiet-timeout (a keep-alive
 * connection may rest for minutes). True when the session ended.
 */
static bool relay_tick(struct session *s, uint64_t now)
{
	const struct daemon *d = s->d;
	uint64_t quiet = now - relay_progress(s);

	if (quiet >= d->quiet_ns) {
		sslvd_log("%s -> %s: nothing sent for %llu s", s->rep.client, s->rep.server,
			  (unsigned long long)(d->quiet_ns / 1000000000ULL));
	} else if (quiet >= d->idle_ns && now >= s->pending_check_ns) {
		/* at most once a second: two ioctls */
		s->pending_check_ns = now + 1000000000ULL;
		if (!relay_pending(s))
			return false;
		sslvd_log("%s -> %s: no progress in %llu s with bytes waiting",
			  s->rep.client, s->rep.server,
			  (unsigned long long)(d->idle_ns / 1000000000ULL));
	} else {
		return false;
	}
	session_end(s, SSLVD_CLOSE_IDLE, 0, true);
	return true;
}

/* The feedback timeout: true when the session ended. */
static bool ips_tick(struct session *s, uint64_t now)
{
	int dir = 0;

	if (ips_resetting(s)) {
		if (now < s->ipsc->reset_ns)
			return false;
		session_end(s, SSLVD_CLOSE_IPS_RESET, s->rep.err, true);
		return true;
	}
	if (!sslvd_ips_conn_held(&s->d->ips, s->ipsc, now, &dir))
		return false;
	if (s->st == S_GEN) {
		sslvd_log("%s -> %s: the generated SYN was not accepted within %u ms",
			  s->rep.client, s->rep.server, s->d->ips.conf.timeout_ms);
		sslvd_ips_suspect(&s->d->ips);
	} else
		sslvd_log("%s -> %s: %s bytes held by the IPS for %u ms", s->rep.client,
			  s->rep.server, dir ? "server-to-client" : "client-to-server",
			  s->d->ips.conf.timeout_ms);
	session_end(s, SSLVD_CLOSE_IPS_DROP, 0, true);
	return true;
}

static enum step relay_result(struct session *s, struct sslvd_relay *r,
				enum sslvd_relay_res res, int gen_fd);

static enum step st_ips_relay(struct session *s)
{
	struct sslvd_ips_conn *c = s->ipsc;
	enum sslvd_relay_res res[2];
	enum step st;
	int i, dir;

	for (i = 0; i < 2; i++) {
		res[i] = sslvd_relay_step(&c->r[i]);
		if (res[i] != SSLVD_RELAY_AGAIN && res[i] != SSLVD_RELAY_DONE)
			return relay_result(s, &c->r[i], res[i], i == 0 ? 1 : 0);
		if (res[i] == SSLVD_RELAY_DONE && !c->done[i]) {
			/* both its sockets are shut: their hang-ups say nothing new */
			c->done[i] = true;
			epoll_ctl(s->d->ep, EPOLL_CTL_DEL, s->fd[i ? 3 : 0], NULL);
			epoll_ctl(s->d->ep, EPOLL_CTL_DEL, s->fd[i ? 1 : 2], NULL);
			s->ev[i ? 3 : 0] = s->ev[i ? 1 : 2] = 0;
		}
	}
	if (sslvd_ips_conn_held(&s->d->ips, c, sslvd_now_ns(), &dir)) {
		sslvd_log("%s -> %s: %s bytes held by the IPS for %u ms", s->rep.client,
			  s->rep.server, dir ? "server-to-client" : "client-to-server",
			  s->d->ips.conf.timeout_ms);
		return session_end(s, SSLVD_CLOSE_IPS_DROP, 0, true);
	}
	if (res[0] == SSLVD_RELAY_DONE && res[1] == SSLVD_RELAY_DONE) {
		st = session_end(s, SSLVD_CLOSE_DONE, 0, false);
		return st;
	}
	if (!c->done[0]) {
		set_events(s, 0, (uint32_t)c->r[0].events[0]);
		set_events(s, 2, (uint32_t)c->r[0].events[1]);
	}
	if (!c->done[1]) {
		set_events(s, 3, (uint32_t)c->r[1].events[0]);
		set_events(s, 1, (uint32_t)c->r[1].events[1]);
	}
	return STEP_WAIT;
}

static enum step relay_start(struct session *s, bool plain)
{
	s->relay = malloc(sizeof(*s->relay));
	if (!s->relay || sslvd_relay_init(s->relay, s->fd[0], s->fd[1]) < 0) {
		free(s->relay);
		s->relay = NULL;
		return session_end(s, SSLVD_CLOSE_RESOURCES, errno, true);
	}
	s->relay->plain = plain;
	free(s->hello);
	free(s->alpn_buf);
	s->hello = s->alpn_buf = NULL;
	s->st = S_RELAY;
	return STEP_NEXT;
}

static enum step st_connect(struct session *s)
{
	int err = sock_error(s->fd[1]);

	if (err)
		return connect_failed(s, err);
	if (s->action == SSLV_ACT_CUT)
		return relay_start(s, true);
	s->st = S_UP_HS;
	return STEP_NEXT;
}

/* Where an SSL wants to go on: the events to wait for, or 0 on failure. */
static uint32_t ssl_wants(SSL *ssl, int ret)
{
	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return EPOLLIN;
	case SSL_ERROR_WANT_WRITE:
		return EPOLLOUT;
	}
	return 0;
}

static enum step upstream_verified(struct session *s);

static enum step st_up_hs(struct session *s)
{
	struct daemon *d = s->d;
	uint32_t ev;
	int ret;

	if (!s->up) {
		s->up = sslvd_upstream_new(d->up_ctx, &s->h, &s->alpn);
		if (!s->up || !SSL_set_fd(s->up, s->fd[1])) {
			sslvd_log_ssl("%s -> %s: cannot start the upstream handshake",
				      s->rep.client, s->rep.server);
			return session_end(s, SSLVD_CLOSE_UPSTREAM_TLS, 0, true);
		}
	}
	ERR_clear_error();
	ret = SSL_connect(s->up);
	if (ret != 1) {
		ev = ssl_wants(s->up, ret);
		if (ev) {
			set_events(s, 1, ev);
			return STEP_WAIT;
		}
		sslvd_log_ssl("%s -> %s: upstream handshake failed", s->rep.client,
			      s->rep.server);
		return session_end(s, SSLVD_CLOSE_UPSTREAM_TLS, 0, true);
	}
	set_events(s, 1, 0);
	return upstream_verified(s);
}

static enum step upstream_verified(struct session *s)
{
	struct daemon *d = s->d;
	struct sslvd_cache_stats before, after;
	struct sslvd_ktls_info k;
	struct sslvd_verify v;
	X509 *orig, *leaf;
	int policy;

	sslvd_upstream_verify(s->up, &v);
	s->rep.verify = v.code;
	s->rep.verified = v.ok;
	s->rep.version = SSL_get_version(s->up);
	s->rep.cipher = SSL_get_cipher_name(s->up);
	s->rep.version_wire = (uint16_t)SSL_version(s->up);
	s->rep.cipher_id = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(s->up));
	s->ca = &d->box;
	if (!v.ok) {
		policy = d->conf->no_module ? SSLVD_INVALID_UNTRUSTED :
			 sslvd_kernel_upstream_invalid(&d->k);
		sslvd_log("%s -> %s: the server did not verify (%ld: %s)%s", s->rep.client,
			  s->rep.server, v.code, v.text,
			  policy == SSLV_ACT_REJECT ? ", rejected" :
			  policy == SSLV_ACT_CUT ? ", cut" : "");
		if (policy == SSLV_ACT_REJECT)
			return session_end(s, SSLVD_CLOSE_UPSTREAM_INVALID, 0, true);
		if (policy == SSLV_ACT_CUT) {
			/* the hello is still unread: relay it to a new connection */
			SSL_free(s->up);
			s->up = NULL;
			epoll_ctl(d->ep, EPOLL_CTL_DEL, s->fd[1], NULL);
			abort_fd(s->fd[1]);
			s->fd[1] = -1;
			s->action = SSLV_ACT_CUT;
			s->rep.action = SSLV_ACT_CUT;
			return connect_start(s);
		}
		if (!d->have_untrusted) {
			sslvd_log("%s: no --untrusted-ca-cert to forge with, rejected",
				  s->rep.server);
			return session_end(s, SSLVD_CLOSE_UPSTREAM_INVALID, 0, true);
		}
		s->ca = &d->untrusted;
	}
	if (sslvd_ktls_finish(s->up, s->fd[1], &k) < 0)
		return session_end(s, SSLVD_CLOSE_KTLS, 0, true);
	s->rep.ktls_up_tx = k.tx_openssl;
	s->rep.ktls_up_rx = k.rx_openssl || k.rx_derived;
	orig = SSL_get1_peer_certificate(s->up);
	sslvd_cache_stats(d->cache, &before);
	leaf = orig ? sslvd_forge_cached(d->cache, s->ca, d->leaf_key, orig) : NULL;
	sslvd_cache_stats(d->cache, &after);
	X509_free(orig);
	if (!leaf) {
		sslvd_log("%s: no leaf forged", s->rep.server);
		return session_end(s, SSLVD_CLOSE_UPSTREAM_TLS, 0, true);
	}
	s->rep.cache_hit = after.hits > before.hits;
	s->cl = sslvd_client_new(d->cl_ctx, s->up, leaf, d->leaf_key);
	X509_free(leaf);
	if (!s->cl || !SSL_set_fd(s->cl, s->fd[0])) {
		sslvd_log_ssl("%s: cannot start the client handshake", s->rep.client);
		return session_end(s, SSLVD_CLOSE_CLIENT_TLS, 0, true);
	}
	s->st = S_CL_HS;
	return STEP_NEXT;
}

static enum step st_cl_hs(struct session *s)
{
	struct sslvd_ktls_info k;
	uint32_t ev;
	int ret;

	ERR_clear_error();
	ret = SSL_accept(s->cl);
	if (ret != 1) {
		ev = ssl_wants(s->cl, ret);
		if (ev) {
			set_events(s, 0, ev);
			return STEP_WAIT;
		}
		sslvd_log_ssl("%s -> %s: client handshake failed", s->rep.client,
			      s->rep.server);
		return session_end(s, SSLVD_CLOSE_CLIENT_TLS, 0, true);
	}
	if (sslvd_ktls_finish(s->cl, s->fd[0], &k) < 0)
		return session_end(s, SSLVD_CLOSE_KTLS, 0, true);
	s->rep.ktls_cl_tx = k.tx_openssl;
	s->rep.ktls_cl_rx = k.rx_openssl || k.rx_derived;
	/* both sockets carry plaintext now: the SSLs are done with */
	if (s->d->ips.conf.set) {
		enum step st = gen_start(s);	/* reads s->up's certificate */

		SSL_free(s->cl);
		SSL_free(s->up);
		s->cl = s->up = NULL;
		return st;
	}
	SSL_free(s->cl);
	SSL_free(s->up);
	s->cl = s->up = NULL;
	return relay_start(s, false);
}

static enum step st_relay(struct session *s)
{
	struct sslvd_relay *r = s->relay;

	if (s->ipsc)
		return st_ips_relay(s);

	switch (sslvd_relay_step(r)) {
	case SSLVD_RELAY_AGAIN:
		set_events(s, 0, (uint32_t)r->events[0]);
		set_events(s, 1, (uint32_t)r->events[1]);
		return STEP_WAIT;
	case SSLVD_RELAY_DONE:
		return session_end(s, SSLVD_CLOSE_DONE, 0, false);
	case SSLVD_RELAY_KEYUPDATE:
		sslvd_log("%s -> %s: KeyUpdate from the %s, which kTLS cannot follow",
			  s->rep.client, s->rep.server, r->which ? "server" : "client");
		return session_end(s, SSLVD_CLOSE_KEYUPDATE, 0, true);
	case SSLVD_RELAY_PROTO:
		sslvd_log("%s -> %s: bad record or fatal alert from the %s%s%s",
			  s->rep.client, s->rep.server, r->which ? "server" : "client",
			  r->err ? ": " : "", r->err ? strerror(r->err) : "");
		return session_end(s, SSLVD_CLOSE_BAD_RECORD, r->err, true);
	case SSLVD_RELAY_IDLE:
		return session_end(s, SSLVD_CLOSE_IDLE, 0, true);
	case SSLVD_RELAY_ERROR:
		break;
	}
	if (r->err == ECONNRESET || r->err == EPIPE)
		return session_end(s, r->err_fd ? SSLVD_CLOSE_SERVER : SSLVD_CLOSE_CLIENT,
				   r->err, true);
	return session_end(s, SSLVD_CLOSE_ERROR, r->err, true);
}

/* A relay of a flow carried through the IPS ended other than cleanly. */
static enum step relay_result(struct session *s, struct sslvd_relay *r,
				enum sslvd_relay_res res, int gen_fd)
{
	const char *real = gen_fd ? "client" : "server";

	switch (res) {
	case SSLVD_RELAY_KEYUPDATE:
		sslvd_log("%s -> %s: KeyUpdate from the %s, which kTLS cannot follow",
			  s->rep.client, s->rep.server, real);
		return session_end(s, SSLVD_CLOSE_KEYUPDATE, 0, true);
	case SSLVD_RELAY_PROTO:
		sslvd_log("%s -> %s: bad record or fatal alert from the %s%s%s",
			  s->rep.client, s->rep.server, real,
			  r->err ? ": " : "", r->err ? strerror(r->err) : "");
		return session_end(s, SSLVD_CLOSE_BAD_RECORD, r->err, true);
	case SSLVD_RELAY_IDLE:
		return session_end(s, SSLVD_CLOSE_IDLE, 0, true);
	default:
		break;
	}
	if (r->err_fd == gen_fd)
		return gen_fail(s, r->err == EPIPE ? ECONNRESET : r->err);
	if (r->err == ECONNRESET || r->err == EPIPE)
		return session_end(s, gen_fd ? SSLVD_CLOSE_CLIENT : SSLVD_CLOSE_SERVER,
				   r->err, true);
	return session_end(s, SSLVD_CLOSE_ERROR, r->err, true);
}

/* Moves @s as far as it goes. */
static void session_step(struct session *s)
{
	enum sstate before;
	enum step r = STEP_NEXT;

	while (r == STEP_NEXT) {
		before = s->st;
		switch (s->st) {
		case S_HELLO:
			r = st_hello(s);
			break;
		case S_VERDICT:
			r = st_verdict(s);
			break;
		case S_CONNECT:
			r = st_connect(s);
			break;
		case S_UP_HS:
			r = st_up_hs(s);
			break;
		case S_CL_HS:
			r = st_cl_hs(s);
			break;
		case S_GEN:
			r = STEP_WAIT;
			break;
		case S_RELAY:
			r = st_relay(s);
			break;
		case S_DEAD:
			return;
		}
		if (r != STEP_END && s->st != before)
			s->deadline_ns = sslvd_now_ns() + s->d->idle_ns;
	}
}

static void session_event(struct session *s, int leg, uint32_t events)
{
	enum sstate before = s->st;
	int err;

	if (s->st == S_DEAD || ips_resetting(s))
		return;
	if (leg >= 2 && (events & (EPOLLERR | EPOLLHUP))) {
		ips_sock_event(s, leg);
		if (s->st == S_DEAD || ips_resetting(s))
			return;
	}
	if ((events & EPOLLERR) && !(s->st == S_CONNECT && leg == 1)) {
		err = sock_error(s->fd[leg]);
		session_end(s, leg ? SSLVD_CLOSE_SERVER : SSLVD_CLOSE_CLIENT, err, true);
		return;
	}
	session_step(s);
	/* a hang-up on a socket the state does not read: nothing will follow */
	if (s->st != S_DEAD && s->st == before && (events & EPOLLHUP) && !s->ev[leg] &&
	    !(s->ipsc && s->st == S_RELAY))
		session_end(s, leg ? SSLVD_CLOSE_SERVER : SSLVD_CLOSE_CLIENT, EPIPE, true);
}

static void session_new(struct daemon *d, int fd)
{
	struct session *s;
	socklen_t len;

	if (d->nsessions >= d->max_sessions) {
		abort_fd(fd);
		d->refused++;
		if (sslvd_now_ns() - d->refused_logged_ns >= LOG_EVERY_NS) {
			sslvd_log("%u sessions: connection reset (%llu so far)", d->nsessions,
				  (unsigned long long)d->refused);
			d->refused_logged_ns = sslvd_now_ns();
		}
		return;
	}
	s = calloc(1, sizeof(*s));
	if (s) {
		s->hello = malloc(SSLVD_HELLO_CAP);
		s->alpn_buf = malloc(SSLVD_ALPN_CAP);
	}
	if (!s || !s->hello || !s->alpn_buf) {
		if (s) {
			free(s->hello);
			free(s->alpn_buf);
		}
		free(s);
		abort_fd(fd);
		sslvd_log("out of memory: connection reset");
		return;
	}
	s->d = d;
	s->fd[0] = s->fd[1] = s->fd[2] = s->fd[3] = -1;
	linger0(fd, true);
	s->rep.verify = -1;
	s->rep.action = -1;
	s->action = -1;
	s->alpn.buf = s->alpn_buf;
	s->alpn.cap = SSLVD_ALPN_CAP;
	len = sizeof(s->cli);
	if (getpeername(fd, (struct sockaddr *)&s->cli, &len) < 0)
		goto fail;
	len = sizeof(s->srv);
	if (getsockname(fd, (struct sockaddr *)&s->srv, &len) < 0)
		goto fail;
	sslvd_addr_unmap(&s->cli);
	sslvd_addr_unmap(&s->srv);
	s->rep.cli = s->cli;
	s->rep.srv = s->srv;
	addr_str(&s->cli, s->rep.client, sizeof(s->rep.client));
	addr_str(&s->srv, s->rep.server, sizeof(s->rep.server));
	if (add_fd(s, 0, fd) < 0)
		goto fail;
	s->next = d->head;
	if (d->head)
		d->head->prev = s;
	d->head = s;
	d->nsessions++;
	s->st = S_HELLO;
	s->deadline_ns = sslvd_now_ns() + d->idle_ns;
	set_events(s, 0, EPOLLIN);
	return;
fail:
	sslvd_log("accepted connection: %s", strerror(errno));
	abort_fd(fd);
	free(s->hello);
	free(s->alpn_buf);
	free(s);
}

/*
 * The module rejected or dropped a diverted flow. At its hello (the module
 * logged it): the hello never comes, the client is reset. Later (an
 * operator's `sslvctl flow reject`): sslvd holds both legs and only its
 * sockets know their numbers, so it resets both ends and reports.
 */
static void flow_gone(void *data, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, int action)
{
	struct daemon *d = data;
	struct session *s;

	for (s = d->head; s; s = s->next) {
		if (memcmp(&s->cli, cli, addr_len(cli)) || memcmp(&s->srv, srv, addr_len(srv)))
			continue;
		if (s->st == S_HELLO || s->st == S_VERDICT) {
			s->action = action;
			s->rep.action = action;
			session_end(s, SSLVD_CLOSE_ACTION, 0, true);
		} else if (action == SSLV_ACT_REJECT) {
			sslvd_log("%s -> %s: rejected by the module in state %s",
				  s->rep.client, s->rep.server, state_names[s->st]);
			session_end(s, SSLVD_CLOSE_REJECTED, 0, true);
		}
		return;
	}
}

static void do_events(struct daemon *d)
{
	int err = sslvd_kernel_events(&d->k, flow_gone, d);

	if (err == -ENOBUFS)
		sslvd_log("module events lost: rejected flows end at the idle window");
	else if (err)
		sslvd_log("module events: %s", strerror(-err));
}

static void do_accept(struct daemon *d)
{
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			session_new(d, fd);
			continue;
		}
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		sslvd_log("accept: %s; accepting again in a second", strerror(errno));
		/* out of descriptors or memory: let sessions end first */
		epoll_ctl(d->ep, EPOLL_CTL_DEL, d->lfd, NULL);
		d->listen_off_ns = sslvd_now_ns() + LOG_EVERY_NS;
		return;
	}
}

/* Deadlines, verdict retries, a paused listener: the loop's timer work. */
static int tick(struct daemon *d)
{
	struct session *s, *next;
	uint64_t now = sslvd_now_ns();
	int timeout = 1000;

	if (d->ips_init) {
		int h = sslvd_ips_health(&d->ips, now);

		if (h >= 0 && !d->conf->no_module)
			sslvd_kernel_ips_state(&d->k, h == 1);
		if (d->ips.ready)
			timeout = 200;
		if (d->ips.probe_fd >= 0 || !d->ips.up)
			timeout = 20;
	}
	if (d->listen_off_ns && now >= d->listen_off_ns) {
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = &d->lref };

		d->listen_off_ns = 0;
		epoll_ctl(d->ep, EPOLL_CTL_ADD, d->lfd, &e);
	}
	for (s = d->head; s; s = next) {
		next = s->next;
		if (s->st == S_VERDICT) {
			if (now >= s->wake_ns)
				session_step(s);
			if (s->st == S_VERDICT)
				timeout = 20;
			continue;
		}
		if (s->ipsc) {
			if (ips_tick(s, now))
				continue;
			timeout = timeout < 20 ? timeout : 20;
		}
		if (s->st == S_RELAY) {
			relay_tick(s, now);
			continue;
		}
		if (now >= s->deadline_ns) {
			sslvd_log("%s -> %s: no progress in state %s within %llu s",
				  s->rep.client, s->rep.server, state_names[s->st],
				  (unsigned long long)(d->idle_ns / 1000000000ULL));
			if (s->st == S_CONNECT)
				connect_failed(s, ETIMEDOUT);
			else
				session_end(s, SSLVD_CLOSE_IDLE, 0, true);
		}
	}
	return timeout;
}

static void free_dead(struct daemon *d)
{
	struct session *s;

	if (d->ips_init)
		sslvd_ips_reap(&d->ips);
	if (!d->dead)
		return;
	while ((s = d->dead)) {
		d->dead = s->next;
		free(s);
	}
	/* idle after a burst: give the burst's free pages back */
	if (!d->nsessions)
		malloc_trim(0);
}

/* SIGUSR1: what sslvd holds, in one line (its memory with it). */
static void log_status(const struct daemon *d)
{
	struct mallinfo2 mi = mallinfo2();
	struct sslvd_cache_stats cs;
	long size_pages, rss_pages = 0;
	FILE *f;

	sslvd_cache_stats(d->cache, &cs);
	f = fopen("/proc/self/statm", "re");
	if (!f || fscanf(f, "%ld %ld", &size_pages, &rss_pages) != 2)
		rss_pages = 0;
	if (f)
		fclose(f);
	sslvd_log("status: %u sessions (at most %u), %u of %u forged certificates cached, "
		  "heap %zu KiB in use, RSS %ld KiB",
		  d->nsessions, d->max_sessions, cs.entries, cs.cap, mi.uordblks / 1024,
		  rss_pages * (sysconf(_SC_PAGESIZE) / 1024));
}

static int loop(struct daemon *d)
{
	struct epoll_event ev[64];
	struct signalfd_siginfo si;
	struct epref *ref;
	int n, i, timeout = 1000;

	while (!d->stop) {
		n = epoll_wait(d->ep, ev, 64, timeout);
		if (n < 0 && errno != EINTR) {
			sslvd_log("epoll_wait: %s", strerror(errno));
			return SSLVD_EX_FAIL;
		}
		for (i = 0; i < n; i++) {
			ref = ev[i].data.ptr;
			if (ref == &d->lref) {
				do_accept(d);
			} else if (ref == &d->eref) {
				do_events(d);
			} else if (ref == &d->rref) {
				sslvd_route_links(&d->route);
			} else if (ref->leg >= SSLVD_IPS_LEG) {
				sslvd_ips_event(&d->ips, (struct sslvd_ips_ref *)ref);
			} else if (ref == &d->sref) {
				if (read(d->sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGUSR1) {
					log_status(d);
					continue;
				}
				sslvd_log("signal %u: exiting", si.ssi_signo);
				d->stop = true;
			} else {
				session_event(ref->s, ref->leg, ev[i].events);
			}
		}
		free_dead(d);
		timeout = tick(d);
		free_dead(d);
	}
	return SSLVD_OK;
}

static int listener(struct daemon *d, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &d->lref };
	int one = 1, zero = 0, fd, six = 1;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		six = 0;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		sslvd_log("listener: %s", strerror(errno));
		return SSLVD_EX_NET;
	}
	if ((six && (setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
		     setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)) < 0)) ||
	    setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) < 0) {
		sslvd_log("listener: IP_TRANSPARENT: %s (sslvd needs CAP_NET_ADMIN)",
			  strerror(errno));
		close(fd);
		return SSLVD_EX_NET;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* What the accepted sockets send takes the way out of the bridge. */
	if (d->route.out_mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &d->route.out_mark,
					    sizeof(d->route.out_mark)) < 0) {
		sslvd_log("listener: SO_MARK: %s", strerror(errno));
		close(fd);
		return SSLVD_EX_NET;
	}
	if ((six ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
		   bind(fd, (struct sockaddr *)&a4, sizeof(a4))) < 0 ||
	    listen(fd, 1024) < 0) {
		sslvd_log("listener: port %u: %s", port, strerror(errno));
		close(fd);
		return SSLVD_EX_NET;
	}
	d->lfd = fd;
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		sslvd_log("epoll: %s", strerror(errno));
		return SSLVD_EX_FAIL;
	}
	return SSLVD_OK;
}

/*
 * The module's IPS configuration changed (SSLV_EV_IPS): flows carried
 * through the old interfaces end, the new ones are made.
 */
static void ips_changed(void *data, const struct sslvd_ips_conf *c)
{
	struct daemon *d = data;
	struct session *s, *next;
	int err;

	if (c->set && d->conf->ips_meta && d->meta.fd < 0)
		sslvd_meta_open(&d->meta, d->conf->ips_meta);
	if (!sslvd_ips_same(&d->ips, c) || !d->ips.ready) {
		for (s = d->head; s; s = next) {
			next = s->next;
			if (!s->ipsc)
				continue;
			sslvd_log("%s -> %s: the IPS changed: reset", s->rep.client,
				  s->rep.server);
			session_end(s, SSLVD_CLOSE_ERROR, ENETDOWN, true);
		}
	}
	/* UP or DOWN follows from the first probe (sslvd_ips_health) */
	err = sslvd_ips_apply(&d->ips, c);
	if (err && c->set && !d->conf->no_module)
		sslvd_kernel_ips_state(&d->k, false);
}

static int setup_ips(struct daemon *d)
{
	const struct sslvd_ips_ops ops = { gen_accepted, gen_rst, d };
	const struct sslvd_conf *conf = d->conf;
	struct sslvd_ips_conf c = { 0 };

	if (sslvd_ips_init(&d->ips, d->ep, &ops) < 0)
		return SSLVD_EX_NET;
	d->ips_init = true;
	if (conf->no_module) {
		if (!conf->ips_out)
			return SSLVD_OK;
		c.set = true;
		snprintf(c.out, sizeof(c.out), "%s", conf->ips_out);
		snprintf(c.in, sizeof(c.in), "%s", conf->ips_in);
		if (conf->ips_copy)
			snprintf(c.copy, sizeof(c.copy), "%s", conf->ips_copy);
		c.timeout_ms = conf->ips_timeout_ms;
	} else {
		d->k.ips_cb = ips_changed;
		d->k.ips_data = d;
		if (sslvd_kernel_ips_get(&d->k, &c) < 0)
			return SSLVD_OK;	/* a module without the IPS interface */
	}
	ips_changed(d, &c);
	return SSLVD_OK;
}

/* Room for every session's descriptors, or fewer sessions. */
static void fd_limit(struct daemon *d)
{
	rlim_t need = (rlim_t)d->max_sessions * FDS_PER_SESSION + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ?
			      need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need) {
		d->max_sessions = rl.rlim_cur > 64 + FDS_PER_SESSION ?
			(unsigned int)((rl.rlim_cur - 64) / FDS_PER_SESSION) : 1;
		sslvd_log("open files limited to %llu: at most %u sessions",
			  (unsigned long long)rl.rlim_cur, d->max_sessions);
	}
}

static int setup_tls(struct daemon *d)
{
	const struct sslvd_conf *c = d->conf;
	int ret;

	ret = sslvd_ca_load(&d->box, "box CA", c->ca_cert, c->ca_key);
	if (ret)
		return ret;
	if (c->un_cert) {
		ret = sslvd_ca_load(&d->untrusted, "untrusted CA", c->un_cert, c->un_key);
		if (ret)
			return ret;
		d->have_untrusted = true;
	}
	d->up_ctx = sslvd_upstream_ctx_new(c->trust_store, &ret);
	if (!d->up_ctx)
		return ret;
	d->cl_ctx = sslvd_client_ctx_new();
	d->leaf_key = sslvd_leaf_key_new();
	d->cache = sslvd_cache_new(c->cache_size);
	if (!d->cl_ctx || !d->leaf_key || !d->cache) {
		sslvd_log_ssl("cannot set up TLS");
		return SSLVD_EX_TLS;
	}
	return SSLVD_OK;
}

static int setup_signals(struct daemon *d)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &d->sref };
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sfd < 0 || epoll_ctl(d->ep, EPOLL_CTL_ADD, d->sfd, &e) < 0)
		return -1;
	return 0;
}

static void teardown(struct daemon *d)
{
	while (d->head)
		session_end(d->head, SSLVD_CLOSE_SHUTDOWN, 0, true);
	free_dead(d);
	if (d->ips_init)
		sslvd_ips_fini(&d->ips);
	sslvd_meta_close(&d->meta);
	sslvd_route_down(&d->route);
	sslvd_kernel_close(&d->k);
	if (d->lfd >= 0)
		close(d->lfd);
	if (d->sfd >= 0)
		close(d->sfd);
	if (d->ep >= 0)
		close(d->ep);
	sslvd_cache_free(d->cache);
	EVP_PKEY_free(d->leaf_key);
	SSL_CTX_free(d->cl_ctx);
	SSL_CTX_free(d->up_ctx);
	sslvd_ca_free(&d->box);
	if (d->have_untrusted)
		sslvd_ca_free(&d->untrusted);
}

int sslvd_main(const struct sslvd_conf *conf)
{
	struct daemon d = {
		.conf = conf, .ep = -1, .lfd = -1, .sfd = -1, .efd = -1, .meta.fd = -1,
		.max_sessions = conf->max_sessions,
		.idle_ns = (uint64_t)conf->idle_s * 1000000000ULL,
		.quiet_ns = (uint64_t)conf->quiet_s * 1000000000ULL,
		.route = { .mark = conf->mark, .table = conf->table, .prio = 100,
			   .out_mark = conf->no_module ? 0 : conf->mark + 1,
			   .out_table = conf->table + 1 },
	};
	int ret;

	ret = setup_tls(&d);
	if (ret)
		goto out;
	ret = SSLVD_EX_FAIL;
	d.ep = epoll_create1(EPOLL_CLOEXEC);
	if (d.ep < 0 || setup_signals(&d) < 0) {
		sslvd_log("epoll/signalfd: %s", strerror(errno));
		goto out;
	}
	fd_limit(&d);
	if (!conf->no_module) {
		ret = sslvd_kernel_register(&d.k, conf->port, conf->mark);
		if (ret)
			goto out;
		d.efd = sslvd_kernel_events_open(&d.k);
		if (d.efd >= 0) {
			struct epoll_event e = { .events = EPOLLIN, .data.ptr = &d.eref };

			epoll_ctl(d.ep, EPOLL_CTL_ADD, d.efd, &e);
		} else {
			sslvd_log("without the module's events, rejected flows end at the "
				  "idle window");
		}
	}
	ret = setup_ips(&d);
	if (ret)
		goto out;
	ret = listener(&d, conf->port);
	if (ret)
		goto out;
	if (sslvd_route_up(&d.route) < 0) {
		ret = SSLVD_EX_NET;
		goto out;
	}
	if (d.route.out_mark) {
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = &d.rref };
		int fd = sslvd_route_watch(&d.route);

		if (fd < 0 || epoll_ctl(d.ep, EPOLL_CTL_ADD, fd, &e) < 0)
			sslvd_log("link events: %s; bridges created from now on are not set up",
				  strerror(fd < 0 ? -fd : errno));
	}
	if (!conf->foreground) {
		if (daemon(0, 0) < 0) {
			sslvd_log("daemon: %s", strerror(errno));
			ret = SSLVD_EX_FAIL;
			goto out;
		}
		sslvd_log_syslog();
	}
	sslvd_log("listening on port %u%s, at most %u sessions", conf->port,
		  conf->no_module ? " without the module (testing)" : "", d.max_sessions);
	ret = loop(&d);
out:
	teardown(&d);
	return ret;
}
