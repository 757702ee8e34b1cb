// SPDX-License-Identifier: GPL-2.0
/* sslvd's netlink requests to sslv.ko, see kernel.h. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include <linux/sslv.h>

#include "kernel.h"
#include "log.h"

static const char *const close_names[__SSLVD_CLOSE_MAX] = {
	[SSLVD_CLOSE_DONE] = "done",
	[SSLVD_CLOSE_CLIENT] = "client-reset",
	[SSLVD_CLOSE_SERVER] = "server-reset",
	[SSLVD_CLOSE_UPSTREAM_REFUSED] = "upstream-refused",
	[SSLVD_CLOSE_UPSTREAM_UNREACHABLE] = "upstream-unreachable",
	[SSLVD_CLOSE_UPSTREAM_TLS] = "upstream-handshake",
	[SSLVD_CLOSE_UPSTREAM_INVALID] = "upstream-invalid",
	[SSLVD_CLOSE_CLIENT_TLS] = "client-handshake",
	[SSLVD_CLOSE_KTLS] = "ktls",
	[SSLVD_CLOSE_BAD_RECORD] = "bad-record",
	[SSLVD_CLOSE_KEYUPDATE] = "keyupdate",
	[SSLVD_CLOSE_IDLE] = "idle",
	[SSLVD_CLOSE_ERROR] = "error",
	[SSLVD_CLOSE_ACTION] = "action",
	[SSLVD_CLOSE_NOT_TLS] = "not-tls",
	[SSLVD_CLOSE_RESOURCES] = "resources",
	[SSLVD_CLOSE_SHUTDOWN] = "shutdown",
	[SSLVD_CLOSE_REJECTED] = "rejected",
	[SSLVD_CLOSE_IPS_DROP] = "ips-drop",
	[SSLVD_CLOSE_IPS_RESET] = "ips-reset",
};

const char *sslvd_close_name(enum sslvd_close c)
{
	return c < __SSLVD_CLOSE_MAX && close_names[c] ? close_names[c] : "?";
}


/* The family, or the reason there is none. */
static int kernel_open(struct sslvd_kernel *k)
{
	int err;

	memset(k, 0, sizeof(*k));
	err = genl_open(&k->g, SSLV_GENL_NAME, SSLV_GENL_VERSION);
	if (err == -ENOENT) {
		sslvd_log("sslv module not loaded (generic netlink family \"%s\" not found); "
			  "load it with \"modprobe sslv\"", SSLV_GENL_NAME);
		return SSLVD_EX_MODULE;
	}
	if (err) {
		sslvd_log("generic netlink: %s", strerror(-err));
		return SSLVD_EX_FAIL;
	}
	k->open = true;
	return SSLVD_OK;
}

#ifdef SSLVD_HAVE_DECRYPT
int sslvd_kernel_register(struct sslvd_kernel *k, uint16_t port, uint32_t mark)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	err = kernel_open(k);
	if (err)
		return err;
	nlh = genl_msg(&k->g, buf, SSLV_CMD_DECRYPT_REGISTER, 0);
	mnl_attr_put_u16(nlh, SSLV_A_DECRYPT_PORT, port);
	mnl_attr_put_u32(nlh, SSLV_A_DECRYPT_MARK, mark);
	err = genl_request(&k->g, nlh, NULL, NULL);
	if (!err)
		return SSLVD_OK;
	if (err == -EBUSY) {
		sslvd_log("cannot register with sslv: %s",
			  k->g.ext_msg[0] ? k->g.ext_msg :
			  "another sslvd serves this namespace");
		sslvd_kernel_close(k);
		return SSLVD_EX_BUSY;
	}
	if (err == -EOPNOTSUPP) {
		sslvd_log("the loaded sslv module has no decrypt interface "
			  "(SSLV_CMD_DECRYPT_REGISTER: %s); load a newer one", strerror(-err));
		sslvd_kernel_close(k);
		return SSLVD_EX_MODULE;
	}
	sslvd_log("cannot register with sslv: %s%s%s", strerror(-err),
		  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
	sslvd_kernel_close(k);
	return SSLVD_EX_FAIL;
}

static const uint8_t flow_types[SSLV_FLOW_MAX + 1] = {
	[SSLV_FLOW_ID] = MNL_TYPE_U32,
	[SSLV_FLOW_FAMILY] = MNL_TYPE_U8,
	[SSLV_FLOW_SPORT] = MNL_TYPE_U16,
	[SSLV_FLOW_DPORT] = MNL_TYPE_U16,
	[SSLV_FLOW_VLAN] = MNL_TYPE_U16,
	[SSLV_FLOW_ACTION] = MNL_TYPE_U8,
};

static const uint8_t top_types[SSLV_A_MAX + 1] = {
	[SSLV_A_FLOW] = MNL_TYPE_NESTED,
#ifdef SSLVD_HAVE_IPS
	[SSLV_A_IPS] = MNL_TYPE_NESTED,
#endif
	[SSLV_A_MODE] = MNL_TYPE_U8,
	[SSLV_A_EVENT] = MNL_TYPE_U8,
	[SSLV_A_SESSION] = MNL_TYPE_NESTED,
	[SSLV_A_UPSTREAM_INVALID] = MNL_TYPE_U8,
};

static const uint8_t sess_types[SSLV_SESS_MAX + 1] = {
	[SSLV_SESS_ACTION] = MNL_TYPE_U8,
};

static int flow_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1], *fb[SSLV_FLOW_MAX + 1];
	struct sslvd_flow *f = data;
	uint32_t id;

	if (genl_parse(nlh, tb, SSLV_A_MAX, top_types) < 0 || !tb[SSLV_A_FLOW] ||
	    genl_parse_nest(tb[SSLV_A_FLOW], fb, SSLV_FLOW_MAX, flow_types) < 0 ||
	    !fb[SSLV_FLOW_ID])
		return MNL_CB_OK;
	id = mnl_attr_get_u32(fb[SSLV_FLOW_ID]);
	/* a tombstone of an older connection may share the tuple: newest wins */
	if (f->action != SSLVD_FLOW_UNKNOWN && id < f->id)
		return MNL_CB_OK;
	f->id = id;
	f->vlan = fb[SSLV_FLOW_VLAN] ? mnl_attr_get_u16(fb[SSLV_FLOW_VLAN]) : 0;
	f->action = fb[SSLV_FLOW_ACTION] ? mnl_attr_get_u8(fb[SSLV_FLOW_ACTION]) :
		    SSLVD_FLOW_UNDECIDED;
	return MNL_CB_OK;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		mnl_attr_put(nlh, type, 4, &((const struct sockaddr_in *)ss)->sin_addr);
	else
		mnl_attr_put(nlh, type, 16, &((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port :
			 ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* The flow nest: the tuple (and VLAN) that names the flow. */
static void put_tuple(struct nlmsghdr *nlh, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, const uint16_t *vlan)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_FLOW);

	mnl_attr_put_u8(nlh, SSLV_FLOW_FAMILY, (uint8_t)cli->ss_family);
	put_addr(nlh, SSLV_FLOW_SADDR, cli);
	put_addr(nlh, SSLV_FLOW_DADDR, srv);
	mnl_attr_put_u16(nlh, SSLV_FLOW_SPORT, port_of(cli));
	mnl_attr_put_u16(nlh, SSLV_FLOW_DPORT, port_of(srv));
	if (vlan)
		mnl_attr_put_u16(nlh, SSLV_FLOW_VLAN, *vlan);
	mnl_attr_nest_end(nlh, nest);
}

int sslvd_kernel_flow(struct sslvd_kernel *k, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, struct sslvd_flow *f)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_FLOW_GET, NLM_F_DUMP);
	int err;

	f->id = 0;
	f->vlan = 0;
	f->action = SSLVD_FLOW_UNKNOWN;
	put_tuple(nlh, cli, srv, NULL);
	err = genl_request(&k->g, nlh, flow_cb, f);
	if (err)
		sslvd_log("flow lookup: %s%s%s", strerror(-err),
			  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
	return err;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	int *policy = data;

	if (genl_parse(nlh, tb, SSLV_A_MAX, top_types) < 0)
		return MNL_CB_ERROR;
	if (tb[SSLV_A_UPSTREAM_INVALID])
		*policy = mnl_attr_get_u8(tb[SSLV_A_UPSTREAM_INVALID]);
	return MNL_CB_OK;
}

int sslvd_kernel_upstream_invalid(struct sslvd_kernel *k)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_CONFIG_GET, 0);
	int policy = SSLV_UPSTREAM_UNTRUSTED, err;

	err = genl_request(&k->g, nlh, config_cb, &policy);
	if (err)
		sslvd_log("upstream-invalid: %s; the untrusted CA signs", strerror(-err));
	switch (policy) {
	case SSLV_UPSTREAM_REJECT:
		return SSLV_ACT_REJECT;
	case SSLV_UPSTREAM_CUT:
		return SSLV_ACT_CUT;
	}
	return SSLVD_INVALID_UNTRUSTED;
}

int sslvd_kernel_events_open(struct sslvd_kernel *k)
{
	int err, fd;

	err = genl_open(&k->ev, SSLV_GENL_NAME, SSLV_GENL_VERSION);
	if (err) {
		sslvd_log("events socket: %s", strerror(-err));
		return -1;
	}
	k->ev_open = true;
	err = genl_join(&k->ev, SSLV_MCGRP_EVENTS);
	fd = mnl_socket_get_fd(k->ev.sock);
	if (err || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		sslvd_log("events group: %s", strerror(err ? -err : errno));
		return -1;
	}
	return fd;
}

struct ev_ctx {
	void (*cb)(void *data, const struct sockaddr_storage *cli,
		   const struct sockaddr_storage *srv, int action);
	void *data;
	struct sslvd_kernel *k;
};

#ifdef SSLVD_HAVE_IPS
static const uint8_t ips_types[SSLV_IPS_MAX + 1] = {
	[SSLV_IPS_OUT] = MNL_TYPE_NUL_STRING,
	[SSLV_IPS_IN] = MNL_TYPE_NUL_STRING,
	[SSLV_IPS_COPY] = MNL_TYPE_NUL_STRING,
	[SSLV_IPS_FEEDBACK_TIMEOUT] = MNL_TYPE_U32,
	[SSLV_IPS_STATE] = MNL_TYPE_U8,
};

static void name_get(char *dst, const struct nlattr *a)
{
	dst[0] = 0;
	if (a && mnl_attr_get_payload_len(a) <= IFNAMSIZ)
		snprintf(dst, IFNAMSIZ, "%s", mnl_attr_get_str(a));
}

/* The SSLV_A_IPS nest (NULL: no IPS set): 0, or -EPROTO. */
static int ips_parse(const struct nlattr *nest, struct sslvd_ips_conf *c)
{
	const struct nlattr *ib[SSLV_IPS_MAX + 1];

	memset(c, 0, sizeof(*c));
	c->timeout_ms = SSLV_IPS_FEEDBACK_DEFAULT;
	if (!nest)
		return 0;
	if (genl_parse_nest(nest, ib, SSLV_IPS_MAX, ips_types) < 0)
		return -EPROTO;
	name_get(c->out, ib[SSLV_IPS_OUT]);
	name_get(c->in, ib[SSLV_IPS_IN]);
	name_get(c->copy, ib[SSLV_IPS_COPY]);
	if (ib[SSLV_IPS_FEEDBACK_TIMEOUT])
		c->timeout_ms = mnl_attr_get_u32(ib[SSLV_IPS_FEEDBACK_TIMEOUT]);
	c->set = c->out[0] && c->in[0];
	return 0;
}
#endif

static void get_addr(struct sockaddr_storage *ss, int family, const struct nlattr *a,
		     uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		memcpy(&s4->sin_addr, mnl_attr_get_payload(a), 4);
		s4->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *s6 = (void *)ss;

		memcpy(&s6->sin6_addr, mnl_attr_get_payload(a), 16);
		s6->sin6_port = htons(port);
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1], *fb[SSLV_FLOW_MAX + 1];
	const struct nlattr *sb[SSLV_SESS_MAX + 1];
	struct sockaddr_storage cli, srv;
	struct ev_ctx *c = data;
	int action = -1, family;
	size_t alen;

	if (genl_parse(nlh, tb, SSLV_A_MAX, top_types) < 0 || !tb[SSLV_A_EVENT])
		return MNL_CB_OK;
#ifdef SSLVD_HAVE_IPS
	if (mnl_attr_get_u8(tb[SSLV_A_EVENT]) == SSLV_EV_IPS) {
		struct sslvd_ips_conf ic;

		if (c->k->ips_cb && !ips_parse(tb[SSLV_A_IPS], &ic))
			c->k->ips_cb(c->k->ips_data, &ic);
		return MNL_CB_OK;
	}
#endif
	if (!tb[SSLV_A_FLOW] ||
	    genl_parse_nest(tb[SSLV_A_FLOW], fb, SSLV_FLOW_MAX, flow_types) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_u8(tb[SSLV_A_EVENT])) {
	case SSLV_EV_FLOW_REJECTED:
		action = SSLV_ACT_REJECT;
		break;
	case SSLV_EV_SESSION:
		if (tb[SSLV_A_SESSION] &&
		    !genl_parse_nest(tb[SSLV_A_SESSION], sb, SSLV_SESS_MAX, sess_types) &&
		    sb[SSLV_SESS_ACTION] &&
		    mnl_attr_get_u8(sb[SSLV_SESS_ACTION]) == SSLV_ACT_DROP)
			action = SSLV_ACT_DROP;
		break;
	}
	if (action < 0 || !fb[SSLV_FLOW_FAMILY] || !fb[SSLV_FLOW_SADDR] ||
	    !fb[SSLV_FLOW_DADDR] || !fb[SSLV_FLOW_SPORT] || !fb[SSLV_FLOW_DPORT])
		return MNL_CB_OK;
	family = mnl_attr_get_u8(fb[SSLV_FLOW_FAMILY]);
	alen = family == AF_INET ? 4 : 16;
	if ((family != AF_INET && family != AF_INET6) ||
	    mnl_attr_get_payload_len(fb[SSLV_FLOW_SADDR]) != alen ||
	    mnl_attr_get_payload_len(fb[SSLV_FLOW_DADDR]) != alen)
		return MNL_CB_OK;
	get_addr(&cli, family, fb[SSLV_FLOW_SADDR], mnl_attr_get_u16(fb[SSLV_FLOW_SPORT]));
	get_addr(&srv, family, fb[SSLV_FLOW_DADDR], mnl_attr_get_u16(fb[SSLV_FLOW_DPORT]));
	c->cb(c->data, &cli, &srv, action);
	return MNL_CB_OK;
}

int sslvd_kernel_events(struct sslvd_kernel *k,
			void (*cb)(void *data, const struct sockaddr_storage *cli,
				   const struct sockaddr_storage *srv, int action),
			void *data)
{
	struct ev_ctx c = { cb, data, k };
	int fd = mnl_socket_get_fd(k->ev.sock), i;
	ssize_t n;

	for (i = 0; i < 64; i++) {
		n = recv(fd, k->ev.buf, GENL_RECV_SIZE, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		mnl_cb_run(k->ev.buf, (size_t)n, 0, 0, event_cb, &c);
	}
	return 0;
}

static uint8_t close_code(enum sslvd_close c)
{
	switch (c) {
	case SSLVD_CLOSE_DONE:
		return SSLV_CLOSE_DONE;
	case SSLVD_CLOSE_CLIENT:
		return SSLV_CLOSE_CLIENT_RESET;
	case SSLVD_CLOSE_SERVER:
		return SSLV_CLOSE_SERVER_RESET;
	case SSLVD_CLOSE_UPSTREAM_REFUSED:
		return SSLV_CLOSE_UPSTREAM_REFUSED;
	case SSLVD_CLOSE_UPSTREAM_UNREACHABLE:
		return SSLV_CLOSE_UPSTREAM_UNREACHABLE;
	case SSLVD_CLOSE_UPSTREAM_INVALID:
		return SSLV_CLOSE_UPSTREAM_INVALID;
	case SSLVD_CLOSE_UPSTREAM_TLS:
	case SSLVD_CLOSE_CLIENT_TLS:
		return SSLV_CLOSE_HANDSHAKE;
	case SSLVD_CLOSE_BAD_RECORD:
	case SSLVD_CLOSE_NOT_TLS:
		return SSLV_CLOSE_PROTO;
	case SSLVD_CLOSE_KEYUPDATE:
		return SSLV_CLOSE_KEYUPDATE;
	case SSLVD_CLOSE_IDLE:
		return SSLV_CLOSE_IDLE;
	case SSLVD_CLOSE_REJECTED:
		return SSLV_CLOSE_REJECTED;
#ifdef SSLVD_HAVE_IPS
	case SSLVD_CLOSE_IPS_DROP:
		return SSLV_CLOSE_IPS_DROP;
	case SSLVD_CLOSE_IPS_RESET:
		return SSLV_CLOSE_IPS_RESET;
#endif
	default:
		return SSLV_CLOSE_ERROR;
	}
}

static void report_send(struct sslvd_kernel *k, const struct sslvd_report *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_DECRYPT_SESSION, 0);
	struct nlattr *nest;
	uint8_t ktls = 0;
	int err;

	ktls |= r->ktls_cl_tx ? SSLV_KTLS_CLIENT_TX : 0;
	ktls |= r->ktls_cl_rx ? SSLV_KTLS_CLIENT_RX : 0;
	ktls |= r->ktls_up_tx ? SSLV_KTLS_SERVER_TX : 0;
	ktls |= r->ktls_up_rx ? SSLV_KTLS_SERVER_RX : 0;
	mnl_attr_put_u32(nlh, SSLV_A_FLOW_ID, r->flow_id);
	put_tuple(nlh, &r->cli, &r->srv, &r->vlan);
	nest = mnl_attr_nest_start(nlh, SSLV_A_SESSION);
	if (r->version_wire)
		mnl_attr_put_u16(nlh, SSLV_SESS_VERSION, r->version_wire);
	if (r->cipher_id)
		mnl_attr_put_u16(nlh, SSLV_SESS_CIPHER, r->cipher_id);
	if (r->client_version)
		mnl_attr_put_u16(nlh, SSLV_SESS_CLIENT_VERSION, r->client_version);
	if (r->sni_len)
		mnl_attr_put(nlh, SSLV_SESS_SNI, r->sni_len, r->sni);
	if (r->alpn_len)
		mnl_attr_put(nlh, SSLV_SESS_ALPN, r->alpn_len, r->alpn);
	mnl_attr_put_u8(nlh, SSLV_SESS_ACTION, (uint8_t)r->action);
	if (r->verify >= 0) {
		mnl_attr_put_u32(nlh, SSLV_SESS_VERIFY, (uint32_t)r->verify);
		mnl_attr_put_u8(nlh, SSLV_SESS_VERIFIED, r->verified);
		mnl_attr_put_u8(nlh, SSLV_SESS_CACHE_HIT, r->cache_hit);
	}
	mnl_attr_put_u8(nlh, SSLV_SESS_KTLS, ktls);
	mnl_attr_put_u64(nlh, SSLV_SESS_BYTES_ORIG, r->bytes_c2s);
	mnl_attr_put_u64(nlh, SSLV_SESS_BYTES_REPLY, r->bytes_s2c);
	mnl_attr_put_u8(nlh, SSLV_SESS_CLOSE, close_code(r->reason));
#ifdef SSLVD_HAVE_IPS
	if (r->ips) {
		mnl_attr_put_u8(nlh, SSLV_SESS_IPS, r->ips == SSLVD_IPS_ACTIVE ?
				SSLV_SESS_IPS_ACTIVE : SSLV_SESS_IPS_PASSIVE);
		mnl_attr_put_u32(nlh, SSLV_SESS_IPS_RSTS, r->ips_rsts);
	}
#endif
	mnl_attr_nest_end(nlh, nest);
	err = genl_request(&k->g, nlh, NULL, NULL);
	if (err)
		sslvd_log("session report of flow %u: %s%s%s", r->flow_id, strerror(-err),
			  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
}

static int mode_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];
	int *mode = data;

	if (genl_parse(nlh, tb, SSLV_A_MAX, top_types) < 0)
		return MNL_CB_ERROR;
	if (tb[SSLV_A_MODE])
		*mode = mnl_attr_get_u8(tb[SSLV_A_MODE]);
	return MNL_CB_OK;
}

int sslvd_kernel_mode(struct sslvd_kernel *k)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int mode = SSLV_MODE_ACTIVE_INLINE, err;

	if (!k->open)
		return mode;
	nlh = genl_msg(&k->g, buf, SSLV_CMD_MODE_GET, 0);
	err = genl_request(&k->g, nlh, mode_cb, &mode);
	if (err)
		sslvd_log("mode: %s; active-inline assumed", strerror(-err));
	return mode;
}

#ifdef SSLVD_HAVE_IPS
static int ips_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSLV_A_MAX + 1];

	if (genl_parse(nlh, tb, SSLV_A_MAX, top_types) < 0 ||
	    ips_parse(tb[SSLV_A_IPS], data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int sslvd_kernel_ips_get(struct sslvd_kernel *k, struct sslvd_ips_conf *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_IPS_GET, 0);
	int err;

	memset(c, 0, sizeof(*c));
	err = genl_request(&k->g, nlh, ips_cb, c);
	if (err)
		sslvd_log("IPS configuration: %s%s%s", strerror(-err),
			  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
	return err;
}

int sslvd_kernel_ips_state(struct sslvd_kernel *k, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_IPS_STATE, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_IPS);
	int err;

	mnl_attr_put_u8(nlh, SSLV_IPS_STATE, up ? SSLV_IPS_STATE_UP : SSLV_IPS_STATE_DOWN);
	mnl_attr_nest_end(nlh, nest);
	err = genl_request(&k->g, nlh, NULL, NULL);
	if (err)
		sslvd_log("IPS state %s: %s%s%s", up ? "up" : "down", strerror(-err),
			  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
	return err;
}
#else
int sslvd_kernel_ips_get(struct sslvd_kernel *k, struct sslvd_ips_conf *c)
{
	memset(c, 0, sizeof(*c));
	return 0;
}

int sslvd_kernel_ips_state(struct sslvd_kernel *k, bool up)
{
	return 0;
}
#endif
#else /* a uapi header without the decrypt interface */
int sslvd_kernel_register(struct sslvd_kernel *k, uint16_t port, uint32_t mark)
{
	int err = kernel_open(k);

	if (err)
		return err;
	sslvd_kernel_close(k);
	sslvd_log("sslvd was built against an sslv interface without decrypt support "
		  "(no SSLV_CMD_DECRYPT_REGISTER in linux/sslv.h)");
	return SSLVD_EX_MODULE;
}

int sslvd_kernel_flow(struct sslvd_kernel *k, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, struct sslvd_flow *f)
{
	return -EOPNOTSUPP;
}

int sslvd_kernel_upstream_invalid(struct sslvd_kernel *k)
{
	return SSLVD_INVALID_UNTRUSTED;
}

int sslvd_kernel_events_open(struct sslvd_kernel *k)
{
	return -1;
}

int sslvd_kernel_mode(struct sslvd_kernel *k)
{
	return SSLV_MODE_ACTIVE_INLINE;
}

int sslvd_kernel_ips_get(struct sslvd_kernel *k, struct sslvd_ips_conf *c)
{
	memset(c, 0, sizeof(*c));
	return 0;
}

int sslvd_kernel_ips_state(struct sslvd_kernel *k, bool up)
{
	return 0;
}

int sslvd_kernel_events(struct sslvd_kernel *k,
			void (*cb)(void *data, const struct sockaddr_storage *cli,
				   const struct sockaddr_storage *srv, int action),
			void *data)
{
	return 0;
}
#endif

void sslvd_kernel_close(struct sslvd_kernel *k)
{
	if (k->ev_open)
		genl_close(&k->ev);
	if (k->open)
		genl_close(&k->g);
	k->open = k->ev_open = false;
}

/* The session line, for sslvd's own log. */
static void report_log(const struct sslvd_report *r, bool temporary)
{
	char ips[48] = "";

	if (r->ips)
		snprintf(ips, sizeof(ips), " ips=%s ips_rsts=%u",
			 r->ips == SSLVD_IPS_ACTIVE ? "active" : "passive", r->ips_rsts);
	sslvd_log("session flow=%u client=%s server=%s action=%s version=%s cipher=%s "
		  "verify=%ld cache=%s ktls=%d%d/%d%d c2s=%llu s2c=%llu close=%s%s%s%s%s",
		  r->flow_id, r->client, r->server,
		  r->action == SSLVD_ACT_DECRYPT ? "decrypt" :
		  r->action == SSLV_ACT_CUT ? "cut" : "?",
		  r->version ? r->version : "-", r->cipher ? r->cipher : "-",
		  r->verify, r->cache_hit ? "hit" : "miss",
		  r->ktls_cl_tx, r->ktls_cl_rx, r->ktls_up_tx, r->ktls_up_rx,
		  (unsigned long long)r->bytes_c2s, (unsigned long long)r->bytes_s2c,
		  sslvd_close_name(r->reason), r->err ? " errno=" : "",
		  r->err ? strerror(r->err) : "", ips,
		  temporary ? " (logged by sslvd: no module to report to)" : "");
}

void sslvd_kernel_report(struct sslvd_kernel *k, const struct sslvd_report *r)
{
#ifdef SSLVD_HAVE_DECRYPT
	if (k->open && r->flow_id) {
		report_send(k, r);
		return;
	}
#endif
	report_log(r, true);
}
