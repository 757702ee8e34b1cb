// SPDX-License-Identifier: GPL-2.0
/*
 * A short fuzz of sslvd's ClientHello handling, in `make unit`: the
 * selftests/fuzz/sslvd_hello.c target (its properties abort) run over
 * every recorded handshake of selftests/unit/data, then over
 * SSLVD_HELLO_RUNS (default 4000) mutations of them from a fixed random
 * sequence: bytes flipped or set to 0x00/0xff, a 16-bit length field
 * nudged, the input cut, a stretch repeated. The long, coverage-guided run
 * is `make -C selftests/fuzz run-sslvd`.
 */
#include <dirent.h>
#include <string.h>

#include "unit.h"
#include "sample.h"

#include "../fuzz/sslvd_hello.c"

#define SEEDS_MAX 64

static u8 *seed[SEEDS_MAX];
static u32 seed_len[SEEDS_MAX];
static int n_seeds;

static void load_seeds(void)
{
	DIR *d = opendir(UNIT_DATA);
	struct dirent *e;
	char path[512];
	size_t l;

	if (!d) {
		perror(UNIT_DATA);
		exit(2);
	}
	while ((e = readdir(d)) && n_seeds < SEEDS_MAX) {
		l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".hex"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", UNIT_DATA, e->d_name);
		seed[n_seeds] = sample_load(path, &seed_len[n_seeds]);
		n_seeds++;
	}
	closedir(d);
}

/* One mutation of @p (@n bytes, room for SAMPLE_MAX); the new length. */
static u32 mutate(u8 *p, u32 n)
{
	u32 at, len, v;

	if (!n)
		return 0;
	at = unit_rnd(n);
	switch (unit_rnd(6)) {
	case 0:
		p[at] ^= (u8)(1u << unit_rnd(8));
		break;
	case 1:
		p[at] = unit_rnd(2) ? 0xff : 0x00;
		break;
	case 2:
		p[at] = (u8)unit_rand();
		break;
	case 3:		/* a big-endian 16-bit length, nudged */
		if (at + 1 < n) {
			v = ((u32)p[at] << 8 | p[at + 1]) + unit_rnd(5) - 2;
			p[at] = (u8)(v >> 8);
			p[at + 1] = (u8)v;
		}
		break;
	case 4:
		return at;
	case 5:		/* a stretch repeated in place of what follows it */
		len = 1 + unit_rnd(32);
		if (at + 2 * len <= n)
			memcpy(p + at + len, p + at, len);
		break;
	}
	return n;
}

int main(void)
{
	const char *env = getenv("SSLVD_HELLO_RUNS");
	long runs = env ? atol(env) : 4000, i;
	static u8 buf[SAMPLE_MAX];
	u32 n, k;
	int s;

	load_seeds();
	CHECK(n_seeds >= 8);
	for (s = 0; s < n_seeds; s++)
		sslvd_hello_one(seed[s], seed_len[s]);
	for (i = 0; i < runs; i++) {
		s = (int)unit_rnd((u32)n_seeds);
		n = seed_len[s];
		memcpy(buf, seed[s], n);
		for (k = 1 + unit_rnd(4); k; k--)
			n = mutate(buf, n);
		sslvd_hello_one(buf, n);
	}
	/* every run returned: no property failed, nothing crashed */
	CHECK(i == runs);
	printf("%d recorded handshakes, %ld mutations: %lu whole hellos, %lu upstream SSLs, "
	       "%lu upstream hellos checked\n", n_seeds, runs, hello_done, hello_up, hello_sent);
	CHECK(hello_sent > 0);
	for (s = 0; s < n_seeds; s++)
		free(seed[s]);
	SSL_CTX_free(hello_ctx);
	return unit_done();
}
