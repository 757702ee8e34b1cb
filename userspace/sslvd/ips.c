// SPDX-License-Identifier: GPL-2.0
/* Generated connections through the attached IPS, see ips.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon.h"
#include "ips.h"
#include "log.h"

enum { REF_LISTENER = SSLVD_IPS_LEG, REF_PKT_OUT, REF_PKT_IN };

#define ACCEPT_BATCH	64

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static uint16_t sa_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port :
			 ((const struct sockaddr_in6 *)ss)->sin6_port);
}

int sslvd_ips_init(struct sslvd_ips *ips, int ep, const struct sslvd_ips_ops *ops)
{
	memset(ips, 0, sizeof(*ips));
	ips->ep = ep;
	ips->ops = *ops;
	ips->conf.timeout_ms = SSLVD_IPS_TIMEOUT_DEFAULT;
	ips->pkt_ref[0] = (struct sslvd_ips_ref){ ips, REF_PKT_OUT };
	ips->pkt_ref[1] = (struct sslvd_ips_ref){ ips, REF_PKT_IN };
	ips->probe_fd = -1;
	ips->up = true;
	return ipsnet_init(&ips->net);
}

static void listeners_close(struct sslvd_ips *ips)
{
	struct sslvd_ips_listener *l;

	while ((l = ips->listeners)) {
		ips->listeners = l->next;
		epoll_ctl(ips->ep, EPOLL_CTL_DEL, l->fd, NULL);
		close(l->fd);
		l->fd = -1;
		l->next = ips->dead;
		ips->dead = l;
	}
}

static void listener_put(struct sslvd_ips *ips, struct sslvd_ips_listener *l);
static void probe_start(struct sslvd_ips *ips, uint64_t now);

static void probe_end(struct sslvd_ips *ips)
{
	if (ips->probe_fd >= 0)
		close(ips->probe_fd);
	ips->probe_fd = -1;
	listener_put(ips, ips->probe_l);
	ips->probe_l = NULL;
}

static void down(struct sslvd_ips *ips)
{
	int i;

	probe_end(ips);
	if (ips->flows)
		sslvd_log("ips: %u generated connections still open", ips->flows);
	listeners_close(ips);
	for (i = 0; i < 2; i++)
		if (ips->net.side[i].pkt >= 0)
			epoll_ctl(ips->ep, EPOLL_CTL_DEL, ips->net.side[i].pkt, NULL);
	if (ipsnet_is_up(&ips->net))
		sslvd_log("ips: out %s, in %s: veth pairs and private namespaces removed",
			  ips->net.side[0].name, ips->net.side[1].name);
	ipsnet_down(&ips->net);
	ips->ready = false;
}

void sslvd_ips_fini(struct sslvd_ips *ips)
{
	down(ips);
	sslvd_ips_reap(ips);
	ipsnet_fini(&ips->net);
}

bool sslvd_ips_same(const struct sslvd_ips *ips, const struct sslvd_ips_conf *c)
{
	return ips->conf.set == c->set && !strcmp(ips->conf.out, c->out) &&
	       !strcmp(ips->conf.in, c->in) && !strcmp(ips->conf.copy, c->copy);
}

int sslvd_ips_apply(struct sslvd_ips *ips, const struct sslvd_ips_conf *c)
{
	struct epoll_event e = { .events = EPOLLIN };
	bool same = sslvd_ips_same(ips, c) && (ips->ready || !c->set), was_set;
	int i, err;

	ips->conf.timeout_ms = c->timeout_ms ? c->timeout_ms : SSLVD_IPS_TIMEOUT_DEFAULT;
	if (same)
		return 0;
	was_set = ips->conf.set;
	down(ips);
	ips->conf = *c;
	if (!ips->conf.timeout_ms)
		ips->conf.timeout_ms = SSLVD_IPS_TIMEOUT_DEFAULT;
	if (!c->set) {
		if (was_set)
			sslvd_log("ips: deleted: decrypted flows are relayed directly");
		return 0;
	}
	err = ipsnet_up(&ips->net, c->out, c->in, c->copy);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		e.data.ptr = &ips->pkt_ref[i];
		if (epoll_ctl(ips->ep, EPOLL_CTL_ADD, ips->net.side[i].pkt, &e) < 0) {
			err = -errno;
			sslvd_log("ips: epoll: %s", strerror(errno));
			down(ips);
			return err;
		}
	}
	ips->ready = true;
	/* what the module holds may be an earlier sslvd's word: probe, report */
	ips->up = true;
	ips->unknown = true;
	ips->changed = false;
	/* new links' IFF_RUNNING follows the kernel's linkwatch, up to a second late */
	ips->next_link_ns = sslvd_now_ns() + 2000000000ULL;
	sslvd_log("ips: decrypted flows go out of %s and come back at %s "
		  "(feedback timeout %u ms)", c->out, c->in, ips->conf.timeout_ms);
	probe_start(ips, sslvd_now_ns());
	return 0;
}

/* ---- listeners in the in-side namespace --------------------------------- */

/*
 * The listener of @port, its SYN-ACKs and accepted sockets marked @mark
 * (passive-inline's way back through sslv-direct). A port has one listener
 * for both modes: a mode change re-marks it, which only a handshake of the
 * other mode caught half-way through it could mind.
 */
static struct sslvd_ips_listener *listener_get(struct sslvd_ips *ips, uint16_t port,
					       uint32_t mark)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct epoll_event e = { .events = EPOLLIN };
	struct sslvd_ips_listener *l;
	int one = 1, zero = 0, six = 1, fd;

	for (l = ips->listeners; l; l = l->next)
		if (l->port == port) {
			if (l->mark != mark &&
			    setsockopt(l->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
				sslvd_log("ips: listener on port %u: SO_MARK: %s", port,
					  strerror(errno));
				return NULL;
			}
			l->mark = mark;
			l->users++;
			return l;
		}
	fd = ipsnet_socket(&ips->net, IPSNET_IN, AF_INET6,
			   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		six = 0;
		fd = ipsnet_socket(&ips->net, IPSNET_IN, AF_INET,
				   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		sslvd_log("ips: listener on port %u: %s", port, strerror(errno));
		return NULL;
	}
	if ((six && (setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
		     setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)) < 0)) ||
	    setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) ||
	    (six ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
		   bind(fd, (struct sockaddr *)&a4, sizeof(a4))) < 0 ||
	    listen(fd, 1024) < 0) {
		sslvd_log("ips: listener on port %u: %s", port, strerror(errno));
		close(fd);
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		sslvd_log("ips: listener on port %u: out of memory", port);
		close(fd);
		return NULL;
	}
	l->ref = (struct sslvd_ips_ref){ l, REF_LISTENER };
	l->fd = fd;
	l->port = port;
	l->mark = mark;
	l->users = 1;
	e.data.ptr = &l->ref;
	if (epoll_ctl(ips->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		sslvd_log("ips: listener on port %u: epoll: %s", port, strerror(errno));
		close(fd);
		free(l);
		return NULL;
	}
	l->next = ips->listeners;
	ips->listeners = l;
	return l;
}

static void listener_put(struct sslvd_ips *ips, struct sslvd_ips_listener *l)
{
	struct sslvd_ips_listener **p;

	if (!l || --l->users)
		return;
	for (p = &ips->listeners; *p; p = &(*p)->next) {
		if (*p != l)
			continue;
		*p = l->next;
		epoll_ctl(ips->ep, EPOLL_CTL_DEL, l->fd, NULL);
		close(l->fd);
		/* an event of this batch may still name it: freed after the batch */
		l->fd = -1;
		l->next = ips->dead;
		ips->dead = l;
		return;
	}
}

void sslvd_ips_reap(struct sslvd_ips *ips)
{
	struct sslvd_ips_listener *l;

	while ((l = ips->dead)) {
		ips->dead = l->next;
		free(l);
	}
}

static bool probe_peer(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *s4 = (const void *)ss;
	struct in_addr a;

	inet_pton(AF_INET, SSLVD_IPS_PROBE_SRC, &a);
	return ss->ss_family == AF_INET && s4->sin_addr.s_addr == a.s_addr;
}

static void do_accept(struct sslvd_ips *ips, struct sslvd_ips_listener *l)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage cli, srv;
	socklen_t len;
	int i, fd;

	/* a flow that ends in the callback must not free @l under this loop */
	l->users++;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		len = sizeof(cli);
		fd = accept4(l->fd, (struct sockaddr *)&cli, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				sslvd_log("ips: accept on port %u: %s", l->port, strerror(errno));
			break;
		}
		len = sizeof(srv);
		if (getsockname(fd, (struct sockaddr *)&srv, &len) < 0) {
			sslvd_log("ips: accepted connection: %s", strerror(errno));
			close(fd);
			continue;
		}
		sslvd_addr_unmap(&cli);
		sslvd_addr_unmap(&srv);
		if (probe_peer(&cli)) {
			close(fd);
			if (ips->probe_fd >= 0) {
				probe_end(ips);
				if (!ips->up || ips->unknown) {
					ips->up = true;
					ips->unknown = false;
					ips->changed = true;
					sslvd_log("ips: a probe got through %s and %s: up",
						  ips->conf.out, ips->conf.in);
				}
			}
			continue;
		}
		if (!ips->ops.accepted(ips->ops.data, fd, &cli, &srv)) {
			/* no flow waits for it (it ended meanwhile) */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(fd);
		}
	}
	listener_put(ips, l);
}

static void rst_read(struct sslvd_ips *ips, int side)
{
	struct sockaddr_storage src, dst;
	int ret, i;

	for (i = 0; i < 256; i++) {
		ret = ipsnet_rst_read(&ips->net, side, &src, &dst);
		if (ret < 0)
			sslvd_log("ips: RST counter: %s", strerror(-ret));
		if (ret <= 0)
			return;
		ips->ops.rst(ips->ops.data, &src, &dst);
	}
}

void sslvd_ips_rst_drain(struct sslvd_ips *ips)
{
	rst_read(ips, IPSNET_OUT);
	rst_read(ips, IPSNET_IN);
}

void sslvd_ips_event(struct sslvd_ips *ips, struct sslvd_ips_ref *ref)
{
	struct sslvd_ips_listener *l = ref->obj;

	switch (ref->leg) {
	case REF_LISTENER:
		if (l->fd >= 0)
			do_accept(ips, l);
		break;
	case REF_PKT_OUT:
		rst_read(ips, IPSNET_OUT);
		break;
	case REF_PKT_IN:
		rst_read(ips, IPSNET_IN);
		break;
	}
}

/* ---- one flow's generated connection ------------------------------------ */

int sslvd_ips_conn_open(struct sslvd_ips *ips, struct sslvd_ips_conn *c,
			const struct sockaddr_storage *cli,
			const struct sockaddr_storage *srv, bool passive, const char *what)
{
	uint32_t mark = passive ? SSLVD_IPS_DIRECT_MARK : 0;
	int family = cli->ss_family, one = 1, fd, err;

	memset(c, 0, sizeof(*c));
	c->fd[0] = c->fd[1] = -1;
	c->mode = passive ? SSLVD_IPS_PASSIVE : SSLVD_IPS_ACTIVE;
	if (!ips->ready || (passive && !ips->net.passive)) {
		sslvd_log("%s: the IPS's interfaces are not there", what);
		return -ENETDOWN;
	}
	c->l = listener_get(ips, sa_port(srv), mark);
	if (!c->l)
		return -EIO;
	fd = ipsnet_socket(&ips->net, IPSNET_OUT, family,
			   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    (family == AF_INET ?
	     setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) :
	     setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one))) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) ||
	    bind(fd, (const struct sockaddr *)cli, sa_len(cli)) < 0 ||
	    (connect(fd, (const struct sockaddr *)srv, sa_len(srv)) < 0 &&
	     errno != EINPROGRESS)) {
		err = errno;
		sslvd_log("%s: generated connection: %s", what, strerror(err));
		if (fd >= 0)
			close(fd);
		listener_put(ips, c->l);
		c->l = NULL;
		return -err;
	}
	c->fd[0] = fd;
	c->start_ns = sslvd_now_ns();
	ips->flows++;
	return fd;
}

int sslvd_ips_conn_relay(struct sslvd_ips_conn *c, int client, int upstream)
{
	if (sslvd_relay_init(&c->r[0], client, c->fd[0]) < 0)
		return -1;
	if (sslvd_relay_init(&c->r[1], c->fd[1], upstream) < 0) {
		sslvd_relay_fini(&c->r[0]);
		return -1;
	}
	c->r[0].plain_fd = 1u << 1;
	c->r[1].plain_fd = 1u << 0;
	c->relaying = true;
	c->since[0] = c->since[1] = sslvd_now_ns();
	return 0;
}

/* Bytes a direction's reader took from its source: moved or held. */
static uint64_t taken(const struct sslvd_relay_dir *d)
{
	return d->bytes + d->in_pipe + (d->buf_len - d->buf_off) + (d->eof ? 1 : 0);
}

bool sslvd_ips_conn_held(struct sslvd_ips *ips, struct sslvd_ips_conn *c, uint64_t now,
			 int *dir)
{
	uint64_t limit = (uint64_t)ips->conf.timeout_ms * 1000000ULL, in, out;
	const struct sslvd_relay_dir *src, *dst;
	int i;

	if (c->mode == SSLVD_IPS_PASSIVE)
		return false;	/* nothing waits for the copy */
	if (!c->relaying)
		return now - c->start_ns >= limit;
	for (i = 0; i < 2; i++) {
		/* c2s: r[0].dir[0] writes into the IPS, r[1].dir[0] reads out of it */
		src = i == 0 ? &c->r[0].dir[0] : &c->r[1].dir[1];
		dst = i == 0 ? &c->r[1].dir[0] : &c->r[0].dir[1];
		in = src->bytes + (src->closed ? 1 : 0);
		out = taken(dst);
		if (out != c->last_out[i] || out >= in || c->last_in[i] <= out ||
		    dst->in_pipe || dst->buf_len > dst->buf_off) {
			/*
			 * moving, nothing held, held only since this look, or
			 * the real end holds the reader back: the clock starts
			 */
			c->last_out[i] = out;
			c->last_in[i] = in;
			c->since[i] = now;
			continue;
		}
		c->last_in[i] = in;
		if (now - c->since[i] >= limit) {
			*dir = i;
			return true;
		}
	}
	return false;
}

void sslvd_ips_conn_close(struct sslvd_ips *ips, struct sslvd_ips_conn *c)
{
	if (c->relaying) {
		sslvd_relay_fini(&c->r[0]);
		sslvd_relay_fini(&c->r[1]);
		c->relaying = false;
	}
	if (c->l) {
		listener_put(ips, c->l);
		c->l = NULL;
		ips->flows--;
	}
}

/* ---- health ---------------------------------------------------------------- */

static void probe_start(struct sslvd_ips *ips, uint64_t now)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int one = 1, fd;

	if (ips->probe_fd >= 0 || !ips->ready)
		return;
	inet_pton(AF_INET, SSLVD_IPS_PROBE_SRC, &src.sin_addr);
	inet_pton(AF_INET, SSLVD_IPS_PROBE_DST, &dst.sin_addr);
	dst.sin_port = htons(SSLVD_IPS_PROBE_PORT);
	ips->probe_l = listener_get(ips, SSLVD_IPS_PROBE_PORT, 0);
	fd = ipsnet_socket(&ips->net, IPSNET_OUT, AF_INET,
			   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!ips->probe_l || fd < 0 ||
	    setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno != EINPROGRESS)) {
		sslvd_log("ips: probe: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		listener_put(ips, ips->probe_l);
		ips->probe_l = NULL;
		ips->next_probe_ns = now + 1000000000ULL;
		return;
	}
	ips->probe_fd = fd;
	ips->probe_start_ns = now;
}

void sslvd_ips_suspect(struct sslvd_ips *ips)
{
	probe_start(ips, sslvd_now_ns());
}

/*
 * went_down: the IPS is down for WHY (LINK: 1 + the side whose link is down,
 * or 0). Logged once per change; a link that goes down while a lost probe
 * already had the IPS down is logged too, as that is what an operator must
 * fix. Returns 0 when DOWN is to be reported, -1 when it was already.
 */
static int went_down(struct sslvd_ips *ips, uint64_t now, const char *why, int link)
{
	bool was_down = !ips->up && !ips->unknown;

	ips->next_probe_ns = now + 1000000000ULL;
	if (was_down && (!link || link == ips->down_link))
		return -1;
	ips->up = false;
	ips->unknown = false;
	ips->down_link = link;
	sslvd_log("ips: %s: down", why);
	return was_down ? -1 : 0;
}

int sslvd_ips_health(struct sslvd_ips *ips, uint64_t now)
{
	uint64_t limit = (uint64_t)ips->conf.timeout_ms * 1000000ULL;
	char why[96];
	int i;

	if (!ips->ready)
		return -1;
	if (ips->changed) {
		ips->changed = false;
		return ips->up ? 1 : 0;
	}
	if (now >= ips->next_link_ns) {
		ips->next_link_ns = now + 200000000ULL;
		for (i = 0; i < 2; i++) {
			if (ipsnet_link_ok(&ips->net, i))
				continue;
			probe_end(ips);
			snprintf(why, sizeof(why), "link %s (or its peer) is down",
				 ips->net.side[i].name);
			return went_down(ips, now, why, i + 1);
		}
		ips->down_link = 0;
	}
	if (ips->probe_fd >= 0 && now - ips->probe_start_ns >= limit) {
		probe_end(ips);
		snprintf(why, sizeof(why), "no probe got through %s and %s within %u ms",
			 ips->conf.out, ips->conf.in, ips->conf.timeout_ms);
		return went_down(ips, now, why, 0);
	}
	if (!ips->up && ips->probe_fd < 0 && now >= ips->next_probe_ns)
		probe_start(ips, now);
	return -1;
}
