// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl save: the namespace's mode, configuration and rules as the
 * sslvctl commands that make them again, for `sslvctl -f FILE`:
 *
 *	mode set MODE [dev IFNAME]
 *	config set KEY VALUE ...	every settable key
 *	ips set out DEV in DEV ...	when an IPS is set
 *	rule flush
 *	domains set NAME \		one a domain set, one name a line
 *		NAME ...
 *	rule add ... action ACTION	one a rule, in evaluation order
 *
 * The rules are flushed first so that a set they use can be replaced, and
 * the sets come before the rules that name them. A set's names are as the
 * module keeps them: lowercased, each once, in the order first given.
 * Words that need it are single-quoted (`sni '*.example.com'`).
 *
 * Everything is read first, over one socket, into memory, and printed only
 * when all of it was: a failure prints nothing on stdout. The output is
 * text whatever -j says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sslvctl.h"

void print_word(FILE *f, const char *word)
{
	const char *p;

	if (*word && !word[strspn(word, PLAIN_WORD)]) {
		fputs(word, f);
		return;
	}
	fputc('\'', f);
	for (p = word; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputc('\'', f);
}

/* sslv_request(), but a reply its callback refused has been told. */
static int save_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
			void *data)
{
	int err = genl_request(g, nlh, cb, data);

	if (!err)
		return EXIT_OK;
	if (err != -ECANCELED)
		sslv_report(g, err);
	return EXIT_KERNEL;
}

struct domsets {
	char names[SSLV_DOMSET_MAX][SSLV_DOMSET_NAME_MAX + 1];
	unsigned int n;
	FILE *f;
};

/* The list of sets: their names, for domain_names() to dump each. */
static int domains_save(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_DOMSET_NAME] = MNL_TYPE_NUL_STRING,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	struct domsets *ds = data;
	const char *name;

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 ||
	    !tb[SSLV_A_DOMSET_NAME])
		return MNL_CB_ERROR;
	name = mnl_attr_get_str(tb[SSLV_A_DOMSET_NAME]);
	if (ds->n == SSLV_DOMSET_MAX || strlen(name) > SSLV_DOMSET_NAME_MAX)
		return MNL_CB_ERROR;
	strcpy(ds->names[ds->n++], name);
	return MNL_CB_OK;
}

/* " \\", a new line and a tab, and the name: one a line. */
static int domain_names(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	FILE *f = data;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != SSLV_A_DOMAIN)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		fputs(" \\\n\t", f);
		print_word(f, mnl_attr_get_str(attr));
	}
	return MNL_CB_OK;
}

static int save_domains(struct genl *g, FILE *f)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct domsets ds = { .f = f };
	struct nlmsghdr *nlh;
	unsigned int i;
	int ret;

	ret = sslv_request(g, genl_msg(g, buf, SSLV_CMD_DOMSET_GET, NLM_F_DUMP),
			   domains_save, &ds);
	for (i = 0; !ret && i < ds.n; i++) {
		fputs("domains set ", f);
		print_word(f, ds.names[i]);
		nlh = genl_msg(g, buf, SSLV_CMD_DOMSET_GET, NLM_F_DUMP);
		mnl_attr_put_strz(nlh, SSLV_A_DOMSET_NAME, ds.names[i]);
		ret = sslv_request(g, nlh, domain_names, f);
		fputc('\n', f);
	}
	return ret;
}

int do_save(int argc, char **argv)
{
	static const struct {
		uint8_t cmd;
		uint16_t flags;
		mnl_cb_t cb;
	} steps[] = {
		{ SSLV_CMD_MODE_GET, 0, mode_save },
		{ SSLV_CMD_CONFIG_GET, 0, config_save },
		{ SSLV_CMD_IPS_GET, 0, ips_save },
		{ SSLV_CMD_DOMSET_GET, 0, NULL },	/* save_domains() */
		{ SSLV_CMD_RULE_GET, NLM_F_DUMP, rule_save },
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char *text = NULL;
	size_t len = 0;
	unsigned int i;
	struct genl g;
	FILE *f;
	int ret;

	if (argc > 0)
		return arg_error("unexpected argument", argv[0]);
	ret = sslv_open(&g);
	if (ret)
		return ret;
	f = open_memstream(&text, &len);
	if (!f) {
		errorf("out of memory");
		genl_close(&g);
		return EXIT_KERNEL;
	}
	fputs("# sslv: written by sslvctl save, applied by sslvctl -f FILE\n", f);
	for (i = 0; !ret && i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].cmd == SSLV_CMD_DOMSET_GET) {
			fputs("rule flush\n", f);
			ret = save_domains(&g, f);
			continue;
		}
		ret = save_request(&g, genl_msg(&g, buf, steps[i].cmd,
						steps[i].flags),
				   steps[i].cb, f);
	}
	genl_close(&g);
	if (fclose(f)) {
		errorf("out of memory");
		ret = EXIT_KERNEL;
	}
	if (!ret)
		fwrite(text, 1, len, stdout);
	free(text);
	return ret;
}
