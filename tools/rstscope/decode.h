/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Decoding a captured frame down to the TCP segment the tracker needs. */
#ifndef RSTSCOPE_DECODE_H
#define RSTSCOPE_DECODE_H

#include "tcp.h"

struct rs_endpoint {
	u8 addr[16];	/* IPv4 in the first 4 bytes, network order */
	u16 port;	/* host order */
};

struct rs_pkt {
	u8 family;	/* AF_INET or AF_INET6 */
	u16 vlan;	/* outer 802.1Q VID, 0 when untagged */
	struct rs_endpoint src, dst;
	struct sslv_seg seg;
};

enum rs_decode {
	RS_DECODE_TCP,		/* *pkt is filled in */
	RS_DECODE_OTHER,	/* not TCP, or an IP fragment */
	RS_DECODE_BAD,		/* truncated before the TCP header, or malformed */
};

/* Whether rs_decode() knows the pcap link type @linktype (a DLT_*). */
int rs_decode_supported(int linktype);

/*
 * Decode one frame of @caplen captured bytes out of @wirelen on the wire.
 * Lengths come from the IP header: Ethernet padding is ignored, and a frame
 * cut short by the snap length still counts its full payload.
 */
enum rs_decode rs_decode(int linktype, const u8 *frame, u32 caplen,
			 u32 wirelen, struct rs_pkt *pkt);

#endif /* RSTSCOPE_DECODE_H */
