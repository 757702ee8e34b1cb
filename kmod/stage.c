// SPDX-License-Identifier: GPL-2.0
/*
 * Staging areas. A ruleset or a domain set too large for one message is
 * loaded in pieces and then committed whole. The pieces belong to the
 * netlink socket that sent them, known by its portid: two loads running at
 * once in one namespace each build their own, a socket can only commit what
 * it staged itself, and what a socket staged is dropped when it closes
 * (NETLINK_URELEASE, see netlink.c). A namespace has at most
 * SSLV_STAGES_MAX stages at a time and at most SSLV_RULES_MAX staged rules
 * in all of them. Everything here is under sslv_cfg_mutex.
 */
#include <linux/slab.h>

#include "sslv.h"

struct sslv_stage *sslv_stage_find(struct sslv_net *sn, u32 portid)
{
	struct sslv_stage *st;

	lockdep_assert_held(&sslv_cfg_mutex);
	hlist_for_each_entry(st, &sn->stages, node)
		if (st->portid == portid)
			return st;
	return NULL;
}

struct sslv_stage *sslv_stage_get(struct sslv_net *sn, u32 portid)
{
	struct sslv_stage *st = sslv_stage_find(sn, portid);

	if (st)
		return st;
	if (sn->nstages >= SSLV_STAGES_MAX)
		return ERR_PTR(-ENOSPC);
	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->portid = portid;
	hlist_add_head(&st->node, &sn->stages);
	sn->nstages++;
	return st;
}

void sslv_stage_put(struct sslv_net *sn, struct sslv_stage *st)
{
	if (!st || st->nrules || st->dom.name[0])
		return;
	hlist_del(&st->node);
	sn->nstages--;
	kfree(st);
}

static void sslv_stage_drop(struct sslv_net *sn, struct sslv_stage *st)
{
	sslv_policy_unstage(sn, st);
	sslv_domsets_unstage(sn, &st->dom);
	sslv_stage_put(sn, st);
}

void sslv_stage_release(struct sslv_net *sn, u32 portid)
{
	struct sslv_stage *st;

	/* Most sockets closing never staged anything here. */
	if (hlist_empty(&sn->stages))
		return;
	mutex_lock(&sslv_cfg_mutex);
	st = sslv_stage_find(sn, portid);
	if (st)
		sslv_stage_drop(sn, st);
	mutex_unlock(&sslv_cfg_mutex);
}

void sslv_stage_exit(struct sslv_net *sn)
{
	struct hlist_node *tmp;
	struct sslv_stage *st;

	mutex_lock(&sslv_cfg_mutex);
	hlist_for_each_entry_safe(st, tmp, &sn->stages, node)
		sslv_stage_drop(sn, st);
	mutex_unlock(&sslv_cfg_mutex);
}
