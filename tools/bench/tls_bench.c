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
	return 0;
}
