/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * RST classifier: explains one TCP reset from the history of its flow.
 * Shared by the module (classifying RSTs that cross the bridge, its own
 * included) and userspace (tools/rstscope replays pcaps through it). Pure C,
 * see types.h.
 *
 * Call sslv_rst_classify() BEFORE the tracker sees the RST, then feed the
 * RST to sslv_tcp_update() as any other segment. The verdict is a handful
 * of small enums and flags; each value has a short, stable, lowercase label
 * (the *_label() functions) for logs, counters and JSON, and
 * sslv_rst_explain() turns a verdict into one sentence for a human.
 *
 * Every label below says how a reader checks it in Wireshark. "The stream"
 * is the RST's TCP conversation (tcp.stream eq N); "the sender" is the host
 * whose address the RST carries as its source.
 */
#ifndef SSLV_LIB_RST_H
#define SSLV_LIB_RST_H

#include "types.h"
#include "tcp.h"

/*
 * Where in the flow's life the RST falls, in life order. The classifier
 * tries no-flow, after-teardown, fin-rst and teardown first, then the
 * handshake phases and data: the first that applies wins.
 */
enum sslv_rst_phase {
	/*
	 * "handshake-refused": the server answers the client's SYN with an
	 * RST: nothing listens on the port, or a filter rejects it.
	 * Wireshark: tcp.flags.reset==1 && tcp.flags.ack==1 from the server,
	 * with tcp.ack == the SYN's tcp.seq + 1, and no SYN-ACK in the stream.
	 */
	SSLV_RST_HANDSHAKE_REFUSED,
	/*
	 * "handshake-abort": an RST after the SYN (client) or the SYN-ACK,
	 * before the handshake's final ACK. From the client right after a
	 * SYN-ACK it is the SYN-scan pattern (nmap -sS); from the server's
	 * address it is often a bypass blocker.
	 * Wireshark: the stream holds tcp.flags.syn==1 frames and this RST,
	 * but no frame with only tcp.flags.ack==1 from the client before it.
	 */
	SSLV_RST_HANDSHAKE_ABORT,
	/*
	 * "post-handshake-abort": an RST right after a completed handshake,
	 * before any payload; from the client it is the connect-scan pattern
	 * (nmap -sT), from the server an accept queue overflow or an access
	 * filter.
	 * Wireshark: the stream has the three handshake frames, then this
	 * RST, and no frame with tcp.len > 0.
	 */
	SSLV_RST_POST_HANDSHAKE_ABORT,
	/*
	 * "data": an RST while data flows and no FIN was seen: an abortive
	 * close (SO_LINGER {1, 0}, close() with unread data), a crashed
	 * application, or a middlebox cutting the flow. Flows picked up
	 * mid-stream, handshake unseen, land here too.
	 * Wireshark: earlier frames of the stream have tcp.len > 0, none has
	 * tcp.flags.fin==1.
	 */
	SSLV_RST_DATA,
	/*
	 * "teardown": a FIN from either side was seen; the RST ends a close
	 * in progress (data arriving at a closed socket, a load balancer
	 * shortening TIME_WAIT).
	 * Wireshark: an earlier frame of the stream has tcp.flags.fin==1.
	 */
	SSLV_RST_TEARDOWN,
	/*
	 * "fin-rst": the sender resets right after its own FIN, before the
	 * peer acknowledged that FIN; the close of TLS stacks that skip
	 * close_notify. Detected as: the sender's FIN was seen, the RST's seq
	 * is the FIN's seq + 1 (nothing can follow a FIN), and the peer's ack
	 * has not reached it yet (or the RST carries FIN itself).
	 * Wireshark: the sender's previous frame has tcp.flags.fin==1 and
	 * tcp.nxtseq equal to this RST's tcp.seq, and no frame of the peer in
	 * between has tcp.ack equal to it.
	 */
	SSLV_RST_FIN_RST,
	/*
	 * "after-teardown": the flow was already closed, by an earlier RST or
	 * by both FINs acked; a firewall logs it as "no connection".
	 * Wireshark: an earlier frame of the stream has tcp.flags.reset==1,
	 * or both directions' tcp.flags.fin==1 were acked before it.
	 */
	SSLV_RST_AFTER_TEARDOWN,
	/*
	 * "no-flow": nothing of the flow was seen before the RST.
	 * Wireshark: the RST is the first frame of its tcp.stream.
	 */
	SSLV_RST_NO_FLOW,
	__SSLV_RST_PHASE_MAX
};

/*
 * Who sent it: "client" (the SYN sender, or the first sender of a flow
 * picked up mid-stream), "server", or "unknown" when no flow is known.
 * Wireshark: compare ip.src / ipv6.src with the stream's first frame.
 */
enum sslv_rst_sender {
	SSLV_RST_SENDER_CLIENT,
	SSLV_RST_SENDER_SERVER,
	SSLV_RST_SENDER_UNKNOWN,
	__SSLV_RST_SENDER_MAX
};

enum sslv_rst_kind {
	/*
	 * "rst-ack": RST with ACK, the reset an endpoint sends from a live
	 * connection. Wireshark: tcp.flags.reset==1 && tcp.flags.ack==1.
	 */
	SSLV_RST_KIND_TRUE,
	/*
	 * "rst-bare": RST without ACK. An endpoint sends one in answer to a
	 * segment that carried an ACK but belongs to no connection it has
	 * (seq = that ack); otherwise it marks a forgery by a middlebox.
	 * Wireshark: tcp.flags.reset==1 && tcp.flags.ack==0.
	 */
	SSLV_RST_KIND_BARE,
	__SSLV_RST_KIND_MAX
};

enum sslv_rst_ttl {
	/*
	 * "ttl-unknown": the sender sent nothing before the RST (or there is
	 * no flow), so there is nothing to compare with.
	 */
	SSLV_RST_TTL_UNKNOWN,
	/*
	 * "ttl-match": the RST carries the TTL (hop limit) of the sender's
	 * previous packet. Wireshark: ip.ttl (ipv6.hlim) equal across the
	 * sender's frames of the stream.
	 */
	SSLV_RST_TTL_MATCH,
	/*
	 * "ttl-anomaly": the TTL differs from the sender's previous packet: a
	 * different hop distance or stack, the mark of an RST forged by a
	 * middlebox in the sender's name. Observed and expected values are in
	 * ttl_seen and ttl_expected.
	 * Wireshark: ip.ttl (ipv6.hlim) of the RST versus the sender's other
	 * frames of the stream.
	 */
	SSLV_RST_TTL_ANOMALY,
	__SSLV_RST_TTL_MAX
};

/*
 * The RST's seq against its receiver, as enum sslv_seq_fit (tcp.h):
 * "seq-exact" (== rcv_nxt, known as the sender's next seq or the receiver's
 * last ack: accepted), "seq-in-window" (an RFC 5961 stack only sends a
 * challenge ACK), "seq-outside" (ignored), "seq-unknown" (the receiver's
 * window was never seen). An RST answering a SYN is judged by its
 * ack instead, as the client does: exact when it acks the SYN, outside
 * otherwise (a bare RST to a SYN is dropped).
 * Wireshark: the RST's tcp.seq versus the receiver's last tcp.ack, and
 * tcp.seq + the receiver's tcp.window_size.
 */

/* Cause hints, bits of sslv_rst_info.causes. */
enum sslv_rst_cause {
	/*
	 * "idle": the flow was silent for longer than cfg->idle_ms before
	 * the RST, the pattern of a firewall or load balancer that expired
	 * the flow. Wireshark: tcp.time_delta of the RST (enable the TCP
	 * preference "Calculate conversation timestamps").
	 */
	SSLV_RST_C_IDLE = 1 << 0,
	/*
	 * "rexmit": the sender or its peer was retransmitting the same data
	 * just before: the retransmission limit ran out.
	 * Wireshark: tcp.analysis.retransmission in the frames before it.
	 */
	SSLV_RST_C_REXMIT = 1 << 1,
	/*
	 * "sslv": sslv sent it itself, to reject the flow; reason holds why
	 * (enum sslv_reason). Wireshark: sslv copies the impersonated
	 * endpoint's TTL and MAC, so only sslv's own events name it.
	 */
	SSLV_RST_C_SSLV = 1 << 2,
};

#define SSLV_RST_NCAUSES 3

/* Silence before an RST that counts as an idle timeout, by default. */
#define SSLV_RST_IDLE_MS_DEFAULT 30000

struct sslv_rst_cfg {
	u32 idle_ms;	/* silence longer than this is SSLV_RST_C_IDLE; 0: off */
};

struct sslv_rst_info {
	u8 phase;	/* enum sslv_rst_phase */
	u8 sender;	/* enum sslv_rst_sender */
	u8 kind;	/* enum sslv_rst_kind */
	u8 ttl;		/* enum sslv_rst_ttl */
	u8 ttl_seen;	/* the RST's TTL / hop limit */
	u8 ttl_expected; /* the sender's previous TTL, with ttl != UNKNOWN */
	u8 seq_fit;	/* enum sslv_seq_fit */
	u8 causes;	/* SSLV_RST_C_* */
	u8 reason;	/* enum sslv_reason, with SSLV_RST_C_SSLV */
	u8 rexmit;	/* retransmissions just before, the larger side's */
	u8 flow_flags;	/* the flow's SSLV_TCP_F_* before the RST */
	u8 pad;
	u32 idle_ms;	/* silence before the RST; 0 without a flow */
};

/*
 * Classify @rst, sent by @dir (SSLV_DIR_*), before the tracker @t has seen
 * it. @t is NULL when no flow is known. @own is the enum sslv_reason when
 * sslv sent this RST itself, else SSLV_R_NONE.
 */
struct sslv_rst_info sslv_rst_classify(const struct sslv_tcp *t, int dir,
				       const struct sslv_seg *rst, u32 now_ms,
				       const struct sslv_rst_cfg *cfg,
				       unsigned int own);

/* Stable lowercase labels; out-of-range values give "invalid". */
const char *sslv_rst_phase_label(unsigned int phase);
const char *sslv_rst_sender_label(unsigned int sender);
const char *sslv_rst_kind_label(unsigned int kind);
const char *sslv_rst_ttl_label(unsigned int ttl);
const char *sslv_rst_seq_label(unsigned int seq_fit);
/* @cause is one SSLV_RST_C_* bit. */
const char *sslv_rst_cause_label(unsigned int cause);
/* enum sslv_reason: "rule", "operator", ... */
const char *sslv_rst_reason_label(unsigned int reason);

/*
 * One line of plain English for @info into @buf (always NUL-terminated
 * when @size > 0). Returns the length the whole line needs, like snprintf:
 * a result >= @size means it was cut short.
 */
int sslv_rst_explain(char *buf, u32 size, const struct sslv_rst_info *info);

#endif /* SSLV_LIB_RST_H */
