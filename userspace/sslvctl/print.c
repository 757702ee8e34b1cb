// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Text and JSON rendering of command output. See print.h.
 */
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "print.h"

#define MAX_DEPTH 16

static bool json;
static bool numeric;

/* JSON: nesting depth, and whether the container at each depth has members. */
static unsigned int depth;
static bool has_members[MAX_DEPTH];

/* Text: objects open, and whether the current line has a token yet. */
static unsigned int text_objects;
static bool line_used;

void print_setup(bool as_json, bool as_numbers)
{
	json = as_json;
	numeric = as_numbers;
}

/*
 * Writes the @len bytes at @s as a JSON string. A byte that does not start
 * a well-formed UTF-8 sequence (by lead byte and continuation bytes) becomes
 * U+FFFD.
 */
static void json_bytes(const char *s, size_t len)
{
	static const char short_escapes[] = "\b\t\n\f\r";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	unsigned int n, i;
	const char *c;

	putchar('"');
	while (p < end) {
		if (*p == '"' || *p == '\\') {
			printf("\\%c", *p++);
			continue;
		}
		if (*p < 0x20) {
			c = *p ? strchr(short_escapes, *p) : NULL;
			if (c)
				printf("\\%c", "btnfr"[c - short_escapes]);
			else
				printf("\\u%04x", *p);
			p++;
			continue;
		}
		if (*p < 0x80) {
			putchar(*p++);
			continue;
		}
		n = *p >= 0xf0 && *p < 0xf5 ? 3 : *p >= 0xe0 ? 2 :
		    *p >= 0xc2 && *p < 0xe0 ? 1 : 0;
		for (i = 1; i <= n && p + i < end; i++)
			if ((p[i] & 0xc0) != 0x80)
				break;
		if (n == 0 || i <= n) {
			fputs("\\ufffd", stdout);
			p++;
			continue;
		}
		fwrite(p, 1, n + 1, stdout);
		p += n + 1;
	}
	putchar('"');
}

static void json_string(const char *s)
{
	json_bytes(s, strlen(s));
}

/* Starts a JSON member or array element: comma, then "key": if any. */
static void json_member(const char *key)
{
	bool *members = depth && depth <= MAX_DEPTH ?
			 &has_members[depth - 1] : NULL;

	if (members && *members)
		putchar(',');
	if (members)
		*members = true;
	if (key) {
		json_string(key);
		putchar(':');
	}
}

static void json_open(const char *key, char c)
{
	json_member(key);
	putchar(c);
	if (depth < MAX_DEPTH)
		has_members[depth] = false;
	depth++;
}

static void json_close(char c)
{
	putchar(c);
	if (--depth == 0)
		putchar('\n');
}

static void text_token_start(void)
{
	if (line_used)
		putchar(' ');
	line_used = true;
}

void print_nl(void)
{
	if (!json && line_used) {
		putchar('\n');
		line_used = false;
	}
}

void open_object(const char *key)
{
	if (json)
		json_open(key, '{');
	else
		text_objects++;
}

void close_object(void)
{
	if (json)
		json_close('}');
	else if (--text_objects == 0)
		print_nl();
}

void open_array(const char *key)
{
	if (json)
		json_open(key, '[');
}

void close_array(void)
{
	if (json)
		json_close(']');
}

static bool text_wanted(enum pr_where where)
{
	return !json && (where & PR_TEXT);
}

static bool json_wanted(enum pr_where where)
{
	return json && (where & PR_JSON);
}

static void text_label(const char *label)
{
	text_token_start();
	if (label)
		printf("%s ", label);
}

void print_str(enum pr_where where, const char *key, const char *label,
	       const char *val)
{
	if (json_wanted(where)) {
		json_member(key);
		json_string(val);
	} else if (text_wanted(where)) {
		text_label(label);
		fputs(val, stdout);
	}
}

void print_bytes(enum pr_where where, const char *key, const char *label,
		 const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	if (json_wanted(where)) {
		json_member(key);
		json_bytes(buf, len);
	} else if (text_wanted(where)) {
		text_label(label);
		for (i = 0; i < len; i++) {
			if (p[i] > ' ' && p[i] < 0x7f && p[i] != '\\')
				putchar(p[i]);
			else
				printf("\\x%02x", p[i]);
		}
	}
}

void print_uint_unit(enum pr_where where, const char *key, const char *label,
		     uint64_t val, const char *unit)
{
	if (json_wanted(where)) {
		json_member(key);
		printf("%" PRIu64, val);
	} else if (text_wanted(where)) {
		text_label(label);
		printf("%" PRIu64 "%s", val, unit);
	}
}

void print_uint(enum pr_where where, const char *key, const char *label,
		uint64_t val)
{
	print_uint_unit(where, key, label, val, "");
}

void print_flag(enum pr_where where, const char *key, const char *word)
{
	if (json_wanted(where)) {
		json_member(key);
		fputs("true", stdout);
	} else if (text_wanted(where)) {
		text_token_start();
		fputs(word, stdout);
	}
}

void print_ifindex(const char *key, const char *label, uint32_t ifindex)
{
	char name[IF_NAMESIZE];
	char name_key[64];
	bool named = !numeric && if_indextoname(ifindex, name);

	if (json) {
		print_uint(PR_JSON, key, NULL, ifindex);
		if (named) {
			snprintf(name_key, sizeof(name_key), "%s_name", key);
			print_str(PR_JSON, name_key, NULL, name);
		}
	} else if (named) {
		print_str(PR_TEXT, NULL, label, name);
	} else {
		print_uint(PR_TEXT, NULL, label, ifindex);
	}
}
