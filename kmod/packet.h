/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parse a frame at the bridge (or tap) into a flow key and a TCP segment.
 *
 * sslv_parse() is inlined into the engine, its one caller, for every
 * frame: as a call, with its own stack frame, it cost a tenth of what sslv
 * adds to a forwarded ACK. What most frames never need (TCP options,
 * jumbograms, the checksums) stays out of line in packet.c.
 *
 * skb->data points at the network header. Every read goes through
 * skb_header_pointer(), so nothing is assumed about linearity; its copy
 * buffers are __uninitialized (the kernel's INIT_STACK_ALL_ZERO would
 * clear them for every frame, and a copy is read only once it is made).
 * Lengths come from the IP header, never from skb->len: the bridge does
 * not trim Ethernet padding. The exception is a GSO packet of BIG TCP (GRO or a local sender
 * on a device whose gso_max_size/gro_max_size exceeds 64 KiB): an IPv4 one
 * has tot_len 0 and an IPv6 one payload_len 0 and a hop-by-hop jumbo option;
 * their length is the frame's, as ip_rcv_core() and ipv6_hop_jumbo() take it.
 * Rules for what is not clean TCP:
 *   - not IPv4/IPv6, not TCP, or IPv6 extension headers that do not lead to
 *     TCP: SSLV_PARSE_OTHER, forwarded untouched, not counted;
 *   - a truncated VLAN header, a bad IP version/header length/total length
 *     (longer than the frame), or a bad TCP data offset: counted as
 *     malformed_* and forwarded untouched. sslv never acts on what it cannot
 *     parse, and the endpoints drop such packets themselves;
 *   - two VLAN tags (QinQ) or an 802.1ad tag: SSLV_PARSE_VLAN_UNSUPPORTED,
 *     counted as vlan_unsupported and forwarded untouched. An RST carries
 *     one 802.1Q tag, so sslv does not track what it could not reset.
 *   - an IPv4 or IPv6 fragment of a TCP segment, first or later:
 *     SSLV_PARSE_FRAG. The endpoint would reassemble a segment sslv never
 *     read (a SYN, a ClientHello), and no fragment can be checked (the TCP
 *     checksum covers the whole datagram): the engine drops it;
 *   - a TCP checksum, or an IPv4 header checksum, the endpoint would
 *     refuse: sslv_pkt_csum_ok() is false, and the engine forwards the
 *     frame as bad_csum, so that nothing (tracker, handshake reader, RST
 *     classifier) learns from a segment the endpoint drops. sslv_parse()
 *     does not check them: the engine asks only for a frame something will
 *     learn from or act on, not for a duplicate of what a known flow has
 *     already seen. The device's verdict is honoured: CHECKSUM_UNNECESSARY
 *     (verified) and CHECKSUM_PARTIAL (built by this host, the checksum is
 *     filled in on the way out) cost nothing, CHECKSUM_COMPLETE a sum over
 *     the headers, only CHECKSUM_NONE sums the segment.
 *
 * The flow's VLAN is the one the bridge forwards the frame in. On a bridge
 * with vlan_filtering, an untagged (or priority-tagged) frame entering a
 * port belongs to that port's PVID; PRE_ROUTING runs before the bridge
 * applies it, so it is applied here, and a flow between an access port and
 * a trunk is one flow. Without vlan_filtering the tag seen is the VLAN.
 * Whether any bridge of the namespace filters is known ahead (hook.c), so
 * that the bridges that do not cost a frame no look-up.
 */
#ifndef SSLV_PACKET_H
#define SSLV_PACKET_H

#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>

#include "sslv.h"

/* The window-scale option of a SYN's options at @off, @optlen bytes. */
u8 sslv_tcp_wscale(const struct sk_buff *skb, unsigned int off,
		   unsigned int optlen);
/* The PVID of bridge port @in, out of line: it takes a local's address. */
u16 sslv_port_pvid(const struct net_device *in);

/*
 * The VLAN the bridge of port @in gives an untagged or priority-tagged
 * frame: the port's PVID when the bridge filters VLANs, else none (0).
 */
static inline u16 sslv_bridge_pvid(const struct net_device *in)
{
	struct net_device *br;

	if (!in || !netif_is_bridge_port(in))
		return 0;
	br = netdev_master_upper_dev_get_rcu((struct net_device *)in);
	if (!br || !netif_is_bridge_master(br) || !br_vlan_enabled(br))
		return 0;
	return sslv_port_pvid(in);
}

/*
 * The end of an IPv6 packet whose payload_len is 0 and that starts at @nh:
 * a jumbogram's hop-by-hop jumbo option (RFC 2675), as ipv6_hop_jumbo()
 * reads it: the only option, > 65535, within the frame. 0 if it is none.
 */
unsigned int sslv_jumbo_end(const struct sk_buff *skb, unsigned int nh,
			    const struct ipv6hdr *ip6h);

/* A GSO packet of BIG TCP, whose IP header cannot hold its length. */
static inline bool sslv_big_tcp(const struct sk_buff *skb)
{
	return skb_is_gso(skb) && skb_is_gso_tcp(skb);
}

/*
 * @in: the bridge port the frame entered by (or the tap device); @pvid:
 * whether a bridge of the namespace filters VLANs (sslv_net.vlan_bridges).
 * The checksums are not checked: see sslv_pkt_csum_ok().
 */
static __always_inline enum sslv_parse
sslv_parse(struct sk_buff *skb, const struct net_device *in, bool pvid,
	   struct sslv_pkt *p)
{
	unsigned int nh = 0, thoff, end, doff;
	__be16 proto = skb->protocol;
	struct tcphdr _th __uninitialized;
	const struct tcphdr *th;
	struct ethhdr *eth;

	/* What follows sets every field of a TCP segment's @p but the key's. */
	p->key = (struct sslv_flow_key){};
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
		struct vlan_hdr _vh __uninitialized;
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
	if (!p->key.vlan && pvid)
		p->key.vlan = sslv_bridge_pvid(in);

	if (proto == htons(ETH_P_IP)) {
		struct iphdr _iph __uninitialized;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, nh, sizeof(_iph), &_iph);
		if (!iph)
			return SSLV_PARSE_BAD_IP;
		end = nh + ntohs(iph->tot_len);
		if (!iph->tot_len && sslv_big_tcp(skb))
			end = skb->len;		/* as iph_totlen() */
		if (iph->version != 4 || iph->ihl < 5 ||
		    end < nh + iph->ihl * 4 || end > skb->len)
			return SSLV_PARSE_BAD_IP;
		if (iph->protocol != IPPROTO_TCP)
			return SSLV_PARSE_OTHER;
		if (ip_is_fragment(iph))
			return SSLV_PARSE_FRAG;
		p->nh = nh;
		p->key.family = AF_INET;
		p->seg.ttl = iph->ttl;
		thoff = nh + iph->ihl * 4;
		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			return SSLV_PARSE_BAD_TCP;
		p->src_is_b = sslv_key_set(&p->key, AF_INET, &iph->saddr,
					   &iph->daddr, th->source, th->dest);
	} else if (proto == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h __uninitialized;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int off;

		ip6h = skb_header_pointer(skb, nh, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return SSLV_PARSE_BAD_IP;
		end = nh + sizeof(*ip6h) + ntohs(ip6h->payload_len);
		if (ip6h->version == 6 && !ip6h->payload_len)
			end = sslv_jumbo_end(skb, nh, ip6h);
		if (ip6h->version != 6 || !end || end > skb->len)
			return SSLV_PARSE_BAD_IP;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, nh + sizeof(*ip6h), &nexthdr,
				       &frag_off);
		if (off < 0)
			return SSLV_PARSE_OTHER;
		/*
		 * @frag_off is the fragment header's offset and M flag: 0 for
		 * no fragment header, or an atomic one (RFC 6946). The walk
		 * goes through a first fragment's header and stops at a
		 * later one's, whose next header says what it carries.
		 */
		if (frag_off) {
			if (nexthdr == NEXTHDR_FRAGMENT &&
			    skb_copy_bits(skb, off, &nexthdr, 1))
				return SSLV_PARSE_OTHER;
			return nexthdr == IPPROTO_TCP ? SSLV_PARSE_FRAG :
							SSLV_PARSE_OTHER;
		}
		if (nexthdr != IPPROTO_TCP)
			return SSLV_PARSE_OTHER;
		p->nh = nh;
		p->key.family = AF_INET6;
		p->seg.ttl = ip6h->hop_limit;
		thoff = off;
		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			return SSLV_PARSE_BAD_TCP;
		p->src_is_b = sslv_key_set(&p->key, AF_INET6, &ip6h->saddr,
					   &ip6h->daddr, th->source, th->dest);
	} else {
		return SSLV_PARSE_OTHER;
	}

	doff = th->doff * 4;
	if (doff < sizeof(*th) || thoff + doff > end)
		return SSLV_PARSE_BAD_TCP;
	p->thoff = thoff;
	p->end = end;

	p->seg.seq = ntohl(th->seq);
	p->seg.ack = ntohl(th->ack_seq);
	p->seg.win = ntohs(th->window);
	p->seg.len = end - thoff - doff;
	p->seg.flags = tcp_flag_byte(th) & (SSLV_TH_FIN | SSLV_TH_SYN |
					    SSLV_TH_RST | SSLV_TH_PSH |
					    SSLV_TH_ACK);
	p->seg.wscale = SSLV_WSCALE_NONE;
	if (th->syn && doff > sizeof(*th))
		p->seg.wscale = sslv_tcp_wscale(skb, thoff + sizeof(*th),
						doff - sizeof(*th));
	return SSLV_PARSE_TCP;
}

#endif /* SSLV_PACKET_H */
