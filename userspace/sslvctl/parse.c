// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Argument parsing shared by every command, and error reporting.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sslvctl.h"

static const char *loc_file;
static unsigned long loc_line;

void parse_location(const char *file, unsigned long line)
{
	loc_file = file;
	loc_line = line;
}

bool read_lines(FILE *f, const char *file,
		bool (*fn)(char *line, unsigned long lineno, void *arg),
		void *arg)
{
	const char *outer_file = loc_file;
	unsigned long outer_line = loc_line;
	unsigned long lineno = 0;
	size_t linecap = 0;
	char *line = NULL;
	bool ok = true;

	while (ok && getline(&line, &linecap, f) >= 0) {
		parse_location(file, ++lineno);
		ok = fn(line, lineno, arg);
	}
	if (ok && ferror(f)) {
		errorf("cannot read: %s", strerror(errno));
		ok = false;
	}
	/* A file named on a line of a file (-f): back to that line. */
	parse_location(outer_file, outer_line);
	free(line);
	return ok;
}

void errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	if (loc_file)
		fprintf(stderr, "%s:%lu: ", loc_file, loc_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool bad_arg(const char *what, const char *token)
{
	errorf("%s \"%s\"", what, token);
	return false;
}

int arg_error(const char *what, const char *token)
{
	bad_arg(what, token);
	return EXIT_USAGE;
}

const char *next_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		bad_arg("missing argument after", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

bool once(bool *seen, const char *keyword)
{
	if (*seen)
		return bad_arg("duplicate keyword", keyword);
	*seen = true;
	return true;
}

bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static void clear_host_bits(struct prefix *p)
{
	unsigned int bytes = p->family == AF_INET ? 4 : 16;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (i * 8 >= p->len)
			p->addr[i] = 0;
		else if (i * 8 + 8 > p->len)
			p->addr[i] &= (uint8_t)(0xff00 >> (p->len - i * 8));
	}
}

bool parse_prefix(const char *s, struct prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t len;

	if (n >= sizeof(addr))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = AF_INET6;
	else
		return false;
	len = p->family == AF_INET ? 32 : 128;
	if (slash && !parse_u32(slash + 1, len, &len))
		return false;
	p->len = (uint8_t)len;
	clear_host_bits(p);
	return true;
}

bool parse_port_range(const char *s, uint16_t range[2])
{
	char lo[8];
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	uint32_t a, b;

	if (n >= sizeof(lo))
		return false;
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (!parse_u32(lo, 65535, &a))
		return false;
	b = a;
	if (dash && !parse_u32(dash + 1, 65535, &b))
		return false;
	if (a > b)
		return false;
	range[0] = (uint16_t)a;
	range[1] = (uint16_t)b;
	return true;
}

/* A rule file names the same few interfaces over and over: remember them. */
#define IFCACHE_SIZE 16

static struct {
	char name[IF_NAMESIZE];
	uint32_t ifindex;
} ifcache[IFCACHE_SIZE];
static unsigned int ifcache_next;

bool parse_ifname(const char *s, uint32_t *ifindex)
{
	unsigned int i;

	if (!*s || strlen(s) >= IF_NAMESIZE)
		return false;
	for (i = 0; i < IFCACHE_SIZE; i++) {
		if (ifcache[i].ifindex && !strcmp(ifcache[i].name, s)) {
			*ifindex = ifcache[i].ifindex;
			return true;
		}
	}
	*ifindex = if_nametoindex(s);
	if (!*ifindex)
		return false;
	i = ifcache_next++ % IFCACHE_SIZE;
	strcpy(ifcache[i].name, s);
	ifcache[i].ifindex = *ifindex;
	return true;
}

const char *const action_names[__SSLV_ACT_MAX] = {
	[SSLV_ACT_CUT] = "cut",
	[SSLV_ACT_REJECT] = "reject",
	[SSLV_ACT_DROP] = "drop",
	[SSLV_ACT_DECRYPT] = "decrypt",
};

/*
 * The index of the one of @n @names (NULLs skipped) that @s is, or else
 * begins: -1 if none, -2 (reported as an ambiguous @what) if several.
 */
static int match_prefix(const char *s, const char *const *names,
			unsigned int n, const char *what)
{
	size_t len = strlen(s), used = 0;
	unsigned int i, count = 0;
	char list[512];
	int found = -1;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	for (i = 0; len && i < n; i++) {
		if (!names[i] || strncmp(s, names[i], len))
			continue;
		found = (int)i;
		count++;
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s%s", count > 1 ? ", " : "",
						 names[i]);
	}
	if (count <= 1)
		return found;
	errorf("ambiguous %s \"%s\" (%s)", what, s, list);
	return -2;
}

bool expand_keyword(char **word, const char *const *words)
{
	unsigned int n = 0;
	int i;

	while (words[n])
		n++;
	i = match_prefix(*word, words, n, "keyword");
	if (i >= 0)
		*word = (char *)words[i];
	return i != -2;
}

int parse_keyword(const char *s, const char *const *names, unsigned int n)
{
	return match_prefix(s, names, n, "value");
}

int parse_keyword_of(const char *s, const char *const *names, unsigned int n,
		     const char *what)
{
	return match_prefix(s, names, n, what);
}

const char *keyword_name(const char *const *names, unsigned int n,
			 unsigned int v, char buf[16])
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, 16, "%u", v);
	return buf;
}

void format_addr(char *buf, size_t size, uint8_t family, const void *addr,
		 int len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (len >= 0)
		snprintf(buf, size, "%s/%d", a, len);
	else
		snprintf(buf, size, "%s", a);
}
