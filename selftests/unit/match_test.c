// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/lib/match.c: hand-written cases, then a differential test against a
 * linear reference matcher on random overlapping rulesets (fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>

#include "match.h"
#include "unit.h"

/* ---- building rulesets and keys ---------------------------------------- */

static struct sslv_rule_spec any_rule(void)
{
	struct sslv_rule_spec r;

	memset(&r, 0, sizeof(r));
	r.sport_max = 65535;
	r.dport_max = 65535;
	return r;
}

static void put_addr(u8 family, u8 out[16], const char *text)
{
	unsigned int v[8] = { 0 };
	int i;

	memset(out, 0, 16);
	if (family == SSLV_AF_INET) {
		sscanf(text, "%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3]);
		for (i = 0; i < 4; i++)
			out[i] = (u8)v[i];
		return;
	}
	/* Tests spell IPv6 in full: eight groups of hex digits. */
	sscanf(text, "%x:%x:%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
	       &v[4], &v[5], &v[6], &v[7]);
	for (i = 0; i < 8; i++) {
		out[2 * i] = (u8)(v[i] >> 8);
		out[2 * i + 1] = (u8)v[i];
	}
}

static struct sslv_rule_spec dst_rule(u8 family, const char *dst, u8 len,
				      u16 dport_min, u16 dport_max)
{
	struct sslv_rule_spec r = any_rule();

	r.family = family;
	put_addr(family, r.dst, dst);
	r.dst_len = len;
	r.dport_min = dport_min;
	r.dport_max = dport_max;
	return r;
}

static struct sslv_match_key key(u8 family, const char *src, u16 sport,
				 const char *dst, u16 dport)
{
	struct sslv_match_key k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	put_addr(family, k.src, src);
	put_addr(family, k.dst, dst);
	k.sport = sport;
	k.dport = dport;
	return k;
}

/* A compiled ruleset in malloc'd memory; abort()s on a build error. */
static void *build(const struct sslv_rule_spec *rules, u32 n)
{
	size_t size = sslv_match_size(n);
	void *m = malloc(size);
	int err;

	if (!m)
		abort();
	err = sslv_match_build(m, size, rules, n);
	if (err) {
		fprintf(stderr, "build: %s\n", sslv_match_strerror(err));
		abort();
	}
	return m;
}

#define V4 SSLV_AF_INET
#define V6 SSLV_AF_INET6
#define NONE SSLV_MATCH_NONE

/* ---- hand-written cases -------------------------------------------------- */

static void test_empty(void)
{
	struct sslv_match_key k = key(V4, "1.2.3.4", 1, "5.6.7.8", 443);
	void *m = build(NULL, 0);

	CHECK(sslv_match_lookup(m, &k) == NONE);
	free(m);
}

static void test_first_match_across_groups(void)
{
	struct sslv_rule_spec r[4];
	struct sslv_match_key k;
	void *m;

	r[0] = dst_rule(V4, "10.1.2.3", 32, 80, 80);
	r[1] = dst_rule(V4, "10.0.0.0", 8, 0, 65535);
	r[2] = any_rule();
	r[2].dport_min = r[2].dport_max = 443;
	r[3] = dst_rule(V6, "2001:db8:0:0:0:0:0:0", 32, 80, 80);
	m = build(r, 4);
	k = key(V4, "192.0.2.1", 5000, "10.1.2.3", 80);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k = key(V4, "192.0.2.1", 5000, "10.1.2.3", 443);
	CHECK(sslv_match_lookup(m, &k) == 1);
	k = key(V4, "192.0.2.1", 5000, "11.0.0.1", 443);
	CHECK(sslv_match_lookup(m, &k) == 2);
	k = key(V4, "192.0.2.1", 5000, "11.0.0.1", 80);
	CHECK(sslv_match_lookup(m, &k) == NONE);
	k = key(V6, "2001:db8:0:0:0:0:0:1", 5000, "2001:db8:1:0:0:0:0:1", 443);
	CHECK(sslv_match_lookup(m, &k) == 2);
	k = key(V6, "2001:db8:0:0:0:0:0:1", 5000, "2001:db8:1:0:0:0:0:1", 80);
	CHECK(sslv_match_lookup(m, &k) == 3);
	free(m);

	/* The broad rule first: it shadows the specific one. */
	r[0] = dst_rule(V4, "10.0.0.0", 8, 0, 65535);
	r[1] = dst_rule(V4, "10.1.2.3", 32, 80, 80);
	m = build(r, 2);
	k = key(V4, "192.0.2.1", 5000, "10.1.2.3", 80);
	CHECK(sslv_match_lookup(m, &k) == 0);
	free(m);
}

static void test_families(void)
{
	struct sslv_rule_spec r[2];
	struct sslv_match_key k;
	void *m;

	r[0] = dst_rule(V4, "0.0.0.0", 0, 0, 65535);
	r[1] = dst_rule(V6, "0:0:0:0:0:0:0:0", 0, 0, 65535);
	m = build(r, 2);
	k = key(V4, "1.1.1.1", 1, "2.2.2.2", 2);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k = key(V6, "0:0:0:0:0:0:0:1", 1, "0:0:0:0:0:0:0:2", 2);
	CHECK(sslv_match_lookup(m, &k) == 1);
	k.family = 0;
	CHECK(sslv_match_lookup(m, &k) == NONE);
	free(m);

	/* A family-less rule matches both, and keys of neither family. */
	r[0] = any_rule();
	m = build(r, 1);
	k = key(V6, "0:0:0:0:0:0:0:1", 1, "0:0:0:0:0:0:0:2", 2);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k = key(V4, "1.1.1.1", 1, "2.2.2.2", 2);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k.family = 0;
	CHECK(sslv_match_lookup(m, &k) == 0);
	free(m);
}

static void test_prefixes(void)
{
	struct sslv_rule_spec r[4];
	struct sslv_match_key k;
	void *m;

	r[0] = dst_rule(V4, "192.0.2.7", 32, 0, 65535);
	r[1] = dst_rule(V4, "192.0.2.6", 31, 0, 65535);
	r[2] = dst_rule(V6, "2001:db8:0:0:8000:0:0:0", 65, 0, 65535);
	r[3] = dst_rule(V6, "2001:db8:0:0:0:0:0:1", 128, 0, 65535);
	r[3].src_len = 127;
	put_addr(V6, r[3].src, "fe80:0:0:0:0:0:0:0");
	m = build(r, 4);

	k = key(V4, "1.1.1.1", 1, "192.0.2.7", 1);
	CHECK(sslv_match_lookup(m, &k) == 0);
	/* Bytes past an IPv4 address are ignored, in keys and in rules. */
	memset(k.dst + 4, 0xa5, 12);
	memset(k.src + 4, 0x5a, 12);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k = key(V4, "1.1.1.1", 1, "192.0.2.6", 1);
	CHECK(sslv_match_lookup(m, &k) == 1);
	k = key(V4, "1.1.1.1", 1, "192.0.2.5", 1);
	CHECK(sslv_match_lookup(m, &k) == NONE);

	k = key(V6, "1:0:0:0:0:0:0:1", 1, "2001:db8:0:0:ffff:0:0:0", 1);
	CHECK(sslv_match_lookup(m, &k) == 2);
	k = key(V6, "1:0:0:0:0:0:0:1", 1, "2001:db8:0:0:7fff:0:0:0", 1);
	CHECK(sslv_match_lookup(m, &k) == NONE);
	k = key(V6, "fe80:0:0:0:0:0:0:1", 1, "2001:db8:0:0:0:0:0:1", 1);
	CHECK(sslv_match_lookup(m, &k) == 3);
	k = key(V6, "fe80:0:0:0:0:0:0:2", 1, "2001:db8:0:0:0:0:0:1", 1);
	CHECK(sslv_match_lookup(m, &k) == NONE);
	free(m);

	/* Host bits past the prefix length do not matter. */
	r[0] = dst_rule(V4, "198.51.100.77", 24, 0, 65535);
	m = build(r, 1);
	k = key(V4, "1.1.1.1", 1, "198.51.100.1", 1);
	CHECK(sslv_match_lookup(m, &k) == 0);
	free(m);
}

static void test_port_bounds(void)
{
	struct sslv_rule_spec r[4];
	struct sslv_match_key k = key(V4, "1.1.1.1", 0, "2.2.2.2", 0);
	void *m;

	r[0] = dst_rule(V4, "2.2.2.2", 32, 0, 0);
	r[1] = dst_rule(V4, "2.2.2.2", 32, 65535, 65535);
	r[2] = dst_rule(V4, "2.2.2.2", 32, 1, 65534);
	r[2].sport_min = 65534;
	r[3] = dst_rule(V4, "2.2.2.2", 32, 0, 65535);
	r[3].sport_max = 0;
	m = build(r, 4);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k.dport = 65535;
	CHECK(sslv_match_lookup(m, &k) == 1);
	k.dport = 1;
	CHECK(sslv_match_lookup(m, &k) == 3);
	k.sport = 65535;
	CHECK(sslv_match_lookup(m, &k) == 2);
	k.dport = 65534;
	CHECK(sslv_match_lookup(m, &k) == 2);
	k.sport = 65533;
	CHECK(sslv_match_lookup(m, &k) == NONE);
	free(m);
}

static void test_shared_key(void)
{
	struct sslv_rule_spec r[3];
	struct sslv_match_key k = key(V4, "1.1.1.1", 1, "10.0.0.9", 150);
	void *m;

	r[0] = dst_rule(V4, "10.0.0.0", 24, 100, 199);
	r[1] = dst_rule(V4, "10.0.0.0", 24, 150, 299);
	r[2] = dst_rule(V4, "10.0.0.0", 24, 0, 65535);
	m = build(r, 3);
	CHECK(sslv_match_lookup(m, &k) == 0);
	k.dport = 250;
	CHECK(sslv_match_lookup(m, &k) == 1);
	k.dport = 400;
	CHECK(sslv_match_lookup(m, &k) == 2);
	free(m);
}

static void test_vlan_iif(void)
{
	struct sslv_rule_spec r[4];
	struct sslv_match_key k = key(V4, "1.1.1.1", 1, "2.2.2.2", 2);
	void *m;

	r[0] = any_rule();
	r[0].has_vlan = 1;
	r[0].vlan = 0;			/* untagged only */
	r[0].has_iif = 1;
	r[0].iif = 7;
	r[1] = any_rule();
	r[1].has_vlan = 1;
	r[1].vlan = 4094;
	r[2] = any_rule();
	r[2].has_iif = 1;
	r[2].iif = 7;
	r[3] = any_rule();
	r[3].vlan = 100;		/* ignored: has_vlan unset */
	m = build(r, 4);
	k.iif = 7;
	CHECK(sslv_match_lookup(m, &k) == 0);
	k.vlan = 4094;
	CHECK(sslv_match_lookup(m, &k) == 1);
	k.vlan = 5;
	CHECK(sslv_match_lookup(m, &k) == 2);
	k.iif = 8;
	CHECK(sslv_match_lookup(m, &k) == 3);
	free(m);
}

static void test_errors(void)
{
	struct sslv_rule_spec r = any_rule(), bad;
	size_t size = sslv_match_size(1);
	void *m = malloc(size);

	CHECK(sslv_rule_spec_check(&r) == 0);
	bad = r;
	bad.family = 7;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_EFAMILY);
	bad = r;
	bad.dst_len = 1;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_EANYPREFIX);
	bad = dst_rule(V4, "1.2.3.4", 33, 0, 65535);
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_EDSTLEN);
	bad = dst_rule(V6, "1:0:0:0:0:0:0:0", 128, 0, 65535);
	CHECK(sslv_rule_spec_check(&bad) == 0);
	bad.src_len = 129;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_ESRCLEN);
	bad = r;
	bad.sport_min = 2;
	bad.sport_max = 1;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_ESPORT);
	bad = r;
	bad.dport_min = 65535;
	bad.dport_max = 0;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_EDPORT);
	bad = r;
	bad.has_vlan = 1;
	bad.vlan = 4095;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_EVLAN);
	bad = r;
	bad.has_iif = 1;
	CHECK(sslv_rule_spec_check(&bad) == -SSLV_MATCH_EIIF);

	CHECK(!strcmp(sslv_match_strerror(-SSLV_MATCH_EDPORT),
		      "destination port range reversed"));
	CHECK(!strcmp(sslv_match_strerror(-SSLV_MATCH_ENOSPC),
		      "workspace too small"));
	CHECK(!strcmp(sslv_match_strerror(-1000), "unknown error"));

	CHECK(sslv_match_build(m, size, &bad, 1) == -SSLV_MATCH_EIIF);
	CHECK(sslv_match_build(m, size - 1, &r, 1) == -SSLV_MATCH_ENOSPC);
	CHECK(sslv_match_build(m, size, &r, SSLV_MATCH_MAX_RULES + 1) ==
	      -SSLV_MATCH_ETOOMANY);
	CHECK(sslv_match_build(m, size, &r, 1) == 0);
	free(m);
}

/* The compiled block is position independent and fits in its bytes. */
static void test_copy(void)
{
	struct sslv_rule_spec r[2];
	struct sslv_match_key k = key(V4, "1.1.1.1", 1, "10.9.8.7", 443);
	void *m, *copy;

	r[0] = dst_rule(V4, "10.9.8.7", 32, 443, 443);
	r[1] = dst_rule(V4, "10.0.0.0", 8, 0, 65535);
	m = build(r, 2);
	CHECK(sslv_match_bytes(m) <= sslv_match_size(2));
	copy = malloc(sslv_match_bytes(m));
	memcpy(copy, m, sslv_match_bytes(m));
	memset(m, 0xee, sslv_match_size(2));
	free(m);
	CHECK(sslv_match_lookup(copy, &k) == 0);
	k.dport = 80;
	CHECK(sslv_match_lookup(copy, &k) == 1);
	free(copy);
}

/*
 * Big groups: tables of many buckets, some overflowing into the next (and
 * from the last to the first), and chains of rules sharing a key.
 */
static void test_big_groups(void)
{
	enum { HOSTS = 12000, NETS = 3000 };
	u32 n = 2 * HOSTS + 3 * NETS, i, bad = 0;
	struct sslv_rule_spec *r = calloc(n, sizeof(*r));
	struct sslv_match_key k = key(V4, "1.1.1.1", 1, "0.0.0.0", 0);
	void *m;

	for (i = 0; i < HOSTS; i++) {
		r[2 * i] = dst_rule(V4, "10.0.0.0", 32, 80, 80);
		r[2 * i].dst[2] = (u8)(i >> 8);
		r[2 * i].dst[3] = (u8)i;
		r[2 * i + 1] = r[2 * i];
		r[2 * i + 1].dport_min = r[2 * i + 1].dport_max = 443;
	}
	for (i = 0; i < NETS; i++) {
		struct sslv_rule_spec *net = &r[2 * HOSTS + 3 * i];

		net[0] = dst_rule(V4, "172.0.0.0", 24, 1000, 1999);
		net[0].dst[1] = (u8)(i >> 8);
		net[0].dst[2] = (u8)i;
		net[1] = net[0];
		net[1].dport_min = 1500;
		net[1].dport_max = 2999;
		net[2] = net[0];
		net[2].dport_min = 0;
		net[2].dport_max = 65535;
	}
	m = build(r, n);
	for (i = 0; i < HOSTS; i++) {
		memcpy(k.dst, r[2 * i].dst, 4);
		k.dport = 80;
		bad += sslv_match_lookup(m, &k) != 2 * i;
		k.dport = 443;
		bad += sslv_match_lookup(m, &k) != 2 * i + 1;
		k.dport = 8080;
		bad += sslv_match_lookup(m, &k) != NONE;
	}
	for (i = 0; i < NETS; i++) {
		u32 first = 2 * HOSTS + 3 * i;

		memcpy(k.dst, r[first].dst, 4);
		k.dst[3] = (u8)i;
		k.dport = 1700;
		bad += sslv_match_lookup(m, &k) != first;
		k.dport = 2500;
		bad += sslv_match_lookup(m, &k) != first + 1;
		k.dport = 7;
		bad += sslv_match_lookup(m, &k) != first + 2;
	}
	CHECK(bad == 0);
	free(m);
	free(r);
}

/* ---- differential test ---------------------------------------------------- */

static bool prefix_eq(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static bool ref_rule_matches(const struct sslv_rule_spec *r,
			     const struct sslv_match_key *k)
{
	return (!r->family || r->family == k->family) &&
	       prefix_eq(r->src, k->src, r->src_len) &&
	       prefix_eq(r->dst, k->dst, r->dst_len) &&
	       k->sport >= r->sport_min && k->sport <= r->sport_max &&
	       k->dport >= r->dport_min && k->dport <= r->dport_max &&
	       (!r->has_vlan || r->vlan == k->vlan) &&
	       (!r->has_iif || r->iif == k->iif);
}

static u32 ref_lookup(const struct sslv_rule_spec *rules, u32 n,
		      const struct sslv_match_key *k)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (ref_rule_matches(&rules[i], k))
			return i;
	return NONE;
}

/* A few nearby addresses, so that prefixes overlap a lot. */
static void rnd_addr(u8 a[16])
{
	static const u8 bases[3][16] = {
		{ 10, 0, 0, 0 },
		{ 10, 0, 1, 128, 0xff },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0x80 },
	};
	int i;

	memcpy(a, bases[unit_rnd(3)], 16);
	for (i = 0; i < 3; i++)
		a[unit_rnd(16)] ^= (u8)(1 << unit_rnd(8));
	if (unit_rnd(4) == 0)
		a[3] = (u8)unit_rnd(4);
}

static u8 rnd_len(u8 family)
{
	static const u8 v4[] = { 0, 1, 7, 8, 9, 16, 23, 24, 25, 31, 32 };
	static const u8 v6[] = { 0, 1, 8, 31, 32, 33, 64, 65, 120, 127, 128 };

	if (unit_rnd(8) == 0)
		return (u8)unit_rnd(family == V4 ? 33 : 129);
	return family == V4 ? v4[unit_rnd(sizeof(v4))] : v6[unit_rnd(sizeof(v6))];
}

static u16 rnd_port(void)
{
	static const u16 ports[] = { 0, 1, 22, 79, 80, 81, 443, 1024, 65534, 65535 };

	return ports[unit_rnd(sizeof(ports) / sizeof(ports[0]))];
}

static void rnd_range(u16 *min, u16 *max)
{
	u16 a = rnd_port(), b = rnd_port();

	switch (unit_rnd(3)) {
	case 0:
		*min = 0;
		*max = 65535;
		break;
	case 1:
		*min = *max = a;
		break;
	default:
		*min = a < b ? a : b;
		*max = a < b ? b : a;
	}
}

static void rnd_rule(struct sslv_rule_spec *r)
{
	static const u8 families[] = { 0, V4, V4, V4, V6, V6 };

	*r = any_rule();
	r->family = families[unit_rnd(sizeof(families))];
	if (r->family) {
		rnd_addr(r->src);
		rnd_addr(r->dst);
		r->src_len = unit_rnd(3) ? 0 : rnd_len(r->family);
		r->dst_len = rnd_len(r->family);
	}
	if (unit_rnd(4) == 0)
		rnd_range(&r->sport_min, &r->sport_max);
	rnd_range(&r->dport_min, &r->dport_max);
	r->has_vlan = unit_rnd(5) == 0;
	r->vlan = (u16)unit_rnd(3);
	r->has_iif = unit_rnd(5) == 0;
	r->iif = 1 + unit_rnd(2);
}

static void rnd_key(struct sslv_match_key *k, const struct sslv_rule_spec *rules,
		    u32 n)
{
	static const u8 families[] = { 0, V4, V4, V4, V4, V6, V6, V6, V6 };

	memset(k, 0, sizeof(*k));
	k->family = families[unit_rnd(sizeof(families))];
	rnd_addr(k->src);
	rnd_addr(k->dst);
	if (n && unit_rnd(2)) {
		/* Inside a rule's prefixes, now and then one bit outside. */
		const struct sslv_rule_spec *r = &rules[unit_rnd(n)];

		if (r->family)
			k->family = r->family;
		memcpy(k->src, r->src, 16);
		memcpy(k->dst, r->dst, 16);
		k->dst[unit_rnd(16)] ^= (u8)(1 << unit_rnd(8));
	}
	k->sport = unit_rnd(2) ? rnd_port() : (u16)unit_rnd(65536);
	k->dport = unit_rnd(2) ? rnd_port() : (u16)unit_rnd(65536);
	k->vlan = (u16)unit_rnd(3);
	k->iif = 1 + unit_rnd(2);
}

/*
 * Every IPv4 shape at once, 60 rules each, each rule alone on its port:
 * a thousand small tables, some of which overflow their last bucket into
 * the first.
 */
static void test_every_shape(void)
{
	enum { PER_SHAPE = 60 };
	u32 n = 33 * 33 * PER_SHAPE, i, bad = 0;
	struct sslv_rule_spec *r = calloc(n, sizeof(*r));
	void *m;

	for (i = 0; i < n; i++) {
		u32 src = unit_rnd(0xffffffffU), dst = unit_rnd(0xffffffffU);

		r[i] = any_rule();
		r[i].family = V4;
		r[i].src_len = (u8)(i / PER_SHAPE / 33);
		r[i].dst_len = (u8)(i / PER_SHAPE % 33);
		memcpy(r[i].src, &src, 4);
		memcpy(r[i].dst, &dst, 4);
		r[i].dport_min = r[i].dport_max = (u16)i;
	}
	m = build(r, n);
	for (i = 0; i < n; i++) {
		struct sslv_match_key k;

		memset(&k, 0, sizeof(k));
		k.family = V4;
		memcpy(k.src, r[i].src, 4);
		memcpy(k.dst, r[i].dst, 4);
		k.dport = (u16)i;
		bad += sslv_match_lookup(m, &k) != i;
	}
	CHECK(bad == 0);
	free(m);
	free(r);
}

static void test_differential(void)
{
	enum { RULESETS = 3000, KEYS = 300, MAX_RULES = 200 };
	static struct sslv_rule_spec rules[MAX_RULES];
	u32 set, i, n, bad;

	for (set = 0; set < RULESETS; set++) {
		struct sslv_match_key k;
		void *m;

		n = set % 10 == 0 ? unit_rnd(MAX_RULES + 1) : unit_rnd(24);
		for (i = 0; i < n; i++)
			rnd_rule(&rules[i]);
		m = build(rules, n);
		for (bad = 0, i = 0; i < KEYS; i++) {
			u32 want, got;

			rnd_key(&k, rules, n);
			want = ref_lookup(rules, n, &k);
			got = sslv_match_lookup(m, &k);
			if (got != want && !bad++)
				fprintf(stderr, "ruleset %u (%u rules) key %u: got %u, want %u\n",
					set, n, i, got, want);
			/* The one-rule matcher the TLS walk uses agrees too. */
			if (n && sslv_rule_spec_match(&rules[i % n], &k) !=
			    ref_rule_matches(&rules[i % n], &k) && !bad++)
				fprintf(stderr, "ruleset %u rule %u key %u: one-rule match differs\n",
					set, i % n, i);
		}
		CHECK(bad == 0);
		free(m);
	}
}

int main(void)
{
	test_empty();
	test_first_match_across_groups();
	test_families();
	test_prefixes();
	test_port_bounds();
	test_shared_key();
	test_vlan_iif();
	test_errors();
	test_copy();
	test_big_groups();
	test_every_shape();
	test_differential();
	return unit_done();
}
