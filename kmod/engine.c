// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. Every TCP frame crossing the bridge (or copied to the
 * tap) comes through sslv_engine() and leaves with one verdict:
 *
 *   parse ─ not TCP, or malformed ──────────────────────────────▶ accept
 *     │
 *   a known cut flow's duplicate (pure ACK it has seen) ─ idle time ▶ accept
 *     │
 *   checksums ─ bad ────────────────────────────────────────────▶ accept
 *     │
 *   lookup ─ no flow ─ RST ─────────────────────────────────────▶ accept
 *     │          └──── policy once: cut ─ track ────────────────▶ accept
 *     │                (table full: the same verdicts, untracked)
 *     │                          drop  ─ remember ──────────────▶ drop
 *     │                          reject ─ SYN: one RST to source ▶ drop
 *     │                                 └ else: RST both ends ──▶ drop
 *     ├─ tombstone (rejected) ─ RST back to the sender ─────────▶ drop
 *     ├─ drop verdict ──────────────────────────────────────────▶ drop
 *     │    (a new SYN on a finished, rejected or dropped flow: a
 *     │     new flow in its place, decided as above)
 *     ├─ cut, handshake unread ─ handshake.c: reject ─ RST both ▶ drop
 *     │                                       drop ───────────▶ drop
 *     └─ cut ─ track seq/ack, port, MAC, TTL per direction ─────▶ accept
 *
 * A flow whose first matching rule has TLS attributes is "pending": cut
 * until handshake.c has read enough of its handshake to decide it.
 *
 * Every RST that reaches the hook is explained by lib/rst.c from the flow's
 * state before it (or as "no-flow"), counted by class and reported on the
 * event group; so is every RST sslv sends for a reject, with its reason.
 *
 * The fast path. Most frames of a flow are ACKs; of a bulk transfer's
 * receiver, or of a flood, many repeat what the flow has seen from their
 * sender: the same seq, ack, window and TTL, from the same port and MAC,
 * and nothing else. Such a frame of a cut flow changes nothing but the
 * flow's idle time, so it is looked up without the flow lock (the values
 * are read, then the flow's id is re-checked), its checksums are not
 * computed (nothing learns from it), and its idle time is refreshed with
 * one store. Every other frame has its checksums checked, and the flow is
 * looked up again, locked.
 *
 * In tap mode the same decisions are taken and counted, nothing is sent and
 * every copy is accepted. A tap cannot stop what it rejects, so a rejected
 * SYN leaves a tombstone there (its SYN-ACK is not decided again) and what a
 * tombstone sees next draws no would-be RST: inline it would not exist.
 */
#include <linux/etherdevice.h>
#include <linux/tcp.h>

#include "packet.h"

#define SSLV_DEFAULT_TTL 64

struct sslv_ctx {
	struct sslv_net *sn;
	struct sk_buff *skb;
	struct net_device *in;
	struct sslv_pkt p;
	bool tap;
};

static bool sslv_client_is_b(const struct sslv_flow *f)
{
	return f->flags & SSLV_FF_CLIENT_B;
}

/* Which end of @f sent @p. */
static int sslv_pkt_dir(const struct sslv_flow *f, const struct sslv_pkt *p)
{
	return p->src_is_b == sslv_client_is_b(f) ? SSLV_DIR_ORIG :
						     SSLV_DIR_REPLY;
}

/* Address and port of end @dir (client or server) of @f. */
static void sslv_flow_end(const struct sslv_flow *f, int dir,
			  struct in6_addr *addr, __be16 *port)
{
	bool b = (dir == SSLV_DIR_ORIG) == sslv_client_is_b(f);

	*addr = b ? f->key.b : f->key.a;
	*port = b ? f->key.port_b : f->key.port_a;
}

static void sslv_flow_learn(struct sslv_flow *f, int dir,
			    const struct sslv_pkt *p,
			    const struct net_device *in)
{
	f->ifindex[dir] = in->ifindex;
	memcpy(f->mac[dir], p->smac, ETH_ALEN);
}

/*
 * The RST toward end @x of @f, impersonating the other end: seq is what the
 * other end has sent (x's rcv_nxt), ack what x has sent. When the other end
 * has never spoken, x's own ack stands for its rcv_nxt.
 */
static void sslv_rst_from_flow(const struct sslv_flow *f, int x,
			       struct sslv_rst *r)
{
	int y = !x;

	memset(r, 0, sizeof(*r));
	r->family = f->key.family;
	r->vlan = f->key.vlan;
	r->ifindex = f->ifindex[x];
	r->from_ifindex = f->ifindex[y];
	memcpy(r->dmac, f->mac[x], ETH_ALEN);
	memcpy(r->smac, f->mac[y], ETH_ALEN);
	sslv_flow_end(f, x, &r->daddr, &r->dport);
	sslv_flow_end(f, y, &r->saddr, &r->sport);
	if (f->tcp.flags & SSLV_TCP_F_SEEN(y)) {
		r->seq = f->tcp.d[y].next;
		r->ttl = f->tcp.d[y].ttl;
	} else {
		r->seq = f->tcp.d[x].ack;
		r->ttl = SSLV_DEFAULT_TTL;
	}
	if (f->tcp.flags & SSLV_TCP_F_SEEN(x))
		r->ack = f->tcp.d[x].next;
	else
		r->ack = f->tcp.d[y].ack;
}

/*
 * The RST back to the sender of @p: RFC 793's reply to a segment, seq from
 * its ack, ack covering it. @ttl is the TTL of the end it impersonates.
 */
static void sslv_rst_from_pkt(const struct sslv_ctx *c, u8 ttl,
			      struct sslv_rst *r)
{
	const struct sslv_pkt *p = &c->p;
	bool b = p->src_is_b;

	memset(r, 0, sizeof(*r));
	r->family = p->key.family;
	r->vlan = p->key.vlan;
	r->ifindex = c->in->ifindex;
	r->ttl = ttl;
	memcpy(r->dmac, p->smac, ETH_ALEN);
	memcpy(r->smac, p->dmac, ETH_ALEN);
	r->daddr = b ? p->key.b : p->key.a;
	r->dport = b ? p->key.port_b : p->key.port_a;
	r->saddr = b ? p->key.a : p->key.b;
	r->sport = b ? p->key.port_a : p->key.port_b;
	r->seq = (p->seg.flags & SSLV_TH_ACK) ? p->seg.ack : 0;
	r->ack = p->seg.seq + sslv_seg_span(&p->seg);
}

/* Count an RST seen on the wire by its classes, and report it. */
static void sslv_rst_seen(struct sslv_net *sn, const struct sslv_flow *f,
			  const struct sslv_rst_info *ri,
			  const struct sslv_seg *rst)
{
	BUILD_BUG_ON(SSLV_ST_rst_no_flow - SSLV_ST_rst_handshake_refused !=
		     SSLV_RST_NO_FLOW);

	sslv_inc(sn, rst_seen);
	this_cpu_inc(sn->stats->v[SSLV_ST_rst_handshake_refused + ri->phase]);
	if (ri->kind == SSLV_RST_KIND_BARE)
		sslv_inc(sn, rst_bare);
	if (ri->ttl == SSLV_RST_TTL_ANOMALY)
		sslv_inc(sn, rst_ttl_anomaly);
	if (ri->seq_fit == SSLV_SEQ_EXACT)
		sslv_inc(sn, rst_seq_exact);
	else if (ri->seq_fit == SSLV_SEQ_IN_WINDOW)
		sslv_inc(sn, rst_seq_in_window);
	else if (ri->seq_fit == SSLV_SEQ_OUTSIDE)
		sslv_inc(sn, rst_seq_outside);
	if (ri->causes & SSLV_RST_C_IDLE)
		sslv_inc(sn, rst_idle);
	if (ri->causes & SSLV_RST_C_REXMIT)
		sslv_inc(sn, rst_rexmit);
	sslv_event_rst(sn, f, ri, rst);
}

/* Explain an RST crossing a known flow, sent by @dir, before it is learnt. */
static void sslv_rst_explain_flow(struct sslv_ctx *c, const struct sslv_flow *f,
				  int dir)
{
	struct sslv_rst_info ri;

	ri = sslv_rst_classify(&f->tcp, dir, &c->p.seg, sslv_now_ms(),
			       &c->sn->rst_cfg, SSLV_R_NONE);
	sslv_rst_seen(c->sn, f, &ri, &c->p.seg);
}

/* Report an RST sslv sends toward end @x of @f, impersonating the other. */
static void sslv_rst_own(struct sslv_net *sn, const struct sslv_flow *f,
			 int x, const struct sslv_rst *r, u8 reason)
{
	struct sslv_seg seg = {
		.seq = r->seq, .ack = r->ack, .ttl = r->ttl,
		.flags = SSLV_TH_RST | SSLV_TH_ACK,
		.wscale = SSLV_WSCALE_NONE,
	};
	struct sslv_rst_info ri;

	ri = sslv_rst_classify(&f->tcp, !x, &seg, sslv_now_ms(), &sn->rst_cfg,
			       reason);
	sslv_event_rst(sn, f, &ri, &seg);
}

/* Send (or, on the tap, count) one RST. Returns true if it went out. */
static bool sslv_send(struct sslv_ctx *c, const struct sslv_rst *r)
{
	struct sslv_net *sn = c->sn;

	if (c->tap) {
		sslv_inc(sn, tap_would_rst);
		return false;
	}
	if (!sslv_rate_take(&sn->rst_rate)) {
		sslv_inc(sn, rst_ratelimited);
		return false;
	}
	switch (sslv_rst_xmit(sn->net, r)) {
	case 0:
		sslv_inc(sn, rst_sent);
		return true;
	case -EINVAL:
		sslv_inc(sn, rst_not_answered);
		break;
	case -ENODEV:
		sslv_inc(sn, rst_no_port);
		break;
	case -EPERM:
		sslv_inc(sn, rst_egress_blocked);
		break;
	default:
		sslv_inc(sn, rst_alloc_fail);
		break;
	}
	return false;
}

static unsigned int sslv_verdict_drop(const struct sslv_ctx *c)
{
	return c->tap ? NF_ACCEPT : NF_DROP;
}

/* Reset both ends of @f; called with f->lock held, releases it. */
static unsigned int sslv_reject_flow(struct sslv_ctx *c, struct sslv_flow *f,
				     u8 reason, u32 rule_id)
{
	struct sslv_net *sn = c->sn;
	struct sslv_rst r[2];
	int sent = 0, n = 2, i;

	/*
	 * A diverted flow's ends talk TCP with sslvd's sockets, whose RSTs
	 * carry each leg's own numbers: told by the event, sslvd aborts them
	 * (the client's alone at the hello, when there is no server leg yet),
	 * and divert.c counts those RSTs here. With no sslvd left, only the
	 * client leg, which the tracker follows, can be reset from here.
	 */
	if (f->flags & SSLV_FF_DIVERT)
		n = READ_ONCE(sn->dec.portid) ? 0 : 1;
	f->verdict = SSLV_ACT_REJECT;
	f->flags &= ~SSLV_FF_PENDING;
	sslv_hs_release(sn, f);		/* an operator's reject mid-handshake */
	sslv_rst_from_flow(f, SSLV_DIR_ORIG, &r[0]);
	sslv_rst_from_flow(f, SSLV_DIR_REPLY, &r[1]);
	sslv_event_flow(sn, f, SSLV_EV_FLOW_REJECTED, reason, rule_id);
	/*
	 * Closed by sslv's first RST: what follows is after teardown, the
	 * second RST included, as a capture of both shows it.
	 */
	for (i = 0; i < n; i++) {
		if (!c->tap)
			sslv_rst_own(sn, f, i, &r[i], reason);
		f->tcp.state = SSLV_FS_CLOSED;
		f->tcp.flags |= SSLV_TCP_F_RST;
	}
	f->tcp.last_ms = sslv_now_ms();	/* the tombstone's life starts */
	sslv_flow_gc_note(sn, f);
	spin_unlock(&f->lock);

	sslv_inc(sn, flows_rejected);
	if (c->tap)
		sslv_inc(sn, tap_would_reject);
	for (i = 0; i < n; i++)
		sent += sslv_send(c, &r[i]);
	sslv_add(sn, T_ssl_policy_reject, sent);
	return sslv_verdict_drop(c);
}

void sslv_engine_reject(struct sslv_net *sn, struct sslv_flow *f, u8 reason,
			u32 rule_id)
{
	struct sslv_ctx c = { .sn = sn, .tap = f->flags & SSLV_FF_TAP };

	rcu_read_lock();
	sslv_reject_flow(&c, f, reason, rule_id);
	rcu_read_unlock();
}

/* A packet of a rejected flow: an RST back to its sender, never to an RST. */
static unsigned int sslv_turnaround(struct sslv_ctx *c, struct sslv_flow *f)
{
	int dir = sslv_pkt_dir(f, &c->p);
	struct sslv_rst r;
	u8 ttl = f->tcp.d[!dir].ttl ?: SSLV_DEFAULT_TTL;
	int from = f->ifindex[!dir];

	if (c->p.seg.flags & SSLV_TH_RST)
		sslv_rst_explain_flow(c, f, dir);
	spin_unlock(&f->lock);
	/*
	 * The tap cannot stop a flow it rejects: what the ends send next
	 * would never have existed inline, so it draws no would-be RST.
	 */
	if (c->tap)
		return NF_ACCEPT;
	if (c->p.seg.flags & SSLV_TH_RST) {
		sslv_inc(c->sn, rst_not_answered);
		return sslv_verdict_drop(c);
	}
	sslv_rst_from_pkt(c, ttl, &r);
	r.from_ifindex = from;
	if (sslv_send(c, &r))
		sslv_inc(c->sn, rst_turnaround);
	return sslv_verdict_drop(c);
}

/*
 * Which side of a new flow is the client: the sender of a SYN, the receiver
 * of a SYN-ACK; mid-stream, the end with the ephemeral port when the other
 * has a well-known one (< 1024), else the first sender.
 */
static bool sslv_sender_is_client(const struct sslv_seg *s, __be16 sport,
				  __be16 dport)
{
	u8 synack = s->flags & (SSLV_TH_SYN | SSLV_TH_ACK);

	if (synack == SSLV_TH_SYN)
		return true;
	if (synack == (SSLV_TH_SYN | SSLV_TH_ACK))
		return false;
	return !(ntohs(sport) < 1024 && ntohs(dport) >= 1024);
}

static void sslv_match_key_set(const struct sslv_ctx *c, bool sender_client,
			       struct sslv_match_key *k)
{
	const struct sslv_pkt *p = &c->p;
	bool client_b = sender_client == p->src_is_b;
	unsigned int alen = p->key.family == AF_INET ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->family = p->key.family;
	k->vlan = p->key.vlan;
	k->iif = c->in->ifindex;
	memcpy(k->src, client_b ? &p->key.b : &p->key.a, alen);
	memcpy(k->dst, client_b ? &p->key.a : &p->key.b, alen);
	k->sport = ntohs(client_b ? p->key.port_b : p->key.port_a);
	k->dport = ntohs(client_b ? p->key.port_a : p->key.port_b);
}

/*
 * Describe @f as opened by the sender of @c's packet: its client, learnt
 * from the packet. For flows sslv keeps no state for (a rejected SYN, an RST
 * of no flow) and for the tap's tombstones.
 */
static void sslv_flow_from_pkt(struct sslv_ctx *c, struct sslv_flow *f)
{
	f->key = c->p.key;
	if (c->p.src_is_b)
		f->flags |= SSLV_FF_CLIENT_B;
	sslv_flow_learn(f, SSLV_DIR_ORIG, &c->p, c->in);
}

/* ... and rejected at that packet, its SYN. */
static void sslv_flow_syn_rejected(struct sslv_ctx *c, struct sslv_flow *f)
{
	sslv_flow_from_pkt(c, f);
	f->verdict = SSLV_ACT_REJECT;
	sslv_tcp_init(&f->tcp, SSLV_DIR_ORIG, &c->p.seg, sslv_now_ms());
}

/* A rejected SYN: one RST+ACK to its source, no flow state kept. */
static unsigned int sslv_reject_syn(struct sslv_ctx *c, u32 rule_id)
{
	struct sslv_net *sn = c->sn;
	struct sslv_flow f = {};
	struct sslv_rst r;

	sslv_rst_from_pkt(c, SSLV_DEFAULT_TTL, &r);
	sslv_inc(sn, syn_rejected);
	if (c->tap)
		sslv_inc(sn, tap_would_reject);
	if (sslv_send(c, &r))
		sslv_inc(sn, T_ssl_policy_reject);

	/* No flow is kept; the event describes one that lived for a SYN. */
	sslv_flow_syn_rejected(c, &f);
	sslv_event_flow(sn, &f, SSLV_EV_FLOW_REJECTED, SSLV_R_RULE, rule_id);
	if (!c->tap)
		sslv_rst_own(sn, &f, SSLV_DIR_ORIG, &r, SSLV_R_RULE);
	return sslv_verdict_drop(c);
}

/*
 * The tap cannot stop a rejected SYN: the connection goes on. A tombstone
 * keeps its SYN-ACK and what follows from being decided again.
 */
static void sslv_tap_tombstone(struct sslv_ctx *c, u32 hash)
{
	struct sslv_flow *f;
	bool created;

	f = sslv_flow_insert(c->sn, &c->p.key, hash, &created);
	if (!f)
		return;
	if (created) {
		f->flags |= SSLV_FF_TAP;
		sslv_flow_syn_rejected(c, f);
		sslv_flow_gc_note(c->sn, f);
	}
	spin_unlock(&f->lock);
}

/*
 * The handshake decided to reject or drop @f at the segment in @c, from
 * side @dir: the trigger is dropped, so the RSTs match the state before it.
 */
static unsigned int sslv_hs_verdict(struct sslv_ctx *c, struct sslv_flow *f,
				    int dir, const struct sslv_decision *d)
{
	sslv_flow_learn(f, dir, &c->p, c->in);
	if (d->action == SSLV_ACT_REJECT) {
		sslv_inc(c->sn, tls_rejected);
		return sslv_reject_flow(c, f, d->reason, d->rule_id);
	}
	f->verdict = SSLV_ACT_DROP;
	spin_unlock(&f->lock);
	sslv_inc(c->sn, tls_dropped);
	return sslv_verdict_drop(c);
}

static unsigned int sslv_new_flow(struct sslv_ctx *c, u32 hash,
				  struct sslv_flow *f);

/*
 * A SYN (without ACK) on the addresses and ports of a known flow that is a
 * new connection, decided afresh in place of the old flow, as conntrack
 * reopens a connection in TIME_WAIT or CLOSE:
 *   - on a finished flow (a FIN or an RST was seen: closing, closed), from
 *     either end: the old connection is over (TIME_WAIT reuse, an aborted
 *     connection whose client reuses its port);
 *   - on a rejected or dropped flow, or one still in syn-sent, from its
 *     client with another ISN: not its own SYN again.
 */
static bool sslv_syn_reopens(const struct sslv_flow *f, const struct sslv_pkt *p)
{
	if ((p->seg.flags & (SSLV_TH_SYN | SSLV_TH_ACK | SSLV_TH_RST)) !=
	    SSLV_TH_SYN)
		return false;
	if (!sslv_act_stops(f->verdict)) {
		if (f->tcp.state == SSLV_FS_CLOSING ||
		    f->tcp.state == SSLV_FS_CLOSED)
			return true;
		if (f->tcp.state != SSLV_FS_SYN_SENT)
			return false;
	}
	return sslv_pkt_dir(f, p) == SSLV_DIR_ORIG &&
	       p->seg.seq + sslv_seg_span(&p->seg) !=
	       f->tcp.d[SSLV_DIR_ORIG].next;
}

static unsigned int sslv_known_flow(struct sslv_ctx *c, struct sslv_flow *f)
{
	struct sslv_decision d;
	bool divert;
	int dir;
	u8 state;

	if (sslv_syn_reopens(f, &c->p))
		return sslv_new_flow(c, 0, f);
	switch (f->verdict) {
	case SSLV_ACT_REJECT:
		return sslv_turnaround(c, f);
	case SSLV_ACT_DROP:
		f->tcp.last_ms = sslv_now_ms();
		spin_unlock(&f->lock);
		sslv_inc(c->sn, drop_rule);
		return sslv_verdict_drop(c);
	}
	dir = sslv_pkt_dir(f, &c->p);
	/* A diverted flow's tracker follows the client leg: see divert.c. */
	divert = f->flags & SSLV_FF_DIVERT;
	if (c->p.seg.flags & SSLV_TH_RST)
		sslv_rst_explain_flow(c, f, dir);
	if (c->p.seg.len && !(f->flags & SSLV_FF_HS_DONE) &&
	    !(divert && dir == SSLV_DIR_REPLY) &&
	    sslv_hs_segment(c->sn, f, dir, c->skb, &c->p, &d))
		return sslv_hs_verdict(c, f, dir, &d);
	sslv_flow_learn(f, dir, &c->p, c->in);
	if (divert && dir == SSLV_DIR_REPLY) {
		f->tcp.last_ms = sslv_now_ms();
	} else {
		state = f->tcp.state;
		sslv_tcp_update(&f->tcp, dir, &c->p.seg, sslv_now_ms());
		if (f->tcp.state != state)
			sslv_flow_gc_note(c->sn, f);
	}
	spin_unlock(&f->lock);
	return divert ? sslv_divert_up(c->sn, c->skb, c->in, c->p.key.vlan) :
			NF_ACCEPT;
}

/* An RST of no known flow: explained as such, never creates one. */
static unsigned int sslv_rst_no_flow(struct sslv_ctx *c)
{
	struct sslv_flow f = {};
	struct sslv_rst_info ri;

	sslv_flow_from_pkt(c, &f);
	f.tcp.d[SSLV_DIR_ORIG].ttl = c->p.seg.ttl;
	f.tcp.state = SSLV_FS_CLOSED;
	f.tcp.last_ms = sslv_now_ms();
	ri = sslv_rst_classify(NULL, SSLV_DIR_ORIG, &c->p.seg, f.tcp.last_ms,
			       &c->sn->rst_cfg, SSLV_R_NONE);
	sslv_rst_seen(c->sn, &f, &ri, &c->p.seg);
	return NF_ACCEPT;
}

/*
 * A flow's first packet, or (@f, locked) the SYN that reopens a finished
 * flow, which is renewed in place under its key: the old flow ends there
 * (its session is logged if its handshake was still being read, then
 * SSLV_EV_FLOW_ENDED with reason "reopened"), and the new one has a new id,
 * its own state and its own decision. A rejected SYN keeps no state: the
 * old flow then stays as it was.
 */
static unsigned int sslv_new_flow(struct sslv_ctx *c, u32 hash,
				  struct sslv_flow *f)
{
	struct sslv_pkt *p = &c->p;
	struct sslv_net *sn = c->sn;
	struct sslv_flow untracked __uninitialized;	/* cleared if used */
	struct sslv_match_key mk;
	struct sslv_decision d;
	bool client, created, divert;
	int dir;

	if (p->seg.flags & SSLV_TH_RST)
		return sslv_rst_no_flow(c);

	client = sslv_sender_is_client(&p->seg,
			p->src_is_b ? p->key.port_b : p->key.port_a,
			p->src_is_b ? p->key.port_a : p->key.port_b);
	sslv_match_key_set(c, client, &mk);
	sslv_policy_decide(sn, &mk, &d);
	divert = sslv_divert_wanted(sn, c->tap, p, &mk, &d);
	sslv_decrypt_resolve(sn, divert, &d);

	if (d.action == SSLV_ACT_REJECT &&
	    (p->seg.flags & (SSLV_TH_SYN | SSLV_TH_ACK)) == SSLV_TH_SYN) {
		if (f)			/* the old flow's tombstone stays */
			spin_unlock(&f->lock);
		else if (c->tap)
			sslv_tap_tombstone(c, hash);
		return sslv_reject_syn(c, d.rule_id);
	}

	if (f) {
		sslv_hs_release(sn, f);
		sslv_event_flow(sn, f, SSLV_EV_FLOW_ENDED, SSLV_R_REOPENED, 0);
		sslv_inc(sn, flows_reopened);
		sslv_flow_renew(sn, f);
	} else {
		f = sslv_flow_insert(sn, &p->key, hash, &created);
		if (!f) {
			/*
			 * No room (flows_untracked): the packet is decided as
			 * the first of a flow that is forgotten at once, so
			 * that a drop or a reject holds untracked too. Each
			 * packet of such a flow is decided again.
			 */
			f = &untracked;
			memset(f, 0, sizeof(*f));
			f->key = p->key;
			spin_lock_init(&f->lock);
			spin_lock(&f->lock);
		} else if (!created) {	/* another CPU was first */
			return sslv_known_flow(c, f);
		}
	}
	if (client == p->src_is_b)
		f->flags |= SSLV_FF_CLIENT_B;
	if (c->tap)
		f->flags |= SSLV_FF_TAP;
	dir = client ? SSLV_DIR_ORIG : SSLV_DIR_REPLY;
	sslv_tcp_init(&f->tcp, dir, &p->seg, sslv_now_ms());
	/* The collector expects new flows in the handshake or established. */
	if (f != &untracked && f->tcp.state >= SSLV_FS_CLOSING)
		sslv_flow_gc_note(sn, f);
	/* Until the peer speaks, its MAC is where this frame was going. */
	memcpy(f->mac[!dir], p->dmac, ETH_ALEN);
	if ((f->tcp.flags & SSLV_TCP_F_MIDSTREAM) || f == &untracked) {
		/* Its handshake cannot be read: pending rules decide now. */
		if (f != &untracked)
			sslv_inc(sn, flows_midstream);
		f->flags |= SSLV_FF_HS_DONE;
		if (d.pending) {
			sslv_policy_decide_tls(sn, &mk, &sslv_tls_view_none,
					       &d);
			sslv_decrypt_resolve(sn, false, &d);
		}
	} else if (d.pending) {
		f->flags |= SSLV_FF_PENDING;
	} else if (!d.rule_id) {
		f->flags |= SSLV_FF_DEFAULT;
	}
	if (divert && f != &untracked && sslv_divert_claim(sn, f, c->in)) {
		sslv_inc(sn, decrypt_diverted);
		/* Decided now: sslvd reads it, and its report logs it. */
		if (d.action == SSLV_ACT_DECRYPT)
			f->flags |= SSLV_FF_HS_DONE;
	} else if (divert) {
		sslv_decrypt_resolve(sn, false, &d);
	}
	if (d.action == SSLV_ACT_DECRYPT)
		f->verdict = SSLV_ACT_DECRYPT;

	switch (d.action) {
	case SSLV_ACT_REJECT:
		/*
		 * Mid-stream: the peer's port is not known yet, so its RST
		 * goes to the bridge, which forwards it by its MAC table.
		 * The trigger is dropped, so neither end has seen it: the
		 * state before it is the state the RSTs must match.
		 */
		f->ifindex[dir] = c->in->ifindex;
		memcpy(f->mac[dir], p->smac, ETH_ALEN);
		if (!f->ifindex[!dir]) {
			struct net_device *br;

			br = netdev_master_upper_dev_get_rcu(c->in);
			f->ifindex[!dir] = br ? br->ifindex : 0;
		}
		f->tcp.d[dir].next = p->seg.seq;
		return sslv_reject_flow(c, f, SSLV_R_RULE, d.rule_id);
	case SSLV_ACT_DROP:
		f->verdict = SSLV_ACT_DROP;
		spin_unlock(&f->lock);
		sslv_inc(sn, drop_rule);
		return sslv_verdict_drop(c);
	default:
		/* A SYN's payload (TCP Fast Open) opens the handshake. */
		if (p->seg.len && !(f->flags & SSLV_FF_HS_DONE) &&
		    sslv_hs_segment(sn, f, dir, c->skb, p, &d))
			return sslv_hs_verdict(c, f, dir, &d);
		sslv_flow_learn(f, dir, p, c->in);
		divert = f->flags & SSLV_FF_DIVERT;
		spin_unlock(&f->lock);
		return divert ? sslv_divert_up(sn, c->skb, c->in, p->key.vlan) :
				NF_ACCEPT;
	}
}

/*
 * Whether @f, peeked at without its lock, has seen @c's frame already: a
 * cut flow, not diverted (its frames go up to sslvd), established, and the
 * frame a pure ACK repeating what its sender last sent, from where it last
 * came. Then the frame changes nothing but the flow's idle time.
 */
static bool sslv_seen_before(const struct sslv_ctx *c,
			     const struct sslv_flow *f)
{
	const struct sslv_seg *s = &c->p.seg;
	const struct sslv_tcp_dir *d;
	int dir;

	if (s->flags != SSLV_TH_ACK || s->len ||
	    READ_ONCE(f->verdict) != SSLV_ACT_CUT ||
	    (READ_ONCE(f->flags) & SSLV_FF_DIVERT) ||
	    READ_ONCE(f->tcp.state) != SSLV_FS_ESTABLISHED)
		return false;
	dir = sslv_pkt_dir(f, &c->p);
	d = &f->tcp.d[dir];
	return (READ_ONCE(f->tcp.flags) & SSLV_TCP_F_SEEN(dir)) &&
	       READ_ONCE(d->next) == s->seq && READ_ONCE(d->ack) == s->ack &&
	       READ_ONCE(d->win) == s->win && READ_ONCE(d->ttl) == s->ttl &&
	       READ_ONCE(f->ifindex[dir]) == c->in->ifindex &&
	       ether_addr_equal(f->mac[dir], c->p.smac);
}

/*
 * The fast path (see the top of this file). True if it took the frame;
 * else *@peeked is the flow it found unlocked, if any, and @absent says
 * whether the table surely has no flow of the frame's key.
 */
static bool sslv_fast_path(struct sslv_ctx *c, u32 hash,
			   struct sslv_flow **peeked, bool *absent)
{
	struct sslv_flow *f;
	u32 id, now;

	f = sslv_flow_peek(c->sn, &c->p.key, hash, &id, absent);
	*peeked = f;
	if (!f || !sslv_seen_before(c, f) ||
	    !sslv_flow_peek_valid(c->sn, f, id))
		return false;
	/*
	 * Racing a locked writer, or a reuse of the flow just now, this
	 * store sets the time of a packet seen now anyway.
	 */
	now = sslv_now_ms();
	if (READ_ONCE(f->tcp.last_ms) != now)
		WRITE_ONCE(f->tcp.last_ms, now);
	return true;
}

unsigned int sslv_engine(struct sslv_net *sn, struct sk_buff *skb,
			 struct net_device *in, bool tap)
{
	struct sslv_ctx c __uninitialized;
	struct sslv_flow *f;
	bool absent;
	u32 hash;

	/* Not zeroed, even by INIT_STACK_ALL_ZERO: sslv_parse() fills c.p. */
	c.sn = sn;
	c.skb = skb;
	c.in = in;
	c.tap = tap;

	/* The attached IPS's frames: sslvd's, with the diverted flows' keys. */
	if (!tap && unlikely(rcu_access_pointer(sn->ips.cfg)) &&
	    sslv_ips_port(sn, in))
		return NF_ACCEPT;
	switch (sslv_parse(skb, in, READ_ONCE(sn->vlan_bridges), &c.p)) {
	case SSLV_PARSE_TCP:
		break;
	case SSLV_PARSE_BAD_L2:
		sslv_inc(sn, malformed_l2);
		return NF_ACCEPT;
	case SSLV_PARSE_BAD_IP:
		sslv_inc(sn, malformed_ip);
		return NF_ACCEPT;
	case SSLV_PARSE_BAD_TCP:
		sslv_inc(sn, malformed_tcp);
		return NF_ACCEPT;
	case SSLV_PARSE_VLAN_UNSUPPORTED:
		sslv_inc(sn, vlan_unsupported);
		return NF_ACCEPT;
	case SSLV_PARSE_FRAG:
		sslv_inc(sn, frag_tcp);
		return sslv_verdict_drop(&c);
	default:
		return NF_ACCEPT;
	}

	hash = sslv_flow_hash(&c.p.key);
	if (sslv_fast_path(&c, hash, &f, &absent)) {
		sslv_inc(sn, packets);
		return NF_ACCEPT;
	}
	if (!sslv_pkt_csum_ok(skb, &c.p)) {
		sslv_inc(sn, bad_csum);
		return NF_ACCEPT;
	}
	sslv_inc(sn, packets);

	/*
	 * The flow the fast path found is locked and checked again, without
	 * walking its chain again; a new flow's chain is walked once more,
	 * by the insertion.
	 */
	if (f && !sslv_flow_lock_peeked(sn, f, &c.p.key)) {
		f = NULL;
		absent = false;
	}
	if (!f && !absent)
		f = sslv_flow_find(sn, &c.p.key, hash);
	if (!f)
		return sslv_new_flow(&c, hash, NULL);
	return sslv_known_flow(&c, f);
}
