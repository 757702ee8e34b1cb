/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the files of the "sslv" generic netlink family:
 *
 *   netlink.c    the family: policies, command table, registration
 *   nl_config.c  mode, config and counters
 *   nl_rule.c    rules: parse, add, delete, flush, commit, dump
 *   nl_flow.c    flow dump, reject by id, the SSLV_A_FLOW nest
 *   nl_domset.c  domain sets: load, commit, delete, dump
 *   nl_decrypt.c sslvd's registration and session reports
 *   nl_ips.c     the attached IPS: set, delete, get, sslvd's state report
 *   nl_event.c   events on the "events" multicast group
 */
#ifndef SSLV_NETLINK_H
#define SSLV_NETLINK_H

#include <linux/version.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "sslv.h"

extern struct genl_family sslv_family;
extern bool sslv_events_on;		/* the family is registered */

extern const struct nla_policy sslv_rule_policy[SSLV_RULE_MAX + 1];
extern const struct nla_policy sslv_flow_policy[SSLV_FLOW_MAX + 1];
extern const struct nla_policy sslv_sess_policy[SSLV_SESS_MAX + 1];

/* A string attribute's bytes, without the NUL it may end with. */
static inline u32 sslv_nla_strlen(const struct nlattr *a)
{
	return strnlen(nla_data(a), nla_len(a));
}

/* The request's attributes, wherever this kernel keeps them for a dump. */
static inline struct nlattr **sslv_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

static inline struct sslv_net *sslv_info_net(struct genl_info *info)
{
	return sslv_pernet(genl_info_net(info));
}

static inline int sslv_nl_put_addr(struct sk_buff *skb, int attr, u8 family,
				   const void *addr)
{
	return nla_put(skb, attr, family == AF_INET ? 4 : 16, addr);
}

/* A reply to @info's request, @size bytes of payload room; *@hdr its header. */
struct sk_buff *sslv_reply_new(struct genl_info *info, u8 cmd, size_t size,
			       void **hdr);
int sslv_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info);

/* nl_config.c */
int sslv_nl_mode_get(struct sk_buff *in, struct genl_info *info);
int sslv_nl_mode_set(struct sk_buff *in, struct genl_info *info);
int sslv_nl_config_get(struct sk_buff *in, struct genl_info *info);
int sslv_nl_config_set(struct sk_buff *in, struct genl_info *info);
int sslv_nl_stats_get(struct sk_buff *in, struct genl_info *info);
int sslv_nl_stats_reset(struct sk_buff *in, struct genl_info *info);

/* nl_rule.c */
int sslv_nl_rule_add(struct sk_buff *in, struct genl_info *info);
int sslv_nl_rule_del(struct sk_buff *in, struct genl_info *info);
int sslv_nl_rule_flush(struct sk_buff *in, struct genl_info *info);
int sslv_nl_rule_commit(struct sk_buff *in, struct genl_info *info);
int sslv_nl_rule_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_flow.c */
int sslv_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb);
int sslv_nl_flow_reject(struct sk_buff *in, struct genl_info *info);
/* Fill an SSLV_A_FLOW nest; @f is locked or private to the caller. */
int sslv_nl_flow_fill(struct sk_buff *skb, const struct sslv_flow *f);

/* nl_decrypt.c */
int sslv_nl_decrypt_register(struct sk_buff *in, struct genl_info *info);
int sslv_nl_decrypt_session(struct sk_buff *in, struct genl_info *info);
/* nl_event.c: sslvd's report @st (SSLV_SESS_*) as a session event. */
void sslv_event_decrypted(struct sslv_net *sn, const struct sslv_flow *f,
			  struct nlattr **st);

/* nl_ips.c */
int sslv_nl_ips_set(struct sk_buff *in, struct genl_info *info);
int sslv_nl_ips_del(struct sk_buff *in, struct genl_info *info);
int sslv_nl_ips_get(struct sk_buff *in, struct genl_info *info);
int sslv_nl_ips_state(struct sk_buff *in, struct genl_info *info);
extern const struct nla_policy sslv_ips_policy[SSLV_IPS_MAX + 1];
/* The SSLV_A_IPS nest of a set IPS, none when unset; its room. */
int sslv_nl_ips_fill(struct sk_buff *skb, struct sslv_ips *ips);
#define SSLV_IPS_NEST_SIZE	(nla_total_size(0) + 3 * nla_total_size(IFNAMSIZ) + \
				 2 * nla_total_size(4))
/* nl_event.c: SSLV_EV_IPS, under sslv_cfg_mutex. */
void sslv_event_ips(struct sslv_net *sn);

/* nl_domset.c */
int sslv_nl_domset_add(struct sk_buff *in, struct genl_info *info);
int sslv_nl_domset_commit(struct sk_buff *in, struct genl_info *info);
int sslv_nl_domset_del(struct sk_buff *in, struct genl_info *info);
int sslv_nl_domset_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* SSLV_NETLINK_H */
