// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup cost of kmod/lib/match.c against ruleset size.
 *
 *	match_bench			the table: 10, 1k, 10k, 100k rules
 *	match_bench RULES LOOKUPS	only that many lookups on one ruleset,
 *					for valgrind --tool=callgrind
 *
 * A ruleset of n rules is "realistic": a few broad rules (any family to
 * port 25, ssh from 10/8, an IPv6 /32 on 443, 192.168/16, a source /12 on
 * a vlan, last), the rest distinct IPv4 destinations, two thirds /32 with
 * one port, one third /24 with a range of 100 ports. The keys: one in ten
 * aims at a random rule's destination and port, the others are random
 * addresses and ports that no rule covers.
 *
 * After the table, a second one: what a read that misses the caches costs
 * on this host now, at working sets of 4, 16 and 64 MiB. A hit on a rule
 * of the 100k set reads an entry that may have left the caches since its
 * ruleset's last round; how much that costs depends on the host's
 * last-level cache, which it shares with its other tenants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "match.h"

#define KEYS		(1U << 16)
#define HIT_EVERY	10

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rnd32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state >> 32);
}

static void put_v4(u8 a[16], u32 addr)
{
	memset(a, 0, 16);
	a[0] = (u8)(addr >> 24);
	a[1] = (u8)(addr >> 16);
	a[2] = (u8)(addr >> 8);
	a[3] = (u8)addr;
}

static struct sslv_rule_spec any_rule(u8 family)
{
	struct sslv_rule_spec r;

	memset(&r, 0, sizeof(r));
	r.family = family;
	r.sport_max = 65535;
	r.dport_max = 65535;
	return r;
}

/* Rule i of the specific part: a distinct destination, from 20.0.0.0 up. */
static struct sslv_rule_spec specific_rule(u32 i)
{
	struct sslv_rule_spec r = any_rule(SSLV_AF_INET);
	static const u16 ports[] = { 443, 8443, 993, 465 };

	if (i % 3) {
		put_v4(r.dst, (20U << 24) + i * 7919);
		r.dst_len = 32;
		r.dport_min = r.dport_max = ports[i % 4];
	} else {
		put_v4(r.dst, (100U << 24) + (i << 8));
		r.dst_len = 24;
		r.dport_min = (u16)(1024 + i % 50000);
		r.dport_max = r.dport_min + 99;
	}
	return r;
}

static void make_rules(struct sslv_rule_spec *r, u32 n)
{
	u32 i;

	r[0] = any_rule(0);
	r[0].dport_min = r[0].dport_max = 25;
	r[1] = any_rule(SSLV_AF_INET);
	put_v4(r[1].src, 10U << 24);
	r[1].src_len = 8;
	r[1].dport_min = r[1].dport_max = 22;
	r[2] = any_rule(SSLV_AF_INET6);
	r[2].dst[0] = 0x20;
	r[2].dst[1] = 0x01;
	r[2].dst[2] = 0x0d;
	r[2].dst[3] = 0xb8;
	r[2].dst_len = 32;
	r[2].dport_min = r[2].dport_max = 443;
	r[3] = any_rule(SSLV_AF_INET);
	put_v4(r[3].dst, 0xc0a80000);
	r[3].dst_len = 16;
	for (i = 4; i < n - 1; i++)
		r[i] = specific_rule(i);
	r[n - 1] = any_rule(SSLV_AF_INET);
	put_v4(r[n - 1].src, 0xac100000);
	r[n - 1].src_len = 12;
	r[n - 1].has_vlan = 1;
	r[n - 1].vlan = 10;
}

static void make_keys(struct sslv_match_key *keys, const struct sslv_rule_spec *r,
		      u32 n)
{
	u32 i;

	for (i = 0; i < KEYS; i++) {
		struct sslv_match_key *k = &keys[i];

		memset(k, 0, sizeof(*k));
		k->family = SSLV_AF_INET;
		put_v4(k->src, (30U << 24) | (rnd32() & 0xffffff));
		k->sport = (u16)(32768 + rnd32() % 28000);
		if (i % HIT_EVERY == 0) {
			const struct sslv_rule_spec *t = &r[4 + rnd32() % (n - 5)];

			memcpy(k->dst, t->dst, 16);
			k->dst[3] |= (u8)(rnd32() & ~(0xffU << (32 - t->dst_len)));
			k->dport = t->dport_min + (u16)(rnd32() % (t->dport_max - t->dport_min + 1));
		} else {
			put_v4(k->dst, (200U << 24) | (rnd32() & 0xffffff));
			k->dport = (u16)(1024 + rnd32() % 64000);
		}
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct ruleset {
	u32 n;
	void *m;
	struct sslv_match_key *keys;
	size_t workspace;
	double build_ms;
	double ns;		/* the best round's, per lookup */
	u32 hits;		/* of KEYS lookups */
};

static u32 run_lookups(const void *m, const struct sslv_match_key *keys, u32 count)
{
	u32 i, hits = 0;

	for (i = 0; i < count; i++)
		hits += sslv_match_lookup(m, &keys[i % KEYS]) != SSLV_MATCH_NONE;
	return hits;
}

static void setup(struct ruleset *rs, u32 n)
{
	struct sslv_rule_spec *rules = calloc(n, sizeof(*rules));
	double t0;
	int err;

	rs->n = n;
	rs->workspace = sslv_match_size(n);
	rs->m = aligned_alloc(64, (rs->workspace + 63) & ~(size_t)63);
	rs->keys = calloc(KEYS, sizeof(*rs->keys));
	if (!rules || !rs->m || !rs->keys)
		exit(1);
	make_rules(rules, n);
	make_keys(rs->keys, rules, n);
	t0 = now_ns();
	err = sslv_match_build(rs->m, rs->workspace, rules, n);
	rs->build_ms = (now_ns() - t0) / 1e6;
	if (err) {
		fprintf(stderr, "build: %s\n", sslv_match_strerror(err));
		exit(1);
	}
	rs->hits = run_lookups(rs->m, rs->keys, KEYS);
	free(rules);
}

/* Rounds alternate between the rulesets, so that noise hits them alike. */
static void measure(struct ruleset *sets, u32 nsets)
{
	const u32 lookups = 4 * KEYS;
	u32 round, i;

	for (round = 0; round < 15; round++) {
		for (i = 0; i < nsets; i++) {
			double t0 = now_ns(), ns;

			run_lookups(sets[i].m, sets[i].keys, lookups);
			ns = (now_ns() - t0) / lookups;
			if (!round || ns < sets[i].ns)
				sets[i].ns = ns;
		}
	}
}

static volatile size_t chase_end;	/* so that the chase is not elided */

/*
 * ns per read of a pointer chase through every cache line of @bytes, in
 * a random order: each read waits for the one before it.
 */
static double chase_ns(size_t bytes)
{
	const u32 reads = 1U << 21;
	size_t n = bytes / 64, i, p = 0;
	size_t *a = aligned_alloc(64, bytes), *order = calloc(n, sizeof(*order));
	double t0, ns;

	if (!a || !order)
		exit(1);
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		size_t j = rnd32() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++)
		a[order[i] * 8] = order[(i + 1) % n] * 8;
	for (i = 0; i < reads / 4; i++)
		p = a[p];
	t0 = now_ns();
	for (i = 0; i < reads; i++)
		p = a[p];
	ns = (now_ns() - t0) / reads;
	chase_end = p;
	free(a);
	free(order);
	return ns;
}

int main(int argc, char **argv)
{
	static const u32 sizes[] = { 10, 1000, 10000, 100000 };
	struct ruleset sets[4];
	u32 i;

	if (argc == 3) {
		u32 n = (u32)strtoul(argv[1], NULL, 0);

		if (n < 6)
			return 1;
		setup(&sets[0], n);
		printf("%u hits\n", run_lookups(sets[0].m, sets[0].keys,
						(u32)strtoul(argv[2], NULL, 0)));
		return 0;
	}

	for (i = 0; i < 4; i++)
		setup(&sets[i], sizes[i]);
	measure(sets, 4);
	printf("%8s %12s %12s %9s %8s %10s %7s\n", "rules", "bytes", "workspace",
	       "build ms", "hits %", "ns/lookup", "ratio");
	for (i = 0; i < 4; i++) {
		printf("%8u %12zu %12zu %9.2f %8.1f %10.1f %7.2f\n", sets[i].n,
		       sslv_match_bytes(sets[i].m), sets[i].workspace,
		       sets[i].build_ms, 100.0 * sets[i].hits / KEYS, sets[i].ns,
		       sets[i].ns / sets[0].ns);
		free(sets[i].m);
		free(sets[i].keys);
	}
	printf("\n%8s %10s\n", "MiB", "ns/read");
	for (i = 4; i <= 64; i *= 4)
		printf("%8u %10.1f\n", i, chase_ns((size_t)i << 20));
	return 0;
}
