// SPDX-License-Identifier: GPL-2.0
/*
 * Rulesets. The live ruleset is one immutable struct sslv_ruleset: the rules
 * in order, their hit counters and lib/match.c's compiled form. Every change
 * (append, insert at a place, delete, flush, commit of the staging set)
 * builds a new ruleset, the rules at their places, and swaps the pointer; readers on the packet path see the old or the new
 * one whole, never a mix, and never wait. Changes are serialised by
 * sslv_cfg_mutex; the old ruleset is freed after synchronize_rcu().
 *
 * The policy is consulted once per flow, at its first packet, so the hit
 * counters are plain atomics: they move once per decided flow, not per
 * packet.
 *
 * Rules with TLS attributes cannot be decided at the first packet. When the
 * first rule whose addresses and ports match is one, the flow is pending:
 * it is forwarded while handshake.c reads its handshake and then asks
 * sslv_policy_decide_tls(), which walks the TLS rules from that one up to
 * the first matching rule without TLS attributes, in rule order. First
 * match wins, exactly as if every rule had been checked at once.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "sslv.h"

/* On failure @dst owns nothing. */
int sslv_rule_copy(struct sslv_rule *dst, const struct sslv_rule *src)
{
	*dst = *src;
	dst->tls = NULL;
	dst->comment = NULL;
	if (src->tls) {
		dst->tls = kmemdup(src->tls, sizeof(*src->tls),
				   GFP_KERNEL_ACCOUNT);
		if (!dst->tls)
			return -ENOMEM;
	}
	if (src->comment) {
		dst->comment = kstrdup(src->comment, GFP_KERNEL_ACCOUNT);
		if (!dst->comment) {
			kfree(dst->tls);
			dst->tls = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

void sslv_rules_free_ext(struct sslv_rule *r, u32 n)
{
	u32 i;

	for (i = 0; r && i < n; i++) {
		kfree(r[i].tls);
		r[i].tls = NULL;
		kfree(r[i].comment);
		r[i].comment = NULL;
	}
}

/* lib/match.c's block for @n specs, at its exact size. */
static void *sslv_match_compile(const struct sslv_rule_spec *specs, u32 n)
{
	size_t size = sslv_match_size(n);
	void *ws, *m = NULL;

	ws = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!ws)
		return NULL;
	if (!sslv_match_build(ws, size, specs, n)) {
		m = kvmalloc(sslv_match_bytes(ws), GFP_KERNEL_ACCOUNT);
		if (m)
			memcpy(m, ws, sslv_match_bytes(ws));
	}
	kvfree(ws);
	return m;
}

static void sslv_ruleset_free(struct sslv_ruleset *rs)
{
	if (!rs)
		return;
	sslv_rules_free_ext(rs->rules, rs->n);
	kvfree(rs->tls_idx);
	kvfree(rs->dec_idx);
	kvfree(rs->l4_idx);
	kvfree(rs->l4);
	kvfree(rs->match);
	kvfree(rs->hits);
	kvfree(rs->rules);
	kfree(rs);
}

/*
 * A ruleset of @n rules, made from @old by putting @added rules at place
 * @at and taking @removed away from there. Every other rule keeps its hit
 * count: rule i is @old's rule i before @at, and @old's rule
 * i - @added + @removed after the rules added.
 */
static struct sslv_ruleset *sslv_ruleset_build(const struct sslv_rule *rules,
					       u32 n,
					       const struct sslv_ruleset *old,
					       u32 at, u32 added, u32 removed)
{
	struct sslv_rule_spec *specs;
	struct sslv_ruleset *rs;
	u32 i, nl4 = 0;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs)
		return NULL;
	rs->rules = kvcalloc(n ?: 1, sizeof(*rs->rules), GFP_KERNEL_ACCOUNT);
	rs->hits = kvcalloc(n ?: 1, sizeof(*rs->hits), GFP_KERNEL_ACCOUNT);
	specs = kvmalloc_array(n ?: 1, sizeof(*specs), GFP_KERNEL_ACCOUNT);
	if (!rs->rules || !rs->hits || !specs)
		goto fail;
	for (i = 0; i < n; i++, rs->n++) {
		if (sslv_rule_copy(&rs->rules[i], &rules[i]))
			goto fail;
		specs[i] = rules[i].spec;
		rs->ntls += !!rules[i].tls;
		rs->ndec += rules[i].action == SSLV_ACT_DECRYPT;
	}
	if (rs->ndec) {
		rs->dec_idx = kvmalloc_array(rs->ndec, sizeof(u32),
					     GFP_KERNEL_ACCOUNT);
		if (!rs->dec_idx)
			goto fail;
		for (i = 0, rs->ndec = 0; i < n; i++)
			if (rules[i].action == SSLV_ACT_DECRYPT)
				rs->dec_idx[rs->ndec++] = i;
	}
	rs->match = sslv_match_compile(specs, n);
	if (!rs->match)
		goto fail;
	if (rs->ntls) {
		rs->tls_idx = kvmalloc_array(rs->ntls, sizeof(u32),
					     GFP_KERNEL_ACCOUNT);
		rs->l4_idx = kvmalloc_array(n - rs->ntls ?: 1, sizeof(u32),
					    GFP_KERNEL_ACCOUNT);
		if (!rs->tls_idx || !rs->l4_idx)
			goto fail;
		for (i = 0, rs->ntls = 0; i < n; i++) {
			if (rules[i].tls) {
				rs->tls_idx[rs->ntls++] = i;
			} else {
				rs->l4_idx[nl4] = i;
				specs[nl4++] = rules[i].spec;
			}
		}
		rs->l4 = sslv_match_compile(specs, nl4);
		if (!rs->l4)
			goto fail;
	}
	kvfree(specs);

	for (i = 0; old && i < n; i++) {
		u32 j = i < at ? i : i - added + removed;

		if (i >= at && i - at < added)
			continue;
		if (j < old->n)
			atomic64_set(&rs->hits[i], atomic64_read(&old->hits[j]));
	}
	return rs;
fail:
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

static void sslv_decided(struct sslv_ruleset *rs, u32 i,
			 struct sslv_decision *d)
{
	atomic64_inc(&rs->hits[i]);
	d->action = rs->rules[i].action;
	d->reason = SSLV_R_RULE;
	d->rule_id = rs->rules[i].id;
}

void sslv_policy_decide(struct sslv_net *sn, const struct sslv_match_key *k,
			struct sslv_decision *d)
{
	struct sslv_ruleset *rs = rcu_dereference(sn->rules);
	u32 i;

	memset(d, 0, sizeof(*d));		/* cut, no rule */
	if (!rs || !rs->n)
		return;
	i = sslv_match_lookup(rs->match, k);
	if (i == SSLV_MATCH_NONE)
		return;
	if (rs->rules[i].tls)
		d->pending = true;
	else
		sslv_decided(rs, i, d);
}

/*
 * A flow is diverted at its SYN when some decrypt rule may decide it: its
 * TLS attributes cannot be known yet. A walk of the decrypt rules alone,
 * made only at SYNs of pending flows while sslvd is registered.
 */
bool sslv_policy_divert(struct sslv_net *sn, const struct sslv_match_key *k)
{
	struct sslv_ruleset *rs = rcu_dereference(sn->rules);
	u32 i;

	for (i = 0; rs && i < rs->ndec; i++)
		if (sslv_rule_spec_match(&rs->rules[rs->dec_idx[i]].spec, k))
			return true;
	return false;
}

enum sslv_tls_fit { SSLV_FIT_NO, SSLV_FIT_YES, SSLV_FIT_WAIT };

static bool sslv_alpn_offered(const struct sslv_tls_client *ch,
			      const struct sslv_rule_tls *t)
{
	u32 i;

	for (i = 0; i < min_t(u32, ch->n_alpn, SSLV_TLS_ALPN_MAX); i++)
		if (ch->alpn[i].len == t->alpn_len &&
		    !memcmp(ch->alpn[i].name, t->alpn, t->alpn_len))
			return true;
	return false;
}

/* Does the handshake seen so far fit @t? Client-side tests come first. */
static enum sslv_tls_fit sslv_tls_fit(struct sslv_net *sn,
				      const struct sslv_rule_tls *t,
				      const struct sslv_tls_view *v)
{
	const struct sslv_tls_client *ch = v->ch;
	bool sni = ch && (ch->flags & SSLV_TLS_C_SNI);

	if (t->nontls)
		return v->nontls ? SSLV_FIT_YES : SSLV_FIT_NO;
	if (!ch)
		return SSLV_FIT_NO;
	if (t->sni_len && !(sni && sslv_sni_match(t->sni, t->sni_len, ch->sni,
						  ch->sni_len)))
		return SSLV_FIT_NO;
	if (t->domset && !(sni && sslv_domsets_match(sn, t->domset - 1,
						     ch->sni, ch->sni_len)))
		return SSLV_FIT_NO;
	if (t->alpn_len && !sslv_alpn_offered(ch, t))
		return SSLV_FIT_NO;
	if (t->classes && !(t->classes & v->classes)) {
		if ((t->classes & SSLV_UD_CLIENT_CERT) && !v->server_final)
			return SSLV_FIT_WAIT;
		return SSLV_FIT_NO;
	}
	if (t->ver_min) {
		if (!v->sh || !(v->sh->flags & SSLV_TLS_S_HELLO))
			return v->server_final ? SSLV_FIT_NO : SSLV_FIT_WAIT;
		if (v->sh->version < t->ver_min || v->sh->version > t->ver_max)
			return SSLV_FIT_NO;
	}
	return SSLV_FIT_YES;
}

/* Index in rs->tls_idx of the first TLS rule at or after rule @i. */
static u32 sslv_tls_from(const struct sslv_ruleset *rs, u32 i)
{
	u32 lo = 0, hi = rs->ntls;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (rs->tls_idx[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool sslv_policy_decide_tls(struct sslv_net *sn,
			    const struct sslv_match_key *k,
			    const struct sslv_tls_view *v,
			    struct sslv_decision *d)
{
	struct sslv_ruleset *rs = rcu_dereference(sn->rules);
	u32 i, j, t;

	memset(d, 0, sizeof(*d));		/* cut, no rule */
	if (!rs || !rs->n)
		return true;
	i = sslv_match_lookup(rs->match, k);
	if (i == SSLV_MATCH_NONE)
		return true;
	if (!rs->rules[i].tls) {
		sslv_decided(rs, i, d);
		return true;
	}
	/* j: the first rule without TLS attributes that matches. */
	j = rs->l4 ? sslv_match_lookup(rs->l4, k) : SSLV_MATCH_NONE;
	if (j != SSLV_MATCH_NONE)
		j = rs->l4_idx[j];
	for (t = sslv_tls_from(rs, i); t < rs->ntls && rs->tls_idx[t] < j; t++) {
		const struct sslv_rule *r = &rs->rules[rs->tls_idx[t]];

		if (!sslv_rule_spec_match(&r->spec, k))
			continue;
		switch (sslv_tls_fit(sn, r->tls, v)) {
		case SSLV_FIT_YES:
			sslv_decided(rs, rs->tls_idx[t], d);
			return true;
		case SSLV_FIT_WAIT:
			d->pending = true;
			return false;
		case SSLV_FIT_NO:
			break;
		}
	}
	if (j != SSLV_MATCH_NONE)
		sslv_decided(rs, j, d);
	return true;
}

bool sslv_policy_uses_domset(struct sslv_net *sn, u8 slot)
{
	struct sslv_ruleset *rs = rcu_dereference_protected(sn->rules,
					lockdep_is_held(&sslv_cfg_mutex));
	struct sslv_stage *st;
	u32 i;

	for (i = 0; rs && i < rs->n; i++)
		if (rs->rules[i].tls && rs->rules[i].tls->domset == slot + 1)
			return true;
	hlist_for_each_entry(st, &sn->stages, node)
		for (i = 0; i < st->nrules; i++)
			if (st->rules[i].tls &&
			    st->rules[i].tls->domset == slot + 1)
				return true;
	return false;
}

/* Ids for @n rules, the first in *@first_id. */
static void sslv_rule_ids(struct sslv_net *sn, struct sslv_rule *r, u32 n,
			  u32 *first_id)
{
	u32 i;

	*first_id = sn->next_rule_id;
	for (i = 0; i < n; i++) {
		r[i].id = sn->next_rule_id++;
		if (!sn->next_rule_id)
			sn->next_rule_id = 1;
	}
}

u32 sslv_policy_len(struct sslv_net *sn)
{
	struct sslv_ruleset *live = sslv_rules_live(sn);

	return live ? live->n : 0;
}

int sslv_policy_index(struct sslv_net *sn, u32 id)
{
	struct sslv_ruleset *live = sslv_rules_live(sn);
	u32 at;

	for (at = 0; live && at < live->n; at++)
		if (live->rules[at].id == id)
			return at;
	return -ENOENT;
}

/*
 * Insert @n rules at place @at of the live ruleset, assigning ids; caller
 * holds sslv_cfg_mutex. @r stays the caller's: what is kept is copied. The
 * rules around keep their ids and hit counters. On failure nothing
 * changes, not even the next id.
 */
int sslv_policy_insert(struct sslv_net *sn, const struct sslv_rule *r, u32 n,
		       u32 at, u32 *first_id)
{
	struct sslv_ruleset *live = sslv_rules_live(sn), *rs;
	u32 have = live ? live->n : 0, next_id = sn->next_rule_id;
	struct sslv_rule *all;

	if (at > have)
		return -ERANGE;
	if (n > SSLV_MAX_RULES || have + n > SSLV_MAX_RULES)
		return -ENOSPC;
	all = kvmalloc_array(have + n, sizeof(*all), GFP_KERNEL_ACCOUNT);
	if (!all)
		return -ENOMEM;
	if (at)
		memcpy(all, live->rules, at * sizeof(*all));
	memcpy(all + at, r, n * sizeof(*all));
	if (have > at)
		memcpy(all + at + n, live->rules + at,
		       (have - at) * sizeof(*all));
	sslv_rule_ids(sn, all + at, n, first_id);
	rs = sslv_ruleset_build(all, have + n, live, at, n, 0);
	kvfree(all);
	if (!rs) {
		sn->next_rule_id = next_id;
		return -ENOMEM;
	}
	sslv_ruleset_swap(sn, rs);
	return 0;
}

/*
 * Append @n rules, assigning ids; caller holds sslv_cfg_mutex. @r stays the
 * caller's: what is kept is copied. The live ruleset holds at most
 * SSLV_RULES_MAX rules, and so do a namespace's stages together.
 */
int sslv_policy_append(struct sslv_net *sn, const struct sslv_rule *r, u32 n,
		       struct sslv_stage *st, u32 *first_id)
{
	struct sslv_rule *all;
	u32 have, i;

	if (!st)
		return sslv_policy_insert(sn, r, n, sslv_policy_len(sn),
					  first_id);
	have = st->nrules;
	if (n > SSLV_MAX_RULES || have + n > SSLV_MAX_RULES ||
	    sn->staged_rules + n > SSLV_MAX_RULES)
		return -ENOSPC;
	if (have + n <= st->cap) {
		/* Private to the stage: appended in place. */
		all = st->rules;
	} else {
		/* A stage grows by doubling, so a big file loads in linear time. */
		u32 cap = clamp(2 * have, have + n, SSLV_MAX_RULES);

		all = kvmalloc_array(cap, sizeof(*all), GFP_KERNEL_ACCOUNT);
		if (!all)
			return -ENOMEM;
		if (have)
			memcpy(all, st->rules, have * sizeof(*all));
		kvfree(st->rules);
		st->rules = all;
		st->cap = cap;
	}
	for (i = 0; i < n; i++) {
		/* The staging set owns its rules: copy what it keeps. */
		if (sslv_rule_copy(&all[have + i], &r[i])) {
			sslv_rules_free_ext(all + have, i);
			return -ENOMEM;
		}
	}
	sslv_rule_ids(sn, all + have, n, first_id);
	st->nrules = have + n;
	sn->staged_rules += n;
	return 0;
}

int sslv_policy_del(struct sslv_net *sn, u32 id)
{
	struct sslv_ruleset *live = sslv_rules_live(sn), *rs;
	int found = sslv_policy_index(sn, id);
	struct sslv_rule *all;
	u32 i, at;

	if (found < 0)
		return found;
	at = found;
	all = kvmalloc_array(live->n, sizeof(*all), GFP_KERNEL_ACCOUNT);
	if (!all)
		return -ENOMEM;
	for (i = 0; i < live->n - 1; i++)
		all[i] = live->rules[i < at ? i : i + 1];
	rs = sslv_ruleset_build(all, live->n - 1, live, at, 0, 1);
	kvfree(all);
	if (!rs)
		return -ENOMEM;
	sslv_ruleset_swap(sn, rs);
	return 0;
}

/* Drop the rules @st staged (the stage itself stays: sslv_stage_put). */
void sslv_policy_unstage(struct sslv_net *sn, struct sslv_stage *st)
{
	if (!st)
		return;
	sslv_rules_free_ext(st->rules, st->nrules);
	kvfree(st->rules);
	sn->staged_rules -= st->nrules;
	st->rules = NULL;
	st->nrules = 0;
	st->cap = 0;
}

void sslv_policy_flush(struct sslv_net *sn)
{
	sslv_ruleset_swap(sn, NULL);
}

int sslv_policy_commit(struct sslv_net *sn, struct sslv_stage *st)
{
	struct sslv_ruleset *rs;

	if (!st || !st->nrules)
		return -ENODATA;
	rs = sslv_ruleset_build(st->rules, st->nrules, NULL, 0, 0, 0);
	if (!rs)
		return -ENOMEM;
	sslv_ruleset_swap(sn, rs);
	sslv_policy_unstage(sn, st);
	return 0;
}

void sslv_policy_exit(struct sslv_net *sn)
{
	/* Hooks are gone: no reader can hold the ruleset any more. */
	sslv_stage_exit(sn);
	sslv_ruleset_free(rcu_dereference_protected(sn->rules, true));
}
