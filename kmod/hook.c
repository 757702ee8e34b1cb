// SPDX-License-Identifier: GPL-2.0
/*
 * Where frames enter the engine.
 *
 * Inline modes: a bridge PRE_ROUTING hook, registered in every network
 * namespace, ahead of br_netfilter and the nftables bridge family, sees
 * every frame entering a bridge port. Tap mode: a netdev ingress hook on the
 * mirror device (not a bridge port) sees the copies; the bridge hook then
 * stands aside. The tap hook's registration is guarded by RTNL, which also
 * serialises it against the device going away.
 *
 * Life cycle: the hooks are unregistered in the namespace's .pre_exit, so
 * that the synchronize_rcu() the core runs before .exit lets every CPU
 * still inside sslv_engine() leave before the table and the counters are
 * freed (ebtables does the same). The netdevice notifier, registered
 * before the per-namespace state and unregistered after it, never looks at
 * that state through the namespace: it walks sslv_taps, the namespaces
 * with a tap attached, so neither a namespace's exit nor the replay of
 * NETDEV_UNREGISTER that unregistering the notifier makes can reach a
 * freed sslv_net.
 */
#include <linux/if_bridge.h>
#include <linux/netfilter_bridge.h>
#include <linux/rtnetlink.h>

#include "sslv.h"

static unsigned int sslv_bridge_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct sslv_net *sn = priv;

	if (READ_ONCE(sn->mode) == SSLV_MODE_PASSIVE_TAP)
		return NF_ACCEPT;
	return sslv_engine(sn, skb, state->in, false);
}

static unsigned int sslv_tap_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct sslv_net *sn = priv;

	if (READ_ONCE(sn->mode) == SSLV_MODE_PASSIVE_TAP)
		sslv_engine(sn, skb, state->in, true);
	return NF_ACCEPT;
}

/* Copied into each namespace's sslv_net, the first with .priv set. */
static const struct nf_hook_ops sslv_bridge_ops[] = {
	{
		.hook		= sslv_bridge_hook,
		.pf		= NFPROTO_BRIDGE,
		.hooknum	= NF_BR_PRE_ROUTING,
		.priority	= NF_BR_PRI_NAT_DST_BRIDGED - 1,
	},
	{
		.hook		= sslv_rst_out_hook,
		.pf		= NFPROTO_BRIDGE,
		.hooknum	= NF_BR_LOCAL_OUT,
		.priority	= NF_BR_PRI_FIRST,
	},
};

/* Namespaces with a tap hook attached, under RTNL. */
static LIST_HEAD(sslv_taps);

/* Caller holds RTNL. */
static void sslv_tap_detach(struct sslv_net *sn)
{
	if (!sn->tap_registered)
		return;
	nf_unregister_net_hook(sn->net, &sn->tap_ops);
	list_del(&sn->tap_node);
	sn->tap_registered = false;
	sn->tap_ifindex = 0;
}

/* Caller holds RTNL. */
static int sslv_tap_attach(struct sslv_net *sn, struct net_device *dev)
{
	int err;

	sslv_tap_detach(sn);
	sn->tap_ops = (struct nf_hook_ops) {
		.hook		= sslv_tap_hook,
		.pf		= NFPROTO_NETDEV,
		.hooknum	= NF_NETDEV_INGRESS,
		.priority	= 0,
		.dev		= dev,
		.priv		= sn,
	};
	err = nf_register_net_hook(sn->net, &sn->tap_ops);
	if (err)
		return err;
	list_add(&sn->tap_node, &sslv_taps);
	sn->tap_registered = true;
	sn->tap_ifindex = dev->ifindex;
	return 0;
}

/*
 * Switch modes; caller holds sslv_cfg_mutex. Flows learnt in one mode mean
 * nothing in another (ports, directions), so the table is flushed when the
 * mode or the tap device changes.
 */
int sslv_mode_set(struct sslv_net *sn, u8 mode, int tap_ifindex)
{
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	if (mode == SSLV_MODE_PASSIVE_TAP) {
		dev = __dev_get_by_index(sn->net, tap_ifindex);
		if (!dev) {
			err = -ENODEV;
		} else if (netif_is_bridge_port(dev) ||
			   netif_is_bridge_master(dev)) {
			err = -EBUSY;
		} else if (!sn->tap_registered ||
			   sn->tap_ifindex != tap_ifindex) {
			err = sslv_tap_attach(sn, dev);
		}
	} else {
		sslv_tap_detach(sn);
	}
	if (!err && (READ_ONCE(sn->mode) != mode ||
		     mode == SSLV_MODE_PASSIVE_TAP)) {
		WRITE_ONCE(sn->mode, mode);
		sslv_flow_flush(sn);
	}
	rtnl_unlock();
	return err;
}

static int sslv_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct sslv_net *sn, *tmp;

	ASSERT_RTNL();
	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
	case NETDEV_CHANGEUPPER:
		sslv_ips_changed();
		break;
	}
	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	list_for_each_entry_safe(sn, tmp, &sslv_taps, tap_node)
		if (sn->tap_ops.dev == dev)
			sslv_tap_detach(sn);
	return NOTIFY_DONE;
}

static struct notifier_block sslv_netdev_nb = {
	.notifier_call = sslv_netdev_event,
};

/*
 * Whether a bridge of the namespace filters VLANs, for sslv_parse(): an
 * untagged frame then takes its port's PVID, a look-up the bridges that do
 * not filter are spared. vlan_filtering changes through netlink or sysfs,
 * and both send NETDEV_CHANGE for a bridge that is up; one that is down
 * passes no frame, and sends NETDEV_UP before it does. The few frames
 * that cross while the flag catches up are keyed as before the change:
 * turning vlan_filtering on or off re-keys every flow anyway (they are
 * picked up again mid-stream).
 */
static int sslv_vlan_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct sslv_net *sn = container_of(nb, struct sslv_net, vlan_nb);
	struct net_device *dev = netdev_notifier_info_to_dev(ptr), *d;
	bool any = false;

	ASSERT_RTNL();
	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:	/* @dev is off the list by now */
	case NETDEV_UP:
	case NETDEV_CHANGE:
		break;
	default:
		return NOTIFY_DONE;
	}
	if (!netif_is_bridge_master(dev))
		return NOTIFY_DONE;
	for_each_netdev(sn->net, d)
		if (netif_is_bridge_master(d) && br_vlan_enabled(d))
			any = true;
	WRITE_ONCE(sn->vlan_bridges, any);
	return NOTIFY_DONE;
}

int sslv_hook_init(struct sslv_net *sn)
{
	int err;

	BUILD_BUG_ON(sizeof(sn->bridge_ops) != sizeof(sslv_bridge_ops));
	memcpy(sn->bridge_ops, sslv_bridge_ops, sizeof(sslv_bridge_ops));
	sn->bridge_ops[0].priv = sn;
	/* Replays NETDEV_REGISTER and NETDEV_UP for the bridges there are. */
	sn->vlan_nb.notifier_call = sslv_vlan_event;
	err = register_netdevice_notifier_net(sn->net, &sn->vlan_nb);
	if (err)
		return err;
	err = nf_register_net_hooks(sn->net, sn->bridge_ops,
				    ARRAY_SIZE(sn->bridge_ops));
	if (err)
		unregister_netdevice_notifier_net(sn->net, &sn->vlan_nb);
	return err;
}

/* From .pre_exit: the core's synchronize_rcu() follows before .exit. */
void sslv_hook_exit(struct sslv_net *sn)
{
	rtnl_lock();
	sslv_tap_detach(sn);
	rtnl_unlock();
	nf_unregister_net_hooks(sn->net, sn->bridge_ops,
				ARRAY_SIZE(sn->bridge_ops));
	unregister_netdevice_notifier_net(sn->net, &sn->vlan_nb);
}

int sslv_hook_notifier_init(void)
{
	return register_netdevice_notifier(&sslv_netdev_nb);
}

void sslv_hook_notifier_exit(void)
{
	unregister_netdevice_notifier(&sslv_netdev_nb);
}
