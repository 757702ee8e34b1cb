// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The words sslvctl uses for TLS values, both ways: versions, undecryptable
 * classes, and the checks of server names, domain set names and ALPN names.
 * Rules (rule_tls.c), domain sets (domains.c) and the session log
 * (session.c) all go through here, so that they name things alike.
 */
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "tls.h"
#include "sslvctl.h"
#include "print.h"

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The module's own check (kmod/lib/domain.c), so both refuse alike. */
const char *domain_check(char *s)
{
	size_t len = strlen(s);
	int err = sslv_domain_check((const u8 *)s, (u32)len);

	if (err)
		return sslv_domain_strerror(err);
	if (s[len - 1] == '.')
		s[len - 1] = '\0';
	return NULL;
}

bool domset_name_ok(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	if (!len || len > SSLV_DOMSET_NAME_MAX)
		return false;
	for (p = s; *p; p++)
		if (!label_char(*p) && *p != '.')
			return false;
	return true;
}

bool alpn_ok(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	if (!len || len > SSLV_TLS_ALPN_NAME_MAX)
		return false;
	for (p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

static const struct {
	const char *word;
	uint16_t wire;
} tls_versions[] = {
	{ "ssl2", SSLV_TLS_VER_SSL2 },
	{ "ssl3", SSLV_TLS_VER_SSL3 },
	{ "1.0", SSLV_TLS_VER_TLS10 },
	{ "1.1", SSLV_TLS_VER_TLS11 },
	{ "1.2", SSLV_TLS_VER_TLS12 },
	{ "1.3", SSLV_TLS_VER_TLS13 },
};

#define NVERSIONS (sizeof(tls_versions) / sizeof(tls_versions[0]))

/* A rule cannot ask for SSLv2: sslv reads no SSLv2 server hello. */
uint16_t tls_version_parse(const char *s)
{
	unsigned int i;

	for (i = 1; i < NVERSIONS; i++)
		if (!strcmp(s, tls_versions[i].word))
			return tls_versions[i].wire;
	return 0;
}

const char *tls_version_name(uint16_t v, char buf[8])
{
	unsigned int i;

	for (i = 0; i < NVERSIONS; i++)
		if (tls_versions[i].wire == v)
			return tls_versions[i].word;
	snprintf(buf, 8, "0x%04x", v);
	return buf;
}

/* Bit i of SSLV_UD_*. */
static const char *const ud_names[] = {
	"client-cert", "legacy-ssl", "compression", "no-cipher", "ech",
};

#define NCLASSES (sizeof(ud_names) / sizeof(ud_names[0]))

bool ud_classes_parse(const char *s, uint32_t *bits)
{
	char word[32];
	const char *end;
	size_t n;
	int i;

	*bits = 0;
	if (!strcmp(s, "any")) {
		*bits = SSLV_UD_ALL;
		return true;
	}
	for (;; s = end + 1) {
		end = strchr(s, ',');
		n = end ? (size_t)(end - s) : strlen(s);
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		i = n < sizeof(word) ? parse_keyword(word, ud_names, NCLASSES) : -1;
		if (i == -2)
			return false;
		if (i < 0)
			return bad_arg("invalid undecryptable class", word);
		*bits |= 1U << i;
		if (!end)
			return true;
	}
}

bool ud_classes_format(uint32_t bits, char *buf, size_t size)
{
	unsigned int i;
	size_t len = 0;

	buf[0] = '\0';
	if (!bits || bits >> NCLASSES)
		return false;
	for (i = 0; i < NCLASSES; i++) {
		if (!(bits & (1U << i)))
			continue;
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0,
					"%s%s", len ? "," : "", ud_names[i]);
	}
	return len < size;
}

void print_ud_classes(const char *key, const char *label, uint32_t bits)
{
	char text[384] = "";	/* every name, and 27 unknown bits */
	char word[16];
	unsigned int i;

	open_array(key);
	for (i = 0; i < 32; i++) {
		if (!(bits & (1U << i)))
			continue;
		if (i < NCLASSES)
			snprintf(word, sizeof(word), "%s", ud_names[i]);
		else
			snprintf(word, sizeof(word), "0x%x", 1U << i);
		print_str(PR_JSON, NULL, NULL, word);
		if (text[0])
			strcat(text, ",");
		strcat(text, word);
	}
	close_array();
	if (text[0])
		print_str(PR_TEXT, NULL, label, text);
}
