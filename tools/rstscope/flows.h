/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The flow table: flows keyed like the module's (VLAN, addresses, ports,
 * either direction), each with the shared TCP tracker. Closed flows stay so
 * that a late RST is recognised as after-teardown; when the table is full
 * the flow seen least recently makes room.
 */
#ifndef RSTSCOPE_FLOWS_H
#define RSTSCOPE_FLOWS_H

#include "decode.h"
#include "zeek.h"

struct rs_flow {
	struct rs_flow *hnext;		/* hash chain */
	struct rs_flow *older, *newer;	/* recency list */
	u8 family;
	u16 vlan;
	struct rs_endpoint client, server;
	struct sslv_tcp tcp;
	struct rs_zeek zeek;		/* Zeek's history and conn_state */
	struct rs_ring *ring;		/* last segments, with ladders on */
	struct rs_ladder *ladder;	/* the ladder being drawn, or NULL */
};

struct rs_flows {
	struct rs_flow **buckets;
	u32 mask;			/* buckets - 1, a power of two less one */
	u32 count, cap;
	struct rs_flow *oldest, *newest;
	unsigned long created, evicted;
	/* Called for each flow about to be freed (eviction, the end). */
	void (*on_end)(void *ctx, struct rs_flow *f);
	void *ctx;
};

static inline bool rs_endpoint_eq(const struct rs_endpoint *a,
				  const struct rs_endpoint *b)
{
	return a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The direction @pkt travels in @f (SSLV_DIR_ORIG: client to server). */
static inline int rs_flow_dir(const struct rs_flow *f, const struct rs_pkt *pkt)
{
	return rs_endpoint_eq(&f->client, &pkt->src) ? SSLV_DIR_ORIG :
						       SSLV_DIR_REPLY;
}

/* A table of at most @cap flows; false when out of memory. */
bool rs_flows_init(struct rs_flows *fl, u32 cap);
void rs_flows_free(struct rs_flows *fl);

/*
 * The flow @pkt belongs to, marked as the most recently seen, and in @dir
 * the direction @pkt travels (SSLV_DIR_ORIG: client to server); NULL if
 * none is known.
 */
struct rs_flow *rs_flows_find(struct rs_flows *fl, const struct rs_pkt *pkt,
			      int *dir);

/*
 * A new flow started with @pkt at @now_ms; evicts the least recently seen
 * flow when full. NULL when out of memory. @pkt's sender is the client,
 * unless @pkt is a SYN-ACK (the client's SYN was missed).
 */
struct rs_flow *rs_flows_add(struct rs_flows *fl, const struct rs_pkt *pkt,
			     u32 now_ms);

/* Start @f over as a new connection, sides chosen as by rs_flows_add(). */
void rs_flows_restart(struct rs_flow *f, const struct rs_pkt *pkt, u32 now_ms);

#endif /* RSTSCOPE_FLOWS_H */
