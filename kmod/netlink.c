// SPDX-License-Identifier: GPL-2.0
/*
 * The "sslv" generic netlink family; include/uapi/linux/sslv.h is its
 * documentation. Every command needs CAP_NET_ADMIN in the namespace owner's
 * user namespace, validation is strict, and configuration changes are
 * serialised by sslv_cfg_mutex. netlink.h lists the files that hold the
 * commands.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/notifier.h>
#include <net/sock.h>

#include "netlink.h"

const struct nla_policy sslv_rule_policy[SSLV_RULE_MAX + 1] = {
	[SSLV_RULE_ID]		= { .type = NLA_REJECT },
	[SSLV_RULE_FAMILY]	= { .type = NLA_U8 },
	[SSLV_RULE_SRC]		= { .type = NLA_BINARY, .len = 16 },
	[SSLV_RULE_SRC_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[SSLV_RULE_DST]		= { .type = NLA_BINARY, .len = 16 },
	[SSLV_RULE_DST_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[SSLV_RULE_SPORT_MIN]	= { .type = NLA_U16 },
	[SSLV_RULE_SPORT_MAX]	= { .type = NLA_U16 },
	[SSLV_RULE_DPORT_MIN]	= { .type = NLA_U16 },
	[SSLV_RULE_DPORT_MAX]	= { .type = NLA_U16 },
	[SSLV_RULE_VLAN]	= NLA_POLICY_MAX(NLA_U16, 4094),
	[SSLV_RULE_IIF]		= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_RULE_ACTION]	= NLA_POLICY_MAX(NLA_U8, __SSLV_ACT_MAX - 1),
	[SSLV_RULE_HITS]	= { .type = NLA_REJECT },
	[SSLV_RULE_SNI]		= { .type = NLA_STRING,
				    .len = SSLV_SNI_PATTERN_MAX },
	[SSLV_RULE_DOMSET]	= { .type = NLA_STRING,
				    .len = SSLV_DOMSET_NAME_MAX },
	[SSLV_RULE_ALPN]	= { .type = NLA_STRING,
				    .len = SSLV_TLS_ALPN_NAME_MAX },
	[SSLV_RULE_TLS_VER_MIN]	= NLA_POLICY_RANGE(NLA_U16, SSLV_TLS_VER_SSL3,
						   SSLV_TLS_VER_TLS13),
	[SSLV_RULE_TLS_VER_MAX]	= NLA_POLICY_RANGE(NLA_U16, SSLV_TLS_VER_SSL3,
						   SSLV_TLS_VER_TLS13),
	[SSLV_RULE_NONTLS]	= { .type = NLA_FLAG },
	[SSLV_RULE_UNDECRYPTABLE] = NLA_POLICY_MASK(NLA_U32, SSLV_UD_ALL),
	/* Bounds checked by nl_rule.c, which names what is wrong. */
	[SSLV_RULE_COMMENT]	= { .type = NLA_BINARY },
};

const struct nla_policy sslv_flow_policy[SSLV_FLOW_MAX + 1] = {
	[SSLV_FLOW_FAMILY]	= { .type = NLA_U8 },
	[SSLV_FLOW_SADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SSLV_FLOW_DADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SSLV_FLOW_SPORT]	= { .type = NLA_U16 },
	[SSLV_FLOW_DPORT]	= { .type = NLA_U16 },
	[SSLV_FLOW_VLAN]	= NLA_POLICY_MAX(NLA_U16, 4094),
	[SSLV_FLOW_STATE]	= NLA_POLICY_MAX(NLA_U8, __SSLV_FS_MAX - 1),
};

const struct nla_policy sslv_sess_policy[SSLV_SESS_MAX + 1] = {
	[SSLV_SESS_VERSION]	= { .type = NLA_U16 },
	[SSLV_SESS_CLIENT_VERSION] = { .type = NLA_U16 },
	[SSLV_SESS_CIPHER]	= { .type = NLA_U16 },
	[SSLV_SESS_SNI]		= { .type = NLA_BINARY, .len = 255 },
	[SSLV_SESS_ALPN]	= { .type = NLA_BINARY, .len = 255 },
	[SSLV_SESS_CLASSES]	= NLA_POLICY_MASK(NLA_U32, SSLV_UD_ALL),
	[SSLV_SESS_ACTION]	= NLA_POLICY_MAX(NLA_U8, __SSLV_ACT_MAX - 1),
	[SSLV_SESS_ERROR]	= { .type = NLA_REJECT },
	[SSLV_SESS_CLIENT_FLAGS] = { .type = NLA_REJECT },
	[SSLV_SESS_SERVER_FLAGS] = { .type = NLA_REJECT },
	[SSLV_SESS_VERIFY]	= { .type = NLA_U32 },
	[SSLV_SESS_VERIFIED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SSLV_SESS_CACHE_HIT]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SSLV_SESS_KTLS]	= NLA_POLICY_MASK(NLA_U8, SSLV_KTLS_ALL),
	[SSLV_SESS_BYTES_ORIG]	= { .type = NLA_U64 },
	[SSLV_SESS_BYTES_REPLY]	= { .type = NLA_U64 },
	[SSLV_SESS_CLOSE]	= NLA_POLICY_MAX(NLA_U8, __SSLV_CLOSE_MAX - 1),
	[SSLV_SESS_PAD]		= { .type = NLA_REJECT },
	[SSLV_SESS_IPS_RSTS]	= { .type = NLA_U32 },
	[SSLV_SESS_IPS]		= NLA_POLICY_MAX(NLA_U8, __SSLV_SESS_IPS_MAX - 1),
};

static struct netlink_range_validation sslv_timeout_range = {
	.min = 1, .max = 864000,	/* ten days */
};

static struct netlink_range_validation sslv_max_flows_range = {
	.min = 1, .max = 1U << 24,
};

static struct netlink_range_validation sslv_rst_rate_range = {
	.min = 1, .max = SSLV_RST_RATE_MAX,
};

static struct netlink_range_validation sslv_hs_mem_range = {
	.min = SSLV_HS_MEM_MIN, .max = SSLV_HS_MEM_MAX,
};

static struct netlink_range_validation sslv_hs_timeout_range = {
	.min = 1, .max = SSLV_HS_TIMEOUT_MAX,
};

#define SSLV_TIMEOUT_POLICY NLA_POLICY_FULL_RANGE(NLA_U32, &sslv_timeout_range)

static const struct nla_policy sslv_policy[SSLV_A_MAX + 1] = {
	[SSLV_A_MODE]		= NLA_POLICY_MAX(NLA_U8, __SSLV_MODE_MAX - 1),
	[SSLV_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_A_MAX_FLOWS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &sslv_max_flows_range),
	[SSLV_A_TIMEOUT_HANDSHAKE]	= SSLV_TIMEOUT_POLICY,
	[SSLV_A_TIMEOUT_ESTABLISHED]	= SSLV_TIMEOUT_POLICY,
	[SSLV_A_TIMEOUT_CLOSING]	= SSLV_TIMEOUT_POLICY,
	[SSLV_A_TIMEOUT_CLOSED]		= SSLV_TIMEOUT_POLICY,
	[SSLV_A_TIMEOUT_REJECTED]	= SSLV_TIMEOUT_POLICY,
	[SSLV_A_RULE]		= NLA_POLICY_NESTED(sslv_rule_policy),
	[SSLV_A_RULE_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_A_STAGE]		= { .type = NLA_FLAG },
	[SSLV_A_FLOW]		= NLA_POLICY_NESTED(sslv_flow_policy),
	[SSLV_A_FLOW_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_A_STAT]		= { .type = NLA_REJECT },
	[SSLV_A_EVENT]		= { .type = NLA_REJECT },
	[SSLV_A_REASON]		= { .type = NLA_REJECT },
	[SSLV_A_FLOWS_CURRENT]	= { .type = NLA_REJECT },
	[SSLV_A_RST]		= { .type = NLA_REJECT },
	[SSLV_A_RST_IDLE_MS]	= { .type = NLA_U32 },
	[SSLV_A_CLIENT_CERT]	= NLA_POLICY_MAX(NLA_U8, SSLV_ACT_DROP),
	[SSLV_A_DOMSET_NAME]	= { .type = NLA_STRING,
				    .len = SSLV_DOMSET_NAME_MAX },
	[SSLV_A_DOMAIN]		= { .type = NLA_STRING,
				    .len = SSLV_SNI_PATTERN_MAX + 2 },
	[SSLV_A_DOMSET_SIZE]	= { .type = NLA_REJECT },
	[SSLV_A_SESSION]	= NLA_POLICY_NESTED(sslv_sess_policy),
	[SSLV_A_HS_BYTES]	= { .type = NLA_REJECT },
	[SSLV_A_RST_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &sslv_rst_rate_range),
	[SSLV_A_EVENT_SEQ]	= { .type = NLA_REJECT },
	[SSLV_A_HS_MEM]		= NLA_POLICY_FULL_RANGE(NLA_U32, &sslv_hs_mem_range),
	[SSLV_A_HS_TIMEOUT]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&sslv_hs_timeout_range),
	[SSLV_A_DECRYPT_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SSLV_A_DECRYPT_MARK]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_A_DECRYPT_PORTID]	= { .type = NLA_REJECT },
	[SSLV_A_DECRYPT_UNAVAILABLE] = NLA_POLICY_MAX(NLA_U8, SSLV_ACT_REJECT),
	[SSLV_A_UPSTREAM_INVALID] = NLA_POLICY_MAX(NLA_U8,
						   __SSLV_UPSTREAM_MAX - 1),
	[SSLV_A_RULE_INDEX]	= { .type = NLA_U32 },
	[SSLV_A_RULE_BEFORE]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_A_RULE_AFTER]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SSLV_A_IPS]		= NLA_POLICY_NESTED(sslv_ips_policy),
	[SSLV_A_IPS_FAIL]	= NLA_POLICY_MAX(NLA_U8, __SSLV_IPS_FAIL_MAX - 1),
};

struct sk_buff *sslv_reply_new(struct genl_info *info, u8 cmd, size_t size,
			       void **hdr)
{
	struct sk_buff *skb = genlmsg_new(size, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &sslv_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

int sslv_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* ---- the family -------------------------------------------------------- */

#define SSLV_OP(c, fn) { .cmd = (c), .doit = (fn), .flags = GENL_UNS_ADMIN_PERM }

static const struct genl_ops sslv_ops[] = {
	SSLV_OP(SSLV_CMD_MODE_GET, sslv_nl_mode_get),
	SSLV_OP(SSLV_CMD_MODE_SET, sslv_nl_mode_set),
	SSLV_OP(SSLV_CMD_CONFIG_GET, sslv_nl_config_get),
	SSLV_OP(SSLV_CMD_CONFIG_SET, sslv_nl_config_set),
	SSLV_OP(SSLV_CMD_RULE_ADD, sslv_nl_rule_add),
	SSLV_OP(SSLV_CMD_RULE_DEL, sslv_nl_rule_del),
	{
		.cmd	= SSLV_CMD_RULE_GET,
		.dumpit	= sslv_nl_rule_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	SSLV_OP(SSLV_CMD_RULE_FLUSH, sslv_nl_rule_flush),
	SSLV_OP(SSLV_CMD_RULE_COMMIT, sslv_nl_rule_commit),
	{
		.cmd	= SSLV_CMD_FLOW_GET,
		.dumpit	= sslv_nl_flow_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	SSLV_OP(SSLV_CMD_FLOW_REJECT, sslv_nl_flow_reject),
	SSLV_OP(SSLV_CMD_STATS_GET, sslv_nl_stats_get),
	SSLV_OP(SSLV_CMD_STATS_RESET, sslv_nl_stats_reset),
	SSLV_OP(SSLV_CMD_DOMSET_ADD, sslv_nl_domset_add),
	SSLV_OP(SSLV_CMD_DOMSET_COMMIT, sslv_nl_domset_commit),
	SSLV_OP(SSLV_CMD_DOMSET_DEL, sslv_nl_domset_del),
	{
		.cmd	= SSLV_CMD_DOMSET_GET,
		.dumpit	= sslv_nl_domset_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	SSLV_OP(SSLV_CMD_DECRYPT_REGISTER, sslv_nl_decrypt_register),
	SSLV_OP(SSLV_CMD_DECRYPT_SESSION, sslv_nl_decrypt_session),
	SSLV_OP(SSLV_CMD_IPS_SET, sslv_nl_ips_set),
	SSLV_OP(SSLV_CMD_IPS_DEL, sslv_nl_ips_del),
	SSLV_OP(SSLV_CMD_IPS_GET, sslv_nl_ips_get),
	SSLV_OP(SSLV_CMD_IPS_STATE, sslv_nl_ips_state),
};

static const struct genl_multicast_group sslv_mcgrps[] = {
	{
		.name = SSLV_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

struct genl_family sslv_family __ro_after_init = {
	.name		= SSLV_GENL_NAME,
	.version	= SSLV_GENL_VERSION,
	.maxattr	= SSLV_A_MAX,
	.policy		= sslv_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= sslv_ops,
	.n_ops		= ARRAY_SIZE(sslv_ops),
	.mcgrps		= sslv_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(sslv_mcgrps),
};

/*
 * A generic netlink socket is closing: drop what it staged (stage.c), and
 * if it was the namespace's sslvd, its registration (divert.c).
 */
static int sslv_nl_release(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid) {
		sslv_stage_release(sslv_pernet(n->net), n->portid);
		sslv_decrypt_release(sslv_pernet(n->net), n->portid);
	}
	return NOTIFY_DONE;
}

static struct notifier_block sslv_nl_notifier = {
	.notifier_call = sslv_nl_release,
};

int sslv_genl_init(void)
{
	int err = netlink_register_notifier(&sslv_nl_notifier);

	if (err)
		return err;
	err = genl_register_family(&sslv_family);
	if (err) {
		netlink_unregister_notifier(&sslv_nl_notifier);
		return err;
	}
	WRITE_ONCE(sslv_events_on, true);
	return 0;
}

void sslv_genl_exit(void)
{
	WRITE_ONCE(sslv_events_on, false);
	synchronize_rcu();
	genl_unregister_family(&sslv_family);
	netlink_unregister_notifier(&sslv_nl_notifier);
}
