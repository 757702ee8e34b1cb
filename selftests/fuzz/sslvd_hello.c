// SPDX-License-Identifier: GPL-2.0
/*
 * sslvd's handling of a client's ClientHello, fed any bytes: what the
 * daemon does between its peek and the upstream handshake (daemon.c
 * st_hello, st_verdict, st_up_hs), with the daemon's own buffer sizes.
 *
 * The input is what the peek saw (at most SSLVD_HELLO_CAP bytes), copied
 * to a buffer of exactly that size and the ALPN list to one of
 * SSLVD_ALPN_CAP, so that AddressSanitizer sees a read or write past
 * either. It is parsed with the module's parser (kmod/lib/tls.c); a whole
 * hello becomes the upstream SSL (sslvd_upstream_new: SNI, ALPN list,
 * version range), whose own ClientHello is then made into a memory BIO and
 * parsed back. Properties, a violation aborting like a crash:
 * - the lengths kept fit the report's and the daemon's buffers;
 * - a hello sslvd could not turn into an upstream SSL is refused, never
 *   half-made;
 * - the upstream hello is a whole ClientHello offering the client's server
 *   name and, byte for byte, its ALPN list, and no version above the
 *   client's highest.
 *
 * Built as a libFuzzer target (selftests/fuzz, `make run-sslvd`) and run
 * by `make unit` over the recorded hellos and their mutations
 * (selftests/unit/sslvd_hello_test.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "log.h"
#include "tls.h"
#include "upstream.h"

#define PROPERTY(x) do { if (!(x)) abort(); } while (0)

static SSL_CTX *hello_ctx;
/* inputs that parsed as a whole hello, made an upstream SSL, a hello */
static unsigned long hello_done, hello_up, hello_sent;

/*
 * The upstream ClientHello @up makes, into @out: its length, or 0 when
 * OpenSSL refuses to start (e.g. only versions its configuration rules
 * out: the daemon ends such a session as a failed handshake).
 */
static size_t upstream_hello(SSL *up, uint8_t *out, size_t cap)
{
	BIO *rd = BIO_new(BIO_s_mem()), *wr = BIO_new(BIO_s_mem());
	int n, ret;

	PROPERTY(rd && wr);
	BIO_set_mem_eof_return(rd, -1);	/* nothing yet: retry, not EOF */
	SSL_set_bio(up, rd, wr);
	ret = SSL_connect(up);
	PROPERTY(ret != 1);
	if (SSL_get_error(up, ret) != SSL_ERROR_WANT_READ) {
		ERR_clear_error();
		return 0;
	}
	n = BIO_read(wr, out, (int)cap);
	PROPERTY(n > 0);
	return (size_t)n;
}

static u16 wire_version(int v)
{
	return v == TLS1_3_VERSION ? SSLV_TLS_VER_TLS13 :
	       v == TLS1_2_VERSION ? SSLV_TLS_VER_TLS12 :
	       v == TLS1_1_VERSION ? SSLV_TLS_VER_TLS11 : SSLV_TLS_VER_TLS10;
}

int sslvd_hello_one(const uint8_t *data, size_t size)
{
	size_t n = size < SSLVD_HELLO_CAP ? size : SSLVD_HELLO_CAP;
	uint8_t *hello = malloc(n ? n : 1), *alpn_buf = malloc(SSLVD_ALPN_CAP);
	struct sslv_tls_alpn_wire alpn = { .buf = alpn_buf, .cap = SSLVD_ALPN_CAP };
	struct sslv_tls_client h, u;
	struct sslv_tls_alpn_wire ualpn;
	static uint8_t out[65536], ubuf[SSLVD_ALPN_CAP];
	enum sslv_tls_res res;
	size_t olen;
	SSL *up;

	PROPERTY(hello && alpn_buf);
	if (!hello_ctx) {
		int status;

		sslvd_log_quiet(1);
		/* the daemon's context, trusting the system's store */
		hello_ctx = sslvd_upstream_ctx_new(NULL, &status);
		PROPERTY(hello_ctx);
	}
	memcpy(hello, data, n);
	res = sslv_tls_parse_client_alpn(hello, (u32)n, &h, &alpn);
	PROPERTY(alpn.len <= alpn.cap);
	if (res != SSLV_TLS_DONE)
		goto out;
	hello_done++;
	/* what the report copies (kernel.h: sni[255], alpn[255]) */
	PROPERTY(h.sni_len <= 255);
	PROPERTY(h.n_alpn == 0 || h.alpn[0].len <= 255);

	up = sslvd_upstream_new(hello_ctx, &h, &alpn);
	if (!up)
		goto out;
	hello_up++;
	olen = upstream_hello(up, out, sizeof(out));
	if (!olen)
		goto free_up;
	hello_sent++;
	ualpn = (struct sslv_tls_alpn_wire){ .buf = ubuf, .cap = sizeof(ubuf) };
	PROPERTY(sslv_tls_parse_client_alpn(out, (u32)olen, &u, &ualpn) == SSLV_TLS_DONE);
	if ((h.flags & SSLV_TLS_C_SNI) && !(h.flags & SSLV_TLS_C_SNI_LONG)) {
		PROPERTY(u.flags & SSLV_TLS_C_SNI);
		PROPERTY(u.sni_len == h.sni_len && !memcmp(u.sni, h.sni, h.sni_len));
	} else {
		PROPERTY(!(u.flags & SSLV_TLS_C_SNI));
	}
	if (alpn.len) {
		PROPERTY(ualpn.len == alpn.len && !memcmp(ualpn.buf, alpn.buf, alpn.len));
	} else {
		PROPERTY(!(u.flags & SSLV_TLS_C_ALPN));
	}
	PROPERTY(u.max_version <= SSLV_TLS_VER_TLS13);
	PROPERTY(u.max_version == wire_version(SSL_get_max_proto_version(up)));
free_up:
	SSL_free(up);
out:
	free(hello);
	free(alpn_buf);
	return 0;
}

#ifdef SSLVD_HELLO_FUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sslvd_hello_one(data, size);
}
#endif
