// SPDX-License-Identifier: GPL-2.0
/*
 * Domain sets: named lists of server names for sni-list rules, up to
 * SSLV_DOMSET_MAX per namespace. A set is loaded in pieces into the
 * namespace's staging area (SSLV_CMD_DOMSET_ADD), then built by
 * lib/domain.c into one flat block and swapped in whole under RCU
 * (SSLV_CMD_DOMSET_COMMIT), so a lookup on the packet path sees the old set
 * or the new one, never a mix, and costs the same for ten names or a
 * million. Rules refer to a set by its slot; a set in use cannot be deleted.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "sslv.h"

static struct sslv_domset *sslv_domset_live(struct sslv_net *sn, int slot)
{
	return rcu_dereference_protected(sn->domsets[slot],
					 lockdep_is_held(&sslv_cfg_mutex));
}

static void sslv_domset_free(struct sslv_domset *ds)
{
	if (ds)
		kvfree(ds->set);
	kfree(ds);
}

static void sslv_stage_clear(struct sslv_domset_stage *st)
{
	kvfree(st->names);
	memset(st, 0, sizeof(*st));
}

void sslv_domsets_unstage(struct sslv_net *sn)
{
	sslv_stage_clear(&sn->dom_stage);
}

int sslv_domsets_find(struct sslv_net *sn, const char *name)
{
	int i;

	for (i = 0; i < SSLV_DOMSET_MAX; i++) {
		struct sslv_domset *ds = sslv_domset_live(sn, i);

		if (ds && !strcmp(ds->name, name))
			return i;
	}
	return -ENOENT;
}

/* Stage one name (checked by the caller) for set @name. */
int sslv_domsets_add(struct sslv_net *sn, const char *name, const u8 *domain,
		     u32 len)
{
	struct sslv_domset_stage *st = &sn->dom_stage;

	if (strcmp(st->name, name)) {
		sslv_stage_clear(st);
		strscpy(st->name, name, sizeof(st->name));
	}
	if (st->n == SSLV_DOMSET_NAMES_MAX)
		return -ENOSPC;
	if (st->len + 1 + len > st->cap) {
		u32 cap = max_t(u32, st->cap * 2, 4096);
		u8 *names = kvmalloc(cap, GFP_KERNEL);

		if (!names)
			return -ENOMEM;
		if (st->len)
			memcpy(names, st->names, st->len);
		kvfree(st->names);
		st->names = names;
		st->cap = cap;
	}
	st->names[st->len] = len;
	memcpy(st->names + st->len + 1, domain, len);
	st->len += 1 + len;
	st->n++;
	return 0;
}

/* Build what is staged for @name (nothing: an empty set) and swap it in. */
int sslv_domsets_commit(struct sslv_net *sn, const char *name)
{
	struct sslv_domset_stage *st = &sn->dom_stage;
	bool staged = !strcmp(st->name, name);
	u32 n = staged ? st->n : 0, len = staged ? st->len : 0;
	struct sslv_domset *ds, *old;
	size_t size;
	void *ws;
	int slot, err;

	slot = sslv_domsets_find(sn, name);
	if (slot < 0) {
		for (slot = 0; slot < SSLV_DOMSET_MAX; slot++)
			if (!sslv_domset_live(sn, slot))
				break;
		if (slot == SSLV_DOMSET_MAX)
			return -ENOSPC;
	}
	ds = kzalloc(sizeof(*ds), GFP_KERNEL);
	size = sslv_domset_size(n, len);
	ws = size ? kvmalloc(size, GFP_KERNEL) : NULL;
	if (!ds || !ws) {
		err = size ? -ENOMEM : -ENOSPC;
		goto fail;
	}
	err = sslv_domset_build(ws, size, staged ? st->names : NULL, len, n);
	if (err) {
		err = -EINVAL;
		goto fail;
	}
	ds->set = kvmalloc(sslv_domset_bytes(ws), GFP_KERNEL);
	if (!ds->set) {
		err = -ENOMEM;
		goto fail;
	}
	memcpy(ds->set, ws, sslv_domset_bytes(ws));
	kvfree(ws);
	strscpy(ds->name, name, sizeof(ds->name));

	old = sslv_domset_live(sn, slot);
	rcu_assign_pointer(sn->domsets[slot], ds);
	if (staged)
		sslv_stage_clear(st);
	synchronize_rcu();
	sslv_domset_free(old);
	return 0;
fail:
	kvfree(ws);
	sslv_domset_free(ds);
	return err;
}

int sslv_domsets_del(struct sslv_net *sn, const char *name)
{
	int slot = sslv_domsets_find(sn, name);
	struct sslv_domset *ds;

	if (slot < 0)
		return slot;
	if (sslv_policy_uses_domset(sn, slot))
		return -EBUSY;
	ds = sslv_domset_live(sn, slot);
	RCU_INIT_POINTER(sn->domsets[slot], NULL);
	synchronize_rcu();
	sslv_domset_free(ds);
	return 0;
}

bool sslv_domsets_match(struct sslv_net *sn, u8 slot, const u8 *name, u32 len)
{
	struct sslv_domset *ds = rcu_dereference(sn->domsets[slot]);

	return ds && sslv_domset_match(ds->set, name, len);
}

void sslv_domsets_exit(struct sslv_net *sn)
{
	int i;

	/* Hooks are gone: no reader can hold a set any more. */
	for (i = 0; i < SSLV_DOMSET_MAX; i++)
		sslv_domset_free(rcu_dereference_protected(sn->domsets[i],
							   true));
	sslv_stage_clear(&sn->dom_stage);
}
