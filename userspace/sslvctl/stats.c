// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl stats [show] [-a] [-d INTERVAL [-c COUNT]] | stats reset: the
 * module's counters.
 *
 * Text groups them by family, under a heading each (packets, flows,
 * policy, resets, rst, tls, decrypt, ips, tap, events, then any this file
 * does not know),
 * in the kernel's order within a family, and shows only those that are not
 * zero unless -a. JSON is one flat object of every counter, by its name.
 *
 * -d INTERVAL prints, every INTERVAL seconds, how much each counter grew
 * since the last look, and its rate a second, as nstat does (gauges: their
 * value); -c COUNT stops after COUNT of them. The families are this file's
 * grouping of the kernel's names; the kernel stays the one list of counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_writer.h"
#include "sslvctl.h"
#include "print.h"

#define MAX_COUNTERS	256
#define NAME_SIZE	64

struct counters {
	unsigned int n;
	bool overflow;
	struct {
		char name[NAME_SIZE];
		uint64_t value;
	} c[MAX_COUNTERS];
};

struct stats_opts {
	bool all;		/* -a */
	uint64_t interval_ns;	/* -d; 0: print the counters once */
	uint32_t count;		/* -c; 0: until interrupted */
};

/* Counters that tell a level, not a sum: -d shows their value. */
static const char *const gauges[] = { "flows_current", "flows_max", NULL };

static const char *const packets_names[] = {
	"packets", "malformed_l2", "malformed_ip", "malformed_tcp",
	"vlan_unsupported", "bad_csum", "frag_tcp", NULL,
};
static const char *const policy_names[] = {
	"syn_rejected", "drop_rule", NULL,
};
static const char *const resets_names[] = {
	"rst_sent", "rst_turnaround", "rst_not_answered", "rst_alloc_fail",
	"rst_no_port", "rst_egress_blocked", "rst_ratelimited", NULL,
};
static const char *const events_names[] = { "events", "events_lost", NULL };

/*
 * A counter belongs to the first family that names it, else to the first
 * whose prefix it has, else to "other".
 */
static const struct family {
	const char *name;
	const char *prefix;
	const char *const *names;
} families[] = {
	{ "packets", NULL, packets_names },
	{ "flows", "flows_", NULL },
	{ "policy", "T_", policy_names },	/* sslv's verdicts */
	{ "resets", NULL, resets_names },	/* the RSTs sslv sends */
	{ "rst", "rst_", NULL },		/* the RSTs it sees, explained */
	{ "tls", "tls_", NULL },
	{ "decrypt", "decrypt_", NULL },	/* action decrypt, sslvd */
	{ "ips", "ips_", NULL },		/* the attached IPS */
	{ "tap", "tap_", NULL },
	{ "events", NULL, events_names },
	{ "other", NULL, NULL },
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

static bool listed(const char *const *names, const char *name)
{
	for (; names && *names; names++)
		if (!strcmp(*names, name))
			return true;
	return false;
}

static unsigned int family_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < NFAMILIES; i++)
		if (listed(families[i].names, name))
			return i;
	for (i = 0; i < NFAMILIES; i++)
		if (families[i].prefix &&
		    !strncmp(name, families[i].prefix,
			     strlen(families[i].prefix)))
			return i;
	return NFAMILIES - 1;
}

int stats_walk(const struct nlmsghdr *nlh,
	       void (*fn)(const char *name, uint64_t value, void *data),
	       void *data)
{
	static const uint8_t types[SSLV_STAT_MAX + 1] = {
		[SSLV_STAT_NAME] = MNL_TYPE_NUL_STRING,
		[SSLV_STAT_VALUE] = MNL_TYPE_U64,
	};
	const struct nlattr *tb[SSLV_STAT_MAX + 1];
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_STAT)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    genl_parse_nest(attr, tb, SSLV_STAT_MAX, types) < 0 ||
		    !tb[SSLV_STAT_NAME] || !tb[SSLV_STAT_VALUE])
			return MNL_CB_ERROR;
		fn(mnl_attr_get_str(tb[SSLV_STAT_NAME]),
		   mnl_attr_get_u64(tb[SSLV_STAT_VALUE]), data);
	}
	return MNL_CB_OK;
}

static void counters_keep(const char *name, uint64_t value, void *data)
{
	struct counters *cs = data;

	if (cs->n == MAX_COUNTERS || strlen(name) >= NAME_SIZE) {
		cs->overflow = true;
		return;
	}
	strcpy(cs->c[cs->n].name, name);
	cs->c[cs->n++].value = value;
}

static int counters_reply(const struct nlmsghdr *nlh, void *data)
{
	return stats_walk(nlh, counters_keep, data);
}

/* @name's value in @cs, or NULL. */
static const uint64_t *counter(const struct counters *cs, const char *name)
{
	unsigned int i;

	for (i = 0; i < cs->n; i++)
		if (!strcmp(cs->c[i].name, name))
			return &cs->c[i].value;
	return NULL;
}

/*
 * Text: under a heading each, the counters of each family that @show
 * (with @was, the previous look, or NULL) lets through, as @row prints.
 */
static void print_families(const struct counters *cs,
			   const struct counters *was, const struct stats_opts *o,
			   double secs)
{
	const uint64_t *old;
	uint64_t v, delta;
	unsigned int f, i;
	bool heading, gauge;
	char row[160];

	for (f = 0; f < NFAMILIES; f++) {
		heading = false;
		for (i = 0; i < cs->n; i++) {
			if (family_of(cs->c[i].name) != f)
				continue;
			v = cs->c[i].value;
			gauge = listed(gauges, cs->c[i].name);
			old = was ? counter(was, cs->c[i].name) : NULL;
			/* A counter reset since: count from zero. */
			delta = !old ? v : v >= *old ? v - *old : v;
			if (!o->all && (was ? gauge ? old && v == *old : !delta
					    : !v))
				continue;
			if (!heading) {
				snprintf(row, sizeof(row), "%s:",
					 families[f].name);
				print_str(PR_TEXT, NULL, NULL, row);
				print_nl();
				heading = true;
			}
			if (!was || gauge)
				snprintf(row, sizeof(row), "    %-26s %14" PRIu64,
					 cs->c[i].name, v);
			else
				snprintf(row, sizeof(row),
					 "    %-26s %14" PRIu64 " %12.1f/s",
					 cs->c[i].name, delta,
					 secs > 0 ? delta / secs : 0.0);
			print_str(PR_TEXT, NULL, NULL, row);
			print_nl();
		}
	}
}

static void print_counters(const struct counters *cs,
			   const struct stats_opts *o)
{
	unsigned int i;

	open_object(NULL);
	if (opts.json)
		for (i = 0; i < cs->n; i++)
			print_uint(PR_JSON, cs->c[i].name, NULL,
				   cs->c[i].value);
	else
		print_families(cs, NULL, o, 0);
	close_object();
}

/*
 * One -d look: text "# TIME, SECONDS s" then the families; JSON
 * {"timestamp", "interval", "deltas": {every counter}, "gauges": {...}}.
 */
static void print_deltas(const struct counters *cs, const struct counters *was,
			 const struct stats_opts *o, double secs,
			 const struct timespec *when)
{
	char stamp[JW_TIME_SIZE], num[32], line[96];
	const uint64_t *old;
	unsigned int i, pass;
	uint64_t v;

	jw_time(stamp, when->tv_sec, when->tv_nsec / 1000);
	snprintf(num, sizeof(num), "%.3f", secs);
	open_object(NULL);
	print_str(PR_JSON, "timestamp", NULL, stamp);
	print_number(PR_JSON, "interval", NULL, num);
	if (!opts.json) {
		snprintf(line, sizeof(line), "# %s, %s s", stamp, num);
		print_str(PR_TEXT, NULL, NULL, line);
		print_nl();
		print_families(cs, was, o, secs);
		close_object();
		fflush(stdout);
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		open_object(pass ? "gauges" : "deltas");
		for (i = 0; i < cs->n; i++) {
			if (listed(gauges, cs->c[i].name) != pass)
				continue;
			v = cs->c[i].value;
			old = counter(was, cs->c[i].name);
			if (!pass && old)
				v = v >= *old ? v - *old : v;
			print_uint(PR_JSON, cs->c[i].name, NULL, v);
		}
		close_object();
	}
	close_object();
	fflush(stdout);
}

static int sample(struct genl *g, struct counters *cs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	cs->n = 0;
	ret = sslv_request(g, genl_msg(g, buf, SSLV_CMD_STATS_GET, 0),
			   counters_reply, cs);
	if (!ret && cs->overflow) {
		errorf("sslv module has more than %d counters, or a name of %d bytes or more",
		       MAX_COUNTERS, NAME_SIZE);
		ret = EXIT_KERNEL;
	}
	return ret;
}

static double secs_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int stats_show(const struct stats_opts *o)
{
	struct counters *cs = calloc(2, sizeof(*cs)), *now, *was, *t;
	struct timespec start, next, mono, last, when;
	uint64_t at;
	uint32_t n;
	struct genl g;
	int ret;

	if (!cs) {
		errorf("out of memory");
		return EXIT_KERNEL;
	}
	ret = sslv_open(&g);
	if (ret)
		goto out;
	now = &cs[0];
	was = &cs[1];
	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = sample(&g, now);
	if (ret || !o->interval_ns) {
		if (!ret)
			print_counters(now, o);
		goto close;
	}
	last = start;
	for (n = 1; !o->count || n <= o->count; n++) {
		at = o->interval_ns * n;
		next.tv_sec = start.tv_sec + (time_t)(at / 1000000000);
		next.tv_nsec = start.tv_nsec + (long)(at % 1000000000);
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		t = was;
		was = now;
		now = t;
		ret = sample(&g, now);
		if (ret)
			break;
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &when);
		print_deltas(now, was, o, secs_between(&last, &mono), &when);
		last = mono;
	}
close:
	genl_close(&g);
out:
	free(cs);
	return ret;
}

/* "1", "0.5", "2.25": seconds, 0.001 to 86400, in ns; false if not. */
static bool parse_interval(const char *s, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = 100000000;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (uint64_t)(*p - '0')) > 86400)
			return false;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			if (!scale)
				return false;
			else
				frac += (uint64_t)(*p - '0') * scale;
	}
	*ns = whole * 1000000000 + frac;
	return !*p && *ns >= 1000000 && *ns <= 86400ULL * 1000000000;
}

static int parse_show(int argc, char **argv, struct stats_opts *o)
{
	bool seen_all = false, seen_d = false, seen_c = false;
	const char *val;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-a")) {
			if (!once(&seen_all, argv[i]))
				return EXIT_USAGE;
			o->all = true;
		} else if (!strcmp(argv[i], "-d")) {
			if (!once(&seen_d, argv[i]) ||
			    !(val = next_arg(argc, argv, &i)))
				return EXIT_USAGE;
			if (!parse_interval(val, &o->interval_ns))
				return arg_error("invalid interval (seconds, 0.001 to 86400)",
						 val);
		} else if (!strcmp(argv[i], "-c")) {
			if (!once(&seen_c, argv[i]) ||
			    !(val = next_arg(argc, argv, &i)))
				return EXIT_USAGE;
			if (!parse_u32(val, UINT32_MAX, &o->count) || !o->count)
				return arg_error("invalid count", val);
		} else {
			return arg_error(i ? "unexpected argument" :
					 "unknown keyword", argv[i]);
		}
	}
	if (seen_c && !seen_d) {
		errorf("-c COUNT needs -d INTERVAL");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int do_stats(int argc, char **argv)
{
	struct stats_opts o = { 0 };
	int ret;

	if (argc && !strcmp(argv[0], "reset")) {
		if (argc > 1)
			return arg_error("unexpected argument", argv[1]);
		return sslv_simple(SSLV_CMD_STATS_RESET, 0, NULL, NULL);
	}
	if (argc && !strcmp(argv[0], "show")) {
		argc--;
		argv++;
	}
	ret = parse_show(argc, argv, &o);
	return ret ? ret : stats_show(&o);
}
