// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands of the decrypting daemon: its registration and its
 * end-of-session reports (include/uapi/linux/sslv.h, SSLV_CMD_DECRYPT_*).
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

int sslv_nl_decrypt_register(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_DECRYPT_PORT) ||
	    GENL_REQ_ATTR_CHECK(info, SSLV_A_DECRYPT_MARK))
		return -EINVAL;
	if (!info->snd_portid) {
		NL_SET_ERR_MSG(info->extack, "the kernel cannot be sslvd");
		return -EINVAL;
	}
	mutex_lock(&sslv_cfg_mutex);
	err = sslv_decrypt_register(sn, info->snd_portid,
			nla_get_u16(info->attrs[SSLV_A_DECRYPT_PORT]),
			nla_get_u32(info->attrs[SSLV_A_DECRYPT_MARK]));
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack,
			       "another sslvd serves this namespace (config: decrypt-daemon)");
	return err;
}

/* A report's flow: its key from the SSLV_A_FLOW nest @tb. */
static int sslv_report_key(struct nlattr **tb, struct nlattr *nest,
			   struct netlink_ext_ack *extack,
			   struct sslv_flow_key *k, bool *client_b)
{
	static const int need[] = {
		SSLV_FLOW_FAMILY, SSLV_FLOW_SADDR, SSLV_FLOW_DADDR,
		SSLV_FLOW_SPORT, SSLV_FLOW_DPORT,
	};
	const void *c, *s;
	__be16 cp, sp;
	unsigned int alen, i;

	for (i = 0; i < ARRAY_SIZE(need); i++) {
		if (!tb[need[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "the flow needs family, addresses and ports");
			return -EINVAL;
		}
	}
	memset(k, 0, sizeof(*k));
	k->family = nla_get_u8(tb[SSLV_FLOW_FAMILY]);
	if (k->family != AF_INET && k->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SSLV_FLOW_FAMILY],
				    "family is not AF_INET or AF_INET6");
		return -EINVAL;
	}
	alen = k->family == AF_INET ? 4 : 16;
	if (nla_len(tb[SSLV_FLOW_SADDR]) != alen ||
	    nla_len(tb[SSLV_FLOW_DADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "an address's length is not its family's");
		return -EINVAL;
	}
	if (tb[SSLV_FLOW_VLAN])
		k->vlan = nla_get_u16(tb[SSLV_FLOW_VLAN]);
	c = nla_data(tb[SSLV_FLOW_SADDR]);
	s = nla_data(tb[SSLV_FLOW_DADDR]);
	cp = htons(nla_get_u16(tb[SSLV_FLOW_SPORT]));
	sp = htons(nla_get_u16(tb[SSLV_FLOW_DPORT]));
	*client_b = sslv_key_set(k, k->family, c, s, cp, sp);
	return 0;
}

static void sslv_report_count(struct sslv_net *sn, struct nlattr **st)
{
	u8 ktls = st[SSLV_SESS_KTLS] ? nla_get_u8(st[SSLV_SESS_KTLS]) : 0;

	sslv_inc(sn, decrypt_sessions);
	if (st[SSLV_SESS_VERIFIED] && !nla_get_u8(st[SSLV_SESS_VERIFIED]))
		sslv_inc(sn, decrypt_unverified);
	if (st[SSLV_SESS_CACHE_HIT] && nla_get_u8(st[SSLV_SESS_CACHE_HIT]))
		sslv_inc(sn, decrypt_cache_hits);
	if (st[SSLV_SESS_KTLS] && ktls != SSLV_KTLS_ALL)
		sslv_inc(sn, decrypt_ktls_partial);
	if (st[SSLV_SESS_CLOSE] &&
	    nla_get_u8(st[SSLV_SESS_CLOSE]) != SSLV_CLOSE_DONE)
		sslv_inc(sn, decrypt_failed);
	if (st[SSLV_SESS_BYTES_ORIG])
		sslv_add(sn, decrypt_bytes_orig,
			 nla_get_u64(st[SSLV_SESS_BYTES_ORIG]));
	if (st[SSLV_SESS_BYTES_REPLY])
		sslv_add(sn, decrypt_bytes_reply,
			 nla_get_u64(st[SSLV_SESS_BYTES_REPLY]));
	/* The attached IPS (nl_ips.c). */
	if (st[SSLV_SESS_IPS] && nla_get_u8(st[SSLV_SESS_IPS]))
		sslv_inc(sn, ips_flows);
	if (st[SSLV_SESS_IPS_RSTS])
		sslv_add(sn, T_ssl_ips_reject,
			 nla_get_u32(st[SSLV_SESS_IPS_RSTS]));
	if (st[SSLV_SESS_CLOSE]) {
		u8 close = nla_get_u8(st[SSLV_SESS_CLOSE]);

		if (close == SSLV_CLOSE_IPS_DROP)
			sslv_inc(sn, ips_drop_flows);
		else if (close == SSLV_CLOSE_IPS_RESET)
			sslv_inc(sn, ips_reset_flows);
	}
}

int sslv_nl_decrypt_session(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct nlattr *st[SSLV_SESS_MAX + 1] = {};
	struct nlattr *tb[SSLV_FLOW_MAX + 1];
	struct sslv_flow_key key;
	struct sslv_flow *f, gone;
	bool client_b;
	u8 close;
	u32 id;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_FLOW_ID) ||
	    GENL_REQ_ATTR_CHECK(info, SSLV_A_FLOW))
		return -EINVAL;
	if (!info->snd_portid || info->snd_portid != READ_ONCE(sn->dec.portid)) {
		NL_SET_ERR_MSG(info->extack,
			       "only the registered sslvd reports sessions");
		return -EPERM;
	}
	err = nla_parse_nested(tb, SSLV_FLOW_MAX, info->attrs[SSLV_A_FLOW],
			       sslv_flow_policy, info->extack);
	if (err)
		return err;
	err = sslv_report_key(tb, info->attrs[SSLV_A_FLOW], info->extack, &key,
			      &client_b);
	if (err)
		return err;
	if (info->attrs[SSLV_A_SESSION]) {
		err = nla_parse_nested(st, SSLV_SESS_MAX,
				       info->attrs[SSLV_A_SESSION],
				       sslv_sess_policy, info->extack);
		if (err)
			return err;
	}
	id = nla_get_u32(info->attrs[SSLV_A_FLOW_ID]);
	close = st[SSLV_SESS_CLOSE] ? nla_get_u8(st[SSLV_SESS_CLOSE]) :
				       SSLV_CLOSE_DONE;

	sslv_report_count(sn, st);
	/* sslvd resets both legs next: those RSTs are the IPS's. */
	if (close == SSLV_CLOSE_IPS_DROP || close == SSLV_CLOSE_IPS_RESET)
		sslv_ips_killed_add(sn, id);
	local_bh_disable();
	rcu_read_lock();
	f = sslv_flow_find(sn, &key, sslv_flow_hash(&key));
	if (f && f->id != id) {
		spin_unlock(&f->lock);
		f = NULL;
	}
	if (f) {
		sslv_event_decrypted(sn, f, st);
		/* sslvd resets both legs next, as the policy says: a reject. */
		if (close == SSLV_CLOSE_UPSTREAM_INVALID) {
			f->verdict = SSLV_ACT_REJECT;
			sslv_flow_gc_kick(sn);	/* its timeout changed */
		}
		spin_unlock(&f->lock);
	} else {
		/* Gone from the table: the event names it by its report. */
		memset(&gone, 0, sizeof(gone));
		gone.key = key;
		gone.id = id;
		gone.verdict = SSLV_ACT_DECRYPT;
		gone.flags = SSLV_FF_DIVERT | SSLV_FF_HS_DONE |
			     (client_b ? SSLV_FF_CLIENT_B : 0);
		gone.tcp.state = SSLV_FS_CLOSED;
		gone.tcp.last_ms = sslv_now_ms();
		sslv_event_decrypted(sn, &gone, st);
	}
	rcu_read_unlock();
	local_bh_enable();
	return 0;
}
