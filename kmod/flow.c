// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table.
 *
 * An array of hlist_nulls buckets (the nulls value is the bucket index),
 * sized by the hashsize module parameter or, by default, following
 * max_flows (sslv_flow_resize()), SSLV_FLOW_LOCKS spinlocks guarding
 * insertion and removal, and a SLAB_TYPESAFE_BY_RCU cache of 120-byte
 * flows. Lookups take no bucket lock:
 * they walk the chain under RCU, lock the candidate flow and re-check that it
 * is still hashed under the same key, restarting if the walk was diverted
 * into another chain by a freed and reused flow (the conntrack scheme).
 *
 * The cache is shared by every namespace, so the flow a walk finds may have
 * been freed and reused by another namespace's table under the same key
 * (namespaces often carry the same addresses). Each table has an owner tag,
 * unique among live namespaces (an IDA, 1..65535), stamped on its flows when
 * they are hashed; a lookup re-checks it under the flow lock with the key,
 * as conntrack re-checks net_eq(). A tag is freed only after its
 * namespace's hooks are gone and a grace period has passed, so no reader
 * of that namespace is left to mistake a later owner's flow for its own.
 * Past 65535 namespaces at once a namespace gets tag 0: its table takes no
 * flow, and every flow there is untracked (still decided, packet by
 * packet).
 *
 * Lock order: bucket lock, then flow lock. The packet path only ever holds a
 * flow lock, never a bucket lock, once it has its flow.
 *
 * Memory is bounded by max_flows, itself at most the flows_limit module
 * parameter, and charged to the memory cgroup of the task that created the
 * namespace (sslv_net.memcg): the table when the namespace is set up, each
 * flow as it is allocated on the packet path. A new flow arriving at a
 * full table evicts the longest-idle flow among the 8 buckets starting at
 * its own (counted in flows_evicted); if those are empty the flow is not
 * tracked and its packets are forwarded untouched (flows_untracked).
 *
 * Idle flows are expired by a worker that sweeps 1/16 of the buckets every
 * 100 ms, rescheduling between batches, so it never holds up the packet
 * path. Between sweeps it rests until the earliest time a flow can be due
 * (sslv_flow_gc()), so that a table of flows with long timeouts is not
 * walked for nothing. It skips the groups of SSLV_GC_GROUP buckets that
 * hold no flow: each table keeps a bit for each group (busy), set when a
 * flow is hashed into it and cleared by the collector when it finds the
 * group empty, so that a table sized for millions of flows and holding a
 * few costs the collector a few words a sweep, not a look at every bucket.
 */
#include <linux/idr.h>
#include <linux/jhash.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "sslv.h"

static struct kmem_cache *sslv_flow_cache __read_mostly;
u32 sslv_flow_seed __read_mostly;
static DEFINE_IDA(sslv_owner_ida);

#define SSLV_EVICT_SCAN		8
#define SSLV_GC_INTERVAL	(HZ / 10)
#define SSLV_GC_SLICES		16
#define SSLV_GC_GROUP		64	/* buckets a busy bit stands for */
#define SSLV_GC_REST_MAX	(60 * MSEC_PER_SEC)	/* between sweeps */

static void sslv_flow_ctor(void *obj)
{
	struct sslv_flow *f = obj;

	spin_lock_init(&f->lock);
	f->flags = 0;
}

int sslv_flow_cache_init(void)
{
	BUILD_BUG_ON(sizeof(struct sslv_flow_key) != 40);
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC)
	BUILD_BUG_ON(sizeof(struct sslv_flow) > 120);
#endif
	sslv_flow_seed = get_random_u32();
	sslv_flow_cache = kmem_cache_create("sslv_flow",
					    sizeof(struct sslv_flow), 0,
					    SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT,
					    sslv_flow_ctor);
	return sslv_flow_cache ? 0 : -ENOMEM;
}

void sslv_flow_cache_exit(void)
{
	kmem_cache_destroy(sslv_flow_cache);
}

/*
 * The lock of bucket @b, or of hash @b: a table has a multiple of
 * SSLV_FLOW_LOCKS buckets, so a flow's lock is the same in every table.
 */
static spinlock_t *sslv_bucket_lock(struct sslv_flow_table *ft, u32 b)
{
	return &ft->locks[b % SSLV_FLOW_LOCKS];
}

/* The buckets, for a packet path reader (rcu_read_lock). */
static struct sslv_flow_buckets *sslv_flow_tab(struct sslv_flow_table *ft)
{
	return rcu_dereference(ft->tab);
}

/*
 * A holder of a bucket lock: bottom halves are off, an RCU read-side
 * section, and sslv_flow_resize() frees old buckets after a grace period.
 * They may be the old ones while it moves their flows, under the same
 * bucket locks.
 */
struct sslv_flow_buckets *sslv_flow_tab_locked(struct sslv_flow_table *ft)
{
	return rcu_dereference_check(ft->tab, rcu_read_lock_bh_held());
}

/*
 * After hashing a flow into bucket @b of @tab, under the bucket lock: the
 * flow, then its group's bit, against the collector clearing the bit and
 * then looking at the buckets (sslv_flow_gc_group()). One of the two sees
 * the other's store.
 */
static void sslv_flow_mark(struct sslv_flow_buckets *tab, u32 b)
{
	smp_mb();	/* the flow, then the bit */
	if (!test_bit(b / SSLV_GC_GROUP, tab->busy))
		set_bit(b / SSLV_GC_GROUP, tab->busy);
}

u32 sslv_flow_nbuckets(struct sslv_net *sn)
{
	u32 n;

	rcu_read_lock();
	n = rcu_dereference(sn->ft.tab)->n;
	rcu_read_unlock();
	return n;
}

bool sslv_flow_lock_peeked(struct sslv_net *sn, struct sslv_flow *f,
			   const struct sslv_flow_key *key)
{
	spin_lock(&f->lock);
	if ((f->flags & SSLV_FF_HASHED) && f->owner == sn->owner &&
	    sslv_key_eq(&f->key, key))
		return true;
	spin_unlock(&f->lock);
	return false;
}

struct sslv_flow *sslv_flow_find(struct sslv_net *sn,
				 const struct sslv_flow_key *key, u32 hash)
{
	struct sslv_flow_buckets *tab;
	struct hlist_nulls_node *n;
	struct sslv_flow *f;
	u32 b;

again:
	tab = sslv_flow_tab(&sn->ft);
	b = hash & (tab->n - 1);
	hlist_nulls_for_each_entry_rcu(f, n, &tab->b[b], node) {
		if (!sslv_key_eq(&f->key, key))
			continue;
		spin_lock(&f->lock);
		if ((f->flags & SSLV_FF_HASHED) && f->owner == sn->owner &&
		    sslv_key_eq(&f->key, key))
			return f;
		spin_unlock(&f->lock);
		goto again;
	}
	if (get_nulls_value(n) != b)
		goto again;
	return NULL;
}

/* Caller holds the bucket lock and @f->lock. */
static void sslv_flow_unhash(struct sslv_flow_table *ft, struct sslv_flow *f)
{
	sslv_divert_forget(container_of(ft, struct sslv_net, ft), f);
	hlist_nulls_del_rcu(&f->node);
	f->flags &= ~SSLV_FF_HASHED;
	atomic_dec(&ft->count);
}

/*
 * After sslv_flow_unhash(): @f is the caller's alone, readers that still
 * find it see it unhashed under its lock.
 */
static void sslv_flow_release(struct sslv_net *sn, struct sslv_flow *f,
			      u8 reason)
{
	sslv_hs_release(sn, f);
	sslv_event_flow(sn, f, SSLV_EV_FLOW_ENDED, reason, 0);
	kmem_cache_free(sslv_flow_cache, f);
}

static u32 sslv_flow_timeout(const struct sslv_net *sn,
			     const struct sslv_flow *f)
{
	const struct sslv_timeouts *t = &sn->timeouts;

	if (f->verdict == SSLV_ACT_REJECT)
		return READ_ONCE(t->rejected);
	switch (f->tcp.state) {
	case SSLV_FS_SYN_SENT:
	case SSLV_FS_SYN_RECV:
		return READ_ONCE(t->handshake);
	case SSLV_FS_CLOSING:
		return READ_ONCE(t->closing);
	case SSLV_FS_CLOSED:
		return READ_ONCE(t->closed);
	default:
		return READ_ONCE(t->established);
	}
}

static u32 sslv_flow_idle(const struct sslv_flow *f, u32 now)
{
	s32 idle = now - READ_ONCE(f->tcp.last_ms);

	return idle > 0 ? idle : 0;
}

/*
 * Remove the longest-idle flow of bucket @b if it is idle longer than
 * @min_idle. Returns true if a flow was removed.
 */
static bool sslv_flow_evict_bucket(struct sslv_net *sn, u32 b, u32 min_idle)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow *f, *victim = NULL;
	struct sslv_flow_buckets *tab;
	struct hlist_nulls_node *n;
	u32 now = sslv_now_ms();

	spin_lock_bh(sslv_bucket_lock(ft, b));
	tab = sslv_flow_tab_locked(ft);
	b &= tab->n - 1;
	hlist_nulls_for_each_entry(f, n, &tab->b[b], node) {
		if (sslv_flow_idle(f, now) >= min_idle) {
			min_idle = sslv_flow_idle(f, now);
			victim = f;
		}
	}
	if (victim) {
		spin_lock(&victim->lock);
		sslv_flow_unhash(ft, victim);
		spin_unlock(&victim->lock);
	}
	spin_unlock_bh(sslv_bucket_lock(ft, b));
	if (!victim)
		return false;
	sslv_flow_release(sn, victim, SSLV_R_EVICTED);
	return true;
}

static bool sslv_flow_evict(struct sslv_net *sn, u32 hash)
{
	struct sslv_flow_buckets *tab;
	u32 i, b, best = 0, best_b = 0, now = sslv_now_ms();
	bool found = false;

	/* First pass without locks: which bucket holds the oldest flow. */
	rcu_read_lock();
	tab = sslv_flow_tab(&sn->ft);
	b = hash & (tab->n - 1);
	for (i = 0; i < SSLV_EVICT_SCAN; i++) {
		u32 bb = (b + i) & (tab->n - 1);
		struct hlist_nulls_node *n;
		struct sslv_flow *f;

		hlist_nulls_for_each_entry_rcu(f, n, &tab->b[bb], node) {
			if (!found || sslv_flow_idle(f, now) > best) {
				best = sslv_flow_idle(f, now);
				best_b = bb;
				found = true;
			}
		}
	}
	rcu_read_unlock();
	if (!found)
		return false;
	if (!sslv_flow_evict_bucket(sn, best_b, 0))
		return false;
	sslv_inc(sn, flows_evicted);
	return true;
}

void sslv_flow_renew(struct sslv_net *sn, struct sslv_flow *f)
{
	if (f->flags & SSLV_FF_HS)	/* no call for a new flow */
		sslv_hs_release(sn, f);
	/* Under the flow lock: sslv_flow_find_id() re-checks it there. */
	WRITE_ONCE(f->id, (u32)atomic_inc_return(&sn->next_flow_id) ?:
			  (u32)atomic_inc_return(&sn->next_flow_id));
	smp_wmb();	/* sslv_flow_peek() readers: the id, then the rest */
	memset(&f->tcp, 0, sizeof(f->tcp));
	memset(f->ifindex, 0, sizeof(f->ifindex));
	memset(f->mac, 0, sizeof(f->mac));
	f->verdict = SSLV_ACT_CUT;
	sslv_divert_forget(sn, f);
	f->flags &= SSLV_FF_HASHED;
	sslv_inc(sn, flows_total);
}

struct sslv_flow *sslv_flow_insert(struct sslv_net *sn,
				   const struct sslv_flow_key *key, u32 hash,
				   bool *created)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow_buckets *tab;
	struct hlist_nulls_node *n;
	struct mem_cgroup *memcg;
	struct sslv_flow *f, *e;
	u32 b;

	if (unlikely(!sn->owner))
		goto untracked;
	if (atomic_read(&ft->count) >= READ_ONCE(ft->max_flows) &&
	    !sslv_flow_evict(sn, hash))
		goto untracked;
	/* Charged to the namespace's memory cgroup, not to whoever runs. */
	memcg = set_active_memcg(sn->memcg);
	f = kmem_cache_alloc(sslv_flow_cache, GFP_ATOMIC);
	set_active_memcg(memcg);
	if (!f)
		goto untracked;

	/*
	 * The buckets are read under the lock: sslv_flow_resize() moves
	 * the flows of old ones after every such section is over.
	 */
	spin_lock(sslv_bucket_lock(ft, hash));
	tab = sslv_flow_tab_locked(ft);
	b = hash & (tab->n - 1);
	hlist_nulls_for_each_entry(e, n, &tab->b[b], node) {
		if (sslv_key_eq(&e->key, key)) {
			/* Lost a race with another CPU creating it. */
			spin_lock(&e->lock);
			spin_unlock(sslv_bucket_lock(ft, b));
			kmem_cache_free(sslv_flow_cache, f);
			*created = false;
			return e;
		}
	}
	spin_lock(&f->lock);
	f->flags = 0;
	sslv_flow_renew(sn, f);		/* the id first: see sslv_flow_peek() */
	f->key = *key;
	f->owner = sn->owner;
	f->flags = SSLV_FF_HASHED;
	hlist_nulls_add_head_rcu(&f->node, &tab->b[b]);
	sslv_flow_mark(tab, b);
	atomic_inc(&ft->count);
	spin_unlock(sslv_bucket_lock(ft, b));
	*created = true;
	return f;

untracked:
	sslv_inc(sn, flows_untracked);
	return NULL;
}

struct sslv_flow *sslv_flow_find_id(struct sslv_net *sn, u32 id)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow_buckets *tab;
	struct hlist_nulls_node *n;
	struct sslv_flow *f;
	u32 b;

	for (b = 0; b < sslv_flow_nbuckets(sn); b++) {
		spin_lock_bh(sslv_bucket_lock(ft, b));
		tab = sslv_flow_tab_locked(ft);
		if (b >= tab->n) {
			spin_unlock_bh(sslv_bucket_lock(ft, b));
			break;
		}
		hlist_nulls_for_each_entry(f, n, &tab->b[b], node) {
			if (READ_ONCE(f->id) != id)
				continue;
			spin_lock(&f->lock);
			/*
			 * A SYN reopening the flow renews its id under the
			 * flow lock alone: what matched may now be its
			 * successor, another connection.
			 */
			if (f->id == id) {
				spin_unlock(sslv_bucket_lock(ft, b));
				/* Leave BH disabled with the flow lock. */
				return f;
			}
			spin_unlock(&f->lock);
		}
		spin_unlock_bh(sslv_bucket_lock(ft, b));
		cond_resched();
	}
	return NULL;
}

/* When @f, last seen at its last_ms, is due to expire. */
static u32 sslv_flow_due(const struct sslv_net *sn, const struct sslv_flow *f)
{
	return READ_ONCE(f->tcp.last_ms) + sslv_flow_timeout(sn, f);
}

/*
 * Expire idle flows of bucket @b; returns how many were removed. @next, if
 * not NULL, is lowered to the due time of any flow left that is earlier.
 */
static unsigned int sslv_flow_gc_bucket(struct sslv_net *sn, u32 b,
					bool all, u8 reason, u32 *next)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow *f, *dead[16];
	struct sslv_flow_buckets *tab;
	struct hlist_nulls_node *n;
	unsigned int i, ndead, total = 0;
	u32 now = sslv_now_ms(), due;

	do {
		ndead = 0;
		spin_lock_bh(sslv_bucket_lock(ft, b));
		tab = sslv_flow_tab_locked(ft);
		if (b >= tab->n) {
			spin_unlock_bh(sslv_bucket_lock(ft, b));
			break;
		}
		hlist_nulls_for_each_entry(f, n, &tab->b[b], node) {
			if (ndead == ARRAY_SIZE(dead))
				break;
			/*
			 * A look without the flow's lock first (the bucket
			 * lock keeps it in the chain): most flows are not
			 * due. One seen stale was seen since: it is due
			 * later than the look says.
			 */
			due = sslv_flow_due(sn, f);
			if (!all && !sslv_seq_before(due, now)) {
				if (next && sslv_seq_before(due, *next))
					*next = due;
				continue;
			}
			spin_lock(&f->lock);
			if (all || sslv_seq_before(sslv_flow_due(sn, f), now)) {
				sslv_flow_unhash(ft, f);
				dead[ndead++] = f;
			}
			spin_unlock(&f->lock);
		}
		spin_unlock_bh(sslv_bucket_lock(ft, b));
		for (i = 0; i < ndead; i++)
			sslv_flow_release(sn, dead[i], reason);
		total += ndead;
	} while (ndead == ARRAY_SIZE(dead));
	return total;
}

/*
 * Whether a flow of bucket @b, whose chain is at @head, looks due, read
 * under RCU; else @next is lowered to the earliest due time of its flows.
 * A walk diverted into another chain (a flow freed and reused meanwhile)
 * says due, so that the bucket is looked at again under its lock.
 */
static bool sslv_flow_gc_due(const struct sslv_net *sn,
			     const struct hlist_nulls_head *head, u32 b,
			     u32 now, u32 *next)
{
	const struct hlist_nulls_node *n;
	const struct sslv_flow *f;
	u32 due, first = *next;

	hlist_nulls_for_each_entry_rcu(f, n, head, node) {
		due = sslv_flow_due(sn, f);
		if (sslv_seq_before(due, now))
			return true;
		if (sslv_seq_before(due, first))
			first = due;
	}
	if (get_nulls_value(n) != b)
		return true;
	*next = first;
	return false;
}

static bool sslv_flow_group_empty(const struct sslv_flow_buckets *tab, u32 g)
{
	u32 b;

	for (b = g; b < g + SSLV_GC_GROUP; b++)
		if (!hlist_nulls_empty(&tab->b[b]))
			return false;
	return true;
}

/*
 * Expire the due flows of the group of buckets starting at @g; clear its
 * busy bit if it holds none. Called under rcu_read_lock(), which it drops
 * while it locks a bucket. Most buckets hold no flow due: they are looked
 * at under RCU alone.
 */
static unsigned int sslv_flow_gc_group(struct sslv_net *sn, u32 g, u32 now)
{
	struct sslv_flow_buckets *tab = rcu_dereference(sn->ft.tab);
	u32 *next = &sn->ft.gc_next;
	unsigned int expired = 0;
	bool empty = true;
	u32 b;

	for (b = g; b < g + SSLV_GC_GROUP && b < tab->n; b++) {
		if (hlist_nulls_empty(&tab->b[b]))
			continue;
		empty = false;
		if (!sslv_flow_gc_due(sn, &tab->b[b], b, now, next))
			continue;
		rcu_read_unlock();
		expired += sslv_flow_gc_bucket(sn, b, false, SSLV_R_TIMEOUT,
					       next);
		cond_resched();
		rcu_read_lock();
		tab = rcu_dereference(sn->ft.tab);	/* perhaps resized */
	}
	if (empty) {
		clear_bit(g / SSLV_GC_GROUP, tab->busy);
		smp_mb__after_atomic();	/* the bit, then the buckets */
		if (!sslv_flow_group_empty(tab, g))
			set_bit(g / SSLV_GC_GROUP, tab->busy);
	}
	return expired;
}

void sslv_flow_gc_kick(struct sslv_net *sn)
{
	set_bit(0, &sn->ft.gc_kick);
}

void sslv_flow_gc_note(struct sslv_net *sn, const struct sslv_flow *f)
{
	u32 due = sslv_flow_due(sn, f);
	int soon;

	smp_mb();	/* the flow, then gc_soon: against sslv_flow_gc()'s reset */
	soon = atomic_read(&sn->ft.gc_soon);
	while (sslv_seq_before(due, soon))
		if (atomic_try_cmpxchg(&sn->ft.gc_soon, &soon, due))
			break;
}

/*
 * How long the collector may rest after a sweep begins, before anything
 * in the table is known: no new flow, which starts in the handshake or
 * established, can be due sooner.
 */
static u32 sslv_flow_gc_rest(const struct sslv_net *sn)
{
	return min3((u32)SSLV_GC_REST_MAX, READ_ONCE(sn->timeouts.handshake),
		    READ_ONCE(sn->timeouts.established));
}

/*
 * A tick: the next 1/16 of the buckets, or nothing while the collector
 * rests. A sweep lowers gc_next, from sslv_flow_gc_rest() ahead, to the
 * due time of each flow it leaves; the next sweep starts then (gc_resume),
 * or earlier if a flow's timeout became shorter since the sweep began:
 * the packet path tells that in gc_soon (sslv_flow_gc_note(): a state
 * change, a tombstone, a flow picked up at a FIN), and what changes
 * timeouts without a packet kicks the collector (new timeouts, sslvd's
 * report turning a flow into a reject, a resize moving flows behind the
 * sweep). So a flow is expired at most one sweep (1.6 s) after it is due,
 * as if every sweep ran, and a table of flows with long timeouts is
 * walked once a minute,
 * not ten times a second.
 */
static void sslv_flow_gc(struct work_struct *work)
{
	struct sslv_flow_table *ft = container_of(to_delayed_work(work),
						  struct sslv_flow_table, gc);
	struct sslv_net *sn = container_of(ft, struct sslv_net, ft);
	struct sslv_flow_buckets *tab;
	u32 i, g, n, now = sslv_now_ms();
	unsigned int expired = 0;

	rcu_read_lock();
	tab = rcu_dereference(ft->tab);
	n = tab->n / SSLV_GC_SLICES;	/* >= 64: tab->n >= SSLV_FLOW_LOCKS */
	for (i = 0; i < n; i += SSLV_GC_GROUP) {
		if (!(i % 4096) && i) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
			tab = rcu_dereference(ft->tab);
		}
		g = ft->gc_cursor & (tab->n - 1) & ~(SSLV_GC_GROUP - 1);
		if (!g) {
			/* A sweep ends here, and the next may start. */
			if (ft->gc_sweeping)
				ft->gc_resume = ft->gc_next;
			ft->gc_sweeping = false;
			if (!test_and_clear_bit(0, &ft->gc_kick) &&
			    sslv_seq_before(now, ft->gc_resume) &&
			    sslv_seq_before(now, atomic_read(&ft->gc_soon)))
				break;
			ft->gc_sweeping = true;
			ft->gc_next = now + sslv_flow_gc_rest(sn);
			/* A full barrier, then the flows: see sslv_flow_gc_note(). */
			atomic_xchg(&ft->gc_soon, ft->gc_next);
		}
		ft->gc_cursor = g + SSLV_GC_GROUP;
		if (!test_bit(g / SSLV_GC_GROUP, tab->busy))
			continue;
		expired += sslv_flow_gc_group(sn, g, now);
		tab = rcu_dereference(ft->tab);	/* perhaps resized */
	}
	rcu_read_unlock();
	if (expired)
		sslv_add(sn, flows_expired, expired);
	sslv_hs_expire(sn);
	queue_delayed_work(system_power_efficient_wq, &ft->gc,
			   SSLV_GC_INTERVAL);
}

void sslv_flow_flush(struct sslv_net *sn)
{
	u32 b;

	for (b = 0; b < sslv_flow_nbuckets(sn); b++) {
		sslv_flow_gc_bucket(sn, b, true, SSLV_R_FLUSH, NULL);
		if (!(b % 64))
			cond_resched();
	}
}

/* hashsize=0: a bucket for every SSLV_FLOWS_PER_BUCKET flows. */
static u32 sslv_flow_hashsize(u32 max_flows)
{
	u32 n = max_flows / SSLV_FLOWS_PER_BUCKET;

	return roundup_pow_of_two(clamp(n, (u32)SSLV_FLOW_LOCKS, 1U << 22));
}

/* @n empty buckets, charged to the namespace's memory cgroup. */
static struct sslv_flow_buckets *sslv_flow_buckets_alloc(struct sslv_net *sn,
							 u32 n)
{
	struct sslv_flow_buckets *tab;
	struct mem_cgroup *memcg;
	u32 i;

	memcg = set_active_memcg(sn->memcg);
	tab = kvmalloc(struct_size(tab, b, n) +
		       BITS_TO_LONGS(n / SSLV_GC_GROUP) * sizeof(long),
		       GFP_KERNEL_ACCOUNT);
	set_active_memcg(memcg);
	if (!tab)
		return NULL;
	tab->n = n;
	tab->busy = (unsigned long *)&tab->b[n];
	bitmap_zero(tab->busy, n / SSLV_GC_GROUP);
	for (i = 0; i < n; i++)
		INIT_HLIST_NULLS_HEAD(&tab->b[i], i);
	return tab;
}

/*
 * Move the first flow of @old's bucket @b to @tab. Returns false when
 * that bucket is empty.
 */
static bool sslv_flow_move(struct sslv_net *sn, struct sslv_flow_buckets *old,
			   struct sslv_flow_buckets *tab, u32 b)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct hlist_nulls_node *pos;
	struct sslv_flow *f, *e;
	bool dup = false;
	u32 nb;

	spin_lock_bh(sslv_bucket_lock(ft, b));
	if (hlist_nulls_empty(&old->b[b])) {
		spin_unlock_bh(sslv_bucket_lock(ft, b));
		return false;
	}
	f = hlist_nulls_entry(old->b[b].first, struct sslv_flow, node);
	/* The same lock: hash % SSLV_FLOW_LOCKS == b % SSLV_FLOW_LOCKS. */
	nb = sslv_flow_hash(&f->key) & (tab->n - 1);
	spin_lock(&f->lock);
	hlist_nulls_for_each_entry(e, pos, &tab->b[nb], node)
		if (sslv_key_eq(&e->key, &f->key))
			dup = true;
	if (dup) {
		sslv_flow_unhash(ft, f);
	} else {
		hlist_nulls_del_rcu(&f->node);
		hlist_nulls_add_head_rcu(&f->node, &tab->b[nb]);
		sslv_flow_mark(tab, nb);
	}
	spin_unlock(&f->lock);
	spin_unlock_bh(sslv_bucket_lock(ft, b));
	if (dup)
		sslv_flow_release(sn, f, SSLV_R_FLUSH);
	return true;
}

/*
 * Swap in a table of the size @max_flows asks for. Each flow keeps its
 * lock (hash % SSLV_FLOW_LOCKS in every table). An insertion reads the
 * buckets under its lock, so once the new ones are published and a grace
 * period has passed, every insertion goes there; the flows of the old
 * ones are then moved, a bucket at a time under its lock. A lookup in
 * the meantime may miss a flow not yet moved: its packet then inserts the
 * flow anew in the new table, and the old one, met there when moved, ends
 * (SSLV_R_FLUSH). Readers diverted from an old chain into a new one see
 * another nulls value and start again, from the new buckets.
 */
void sslv_flow_resize(struct sslv_net *sn, u32 max_flows)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow_buckets *old, *tab;
	u32 b, n = sslv_flow_hashsize(max_flows);

	lockdep_assert_held(&sslv_cfg_mutex);
	old = rcu_dereference_protected(ft->tab,
					lockdep_is_held(&sslv_cfg_mutex));
	if (ft->nbuckets || old->n == n)
		return;		/* fixed by hashsize=, or the right size */
	tab = sslv_flow_buckets_alloc(sn, n);
	if (!tab)
		return;		/* longer chains, no harm */
	rcu_assign_pointer(ft->tab, tab);
	synchronize_rcu();

	for (b = 0; b < old->n; b++) {
		u32 moved = 0;

		while (sslv_flow_move(sn, old, tab, b))
			if (!(++moved % 64))
				cond_resched();
		if (!(b % 64))
			cond_resched();
	}
	sslv_flow_gc_kick(sn);	/* flows were moved behind the sweep */
	/* Readers that found a moved flow's old chain are gone, then. */
	synchronize_rcu();
	kvfree(old);
}

int sslv_flow_init(struct sslv_net *sn)
{
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow_buckets *tab;
	int owner;
	u32 i;

	owner = ida_alloc_range(&sslv_owner_ida, 1, U16_MAX, GFP_KERNEL);
	if (owner == -ENOSPC)
		pr_warn_once("sslv: more than %u namespaces: flows untracked in the newest\n",
			     U16_MAX);
	else if (owner < 0)
		return owner;
	sn->owner = owner > 0 ? owner : 0;
	tab = sslv_flow_buckets_alloc(sn, ft->nbuckets ?:
				      sslv_flow_hashsize(ft->max_flows));
	ft->locks = kvmalloc_array(SSLV_FLOW_LOCKS, sizeof(*ft->locks),
				   GFP_KERNEL_ACCOUNT);
	if (!tab || !ft->locks) {
		kvfree(tab);
		kvfree(ft->locks);
		if (sn->owner)
			ida_free(&sslv_owner_ida, sn->owner);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(ft->tab, tab);
	for (i = 0; i < SSLV_FLOW_LOCKS; i++)
		spin_lock_init(&ft->locks[i]);
	atomic_set(&ft->count, 0);
	set_bit(0, &ft->gc_kick);
	INIT_DELAYED_WORK(&ft->gc, sslv_flow_gc);
	queue_delayed_work(system_power_efficient_wq, &ft->gc,
			   SSLV_GC_INTERVAL);
	return 0;
}

void sslv_flow_exit(struct sslv_net *sn)
{
	cancel_delayed_work_sync(&sn->ft.gc);
	sslv_flow_flush(sn);
	kvfree(rcu_dereference_protected(sn->ft.tab, 1));
	kvfree(sn->ft.locks);
	if (sn->owner)
		ida_free(&sslv_owner_ida, sn->owner);
}
