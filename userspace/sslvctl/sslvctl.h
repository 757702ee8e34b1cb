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
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <linux/sslv.h>

#include "genl.h"

#define SSLVCTL_VERSION SSLV_VERSION	/* the VERSION file, by the Makefile */

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad argument; nothing was sent */
	EXIT_KERNEL = 2,	/* the kernel refused, or is missing sslv */
	EXIT_CHECKED = 3,	/* opts.check: parsed, nothing sent (internal) */
};

struct options {
	bool json;
	bool numeric;
	bool details;
	bool batch;	/* running the commands of a file (-f) */
	bool check;	/* only parse: sslv_open() returns EXIT_CHECKED */
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
/*
 * Hand each line of @f to @fn, with parse_location() naming it @file:LINE,
 * until @fn returns false (it has reported why); a read error is reported.
 * Returns whether every line was taken.
 */
bool read_lines(FILE *f, const char *file,
		bool (*fn)(char *line, unsigned long lineno, void *arg),
		void *arg);
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
/*
 * Abbreviations, as iproute2's matches(): when *@word is a keyword of the
 * NULL-ended @words, or the beginning of exactly one, *@word becomes that
 * keyword. A word that begins none is left as it is, for the caller to
 * report; one that begins several is reported, naming them, and false
 * returned.
 */
bool expand_keyword(char **word, const char *const *words);
/* expand_keyword() over the object names (main.c). */
bool expand_object(char **word);

/*
 * Index of @s in @names, or of the one name @s begins; -1 if none, -2 if
 * several (reported, naming them: the caller returns).
 */
int parse_keyword(const char *s, const char *const *names, unsigned int n);
/* parse_keyword(), an ambiguous @s reported as an ambiguous @what. */
int parse_keyword_of(const char *s, const char *const *names, unsigned int n,
		     const char *what);

/* Words of enum sslv_action: "cut", "reject", "drop", "decrypt". */
extern const char *const action_names[__SSLV_ACT_MAX];

/* names[v], or v in decimal (in @buf) when it has no name. */
const char *keyword_name(const char *const *names, unsigned int n,
			 unsigned int v, char buf[16]);
/* "10.0.0.0/8", "2001:db8::1" ...: @len < 0 prints no length. */
void format_addr(char *buf, size_t size, uint8_t family, const void *addr,
		 int len);

/*
 * Splits @line in place into at most @max words as a shell would, without
 * expansions: quotes '...' and "...", a backslash escape, a comment from a
 * word starting with '#'. Returns the count, or -1 with @why set.
 */
int split_words(char *line, char **words, int max, const char **why);

/* main.c: an object's command line, argv[0] being the object. */
int run_object(int argc, char **argv);

/* batch.c: sslvctl -f FILE|- */
int run_file(const char *file);

/* save.c: sslvctl save */
int do_save(int argc, char **argv);
/*
 * Each prints its part of `save` from one reply; MNL_CB_OK or _ERROR, with
 * errno ECANCELED when it has told why.
 */
int mode_save(const struct nlmsghdr *nlh, void *data);
int config_save(const struct nlmsghdr *nlh, void *data);
int rule_save(const struct nlmsghdr *nlh, void *data);
/* @word as one word that split_words() and a shell read back as it is. */
void print_word(FILE *f, const char *word);
/* The bytes of a word print_word() writes without quotes. */
#define PLAIN_WORD "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		   "0123456789._-/:,=@%+"


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
int do_ips(int argc, char **argv);
int ips_save(const struct nlmsghdr *nlh, void *data);
/*
 * The fields of an SSLV_A_IPS nest (NULL: no IPS, "state unset") into the
 * open object; false if it is malformed.
 */
bool print_ips(const struct nlattr *nest);
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
int do_domains(int argc, char **argv);
/* Dumps the names of the domain set @set, each message to @cb. */
int domains_names(const char *set, mnl_cb_t cb, void *data);

/* tls_words.c: how TLS values are written on the command line and shown */

/*
 * Checks a server name or a "*.suffix" pattern as the module does
 * (kmod/lib/domain.c): 1..253 bytes, dot-separated labels of 1..63 bytes of
 * [A-Za-z0-9_-]. One trailing dot (a fully qualified name) is allowed and
 * dropped from @s. Returns NULL, or why the name is invalid.
 */
const char *domain_check(char *s);
/* 1..SSLV_DOMSET_NAME_MAX bytes of [A-Za-z0-9_.-] */
bool domset_name_ok(const char *s);
/* 1..32 bytes of printable ASCII other than space */
bool alpn_ok(const char *s);

/* "ssl3", "1.0" ... "1.3": the wire value, or 0. */
uint16_t tls_version_parse(const char *s);
/* "ssl2", "ssl3", "1.0" ... "1.3", else "0x" and 4 hex digits, in @buf. */
const char *tls_version_name(uint16_t v, char buf[8]);
/* tls_ciphers.c: the IANA name of cipher suite @id, or NULL. */
const char *tls_cipher_name(uint16_t id);
/* "client-cert,ech" or "any" into SSLV_UD_* bits; false (reported) if bad. */
bool ud_classes_parse(const char *s, uint32_t *bits);
/*
 * "client-cert,ech" in @buf, as ud_classes_parse() reads it; false when
 * @bits is 0, has a bit without a name, or does not fit.
 */
bool ud_classes_format(uint32_t bits, char *buf, size_t size);
/* Text "label client-cert,ech", JSON "key": ["client-cert","ech"]. */
void print_ud_classes(const char *key, const char *label, uint32_t bits);

/* rule.c, for rule_file.c */

#define RULE_HAS_SPORT	(1U << 0)
#define RULE_HAS_DPORT	(1U << 1)
#define RULE_HAS_VLAN	(1U << 2)
#define RULE_HAS_IIF	(1U << 3)
#define RULE_HAS_TLS_VER (1U << 4)
#define RULE_HAS_NONTLS	(1U << 5)

struct rule {
	struct prefix src;
	struct prefix dst;
	uint16_t sport[2];
	uint16_t dport[2];
	uint16_t vlan;
	uint8_t has;		/* RULE_HAS_* */
	uint8_t action;
	uint32_t iif;
	/* TLS keywords (rule_tls.c); the strings point into argv */
	const char *sni;
	const char *domset;
	const char *alpn;
	uint16_t tls_ver[2];
	uint32_t undecryptable;	/* SSLV_UD_* */
	const char *comment;	/* points into argv too */
};

/*
 * Worst case size of one rule's SSLV_A_RULE nest: 124 bytes of addresses,
 * ports, vlan, iif and action, 260 of SNI, 36 of sni-list, 40 of ALPN, 16
 * of versions, 8 of classes and 136 of comment.
 */
#define RULE_NEST_MAX 640

/*
 * Why @s cannot be a rule's comment (1..SSLV_RULE_COMMENT_MAX bytes, no
 * control character, so that it stays on its line in list and save), or
 * NULL. @len is its length.
 */
const char *comment_check(const char *s, size_t len);

bool parse_rule(int argc, char **argv, struct rule *r);
void put_rule(struct nlmsghdr *nlh, const struct rule *r);
int rule_replace(const char *file);

/* rule_tls.c, for rule.c */

/*
 * Parses the TLS keyword at argv[*i], if it is one, moving *i past its
 * value: 1 parsed, 0 not a TLS keyword, -1 invalid (reported). @seen
 * starts zeroed and is shared by the calls for one rule.
 */
struct rule_tls_seen {
	bool sni, domset, alpn, tls_ver, nontls, ud;
	const char *first;	/* the first TLS keyword other than nontls */
};
int parse_rule_tls(int argc, char **argv, int *i, struct rule *r,
		   struct rule_tls_seen *seen);
void put_rule_tls(struct nlmsghdr *nlh, const struct rule *r);
void print_rule_tls(const struct nlattr **tb);

/* flow.c, for monitor.c, rst.c and session.c */

enum flow_view {
	FLOW_FULL,	/* every field, as flow list shows them */
	FLOW_BRIEF,	/* "flow ID tcp SRC -> DST [vlan N]", "no-flow" for id 0 */
	FLOW_ENDS,	/* "flow ID SRC > DST [vlan N]" */
};

/*
 * Prints an SSLV_A_FLOW nest as an object (member @key); false if malformed.
 * @view says what the text shows; JSON has every field either way.
 */
bool print_flow(const struct nlattr *nest, const char *key,
		enum flow_view view);

/* monitor.c, for rst.c and session.c */

/*
 * Starts an event's record: with monitor -t, text "[SECONDS.USEC]" first;
 * then the event's name; JSON "event" and "timestamp" (RFC 3339, the time
 * sslvctl received the event).
 */
void print_event(const char *name);

/* A flow's ends, as text, for eve.c. */
struct flow_ends {
	uint32_t id;		/* 0: an RST of no flow */
	uint8_t family;
	uint16_t sport, dport, vlan;
	char src[46], dst[46];	/* INET6_ADDRSTRLEN */
};
/* Reads an SSLV_A_FLOW nest into @e; false if malformed or without ends. */
bool flow_ends(const struct nlattr *nest, struct flow_ends *e);

/* eve.c: monitor -w FILE, Suricata eve.json lines */

struct eve {
	const char *path;
	FILE *f;
};

/* Opens (appends to) e->path: EXIT_OK, or EXIT_USAGE having said why. */
int eve_open(struct eve *e);
/* Closes e->path and opens it afresh (SIGHUP, after logrotate moved it). */
int eve_reopen(struct eve *e);
/*
 * Writes one eve line for an event of type @type (SSLV_EV_*) with
 * top-level attributes @tb, read at @ts, whose monitor JSON record is the
 * @len bytes at @record. EXIT_OK, or EXIT_KERNEL having said why not.
 */
int eve_write(struct eve *e, const struct nlattr **tb, uint8_t type,
	      const struct timespec *ts, const char *record, size_t len);
/* The eve line for "lost N". */
int eve_lost(struct eve *e, const struct timespec *ts, uint32_t n);

/* session.c, for monitor.c */

/*
 * Prints an SSLV_EV_SESSION event from its top-level attributes; false,
 * having printed nothing, when its flow or session nest is missing or the
 * session nest is malformed.
 */
bool print_session_event(const struct nlattr **tb);

/* rst.c, for monitor.c */

/*
 * Prints an SSLV_EV_RST event from its SSLV_A_FLOW and SSLV_A_RST nests;
 * false, having printed nothing, when a nest is missing or the RST nest is
 * malformed.
 */
bool print_rst_event(const struct nlattr *flow, const struct nlattr *rst);

#endif /* SSLVCTL_H */
