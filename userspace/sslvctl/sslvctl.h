/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What sslvctl's commands share: global options, exit statuses, argument
 * parsing (parse.c), the connection to the sslv family (kernel.c), and the
 * entry point of each object.
 *
 * Every command parses all of its arguments before it opens a netlink
 * socket, so a bad argument sends nothing to the kernel.
 */
#ifndef SSLVCTL_H
#define SSLVCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/sslv.h>

#include "genl.h"

#define SSLVCTL_VERSION "0.1"

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad argument; nothing was sent */
	EXIT_KERNEL = 2,	/* the kernel refused, or is missing sslv */
};

struct options {
	bool json;
	bool numeric;
	bool details;
};
extern struct options opts;

/* parse.c */

struct prefix {
	uint8_t family;		/* AF_INET, AF_INET6; 0: none given */
	uint8_t len;
	uint8_t addr[16];	/* network order, host bits cleared */
};

/*
 * Errors go to stderr as `Error: <where>message`, <where> being "FILE:LINE: "
 * while parse_location() names a line of a file.
 */
void parse_location(const char *file, unsigned long line);
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print `Error: <what> "<token>"`; return false and EXIT_USAGE. */
bool bad_arg(const char *what, const char *token);
int arg_error(const char *what, const char *token);

/* The argument after argv[*i], moving *i onto it; NULL (reported) if none. */
const char *next_arg(int argc, char **argv, int *i);
/* Returns false (reported) unless *seen was clear; then sets it. */
bool once(bool *seen, const char *keyword);

bool parse_u32(const char *s, uint32_t max, uint32_t *out);
bool parse_prefix(const char *s, struct prefix *p);
bool parse_port_range(const char *s, uint16_t range[2]);
bool parse_ifname(const char *s, uint32_t *ifindex);
/* Index of @s in @names, or -1. */
int parse_keyword(const char *s, const char *const *names, unsigned int n);

/* names[v], or v in decimal (in @buf) when it has no name. */
const char *keyword_name(const char *const *names, unsigned int n,
			 unsigned int v, char buf[16]);
/* "10.0.0.0/8", "2001:db8::1" ...: @len < 0 prints no length. */
void format_addr(char *buf, size_t size, uint8_t family, const void *addr,
		 int len);

/* kernel.c */

/* Opens the sslv family: EXIT_OK, or EXIT_KERNEL after printing why not. */
int sslv_open(struct genl *g);
/* genl_request(), printing the error: EXIT_OK or EXIT_KERNEL. */
int sslv_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data);
/* Prints the error @err (-errno) of the last request on @g. */
void sslv_report(const struct genl *g, int err);
/* One request of @cmd without attributes. */
int sslv_simple(uint8_t cmd, uint16_t flags, mnl_cb_t cb, void *data);
/* "<verb> ID": one request of @cmd carrying the u32 id as @attr. */
int sslv_by_id(int argc, char **argv, const char *what, uint8_t cmd,
	       uint16_t attr);

/* Each object's command line, argv[0] being the word after the object. */
int do_mode(int argc, char **argv);
int do_config(int argc, char **argv);
int do_rule(int argc, char **argv);
int do_flow(int argc, char **argv);
int do_stats(int argc, char **argv);
/* Calls @fn for each counter of a STATS_GET reply: MNL_CB_OK or _ERROR. */
int stats_walk(const struct nlmsghdr *nlh,
	       void (*fn)(const char *name, uint64_t value, void *data),
	       void *data);
int do_monitor(int argc, char **argv);
int do_rst(int argc, char **argv);

/* rule.c, for rule_file.c */

#define RULE_HAS_SPORT	(1U << 0)
#define RULE_HAS_DPORT	(1U << 1)
#define RULE_HAS_VLAN	(1U << 2)
#define RULE_HAS_IIF	(1U << 3)

struct rule {
	struct prefix src;
	struct prefix dst;
	uint16_t sport[2];
	uint16_t dport[2];
	uint16_t vlan;
	uint8_t has;		/* RULE_HAS_* */
	uint8_t action;
	uint32_t iif;
};

/* Worst case size of one rule's SSLV_A_RULE nest. */
#define RULE_NEST_MAX 128

bool parse_rule(int argc, char **argv, struct rule *r);
void put_rule(struct nlmsghdr *nlh, const struct rule *r);
int rule_replace(const char *file);

/* flow.c, for monitor.c and rst.c */

/*
 * Prints an SSLV_A_FLOW nest as an object (member @key); false if malformed.
 * @brief: the text is only "flow ID tcp SRC -> DST [vlan N]", with
 * "no-flow" for id 0; JSON has every field either way.
 */
bool print_flow(const struct nlattr *nest, const char *key, bool brief);

/* rst.c, for monitor.c */

/*
 * Prints an SSLV_EV_RST event from its SSLV_A_FLOW and SSLV_A_RST nests;
 * false, having printed nothing, when a nest is missing or the RST nest is
 * malformed.
 */
bool print_rst_event(const struct nlattr *flow, const struct nlattr *rst);

#endif /* SSLVCTL_H */
