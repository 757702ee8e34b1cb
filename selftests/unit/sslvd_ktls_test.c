// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 RX key derivation sslvd does by hand: HKDF-Expand-Label of
 * the application traffic secrets of RFC 8448's simple 1-RTT handshake
 * (TLS_AES_128_GCM_SHA256) gives the RFC's published keys and ivs.
 */
#include <string.h>

#include "unit.h"

#include "ktls.h"
#include "log.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned int b;

	for (i = 0; i < n; i++) {
		sscanf(s + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
}

static int derived(const char *secret_hex, const char *label, const char *want_hex,
		   size_t n)
{
	uint8_t secret[32], want[32], got[32];

	unhex(secret_hex, secret, 32);
	unhex(want_hex, want, n);
	memset(got, 0, sizeof(got));
	if (sslvd_hkdf_expand_label(EVP_sha256(), secret, 32, label, NULL, 0, got, n))
		return 0;
	return !memcmp(got, want, n);
}

int main(void)
{
	/* RFC 8448 section 3: "tls13 c ap traffic" and "tls13 s ap traffic" */
	static const char *c_ap =
		"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
	static const char *s_ap =
		"a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
	/* and the handshake traffic secret of the server, for good measure */
	static const char *s_hs =
		"b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
	uint8_t out[16];
	char label[251];

	sslvd_log_quiet(1);
	CHECK(derived(c_ap, "key", "17422dda596ed5d9acd890e3c63f5051", 16));
	CHECK(derived(c_ap, "iv", "5b78923dee08579033e523d9", 12));
	CHECK(derived(s_ap, "key", "9f02283b6c9c07efc26bb9f2ac92e356", 16));
	CHECK(derived(s_ap, "iv", "cf782b88dd83549aadf1e984", 12));
	CHECK(derived(s_hs, "key", "3fce516009c21727d0f2e4e86ee403bc", 16));
	CHECK(derived(s_hs, "iv", "5d313eb2671276ee13000b30", 12));
	/* a wrong label or length gives other bytes */
	CHECK(!derived(s_ap, "iv", "9f02283b6c9c07efc26bb9f2", 12));
	/* the length is part of the label: 12 bytes are no prefix of 16 */
	CHECK(!derived(s_ap, "key", "9f02283b6c9c07efc26bb9f2", 12));
	/* a label too long for the one-byte length is refused */
	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = 0;
	CHECK(sslvd_hkdf_expand_label(EVP_sha256(), out, 16, label, NULL, 0, out, 16) == -1);
	return unit_done();
}
