// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Generic netlink client on libmnl: family resolution, request/ack with
 * extended ack, dumps, multicast. See genl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "genl.h"

/* What the receive callbacks need: the socket and the caller's callback. */
struct genl_ctx {
	struct genl *g;
	mnl_cb_t cb;
	void *data;
};

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
	const uint8_t *types;
};

static int parse_attr(const struct nlattr *attr, void *data)
{
	struct parse_ctx *p = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > p->max)
		return MNL_CB_OK;
	if (p->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, p->types[type]) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	p->tb[type] = attr;
	return MNL_CB_OK;
}

int genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	       unsigned int max, const uint8_t *types)
{
	struct parse_ctx p = { tb, max, types };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EPROTO;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, parse_attr, &p) < 0)
		return -EPROTO;
	return 0;
}

int genl_parse_nest(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max, const uint8_t *types)
{
	struct parse_ctx p = { tb, max, types };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, parse_attr, &p) < 0)
		return -EPROTO;
	return 0;
}

static int ext_ack_attr(const struct nlattr *attr, void *data)
{
	struct genl *g = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(g->ext_msg, sizeof(g->ext_msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			g->ext_off = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* The TLVs of an ack or a dump's DONE start @off bytes into the payload. */
static void read_ext_ack(struct genl *g, const struct nlmsghdr *nlh,
			 size_t off)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (MNL_ALIGN(off) > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, MNL_ALIGN(off), ext_ack_attr, g);
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct genl_ctx *c = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	read_ext_ack(c->g, nlh, off);
	if (err->error == 0)
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct genl_ctx *c = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	read_ext_ack(c->g, nlh, sizeof(err));
	errno = -err;
	return MNL_CB_ERROR;
}

/* A callback that fails without saying why failed on a malformed message. */
static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct genl_ctx *c = data;
	int ret;

	if (!c->cb)
		return MNL_CB_OK;
	errno = 0;
	ret = c->cb(nlh, c->data);
	if (ret == MNL_CB_ERROR && !errno)
		errno = EPROTO;
	return ret;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = on_error,
	[NLMSG_DONE] = on_done,
};

/* Receives until a callback stops (0) or fails (-errno). */
static int receive(struct genl *g, uint32_t seq, uint32_t portid,
		   mnl_cb_t cb, void *data)
{
	struct genl_ctx c = { g, cb, data };
	ssize_t n;
	int ret;

	for (;;) {
		n = mnl_socket_recvfrom(g->sock, g->buf, GENL_RECV_SIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(g->buf, n, seq, portid, on_data, &c,
				  ctl_cbs, NLMSG_MIN_TYPE);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

struct nlmsghdr *genl_msg(struct genl *g, void *buf, uint8_t cmd,
			  uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = g->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++g->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = g->version;
	return nlh;
}

int genl_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	g->ext_msg[0] = '\0';
	g->ext_off = 0;
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(g->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return receive(g, nlh->nlmsg_seq, g->portid, cb, data);
}

static int family_group(const struct nlattr *nest, void *data)
{
	static const uint8_t types[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GRP_ID] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct genl *g = data;
	struct genl_group *grp;

	if (genl_parse_nest(nest, tb, CTRL_ATTR_MCAST_GRP_MAX, types) < 0)
		return MNL_CB_ERROR;
	if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID] ||
	    g->ngroups == GENL_MAX_GROUPS)
		return MNL_CB_OK;
	grp = &g->groups[g->ngroups++];
	snprintf(grp->name, sizeof(grp->name), "%s",
		 mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]));
	grp->id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	return MNL_CB_OK;
}

static int family_reply(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genl *g = data;

	if (genl_parse(nlh, tb, CTRL_ATTR_MAX, types) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID]) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	g->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	g->ngroups = 0;
	if (tb[CTRL_ATTR_MCAST_GROUPS] &&
	    mnl_attr_parse_nested(tb[CTRL_ATTR_MCAST_GROUPS], family_group,
				  g) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int resolve_family(struct genl *g, const char *family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	g->family = GENL_ID_CTRL;
	g->version = 1;
	nlh = genl_msg(g, buf, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	return genl_request(g, nlh, family_reply, g);
}

int genl_open(struct genl *g, const char *family, uint8_t version)
{
	int one = 1;
	int err;

	memset(g, 0, sizeof(*g));
	g->buf = malloc(GENL_RECV_SIZE);
	if (!g->buf)
		return -ENOMEM;
	g->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!g->sock) {
		err = -errno;
		genl_close(g);
		return err;
	}
	/* Both are best effort: without them errors are merely terser. */
	mnl_socket_setsockopt(g->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(g->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		genl_close(g);
		return err;
	}
	g->portid = mnl_socket_get_portid(g->sock);
	err = resolve_family(g, family);
	if (err) {
		genl_close(g);
		return err;
	}
	g->version = version;
	return 0;
}

void genl_close(struct genl *g)
{
	if (g->sock)
		mnl_socket_close(g->sock);
	free(g->buf);
	g->sock = NULL;
	g->buf = NULL;
}

int genl_join(struct genl *g, const char *name)
{
	int rcvbuf = 1 << 20;
	unsigned int i;

	for (i = 0; i < g->ngroups; i++) {
		if (strcmp(g->groups[i].name, name))
			continue;
		if (mnl_socket_setsockopt(g->sock, NETLINK_ADD_MEMBERSHIP,
					  &g->groups[i].id,
					  sizeof(g->groups[i].id)) < 0)
			return -errno;
		/* A burst of events should not overflow at once. */
		setsockopt(mnl_socket_get_fd(g->sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
		return 0;
	}
	return -ENOENT;
}

int genl_listen(struct genl *g, mnl_cb_t cb, void *data)
{
	return receive(g, 0, 0, cb, data);
}
