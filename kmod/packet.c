// SPDX-License-Identifier: GPL-2.0
/* The parser's out-of-line parts and the checksums: see packet.h. */
#include "packet.h"

u8 sslv_tcp_wscale(const struct sk_buff *skb, unsigned int off,
		   unsigned int optlen)
{
	u8 buf[MAX_TCP_OPTION_SPACE] __uninitialized;
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

u16 sslv_port_pvid(const struct net_device *in)
{
	u16 pvid;

	if (br_vlan_get_pvid_rcu(in, &pvid))
		return 0;
	return pvid;
}

/*
 * Whether the TCP segment at [@thoff, @end) of @skb carries the checksum its
 * receiver will accept; @saddr/@daddr are its IP addresses (either order).
 */
static bool sslv_csum_ok(const struct sk_buff *skb, unsigned int thoff,
			 unsigned int end, u8 family, const void *saddr,
			 const void *daddr)
{
	unsigned int len = end - thoff;
	__wsum sum;

	switch (skb->ip_summed) {
	case CHECKSUM_UNNECESSARY:
	case CHECKSUM_PARTIAL:
		return true;
	case CHECKSUM_COMPLETE:
		/*
		 * skb->csum sums skb->data to skb->len: take away the
		 * headers before the segment and the padding after it.
		 */
		sum = csum_sub(skb->csum, skb_checksum(skb, 0, thoff, 0));
		if (end < skb->len)
			sum = csum_block_sub(sum, skb_checksum(skb, end,
							       skb->len - end,
							       0), end);
		if (family == AF_INET ?
		    !csum_tcpudp_magic(*(__be32 *)saddr, *(__be32 *)daddr,
				       len, IPPROTO_TCP, sum) :
		    !csum_ipv6_magic(saddr, daddr, len, IPPROTO_TCP, sum))
			return true;
		/* As __skb_checksum_complete(): the device may be wrong. */
		break;
	}
	/* A linear segment (a SYN, an ACK) is one csum_partial() away. */
	if (end <= skb_headlen(skb))
		sum = csum_partial(skb->data + thoff, len, 0);
	else
		sum = skb_checksum(skb, thoff, len, 0);
	if (family == AF_INET)
		return !csum_tcpudp_magic(*(__be32 *)saddr, *(__be32 *)daddr,
					  len, IPPROTO_TCP, sum);
	return !csum_ipv6_magic(saddr, daddr, len, IPPROTO_TCP, sum);
}

/*
 * Whether the IPv4 header at @nh, @len bytes long, has the checksum
 * ip_rcv_core() accepts. Not for GSO packets: the kernel built them.
 */
static bool sslv_ip_csum_ok(const struct sk_buff *skb, unsigned int nh,
			    unsigned int len)
{
	u8 buf[60] __uninitialized;
	const void *h;

	h = skb_header_pointer(skb, nh, len, buf);
	return h && !ip_fast_csum(h, len / 4);
}

/*
 * The end of an IPv6 packet whose payload_len is 0 and that starts at @nh:
 * a jumbogram's hop-by-hop jumbo option (RFC 2675), as ipv6_hop_jumbo()
 * reads it: the only option, > 65535, within the frame. 0 if it is none.
 */
unsigned int sslv_jumbo_end(const struct sk_buff *skb, unsigned int nh,
			    const struct ipv6hdr *ip6h)
{
	struct hop_jumbo_hdr _jh __uninitialized;
	const struct hop_jumbo_hdr *jh;
	u32 plen;

	if (ip6h->nexthdr != NEXTHDR_HOP)
		return sslv_big_tcp(skb) ? skb->len : 0;
	jh = skb_header_pointer(skb, nh + sizeof(*ip6h), sizeof(_jh), &_jh);
	if (!jh || jh->hdrlen || jh->tlv_type != IPV6_TLV_JUMBO ||
	    jh->tlv_len != 4)
		return 0;
	plen = ntohl(jh->jumbo_payload_len);
	if (plen <= IPV6_MAXPLEN ||
	    plen > skb->len - nh - sizeof(*ip6h))
		return 0;
	return nh + sizeof(*ip6h) + plen;
}

bool sslv_pkt_csum_ok(const struct sk_buff *skb, const struct sslv_pkt *p)
{
	if (p->key.family == AF_INET && !skb_is_gso(skb) &&
	    !sslv_ip_csum_ok(skb, p->nh, p->thoff - p->nh))
		return false;
	/* The pseudo-header's sum does not depend on the addresses' order. */
	return sslv_csum_ok(skb, p->thoff, p->end, p->key.family, &p->key.a,
			    &p->key.b);
}
