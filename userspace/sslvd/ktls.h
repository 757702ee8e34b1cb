/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Switching a TLS socket to kernel TLS once its handshake is done, in both
 * directions, and reading the records the kernel hands up.
 *
 * OpenSSL 3.0 (SSL_OP_ENABLE_KTLS) installs TLS 1.2 TX and RX and TLS 1.3
 * TX itself. TLS 1.3 RX it does not: sslvd keeps the peer's application
 * traffic secret from the keylog callback, derives key and iv with
 * HKDF-Expand-Label (RFC 8446 7.1, 7.3) and sets TLS_RX with record
 * sequence 0, which is right only when OpenSSL has read nothing past the
 * peer's Finished (read_ahead off, nothing pending: checked).
 */
#ifndef SSLVD_KTLS_H
#define SSLVD_KTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

/* Record content types (RFC 8446 5.1) and handshake message types. */
#define SSLVD_CT_ALERT		21
#define SSLVD_CT_HANDSHAKE	22
#define SSLVD_CT_DATA		23
#define SSLVD_HS_NEW_SESSION_TICKET	4
#define SSLVD_HS_KEY_UPDATE		24

/* kTLS on, read_ahead off, the keylog callback: 0, or -1 (logged). */
int sslvd_ktls_ctx(SSL_CTX *ctx);

/* Room for the traffic secrets of @ssl: 0, or -1 (logged). */
int sslvd_ktls_ssl(SSL *ssl);

struct sslvd_ktls_info {
	int version;		/* TLS1_2_VERSION, TLS1_3_VERSION */
	const char *cipher;	/* OpenSSL's name */
	int tx_openssl;		/* TX installed by OpenSSL */
	int rx_openssl;		/* RX installed by OpenSSL (TLS 1.2) */
	int rx_derived;		/* RX installed here from the secret (TLS 1.3) */
};

/*
 * After SSL_do_handshake succeeded on @ssl over socket @fd: TX and RX both
 * in the kernel. 0 with @info filled, or -1 (logged, naming the direction
 * that failed). The socket then carries plaintext: read and write @fd
 * directly (sslvd_ktls_recv for control records), not through @ssl.
 */
int sslvd_ktls_finish(SSL *ssl, int fd, struct sslvd_ktls_info *info);

/*
 * HKDF-Expand-Label(secret, label, context, length) of RFC 8446 7.1 with
 * hash @md: "tls13 " is prefixed to @label here. 0, or -1 (logged).
 */
int sslvd_hkdf_expand_label(const EVP_MD *md, const uint8_t *secret, size_t secret_len,
			    const char *label, const uint8_t *context, size_t context_len,
			    uint8_t *out, size_t out_len);

/*
 * recvmsg on a kTLS RX socket: one record's plaintext (or its first @len
 * bytes) into @buf, its content type in *@type (the TLS_GET_RECORD_TYPE
 * cmsg, SSLVD_CT_DATA without one). Returns bytes, 0 at EOF, -1 with errno.
 */
ssize_t sslvd_ktls_recv(int fd, void *buf, size_t len, uint8_t *type);

/* Sends a record of @type through kTLS TX (TLS_SET_RECORD_TYPE). */
ssize_t sslvd_ktls_send_type(int fd, const void *buf, size_t len, uint8_t type);

/* The close_notify alert through kTLS TX. */
int sslvd_ktls_close_notify(int fd);

#endif /* SSLVD_KTLS_H */
