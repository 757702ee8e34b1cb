/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Zeek's view of a flow: the conn.log "history" letters and the
 * "conn_state" Zeek would log, so that an RST explained here can be looked
 * up in (or checked against) a Zeek conn.log of the same capture.
 *
 * The rules are Zeek's, as its documentation of Conn::Info gives them
 * (scripts/base/protocols/conn/main.zeek): the endpoint states of its TCP
 * analyzer (inactive, SYN sent, SYN-ACK sent, partial, established, closed,
 * reset), moved by each segment, and conn_state derived from the pair.
 * History letters: S SYN, H SYN-ACK, A pure ACK, D payload, F FIN, R RST,
 * I FIN+RST together, Q SYN+FIN or SYN+RST, T retransmitted payload, W zero
 * window, ^ direction flipped; upper case from the originator, lower case
 * from the responder. A, D, I and Q are written once per direction; S, H, F
 * and R again when their sequence number changes; T and W on the 1st, 10th,
 * 100th... time. Not modelled: C (bad checksum; rstscope does not verify
 * checksums), G (content gaps: no reassembly), X, simultaneous open.
 *
 * The originator is rstscope's client. Zeek takes the first packet's sender
 * unless its likely_server_ports heuristic flips it; rstscope flips (and
 * writes ^) only for a flow whose first packet is a SYN-ACK, as Zeek does
 * when that SYN-ACK comes from a well-known server port.
 */
#ifndef RSTSCOPE_ZEEK_H
#define RSTSCOPE_ZEEK_H

#include "tcp.h"

#define RS_ZEEK_HISTORY_MAX 40	/* letters kept; Zeek has no bound */

struct rs_zeek_end {
	u8 state;		/* enum rs_zeek_state */
	u8 prev_state;
	u8 once;		/* RS_ZH_*: letters already written */
	bool seen;		/* sent anything */
	bool data;		/* sent payload (Zeek's size > 0) */
	u32 start_seq, last_seq;
	u32 last_syn, last_fin, last_rst;
	u32 rexmit, rexmit_next;	/* T: count, next count to write at */
	u32 zero_win, zero_win_next;	/* W: likewise */
};

struct rs_zeek {
	struct rs_zeek_end e[2];	/* SSLV_DIR_ORIG: the originator */
	u8 len;
	char history[RS_ZEEK_HISTORY_MAX + 1];
};

/*
 * Start over for a new connection; @flipped when its first packet came from
 * the responder (a SYN-ACK).
 */
void rs_zeek_init(struct rs_zeek *z, bool flipped);

/* Account one segment sent by @dir (SSLV_DIR_ORIG: the originator). */
void rs_zeek_update(struct rs_zeek *z, int dir, const struct sslv_seg *s);

/* "S0", "REJ", "RSTO"...: the conn_state Zeek would log now. */
const char *rs_zeek_conn_state(const struct rs_zeek *z);

#endif /* RSTSCOPE_ZEEK_H */
