// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for kmod/lib/tls.c. Every input goes through both
 * parsers and the SNI matcher, and the properties the module relies on are
 * checked, a violation aborting like a crash:
 * - a prefix of the input (an exact-size copy, so that AddressSanitizer
 *   sees a read past it) parses to SSLV_TLS_MORE or to the input's own
 *   result, and when both are DONE to the very same fields: re-running on
 *   a grown buffer never changes a verdict;
 * - kept lengths stay within their arrays;
 * - a parsed server name matches itself, and "*." + its parent matches it.
 */
#include <stdlib.h>

#include "tls.h"

#define PROPERTY(x) do { if (!(x)) abort(); } while (0)

static void client(const u8 *p, u32 n, const u8 *prefix, u32 cut)
{
	struct sslv_tls_client c, part;
	enum sslv_tls_res res = sslv_tls_parse_client(p, n, &c);
	enum sslv_tls_res pres = sslv_tls_parse_client(prefix, cut, &part);
	const u8 *dot;

	PROPERTY(pres == SSLV_TLS_MORE || pres == res);
	if (pres == SSLV_TLS_DONE)
		PROPERTY(!memcmp(&c, &part, sizeof(c)));
	if (res != SSLV_TLS_DONE)
		return;
	PROPERTY(c.sni_len <= SSLV_TLS_SNI_MAX);
	PROPERTY(c.n_versions <= SSLV_TLS_VERSIONS_MAX);
	for (u32 i = 0; i < c.n_alpn && i < SSLV_TLS_ALPN_MAX; i++)
		PROPERTY(c.alpn[i].len && c.alpn[i].len <= SSLV_TLS_ALPN_NAME_MAX);
	if (!c.sni_len)
		return;
	if (c.sni[c.sni_len - 1] == '.')
		return;		/* a trailing dot is dropped from names only */
	if (c.sni_len < 3 || c.sni[0] != '*' || c.sni[1] != '.')
		PROPERTY(sslv_sni_match((const char *)c.sni, c.sni_len, c.sni,
					c.sni_len));
	dot = memchr(c.sni, '.', c.sni_len);
	if (dot && dot > c.sni) {
		char pat[SSLV_TLS_SNI_MAX + 1] = "*";
		u32 plen = (u32)(c.sni + c.sni_len - dot);

		memcpy(pat + 1, dot, plen);
		PROPERTY(sslv_sni_match(pat, plen + 1, c.sni, c.sni_len));
	}
}

static void server(const u8 *p, u32 n, const u8 *prefix, u32 cut)
{
	struct sslv_tls_server s, part;
	enum sslv_tls_res res = sslv_tls_parse_server(p, n, &s);
	enum sslv_tls_res pres = sslv_tls_parse_server(prefix, cut, &part);

	PROPERTY(pres == SSLV_TLS_MORE || pres == res);
	if (pres == SSLV_TLS_DONE)
		PROPERTY(!memcmp(&s, &part, sizeof(s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 n = size > 65536 ? 65536 : (u32)size;
	u32 cut = n ? data[n - 1] * n / 256 : 0;
	u32 plen = n ? data[0] % n : 0;
	u8 *prefix = malloc(cut ? cut : 1);

	if (!prefix)
		return 0;
	memcpy(prefix, data, cut);
	client(data, n, prefix, cut);
	server(data, n, prefix, cut);
	free(prefix);
	/* The matcher: a pattern and a name cut from the input. */
	if (n)
		sslv_sni_match((const char *)data + 1, plen, data + 1 + plen,
			       n - 1 - plen);
	return 0;
}
