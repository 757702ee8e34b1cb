// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending an RST from a struct sslv_rst.
 *
 * Every RST sslv sends carries ACK, so that a SYN_SENT client accepts it
 * (RFC 793: ack == snd_nxt) as well as a synchronized endpoint (RFC 5961:
 * seq == rcv_nxt). The frame is built whole: Ethernet header with the MACs
 * of the endpoints, the VLAN tag as offload metadata (the device or the
 * stack inserts it), an IP header with the TTL / hop limit of the endpoint
 * being impersonated, and full checksums computed here.
 *
 * It leaves by the bridge port behind which its destination sits, through
 * the bridge's own br_forward() (as nft's bridge reject does), so that the
 * bridge's egress rules apply to it as to the frames it forwards:
 *   - STP: br_forward() sends only out of a forwarding port (and redirects
 *     to a backup port). It gives no answer, so sslv learns whether the
 *     frame passed from its own NF_BR_LOCAL_OUT hook, which br_forward()
 *     traverses, synchronously, only for a frame it delivers;
 *   - VLAN: br_forward() leaves a frame that did not come in through the
 *     bridge's ingress filtering as it is, so the port's egress policy is
 *     applied here: on a vlan_filtering bridge the RST leaves tagged with
 *     the flow's VLAN unless the port sends that VLAN untagged, and not at
 *     all if the port is not in it;
 *   - isolation: no RST from an isolated port's end to an isolated port.
 * A refused RST is -EPERM (rst_egress_blocked). An RST toward the bridge
 * device itself (the unknown port of a flow rejected at its first packet)
 * is handed to it by dev_queue_xmit(): the bridge forwards it by its MAC
 * table and applies the same rules. The RST goes out after PRE_ROUTING, so
 * sslv's own hook never sees it again.
 */
#include <linux/etherdevice.h>
#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>

#include "sslv.h"

/*
 * net/bridge/br_forward.c, exported GPL but not declared in the headers
 * packaged for modules. The port is the bridge's private struct, passed
 * through as the opaque rx_handler_data of a bridge port.
 */
struct net_bridge_port;
void br_forward(const struct net_bridge_port *to, struct sk_buff *skb,
		bool local_rcv, bool local_orig);

/* The RST being handed to br_forward() on this CPU, and whether it passed. */
static DEFINE_PER_CPU(const struct sk_buff *, sslv_rst_inflight);
static DEFINE_PER_CPU(bool, sslv_rst_passed);

unsigned int sslv_rst_out_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	if (skb == __this_cpu_read(sslv_rst_inflight))
		__this_cpu_write(sslv_rst_passed, true);
	return NF_ACCEPT;
}

static bool sslv_rst_addr_ok(const struct sslv_rst *r)
{
	if (r->family == AF_INET) {
		__be32 d = r->daddr.s6_addr32[0], s = r->saddr.s6_addr32[0];

		return !ipv4_is_multicast(d) && !ipv4_is_lbcast(d) &&
		       !ipv4_is_zeronet(d) && !ipv4_is_multicast(s) &&
		       !ipv4_is_lbcast(s);
	}
	return !ipv6_addr_is_multicast(&r->daddr) &&
	       !ipv6_addr_any(&r->daddr) &&
	       !ipv6_addr_is_multicast(&r->saddr);
}

static void sslv_rst_put_ip(struct sk_buff *skb, const struct sslv_rst *r)
{
	unsigned int tcplen = sizeof(struct tcphdr);

	skb_reset_network_header(skb);
	if (r->family == AF_INET) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->tot_len = htons(sizeof(*iph) + tcplen);
		iph->id = htons(get_random_u16());
		iph->frag_off = htons(IP_DF);
		iph->ttl = r->ttl;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = r->saddr.s6_addr32[0];
		iph->daddr = r->daddr.s6_addr32[0];
		iph->check = ip_fast_csum(iph, iph->ihl);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(tcplen);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = r->ttl;
		ip6h->saddr = r->saddr;
		ip6h->daddr = r->daddr;
		skb->protocol = htons(ETH_P_IPV6);
	}
}

static void sslv_rst_put_tcp(struct sk_buff *skb, const struct sslv_rst *r)
{
	struct tcphdr *th = skb_put_zero(skb, sizeof(*th));
	unsigned int len = sizeof(*th);
	__wsum csum;

	skb_set_transport_header(skb, (u8 *)th - skb->data);
	th->source = r->sport;
	th->dest = r->dport;
	th->seq = htonl(r->seq);
	th->ack_seq = htonl(r->ack);
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	th->ack = 1;
	csum = csum_partial(th, len, 0);
	if (r->family == AF_INET)
		th->check = csum_tcpudp_magic(r->saddr.s6_addr32[0],
					      r->daddr.s6_addr32[0], len,
					      IPPROTO_TCP, csum);
	else
		th->check = csum_ipv6_magic(&r->saddr, &r->daddr, len,
					    IPPROTO_TCP, csum);
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Port @dev's egress rules, as the bridge @br applies them to what it
 * forwards, for a frame in VLAN @vlan from the end behind port
 * @from_ifindex (0: unknown): -EPERM if it may not leave by @dev; else
 * whether it leaves tagged, and with which protocol.
 */
int sslv_br_egress(struct net *net, const struct net_device *br,
		   const struct net_device *dev, u16 vlan, int from_ifindex,
		   __be16 *proto, bool *tag)
{
	struct bridge_vlan_info vi;
	struct net_device *from;
	u16 p;

	*proto = htons(ETH_P_8021Q);
	*tag = vlan;
	if (from_ifindex && br_port_flag_is_set(dev, BR_ISOLATED)) {
		from = dev_get_by_index_rcu(net, from_ifindex);
		if (from && from != dev && netif_is_bridge_port(from) &&
		    br_port_flag_is_set(from, BR_ISOLATED))
			return -EPERM;
	}
	if (!br_vlan_enabled(br))
		return 0;
	if (!vlan || br_vlan_get_info_rcu(dev, vlan, &vi))
		return -EPERM;
	*tag = !(vi.flags & BRIDGE_VLAN_INFO_UNTAGGED);
	if (!br_vlan_get_proto(br, &p))
		*proto = htons(p);
	return 0;
}

/*
 * Hand @skb, at its network header, to the bridge for port @dev: 0 if it
 * left, -EPERM if the bridge held it back (and freed it), -ENODEV.
 */
int sslv_br_port_xmit(struct net_device *br, struct net_device *dev,
		      struct sk_buff *skb)
{
	const struct net_bridge_port *port;
	bool passed;

	port = rcu_dereference(dev->rx_handler_data);
	if (!port) {			/* leaving the bridge */
		kfree_skb(skb);
		return -ENODEV;
	}
	skb->dev = br;
	local_bh_disable();
	__this_cpu_write(sslv_rst_inflight, skb);
	__this_cpu_write(sslv_rst_passed, false);
	br_forward(port, skb, false, true);
	passed = __this_cpu_read(sslv_rst_passed);
	__this_cpu_write(sslv_rst_inflight, NULL);
	local_bh_enable();
	return passed ? 0 : -EPERM;
}

/*
 * Send one RST. Returns 0, -EINVAL for a destination sslv never answers
 * (multicast or broadcast MAC or address), -ENODEV when the port is gone,
 * -EPERM when the bridge's egress rules forbid it, -ENOMEM. Call under
 * rcu_read_lock().
 */
int sslv_rst_xmit(struct net *net, const struct sslv_rst *r)
{
	unsigned int hlen = r->family == AF_INET ? sizeof(struct iphdr) :
						  sizeof(struct ipv6hdr);
	struct net_device *dev, *br = NULL;
	__be16 proto = htons(ETH_P_8021Q);
	bool tag = r->vlan;
	struct sk_buff *skb;
	struct ethhdr *eth;
	int err;

	if (is_multicast_ether_addr(r->dmac) || !sslv_rst_addr_ok(r))
		return -EINVAL;
	dev = dev_get_by_index_rcu(net, r->ifindex);
	if (!dev || !(dev->flags & IFF_UP))
		return -ENODEV;
	if (netif_is_bridge_port(dev)) {
		br = netdev_master_upper_dev_get_rcu(dev);
		if (!br || !netif_is_bridge_master(br))
			return -ENODEV;
		err = sslv_br_egress(net, br, dev, r->vlan, r->from_ifindex,
				     &proto, &tag);
		if (err)
			return err;
	}
	skb = alloc_skb(LL_MAX_HEADER + hlen + sizeof(struct tcphdr),
			GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, LL_MAX_HEADER);
	sslv_rst_put_ip(skb, r);
	sslv_rst_put_tcp(skb, r);

	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	memcpy(eth->h_dest, r->dmac, ETH_ALEN);
	memcpy(eth->h_source, r->smac, ETH_ALEN);
	eth->h_proto = skb->protocol;
	if (tag)
		__vlan_hwaccel_put_tag(skb, proto, r->vlan);
	if (br) {
		skb_pull(skb, ETH_HLEN);
		return sslv_br_port_xmit(br, dev, skb);
	}
	skb->dev = dev;
	dev_queue_xmit(skb);
	return 0;
}
