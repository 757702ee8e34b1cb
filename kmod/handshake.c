// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a flow's TLS handshake, deciding its TLS rules, and the session
 * log.
 *
 * Every cut flow whose SYN was seen is read from its first payload byte:
 *
 *   client's first bytes ─ no TLS hello ─ nontls ───────────────────▶ done
 *     │
 *   ClientHello ─ pending TLS rules decide, or wait for the server ─ ...
 *     │
 *   server's first flight: ServerHello (TLS 1.3: the rest is encrypted),
 *   for TLS <= 1.2 on to ServerHelloDone ─ waiting rules decide; a flow no
 *   rule decided whose server asks for a client certificate gets the
 *   SSLV_A_CLIENT_CERT action ──────────────────────── session event ▶ done
 *
 * The bytes are copied, never held: every segment is forwarded (or, if it
 * is the one that decides a reject or drop, dropped as the trigger) at
 * once. Each direction's opening is kept at its stream offsets, out-of-order
 * segments included (lib/reasm.c keeps which bytes are in), and lib/tls.c
 * parses the contiguous prefix again each time it grows by a whole
 * handshake message (sslv_tls_walk): a hello cut into single bytes costs
 * one walk of its headers, not a parse per byte. The first copy of a byte
 * is the one read; a retransmission with other bytes resets the flow
 * (sslv_hs_conflict).
 *
 * Memory follows the bytes held. The prefix [0, have) lives in one buffer,
 * grown (power-of-two sizes from 1 KiB) as the prefix grows; bytes beyond
 * its end live in SSLV_HS_PAGE pages, each allocated when a byte lands in
 * it, and copied into the buffer, then freed, when the buffer grows over
 * them. One byte at offset 15000 costs one page, not 16 KiB.
 * A flow's buffers and pages together never exceed SSLV_HS_FLOW_MAX bytes;
 * a namespace's handshake memory (per-flow state included, as allocated)
 * never its SSLV_A_HS_MEM, all namespaces' never sslv_hs_mem_max. Each
 * bound, when hit, ends the reading with SSLV_SESS_E_LIMIT and is counted
 * (tls_limit_flow, tls_limit_netns, tls_limit_global). A side's memory is
 * freed as soon as it is parsed (the client's once the server acks it),
 * the whole state as soon as the policy is final, or when the reading
 * outlives SSLV_A_HS_TIMEOUT (sslv_hs_expire), packets or not.
 *
 * Flows picked up mid-stream are never read: their stream offsets are
 * unknown. A TLS rule sees them as neither TLS nor non-TLS.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "sslv.h"

enum sslv_hs_side {
	SSLV_HS_READING,
	SSLV_HS_PARSED,
	SSLV_HS_FAILED,
};

#define SSLV_HS_PAGE	1024
#define SSLV_HS_PAGES	(SSLV_HS_FLOW_MAX / SSLV_HS_PAGE)

struct sslv_hs {
	struct rcu_head rcu;		/* freed after readers of sslv_net.hs */
	struct sslv_flow *flow;		/* its flow, for sslv_hs_expire() */
	u32 born_ms;			/* when its first byte was read */
	u32 start[2];			/* seq of each side's first payload byte */
	u32 cap[2];			/* bytes [0, cap) live at buf[] */
	u8 *buf[2];
	u8 npages[2];
	u8 *page[2][SSLV_HS_PAGES];	/* bytes past cap[]: page i from i KiB */
	struct sslv_reasm ra[2];
	struct sslv_tls_walk walk[2];	/* when to parse each side again */
	u8 side[2];			/* enum sslv_hs_side */
	u8 error;			/* enum sslv_sess_error */
	bool server_start;		/* start[SSLV_DIR_REPLY] is known */
	bool inspected;			/* a TLS rule looked at the flow ... */
	u8 reason;			/* ... and decided it: reason, rule */
	u32 rule_id;
	struct sslv_tls_client ch;
	struct sslv_tls_server sh;
};

static atomic_long_t sslv_hs_mem = ATOMIC_LONG_INIT(0);

/* The handshake state of @f, locked, if it has one. */
static struct sslv_hs *sslv_hs_of(struct sslv_net *sn,
				  const struct sslv_flow *f)
{
	return f->flags & SSLV_FF_HS ? xa_load(&sn->hs, f->id) : NULL;
}

const struct sslv_tls_view sslv_tls_view_none = { .server_final = true };

/* Take @bytes of handshake memory, within the namespace's and the global bound. */
static bool sslv_hs_charge(struct sslv_net *sn, u32 bytes)
{
	if ((u32)atomic_add_return(bytes, &sn->hs_bytes) >
	    READ_ONCE(sn->hs_mem)) {
		atomic_sub(bytes, &sn->hs_bytes);
		sslv_inc(sn, tls_limit_netns);
		return false;
	}
	if (atomic_long_add_return(bytes, &sslv_hs_mem) >
	    READ_ONCE(sslv_hs_mem_max)) {
		atomic_long_sub(bytes, &sslv_hs_mem);
		atomic_sub(bytes, &sn->hs_bytes);
		sslv_inc(sn, tls_limit_global);
		return false;
	}
	return true;
}

static void sslv_hs_uncharge(struct sslv_net *sn, u32 bytes)
{
	atomic_long_sub(bytes, &sslv_hs_mem);
	atomic_sub(bytes, &sn->hs_bytes);
}

/* What a buffer of @cap bytes takes from the allocator. */
static u32 sslv_hs_bufsz(u32 cap)
{
	return cap ? kmalloc_size_roundup(cap) : 0;
}

/* The memory side @dir holds: its prefix buffer and its pages. */
static u32 sslv_hs_held(const struct sslv_hs *hs, int dir)
{
	return hs->cap[dir] + hs->npages[dir] * SSLV_HS_PAGE;
}

/* Side @dir's bytes must lie below this: the flow's bound less the other's. */
static u32 sslv_hs_room(const struct sslv_hs *hs, int dir)
{
	return SSLV_HS_FLOW_MAX - sslv_hs_held(hs, !dir);
}

static void sslv_hs_free_page(struct sslv_net *sn, struct sslv_hs *hs,
			      int dir, u32 i)
{
	if (!hs->page[dir][i])
		return;
	kfree(hs->page[dir][i]);
	hs->page[dir][i] = NULL;
	hs->npages[dir]--;
	sslv_hs_uncharge(sn, SSLV_HS_PAGE);
}

static void sslv_hs_free_pages(struct sslv_net *sn, struct sslv_hs *hs,
			       int dir)
{
	u32 i;

	for (i = 0; i < SSLV_HS_PAGES && hs->npages[dir]; i++)
		sslv_hs_free_page(sn, hs, dir, i);
}

static void sslv_hs_free_buf(struct sslv_net *sn, struct sslv_hs *hs, int dir)
{
	sslv_hs_free_pages(sn, hs, dir);
	kfree(hs->buf[dir]);
	sslv_hs_uncharge(sn, sslv_hs_bufsz(hs->cap[dir]));
	hs->buf[dir] = NULL;
	hs->cap[dir] = 0;
}

void sslv_flow_match_key(const struct sslv_flow *f, struct sslv_match_key *k)
{
	bool cb = f->flags & SSLV_FF_CLIENT_B;
	unsigned int alen = f->key.family == AF_INET ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->family = f->key.family;
	k->vlan = f->key.vlan;
	k->iif = f->ifindex[SSLV_DIR_ORIG];
	memcpy(k->src, cb ? &f->key.b : &f->key.a, alen);
	memcpy(k->dst, cb ? &f->key.a : &f->key.b, alen);
	k->sport = ntohs(cb ? f->key.port_b : f->key.port_a);
	k->dport = ntohs(cb ? f->key.port_a : f->key.port_b);
}

/* The undecryptable classes the handshake has shown. */
static u32 sslv_hs_classes(const struct sslv_hs *hs)
{
	const struct sslv_tls_client *ch = &hs->ch;
	u32 c = 0;

	if (hs->side[SSLV_DIR_ORIG] == SSLV_HS_PARSED) {
		if (ch->max_version < SSLV_TLS_VER_TLS10)
			c |= SSLV_UD_LEGACY_SSL;
		if (ch->flags & SSLV_TLS_C_COMPRESSION)
			c |= SSLV_UD_COMPRESSION;
		if (!(ch->flags & SSLV_TLS_C_MODERN_CIPHER))
			c |= SSLV_UD_NO_CIPHER;
		if (ch->flags & (SSLV_TLS_C_ECH | SSLV_TLS_C_ESNI))
			c |= SSLV_UD_ECH;
	}
	if (hs->sh.flags & SSLV_TLS_S_CERT_REQ)
		c |= SSLV_UD_CLIENT_CERT;
	return c;
}

static void sslv_hs_view(const struct sslv_hs *hs, struct sslv_tls_view *v)
{
	memset(v, 0, sizeof(*v));
	if (hs->side[SSLV_DIR_ORIG] == SSLV_HS_PARSED)
		v->ch = &hs->ch;
	if (hs->sh.flags & SSLV_TLS_S_HELLO)
		v->sh = &hs->sh;
	v->classes = sslv_hs_classes(hs);
	v->nontls = hs->error == SSLV_SESS_E_NONTLS ||
		    hs->error == SSLV_SESS_E_MALFORMED;
	v->server_final = hs->side[SSLV_DIR_REPLY] != SSLV_HS_READING ||
			  hs->error;
}

/*
 * The policy is final: log the session, free everything. A flow that was
 * never TLS is logged only when a rule looked at it.
 */
static void sslv_hs_end(struct sslv_net *sn, struct sslv_flow *f,
			struct sslv_hs *hs, const struct sslv_decision *d,
			bool log)
{
	int dir;

	if (log) {
		sslv_inc(sn, tls_sessions);
		sslv_event_session(sn, f, &hs->ch, &hs->sh,
				   sslv_hs_classes(hs), d->action, hs->error,
				   d->reason, d->rule_id);
	}
	for (dir = 0; dir < 2; dir++)
		sslv_hs_free_buf(sn, hs, dir);
	xa_erase_bh(&sn->hs, f->id);
	kfree_rcu(hs, rcu);
	sslv_hs_uncharge(sn, sslv_hs_bufsz(sizeof(*hs)));
	f->flags = (f->flags & ~SSLV_FF_HS) | SSLV_FF_HS_DONE;
}

/*
 * Decide what can be decided from what has been read. Returns true when the
 * flow is to be rejected or dropped now (@d).
 */
static bool sslv_hs_decide(struct sslv_net *sn, struct sslv_flow *f,
			   struct sslv_hs *hs, struct sslv_decision *d)
{
	struct sslv_tls_view v;
	struct sslv_match_key k;

	sslv_hs_view(hs, &v);
	/*
	 * A diverted flow's server leg is not read (divert.c): once the
	 * client's hello is in, no more will be learnt of the server.
	 */
	if ((f->flags & SSLV_FF_DIVERT) && v.ch)
		v.server_final = true;
	if (f->flags & SSLV_FF_PENDING) {
		sslv_flow_match_key(f, &k);
		if (!sslv_policy_decide_tls(sn, &k, &v, d))
			return false;		/* a rule waits for the server */
		sslv_decrypt_resolve(sn, f->flags & SSLV_FF_DIVERT, d);
		f->flags &= ~SSLV_FF_PENDING;
		if (!d->rule_id)
			f->flags |= SSLV_FF_DEFAULT;
		hs->inspected = true;
		hs->reason = d->reason;
		hs->rule_id = d->rule_id;
		if (d->action == SSLV_ACT_DECRYPT) {
			/* sslvd reads on; its report is the session's log. */
			f->verdict = SSLV_ACT_DECRYPT;
			sslv_hs_end(sn, f, hs, d, false);
			return false;
		}
		if (d->action != SSLV_ACT_CUT) {
			sslv_hs_end(sn, f, hs, d, true);
			return true;
		}
	}
	if (!v.server_final)
		return false;			/* read on, for the log */
	memset(d, 0, sizeof(*d));
	d->reason = hs->reason;
	d->rule_id = hs->rule_id;
	if ((f->flags & SSLV_FF_DEFAULT) && (v.classes & SSLV_UD_CLIENT_CERT)) {
		d->action = READ_ONCE(sn->client_cert_action);
		d->reason = SSLV_R_CLIENT_CERT;
	}
	/* Not TLS after all: logged only if a rule looked. */
	sslv_hs_end(sn, f, hs, d,
		    hs->inspected || hs->error != SSLV_SESS_E_NONTLS);
	return sslv_act_stops(d->action);
}

/* The reading ends early with @error; the policy decides with what it has. */
static bool sslv_hs_fail(struct sslv_net *sn, struct sslv_flow *f,
			 struct sslv_hs *hs, int dir, u8 error,
			 struct sslv_decision *d)
{
	hs->error = hs->error ?: error;
	hs->side[dir] = SSLV_HS_FAILED;
	return sslv_hs_decide(sn, f, hs, d);
}

/*
 * The sequence number of the segment's first payload byte: a SYN's payload
 * (TCP Fast Open) starts after the SYN, at stream offset 0.
 */
static u32 sslv_hs_seq(const struct sslv_pkt *p)
{
	return p->seg.seq + !!(p->seg.flags & SSLV_TH_SYN);
}

/*
 * A retransmission carried bytes other than those read: whatever the
 * receiver accepted, the hello that was read may not be it. Whatever the
 * rules say, the flow is reset both ways (as an IPS does with overlapping
 * segments whose data differ) and the session logged with this error.
 */
static bool sslv_hs_conflict(struct sslv_net *sn, struct sslv_flow *f,
			     struct sslv_hs *hs, struct sslv_decision *d)
{
	sslv_inc(sn, tls_conflict);
	memset(d, 0, sizeof(*d));
	d->action = SSLV_ACT_REJECT;
	d->reason = SSLV_R_CONFLICT;
	hs->error = SSLV_SESS_E_CONFLICT;
	f->flags &= ~SSLV_FF_PENDING;
	sslv_hs_end(sn, f, hs, d, true);
	return true;
}

static struct sslv_hs *sslv_hs_new(struct sslv_net *sn, struct sslv_flow *f,
				   const struct sslv_pkt *p)
{
	struct sslv_hs *hs;

	if (!sslv_hs_charge(sn, sslv_hs_bufsz(sizeof(*hs))))
		return NULL;
	hs = kzalloc(sizeof(*hs), GFP_ATOMIC);
	if (hs) {
		/* Set before sslv_hs_expire() can find it. */
		hs->flow = f;
		hs->born_ms = sslv_now_ms();
	}
	if (!hs || xa_insert_bh(&sn->hs, f->id, hs, GFP_ATOMIC)) {
		kfree(hs);
		sslv_hs_uncharge(sn, sslv_hs_bufsz(sizeof(*hs)));
		sslv_inc(sn, tls_alloc_fail);
		return NULL;
	}
	/*
	 * No payload has passed yet: next is each side's ISN + 1, unless this
	 * is the client's SYN, whose payload is the stream's first bytes.
	 */
	hs->start[SSLV_DIR_ORIG] = p->seg.flags & SSLV_TH_SYN ?
				   sslv_hs_seq(p) :
				   f->tcp.d[SSLV_DIR_ORIG].next;
	if (f->tcp.flags & SSLV_TCP_F_SEEN_REPLY) {
		hs->start[SSLV_DIR_REPLY] = f->tcp.d[SSLV_DIR_REPLY].next;
		hs->server_start = true;
	}
	f->flags |= SSLV_FF_HS;
	return hs;
}

/*
 * Grow side @dir's prefix buffer to hold bytes [0, @need), @need <= @room:
 * the pages it grows over are copied into it and freed. Only what the
 * allocator hands out more is charged.
 */
static int sslv_hs_grow(struct sslv_net *sn, struct sslv_hs *hs, int dir,
			u32 need, u32 room)
{
	u32 cap = min_t(u32, roundup_pow_of_two(max_t(u32, need, SSLV_HS_PAGE)),
			room);
	u32 old = sslv_hs_bufsz(hs->cap[dir]), size = sslv_hs_bufsz(cap);
	u32 i, freed = 0, charged = 0;
	u8 *buf;

	for (i = hs->cap[dir] / SSLV_HS_PAGE; i < cap / SSLV_HS_PAGE; i++)
		if (hs->page[dir][i])
			freed += SSLV_HS_PAGE;
	if (size > old + freed) {
		charged = size - old - freed;
		if (!sslv_hs_charge(sn, charged))
			return -ENOSPC;
	}
	buf = krealloc(hs->buf[dir], cap, GFP_ATOMIC);
	if (!buf) {
		sslv_hs_uncharge(sn, charged);
		sslv_inc(sn, tls_alloc_fail);
		return -ENOMEM;
	}
	for (i = hs->cap[dir] / SSLV_HS_PAGE; i < cap / SSLV_HS_PAGE; i++) {
		if (!hs->page[dir][i])
			continue;
		memcpy(buf + i * SSLV_HS_PAGE, hs->page[dir][i], SSLV_HS_PAGE);
		kfree(hs->page[dir][i]);
		hs->page[dir][i] = NULL;
		hs->npages[dir]--;
	}
	if (!charged)
		sslv_hs_uncharge(sn, old + freed - size);
	hs->buf[dir] = buf;
	hs->cap[dir] = cap;
	return 0;
}

/*
 * Where byte @at of side @dir is kept (NULL: in a page not allocated), and
 * in *@len how many of the *@len bytes from it are kept there in a row.
 */
static u8 *sslv_hs_at(const struct sslv_hs *hs, int dir, u32 at, u32 *len)
{
	u8 *page;

	if (at < hs->cap[dir]) {
		*len = min(*len, hs->cap[dir] - at);
		return hs->buf[dir] + at;
	}
	*len = min_t(u32, *len, SSLV_HS_PAGE - at % SSLV_HS_PAGE);
	page = hs->page[dir][at / SSLV_HS_PAGE];
	return page ? page + at % SSLV_HS_PAGE : NULL;
}

/* Do bytes [@off, @end) of the segment equal the copy kept at @kept? */
static bool sslv_hs_same(const struct sk_buff *skb, u32 from, const u8 *kept,
			 u32 len)
{
	u8 _chunk[64];
	const u8 *seg;
	u32 n;

	for (; len; len -= n, from += n, kept += n) {
		n = min_t(u32, len, sizeof(_chunk));
		seg = skb_header_pointer(skb, from, n, _chunk);
		if (!seg || memcmp(seg, kept, n))
			return false;
	}
	return true;
}

/* Do held bytes [@at, @end) of side @dir equal the skb's from @from? */
static bool sslv_hs_same_held(const struct sslv_hs *hs, int dir,
			      const struct sk_buff *skb, u32 from, u32 at,
			      u32 end)
{
	const u8 *kept;
	u32 n;

	for (; at < end; at += n, from += n) {
		n = end - at;
		kept = sslv_hs_at(hs, dir, at, &n);
		if (!kept || !sslv_hs_same(skb, from, kept, n))
			return false;
	}
	return true;
}

/* Copy missing bytes [@at, @end) of side @dir from the skb's @from. */
static int sslv_hs_put(struct sslv_net *sn, struct sslv_hs *hs, int dir,
		       const struct sk_buff *skb, u32 from, u32 at, u32 end)
{
	u8 *dst, **page;
	u32 n;

	while (at < end) {
		n = end - at;
		dst = sslv_hs_at(hs, dir, at, &n);
		if (!dst) {
			page = &hs->page[dir][at / SSLV_HS_PAGE];
			if (!sslv_hs_charge(sn, SSLV_HS_PAGE))
				return -ENOSPC;
			*page = kmalloc(SSLV_HS_PAGE, GFP_ATOMIC);
			if (!*page) {
				sslv_hs_uncharge(sn, SSLV_HS_PAGE);
				sslv_inc(sn, tls_alloc_fail);
				return -ENOMEM;
			}
			hs->npages[dir]++;
			continue;
		}
		if (skb_copy_bits(skb, from, dst, n))
			return -EFAULT;
		at += n;
		from += n;
	}
	return 0;
}

/*
 * Copy the segment's payload into side @dir's store. The first copy of a
 * byte is kept: bytes already in place are compared, never overwritten,
 * and a retransmission that differs from what was read is -EILSEQ (the
 * receiver may hold either copy, so the hello read may not be the one it
 * got). Bytes the flow may not hold are left out: if the parser needs them,
 * the reading ends at the bound (sslv_hs_parse). @compare_only: the side
 * is parsed, its bytes are only compared. Returns 0, or an error that ends
 * the reading.
 */
static int sslv_hs_store(struct sslv_net *sn, struct sslv_hs *hs, int dir,
			 const struct sk_buff *skb, const struct sslv_pkt *p,
			 bool compare_only)
{
	s32 off = sslv_hs_seq(p) - hs->start[dir];
	u32 len = p->seg.len, skip = 0, room, end, at, run, base;
	struct sslv_reasm ra;
	bool held;
	int err;

	if (off < 0) {			/* starts before the stream */
		if (-off >= len)
			return 0;
		skip = -off;
		len -= skip;
		off = 0;
	}
	room = compare_only ? hs->ra[dir].have : sslv_hs_room(hs, dir);
	if (off >= room)
		return 0;
	end = min_t(u32, off + len, room);
	base = sslv_pkt_payload(p) + skip - off;	/* + stream offset: in the skb */
	if (compare_only)
		return sslv_hs_same(skb, base + off, hs->buf[dir] + off,
				    end - off) ? 0 : -EILSEQ;
	/* Compare every byte already held before anything changes. */
	for (at = off; at < end; at = run) {
		run = sslv_reasm_run(&hs->ra[dir], at, end, &held);
		if (held && !sslv_hs_same_held(hs, dir, skb, base + at, at, run))
			return -EILSEQ;
	}
	ra = hs->ra[dir];
	if (!sslv_reasm_add(&ra, off, end - off) || ra.have > room) {
		sslv_inc(sn, tls_limit_flow);	/* too many holes, or no room */
		return -E2BIG;
	}
	/* The prefix buffer covers the prefix, pages what lies beyond. */
	if (ra.have > hs->cap[dir]) {
		err = sslv_hs_grow(sn, hs, dir, ra.have, room);
		if (err)
			return err;
	}
	if (off > hs->ra[dir].have)
		sslv_inc(sn, tls_ooo);
	for (at = off; at < end; at = run) {
		run = sslv_reasm_run(&hs->ra[dir], at, end, &held);
		if (held)
			continue;
		err = sslv_hs_put(sn, hs, dir, skb, base + at, at, run);
		if (err)
			return err;
	}
	hs->ra[dir] = ra;
	return 0;
}

/* Parse side @dir's prefix; true when the flow is to be rejected or dropped. */
static bool sslv_hs_parse(struct sslv_net *sn, struct sslv_flow *f,
			  struct sslv_hs *hs, int dir, struct sslv_decision *d)
{
	u32 have = hs->ra[dir].have;
	enum sslv_tls_res res;

	/* Parse only when a message (or record) is complete, or at the bound. */
	if (!sslv_tls_walk(&hs->walk[dir], hs->buf[dir], have) &&
	    have < sslv_hs_room(hs, dir))
		return false;
	if (dir == SSLV_DIR_ORIG)
		res = sslv_tls_parse_client(hs->buf[dir], have, &hs->ch);
	else
		res = sslv_tls_parse_server(hs->buf[dir], have, &hs->sh);

	switch (res) {
	case SSLV_TLS_MORE:
		if (have < sslv_hs_room(hs, dir)) {
			/* A tls-version rule need not wait for the rest. */
			if (dir == SSLV_DIR_REPLY &&
			    (hs->sh.flags & SSLV_TLS_S_HELLO) &&
			    (f->flags & SSLV_FF_PENDING))
				return sslv_hs_decide(sn, f, hs, d);
			return false;
		}
		sslv_inc(sn, tls_limit_flow);
		return sslv_hs_fail(sn, f, hs, dir, SSLV_SESS_E_LIMIT, d);
	case SSLV_TLS_DONE:
		hs->side[dir] = SSLV_HS_PARSED;
		/*
		 * The client's hello stays until the server acks it, what
		 * lies beyond it is not needed.
		 */
		if (dir == SSLV_DIR_REPLY)
			sslv_hs_free_buf(sn, hs, dir);
		else
			sslv_hs_free_pages(sn, hs, dir);
		if (dir == SSLV_DIR_ORIG) {
			sslv_inc(sn, tls_client_hello);
		} else {
			sslv_inc(sn, tls_server_hello);
			if (hs->sh.flags & SSLV_TLS_S_CERT_REQ)
				sslv_inc(sn, tls_client_cert);
		}
		return sslv_hs_decide(sn, f, hs, d);
	case SSLV_TLS_NOT_TLS:
		if (dir == SSLV_DIR_ORIG) {
			sslv_inc(sn, tls_nontls);
			return sslv_hs_fail(sn, f, hs, dir,
					    SSLV_SESS_E_NONTLS, d);
		}
		return sslv_hs_fail(sn, f, hs, dir, SSLV_SESS_E_SERVER, d);
	default:
		sslv_inc(sn, tls_malformed);
		return sslv_hs_fail(sn, f, hs, dir, dir == SSLV_DIR_ORIG ?
				    SSLV_SESS_E_MALFORMED : SSLV_SESS_E_SERVER,
				    d);
	}
}

/* Does a client's first segment, at stream offset 0, open a TLS hello? */
static bool sslv_hs_looks_tls(const struct sk_buff *skb,
			      const struct sslv_pkt *p)
{
	struct sslv_tls_client ch;
	u8 _head[8];
	const u8 *head;
	u32 len = min_t(u32, p->seg.len, sizeof(_head));

	head = skb_header_pointer(skb, sslv_pkt_payload(p), len, _head);
	return head && sslv_tls_parse_client(head, len, &ch) != SSLV_TLS_NOT_TLS;
}

/*
 * The handshake will not be read: the flow is not TLS (@v->nontls), or
 * there is no memory to read it. A pending rule decides with what @v says;
 * only then is the session logged.
 */
static bool sslv_hs_unread(struct sslv_net *sn, struct sslv_flow *f,
			   const struct sslv_tls_view *v, u8 error,
			   struct sslv_decision *d)
{
	struct sslv_match_key k;

	f->flags |= SSLV_FF_HS_DONE;
	if (!(f->flags & SSLV_FF_PENDING))
		return false;
	f->flags &= ~SSLV_FF_PENDING;
	sslv_flow_match_key(f, &k);
	sslv_policy_decide_tls(sn, &k, v, d);
	sslv_decrypt_resolve(sn, f->flags & SSLV_FF_DIVERT, d);
	if (d->action == SSLV_ACT_DECRYPT) {
		f->verdict = SSLV_ACT_DECRYPT;
		return false;
	}
	sslv_inc(sn, tls_sessions);
	sslv_event_session(sn, f, NULL, NULL, 0, d->action, error, d->reason,
			   d->rule_id);
	return sslv_act_stops(d->action);
}

/* Has @hs been read for longer than the namespace's SSLV_A_HS_TIMEOUT? */
static bool sslv_hs_late(const struct sslv_net *sn, const struct sslv_hs *hs,
			 u32 now)
{
	return (s32)(now - hs->born_ms) >= (s32)READ_ONCE(sn->hs_timeout_ms);
}

/*
 * The reading outlived SSLV_A_HS_TIMEOUT: it ends as if every side still
 * being read had hit a bound, with error SSLV_SESS_E_TIMEOUT. Pending rules
 * decide with what was read, the session is logged, everything is freed.
 * Returns true when the decision is a reject or a drop (@d).
 */
static bool sslv_hs_timeout(struct sslv_net *sn, struct sslv_flow *f,
			    struct sslv_hs *hs, struct sslv_decision *d)
{
	int dir;

	sslv_inc(sn, tls_hs_timeout);
	hs->error = hs->error ?: SSLV_SESS_E_TIMEOUT;
	for (dir = 0; dir < 2; dir++)
		if (hs->side[dir] == SSLV_HS_READING)
			hs->side[dir] = SSLV_HS_FAILED;
	return sslv_hs_decide(sn, f, hs, d);
}

bool sslv_hs_segment(struct sslv_net *sn, struct sslv_flow *f, int dir,
		     const struct sk_buff *skb, const struct sslv_pkt *p,
		     struct sslv_decision *d)
{
	static const struct sslv_tls_view nontls = {
		.nontls = true, .server_final = true,
	};
	struct sslv_hs *hs = sslv_hs_of(sn, f);
	bool acted = false;
	u32 have, edge;
	int err;

	/* Late: this segment is not read, it may be the decision's trigger. */
	if (hs && sslv_hs_late(sn, hs, sslv_now_ms()))
		return sslv_hs_timeout(sn, f, hs, d);
	if (!hs) {
		/*
		 * A server that speaks first, or a client whose first bytes
		 * are no hello: not TLS. A hello seen out of order is read.
		 */
		if (dir == SSLV_DIR_REPLY ||
		    ((p->seg.flags & SSLV_TH_SYN ||
		      p->seg.seq == f->tcp.d[SSLV_DIR_ORIG].next) &&
		     !sslv_hs_looks_tls(skb, p))) {
			sslv_inc(sn, tls_nontls);
			return sslv_hs_unread(sn, f, &nontls,
					      SSLV_SESS_E_NONTLS, d);
		}
		hs = sslv_hs_new(sn, f, p);
		if (!hs)
			return sslv_hs_unread(sn, f, &sslv_tls_view_none,
					      SSLV_SESS_E_LIMIT, d);
	}
	if (dir == SSLV_DIR_REPLY && !hs->server_start) {
		/*
		 * The reading began at the client's SYN (TCP Fast Open): the
		 * SYN-ACK, when seen, set where the server's bytes start.
		 */
		hs->start[dir] = f->tcp.flags & SSLV_TCP_F_SEEN_REPLY ?
				 f->tcp.d[dir].next : sslv_hs_seq(p);
		hs->server_start = true;
	}
	if (dir == SSLV_DIR_REPLY && sslv_hs_held(hs, SSLV_DIR_ORIG) &&
	    hs->side[SSLV_DIR_ORIG] != SSLV_HS_READING &&
	    (p->seg.flags & SSLV_TH_ACK) &&
	    !sslv_seq_before(p->seg.ack, hs->start[SSLV_DIR_ORIG] +
				     hs->ra[SSLV_DIR_ORIG].have))
		sslv_hs_free_buf(sn, hs, SSLV_DIR_ORIG);
	if (hs->side[dir] != SSLV_HS_READING) {
		/* A parsed hello not yet acked: a copy must match it. */
		if (hs->buf[dir] && sslv_hs_store(sn, hs, dir, skb, p, true))
			return sslv_hs_conflict(sn, f, hs, d);
		return false;
	}
	/*
	 * If this segment decides a reject or drop it is dropped, and its
	 * receiver holds exactly the bytes before the first hole: where the
	 * RST toward it must start, also when this segment filled that hole
	 * and later bytes already passed. Past what the buffer may hold, the
	 * tracker knows best.
	 */
	have = hs->ra[dir].have;
	edge = have < sslv_hs_room(hs, dir) ?
	       hs->start[dir] + have : f->tcp.d[dir].next;
	err = sslv_hs_store(sn, hs, dir, skb, p, false);
	if (err == -EILSEQ)
		acted = sslv_hs_conflict(sn, f, hs, d);
	else if (err)
		acted = sslv_hs_fail(sn, f, hs, dir, SSLV_SESS_E_LIMIT, d);
	else if (hs->ra[dir].have != have)
		acted = sslv_hs_parse(sn, f, hs, dir, d);
	if (acted)
		f->tcp.d[dir].next = edge;
	return acted;
}

void sslv_hs_release(struct sslv_net *sn, struct sslv_flow *f)
{
	struct sslv_hs *hs = sslv_hs_of(sn, f);
	struct sslv_decision d = { .action = f->verdict };

	if (!hs)
		return;
	sslv_inc(sn, tls_incomplete);
	hs->error = hs->error ?: SSLV_SESS_E_INCOMPLETE;
	d.reason = hs->reason;
	d.rule_id = hs->rule_id;
	sslv_hs_end(sn, f, hs, &d, hs->inspected ||
		    (f->flags & SSLV_FF_PENDING) ||
		    hs->error != SSLV_SESS_E_NONTLS);
}

/*
 * Called from flow.c's GC: a handshake read longer than SSLV_A_HS_TIMEOUT
 * ends here even if its flow sends nothing more. A reject is carried out
 * now, both ways, as an operator's; a drop holds from the flow's next
 * segment on. Looked at once a second: a reading ends within a second of
 * its deadline. sslv_net.hs holds only flows being read, and each entry is
 * freed after a grace period (kfree_rcu), so it can be walked under RCU;
 * its flow is trusted only locked, hashed, ours and still under that id.
 */
void sslv_hs_expire(struct sslv_net *sn)
{
	u32 now = sslv_now_ms();
	struct sslv_decision d;
	struct sslv_flow *f;
	struct sslv_hs *hs;
	unsigned long id;

	if (time_before(jiffies, sn->hs_expire_next))
		return;
	sn->hs_expire_next = jiffies + HZ;
	rcu_read_lock();
	xa_for_each(&sn->hs, id, hs) {
		if (!sslv_hs_late(sn, hs, now))
			continue;
		f = hs->flow;
		local_bh_disable();
		spin_lock(&f->lock);
		if (!(f->flags & SSLV_FF_HASHED) || f->owner != sn->owner ||
		    f->id != id || sslv_hs_of(sn, f) != hs ||
		    !sslv_hs_timeout(sn, f, hs, &d)) {
			spin_unlock(&f->lock);
		} else if (d.action == SSLV_ACT_REJECT) {
			sslv_inc(sn, tls_rejected);
			sslv_engine_reject(sn, f, d.reason, d.rule_id);
		} else {
			f->verdict = SSLV_ACT_DROP;
			spin_unlock(&f->lock);
			sslv_inc(sn, tls_dropped);
		}
		local_bh_enable();
	}
	rcu_read_unlock();
}
