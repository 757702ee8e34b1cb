// SPDX-License-Identifier: GPL-2.0
/* kTLS installation and record I/O, see ktls.h. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/tls.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "ktls.h"
#include "log.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define SECRET_MAX 48		/* SHA-384 */

/* The application traffic secrets as the keylog callback sees them. */
struct secrets {
	uint8_t client[SECRET_MAX], server[SECRET_MAX];
	size_t client_len, server_len;
};

static int ex_secrets = -1;

static void secrets_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
			 long argl, void *argp)
{
	if (ptr) {
		OPENSSL_cleanse(ptr, sizeof(struct secrets));
		free(ptr);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "LABEL <client_random hex> <secret hex>" */
static void keylog(const SSL *ssl, const char *line)
{
	struct secrets *s = SSL_get_ex_data(ssl, ex_secrets);
	const char *p;
	uint8_t *dst;
	size_t *len, n = 0;
	int hi, lo;

	if (!s)
		return;
	if (!strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24)) {
		dst = s->client;
		len = &s->client_len;
	} else if (!strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24)) {
		dst = s->server;
		len = &s->server_len;
	} else {
		return;
	}
	p = strchr(line + 24, ' ');
	if (!p)
		return;
	for (p++; p[0] && p[1] && n < SECRET_MAX; p += 2) {
		hi = hexval(p[0]);
		lo = hexval(p[1]);
		if (hi < 0 || lo < 0)
			return;
		dst[n++] = (uint8_t)(hi << 4 | lo);
	}
	*len = n;
}

int sslvd_ktls_ctx(SSL_CTX *ctx)
{
	if (ex_secrets < 0)
		ex_secrets = SSL_get_ex_new_index(0, NULL, NULL, NULL, secrets_free);
	if (ex_secrets < 0) {
		sslvd_log_ssl("ktls: no ex_data index");
		return -1;
	}
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	SSL_CTX_set_read_ahead(ctx, 0);
	SSL_CTX_set_keylog_callback(ctx, keylog);
	return 0;
}

int sslvd_ktls_ssl(SSL *ssl)
{
	struct secrets *s = calloc(1, sizeof(*s));

	if (!s || !SSL_set_ex_data(ssl, ex_secrets, s)) {
		free(s);
		sslvd_log_ssl("ktls: cannot keep the traffic secrets");
		return -1;
	}
	return 0;
}

int sslvd_hkdf_expand_label(const EVP_MD *md, const uint8_t *secret, size_t secret_len,
			    const char *label, const uint8_t *context, size_t context_len,
			    uint8_t *out, size_t out_len)
{
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t llen = 6 + strlen(label), n = 0;
	OSSL_PARAM params[5], *p = params;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, ret = -1;
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf;

	if (llen > 255 || context_len > 255 || out_len > 0xffff) {
		sslvd_log("hkdf: label or context too long");
		return -1;
	}
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)llen;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, llen - 6);
	n += llen;
	info[n++] = (uint8_t)context_len;
	if (context_len)
		memcpy(info + n, context, context_len);
	n += context_len;

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf)
		kctx = EVP_KDF_CTX_new(kdf);
	if (!kctx)
		goto out;
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)EVP_MD_get0_name(md), 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
						 secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, out_len, params) == 1)
		ret = 0;
out:
	if (ret)
		sslvd_log_ssl("hkdf: HKDF-Expand-Label \"%s\" failed", label);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	OPENSSL_cleanse(info, sizeof(info));
	return ret;
}

static int set_ulp(int fd)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) < 0 &&
	    errno != EEXIST) {
		sslvd_log("ktls: TCP_ULP tls: %s (is the tls module loaded?)",
			  strerror(errno));
		return -1;
	}
	return 0;
}

union crypto_info {
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

/* TLS 1.3 RX from the peer's application traffic secret. */
static int rx_tls13(SSL *ssl, int fd)
{
	struct secrets *s = SSL_get_ex_data(ssl, ex_secrets);
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	uint8_t key[32], iv[12];
	const uint8_t *secret;
	union crypto_info ci;
	size_t klen, slen, cilen;
	const EVP_MD *md;
	int ret = -1;

	if (!s || !c)
		return -1;
	if (SSL_has_pending(ssl)) {
		sslvd_log("ktls: OpenSSL holds bytes past the handshake, cannot set TLS 1.3 RX");
		return -1;
	}
	secret = SSL_is_server(ssl) ? s->client : s->server;
	slen = SSL_is_server(ssl) ? s->client_len : s->server_len;
	memset(&ci, 0, sizeof(ci));
	switch (SSL_CIPHER_get_protocol_id(c)) {
	case 0x1301:
		md = EVP_sha256();
		klen = 16;
		ci.gcm128.info.cipher_type = TLS_CIPHER_AES_GCM_128;
		cilen = sizeof(ci.gcm128);
		break;
	case 0x1302:
		md = EVP_sha384();
		klen = 32;
		ci.gcm256.info.cipher_type = TLS_CIPHER_AES_GCM_256;
		cilen = sizeof(ci.gcm256);
		break;
	case 0x1303:
		md = EVP_sha256();
		klen = 32;
		ci.chacha.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		cilen = sizeof(ci.chacha);
		break;
	default:
		sslvd_log("ktls: no kTLS for cipher %s", SSL_CIPHER_get_name(c));
		return -1;
	}
	if (slen != (size_t)EVP_MD_get_size(md)) {
		sslvd_log("ktls: the keylog callback gave no %s traffic secret",
			  SSL_is_server(ssl) ? "client" : "server");
		return -1;
	}
	if (sslvd_hkdf_expand_label(md, secret, slen, "key", NULL, 0, key, klen) ||
	    sslvd_hkdf_expand_label(md, secret, slen, "iv", NULL, 0, iv, sizeof(iv)))
		goto out;
	ci.gcm128.info.version = TLS_1_3_VERSION;	/* same place in each */
	switch (ci.gcm128.info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		memcpy(ci.gcm128.key, key, 16);
		memcpy(ci.gcm128.salt, iv, 4);
		memcpy(ci.gcm128.iv, iv + 4, 8);
		break;
	case TLS_CIPHER_AES_GCM_256:
		memcpy(ci.gcm256.key, key, 32);
		memcpy(ci.gcm256.salt, iv, 4);
		memcpy(ci.gcm256.iv, iv + 4, 8);
		break;
	default:
		memcpy(ci.chacha.key, key, 32);
		memcpy(ci.chacha.iv, iv, 12);
		break;
	}
	/* rec_seq stays 0: the first record after the peer's Finished */
	if (set_ulp(fd) < 0)
		goto out;
	if (setsockopt(fd, SOL_TLS, TLS_RX, &ci, (socklen_t)cilen) < 0) {
		sslvd_log("ktls: TLS_RX (TLS 1.3, %s): %s", SSL_CIPHER_get_name(c),
			  strerror(errno));
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	OPENSSL_cleanse(&ci, sizeof(ci));
	OPENSSL_cleanse(s, sizeof(*s));
	return ret;
}

int sslvd_ktls_finish(SSL *ssl, int fd, struct sslvd_ktls_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = SSL_version(ssl);
	info->cipher = SSL_get_cipher_name(ssl);
	info->tx_openssl = BIO_get_ktls_send(SSL_get_wbio(ssl)) > 0;
	info->rx_openssl = BIO_get_ktls_recv(SSL_get_rbio(ssl)) > 0;
	if (!info->tx_openssl) {
		sslvd_log("ktls: OpenSSL did not install TX (%s, %s)",
			  SSL_get_version(ssl), info->cipher);
		return -1;
	}
	if (info->rx_openssl)
		return 0;
	if (info->version != TLS1_3_VERSION) {
		sslvd_log("ktls: OpenSSL did not install RX (%s, %s)",
			  SSL_get_version(ssl), info->cipher);
		return -1;
	}
	if (rx_tls13(ssl, fd) < 0)
		return -1;
	info->rx_derived = 1;
	return 0;
}

/* room for one record-type cmsg, aligned for struct cmsghdr, zeroed */
union ktls_cmsg {
	char buf[CMSG_SPACE(sizeof(uint8_t))];
	struct cmsghdr align;
};

ssize_t sslvd_ktls_recv(int fd, void *buf, size_t len, uint8_t *type)
{
	union ktls_cmsg cbuf = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return n;
	*type = SSLVD_CT_DATA;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_TLS && cm->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *(uint8_t *)CMSG_DATA(cm);
	return n;
}

ssize_t sslvd_ktls_send_type(int fd, const void *buf, size_t len, uint8_t type)
{
	union ktls_cmsg cbuf = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(sizeof(uint8_t));
	*(uint8_t *)CMSG_DATA(cm) = type;
	return sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int sslvd_ktls_close_notify(int fd)
{
	static const uint8_t alert[2] = { 1, 0 };	/* warning, close_notify */

	return sslvd_ktls_send_type(fd, alert, sizeof(alert), SSLVD_CT_ALERT) == 2 ? 0 : -1;
}
