// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl: configure and watch the sslv module over generic netlink.
 * Global options, then an object, then the object's own grammar.
 */
#include <stdio.h>
#include <string.h>

#include "sslvctl.h"
#include "print.h"

struct options opts;

static const char usage_text[] =
"Usage: sslvctl [OPTIONS] OBJECT COMMAND\n"
"\n"
"  sslvctl mode [set active-inline|passive-inline|passive-tap [dev IFNAME]]\n"
"  sslvctl config [set [max-flows N] [timeout-handshake S]\n"
"                      [timeout-established S] [timeout-closing S]\n"
"                      [timeout-closed S] [timeout-rejected S] [rst-idle MS]\n"
"                      [rst-rate N] [client-cert reject|cut|drop]]\n"
"  sslvctl rule add [src PREFIX] [dst PREFIX] [sport P[-P]] [dport P[-P]]\n"
"                   [vlan ID] [iif IFNAME] [TLS...] action reject|cut|drop\n"
"  sslvctl rule list | rule del ID | rule flush\n"
"  sslvctl rule replace FILE|-\n"
"  sslvctl domains [list] | domains load NAME FILE|- | domains del NAME\n"
"  sslvctl flow list [family inet|inet6] [src PREFIX] [dst PREFIX]\n"
"                    [sport P[-P]] [dport P[-P]] [vlan ID] [state STATE]\n"
"  sslvctl flow reject ID\n"
"  sslvctl stats [reset]\n"
"  sslvctl rst\n"
"  sslvctl monitor [rcvbuf BYTES]\n"
"  sslvctl help\n"
"\n"
"OPTIONS: -j (JSON), -n (numeric: interface indexes, not names),\n"
"         -d (details: flow and RST sequence numbers), -h (help),\n"
"         -V (version)\n"
"STATE:   syn-sent syn-recv established closing closed rejected dropped\n"
"TLS:     sni NAME|*.SUFFIX  sni-list NAME  alpn PROTO  tls-version V[-V]\n"
"         undecryptable CLASS[,CLASS...]  nontls (alone)\n"
"         V: ssl3 1.0 1.1 1.2 1.3; CLASS: client-cert legacy-ssl\n"
"         compression no-cipher ech, or any\n";

static int usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

static int do_help(int argc, char **argv)
{
	return usage(stdout, EXIT_OK);
}

static const struct object {
	const char *name;
	int (*run)(int argc, char **argv);
} objects[] = {
	{ "mode", do_mode },
	{ "config", do_config },
	{ "rule", do_rule },
	{ "domains", do_domains },
	{ "flow", do_flow },
	{ "stats", do_stats },
	{ "rst", do_rst },
	{ "monitor", do_monitor },
	{ "help", do_help },
};

/* Global options: the number of arguments they took, or -1 to exit. */
static int parse_options(int argc, char **argv, int *status)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-j") || !strcmp(o, "-json") ||
		    !strcmp(o, "--json")) {
			opts.json = true;
		} else if (!strcmp(o, "-n") || !strcmp(o, "--numeric")) {
			opts.numeric = true;
		} else if (!strcmp(o, "-d") || !strcmp(o, "--details")) {
			opts.details = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			*status = usage(stdout, EXIT_OK);
			return -1;
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			printf("sslvctl %s (generic netlink family \"%s\" version %d)\n",
			       SSLVCTL_VERSION, SSLV_GENL_NAME, SSLV_GENL_VERSION);
			*status = EXIT_OK;
			return -1;
		} else {
			*status = arg_error("unknown option", o);
			return -1;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	unsigned int i;
	int status, first;

	first = parse_options(argc, argv, &status);
	if (first < 0)
		return status;
	if (first == argc)
		return usage(stderr, EXIT_USAGE);
	print_setup(opts.json, opts.numeric);
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(argv[first], objects[i].name))
			return objects[i].run(argc - first - 1, argv + first + 1);
	return arg_error("unknown object", argv[first]);
}
