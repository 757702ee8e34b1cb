// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl rst: the module's RST counters, grouped as tools/rstscope groups
 * its summary; and how an SSLV_EV_RST event is shown (for monitor.c).
 *
 * Every label and the explanation come from kmod/lib/rst.c, the code that
 * classified the RST in the module. A counter is named "rst_" and the label
 * with '-' as '_', a kind's "rst-" dropped: rst-bare counts in rst_bare,
 * seq-exact in rst_seq_exact. Labels without a counter are left out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rst.h"
#include "sslvctl.h"
#include "print.h"

#define MAX_COUNTERS	32
#define NAME_SIZE	48

struct rst_counters {
	unsigned int n;
	struct {
		char name[NAME_SIZE];
		uint64_t value;
	} c[MAX_COUNTERS];
};

static const struct rst_group {
	const char *name;
	unsigned int n;
	const char *(*label)(unsigned int i);
} rst_groups[] = {
	{ "phase", __SSLV_RST_PHASE_MAX, sslv_rst_phase_label },
	{ "sender", __SSLV_RST_SENDER_MAX, sslv_rst_sender_label },
	{ "kind", __SSLV_RST_KIND_MAX, sslv_rst_kind_label },
	{ "ttl", __SSLV_RST_TTL_MAX, sslv_rst_ttl_label },
	{ "seq", SSLV_SEQ_OUTSIDE + 1, sslv_rst_seq_label },
	{ "cause", SSLV_RST_NCAUSES, NULL },	/* bit i: sslv_rst_cause_label */
};

static const char *group_label(const struct rst_group *g, unsigned int i)
{
	return g->label ? g->label(i) : sslv_rst_cause_label(1U << i);
}

static void counters_keep(const char *name, uint64_t value, void *data)
{
	struct rst_counters *rc = data;

	if (strncmp(name, "rst_", 4) || strlen(name) >= NAME_SIZE ||
	    rc->n == MAX_COUNTERS)
		return;
	strcpy(rc->c[rc->n].name, name);
	rc->c[rc->n++].value = value;
}

static int counters_reply(const struct nlmsghdr *nlh, void *data)
{
	return stats_walk(nlh, counters_keep, data);
}

/* The counter named @name, or NULL. */
static const uint64_t *counter(const struct rst_counters *rc, const char *name)
{
	unsigned int i;

	for (i = 0; i < rc->n; i++)
		if (!strcmp(rc->c[i].name, name))
			return &rc->c[i].value;
	return NULL;
}

/* The counter of label @i of group @g, or NULL. */
static const uint64_t *label_counter(const struct rst_counters *rc,
				     const struct rst_group *g, unsigned int i)
{
	const char *label = group_label(g, i);
	char name[NAME_SIZE];
	char *c;

	if (!strncmp(label, "rst-", 4))
		label += 4;
	snprintf(name, sizeof(name), "rst_%s", label);
	for (c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	return counter(rc, name);
}

static void print_row(const char *group, const char *label, uint64_t n)
{
	char row[64];

	snprintf(row, sizeof(row), "%-8s %-22s %8" PRIu64, group, label, n);
	print_str(PR_TEXT, NULL, NULL, row);
	print_uint(PR_JSON, label, NULL, n);
	print_nl();
}

static void print_group(const struct rst_counters *rc,
			const struct rst_group *g)
{
	const uint64_t *n;
	unsigned int i;
	bool any = false;

	for (i = 0; i < g->n; i++)
		any |= label_counter(rc, g, i) != NULL;
	if (!any)
		return;
	open_object(g->name);
	for (i = 0; i < g->n; i++) {
		n = label_counter(rc, g, i);
		if (n)
			print_row(g->name, group_label(g, i), *n);
	}
	close_object();
}

static int print_summary(const struct rst_counters *rc)
{
	const uint64_t *seen = counter(rc, "rst_seen");
	const uint64_t *suppressed = counter(rc, "rst_events_suppressed");
	char header[64];
	unsigned int i;

	if (!seen || !suppressed) {
		errorf("sslv module has no RST counters (rst_seen, rst_events_suppressed)");
		return EXIT_KERNEL;
	}
	open_object(NULL);
	print_uint(PR_ANY, "rsts", "rsts", *seen);
	print_uint(PR_ANY, "events_suppressed", "events-suppressed",
		   *suppressed);
	print_nl();
	snprintf(header, sizeof(header), "%-8s %-22s %8s", "group", "label",
		 "rsts");
	print_str(PR_TEXT, NULL, NULL, header);
	print_nl();
	for (i = 0; i < sizeof(rst_groups) / sizeof(rst_groups[0]); i++)
		print_group(rc, &rst_groups[i]);
	close_object();
	return EXIT_OK;
}

int do_rst(int argc, char **argv)
{
	struct rst_counters rc = { 0 };
	int ret;

	if (argc > 0 && strcmp(argv[0], "show"))
		return arg_error("unknown keyword", argv[0]);
	if (argc > 1)
		return arg_error("unexpected argument", argv[1]);
	ret = sslv_simple(SSLV_CMD_STATS_GET, 0, counters_reply, &rc);
	return ret ? ret : print_summary(&rc);
}

/* Text: idle rexmit sslv(rule); JSON: "causes":["idle","rexmit","sslv"]. */
static void print_causes(const struct sslv_rst_info *info)
{
	unsigned int bit, cause;
	const char *label;
	char word[64];

	open_array("causes");
	for (bit = 0; bit < SSLV_RST_NCAUSES; bit++) {
		cause = 1U << bit;
		if (!(info->causes & cause))
			continue;
		label = sslv_rst_cause_label(cause);
		print_str(PR_JSON, NULL, NULL, label);
		if (cause == SSLV_RST_C_SSLV && info->reason)
			snprintf(word, sizeof(word), "%s(%s)", label,
				 sslv_rst_reason_label(info->reason));
		else
			snprintf(word, sizeof(word), "%s", label);
		print_str(PR_TEXT, NULL, NULL, word);
	}
	close_array();
}

/*
 * JSON keys are tools/rstscope's where they overlap, so that a live event
 * and the same RST replayed from a capture compare field by field; "seq"
 * is the seq-fit label there, so the RST's numbers are tcp_seq and tcp_ack.
 */
static void print_rst_info(const struct sslv_rst_info *info, uint32_t seq,
			   uint32_t ack)
{
	enum pr_where numbers = opts.details ? PR_ANY : PR_JSON;
	char line[512];

	print_str(PR_ANY, "sender", NULL, sslv_rst_sender_label(info->sender));
	print_str(PR_ANY, "phase", NULL, sslv_rst_phase_label(info->phase));
	print_str(PR_ANY, "kind", NULL, sslv_rst_kind_label(info->kind));
	print_str(PR_ANY, "ttl", NULL, sslv_rst_ttl_label(info->ttl));
	print_uint(PR_JSON, "ttl_seen", NULL, info->ttl_seen);
	print_uint(PR_JSON, "ttl_expected", NULL, info->ttl_expected);
	print_str(PR_ANY, "seq", NULL, sslv_rst_seq_label(info->seq_fit));
	print_causes(info);
	print_str(PR_JSON, "reason", NULL, sslv_rst_reason_label(info->reason));
	print_uint(PR_JSON, "idle_ms", NULL, info->idle_ms);
	print_uint(PR_JSON, "rexmit", NULL, info->rexmit);
	print_uint(numbers, "tcp_seq", "seq", seq);
	print_uint(numbers, "tcp_ack", "ack", ack);
	sslv_rst_explain(line, sizeof(line), info);
	print_str(PR_ANY, "explain", "|", line);
}

bool print_rst_event(const struct nlattr *flow, const struct nlattr *rst)
{
	static const uint8_t types[SSLV_RST_MAX + 1] = {
		[SSLV_RST_PHASE] = MNL_TYPE_U8,
		[SSLV_RST_SENDER] = MNL_TYPE_U8,
		[SSLV_RST_KIND] = MNL_TYPE_U8,
		[SSLV_RST_TTL] = MNL_TYPE_U8,
		[SSLV_RST_TTL_SEEN] = MNL_TYPE_U8,
		[SSLV_RST_TTL_EXPECTED] = MNL_TYPE_U8,
		[SSLV_RST_SEQ_FIT] = MNL_TYPE_U8,
		[SSLV_RST_CAUSES] = MNL_TYPE_U8,
		[SSLV_RST_REASON] = MNL_TYPE_U8,
		[SSLV_RST_REXMIT] = MNL_TYPE_U8,
		[SSLV_RST_FLOW_FLAGS] = MNL_TYPE_U8,
		[SSLV_RST_IDLE_MS] = MNL_TYPE_U32,
		[SSLV_RST_SEQ] = MNL_TYPE_U32,
		[SSLV_RST_ACK] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[SSLV_RST_MAX + 1];
	struct sslv_rst_info info = { 0 };
	unsigned int i;

	if (!flow || !rst ||
	    genl_parse_nest(rst, tb, SSLV_RST_MAX, types) < 0)
		return false;
	for (i = SSLV_RST_UNSPEC + 1; i <= SSLV_RST_MAX; i++)
		if (!tb[i])
			return false;
	info.phase = mnl_attr_get_u8(tb[SSLV_RST_PHASE]);
	info.sender = mnl_attr_get_u8(tb[SSLV_RST_SENDER]);
	info.kind = mnl_attr_get_u8(tb[SSLV_RST_KIND]);
	info.ttl = mnl_attr_get_u8(tb[SSLV_RST_TTL]);
	info.ttl_seen = mnl_attr_get_u8(tb[SSLV_RST_TTL_SEEN]);
	info.ttl_expected = mnl_attr_get_u8(tb[SSLV_RST_TTL_EXPECTED]);
	info.seq_fit = mnl_attr_get_u8(tb[SSLV_RST_SEQ_FIT]);
	info.causes = mnl_attr_get_u8(tb[SSLV_RST_CAUSES]);
	info.reason = mnl_attr_get_u8(tb[SSLV_RST_REASON]);
	info.rexmit = mnl_attr_get_u8(tb[SSLV_RST_REXMIT]);
	info.flow_flags = mnl_attr_get_u8(tb[SSLV_RST_FLOW_FLAGS]);
	info.idle_ms = mnl_attr_get_u32(tb[SSLV_RST_IDLE_MS]);

	open_object(NULL);
	print_event("rst");
	print_flow(flow, "flow", FLOW_BRIEF);
	print_rst_info(&info, mnl_attr_get_u32(tb[SSLV_RST_SEQ]),
		       mnl_attr_get_u32(tb[SSLV_RST_ACK]));
	close_object();
	return true;
}
