/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The policy rule matcher, shared by the module (which compiles every
 * ruleset it swaps in) and userspace (unit tests, tools/bench). Pure C, see
 * types.h.
 *
 * A ruleset is an ordered array of struct sslv_rule_spec. A rule matches a
 * flow key when every field it constrains matches; the first matching rule
 * (lowest index) wins. sslv_match_build() compiles the array into one flat,
 * position-independent block that sslv_match_lookup() only reads: the
 * kernel swaps whole compiled rulesets under RCU and looks up without a
 * lock. The block holds no counters; hits are kept by the caller, per index.
 *
 * Lookups do not scan the rules: see struct sslv_match in match.c for the
 * layout and its costs.
 *
 * Building, in caller memory (no allocation inside):
 *
 *	size = sslv_match_size(n);		   workspace, an upper bound
 *	err = sslv_match_build(ws, size, rules, n); linear in n
 *	used = sslv_match_bytes(ws);		   the compiled block's size
 *
 * The compiled block is the first sslv_match_bytes() bytes of the workspace
 * and may be copied (memcpy) to a buffer of exactly that size to give the
 * rest back. Either must be 8-byte aligned, and 64-byte alignment (what
 * kvmalloc gives) keeps each compiled rule in one cache line.
 */
#ifndef SSLV_LIB_MATCH_H
#define SSLV_LIB_MATCH_H

#include "types.h"

/* Address families as Linux numbers them (AF_INET, AF_INET6). */
#define SSLV_AF_INET		2
#define SSLV_AF_INET6		10

#define SSLV_MATCH_NONE		0xffffffffU	/* lookup: no rule matched */
#define SSLV_MATCH_MAX_RULES	(1U << 22)

/*
 * What a lookup is asked about: one flow, seen from its client. Addresses
 * are in network order; an IPv4 address is in the first 4 bytes and the
 * other 12 are ignored. Ports are in host order. vlan 0 means untagged.
 */
struct sslv_match_key {
	u8 family;		/* SSLV_AF_INET or SSLV_AF_INET6 */
	u8 pad;
	u16 vlan;
	u32 iif;		/* ingress bridge port's ifindex */
	u8 src[16];
	u8 dst[16];
	u16 sport;
	u16 dport;
};

/*
 * One rule, as enum sslv_rule_attr describes it. family 0 matches both
 * families and then carries no prefix (src_len = dst_len = 0). Prefix bits
 * past the length are ignored. An unconstrained port is the range 0..65535.
 * vlan and iif are compared only when has_vlan / has_iif are set.
 */
struct sslv_rule_spec {
	u8 family;		/* 0 (any), SSLV_AF_INET or SSLV_AF_INET6 */
	u8 src_len;		/* 0..32 or 0..128; 0 means any */
	u8 dst_len;
	u8 has_vlan;
	u8 has_iif;
	u8 src[16];
	u8 dst[16];
	u16 sport_min;
	u16 sport_max;
	u16 dport_min;
	u16 dport_max;
	u16 vlan;		/* 0..4094, 0 meaning untagged */
	u32 iif;
};

/* Negative return values; sslv_match_strerror() names them. */
enum sslv_match_err {
	SSLV_MATCH_OK,
	SSLV_MATCH_EFAMILY,	/* family is not 0, AF_INET or AF_INET6 */
	SSLV_MATCH_EANYPREFIX,	/* a prefix on a rule without a family */
	SSLV_MATCH_ESRCLEN,	/* source prefix longer than the address */
	SSLV_MATCH_EDSTLEN,
	SSLV_MATCH_ESPORT,	/* source port range reversed */
	SSLV_MATCH_EDPORT,
	SSLV_MATCH_EVLAN,	/* vlan above 4094 */
	SSLV_MATCH_EIIF,	/* ifindex 0 */
	SSLV_MATCH_ETOOMANY,	/* more than SSLV_MATCH_MAX_RULES */
	SSLV_MATCH_ENOSPC,	/* workspace smaller than sslv_match_size() */
	__SSLV_MATCH_EMAX
};

/* 0 when @r is a valid rule, else -SSLV_MATCH_E*. */
int sslv_rule_spec_check(const struct sslv_rule_spec *r);

/* A short, stable reason for a return value of this file's functions. */
const char *sslv_match_strerror(int err);

/* Workspace bytes sslv_match_build() needs for @n rules; 0 if too many. */
size_t sslv_match_size(u32 n);

/*
 * Compile @rules into @mem (8-byte aligned, @size bytes). Returns 0, or
 * -SSLV_MATCH_E* (the first invalid rule's error, ETOOMANY, ENOSPC); on an
 * error @mem holds nothing usable.
 */
int sslv_match_build(void *mem, size_t size, const struct sslv_rule_spec *rules,
		     u32 n);

/* Bytes of the compiled block at @m. */
size_t sslv_match_bytes(const void *m);

/* Index of the first rule matching @k, or SSLV_MATCH_NONE. */
u32 sslv_match_lookup(const void *m, const struct sslv_match_key *k);

/*
 * Whether the one rule @r matches @k: what sslv_match_lookup() answers for
 * it, for a caller that walks a few rules itself.
 */
bool sslv_rule_spec_match(const struct sslv_rule_spec *r,
			  const struct sslv_match_key *k);

#endif /* SSLV_LIB_MATCH_H */
