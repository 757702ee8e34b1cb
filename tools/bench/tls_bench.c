// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of kmod/lib/tls.c's sslv_tls_parse_client on the recorded hellos of
 * selftests/unit/data (each one direction's opening bytes, in hex after
 * '#' comment lines).
 *
 *	tls_bench DATADIR
 *
 * For each hello: its size, ns per parse of the whole hello, and ns for
 * the way the module meets a hello that spans segments: it parses the
 * buffered bytes again at each segment until the parse is done, here with
 * segments of 536 bytes (the pq hello's MSS when it was recorded). Times
 * are the best of several rounds; the ratio column is to openssl-tls13.
 *
 * Then a 16 KiB hello (one full record, mostly padding) fed one byte per
 * segment, the worst a client can do: parsed at every byte, as the module
 * once did, and parsed only where sslv_tls_walk() says a parse can answer
 * something new, as it does now. Parses and total time of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sample.h"
#include "tls.h"

#define ROUNDS	15
#define CALLS	5000
#define MSS	536

static const char *const hellos[] = {
	"openssl-tls13-client.hex", "openssl-tls12-client.hex",
	"curl-client.hex", "gnutls-client.hex", "pq-client.hex",
	"nmap-ssl3-client.hex", "nmap-sslv2-client.hex",
};

#define NHELLOS (sizeof(hellos) / sizeof(hellos[0]))

struct hello {
	u8 *p;
	u32 n;
	double whole_ns, seg_ns;
};

static volatile u32 sink;

static void load(const char *dir, const char *name, struct hello *h)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	h->p = sample_load(path, &h->n);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One hello as the module parses it: again at each segment's arrival. */
static void parse_segmented(const struct hello *h, struct sslv_tls_client *c)
{
	u32 len = 0;

	do {
		len = len + MSS < h->n ? len + MSS : h->n;
	} while (sslv_tls_parse_client(h->p, len, c) == SSLV_TLS_MORE && len < h->n);
}

/* Rounds alternate between the hellos, so that noise hits them alike. */
static void measure(struct hello *h, u32 n)
{
	struct sslv_tls_client c;
	double t0, ns;
	int round, i;
	u32 k;

	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < n; k++) {
			t0 = now_ns();
			for (i = 0; i < CALLS; i++) {
				sslv_tls_parse_client(h[k].p, h[k].n, &c);
				sink += c.flags;
			}
			ns = (now_ns() - t0) / CALLS;
			if (!round || ns < h[k].whole_ns)
				h[k].whole_ns = ns;

			t0 = now_ns();
			for (i = 0; i < CALLS; i++) {
				parse_segmented(&h[k], &c);
				sink += c.flags;
			}
			ns = (now_ns() - t0) / CALLS;
			if (!round || ns < h[k].seg_ns)
				h[k].seg_ns = ns;
		}
	}
}

/* A ClientHello filling one 2^14-byte record: SNI, then padding (21). */
static u32 big_hello(u8 *b)
{
	static const char sni[] = "big.example";
	u32 n = 0, body = 16384 - 4, pad, exts;

	b[n++] = 22, b[n++] = 3, b[n++] = 1, b[n++] = 0x40, b[n++] = 0;
	b[n++] = 1, b[n++] = 0, b[n++] = (u8)(body >> 8), b[n++] = (u8)body;
	b[n++] = 3, b[n++] = 3;
	memset(b + n, 0x11, 32), n += 32;
	b[n++] = 0;				/* session id */
	b[n++] = 0, b[n++] = 2, b[n++] = 0x13, b[n++] = 0x01;
	b[n++] = 1, b[n++] = 0;			/* null compression */
	pad = 16389 - (n + 2) - (4 + 5 + sizeof(sni) - 1) - 4;
	exts = 16389 - n - 2;
	b[n++] = (u8)(exts >> 8), b[n++] = (u8)exts;
	b[n++] = 0, b[n++] = 0;			/* server_name */
	b[n++] = 0, b[n++] = (u8)(5 + sizeof(sni) - 1);
	b[n++] = 0, b[n++] = (u8)(3 + sizeof(sni) - 1);
	b[n++] = 0, b[n++] = 0, b[n++] = (u8)(sizeof(sni) - 1);
	memcpy(b + n, sni, sizeof(sni) - 1), n += sizeof(sni) - 1;
	b[n++] = 0, b[n++] = 21;		/* padding */
	b[n++] = (u8)(pad >> 8), b[n++] = (u8)pad;
	memset(b + n, 0, pad), n += pad;
	return n;
}

/* Feed @h one byte at a time; parse at every byte or only when walked. */
static double byte_by_byte(const u8 *h, u32 n, bool walk, u32 *parses)
{
	struct sslv_tls_walk w = { 0 };
	struct sslv_tls_client c;
	enum sslv_tls_res r = SSLV_TLS_MORE;
	double t0 = now_ns();
	u32 len;

	*parses = 0;
	for (len = 1; len <= n && r == SSLV_TLS_MORE; len++) {
		if (walk && !sslv_tls_walk(&w, h, len))
			continue;
		(*parses)++;
		r = sslv_tls_parse_client(h, len, &c);
	}
	if (r != SSLV_TLS_DONE || len != n + 1)
		return -1;
	return now_ns() - t0;
}

static int big(void)
{
	static u8 h[16389];
	u32 n = big_hello(h), every, walked;
	double t_every = 0, t_walk = 0, t;
	int round;

	for (round = 0; round < 3; round++) {
		t = byte_by_byte(h, n, false, &every);
		if (t < 0)
			return 1;
		t_every = !round || t < t_every ? t : t_every;
		t = byte_by_byte(h, n, true, &walked);
		if (t < 0)
			return 1;
		t_walk = !round || t < t_walk ? t : t_walk;
	}
	printf("\n%u-byte hello, 1 byte per segment:\n", n);
	printf("%-26s %8s %12s\n", "", "parses", "us total");
	printf("%-26s %8u %12.1f\n", "parse at every segment", every,
	       t_every / 1e3);
	printf("%-26s %8u %12.1f\n", "parse when walked", walked,
	       t_walk / 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	struct hello h[NHELLOS];
	struct sslv_tls_client c;
	u32 i;

	if (argc != 2) {
		fprintf(stderr, "usage: tls_bench DATADIR\n");
		return 2;
	}
	for (i = 0; i < NHELLOS; i++) {
		load(argv[1], hellos[i], &h[i]);
		if (sslv_tls_parse_client(h[i].p, h[i].n, &c) != SSLV_TLS_DONE) {
			fprintf(stderr, "tls_bench: %s does not parse\n", hellos[i]);
			return 1;
		}
	}
	measure(h, NHELLOS);
	printf("%-26s %6s %9s %12s %7s\n", "hello", "bytes", "ns/parse",
	       "ns/segments", "ratio");
	for (i = 0; i < NHELLOS; i++) {
		printf("%-26s %6u %9.1f %12.1f %7.2f\n", hellos[i], h[i].n,
		       h[i].whole_ns, h[i].seg_ns, h[i].whole_ns / h[0].whole_ns);
		free(h[i].p);
	}
	if (big()) {
		fprintf(stderr, "tls_bench: the 16 KiB hello does not parse\n");
		return 1;
	}
	return 0;
}
