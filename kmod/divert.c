// SPDX-License-Identifier: GPL-2.0
/*
 * action decrypt: the namespace's decrypting daemon (sslvd), and the
 * diversion of the flows it may decrypt.
 *
 * One netlink socket per namespace registers as sslvd
 * (SSLV_CMD_DECRYPT_REGISTER); the registration ends when that socket
 * closes (netlink.c's NETLINK_URELEASE notifier). While none is
 * registered, a decrypt rule's flow gets SSLV_A_DECRYPT_UNAVAILABLE (cut by
 * default, or reject), counted in decrypt_unavailable.
 *
 * Diversion. A flow whose SYN some decrypt rule's addresses and ports
 * select, while sslvd is registered, is diverted for its whole life
 * (SSLV_FF_DIVERT, decided once, in engine.c):
 *
 *   client ─ SYN ─▶ bridge PRE_ROUTING (engine.c: track, read the hello)
 *                     sslv_divert_up(): VLAN tag off, dest MAC := br0's,
 *                     PACKET_HOST, skb->mark := SSLV_A_DECRYPT_MARK, into
 *                     br0's receive path (past the bridge's own VLAN rules
 *                     for br0, and past br_netfilter)
 *                   br0 ─▶ IP PRE_ROUTING: sslv_divert_in() assigns a SYN to
 *                     sslvd's transparent listener (as nft's tproxy does);
 *                     sslvd's ip rule routes the mark to a local table
 *                   ─▶ sslvd's accepted socket (client leg), or the socket
 *                     bound to the client's address and port (server leg)
 *
 *   sslvd's socket ─▶ IP POST_ROUTING out of br0: sslv_divert_out() takes
 *                     the packet of a diverted flow, gives it the ends' MACs
 *                     (the source the end it stands for) and hands it to
 *                     the bridge for the destination's own port, tagged as
 *                     that port sends the flow's VLAN, as reset.c sends an
 *                     RST; no neighbour lookup, no address on br0
 *
 * sslvd's sockets know a flow by its addresses and ports only: at most one
 * diverted flow has them, whatever its VLAN (sslv_divert_claim()).
 *
 * Both legs share one 4-tuple but not their sequence numbers, so the flow's
 * tracker follows the client leg alone: the client's frames (ORIG, from the
 * bridge hook) and sslvd's frames toward the client (REPLY, learnt here on
 * their way out). The server's frames and sslvd's frames toward the server
 * only keep the flow alive, and teach the server's port and MAC. The hello
 * reader reads the client's bytes as for any flow, and the rules decide
 * decrypt, cut, reject or drop as they would; RSTs the module builds toward
 * the client carry the client leg's numbers.
 *
 * The inet hooks are registered in a namespace at its first registration
 * and stay until the namespace goes (.pre_exit): flows diverted before
 * sslvd left keep being carried, so that the FINs or RSTs its sockets send
 * as they close reach the ends. With no diverted flow they cost a mark
 * compare (in) and a flow lookup for what the box itself sends out of a
 * bridge (out). Flows no decrypt rule names cost one bit test.
 */
#include <linux/etherdevice.h>
#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_tproxy.h>

#include "sslv.h"

void sslv_decrypt_resolve(struct sslv_net *sn, bool diverted,
			  struct sslv_decision *d)
{
	if (d->action != SSLV_ACT_DECRYPT)
		return;
	if (!diverted) {
		sslv_inc(sn, decrypt_unavailable);
		d->action = READ_ONCE(sn->dec.unavailable);
		d->reason = SSLV_R_DECRYPT_UNAVAILABLE;
		return;
	}
	/* The attached IPS is down: SSLV_A_IPS_FAIL (nl_ips.c). */
	if (READ_ONCE(sn->ips.state) != SSLV_IPS_STATE_DOWN ||
	    READ_ONCE(sn->mode) != SSLV_MODE_ACTIVE_INLINE)
		return;
	if (READ_ONCE(sn->ips.fail) == SSLV_IPS_FAIL_CLOSED) {
		sslv_inc(sn, ips_fail_closed);
		d->action = SSLV_ACT_REJECT;
	} else {
		sslv_inc(sn, ips_fail_open);
		d->action = SSLV_ACT_CUT;
	}
	d->reason = SSLV_R_IPS_FAIL;
}

bool sslv_divert_wanted(struct sslv_net *sn, bool tap,
			const struct sslv_pkt *p, const struct sslv_match_key *k,
			const struct sslv_decision *d)
{
	if (!READ_ONCE(sn->dec.portid) || tap ||
	    (p->seg.flags & (SSLV_TH_SYN | SSLV_TH_ACK | SSLV_TH_RST)) !=
	    SSLV_TH_SYN)
		return false;
	if (d->pending)
		return sslv_policy_divert(sn, k);
	return d->action == SSLV_ACT_DECRYPT;
}

/*
 * The diverted flows of each VLAN (0: untagged). sslvd's sockets know a
 * flow by its addresses and ports alone, so at most one diverted flow may
 * have them, whatever its VLAN: sslv_divert_claim() refuses a second, and
 * sslv_divert_out() finds the one by looking in each VLAN that has any.
 */
struct sslv_divert_vlans {
	spinlock_t lock;
	DECLARE_BITMAP(live, VLAN_N_VID);	/* n[v] != 0, read unlocked */
	u32 n[VLAN_N_VID];
};

/*
 * Whether a bridge's ingress lets a frame of VLAN @vlan in by port @in:
 * what it would drop must not go up instead.
 */
static bool sslv_divert_ingress_ok(struct net_device *br,
				   const struct net_device *in, u16 vlan)
{
	struct bridge_vlan_info vi;

	if (!br_vlan_enabled(br))
		return true;
	return vlan && !br_vlan_get_info_rcu(in, vlan, &vi);
}

bool sslv_divert_claim(struct sslv_net *sn, struct sslv_flow *f,
		       struct net_device *in)
{
	struct sslv_divert_vlans *dv = READ_ONCE(sn->dec.vlans);
	struct net_device *br = netdev_master_upper_dev_get_rcu(in);
	struct sslv_flow_key k = f->key;
	struct sslv_flow *o;
	bool absent, busy = false;
	unsigned int v;
	u16 proto;
	u32 id;

	/*
	 * A locked port's frames are let in by its FDB entries, which sslv
	 * cannot read; an 802.1ad bridge reads other tags than sslv does.
	 */
	if (!dv || !br || !netif_is_bridge_master(br) ||
	    br_port_flag_is_set(in, BR_PORT_LOCKED) ||
	    (br_vlan_enabled(br) &&
	     (br_vlan_get_proto(br, &proto) || proto != ETH_P_8021Q)) ||
	    !sslv_divert_ingress_ok(br, in, f->key.vlan))
		return false;
	spin_lock_bh(&dv->lock);
	for_each_set_bit(v, dv->live, VLAN_N_VID) {
		if (v == f->key.vlan)	/* the same key: @f itself */
			continue;
		k.vlan = v;
		o = sslv_flow_peek(sn, &k, sslv_flow_hash(&k), &id, &absent);
		/* A stale look errs on the safe side: not diverted. */
		if (o && (READ_ONCE(o->flags) & SSLV_FF_DIVERT)) {
			busy = true;
			break;
		}
	}
	if (!busy) {
		if (!dv->n[f->key.vlan]++)
			set_bit(f->key.vlan, dv->live);
		f->flags |= SSLV_FF_DIVERT;
	}
	spin_unlock_bh(&dv->lock);
	if (busy)
		sslv_inc(sn, decrypt_tuple_busy);
	return !busy;
}

void sslv_divert_forget(struct sslv_net *sn, const struct sslv_flow *f)
{
	struct sslv_divert_vlans *dv = READ_ONCE(sn->dec.vlans);
	u16 v = f->key.vlan;

	if (!dv || !(f->flags & SSLV_FF_DIVERT))
		return;
	spin_lock_bh(&dv->lock);
	if (!WARN_ON_ONCE(!dv->n[v]) && !--dv->n[v])
		clear_bit(v, dv->live);
	spin_unlock_bh(&dv->lock);
}

/*
 * A diverted frame goes up to the bridge device, marked for sslvd, without
 * its VLAN tag (the flow's key keeps the VLAN): handed to the bridge
 * device's receive path here, as the bridge hands up what is for the box,
 * but past the bridge's own VLAN rules for the box (the bridge device need
 * not be in the VLAN) and past br_netfilter. What the bridge's ingress
 * filtering refuses is left to the bridge, which drops it.
 */
unsigned int sslv_divert_up(struct sslv_net *sn, struct sk_buff *skb,
			    struct net_device *in, u16 vlan)
{
	struct net_device *br = netdev_master_upper_dev_get_rcu(in);

	if (!br || !netif_is_bridge_master(br) ||
	    !sslv_divert_ingress_ok(br, in, vlan))
		return NF_ACCEPT;
	/* The receive path takes one tag off; a second was never diverted. */
	if (eth_type_vlan(skb->protocol) || skb_ensure_writable(skb, 0))
		return NF_DROP;
	__vlan_hwaccel_clear_tag(skb);
	ether_addr_copy(eth_hdr(skb)->h_dest, br->dev_addr);
	skb->pkt_type = PACKET_HOST;
	skb->mark = READ_ONCE(sn->dec.mark);
	skb->dev = br;
	netif_receive_skb(skb);
	return NF_STOLEN;
}

/*
 * IP PRE_ROUTING, for frames sslv_divert_up() marked: a SYN that no socket
 * knows yet goes to sslvd's transparent listener, as nft's tproxy sends it
 * (skb->sk assigned before the route lookup, which the mark makes local).
 * Everything else finds its socket by the ordinary lookup.
 */
static unsigned int sslv_divert_in(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct sslv_net *sn = priv;
	struct tcphdr _th;
	const struct tcphdr *th;
	__be16 port;
	struct sock *sk;
	unsigned int thoff;

	if (!skb->mark || skb->mark != READ_ONCE(sn->dec.mark) ||
	    !state->in || !netif_is_bridge_master(state->in))
		return NF_ACCEPT;
	port = htons(READ_ONCE(sn->dec.port));
	if (state->pf == NFPROTO_IPV4) {
		if (ip_hdr(skb)->protocol != IPPROTO_TCP ||
		    ip_is_fragment(ip_hdr(skb)))
			return NF_ACCEPT;
		thoff = ip_hdrlen(skb);
	} else {
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_TCP)
			return NF_ACCEPT;
		thoff = sizeof(struct ipv6hdr);
	}
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !th->syn || th->ack || th->rst)
		return NF_ACCEPT;

	if (state->pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		sk = nf_tproxy_get_sock_v4(state->net, skb, IPPROTO_TCP,
					   iph->saddr, iph->daddr, th->source,
					   th->dest, state->in,
					   NF_TPROXY_LOOKUP_ESTABLISHED);
		if (sk && sk->sk_state == TCP_TIME_WAIT) {
			/* A new connection on the ports: the listener's. */
			nf_tproxy_twsk_deschedule_put(inet_twsk(sk));
			sk = NULL;
		} else if (sk) {
			sock_gen_put(sk);	/* the lookup will find it */
			return NF_ACCEPT;
		}
		sk = nf_tproxy_get_sock_v4(state->net, skb, IPPROTO_TCP,
					   iph->saddr, iph->daddr, th->source,
					   port, state->in,
					   NF_TPROXY_LOOKUP_LISTENER);
	} else {
#if IS_ENABLED(CONFIG_NF_TPROXY_IPV6)
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		sk = nf_tproxy_get_sock_v6(state->net, skb, thoff, IPPROTO_TCP,
					   &ip6h->saddr, &ip6h->daddr,
					   th->source, th->dest, state->in,
					   NF_TPROXY_LOOKUP_ESTABLISHED);
		if (sk && sk->sk_state == TCP_TIME_WAIT) {
			nf_tproxy_twsk_deschedule_put(inet_twsk(sk));
			sk = NULL;
		} else if (sk) {
			sock_gen_put(sk);
			return NF_ACCEPT;
		}
		sk = nf_tproxy_get_sock_v6(state->net, skb, thoff, IPPROTO_TCP,
					   &ip6h->saddr, &ip6h->daddr,
					   th->source, port, state->in,
					   NF_TPROXY_LOOKUP_LISTENER);
#else
		sk = NULL;
#endif
	}
	if (sk && nf_tproxy_sk_is_transparent(sk))
		nf_tproxy_assign_sock(skb, sk);
	return NF_ACCEPT;
}

/*
 * The flow key and segment of a packet the box sends, at its network
 * header; false if it is no TCP sslv could have diverted.
 */
static bool sslv_divert_parse(struct sk_buff *skb, u8 pf,
			      struct sslv_flow_key *k, bool *src_is_b,
			      struct sslv_seg *s)
{
	const void *saddr, *daddr;
	const struct tcphdr *th;
	unsigned int thoff, end;

	memset(k, 0, sizeof(*k));
	memset(s, 0, sizeof(*s));
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return false;
		k->family = AF_INET;
		saddr = &iph->saddr;
		daddr = &iph->daddr;
		s->ttl = iph->ttl;
		thoff = ip_hdrlen(skb);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (ip6h->nexthdr != IPPROTO_TCP)
			return false;
		k->family = AF_INET6;
		saddr = &ip6h->saddr;
		daddr = &ip6h->daddr;
		s->ttl = ip6h->hop_limit;
		thoff = sizeof(*ip6h);
	}
	thoff += skb_network_offset(skb);
	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return false;
	th = (const struct tcphdr *)(skb->data + thoff);
	end = skb->len;
	if (th->doff * 4 < sizeof(*th) || thoff + th->doff * 4 > end)
		return false;
	/* pskb_may_pull() may have moved the headers: read them again. */
	if (pf == NFPROTO_IPV4) {
		saddr = &ip_hdr(skb)->saddr;
		daddr = &ip_hdr(skb)->daddr;
	} else {
		saddr = &ipv6_hdr(skb)->saddr;
		daddr = &ipv6_hdr(skb)->daddr;
	}
	*src_is_b = sslv_key_set(k, k->family, saddr, daddr, th->source,
				 th->dest);

	s->seq = ntohl(th->seq);
	s->ack = ntohl(th->ack_seq);
	s->win = ntohs(th->window);
	s->len = end - thoff - th->doff * 4;
	s->flags = tcp_flag_byte(th) & (SSLV_TH_FIN | SSLV_TH_SYN |
					SSLV_TH_RST | SSLV_TH_PSH |
					SSLV_TH_ACK);
	s->wscale = SSLV_WSCALE_NONE;
	return true;
}

/* Where a packet of a diverted flow leaves: its port, VLAN, the ends' MACs. */
struct sslv_divert_dst {
	int ifindex, from_ifindex;
	u16 vlan;
	u8 smac[ETH_ALEN], dmac[ETH_ALEN];
};

/* Out of bridge port @dev, tagged as its egress rules say. */
/* Whether @skb left by port @dev: its egress rules or the bridge may hold it back. */
static bool sslv_divert_port_xmit(struct net *net, struct net_device *br,
				  struct net_device *dev, struct sk_buff *skb,
				  const struct sslv_divert_dst *dst)
{
	__be16 vproto;
	bool tag;

	if (sslv_br_egress(net, br, dev, dst->vlan, dst->from_ifindex,
			   &vproto, &tag)) {
		kfree_skb(skb);
		return false;
	}
	if (tag)
		__vlan_hwaccel_put_tag(skb, vproto, dst->vlan);
	skb_pull(skb, ETH_HLEN);
	return !sslv_br_port_xmit(br, dev, skb);
}

/*
 * A VLAN-filtering bridge's device sends only in its own VLANs: toward an
 * end whose port is not known yet (the server, before it answers), the
 * frame is flooded here, as the bridge floods an unknown destination, to
 * every port that floods, is in the VLAN, and is not the sender's.
 */
static bool sslv_divert_flood(struct net *net, struct net_device *br,
			      struct sk_buff *skb,
			      const struct sslv_divert_dst *dst)
{
	bool sent = false;

	struct list_head *iter = &br->adj_list.lower;
	struct net_device *dev, *last = NULL;
	struct sk_buff *copy;
	__be16 vproto;
	bool tag;

	while ((dev = netdev_next_lower_dev_rcu(br, &iter))) {
		if (dev->ifindex == dst->from_ifindex ||
		    !(dev->flags & IFF_UP) || !netif_is_bridge_port(dev) ||
		    !br_port_flag_is_set(dev, BR_FLOOD) ||
		    sslv_br_egress(net, br, dev, dst->vlan, dst->from_ifindex,
				   &vproto, &tag))
			continue;
		if (last) {
			copy = skb_clone(skb, GFP_ATOMIC);
			if (copy)
				sent |= sslv_divert_port_xmit(net, br, last,
							      copy, dst);
		}
		last = dev;
	}
	if (last)
		return sslv_divert_port_xmit(net, br, last, skb, dst) || sent;
	kfree_skb(skb);
	return sent;
}

/* Bridge port @ifindex, its bridge in @br; or NULL. */
static struct net_device *sslv_divert_port(struct net *net, int ifindex,
					   struct net_device **br)
{
	struct net_device *dev, *m;

	dev = ifindex ? dev_get_by_index_rcu(net, ifindex) : NULL;
	if (!dev || !netif_is_bridge_port(dev))
		return NULL;
	m = netdev_master_upper_dev_get_rcu(dev);
	if (!m || !netif_is_bridge_master(m))
		return NULL;
	*br = m;
	return dev;
}

/*
 * Hand @skb (at its network header) to the bridge for port @ifindex, or,
 * when the port is not known yet, to the bridge of the sender's port (the
 * bridge the box routed it out of, @br, when that is not known either).
 * The box's route only has to lead out of some bridge. False if it did
 * not leave: held back by the port's egress rules or the bridge, or no
 * memory.
 */
static bool sslv_divert_xmit(struct net *net, struct net_device *br,
			     struct sk_buff *skb,
			     const struct sslv_divert_dst *dst, __be16 proto)
{
	struct net_device *dev;
	struct ethhdr *eth;
	bool sent = true;

	dev = sslv_divert_port(net, dst->ifindex, &br);
	if (!dev)
		sslv_divert_port(net, dst->from_ifindex, &br);
	if (skb_cow_head(skb, ETH_HLEN)) {
		kfree_skb(skb);
		return false;
	}
	/* The IP layer's control block is done with; the bridge reads its own. */
	memset(skb->cb, 0, sizeof(skb->cb));
	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	ether_addr_copy(eth->h_dest, dst->dmac);
	ether_addr_copy(eth->h_source, dst->smac);
	eth->h_proto = proto;
	skb->protocol = proto;
	skb->dev = br;
	local_bh_disable();
	if (dev) {
		sent = sslv_divert_port_xmit(net, br, dev, skb, dst);
	} else if (br_vlan_enabled(br)) {
		sent = sslv_divert_flood(net, br, skb, dst);
	} else {
		/* The bridge forwards it with its tag, as it came. */
		if (dst->vlan)
			__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
					       dst->vlan);
		dev_queue_xmit(skb);
	}
	local_bh_enable();
	return sent;
}

/* The diverted flow of @k's addresses and ports, locked, in any VLAN. */
static struct sslv_flow *sslv_divert_find(struct sslv_net *sn,
					  struct sslv_flow_key *k)
{
	struct sslv_divert_vlans *dv = READ_ONCE(sn->dec.vlans);
	struct sslv_flow *f;
	unsigned int v;

	if (!dv)
		return NULL;
	for_each_set_bit(v, dv->live, VLAN_N_VID) {
		k->vlan = v;
		f = sslv_flow_find(sn, k, sslv_flow_hash(k));
		if (!f)
			continue;
		if (f->flags & SSLV_FF_DIVERT)
			return f;
		spin_unlock(&f->lock);
	}
	return NULL;
}

/*
 * IP POST_ROUTING, out of a bridge device: a packet sslvd sends for a
 * diverted flow leaves by its destination's own port, with the ends' MACs.
 * Toward the client it is learnt by the flow's tracker (the client leg's
 * REPLY side).
 */
static unsigned int sslv_divert_out(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct sslv_net *sn = priv;
	struct sslv_divert_dst dst;
	struct sslv_flow_key key;
	struct net_device *br = state->out;
	struct sslv_flow *f;
	struct sslv_seg seg;
	bool src_is_b;
	u8 tcp_state;
	int x;

	if (!br || !netif_is_bridge_master(br) ||
	    !sslv_divert_parse(skb, state->pf, &key, &src_is_b, &seg))
		return NF_ACCEPT;
	local_bh_disable();
	f = sslv_divert_find(sn, &key);
	if (!f) {
		local_bh_enable();
		return NF_ACCEPT;
	}
	/*
	 * A flow the module dropped stays silent, as one not diverted would:
	 * sslvd's abort of its socket never reaches the client, nor the
	 * tracker, which would take the flow for closed.
	 */
	if (f->verdict == SSLV_ACT_DROP) {
		spin_unlock(&f->lock);
		local_bh_enable();
		sslv_inc(sn, drop_rule);
		return NF_DROP;
	}
	/* x: the end it goes to; the sender is the other one. */
	x = (!src_is_b) == !!(f->flags & SSLV_FF_CLIENT_B) ? SSLV_DIR_ORIG :
							     SSLV_DIR_REPLY;
	if (x == SSLV_DIR_ORIG) {
		tcp_state = f->tcp.state;
		sslv_tcp_update(&f->tcp, SSLV_DIR_REPLY, &seg, sslv_now_ms());
		if (f->tcp.state != tcp_state)
			sslv_flow_gc_note(sn, f);
	} else {
		f->tcp.last_ms = sslv_now_ms();
	}
	dst.ifindex = f->ifindex[x];
	dst.from_ifindex = f->ifindex[!x];
	dst.vlan = f->key.vlan;
	ether_addr_copy(dst.dmac, f->mac[x]);
	ether_addr_copy(dst.smac, f->mac[!x]);
	/*
	 * sslvd aborted a leg: because the flow was rejected (a rule at the
	 * hello, an operator's flow reject, upstream-invalid reject), because
	 * of the IPS, or because of an error in the flow.
	 */
	if (seg.flags & SSLV_TH_RST) {
		if (f->verdict == SSLV_ACT_REJECT)
			sslv_inc(sn, T_ssl_policy_reject);
		else if (sslv_ips_killed(sn, f->id))
			sslv_inc(sn, ips_rsts_sent);
		else
			sslv_inc(sn, T_tcp_reject);
	}
	spin_unlock(&f->lock);
	local_bh_enable();

	sslv_inc(sn, decrypt_out);
	if (!sslv_divert_xmit(state->net, br, skb, &dst,
			      htons(state->pf == NFPROTO_IPV4 ? ETH_P_IP :
				    ETH_P_IPV6)))
		sslv_inc(sn, decrypt_out_held);
	return NF_STOLEN;
}

static const struct nf_hook_ops sslv_divert_ops[] = {
	{
		.hook		= sslv_divert_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_MANGLE,
	},
	{
		.hook		= sslv_divert_out,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_LAST,
	},
	{
		.hook		= sslv_divert_in,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_MANGLE,
	},
	{
		.hook		= sslv_divert_out,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_LAST,
	},
};

/* Under sslv_cfg_mutex. -EBUSY when another socket is registered. */
int sslv_decrypt_register(struct sslv_net *sn, u32 portid, u16 port, u32 mark)
{
	struct sslv_decrypt *dec = &sn->dec;
	unsigned int i;
	int err;

	lockdep_assert_held(&sslv_cfg_mutex);
	if (dec->portid && dec->portid != portid)
		return -EBUSY;
	if (!dec->vlans) {
		struct sslv_divert_vlans *dv = kvzalloc(sizeof(*dv),
							GFP_KERNEL);

		if (!dv)
			return -ENOMEM;
		spin_lock_init(&dv->lock);
		/* Initialised before the packet path reads it. */
		smp_store_release(&dec->vlans, dv);
	}
	if (!dec->hooked) {
		BUILD_BUG_ON(ARRAY_SIZE(sslv_divert_ops) !=
			     ARRAY_SIZE(dec->ops));
		for (i = 0; i < ARRAY_SIZE(dec->ops); i++) {
			dec->ops[i] = sslv_divert_ops[i];
			dec->ops[i].priv = sn;
		}
		err = nf_register_net_hooks(sn->net, dec->ops,
					    ARRAY_SIZE(dec->ops));
		if (err)
			return err;
		dec->hooked = true;
	}
	WRITE_ONCE(dec->port, port);
	WRITE_ONCE(dec->mark, mark);
	WRITE_ONCE(dec->portid, portid);
	return 0;
}

/* @portid's socket is closing: if it was sslvd, the registration ends. */
void sslv_decrypt_release(struct sslv_net *sn, u32 portid)
{
	if (READ_ONCE(sn->dec.portid) != portid)
		return;
	mutex_lock(&sslv_cfg_mutex);
	if (sn->dec.portid == portid)
		WRITE_ONCE(sn->dec.portid, 0);
	mutex_unlock(&sslv_cfg_mutex);
}

/* From .pre_exit: the core's grace period follows before .exit. */
void sslv_decrypt_exit(struct sslv_net *sn)
{
	mutex_lock(&sslv_cfg_mutex);
	WRITE_ONCE(sn->dec.portid, 0);
	if (sn->dec.hooked) {
		nf_unregister_net_hooks(sn->net, sn->dec.ops,
					ARRAY_SIZE(sn->dec.ops));
		sn->dec.hooked = false;
	}
	mutex_unlock(&sslv_cfg_mutex);
}

/* From .exit, after the flows are gone. */
void sslv_decrypt_free(struct sslv_net *sn)
{
	kvfree(sn->dec.vlans);
	sn->dec.vlans = NULL;
}
