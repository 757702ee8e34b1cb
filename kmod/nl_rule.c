// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands on rules: parsing a rule (addresses, ports, TLS
 * attributes, comment), adding at the end or at a place, deleting,
 * flushing, committing the staging set, and the rule dump.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

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

/* SSLV_RULE_COMMENT: 1..SSLV_RULE_COMMENT_MAX bytes, no NUL among them. */
static int sslv_nl_rule_comment(const struct nlattr *a, char **comment,
				struct netlink_ext_ack *extack)
{
	const char *s = nla_data(a);
	u32 len = nla_len(a);

	if (len && !s[len - 1])
		len--;
	if (!len) {
		NL_SET_ERR_MSG_ATTR(extack, a, "empty comment");
		return -EINVAL;
	}
	if (len > SSLV_RULE_COMMENT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "comment longer than 128 bytes");
		return -ERANGE;
	}
	if (memchr(s, '\0', len)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "comment holds a NUL byte");
		return -EINVAL;
	}
	*comment = kmemdup_nul(s, len, GFP_KERNEL_ACCOUNT);
	return *comment ? 0 : -ENOMEM;
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
	if (tb[SSLV_RULE_COMMENT]) {
		err = sslv_nl_rule_comment(tb[SSLV_RULE_COMMENT], &r->comment,
					   extack);
		if (err)
			return err;
	}
	if (!sslv_nl_rule_has_tls(tb))
		return 0;
	r->tls = kzalloc(sizeof(*r->tls), GFP_KERNEL_ACCOUNT);
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

/* The position attribute of RULE_ADD, if any; at most one, live only. */
static int sslv_nl_rule_pos(struct genl_info *info, struct nlattr **pos)
{
	static const int kinds[] = {
		SSLV_A_RULE_INDEX, SSLV_A_RULE_BEFORE, SSLV_A_RULE_AFTER,
	};
	unsigned int i;

	*pos = NULL;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct nlattr *a = info->attrs[kinds[i]];

		if (!a)
			continue;
		if (*pos) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "a rule has one position at most");
			return -EINVAL;
		}
		*pos = a;
	}
	if (*pos && info->attrs[SSLV_A_STAGE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, *pos,
				    "a position is for the live ruleset, not a staged one");
		return -EINVAL;
	}
	return 0;
}

/* The place in the live ruleset @pos names; under sslv_cfg_mutex. */
static int sslv_nl_rule_at(struct sslv_net *sn, const struct nlattr *pos,
			   u32 *at, struct netlink_ext_ack *extack)
{
	int found;

	if (nla_type(pos) == SSLV_A_RULE_INDEX) {
		*at = nla_get_u32(pos);
		if (*at <= sslv_policy_len(sn))
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, pos,
				    "index past the end of the ruleset");
		return -ERANGE;
	}
	found = sslv_policy_index(sn, nla_get_u32(pos));
	if (found < 0) {
		NL_SET_ERR_MSG_ATTR(extack, pos, "no rule with this id");
		return found;
	}
	*at = found + (nla_type(pos) == SSLV_A_RULE_AFTER);
	return 0;
}

int sslv_nl_rule_add(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	bool stage = info->attrs[SSLV_A_STAGE];
	struct sslv_stage *st = NULL;
	struct nlattr *a, *pos;
	struct sslv_rule *rules;
	u32 n = 0, first_id, i, at;
	int rem, err;

	err = sslv_nl_rule_pos(info, &pos);
	if (err)
		return err;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		n += nla_type(a) == SSLV_A_RULE;
	if (!n) {
		NL_SET_ERR_MSG(info->extack, "no rule given");
		return -EINVAL;
	}
	rules = kvcalloc(n, sizeof(*rules), GFP_KERNEL_ACCOUNT);
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
	if (stage) {
		st = sslv_stage_get(sn, info->snd_portid);
		if (IS_ERR(st)) {
			err = PTR_ERR(st);
			st = NULL;
			if (err == -ENOSPC)
				NL_SET_ERR_MSG(info->extack,
					       "too many sockets staging at once");
			goto out;
		}
	}
	if (pos) {
		err = sslv_nl_rule_at(sn, pos, &at, info->extack) ?:
		      sslv_policy_insert(sn, rules, n, at, &first_id);
	} else {
		err = sslv_policy_append(sn, rules, n, st, &first_id);
	}
	if (err == -ENOSPC && stage)
		NL_SET_ERR_MSG(info->extack,
			       "a namespace stages at most 262144 rules");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack,
			       "a ruleset holds at most 262144 rules");
	sslv_stage_put(sn, st);
out:
	mutex_unlock(&sslv_cfg_mutex);
	if (!err)
		err = sslv_nl_rule_ids(info, first_id, n);
	sslv_rules_free_ext(rules, n);
	kvfree(rules);
	return err;
}

int sslv_nl_rule_del(struct sk_buff *in, struct genl_info *info)
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

/* Clears the live ruleset and the caller's staged rules, or only those. */
int sslv_nl_rule_flush(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sslv_stage *st;

	mutex_lock(&sslv_cfg_mutex);
	st = sslv_stage_find(sn, info->snd_portid);
	sslv_policy_unstage(sn, st);
	sslv_stage_put(sn, st);
	if (!info->attrs[SSLV_A_STAGE])
		sslv_policy_flush(sn);
	mutex_unlock(&sslv_cfg_mutex);
	return 0;
}

/* Only what the same socket staged: never another's, never nothing. */
int sslv_nl_rule_commit(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sslv_stage *st;
	int err;

	mutex_lock(&sslv_cfg_mutex);
	st = sslv_stage_find(sn, info->snd_portid);
	err = sslv_policy_commit(sn, st);
	sslv_stage_put(sn, st);
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENODATA)
		NL_SET_ERR_MSG(info->extack,
			       "no rule staged by this socket (RULE_FLUSH empties the ruleset)");
	return err;
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
	    (r->tls && sslv_nl_rule_tls_fill(skb, sn, r->tls)) ||
	    (r->comment &&
	     nla_put_string(skb, SSLV_RULE_COMMENT, r->comment))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* cb->args[0]: index of the next rule to dump. */
int sslv_nl_rule_dump(struct sk_buff *skb, struct netlink_callback *cb)
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
