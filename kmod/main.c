// SPDX-License-Identifier: GPL-2.0
/*
 * sslv: SSL-visibility bump-in-the-wire for Linux bridges.
 *
 * Module and per-namespace life cycle. Every network namespace gets its own
 * flow table, ruleset, counters, /proc/net/sslv_stats and bridge hook; the
 * generic netlink family is shared and namespace-aware.
 */
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <net/genetlink.h>

#include "sslv.h"

static unsigned int max_flows = 131072;
module_param(max_flows, uint, 0444);
MODULE_PARM_DESC(max_flows, "Initial flow limit per namespace (default 131072)");

unsigned int sslv_flows_limit __read_mostly = 1U << 24;
module_param_named(flows_limit, sslv_flows_limit, uint, 0444);
MODULE_PARM_DESC(flows_limit, "Highest max-flows a namespace may set (default 16777216)");

static unsigned int hashsize;
module_param(hashsize, uint, 0444);
MODULE_PARM_DESC(hashsize, "Flow hash buckets per namespace, rounded up to a power of two (default 0: max-flows / 8, following it)");

unsigned long sslv_hs_mem_max __read_mostly = 64UL << 20;
module_param_named(hs_mem_max, sslv_hs_mem_max, ulong, 0644);
MODULE_PARM_DESC(hs_mem_max, "Bytes all flows may hold while reading TLS handshakes (default 64 MiB)");

/*
 * A new namespace's mode and client-certificate action, as the words
 * sslvctl uses, so that modprobe.d can say `options sslv client_cert=cut`.
 * Read when a namespace's state is created (for those that exist at load
 * time, during the load). A word not taken fails the load, or the write to
 * /sys/module/sslv/parameters/, and changes nothing.
 */
struct sslv_word_param {
	const char *const *words;
	unsigned int n;
	unsigned int refuse;	/* a word not taken here; n if none */
	const char *taken;	/* the words taken, for the error */
	const char *hint;	/* why @refuse is not taken */
	u8 *value;
};

static const char *const sslv_action_words[__SSLV_ACT_MAX] = {
	[SSLV_ACT_CUT]		= "cut",
	[SSLV_ACT_REJECT]	= "reject",
	[SSLV_ACT_DROP]		= "drop",
};

static const char *const sslv_mode_words[__SSLV_MODE_MAX] = {
	[SSLV_MODE_ACTIVE_INLINE]	= "active-inline",
	[SSLV_MODE_PASSIVE_INLINE]	= "passive-inline",
	[SSLV_MODE_PASSIVE_TAP]		= "passive-tap",
};

static u8 sslv_init_client_cert = SSLV_ACT_REJECT;
static u8 sslv_init_mode = SSLV_MODE_ACTIVE_INLINE;

static struct sslv_word_param sslv_client_cert_param = {
	.words	= sslv_action_words,
	.n	= __SSLV_ACT_MAX,
	.refuse	= __SSLV_ACT_MAX,
	.taken	= "reject, cut or drop",
	.value	= &sslv_init_client_cert,
};

static struct sslv_word_param sslv_mode_param = {
	.words	= sslv_mode_words,
	.n	= __SSLV_MODE_MAX,
	.refuse	= SSLV_MODE_PASSIVE_TAP,
	.taken	= "active-inline or passive-inline",
	.hint	= "it needs a device, set with `sslvctl mode set passive-tap dev IFNAME`",
	.value	= &sslv_init_mode,
};

static int sslv_word_set(const char *val, const struct kernel_param *kp)
{
	const struct sslv_word_param *p = kp->arg;
	size_t len = strcspn(val, "\n");
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		if (!p->words[i] || strlen(p->words[i]) != len ||
		    strncmp(val, p->words[i], len))
			continue;
		if (i == p->refuse) {
			pr_err("sslv: parameter %s: \"%s\" is not taken here: %s\n",
			       kp->name, p->words[i], p->hint);
			return -EINVAL;
		}
		WRITE_ONCE(*p->value, i);
		return 0;
	}
	pr_err("sslv: parameter %s: invalid value \"%.*s\" (%s)\n",
	       kp->name, (int)min_t(size_t, len, 64), val, p->taken);
	return -EINVAL;
}

static int sslv_word_get(char *buf, const struct kernel_param *kp)
{
	const struct sslv_word_param *p = kp->arg;

	return sysfs_emit(buf, "%s\n", p->words[READ_ONCE(*p->value)]);
}

static const struct kernel_param_ops sslv_word_ops = {
	.set	= sslv_word_set,
	.get	= sslv_word_get,
};

module_param_cb(client_cert, &sslv_word_ops, &sslv_client_cert_param, 0644);
MODULE_PARM_DESC(client_cert, "A new namespace's action on a flow no rule decided whose server asks for a client certificate: reject, cut or drop (default reject)");
module_param_cb(mode, &sslv_word_ops, &sslv_mode_param, 0644);
MODULE_PARM_DESC(mode, "A new namespace's mode: active-inline or passive-inline (default active-inline)");

unsigned int sslv_net_id __read_mostly;
DEFINE_MUTEX(sslv_cfg_mutex);

static const struct sslv_timeouts sslv_default_timeouts = {
	.handshake	= 60 * MSEC_PER_SEC,
	.established	= 3600 * MSEC_PER_SEC,
	.closing	= 120 * MSEC_PER_SEC,
	.closed		= 10 * MSEC_PER_SEC,
	.rejected	= 60 * MSEC_PER_SEC,
};

static int __net_init sslv_net_init(struct net *net)
{
	struct sslv_net *sn = sslv_pernet(net);
	int err;

	sn->net = net;
	sn->mode = READ_ONCE(sslv_init_mode);
	sn->timeouts = sslv_default_timeouts;
	sn->next_rule_id = 1;
	sn->ft.nbuckets = hashsize ?
		roundup_pow_of_two(clamp(hashsize, 1024U, 1U << 22)) : 0;
	sn->ft.max_flows = max_flows;	/* clamped by sslv_init() */
	/*
	 * The task creating the namespace (insmod's, for those that exist
	 * at load time) pays for its flow table: see flow.c.
	 */
	sn->memcg = get_mem_cgroup_from_mm(current->mm);
	sn->rst_cfg.idle_ms = SSLV_RST_IDLE_MS_DEFAULT;
	sn->rst_rate.rate = SSLV_RST_RATE_DEFAULT;
	sn->client_cert_action = READ_ONCE(sslv_init_client_cert);
	sn->dec.unavailable = SSLV_ACT_CUT;
	sn->dec.upstream_invalid = SSLV_UPSTREAM_UNTRUSTED;
	sn->hs_mem = SSLV_HS_MEM_DEFAULT;
	sn->hs_timeout_ms = SSLV_HS_TIMEOUT_DEFAULT * MSEC_PER_SEC;
	sn->hs_expire_next = jiffies;
	xa_init_flags(&sn->hs, XA_FLAGS_LOCK_BH);
	ratelimit_state_init(&sn->rst_events, HZ, SSLV_RST_EVENTS_PER_SEC);
	ratelimit_set_flags(&sn->rst_events, RATELIMIT_MSG_ON_RELEASE);

	err = sslv_stats_init(net, sn);
	if (err)
		goto err_memcg;
	err = sslv_flow_init(sn);
	if (err)
		goto err_stats;
	err = sslv_hook_init(sn);
	if (err)
		goto err_flow;
	return 0;

err_flow:
	sslv_flow_exit(sn);
err_stats:
	sslv_stats_exit(net, sn);
err_memcg:
	mem_cgroup_put(sn->memcg);
	return err;
}

/*
 * No frame enters sslv_engine() for this namespace after its hooks are
 * gone; the core runs synchronize_rcu() between .pre_exit and .exit, so no
 * CPU is still inside it when .exit frees what it uses.
 */
static void __net_exit sslv_net_pre_exit(struct net *net)
{
	sslv_hook_exit(sslv_pernet(net));
	sslv_decrypt_exit(sslv_pernet(net));
}

static void __net_exit sslv_net_exit(struct net *net)
{
	struct sslv_net *sn = sslv_pernet(net);

	sslv_flow_exit(sn);		/* ends every handshake too */
	sslv_decrypt_free(sn);
	xa_destroy(&sn->hs);
	sslv_policy_exit(sn);
	sslv_domsets_exit(sn);
	sslv_ips_exit(sn);
	sslv_stats_exit(net, sn);
	mem_cgroup_put(sn->memcg);
}

static struct pernet_operations sslv_net_ops = {
	.init	= sslv_net_init,
	.pre_exit = sslv_net_pre_exit,
	.exit	= sslv_net_exit,
	.id	= &sslv_net_id,
	.size	= sizeof(struct sslv_net),
};

/*
 * @val, the module parameter @name, within [@lo, @hi]; @hi_name names
 * what sets @hi ("flows_limit=" or ""). A value outside is logged with the
 * one used instead, once, at load time: the parameter then reads back as
 * the value used.
 */
static unsigned int __init sslv_param_clamp(const char *name, unsigned int val,
					    unsigned int lo, unsigned int hi,
					    const char *hi_name)
{
	if (val < lo) {
		pr_warn("sslv: parameter %s=%u is below %u: %u used\n",
			name, val, lo, lo);
		return lo;
	}
	if (val > hi) {
		pr_warn("sslv: parameter %s=%u is above %s%u: %u used\n",
			name, val, hi_name, hi, hi);
		return hi;
	}
	return val;
}

static int __init sslv_init(void)
{
	int err;

	sslv_flows_limit = sslv_param_clamp("flows_limit", sslv_flows_limit,
					    1, 1U << 24, "");
	max_flows = sslv_param_clamp("max_flows", max_flows, 1,
				     sslv_flows_limit, "flows_limit=");
	err = sslv_flow_cache_init();
	if (err)
		return err;
	err = sslv_hook_notifier_init();
	if (err)
		goto err_cache;
	err = register_pernet_subsys(&sslv_net_ops);
	if (err)
		goto err_notifier;
	err = sslv_genl_init();
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_subsys(&sslv_net_ops);
err_notifier:
	sslv_hook_notifier_exit();
err_cache:
	sslv_flow_cache_exit();
	return err;
}

static void __exit sslv_exit(void)
{
	sslv_genl_exit();
	unregister_pernet_subsys(&sslv_net_ops);
	sslv_hook_notifier_exit();
	sslv_flow_cache_exit();
}

module_init(sslv_init);
module_exit(sslv_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(SSLV_VERSION);
MODULE_DESCRIPTION("sslv: SSL-visibility bump-in-the-wire for Linux bridges");
MODULE_ALIAS_GENL_FAMILY(SSLV_GENL_NAME);
