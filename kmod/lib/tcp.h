/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Per-direction TCP tracking, shared by the module (every tracked flow embeds
 * a struct sslv_tcp) and userspace (tools/rstscope replays pcaps through the
 * very same code). Pure C, see types.h.
 *
 * Direction 0 (SSLV_DIR_ORIG) is the client, the SYN sender; direction 1
 * (SSLV_DIR_REPLY) the server. For a flow picked up mid-stream the first
 * sender seen is called the client unless the caller knows better.
 *
 * What an RST needs is kept per direction: d[X].next is the highest sequence
 * number X has sent (data, SYN and FIN counted), which is the peer's rcv_nxt
 * once everything in flight has arrived; an RST toward the peer with
 * seq == d[X].next is accepted by an RFC 5961 stack, an in-window one only
 * draws a challenge ACK.
 */
#ifndef SSLV_LIB_TCP_H
#define SSLV_LIB_TCP_H

#include "types.h"
#include <linux/sslv.h>

enum sslv_dir {
	SSLV_DIR_ORIG,
	SSLV_DIR_REPLY,
};

#define SSLV_TH_FIN	0x01
#define SSLV_TH_SYN	0x02
#define SSLV_TH_RST	0x04
#define SSLV_TH_PSH	0x08
#define SSLV_TH_ACK	0x10

#define SSLV_WSCALE_NONE 0xff

/* One TCP segment as the tracker and the RST classifier need it. */
struct sslv_seg {
	u32 seq;
	u32 ack;
	u32 len;	/* payload bytes (BIG TCP: more than 64K) */
	u16 win;	/* raw, unscaled */
	u8 flags;	/* SSLV_TH_* */
	u8 ttl;		/* TTL or hop limit */
	u8 wscale;	/* window-scale option of a SYN, else SSLV_WSCALE_NONE */
};

struct sslv_tcp_dir {
	u32 next;	/* highest seq + len (+SYN, +FIN) sent */
	u32 ack;	/* highest ack sent */
	u16 win;	/* last raw window advertised */
	u8 wscale;	/* SSLV_WSCALE_NONE until known */
	u8 ttl;		/* TTL / hop limit of this side's last packet */
};

/* sslv_tcp.flags */
#define SSLV_TCP_F_MIDSTREAM	0x01	/* no SYN seen */
#define SSLV_TCP_F_FIN_ORIG	0x02	/* client sent FIN */
#define SSLV_TCP_F_FIN_REPLY	0x04	/* server sent FIN */
#define SSLV_TCP_F_RST		0x08	/* an RST passed */
#define SSLV_TCP_F_DATA		0x10	/* payload seen in either direction */
#define SSLV_TCP_F_ACKED	0x20	/* handshake's final ACK seen */
#define SSLV_TCP_F_SEEN_ORIG	0x40	/* the client has sent something */
#define SSLV_TCP_F_SEEN_REPLY	0x80	/* the server has sent something */

#define SSLV_TCP_F_FIN(dir)	((dir) ? SSLV_TCP_F_FIN_REPLY : SSLV_TCP_F_FIN_ORIG)
#define SSLV_TCP_F_SEEN(dir)	((dir) ? SSLV_TCP_F_SEEN_REPLY : SSLV_TCP_F_SEEN_ORIG)

struct sslv_tcp {
	struct sslv_tcp_dir d[2];
	u32 last_ms;	/* when the last packet was seen */
	u8 state;	/* enum sslv_flow_state, never REJECTED/DROPPED here */
	u8 flags;	/* SSLV_TCP_F_* */
	u8 rexmit[2];	/* consecutive retransmissions per direction, saturating */
};

/* Sequence space a segment occupies: payload plus one for SYN and for FIN. */
static inline u32 sslv_seg_span(const struct sslv_seg *s)
{
	return s->len + !!(s->flags & SSLV_TH_SYN) + !!(s->flags & SSLV_TH_FIN);
}

/*
 * Start tracking with the flow's first segment, sent by @dir: a SYN from the
 * client starts in SYN_SENT; a SYN-ACK from the server (its SYN was missed)
 * in SYN_RECV; anything else is a mid-stream pickup, ESTABLISHED. The last
 * two are marked SSLV_TCP_F_MIDSTREAM.
 */
void sslv_tcp_init(struct sslv_tcp *t, int dir, const struct sslv_seg *s,
		   u32 now_ms);

/*
 * Account one segment sent by @dir. Returns true when it was a pure
 * retransmission (payload entirely below what @dir had already sent).
 */
bool sslv_tcp_update(struct sslv_tcp *t, int dir, const struct sslv_seg *s,
		     u32 now_ms);

enum sslv_seq_fit {
	SSLV_SEQ_UNKNOWN,	/* the receiver's window is not known */
	SSLV_SEQ_EXACT,		/* == the receiver's rcv_nxt: accepted */
	SSLV_SEQ_IN_WINDOW,	/* in window but not exact: challenge ACK */
	SSLV_SEQ_OUTSIDE,	/* outside the window: ignored */
};

/* Where the seq of an RST sent by @dir falls in its receiver's window. */
enum sslv_seq_fit sslv_tcp_seq_fit(const struct sslv_tcp *t, int dir, u32 seq);

#endif /* SSLV_LIB_TCP_H */
