// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl domains [list] | domains show NAME | domains load NAME FILE|- |
 * domains set NAME [DOMAIN...] | domains del NAME: the named sets of
 * server names that rules match with `sni-list NAME`.
 *
 * A file has one name or "*.suffix" per line; '#' starts a comment, blank
 * lines are skipped. Like a rule file it is read and checked whole before
 * anything is sent. Then the names go to the namespace's staging set in
 * SSLV_CMD_DOMSET_ADD messages of at most BATCH_SIZE bytes, and
 * SSLV_CMD_DOMSET_COMMIT makes them the live set NAME at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

#define BATCH_SIZE	32768
#define BATCH_NAMES	(BATCH_SIZE / 8)	/* an SSLV_A_DOMAIN is >= 8 bytes */

/* The names of a file, NUL-terminated one after the other in @text. */
struct names {
	char *text;
	size_t len, cap;
	size_t *offs;		/* where each name starts in text */
	unsigned long *lines;	/* the line of each in the file */
	size_t n, ncap;
};

static bool add_name(struct names *ns, const char *name, unsigned long line)
{
	size_t size = strlen(name) + 1;
	size_t cap;
	void *p;

	if (ns->len + size > ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 1 << 20;
		p = realloc(ns->text, cap);
		if (!p)
			return false;
		ns->text = p;
		ns->cap = cap;
	}
	if (ns->n == ns->ncap) {
		cap = ns->ncap ? ns->ncap * 2 : 1 << 16;
		p = realloc(ns->offs, cap * sizeof(*ns->offs));
		if (!p)
			return false;
		ns->offs = p;
		p = realloc(ns->lines, cap * sizeof(*ns->lines));
		if (!p)
			return false;
		ns->lines = p;
		ns->ncap = cap;
	}
	memcpy(ns->text + ns->len, name, size);
	ns->offs[ns->n] = ns->len;
	ns->lines[ns->n++] = line;
	ns->len += size;
	return true;
}

/* @line without its comment and surrounding white space, in place. */
static char *trim(char *line)
{
	static const char space[] = " \t\r\n\v\f";
	char *end;

	line[strcspn(line, "#")] = '\0';
	line += strspn(line, space);
	end = line + strlen(line);
	while (end > line && strchr(space, end[-1]))
		*--end = '\0';
	return line;
}

/* One name from one line of the file; false (reported) if it is bad. */
static bool read_line(char *line, unsigned long lineno, void *arg)
{
	struct names *ns = arg;
	char *name = trim(line);
	const char *why;

	if (!*name)
		return true;
	why = domain_check(name);
	if (why) {
		errorf("invalid domain \"%s\": %s", name, why);
		return false;
	}
	if (ns->n == SSLV_DOMSET_NAMES_MAX) {
		errorf("more than %u names", SSLV_DOMSET_NAMES_MAX);
		return false;
	}
	if (!add_name(ns, name, lineno)) {
		errorf("out of memory");
		return false;
	}
	return true;
}

/*
 * Tells which name the kernel refused: the one its extended ack points at
 * (@offs are the offsets of the message's SSLV_A_DOMAIN attributes), else
 * the lines of the message.
 */
static void blame(const struct genl *g, int err, const char *file,
		  const struct names *ns, size_t first, size_t end,
		  const uint32_t *offs)
{
	size_t i = first;

	while (i + 1 < end && offs[i + 1 - first] <= g->ext_off)
		i++;
	if (!file) {
		/* Names from the command line: the kernel's message says. */
		sslv_report(g, err);
		return;
	}
	if (end > first && g->ext_off >= offs[0])
		parse_location(file, ns->lines[i]);
	else if (end > first)
		errorf("%s: lines %lu-%lu refused", file, ns->lines[first],
		       ns->lines[end - 1]);
	sslv_report(g, err);
	parse_location(NULL, 0);
}

/*
 * DOMSET_ADD messages carrying every name; at least one, for an empty set.
 * The first carries SSLV_A_STAGE: whatever an interrupted load left in the
 * staging set is dropped.
 */
static int send_names(struct genl *g, const char *file, const char *set,
		      const struct names *ns)
{
	uint32_t offs[BATCH_NAMES];
	struct nlmsghdr *nlh;
	size_t i = 0, first, k;
	char *buf;
	int err;

	buf = malloc(BATCH_SIZE);
	if (!buf) {
		errorf("out of memory");
		return -ENOMEM;
	}
	do {
		nlh = genl_msg(g, buf, SSLV_CMD_DOMSET_ADD, 0);
		mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, set);
		if (!i)
			mnl_attr_put(nlh, SSLV_A_STAGE, 0, NULL);
		for (first = i, k = 0; i < ns->n; i++, k++) {
			offs[k] = nlh->nlmsg_len;
			if (!mnl_attr_put_strz_check(nlh, BATCH_SIZE,
						     SSLV_A_DOMAIN,
						     ns->text + ns->offs[i]))
				break;
		}
		err = genl_request(g, nlh, NULL, NULL);
		if (err)
			blame(g, err, file, ns, first, i, offs);
	} while (!err && i < ns->n);
	free(buf);
	return err;
}

static int load(const char *file, const char *set, const struct names *ns)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genl g;
	int ret;

	ret = sslv_open(&g);
	if (ret)
		return ret;
	if (send_names(&g, file, set, ns)) {
		ret = EXIT_KERNEL;
	} else {
		nlh = genl_msg(&g, buf, SSLV_CMD_DOMSET_COMMIT, 0);
		mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, set);
		ret = sslv_request(&g, nlh, NULL, NULL);
	}
	genl_close(&g);
	return ret;
}

/* "load NAME FILE" or "del NAME": the set's name, or NULL (reported). */
static const char *set_name(int argc, char **argv, int want)
{
	if (argc < 2) {
		errorf("missing set name after \"%s\"", argv[0]);
		return NULL;
	}
	if (!domset_name_ok(argv[1])) {
		bad_arg("invalid domain set name", argv[1]);
		return NULL;
	}
	if (argc < want) {
		errorf("missing file after \"%s\"", argv[1]);
		return NULL;
	}
	if (argc > want) {
		bad_arg("unexpected argument", argv[want]);
		return NULL;
	}
	return argv[1];
}

static int domains_load(int argc, char **argv)
{
	const char *set = set_name(argc, argv, 3);
	const char *path = argc > 2 ? argv[2] : NULL;
	bool from_stdin = path && !strcmp(path, "-");
	const char *file = from_stdin ? "<stdin>" : path;
	struct names ns = { 0 };
	FILE *f;
	int ret;

	if (!set)
		return EXIT_USAGE;
	if (from_stdin && opts.batch) {
		errorf("a file of commands cannot read stdin (\"-\")");
		return EXIT_USAGE;
	}
	f = from_stdin ? stdin : fopen(path, "r");
	if (!f) {
		errorf("cannot open \"%s\": %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	ret = read_lines(f, file, read_line, &ns) ? load(file, set, &ns) :
						     EXIT_USAGE;
	if (!from_stdin)
		fclose(f);
	free(ns.text);
	free(ns.offs);
	free(ns.lines);
	return ret;
}

/* domains set NAME [DOMAIN...]: the set is exactly these names. */
static int domains_set(int argc, char **argv)
{
	const char *set = set_name(argc > 2 ? 2 : argc, argv, 2);
	struct names ns = { 0 };
	const char *why;
	int ret = EXIT_OK, i;

	if (!set)
		return EXIT_USAGE;
	for (i = 2; i < argc; i++) {
		why = domain_check(argv[i]);
		if (why) {
			errorf("invalid domain \"%s\": %s", argv[i], why);
			ret = EXIT_USAGE;
			break;
		}
		if (ns.n == SSLV_DOMSET_NAMES_MAX) {
			errorf("more than %u names", SSLV_DOMSET_NAMES_MAX);
			ret = EXIT_USAGE;
			break;
		}
		if (!add_name(&ns, argv[i], (unsigned long)i - 1)) {
			errorf("out of memory");
			ret = EXIT_USAGE;
			break;
		}
	}
	if (ret == EXIT_OK)
		ret = load(NULL, set, &ns);
	free(ns.text);
	free(ns.offs);
	free(ns.lines);
	return ret;
}

static int names_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	const char *name;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_DOMAIN)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		name = mnl_attr_get_str(attr);
		if (opts.json)
			print_str(PR_JSON, NULL, NULL, name);
		else
			printf("%s\n", name);
	}
	return MNL_CB_OK;
}

int domains_names(const char *set, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genl g;
	int ret;

	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_DOMSET_GET, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, set);
	ret = sslv_request(&g, nlh, cb, data);
	genl_close(&g);
	return ret;
}

/* domains show NAME: its names, one a line, as `domains load` reads them. */
static int domains_show(int argc, char **argv)
{
	const char *set = set_name(argc, argv, 2);
	int ret;

	if (!set)
		return EXIT_USAGE;
	if (opts.check)
		return EXIT_CHECKED;
	open_array(NULL);
	ret = domains_names(set, names_reply, NULL);
	close_array();
	return ret;
}

static int domains_del(int argc, char **argv)
{
	const char *set = set_name(argc, argv, 2);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genl g;
	int ret;

	if (!set)
		return EXIT_USAGE;
	ret = sslv_open(&g);
	if (ret)
		return ret;
	nlh = genl_msg(&g, buf, SSLV_CMD_DOMSET_DEL, 0);
	mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, set);
	ret = sslv_request(&g, nlh, NULL, NULL);
	genl_close(&g);
	return ret;
}

static int set_reply(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_DOMSET_NAME] = MNL_TYPE_NUL_STRING,
		[SSLV_A_DOMSET_SIZE] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const char *name;

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 ||
	    !tb[SSLV_A_DOMSET_NAME])
		return MNL_CB_ERROR;
	name = mnl_attr_get_str(tb[SSLV_A_DOMSET_NAME]);
	open_object(NULL);
	print_bytes(PR_ANY, "name", "domains", name, strlen(name));
	if (tb[SSLV_A_DOMSET_SIZE])
		print_uint(PR_ANY, "size", "size",
			   mnl_attr_get_u32(tb[SSLV_A_DOMSET_SIZE]));
	close_object();
	return MNL_CB_OK;
}

static int domains_list(int argc, char **argv)
{
	int ret;

	if (argc > 1)
		return arg_error("unexpected argument", argv[1]);
	open_array(NULL);
	ret = sslv_simple(SSLV_CMD_DOMSET_GET, NLM_F_DUMP, set_reply, NULL);
	close_array();
	return ret;
}

int do_domains(int argc, char **argv)
{
	if (argc == 0)
		return domains_list(0, argv);
	if (!strcmp(argv[0], "show") && argc > 1)
		return domains_show(argc, argv);
	if (!strcmp(argv[0], "list") || !strcmp(argv[0], "show"))
		return domains_list(argc, argv);
	if (!strcmp(argv[0], "load"))
		return domains_load(argc, argv);
	if (!strcmp(argv[0], "set"))
		return domains_set(argc, argv);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return domains_del(argc, argv);
	return arg_error("unknown keyword", argv[0]);
}
