// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A stand-in for the sslv module, for testing sslvctl's output on a host
 * that cannot load it. LD_PRELOAD it: a netlink socket then talks to this
 * file instead of the kernel, which answers every sslv command with fixed
 * contents (the same a real module could send), acks with extended ack
 * attributes, and ends dumps with NLMSG_DONE.
 *
 * FAKE_SSLV_LOG=FILE   appends one line per request: the command, "stage",
 *                      "rules=N" and "domains=N" where they apply, and the
 *                      length.
 * FAKE_SSLV_ATTRS=FILE appends one line per request: the command and every
 *                      attribute it carries, by name, as NAME=VALUE (nests
 *                      as NAME{...}, flags as NAME); see dump_attrs().
 * FAKE_SSLV_FAIL=N     refuses the RULE_ADD message that carries the Nth
 *                      rule sent (counting from 1), with EINVAL, a message
 *                      and the offset of that rule's nest.
 * FAKE_SSLV_FAIL_DOMAIN=N  the same for the DOMSET_ADD message carrying the
 *                      Nth domain, pointing at that SSLV_A_DOMAIN.
 * FAKE_SSLV_EPERM=1    refuses every sslv command with EPERM.
 * FAKE_SSLV_COMMENT=S  the comment of rule 6 in RULE_GET ("it's \"ok\" #
 *                      too" otherwise).
 * FAKE_SSLV_NO_RST=1   STATS_GET has no rst_* counters (an older module).
 * FAKE_SSLV_ROTATE=FILE  once the events are read, does what logrotate does:
 *                      renames FILE to FILE.1 and sends SIGHUP (the read
 *                      fails with EINTR), then serves the events again.
 * FAKE_SSLV_TIME=S.US  clock_gettime() tells this time (CLOCK_REALTIME; the
 *                      other clocks count from 0), and clock_nanosleep()
 *                      returns at once, moving the clocks on as if it had
 *                      slept: monitor's timestamps and stats -d's intervals
 *                      come out the same every run.
 *
 * RULE_ADD at a place: the ruleset is rules 3 to 7 (RULE_GET), so an
 * SSLV_A_RULE_INDEX above 5 is refused with ERANGE, an SSLV_A_RULE_BEFORE
 * or _AFTER of another id with ENOENT, as the module does.
 *
 * DOMSET_GET dumps two sets, "corp" (3 names) and "blocklist" (100000);
 * DOMSET_DEL of "busy" is refused with EBUSY. DOMSET_GET with a set's
 * name dumps its names: corp's three, 250 of blocklist's in three
 * messages ("host-N.example"), and for any other name ends with ENOENT.
 *
 * After joining the events group, reads return a flow rejected, a flow
 * ended, three RST events (of flow 17, of no flow, and one sslv sent in
 * flow 18) and three sessions (see queue_sessions()), then the process
 * exits 0.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sslv.h>

#include "rst.h"

#define FAMILY_ID	0x20
#define EVENTS_ID	7
#define MAX_DGRAMS	64
#define DGRAM_SIZE	8192

static int fake_fd = -1;
static bool joined;
static unsigned int rules_seen;
static unsigned int domains_seen;
static unsigned int stats_gets;

/* Datagrams waiting to be read, each one or more netlink messages. */
static char dgrams[MAX_DGRAMS][DGRAM_SIZE];
static size_t dgram_len[MAX_DGRAMS];
static unsigned int head, tail;

static const char *const cmd_names[__SSLV_CMD_MAX] = {
	"UNSPEC", "MODE_GET", "MODE_SET", "CONFIG_GET", "CONFIG_SET",
	"RULE_ADD", "RULE_DEL", "RULE_GET", "RULE_FLUSH", "RULE_COMMIT",
	"FLOW_GET", "FLOW_REJECT", "STATS_GET", "STATS_RESET", "EVENT",
	"DOMSET_ADD", "DOMSET_COMMIT", "DOMSET_DEL", "DOMSET_GET",
	"DECRYPT_REGISTER", "DECRYPT_SESSION", "IPS_SET", "IPS_DEL", "IPS_GET",
	"IPS_STATE",
};

static struct nlmsghdr *reply(const struct nlmsghdr *req, uint16_t type,
			      uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dgrams[tail]);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req ? req->nlmsg_seq : 0;
	nlh->nlmsg_pid = req ? req->nlmsg_pid : 0;
	if (type >= NLMSG_MIN_TYPE) {
		genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
		genl->cmd = cmd;
		genl->version = 1;
	}
	return nlh;
}

static void queue(struct nlmsghdr *nlh)
{
	dgram_len[tail] = nlh->nlmsg_len;
	tail = (tail + 1) % MAX_DGRAMS;
}

static void ack(const struct nlmsghdr *req, int error, const char *msg,
		uint32_t off)
{
	struct nlmsghdr *nlh = reply(req, NLMSG_ERROR, NLM_F_CAPPED, 0);
	struct nlmsgerr *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));

	err->error = -error;
	err->msg = *req;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (off)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, off);
	}
	queue(nlh);
}

static void done(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = reply(req, NLMSG_DONE, NLM_F_MULTI, 0);
	int *zero = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*zero = 0;
	queue(nlh);
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, int family,
		     const char *s)
{
	unsigned char a[16];

	inet_pton(family, s, a);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

static void put_flow(struct nlmsghdr *nlh, int v6)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_FLOW);
	int family = v6 ? AF_INET6 : AF_INET;

	mnl_attr_put_u32(nlh, SSLV_FLOW_ID, v6 ? 18 : 17);
	mnl_attr_put_u8(nlh, SSLV_FLOW_FAMILY, (uint8_t)family);
	put_addr(nlh, SSLV_FLOW_SADDR, family, v6 ? "2001:db8::1" : "10.0.1.1");
	put_addr(nlh, SSLV_FLOW_DADDR, family, v6 ? "2001:db8::2" : "10.0.1.2");
	mnl_attr_put_u16(nlh, SSLV_FLOW_SPORT, v6 ? 50000 : 40000);
	mnl_attr_put_u16(nlh, SSLV_FLOW_DPORT, 443);
	mnl_attr_put_u16(nlh, SSLV_FLOW_VLAN, v6 ? 0 : 10);
	mnl_attr_put_u8(nlh, SSLV_FLOW_STATE,
			v6 ? SSLV_FS_REJECTED : SSLV_FS_ESTABLISHED);
	mnl_attr_put_u32(nlh, SSLV_FLOW_FLAGS, v6 ? SSLV_FLOW_F_TAP :
			 SSLV_FLOW_F_MIDSTREAM);
	mnl_attr_put_u32(nlh, SSLV_FLOW_AGE_MS, v6 ? 5 : 1200);
	mnl_attr_put_u32(nlh, SSLV_FLOW_ORIG_IFINDEX, v6 ? 1 : 5);
	mnl_attr_put_u32(nlh, SSLV_FLOW_REPLY_IFINDEX, v6 ? 1 : 6);
	mnl_attr_put_u8(nlh, SSLV_FLOW_ORIG_TTL, 64);
	mnl_attr_put_u8(nlh, SSLV_FLOW_REPLY_TTL, v6 ? 255 : 128);
	mnl_attr_put_u32(nlh, SSLV_FLOW_ORIG_SEQ, 1000);
	mnl_attr_put_u32(nlh, SSLV_FLOW_REPLY_SEQ, 4000000000U);
	mnl_attr_nest_end(nlh, nest);
}

/* An RST of no known flow: id 0, its sender as the client. */
static void put_noflow(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_FLOW);

	mnl_attr_put_u32(nlh, SSLV_FLOW_ID, 0);
	mnl_attr_put_u8(nlh, SSLV_FLOW_FAMILY, AF_INET);
	put_addr(nlh, SSLV_FLOW_SADDR, AF_INET, "10.0.1.9");
	put_addr(nlh, SSLV_FLOW_DADDR, AF_INET, "10.0.1.2");
	mnl_attr_put_u16(nlh, SSLV_FLOW_SPORT, 55555);
	mnl_attr_put_u16(nlh, SSLV_FLOW_DPORT, 443);
	mnl_attr_put_u16(nlh, SSLV_FLOW_VLAN, 0);
	mnl_attr_nest_end(nlh, nest);
}

static void put_stat(struct nlmsghdr *nlh, const char *name, uint64_t v)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_STAT);

	mnl_attr_put_strz(nlh, SSLV_STAT_NAME, name);
	mnl_attr_put_u64(nlh, SSLV_STAT_VALUE, v);
	mnl_attr_nest_end(nlh, nest);
}

/* The RST counters in the module's order, each a distinct value. */
static void put_rst_stats(struct nlmsghdr *nlh)
{
	static const char *const names[] = {
		"rst_seen", "rst_handshake_refused", "rst_handshake_abort",
		"rst_post_handshake_abort", "rst_data", "rst_teardown",
		"rst_fin_rst", "rst_after_teardown", "rst_no_flow", "rst_bare",
		"rst_ttl_anomaly", "rst_seq_exact", "rst_seq_in_window",
		"rst_seq_outside", "rst_idle", "rst_rexmit",
		"rst_events_suppressed",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put_stat(nlh, names[i], i ? 100 + i : 500);
}

/* Rules 5 to 7: every TLS attribute, a single version, nontls. */
static void dump_tls_rules(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = reply(req, FAMILY_ID, NLM_F_MULTI,
				     SSLV_CMD_RULE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);

	mnl_attr_put_u32(nlh, SSLV_RULE_ID, 5);
	mnl_attr_put_u16(nlh, SSLV_RULE_DPORT_MIN, 443);
	mnl_attr_put_u16(nlh, SSLV_RULE_DPORT_MAX, 443);
	mnl_attr_put_strz(nlh, SSLV_RULE_SNI, "*.example.com");
	mnl_attr_put_strz(nlh, SSLV_RULE_DOMSET, "corp");
	mnl_attr_put_strz(nlh, SSLV_RULE_ALPN, "h2");
	mnl_attr_put_u16(nlh, SSLV_RULE_TLS_VER_MIN, 0x0303);
	mnl_attr_put_u16(nlh, SSLV_RULE_TLS_VER_MAX, 0x0304);
	mnl_attr_put_u32(nlh, SSLV_RULE_UNDECRYPTABLE,
			 SSLV_UD_CLIENT_CERT | SSLV_UD_COMPRESSION);
	mnl_attr_put_u8(nlh, SSLV_RULE_ACTION, SSLV_ACT_REJECT);
	mnl_attr_put_u64(nlh, SSLV_RULE_HITS, 2);
	mnl_attr_nest_end(nlh, nest);
	queue(nlh);

	nlh = reply(req, FAMILY_ID, NLM_F_MULTI, SSLV_CMD_RULE_GET);
	nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);
	mnl_attr_put_u32(nlh, SSLV_RULE_ID, 6);
	mnl_attr_put_u16(nlh, SSLV_RULE_TLS_VER_MIN, 0x0304);
	mnl_attr_put_u16(nlh, SSLV_RULE_TLS_VER_MAX, 0x0304);
	mnl_attr_put_u32(nlh, SSLV_RULE_UNDECRYPTABLE, SSLV_UD_ALL);
	mnl_attr_put_u8(nlh, SSLV_RULE_ACTION, SSLV_ACT_CUT);
	mnl_attr_put_strz(nlh, SSLV_RULE_COMMENT, getenv("FAKE_SSLV_COMMENT") ?:
			  "it's \"ok\" # too");
	mnl_attr_put_u64(nlh, SSLV_RULE_HITS, 1);
	mnl_attr_nest_end(nlh, nest);
	queue(nlh);

	nlh = reply(req, FAMILY_ID, NLM_F_MULTI, SSLV_CMD_RULE_GET);
	nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);
	mnl_attr_put_u32(nlh, SSLV_RULE_ID, 7);
	mnl_attr_put(nlh, SSLV_RULE_NONTLS, 0, "");
	mnl_attr_put_u8(nlh, SSLV_RULE_ACTION, SSLV_ACT_DROP);
	mnl_attr_put_u64(nlh, SSLV_RULE_HITS, 0);
	mnl_attr_nest_end(nlh, nest);
	queue(nlh);
}

static void dump_rules(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = reply(req, FAMILY_ID, NLM_F_MULTI,
				     SSLV_CMD_RULE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);

	mnl_attr_put_u32(nlh, SSLV_RULE_ID, 3);
	mnl_attr_put_u8(nlh, SSLV_RULE_FAMILY, AF_INET);
	put_addr(nlh, SSLV_RULE_DST, AF_INET, "10.0.1.2");
	mnl_attr_put_u8(nlh, SSLV_RULE_DST_LEN, 32);
	mnl_attr_put_u16(nlh, SSLV_RULE_DPORT_MIN, 443);
	mnl_attr_put_u16(nlh, SSLV_RULE_DPORT_MAX, 443);
	mnl_attr_put_u8(nlh, SSLV_RULE_ACTION, SSLV_ACT_REJECT);
	mnl_attr_put_u64(nlh, SSLV_RULE_HITS, 5);
	mnl_attr_nest_end(nlh, nest);
	queue(nlh);

	nlh = reply(req, FAMILY_ID, NLM_F_MULTI, SSLV_CMD_RULE_GET);
	nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);
	mnl_attr_put_u32(nlh, SSLV_RULE_ID, 4);
	mnl_attr_put_u8(nlh, SSLV_RULE_FAMILY, AF_INET6);
	put_addr(nlh, SSLV_RULE_SRC, AF_INET6, "2001:db8::");
	mnl_attr_put_u8(nlh, SSLV_RULE_SRC_LEN, 32);
	mnl_attr_put_u16(nlh, SSLV_RULE_SPORT_MIN, 1000);
	mnl_attr_put_u16(nlh, SSLV_RULE_SPORT_MAX, 2000);
	mnl_attr_put_u16(nlh, SSLV_RULE_VLAN, 10);
	mnl_attr_put_u32(nlh, SSLV_RULE_IIF, 1);
	mnl_attr_put_u8(nlh, SSLV_RULE_ACTION, SSLV_ACT_DROP);
	mnl_attr_put_u64(nlh, SSLV_RULE_HITS, 0);
	mnl_attr_nest_end(nlh, nest);
	queue(nlh);
	dump_tls_rules(req);
	done(req);
}

/* Answers RULE_ADD with the ids of its rules, unless FAKE_SSLV_FAIL hits. */
static void add_rules(const struct nlmsghdr *req, unsigned int *nrules)
{
	const char *fail = getenv("FAKE_SSLV_FAIL");
	unsigned int bad = fail ? (unsigned int)atoi(fail) : 0;
	struct nlmsghdr *nlh = reply(req, FAMILY_ID, 0, SSLV_CMD_RULE_ADD);
	const struct nlattr *attr;
	struct nlattr *nest;
	uint32_t v;

	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		uint16_t type = mnl_attr_get_type(attr);
		uint32_t off = (const char *)attr - (const char *)req;

		if (type == SSLV_A_RULE_INDEX && mnl_attr_get_u32(attr) > 5) {
			ack(req, ERANGE, "index past the end of the ruleset",
			    off);
			return;
		}
		v = mnl_attr_get_u32(attr);
		if ((type == SSLV_A_RULE_BEFORE || type == SSLV_A_RULE_AFTER) &&
		    (v < 3 || v > 7)) {
			ack(req, ENOENT, "no rule with this id", off);
			return;
		}
		if (type != SSLV_A_RULE)
			continue;
		if (++rules_seen == bad) {
			ack(req, EINVAL, "iif is not a bridge port",
			    (uint32_t)((const char *)attr - (const char *)req));
			return;
		}
		++*nrules;
		if (mnl_nlmsg_size(nlh->nlmsg_len) > DGRAM_SIZE - 64)
			continue;
		nest = mnl_attr_nest_start(nlh, SSLV_A_RULE);
		mnl_attr_put_u32(nlh, SSLV_RULE_ID, 6 + rules_seen);
		mnl_attr_nest_end(nlh, nest);
	}
	queue(nlh);
	ack(req, 0, NULL, 0);
}

/* Acks DOMSET_ADD, unless FAKE_SSLV_FAIL_DOMAIN hits. */
static void add_domains(const struct nlmsghdr *req, unsigned int *ndomains)
{
	const char *fail = getenv("FAKE_SSLV_FAIL_DOMAIN");
	unsigned int bad = fail ? (unsigned int)atoi(fail) : 0;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_DOMAIN)
			continue;
		if (++domains_seen == bad) {
			ack(req, EINVAL, "invalid domain name",
			    (uint32_t)((const char *)attr - (const char *)req));
			return;
		}
		++*ndomains;
	}
	ack(req, 0, NULL, 0);
}

static void put_domset(const struct nlmsghdr *req, const char *name,
		       uint32_t size)
{
	struct nlmsghdr *nlh = reply(req, FAMILY_ID, NLM_F_MULTI,
				     SSLV_CMD_DOMSET_GET);

	mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, name);
	mnl_attr_put_u32(nlh, SSLV_A_DOMSET_SIZE, size);
	queue(nlh);
}

static bool names_set(const struct nlmsghdr *req, const char *name)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == SSLV_A_DOMSET_NAME &&
		    !strcmp(mnl_attr_get_str(attr), name))
			return true;
	return false;
}

static const char *req_str(const struct nlmsghdr *req, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == type)
			return mnl_attr_get_str(attr);
	return NULL;
}

/* The names of one set, as the module dumps them. */
static void dump_names(const struct nlmsghdr *req, const char *set)
{
	static const char *const corp[] = {
		"a.example", "*.b.example", "c.example",
	};
	struct nlmsghdr *nlh = NULL;
	char name[32];
	unsigned int i;

	if (!strcmp(set, "corp")) {
		nlh = reply(req, FAMILY_ID, NLM_F_MULTI, SSLV_CMD_DOMSET_GET);
		mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, set);
		for (i = 0; i < 3; i++)
			mnl_attr_put_strz(nlh, SSLV_A_DOMAIN, corp[i]);
		queue(nlh);
	} else if (!strcmp(set, "blocklist")) {
		for (i = 0; i < 250; i++) {
			if (i % 100 == 0) {
				if (nlh)
					queue(nlh);
				nlh = reply(req, FAMILY_ID, NLM_F_MULTI,
					    SSLV_CMD_DOMSET_GET);
				mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, set);
			}
			snprintf(name, sizeof(name), "host-%u.example", i);
			mnl_attr_put_strz(nlh, SSLV_A_DOMAIN, name);
		}
		queue(nlh);
	} else {
		nlh = reply(req, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 0);
		*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -ENOENT;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG,
				  "no domain set of this name");
		queue(nlh);
		return;
	}
	done(req);
}

static void answer_sslv(const struct nlmsghdr *req, uint8_t cmd,
			unsigned int *nrules, unsigned int *ndomains)
{
	struct nlmsghdr *nlh;

	if (getenv("FAKE_SSLV_EPERM")) {
		ack(req, EPERM, NULL, 0);
		return;
	}
	switch (cmd) {
	case SSLV_CMD_MODE_GET:
		nlh = reply(req, FAMILY_ID, 0, cmd);
		mnl_attr_put_u8(nlh, SSLV_A_MODE, SSLV_MODE_PASSIVE_TAP);
		mnl_attr_put_u32(nlh, SSLV_A_IFINDEX, 1);
		queue(nlh);
		break;
	case SSLV_CMD_CONFIG_GET:
		nlh = reply(req, FAMILY_ID, 0, cmd);
		mnl_attr_put_u32(nlh, SSLV_A_MAX_FLOWS, 65536);
		mnl_attr_put_u32(nlh, SSLV_A_TIMEOUT_HANDSHAKE, 10);
		mnl_attr_put_u32(nlh, SSLV_A_TIMEOUT_ESTABLISHED, 7200);
		mnl_attr_put_u32(nlh, SSLV_A_TIMEOUT_CLOSING, 60);
		mnl_attr_put_u32(nlh, SSLV_A_TIMEOUT_CLOSED, 10);
		mnl_attr_put_u32(nlh, SSLV_A_TIMEOUT_REJECTED, 30);
		mnl_attr_put_u32(nlh, SSLV_A_FLOWS_CURRENT, 2);
		mnl_attr_put_u32(nlh, SSLV_A_RST_IDLE_MS, 30000);
		mnl_attr_put_u8(nlh, SSLV_A_CLIENT_CERT, SSLV_ACT_REJECT);
		mnl_attr_put_u32(nlh, SSLV_A_HS_BYTES, 12288);
		mnl_attr_put_u32(nlh, SSLV_A_HS_MEM, 4194304);
		mnl_attr_put_u32(nlh, SSLV_A_HS_TIMEOUT, 10);
		queue(nlh);
		break;
	case SSLV_CMD_RULE_ADD:
		add_rules(req, nrules);
		return;
	case SSLV_CMD_RULE_DEL:
		ack(req, ENOENT, "no rule with this id", 0);
		return;
	case SSLV_CMD_RULE_GET:
		dump_rules(req);
		return;
	case SSLV_CMD_FLOW_GET:
		nlh = reply(req, FAMILY_ID, NLM_F_MULTI, cmd);
		put_flow(nlh, 0);
		queue(nlh);
		nlh = reply(req, FAMILY_ID, NLM_F_MULTI, cmd);
		put_flow(nlh, 1);
		queue(nlh);
		done(req);
		return;
	case SSLV_CMD_STATS_GET:
		/* Each STATS_GET finds packets 250 and tls_sessions 3 more,
		 * and the gauge flows_current 1 higher, than the last.
		 */
		nlh = reply(req, FAMILY_ID, 0, cmd);
		put_stat(nlh, "packets", 1000 + 250 * stats_gets);
		put_stat(nlh, "flows_current", 2 + stats_gets);
		put_stat(nlh, "rst_sent", 7);
		put_stat(nlh, "tls_sessions", 3 * stats_gets);
		stats_gets++;
		if (!getenv("FAKE_SSLV_NO_RST"))
			put_rst_stats(nlh);
		put_stat(nlh, "esc\"\\\t\xc3\xa9\xff", 0);
		queue(nlh);
		break;
	case SSLV_CMD_DOMSET_ADD:
		add_domains(req, ndomains);
		return;
	case SSLV_CMD_DOMSET_DEL:
		if (names_set(req, "busy")) {
			ack(req, EBUSY, "a rule uses this domain set", 0);
			return;
		}
		break;
	case SSLV_CMD_DOMSET_GET:
		if (req_str(req, SSLV_A_DOMSET_NAME)) {
			dump_names(req, req_str(req, SSLV_A_DOMSET_NAME));
			return;
		}
		put_domset(req, "corp", 3);
		put_domset(req, "blocklist", 100000);
		done(req);
		return;
	}
	ack(req, 0, NULL, 0);
}

static void answer_ctrl(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = reply(req, GENL_ID_CTRL, 0, CTRL_CMD_NEWFAMILY);
	struct nlattr *groups, *grp;

	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY_ID);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SSLV_GENL_NAME);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, SSLV_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, EVENTS_ID);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	queue(nlh);
	ack(req, 0, NULL, 0);
}

static bool has_attr(const struct nlmsghdr *req, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == type)
			return true;
	return false;
}

static void log_request(const struct nlmsghdr *req, uint8_t cmd,
			unsigned int nrules, unsigned int ndomains)
{
	const char *path = getenv("FAKE_SSLV_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (!f)
		return;
	fprintf(f, "%s", cmd < __SSLV_CMD_MAX ? cmd_names[cmd] : "?");
	if (has_attr(req, SSLV_A_STAGE))
		fprintf(f, " stage");
	if (cmd == SSLV_CMD_RULE_ADD)
		fprintf(f, " rules=%u", nrules);
	if (cmd == SSLV_CMD_DOMSET_ADD)
		fprintf(f, " domains=%u", ndomains);
	fprintf(f, " len=%u\n", req->nlmsg_len);
	fclose(f);
}

/*
 * How dump_attrs() shows an attribute: u8/u16/u32 in decimal, x16/x32 in
 * hex, a NUL-terminated string in quotes, binary as hex bytes, a flag as
 * its name alone, a nest of rule attributes in braces. A payload of the
 * wrong size shows as NAME=?len.
 */
enum kind {
	K_U8, K_U16, K_U32, K_X16, K_X32, K_FLAG,	/* of a fixed size */
	K_STR, K_BIN, K_RULE,
};

struct attr_desc {
	const char *name;
	enum kind kind;
};

static const struct attr_desc top_attrs[SSLV_A_MAX + 1] = {
	[SSLV_A_MODE] = { "MODE", K_U8 },
	[SSLV_A_IFINDEX] = { "IFINDEX", K_U32 },
	[SSLV_A_MAX_FLOWS] = { "MAX_FLOWS", K_U32 },
	[SSLV_A_TIMEOUT_HANDSHAKE] = { "TIMEOUT_HANDSHAKE", K_U32 },
	[SSLV_A_TIMEOUT_ESTABLISHED] = { "TIMEOUT_ESTABLISHED", K_U32 },
	[SSLV_A_TIMEOUT_CLOSING] = { "TIMEOUT_CLOSING", K_U32 },
	[SSLV_A_TIMEOUT_CLOSED] = { "TIMEOUT_CLOSED", K_U32 },
	[SSLV_A_TIMEOUT_REJECTED] = { "TIMEOUT_REJECTED", K_U32 },
	[SSLV_A_RULE] = { "RULE", K_RULE },
	[SSLV_A_RULE_ID] = { "RULE_ID", K_U32 },
	[SSLV_A_STAGE] = { "STAGE", K_FLAG },
	[SSLV_A_FLOW] = { "FLOW", K_BIN },
	[SSLV_A_FLOW_ID] = { "FLOW_ID", K_U32 },
	[SSLV_A_RST_IDLE_MS] = { "RST_IDLE_MS", K_U32 },
	[SSLV_A_CLIENT_CERT] = { "CLIENT_CERT", K_U8 },
	[SSLV_A_HS_MEM] = { "HS_MEM", K_U32 },
	[SSLV_A_HS_TIMEOUT] = { "HS_TIMEOUT", K_U32 },
	[SSLV_A_DOMSET_NAME] = { "DOMSET_NAME", K_STR },
	[SSLV_A_DOMAIN] = { "DOMAIN", K_STR },
	[SSLV_A_RULE_INDEX] = { "RULE_INDEX", K_U32 },
	[SSLV_A_RULE_BEFORE] = { "RULE_BEFORE", K_U32 },
	[SSLV_A_RULE_AFTER] = { "RULE_AFTER", K_U32 },
};

static const struct attr_desc rule_attrs[SSLV_RULE_MAX + 1] = {
	[SSLV_RULE_FAMILY] = { "FAMILY", K_U8 },
	[SSLV_RULE_SRC] = { "SRC", K_BIN },
	[SSLV_RULE_SRC_LEN] = { "SRC_LEN", K_U8 },
	[SSLV_RULE_DST] = { "DST", K_BIN },
	[SSLV_RULE_DST_LEN] = { "DST_LEN", K_U8 },
	[SSLV_RULE_SPORT_MIN] = { "SPORT_MIN", K_U16 },
	[SSLV_RULE_SPORT_MAX] = { "SPORT_MAX", K_U16 },
	[SSLV_RULE_DPORT_MIN] = { "DPORT_MIN", K_U16 },
	[SSLV_RULE_DPORT_MAX] = { "DPORT_MAX", K_U16 },
	[SSLV_RULE_VLAN] = { "VLAN", K_U16 },
	[SSLV_RULE_IIF] = { "IIF", K_U32 },
	[SSLV_RULE_ACTION] = { "ACTION", K_U8 },
	[SSLV_RULE_SNI] = { "SNI", K_STR },
	[SSLV_RULE_DOMSET] = { "DOMSET", K_STR },
	[SSLV_RULE_ALPN] = { "ALPN", K_STR },
	[SSLV_RULE_TLS_VER_MIN] = { "TLS_VER_MIN", K_X16 },
	[SSLV_RULE_TLS_VER_MAX] = { "TLS_VER_MAX", K_X16 },
	[SSLV_RULE_NONTLS] = { "NONTLS", K_FLAG },
	[SSLV_RULE_UNDECRYPTABLE] = { "UNDECRYPTABLE", K_X32 },
	[SSLV_RULE_COMMENT] = { "COMMENT", K_STR },
};

static void dump_attr(FILE *f, const struct nlattr *attr,
		      const struct attr_desc *descs, unsigned int max);

static void dump_nest(FILE *f, const struct nlattr *nest,
		      const struct attr_desc *descs, unsigned int max)
{
	const struct nlattr *attr;
	bool first = true;

	fputc('{', f);
	mnl_attr_for_each_nested(attr, nest) {
		if (!first)
			fputc(' ', f);
		first = false;
		dump_attr(f, attr, descs, max);
	}
	fputc('}', f);
}

static void dump_attr(FILE *f, const struct nlattr *attr,
		      const struct attr_desc *descs, unsigned int max)
{
	static const unsigned int sizes[] = {
		[K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_X16] = 2, [K_X32] = 4,
		[K_FLAG] = 0,
	};
	unsigned int type = mnl_attr_get_type(attr);
	const struct attr_desc *d = type <= max && descs[type].name ?
				    &descs[type] : NULL;
	const uint8_t *p = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	uint16_t i;

	if (!d) {
		fprintf(f, "?%u", type);
		return;
	}
	fputs(d->name, f);
	if ((d->kind <= K_FLAG && len != sizes[d->kind]) ||
	    (d->kind == K_STR && (!len || p[len - 1]))) {
		fprintf(f, "=?%u", len);
		return;
	}
	switch (d->kind) {
	case K_U8:
		fprintf(f, "=%u", *p);
		break;
	case K_U16:
		fprintf(f, "=%u", mnl_attr_get_u16(attr));
		break;
	case K_U32:
		fprintf(f, "=%u", mnl_attr_get_u32(attr));
		break;
	case K_X16:
		fprintf(f, "=0x%04x", mnl_attr_get_u16(attr));
		break;
	case K_X32:
		fprintf(f, "=0x%x", mnl_attr_get_u32(attr));
		break;
	case K_STR:
		fprintf(f, "=\"%s\"", (const char *)p);
		break;
	case K_BIN:
		fputc('=', f);
		for (i = 0; i < len; i++)
			fprintf(f, "%02x", p[i]);
		break;
	case K_RULE:
		dump_nest(f, attr, rule_attrs, SSLV_RULE_MAX);
		break;
	case K_FLAG:
		break;
	}
}

/* FAKE_SSLV_ATTRS: "CMD NAME=VALUE ..." */
static void dump_attrs(const struct nlmsghdr *req, uint8_t cmd)
{
	const char *path = getenv("FAKE_SSLV_ATTRS");
	FILE *f = path ? fopen(path, "a") : NULL;
	const struct nlattr *attr;

	if (!f)
		return;
	fprintf(f, "%s", cmd < __SSLV_CMD_MAX ? cmd_names[cmd] : "?");
	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		fputc(' ', f);
		dump_attr(f, attr, top_attrs, SSLV_A_MAX);
	}
	fputc('\n', f);
	fclose(f);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	static ssize_t (*real)(int, const void *, size_t, int,
			       const struct sockaddr *, socklen_t);
	const struct nlmsghdr *req = buf;
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	unsigned int nrules = 0, ndomains = 0;

	if (fd != fake_fd) {
		if (!real)
			real = dlsym(RTLD_NEXT, "sendto");
		return real(fd, buf, len, flags, addr, alen);
	}
	if (req->nlmsg_type == GENL_ID_CTRL) {
		answer_ctrl(req);
	} else {
		answer_sslv(req, genl->cmd, &nrules, &ndomains);
		log_request(req, genl->cmd, nrules, ndomains);
		dump_attrs(req, genl->cmd);
	}
	return (ssize_t)len;
}

static void queue_event(uint8_t ev, int v6, uint8_t reason, uint32_t rule)
{
	struct nlmsghdr *nlh = reply(NULL, FAMILY_ID, 0, SSLV_CMD_EVENT);

	mnl_attr_put_u8(nlh, SSLV_A_EVENT, ev);
	put_flow(nlh, v6);
	mnl_attr_put_u8(nlh, SSLV_A_REASON, reason);
	if (rule)
		mnl_attr_put_u32(nlh, SSLV_A_RULE_ID, rule);
	queue(nlh);
}

/* Flow 17 or 18 (put_flow), or 0: no flow. */
static void queue_rst(int flow, const struct sslv_rst_info *ri, uint32_t seq,
		      uint32_t ack)
{
	struct nlmsghdr *nlh = reply(NULL, FAMILY_ID, 0, SSLV_CMD_EVENT);
	struct nlattr *nest;

	mnl_attr_put_u8(nlh, SSLV_A_EVENT, SSLV_EV_RST);
	mnl_attr_put_u8(nlh, SSLV_A_REASON, ri->reason);
	if (flow)
		put_flow(nlh, flow == 18);
	else
		put_noflow(nlh);
	nest = mnl_attr_nest_start(nlh, SSLV_A_RST);
	mnl_attr_put_u8(nlh, SSLV_RST_PHASE, ri->phase);
	mnl_attr_put_u8(nlh, SSLV_RST_SENDER, ri->sender);
	mnl_attr_put_u8(nlh, SSLV_RST_KIND, ri->kind);
	mnl_attr_put_u8(nlh, SSLV_RST_TTL, ri->ttl);
	mnl_attr_put_u8(nlh, SSLV_RST_TTL_SEEN, ri->ttl_seen);
	mnl_attr_put_u8(nlh, SSLV_RST_TTL_EXPECTED, ri->ttl_expected);
	mnl_attr_put_u8(nlh, SSLV_RST_SEQ_FIT, ri->seq_fit);
	mnl_attr_put_u8(nlh, SSLV_RST_CAUSES, ri->causes);
	mnl_attr_put_u8(nlh, SSLV_RST_REASON, ri->reason);
	mnl_attr_put_u8(nlh, SSLV_RST_REXMIT, ri->rexmit);
	mnl_attr_put_u8(nlh, SSLV_RST_FLOW_FLAGS, ri->flow_flags);
	mnl_attr_put_u32(nlh, SSLV_RST_IDLE_MS, ri->idle_ms);
	mnl_attr_put_u32(nlh, SSLV_RST_SEQ, seq);
	mnl_attr_put_u32(nlh, SSLV_RST_ACK, ack);
	mnl_attr_nest_end(nlh, nest);
	queue(nlh);
}

static void queue_rsts(void)
{
	const struct sslv_rst_info data = {
		.phase = SSLV_RST_DATA, .sender = SSLV_RST_SENDER_SERVER,
		.kind = SSLV_RST_KIND_TRUE, .ttl = SSLV_RST_TTL_MATCH,
		.ttl_seen = 128, .ttl_expected = 128,
		.seq_fit = SSLV_SEQ_EXACT,
		.causes = SSLV_RST_C_IDLE | SSLV_RST_C_REXMIT,
		.rexmit = 3, .idle_ms = 31000,
		.flow_flags = SSLV_TCP_F_MIDSTREAM | SSLV_TCP_F_DATA,
	};
	const struct sslv_rst_info stray = {
		.phase = SSLV_RST_NO_FLOW, .sender = SSLV_RST_SENDER_UNKNOWN,
		.kind = SSLV_RST_KIND_BARE, .ttl = SSLV_RST_TTL_UNKNOWN,
		.ttl_seen = 64, .seq_fit = SSLV_SEQ_UNKNOWN,
	};
	const struct sslv_rst_info own = {
		.phase = SSLV_RST_TEARDOWN, .sender = SSLV_RST_SENDER_CLIENT,
		.kind = SSLV_RST_KIND_TRUE, .ttl = SSLV_RST_TTL_ANOMALY,
		.ttl_seen = 50, .ttl_expected = 64,
		.seq_fit = SSLV_SEQ_IN_WINDOW, .causes = SSLV_RST_C_SSLV,
		.reason = SSLV_R_OPERATOR, .idle_ms = 5,
		.flow_flags = SSLV_TCP_F_FIN_REPLY,
	};

	queue_rst(17, &data, 4000000000U, 1000);
	queue_rst(0, &stray, 77, 0);
	queue_rst(18, &own, 1000, 4000000000U);
}

struct session {
	uint16_t version, client_version, cipher;
	const char *sni, *alpn;
	size_t sni_len;
	uint32_t classes;
	uint8_t action, error, reason;
	uint32_t rule;
};

static void queue_session(int v6, const struct session *ss)
{
	struct nlmsghdr *nlh = reply(NULL, FAMILY_ID, 0, SSLV_CMD_EVENT);
	struct nlattr *nest;

	mnl_attr_put_u8(nlh, SSLV_A_EVENT, SSLV_EV_SESSION);
	put_flow(nlh, v6);
	nest = mnl_attr_nest_start(nlh, SSLV_A_SESSION);
	if (ss->version)
		mnl_attr_put_u16(nlh, SSLV_SESS_VERSION, ss->version);
	mnl_attr_put_u16(nlh, SSLV_SESS_CLIENT_VERSION, ss->client_version);
	if (ss->cipher)
		mnl_attr_put_u16(nlh, SSLV_SESS_CIPHER, ss->cipher);
	if (ss->sni)
		mnl_attr_put(nlh, SSLV_SESS_SNI, ss->sni_len, ss->sni);
	if (ss->alpn)
		mnl_attr_put(nlh, SSLV_SESS_ALPN, strlen(ss->alpn), ss->alpn);
	mnl_attr_put_u32(nlh, SSLV_SESS_CLASSES, ss->classes);
	mnl_attr_put_u8(nlh, SSLV_SESS_ACTION, ss->action);
	mnl_attr_put_u8(nlh, SSLV_SESS_ERROR, ss->error);
	mnl_attr_put_u32(nlh, SSLV_SESS_CLIENT_FLAGS, 0x62);
	mnl_attr_put_u32(nlh, SSLV_SESS_SERVER_FLAGS, 0x9);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u8(nlh, SSLV_A_REASON, ss->reason);
	if (ss->rule)
		mnl_attr_put_u32(nlh, SSLV_A_RULE_ID, ss->rule);
	queue(nlh);
}

/*
 * A TLS 1.3 session a rule let through; a TLS 1.2 one rejected because
 * its server asked for a client certificate; and a malformed hello whose
 * server name holds a quote, a backslash, a control byte, a byte that is
 * not UTF-8 and a NUL.
 */
static void queue_sessions(void)
{
	static const char odd_sni[] = "a\"b\\c\x01\xff\0z";
	const struct session cut = {
		.version = 0x0304, .client_version = 0x0304, .cipher = 0x1302,
		.sni = "www.example.com", .sni_len = 15, .alpn = "h2",
		.action = SSLV_ACT_CUT, .reason = SSLV_R_RULE, .rule = 3,
	};
	const struct session cert = {
		.version = 0x0303, .client_version = 0x0304, .cipher = 0xc02f,
		.sni = "intranet.example", .sni_len = 16,
		.classes = SSLV_UD_CLIENT_CERT | SSLV_UD_COMPRESSION,
		.action = SSLV_ACT_REJECT, .reason = SSLV_R_CLIENT_CERT,
	};
	const struct session odd = {
		.client_version = 0x0002, .sni = odd_sni,
		.sni_len = sizeof(odd_sni) - 1, .alpn = "h\xc3\xa9",
		.action = SSLV_ACT_CUT, .error = SSLV_SESS_E_MALFORMED,
	};

	queue_session(0, &cut);
	queue_session(1, &cert);
	queue_session(0, &odd);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	static bool events_sent;
	struct sockaddr_nl *sa = msg->msg_name;
	size_t n;

	if (fd != fake_fd) {
		if (!real)
			real = dlsym(RTLD_NEXT, "recvmsg");
		return real(fd, msg, flags);
	}
	if (head == tail) {
		const char *rotate = getenv("FAKE_SSLV_ROTATE");
		static bool rotated;
		char to[4096];

		if (joined && events_sent && rotate && !rotated) {
			rotated = true;
			snprintf(to, sizeof(to), "%s.1", rotate);
			rename(rotate, to);
			raise(SIGHUP);
			events_sent = false;
			errno = EINTR;
			return -1;
		}
		if (!joined || events_sent) {
			fflush(stdout);
			_exit(0);
		}
		queue_event(SSLV_EV_FLOW_REJECTED, 0, SSLV_R_RULE, 3);
		queue_event(SSLV_EV_FLOW_ENDED, 1, SSLV_R_TIMEOUT, 0);
		queue_rsts();
		queue_sessions();
		events_sent = true;
	}
	memset(sa, 0, sizeof(*sa));
	sa->nl_family = AF_NETLINK;
	msg->msg_namelen = sizeof(*sa);
	n = dgram_len[head];
	memcpy(msg->msg_iov[0].iov_base, dgrams[head],
	       n < msg->msg_iov[0].iov_len ? n : msg->msg_iov[0].iov_len);
	msg->msg_flags = n > msg->msg_iov[0].iov_len ? MSG_TRUNC : 0;
	head = (head + 1) % MAX_DGRAMS;
	return (ssize_t)n;
}

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);

	if (!real)
		real = dlsym(RTLD_NEXT, "socket");
	if (domain != AF_NETLINK)
		return real(domain, type, protocol);
	fake_fd = real(AF_UNIX, SOCK_DGRAM, 0);
	return fake_fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real)(int, const struct sockaddr *, socklen_t);

	if (fd == fake_fd)
		return 0;
	if (!real)
		real = dlsym(RTLD_NEXT, "bind");
	return real(fd, addr, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	static int (*real)(int, struct sockaddr *, socklen_t *);
	struct sockaddr_nl *sa = (struct sockaddr_nl *)addr;

	if (fd != fake_fd) {
		if (!real)
			real = dlsym(RTLD_NEXT, "getsockname");
		return real(fd, addr, len);
	}
	memset(sa, 0, sizeof(*sa));
	sa->nl_family = AF_NETLINK;
	sa->nl_pid = 4242;
	*len = sizeof(*sa);
	return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);

	if (fd != fake_fd) {
		if (!real)
			real = dlsym(RTLD_NEXT, "setsockopt");
		return real(fd, level, name, val, len);
	}
	if (level == SOL_NETLINK && name == NETLINK_ADD_MEMBERSHIP &&
	    *(const unsigned int *)val == EVENTS_ID)
		joined = true;
	return 0;
}

/* FAKE_SSLV_TIME: the nanoseconds slept so far, and the start. */
static long long slept_ns;

static bool fake_time(long long *start_ns)
{
	const char *t = getenv("FAKE_SSLV_TIME");
	long long sec = 0, usec = 0;

	if (!t || sscanf(t, "%lld.%lld", &sec, &usec) < 1)
		return false;
	*start_ns = sec * 1000000000LL + usec * 1000;
	return true;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	long long start, now;

	if (!fake_time(&start)) {
		if (!real)
			real = dlsym(RTLD_NEXT, "clock_gettime");
		return real(clock, ts);
	}
	now = (clock == CLOCK_REALTIME ? start : 0) + slept_ns;
	ts->tv_sec = now / 1000000000;
	ts->tv_nsec = now % 1000000000;
	return 0;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
		    struct timespec *rem)
{
	static int (*real)(clockid_t, int, const struct timespec *,
			   struct timespec *);
	long long start, want;
	struct timespec now;

	if (!fake_time(&start)) {
		if (!real)
			real = dlsym(RTLD_NEXT, "clock_nanosleep");
		return real(clock, flags, req, rem);
	}
	want = req->tv_sec * 1000000000LL + req->tv_nsec;
	if (flags & TIMER_ABSTIME) {
		clock_gettime(clock, &now);
		want -= now.tv_sec * 1000000000LL + now.tv_nsec;
	}
	if (want > 0)
		slept_ns += want;
	return 0;
}
