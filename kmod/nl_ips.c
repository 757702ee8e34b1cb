// SPDX-License-Identifier: GPL-2.0
/*
 * The attached IPS (include/uapi/linux/sslv.h, SSLV_CMD_IPS_*): the
 * interfaces sslvd is to carry decrypted plaintext through, kept by name
 * (sslvd creates them), and the IPS's state as sslvd reports it. The
 * module applies that state where a decrypt decision is resolved
 * (divert.c, SSLV_A_IPS_FAIL) and counts what sslvd's reports say the IPS
 * did (nl_decrypt.c) and the RSTs sslvd's sockets send because of it
 * (divert.c's egress).
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

const struct nla_policy sslv_ips_policy[SSLV_IPS_MAX + 1] = {
	/* Names and values are checked here, with a message naming them. */
	[SSLV_IPS_OUT]		= { .type = NLA_BINARY },
	[SSLV_IPS_IN]		= { .type = NLA_BINARY },
	[SSLV_IPS_COPY]		= { .type = NLA_BINARY },
	[SSLV_IPS_FEEDBACK_TIMEOUT] = { .type = NLA_U32 },
	[SSLV_IPS_STATE]	= { .type = NLA_U8 },
};

#define SSLV_IPS_NAME_MSGS(w) {						\
	w ": the interface name is empty",				\
	w ": the interface name is longer than 15 bytes",		\
	w ": a NUL inside the interface name",				\
	w ": not an interface name (\".\", \"..\", '/', ':' or whitespace)", \
}

static const char *const sslv_ips_name_msgs[][4] = {
	[SSLV_IPS_OUT]	= SSLV_IPS_NAME_MSGS("out"),
	[SSLV_IPS_IN]	= SSLV_IPS_NAME_MSGS("in"),
	[SSLV_IPS_COPY]	= SSLV_IPS_NAME_MSGS("copy"),
};

/* NL_SET_ERR_MSG_ATTR() for a message chosen at run time (static storage). */
static int sslv_ips_err(struct netlink_ext_ack *extack,
			const struct nlattr *a, const char *msg, int err)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = a;
	}
	return err;
}

/* Attribute @type of @tb, an interface name, into @dst (IFNAMSIZ bytes). */
static int sslv_ips_name(struct nlattr **tb, int type, char *dst,
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *a = tb[type];
	const char *const *msg = sslv_ips_name_msgs[type];
	u32 len = nla_len(a), n = strnlen(nla_data(a), len);

	if (n + 1 < len)
		return sslv_ips_err(extack, a, msg[2], -EINVAL);
	if (!n)
		return sslv_ips_err(extack, a, msg[0], -EINVAL);
	if (n >= IFNAMSIZ)
		return sslv_ips_err(extack, a, msg[1], -EINVAL);
	memcpy(dst, nla_data(a), n);
	dst[n] = '\0';
	if (!dev_valid_name(dst))
		return sslv_ips_err(extack, a, msg[3], -EINVAL);
	return 0;
}

/* The IPS set now; under sslv_cfg_mutex. */
static struct sslv_ips_cfg *sslv_ips_cfg(struct sslv_ips *ips)
{
	return rcu_dereference_protected(ips->cfg,
					 lockdep_is_held(&sslv_cfg_mutex));
}

int sslv_nl_ips_fill(struct sk_buff *skb, struct sslv_ips *ips)
{
	struct sslv_ips_cfg *cfg = sslv_ips_cfg(ips);
	struct nlattr *nest;

	if (!cfg)
		return 0;
	nest = nla_nest_start(skb, SSLV_A_IPS);
	if (!nest ||
	    nla_put_string(skb, SSLV_IPS_OUT, cfg->out) ||
	    nla_put_string(skb, SSLV_IPS_IN, cfg->in) ||
	    (cfg->copy[0] && nla_put_string(skb, SSLV_IPS_COPY, cfg->copy)) ||
	    nla_put_u32(skb, SSLV_IPS_FEEDBACK_TIMEOUT, cfg->feedback_ms) ||
	    nla_put_u8(skb, SSLV_IPS_STATE, ips->state))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int sslv_ips_parse(struct genl_info *info, struct nlattr **tb)
{
	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_IPS))
		return -EINVAL;
	return nla_parse_nested(tb, SSLV_IPS_MAX, info->attrs[SSLV_A_IPS],
				sslv_ips_policy, info->extack);
}

int sslv_nl_ips_set(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct nlattr *tb[SSLV_IPS_MAX + 1];
	struct nlattr *nest = info->attrs[SSLV_A_IPS];
	struct sslv_ips *ips = &sn->ips;
	struct sslv_ips_cfg *cfg, *old;
	char name[3][IFNAMSIZ] = {};
	u32 feedback = SSLV_IPS_FEEDBACK_DEFAULT;
	int i, err;

	err = sslv_ips_parse(info, tb);
	if (err)
		return err;
	if (tb[SSLV_IPS_STATE])
		return sslv_ips_err(info->extack, tb[SSLV_IPS_STATE],
				    "state is sslvd's to report (SSLV_CMD_IPS_STATE)",
				    -EINVAL);
	if (!tb[SSLV_IPS_OUT] || !tb[SSLV_IPS_IN])
		return sslv_ips_err(info->extack, nest,
				    "the IPS needs both out and in", -EINVAL);
	for (i = SSLV_IPS_OUT; i <= SSLV_IPS_COPY; i++) {
		if (!tb[i])
			continue;
		err = sslv_ips_name(tb, i, name[i - SSLV_IPS_OUT],
				    info->extack);
		if (err)
			return err;
	}
	if (!strcmp(name[0], name[1]))
		return sslv_ips_err(info->extack, tb[SSLV_IPS_IN],
				    "in: the same interface as out", -EINVAL);
	if (tb[SSLV_IPS_COPY] &&
	    (!strcmp(name[2], name[0]) || !strcmp(name[2], name[1])))
		return sslv_ips_err(info->extack, tb[SSLV_IPS_COPY],
				    "copy: the same interface as out or in",
				    -EINVAL);
	if (tb[SSLV_IPS_FEEDBACK_TIMEOUT]) {
		feedback = nla_get_u32(tb[SSLV_IPS_FEEDBACK_TIMEOUT]);
		if (feedback < SSLV_IPS_FEEDBACK_MIN ||
		    feedback > SSLV_IPS_FEEDBACK_MAX)
			return sslv_ips_err(info->extack,
					    tb[SSLV_IPS_FEEDBACK_TIMEOUT],
					    "feedback-timeout: not within 100 .. 60000 ms",
					    -ERANGE);
	}

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	memcpy(cfg->out, name[0], IFNAMSIZ);
	memcpy(cfg->in, name[1], IFNAMSIZ);
	memcpy(cfg->copy, name[2], IFNAMSIZ);
	cfg->feedback_ms = feedback;

	mutex_lock(&sslv_cfg_mutex);
	old = sslv_ips_cfg(ips);
	/* A new IPS is taken to be up until sslvd says otherwise. */
	if (!old)
		WRITE_ONCE(ips->state, SSLV_IPS_STATE_UP);
	rcu_assign_pointer(ips->cfg, cfg);
	sslv_ips_changed();
	sslv_event_ips(sn);
	mutex_unlock(&sslv_cfg_mutex);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

int sslv_nl_ips_del(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sslv_ips *ips = &sn->ips;
	struct sslv_ips_cfg *old;

	mutex_lock(&sslv_cfg_mutex);
	old = sslv_ips_cfg(ips);
	if (!old) {
		mutex_unlock(&sslv_cfg_mutex);
		NL_SET_ERR_MSG(info->extack, "no IPS is set");
		return -ENOENT;
	}
	RCU_INIT_POINTER(ips->cfg, NULL);
	sslv_ips_changed();
	WRITE_ONCE(ips->state, SSLV_IPS_STATE_UNSET);
	sslv_event_ips(sn);
	mutex_unlock(&sslv_cfg_mutex);
	kfree_rcu(old, rcu);
	return 0;
}

int sslv_nl_ips_get(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = sslv_reply_new(info, SSLV_CMD_IPS_GET, SSLV_IPS_NEST_SIZE, &hdr);
	if (!skb)
		return -ENOMEM;
	mutex_lock(&sslv_cfg_mutex);
	err = sslv_nl_ips_fill(skb, &sn->ips);
	mutex_unlock(&sslv_cfg_mutex);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return sslv_reply_send(skb, hdr, info);
}

int sslv_nl_ips_state(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	struct nlattr *tb[SSLV_IPS_MAX + 1];
	struct sslv_ips *ips = &sn->ips;
	struct sslv_ips_cfg *cfg;
	int i, err;
	u8 state;

	if (!info->snd_portid || info->snd_portid != READ_ONCE(sn->dec.portid)) {
		NL_SET_ERR_MSG(info->extack,
			       "only the registered sslvd reports the IPS's state");
		return -EPERM;
	}
	err = sslv_ips_parse(info, tb);
	if (err)
		return err;
	for (i = SSLV_IPS_OUT; i <= SSLV_IPS_FEEDBACK_TIMEOUT; i++)
		if (tb[i])
			return sslv_ips_err(info->extack, tb[i],
					    "a state report carries the state alone",
					    -EINVAL);
	if (!tb[SSLV_IPS_STATE])
		return sslv_ips_err(info->extack, info->attrs[SSLV_A_IPS],
				    "state missing", -EINVAL);
	state = nla_get_u8(tb[SSLV_IPS_STATE]);
	if (state != SSLV_IPS_STATE_DOWN && state != SSLV_IPS_STATE_UP)
		return sslv_ips_err(info->extack, tb[SSLV_IPS_STATE],
				    "state: down or up", -EINVAL);

	mutex_lock(&sslv_cfg_mutex);
	cfg = sslv_ips_cfg(ips);
	if (!cfg) {
		mutex_unlock(&sslv_cfg_mutex);
		NL_SET_ERR_MSG(info->extack, "no IPS is set");
		return -ENOENT;
	}
	if (ips->state != state) {
		WRITE_ONCE(ips->state, state);
		if (state == SSLV_IPS_STATE_DOWN)
			sslv_inc(sn, ips_down);
		else
			sslv_inc(sn, ips_up);
		pr_info_ratelimited("sslv: the attached IPS (out %s, in %s) is %s\n",
				    cfg->out, cfg->in,
				    state == SSLV_IPS_STATE_UP ? "up" : "down");
	}
	mutex_unlock(&sslv_cfg_mutex);
	return 0;
}

void sslv_ips_killed_add(struct sslv_net *sn, u32 id)
{
	u32 i = (u32)atomic_inc_return(&sn->ips.killed_pos) % SSLV_IPS_KILLED;

	WRITE_ONCE(sn->ips.killed[i], id);
}

bool sslv_ips_killed(struct sslv_net *sn, u32 id)
{
	unsigned int i;

	if (!id)
		return false;
	for (i = 0; i < SSLV_IPS_KILLED; i++)
		if (READ_ONCE(sn->ips.killed[i]) == id)
			return true;
	return false;
}

/* Bumped by sslv_ips_changed(); 31 bits of it are kept. */
static atomic_t sslv_ips_gen = ATOMIC_INIT(1);

void sslv_ips_changed(void)
{
	smp_mb__before_atomic();	/* the change, then the generation */
	atomic_inc(&sslv_ips_gen);
}

/* The names' look-up, done again only when sslv_ips_gen has moved. */
static bool sslv_ips_port_look(struct sslv_net *sn, struct net_device *in)
{
	const struct sslv_ips_cfg *cfg = rcu_dereference(sn->ips.cfg);
	const char *names[3];
	struct net_device *br, *dev;
	unsigned int i;

	if (!cfg)
		return false;
	names[0] = cfg->out;
	names[1] = cfg->in;
	names[2] = cfg->copy;
	br = netdev_master_upper_dev_get_rcu(in);
	for (i = 0; i < ARRAY_SIZE(names) && names[i][0]; i++) {
		if (!strncmp(in->name, names[i], IFNAMSIZ))
			return true;
		if (!br)
			continue;
		dev = dev_get_by_name_rcu(sn->net, names[i]);
		if (dev && netdev_master_upper_dev_get_rcu(dev) == br)
			return true;
	}
	return false;
}

bool sslv_ips_port(struct sslv_net *sn, struct net_device *in)
{
	atomic64_t *slot = &sn->ips.ports[in->ifindex % SSLV_IPS_PORTS];
	/* The generation, then what it stands for: see sslv_ips_changed(). */
	u64 gen = (u32)atomic_read_acquire(&sslv_ips_gen) & 0x7fffffff;
	u64 v = atomic64_read(slot);
	bool ips;

	if ((u32)v == (u32)in->ifindex && v >> 33 == gen)
		return v & BIT_ULL(32);
	ips = sslv_ips_port_look(sn, in);
	/* A change meanwhile moved the generation: this is looked up again. */
	atomic64_set(slot, gen << 33 | (u64)ips << 32 | (u32)in->ifindex);
	return ips;
}

void sslv_ips_exit(struct sslv_net *sn)
{
	kfree(rcu_dereference_protected(sn->ips.cfg, 1));
	RCU_INIT_POINTER(sn->ips.cfg, NULL);
}
