// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl: configure and watch the sslv module over generic netlink.
 * Global options, then an object, then the object's own grammar.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sslvctl.h"
#include "print.h"

struct options opts;

static const char usage_text[] =
"Usage: sslvctl [OPTIONS] OBJECT COMMAND\n"
"       sslvctl [OPTIONS] -f FILE|-\n"
"\n"
"  sslvctl mode [set active-inline|passive-inline|passive-tap [dev IFNAME]]\n"
"  sslvctl config [set [max-flows N] [timeout-handshake S]\n"
"                      [timeout-established S] [timeout-closing S]\n"
"                      [timeout-closed S] [timeout-rejected S] [rst-idle MS]\n"
"                      [rst-rate N] [client-cert reject|cut|drop]\n"
"                      [hs-mem BYTES] [hs-timeout S]\n"
"                      [decrypt-unavailable cut|reject]\n"
"                      [upstream-invalid reject|untrusted|cut]\n"
"                      [ips-fail open|closed]]\n"
"  sslvctl ips [show] | ips del\n"
"  sslvctl ips set out DEV in DEV [feedback-timeout MS] [copy DEV]\n"
"  sslvctl rule add [src PREFIX] [dst PREFIX] [sport P[-P]] [dport P[-P]]\n"
"                   [vlan ID] [iif IFNAME] [TLS...]\n"
"                   action reject|cut|drop|decrypt [comment TEXT]\n"
"  sslvctl rule insert [index N | before ID | after ID] MATCH... action A\n"
"                      [comment TEXT]\n"
"  sslvctl rule list | rule del ID | rule flush\n"
"  sslvctl rule replace FILE|-\n"
"  sslvctl domains [list] | domains show NAME | domains del NAME\n"
"  sslvctl domains load NAME FILE|- | domains set NAME [DOMAIN...]\n"
"  sslvctl flow list [family inet|inet6] [src PREFIX] [dst PREFIX]\n"
"                    [sport P[-P]] [dport P[-P]] [vlan ID] [state STATE]\n"
"  sslvctl flow reject ID\n"
"  sslvctl stats [-a] [-d INTERVAL [-c COUNT]] | stats reset\n"
"  sslvctl rst\n"
"  sslvctl monitor [-t] [-w FILE] [rcvbuf BYTES] [EVENT...]\n"
"  sslvctl save\n"
"  sslvctl OBJECT help | help [OBJECT]\n"
"\n"
"OPTIONS: -j (JSON), -N (numeric: interface indexes, not names),\n"
"         -d (details: flow and RST sequence numbers), -h (help),\n"
"         -V (version), -f FILE (run the commands of FILE, - for stdin),\n"
"         -n NETNS (run in the network namespace NETNS, as ip -n)\n"
"Words may be abbreviated: sslvctl ru li, sslvctl conf se cl cut.\n"
"STATE:   syn-sent syn-recv established closing closed rejected dropped\n"
"TLS:     sni NAME|*.SUFFIX  sni-list NAME  alpn PROTO  tls-version V[-V]\n"
"         undecryptable CLASS[,CLASS...]  nontls (alone)\n"
"         V: ssl3 1.0 1.1 1.2 1.3; CLASS: client-cert legacy-ssl\n"
"         compression no-cipher ech, or any\n";

/* What `sslvctl OBJECT help` prints. */
static const char mode_help[] =
"Usage: sslvctl mode [show]\n"
"       sslvctl mode set active-inline|passive-inline|passive-tap [dev IFNAME]\n"
"\n"
"  active-inline   the bridge path: sslv forwards frames and sends resets.\n"
"                  The default.\n"
"  passive-inline  the same today.\n"
"  passive-tap     reads copies from the mirror device IFNAME (not a bridge\n"
"                  port), makes the same decisions and counts them\n"
"                  (tap_would_*); never transmits a frame.\n"
"Changing the mode or the device flushes the flow table.\n";

static const char config_help[] =
"Usage: sslvctl config [show]\n"
"       sslvctl config set KEY VALUE [KEY VALUE...]\n"
"\n"
"  max-flows N              flows tracked at most\n"
"  timeout-handshake S      SYN seen, handshake not complete\n"
"  timeout-established S    established flow, idle\n"
"  timeout-closing S        a FIN seen\n"
"  timeout-closed S         an RST seen, or both FINs acked\n"
"  timeout-rejected S       lifetime of a rejected flow's tombstone\n"
"  rst-idle MS              silence before an RST that counts as idle; 0: never\n"
"  rst-rate N               RSTs sslv sends a second, at most\n"
"  client-cert reject|cut|drop\n"
"                           the action on a flow no rule decided whose server\n"
"                           asks for a client certificate (default reject)\n"
"  decrypt-unavailable cut|reject\n"
"                           a decrypt rule's flow while no sslvd is registered\n"
"                           (default cut)\n"
"  upstream-invalid reject|untrusted|cut\n"
"                           what sslvd does when the server's certificate does\n"
"                           not verify (default untrusted)\n"
"  ips-fail open|closed     a decrypt rule's flow while the attached IPS is\n"
"                           down, in active-inline mode: open cuts it\n"
"                           (relayed uninspected), closed rejects it\n"
"                           (default open)\n"
"flows-current, hs-bytes and decrypt-daemon (sslvd's netlink port, 0: none)\n"
"are shown, never set. Values other than\n"
"rst-idle must not be 0.\n";

static const char ips_help[] =
"Usage: sslvctl ips [show]\n"
"       sslvctl ips set out DEV in DEV [feedback-timeout MS] [copy DEV]\n"
"       sslvctl ips del\n"
"\n"
"The attached IPS: sslvd carries each decrypted flow's plaintext as a\n"
"generated TCP connection out of DEV out and back in at DEV in through the\n"
"IPS between them (active-inline), or writes a copy of it to DEV copy\n"
"(passive-inline). sslvd creates the interfaces; the names need not exist.\n"
"  feedback-timeout MS  bytes the IPS holds back longer end the flow\n"
"                       (ips-drop): 100 to 60000, default 1000\n"
"A reset from the IPS ends the flow too (ips-reset); both real ends are\n"
"reset. show prints the names and the state sslvd reports (up, down;\n"
"unset without an IPS). While it is down, config ips-fail decides.\n";

static const char rule_help[] =
"Usage: sslvctl rule add [MATCH...] action reject|cut|drop|decrypt\n"
"                        [comment TEXT]\n"
"       sslvctl rule insert [index N | before ID | after ID] [MATCH...]\n"
"                           action reject|cut|drop|decrypt [comment TEXT]\n"
"       sslvctl rule list | rule del ID | rule flush\n"
"       sslvctl rule replace FILE|-\n"
"\n"
"MATCH:  src PREFIX  dst PREFIX  sport P[-P]  dport P[-P]  vlan ID\n"
"        iif IFNAME\n"
"        sni NAME|*.SUFFIX  sni-list SET  alpn PROTO  tls-version V[-V]\n"
"        undecryptable CLASS[,CLASS...]|any  nontls (no other TLS match)\n"
"V:      ssl3 1.0 1.1 1.2 1.3\n"
"CLASS:  client-cert legacy-ssl compression no-cipher ech\n"
"\n"
"Rules are evaluated in order; the first that matches decides. A flow no\n"
"rule matches is cut (forwarded untouched). reject resets both ends, drop\n"
"drops every packet of the flow. add appends a rule; insert puts it at the\n"
"head, at place N (0 the head), or before or after the rule of id ID; the\n"
"other rules keep their ids. list shows the rules in evaluation order.\n"
"comment TEXT: 1 to 128 bytes, no control character, shown by list and\n"
"kept by save. rule replace swaps in a whole ruleset at once: one rule a\n"
"line, the words after `rule add`, quoted as in -f files, # comments.\n";

static const char domains_help[] =
"Usage: sslvctl domains [list]\n"
"       sslvctl domains show NAME\n"
"       sslvctl domains load NAME FILE|-\n"
"       sslvctl domains set NAME [DOMAIN...]\n"
"       sslvctl domains del NAME\n"
"\n"
"A domain set is a named list of server names and *.SUFFIX wildcards that\n"
"rules match with `sni-list NAME`. list shows the sets and their sizes,\n"
"show the names of one, one a line. load replaces the set NAME whole with\n"
"the names of FILE (one a line, # comments), set with the names given. A\n"
"set a rule uses cannot be deleted.\n";

static const char flow_help[] =
"Usage: sslvctl flow [list] [FILTER...]\n"
"       sslvctl flow reject ID\n"
"\n"
"FILTER: family inet|inet6  src PREFIX  dst PREFIX  sport P[-P]\n"
"        dport P[-P]  vlan ID  state STATE\n"
"STATE:  syn-sent syn-recv established closing closed rejected dropped\n"
"reject resets a live flow now, as a reject rule would. -d shows sequence\n"
"numbers.\n";

static const char stats_help[] =
"Usage: sslvctl stats [show] [-a] [-d INTERVAL [-c COUNT]]\n"
"       sslvctl stats reset\n"
"\n"
"The module's counters (Documentation/counters.md, sslv(7)) by family,\n"
"those at zero left out; -j: all, as one object.\n"
"  -a           the counters at zero too\n"
"  -d INTERVAL  every INTERVAL seconds, what each counter grew by and its\n"
"               rate a second (gauges: their value), as nstat does\n"
"  -c COUNT     stop after COUNT intervals\n"
"reset zeroes all but the gauges.\n";

static const char rst_help[] =
"Usage: sslvctl rst [show]\n"
"\n"
"The RST counters, grouped by phase, sender, kind, TTL, where the seq falls\n"
"and cause, as tools/rstscope groups a capture's RSTs.\n";

static const char monitor_help[] =
"Usage: sslvctl monitor [-t] [-w FILE] [rcvbuf BYTES] [EVENT...]\n"
"\n"
"Prints events as they come: rejected and ended flows, RSTs explained, and\n"
"the session log (one line a TLS handshake). Runs until interrupted.\n"
"EVENT:  rejected ended rst session ips: only these (lost N lines always)\n"
"-t      each line starts with the time the event was read,\n"
"        [SECONDS.USEC]; JSON always has \"timestamp\" (RFC 3339, UTC)\n"
"-w FILE append Suricata eve.json lines to FILE, not stdout; SIGHUP\n"
"        reopens FILE (logrotate)\n";

static const char save_help[] =
"Usage: sslvctl save\n"
"\n"
"Prints the mode, the configuration, the IPS, the domain sets and the\n"
"rules as the\n"
"sslvctl commands that make them again, which `sslvctl -f FILE` replays:\n"
"\n"
"  sslvctl save > sslv.conf\n"
"  sslvctl -f sslv.conf\n";

static const char help_help[] =
"Usage: sslvctl help [OBJECT]\n"
"       sslvctl OBJECT help\n"
"\n"
"OBJECT: mode config ips rule domains flow stats rst monitor save\n";

static int usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

static int do_help(int argc, char **argv);

/* The words each object takes first, which may be abbreviated. */
static const char *const mode_words[] = { "show", "set", "help", NULL };
static const char *const rule_words[] = {
	"add", "insert", "list", "show", "del", "flush", "replace", "help", NULL
};
static const char *const domains_words[] = {
	"list", "show", "load", "set", "del", "help", NULL
};
static const char *const flow_words[] = { "list", "show", "reject", "help", NULL };
static const char *const stats_words[] = { "show", "reset", "help", NULL };
static const char *const rst_words[] = { "show", "help", NULL };
static const char *const monitor_words[] = { "rcvbuf", "help", NULL };
static const char *const save_words[] = { "help", NULL };
static const char *const ips_words[] = { "show", "set", "del", "help", NULL };

static const struct object {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
	const char *const *words;	/* NULL: names an object (help) */
} objects[] = {
	{ "mode", do_mode, mode_help, mode_words },
	{ "config", do_config, config_help, mode_words },
	{ "ips", do_ips, ips_help, ips_words },
	{ "rule", do_rule, rule_help, rule_words },
	{ "domains", do_domains, domains_help, domains_words },
	{ "flow", do_flow, flow_help, flow_words },
	{ "stats", do_stats, stats_help, stats_words },
	{ "rst", do_rst, rst_help, rst_words },
	{ "monitor", do_monitor, monitor_help, monitor_words },
	{ "save", do_save, save_help, save_words },
	{ "help", do_help, help_help, NULL },
};

#define NOBJECTS (sizeof(objects) / sizeof(objects[0]))

static const char *const object_names[NOBJECTS + 1] = {
	"mode", "config", "ips", "rule", "domains", "flow", "stats", "rst",
	"monitor", "save", "help", NULL
};

bool expand_object(char **word)
{
	return expand_keyword(word, object_names);
}

static const struct object *find_object(const char *name)
{
	unsigned int i;

	for (i = 0; i < NOBJECTS; i++)
		if (!strcmp(name, objects[i].name))
			return &objects[i];
	return NULL;
}

static int do_help(int argc, char **argv)
{
	const struct object *o;

	if (argc == 0)
		return usage(stdout, EXIT_OK);
	if (!expand_object(&argv[0]))
		return EXIT_USAGE;
	o = find_object(argv[0]);
	if (!o)
		return arg_error("unknown object", argv[0]);
	if (argc > 1)
		return arg_error("unexpected argument", argv[1]);
	fputs(o->help, stdout);
	return EXIT_OK;
}

int run_object(int argc, char **argv)
{
	const struct object *o;

	if (!expand_object(&argv[0]))
		return EXIT_USAGE;
	o = find_object(argv[0]);
	if (!o)
		return arg_error("unknown object", argv[0]);
	if (argc > 1 && o->words && !expand_keyword(&argv[1], o->words))
		return EXIT_USAGE;
	if (argc > 1 && !strcmp(argv[1], "help")) {
		if (argc > 2)
			return arg_error("unexpected argument", argv[2]);
		fputs(o->help, stdout);
		return EXIT_OK;
	}
	return o->run(argc - 1, argv + 1);
}

/*
 * -n NETNS: into the network namespace that `ip netns add NETNS` made
 * (/run/netns/NETNS), or the one a path names (/proc/PID/ns/net), as
 * ip -n does, before any interface name is read or socket opened.
 */
static int enter_netns(const char *name)
{
	char path[4096];
	int fd, err;

	if (!*name)
		return arg_error("invalid network namespace", name);
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else if ((size_t)snprintf(path, sizeof(path), "/run/netns/%s", name) >=
		 sizeof(path))
		return arg_error("invalid network namespace", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		/* -n was numeric output before it took a namespace. */
		if (err == ENOENT && (find_object(name) || name[0] == '-'))
			errorf("cannot open network namespace \"%s\": %s (numeric output is -N)",
			       name, strerror(err));
		else
			errorf("cannot open network namespace \"%s\": %s",
			       name, strerror(err));
		return EXIT_USAGE;
	}
	if (setns(fd, CLONE_NEWNET)) {
		err = errno;
		close(fd);
		errorf("cannot enter network namespace \"%s\": %s", name,
		       strerror(err));
		return EXIT_USAGE;
	}
	close(fd);
	return EXIT_OK;
}

/* Global options: the number of arguments they took, or -1 to exit. */
static int parse_options(int argc, char **argv, int *status)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-j") || !strcmp(o, "-json") ||
		    !strcmp(o, "--json")) {
			opts.json = true;
		} else if (!strcmp(o, "-N") || !strcmp(o, "--numeric")) {
			opts.numeric = true;
		} else if (!strcmp(o, "-n") || !strcmp(o, "--netns") ||
			   !strcmp(o, "-netns")) {
			if (i + 1 >= argc) {
				*status = arg_error("missing network namespace after", o);
				return -1;
			}
			*status = enter_netns(argv[++i]);
			if (*status)
				return -1;
		} else if (!strcmp(o, "-d") || !strcmp(o, "--details")) {
			opts.details = true;
		} else if (!strcmp(o, "-f") || !strcmp(o, "--file")) {
			if (i + 1 >= argc) {
				*status = arg_error("missing file after", o);
				return -1;
			}
			if (i + 2 < argc) {
				*status = arg_error("unexpected argument",
						    argv[i + 2]);
				return -1;
			}
			print_setup(opts.json, opts.numeric);
			*status = run_file(argv[i + 1]);
			return -1;
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

/* Copies what @fd holds, from its start, to standard output. */
static int copy_out(int fd)
{
	char buf[65536];
	ssize_t n, w, off;

	if (lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		for (off = 0; off < n; off += w) {
			w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				goto fail;
		}
	}
	return EXIT_OK;
fail:
	errorf("cannot write the output: %s", strerror(errno));
	return EXIT_KERNEL;
}

/*
 * With -j a command's output reaches standard output only if the command
 * succeeds: a failed one prints nothing there (not "[]", not part of a
 * dump), so whatever parses the JSON never takes a failure for an empty
 * table. It is held in memory meanwhile; monitor, which streams, is not.
 */
static int run_json(int argc, char **argv)
{
	int fd, saved, status;

	if (!expand_object(&argv[0]))
		return EXIT_USAGE;
	if (!strcmp(argv[0], "monitor"))
		return run_object(argc, argv);
	fflush(stdout);
	fd = memfd_create("sslvctl-output", MFD_CLOEXEC);
	if (fd < 0) {
		errorf("cannot hold the output: %s", strerror(errno));
		return EXIT_KERNEL;
	}
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		errorf("cannot hold the output: %s", strerror(errno));
		if (saved >= 0)
			close(saved);
		close(fd);
		return EXIT_KERNEL;
	}
	status = run_object(argc, argv);
	if (fflush(stdout) && !status) {
		errorf("cannot hold the output: %s", strerror(errno));
		status = EXIT_KERNEL;
	}
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (!status)
		status = copy_out(fd);
	close(fd);
	return status;
}

int main(int argc, char **argv)
{
	int status, first;

	first = parse_options(argc, argv, &status);
	if (first < 0)
		return status;
	if (first == argc)
		return usage(stderr, EXIT_USAGE);
	print_setup(opts.json, opts.numeric);
	if (opts.json)
		return run_json(argc - first, argv + first);
	return run_object(argc - first, argv + first);
}
