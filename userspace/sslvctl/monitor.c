// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl monitor [-t] [-w FILE] [rcvbuf BYTES] [EVENT...]: one line per
 * SSLV_CMD_EVENT from the "events" group, as it happens; with EVENTs, only
 * events of those types; with -w, as eve.json lines appended to FILE
 * (eve.c), reopened on SIGHUP, and nothing on stdout. RST events are shown by rst.c, sessions by
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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
	[SSLV_EV_IPS] = "ips",
};

struct monitor {
	bool seen;		/* an event was read: last is its number */
	uint32_t last;
	unsigned int types;	/* 1 << SSLV_EV_* shown; 0: every type */
	struct eve eve;		/* -w: eve.f is open */
	int status;		/* an exit status that stops monitoring */
};

/* A SIGHUP came: -w reopens its file before it writes again. */
static volatile sig_atomic_t hup;

static void on_hup(int sig)
{
	hup = 1;
}

/* Reopens the eve file if a SIGHUP asked for it; false when that failed. */
static bool eve_ready(struct monitor *m)
{
	if (hup) {
		hup = 0;
		m->status = eve_reopen(&m->eve);
	}
	return !m->status;
}

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
	if (m->seen && n && m->eve.f) {
		if (eve_ready(m))
			m->status = eve_lost(&m->eve, &event_time, n);
	} else if (m->seen && n) {
		open_object(NULL);
		print_event("lost");
		print_uint(PR_ANY, "count", NULL, n);
		close_object();
	}
	m->seen = true;
	m->last = seq;
}

/* Prints the record of one event; false, printing nothing, if malformed. */
static bool print_record(const struct nlattr **tb, uint8_t type)
{
	char num[16];

	switch (type) {
	case SSLV_EV_RST:
		if (print_rst_event(tb[SSLV_A_FLOW], tb[SSLV_A_RST]))
			return true;
		fprintf(stderr, "Warning: malformed rst event\n");
		return false;
	case SSLV_EV_SESSION:
		if (print_session_event(tb))
			return true;
		fprintf(stderr, "Warning: malformed session event\n");
		return false;
	case SSLV_EV_IPS:
		open_object(NULL);
		print_event("ips");
		if (!print_ips(tb[SSLV_A_IPS])) {
			close_object();
			fprintf(stderr, "Warning: malformed ips event\n");
			return false;
		}
		close_object();
		return true;
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
	return true;
}

/* -w: the event's record, rendered in memory, inside its eve line. */
static void eve_event(struct monitor *m, const struct nlattr **tb,
		      uint8_t type)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	bool ok;

	if (!eve_ready(m))
		return;
	mem = open_memstream(&buf, &len);
	if (!mem) {
		errorf("out of memory");
		m->status = EXIT_KERNEL;
		return;
	}
	print_json_to(mem);
	ok = print_record(tb, type);
	if (fclose(mem)) {
		errorf("out of memory");
		m->status = EXIT_KERNEL;
	} else if (ok) {
		m->status = eve_write(&m->eve, tb, type, &event_time, buf,
				      len);
	}
	free(buf);
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
		[SSLV_A_IPS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	uint8_t type;

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 ||
	    genl->cmd != SSLV_CMD_EVENT || !tb[SSLV_A_EVENT])
		return MNL_CB_OK;
	clock_gettime(CLOCK_REALTIME, &event_time);
	lost(m, tb[SSLV_A_EVENT_SEQ]);
	type = mnl_attr_get_u8(tb[SSLV_A_EVENT]);
	if (m->status)
		return MNL_CB_ERROR;
	if (m->types && (type >= 32 || !(m->types & 1U << type)))
		return MNL_CB_OK;
	if (m->eve.f)
		eve_event(m, tb, type);
	else
		print_record(tb, type);
	fflush(stdout);
	return m->status ? MNL_CB_ERROR : MNL_CB_OK;
}

int do_monitor(int argc, char **argv)
{
	static const char *const words[] = {
		"rcvbuf", "rejected", "ended", "rst", "session", "ips", NULL,
	};
	bool seen_rcvbuf = false, seen_time = false, seen_file = false;
	struct sigaction sa = { .sa_handler = on_hup };
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
		if (!strcmp(argv[i], "-w")) {
			if (!once(&seen_file, argv[i]) ||
			    !(m.eve.path = next_arg(argc, argv, &i)))
				return EXIT_USAGE;
			if (!*m.eve.path)
				return arg_error("invalid file", m.eve.path);
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
	if (m.eve.path) {
		ret = eve_open(&m.eve);
		if (ret)
			return ret;
		opts.json = true;
		/* Not SA_RESTART: a SIGHUP ends the wait for events. */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
	}
	ret = sslv_open(&g);
	if (ret)
		goto out;
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
		if (m.status)
			break;
		if (err == -EINTR) {
			err = 0;
			if (m.eve.f && !eve_ready(&m))
				break;
		} else if (err == -ENOBUFS) {
			fprintf(stderr, "Warning: events lost (receive queue overflowed)\n");
			err = 0;
		} else if (err) {
			sslv_report(&g, err);
		}
	}
	genl_close(&g);
	ret = m.status ? m.status : EXIT_KERNEL;
out:
	if (m.eve.f)
		fclose(m.eve.f);
	return ret;
}
