// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands on flows: the filtered flow dump, rejecting one flow by
 * id, and the SSLV_A_FLOW nest that events carry too.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

static u8 sslv_flow_state(const struct sslv_flow *f)
{
	if (f->verdict == SSLV_ACT_REJECT)
		return SSLV_FS_REJECTED;
	if (f->verdict == SSLV_ACT_DROP)
		return SSLV_FS_DROPPED;
	return f->tcp.state;
}

/* Fill an SSLV_A_FLOW nest; @f is locked or private to the caller. */
int sslv_nl_flow_fill(struct sk_buff *skb, const struct sslv_flow *f)
{
	bool cb = f->flags & SSLV_FF_CLIENT_B;
	const struct in6_addr *client = cb ? &f->key.b : &f->key.a;
	const struct in6_addr *server = cb ? &f->key.a : &f->key.b;
	u32 flags = 0, age = sslv_now_ms() - f->tcp.last_ms;
	struct nlattr *nest;

	if (f->tcp.flags & SSLV_TCP_F_MIDSTREAM)
		flags |= SSLV_FLOW_F_MIDSTREAM;
	if (f->flags & SSLV_FF_TAP)
		flags |= SSLV_FLOW_F_TAP;
	if (f->flags & SSLV_FF_DIVERT)
		flags |= SSLV_FLOW_F_DIVERTED;
	if ((s32)age < 0)
		age = 0;

	nest = nla_nest_start(skb, SSLV_A_FLOW);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SSLV_FLOW_ID, f->id) ||
	    nla_put_u8(skb, SSLV_FLOW_FAMILY, f->key.family) ||
	    sslv_nl_put_addr(skb, SSLV_FLOW_SADDR, f->key.family, client) ||
	    sslv_nl_put_addr(skb, SSLV_FLOW_DADDR, f->key.family, server) ||
	    nla_put_u16(skb, SSLV_FLOW_SPORT,
			ntohs(cb ? f->key.port_b : f->key.port_a)) ||
	    nla_put_u16(skb, SSLV_FLOW_DPORT,
			ntohs(cb ? f->key.port_a : f->key.port_b)) ||
	    nla_put_u16(skb, SSLV_FLOW_VLAN, f->key.vlan) ||
	    nla_put_u8(skb, SSLV_FLOW_STATE, sslv_flow_state(f)) ||
	    nla_put_u32(skb, SSLV_FLOW_FLAGS, flags) ||
	    nla_put_u32(skb, SSLV_FLOW_AGE_MS, age) ||
	    nla_put_u32(skb, SSLV_FLOW_ORIG_IFINDEX, f->ifindex[0]) ||
	    nla_put_u32(skb, SSLV_FLOW_REPLY_IFINDEX, f->ifindex[1]) ||
	    nla_put_u8(skb, SSLV_FLOW_ORIG_TTL, f->tcp.d[0].ttl) ||
	    nla_put_u8(skb, SSLV_FLOW_REPLY_TTL, f->tcp.d[1].ttl) ||
	    nla_put_u32(skb, SSLV_FLOW_ORIG_SEQ, f->tcp.d[0].next) ||
	    nla_put_u32(skb, SSLV_FLOW_REPLY_SEQ, f->tcp.d[1].next) ||
	    (!(f->flags & SSLV_FF_PENDING) &&
	     nla_put_u8(skb, SSLV_FLOW_ACTION, f->verdict))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Exact-match filters of a flow dump request; absent fields match all. */
struct sslv_flow_filter {
	struct nlattr *tb[SSLV_FLOW_MAX + 1];
};

static bool sslv_filter_addr(const struct nlattr *a, const struct in6_addr *v,
			     u8 family)
{
	return !a || (nla_len(a) == (family == AF_INET ? 4 : 16) &&
		      !memcmp(nla_data(a), v, nla_len(a)));
}

static bool sslv_flow_wanted(const struct sslv_flow_filter *flt,
			     const struct sslv_flow *f)
{
	struct nlattr *const *tb = flt->tb;
	bool cb = f->flags & SSLV_FF_CLIENT_B;

	if (tb[SSLV_FLOW_FAMILY] &&
	    nla_get_u8(tb[SSLV_FLOW_FAMILY]) != f->key.family)
		return false;
	if (!sslv_filter_addr(tb[SSLV_FLOW_SADDR], cb ? &f->key.b : &f->key.a,
			      f->key.family) ||
	    !sslv_filter_addr(tb[SSLV_FLOW_DADDR], cb ? &f->key.a : &f->key.b,
			      f->key.family))
		return false;
	if (tb[SSLV_FLOW_SPORT] && nla_get_u16(tb[SSLV_FLOW_SPORT]) !=
	    ntohs(cb ? f->key.port_b : f->key.port_a))
		return false;
	if (tb[SSLV_FLOW_DPORT] && nla_get_u16(tb[SSLV_FLOW_DPORT]) !=
	    ntohs(cb ? f->key.port_a : f->key.port_b))
		return false;
	if (tb[SSLV_FLOW_VLAN] &&
	    nla_get_u16(tb[SSLV_FLOW_VLAN]) != f->key.vlan)
		return false;
	if (tb[SSLV_FLOW_STATE] &&
	    nla_get_u8(tb[SSLV_FLOW_STATE]) != sslv_flow_state(f))
		return false;
	return true;
}

/*
 * cb->args[0]: bucket; cb->args[1]: flows of that bucket already dumped.
 * A flow inserted or removed in a bucket between two dump calls may be
 * skipped or repeated, as with every hash-table dump.
 */
int sslv_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sslv_net *sn = sslv_pernet(sock_net(skb->sk));
	struct nlattr **attrs = sslv_dump_attrs(cb);
	struct sslv_flow_table *ft = &sn->ft;
	struct sslv_flow_filter flt = {};
	u32 b = cb->args[0];
	int err;

	if (attrs[SSLV_A_FLOW]) {
		err = nla_parse_nested(flt.tb, SSLV_FLOW_MAX, attrs[SSLV_A_FLOW],
				       sslv_flow_policy, cb->extack);
		if (err)
			return err;
	}

	for (; b < sslv_flow_nbuckets(sn); b++, cb->args[1] = 0) {
		struct sslv_flow_buckets *tab;
		struct hlist_nulls_node *n;
		struct sslv_flow *f;
		long skip = cb->args[1], pos = 0;
		bool full = false;

		spin_lock_bh(&ft->locks[b % SSLV_FLOW_LOCKS]);
		tab = sslv_flow_tab_locked(ft);
		if (b >= tab->n) {	/* resized since */
			spin_unlock_bh(&ft->locks[b % SSLV_FLOW_LOCKS]);
			break;
		}
		hlist_nulls_for_each_entry(f, n, &tab->b[b], node) {
			void *hdr;

			if (pos++ < skip)
				continue;
			spin_lock(&f->lock);
			if (!sslv_flow_wanted(&flt, f)) {
				spin_unlock(&f->lock);
				continue;
			}
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &sslv_family,
					  NLM_F_MULTI, SSLV_CMD_FLOW_GET);
			if (!hdr || sslv_nl_flow_fill(skb, f)) {
				spin_unlock(&f->lock);
				if (hdr)
					genlmsg_cancel(skb, hdr);
				full = true;
				pos--;
				break;
			}
			spin_unlock(&f->lock);
			genlmsg_end(skb, hdr);
		}
		spin_unlock_bh(&ft->locks[b % SSLV_FLOW_LOCKS]);
		if (full) {
			cb->args[1] = pos;
			break;
		}
	}
	cb->args[0] = b;
	return skb->len;
}

int sslv_nl_flow_reject(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sslv_flow *f;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_FLOW_ID))
		return -EINVAL;
	f = sslv_flow_find_id(sn, nla_get_u32(info->attrs[SSLV_A_FLOW_ID]));
	if (!f) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_FLOW_ID],
				    "no flow with this id");
		return -ENOENT;
	}
	/* find_id returns the flow locked with BH disabled. */
	if (sslv_act_stops(f->verdict)) {
		spin_unlock_bh(&f->lock);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_FLOW_ID],
				    "flow is already rejected or dropped");
		return -EALREADY;
	}
	sslv_engine_reject(sn, f, SSLV_R_OPERATOR, 0);
	local_bh_enable();
	return 0;
}
