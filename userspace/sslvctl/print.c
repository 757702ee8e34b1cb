// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Text and JSON rendering of command output. See print.h.
 */
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "json_writer.h"
#include "print.h"

static bool json;
static bool numeric;
static struct jw jw;

/* Text: objects open, and whether the current line has a token yet. */
static unsigned int text_objects;
static bool line_used;

void print_setup(bool as_json, bool as_numbers)
{
	json = as_json;
	numeric = as_numbers;
	jw_init(&jw, stdout);
}

void print_json_to(FILE *f)
{
	json = true;
	jw_init(&jw, f);
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
		jw_open_object(&jw, key);
	else
		text_objects++;
}

void close_object(void)
{
	if (json)
		jw_close_object(&jw);
	else if (--text_objects == 0)
		print_nl();
}

void open_array(const char *key)
{
	if (json)
		jw_open_array(&jw, key);
}

void close_array(void)
{
	if (json)
		jw_close_array(&jw);
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
		jw_string(&jw, key, val);
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
		jw_bytes(&jw, key, buf, len);
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
		jw_uint(&jw, key, val);
	} else if (text_wanted(where)) {
		text_label(label);
		printf("%" PRIu64 "%s", val, unit);
	}
}

void print_number(enum pr_where where, const char *key, const char *label,
		  const char *text)
{
	if (json_wanted(where)) {
		jw_number(&jw, key, text);
	} else if (text_wanted(where)) {
		text_label(label);
		fputs(text, stdout);
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
		jw_bool(&jw, key, true);
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
