// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The JSON writer of sslvctl and rstscope. See json_writer.h.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "json_writer.h"

#define KEY_MAX	128

bool jw_legacy_keys = true;

void jw_init(struct jw *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/*
 * Writes the @len bytes at @s as a JSON string. A byte that does not start
 * a well-formed UTF-8 sequence (by lead byte and continuation bytes) becomes
 * U+FFFD.
 */
static void json_bytes(FILE *out, const char *s, size_t len)
{
	static const char short_escapes[] = "\b\t\n\f\r";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	unsigned int n, i;
	const char *c;

	putc('"', out);
	while (p < end) {
		if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p++);
			continue;
		}
		if (*p < 0x20) {
			c = *p ? strchr(short_escapes, *p) : NULL;
			if (c)
				fprintf(out, "\\%c", "btnfr"[c - short_escapes]);
			else
				fprintf(out, "\\u%04x", *p);
			p++;
			continue;
		}
		if (*p < 0x80) {
			putc(*p++, out);
			continue;
		}
		n = *p >= 0xf0 && *p < 0xf5 ? 3 : *p >= 0xe0 ? 2 :
		    *p >= 0xc2 && *p < 0xe0 ? 1 : 0;
		for (i = 1; i <= n && p + i < end; i++)
			if ((p[i] & 0xc0) != 0x80)
				break;
		if (n == 0 || i <= n) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		fwrite(p, 1, n + 1, out);
		p += n + 1;
	}
	putc('"', out);
}

static void json_string(FILE *out, const char *s)
{
	json_bytes(out, s, strlen(s));
}

/* Starts a member or element: a comma when needed, then "key": if any. */
static void member(struct jw *w, const char *key)
{
	bool *members = w->depth && w->depth <= JW_MAX_DEPTH ?
			&w->has_members[w->depth - 1] : NULL;

	if (members && *members)
		putc(',', w->out);
	if (members)
		*members = true;
	if (key) {
		json_string(w->out, key);
		putc(':', w->out);
	}
}

/*
 * The keys a value goes under: @key in snake_case in @snake, then, when
 * that differs and legacy keys are on, @key itself. Returns how many.
 */
static unsigned int keys(const char *key, char snake[KEY_MAX],
			 const char *out[2])
{
	size_t len = key ? strlen(key) : 0;
	char *c;

	out[0] = key;
	if (!key || !strchr(key, '-') || len >= KEY_MAX)
		return 1;
	memcpy(snake, key, len + 1);
	for (c = snake; *c; c++)
		if (*c == '-')
			*c = '_';
	out[0] = snake;
	out[1] = key;
	return jw_legacy_keys ? 2 : 1;
}

static void open_container(struct jw *w, const char *key, char c)
{
	char snake[KEY_MAX];
	const char *k[2];

	keys(key, snake, k);
	member(w, k[0]);
	putc(c, w->out);
	if (w->depth < JW_MAX_DEPTH)
		w->has_members[w->depth] = false;
	w->depth++;
}

static void close_container(struct jw *w, char c)
{
	putc(c, w->out);
	if (w->depth && --w->depth == 0)
		putc('\n', w->out);
}

void jw_open_object(struct jw *w, const char *key)
{
	open_container(w, key, '{');
}

void jw_close_object(struct jw *w)
{
	close_container(w, '}');
}

void jw_open_array(struct jw *w, const char *key)
{
	open_container(w, key, '[');
}

void jw_close_array(struct jw *w)
{
	close_container(w, ']');
}

/* The scalar writers: each writes its value once per key. */
#define FOR_EACH_KEY(w, key, i)						\
	char snake_[KEY_MAX];						\
	const char *k_[2];						\
	unsigned int n_ = keys(key, snake_, k_);			\
	for (i = 0; i < n_ && (member(w, k_[i]), 1); i++)

void jw_bytes(struct jw *w, const char *key, const void *buf, size_t len)
{
	unsigned int i;

	FOR_EACH_KEY(w, key, i)
		json_bytes(w->out, buf, len);
}

void jw_string(struct jw *w, const char *key, const char *s)
{
	jw_bytes(w, key, s, strlen(s));
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	unsigned int i;

	FOR_EACH_KEY(w, key, i)
		fprintf(w->out, "%" PRIu64, v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_number(w, key, v ? "true" : "false");
}

void jw_number(struct jw *w, const char *key, const char *text)
{
	unsigned int i;

	FOR_EACH_KEY(w, key, i)
		fputs(text, w->out);
}

const char *jw_time(char *buf, long long sec, long usec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, JW_TIME_SIZE, "1970-01-01T00:00:00.000000+00:00");
		return buf;
	}
	n = strftime(buf, JW_TIME_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, JW_TIME_SIZE - n, ".%06ld+00:00", usec);
	return buf;
}
