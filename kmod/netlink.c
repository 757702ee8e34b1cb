// SPDX-License-Identifier: GPL-2.0
/*
 * The "sslv" generic netlink family; include/uapi/linux/sslv.h is its
 * documentation. Every command needs CAP_NET_ADMIN in the namespace owner's
 * user namespace, validation is strict, and configuration changes are
 * serialised by sslv_cfg_mutex.
 */
#include <linux/rtnetlink.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "sslv.h"

static struct genl_family sslv_family;
static bool sslv_events_on __read_mostly;

static const struct nla_policy sslv_rule_policy[SSLV_RULE_MAX + 1] = {
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
};

static const struct nla_policy sslv_flow_policy[SSLV_FLOW_MAX + 1] = {
	[SSLV_FLOW_FAMILY]	= { .type = NLA_U8 },
	[SSLV_FLOW_SADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SSLV_FLOW_DADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SSLV_FLOW_SPORT]	= { .type = NLA_U16 },
	[SSLV_FLOW_DPORT]	= { .type = NLA_U16 },
	[SSLV_FLOW_VLAN]	= NLA_POLICY_MAX(NLA_U16, 4094),
	[SSLV_FLOW_STATE]	= NLA_POLICY_MAX(NLA_U8, __SSLV_FS_MAX - 1),
};

static struct netlink_range_validation sslv_timeout_range = {
	.min = 1, .max = 864000,	/* ten days */
};

static struct netlink_range_validation sslv_max_flows_range = {
	.min = 1, .max = 1U << 24,
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
	[SSLV_A_CLIENT_CERT]	= NLA_POLICY_MAX(NLA_U8, __SSLV_ACT_MAX - 1),
	[SSLV_A_DOMSET_NAME]	= { .type = NLA_STRING,
				    .len = SSLV_DOMSET_NAME_MAX },
	[SSLV_A_DOMAIN]		= { .type = NLA_STRING,
				    .len = SSLV_SNI_PATTERN_MAX + 2 },
	[SSLV_A_DOMSET_SIZE]	= { .type = NLA_REJECT },
	[SSLV_A_SESSION]	= { .type = NLA_REJECT },
	[SSLV_A_HS_BYTES]	= { .type = NLA_REJECT },
};

/* A string attribute's bytes, without the NUL it may end with. */
static u32 sslv_nla_strlen(const struct nlattr *a)
{
	return strnlen(nla_data(a), nla_len(a));
}

/* The request's attributes, wherever this kernel keeps them for a dump. */
static struct nlattr **sslv_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

static struct sslv_net *sslv_info_net(struct genl_info *info)
{
	return sslv_pernet(genl_info_net(info));
}

static struct sk_buff *sslv_reply_new(struct genl_info *info, u8 cmd,
				      size_t size, void **hdr)
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

static int sslv_reply_send(struct sk_buff *skb, void *hdr,
			   struct genl_info *info)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* ---- mode and config ---------------------------------------------------- */

static int sslv_nl_mode_get(struct sk_buff *in, struct genl_info *info)
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

static int sslv_nl_mode_set(struct sk_buff *in, struct genl_info *info)
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

static int sslv_nl_config_get(struct sk_buff *in, struct genl_info *info)
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
	    nla_put_u32(skb, SSLV_A_HS_BYTES, atomic_read(&sn->hs_bytes)))
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

static int sslv_nl_config_set(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	int i;

	mutex_lock(&sslv_cfg_mutex);
	if (info->attrs[SSLV_A_MAX_FLOWS])
		WRITE_ONCE(sn->ft.max_flows,
			   nla_get_u32(info->attrs[SSLV_A_MAX_FLOWS]));
	if (info->attrs[SSLV_A_RST_IDLE_MS])
		WRITE_ONCE(sn->rst_cfg.idle_ms,
			   nla_get_u32(info->attrs[SSLV_A_RST_IDLE_MS]));
	if (info->attrs[SSLV_A_CLIENT_CERT])
		WRITE_ONCE(sn->client_cert_action,
			   nla_get_u8(info->attrs[SSLV_A_CLIENT_CERT]));
	for (i = 0; i < ARRAY_SIZE(sslv_timeout_attrs); i++) {
		struct nlattr *a = info->attrs[sslv_timeout_attrs[i].attr];

		if (a)
			WRITE_ONCE(*sslv_timeout(sn, i),
				   nla_get_u32(a) * MSEC_PER_SEC);
	}
	mutex_unlock(&sslv_cfg_mutex);
	return 0;
}

/* ---- rules ------------------------------------------------------------- */

static int sslv_nl_addr(const struct nlattr *a, u8 family, u8 *out,
			struct netlink_ext_ack *extack)
{
	unsigned int alen = family == AF_INET ? 4 : 16;

	if (!family) {
		NL_SET_ERR_MSG_ATTR(extack, a, "an address needs a family");
		return -EINVAL;
	}
	if (nla_len(a) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address length does not fit the family");
		return -EINVAL;
	}
	memcpy(out, nla_data(a), alen);
	return 0;
}

/* A prefix: address attribute @a, length attribute @l (default: host). */
static int sslv_nl_prefix(struct nlattr **tb, int a, int l, u8 family,
			  u8 *addr, u8 *len, struct netlink_ext_ack *extack)
{
	int err;

	if (!tb[a]) {
		if (!tb[l])
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, tb[l],
				    "a prefix length needs an address");
		return -EINVAL;
	}
	err = sslv_nl_addr(tb[a], family, addr, extack);
	if (err)
		return err;
	*len = tb[l] ? nla_get_u8(tb[l]) : (family == AF_INET ? 32 : 128);
	return 0;
}

static void sslv_nl_range(struct nlattr **tb, int lo, int hi, u16 *min,
			  u16 *max)
{
	*min = tb[lo] ? nla_get_u16(tb[lo]) : 0;
	*max = tb[hi] ? nla_get_u16(tb[hi]) : (tb[lo] ? *min : 0xffff);
}

static bool sslv_nl_rule_has_tls(struct nlattr **tb)
{
	int i;

	for (i = SSLV_RULE_SNI; i <= SSLV_RULE_UNDECRYPTABLE; i++)
		if (tb[i])
			return true;
	return false;
}

/* The TLS attributes of a rule; under sslv_cfg_mutex (domain sets). */
static int sslv_nl_rule_tls(struct sslv_net *sn, struct nlattr **tb,
			    struct sslv_rule_tls *t,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int err;

	if (tb[SSLV_RULE_NONTLS]) {
		tb[SSLV_RULE_NONTLS] = NULL;
		if (sslv_nl_rule_has_tls(tb)) {
			NL_SET_ERR_MSG(extack,
				       "nontls carries no other TLS attribute");
			return -EINVAL;
		}
		t->nontls = 1;
		return 0;
	}
	a = tb[SSLV_RULE_SNI];
	if (a) {
		t->sni_len = sslv_nla_strlen(a);
		memcpy(t->sni, nla_data(a), t->sni_len);
		err = sslv_domain_check((const u8 *)t->sni, t->sni_len);
		if (err) {
			NL_SET_BAD_ATTR(extack, a);
			if (extack)
				extack->_msg = sslv_domain_strerror(err);
			return -EINVAL;
		}
	}
	a = tb[SSLV_RULE_DOMSET];
	if (a) {
		char name[SSLV_DOMSET_NAME_MAX + 1];

		nla_strscpy(name, a, sizeof(name));
		err = sslv_domsets_find(sn, name);
		if (err < 0) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "no domain set of this name");
			return -ENOENT;
		}
		t->domset = err + 1;
	}
	a = tb[SSLV_RULE_ALPN];
	if (a) {
		t->alpn_len = sslv_nla_strlen(a);
		if (!t->alpn_len) {
			NL_SET_ERR_MSG_ATTR(extack, a, "empty ALPN name");
			return -EINVAL;
		}
		memcpy(t->alpn, nla_data(a), t->alpn_len);
	}
	if (tb[SSLV_RULE_TLS_VER_MIN] || tb[SSLV_RULE_TLS_VER_MAX]) {
		if (!tb[SSLV_RULE_TLS_VER_MIN]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SSLV_RULE_TLS_VER_MAX],
					    "a version range needs its minimum");
			return -EINVAL;
		}
		sslv_nl_range(tb, SSLV_RULE_TLS_VER_MIN, SSLV_RULE_TLS_VER_MAX,
			      &t->ver_min, &t->ver_max);
		if (t->ver_min > t->ver_max) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SSLV_RULE_TLS_VER_MAX],
					    "version range reversed");
			return -EINVAL;
		}
	}
	a = tb[SSLV_RULE_UNDECRYPTABLE];
	if (a) {
		t->classes = nla_get_u32(a);
		if (!t->classes) {
			NL_SET_ERR_MSG_ATTR(extack, a, "no undecryptable class");
			return -EINVAL;
		}
	}
	return 0;
}

static int sslv_nl_rule_parse(struct sslv_net *sn, const struct nlattr *nest,
			      struct sslv_rule *r,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SSLV_RULE_MAX + 1];
	struct sslv_rule_spec *s = &r->spec;
	int err;

	err = nla_parse_nested(tb, SSLV_RULE_MAX, nest, sslv_rule_policy,
			       extack);
	if (err)
		return err;
	memset(r, 0, sizeof(*r));
	if (!tb[SSLV_RULE_ACTION]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a rule needs an action");
		return -EINVAL;
	}
	r->action = nla_get_u8(tb[SSLV_RULE_ACTION]);
	if (tb[SSLV_RULE_FAMILY]) {
		s->family = nla_get_u8(tb[SSLV_RULE_FAMILY]);
		if (s->family != AF_INET && s->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SSLV_RULE_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
	}
	err = sslv_nl_prefix(tb, SSLV_RULE_SRC, SSLV_RULE_SRC_LEN, s->family,
			     s->src, &s->src_len, extack) ?:
	      sslv_nl_prefix(tb, SSLV_RULE_DST, SSLV_RULE_DST_LEN, s->family,
			     s->dst, &s->dst_len, extack);
	if (err)
		return err;
	sslv_nl_range(tb, SSLV_RULE_SPORT_MIN, SSLV_RULE_SPORT_MAX,
		      &s->sport_min, &s->sport_max);
	sslv_nl_range(tb, SSLV_RULE_DPORT_MIN, SSLV_RULE_DPORT_MAX,
		      &s->dport_min, &s->dport_max);
	if (tb[SSLV_RULE_VLAN]) {
		s->has_vlan = 1;
		s->vlan = nla_get_u16(tb[SSLV_RULE_VLAN]);
	}
	if (tb[SSLV_RULE_IIF]) {
		s->has_iif = 1;
		s->iif = nla_get_u32(tb[SSLV_RULE_IIF]);
	}
	err = sslv_rule_spec_check(s);
	if (err) {
		NL_SET_BAD_ATTR(extack, nest);
		if (extack)
			extack->_msg = sslv_match_strerror(err);
		return -EINVAL;
	}
	if (!sslv_nl_rule_has_tls(tb))
		return 0;
	r->tls = kzalloc(sizeof(*r->tls), GFP_KERNEL);
	if (!r->tls)
		return -ENOMEM;
	return sslv_nl_rule_tls(sn, tb, r->tls, extack);
}

/* The reply to RULE_ADD: an SSLV_A_RULE nest with the id of each rule. */
static int sslv_nl_rule_ids(struct genl_info *info, u32 first_id, u32 n)
{
	struct sk_buff *skb;
	void *hdr;
	u32 i;

	skb = sslv_reply_new(info, SSLV_CMD_RULE_ADD, n * 16 + 64, &hdr);
	if (!skb)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct nlattr *nest = nla_nest_start(skb, SSLV_A_RULE);

		if (!nest || nla_put_u32(skb, SSLV_RULE_ID, first_id + i)) {
			nlmsg_free(skb);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return sslv_reply_send(skb, hdr, info);
}

static int sslv_nl_rule_add(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	bool stage = info->attrs[SSLV_A_STAGE];
	struct sslv_rule *rules;
	struct nlattr *a;
	u32 n = 0, first_id, i;
	int rem, err;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		n += nla_type(a) == SSLV_A_RULE;
	if (!n) {
		NL_SET_ERR_MSG(info->extack, "no rule given");
		return -EINVAL;
	}
	rules = kvcalloc(n, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	i = 0;
	/* Under the mutex: a rule's domain set must not go away meanwhile. */
	mutex_lock(&sslv_cfg_mutex);
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SSLV_A_RULE)
			continue;
		err = sslv_nl_rule_parse(sn, a, &rules[i++], info->extack);
		if (err)
			goto out;
	}
	err = sslv_policy_append(sn, rules, n, stage, &first_id);
	if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "too many rules");
out:
	mutex_unlock(&sslv_cfg_mutex);
	if (!err)
		err = sslv_nl_rule_ids(info, first_id, n);
	sslv_rule_free_tls(rules, n);
	kvfree(rules);
	return err;
}

static int sslv_nl_rule_del(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_RULE_ID))
		return -EINVAL;
	mutex_lock(&sslv_cfg_mutex);
	err = sslv_policy_del(sn, nla_get_u32(info->attrs[SSLV_A_RULE_ID]));
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_RULE_ID],
				    "no rule with this id");
	return err;
}

static int sslv_nl_rule_flush(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);

	mutex_lock(&sslv_cfg_mutex);
	sslv_policy_flush(sn, info->attrs[SSLV_A_STAGE]);
	mutex_unlock(&sslv_cfg_mutex);
	return 0;
}

static int sslv_nl_rule_commit(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	int err;

	mutex_lock(&sslv_cfg_mutex);
	err = sslv_policy_commit(sn);
	mutex_unlock(&sslv_cfg_mutex);
	return err;
}

static int sslv_nl_put_addr(struct sk_buff *skb, int attr, u8 family,
			    const void *addr)
{
	return nla_put(skb, attr, family == AF_INET ? 4 : 16, addr);
}

/* A rule's TLS attributes; under rcu_read_lock() (domain set names). */
static int sslv_nl_rule_tls_fill(struct sk_buff *skb, struct sslv_net *sn,
				 const struct sslv_rule_tls *t)
{
	if (t->nontls)
		return nla_put_flag(skb, SSLV_RULE_NONTLS);
	if (t->sni_len && nla_put(skb, SSLV_RULE_SNI, t->sni_len, t->sni))
		return -EMSGSIZE;
	if (t->domset) {
		struct sslv_domset *ds;

		ds = rcu_dereference(sn->domsets[t->domset - 1]);
		if (ds && nla_put_string(skb, SSLV_RULE_DOMSET, ds->name))
			return -EMSGSIZE;
	}
	if ((t->alpn_len && nla_put(skb, SSLV_RULE_ALPN, t->alpn_len, t->alpn)) ||
	    (t->ver_min &&
	     (nla_put_u16(skb, SSLV_RULE_TLS_VER_MIN, t->ver_min) ||
	      nla_put_u16(skb, SSLV_RULE_TLS_VER_MAX, t->ver_max))) ||
	    (t->classes &&
	     nla_put_u32(skb, SSLV_RULE_UNDECRYPTABLE, t->classes)))
		return -EMSGSIZE;
	return 0;
}

static int sslv_nl_rule_fill(struct sk_buff *skb, struct sslv_net *sn,
			     const struct sslv_rule *r, u64 hits)
{
	const struct sslv_rule_spec *s = &r->spec;
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_RULE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SSLV_RULE_ID, r->id) ||
	    nla_put_u8(skb, SSLV_RULE_ACTION, r->action) ||
	    nla_put_u64_64bit(skb, SSLV_RULE_HITS, hits, SSLV_RULE_PAD) ||
	    (s->family && nla_put_u8(skb, SSLV_RULE_FAMILY, s->family)) ||
	    (s->src_len &&
	     (sslv_nl_put_addr(skb, SSLV_RULE_SRC, s->family, s->src) ||
	      nla_put_u8(skb, SSLV_RULE_SRC_LEN, s->src_len))) ||
	    (s->dst_len &&
	     (sslv_nl_put_addr(skb, SSLV_RULE_DST, s->family, s->dst) ||
	      nla_put_u8(skb, SSLV_RULE_DST_LEN, s->dst_len))) ||
	    ((s->sport_min || s->sport_max != 0xffff) &&
	     (nla_put_u16(skb, SSLV_RULE_SPORT_MIN, s->sport_min) ||
	      nla_put_u16(skb, SSLV_RULE_SPORT_MAX, s->sport_max))) ||
	    ((s->dport_min || s->dport_max != 0xffff) &&
	     (nla_put_u16(skb, SSLV_RULE_DPORT_MIN, s->dport_min) ||
	      nla_put_u16(skb, SSLV_RULE_DPORT_MAX, s->dport_max))) ||
	    (s->has_vlan && nla_put_u16(skb, SSLV_RULE_VLAN, s->vlan)) ||
	    (s->has_iif && nla_put_u32(skb, SSLV_RULE_IIF, s->iif)) ||
	    (r->tls && sslv_nl_rule_tls_fill(skb, sn, r->tls))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* cb->args[0]: index of the next rule to dump. */
static int sslv_nl_rule_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sslv_net *sn = sslv_pernet(sock_net(skb->sk));
	struct sslv_ruleset *rs;
	u32 i;

	rcu_read_lock();
	rs = rcu_dereference(sn->rules);
	for (i = cb->args[0]; rs && i < rs->n; i++) {
		void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, &sslv_family,
					NLM_F_MULTI, SSLV_CMD_RULE_GET);

		if (!hdr)
			break;
		if (sslv_nl_rule_fill(skb, sn, &rs->rules[i],
				      atomic64_read(&rs->hits[i]))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

/* ---- flows ------------------------------------------------------------- */

static u8 sslv_flow_state(const struct sslv_flow *f)
{
	if (f->verdict == SSLV_ACT_REJECT)
		return SSLV_FS_REJECTED;
	if (f->verdict == SSLV_ACT_DROP)
		return SSLV_FS_DROPPED;
	return f->tcp.state;
}

/* Fill an SSLV_A_FLOW nest; @f is locked or private to the caller. */
static int sslv_nl_flow_fill(struct sk_buff *skb, const struct sslv_flow *f)
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
	    nla_put_u32(skb, SSLV_FLOW_REPLY_SEQ, f->tcp.d[1].next)) {
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
static int sslv_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
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

	for (; b < ft->nbuckets; b++, cb->args[1] = 0) {
		struct hlist_nulls_node *n;
		struct sslv_flow *f;
		long skip = cb->args[1], pos = 0;
		bool full = false;

		spin_lock_bh(&ft->locks[b % SSLV_FLOW_LOCKS]);
		hlist_nulls_for_each_entry(f, n, &ft->buckets[b], node) {
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

static int sslv_nl_flow_reject(struct sk_buff *in, struct genl_info *info)
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
	if (f->verdict != SSLV_ACT_CUT) {
		spin_unlock_bh(&f->lock);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSLV_A_FLOW_ID],
				    "flow is already rejected or dropped");
		return -EALREADY;
	}
	sslv_engine_reject(sn, f, SSLV_R_OPERATOR, 0);
	local_bh_enable();
	return 0;
}

/* ---- domain sets ------------------------------------------------------- */

/* The request's set name, checked: 1..31 bytes of [A-Za-z0-9_.-]. */
static int sslv_nl_domset_name(struct genl_info *info, char *name)
{
	struct nlattr *a = info->attrs[SSLV_A_DOMSET_NAME];
	u32 i, len;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_DOMSET_NAME))
		return -EINVAL;
	len = sslv_nla_strlen(a);
	for (i = 0; i < len; i++)
		if (!isalnum(((u8 *)nla_data(a))[i]) &&
		    !strchr("_.-", ((char *)nla_data(a))[i]))
			break;
	if (!len || i < len) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "a set name is 1 to 31 of A-Z a-z 0-9 _ . -");
		return -EINVAL;
	}
	nla_strscpy(name, a, SSLV_DOMSET_NAME_MAX + 1);
	return 0;
}

static int sslv_nl_domset_add(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	char name[SSLV_DOMSET_NAME_MAX + 1];
	struct nlattr *a;
	int rem, err;

	err = sslv_nl_domset_name(info, name);
	if (err)
		return err;
	mutex_lock(&sslv_cfg_mutex);
	if (info->attrs[SSLV_A_STAGE])
		sslv_domsets_unstage(sn);		/* start afresh */
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		u32 len = sslv_nla_strlen(a);

		if (nla_type(a) != SSLV_A_DOMAIN)
			continue;
		err = sslv_domain_check(nla_data(a), len);
		if (err) {
			NL_SET_BAD_ATTR(info->extack, a);
			info->extack->_msg = sslv_domain_strerror(err);
			err = -EINVAL;
		} else {
			err = sslv_domsets_add(sn, name, nla_data(a), len);
			if (err == -ENOSPC)
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "too many names in the set");
		}
		if (err) {
			/* Half a set is never committed. */
			sslv_domsets_unstage(sn);
			break;
		}
	}
	mutex_unlock(&sslv_cfg_mutex);
	return err;
}

static int sslv_nl_domset_commit(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	char name[SSLV_DOMSET_NAME_MAX + 1];
	int err;

	err = sslv_nl_domset_name(info, name);
	if (err)
		return err;
	mutex_lock(&sslv_cfg_mutex);
	err = sslv_domsets_commit(sn, name);
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "no free domain set slot");
	return err;
}

static int sslv_nl_domset_del(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	char name[SSLV_DOMSET_NAME_MAX + 1];
	int err;

	err = sslv_nl_domset_name(info, name);
	if (err)
		return err;
	mutex_lock(&sslv_cfg_mutex);
	err = sslv_domsets_del(sn, name);
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SSLV_A_DOMSET_NAME],
				    "no domain set of this name");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SSLV_A_DOMSET_NAME],
				    "a rule uses this domain set");
	return err;
}

/* cb->args[0]: the next slot to dump. */
static int sslv_nl_domset_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sslv_net *sn = sslv_pernet(sock_net(skb->sk));
	long i;

	rcu_read_lock();
	for (i = cb->args[0]; i < SSLV_DOMSET_MAX; i++) {
		struct sslv_domset *ds = rcu_dereference(sn->domsets[i]);
		void *hdr;

		if (!ds)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &sslv_family,
				  NLM_F_MULTI, SSLV_CMD_DOMSET_GET);
		if (!hdr)
			break;
		if (nla_put_string(skb, SSLV_A_DOMSET_NAME, ds->name) ||
		    nla_put_u32(skb, SSLV_A_DOMSET_SIZE,
				sslv_domset_count(ds->set))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
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

static int sslv_nl_stats_get(struct sk_buff *in, struct genl_info *info)
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

static int sslv_nl_stats_reset(struct sk_buff *in, struct genl_info *info)
{
	sslv_stats_reset(sslv_info_net(info));
	return 0;
}

/* ---- events ------------------------------------------------------------ */

void sslv_event_flow(struct sslv_net *sn, const struct sslv_flow *f, u8 event,
		     u8 reason, u32 rule_id)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(sslv_events_on) ||
	    !genl_has_listeners(&sslv_family, sn->net, 0))
		goto out;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		goto out;
	hdr = genlmsg_put(skb, 0, 0, &sslv_family, 0, SSLV_CMD_EVENT);
	if (!hdr || nla_put_u8(skb, SSLV_A_EVENT, event) ||
	    nla_put_u8(skb, SSLV_A_REASON, reason) ||
	    (rule_id && nla_put_u32(skb, SSLV_A_RULE_ID, rule_id)) ||
	    sslv_nl_flow_fill(skb, f)) {
		nlmsg_free(skb);
		goto out;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&sslv_family, sn->net, skb, 0, 0, GFP_ATOMIC);
out:
	rcu_read_unlock();
}

static int sslv_nl_rst_fill(struct sk_buff *skb, const struct sslv_rst_info *ri,
			    const struct sslv_seg *rst)
{
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_RST);

	if (!nest ||
	    nla_put_u8(skb, SSLV_RST_PHASE, ri->phase) ||
	    nla_put_u8(skb, SSLV_RST_SENDER, ri->sender) ||
	    nla_put_u8(skb, SSLV_RST_KIND, ri->kind) ||
	    nla_put_u8(skb, SSLV_RST_TTL, ri->ttl) ||
	    nla_put_u8(skb, SSLV_RST_TTL_SEEN, ri->ttl_seen) ||
	    nla_put_u8(skb, SSLV_RST_TTL_EXPECTED, ri->ttl_expected) ||
	    nla_put_u8(skb, SSLV_RST_SEQ_FIT, ri->seq_fit) ||
	    nla_put_u8(skb, SSLV_RST_CAUSES, ri->causes) ||
	    nla_put_u8(skb, SSLV_RST_REASON, ri->reason) ||
	    nla_put_u8(skb, SSLV_RST_REXMIT, ri->rexmit) ||
	    nla_put_u8(skb, SSLV_RST_FLOW_FLAGS, ri->flow_flags) ||
	    nla_put_u32(skb, SSLV_RST_IDLE_MS, ri->idle_ms) ||
	    nla_put_u32(skb, SSLV_RST_SEQ, rst->seq) ||
	    nla_put_u32(skb, SSLV_RST_ACK, rst->ack))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One RST explained; @f is locked or private to the caller. */
void sslv_event_rst(struct sslv_net *sn, const struct sslv_flow *f,
		    const struct sslv_rst_info *ri, const struct sslv_seg *rst)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(sslv_events_on) ||
	    !genl_has_listeners(&sslv_family, sn->net, 0))
		goto out;
	if (!__ratelimit(&sn->rst_events)) {
		sslv_inc(sn, rst_events_suppressed);
		goto out;
	}
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		goto out;
	hdr = genlmsg_put(skb, 0, 0, &sslv_family, 0, SSLV_CMD_EVENT);
	if (!hdr || nla_put_u8(skb, SSLV_A_EVENT, SSLV_EV_RST) ||
	    nla_put_u8(skb, SSLV_A_REASON, ri->reason) ||
	    sslv_nl_flow_fill(skb, f) || sslv_nl_rst_fill(skb, ri, rst)) {
		nlmsg_free(skb);
		goto out;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&sslv_family, sn->net, skb, 0, 0, GFP_ATOMIC);
out:
	rcu_read_unlock();
}

static int sslv_nl_session_fill(struct sk_buff *skb,
				const struct sslv_tls_client *ch,
				const struct sslv_tls_server *sh, u32 classes,
				u8 action, u8 error)
{
	struct nlattr *nest = nla_nest_start(skb, SSLV_A_SESSION);

	if (!nest ||
	    nla_put_u8(skb, SSLV_SESS_ACTION, action) ||
	    nla_put_u8(skb, SSLV_SESS_ERROR, error) ||
	    nla_put_u32(skb, SSLV_SESS_CLASSES, classes))
		return -EMSGSIZE;
	if (ch && ch->max_version &&
	    (nla_put_u16(skb, SSLV_SESS_CLIENT_VERSION, ch->max_version) ||
	     nla_put_u32(skb, SSLV_SESS_CLIENT_FLAGS, ch->flags) ||
	     (ch->sni_len && nla_put(skb, SSLV_SESS_SNI, ch->sni_len, ch->sni)) ||
	     (ch->n_alpn && nla_put(skb, SSLV_SESS_ALPN, ch->alpn[0].len,
				    ch->alpn[0].name))))
		return -EMSGSIZE;
	if (sh && (sh->flags & SSLV_TLS_S_HELLO) &&
	    (nla_put_u16(skb, SSLV_SESS_VERSION, sh->version) ||
	     nla_put_u16(skb, SSLV_SESS_CIPHER, sh->cipher) ||
	     nla_put_u32(skb, SSLV_SESS_SERVER_FLAGS, sh->flags)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The session log; @f is locked or private to the caller. */
void sslv_event_session(struct sslv_net *sn, const struct sslv_flow *f,
			const struct sslv_tls_client *ch,
			const struct sslv_tls_server *sh, u32 classes, u8 action,
			u8 error, u8 reason, u32 rule_id)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(sslv_events_on) ||
	    !genl_has_listeners(&sslv_family, sn->net, 0))
		goto out;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		goto out;
	hdr = genlmsg_put(skb, 0, 0, &sslv_family, 0, SSLV_CMD_EVENT);
	if (!hdr || nla_put_u8(skb, SSLV_A_EVENT, SSLV_EV_SESSION) ||
	    nla_put_u8(skb, SSLV_A_REASON, reason) ||
	    (rule_id && nla_put_u32(skb, SSLV_A_RULE_ID, rule_id)) ||
	    sslv_nl_flow_fill(skb, f) ||
	    sslv_nl_session_fill(skb, ch, sh, classes, action, error)) {
		nlmsg_free(skb);
		goto out;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&sslv_family, sn->net, skb, 0, 0, GFP_ATOMIC);
out:
	rcu_read_unlock();
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
};

static const struct genl_multicast_group sslv_mcgrps[] = {
	{
		.name = SSLV_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

static struct genl_family sslv_family __ro_after_init = {
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

int sslv_genl_init(void)
{
	int err = genl_register_family(&sslv_family);

	if (!err)
		WRITE_ONCE(sslv_events_on, true);
	return err;
}

void sslv_genl_exit(void)
{
	WRITE_ONCE(sslv_events_on, false);
	synchronize_rcu();
	genl_unregister_family(&sslv_family);
}
