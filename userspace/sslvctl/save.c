// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl save: the namespace's mode, configuration and rules as the
 * sslvctl commands that make them again, for `sslvctl -f FILE`:
 *
 *	mode set MODE [dev IFNAME]
 *	config set KEY VALUE ...	every settable key
 *	rule flush
 *	# domains NAME: N names, not saved ...	one comment a domain set
 *	rule add ... action ACTION	one a rule, in evaluation order
 *
 * The module reports a domain set's name and size but not its names, so a
 * set cannot be saved: each is a comment, and a warning on stderr. Words
 * that need it are single-quoted (`sni '*.example.com'`).
 *
 * Everything is read first, over one socket, into memory, and printed only
 * when all of it was: a failure prints nothing on stdout. The output is
 * text whatever -j says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sslvctl.h"

void print_word(FILE *f, const char *word)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._-/:,=@%+";
	const char *p;

	if (*word && !word[strspn(word, plain)]) {
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

static int domains_save(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t types[SSLV_A_MAX + 1] = {
		[SSLV_A_DOMSET_NAME] = MNL_TYPE_NUL_STRING,
		[SSLV_A_DOMSET_SIZE] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[SSLV_A_MAX + 1];
	const char *name;
	uint32_t size;
	FILE *f = data;

	if (genl_parse(nlh, tb, SSLV_A_MAX, types) < 0 ||
	    !tb[SSLV_A_DOMSET_NAME] || !tb[SSLV_A_DOMSET_SIZE])
		return MNL_CB_ERROR;
	name = mnl_attr_get_str(tb[SSLV_A_DOMSET_NAME]);
	size = mnl_attr_get_u32(tb[SSLV_A_DOMSET_SIZE]);
	fprintf(f, "# domains %s: %u names, not saved (load them with: domains load %s FILE)\n",
		name, size, name);
	fprintf(stderr, "Warning: domain set \"%s\" (%u names) not saved: the module does not report its names\n",
		name, size);
	return MNL_CB_OK;
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
		{ SSLV_CMD_DOMSET_GET, NLM_F_DUMP, domains_save },
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
		if (steps[i].cmd == SSLV_CMD_DOMSET_GET)
			fputs("rule flush\n", f);
		ret = sslv_request(&g, genl_msg(&g, buf, steps[i].cmd,
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
