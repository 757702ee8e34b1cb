/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sslv internals shared by the module's files. Each file owns one concern:
 *
 *   main.c     module init/exit, per-netns life cycle, parameters
 *   stats.c    per-cpu counters, /proc/net/sslv_stats
 *   packet.h   parsing a frame into a flow key and a TCP segment (packet.c)
 *   flow.c     the flow table: RCU lookups, insertion, eviction, GC
 *   policy.c   rulesets, swapped whole under RCU; staging for commits
 *   domset.c   domain sets for sni-list rules, swapped whole under RCU
 *   stage.c    what each netlink socket stages for a commit
 *   handshake.c reading a flow's TLS handshake, deciding its TLS rules
 *   reset.c    building and sending RSTs
 *   engine.c   the packet path: one verdict per frame, inline or tap
 *   hook.c     bridge and tap hook registration, mode changes
 *   divert.c   action decrypt: sslvd's registration, diverting flows to it
 *   nl_ips.c   the attached IPS: its settings, sslvd's report of its state
 *   netlink.c  the "sslv" generic netlink family; nl_*.c its commands
 *              and events (netlink.h)
 */
#ifndef SSLV_H
#define SSLV_H

#include <linux/if_ether.h>
#include <linux/jhash.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rculist_nulls.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/sslv.h>

#include "lib/tcp.h"
#include "lib/match.h"
#include "lib/rst.h"
#include "lib/tls.h"
#include "lib/reasm.h"
#include "lib/domain.h"

/* ---- stats.c ---------------------------------------------------------- */

/*
 * Every counter, in /proc/net/sslv_stats order. Documentation/counters.md
 * says what each one counts; keep the two in step.
 */
#define SSLV_STATS(X)				\
	X(T_tcp_reject)				\
	X(T_ssl_policy_reject)			\
	X(T_ssl_ips_reject)			\
	X(packets)				\
	X(flows_total)				\
	X(flows_midstream)			\
	X(flows_expired)			\
	X(flows_evicted)			\
	X(flows_untracked)			\
	X(flows_reopened)			\
	X(flows_rejected)			\
	X(syn_rejected)				\
	X(rst_sent)				\
	X(rst_turnaround)			\
	X(rst_not_answered)			\
	X(drop_rule)				\
	X(tap_would_reject)			\
	X(tap_would_rst)			\
	X(malformed_l2)				\
	X(malformed_ip)				\
	X(malformed_tcp)			\
	X(vlan_unsupported)			\
	X(bad_csum)				\
	X(frag_tcp)				\
	X(rst_alloc_fail)			\
	X(rst_no_port)				\
	X(rst_egress_blocked)			\
	X(rst_ratelimited)			\
	X(rst_seen)				\
	X(rst_handshake_refused)		\
	X(rst_handshake_abort)			\
	X(rst_post_handshake_abort)		\
	X(rst_data)				\
	X(rst_teardown)				\
	X(rst_fin_rst)				\
	X(rst_after_teardown)			\
	X(rst_no_flow)				\
	X(rst_bare)				\
	X(rst_ttl_anomaly)			\
	X(rst_seq_exact)			\
	X(rst_seq_in_window)			\
	X(rst_seq_outside)			\
	X(rst_idle)				\
	X(rst_rexmit)				\
	X(rst_events_suppressed)		\
	X(events)				\
	X(events_lost)				\
	X(tls_client_hello)			\
	X(tls_server_hello)			\
	X(tls_nontls)				\
	X(tls_malformed)			\
	X(tls_client_cert)			\
	X(tls_ooo)				\
	X(tls_conflict)				\
	X(tls_limit_flow)			\
	X(tls_limit_global)			\
	X(tls_limit_netns)			\
	X(tls_hs_timeout)			\
	X(tls_alloc_fail)			\
	X(tls_incomplete)			\
	X(tls_rejected)				\
	X(tls_dropped)				\
	X(tls_sessions)				\
	X(decrypt_unavailable)			\
	X(decrypt_diverted)			\
	X(decrypt_out)				\
	X(decrypt_out_held)			\
	X(decrypt_tuple_busy)			\
	X(decrypt_sessions)			\
	X(decrypt_unverified)			\
	X(decrypt_cache_hits)			\
	X(decrypt_ktls_partial)			\
	X(decrypt_failed)			\
	X(decrypt_bytes_orig)			\
	X(decrypt_bytes_reply)			\
	X(ips_flows)				\
	X(ips_drop_flows)			\
	X(ips_reset_flows)			\
	X(ips_rsts_sent)			\
	X(ips_fail_open)			\
	X(ips_fail_closed)			\
	X(ips_down)				\
	X(ips_up)

enum sslv_stat {
#define SSLV_STAT_ENUM(name) SSLV_ST_##name,
	SSLV_STATS(SSLV_STAT_ENUM)
#undef SSLV_STAT_ENUM
	SSLV_ST_MAX
};

struct sslv_stats {
	u64 v[SSLV_ST_MAX];
};

struct sslv_net;

#define sslv_inc(sn, name) this_cpu_inc((sn)->stats->v[SSLV_ST_##name])
#define sslv_add(sn, name, n) this_cpu_add((sn)->stats->v[SSLV_ST_##name], n)

extern const char *const sslv_stat_names[SSLV_ST_MAX];
u64 sslv_stat_read(const struct sslv_net *sn, enum sslv_stat i);
void sslv_stats_reset(struct sslv_net *sn);
int sslv_stats_init(struct net *net, struct sslv_net *sn);
void sslv_stats_exit(struct net *net, struct sslv_net *sn);

/* ---- rate limits ------------------------------------------------------ */

/*
 * A token bucket of @rate tokens a second holding at most one second's
 * worth, kept as a virtual-scheduling (GCRA) clock: @tat is when the bucket
 * will be full again. Lock-free; a take that finds it empty changes
 * nothing, so what it refuses can be counted exactly.
 */
struct sslv_rate {
	atomic64_t tat;			/* ns, ktime_get_ns() clock */
	u32 rate;			/* tokens a second, >= 1 */
};

static inline bool sslv_rate_take(struct sslv_rate *b)
{
	u64 now = ktime_get_ns(), step, next;
	s64 old = atomic64_read(&b->tat);

	step = NSEC_PER_SEC / max(READ_ONCE(b->rate), 1U);
	do {
		next = max_t(u64, old, now) + step;
		if (next - now > NSEC_PER_SEC)
			return false;
	} while (!atomic64_try_cmpxchg(&b->tat, &old, next));
	return true;
}

/* ---- flow.c ----------------------------------------------------------- */

/*
 * A flow's key is direction-independent: the endpoint with the smaller
 * (address, port) is side A. IPv4 addresses sit in the first four bytes of
 * the in6_addr, the rest zero. The pad byte is always zero so keys compare
 * with memcmp.
 */
struct sslv_flow_key {
	struct in6_addr a, b;
	__be16 port_a, port_b;
	u16 vlan;		/* VLAN id, 0 if untagged */
	u8 family;		/* AF_INET or AF_INET6 */
	u8 pad;
} __aligned(8);			/* compared as five u64 */

/* sslv_flow.flags */
#define SSLV_FF_CLIENT_B	0x01	/* the client is side B of the key */
#define SSLV_FF_HASHED		0x02	/* in the table; cleared under lock */
#define SSLV_FF_TAP		0x04	/* created from the tap */
#define SSLV_FF_PENDING		0x08	/* a TLS rule may still decide */
#define SSLV_FF_DEFAULT		0x10	/* no rule decided: defaults apply */
#define SSLV_FF_HS_DONE		0x20	/* the handshake is read, or never will be */
#define SSLV_FF_HS		0x40	/* handshake state in sslv_net.hs[id] */
#define SSLV_FF_DIVERT		0x80	/* diverted to sslvd (divert.c) */

/*
 * One tracked TCP flow: 120 bytes on x86_64 without lock debugging (checked
 * at build time), 128 in the slab with the free pointer SLUB keeps outside
 * SLAB_TYPESAFE_BY_RCU objects. The state of a handshake being read lives
 * apart, in sslv_net.hs under the flow's id, for the few flows that have
 * one. The cache is SLAB_TYPESAFE_BY_RCU and shared by every namespace: a
 * flow may be freed and reused, in this table or another namespace's, while
 * an RCU reader still looks at it, so a reader takes @lock and re-checks
 * SSLV_FF_HASHED, @owner and the key before trusting anything
 * (sslv_flow_find), as conntrack re-checks the key and net_eq().
 * @lock is initialised once by the slab constructor, never on reuse.
 */
struct sslv_flow {
	struct hlist_nulls_node node;
	struct sslv_flow_key key;
	spinlock_t lock;
	u32 id;
	struct sslv_tcp tcp;		/* d[0] is the client */
	int ifindex[2];			/* bridge port behind which each end is */
	u8 mac[2][ETH_ALEN];		/* each end's own MAC */
	u8 verdict;			/* enum sslv_action */
	u8 flags;			/* SSLV_FF_* */
	u16 owner;			/* sslv_net.owner of its table */
};

/* A table's buckets: replaced whole, see sslv_flow_resize(). */
struct sslv_flow_buckets {
	u32 n;				/* power of two, >= SSLV_FLOW_LOCKS */
	unsigned long *busy;		/* the collector's map: see flow.c */
	struct hlist_nulls_head b[];
};

struct sslv_flow_table {
	struct sslv_flow_buckets __rcu *tab;
	spinlock_t *locks;
	u32 nbuckets;			/* at init: 0 follows max_flows */
	u32 max_flows;
	atomic_t count;
	u32 gc_cursor;
	u32 gc_next;			/* ms: the earliest due time the sweep saw */
	u32 gc_resume;			/* ms: ... when it ended */
	atomic_t gc_soon;		/* ms: told since it began, see flow.c */
	unsigned long gc_kick;		/* bit 0: see sslv_flow_gc_kick() */
	bool gc_sweeping;
	struct delayed_work gc;
};

#define SSLV_FLOW_LOCKS	1024	/* bucket i is guarded by locks[i % 1024] */
/* With hashsize=0, a table has a bucket for every 8 flows it may hold. */
#define SSLV_FLOWS_PER_BUCKET	8

/* Per-state idle timeouts, in milliseconds. */
struct sslv_timeouts {
	u32 handshake, established, closing, closed, rejected;
};

int sslv_flow_init(struct sslv_net *sn);
/*
 * Have the collector sweep the table again at its next tick: some flow may
 * be due earlier than the last sweep found (the timeouts were lowered, a
 * flow's verdict turned to reject without a packet).
 */
void sslv_flow_gc_kick(struct sslv_net *sn);
/*
 * Under @f's lock, once its new state, verdict or last_ms is written: its
 * timeout may have become shorter (a new flow, a FIN, an RST, a
 * tombstone), and the collector must not rest past its due time.
 */
void sslv_flow_gc_note(struct sslv_net *sn, const struct sslv_flow *f);
/*
 * The table's buckets for @max_flows, when they follow max_flows (the
 * hashsize module parameter is 0); under sslv_cfg_mutex, may sleep.
 */
void sslv_flow_resize(struct sslv_net *sn, u32 max_flows);
/* The number of buckets now. */
u32 sslv_flow_nbuckets(struct sslv_net *sn);
/* The buckets, in a walk under a bucket lock (bottom halves off). */
struct sslv_flow_buckets *sslv_flow_tab_locked(struct sslv_flow_table *ft);
void sslv_flow_exit(struct sslv_net *sn);
void sslv_flow_flush(struct sslv_net *sn);
int sslv_flow_cache_init(void);
void sslv_flow_cache_exit(void);
extern u32 sslv_flow_seed;

/*
 * Key @k by a segment from (@saddr, @sport) to (@daddr, @dport), all in
 * network order, @family's addresses (4 or 16 bytes) at @saddr and @daddr:
 * sets the addresses and ports, and returns whether the sender is side B.
 * Side A's (address bytes, port) is the smaller. The rest of @k is the
 * caller's.
 */
static __always_inline bool sslv_key_set(struct sslv_flow_key *k, u8 family,
					 const void *saddr, const void *daddr,
					 __be16 sport, __be16 dport)
{
	bool src_is_b;

	if (family == AF_INET) {
		__be32 sa, da;

		memcpy(&sa, saddr, sizeof(sa));
		memcpy(&da, daddr, sizeof(da));
		src_is_b = ntohl(sa) > ntohl(da) ||
			   (sa == da && ntohs(sport) > ntohs(dport));
		k->a.s6_addr32[0] = src_is_b ? da : sa;
		k->b.s6_addr32[0] = src_is_b ? sa : da;
	} else {
		int c = memcmp(saddr, daddr, sizeof(struct in6_addr));

		src_is_b = c > 0 || (c == 0 && ntohs(sport) > ntohs(dport));
		memcpy(&k->a, src_is_b ? daddr : saddr, sizeof(k->a));
		memcpy(&k->b, src_is_b ? saddr : daddr, sizeof(k->b));
	}
	k->port_a = src_is_b ? dport : sport;
	k->port_b = src_is_b ? sport : dport;
	return src_is_b;
}

/*
 * An IPv4 key is hashed as TCP's own table hashes a connection
 * (inet_ehashfn()): its addresses and ports are three words; the VLAN goes
 * into the seed. An IPv6 key, all ten words.
 */
static inline u32 sslv_flow_hash(const struct sslv_flow_key *key)
{
	if (key->family == AF_INET)
		return jhash_3words(key->a.s6_addr32[0], key->b.s6_addr32[0],
				    (__force u32)key->port_a << 16 |
				    (__force u32)key->port_b,
				    sslv_flow_seed ^ key->vlan);
	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32),
		      sslv_flow_seed);
}

/* Five word compares, where memcmp() is a call. */
static inline bool sslv_key_eq(const struct sslv_flow_key *a,
			       const struct sslv_flow_key *b)
{
	const u64 *x = (const u64 *)a, *y = (const u64 *)b;

	/*
	 * Words 1 and 3 of an IPv4 key are zero, and word 4 holds the
	 * family: with @b an IPv4 key, words 0, 2 and 4 decide.
	 */
	if (b->family == AF_INET)
		return !((x[0] ^ y[0]) | (x[2] ^ y[2]) | (x[4] ^ y[4]));
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		 (x[3] ^ y[3]) | (x[4] ^ y[4]));
}

/* Both return the flow locked, or NULL. Call under rcu_read_lock(). */
struct sslv_flow *sslv_flow_find(struct sslv_net *sn,
				 const struct sslv_flow_key *key, u32 hash);
struct sslv_flow *sslv_flow_insert(struct sslv_net *sn,
				   const struct sslv_flow_key *key, u32 hash,
				   bool *created);
/*
 * Lock @f, found by sslv_flow_peek(): false (and unlocked) if it is no
 * longer @key's flow in @sn's table.
 */
bool sslv_flow_lock_peeked(struct sslv_net *sn, struct sslv_flow *f,
			   const struct sslv_flow_key *key);
/*
 * Make locked @f, hashed or being hashed, a new flow under the same key: a
 * new id, nothing learnt, no verdict, no handshake state.
 */
void sslv_flow_renew(struct sslv_net *sn, struct sslv_flow *f);
/* Finds a flow by id, locked; slow (walks the table), for netlink. */
struct sslv_flow *sslv_flow_find_id(struct sslv_net *sn, u32 id);

static inline u32 sslv_now_ms(void)
{
#if !(MSEC_PER_SEC % HZ)
	/* jiffies_to_msecs(), without a call on every packet */
	return (u32)jiffies * (MSEC_PER_SEC / HZ);
#else
	return jiffies_to_msecs(jiffies);
#endif
}

/* ---- packet.h, packet.c ------------------------------------------------ */

/* What the engine knows about a frame after parsing. */
struct sslv_pkt {
	struct sslv_flow_key key;
	struct sslv_seg seg;
	bool src_is_b;			/* the sender is side B of the key */
	u16 nh;				/* offset of the IP header */
	u16 thoff;			/* offset of the TCP header */
	u32 end;			/* of the IP packet (BIG TCP: > 64K) */
	const u8 *smac, *dmac;
};

/* Offset of @p's TCP payload in its skb: what sslv_parse() did not store. */
static inline u32 sslv_pkt_payload(const struct sslv_pkt *p)
{
	return p->end - p->seg.len;
}

enum sslv_parse {
	SSLV_PARSE_TCP,
	SSLV_PARSE_OTHER,		/* not TCP over IP: not ours */
	SSLV_PARSE_BAD_L2,
	SSLV_PARSE_BAD_IP,
	SSLV_PARSE_BAD_TCP,
	SSLV_PARSE_VLAN_UNSUPPORTED,	/* QinQ or 802.1ad: not tracked */
	SSLV_PARSE_FRAG,		/* a fragment of a TCP segment */
};

/* sslv_parse(), in packet.h, is inlined into the engine. */
/*
 * Whether the endpoint will accept a parsed segment's TCP checksum and IPv4
 * header checksum. False: nothing may learn from the segment.
 */
bool sslv_pkt_csum_ok(const struct sk_buff *skb, const struct sslv_pkt *p);

/* ---- policy.c --------------------------------------------------------- */

#define SSLV_SNI_PATTERN_MAX	253

/* What a rule asks of the handshake (SSLV_RULE_SNI .. _UNDECRYPTABLE). */
struct sslv_rule_tls {
	u8 sni_len;			/* 0: no sni PATTERN */
	u8 alpn_len;			/* 0: no alpn NAME */
	u8 domset;			/* slot + 1 in sslv_net.domsets, 0: none */
	u8 nontls;
	u16 ver_min, ver_max;		/* both 0: any version */
	u32 classes;			/* SSLV_UD_*: any of them */
	char sni[SSLV_SNI_PATTERN_MAX];
	u8 alpn[SSLV_TLS_ALPN_NAME_MAX];
};

/*
 * A rule. @tls is NULL for a rule on addresses and ports only, @comment
 * (NUL-terminated, SSLV_RULE_COMMENT_MAX bytes at most) for one without;
 * each array of rules owns its rules' @tls and @comment (sslv_rule_copy
 * duplicates them, sslv_rules_free_ext frees them).
 */
struct sslv_rule {
	u32 id;
	u8 action;			/* enum sslv_action */
	struct sslv_rule_spec spec;
	struct sslv_rule_tls *tls;
	char *comment;
};

/*
 * A compiled ruleset, replaced whole and freed after a grace period. The
 * rules carrying TLS attributes are also listed in @tls_idx, ascending, and
 * the others compiled apart into @l4 (NULL when there are no TLS rules),
 * @l4_idx mapping its matches back to rule indexes.
 */
struct sslv_ruleset {
	struct rcu_head rcu;
	u32 n;
	struct sslv_rule *rules;
	atomic64_t *hits;		/* per rule; bumped once per decided flow */
	void *match;			/* lib/match.c's compiled form */
	void *l4;
	u32 *l4_idx;
	u32 *tls_idx;
	u32 ntls;
	u32 *dec_idx;			/* the decrypt rules, ascending */
	u32 ndec;
};

#define SSLV_MAX_RULES	SSLV_RULES_MAX

struct sslv_decision {
	u8 action;
	u8 reason;			/* enum sslv_reason */
	bool pending;			/* a TLS rule waits for the handshake */
	u32 rule_id;			/* 0: no rule matched */
};

/* What the handshake has shown so far, for sslv_policy_decide_tls(). */
struct sslv_tls_view {
	const struct sslv_tls_client *ch;  /* NULL: no client hello parsed */
	const struct sslv_tls_server *sh;  /* NULL: no server hello parsed */
	u32 classes;			/* SSLV_UD_* seen */
	bool nontls;			/* the client did not open with TLS */
	bool server_final;		/* no more will be learnt of the server */
};

void sslv_policy_decide(struct sslv_net *sn, const struct sslv_match_key *k,
			struct sslv_decision *d);
/* Does some decrypt rule's address, port and interface part select @k? */
bool sslv_policy_divert(struct sslv_net *sn, const struct sslv_match_key *k);
/* A pending flow: false while a rule still waits for the server's flight. */
bool sslv_policy_decide_tls(struct sslv_net *sn,
			    const struct sslv_match_key *k,
			    const struct sslv_tls_view *v,
			    struct sslv_decision *d);
int sslv_rule_copy(struct sslv_rule *dst, const struct sslv_rule *src);
void sslv_rules_free_ext(struct sslv_rule *r, u32 n);
/* Whether a live or staged rule uses domain set slot @slot. */
bool sslv_policy_uses_domset(struct sslv_net *sn, u8 slot);
struct sslv_stage;
/* Append to the live ruleset (@st NULL) or to @st's staged rules. */
int sslv_policy_append(struct sslv_net *sn, const struct sslv_rule *r, u32 n,
		       struct sslv_stage *st, u32 *first_id);
/* Insert into the live ruleset at place @at, 0 .. sslv_policy_len(). */
int sslv_policy_insert(struct sslv_net *sn, const struct sslv_rule *r, u32 n,
		       u32 at, u32 *first_id);
/* The live ruleset's length; the place of rule @id in it, or -ENOENT. */
u32 sslv_policy_len(struct sslv_net *sn);
int sslv_policy_index(struct sslv_net *sn, u32 id);
int sslv_policy_del(struct sslv_net *sn, u32 id);
void sslv_policy_flush(struct sslv_net *sn);
void sslv_policy_unstage(struct sslv_net *sn, struct sslv_stage *st);
/* Swap in @st's staged rules; -ENODATA when it has none. */
int sslv_policy_commit(struct sslv_net *sn, struct sslv_stage *st);
void sslv_policy_exit(struct sslv_net *sn);

/* ---- domset.c -------------------------------------------------------- */

struct sslv_domset {
	struct rcu_head rcu;
	char name[SSLV_DOMSET_NAME_MAX + 1];
	u32 bytes;			/* its packed names, in sslv_net.dom_bytes */
	u32 gen;			/* sslv_net.dom_gen when committed */
	void *set;			/* lib/domain.c's block */
};

/*
 * The set a socket is loading: names packed as [len][bytes], see
 * lib/domain.h. An empty @name: none.
 */
struct sslv_domset_stage {
	char name[SSLV_DOMSET_NAME_MAX + 1];
	u8 *names;
	u32 len, cap, n;
};

/* All but _match under sslv_cfg_mutex; _match under rcu_read_lock(). */
int sslv_domsets_add(struct sslv_net *sn, struct sslv_domset_stage *st,
		     const u8 *domain, u32 len);
/* Build @st (its name, perhaps no names) and swap it in as the live set. */
int sslv_domsets_commit(struct sslv_net *sn, struct sslv_domset_stage *st);
void sslv_domsets_unstage(struct sslv_net *sn, struct sslv_domset_stage *st);
int sslv_domsets_del(struct sslv_net *sn, const char *name);
/* Slot of the live set @name, or -ENOENT. */
int sslv_domsets_find(struct sslv_net *sn, const char *name);
bool sslv_domsets_match(struct sslv_net *sn, u8 slot, const u8 *name, u32 len);
void sslv_domsets_exit(struct sslv_net *sn);

/* ---- stage.c ---------------------------------------------------------- */

/*
 * What one netlink socket (its portid) is staging: rules for
 * SSLV_CMD_RULE_COMMIT and one domain set for SSLV_CMD_DOMSET_COMMIT.
 * Under sslv_cfg_mutex; freed when it stages nothing any more, or when
 * its socket closes (NETLINK_URELEASE).
 */
struct sslv_stage {
	struct hlist_node node;		/* in sslv_net.stages */
	u32 portid;
	u32 nrules;
	u32 cap;			/* rules allocated */
	struct sslv_rule *rules;
	struct sslv_domset_stage dom;
};

/* @portid's stage, or NULL. */
struct sslv_stage *sslv_stage_find(struct sslv_net *sn, u32 portid);
/* @portid's stage, made if need be: -ENOSPC past SSLV_STAGES_MAX. */
struct sslv_stage *sslv_stage_get(struct sslv_net *sn, u32 portid);
/* Free @st if it stages nothing. */
void sslv_stage_put(struct sslv_net *sn, struct sslv_stage *st);
/* Drop everything @portid staged: its socket is closing. */
void sslv_stage_release(struct sslv_net *sn, u32 portid);
void sslv_stage_exit(struct sslv_net *sn);

/* ---- handshake.c ------------------------------------------------------ */

#define SSLV_HS_FLOW_MAX	16384	/* buffer bytes a flow may hold */

struct sslv_hs;

/*
 * Read a segment of a cut flow whose handshake is not done, before the
 * tracker learns it; f->lock held. Returns true when the policy decided,
 * now, to reject or drop the flow (@d): the segment is the trigger.
 */
bool sslv_hs_segment(struct sslv_net *sn, struct sslv_flow *f, int dir,
		     const struct sk_buff *skb, const struct sslv_pkt *p,
		     struct sslv_decision *d);
/* The flow is leaving the table; a handshake still read ends incomplete. */
void sslv_hs_release(struct sslv_net *sn, struct sslv_flow *f);
/*
 * End every handshake read longer than SSLV_A_HS_TIMEOUT (flow.c's GC, in
 * process context): pending rules decide, the memory is freed.
 */
void sslv_hs_expire(struct sslv_net *sn);
/* The view of a flow whose handshake will never be read (mid-stream). */
extern const struct sslv_tls_view sslv_tls_view_none;
void sslv_flow_match_key(const struct sslv_flow *f, struct sslv_match_key *k);

/* ---- reset.c ---------------------------------------------------------- */

/* Everything needed to put one RST on the wire, from either a flow or a frame. */
struct sslv_rst {
	u8 family;
	u8 ttl;
	u16 vlan;
	int ifindex;			/* port to send it out of */
	int from_ifindex;		/* port of the end it impersonates, or 0 */
	u8 smac[ETH_ALEN], dmac[ETH_ALEN];
	struct in6_addr saddr, daddr;
	__be16 sport, dport;
	u32 seq, ack;
};

int sslv_rst_xmit(struct net *net, const struct sslv_rst *r);
/*
 * Bridge port @dev's egress rules for a frame the box sends in VLAN @vlan,
 * impersonating the end behind port @from_ifindex (0: unknown): -EPERM if
 * it may not leave by @dev, else whether to tag it, with which protocol.
 * Under rcu_read_lock().
 */
int sslv_br_egress(struct net *net, const struct net_device *br,
		   const struct net_device *dev, u16 vlan, int from_ifindex,
		   __be16 *proto, bool *tag);
/*
 * br_forward() @skb, which the box sends, at its network header, MAC
 * header and tag set, out of bridge port @dev of @br: 0 if the bridge let
 * it out, -EPERM if it held it back, -ENODEV. BH disabled.
 */
int sslv_br_port_xmit(struct net_device *br, struct net_device *dev,
		      struct sk_buff *skb);
/* NF_BR_LOCAL_OUT: tells sslv_rst_xmit() the bridge let its RST out. */
unsigned int sslv_rst_out_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

/* ---- engine.c --------------------------------------------------------- */

unsigned int sslv_engine(struct sslv_net *sn, struct sk_buff *skb,
			 struct net_device *in, bool tap);
/* Reject a live flow now (netlink). Consumes the flow lock. */
void sslv_engine_reject(struct sslv_net *sn, struct sslv_flow *f, u8 reason,
			u32 rule_id);

/* ---- divert.c ------------------------------------------------------- */

/*
 * The namespace's decrypting daemon: @portid is its netlink socket (0:
 * none). Written under sslv_cfg_mutex, read on the packet path.
 */
struct sslv_decrypt {
	u32 portid;
	u32 mark;			/* SSLV_A_DECRYPT_MARK */
	u16 port;			/* SSLV_A_DECRYPT_PORT */
	u8 unavailable;			/* SSLV_A_DECRYPT_UNAVAILABLE */
	u8 upstream_invalid;		/* SSLV_A_UPSTREAM_INVALID */
	bool hooked;			/* @ops are registered */
	struct nf_hook_ops ops[4];	/* IP PRE_ and POST_ROUTING, v4 and v6 */
	struct sslv_divert_vlans *vlans; /* from the first registration on */
};

/*
 * The attached IPS (SSLV_CMD_IPS_*), kept for sslvd, which attaches it.
 * @cfg is NULL while none is set; replaced whole under sslv_cfg_mutex,
 * read under RCU by the bridge hook (sslv_ips_port()). The packet path
 * reads @state and @fail alone (READ_ONCE). @killed holds the ids of the
 * last flows sslvd reported ended by the IPS (SSLV_CLOSE_IPS_DROP/_RESET,
 * @killed_pos the next slot): the RSTs its sockets send for them then are
 * the IPS's (ips_rsts_sent). sslv_flow has no bit to spare for it, and
 * sslvd aborts a flow just after its report, so a short ring of ids is
 * enough.
 */
#define SSLV_IPS_KILLED	64

struct sslv_ips_cfg {
	struct rcu_head rcu;
	char out[IFNAMSIZ], in[IFNAMSIZ], copy[IFNAMSIZ]; /* copy[0]: none */
	u32 feedback_ms;		/* SSLV_IPS_FEEDBACK_TIMEOUT */
};

/*
 * What sslv_ips_port() last found for a port, by ifindex modulo
 * SSLV_IPS_PORTS: (generation << 33) | (answer << 32) | ifindex, good
 * while the generation is sslv_ips_gen's (sslv_ips_changed()).
 */
#define SSLV_IPS_PORTS	8

struct sslv_ips {
	struct sslv_ips_cfg __rcu *cfg;
	u8 state;			/* enum sslv_ips_state */
	u8 fail;			/* SSLV_A_IPS_FAIL */
	atomic_t killed_pos;
	u32 killed[SSLV_IPS_KILLED];
	atomic64_t ports[SSLV_IPS_PORTS];
};

/* sslvd reported flow @id ended by the IPS: see struct sslv_ips. */
void sslv_ips_killed_add(struct sslv_net *sn, u32 id);
bool sslv_ips_killed(struct sslv_net *sn, u32 id);
/*
 * Is @in (a bridge port) one of the IPS's interfaces, or a port of a bridge
 * that enslaves one? Then its frames are the IPS's, not sslv's: the
 * generated connections sslvd carries through it have the 4-tuples of the
 * diverted flows. Under rcu_read_lock().
 */
bool sslv_ips_port(struct sslv_net *sn, struct net_device *in);
/*
 * A device came, went, was renamed or changed masters, or an IPS was set
 * or deleted: what sslv_ips_port() remembers is stale, in every namespace.
 * After the change.
 */
void sslv_ips_changed(void);
/* The namespace is going: no hook runs any more. */
void sslv_ips_exit(struct sslv_net *sn);

/* Does @a stop the flow's frames (reject, drop)? */
static inline bool sslv_act_stops(u8 a)
{
	return a == SSLV_ACT_REJECT || a == SSLV_ACT_DROP;
}

/*
 * Make @d's action one its flow can have: decrypt only on a @diverted
 * flow, else SSLV_A_DECRYPT_UNAVAILABLE (counted, with its reason); and
 * SSLV_A_IPS_FAIL instead while the attached IPS is down (active-inline).
 */
void sslv_decrypt_resolve(struct sslv_net *sn, bool diverted,
			  struct sslv_decision *d);
/*
 * Is the flow @p opens (its SYN), decided @d so far, one to divert to
 * sslvd? Under rcu_read_lock().
 */
bool sslv_divert_wanted(struct sslv_net *sn, bool tap,
			const struct sslv_pkt *p, const struct sslv_match_key *k,
			const struct sslv_decision *d);
/*
 * Divert @f, locked, whose SYN came in by bridge port @in: false if it
 * cannot be (another VLAN's diverted flow has its addresses and ports,
 * counted in decrypt_tuple_busy; a port or bridge sslv cannot divert
 * from). Under rcu_read_lock(), BH disabled.
 */
bool sslv_divert_claim(struct sslv_net *sn, struct sslv_flow *f,
		       struct net_device *in);
/* A diverted @f, locked, leaves the table or becomes a new flow. */
void sslv_divert_forget(struct sslv_net *sn, const struct sslv_flow *f);
/*
 * The verdict for a frame of a diverted flow in VLAN @vlan from port @in:
 * up to the bridge device (NF_STOLEN), untagged.
 */
unsigned int sslv_divert_up(struct sslv_net *sn, struct sk_buff *skb,
			    struct net_device *in, u16 vlan);
int sslv_decrypt_register(struct sslv_net *sn, u32 portid, u16 port, u32 mark);
void sslv_decrypt_release(struct sslv_net *sn, u32 portid);
void sslv_decrypt_exit(struct sslv_net *sn);
void sslv_decrypt_free(struct sslv_net *sn);

/* ---- hook.c ----------------------------------------------------------- */

int sslv_hook_init(struct sslv_net *sn);
void sslv_hook_exit(struct sslv_net *sn);
int sslv_mode_set(struct sslv_net *sn, u8 mode, int tap_ifindex);
int sslv_hook_notifier_init(void);
void sslv_hook_notifier_exit(void);

/* ---- netlink.c, nl_event.c -------------------------------------------- */

int sslv_genl_init(void);
void sslv_genl_exit(void);
void sslv_event_flow(struct sslv_net *sn, const struct sslv_flow *f, u8 event,
		     u8 reason, u32 rule_id);
void sslv_event_rst(struct sslv_net *sn, const struct sslv_flow *f,
		    const struct sslv_rst_info *ri, const struct sslv_seg *rst);
void sslv_event_session(struct sslv_net *sn, const struct sslv_flow *f,
			const struct sslv_tls_client *ch,
			const struct sslv_tls_server *sh, u32 classes, u8 action,
			u8 error, u8 reason, u32 rule_id);

/* ---- main.c: per-netns state ------------------------------------------ */

struct sslv_net {
	struct net *net;
	struct sslv_stats __percpu *stats;
	struct sslv_flow_table ft;
	struct sslv_timeouts timeouts;
	struct sslv_ruleset __rcu *rules;
	struct hlist_head stages;	/* struct sslv_stage, sslv_cfg_mutex */
	u32 nstages;
	u32 staged_rules;		/* in every stage: <= SSLV_RULES_MAX */
	u32 next_rule_id;
	atomic_t next_flow_id;
	u16 owner;			/* tags this table's flows, see flow.c */
	struct mem_cgroup *memcg;	/* charged for the flow table */
	u8 mode;			/* enum sslv_mode */
	int tap_ifindex;
	struct nf_hook_ops bridge_ops[2];	/* hook.c's, .priv = this */
	struct notifier_block vlan_nb;	/* this namespace's bridges */
	bool vlan_bridges;		/* one of them filters VLANs */
	struct nf_hook_ops tap_ops;
	struct list_head tap_node;	/* in hook.c's sslv_taps, under RTNL */
	bool tap_registered;
	struct sslv_rst_cfg rst_cfg;
	struct sslv_rate rst_rate;	/* RSTs sslv sends: SSLV_A_RST_RATE */
	struct ratelimit_state rst_events;	/* SSLV_RST_EVENTS_PER_SEC */
	atomic_t event_seq;		/* SSLV_A_EVENT_SEQ of the last event */
	u8 client_cert_action;		/* SSLV_A_CLIENT_CERT */
	atomic_t hs_bytes;		/* handshake memory held now */
	u32 hs_mem;			/* SSLV_A_HS_MEM: bound on hs_bytes */
	u32 hs_timeout_ms;		/* SSLV_A_HS_TIMEOUT */
	struct xarray hs;		/* flow id -> struct sslv_hs */
	unsigned long hs_expire_next;	/* jiffies: sslv_hs_expire() walks */
	struct sslv_domset __rcu *domsets[SSLV_DOMSET_MAX];
	u64 dom_bytes;			/* live and staged domain set names */
	u32 dom_gen;			/* domain sets committed, ever */
	struct sslv_decrypt dec;
	struct sslv_ips ips;
};

extern unsigned long sslv_hs_mem_max;	/* module parameter */
extern unsigned int sslv_flows_limit;	/* module parameter */

extern unsigned int sslv_net_id;
extern struct mutex sslv_cfg_mutex;	/* rules, mode, config */

static inline struct sslv_net *sslv_pernet(const struct net *net)
{
	return net_generic(net, sslv_net_id);
}

/* ---- flow.c: the lockless look of the fast path ---------------------- */

/*
 * Without the lock, under rcu_read_lock(): the flow of @key, not locked,
 * or NULL. @id is its id when found. What the caller reads of it may
 * belong to a flow freed and reused meanwhile, torn by a writer: it is
 * good only if sslv_flow_peek_valid() says so after the reads. On NULL,
 * @absent says whether the table surely has no such flow (a new one may
 * be inserted: sslv_flow_insert() checks again under the bucket lock), or
 * the walk was diverted and only sslv_flow_find() can tell.
 *
 * The id is read as a seqcount's sequence: before the key, and again
 * after everything else. Every writer that makes the object another flow
 * (sslv_flow_renew(), which a new flow's insertion calls before it writes
 * the key, the owner and SSLV_FF_HASHED) stores a new id first, then a
 * write barrier, then the rest; a removal clears SSLV_FF_HASHED. So when
 * the id has not moved, the key compared and the fields read were one
 * live flow's.
 */
static inline struct sslv_flow *sslv_flow_peek(struct sslv_net *sn,
					       const struct sslv_flow_key *key,
					       u32 hash, u32 *id, bool *absent)
{
	struct sslv_flow_buckets *tab = rcu_dereference(sn->ft.tab);
	u32 b = hash & (tab->n - 1);
	struct hlist_nulls_node *n;
	struct sslv_flow *f;

	hlist_nulls_for_each_entry_rcu(f, n, &tab->b[b], node) {
		*id = READ_ONCE(f->id);
		smp_rmb();	/* the id, then the key and what the caller reads */
		if (!sslv_key_eq(&f->key, key))
			continue;
		*absent = false;
		return f;
	}
	/* A walk diverted into another chain proves nothing. */
	*absent = get_nulls_value(n) == b;
	return NULL;
}

/* Whether @f, peeked as @id, is still that flow, in @sn's table. */
static inline bool sslv_flow_peek_valid(struct sslv_net *sn,
					struct sslv_flow *f, u32 id)
{
	smp_rmb();	/* what the caller read, then the flags and owner */
	if (!(READ_ONCE(f->flags) & SSLV_FF_HASHED) ||
	    READ_ONCE(f->owner) != sn->owner)
		return false;
	smp_rmb();	/* those, then the id */
	return READ_ONCE(f->id) == id;
}

#endif /* SSLV_H */
