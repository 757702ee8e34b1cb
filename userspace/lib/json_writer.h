/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The JSON writer of sslvctl and tools/rstscope, so that both write the
 * same keys the same way (iproute2's lib/json_writer.c plays this part for
 * ip and tc).
 *
 * A struct jw writes one JSON value at a time to its FILE: objects and
 * arrays nest, members are "key": value, elements have a NULL key, and a
 * top-level value ends with a newline (JSON lines).
 *
 * Keys are snake_case. A key given with '-' (sslvctl before 0.1.0 wrote
 * "tls-version", "sni-list", and RST labels such as "handshake-refused"
 * as keys) is written with '_' instead and, while jw_legacy_keys is set
 * (0.1.0; the next release clears it), a scalar is also written a second
 * time under the old key, right after the new one. Strings are escaped per RFC 8259; bytes that are not
 * UTF-8 become U+FFFD.
 */
#ifndef SSLV_JSON_WRITER_H
#define SSLV_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH	16

struct jw {
	FILE *out;
	unsigned int depth;
	bool has_members[JW_MAX_DEPTH];
};

/* Also write scalars under their pre-snake_case key (see above). */
extern bool jw_legacy_keys;

void jw_init(struct jw *w, FILE *out);

void jw_open_object(struct jw *w, const char *key);
void jw_close_object(struct jw *w);
void jw_open_array(struct jw *w, const char *key);
void jw_close_array(struct jw *w);

void jw_string(struct jw *w, const char *key, const char *s);
/* @len bytes as they came, e.g. a server name from the wire. */
void jw_bytes(struct jw *w, const char *key, const void *buf, size_t len);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_bool(struct jw *w, const char *key, bool v);
/* A number already written as JSON text, e.g. "1.500000". */
void jw_number(struct jw *w, const char *key, const char *text);

/*
 * A time as RFC 3339 in UTC with microseconds, the precision of Suricata's
 * eve.json: "2026-12-02T09:30:01.123456+00:00" (eve writes the offset
 * "+0000", which RFC 3339 does not allow). @buf holds JW_TIME_SIZE bytes.
 */
#define JW_TIME_SIZE	40
const char *jw_time(char *buf, long long sec, long usec);

#endif /* SSLV_JSON_WRITER_H */
