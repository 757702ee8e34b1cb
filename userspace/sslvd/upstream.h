/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The upstream leg: sslvd as the TLS client of the real server, offering
 * what the client offered (SNI, the whole ALPN list, the version range) and
 * verifying the server's chain against a trust store and the server name.
 *
 * Verification never fails the handshake: the result is kept for the
 * policy (upstream-invalid reject|untrusted|cut), decided by the caller,
 * which also picks the CA that signs the client's leaf from it.
 */
#ifndef SSLVD_UPSTREAM_H
#define SSLVD_UPSTREAM_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "types.h"
#include "tls.h"

/*
 * What the daemon reads of a client's ClientHello: it peeks at most
 * SSLVD_HELLO_CAP bytes (a larger hello is not read as one) and keeps at
 * most SSLVD_ALPN_CAP bytes of its ALPN list, for sslvd_upstream_new().
 */
#define SSLVD_HELLO_CAP	32768
#define SSLVD_ALPN_CAP	4096

/*
 * A client context trusting @trust_store (a PEM file of certificates), or
 * the system's default paths when NULL. NULL with *status set to
 * SSLVD_EX_TRUST_STORE (the file is unreadable or holds no certificate,
 * logged naming it) or SSLVD_EX_TLS. kTLS is prepared (ktls.h).
 */
SSL_CTX *sslvd_upstream_ctx_new(const char *trust_store, int *status);

/*
 * An SSL for the server the client @hello (as parsed by
 * sslv_tls_parse_client_alpn, with its ALPN list @alpn) asked for: its
 * server_name as SNI and as the name verified, its ALPN list, its version
 * range (the lowest and highest of supported_versions, else up to
 * legacy_version). NULL (logged) for a hello only SSLv3 or older would
 * answer, or when OpenSSL fails.
 */
SSL *sslvd_upstream_new(SSL_CTX *ctx, const struct sslv_tls_client *hello,
			const struct sslv_tls_alpn_wire *alpn);

struct sslvd_verify {
	long code;		/* X509_V_OK or X509_V_ERR_* */
	bool ok;
	bool named;		/* a name was checked (the hello had SNI) */
	const char *text;	/* X509_verify_cert_error_string(code) */
};

/* After the handshake: the chain and name verification result. */
void sslvd_upstream_verify(SSL *ssl, struct sslvd_verify *v);

#endif /* SSLVD_UPSTREAM_H */
