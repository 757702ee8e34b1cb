// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-direction TCP tracking; see tcp.h. */
#include "tcp.h"

void sslv_tcp_init(struct sslv_tcp *t, int dir, const struct sslv_seg *s,
		   u32 now_ms)
{
	u8 synack = s->flags & (SSLV_TH_SYN | SSLV_TH_ACK);

	memset(t, 0, sizeof(*t));
	t->d[SSLV_DIR_ORIG].wscale = SSLV_WSCALE_NONE;
	t->d[SSLV_DIR_REPLY].wscale = SSLV_WSCALE_NONE;
	if (dir == SSLV_DIR_ORIG && synack == SSLV_TH_SYN) {
		t->state = SSLV_FS_SYN_SENT;
	} else if (dir == SSLV_DIR_REPLY &&
		   synack == (SSLV_TH_SYN | SSLV_TH_ACK)) {
		t->state = SSLV_FS_SYN_RECV;
		t->flags |= SSLV_TCP_F_MIDSTREAM;
	} else {
		t->state = SSLV_FS_ESTABLISHED;
		t->flags |= SSLV_TCP_F_MIDSTREAM;
	}
	sslv_tcp_update(t, dir, s, now_ms);
}

static bool sslv_tcp_fin_acked(const struct sslv_tcp *t, int dir)
{
	/* @dir's FIN is acked when the peer's ack reaches @dir's next. */
	return (t->flags & SSLV_TCP_F_FIN(dir)) &&
	       (t->flags & SSLV_TCP_F_SEEN(!dir)) &&
	       !sslv_seq_before(t->d[!dir].ack, t->d[dir].next);
}

bool sslv_tcp_update(struct sslv_tcp *t, int dir, const struct sslv_seg *s,
		     u32 now_ms)
{
	struct sslv_tcp_dir *d = &t->d[dir];
	u32 end = s->seq + sslv_seg_span(s);
	bool rexmit = false;

	if (!(t->flags & SSLV_TCP_F_SEEN(dir))) {
		/* First word from this side: its numbers start here. */
		t->flags |= SSLV_TCP_F_SEEN(dir);
		d->next = s->seq;
		d->ack = s->ack;
	}
	if ((s->flags & SSLV_TH_SYN) && s->wscale != SSLV_WSCALE_NONE)
		d->wscale = s->wscale;
	if ((s->flags & SSLV_TH_SYN) && dir == SSLV_DIR_REPLY &&
	    t->state == SSLV_FS_SYN_SENT)
		t->state = SSLV_FS_SYN_RECV;

	if (s->len) {
		t->flags |= SSLV_TCP_F_DATA;
		if (!sslv_seq_after(end, d->next)) {
			rexmit = true;
			if (t->rexmit[dir] < 255)
				t->rexmit[dir]++;
		} else {
			t->rexmit[dir] = 0;
		}
	}

	if (sslv_seq_after(end, d->next))
		d->next = end;
	if ((s->flags & SSLV_TH_ACK) && sslv_seq_after(s->ack, d->ack))
		d->ack = s->ack;
	d->win = s->win;
	d->ttl = s->ttl;

	if (s->flags & SSLV_TH_RST) {
		t->flags |= SSLV_TCP_F_RST;
		t->state = SSLV_FS_CLOSED;
	} else if (t->state == SSLV_FS_SYN_RECV && dir == SSLV_DIR_ORIG &&
		   (s->flags & SSLV_TH_ACK) && !(s->flags & SSLV_TH_SYN)) {
		t->state = SSLV_FS_ESTABLISHED;
		t->flags |= SSLV_TCP_F_ACKED;
	}
	if ((s->flags & SSLV_TH_FIN) && t->state != SSLV_FS_CLOSED) {
		t->flags |= SSLV_TCP_F_FIN(dir);
		t->state = SSLV_FS_CLOSING;
	}
	if (t->state == SSLV_FS_CLOSING &&
	    sslv_tcp_fin_acked(t, SSLV_DIR_ORIG) &&
	    sslv_tcp_fin_acked(t, SSLV_DIR_REPLY))
		t->state = SSLV_FS_CLOSED;

	t->last_ms = now_ms;
	return rexmit;
}

enum sslv_seq_fit sslv_tcp_seq_fit(const struct sslv_tcp *t, int dir, u32 seq)
{
	const struct sslv_tcp_dir *snd = &t->d[dir], *rcv = &t->d[!dir];
	u32 wnd;

	if (!(t->flags & SSLV_TCP_F_SEEN(dir)))
		return SSLV_SEQ_UNKNOWN;
	if (seq == snd->next)
		return SSLV_SEQ_EXACT;
	if (!(t->flags & SSLV_TCP_F_SEEN(!dir)))
		return SSLV_SEQ_UNKNOWN;
	/* RFC 7323: windows are scaled only when both SYNs offered it. */
	wnd = rcv->win;
	if (t->d[0].wscale != SSLV_WSCALE_NONE &&
	    t->d[1].wscale != SSLV_WSCALE_NONE)
		wnd <<= rcv->wscale > 14 ? 14 : rcv->wscale;
	if (!sslv_seq_before(seq, snd->next) &&
	    sslv_seq_before(seq, snd->next + (wnd ? wnd : 1)))
		return SSLV_SEQ_IN_WINDOW;
	return SSLV_SEQ_OUTSIDE;
}
