// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The policy rule matcher; see match.h. */
#include "match.h"

/*
 * Tuple space search.
 *
 * Rules are grouped by their shape: (family, source prefix length,
 * destination prefix length, whether the destination port is a single
 * port). Within a group every rule is an exact-match key once the group's
 * masks are applied: (masked source, masked destination, and the port when
 * the group is keyed by it), and each group has a hash table of its keys.
 * A slot of the table stands for one distinct key and points to the
 * lowest-indexed rule having that key; the rules sharing a key are chained
 * through their entries in ascending index order.
 *
 * The table is an array of buckets of SSLV_MATCH_SLOTS slots, at most half
 * of them in use. A bucket is 16-bit tags (from the key's hash, 0 for a
 * free slot) and the index of its first entry, half a cache line; the tags
 * are compared all at once (SWAR). A key lives in the first bucket from
 * its home bucket on that had room, so a search goes on to the next bucket
 * only past a full one. Slots are used in order and the entries of the
 * slots' first rules are stored in slot order, so that slot j of bucket b
 * is entry b.base + j: a hit reads one entry, and a chain's further entries
 * come after all those.
 *
 * A lookup walks the groups of the key's family, in order of their lowest
 * rule index: it masks the key, hashes it, probes the group's table and, on
 * a hit, walks the slot's chain checking what the key did not cover (port
 * ranges, vlan, ingress port); the first rule that passes is the best of
 * its group. It stops as soon as the next group's lowest index cannot beat
 * the best found so far.
 *
 * Costs. A lookup is one probe per group, whatever the number of rules: a
 * realistic ruleset (100k /32 and /24 destinations with a port or a port
 * range each, plus a few broad rules) has a handful of groups. A probe
 * that misses reads one bucket and takes every branch the same way; the
 * buckets take about 4.6 bytes per rule, so even 100k rules' stay in a
 * 512 KiB cache. A hit reads one more cache line, its entry: 32 bytes
 * holding the rule's whole key when it is IPv4 (or family-less), so a
 * large ruleset is read from half the memory a 64-byte entry would take;
 * an IPv6 entry points to its 32 bytes of addresses, kept apart so that
 * IPv4 entries stay small.
 * Chains usually hold one rule. Worst cases: rules of many distinct
 * shapes (up to 2 + 33 * 33 * 2 + 129 * 129 * 2 groups), and many rules
 * sharing one key with different port ranges (a longer chain). Building is
 * two passes over the rules plus two over the groups.
 *
 * Memory, one block, position independent (offsets from its start, which
 * must be 8-byte aligned and had better be 64-byte aligned):
 *
 *	struct sslv_match			header, 64 bytes
 *	struct sslv_match_entry[n_rules]	the rules, in slot order
 *	struct sslv_match_addrs[]		IPv6 entries' addresses
 *	struct sslv_match_bucket[]		every group's table, 64-aligned
 *	struct sslv_match_group[]		per family lists, see list_start
 *
 * Building also uses a scratch area past the largest possible block: the
 * groups being discovered, a hash table of their shapes, each rule's
 * group, the entries by rule index and the slots' rule indexes.
 */
struct sslv_match {
	u64 bytes;		/* of the whole block */
	u32 entries_off;	/* byte offsets from the block's start */
	u32 addrs_off;
	u32 buckets_off;
	u32 groups_off;
	/*
	 * The groups a key of list l may match are
	 * groups[list_start[l] .. list_start[l + 1]), l being 0 for neither
	 * family, 1 for IPv4 and 2 for IPv6. Family-less groups are in all
	 * three lists.
	 */
	u32 list_start[4];
};

#define SSLV_MATCH_HEADER	64
_Static_assert(sizeof(struct sslv_match) <= SSLV_MATCH_HEADER,
	       "the entries start at 64");

/* A compiled rule. vlan and iif are compared only when not ANY. */
struct sslv_match_entry {
	u32 rule;		/* its index in the ruleset */
	u32 next;		/* entry of the next rule with the same key, or NONE */
	/*
	 * The prefixes, masked by the group's masks: an IPv4 (or family-less)
	 * group's source and destination addresses, as the first 4 bytes of
	 * each key address; an IPv6 group's index in the addrs[] array.
	 */
	u32 addr[2];
	u16 sport_min;
	u16 sport_max;
	u16 dport_min;
	u16 dport_max;
	u32 iif;
	u16 vlan;
	u16 v6;			/* building only: the group is IPv6 */
};

_Static_assert(sizeof(struct sslv_match_entry) == 32, "half a cache line");

#define SSLV_MATCH_IIF_ANY	0		/* not a valid ifindex */
#define SSLV_MATCH_VLAN_ANY	0xffff		/* above 4094 */

/* An IPv6 entry's prefixes, masked. */
struct sslv_match_addrs {
	u64 src[2];
	u64 dst[2];
};

/* A build's view of a rule: its whole key, whatever its family. */
struct sslv_match_wide {
	struct sslv_match_addrs a;
	struct sslv_match_entry e;
};

#define SSLV_MATCH_SLOTS	14

struct sslv_match_bucket {
	u16 tag[SSLV_MATCH_SLOTS];	/* 0: free; filled from the start */
	u32 base;			/* entry of slot 0 */
};

_Static_assert(sizeof(struct sslv_match_bucket) == 32, "half a cache line");

#define SSLV_MATCH_KEYED	1	/* the key includes the destination port */
#define SSLV_MATCH_V6		2	/* entries keep their addresses in addrs[] */

struct sslv_match_group {
	u64 smask[2];
	u64 dmask[2];
	u32 min_rule;		/* lowest rule index in the group */
	u32 flags;		/* SSLV_MATCH_KEYED, SSLV_MATCH_V6 */
	u32 bucket;		/* its table: buckets[bucket .. + buckets - 1] */
	u32 buckets;
};

/* Build scratch: a group while the rules are scanned, by id. */
struct sslv_match_shape {
	u32 code;		/* sslv_match_shape_code() */
	u32 min_rule;
	u32 rules;
	u32 bucket;
};

/* Build scratch: the shapes seen so far, by code; id + 1, 0 when empty. */
struct sslv_match_shape_slot {
	u32 code;
	u32 gid1;
};

/* Distinct shapes: family-less, IPv4, IPv6, each keyed or not. */
#define SSLV_MATCH_SHAPES	(2 * (1 + 33 * 33 + 129 * 129))

/* Where the parts go; the block's own end where there are fewest groups. */
struct sslv_match_layout {
	size_t buckets_off;
	size_t shapes_off;	/* scratch, past the largest block */
	size_t shape_slots_off;
	size_t gids_off;
	size_t rules_off;	/* wide entries by rule index */
	size_t firsts_off;	/* a slot's first rule */
	size_t size;
	u32 shape_slots;
};

static const char *const sslv_match_errors[__SSLV_MATCH_EMAX] = {
	[SSLV_MATCH_OK]		= "ok",
	[SSLV_MATCH_EFAMILY]	= "unknown address family",
	[SSLV_MATCH_EANYPREFIX]	= "prefix without address family",
	[SSLV_MATCH_ESRCLEN]	= "source prefix longer than address",
	[SSLV_MATCH_EDSTLEN]	= "destination prefix longer than address",
	[SSLV_MATCH_ESPORT]	= "source port range reversed",
	[SSLV_MATCH_EDPORT]	= "destination port range reversed",
	[SSLV_MATCH_EVLAN]	= "vlan out of range",
	[SSLV_MATCH_EIIF]	= "ingress ifindex is zero",
	[SSLV_MATCH_ETOOMANY]	= "too many rules",
	[SSLV_MATCH_ENOSPC]	= "workspace too small",
};

const char *sslv_match_strerror(int err)
{
	u32 e = err < 0 ? -(u32)err : (u32)err;

	return e < __SSLV_MATCH_EMAX ? sslv_match_errors[e] : "unknown error";
}

/* 0 for a family-less rule or key, 1 for IPv4, 2 for IPv6. */
static u32 sslv_match_list(u8 family)
{
	if (family == SSLV_AF_INET)
		return 1;
	if (family == SSLV_AF_INET6)
		return 2;
	return 0;
}

int sslv_rule_spec_check(const struct sslv_rule_spec *r)
{
	u32 bits = r->family == SSLV_AF_INET ? 32 : 128;

	if (r->family && !sslv_match_list(r->family))
		return -SSLV_MATCH_EFAMILY;
	if (!r->family && (r->src_len || r->dst_len))
		return -SSLV_MATCH_EANYPREFIX;
	if (r->src_len > bits)
		return -SSLV_MATCH_ESRCLEN;
	if (r->dst_len > bits)
		return -SSLV_MATCH_EDSTLEN;
	if (r->sport_min > r->sport_max)
		return -SSLV_MATCH_ESPORT;
	if (r->dport_min > r->dport_max)
		return -SSLV_MATCH_EDPORT;
	if (r->has_vlan && r->vlan > 4094)
		return -SSLV_MATCH_EVLAN;
	if (r->has_iif && !r->iif)
		return -SSLV_MATCH_EIIF;
	return 0;
}

static size_t sslv_match_pow2(size_t atleast)
{
	size_t n = 1;

	while (n < atleast)
		n <<= 1;
	return n;
}

/* Buckets for a group of @rules rules: at most half of the slots used. */
static u32 sslv_match_buckets(u32 rules)
{
	return (rules * 2 + SSLV_MATCH_SLOTS - 1) / SSLV_MATCH_SLOTS;
}

static size_t sslv_match_align(size_t off, size_t to)
{
	return (off + to - 1) & ~(to - 1);
}

static void sslv_match_layout(struct sslv_match_layout *l, u32 n)
{
	size_t gmax = n < SSLV_MATCH_SHAPES ? n : SSLV_MATCH_SHAPES;
	size_t buckets = n * 2 / SSLV_MATCH_SLOTS + gmax;	/* the most */

	l->shape_slots = sslv_match_pow2(gmax * 2);
	l->buckets_off = sslv_match_align(SSLV_MATCH_HEADER +
					  n * (sizeof(struct sslv_match_entry) +
					       sizeof(struct sslv_match_addrs)), 64);
	/* Family-less groups, at most 2, appear in 3 lists. */
	l->shapes_off = l->buckets_off +
			buckets * sizeof(struct sslv_match_bucket) +
			8 + (gmax + 4) * sizeof(struct sslv_match_group);
	l->shape_slots_off = l->shapes_off + gmax * sizeof(struct sslv_match_shape);
	l->gids_off = l->shape_slots_off +
		      l->shape_slots * sizeof(struct sslv_match_shape_slot);
	l->rules_off = sslv_match_align(l->gids_off + n * sizeof(u32), 8);
	l->firsts_off = l->rules_off + n * sizeof(struct sslv_match_wide);
	l->size = l->firsts_off + buckets * SSLV_MATCH_SLOTS * sizeof(u32);
}

size_t sslv_match_size(u32 n)
{
	struct sslv_match_layout l;

	if (n > SSLV_MATCH_MAX_RULES)
		return 0;
	sslv_match_layout(&l, n);
	return l.size;
}

size_t sslv_match_bytes(const void *m)
{
	return ((const struct sslv_match *)m)->bytes;
}

static u32 sslv_match_shape_code(const struct sslv_rule_spec *r)
{
	u32 keyed = r->dport_min == r->dport_max;

	return ((sslv_match_list(r->family) * 129 + r->src_len) * 129 +
		r->dst_len) * 2 + keyed;
}

static void sslv_match_mask(u64 mask[2], u32 len)
{
	u8 b[16];

	memset(b, 0, sizeof(b));
	memset(b, 0xff, len / 8);
	if (len % 8)
		b[len / 8] = (u8)(0xff << (8 - len % 8));
	memcpy(mask, b, sizeof(b));
}

static void sslv_match_group_init(struct sslv_match_group *g,
				  const struct sslv_match_shape *s)
{
	u32 code = s->code;

	g->min_rule = s->min_rule;
	g->flags = code % 2 ? SSLV_MATCH_KEYED : 0;
	if (code / (2 * 129 * 129) == sslv_match_list(SSLV_AF_INET6))
		g->flags |= SSLV_MATCH_V6;
	g->bucket = s->bucket;
	g->buckets = sslv_match_buckets(s->rules);
	code /= 2;
	sslv_match_mask(g->dmask, code % 129);
	code /= 129;
	sslv_match_mask(g->smask, code % 129);
}

/*
 * A key's hash: the words are multiplied independently (a v4 address, in
 * the low half of a word, stays distinct), then mixed. Which bucket is its
 * home comes from the low half, the tag from the top 16 bits. A key of a
 * group that is not IPv6 has its second words zero (a prefix of at most
 * 32 bits, or none): sslv_match_hash4() leaves them out, to the same hash.
 */
static inline u64 sslv_match_mix(u64 h)
{
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

static inline u64 sslv_match_hash(u32 port, const u64 src[2], const u64 dst[2])
{
	return sslv_match_mix(src[0] * 0x9e3779b97f4a7c15ULL +
			      src[1] * 0xc2b2ae3d27d4eb4fULL +
			      dst[0] * 0x165667b19e3779f9ULL +
			      dst[1] * 0x27d4eb2f165667c5ULL + port);
}

static inline u64 sslv_match_hash4(u32 port, u64 src, u64 dst)
{
	return sslv_match_mix(src * 0x9e3779b97f4a7c15ULL +
			      dst * 0x165667b19e3779f9ULL + port);
}

static inline u32 sslv_match_home(u64 h, u32 buckets)
{
	return (u32)(((h & 0xffffffffULL) * buckets) >> 32);
}

static inline u16 sslv_match_tag(u64 h)
{
	u16 tag = (u16)(h >> 48);

	return tag ? tag : 1;
}

static bool sslv_match_same_addrs(const struct sslv_match_addrs *a,
				  const u64 src[2], const u64 dst[2])
{
	return a->src[0] == src[0] && a->src[1] == src[1] &&
	       a->dst[0] == dst[0] && a->dst[1] == dst[1];
}

/* The group id of shape @code, added (with @rule as its first) if new. */
static u32 sslv_match_shape_gid(struct sslv_match_shape_slot *tab, u32 mask,
				struct sslv_match_shape *shapes, u32 *ngroups,
				u32 code, u32 rule)
{
	u32 pos = (code * 0x9e3779b1U) & mask;

	while (tab[pos].gid1 && tab[pos].code != code)
		pos = (pos + 1) & mask;
	if (!tab[pos].gid1) {
		memset(&shapes[*ngroups], 0, sizeof(shapes[*ngroups]));
		shapes[*ngroups].code = code;
		shapes[*ngroups].min_rule = rule;
		tab[pos].code = code;
		tab[pos].gid1 = ++*ngroups;
	}
	shapes[tab[pos].gid1 - 1].rules++;
	return tab[pos].gid1 - 1;
}

static void sslv_match_compile(struct sslv_match_wide *w, u32 rule,
			       const struct sslv_rule_spec *r,
			       const struct sslv_match_group *g)
{
	struct sslv_match_entry *e = &w->e;
	u64 src[2], dst[2];

	memcpy(src, r->src, sizeof(src));
	memcpy(dst, r->dst, sizeof(dst));
	memset(w, 0, sizeof(*w));
	w->a.src[0] = src[0] & g->smask[0];
	w->a.src[1] = src[1] & g->smask[1];
	w->a.dst[0] = dst[0] & g->dmask[0];
	w->a.dst[1] = dst[1] & g->dmask[1];
	e->iif = r->has_iif ? r->iif : SSLV_MATCH_IIF_ANY;
	e->sport_min = r->sport_min;
	e->sport_max = r->sport_max;
	e->dport_min = r->dport_min;
	e->dport_max = r->dport_max;
	e->vlan = r->has_vlan ? r->vlan : SSLV_MATCH_VLAN_ANY;
	e->rule = rule;
	e->v6 = !!(g->flags & SSLV_MATCH_V6);
	if (!e->v6) {
		memcpy(&e->addr[0], w->a.src, sizeof(e->addr[0]));
		memcpy(&e->addr[1], w->a.dst, sizeof(e->addr[1]));
	}
}

#define SSLV_MATCH_AT(m, off)	((void *)((u8 *)(m) + (off)))

/* Build scratch: the tables being filled. */
struct sslv_match_builder {
	struct sslv_match_bucket *buckets;
	u32 (*firsts)[SSLV_MATCH_SLOTS];	/* a slot's first rule */
	struct sslv_match_wide *rules;		/* by rule index */
};

/* The slot of @e's key in @g's table (its first rule), new if need be. */
static u32 *sslv_match_slot(const struct sslv_match_builder *bld,
			    const struct sslv_match_group *g,
			    const struct sslv_match_wide *w)
{
	u32 keyed = g->flags & SSLV_MATCH_KEYED;
	u32 port = keyed ? w->e.dport_min : 0;
	u64 h = sslv_match_hash(port, w->a.src, w->a.dst);
	u16 tag = sslv_match_tag(h);
	u32 b = sslv_match_home(h, g->buckets), j;

	for (;; b = b + 1 < g->buckets ? b + 1 : 0) {
		u16 *tags = bld->buckets[g->bucket + b].tag;
		u32 *first = bld->firsts[g->bucket + b];

		for (j = 0; j < SSLV_MATCH_SLOTS; j++) {
			const struct sslv_match_wide *o;

			if (!tags[j]) {
				tags[j] = tag;
				first[j] = SSLV_MATCH_NONE;
				return &first[j];
			}
			if (tags[j] != tag)
				continue;
			o = &bld->rules[first[j]];
			if ((!keyed || o->e.dport_min == port) &&
			    sslv_match_same_addrs(&o->a, w->a.src, w->a.dst))
				return &first[j];
		}
	}
}

/* Entry @pos of the block: @w's, its addresses in addrs[] if IPv6. */
static void sslv_match_put(struct sslv_match *m, u32 pos,
			   const struct sslv_match_wide *w, u32 *naddrs)
{
	struct sslv_match_entry *e = SSLV_MATCH_AT(m, m->entries_off);
	struct sslv_match_addrs *a = SSLV_MATCH_AT(m, m->addrs_off);

	e[pos] = w->e;
	e[pos].v6 = 0;
	if (w->e.v6) {
		a[*naddrs] = w->a;
		e[pos].addr[0] = (*naddrs)++;
	}
}

/*
 * Copy the entries from rule order to slot order: first the slots' first
 * rules, bucket by bucket, then the rest of each chain.
 */
static void sslv_match_place(struct sslv_match *m,
			     const struct sslv_match_builder *bld, u32 buckets)
{
	struct sslv_match_entry *entries = SSLV_MATCH_AT(m, m->entries_off);
	struct sslv_match_bucket *bk = bld->buckets;
	u32 b, j, pos = 0, keys, more, naddrs = 0;

	for (b = 0; b < buckets; b++) {
		bk[b].base = pos;
		for (j = 0; j < SSLV_MATCH_SLOTS && bk[b].tag[j]; j++)
			sslv_match_put(m, pos++, &bld->rules[bld->firsts[b][j]],
				       &naddrs);
	}
	keys = pos;
	for (j = 0; j < keys; j++) {
		u32 prev = j;

		for (more = entries[j].next; more != SSLV_MATCH_NONE;
		     more = bld->rules[more].e.next) {
			sslv_match_put(m, pos, &bld->rules[more], &naddrs);
			entries[prev].next = pos;
			prev = pos++;
		}
		entries[prev].next = SSLV_MATCH_NONE;
	}
}

int sslv_match_build(void *mem, size_t size, const struct sslv_rule_spec *rules,
		     u32 n)
{
	struct sslv_match *m = mem;
	struct sslv_match_layout l;
	struct sslv_match_builder bld;
	struct sslv_match_group *groups, g;
	struct sslv_match_shape *shapes;
	struct sslv_match_shape_slot *shape_tab;
	u32 *gids;
	u32 i, list, ngroups = 0, buckets = 0, pos = 0, naddrs = 0;
	int err;

	if (n > SSLV_MATCH_MAX_RULES)
		return -SSLV_MATCH_ETOOMANY;
	for (i = 0; i < n; i++) {
		err = sslv_rule_spec_check(&rules[i]);
		if (err)
			return err;
	}
	sslv_match_layout(&l, n);
	if (size < l.size)
		return -SSLV_MATCH_ENOSPC;

	shapes = SSLV_MATCH_AT(mem, l.shapes_off);
	shape_tab = SSLV_MATCH_AT(mem, l.shape_slots_off);
	gids = SSLV_MATCH_AT(mem, l.gids_off);

	/* Discover the groups, numbered in order of their first rule. */
	memset(shape_tab, 0, l.shape_slots * sizeof(*shape_tab));
	for (i = 0; i < n; i++)
		gids[i] = sslv_match_shape_gid(shape_tab, l.shape_slots - 1,
					       shapes, &ngroups,
					       sslv_match_shape_code(&rules[i]),
					       i);
	for (i = 0; i < ngroups; i++) {
		shapes[i].bucket = buckets;
		buckets += sslv_match_buckets(shapes[i].rules);
		if (shapes[i].code / (2 * 129 * 129) ==
		    sslv_match_list(SSLV_AF_INET6))
			naddrs += shapes[i].rules;
	}

	memset(m, 0, SSLV_MATCH_HEADER);
	m->entries_off = SSLV_MATCH_HEADER;
	m->addrs_off = SSLV_MATCH_HEADER + n * sizeof(struct sslv_match_entry);
	m->buckets_off = sslv_match_align(m->addrs_off + naddrs *
					  sizeof(struct sslv_match_addrs), 64);
	m->groups_off = m->buckets_off + buckets * sizeof(struct sslv_match_bucket);
	groups = SSLV_MATCH_AT(mem, m->groups_off);

	/* The lists: a family's groups and the family-less ones, in order. */
	for (list = 0; list < 3; list++) {
		m->list_start[list] = pos;
		for (i = 0; i < ngroups; i++) {
			u32 fam = shapes[i].code / (2 * 129 * 129);

			if (fam == list || fam == 0)
				sslv_match_group_init(&groups[pos++], &shapes[i]);
		}
	}
	m->list_start[3] = pos;
	m->bytes = m->groups_off + (size_t)pos * sizeof(*groups);

	/* Chains are built backwards so that each ends up ascending. */
	bld.buckets = SSLV_MATCH_AT(mem, m->buckets_off);
	bld.firsts = SSLV_MATCH_AT(mem, l.firsts_off);
	bld.rules = SSLV_MATCH_AT(mem, l.rules_off);
	memset(bld.buckets, 0, buckets * sizeof(*bld.buckets));
	for (i = n; i-- > 0;) {
		struct sslv_match_wide *w = &bld.rules[i];
		u32 *first;

		sslv_match_group_init(&g, &shapes[gids[i]]);
		sslv_match_compile(w, i, &rules[i], &g);
		first = sslv_match_slot(&bld, &g, w);
		w->e.next = *first;
		*first = i;
	}
	sslv_match_place(m, &bld, buckets);
	return 0;
}

#define SSLV_MATCH_LANES	0x0001000100010001ULL
#define SSLV_MATCH_TOPS		(SSLV_MATCH_LANES << 15)
/* The top bits of the lanes of the last word that are tags, not the base. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SSLV_MATCH_TOPS_LAST	0x0000000080008000ULL
#else
#define SSLV_MATCH_TOPS_LAST	0x8000800000000000ULL
#endif

/* Lanes of @x that are zero have their top bit set, and maybe those above. */
#define SSLV_MATCH_ZEROS(x)	(((x) - SSLV_MATCH_LANES) & ~(x))

/*
 * Whether a tag of @bk may be @tag: four words of four 16-bit lanes, the
 * last two lanes of the last word being the base, not tags. A borrow only
 * runs upwards, from a lane that is a match, so a lane's answer is wrong
 * only above a true match, and the base's lanes are not looked at.
 */
static inline bool sslv_match_maybe(const struct sslv_match_bucket *bk, u16 tag)
{
	u64 t = tag * SSLV_MATCH_LANES, w[4];

	memcpy(w, bk, sizeof(w));
	return ((SSLV_MATCH_ZEROS(w[0] ^ t) | SSLV_MATCH_ZEROS(w[1] ^ t) |
		 SSLV_MATCH_ZEROS(w[2] ^ t)) & SSLV_MATCH_TOPS) |
	       (SSLV_MATCH_ZEROS(w[3] ^ t) & SSLV_MATCH_TOPS_LAST);
}

/* Whether entry @e has the key (@src, @dst, @port) of its group @g. */
static inline bool sslv_match_same_key(const struct sslv_match *m,
				       const struct sslv_match_entry *e,
				       u32 flags, u32 port, const u64 src[2],
				       const u64 dst[2])
{
	const struct sslv_match_addrs *a;
	u32 s4, d4;

	if ((flags & SSLV_MATCH_KEYED) && e->dport_min != port)
		return false;
	if (flags & SSLV_MATCH_V6) {
		a = SSLV_MATCH_AT(m, m->addrs_off);
		return sslv_match_same_addrs(&a[e->addr[0]], src, dst);
	}
	memcpy(&s4, src, sizeof(s4));
	memcpy(&d4, dst, sizeof(d4));
	return e->addr[0] == s4 && e->addr[1] == d4;
}

/* The entry of @g's key (@src, @dst, @port), or NONE. */
static u32 sslv_match_find(const struct sslv_match *m,
			   const struct sslv_match_group *g, u32 port,
			   const u64 src[2], const u64 dst[2])
{
	const struct sslv_match_bucket *buckets =
		SSLV_MATCH_AT(m, m->buckets_off + g->bucket * sizeof(*buckets));
	const struct sslv_match_entry *entries = SSLV_MATCH_AT(m, m->entries_off);
	u64 h = g->flags & SSLV_MATCH_V6 ? sslv_match_hash(port, src, dst) :
					    sslv_match_hash4(port, src[0], dst[0]);
	u16 tag = sslv_match_tag(h);
	u32 b = sslv_match_home(h, g->buckets), j;

	for (;; b = b + 1 < g->buckets ? b + 1 : 0) {
		const struct sslv_match_bucket *bk = &buckets[b];

		if (sslv_match_maybe(bk, tag)) {
			for (j = 0; j < SSLV_MATCH_SLOTS; j++)
				if (bk->tag[j] == tag &&
				    sslv_match_same_key(m, &entries[bk->base + j],
							g->flags, port, src,
							dst))
					return bk->base + j;
		}
		if (!bk->tag[SSLV_MATCH_SLOTS - 1])
			return SSLV_MATCH_NONE;
	}
}

/* The fields a group's key does not cover. */
static bool sslv_match_rest(const struct sslv_match_entry *e,
			    const struct sslv_match_key *k)
{
	return k->sport >= e->sport_min && k->sport <= e->sport_max &&
	       k->dport >= e->dport_min && k->dport <= e->dport_max &&
	       (e->vlan == SSLV_MATCH_VLAN_ANY || e->vlan == k->vlan) &&
	       (e->iif == SSLV_MATCH_IIF_ANY || e->iif == k->iif);
}

u32 sslv_match_lookup(const void *mem, const struct sslv_match_key *k)
{
	const struct sslv_match *m = mem;
	const struct sslv_match_entry *entries = SSLV_MATCH_AT(m, m->entries_off);
	const struct sslv_match_group *g = SSLV_MATCH_AT(m, m->groups_off);
	u32 list = sslv_match_list(k->family);
	u32 gi, end = m->list_start[list + 1];
	u32 best = SSLV_MATCH_NONE;
	u64 ksrc[2], kdst[2];

	memcpy(ksrc, k->src, sizeof(ksrc));
	memcpy(kdst, k->dst, sizeof(kdst));
	for (gi = m->list_start[list]; gi < end && g[gi].min_rule < best; gi++) {
		const struct sslv_match_group *grp = &g[gi];
		u64 src[2] = { ksrc[0] & grp->smask[0], ksrc[1] & grp->smask[1] };
		u64 dst[2] = { kdst[0] & grp->dmask[0], kdst[1] & grp->dmask[1] };
		u32 port = grp->flags & SSLV_MATCH_KEYED ? k->dport : 0;
		u32 e = sslv_match_find(m, grp, port, src, dst);

		for (; e != SSLV_MATCH_NONE && entries[e].rule < best;
		     e = entries[e].next) {
			if (sslv_match_rest(&entries[e], k)) {
				best = entries[e].rule;
				break;
			}
		}
	}
	return best;
}

static bool sslv_prefix_match(const u8 *pfx, const u8 *addr, u32 len)
{
	u32 bytes = len / 8, bits = len % 8;

	if (memcmp(pfx, addr, bytes))
		return false;
	return !bits || !((pfx[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

bool sslv_rule_spec_match(const struct sslv_rule_spec *r,
			  const struct sslv_match_key *k)
{
	return (!r->family || r->family == k->family) &&
	       sslv_prefix_match(r->src, k->src, r->src_len) &&
	       sslv_prefix_match(r->dst, k->dst, r->dst_len) &&
	       k->sport >= r->sport_min && k->sport <= r->sport_max &&
	       k->dport >= r->dport_min && k->dport <= r->dport_max &&
	       (!r->has_vlan || r->vlan == k->vlan) &&
	       (!r->has_iif || r->iif == k->iif);
}
