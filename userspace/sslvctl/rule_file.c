// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl rule replace FILE: a whole ruleset from a file, swapped in at once.
 *
 * The file is parsed completely before anything is sent, so an error in it
 * leaves the kernel untouched. Then the staging ruleset is cleared, the rules
 * go in as staged adds packed into messages of at most BATCH_SIZE bytes, and
 * SSLV_CMD_RULE_COMMIT replaces the live ruleset with them. The staging
 * ruleset is this socket's own: a concurrent load never mixes with it. A
 * file with no rule empties the ruleset with SSLV_CMD_RULE_FLUSH (the
 * kernel refuses to commit nothing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sslvctl.h"

#define BATCH_SIZE	32768
#define BATCH_RULES	(BATCH_SIZE / 16)	/* a rule nest is >= 16 bytes */
#define MAX_WORDS	64

struct ruleset {
	struct rule *rules;
	unsigned long *lines;	/* line of each rule in the file */
	size_t n;
	size_t cap;
};

static bool grow(struct ruleset *rs)
{
	size_t cap = rs->cap ? rs->cap * 2 : 1024;
	struct rule *rules = realloc(rs->rules, cap * sizeof(*rules));
	unsigned long *lines;

	if (!rules)
		return false;
	rs->rules = rules;
	lines = realloc(rs->lines, cap * sizeof(*lines));
	if (!lines)
		return false;
	rs->lines = lines;
	rs->cap = cap;
	return true;
}

/*
 * A rule's strings point into the line being read: give it copies of its
 * own, which free_rules() releases.
 */
static bool keep_strings(struct rule *r)
{
	const char **s[] = { &r->sni, &r->domset, &r->alpn, &r->comment };
	unsigned int i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (*s[i] && !(*s[i] = strdup(*s[i])))
			return false;
	return true;
}

static void free_rules(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free((char *)rs->rules[i].sni);
		free((char *)rs->rules[i].domset);
		free((char *)rs->rules[i].alpn);
		free((char *)rs->rules[i].comment);
	}
	free(rs->rules);
	free(rs->lines);
}

/*
 * Splits @line into words as a file of commands (-f) is split, quotes
 * and a '#' comment included: the count, or -1 (reported).
 */
static int split(char *line, char **words)
{
	const char *why = NULL;
	int n = split_words(line, words, MAX_WORDS, &why);

	if (n < 0)
		errorf("%s", why);
	return n;
}

/* One rule from one line of the file, if it holds one. */
static bool read_rule(char *line, unsigned long lineno, void *arg)
{
	struct ruleset *rs = arg;
	char *words[MAX_WORDS];
	int n = split(line, words);

	if (n == 0)
		return true;
	if (n > 0 && rs->n == rs->cap && !grow(rs)) {
		errorf("out of memory");
		return false;
	}
	if (n < 0 || !parse_rule(n, words, &rs->rules[rs->n]))
		return false;
	if (!keep_strings(&rs->rules[rs->n])) {
		errorf("out of memory");
		return false;
	}
	rs->lines[rs->n++] = lineno;
	return true;
}

/* Clears the staging ruleset (SSLV_A_STAGE with RULE_FLUSH). */
static int flush_staged(struct genl *g)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(g, buf, SSLV_CMD_RULE_FLUSH, 0);

	mnl_attr_put(nlh, SSLV_A_STAGE, 0, "");
	return genl_request(g, nlh, NULL, NULL);
}

/*
 * Tells which rules the kernel refused: the one its extended ack points
 * into (@offs are the offsets of the batch's rule nests), else the batch.
 */
static void blame(const struct genl *g, int err, const char *name,
		  const struct ruleset *rs, size_t first, size_t end,
		  const uint32_t *offs)
{
	size_t i = first;

	while (g->ext_off && i + 1 < end && offs[i + 1 - first] <= g->ext_off)
		i++;
	if (g->ext_off >= offs[0]) {
		parse_location(name, rs->lines[i]);
	} else {
		errorf("%s: lines %lu-%lu refused", name, rs->lines[first],
		       rs->lines[end - 1]);
	}
	sslv_report(g, err);
	parse_location(NULL, 0);
}

static int send_staged(struct genl *g, const char *name,
		       const struct ruleset *rs)
{
	uint32_t offs[BATCH_RULES];
	struct nlmsghdr *nlh;
	size_t i = 0, first, k;
	char *buf;
	int err = 0;

	buf = malloc(BATCH_SIZE);
	if (!buf)
		return -ENOMEM;
	while (i < rs->n) {
		nlh = genl_msg(g, buf, SSLV_CMD_RULE_ADD, 0);
		mnl_attr_put(nlh, SSLV_A_STAGE, 0, "");
		for (first = i, k = 0; i < rs->n && k < BATCH_RULES &&
		     nlh->nlmsg_len + RULE_NEST_MAX <= BATCH_SIZE; k++) {
			offs[k] = nlh->nlmsg_len;
			put_rule(nlh, &rs->rules[i++]);
		}
		err = genl_request(g, nlh, NULL, NULL);
		if (err) {
			blame(g, err, name, rs, first, i, offs);
			break;
		}
	}
	free(buf);
	return err;
}

static int load(const char *name, const struct ruleset *rs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genl g;
	int ret, err;

	ret = sslv_open(&g);
	if (ret)
		return ret;
	if (!rs->n) {
		/* No rule: the ruleset is emptied, said as such. */
		ret = sslv_request(&g, genl_msg(&g, buf, SSLV_CMD_RULE_FLUSH, 0),
				   NULL, NULL);
		genl_close(&g);
		return ret;
	}
	err = flush_staged(&g);
	if (err) {
		sslv_report(&g, err);
	} else {
		err = send_staged(&g, name, rs);
		if (err)
			flush_staged(&g);
	}
	if (!err)
		ret = sslv_request(&g, genl_msg(&g, buf, SSLV_CMD_RULE_COMMIT, 0),
				   NULL, NULL);
	genl_close(&g);
	return err ? EXIT_KERNEL : ret;
}

int rule_replace(const char *file)
{
	bool from_stdin = !strcmp(file, "-");
	const char *name = from_stdin ? "<stdin>" : file;
	struct ruleset rs = { 0 };
	FILE *f;
	bool ok;
	int ret;

	if (from_stdin && opts.batch) {
		errorf("a file of commands cannot read stdin (\"-\")");
		return EXIT_USAGE;
	}
	f = from_stdin ? stdin : fopen(file, "r");
	if (!f) {
		errorf("cannot open \"%s\": %s", file, strerror(errno));
		return EXIT_USAGE;
	}
	ok = read_lines(f, name, read_rule, &rs);
	if (!from_stdin)
		fclose(f);
	ret = ok ? load(name, &rs) : EXIT_USAGE;
	free_rules(&rs);
	return ret;
}
