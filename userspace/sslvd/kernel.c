// SPDX-License-Identifier: GPL-2.0
/* sslvd's netlink requests to sslv.ko, see kernel.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <linux/sslv.h>

#include "kernel.h"
#include "log.h"

static const char *const close_names[__SSLVD_CLOSE_MAX] = {
	[SSLVD_CLOSE_DONE] = "done",
	[SSLVD_CLOSE_CLIENT] = "client-closed",
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
};

const char *sslvd_close_name(enum sslvd_close c)
{
	return c < __SSLVD_CLOSE_MAX && close_names[c] ? close_names[c] : "?";
}

int sslvd_kernel_register(struct sslvd_kernel *k, uint16_t port)
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
#ifdef SSLVD_HAVE_DECRYPT
	{
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_DECRYPT_REGISTER, 0);

		mnl_attr_put_u16(nlh, SSLV_A_DECRYPT_PORT, port);
		err = genl_request(&k->g, nlh, NULL, NULL);
	}
	if (!err)
		return SSLVD_OK;
	if (err == -EBUSY) {
		sslvd_log("cannot register with sslv: %s",
			  k->g.ext_msg[0] ? k->g.ext_msg :
			  "another sslvd serves this network namespace");
		sslvd_kernel_close(k);
		return SSLVD_EX_BUSY;
	}
	if (err == -EOPNOTSUPP) {
		sslvd_log("the loaded sslv module has no decrypt interface "
			  "(SSLV_CMD_DECRYPT_REGISTER: %s)", strerror(-err));
		sslvd_kernel_close(k);
		return SSLVD_EX_MODULE;
	}
	sslvd_log("cannot register with sslv: %s%s%s", strerror(-err),
		  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
	sslvd_kernel_close(k);
	return SSLVD_EX_FAIL;
#else
	(void)port;
	sslvd_log("sslvd was built against an sslv interface without decrypt support "
		  "(no SSLV_CMD_DECRYPT_REGISTER in linux/sslv.h)");
	sslvd_kernel_close(k);
	return SSLVD_EX_MODULE;
#endif
}

void sslvd_kernel_close(struct sslvd_kernel *k)
{
	if (k->open)
		genl_close(&k->g);
	k->open = false;
}

#ifdef SSLVD_HAVE_DECRYPT
static const uint8_t flow_types[SSLV_FLOW_MAX + 1] = {
	[SSLV_FLOW_ID] = MNL_TYPE_U32,
	[SSLV_FLOW_ACTION] = MNL_TYPE_U8,
};

static const uint8_t top_types[SSLV_A_MAX + 1] = {
	[SSLV_A_FLOW] = MNL_TYPE_NESTED,
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
#endif

int sslvd_kernel_flow(struct sslvd_kernel *k, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, struct sslvd_flow *f)
{
	f->id = 0;
	f->action = SSLVD_FLOW_UNKNOWN;
#ifdef SSLVD_HAVE_DECRYPT
	{
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = genl_msg(&k->g, buf, SSLV_CMD_FLOW_GET, NLM_F_DUMP);
		struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_FLOW);
		int err;

		mnl_attr_put_u8(nlh, SSLV_FLOW_FAMILY, (uint8_t)cli->ss_family);
		put_addr(nlh, SSLV_FLOW_SADDR, cli);
		put_addr(nlh, SSLV_FLOW_DADDR, srv);
		mnl_attr_put_u16(nlh, SSLV_FLOW_SPORT, port_of(cli));
		mnl_attr_put_u16(nlh, SSLV_FLOW_DPORT, port_of(srv));
		mnl_attr_nest_end(nlh, nest);
		err = genl_request(&k->g, nlh, flow_cb, f);
		if (err)
			sslvd_log("flow lookup: %s%s%s", strerror(-err),
				  k->g.ext_msg[0] ? ": " : "", k->g.ext_msg);
		return err;
	}
#else
	(void)k;
	(void)cli;
	(void)srv;
	return -EOPNOTSUPP;
#endif
}

int sslvd_kernel_upstream_invalid(struct sslvd_kernel *k)
{
	/* the module's upstream-invalid key: read below once it exists */
	(void)k;
	return SSLVD_INVALID_UNTRUSTED;
}

void sslvd_kernel_report(struct sslvd_kernel *k, const struct sslvd_report *r)
{
	/*
	 * Temporary: the module does not take SSLV_CMD_DECRYPT_SESSION yet, so
	 * sslvd logs the session line itself; the module's session event
	 * replaces it.
	 */
	(void)k;
	sslvd_log("session flow=%u client=%s server=%s action=%s version=%s cipher=%s "
		  "verify=%ld cache=%s ktls=%d%d/%d%d c2s=%llu s2c=%llu close=%s%s%s "
		  "(logged by sslvd until the module takes SSLV_CMD_DECRYPT_SESSION)",
		  r->flow_id, r->client, r->server,
		  r->action == SSLVD_ACT_DECRYPT ? "decrypt" :
		  r->action == SSLV_ACT_CUT ? "cut" :
		  r->action == SSLV_ACT_REJECT ? "reject" :
		  r->action == SSLV_ACT_DROP ? "drop" : "none",
		  r->version ? r->version : "-", r->cipher ? r->cipher : "-",
		  r->verify, r->cache_hit ? "hit" : "miss",
		  r->ktls_cl_tx, r->ktls_cl_rx, r->ktls_up_tx, r->ktls_up_rx,
		  (unsigned long long)r->bytes_c2s, (unsigned long long)r->bytes_s2c,
		  sslvd_close_name(r->reason), r->err ? " errno=" : "",
		  r->err ? strerror(r->err) : "");
}
