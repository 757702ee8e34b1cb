/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one place sslvctl prints results, as text or (-j) as JSON, so that the
 * two never drift apart: every command describes its output once, as a
 * sequence of objects, arrays and fields, and this layer renders it.
 *
 * Each field call says where it goes: PR_TEXT, PR_JSON or PR_ANY. In JSON a
 * field is "key": value. In text it is one space-separated token, "label
 * value" (or just the value when label is NULL); a top-level object is one
 * line, and print_nl() breaks lines inside one (for "name value" lists).
 * A top-level JSON value ends with a newline. JSON is written by
 * userspace/lib/json_writer.c, which tools/rstscope shares: keys are
 * snake_case there (see json_writer.h for the keys of 0.1 kept as well).
 */
#ifndef SSLVCTL_PRINT_H
#define SSLVCTL_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pr_where {
	PR_TEXT = 1,
	PR_JSON = 2,
	PR_ANY = PR_TEXT | PR_JSON,
};

void print_setup(bool json, bool numeric);
/* From now on, JSON to @f (monitor -w renders each record to memory). */
void print_json_to(FILE *f);

void open_object(const char *key);
void close_object(void);
void open_array(const char *key);
void close_array(void);
void print_nl(void);

void print_str(enum pr_where where, const char *key, const char *label,
	       const char *val);
/*
 * Bytes as they came, e.g. a server name from the wire. Text: one token,
 * every byte outside '!'..'~', and the backslash, as \xNN. JSON: a
 * string (NUL and control bytes escaped, bytes that are not UTF-8 U+FFFD).
 */
void print_bytes(enum pr_where where, const char *key, const char *label,
		 const void *buf, size_t len);
void print_uint(enum pr_where where, const char *key, const char *label,
		uint64_t val);
/* A number already written as decimal text, e.g. "1.500". */
void print_number(enum pr_where where, const char *key, const char *label,
		  const char *text);
/* Text "label <val><unit>", e.g. "age 1200ms"; JSON the bare number. */
void print_uint_unit(enum pr_where where, const char *key, const char *label,
		     uint64_t val, const char *unit);
/* Text the word alone; JSON "key": true. */
void print_flag(enum pr_where where, const char *key, const char *word);
/*
 * Text "label NAME" (the number with -n, or when the index has no name);
 * JSON "key": index and, unless -n, "key_name": "NAME".
 */
void print_ifindex(const char *key, const char *label, uint32_t ifindex);

#endif /* SSLVCTL_PRINT_H */
