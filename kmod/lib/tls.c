// SPDX-License-Identifier: GPL-2.0 OR MIT
/* TLS handshake parser; see tls.h. */
#include "tls.h"

#define TLS_REC_HDR		5
#define TLS_REC_MAX		16384	/* 2^14: largest plaintext record */
#define TLS_CT_CCS		20
#define TLS_CT_ALERT		21
#define TLS_CT_HANDSHAKE	22

#define TLS_HS_CLIENT_HELLO	1
#define TLS_HS_SERVER_HELLO	2
#define TLS_HS_CERTIFICATE	11
#define TLS_HS_CERT_REQUEST	13
#define TLS_HS_HELLO_DONE	14

#define TLS_EXT_SERVER_NAME	0
#define TLS_EXT_GROUPS		10
#define TLS_EXT_ALPN		16
#define TLS_EXT_VERSIONS	43
#define TLS_EXT_KEY_SHARE	51
#define TLS_EXT_ECH		0xfe0d
#define TLS_EXT_ESNI		0xffce

#define TLS_RANDOM_LEN		32
#define TLS_SESSION_ID_MAX	32

/* SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
static const u8 tls_hrr_random[TLS_RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

bool sslv_tls_cipher_modern(u16 suite)
{
	switch (suite) {
	case 0x1301 ... 0x1305:
	case 0xc02b: case 0xc02c: case 0xc02f: case 0xc030:
	case 0xcca8: case 0xcca9: case 0xccaa:
	case 0x009e: case 0x009f:
		return true;
	}
	return false;
}

static bool tls_group_pq(u16 group)
{
	switch (group) {
	case 0x11eb: case 0x11ec: case 0x11ed:
	case 0x6399: case 0x639a:
		return true;
	}
	return false;
}

/* GREASE values (RFC 8701) look like 0x?a?a with both bytes equal. */
static bool tls_grease(u16 v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/*
 * A reader of the handshake stream: the payloads of consecutive handshake
 * records, read in place. pos counts stream bytes consumed and may not pass
 * limit, the end of the field being read (rd_enter/rd_leave nest them). The
 * first problem sticks in res and makes every later read return zero, so
 * the parsers check res only where a decision depends on it.
 */
struct tls_rd {
	const u8 *buf;
	u32 len;
	u32 off;		/* next byte of buf */
	u32 frag_left;		/* payload bytes of the current record after off */
	u32 pos;
	u32 limit;
	enum sslv_tls_res res;	/* SSLV_TLS_DONE while all is well */
	struct sslv_tls_alpn_wire *alpn;	/* whole ALPN list, or NULL */
};

static void rd_init(struct tls_rd *r, const u8 *buf, u32 len)
{
	r->buf = buf;
	r->len = len;
	r->off = 0;
	r->frag_left = 0;
	r->pos = 0;
	r->limit = ~0U;
	r->res = SSLV_TLS_DONE;
	r->alpn = NULL;
}

static void rd_fail(struct tls_rd *r, enum sslv_tls_res res)
{
	if (r->res == SSLV_TLS_DONE)
		r->res = res;
}

/* The type of the next record when the current one is used up, else 0. */
static u8 rd_next_type(struct tls_rd *r)
{
	if (r->res != SSLV_TLS_DONE || r->frag_left)
		return 0;
	if (r->off >= r->len) {
		rd_fail(r, SSLV_TLS_MORE);
		return 0;
	}
	return r->buf[r->off];
}

/* Make sure a payload byte is next, stepping over a record header. */
static bool rd_fill(struct tls_rd *r)
{
	const u8 *h;
	u32 rlen;

	if (r->res != SSLV_TLS_DONE)
		return false;
	if (r->frag_left)
		return true;
	if (r->len - r->off < TLS_REC_HDR) {
		rd_fail(r, SSLV_TLS_MORE);
		return false;
	}
	h = r->buf + r->off;
	rlen = get_be16(h + 3);
	if (h[0] != TLS_CT_HANDSHAKE || h[1] != 3 || !rlen || rlen > TLS_REC_MAX) {
		rd_fail(r, SSLV_TLS_MALFORMED);
		return false;
	}
	r->off += TLS_REC_HDR;
	r->frag_left = rlen;
	return true;
}

/* Claim @n bytes of the current field; false when they are not there. */
static bool rd_claim(struct tls_rd *r, u32 n)
{
	if (r->res != SSLV_TLS_DONE)
		return false;
	if (n > r->limit - r->pos) {
		rd_fail(r, SSLV_TLS_MALFORMED);
		return false;
	}
	r->pos += n;
	return true;
}

static u8 rd_u8(struct tls_rd *r)
{
	if (!rd_claim(r, 1) || !rd_fill(r))
		return 0;
	if (r->off >= r->len) {
		rd_fail(r, SSLV_TLS_MORE);
		return 0;
	}
	r->frag_left--;
	return r->buf[r->off++];
}

static u16 rd_u16(struct tls_rd *r)
{
	u16 hi = rd_u8(r);

	return (u16)(hi << 8 | rd_u8(r));
}

static u32 rd_u24(struct tls_rd *r)
{
	u32 hi = rd_u8(r);

	return hi << 16 | rd_u16(r);
}

static void rd_skip(struct tls_rd *r, u32 n)
{
	u32 take;

	if (!rd_claim(r, n))
		return;
	while (n && rd_fill(r)) {
		take = n < r->frag_left ? n : r->frag_left;
		if (take > r->len - r->off) {
			rd_fail(r, SSLV_TLS_MORE);
			return;
		}
		r->off += take;
		r->frag_left -= take;
		n -= take;
	}
}

/* Read @n bytes, keeping the first @cap of them in @dst. */
static void rd_copy(struct tls_rd *r, u8 *dst, u32 n, u32 cap)
{
	u32 i;

	for (i = 0; i < n && i < cap; i++)
		dst[i] = rd_u8(r);
	if (n > cap)
		rd_skip(r, n - cap);
}

/* Bytes left in the current field. */
static u32 rd_left(const struct tls_rd *r)
{
	return r->limit - r->pos;
}

/* Enter a field of @n bytes; returns the limit to give back to rd_leave. */
static u32 rd_enter(struct tls_rd *r, u32 n)
{
	u32 outer = r->limit;

	if (n > rd_left(r))
		rd_fail(r, SSLV_TLS_MALFORMED);
	else
		r->limit = r->pos + n;
	return outer;
}

/* Skip what is left of the current field and return to the enclosing one. */
static void rd_leave(struct tls_rd *r, u32 outer)
{
	rd_skip(r, rd_left(r));
	r->limit = outer;
}

/* Enter a field whose length is a big-endian u8 or u16 prefix. */
static u32 rd_enter8(struct tls_rd *r)
{
	return rd_enter(r, rd_u8(r));
}

static u32 rd_enter16(struct tls_rd *r)
{
	return rd_enter(r, rd_u16(r));
}

/* Read a handshake message header and enter its body; returns its type. */
static u8 rd_enter_msg(struct tls_rd *r, u32 *outer)
{
	u8 type = rd_u8(r);

	*outer = rd_enter(r, rd_u24(r));
	return type;
}

/* Is @buf the start of a record of type @type (or of a handshake)? */
static enum sslv_tls_res tls_sniff(const u8 *buf, u32 len, u8 type)
{
	if (!len)
		return SSLV_TLS_MORE;
	if (buf[0] != TLS_CT_HANDSHAKE && buf[0] != type)
		return SSLV_TLS_NOT_TLS;
	if (len < 3)
		return len == 2 && buf[1] != 3 ? SSLV_TLS_NOT_TLS : SSLV_TLS_MORE;
	return buf[1] == 3 ? SSLV_TLS_DONE : SSLV_TLS_NOT_TLS;
}

/*
 * SSLv2 CLIENT-HELLO: a two-byte record header with the top bit set, then
 * msg_type 1, version, cipher_specs_length, session_id_length,
 * challenge_length, and the three lists, all inside the one record.
 */
#define SSL2_HDR		2
#define SSL2_HELLO_FIXED	9

static bool ssl2_plausible(const u8 *buf, u32 len)
{
	if (len < 1 || !(buf[0] & 0x80))
		return false;
	if (len >= 3 && buf[2] != TLS_HS_CLIENT_HELLO)
		return false;
	if (len >= 4 && buf[3] != 0 && buf[3] != 3)
		return false;
	return len < 5 || buf[3] == 3 || buf[4] == 2;
}

static enum sslv_tls_res ssl2_parse_client(const u8 *buf, u32 len,
					   struct sslv_tls_client *out)
{
	u32 rlen, cs, sid, ch, i;
	const u8 *spec;

	if (len < SSL2_HDR + SSL2_HELLO_FIXED)
		return SSLV_TLS_MORE;
	rlen = (buf[0] & 0x7f) << 8 | buf[1];
	cs = get_be16(buf + 5);
	sid = get_be16(buf + 7);
	ch = get_be16(buf + 9);
	if (!cs || cs % 3 || (sid && sid != 16) || ch < 16 || ch > 32 ||
	    rlen != SSL2_HELLO_FIXED + cs + sid + ch)
		return SSLV_TLS_MALFORMED;
	if (len < SSL2_HDR + rlen)
		return SSLV_TLS_MORE;

	out->flags |= SSLV_TLS_C_SSL2_FORMAT;
	out->record_version = SSLV_TLS_VER_SSL2;
	out->legacy_version = get_be16(buf + 3);
	out->max_version = out->legacy_version;
	out->n_ciphers = cs / 3;
	spec = buf + SSL2_HDR + SSL2_HELLO_FIXED;
	for (i = 0; i < cs; i += 3)	/* 0x00xxyy is TLS suite 0xxxyy */
		if (!spec[i] && sslv_tls_cipher_modern(get_be16(spec + i + 1)))
			out->flags |= SSLV_TLS_C_MODERN_CIPHER;
	return SSLV_TLS_DONE;
}

static void tls_client_sni(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 list = rd_enter16(r), name;
	u8 type;
	u16 n;

	while (r->res == SSLV_TLS_DONE && rd_left(r)) {
		type = rd_u8(r);
		n = rd_u16(r);
		if (r->res != SSLV_TLS_DONE)
			break;
		if (type) {
			rd_skip(r, n);
			continue;
		}
		if (!n || (c->flags & SSLV_TLS_C_SNI)) {
			rd_fail(r, SSLV_TLS_MALFORMED);
			break;
		}
		name = rd_enter(r, n);
		rd_copy(r, c->sni, n, SSLV_TLS_SNI_MAX);
		rd_leave(r, name);
		c->flags |= SSLV_TLS_C_SNI;
		if (n > SSLV_TLS_SNI_MAX) {
			c->flags |= SSLV_TLS_C_SNI_LONG;
			c->sni_len = SSLV_TLS_SNI_MAX;
		} else {
			c->sni_len = (u8)n;
		}
	}
	rd_leave(r, list);
}

static void tls_client_alpn(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 list = rd_enter16(r), name;
	struct sslv_tls_alpn_wire *w;
	struct sslv_tls_alpn *a;
	u8 n;

	if (!rd_left(r))
		rd_fail(r, SSLV_TLS_MALFORMED);
	while (r->res == SSLV_TLS_DONE && rd_left(r)) {
		n = rd_u8(r);
		if (!n) {
			rd_fail(r, SSLV_TLS_MALFORMED);
			break;
		}
		name = rd_enter(r, n);
		w = r->alpn;
		if (w && !w->cut && n < w->cap - w->len) {
			/* the whole name into the wire list, then the kept part */
			w->buf[w->len] = n;
			rd_copy(r, w->buf + w->len + 1, n, n);
			if (c->n_alpn < SSLV_TLS_ALPN_MAX) {
				a = &c->alpn[c->n_alpn];
				a->len = n > SSLV_TLS_ALPN_NAME_MAX ?
					 SSLV_TLS_ALPN_NAME_MAX : n;
				memcpy(a->name, w->buf + w->len + 1, a->len);
				if (n > SSLV_TLS_ALPN_NAME_MAX)
					c->flags |= SSLV_TLS_C_ALPN_LONG;
			}
			w->len += 1 + n;
		} else if (c->n_alpn < SSLV_TLS_ALPN_MAX) {
			if (w)
				w->cut = true;
			a = &c->alpn[c->n_alpn];
			rd_copy(r, a->name, n, SSLV_TLS_ALPN_NAME_MAX);
			if (n > SSLV_TLS_ALPN_NAME_MAX) {
				c->flags |= SSLV_TLS_C_ALPN_LONG;
				n = SSLV_TLS_ALPN_NAME_MAX;
			}
			a->len = n;
		} else if (w) {
			w->cut = true;
		}
		rd_leave(r, name);
		c->n_alpn++;
	}
	rd_leave(r, list);
}

static void tls_client_versions(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 list = rd_enter8(r);
	u16 v;

	if (!rd_left(r) || rd_left(r) % 2)
		rd_fail(r, SSLV_TLS_MALFORMED);
	c->max_version = 0;
	while (r->res == SSLV_TLS_DONE && rd_left(r)) {
		v = rd_u16(r);
		if (tls_grease(v))
			continue;
		if (v > c->max_version)
			c->max_version = v;
		if (c->n_versions < SSLV_TLS_VERSIONS_MAX)
			c->versions[c->n_versions++] = v;
	}
	rd_leave(r, list);
}

static void tls_client_groups(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 list = rd_enter16(r);

	if (rd_left(r) % 2)
		rd_fail(r, SSLV_TLS_MALFORMED);
	while (r->res == SSLV_TLS_DONE && rd_left(r))
		if (tls_group_pq(rd_u16(r)))
			c->flags |= SSLV_TLS_C_PQ_GROUP;
	rd_leave(r, list);
}

static void tls_client_key_share(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 list = rd_enter16(r);
	u16 group;

	while (r->res == SSLV_TLS_DONE && rd_left(r)) {
		group = rd_u16(r);
		rd_skip(r, rd_u16(r));
		if (r->res == SSLV_TLS_DONE && tls_group_pq(group))
			c->flags |= SSLV_TLS_C_PQ_SHARE;
	}
	rd_leave(r, list);
}


/* Bit of an extension in the "seen" set of a hello, 0 when not parsed. */
static u32 tls_ext_bit(u16 type)
{
	switch (type) {
	case TLS_EXT_SERVER_NAME:
		return 1U << 0;
	case TLS_EXT_GROUPS:
		return 1U << 1;
	case TLS_EXT_ALPN:
		return 1U << 2;
	case TLS_EXT_VERSIONS:
		return 1U << 3;
	case TLS_EXT_KEY_SHARE:
		return 1U << 4;
	case TLS_EXT_ECH:
		return 1U << 5;
	case TLS_EXT_ESNI:
		return 1U << 6;
	}
	return 0;
}

/*
 * Enter a hello's extension block, a u16-prefixed list that must end where
 * the hello ends. A hello without it (SSLv3, early TLS) has no extensions.
 */
static u32 tls_exts_enter(struct tls_rd *r)
{
	u16 n;

	if (!rd_left(r))
		return r->limit;
	n = rd_u16(r);
	if (r->res == SSLV_TLS_DONE && n != rd_left(r))
		rd_fail(r, SSLV_TLS_MALFORMED);
	return rd_enter(r, n);
}

/*
 * Enter the data of the next extension and give its type; false at the end
 * of the block or on error. Parsed extensions may not repeat.
 */
static bool tls_ext_next(struct tls_rd *r, u32 *seen, u16 *type, u32 *outer)
{
	u32 bit;

	if (r->res != SSLV_TLS_DONE || !rd_left(r))
		return false;
	*type = rd_u16(r);
	*outer = rd_enter16(r);
	bit = tls_ext_bit(*type);
	if (*seen & bit)
		rd_fail(r, SSLV_TLS_MALFORMED);
	*seen |= bit;
	return r->res == SSLV_TLS_DONE;
}

static void tls_client_exts(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 block = tls_exts_enter(r), ext, seen = 0;
	u16 type;

	while (tls_ext_next(r, &seen, &type, &ext)) {
		switch (type) {
		case TLS_EXT_SERVER_NAME:
			tls_client_sni(r, c);
			break;
		case TLS_EXT_GROUPS:
			tls_client_groups(r, c);
			break;
		case TLS_EXT_ALPN:
			c->flags |= SSLV_TLS_C_ALPN;
			tls_client_alpn(r, c);
			break;
		case TLS_EXT_VERSIONS:
			c->flags |= SSLV_TLS_C_VERSIONS;
			tls_client_versions(r, c);
			break;
		case TLS_EXT_KEY_SHARE:
			tls_client_key_share(r, c);
			break;
		case TLS_EXT_ECH:
			c->flags |= SSLV_TLS_C_ECH;
			break;
		case TLS_EXT_ESNI:
			c->flags |= SSLV_TLS_C_ESNI;
			break;
		}
		rd_leave(r, ext);
	}
	rd_leave(r, block);
}

static void tls_client_hello(struct tls_rd *r, struct sslv_tls_client *c)
{
	u32 field;
	u16 suite;

	c->legacy_version = rd_u16(r);
	c->max_version = c->legacy_version;
	rd_skip(r, TLS_RANDOM_LEN);

	field = rd_enter8(r);			/* legacy_session_id */
	if (rd_left(r) > TLS_SESSION_ID_MAX)
		rd_fail(r, SSLV_TLS_MALFORMED);
	rd_leave(r, field);

	field = rd_enter16(r);			/* cipher_suites */
	if (!rd_left(r) || rd_left(r) % 2)
		rd_fail(r, SSLV_TLS_MALFORMED);
	while (r->res == SSLV_TLS_DONE && rd_left(r)) {
		suite = rd_u16(r);
		if (sslv_tls_cipher_modern(suite))
			c->flags |= SSLV_TLS_C_MODERN_CIPHER;
		c->n_ciphers++;
	}
	rd_leave(r, field);

	field = rd_enter8(r);			/* compression_methods */
	if (!rd_left(r))
		rd_fail(r, SSLV_TLS_MALFORMED);
	while (r->res == SSLV_TLS_DONE && rd_left(r))
		if (rd_u8(r))
			c->flags |= SSLV_TLS_C_COMPRESSION;
	rd_leave(r, field);

	tls_client_exts(r, c);
}

enum sslv_tls_res sslv_tls_parse_client(const u8 *buf, u32 len,
					struct sslv_tls_client *out)
{
	return sslv_tls_parse_client_alpn(buf, len, out, NULL);
}

enum sslv_tls_res sslv_tls_parse_client_alpn(const u8 *buf, u32 len,
					     struct sslv_tls_client *out,
					     struct sslv_tls_alpn_wire *alpn)
{
	enum sslv_tls_res res;
	struct tls_rd r;
	u32 msg;

	memset(out, 0, sizeof(*out));
	if (alpn) {
		alpn->len = 0;
		alpn->cut = false;
	}
	if (ssl2_plausible(buf, len))
		return ssl2_parse_client(buf, len, out);
	res = tls_sniff(buf, len, TLS_CT_HANDSHAKE);
	if (res != SSLV_TLS_DONE)
		return res;
	out->record_version = get_be16(buf + 1);

	rd_init(&r, buf, len);
	r.alpn = alpn;
	if (rd_enter_msg(&r, &msg) != TLS_HS_CLIENT_HELLO)
		rd_fail(&r, SSLV_TLS_MALFORMED);
	tls_client_hello(&r, out);
	rd_leave(&r, msg);
	return r.res;
}

static void tls_server_exts(struct tls_rd *r, struct sslv_tls_server *s)
{
	u32 block = tls_exts_enter(r), ext, seen = 0;
	u16 type;

	while (tls_ext_next(r, &seen, &type, &ext)) {
		switch (type) {
		case TLS_EXT_VERSIONS:
			s->flags |= SSLV_TLS_S_VERSIONS;
			s->version = rd_u16(r);
			break;
		case TLS_EXT_KEY_SHARE:
			/* A HelloRetryRequest names only the group. */
			s->group = rd_u16(r);
			if (tls_group_pq(s->group))
				s->flags |= SSLV_TLS_S_PQ;
			break;
		}
		rd_leave(r, ext);
	}
	rd_leave(r, block);
}

static void tls_server_hello(struct tls_rd *r, struct sslv_tls_server *s)
{
	u8 random[TLS_RANDOM_LEN];
	u32 field;

	s->legacy_version = rd_u16(r);
	s->version = s->legacy_version;
	rd_copy(r, random, TLS_RANDOM_LEN, TLS_RANDOM_LEN);

	field = rd_enter8(r);			/* legacy_session_id_echo */
	if (rd_left(r) > TLS_SESSION_ID_MAX)
		rd_fail(r, SSLV_TLS_MALFORMED);
	rd_leave(r, field);

	s->cipher = rd_u16(r);
	s->compression = rd_u8(r);
	tls_server_exts(r, s);
	if (r->res != SSLV_TLS_DONE)
		return;

	s->flags |= SSLV_TLS_S_HELLO;
	if (!memcmp(random, tls_hrr_random, TLS_RANDOM_LEN))
		s->flags |= SSLV_TLS_S_HRR;
	if (sslv_tls_cipher_modern(s->cipher))
		s->flags |= SSLV_TLS_S_MODERN_CIPHER;
}

/*
 * A plaintext alert record: level and description. Returns false when the
 * next record is no alert (or is not there yet).
 */
static bool tls_server_alert(struct tls_rd *r, struct sslv_tls_server *s)
{
	const u8 *h = r->buf + r->off;

	if (rd_next_type(r) != TLS_CT_ALERT)
		return false;
	if (r->len - r->off < TLS_REC_HDR + 2) {
		rd_fail(r, SSLV_TLS_MORE);
		return false;
	}
	if (h[1] != 3 || get_be16(h + 3) != 2) {
		rd_fail(r, SSLV_TLS_MALFORMED);
		return false;
	}
	s->flags |= SSLV_TLS_S_ALERT;
	s->alert = h[TLS_REC_HDR + 1];
	return true;
}

/*
 * The rest of a TLS <= 1.2 flight: messages up to ServerHelloDone, unless
 * a ChangeCipherSpec (resumption) or an alert ends it first.
 */
static void tls_server_flight(struct tls_rd *r, struct sslv_tls_server *s)
{
	u32 msg;
	u8 type;

	while (r->res == SSLV_TLS_DONE) {
		if (tls_server_alert(r, s))
			return;
		if (rd_next_type(r) == TLS_CT_CCS) {
			s->flags |= SSLV_TLS_S_RESUMED;
			return;
		}
		type = rd_enter_msg(r, &msg);
		rd_leave(r, msg);
		if (r->res != SSLV_TLS_DONE)
			return;
		switch (type) {
		case TLS_HS_CERTIFICATE:
			s->flags |= SSLV_TLS_S_CERT;
			break;
		case TLS_HS_CERT_REQUEST:
			s->flags |= SSLV_TLS_S_CERT_REQ;
			break;
		case TLS_HS_HELLO_DONE:
			s->flags |= SSLV_TLS_S_HELLO_DONE;
			return;
		}
	}
}

enum sslv_tls_res sslv_tls_parse_server(const u8 *buf, u32 len,
					struct sslv_tls_server *out)
{
	enum sslv_tls_res res;
	struct tls_rd r;
	u32 msg;

	memset(out, 0, sizeof(*out));
	res = tls_sniff(buf, len, TLS_CT_ALERT);
	if (res != SSLV_TLS_DONE)
		return res;
	out->record_version = get_be16(buf + 1);

	rd_init(&r, buf, len);
	if (tls_server_alert(&r, out))
		return SSLV_TLS_DONE;
	if (rd_enter_msg(&r, &msg) != TLS_HS_SERVER_HELLO)
		rd_fail(&r, SSLV_TLS_MALFORMED);
	tls_server_hello(&r, out);
	rd_leave(&r, msg);
	if (out->version < SSLV_TLS_VER_TLS13 && !(out->flags & SSLV_TLS_S_HRR))
		tls_server_flight(&r, out);
	return r.res;
}

static u8 ascii_lower(u8 c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool ascii_eq(const u8 *a, const u8 *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

bool sslv_sni_match(const char *pattern, u32 plen, const u8 *name, u32 nlen)
{
	const u8 *p = (const u8 *)pattern;

	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (!plen || !nlen)
		return false;
	if (plen > 2 && p[0] == '*' && p[1] == '.') {
		/* ".suffix" at the end, a non-empty label before it */
		p++;
		plen--;
		return nlen > plen && name[nlen - plen - 1] != '.' &&
		       ascii_eq(name + nlen - plen, p, plen);
	}
	return plen == nlen && ascii_eq(name, p, plen);
}

#define TLS_WALK_HEAD	(TLS_REC_HDR + 4)

bool sslv_tls_walk(struct sslv_tls_walk *w, const u8 *buf, u32 len)
{
	bool event;
	u32 n;

	if (len <= w->pos)
		return false;
	event = w->pos < TLS_WALK_HEAD || w->stuck;
	if (buf[0] & 0x80) {		/* SSLv2 format: one record */
		if (len >= 2) {
			n = 2 + ((u32)(buf[0] & 0x7f) << 8 | buf[1]);
			event = event || (w->pos < n && len >= n);
		}
		w->pos = len;
		return event;
	}
	while (w->pos < len && !w->stuck) {
		if (!w->rec_left) {
			const u8 *h = buf + w->pos;

			if (len - w->pos < TLS_REC_HDR)
				break;
			w->pos += TLS_REC_HDR;
			w->rec_type = h[0];
			w->rec_left = get_be16(h + 3);
			if (h[0] < TLS_CT_CCS || h[0] > TLS_CT_HANDSHAKE + 1 ||
			    h[1] != 3 || !w->rec_left ||
			    w->rec_left > TLS_REC_MAX) {
				w->stuck = true;
				return true;
			}
			if (h[0] != TLS_CT_HANDSHAKE)
				event = true;
			continue;
		}
		n = len - w->pos < w->rec_left ? len - w->pos : w->rec_left;
		if (w->rec_type != TLS_CT_HANDSHAKE) {
			w->pos += n;
			w->rec_left -= n;
			if (!w->rec_left)
				event = true;
			continue;
		}
		if (w->hdr_got < 4) {	/* type, then a 24-bit length */
			w->msg_left = w->hdr_got ?
				      w->msg_left << 8 | buf[w->pos] : 0;
			w->pos++;
			w->rec_left--;
			if (++w->hdr_got < 4 || w->msg_left)
				continue;
		} else {
			if (n > w->msg_left)
				n = w->msg_left;
			w->pos += n;
			w->rec_left -= n;
			w->msg_left -= n;
			if (w->msg_left)
				continue;
		}
		w->hdr_got = 0;		/* a message is complete */
		event = true;
	}
	return event;
}
