/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client-facing leg: sslvd as the TLS server the client believes it
 * talks to, showing a forged leaf and answering with what the upstream leg
 * negotiated (the same version, the ALPN protocol the server chose).
 */
#ifndef SSLVD_CLIENT_H
#define SSLVD_CLIENT_H

#include <openssl/ssl.h>

/*
 * A server context: no session tickets (SSL_CTX_set_num_tickets(0): the
 * kTLS TX leg would otherwise carry them after the handshake and nothing
 * resumes them), kTLS prepared. NULL (logged) when OpenSSL fails.
 */
SSL_CTX *sslvd_client_ctx_new(void);

/*
 * An SSL for the client of the flow whose upstream leg is @up (handshake
 * done): @leaf over @leaf_key, the version @up negotiated and no other, its
 * ALPN protocol when it chose one. NULL (logged) when OpenSSL fails.
 */
SSL *sslvd_client_new(SSL_CTX *ctx, SSL *up, X509 *leaf, EVP_PKEY *leaf_key);

#endif /* SSLVD_CLIENT_H */
