// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sslvctl -f FILE: commands from a file (or "-", stdin), one a line, as
 * `sslvctl save` writes them.
 *
 * A line is split into words as a shell would, without expansions: white
 * space separates words, '...' quotes everything up to the next ', "..."
 * everything but a backslash before " \ $ or `, and a backslash outside
 * quotes takes the next character as it is; one at the end of a line
 * continues the command on the next. A word starting with '#' starts a
 * comment that runs to the end of the line; blank lines are skipped. A
 * command may start with the word "sslvctl", which is ignored.
 *
 * The file is read and every line checked first, by running each command
 * with opts.check set: a command parses all of its arguments and stops
 * where it would open its netlink socket (sslv_open() returns
 * EXIT_CHECKED). A bad line is reported as FILE:LINE and nothing at all is
 * sent. Only then are the commands run, in order; the first the kernel
 * refuses stops the run, reported with its line, and the lines before it
 * stay applied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sslvctl.h"

struct batch_line {
	unsigned long lineno;	/* its first line */
	int argc;
	char **argv;		/* argc words, then NULL */
	char *text;		/* the words point into it */
};

struct batch {
	const char *name;
	struct batch_line *lines;
	size_t n, cap;
	bool bad;
	char *pending;		/* a command continued on the next line */
	size_t plen;
	unsigned long pline;
};

static const char backslash_end[] = "backslash at the end of the line";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

int split_words(char *line, char **words, int max, const char **why)
{
	char *r = line, *w = line;
	int n = 0;
	char c;

	for (;;) {
		while (is_space(*r))
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max) {
			*why = "too many words";
			return -1;
		}
		words[n++] = w;
		while (*r && !is_space(*r)) {
			if (*r == '\'') {
				for (r++; *r && *r != '\''; )
					*w++ = *r++;
				if (!*r) {
					*why = "unterminated '";
					return -1;
				}
				r++;
			} else if (*r == '"') {
				for (r++; *r && *r != '"'; ) {
					if (*r == '\\' && r[1] && strchr("\"\\$`", r[1]))
						r++;
					*w++ = *r++;
				}
				if (!*r) {
					*why = "unterminated \"";
					return -1;
				}
				r++;
			} else if (*r == '\\') {
				r++;
				if (!*r || *r == '\n') {
					*why = backslash_end;
					return -1;
				}
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		/* w <= r: the word ends where its separator was, or before. */
		c = *r;
		*w = '\0';
		if (!c)
			return n;
		w = ++r;
	}
}

/* Whether @line ends with an unquoted backslash: the command goes on. */
static bool continued(const char *line)
{
	size_t len = strlen(line);
	const char *why = NULL;
	char *copy, **words;
	bool ret;

	if (!len || (line[len - 1] != '\\' &&
		     (len < 2 || line[len - 2] != '\\' || line[len - 1] != '\n')))
		return false;
	copy = strdup(line);
	words = malloc((len / 2 + 2) * sizeof(*words));
	ret = copy && words &&
	      split_words(copy, words, (int)(len / 2 + 1), &why) < 0 &&
	      why == backslash_end;
	free(copy);
	free(words);
	return ret;
}

/* The command in b->pending, split into its words. */
static bool keep_command(struct batch *b)
{
	char *text = b->pending;
	size_t max = b->plen / 2 + 1;
	const char *why = NULL;
	struct batch_line *l;
	char **words;
	int n;

	b->pending = NULL;
	b->plen = 0;
	parse_location(b->name, b->pline);
	words = malloc((max + 1) * sizeof(*words));
	if (!words) {
		free(text);
		errorf("out of memory");
		return false;
	}
	n = split_words(text, words, (int)max, &why);
	if (n <= 0) {
		free(text);
		free(words);
		if (n < 0)
			errorf("%s", why);
		/* Go on reading: every bad line of the file is told. */
		b->bad |= n < 0;
		return true;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct batch_line *p = realloc(b->lines, cap * sizeof(*p));

		if (!p) {
			free(text);
			free(words);
			errorf("out of memory");
			return false;
		}
		b->lines = p;
		b->cap = cap;
	}
	l = &b->lines[b->n++];
	l->lineno = b->pline;
	l->argc = n;
	l->argv = words;
	l->argv[n] = NULL;
	l->text = text;
	return true;
}

/*
 * One line of the file. A line ending with an unquoted backslash goes on
 * on the next: both are one command, the backslash and the newline gone,
 * as in a shell.
 */
static bool keep_line(char *line, unsigned long lineno, void *arg)
{
	struct batch *b = arg;
	size_t len = strlen(line);
	bool more = continued(line);
	char *p;

	if (more)
		len -= line[len - 1] == '\n' ? 2 : 1;
	p = realloc(b->pending, b->plen + len + 1);
	if (!p) {
		errorf("out of memory");
		return false;
	}
	if (!b->pending)
		b->pline = lineno;
	b->pending = p;
	memcpy(p + b->plen, line, len);
	b->plen += len;
	p[b->plen] = '\0';
	return more ? true : keep_command(b);
}

static void free_batch(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->lines[i].text);
		free(b->lines[i].argv);
	}
	free(b->lines);
	free(b->pending);
}

/* Runs one line's command: its exit status. */
static int run_line(struct batch_line *l)
{
	char **argv = l->argv;
	int argc = l->argc;

	if (!strcmp(argv[0], "sslvctl")) {
		argv++;
		argc--;
		if (!argc) {
			errorf("missing object after \"sslvctl\"");
			return EXIT_USAGE;
		}
	}
	if (argv[0][0] == '-')
		return arg_error("options go on the command line, not in a file:",
				 argv[0]);
	if (!expand_object(&argv[0]))
		return EXIT_USAGE;
	if (!strcmp(argv[0], "monitor"))
		return arg_error("cannot run from a file:", argv[0]);
	return run_object(argc, argv);
}

/* Every line checked with opts.check, its output thrown away. */
static bool check_all(struct batch *b, const char *name)
{
	bool ok = !b->bad;
	int saved, null, ret;
	size_t i;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0) {
		errorf("cannot open /dev/null: %s", strerror(errno));
		ok = false;
		goto out;
	}
	opts.check = true;
	for (i = 0; i < b->n; i++) {
		parse_location(name, b->lines[i].lineno);
		ret = run_line(&b->lines[i]);
		if (ret != EXIT_OK && ret != EXIT_CHECKED)
			ok = false;
	}
	opts.check = false;
	parse_location(NULL, 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
out:
	if (null >= 0)
		close(null);
	if (saved >= 0)
		close(saved);
	return ok;
}

int run_file(const char *file)
{
	bool from_stdin = !strcmp(file, "-");
	const char *name = from_stdin ? "<stdin>" : file;
	struct batch b = { 0 };
	int ret = EXIT_OK;
	FILE *f;
	size_t i;

	f = from_stdin ? stdin : fopen(file, "r");
	if (!f) {
		errorf("cannot open \"%s\": %s", file, strerror(errno));
		return EXIT_USAGE;
	}
	opts.batch = true;
	b.name = name;
	if (!read_lines(f, name, keep_line, &b))
		ret = EXIT_USAGE;
	if (ret == EXIT_OK && b.pending) {
		parse_location(name, b.pline);
		errorf("backslash at the end of the file");
		b.bad = true;
	}
	if (ret == EXIT_OK && !check_all(&b, name))
		ret = EXIT_USAGE;
	if (!from_stdin)
		fclose(f);
	for (i = 0; ret == EXIT_OK && i < b.n; i++) {
		parse_location(name, b.lines[i].lineno);
		ret = run_line(&b.lines[i]);
		fflush(stdout);
	}
	parse_location(NULL, 0);
	free_batch(&b);
	return ret;
}
