// SPDX-License-Identifier: GPL-2.0
/*
 * Domain sets: named lists of server names for sni-list rules, up to
 * SSLV_DOMSET_MAX per namespace. A set is loaded in pieces into the
 * staging area of the socket loading it (SSLV_CMD_DOMSET_ADD, stage.c),
 * then built by lib/domain.c into one flat block and swapped in whole
 * under RCU (SSLV_CMD_DOMSET_COMMIT), so a lookup on the packet path sees
 * the old set or the new one, never a mix, and costs the same for ten
 * names or a million. Rules refer to a set by its slot; a set in use
 * cannot be deleted. The names of a namespace's sets, live and staged, add
 * up to at most SSLV_DOMSET_BYTES_MAX; all of it is charged to the memory
 * cgroup of the process that loads it.
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

void sslv_domsets_unstage(struct sslv_net *sn, struct sslv_domset_stage *st)
{
	sn->dom_bytes -= st->len;
	kvfree(st->names);
	memset(st, 0, sizeof(*st));
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

/*
 * Stage one name (checked by the caller). -ENOSPC past the names of a set
 * or the bytes of a namespace's sets, live and staged (SSLV_DOMSET_*_MAX).
 */
int sslv_domsets_add(struct sslv_net *sn, struct sslv_domset_stage *st,
		     const u8 *domain, u32 len)
{
	if (st->n == SSLV_DOMSET_NAMES_MAX)
		return -ENOSPC;
	if (sn->dom_bytes + 1 + len > SSLV_DOMSET_BYTES_MAX)
		return -EFBIG;
	if (st->len + 1 + len > st->cap) {
		u32 cap = max_t(u32, st->cap * 2, 4096);
		u8 *names = kvmalloc(cap, GFP_KERNEL_ACCOUNT);

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
	sn->dom_bytes += 1 + len;
	return 0;
}

int sslv_domsets_commit(struct sslv_net *sn, struct sslv_domset_stage *st)
{
	struct sslv_domset *ds, *old;
	size_t size;
	void *ws;
	int slot, err;

	slot = sslv_domsets_find(sn, st->name);
	if (slot < 0) {
		for (slot = 0; slot < SSLV_DOMSET_MAX; slot++)
			if (!sslv_domset_live(sn, slot))
				break;
		if (slot == SSLV_DOMSET_MAX)
			return -ENOSPC;
	}
	ds = kzalloc(sizeof(*ds), GFP_KERNEL_ACCOUNT);
	size = sslv_domset_size(st->n, st->len);
	ws = size ? kvmalloc(size, GFP_KERNEL_ACCOUNT) : NULL;
	if (!ds || !ws) {
		err = size ? -ENOMEM : -ENOSPC;
		goto fail;
	}
	err = sslv_domset_build(ws, size, st->names, st->len, st->n);
	if (err) {
		err = -EINVAL;
		goto fail;
	}
	ds->set = kvmalloc(sslv_domset_bytes(ws), GFP_KERNEL_ACCOUNT);
	if (!ds->set) {
		err = -ENOMEM;
		goto fail;
	}
	memcpy(ds->set, ws, sslv_domset_bytes(ws));
	kvfree(ws);
	strscpy(ds->name, st->name, sizeof(ds->name));
	/* A dump of its names in pieces notices it was replaced (never 0). */
	ds->gen = ++sn->dom_gen ? sn->dom_gen : ++sn->dom_gen;
	/* The staged names' bytes are the live set's now. */
	ds->bytes = st->len;
	old = sslv_domset_live(sn, slot);
	rcu_assign_pointer(sn->domsets[slot], ds);
	sslv_domsets_unstage(sn, st);
	sn->dom_bytes += ds->bytes - (old ? old->bytes : 0);
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
	sn->dom_bytes -= ds->bytes;
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
}
