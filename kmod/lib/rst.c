// SPDX-License-Identifier: GPL-2.0 OR MIT
/* RST classifier; see rst.h. */
#include "rst.h"

static u8 sslv_rst_phase(const struct sslv_tcp *t, int dir,
			 const struct sslv_seg *rst)
{
	const struct sslv_tcp_dir *snd = &t->d[dir], *rcv = &t->d[!dir];

	if (t->state == SSLV_FS_CLOSED)
		return SSLV_RST_AFTER_TEARDOWN;
	if ((rst->flags & SSLV_TH_FIN) ||
	    ((t->flags & SSLV_TCP_F_FIN(dir)) && rst->seq == snd->next &&
	     (!(t->flags & SSLV_TCP_F_SEEN(!dir)) ||
	      sslv_seq_before(rcv->ack, snd->next))))
		return SSLV_RST_FIN_RST;
	if (t->flags & (SSLV_TCP_F_FIN_ORIG | SSLV_TCP_F_FIN_REPLY))
		return SSLV_RST_TEARDOWN;
	if (t->state == SSLV_FS_SYN_SENT && dir == SSLV_DIR_REPLY)
		return SSLV_RST_HANDSHAKE_REFUSED;
	if (t->state == SSLV_FS_SYN_SENT || t->state == SSLV_FS_SYN_RECV)
		return SSLV_RST_HANDSHAKE_ABORT;
	if ((t->flags & (SSLV_TCP_F_ACKED | SSLV_TCP_F_DATA)) ==
	    SSLV_TCP_F_ACKED)
		return SSLV_RST_POST_HANDSHAKE_ABORT;
	return SSLV_RST_DATA;
}

static u8 sslv_rst_fit(const struct sslv_tcp *t, int dir,
		       const struct sslv_seg *rst)
{
	/*
	 * A client in SYN-SENT accepts an RST only when it acks the SYN
	 * (RFC 793, 3.9); its seq does not matter there.
	 */
	if (t->state == SSLV_FS_SYN_SENT && dir == SSLV_DIR_REPLY)
		return (rst->flags & SSLV_TH_ACK) &&
		       rst->ack == t->d[SSLV_DIR_ORIG].next ?
		       SSLV_SEQ_EXACT : SSLV_SEQ_OUTSIDE;
	/*
	 * The receiver's own last ack is its rcv_nxt too when what the
	 * sender sent since never arrived (a middlebox dropped it).
	 */
	if ((t->flags & SSLV_TCP_F_SEEN(!dir)) && rst->seq == t->d[!dir].ack)
		return SSLV_SEQ_EXACT;
	return sslv_tcp_seq_fit(t, dir, rst->seq);
}

struct sslv_rst_info sslv_rst_classify(const struct sslv_tcp *t, int dir,
				       const struct sslv_seg *rst, u32 now_ms,
				       const struct sslv_rst_cfg *cfg,
				       unsigned int own)
{
	struct sslv_rst_info info;
	s32 gap;

	memset(&info, 0, sizeof(info));
	info.kind = (rst->flags & SSLV_TH_ACK) ? SSLV_RST_KIND_TRUE :
						 SSLV_RST_KIND_BARE;
	info.ttl_seen = rst->ttl;
	if (own) {
		info.causes |= SSLV_RST_C_SSLV;
		info.reason = own;
	}
	if (!t) {
		info.phase = SSLV_RST_NO_FLOW;
		info.sender = SSLV_RST_SENDER_UNKNOWN;
		info.ttl = SSLV_RST_TTL_UNKNOWN;
		info.seq_fit = SSLV_SEQ_UNKNOWN;
		return info;
	}

	dir = dir ? SSLV_DIR_REPLY : SSLV_DIR_ORIG;
	info.sender = dir ? SSLV_RST_SENDER_SERVER : SSLV_RST_SENDER_CLIENT;
	info.flow_flags = t->flags;
	info.phase = sslv_rst_phase(t, dir, rst);
	info.seq_fit = sslv_rst_fit(t, dir, rst);

	if (t->flags & SSLV_TCP_F_SEEN(dir)) {
		info.ttl_expected = t->d[dir].ttl;
		info.ttl = info.ttl_expected == rst->ttl ?
			   SSLV_RST_TTL_MATCH : SSLV_RST_TTL_ANOMALY;
	}

	gap = (s32)(now_ms - t->last_ms);	/* captures can go backwards */
	info.idle_ms = gap > 0 ? (u32)gap : 0;
	if (cfg && cfg->idle_ms && info.idle_ms > cfg->idle_ms)
		info.causes |= SSLV_RST_C_IDLE;

	info.rexmit = t->rexmit[0] > t->rexmit[1] ? t->rexmit[0] : t->rexmit[1];
	if (info.rexmit)
		info.causes |= SSLV_RST_C_REXMIT;
	return info;
}

static const char *const sslv_rst_phase_labels[__SSLV_RST_PHASE_MAX] = {
	[SSLV_RST_HANDSHAKE_REFUSED]	= "handshake-refused",
	[SSLV_RST_HANDSHAKE_ABORT]	= "handshake-abort",
	[SSLV_RST_POST_HANDSHAKE_ABORT]	= "post-handshake-abort",
	[SSLV_RST_DATA]			= "data",
	[SSLV_RST_TEARDOWN]		= "teardown",
	[SSLV_RST_FIN_RST]		= "fin-rst",
	[SSLV_RST_AFTER_TEARDOWN]	= "after-teardown",
	[SSLV_RST_NO_FLOW]		= "no-flow",
};

static const char *const sslv_rst_sender_labels[__SSLV_RST_SENDER_MAX] = {
	[SSLV_RST_SENDER_CLIENT]	= "client",
	[SSLV_RST_SENDER_SERVER]	= "server",
	[SSLV_RST_SENDER_UNKNOWN]	= "unknown",
};

static const char *const sslv_rst_kind_labels[__SSLV_RST_KIND_MAX] = {
	[SSLV_RST_KIND_TRUE]	= "rst-ack",
	[SSLV_RST_KIND_BARE]	= "rst-bare",
};

static const char *const sslv_rst_ttl_labels[__SSLV_RST_TTL_MAX] = {
	[SSLV_RST_TTL_UNKNOWN]	= "ttl-unknown",
	[SSLV_RST_TTL_MATCH]	= "ttl-match",
	[SSLV_RST_TTL_ANOMALY]	= "ttl-anomaly",
};

static const char *const sslv_rst_seq_labels[] = {
	[SSLV_SEQ_UNKNOWN]	= "seq-unknown",
	[SSLV_SEQ_EXACT]	= "seq-exact",
	[SSLV_SEQ_IN_WINDOW]	= "seq-in-window",
	[SSLV_SEQ_OUTSIDE]	= "seq-outside",
};

static const char *const sslv_rst_reason_labels[__SSLV_R_MAX] = {
	[SSLV_R_NONE]		= "none",
	[SSLV_R_RULE]		= "rule",
	[SSLV_R_OPERATOR]	= "operator",
	[SSLV_R_TIMEOUT]	= "timeout",
	[SSLV_R_EVICTED]	= "evicted",
	[SSLV_R_FLUSH]		= "flush",
	[SSLV_R_CLIENT_CERT]	= "client-cert",
	[SSLV_R_REOPENED]	= "reopened",
	[SSLV_R_CONFLICT]	= "conflict",
	[SSLV_R_DECRYPT_UNAVAILABLE] = "decrypt-unavailable",
	[SSLV_R_DECRYPTED]	= "decrypted",
	[SSLV_R_IPS_FAIL]	= "ips-fail",
};

#define SSLV_LABEL(table, i) \
	((i) < sizeof(table) / sizeof((table)[0]) && (table)[i] ? \
	 (table)[i] : "invalid")

const char *sslv_rst_phase_label(unsigned int phase)
{
	return SSLV_LABEL(sslv_rst_phase_labels, phase);
}

const char *sslv_rst_sender_label(unsigned int sender)
{
	return SSLV_LABEL(sslv_rst_sender_labels, sender);
}

const char *sslv_rst_kind_label(unsigned int kind)
{
	return SSLV_LABEL(sslv_rst_kind_labels, kind);
}

const char *sslv_rst_ttl_label(unsigned int ttl)
{
	return SSLV_LABEL(sslv_rst_ttl_labels, ttl);
}

const char *sslv_rst_seq_label(unsigned int seq_fit)
{
	return SSLV_LABEL(sslv_rst_seq_labels, seq_fit);
}

const char *sslv_rst_reason_label(unsigned int reason)
{
	return SSLV_LABEL(sslv_rst_reason_labels, reason);
}

const char *sslv_rst_cause_label(unsigned int cause)
{
	switch (cause) {
	case SSLV_RST_C_IDLE:
		return "idle";
	case SSLV_RST_C_REXMIT:
		return "rexmit";
	case SSLV_RST_C_SSLV:
		return "sslv";
	}
	return "invalid";
}

/* A bounded string appender: counts what the text needs, writes what fits. */
struct sslv_line {
	char *buf;
	u32 size;
	u32 len;
};

static void sslv_line_put(struct sslv_line *l, const char *s)
{
	for (; *s; s++, l->len++)
		if (l->len + 1 < l->size)
			l->buf[l->len] = *s;
}

static void sslv_line_u32(struct sslv_line *l, u32 v)
{
	char digits[11];
	int i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	sslv_line_put(l, &digits[i]);
}

static const char *sslv_rst_who(const struct sslv_rst_info *info)
{
	switch (info->sender) {
	case SSLV_RST_SENDER_CLIENT:
		return "client";
	case SSLV_RST_SENDER_SERVER:
		return "server";
	}
	return "sender";
}

static void sslv_rst_explain_phase(struct sslv_line *l,
				   const struct sslv_rst_info *info)
{
	bool client = info->sender == SSLV_RST_SENDER_CLIENT;
	u8 fins = info->flow_flags &
		  (SSLV_TCP_F_FIN_ORIG | SSLV_TCP_F_FIN_REPLY);

	if (info->phase != SSLV_RST_NO_FLOW) {
		sslv_line_put(l, sslv_rst_who(info));
		sslv_line_put(l, " ");
	}
	switch (info->phase) {
	case SSLV_RST_HANDSHAKE_REFUSED:
		sslv_line_put(l, "refused the client's SYN: closed port or a reject rule");
		break;
	case SSLV_RST_HANDSHAKE_ABORT:
		sslv_line_put(l, client ?
			"aborted the handshake (SYN-scan pattern when it answers a SYN-ACK)" :
			"reset the handshake after its SYN-ACK (a bypass blocker when forged)");
		break;
	case SSLV_RST_POST_HANDSHAKE_ABORT:
		sslv_line_put(l, client ?
			"reset right after the handshake, no data sent (connect-scan pattern)" :
			"reset right after the handshake, no data sent (accept queue overflow or an access filter)");
		break;
	case SSLV_RST_DATA:
		sslv_line_put(l, "aborted the connection during data transfer (SO_LINGER {1, 0}, close with unread data, crash, or a middlebox)");
		if (info->flow_flags & SSLV_TCP_F_MIDSTREAM)
			sslv_line_put(l, "; flow picked up mid-stream");
		break;
	case SSLV_RST_TEARDOWN:
		sslv_line_put(l, "reset the connection while it was closing, after ");
		sslv_line_put(l, fins == SSLV_TCP_F_FIN_ORIG ? "the client's FIN" :
				 fins == SSLV_TCP_F_FIN_REPLY ? "the server's FIN" :
				 "both FINs");
		break;
	case SSLV_RST_FIN_RST:
		sslv_line_put(l, "reset right after its own FIN, before the peer acked it (FIN+RST close, as TLS stacks skipping close_notify do)");
		break;
	case SSLV_RST_AFTER_TEARDOWN:
		sslv_line_put(l, "reset a connection already closed by ");
		sslv_line_put(l, info->flow_flags & SSLV_TCP_F_RST ?
				 "an earlier RST" : "both FINs");
		sslv_line_put(l, " (a firewall drops it as no connection)");
		break;
	default:
		sslv_line_put(l, "RST of a flow never seen before (capture started late, or a stray RST)");
		break;
	}
}

int sslv_rst_explain(char *buf, u32 size, const struct sslv_rst_info *info)
{
	struct sslv_line l = { .buf = buf, .size = size };

	sslv_rst_explain_phase(&l, info);
	if (info->kind == SSLV_RST_KIND_BARE)
		sslv_line_put(&l, "; bare RST (no ACK): an answer to a segment of no known connection, or forged");
	if (info->ttl == SSLV_RST_TTL_ANOMALY) {
		sslv_line_put(&l, "; TTL ");
		sslv_line_u32(&l, info->ttl_seen);
		sslv_line_put(&l, " where the ");
		sslv_line_put(&l, sslv_rst_who(info));
		sslv_line_put(&l, "'s packets had ");
		sslv_line_u32(&l, info->ttl_expected);
		sslv_line_put(&l, ": another hop distance, likely forged by a middlebox");
	}
	if (info->seq_fit == SSLV_SEQ_IN_WINDOW)
		sslv_line_put(&l, "; seq in window but not exact: an RFC 5961 receiver only sends a challenge ACK");
	else if (info->seq_fit == SSLV_SEQ_OUTSIDE)
		sslv_line_put(&l, "; does not fit the receiver's window: ignored");
	if (info->causes & SSLV_RST_C_IDLE) {
		sslv_line_put(&l, "; after ");
		sslv_line_u32(&l, info->idle_ms);
		sslv_line_put(&l, " ms of silence: idle timeout of a firewall or load balancer");
	}
	if (info->causes & SSLV_RST_C_REXMIT) {
		sslv_line_put(&l, "; after ");
		sslv_line_u32(&l, info->rexmit);
		sslv_line_put(&l, " retransmissions: retransmission limit");
	}
	if (info->causes & SSLV_RST_C_SSLV) {
		sslv_line_put(&l, "; sent by sslv (");
		sslv_line_put(&l, sslv_rst_reason_label(info->reason));
		sslv_line_put(&l, ")");
	}
	if (size)
		buf[l.len < size ? l.len : size - 1] = '\0';
	return l.len;
}
