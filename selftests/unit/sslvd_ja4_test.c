// SPDX-License-Identifier: GPL-2.0
/*
 * sslvd's JA4 (meta.c) against the JA4 specification's own example
 * (FoxIO's JA4 technical details and its reference tests):
 *
 *   JA4   = t13d1516h2_8daaf6152771_e5627efa2ab1
 *   JA4_r = t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,
 *           c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,
 *           001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,
 *           0501,0806,0601
 *
 * a Chrome ClientHello: 15 ciphers (sorted, hashed: 8daaf6152771), 16
 * extensions (SNI and ALPN counted, then left out of the sorted list,
 * followed by the signature algorithms in their order: e5627efa2ab1).
 * The hello is built here from those lists in Chrome's wire order, with
 * GREASE values added (they count nowhere), and then varied: no SNI, no
 * ALPN, a TLS 1.2 hello without supported_versions, an ALPN that is not
 * alphanumeric, several records.
 */
#include <string.h>

#include "unit.h"
#include "meta.h"

static const u16 chrome_ciphers[] = {
	0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
	0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
};

static const u16 chrome_sigs[] = {
	0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
};

struct hello {
	u8 b[2048];
	size_t n;
};

static void put8(struct hello *h, unsigned int v) { h->b[h->n++] = (u8)v; }
static void put16(struct hello *h, unsigned int v) { put8(h, v >> 8); put8(h, v); }
static void putb(struct hello *h, const void *p, size_t n)
{
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

/* 16-bit length at @at of what follows it up to the end */
static void len16(struct hello *h, size_t at) { h->b[at] = (u8)((h->n - at - 2) >> 8); h->b[at + 1] = (u8)(h->n - at - 2); }

enum { NO_SNI = 1, NO_ALPN = 2, TLS12 = 4, ODD_ALPN = 8 };

/* The ClientHello handshake message (no record header), Chrome's order. */
static void chrome(struct hello *h, int flags)
{
	size_t body, exts, at;
	unsigned int i;

	h->n = 0;
	put8(h, 1);
	body = h->n;
	putb(h, "\0\0\0", 3);
	put16(h, 0x0303);
	for (i = 0; i < 32; i++)
		put8(h, i);			/* random */
	put8(h, 32);
	for (i = 0; i < 32; i++)
		put8(h, 0xa0 + i);		/* session id */
	put16(h, sizeof(chrome_ciphers));
	for (i = 0; i < sizeof(chrome_ciphers) / 2; i++)
		put16(h, chrome_ciphers[i]);
	put8(h, 1);
	put8(h, 0);			/* null compression */
	exts = h->n;
	put16(h, 0);
	put16(h, 0x1a1a); put16(h, 0);	/* GREASE */
	if (!(flags & NO_SNI)) {
		put16(h, 0x0000); put16(h, 16); put16(h, 14); put8(h, 0);
		put16(h, 11); putb(h, "example.com", 11);
	}
	put16(h, 0x0033); put16(h, 2); put16(h, 0);	/* key_share, empty */
	put16(h, 0x000d); put16(h, 2 + sizeof(chrome_sigs)); put16(h, sizeof(chrome_sigs));
	for (i = 0; i < sizeof(chrome_sigs) / 2; i++)
		put16(h, chrome_sigs[i]);
	put16(h, 0x0023); put16(h, 0);
	put16(h, 0x000b); put16(h, 2); put8(h, 1); put8(h, 0);
	put16(h, 0xff01); put16(h, 1); put8(h, 0);
	put16(h, 0x000a); put16(h, 6); put16(h, 4); put16(h, 0x2a2a); put16(h, 0x001d);
	put16(h, 0x001b); put16(h, 3); put8(h, 2); put16(h, 2);
	put16(h, 0x4469); put16(h, 5); put16(h, 3); put8(h, 2); putb(h, "h2", 2);
	put16(h, 0x0012); put16(h, 0);
	put16(h, 0x002d); put16(h, 2); put8(h, 1); put8(h, 1);
	if (!(flags & NO_ALPN)) {
		put16(h, 0x0010);
		at = h->n;
		put16(h, 0);
		put16(h, 0);
		if (flags & ODD_ALPN) {
			put8(h, 3); putb(h, "\xe2\x80\xa6", 3);	/* not ASCII */
		} else {
			put8(h, 2); putb(h, "h2", 2);
			put8(h, 8); putb(h, "http/1.1", 8);
		}
		len16(h, at + 2);
		len16(h, at);
	}
	put16(h, 0x0005); put16(h, 5); put8(h, 1); put16(h, 0); put16(h, 0);
	if (!(flags & TLS12)) {
		put16(h, 0x002b); put16(h, 7); put8(h, 6);
		put16(h, 0x3a3a); put16(h, 0x0304); put16(h, 0x0303);
	}
	put16(h, 0x0017); put16(h, 0);
	put16(h, 0x0015); put16(h, 4); put16(h, 0); put16(h, 0);	/* padding */
	put16(h, 0x4a4a); put16(h, 1); put8(h, 0);			/* GREASE */
	len16(h, exts);
	i = (unsigned int)(h->n - body - 3);
	h->b[body] = (u8)(i >> 16);
	h->b[body + 1] = (u8)(i >> 8);
	h->b[body + 2] = (u8)i;
}

/* The handshake @h in records of at most @frag bytes each. */
static size_t records(const struct hello *h, size_t frag, u8 *out)
{
	size_t off = 0, n = 0, l;

	while (off < h->n) {
		l = h->n - off < frag ? h->n - off : frag;
		out[n++] = 22;
		out[n++] = 3;
		out[n++] = 1;
		out[n++] = (u8)(l >> 8);
		out[n++] = (u8)l;
		memcpy(out + n, h->b + off, l);
		n += l;
		off += l;
	}
	return n;
}

static int ja4_of(int flags, size_t frag, char out[48])
{
	static u8 rec[4096];
	struct hello h;

	chrome(&h, flags);
	return sslvd_ja4(rec, records(&h, frag, rec), out);
}

int main(void)
{
	char ja4[48];

	/* the specification's example, whole and in three records */
	CHECK(ja4_of(0, 16384, ja4) == 0);
	CHECK(!strcmp(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1"));
	CHECK(ja4_of(0, 100, ja4) == 0);
	CHECK(!strcmp(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1"));

	/* without SNI: "i", one extension fewer, the same hashes */
	CHECK(ja4_of(NO_SNI, 16384, ja4) == 0);
	CHECK(!strcmp(ja4, "t13i1515h2_8daaf6152771_e5627efa2ab1"));

	/* without ALPN: "00" */
	CHECK(ja4_of(NO_ALPN, 16384, ja4) == 0);
	CHECK(!strcmp(ja4, "t13d151500_8daaf6152771_e5627efa2ab1"));

	/*
	 * TLS 1.2 without supported_versions: the version from the hello,
	 * 15 extensions, and 002b gone from the hashed list:
	 * sha256("0005,000a,000b,000d,0012,0015,0017,001b,0023,002d,0033,
	 * 4469,ff01_0403,...,0601") begins 8d4582d59f63
	 */
	CHECK(ja4_of(TLS12, 16384, ja4) == 0);
	CHECK(!strcmp(ja4, "t12d1515h2_8daaf6152771_8d4582d59f63"));

	/* an ALPN that is not alphanumeric: first and last hex digits */
	CHECK(ja4_of(ODD_ALPN, 16384, ja4) == 0);
	CHECK(!strcmp(ja4, "t13d1516e6_8daaf6152771_e5627efa2ab1"));

	/* not a ClientHello */
	CHECK(sslvd_ja4((const u8 *)"\x17\x03\x03\x00\x01\x00", 6, ja4) != 0);
	return unit_done();
}
