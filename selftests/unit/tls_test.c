// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the TLS handshake parser (kmod/lib/tls.c): hellos recorded
 * from real clients and servers (data/, see data/record.sh), those same
 * hellos cut at every byte and re-fragmented into records of every size,
 * and hand-built edge cases. Buffers are exact-size heap copies, so that
 * AddressSanitizer catches any read past the length given.
 */
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "tls.h"
#include "unit.h"

struct buf {
	u8 *p;
	u32 n;
};

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

static struct buf buf_copy(const u8 *p, u32 n)
{
	struct buf b = { malloc(n ? n : 1), n };

	if (!b.p)
		abort();
	memcpy(b.p, p, n);
	return b;
}

/* A data/ sample. */
static struct buf load(const char *name)
{
	char path[512];
	struct buf b;

	snprintf(path, sizeof(path), "%s/%s", UNIT_DATA, name);
	b.p = sample_load(path, &b.n);
	return b;
}

static enum sslv_tls_res client(const struct buf *b, struct sslv_tls_client *c)
{
	return sslv_tls_parse_client(b->p, b->n, c);
}

static enum sslv_tls_res server(const struct buf *b, struct sslv_tls_server *s)
{
	return sslv_tls_parse_server(b->p, b->n, s);
}

static bool sni_is(const struct sslv_tls_client *c, const char *name)
{
	return (c->flags & SSLV_TLS_C_SNI) && c->sni_len == (u32)strlen(name) &&
	       !memcmp(c->sni, name, c->sni_len);
}

static bool alpn_is(const struct sslv_tls_client *c, int i, const char *name)
{
	return i < c->n_alpn && c->alpn[i].len == (u32)strlen(name) &&
	       !memcmp(c->alpn[i].name, name, c->alpn[i].len);
}

/*
 * Builder of hand-made handshakes: bytes appended to a buffer, length
 * prefixes opened and closed like brackets.
 */
struct bld {
	u8 b[20000];
	u32 n;
	u32 open[8];		/* where each open length prefix starts */
	u8 size[8];		/* and its width */
	int depth;
};

static void put8(struct bld *b, u32 v)
{
	b->b[b->n++] = (u8)v;
}

static void put16(struct bld *b, u32 v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void putn(struct bld *b, const void *p, u32 n)
{
	if (n)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void fill(struct bld *b, u8 v, u32 n)
{
	memset(b->b + b->n, v, n);
	b->n += n;
}

/* Open a length prefix of @size bytes, filled in by close(). */
static void open_len(struct bld *b, u8 size)
{
	b->open[b->depth] = b->n;
	b->size[b->depth++] = size;
	b->n += size;
}

static void close_len(struct bld *b)
{
	u32 at = b->open[--b->depth], size = b->size[b->depth];
	u32 len = b->n - at - size, i;

	for (i = 0; i < size; i++)
		b->b[at + i] = (u8)(len >> (8 * (size - 1 - i)));
}

static struct buf bld_buf(const struct bld *b)
{
	return buf_copy(b->b, b->n);
}

/* Record header and handshake header of a hello being built. */
static void hello_open(struct bld *b, u8 type, u16 version)
{
	memset(b, 0, sizeof(*b));
	put8(b, 22);
	put16(b, 0x0301);
	open_len(b, 2);
	put8(b, type);
	open_len(b, 3);
	put16(b, version);
	fill(b, 0x42, 32);		/* random */
}

static void hello_close(struct bld *b)
{
	close_len(b);
	close_len(b);
}

/* ClientHello head: no session id, @n suites from @suites, null compression. */
static void client_head(struct bld *b, const u16 *suites, int n)
{
	int i;

	hello_open(b, 1, 0x0303);
	put8(b, 0);
	open_len(b, 2);
	for (i = 0; i < n; i++)
		put16(b, suites[i]);
	close_len(b);
	put8(b, 1);
	put8(b, 0);
}

static const u16 modern[] = { 0x1301, 0xc02f };

static void ext_open(struct bld *b, u16 type)
{
	put16(b, type);
	open_len(b, 2);
}

static void ext_sni(struct bld *b, const char *name, u32 n)
{
	ext_open(b, 0);
	open_len(b, 2);
	put8(b, 0);
	put16(b, n);
	putn(b, name, n);
	close_len(b);
	close_len(b);
}

/* ClientHello with the given extensions writer. */
static struct buf client_with(void (*exts)(struct bld *b))
{
	static struct bld b;

	client_head(&b, modern, 2);
	open_len(&b, 2);
	exts(&b);
	close_len(&b);
	hello_close(&b);
	return bld_buf(&b);
}

/*
 * Copy the handshake stream of @in (a run of handshake records) into
 * records of at most @k bytes each.
 */
static struct buf refragment(const struct buf *in, u32 k)
{
	static u8 hs[20000], out[40000];
	u32 off = 0, n = 0, o = 0, len, i;

	while (off + 5 <= in->n && in->p[off] == 22) {
		len = in->p[off + 3] << 8 | in->p[off + 4];
		memcpy(hs + n, in->p + off + 5, len);
		n += len;
		off += 5 + len;
	}
	for (i = 0; i < n; i += k) {
		len = n - i < k ? n - i : k;
		out[o++] = 22;
		out[o++] = 3;
		out[o++] = 3;
		out[o++] = (u8)(len >> 8);
		out[o++] = (u8)len;
		memcpy(out + o, hs + i, len);
		o += len;
	}
	/* whatever followed the handshake records (CCS, encrypted) stays */
	memcpy(out + o, in->p + off, in->n - off);
	return buf_copy(out, o + in->n - off);
}

/* --- recorded samples -------------------------------------------------- */

static void test_openssl_tls13(void)
{
	struct buf b = load("openssl-tls13-client.hex");
	struct sslv_tls_client c;
	struct sslv_tls_server s;

	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(c.record_version == 0x0301);
	CHECK(c.legacy_version == 0x0303);
	CHECK(c.max_version == SSLV_TLS_VER_TLS13);
	CHECK(c.n_versions == 1 && c.versions[0] == 0x0304);
	CHECK(sni_is(&c, "www.sslv.test"));
	CHECK(c.n_alpn == 2 && alpn_is(&c, 0, "h2") && alpn_is(&c, 1, "http/1.1"));
	CHECK(c.n_ciphers == 4);
	CHECK(c.flags == (SSLV_TLS_C_SNI | SSLV_TLS_C_ALPN | SSLV_TLS_C_VERSIONS |
			  SSLV_TLS_C_MODERN_CIPHER));
	buf_free(&b);

	b = load("openssl-tls13-server.hex");
	CHECK(server(&b, &s) == SSLV_TLS_DONE);
	CHECK(s.record_version == 0x0303);
	CHECK(s.legacy_version == 0x0303);
	CHECK(s.version == SSLV_TLS_VER_TLS13);
	CHECK(s.cipher == 0x1302);
	CHECK(s.group == 0x001d);
	CHECK(s.compression == 0);
	CHECK(s.flags == (SSLV_TLS_S_HELLO | SSLV_TLS_S_VERSIONS |
			  SSLV_TLS_S_MODERN_CIPHER));
	buf_free(&b);
}

static void test_openssl_tls12(void)
{
	struct buf b = load("openssl-tls12-client.hex");
	struct sslv_tls_client c;
	struct sslv_tls_server s;

	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(c.legacy_version == 0x0303 && c.max_version == 0x0303);
	CHECK(c.n_versions == 0);
	CHECK(sni_is(&c, "tls12.sslv.test"));
	CHECK(c.n_alpn == 0);
	CHECK(c.n_ciphers == 28);
	CHECK(c.flags == (SSLV_TLS_C_SNI | SSLV_TLS_C_MODERN_CIPHER));
	buf_free(&b);

	b = load("openssl-tls12-server.hex");
	CHECK(server(&b, &s) == SSLV_TLS_DONE);
	CHECK(s.version == 0x0303 && s.legacy_version == 0x0303);
	CHECK(s.cipher == 0xc030);
	CHECK(s.group == 0);
	CHECK(s.flags == (SSLV_TLS_S_HELLO | SSLV_TLS_S_MODERN_CIPHER |
			  SSLV_TLS_S_CERT | SSLV_TLS_S_HELLO_DONE));
	buf_free(&b);
}

static void test_nginx_client_auth(void)
{
	struct buf b = load("nginx-mtls-server.hex");
	struct sslv_tls_server s;

	CHECK(server(&b, &s) == SSLV_TLS_DONE);
	CHECK(s.version == 0x0303);
	CHECK(s.cipher == 0xc030);
	CHECK(s.flags == (SSLV_TLS_S_HELLO | SSLV_TLS_S_MODERN_CIPHER |
			  SSLV_TLS_S_CERT | SSLV_TLS_S_CERT_REQ |
			  SSLV_TLS_S_HELLO_DONE));
	buf_free(&b);
}

static void test_curl_gnutls(void)
{
	struct buf b = load("curl-client.hex");
	struct sslv_tls_client c;

	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(sni_is(&c, "curl.sslv.test"));
	CHECK(c.n_alpn == 2 && alpn_is(&c, 0, "h2") && alpn_is(&c, 1, "http/1.1"));
	CHECK(c.n_versions == 4 && c.versions[0] == 0x0304 &&
	      c.versions[3] == 0x0301);
	CHECK(c.max_version == 0x0304);
	CHECK(c.n_ciphers == 31);
	CHECK(c.flags == (SSLV_TLS_C_SNI | SSLV_TLS_C_ALPN | SSLV_TLS_C_VERSIONS |
			  SSLV_TLS_C_MODERN_CIPHER));
	buf_free(&b);

	b = load("gnutls-client.hex");
	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(sni_is(&c, "gnutls.sslv.test"));
	CHECK(c.n_alpn == 1 && alpn_is(&c, 0, "imap"));
	CHECK(c.n_versions == 4 && c.max_version == 0x0304);
	CHECK(c.n_ciphers == 29);
	CHECK(c.flags == (SSLV_TLS_C_SNI | SSLV_TLS_C_ALPN | SSLV_TLS_C_VERSIONS |
			  SSLV_TLS_C_MODERN_CIPHER));
	buf_free(&b);
}

static void test_post_quantum(void)
{
	struct buf b = load("pq-client.hex");
	struct sslv_tls_client c;
	struct sslv_tls_server s;

	CHECK(b.n > 1460);		/* more than one Ethernet segment */
	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(sni_is(&c, "www.sslv.test"));
	CHECK(c.max_version == 0x0304);
	CHECK(c.flags == (SSLV_TLS_C_SNI | SSLV_TLS_C_ALPN | SSLV_TLS_C_VERSIONS |
			  SSLV_TLS_C_MODERN_CIPHER | SSLV_TLS_C_PQ_GROUP |
			  SSLV_TLS_C_PQ_SHARE));
	buf_free(&b);

	b = load("pq-server.hex");
	CHECK(server(&b, &s) == SSLV_TLS_DONE);
	CHECK(s.version == 0x0304 && s.group == 0x001d);
	CHECK(!(s.flags & SSLV_TLS_S_PQ));
	buf_free(&b);
}

static void test_nmap_old_protocols(void)
{
	struct buf b = load("nmap-sslv2-client.hex");
	struct sslv_tls_client c;
	struct sslv_tls_server s;

	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(c.record_version == SSLV_TLS_VER_SSL2);
	CHECK(c.legacy_version == SSLV_TLS_VER_SSL2);
	CHECK(c.max_version == SSLV_TLS_VER_SSL2);
	CHECK(c.n_ciphers == 9);
	CHECK(c.flags == SSLV_TLS_C_SSL2_FORMAT);
	buf_free(&b);

	b = load("nmap-ssl3-client.hex");
	CHECK(client(&b, &c) == SSLV_TLS_DONE);
	CHECK(c.record_version == 0x0300 && c.legacy_version == 0x0300);
	CHECK(c.max_version == SSLV_TLS_VER_SSL3);
	CHECK(c.n_ciphers == 64);
	CHECK(c.flags == 0);		/* no extension, no modern suite */
	buf_free(&b);

	b = load("nmap-ssl3-server.hex");
	CHECK(server(&b, &s) == SSLV_TLS_DONE);
	CHECK(s.flags == SSLV_TLS_S_ALERT && s.alert == 40);
	buf_free(&b);
}

/* --- every sample, cut and re-fragmented -------------------------------- */

static const char *const client_samples[] = {
	"openssl-tls13-client.hex", "openssl-tls12-client.hex",
	"curl-client.hex", "gnutls-client.hex", "pq-client.hex",
	"nmap-ssl3-client.hex", "nmap-sslv2-client.hex",
};

static const char *const server_samples[] = {
	"openssl-tls13-server.hex", "openssl-tls12-server.hex",
	"nginx-mtls-server.hex", "pq-server.hex", "nmap-ssl3-server.hex",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Every prefix shorter than the bytes the parse needs is MORE, every longer
 * one DONE with the very same result.
 */
static void test_truncation(void)
{
	struct sslv_tls_client c, cfull;
	struct sslv_tls_server s, sfull;
	int bad_more, bad_done;
	struct buf b, cut;
	u32 i, k, need;

	for (i = 0; i < N(client_samples); i++) {
		b = load(client_samples[i]);
		CHECK(client(&b, &cfull) == SSLV_TLS_DONE);
		bad_more = bad_done = 0;
		for (k = 0; k < b.n; k++) {
			cut = buf_copy(b.p, k);
			bad_more += client(&cut, &c) != SSLV_TLS_MORE;
			buf_free(&cut);
		}
		CHECK(bad_more == 0);
		buf_free(&b);
	}
	for (i = 0; i < N(server_samples); i++) {
		b = load(server_samples[i]);
		CHECK(server(&b, &sfull) == SSLV_TLS_DONE);
		bad_more = bad_done = 0;
		for (need = 0; need < b.n; need++) {
			cut = buf_copy(b.p, need);
			if (server(&cut, &s) != SSLV_TLS_MORE)
				break;
			buf_free(&cut);
		}
		buf_free(&cut);
		for (k = need; k <= b.n; k++) {
			cut = buf_copy(b.p, k);
			bad_done += server(&cut, &s) != SSLV_TLS_DONE ||
				    memcmp(&s, &sfull, sizeof(s));
			buf_free(&cut);
		}
		CHECK(need > 0 && bad_done == 0);
		buf_free(&b);
	}
}

/* The same handshake stream in records of every size gives the same fields. */
static void test_refragment(void)
{
	struct sslv_tls_client c, cfull;
	struct sslv_tls_server s, sfull;
	struct buf b, f;
	int bad;
	u32 i, k;

	for (i = 0; i < N(client_samples) - 1; i++) {	/* not SSLv2 */
		b = load(client_samples[i]);
		client(&b, &cfull);
		cfull.record_version = 0x0303;
		bad = 0;
		for (k = 1; k <= b.n; k++) {
			f = refragment(&b, k);
			bad += client(&f, &c) != SSLV_TLS_DONE ||
			       memcmp(&c, &cfull, sizeof(c));
			buf_free(&f);
		}
		CHECK(bad == 0);
		buf_free(&b);
	}
	for (i = 0; i < N(server_samples) - 1; i++) {	/* not the alert */
		b = load(server_samples[i]);
		server(&b, &sfull);
		bad = 0;
		for (k = 1; k <= 16384; k += k < 64 ? 1 : 97) {
			f = refragment(&b, k);
			bad += server(&f, &s) != SSLV_TLS_DONE ||
			       memcmp(&s, &sfull, sizeof(s));
			buf_free(&f);
		}
		CHECK(bad == 0);
		buf_free(&b);
	}
}

/*
 * Fed one byte at a time, the walker asks for a parse at the very byte
 * where a parse of every prefix first stops answering MORE (and, for a
 * server, where the ServerHello is first parsed), and at few others.
 * Returns the number of parses it asked for, or -1 when it missed one.
 */
static int walk_bytes(const struct buf *b, bool is_server)
{
	struct sslv_tls_walk w = { 0 };
	struct sslv_tls_client c;
	struct sslv_tls_server s;
	bool hello = false, event;
	enum sslv_tls_res r;
	int parses = 0;
	struct buf cut;
	u32 k;

	for (k = 1; k <= b->n; k++) {
		event = sslv_tls_walk(&w, b->p, k);
		parses += event;
		cut = buf_copy(b->p, k);
		r = is_server ? server(&cut, &s) : client(&cut, &c);
		buf_free(&cut);
		if (is_server && !hello && (s.flags & SSLV_TLS_S_HELLO)) {
			hello = true;
			if (!event)
				return -1;
		}
		if (r != SSLV_TLS_MORE)
			return event ? parses : -1;
	}
	return -1;
}

static void test_walk(void)
{
	static const u32 frags[] = { 0, 1, 7, 300 };
	int bad = 0, most = 0, n;
	struct buf b, f;
	u32 i, k;

	for (i = 0; i < N(client_samples); i++) {
		b = load(client_samples[i]);
		for (k = 0; k < N(frags); k++) {
			if (frags[k] && i == N(client_samples) - 1)
				continue;	/* SSLv2 has no records */
			f = frags[k] ? refragment(&b, frags[k]) :
				       buf_copy(b.p, b.n);
			n = walk_bytes(&f, false);
			bad += n < 0;
			most = n > most ? n : most;
			buf_free(&f);
		}
		buf_free(&b);
	}
	CHECK(bad == 0);
	printf("walk: at most %d parses of a client hello\n", most);
	CHECK(most > 0 && most <= 12);	/* the first headers, the hello */
	for (i = 0; i < N(server_samples); i++) {
		b = load(server_samples[i]);
		for (k = 0; k < N(frags); k++) {
			f = frags[k] && i < N(server_samples) - 1 ?
			    refragment(&b, frags[k]) : buf_copy(b.p, b.n);
			bad += walk_bytes(&f, true) < 0;
			buf_free(&f);
		}
		buf_free(&b);
	}
	CHECK(bad == 0);
}

/* --- hand-built edge cases ------------------------------------------------ */

static void test_not_tls(void)
{
	static const struct { const char *p; u32 n; enum sslv_tls_res res; } t[] = {
		{ "", 0, SSLV_TLS_MORE },
		{ "\x16", 1, SSLV_TLS_MORE },
		{ "\x16\x03", 2, SSLV_TLS_MORE },
		{ "\x16\x02", 2, SSLV_TLS_NOT_TLS },
		{ "\x16\x02\x00\x00\x10", 5, SSLV_TLS_NOT_TLS },
		{ "\x17\x03\x03\x00\x10", 5, SSLV_TLS_NOT_TLS },	/* app data */
		{ "GET / HTTP/1.1\r\n", 16, SSLV_TLS_NOT_TLS },
		{ "SSH-2.0-OpenSSH_9.2\r\n", 21, SSLV_TLS_NOT_TLS },
		{ "\x80", 1, SSLV_TLS_MORE },				/* SSLv2? */
		{ "\x80\x2e\x02", 3, SSLV_TLS_NOT_TLS },		/* not a hello */
		{ "\x80\x2e\x01\x04\x00", 5, SSLV_TLS_NOT_TLS },	/* no version */
	};
	struct sslv_tls_client c;
	struct sslv_tls_server s;
	struct buf b;
	u32 i;

	for (i = 0; i < N(t); i++) {
		b = buf_copy((const u8 *)t[i].p, t[i].n);
		CHECK(client(&b, &c) == t[i].res);
		buf_free(&b);
	}
	b = buf_copy((const u8 *)"HTTP/1.1 400 Bad", 16);
	CHECK(server(&b, &s) == SSLV_TLS_NOT_TLS);
	buf_free(&b);
	b = buf_copy((const u8 *)"\x17\x03\x03\x00\x02", 5);
	CHECK(server(&b, &s) == SSLV_TLS_NOT_TLS);
	buf_free(&b);
}

static void ssl2_hello(struct bld *b, u16 version, u32 cs, const u8 *specs)
{
	memset(b, 0, sizeof(*b));
	put16(b, 0x8000 | (9 + cs + 16));
	put8(b, 1);
	put16(b, version);
	put16(b, cs);
	put16(b, 0);
	put16(b, 16);
	putn(b, specs, cs);
	fill(b, 0x55, 16);
}

static void test_sslv2(void)
{
	static const u8 compat[] = { 0x07, 0x00, 0xc0, 0x00, 0xc0, 0x2f };
	static struct bld b;
	struct sslv_tls_client c;
	struct buf m;

	ssl2_hello(&b, 0x0301, sizeof(compat), compat);
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_DONE);
	CHECK(c.record_version == SSLV_TLS_VER_SSL2);
	CHECK(c.legacy_version == 0x0301 && c.max_version == 0x0301);
	CHECK(c.n_ciphers == 2);
	CHECK(c.flags == (SSLV_TLS_C_SSL2_FORMAT | SSLV_TLS_C_MODERN_CIPHER));
	buf_free(&m);

	ssl2_hello(&b, 0x0002, 4, compat);	/* specs not in threes */
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);

	ssl2_hello(&b, 0x0002, 3, compat);
	b.b[1]++;				/* record longer than its fields */
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
}

static void exts_all(struct bld *b)
{
	static const char big[300] = "a";

	ext_sni(b, "Example.COM", 11);
	ext_open(b, 16);			/* ALPN: 5 names, one too long */
	open_len(b, 2);
	put8(b, 2);
	putn(b, "h2", 2);
	put8(b, 40);
	putn(b, big, 40);
	put8(b, 3);
	putn(b, "h2c", 3);
	put8(b, 4);
	putn(b, "imap", 4);
	put8(b, 3);
	putn(b, "ftp", 3);
	close_len(b);
	close_len(b);
	ext_open(b, 43);			/* versions, GREASE first */
	open_len(b, 1);
	put16(b, 0x5a5a);
	put16(b, 0x0304);
	put16(b, 0x0303);
	close_len(b);
	close_len(b);
	ext_open(b, 10);			/* supported_groups */
	open_len(b, 2);
	put16(b, 0x001d);
	put16(b, 0x6399);
	close_len(b);
	close_len(b);
	ext_open(b, 51);			/* key_share: x25519 only */
	open_len(b, 2);
	put16(b, 0x001d);
	put16(b, 32);
	fill(b, 0x11, 32);
	close_len(b);
	close_len(b);
	ext_open(b, 0xfe0d);
	fill(b, 0, 8);
	close_len(b);
	ext_open(b, 0xffce);
	close_len(b);
	ext_open(b, 0xaaaa);			/* GREASE extension */
	close_len(b);
}

static void test_extensions(void)
{
	struct sslv_tls_client c;
	struct buf m = client_with(exts_all);

	CHECK(client(&m, &c) == SSLV_TLS_DONE);
	CHECK(sni_is(&c, "Example.COM"));
	CHECK(c.n_alpn == 5);
	CHECK(alpn_is(&c, 0, "h2") && c.alpn[1].len == SSLV_TLS_ALPN_NAME_MAX &&
	      alpn_is(&c, 2, "h2c") && alpn_is(&c, 3, "imap"));
	CHECK(c.n_versions == 2 && c.versions[0] == 0x0304 &&
	      c.versions[1] == 0x0303 && c.max_version == 0x0304);
	CHECK(c.flags == (SSLV_TLS_C_SNI | SSLV_TLS_C_ALPN | SSLV_TLS_C_ALPN_LONG |
			  SSLV_TLS_C_VERSIONS | SSLV_TLS_C_MODERN_CIPHER |
			  SSLV_TLS_C_ECH | SSLV_TLS_C_ESNI | SSLV_TLS_C_PQ_GROUP));
	buf_free(&m);
}

/* The whole ALPN list in wire form, also across 7-byte records, and cut. */
static void test_alpn_wire(void)
{
	static const char big[40] = "a";
	struct sslv_tls_client c, plain;
	struct sslv_tls_alpn_wire w;
	struct buf m = client_with(exts_all), f;
	u8 want[64], got[65536];
	u32 n = 0;

	want[n++] = 2;
	memcpy(want + n, "h2", 2);
	n += 2;
	want[n++] = 40;
	memcpy(want + n, big, 40);
	n += 40;
	memcpy(want + n, "\x03h2c\x04imap\x03" "ftp", 13);
	n += 13;

	CHECK(client(&m, &plain) == SSLV_TLS_DONE);
	w = (struct sslv_tls_alpn_wire){ .buf = got, .cap = sizeof(got) };
	CHECK(sslv_tls_parse_client_alpn(m.p, m.n, &c, &w) == SSLV_TLS_DONE);
	CHECK(!memcmp(&c, &plain, sizeof(c)));
	CHECK(w.len == n && !memcmp(got, want, n) && !w.cut);

	f = refragment(&m, 7);
	CHECK(client(&f, &plain) == SSLV_TLS_DONE);
	memset(got, 0, 64);
	w = (struct sslv_tls_alpn_wire){ .buf = got, .cap = sizeof(got) };
	CHECK(sslv_tls_parse_client_alpn(f.p, f.n, &c, &w) == SSLV_TLS_DONE);
	CHECK(!memcmp(&c, &plain, sizeof(c)));
	CHECK(w.len == n && !memcmp(got, want, n) && !w.cut);
	buf_free(&f);

	CHECK(client(&m, &plain) == SSLV_TLS_DONE);
	/* room for "h2" only: the 40-byte name and all after it are left out */
	w = (struct sslv_tls_alpn_wire){ .buf = got, .cap = 10 };
	CHECK(sslv_tls_parse_client_alpn(m.p, m.n, &c, &w) == SSLV_TLS_DONE);
	CHECK(!memcmp(&c, &plain, sizeof(c)));
	CHECK(w.len == 3 && !memcmp(got, "\x02h2", 3) && w.cut);

	/* a truncated hello answers MORE, like the plain parser */
	w = (struct sslv_tls_alpn_wire){ .buf = got, .cap = sizeof(got) };
	CHECK(sslv_tls_parse_client_alpn(m.p, m.n - 1, &c, &w) == SSLV_TLS_MORE);
	buf_free(&m);
}

static void exts_long_sni(struct bld *b)
{
	static char name[300];

	memset(name, 'x', sizeof(name));
	ext_sni(b, name, sizeof(name));
}

static void exts_two_host_names(struct bld *b)
{
	ext_open(b, 0);
	open_len(b, 2);
	put8(b, 0);
	put16(b, 4);
	putn(b, "a.io", 4);
	put8(b, 0);
	put16(b, 4);
	putn(b, "b.io", 4);
	close_len(b);
	close_len(b);
}

static void exts_empty_host_name(struct bld *b)
{
	ext_sni(b, "", 0);
}

static void exts_twice(struct bld *b)
{
	ext_sni(b, "a.io", 4);
	ext_sni(b, "b.io", 4);
}

static void ext_tls13_only(struct bld *b)
{
	ext_open(b, 43);
	open_len(b, 1);
	put16(b, 0x0304);
	close_len(b);
	close_len(b);
}

static void exts_versions_twice(struct bld *b)
{
	ext_tls13_only(b);
	ext_tls13_only(b);
}

static void exts_alpn_empty_name(struct bld *b)
{
	ext_open(b, 16);
	open_len(b, 2);
	put8(b, 0);
	close_len(b);
	close_len(b);
}

static void exts_versions_odd(struct bld *b)
{
	ext_open(b, 43);
	open_len(b, 1);
	put16(b, 0x0304);
	put8(b, 3);
	close_len(b);
	close_len(b);
}

static void exts_pq_share(struct bld *b)
{
	ext_open(b, 51);
	open_len(b, 2);
	put16(b, 0x11ec);
	put16(b, 1216);
	fill(b, 0x33, 1216);
	put16(b, 0x001d);
	put16(b, 32);
	fill(b, 0x11, 32);
	close_len(b);
	close_len(b);
}

/* An extension whose length runs past the extension block. */
static void exts_overflowing(struct bld *b)
{
	ext_sni(b, "a.io", 4);
	put16(b, 0x0017);
	put16(b, 0x0100);
}

/* The SNI list claims more than its extension holds. */
static void exts_sni_list_overflowing(struct bld *b)
{
	ext_open(b, 0);
	put16(b, 0x0040);
	put8(b, 0);
	put16(b, 4);
	putn(b, "a.io", 4);
	close_len(b);
}

static void test_extension_edges(void)
{
	struct sslv_tls_client c;
	struct buf m;

	m = client_with(exts_long_sni);
	CHECK(client(&m, &c) == SSLV_TLS_DONE);
	CHECK(c.sni_len == SSLV_TLS_SNI_MAX && c.sni[SSLV_TLS_SNI_MAX - 1] == 'x');
	CHECK(c.flags & SSLV_TLS_C_SNI_LONG);
	buf_free(&m);

	m = client_with(exts_pq_share);
	CHECK(client(&m, &c) == SSLV_TLS_DONE);
	CHECK(c.flags & SSLV_TLS_C_PQ_SHARE);
	CHECK(!(c.flags & SSLV_TLS_C_PQ_GROUP));
	buf_free(&m);

	m = client_with(exts_two_host_names);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_empty_host_name);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_twice);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_versions_twice);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_alpn_empty_name);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_versions_odd);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_overflowing);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = client_with(exts_sni_list_overflowing);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
}

static void test_hello_edges(void)
{
	static const u16 old[] = { 0x002f, 0x0035, 0x000a };
	static struct bld b;
	struct sslv_tls_client c;
	struct buf m;

	/* No extensions at all, no modern suite, deflate offered. */
	client_head(&b, old, 3);
	b.b[b.n - 2] = 2;
	b.b[b.n - 1] = 1;
	put8(&b, 0);
	hello_close(&b);
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_DONE);
	CHECK(c.n_ciphers == 3 && c.max_version == 0x0303);
	CHECK(c.flags == SSLV_TLS_C_COMPRESSION);
	buf_free(&m);

	/* An extension block shorter than the rest of the hello. */
	client_head(&b, old, 3);
	put16(&b, 0);
	put8(&b, 0);
	hello_close(&b);
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);

	/* Session id of 33 bytes. */
	hello_open(&b, 1, 0x0303);
	put8(&b, 33);
	fill(&b, 0, 33);
	put16(&b, 2);
	put16(&b, 0x1301);
	put16(&b, 0x0100);
	hello_close(&b);
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);

	/* An odd cipher suite length. */
	hello_open(&b, 1, 0x0303);
	put8(&b, 0);
	put16(&b, 3);
	fill(&b, 0x13, 3);
	put16(&b, 0x0100);
	hello_close(&b);
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);

	/* A ServerHello where a ClientHello belongs. */
	hello_open(&b, 2, 0x0303);
	put8(&b, 0);
	put16(&b, 0x1301);
	put8(&b, 0);
	hello_close(&b);
	m = bld_buf(&b);
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);
}

static void test_records(void)
{
	struct buf b = load("openssl-tls13-client.hex"), m, e;
	struct sslv_tls_client c;
	u8 raw[512];

	/* Oversize record: 2^14 + 1 bytes. */
	m = buf_copy(b.p, b.n);
	m.p[3] = 0x40;
	m.p[4] = 0x01;
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	buf_free(&m);

	/* An alert record or an empty record inside the hello is malformed. */
	m = refragment(&b, 100);
	m.p[105] = 21;
	CHECK(client(&m, &c) == SSLV_TLS_MALFORMED);
	m.p[105] = 22;
	CHECK(client(&m, &c) == SSLV_TLS_DONE);
	memcpy(raw, m.p, 105);
	memcpy(raw + 105, "\x16\x03\x03\x00\x00", 5);
	memcpy(raw + 110, m.p + 105, m.n - 105);
	e = buf_copy(raw, m.n + 5);
	CHECK(client(&e, &c) == SSLV_TLS_MALFORMED);
	buf_free(&e);
	buf_free(&m);

	buf_free(&b);
}

/* A server flight: a ServerHello of @version and random, then @rest. */
static struct buf server_flight(u16 version, const u8 *random,
				const u8 *rest, u32 nrest, bool versions)
{
	static struct bld b;

	hello_open(&b, 2, versions ? 0x0303 : version);
	if (random)
		memcpy(b.b + b.n - 32, random, 32);
	put8(&b, 0);
	put16(&b, 0x1301);
	put8(&b, 0);
	open_len(&b, 2);
	if (versions) {
		put16(&b, 43);
		put16(&b, 2);
		put16(&b, version);
		put16(&b, 51);			/* HRR: the group alone */
		put16(&b, 2);
		put16(&b, 0x11ec);
	}
	close_len(&b);
	hello_close(&b);
	putn(&b, rest, nrest);
	return bld_buf(&b);
}

static void test_server_edges(void)
{
	static const u8 hrr[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
		0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
		0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
		0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	};
	static const u8 ccs[] = { 20, 3, 3, 0, 1, 1 };
	static const u8 alert[] = { 21, 3, 3, 0, 2, 2, 70 };
	static const u8 appdata[] = { 23, 3, 3, 0, 1, 0 };
	/* An empty handshake record, then ServerHelloDone. */
	static const u8 empty[] = { 22, 3, 3, 0, 0, 22, 3, 3, 0, 4, 14, 0, 0, 0 };
	/* Certificate (empty) and ServerHelloDone in one record. */
	static const u8 two[] = { 22, 3, 3, 0, 11, 11, 0, 0, 3, 0, 0, 0, 14, 0, 0, 0 };
	struct sslv_tls_server s;
	struct buf m;

	m = server_flight(0x0304, hrr, NULL, 0, true);
	CHECK(server(&m, &s) == SSLV_TLS_DONE);
	CHECK(s.flags == (SSLV_TLS_S_HELLO | SSLV_TLS_S_HRR | SSLV_TLS_S_VERSIONS |
			  SSLV_TLS_S_MODERN_CIPHER | SSLV_TLS_S_PQ));
	CHECK(s.version == 0x0304 && s.group == 0x11ec);
	buf_free(&m);

	m = server_flight(0x0303, NULL, ccs, sizeof(ccs), false);
	CHECK(server(&m, &s) == SSLV_TLS_DONE);
	CHECK(s.flags == (SSLV_TLS_S_HELLO | SSLV_TLS_S_MODERN_CIPHER |
			  SSLV_TLS_S_RESUMED));
	buf_free(&m);

	m = server_flight(0x0303, NULL, alert, sizeof(alert), false);
	CHECK(server(&m, &s) == SSLV_TLS_DONE);
	CHECK((s.flags & SSLV_TLS_S_ALERT) && s.alert == 70);
	buf_free(&m);

	m = server_flight(0x0301, NULL, two, sizeof(two), false);
	CHECK(server(&m, &s) == SSLV_TLS_DONE);
	CHECK(s.version == 0x0301);
	CHECK(s.flags == (SSLV_TLS_S_HELLO | SSLV_TLS_S_MODERN_CIPHER |
			  SSLV_TLS_S_CERT | SSLV_TLS_S_HELLO_DONE));
	buf_free(&m);

	/* TLS 1.2 waits for the rest of the flight, fields already valid. */
	m = server_flight(0x0303, NULL, NULL, 0, false);
	CHECK(server(&m, &s) == SSLV_TLS_MORE);
	CHECK((s.flags & SSLV_TLS_S_HELLO) && s.cipher == 0x1301);
	buf_free(&m);

	m = server_flight(0x0303, NULL, appdata, sizeof(appdata), false);
	CHECK(server(&m, &s) == SSLV_TLS_MALFORMED);
	buf_free(&m);

	m = server_flight(0x0303, NULL, empty, sizeof(empty), false);
	CHECK(server(&m, &s) == SSLV_TLS_MALFORMED);
	buf_free(&m);
	m = server_flight(0x0303, NULL, empty + 5, sizeof(empty) - 5, false);
	CHECK(server(&m, &s) == SSLV_TLS_DONE);
	CHECK(s.flags & SSLV_TLS_S_HELLO_DONE);
	buf_free(&m);
}

static void test_sni_match(void)
{
	static const struct { const char *pat, *name; bool match; } t[] = {
		{ "example.com", "example.com", true },
		{ "example.com", "EXAMPLE.Com", true },
		{ "Example.COM", "example.com", true },
		{ "example.com", "example.com.", true },
		{ "example.com", "example.co", false },
		{ "example.com", "www.example.com", false },
		{ "example.com", "example.com..", false },
		{ "*.example.com", "www.example.com", true },
		{ "*.example.com", "a.b.Example.com", true },
		{ "*.example.com", "www.example.com.", true },
		{ "*.example.com", "example.com", false },
		{ "*.example.com", ".example.com", false },
		{ "*.example.com", "x..example.com", false },
		{ "*.example.com", "wwwexample.com", false },
		{ "*.example.com", "www.example.com.evil", false },
		{ "*.com", "a.com", true },
		{ "*.", "a.", false },
		{ "*", "*", true },
		{ "*", "a", false },
		{ "", "", false },
		{ "", "a", false },
		{ "a", "", false },
		{ ".", ".", false },
	};
	u32 i;

	for (i = 0; i < N(t); i++) {
		bool m = sslv_sni_match(t[i].pat, strlen(t[i].pat),
					(const u8 *)t[i].name, strlen(t[i].name));
		if (m != t[i].match)
			fprintf(stderr, "sni_match(\"%s\", \"%s\") != %d\n",
				t[i].pat, t[i].name, t[i].match);
		CHECK(m == t[i].match);
	}
}

static void test_ciphers(void)
{
	CHECK(sslv_tls_cipher_modern(0x1301) && sslv_tls_cipher_modern(0x1305));
	CHECK(!sslv_tls_cipher_modern(0x1300) && !sslv_tls_cipher_modern(0x1306));
	CHECK(sslv_tls_cipher_modern(0xc02f) && sslv_tls_cipher_modern(0xcca9));
	CHECK(sslv_tls_cipher_modern(0x009e) && sslv_tls_cipher_modern(0xccaa));
	CHECK(!sslv_tls_cipher_modern(0x002f) && !sslv_tls_cipher_modern(0xc013));
	CHECK(!sslv_tls_cipher_modern(0x00ff));	/* renegotiation SCSV */
}

int main(void)
{
	test_openssl_tls13();
	test_openssl_tls12();
	test_nginx_client_auth();
	test_curl_gnutls();
	test_post_quantum();
	test_nmap_old_protocols();
	test_truncation();
	test_refragment();
	test_walk();
	test_not_tls();
	test_sslv2();
	test_extensions();
	test_alpn_wire();
	test_extension_edges();
	test_hello_edges();
	test_records();
	test_server_edges();
	test_sni_match();
	test_ciphers();
	return unit_done();
}
