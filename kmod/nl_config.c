// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands on a namespace's settings: the mode and its tap device,
 * the flow table's limit and timeouts, RST and client-certificate options,
 * the handshake reading's memory bound and deadline, and the counters.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

int sslv_nl_mode_get(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sk_buff *skb;
	void *hdr;

	skb = sslv_reply_new(info, SSLV_CMD_MODE_GET, NLMSG_GOODSIZE, &hdr);
	if (!skb)
		return -ENOMEM;
	mutex_lock(&sslv_cfg_mutex);
	if (nla_put_u8(skb, SSLV_A_MODE, sn->mode) ||
	    (sn->tap_ifindex &&
	     nla_put_u32(skb, SSLV_A_IFINDEX, sn->tap_ifindex))) {
		mutex_unlock(&sslv_cfg_mutex);
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	mutex_unlock(&sslv_cfg_mutex);
	return sslv_reply_send(skb, hdr, info);
}

int sslv_nl_mode_set(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	int ifindex = 0, err;
	u8 mode;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_MODE))
		return -EINVAL;
	mode = nla_get_u8(info->attrs[SSLV_A_MODE]);
	if (mode == SSLV_MODE_PASSIVE_TAP) {
		if (GENL_REQ_ATTR_CHECK(info, SSLV_A_IFINDEX))
			return -EINVAL;
		ifindex = nla_get_u32(info->attrs[SSLV_A_IFINDEX]);
	} else if (info->attrs[SSLV_A_IFINDEX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_IFINDEX],
				    "a device is only taken in passive-tap mode");
		return -EINVAL;
	}

	mutex_lock(&sslv_cfg_mutex);
	err = sslv_mode_set(sn, mode, ifindex);
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENODEV)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_IFINDEX],
				    "no such device");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_IFINDEX],
				    "the tap device must not be a bridge or a bridge port");
	return err;
}

static const struct {
	int attr;
	size_t off;
} sslv_timeout_attrs[] = {
	{ SSLV_A_TIMEOUT_HANDSHAKE, offsetof(struct sslv_timeouts, handshake) },
	{ SSLV_A_TIMEOUT_ESTABLISHED, offsetof(struct sslv_timeouts, established) },
	{ SSLV_A_TIMEOUT_CLOSING, offsetof(struct sslv_timeouts, closing) },
	{ SSLV_A_TIMEOUT_CLOSED, offsetof(struct sslv_timeouts, closed) },
	{ SSLV_A_TIMEOUT_REJECTED, offsetof(struct sslv_timeouts, rejected) },
};

static u32 *sslv_timeout(struct sslv_net *sn, int i)
{
	return (u32 *)((u8 *)&sn->timeouts + sslv_timeout_attrs[i].off);
}

int sslv_nl_config_get(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sk_buff *skb;
	void *hdr;
	int i;

	skb = sslv_reply_new(info, SSLV_CMD_CONFIG_GET, NLMSG_GOODSIZE, &hdr);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, SSLV_A_MAX_FLOWS, READ_ONCE(sn->ft.max_flows)) ||
	    nla_put_u32(skb, SSLV_A_FLOWS_CURRENT, atomic_read(&sn->ft.count)) ||
	    nla_put_u32(skb, SSLV_A_RST_IDLE_MS, READ_ONCE(sn->rst_cfg.idle_ms)) ||
	    nla_put_u8(skb, SSLV_A_CLIENT_CERT,
		       READ_ONCE(sn->client_cert_action)) ||
	    nla_put_u32(skb, SSLV_A_HS_BYTES, atomic_read(&sn->hs_bytes)) ||
	    nla_put_u32(skb, SSLV_A_HS_MEM, READ_ONCE(sn->hs_mem)) ||
	    nla_put_u32(skb, SSLV_A_HS_TIMEOUT,
			READ_ONCE(sn->hs_timeout_ms) / MSEC_PER_SEC) ||
	    nla_put_u32(skb, SSLV_A_RST_RATE, READ_ONCE(sn->rst_rate.rate)) ||
	    nla_put_u8(skb, SSLV_A_DECRYPT_UNAVAILABLE,
		       READ_ONCE(sn->dec.unavailable)) ||
	    nla_put_u8(skb, SSLV_A_UPSTREAM_INVALID,
		       READ_ONCE(sn->dec.upstream_invalid)) ||
	    nla_put_u32(skb, SSLV_A_DECRYPT_PORTID, READ_ONCE(sn->dec.portid)) ||
	    nla_put_u8(skb, SSLV_A_IPS_FAIL, READ_ONCE(sn->ips.fail)))
		goto nospace;
	for (i = 0; i < ARRAY_SIZE(sslv_timeout_attrs); i++)
		if (nla_put_u32(skb, sslv_timeout_attrs[i].attr,
				READ_ONCE(*sslv_timeout(sn, i)) / MSEC_PER_SEC))
			goto nospace;
	return sslv_reply_send(skb, hdr, info);
nospace:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

int sslv_nl_config_set(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	int i;

	if (info->attrs[SSLV_A_MAX_FLOWS] &&
	    nla_get_u32(info->attrs[SSLV_A_MAX_FLOWS]) > sslv_flows_limit) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_MAX_FLOWS],
				    "max-flows above this host's limit (module parameter flows_limit)");
		return -ERANGE;
	}
	mutex_lock(&sslv_cfg_mutex);
	if (info->attrs[SSLV_A_MAX_FLOWS]) {
		WRITE_ONCE(sn->ft.max_flows,
			   nla_get_u32(info->attrs[SSLV_A_MAX_FLOWS]));
		sslv_flow_resize(sn, sn->ft.max_flows);
	}
	if (info->attrs[SSLV_A_RST_IDLE_MS])
		WRITE_ONCE(sn->rst_cfg.idle_ms,
			   nla_get_u32(info->attrs[SSLV_A_RST_IDLE_MS]));
	if (info->attrs[SSLV_A_CLIENT_CERT])
		WRITE_ONCE(sn->client_cert_action,
			   nla_get_u8(info->attrs[SSLV_A_CLIENT_CERT]));
	if (info->attrs[SSLV_A_DECRYPT_UNAVAILABLE])
		WRITE_ONCE(sn->dec.unavailable,
			   nla_get_u8(info->attrs[SSLV_A_DECRYPT_UNAVAILABLE]));
	if (info->attrs[SSLV_A_UPSTREAM_INVALID])
		WRITE_ONCE(sn->dec.upstream_invalid,
			   nla_get_u8(info->attrs[SSLV_A_UPSTREAM_INVALID]));
	if (info->attrs[SSLV_A_IPS_FAIL])
		WRITE_ONCE(sn->ips.fail,
			   nla_get_u8(info->attrs[SSLV_A_IPS_FAIL]));
	if (info->attrs[SSLV_A_RST_RATE])
		WRITE_ONCE(sn->rst_rate.rate,
			   nla_get_u32(info->attrs[SSLV_A_RST_RATE]));
	if (info->attrs[SSLV_A_HS_MEM])
		WRITE_ONCE(sn->hs_mem, nla_get_u32(info->attrs[SSLV_A_HS_MEM]));
	if (info->attrs[SSLV_A_HS_TIMEOUT])
		WRITE_ONCE(sn->hs_timeout_ms,
			   nla_get_u32(info->attrs[SSLV_A_HS_TIMEOUT]) *
			   MSEC_PER_SEC);
	for (i = 0; i < ARRAY_SIZE(sslv_timeout_attrs); i++) {
		struct nlattr *a = info->attrs[sslv_timeout_attrs[i].attr];

		if (a)
			WRITE_ONCE(*sslv_timeout(sn, i),
				   nla_get_u32(a) * MSEC_PER_SEC);
	}
	sslv_flow_gc_kick(sn);	/* perhaps shorter timeouts */
	mutex_unlock(&sslv_cfg_mutex);
	return 0;
}

/* ---- stats ------------------------------------------------------------- */

static int sslv_nl_put_stat(struct sk_buff *skb, const char *name, u64 v)
{
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_STAT);

	if (!nest || nla_put_string(skb, SSLV_STAT_NAME, name) ||
	    nla_put_u64_64bit(skb, SSLV_STAT_VALUE, v, SSLV_STAT_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int sslv_nl_stats_get(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sk_buff *skb;
	void *hdr;
	int i, err = 0;

	skb = sslv_reply_new(info, SSLV_CMD_STATS_GET, NLMSG_GOODSIZE, &hdr);
	if (!skb)
		return -ENOMEM;
	for (i = 0; i < SSLV_ST_MAX && !err; i++)
		err = sslv_nl_put_stat(skb, sslv_stat_names[i],
				       sslv_stat_read(sn, i));
	if (!err)
		err = sslv_nl_put_stat(skb, "flows_current",
				       atomic_read(&sn->ft.count));
	if (!err)
		err = sslv_nl_put_stat(skb, "flows_max",
				       READ_ONCE(sn->ft.max_flows));
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return sslv_reply_send(skb, hdr, info);
}

int sslv_nl_stats_reset(struct sk_buff *in, struct genl_info *info)
{
	sslv_stats_reset(sslv_info_net(info));
	return 0;
}
