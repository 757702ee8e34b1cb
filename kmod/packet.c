// SPDX-License-Identifier: GPL-2.0
/*
 * Parse a frame at the bridge (or tap) into a flow key and a TCP segment.
 *
 * skb->data points at the network header. Every read goes through
 * skb_header_pointer(), so nothing is assumed about linearity. Lengths come
 * from the IP header, never from skb->len: the bridge does not trim Ethernet
 * padding. Rules for what is not clean TCP:
 *   - not IPv4/IPv6, not TCP, an IP fragment, or IPv6 extension headers that
 *     do not lead to TCP: SSLV_PARSE_OTHER, forwarded untouched, not counted;
 *   - a truncated VLAN header, a bad IP version/header length/total length
 *     (longer than the frame), or a bad TCP data offset: counted as
 *     malformed_* and forwarded untouched. sslv never acts on what it cannot
 *     parse, and the endpoints drop such packets themselves;
 *   - two VLAN tags (QinQ) or an 802.1ad tag: SSLV_PARSE_VLAN_UNSUPPORTED,
 *     counted as vlan_unsupported and forwarded untouched. An RST carries
 *     one 802.1Q tag, so sslv does not track what it could not reset.
 *
 * The flow's VLAN is the one the bridge forwards the frame in. On a bridge
 * with vlan_filtering, an untagged (or priority-tagged) frame entering a
 * port belongs to that port's PVID; PRE_ROUTING runs before the bridge
 * applies it, so it is applied here, and a flow between an access port and
 * a trunk is one flow. Without vlan_filtering the tag seen is the VLAN.
 */
#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "sslv.h"

static u8 sslv_tcp_wscale(const struct sk_buff *skb, unsigned int off,
			  unsigned int optlen)
{
	u8 buf[MAX_TCP_OPTION_SPACE];
	const u8 *opt;
	unsigned int i = 0;

	opt = skb_header_pointer(skb, off, optlen, buf);
	if (!opt)
		return SSLV_WSCALE_NONE;
	while (i < optlen) {
		u8 kind = opt[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			break;
		if (kind == TCPOPT_WINDOW && opt[i + 1] == TCPOLEN_WINDOW)
			return opt[i + 2];
		i += opt[i + 1];
	}
	return SSLV_WSCALE_NONE;
}

static void sslv_key_set(struct sslv_pkt *p, const void *saddr,
			 const void *daddr, unsigned int alen,
			 __be16 sport, __be16 dport)
{
	struct sslv_flow_key *k = &p->key;
	int c = memcmp(saddr, daddr, alen);

	p->src_is_b = c > 0 || (c == 0 && ntohs(sport) > ntohs(dport));
	memcpy(&k->a, p->src_is_b ? daddr : saddr, alen);
	memcpy(&k->b, p->src_is_b ? saddr : daddr, alen);
	k->port_a = p->src_is_b ? dport : sport;
	k->port_b = p->src_is_b ? sport : dport;
}

/*
 * The VLAN the bridge of port @in gives an untagged or priority-tagged
 * frame: the port's PVID when the bridge filters VLANs, else none (0).
 */
static u16 sslv_bridge_pvid(const struct net_device *in)
{
	struct net_device *br;
	u16 pvid = 0;

	if (!in || !netif_is_bridge_port(in))
		return 0;
	br = netdev_master_upper_dev_get_rcu((struct net_device *)in);
	if (!br || !netif_is_bridge_master(br) || !br_vlan_enabled(br))
		return 0;
	if (br_vlan_get_pvid_rcu(in, &pvid))
		return 0;
	return pvid;
}

enum sslv_parse sslv_parse(struct sk_buff *skb, const struct net_device *in,
			   struct sslv_pkt *p)
{
	unsigned int nh = 0, thoff, end, doff;
	__be16 proto = skb->protocol;
	struct tcphdr _th;
	const struct tcphdr *th;
	struct ethhdr *eth;

	memset(p, 0, sizeof(*p));
	if (!skb_mac_header_was_set(skb))
		return SSLV_PARSE_OTHER;
	eth = eth_hdr(skb);
	p->smac = eth->h_source;
	p->dmac = eth->h_dest;

	if (skb_vlan_tag_present(skb)) {
		if (skb->vlan_proto != htons(ETH_P_8021Q) ||
		    eth_type_vlan(proto))
			return SSLV_PARSE_VLAN_UNSUPPORTED;
		p->key.vlan = skb_vlan_tag_get_id(skb);
	} else if (eth_type_vlan(proto)) {
		struct vlan_hdr _vh;
		const struct vlan_hdr *vh;

		if (proto != htons(ETH_P_8021Q))
			return SSLV_PARSE_VLAN_UNSUPPORTED;
		vh = skb_header_pointer(skb, 0, sizeof(_vh), &_vh);
		if (!vh)
			return SSLV_PARSE_BAD_L2;
		p->key.vlan = ntohs(vh->h_vlan_TCI) & VLAN_VID_MASK;
		proto = vh->h_vlan_encapsulated_proto;
		if (eth_type_vlan(proto))
			return SSLV_PARSE_VLAN_UNSUPPORTED;
		nh = VLAN_HLEN;
	}
	if (!p->key.vlan)
		p->key.vlan = sslv_bridge_pvid(in);

	if (proto == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, nh, sizeof(_iph), &_iph);
		if (!iph)
			return SSLV_PARSE_BAD_IP;
		if (iph->version != 4 || iph->ihl < 5 ||
		    ntohs(iph->tot_len) < iph->ihl * 4 ||
		    nh + ntohs(iph->tot_len) > skb->len)
			return SSLV_PARSE_BAD_IP;
		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return SSLV_PARSE_OTHER;
		p->key.family = AF_INET;
		p->seg.ttl = iph->ttl;
		p->seg.ipid = ntohs(iph->id);
		thoff = nh + iph->ihl * 4;
		end = nh + ntohs(iph->tot_len);
		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			return SSLV_PARSE_BAD_TCP;
		sslv_key_set(p, &iph->saddr, &iph->daddr, 4, th->source,
			     th->dest);
	} else if (proto == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int off;

		ip6h = skb_header_pointer(skb, nh, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return SSLV_PARSE_BAD_IP;
		end = nh + sizeof(*ip6h) + ntohs(ip6h->payload_len);
		if (ip6h->version != 6 || !ip6h->payload_len || end > skb->len)
			return SSLV_PARSE_BAD_IP;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, nh + sizeof(*ip6h), &nexthdr,
				       &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return SSLV_PARSE_OTHER;
		p->key.family = AF_INET6;
		p->seg.ttl = ip6h->hop_limit;
		thoff = off;
		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			return SSLV_PARSE_BAD_TCP;
		sslv_key_set(p, &ip6h->saddr, &ip6h->daddr, 16, th->source,
			     th->dest);
	} else {
		return SSLV_PARSE_OTHER;
	}

	doff = th->doff * 4;
	if (doff < sizeof(*th) || thoff + doff > end)
		return SSLV_PARSE_BAD_TCP;

	p->seg.seq = ntohl(th->seq);
	p->seg.ack = ntohl(th->ack_seq);
	p->seg.win = ntohs(th->window);
	p->seg.len = end - thoff - doff;
	p->payload = thoff + doff;
	p->seg.flags = tcp_flag_byte(th) & (SSLV_TH_FIN | SSLV_TH_SYN |
					    SSLV_TH_RST | SSLV_TH_PSH |
					    SSLV_TH_ACK);
	p->seg.wscale = SSLV_WSCALE_NONE;
	if (th->syn && doff > sizeof(*th))
		p->seg.wscale = sslv_tcp_wscale(skb, thoff + sizeof(*th),
						doff - sizeof(*th));
	return SSLV_PARSE_TCP;
}
