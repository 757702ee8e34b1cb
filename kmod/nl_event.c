// SPDX-License-Identifier: GPL-2.0
/*
 * Events multicast on the "events" group: flow verdicts, explained RSTs
 * and the session log. Built in atomic context on the packet path, sent
 * only while the family is registered and someone listens.
 *
 * Every event is numbered (SSLV_A_EVENT_SEQ) and sized to what it carries.
 * One that cannot be built, or that a listener's full receive buffer
 * refuses, is counted in events_lost, and its number is never reused: each
 * listener sees its losses as a gap, which sslvctl monitor reports.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

bool sslv_events_on __read_mostly;

/* Attribute room: the SSLV_A_FLOW nest, the SSLV_A_RST nest. */
#define SSLV_EV_FLOW_SIZE	(nla_total_size(0) + 2 * nla_total_size(16) + \
				 15 * nla_total_size(4))
#define SSLV_EV_RST_SIZE	(nla_total_size(0) + 14 * nla_total_size(4))
/* Every event's own attributes: EVENT, EVENT_SEQ, REASON, RULE_ID. */
#define SSLV_EV_HDR_SIZE	(4 * nla_total_size(4))

/*
 * A numbered event of @size bytes of attributes besides its own, or NULL
 * (no one listens, or it is lost). Under rcu_read_lock().
 */
static struct sk_buff *sslv_event_new(struct sslv_net *sn, u8 event,
				      size_t size, void **hdr)
{
	struct sk_buff *skb;
	u32 seq;

	if (!READ_ONCE(sslv_events_on) ||
	    !genl_has_listeners(&sslv_family, sn->net, 0))
		return NULL;
	seq = atomic_inc_return(&sn->event_seq);
	sslv_inc(sn, events);
	skb = genlmsg_new(SSLV_EV_HDR_SIZE + size, GFP_ATOMIC);
	if (!skb)
		goto lost;
	*hdr = genlmsg_put(skb, 0, 0, &sslv_family, 0, SSLV_CMD_EVENT);
	if (!*hdr || nla_put_u8(skb, SSLV_A_EVENT, event) ||
	    nla_put_u32(skb, SSLV_A_EVENT_SEQ, seq))
		goto lost_free;
	return skb;
lost_free:
	nlmsg_free(skb);
lost:
	sslv_inc(sn, events_lost);
	return NULL;
}

/* The event could not be filled (a size above is wrong): lost. */
static void sslv_event_drop(struct sslv_net *sn, struct sk_buff *skb)
{
	WARN_ON_ONCE(1);
	nlmsg_free(skb);
	sslv_inc(sn, events_lost);
}

static void sslv_event_send(struct sslv_net *sn, struct sk_buff *skb,
			    void *hdr)
{
	genlmsg_end(skb, hdr);
	if (genlmsg_multicast_netns(&sslv_family, sn->net, skb, 0, 0,
				    GFP_ATOMIC) == -ENOBUFS)
		sslv_inc(sn, events_lost);
}

void sslv_event_flow(struct sslv_net *sn, const struct sslv_flow *f, u8 event,
		     u8 reason, u32 rule_id)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = sslv_event_new(sn, event, SSLV_EV_FLOW_SIZE, &hdr);
	if (!skb)
		goto out;
	if (nla_put_u8(skb, SSLV_A_REASON, reason) ||
	    (rule_id && nla_put_u32(skb, SSLV_A_RULE_ID, rule_id)) ||
	    sslv_nl_flow_fill(skb, f)) {
		sslv_event_drop(sn, skb);
		goto out;
	}
	sslv_event_send(sn, skb, hdr);
out:
	rcu_read_unlock();
}

static int sslv_nl_rst_fill(struct sk_buff *skb, const struct sslv_rst_info *ri,
			    const struct sslv_seg *rst)
{
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_RST);

	if (!nest ||
	    nla_put_u8(skb, SSLV_RST_PHASE, ri->phase) ||
	    nla_put_u8(skb, SSLV_RST_SENDER, ri->sender) ||
	    nla_put_u8(skb, SSLV_RST_KIND, ri->kind) ||
	    nla_put_u8(skb, SSLV_RST_TTL, ri->ttl) ||
	    nla_put_u8(skb, SSLV_RST_TTL_SEEN, ri->ttl_seen) ||
	    nla_put_u8(skb, SSLV_RST_TTL_EXPECTED, ri->ttl_expected) ||
	    nla_put_u8(skb, SSLV_RST_SEQ_FIT, ri->seq_fit) ||
	    nla_put_u8(skb, SSLV_RST_CAUSES, ri->causes) ||
	    nla_put_u8(skb, SSLV_RST_REASON, ri->reason) ||
	    nla_put_u8(skb, SSLV_RST_REXMIT, ri->rexmit) ||
	    nla_put_u8(skb, SSLV_RST_FLOW_FLAGS, ri->flow_flags) ||
	    nla_put_u32(skb, SSLV_RST_IDLE_MS, ri->idle_ms) ||
	    nla_put_u32(skb, SSLV_RST_SEQ, rst->seq) ||
	    nla_put_u32(skb, SSLV_RST_ACK, rst->ack))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One RST explained; @f is locked or private to the caller. */
void sslv_event_rst(struct sslv_net *sn, const struct sslv_flow *f,
		    const struct sslv_rst_info *ri, const struct sslv_seg *rst)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(sslv_events_on) ||
	    !genl_has_listeners(&sslv_family, sn->net, 0))
		goto out;
	if (!__ratelimit(&sn->rst_events)) {
		sslv_inc(sn, rst_events_suppressed);
		goto out;
	}
	skb = sslv_event_new(sn, SSLV_EV_RST,
			     SSLV_EV_FLOW_SIZE + SSLV_EV_RST_SIZE, &hdr);
	if (!skb)
		goto out;
	if (nla_put_u8(skb, SSLV_A_REASON, ri->reason) ||
	    sslv_nl_flow_fill(skb, f) || sslv_nl_rst_fill(skb, ri, rst)) {
		sslv_event_drop(sn, skb);
		goto out;
	}
	sslv_event_send(sn, skb, hdr);
out:
	rcu_read_unlock();
}

static int sslv_nl_session_fill(struct sk_buff *skb,
				const struct sslv_tls_client *ch,
				const struct sslv_tls_server *sh, u32 classes,
				u8 action, u8 error)
{
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_SESSION);

	if (!nest ||
	    nla_put_u8(skb, SSLV_SESS_ACTION, action) ||
	    nla_put_u8(skb, SSLV_SESS_ERROR, error) ||
	    nla_put_u32(skb, SSLV_SESS_CLASSES, classes))
		return -EMSGSIZE;
	if (ch && ch->max_version &&
	    (nla_put_u16(skb, SSLV_SESS_CLIENT_VERSION, ch->max_version) ||
	     nla_put_u32(skb, SSLV_SESS_CLIENT_FLAGS, ch->flags) ||
	     (ch->sni_len && nla_put(skb, SSLV_SESS_SNI, ch->sni_len, ch->sni)) ||
	     (ch->n_alpn && nla_put(skb, SSLV_SESS_ALPN, ch->alpn[0].len,
				    ch->alpn[0].name))))
		return -EMSGSIZE;
	if (sh && (sh->flags & SSLV_TLS_S_HELLO) &&
	    (nla_put_u16(skb, SSLV_SESS_VERSION, sh->version) ||
	     nla_put_u16(skb, SSLV_SESS_CIPHER, sh->cipher) ||
	     nla_put_u32(skb, SSLV_SESS_SERVER_FLAGS, sh->flags)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The SSLV_A_SESSION nest's room for what it will carry. */
static size_t sslv_session_size(const struct sslv_tls_client *ch)
{
	size_t size = nla_total_size(0) + 8 * nla_total_size(4);

	if (ch && ch->max_version) {
		size += nla_total_size(ch->sni_len);
		if (ch->n_alpn)
			size += nla_total_size(ch->alpn[0].len);
	}
	return size;
}

/* The session log; @f is locked or private to the caller. */
void sslv_event_session(struct sslv_net *sn, const struct sslv_flow *f,
			const struct sslv_tls_client *ch,
			const struct sslv_tls_server *sh, u32 classes, u8 action,
			u8 error, u8 reason, u32 rule_id)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = sslv_event_new(sn, SSLV_EV_SESSION,
			     SSLV_EV_FLOW_SIZE + sslv_session_size(ch), &hdr);
	if (!skb)
		goto out;
	if (nla_put_u8(skb, SSLV_A_REASON, reason) ||
	    (rule_id && nla_put_u32(skb, SSLV_A_RULE_ID, rule_id)) ||
	    sslv_nl_flow_fill(skb, f) ||
	    sslv_nl_session_fill(skb, ch, sh, classes, action, error)) {
		sslv_event_drop(sn, skb);
		goto out;
	}
	sslv_event_send(sn, skb, hdr);
out:
	rcu_read_unlock();
}

/* sslvd's report of one session, as SSLV_A_SESSION attributes: their kind. */
static const u8 sslv_report_attrs[] = {
	[SSLV_SESS_VERSION]	= NLA_U16,
	[SSLV_SESS_CLIENT_VERSION] = NLA_U16,
	[SSLV_SESS_CIPHER]	= NLA_U16,
	[SSLV_SESS_SNI]		= NLA_BINARY,
	[SSLV_SESS_ALPN]	= NLA_BINARY,
	[SSLV_SESS_CLASSES]	= NLA_U32,
	[SSLV_SESS_VERIFY]	= NLA_U32,
	[SSLV_SESS_VERIFIED]	= NLA_U8,
	[SSLV_SESS_CACHE_HIT]	= NLA_U8,
	[SSLV_SESS_KTLS]	= NLA_U8,
	[SSLV_SESS_BYTES_ORIG]	= NLA_U64,
	[SSLV_SESS_BYTES_REPLY]	= NLA_U64,
	[SSLV_SESS_CLOSE]	= NLA_U8,
	[SSLV_SESS_IPS_RSTS]	= NLA_U32,
	[SSLV_SESS_IPS]		= NLA_U8,
};

static int sslv_nl_report_fill(struct sk_buff *skb, struct nlattr **st)
{
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_SESSION);
	u8 action = st[SSLV_SESS_ACTION] ? nla_get_u8(st[SSLV_SESS_ACTION]) :
					   SSLV_ACT_DECRYPT;
	unsigned int i;
	int err = 0;

	if (!nest || nla_put_u8(skb, SSLV_SESS_ACTION, action) ||
	    nla_put_u8(skb, SSLV_SESS_ERROR, SSLV_SESS_E_NONE))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(sslv_report_attrs) && !err; i++) {
		if (!sslv_report_attrs[i] || !st[i])
			continue;
		if (sslv_report_attrs[i] == NLA_U64)
			err = nla_put_u64_64bit(skb, i, nla_get_u64(st[i]),
						SSLV_SESS_PAD);
		else
			err = nla_put(skb, i, nla_len(st[i]), nla_data(st[i]));
	}
	if (err)
		return err;
	nla_nest_end(skb, nest);
	return 0;
}

/* sslvd's end-of-session report; @f is locked or private to the caller. */
void sslv_event_decrypted(struct sslv_net *sn, const struct sslv_flow *f,
			  struct nlattr **st)
{
	size_t size = nla_total_size(0) + 2 * nla_total_size(1);
	struct sk_buff *skb;
	unsigned int i;
	void *hdr;

	for (i = 0; i < ARRAY_SIZE(sslv_report_attrs); i++)
		if (sslv_report_attrs[i] && st[i])
			size += nla_total_size_64bit(nla_len(st[i]));
	rcu_read_lock();
	skb = sslv_event_new(sn, SSLV_EV_SESSION, SSLV_EV_FLOW_SIZE + size,
			     &hdr);
	if (!skb)
		goto out;
	if (nla_put_u8(skb, SSLV_A_REASON, SSLV_R_DECRYPTED) ||
	    sslv_nl_flow_fill(skb, f) || sslv_nl_report_fill(skb, st)) {
		sslv_event_drop(sn, skb);
		goto out;
	}
	sslv_event_send(sn, skb, hdr);
out:
	rcu_read_unlock();
}

/* The attached IPS was set or deleted; under sslv_cfg_mutex. */
void sslv_event_ips(struct sslv_net *sn)
{
	struct sk_buff *skb;
	void *hdr;

	lockdep_assert_held(&sslv_cfg_mutex);
	rcu_read_lock();
	skb = sslv_event_new(sn, SSLV_EV_IPS, SSLV_IPS_NEST_SIZE, &hdr);
	if (!skb)
		goto out;
	if (sslv_nl_ips_fill(skb, &sn->ips)) {
		sslv_event_drop(sn, skb);
		goto out;
	}
	sslv_event_send(sn, skb, hdr);
out:
	rcu_read_unlock();
}
