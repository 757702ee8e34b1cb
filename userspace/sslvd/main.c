// SPDX-License-Identifier: GPL-2.0
/*
 * sslvd: the decrypting daemon of sslv. Options are checked here, before
 * anything is opened; everything else is in daemon.c.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/sslv.h>

#include "daemon.h"
#include "log.h"

static const char usage_text[] =
	"Usage: sslvd --ca-cert FILE --ca-key FILE\n"
	"             [--untrusted-ca-cert FILE --untrusted-ca-key FILE]\n"
	"             [--trust-store FILE] [--port N] [--max-sessions N]\n"
	"             [--idle-timeout SECONDS] [--quiet-timeout SECONDS]\n"
	"             [--cache-size N] [--mark N] [--table N]\n"
	"             [--ips-meta PATH] [-f]\n"
	"             [--no-module [--ips-out NAME --ips-in NAME [--ips-timeout MS]\n"
	"              [--ips-copy NAME]]]\n"
	"       sslvd --help | --version\n";

static int usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

static int bad(const char *fmt, const char *a, const char *b)
{
	fputs("sslvd: ", stderr);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return SSLVD_EX_USAGE;
}

/* A whole number in [@min, @max] (decimal, or 0x hex). */
static int number(const char *opt, const char *s, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (!*s || *end || errno || *s == '-' || *out < min || *out > max) {
		char range[64];

		snprintf(range, sizeof(range), "%lu..%lu", min, max);
		fprintf(stderr, "sslvd: --%s %s: not a number in %s\n", opt, s, range);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca-cert", required_argument, NULL, 'C' },
		{ "ca-key", required_argument, NULL, 'K' },
		{ "untrusted-ca-cert", required_argument, NULL, 'U' },
		{ "untrusted-ca-key", required_argument, NULL, 'V' },
		{ "trust-store", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "max-sessions", required_argument, NULL, 'm' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "quiet-timeout", required_argument, NULL, 'q' },
		{ "cache-size", required_argument, NULL, 'c' },
		{ "mark", required_argument, NULL, 'M' },
		{ "table", required_argument, NULL, 'T' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "no-module", no_argument, NULL, 'N' },
		{ "ips-out", required_argument, NULL, 'O' },
		{ "ips-in", required_argument, NULL, 'I' },
		{ "ips-timeout", required_argument, NULL, 'W' },
		{ "ips-meta", required_argument, NULL, 'J' },
		{ "ips-copy", required_argument, NULL, 'Y' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct sslvd_conf c = {
		.port = SSLVD_PORT_DEFAULT,
		.max_sessions = SSLVD_MAX_SESSIONS_DEFAULT,
		.idle_s = SSLVD_IDLE_DEFAULT,
		.quiet_s = SSLVD_QUIET_DEFAULT,
		.cache_size = SSLVD_CACHE_DEFAULT,
		.mark = SSLVD_MARK_DEFAULT,
		.table = SSLVD_TABLE_DEFAULT,
	};
	unsigned long v;
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":fhv", opts, NULL)) != -1) {
		switch (o) {
		case 'C': c.ca_cert = optarg; break;
		case 'K': c.ca_key = optarg; break;
		case 'U': c.un_cert = optarg; break;
		case 'V': c.un_key = optarg; break;
		case 't': c.trust_store = optarg; break;
		case 'f': c.foreground = true; break;
		case 'N': c.no_module = true; break;
		case 'O': c.ips_out = optarg; break;
		case 'I': c.ips_in = optarg; break;
		case 'J': c.ips_meta = optarg; break;
		case 'Y': c.ips_copy = optarg; break;
		case 'W':
			if (number("ips-timeout", optarg, 100, 60000, &v))
				return SSLVD_EX_USAGE;
			c.ips_timeout_ms = (unsigned int)v;
			break;
		case 'h': return usage(stdout, SSLVD_OK);
		case 'v':
			printf("sslvd %s\n", SSLV_VERSION);
			return SSLVD_OK;
		case 'p':
			if (number("port", optarg, 1, 65535, &v))
				return SSLVD_EX_USAGE;
			c.port = (uint16_t)v;
			break;
		case 'm':
			if (number("max-sessions", optarg, 1, 1000000, &v))
				return SSLVD_EX_USAGE;
			c.max_sessions = (unsigned int)v;
			break;
		case 'i':
			if (number("idle-timeout", optarg, 1, 86400, &v))
				return SSLVD_EX_USAGE;
			c.idle_s = (unsigned int)v;
			break;
		case 'q':
			if (number("quiet-timeout", optarg, 1, 604800, &v))
				return SSLVD_EX_USAGE;
			c.quiet_s = (unsigned int)v;
			break;
		case 'c':
			if (number("cache-size", optarg, 1, 1000000, &v))
				return SSLVD_EX_USAGE;
			c.cache_size = (unsigned int)v;
			break;
		case 'M':
			/* sslvd's own sockets carry the next one */
			if (number("mark", optarg, 1, 0xfffffffeUL, &v))
				return SSLVD_EX_USAGE;
			c.mark = (uint32_t)v;
			break;
		case 'T':
			/*
			 * 253..255 are default, main, local; sslvd's own
			 * sockets use the next table
			 */
			if (number("table", optarg, 1, 0xfffffffeUL, &v))
				return SSLVD_EX_USAGE;
			if (v >= 253 && v <= 255)
				return bad("--table %s: %s is a system table", optarg,
					   v == 253 ? "default" : v == 254 ? "main" : "local");
			if (v == 252)
				return bad("--table %s: %s", optarg, "the next one, sslvd's "
					   "own sockets' table, is a system table (default)");
			c.table = (uint32_t)v;
			break;
		case ':':
			return bad("%s needs an argument%s", argv[optind - 1], "");
		default:
			if (optopt) {
				char o2[2] = { (char)optopt, 0 };

				return bad("unknown option -%s%s", o2, "");
			}
			return bad("unknown option %s%s", argv[optind - 1], "");
		}
	}
	if (optind < argc)
		return bad("unexpected argument %s%s", argv[optind], "");
	if (!c.ca_cert || !c.ca_key)
		return bad("--ca-cert and --ca-key are required%s%s", "", "");
	if (!c.un_cert != !c.un_key)
		return bad("--untrusted-ca-cert and --untrusted-ca-key go together%s%s", "", "");
	if (!c.ips_out != !c.ips_in)
		return bad("--ips-out and --ips-in go together%s%s", "", "");
	if (c.ips_copy && (!c.ips_out || !c.ips_copy[0] || strlen(c.ips_copy) >= IFNAMSIZ ||
			   !strcmp(c.ips_copy, c.ips_out) || !strcmp(c.ips_copy, c.ips_in)))
		return bad("--ips-copy %s: an interface name of 1..15 bytes, with --ips-out "
			   "and --ips-in, different from both%s", c.ips_copy, "");
	/* testing: passive-inline with a copy port, as the module's mode would say */
	c.ips_mode = c.ips_copy ? SSLV_MODE_PASSIVE_INLINE : SSLV_MODE_ACTIVE_INLINE;
	if (c.ips_out && !c.no_module)
		return bad("--ips-out and --ips-in are for --no-module: with the module, "
			   "`sslvctl ips set` names the IPS%s%s", "", "");
	if (c.ips_out && (!c.ips_out[0] || strlen(c.ips_out) >= IFNAMSIZ ||
			  !c.ips_in[0] || strlen(c.ips_in) >= IFNAMSIZ ||
			  !strcmp(c.ips_out, c.ips_in)))
		return bad("--ips-out %s --ips-in %s: two different interface names "
			   "of 1..15 bytes", c.ips_out, c.ips_in);
	return sslvd_main(&c);
}
