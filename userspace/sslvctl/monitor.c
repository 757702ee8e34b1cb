// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl monitor [rcvbuf BYTES]: one line per SSLV_CMD_EVENT from the
 * "events" group, as it happens. RST events are shown by rst.c, sessions by
 * session.c. Events are numbered (SSLV_A_EVENT_SEQ): a gap is shown as one
 * "lost N" line, so that no event, and no session record, is lost silently.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "rst.h"
#include "sslvctl.h"
#include "print.h"

static const char *const event_names[__SSLV_EV_MAX] = {
	[SSLV_EV_FLOW_REJECTED] = "rejected",
	[SSLV_EV_FLOW_ENDED] = "ended",
};

/* The number of the last event shown. */
struct seq {
	bool seen;
	uint32_t last;
};

/* Show the events lost since the last one shown, if any. */
static void lost(struct seq *q, const struct nlattr *a)
{
	uint32_t seq, n;

	if (!a)
		return;
	seq = mnl_attr_get_u32(a);
	n = seq - q->last - 1;
	if (q->seen && n) {
		open_object(NULL);
		print_str(PR_ANY, "event", NULL, "lost");
		print_uint(PR_ANY, "count", NULL, n);
		close_object();
	}
	q->seen = true;
	q->last = seq;
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
	char num[16];

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 ||
	    genl->cmd != SSLV_CMD_EVENT || !tb[SSLV_A_EVENT])
		return MNL_CB_OK;
	lost(data, tb[SSLV_A_EVENT_SEQ]);
	switch (mnl_attr_get_u8(tb[SSLV_A_EVENT])) {
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
	print_str(PR_ANY, "event", NULL,
		  keyword_name(event_names, __SSLV_EV_MAX,
			       mnl_attr_get_u8(tb[SSLV_A_EVENT]), num));
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
	static const char *const rcvbuf_word[] = { "rcvbuf", NULL };
	bool seen_rcvbuf = false;
	int one = 1;
	struct seq q = { 0 };
	uint32_t rcvbuf = 0;
	const char *val;
	struct genl g;
	int ret, err, i;

	for (i = 0; i < argc; i++) {
		if (!expand_keyword(&argv[i], rcvbuf_word))
			return EXIT_USAGE;
		if (strcmp(argv[i], "rcvbuf"))
			return arg_error("unknown keyword", argv[i]);
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
		err = genl_listen(&g, event, &q);
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
