// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending an RST from a struct sslv_rst.
 *
 * Every RST sslv sends carries ACK, so that a SYN_SENT client accepts it
 * (RFC 793: ack == snd_nxt) as well as a synchronized endpoint (RFC 5961:
 * seq == rcv_nxt). The frame is built whole: Ethernet header with the MACs
 * of the endpoints, the VLAN tag as offload metadata (the device or the
 * stack inserts it), an IP header with the TTL / hop limit of the endpoint
 * being impersonated, and full checksums computed here. It leaves through
 * the bridge port behind which its destination sits, by dev_queue_xmit():
 * the bridge's forwarding and its netfilter hooks are not involved, so no
 * RST sslv sends is ever seen again by sslv's own hook.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>

#include "sslv.h"

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
 * Send one RST. Returns 0, -EINVAL for a destination sslv never answers
 * (multicast or broadcast MAC or address), -ENODEV when the port is gone,
 * -ENOMEM. Call under rcu_read_lock().
 */
int sslv_rst_xmit(struct net *net, const struct sslv_rst *r)
{
	unsigned int hlen = r->family == AF_INET ? sizeof(struct iphdr) :
						  sizeof(struct ipv6hdr);
	struct net_device *dev;
	struct sk_buff *skb;
	struct ethhdr *eth;

	if (is_multicast_ether_addr(r->dmac) || !sslv_rst_addr_ok(r))
		return -EINVAL;
	dev = dev_get_by_index_rcu(net, r->ifindex);
	if (!dev || !(dev->flags & IFF_UP))
		return -ENODEV;
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
	if (r->vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), r->vlan);
	skb->dev = dev;
	dev_queue_xmit(skb);
	return 0;
}
