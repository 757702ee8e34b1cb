// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of kmod/lib/tcp.c: states, next/ack tracking, seq fit. */
#include "tcp.h"
#include "unit.h"

static struct sslv_seg seg(u8 flags, u32 seq, u32 ack, u16 win, u16 len,
			   u8 wscale)
{
	struct sslv_seg s = {
		.seq = seq, .ack = ack, .win = win, .len = len, .flags = flags,
		.ttl = 64, .wscale = wscale,
	};
	return s;
}

/* A handshake with the given window scales, then the server's window. */
static void handshake(struct sslv_tcp *t, u8 cws, u8 sws, u16 swin)
{
	struct sslv_seg s = seg(SSLV_TH_SYN, 100, 0, 1000, 0, cws);

	sslv_tcp_init(t, SSLV_DIR_ORIG, &s, 0);
	s = seg(SSLV_TH_SYN | SSLV_TH_ACK, 500, 101, 1000, 0, sws);
	sslv_tcp_update(t, SSLV_DIR_REPLY, &s, 1);
	s = seg(SSLV_TH_ACK, 101, 501, 1000, 0, SSLV_WSCALE_NONE);
	sslv_tcp_update(t, SSLV_DIR_ORIG, &s, 2);
	s = seg(SSLV_TH_ACK, 501, 101, swin, 0, SSLV_WSCALE_NONE);
	sslv_tcp_update(t, SSLV_DIR_REPLY, &s, 3);
}

int main(void)
{
	struct sslv_tcp t;
	struct sslv_seg s;

	handshake(&t, 7, 7, 1000);
	CHECK(t.state == SSLV_FS_ESTABLISHED);
	CHECK(t.d[SSLV_DIR_ORIG].next == 101);
	CHECK(t.d[SSLV_DIR_REPLY].next == 501);
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 101) == SSLV_SEQ_EXACT);
	/* Both SYNs offered scaling: the window is 1000 << 7. */
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 101 + 2000) ==
	      SSLV_SEQ_IN_WINDOW);
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 101 + (1000 << 7)) ==
	      SSLV_SEQ_OUTSIDE);
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 100) == SSLV_SEQ_OUTSIDE);

	/* Only the client offered it (RFC 7323): no scaling either way. */
	handshake(&t, 7, SSLV_WSCALE_NONE, 1000);
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 101 + 999) ==
	      SSLV_SEQ_IN_WINDOW);
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 101 + 2000) ==
	      SSLV_SEQ_OUTSIDE);

	/* Data, a retransmission, FINs both ways and their ACKs. */
	handshake(&t, 7, 7, 1000);
	s = seg(SSLV_TH_ACK | SSLV_TH_PSH, 101, 501, 1000, 10, SSLV_WSCALE_NONE);
	CHECK(!sslv_tcp_update(&t, SSLV_DIR_ORIG, &s, 4));
	CHECK(sslv_tcp_update(&t, SSLV_DIR_ORIG, &s, 5));
	CHECK(t.rexmit[SSLV_DIR_ORIG] == 1);
	CHECK(t.d[SSLV_DIR_ORIG].next == 111);
	s = seg(SSLV_TH_ACK | SSLV_TH_FIN, 111, 501, 1000, 0, SSLV_WSCALE_NONE);
	sslv_tcp_update(&t, SSLV_DIR_ORIG, &s, 6);
	CHECK(t.state == SSLV_FS_CLOSING);
	s = seg(SSLV_TH_ACK | SSLV_TH_FIN, 501, 112, 1000, 0, SSLV_WSCALE_NONE);
	sslv_tcp_update(&t, SSLV_DIR_REPLY, &s, 7);
	CHECK(t.state == SSLV_FS_CLOSING);
	s = seg(SSLV_TH_ACK, 112, 502, 1000, 0, SSLV_WSCALE_NONE);
	sslv_tcp_update(&t, SSLV_DIR_ORIG, &s, 8);
	CHECK(t.state == SSLV_FS_CLOSED);

	/* Picked up mid-stream from the server's side. */
	s = seg(SSLV_TH_ACK, 9000, 7000, 500, 100, SSLV_WSCALE_NONE);
	sslv_tcp_init(&t, SSLV_DIR_REPLY, &s, 0);
	CHECK(t.state == SSLV_FS_ESTABLISHED);
	CHECK(t.flags & SSLV_TCP_F_MIDSTREAM);
	CHECK(t.d[SSLV_DIR_REPLY].next == 9100);
	CHECK(sslv_tcp_seq_fit(&t, SSLV_DIR_ORIG, 7000) == SSLV_SEQ_UNKNOWN);
	return unit_done();
}
