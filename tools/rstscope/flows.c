// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Flow table: chained hash buckets, hashed the same from either end, and a
 * doubly linked recency list whose oldest end is evicted when full.
 */
#include <stdlib.h>

#include "flows.h"

static u32 rs_endpoint_hash(const struct rs_endpoint *e)
{
	u32 h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(e->addr); i++)
		h = (h ^ e->addr[i]) * 16777619u;
	h = (h ^ (e->port & 0xff)) * 16777619u;
	return (h ^ (e->port >> 8)) * 16777619u;
}

static u32 rs_flow_hash(const struct rs_flows *fl, const struct rs_pkt *pkt)
{
	/* The sum does not care which end sent the packet. */
	u32 h = rs_endpoint_hash(&pkt->src) + rs_endpoint_hash(&pkt->dst);

	h = (h ^ ((u32)pkt->vlan << 8 | pkt->family)) * 0x9e3779b1u;
	return (h ^ h >> 16) & fl->mask;
}

bool rs_flows_init(struct rs_flows *fl, u32 cap)
{
	u32 n = 1;

	memset(fl, 0, sizeof(*fl));
	while (n < cap && n < (1u << 24))
		n <<= 1;
	fl->buckets = calloc(n, sizeof(*fl->buckets));
	fl->mask = n - 1;
	fl->cap = cap ? cap : 1;
	return fl->buckets != NULL;
}

void rs_flows_free(struct rs_flows *fl)
{
	struct rs_flow *f = fl->oldest, *next;

	for (; f; f = next) {
		next = f->newer;
		if (fl->on_end)
			fl->on_end(fl->ctx, f);
		free(f->ring);
		free(f);
	}
	free(fl->buckets);
	memset(fl, 0, sizeof(*fl));
}

static void rs_list_unlink(struct rs_flows *fl, struct rs_flow *f)
{
	if (f->older)
		f->older->newer = f->newer;
	else
		fl->oldest = f->newer;
	if (f->newer)
		f->newer->older = f->older;
	else
		fl->newest = f->older;
	f->older = NULL;
	f->newer = NULL;
}

static void rs_list_push(struct rs_flows *fl, struct rs_flow *f)
{
	f->older = fl->newest;
	f->newer = NULL;
	if (fl->newest)
		fl->newest->newer = f;
	else
		fl->oldest = f;
	fl->newest = f;
}

struct rs_flow *rs_flows_find(struct rs_flows *fl, const struct rs_pkt *pkt,
			      int *dir)
{
	struct rs_flow *f = fl->buckets[rs_flow_hash(fl, pkt)];

	for (; f; f = f->hnext) {
		if (f->vlan != pkt->vlan || f->family != pkt->family)
			continue;
		if (rs_endpoint_eq(&f->client, &pkt->src) &&
		    rs_endpoint_eq(&f->server, &pkt->dst))
			*dir = SSLV_DIR_ORIG;
		else if (rs_endpoint_eq(&f->server, &pkt->src) &&
			 rs_endpoint_eq(&f->client, &pkt->dst))
			*dir = SSLV_DIR_REPLY;
		else
			continue;
		rs_list_unlink(fl, f);
		rs_list_push(fl, f);
		return f;
	}
	return NULL;
}

static void rs_flows_evict_oldest(struct rs_flows *fl)
{
	struct rs_flow *victim = fl->oldest;
	struct rs_pkt key = {
		.family = victim->family,
		.vlan = victim->vlan,
		.src = victim->client,
		.dst = victim->server,
	};
	struct rs_flow **pp = &fl->buckets[rs_flow_hash(fl, &key)];

	while (*pp != victim)
		pp = &(*pp)->hnext;
	*pp = victim->hnext;
	rs_list_unlink(fl, victim);
	if (fl->on_end)
		fl->on_end(fl->ctx, victim);
	free(victim->ring);
	free(victim);
	fl->count--;
	fl->evicted++;
}

void rs_flows_restart(struct rs_flow *f, const struct rs_pkt *pkt, u32 now_ms)
{
	u8 synack = pkt->seg.flags & (SSLV_TH_SYN | SSLV_TH_ACK);
	int dir = synack == (SSLV_TH_SYN | SSLV_TH_ACK) ? SSLV_DIR_REPLY :
							  SSLV_DIR_ORIG;

	f->client = dir == SSLV_DIR_ORIG ? pkt->src : pkt->dst;
	f->server = dir == SSLV_DIR_ORIG ? pkt->dst : pkt->src;
	sslv_tcp_init(&f->tcp, dir, &pkt->seg, now_ms);
	rs_zeek_init(&f->zeek, dir == SSLV_DIR_REPLY);
}

struct rs_flow *rs_flows_add(struct rs_flows *fl, const struct rs_pkt *pkt,
			     u32 now_ms)
{
	struct rs_flow *f;
	u32 b;

	if (fl->count >= fl->cap)
		rs_flows_evict_oldest(fl);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->family = pkt->family;
	f->vlan = pkt->vlan;
	rs_flows_restart(f, pkt, now_ms);

	b = rs_flow_hash(fl, pkt);
	f->hnext = fl->buckets[b];
	fl->buckets[b] = f;
	rs_list_push(fl, f);
	fl->count++;
	fl->created++;
	return f;
}
