// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Frame decoding: link layer (Ethernet with 802.1Q/802.1ad tags, Linux
 * cooked v1/v2, raw IP), IPv4 or IPv6 (extension headers walked), TCP.
 * Every read is checked against the captured length; payload length is
 * taken from the IP header and checked against the length on the wire.
 */
#include <netinet/in.h>
#include <pcap/dlt.h>

#include "decode.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_QINQ	0x9100

/* What is left of the frame: @cap bytes captured out of @wire on the wire. */
struct rs_cursor {
	const u8 *p;
	u32 cap;
	u32 wire;
};

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static bool pull(struct rs_cursor *c, u32 n)
{
	if (c->cap < n || c->wire < n)
		return false;
	c->p += n;
	c->cap -= n;
	c->wire -= n;
	return true;
}

/* Keep only the @len bytes the network header says belong to it. */
static bool limit(struct rs_cursor *c, u32 len)
{
	if (len > c->wire)
		return false;
	c->wire = len;
	if (c->cap > len)
		c->cap = len;
	return true;
}

int rs_decode_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 1;
	}
	return 0;
}

static enum rs_decode rs_tcp(struct rs_cursor *c, struct rs_pkt *pkt)
{
	const u8 *th = c->p, *opt, *end;
	u32 doff;

	if (c->cap < 20)
		return RS_DECODE_BAD;
	doff = (u32)(th[12] >> 4) * 4;
	if (doff < 20 || doff > c->wire || c->wire - doff > 0xffff)
		return RS_DECODE_BAD;

	pkt->src.port = get16(th);
	pkt->dst.port = get16(th + 2);
	pkt->seg.seq = get32(th + 4);
	pkt->seg.ack = get32(th + 8);
	pkt->seg.flags = th[13] & (SSLV_TH_FIN | SSLV_TH_SYN | SSLV_TH_RST |
				   SSLV_TH_PSH | SSLV_TH_ACK);
	pkt->seg.win = get16(th + 14);
	pkt->seg.len = (u16)(c->wire - doff);
	pkt->seg.wscale = SSLV_WSCALE_NONE;
	if (!(pkt->seg.flags & SSLV_TH_SYN))
		return RS_DECODE_TCP;

	/* Options, as far as they were captured: only window scale matters. */
	opt = th + 20;
	end = th + (doff < c->cap ? doff : c->cap);
	while (opt < end && *opt != 0) {
		if (*opt == 1) {
			opt++;
			continue;
		}
		if (end - opt < 2 || opt[1] < 2 || end - opt < opt[1])
			break;
		if (*opt == 3 && opt[1] == 3)
			pkt->seg.wscale = opt[2];
		opt += opt[1];
	}
	return RS_DECODE_TCP;
}

static enum rs_decode rs_ipv4(struct rs_cursor *c, struct rs_pkt *pkt)
{
	const u8 *iph = c->p;
	u32 ihl, tot;

	if (c->cap < 20 || iph[0] >> 4 != 4)
		return RS_DECODE_BAD;
	ihl = (u32)(iph[0] & 0x0f) * 4;
	tot = get16(iph + 2);
	if (!tot)		/* segmentation offload: the frame is the packet */
		tot = c->wire;
	if (ihl < 20 || tot < ihl || !limit(c, tot))
		return RS_DECODE_BAD;
	if (get16(iph + 6) & 0x3fff)	/* MF or a fragment offset */
		return RS_DECODE_OTHER;
	if (iph[9] != IPPROTO_TCP)
		return RS_DECODE_OTHER;

	pkt->family = AF_INET;
	pkt->seg.ttl = iph[8];
	memcpy(pkt->src.addr, iph + 12, 4);
	memcpy(pkt->dst.addr, iph + 16, 4);
	if (!pull(c, ihl))
		return RS_DECODE_BAD;
	return rs_tcp(c, pkt);
}

static enum rs_decode rs_ipv6(struct rs_cursor *c, struct rs_pkt *pkt)
{
	const u8 *ip6h = c->p;
	u32 plen;
	u8 next;

	if (c->cap < 40 || ip6h[0] >> 4 != 6)
		return RS_DECODE_BAD;
	plen = get16(ip6h + 4);
	if (!plen)		/* jumbogram or segmentation offload */
		plen = c->wire - 40;
	if (!limit(c, 40 + plen))
		return RS_DECODE_BAD;

	pkt->family = AF_INET6;
	pkt->seg.ttl = ip6h[7];
	memcpy(pkt->src.addr, ip6h + 8, 16);
	memcpy(pkt->dst.addr, ip6h + 24, 16);
	next = ip6h[6];
	pull(c, 40);

	for (;;) {
		u32 hlen;

		switch (next) {
		case IPPROTO_TCP:
			return rs_tcp(c, pkt);
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (c->cap < 2)
				return RS_DECODE_BAD;
			hlen = ((u32)c->p[1] + 1) * 8;
			break;
		case IPPROTO_AH:
			if (c->cap < 2)
				return RS_DECODE_BAD;
			hlen = ((u32)c->p[1] + 2) * 4;
			break;
		default:	/* fragments, ESP, no next header, not TCP */
			return RS_DECODE_OTHER;
		}
		next = c->p[0];
		if (!pull(c, hlen))
			return RS_DECODE_BAD;
	}
}

static enum rs_decode rs_l3(struct rs_cursor *c, u16 proto, struct rs_pkt *pkt)
{
	switch (proto) {
	case ETH_P_IPV4:
		return rs_ipv4(c, pkt);
	case ETH_P_IPV6:
		return rs_ipv6(c, pkt);
	}
	return RS_DECODE_OTHER;
}

static enum rs_decode rs_ether(struct rs_cursor *c, struct rs_pkt *pkt)
{
	u16 proto;

	if (!pull(c, 12) || c->cap < 2)
		return RS_DECODE_BAD;
	proto = get16(c->p);
	while (proto == ETH_P_8021Q || proto == ETH_P_8021AD ||
	       proto == ETH_P_QINQ) {
		if (c->cap < 6)
			return RS_DECODE_BAD;
		if (!pkt->vlan)
			pkt->vlan = get16(c->p + 2) & 0x0fff;
		pull(c, 4);
		proto = get16(c->p);
	}
	pull(c, 2);
	return rs_l3(c, proto, pkt);
}

static enum rs_decode rs_raw(struct rs_cursor *c, struct rs_pkt *pkt)
{
	if (c->cap < 1)
		return RS_DECODE_BAD;
	return rs_l3(c, c->p[0] >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IPV4, pkt);
}

enum rs_decode rs_decode(int linktype, const u8 *frame, u32 caplen,
			 u32 wirelen, struct rs_pkt *pkt)
{
	struct rs_cursor c = {
		.p = frame,
		.cap = caplen,
		.wire = wirelen < caplen ? caplen : wirelen,
	};
	u16 proto;

	memset(pkt, 0, sizeof(*pkt));
	switch (linktype) {
	case DLT_EN10MB:
		return rs_ether(&c, pkt);
	case DLT_LINUX_SLL:
		if (c.cap < 16)
			return RS_DECODE_BAD;
		proto = get16(c.p + 14);
		pull(&c, 16);
		return rs_l3(&c, proto, pkt);
	case DLT_LINUX_SLL2:
		if (c.cap < 20)
			return RS_DECODE_BAD;
		proto = get16(c.p);
		pull(&c, 20);
		return rs_l3(&c, proto, pkt);
	default:	/* DLT_RAW, DLT_IPV4, DLT_IPV6 */
		return rs_raw(&c, pkt);
	}
}
