// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl monitor [-t] [rcvbuf BYTES] [EVENT...]: one line per
 * SSLV_CMD_EVENT from the "events" group, as it happens; with EVENTs, only
 * events of those types. RST events are shown by rst.c, sessions by
 * session.c. Events are numbered (SSLV_A_EVENT_SEQ): a gap is shown as one
 * "lost N" line, so that no event, and no session record, is lost silently.
 *
 * The module does not stamp events: each is stamped when sslvctl reads it
 * (CLOCK_REALTIME), which is when an event log would have it anyway.
 * JSON carries it always ("timestamp", RFC 3339 in UTC, microseconds, as
 * Suricata's eve.json); text with -t, as "[SECONDS.USEC]" first on the
 * line, as conntrack -E -o timestamp prints it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "json_writer.h"
#include "rst.h"
#include "sslvctl.h"
#include "print.h"

static const char *const event_names[__SSLV_EV_MAX] = {
	[SSLV_EV_FLOW_REJECTED] = "rejected",
	[SSLV_EV_FLOW_ENDED] = "ended",
	[SSLV_EV_RST] = "rst",
	[SSLV_EV_SESSION] = "session",
};

struct monitor {
	bool seen;		/* an event was read: last is its number */
	uint32_t last;
	unsigned int types;	/* 1 << SSLV_EV_* shown; 0: every type */
};

/* -t, and the time the event being shown was read. */
static bool show_time;
static struct timespec event_time;

void print_event(const char *name)
{
	char stamp[JW_TIME_SIZE];

	if (show_time) {
		snprintf(stamp, sizeof(stamp), "[%lld.%06ld]",
			 (long long)event_time.tv_sec,
			 event_time.tv_nsec / 1000);
		print_str(PR_TEXT, NULL, NULL, stamp);
	}
	print_str(PR_ANY, "event", NULL, name);
	print_str(PR_JSON, "timestamp", NULL,
		  jw_time(stamp, event_time.tv_sec, event_time.tv_nsec / 1000));
}

/*
 * Show the events lost since the last one read, if any: of every type,
 * since nobody knows the types of events never read.
 */
static void lost(struct monitor *m, const struct nlattr *a)
{
	uint32_t seq, n;

	if (!a)
		return;
	seq = mnl_attr_get_u32(a);
	n = seq - m->last - 1;
	if (m->seen && n) {
		open_object(NULL);
		print_event("lost");
		print_uint(PR_ANY, "count", NULL, n);
		close_object();
	}
	m->seen = true;
	m->last = seq;
}

static int event(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_EVENT] = MNL_TYPE_U8,
		[SSLV_A_EVENT_SEQ] = MNL_TYPE_U32,
		[SSLV_A_FLOW] = MNL_TYPE_NESTED,
		[SSLV_A_REASON] = MNL_TYPE_U8,
		[SSLV_A_RULE_ID] = MNL_TYPE_U32,
		[SSLV_A_RST] = MNL_TYPE_NESTED,
		[SSLV_A_SESSION] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	char num[16];
	uint8_t type;

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 ||
	    genl->cmd != SSLV_CMD_EVENT || !tb[SSLV_A_EVENT])
		return MNL_CB_OK;
	clock_gettime(CLOCK_REALTIME, &event_time);
	lost(m, tb[SSLV_A_EVENT_SEQ]);
	type = mnl_attr_get_u8(tb[SSLV_A_EVENT]);
	if (m->types && (type >= 32 || !(m->types & 1U << type)))
		return MNL_CB_OK;
	switch (type) {
	case SSLV_EV_RST:
		if (!print_rst_event(tb[SSLV_A_FLOW], tb[SSLV_A_RST]))
			fprintf(stderr, "Warning: malformed rst event\n");
		fflush(stdout);
		return MNL_CB_OK;
	case SSLV_EV_SESSION:
		if (!print_session_event(tb))
			fprintf(stderr, "Warning: malformed session event\n");
		fflush(stdout);
		return MNL_CB_OK;
	}
	open_object(NULL);
	print_event(keyword_name(event_names, __SSLV_EV_MAX, type, num));
	if (tb[SSLV_A_FLOW])
		print_flow(tb[SSLV_A_FLOW], "flow", FLOW_FULL);
	if (tb[SSLV_A_REASON])
		print_str(PR_ANY, "reason", "reason",
			  sslv_rst_reason_label(mnl_attr_get_u8(tb[SSLV_A_REASON])));
	if (tb[SSLV_A_RULE_ID])
		print_uint(PR_ANY, "rule", "rule",
			   mnl_attr_get_u32(tb[SSLV_A_RULE_ID]));
	close_object();
	fflush(stdout);
	return MNL_CB_OK;
}

int do_monitor(int argc, char **argv)
{
	static const char *const words[] = {
		"rcvbuf", "rejected", "ended", "rst", "session", NULL,
	};
	bool seen_rcvbuf = false, seen_time = false;
	int one = 1;
	struct monitor m = { 0 };
	uint32_t rcvbuf = 0;
	const char *val;
	struct genl g;
	int ret, err, i, type;

	for (i = 0; i < argc; i++) {
		if (!expand_keyword(&argv[i], words))
			return EXIT_USAGE;
		if (!strcmp(argv[i], "-t")) {
			if (!once(&seen_time, argv[i]))
				return EXIT_USAGE;
			show_time = true;
			continue;
		}
		if (strcmp(argv[i], "rcvbuf")) {
			type = parse_keyword(argv[i], event_names,
					     __SSLV_EV_MAX);
			if (type <= 0)
				return arg_error("unknown event type", argv[i]);
			if (m.types & 1U << type)
				return arg_error("duplicate event type",
						 argv[i]);
			m.types |= 1U << type;
			continue;
		}
		if (!once(&seen_rcvbuf, argv[i]))
			return EXIT_USAGE;
		val = next_arg(argc, argv, &i);
		if (!val)
			return EXIT_USAGE;
		if (!parse_u32(val, INT32_MAX / 2, &rcvbuf) || !rcvbuf)
			return arg_error("invalid rcvbuf", val);
	}
	ret = sslv_open(&g);
	if (ret)
		return ret;
	err = genl_join(&g, SSLV_MCGRP_EVENTS);
	if (err == -ENOENT)
		errorf("sslv module has no \"%s\" multicast group",
		       SSLV_MCGRP_EVENTS);
	else if (err)
		sslv_report(&g, err);
	if (!err && rcvbuf &&
	    setsockopt(mnl_socket_get_fd(g.sock), SOL_SOCKET, SO_RCVBUF,
		       &rcvbuf, sizeof(rcvbuf)) < 0) {
		err = -errno;
		sslv_report(&g, err);
	}
	/* An event our full queue refuses is counted in events_lost. */
	if (!err &&
	    mnl_socket_setsockopt(g.sock, NETLINK_BROADCAST_ERROR, &one,
				  sizeof(one)) < 0) {
		err = -errno;
		sslv_report(&g, err);
	}
	while (!err) {
		err = genl_listen(&g, event, &m);
		if (err == -ENOBUFS) {
			fprintf(stderr, "Warning: events lost (receive queue overflowed)\n");
			err = 0;
		} else if (err) {
			sslv_report(&g, err);
		}
	}
	genl_close(&g);
	return EXIT_KERNEL;
}
