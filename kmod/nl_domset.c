// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands on domain sets: loading a set in pieces, committing it,
 * deleting it, and the set dump.
 */
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"

/* The request's set name, checked: 1..31 bytes of [A-Za-z0-9_.-]. */
static int sslv_nl_domset_name(struct genl_info *info, char *name)
{
	struct nlattr *a = info->attrs[SSLV_A_DOMSET_NAME];
	u32 i, len;

	if (GENL_REQ_ATTR_CHECK(info, SSLV_A_DOMSET_NAME))
		return -EINVAL;
	len = sslv_nla_strlen(a);
	for (i = 0; i < len; i++) {
		u8 c = ((u8 *)nla_data(a))[i];

		/* isalnum() also takes Latin-1 letters: ASCII only. */
		if (!isascii(c) || (!isalnum(c) && !strchr("_.-", c)))
			break;
	}
	if (!len || i < len) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "a set name is 1 to 31 of A-Z a-z 0-9 _ . -");
		return -EINVAL;
	}
	nla_strscpy(name, a, SSLV_DOMSET_NAME_MAX + 1);
	return 0;
}

/*
 * Names for the set the calling socket stages. SSLV_A_STAGE starts it
 * afresh (and names it); without it, names go on the set already staged,
 * which must be of the same name.
 */
int sslv_nl_domset_add(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	char name[SSLV_DOMSET_NAME_MAX + 1];
	struct sslv_stage *st;
	struct nlattr *a;
	int rem, err;

	err = sslv_nl_domset_name(info, name);
	if (err)
		return err;
	mutex_lock(&sslv_cfg_mutex);
	st = sslv_stage_get(sn, info->snd_portid);
	if (IS_ERR(st)) {
		err = PTR_ERR(st);
		if (err == -ENOSPC)
			NL_SET_ERR_MSG(info->extack,
				       "too many sockets staging at once");
		goto unlock;
	}
	if (info->attrs[SSLV_A_STAGE])
		sslv_domsets_unstage(sn, &st->dom);	/* start afresh */
	if (!st->dom.name[0]) {
		strscpy(st->dom.name, name, sizeof(st->dom.name));
	} else if (strcmp(st->dom.name, name)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SSLV_A_DOMSET_NAME],
				    "this socket stages another domain set (SSLV_A_STAGE starts afresh)");
		err = -EBUSY;
		goto put;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		u32 len = sslv_nla_strlen(a);

		if (nla_type(a) != SSLV_A_DOMAIN)
			continue;
		err = sslv_domain_check(nla_data(a), len);
		if (err) {
			NL_SET_BAD_ATTR(info->extack, a);
			info->extack->_msg = sslv_domain_strerror(err);
			err = -EINVAL;
		} else {
			err = sslv_domsets_add(sn, &st->dom, nla_data(a), len);
			if (err == -ENOSPC)
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "a set holds at most 1048576 names");
			else if (err == -EFBIG)
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "a namespace's domain sets hold at most 64 MiB of names");
		}
		if (err) {
			/* Half a set is never committed. */
			sslv_domsets_unstage(sn, &st->dom);
			break;
		}
	}
put:
	sslv_stage_put(sn, st);
unlock:
	mutex_unlock(&sslv_cfg_mutex);
	return err;
}

/* Only the set the same socket staged under this name. */
int sslv_nl_domset_commit(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	char name[SSLV_DOMSET_NAME_MAX + 1];
	struct sslv_stage *st;
	int err;

	err = sslv_nl_domset_name(info, name);
	if (err)
		return err;
	mutex_lock(&sslv_cfg_mutex);
	st = sslv_stage_find(sn, info->snd_portid);
	if (!st || strcmp(st->dom.name, name))
		err = -ENODATA;
	else
		err = sslv_domsets_commit(sn, &st->dom);
	sslv_stage_put(sn, st);
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENODATA)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SSLV_A_DOMSET_NAME],
				    "this socket staged no domain set of this name");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "no free domain set slot");
	return err;
}

int sslv_nl_domset_del(struct sk_buff *in, struct genl_info *info)
{
	struct sslv_net *sn = sslv_info_net(info);
	char name[SSLV_DOMSET_NAME_MAX + 1];
	int err;

	err = sslv_nl_domset_name(info, name);
	if (err)
		return err;
	mutex_lock(&sslv_cfg_mutex);
	err = sslv_domsets_del(sn, name);
	mutex_unlock(&sslv_cfg_mutex);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SSLV_A_DOMSET_NAME],
				    "no domain set of this name");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SSLV_A_DOMSET_NAME],
				    "a rule uses this domain set");
	return err;
}

/*
 * The names of the set SSLV_A_DOMSET_NAME, in as many messages as they
 * take: each carries the set's name and SSLV_A_DOMAIN attributes.
 * cb->args[1] is the next entry's position in the set, cb->args[2] the
 * set's generation: a set replaced or deleted between two parts of the
 * dump ends it with EAGAIN rather than mixing two sets.
 */
static int sslv_nl_domset_dump_names(struct sk_buff *skb,
				     struct netlink_callback *cb,
				     const struct nlattr *want)
{
	struct sslv_net *sn = sslv_pernet(sock_net(skb->sk));
	char name[SSLV_DOMSET_NAME_MAX + 1];
	char entry[SSLV_DOMAIN_MAX + 1];
	struct sslv_domset *ds = NULL;
	u32 pos = cb->args[1], next;
	void *hdr;
	int i, n = 0, err = 0;

	if (cb->args[3])
		return 0;	/* every name went */
	nla_strscpy(name, want, sizeof(name));
	rcu_read_lock();
	for (i = 0; i < SSLV_DOMSET_MAX; i++) {
		ds = rcu_dereference(sn->domsets[i]);
		if (ds && !strcmp(ds->name, name))
			break;
	}
	if (i == SSLV_DOMSET_MAX) {
		NL_SET_ERR_MSG_ATTR(cb->extack, want, "no domain set of this name");
		err = -ENOENT;
		goto out;
	}
	if (cb->args[2] && cb->args[2] != ds->gen) {
		NL_SET_ERR_MSG_ATTR(cb->extack, want,
				    "the domain set changed during the dump");
		err = -EAGAIN;
		goto out;
	}
	cb->args[2] = ds->gen;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &sslv_family, NLM_F_MULTI, SSLV_CMD_DOMSET_GET);
	if (!hdr || nla_put_string(skb, SSLV_A_DOMSET_NAME, ds->name)) {
		err = -EMSGSIZE;
		goto cancel;
	}
	for (;;) {
		next = pos;
		if (!sslv_domset_next(ds->set, &next, entry)) {
			cb->args[3] = 1;
			break;
		}
		if (nla_put_string(skb, SSLV_A_DOMAIN, entry))
			break;
		pos = next;
		n++;
	}
	if (!n && !cb->args[3]) {
		err = -EMSGSIZE;	/* not one name fits an skb */
		goto cancel;
	}
	genlmsg_end(skb, hdr);
	cb->args[1] = pos;
	goto out;
cancel:
	if (hdr)
		genlmsg_cancel(skb, hdr);
out:
	rcu_read_unlock();
	return err ? err : skb->len;
}

/*
 * Every set's name and size; with SSLV_A_DOMSET_NAME in the request, the
 * names of that set. cb->args[0]: the next slot to dump.
 */
int sslv_nl_domset_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sslv_net *sn = sslv_pernet(sock_net(skb->sk));
	struct nlattr **attrs = sslv_dump_attrs(cb);
	long i;

	if (attrs[SSLV_A_DOMSET_NAME])
		return sslv_nl_domset_dump_names(skb, cb,
						 attrs[SSLV_A_DOMSET_NAME]);

	rcu_read_lock();
	for (i = cb->args[0]; i < SSLV_DOMSET_MAX; i++) {
		struct sslv_domset *ds = rcu_dereference(sn->domsets[i]);
		void *hdr;

		if (!ds)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &sslv_family,
				  NLM_F_MULTI, SSLV_CMD_DOMSET_GET);
		if (!hdr)
			break;
		if (nla_put_string(skb, SSLV_A_DOMSET_NAME, ds->name) ||
		    nla_put_u32(skb, SSLV_A_DOMSET_SIZE,
				sslv_domset_count(ds->set))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}
