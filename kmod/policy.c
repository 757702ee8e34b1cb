// SPDX-License-Identifier: GPL-2.0
/*
 * Rulesets. The live ruleset is one immutable struct sslv_ruleset: the rules
 * in order, their hit counters and lib/match.c's compiled form. Every change
 * (append, delete, flush, commit of the staging set) builds a new ruleset
 * and swaps the pointer; readers on the packet path see the old or the new
 * one whole, never a mix, and never wait. Changes are serialised by
 * sslv_cfg_mutex; the old ruleset is freed after synchronize_rcu().
 *
 * The policy is consulted once per flow, at its first packet, so the hit
 * counters are plain atomics: they move once per new flow, not per packet.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "sslv.h"

static void sslv_ruleset_free(struct sslv_ruleset *rs)
{
	if (!rs)
		return;
	kvfree(rs->match);
	kvfree(rs->hits);
	kvfree(rs->rules);
	kfree(rs);
}

/*
 * A ruleset of @n rules. Rule i keeps the hit count of @old's rule i, or of
 * rule i + 1 from position @removed on, so that counters survive appends
 * (@removed = U32_MAX) and deletions.
 */
static struct sslv_ruleset *sslv_ruleset_build(const struct sslv_rule *rules,
					       u32 n,
					       const struct sslv_ruleset *old,
					       u32 removed)
{
	struct sslv_rule_spec *specs = NULL;
	struct sslv_ruleset *rs;
	void *ws = NULL;
	size_t size;
	u32 i;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return NULL;
	rs->n = n;
	rs->rules = kvmalloc_array(n ?: 1, sizeof(*rs->rules), GFP_KERNEL);
	rs->hits = kvcalloc(n ?: 1, sizeof(*rs->hits), GFP_KERNEL);
	specs = kvmalloc_array(n ?: 1, sizeof(*specs), GFP_KERNEL);
	size = sslv_match_size(n);
	ws = kvmalloc(size, GFP_KERNEL);
	if (!rs->rules || !rs->hits || !specs || !ws)
		goto fail;
	for (i = 0; i < n; i++) {
		rs->rules[i] = rules[i];
		specs[i] = rules[i].spec;
	}
	if (sslv_match_build(ws, size, specs, n))
		goto fail;
	rs->match = kvmalloc(sslv_match_bytes(ws), GFP_KERNEL);
	if (!rs->match)
		goto fail;
	memcpy(rs->match, ws, sslv_match_bytes(ws));
	kvfree(ws);
	kvfree(specs);

	for (i = 0; old && i < n; i++) {
		u32 j = i + (i >= removed);

		if (j < old->n)
			atomic64_set(&rs->hits[i], atomic64_read(&old->hits[j]));
	}
	return rs;
fail:
	kvfree(ws);
	kvfree(specs);
	sslv_ruleset_free(rs);
	return NULL;
}

static struct sslv_ruleset *sslv_rules_live(struct sslv_net *sn)
{
	return rcu_dereference_protected(sn->rules,
					 lockdep_is_held(&sslv_cfg_mutex));
}

static void sslv_ruleset_swap(struct sslv_net *sn, struct sslv_ruleset *rs)
{
	struct sslv_ruleset *old = sslv_rules_live(sn);

	rcu_assign_pointer(sn->rules, rs);
	synchronize_rcu();
	sslv_ruleset_free(old);
}

void sslv_policy_decide(struct sslv_net *sn, const struct sslv_match_key *k,
			struct sslv_decision *d)
{
	struct sslv_ruleset *rs = rcu_dereference(sn->rules);
	u32 i;

	d->action = SSLV_ACT_CUT;
	d->rule_id = 0;
	if (!rs || !rs->n)
		return;
	i = sslv_match_lookup(rs->match, k);
	if (i == SSLV_MATCH_NONE)
		return;
	atomic64_inc(&rs->hits[i]);
	d->action = rs->rules[i].action;
	d->rule_id = rs->rules[i].id;
}

/* Append @n rules, assigning ids; caller holds sslv_cfg_mutex. */
int sslv_policy_append(struct sslv_net *sn, const struct sslv_rule *r, u32 n,
		       bool stage, u32 *first_id)
{
	struct sslv_ruleset *live = sslv_rules_live(sn), *rs;
	u32 have = stage ? sn->nstaged : (live ? live->n : 0), i;
	const struct sslv_rule *cur = stage ? sn->staged :
				      (live ? live->rules : NULL);
	struct sslv_rule *all;

	if (n > SSLV_MAX_RULES || have + n > SSLV_MAX_RULES)
		return -ENOSPC;
	all = kvmalloc_array(have + n, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	if (have)
		memcpy(all, cur, have * sizeof(*all));
	*first_id = sn->next_rule_id;
	for (i = 0; i < n; i++) {
		all[have + i] = r[i];
		all[have + i].id = sn->next_rule_id++;
		if (!sn->next_rule_id)
			sn->next_rule_id = 1;
	}
	if (stage) {
		kvfree(sn->staged);
		sn->staged = all;
		sn->nstaged = have + n;
		return 0;
	}
	rs = sslv_ruleset_build(all, have + n, live, U32_MAX);
	kvfree(all);
	if (!rs)
		return -ENOMEM;
	sslv_ruleset_swap(sn, rs);
	return 0;
}

int sslv_policy_del(struct sslv_net *sn, u32 id)
{
	struct sslv_ruleset *live = sslv_rules_live(sn), *rs;
	struct sslv_rule *all;
	u32 i, at;

	for (at = 0; live && at < live->n; at++)
		if (live->rules[at].id == id)
			break;
	if (!live || at == live->n)
		return -ENOENT;
	all = kvmalloc_array(live->n, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	for (i = 0; i < live->n - 1; i++)
		all[i] = live->rules[i < at ? i : i + 1];
	rs = sslv_ruleset_build(all, live->n - 1, live, at);
	kvfree(all);
	if (!rs)
		return -ENOMEM;
	sslv_ruleset_swap(sn, rs);
	return 0;
}

int sslv_policy_flush(struct sslv_net *sn, bool stage_only)
{
	kvfree(sn->staged);
	sn->staged = NULL;
	sn->nstaged = 0;
	if (!stage_only)
		sslv_ruleset_swap(sn, NULL);
	return 0;
}

int sslv_policy_commit(struct sslv_net *sn)
{
	struct sslv_ruleset *rs;

	rs = sslv_ruleset_build(sn->staged, sn->nstaged, NULL, 0);
	if (!rs)
		return -ENOMEM;
	sslv_ruleset_swap(sn, rs);
	return sslv_policy_flush(sn, true);
}

void sslv_policy_exit(struct sslv_net *sn)
{
	/* Hooks are gone: no reader can hold the ruleset any more. */
	sslv_ruleset_free(rcu_dereference_protected(sn->rules, true));
	kvfree(sn->staged);
}
