// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Zeek's endpoint state machine and conn_state, as zeek.h describes them.
 */
#include "zeek.h"

enum rs_zeek_state {
	ZS_INACTIVE,
	ZS_SYN_SENT,
	ZS_SYN_ACK_SENT,
	ZS_PARTIAL,
	ZS_ESTABLISHED,
	ZS_CLOSED,
	ZS_RESET,
};

/* Letters written at most once per direction, and S H F R's first. */
#define RS_ZH_A		0x01
#define RS_ZH_D		0x02
#define RS_ZH_I		0x04
#define RS_ZH_Q		0x08
#define RS_ZH_S		0x10	/* S or H: Zeek keeps one bit for both */
#define RS_ZH_F		0x20
#define RS_ZH_R		0x40

/* Zeek leaves SYN and RST sequence numbers this far off untrusted. */
#define RS_ZEEK_SEQ_JUMP 1048576

static void rs_zeek_add(struct rs_zeek *z, int dir, char upper)
{
	if (z->len >= RS_ZEEK_HISTORY_MAX)
		return;
	z->history[z->len++] = dir == SSLV_DIR_ORIG ? upper :
				(char)(upper - 'A' + 'a');
	z->history[z->len] = '\0';
}

/* Write @upper the first time @bit is seen; true when it was seen before. */
static bool rs_zeek_once(struct rs_zeek *z, int dir, u8 bit, char upper)
{
	if (z->e[dir].once & bit)
		return true;
	z->e[dir].once |= bit;
	rs_zeek_add(z, dir, upper);
	return false;
}

/* S H F R: once, then again each time the sequence number moves. */
static void rs_zeek_seq_letter(struct rs_zeek *z, int dir, u8 bit, char upper,
			       u32 *last, u32 seq)
{
	if (rs_zeek_once(z, dir, bit, upper) && seq != *last)
		rs_zeek_add(z, dir, upper);
	*last = seq;
}

/* T and W: on the 1st, 10th, 100th... occurrence. */
static void rs_zeek_scaled(struct rs_zeek *z, int dir, char upper, u32 *count,
			   u32 *next)
{
	if (++*count != *next)
		return;
	rs_zeek_add(z, dir, upper);
	*next = *next > UINT32_MAX / 10 ? 0 : *next * 10;
}

void rs_zeek_init(struct rs_zeek *z, bool flipped)
{
	memset(z, 0, sizeof(*z));
	for (int d = 0; d < 2; d++) {
		z->e[d].rexmit_next = 1;
		z->e[d].zero_win_next = 1;
	}
	if (flipped) {
		z->history[0] = '^';
		z->len = 1;
	}
}

static void rs_zeek_set(struct rs_zeek_end *e, u8 state)
{
	e->prev_state = e->state;
	e->state = state;
}

static void rs_zeek_history(struct rs_zeek *z, int dir,
			    const struct sslv_seg *s)
{
	struct rs_zeek_end *e = &z->e[dir];
	bool syn = s->flags & SSLV_TH_SYN, fin = s->flags & SSLV_TH_FIN;
	bool rst = s->flags & SSLV_TH_RST;
	int bits = syn + fin + rst;

	if (bits > 1) {
		if (fin && rst)
			rs_zeek_once(z, dir, RS_ZH_I, 'I');
		else
			rs_zeek_once(z, dir, RS_ZH_Q, 'Q');
	} else if (syn) {
		rs_zeek_seq_letter(z, dir, RS_ZH_S,
				   s->flags & SSLV_TH_ACK ? 'H' : 'S',
				   &e->last_syn, s->seq);
	} else if (fin) {
		/* A FIN's number is the one after its payload. */
		rs_zeek_seq_letter(z, dir, RS_ZH_F, 'F', &e->last_fin,
				   s->seq + s->len);
	} else if (rst) {
		rs_zeek_seq_letter(z, dir, RS_ZH_R, 'R', &e->last_rst, s->seq);
	} else if (s->len) {
		rs_zeek_once(z, dir, RS_ZH_D, 'D');
	} else if (s->flags & SSLV_TH_ACK) {
		rs_zeek_once(z, dir, RS_ZH_A, 'A');
	}
}

/* Zeek's last_seq bookkeeping; a payload not past it is a retransmission. */
static void rs_zeek_seq(struct rs_zeek *z, int dir, const struct sslv_seg *s)
{
	struct rs_zeek_end *e = &z->e[dir];
	bool syn = s->flags & SSLV_TH_SYN, fin = s->flags & SSLV_TH_FIN;
	bool rst = s->flags & SSLV_TH_RST;
	u32 end = s->seq + (rst ? 0 : s->len) + syn + fin;
	s32 delta;

	if (e->state == ZS_INACTIVE) {
		e->start_seq = syn ? s->seq : s->seq - 1;
		e->last_seq = syn ? end : s->seq;
	} else if (syn && s->seq != e->start_seq &&
		   e->state != ZS_CLOSED && e->state != ZS_RESET) {
		/* A SYN somewhere else: Zeek starts numbering over. */
		e->start_seq = s->seq;
		e->last_seq = end;
	}
	delta = (s32)(end - e->last_seq);
	if ((syn || rst) && (delta > RS_ZEEK_SEQ_JUMP ||
			     delta < -RS_ZEEK_SEQ_JUMP))
		return;
	if (fin && e->last_seq == e->start_seq + 1)
		e->last_seq = end;
	else if (e->state == ZS_RESET)
		return;
	else if (delta > 0)
		e->last_seq = end;
	else if (s->len)
		rs_zeek_scaled(z, dir, 'T', &e->rexmit, &e->rexmit_next);
}

static void rs_zeek_state(struct rs_zeek *z, int dir, const struct sslv_seg *s)
{
	struct rs_zeek_end *e = &z->e[dir], *p = &z->e[!dir];
	bool syn = s->flags & SSLV_TH_SYN, fin = s->flags & SSLV_TH_FIN;
	bool rst = s->flags & SSLV_TH_RST, ack = s->flags & SSLV_TH_ACK;
	bool orig = dir == SSLV_DIR_ORIG;

	switch (e->state) {
	case ZS_INACTIVE:
		if (syn && orig) {
			rs_zeek_set(e, ack ? ZS_SYN_ACK_SENT : ZS_SYN_SENT);
		} else if (syn) {
			if (p->state == ZS_SYN_SENT)
				rs_zeek_set(p, ZS_ESTABLISHED);
			rs_zeek_set(e, ZS_ESTABLISHED);
		}
		if (fin)
			rs_zeek_set(e, ZS_CLOSED);
		if (rst)
			rs_zeek_set(e, ZS_RESET);
		if (e->state != ZS_INACTIVE)
			break;
		/* No SYN, FIN or RST. */
		if (!orig && !s->len && z->e[SSLV_DIR_ORIG].state == ZS_SYN_SENT)
			break;		/* an ACK of the SYN before the SYN-ACK */
		if (ack && p->state == ZS_ESTABLISHED)
			rs_zeek_set(e, ZS_ESTABLISHED);	/* the SYN was missed */
		else
			rs_zeek_set(e, ZS_PARTIAL);
		break;
	case ZS_SYN_SENT:
	case ZS_SYN_ACK_SENT:
		if (fin)
			rs_zeek_set(e, ZS_CLOSED);
		if (rst)
			rs_zeek_set(e, ZS_RESET);
		break;
	case ZS_ESTABLISHED:
	case ZS_PARTIAL:
		if (syn && !ack && e->state == ZS_PARTIAL &&
		    p->state == ZS_INACTIVE)
			rs_zeek_set(e, ZS_SYN_SENT);
		if (fin && !rst) {
			rs_zeek_set(e, ZS_CLOSED);
			/* The peer's FIN then RST: Zeek takes it as a close. */
			if (p->state == ZS_RESET && p->prev_state == ZS_CLOSED)
				rs_zeek_set(p, ZS_CLOSED);
		}
		if (rst)
			rs_zeek_set(e, ZS_RESET);
		break;
	case ZS_CLOSED:
		/* After both FINs an RST changes nothing. */
		if (rst && p->state != ZS_CLOSED)
			rs_zeek_set(e, ZS_RESET);
		break;
	}
}

void rs_zeek_update(struct rs_zeek *z, int dir, const struct sslv_seg *s)
{
	struct rs_zeek_end *e = &z->e[dir], *p = &z->e[!dir];

	/* History, window and numbering judge by the states before. */
	rs_zeek_history(z, dir, s);
	if (!s->win && !(s->flags & SSLV_TH_RST) && p->state != ZS_CLOSED &&
	    e->state != ZS_RESET)
		rs_zeek_scaled(z, dir, 'W', &e->zero_win, &e->zero_win_next);
	rs_zeek_seq(z, dir, s);
	e->seen = true;
	if (s->len && !(s->flags & SSLV_TH_RST))
		e->data = true;
	rs_zeek_state(z, dir, s);
}

/* Zeek's RSTOS0 test: history ~ /^\^?S[^HAFGIQ]*R/. */
static bool rs_zeek_syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h && *h != 'R'; h++)
		if (strchr("HAFGIQ", *h))
			return false;
	return *h == 'R';
}

const char *rs_zeek_conn_state(const struct rs_zeek *z)
{
	u8 os = z->e[SSLV_DIR_ORIG].state, rs = z->e[SSLV_DIR_REPLY].state;
	bool o_inactive = os == ZS_INACTIVE || os == ZS_PARTIAL;
	bool r_inactive = rs == ZS_INACTIVE || rs == ZS_PARTIAL;

	if (rs == ZS_RESET) {
		if (os == ZS_SYN_SENT || os == ZS_SYN_ACK_SENT ||
		    (os == ZS_RESET && !z->e[SSLV_DIR_ORIG].data &&
		     !z->e[SSLV_DIR_REPLY].data))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == ZS_RESET) {
		if (!r_inactive)
			return "RSTO";
		return rs_zeek_syn_then_rst(z->history) ? "RSTOS0" : "OTH";
	}
	if (os == ZS_CLOSED && rs == ZS_CLOSED)
		return "SF";
	if (os == ZS_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == ZS_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == ZS_SYN_SENT && rs == ZS_INACTIVE)
		return "S0";
	if (os == ZS_ESTABLISHED && rs == ZS_ESTABLISHED)
		return "S1";
	return "OTH";
}
