// SPDX-License-Identifier: GPL-2.0
/*
 * sslvd's upstream leg against an in-memory server (a BIO pair, no
 * sockets): the verification result it exposes for a good chain, an
 * expired certificate, a self-signed one, an unknown issuer and a wrong
 * name; what it offers (the client's SNI, ALPN list and versions); and a
 * trust store that cannot be read.
 */
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "unit.h"
#include "sslvd_util.h"

#include "log.h"
#include "upstream.h"

static char trust[] = "/tmp/sslvd_unit_trust_XXXXXX";
static X509 *ca_cert;
static EVP_PKEY *ca_key, *srv_key;

/* What the server saw of the hello. */
static unsigned char seen_alpn[256];
static unsigned int seen_alpn_len;
static char seen_sni[256];

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	memcpy(seen_alpn, in, inlen < sizeof(seen_alpn) ? inlen : sizeof(seen_alpn));
	seen_alpn_len = inlen;
	snprintf(seen_sni, sizeof(seen_sni), "%s", sni ? sni : "");
	*out = in + 1;
	*outlen = in[0];
	return SSL_TLSEXT_ERR_OK;
}

/* A handshake of sslvd's upstream SSL with a server showing @cert. */
static SSL *handshake(SSL_CTX *up_ctx, X509 *cert, const struct sslv_tls_client *h,
		      const struct sslv_tls_alpn_wire *alpn)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL *srv, *cli;
	BIO *b1, *b2;
	int i, rc, rs, done_c = 0, done_s = 0;

	SSL_CTX_use_certificate(sctx, cert);
	SSL_CTX_use_PrivateKey(sctx, srv_key);
	SSL_CTX_set_alpn_select_cb(sctx, alpn_cb, NULL);
	srv = SSL_new(sctx);
	cli = sslvd_upstream_new(up_ctx, h, alpn);
	if (!cli) {
		SSL_free(srv);
		SSL_CTX_free(sctx);
		return NULL;
	}
	BIO_new_bio_pair(&b1, 0, &b2, 0);
	SSL_set_bio(cli, b1, b1);
	SSL_set_bio(srv, b2, b2);
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	for (i = 0; i < 100 && !(done_c && done_s); i++) {
		rc = SSL_do_handshake(cli);
		rs = SSL_do_handshake(srv);
		done_c = rc == 1;
		done_s = rs == 1;
	}
	SSL_free(srv);
	SSL_CTX_free(sctx);
	if (!done_c) {
		SSL_free(cli);
		return NULL;
	}
	return cli;
}

static struct sslv_tls_client hello(const char *sni, u16 lo, u16 hi)
{
	struct sslv_tls_client h;

	memset(&h, 0, sizeof(h));
	h.flags = SSLV_TLS_C_VERSIONS;
	h.max_version = hi;
	h.versions[h.n_versions++] = hi;
	if (lo != hi)
		h.versions[h.n_versions++] = lo;
	if (sni) {
		h.flags |= SSLV_TLS_C_SNI;
		h.sni_len = (u8)strlen(sni);
		memcpy(h.sni, sni, h.sni_len);
	}
	return h;
}

static long verify_code(SSL_CTX *ctx, X509 *cert, const char *sni)
{
	struct sslv_tls_client h = hello(sni, 0x0303, 0x0304);
	struct sslvd_verify v;
	SSL *ssl = handshake(ctx, cert, &h, NULL);

	if (!ssl)
		return -1;
	sslvd_upstream_verify(ssl, &v);
	SSL_free(ssl);
	if (v.ok != (v.code == X509_V_OK) || !v.text || v.named != !!sni)
		return -2;
	return v.code;
}

static void test_verify(SSL_CTX *ctx)
{
	EVP_PKEY *other_key = t_key();
	X509 *other_ca = t_cert("other CA", other_key, NULL, NULL, 1, NULL, -10, 3000);
	X509 *good = t_cert("server.test", srv_key, ca_cert, ca_key, 0,
			    "DNS:server.test,IP:127.0.0.1", -1, 30);
	X509 *expired = t_cert("server.test", srv_key, ca_cert, ca_key, 0,
			       "DNS:server.test", -30, -1);
	X509 *self = t_cert("server.test", srv_key, NULL, NULL, 0, "DNS:server.test", -1, 30);
	X509 *foreign = t_cert("server.test", srv_key, other_ca, other_key, 0,
			       "DNS:server.test", -1, 30);

	CHECK(verify_code(ctx, good, "server.test") == X509_V_OK);
	CHECK(verify_code(ctx, good, NULL) == X509_V_OK);	/* chain only */
	CHECK(verify_code(ctx, expired, "server.test") == X509_V_ERR_CERT_HAS_EXPIRED);
	CHECK(verify_code(ctx, self, "server.test") == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	CHECK(verify_code(ctx, foreign, "server.test") ==
	      X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	CHECK(verify_code(ctx, good, "other.test") == X509_V_ERR_HOSTNAME_MISMATCH);
	X509_free(good);
	X509_free(expired);
	X509_free(self);
	X509_free(foreign);
	X509_free(other_ca);
	EVP_PKEY_free(other_key);
}

/* The upstream hello carries the client's SNI, ALPN list and versions. */
static void test_offer(SSL_CTX *ctx)
{
	static const u8 list[] = "\x02h2\x08http/1.1\x03" "foo";
	u8 buf[sizeof(list)];
	struct sslv_tls_alpn_wire alpn = { .buf = buf, .cap = sizeof(buf) };
	X509 *good = t_cert("server.test", srv_key, ca_cert, ca_key, 0,
			    "DNS:server.test", -1, 30);
	struct sslv_tls_client h;
	const unsigned char *sel;
	unsigned int sel_len;
	SSL *ssl;

	memcpy(buf, list, sizeof(list) - 1);
	alpn.len = sizeof(list) - 1;
	h = hello("server.test", 0x0303, 0x0304);
	ssl = handshake(ctx, good, &h, &alpn);
	CHECK(ssl != NULL);
	CHECK(seen_alpn_len == alpn.len && !memcmp(seen_alpn, list, alpn.len));
	CHECK(!strcmp(seen_sni, "server.test"));
	CHECK(ssl && SSL_version(ssl) == TLS1_3_VERSION);
	if (ssl) {
		SSL_get0_alpn_selected(ssl, &sel, &sel_len);
		CHECK(sel_len == 2 && !memcmp(sel, "h2", 2));
	}
	SSL_free(ssl);

	/* a TLS 1.2-only client: TLS 1.2 upstream */
	h = hello("server.test", 0x0303, 0x0303);
	ssl = handshake(ctx, good, &h, NULL);
	CHECK(ssl && SSL_version(ssl) == TLS1_2_VERSION);
	SSL_free(ssl);

	/* an SSLv3-only client: nothing to offer upstream */
	h = hello("server.test", 0x0300, 0x0300);
	CHECK(sslvd_upstream_new(ctx, &h, NULL) == NULL);
	X509_free(good);
}

static void test_trust_store_errors(void)
{
	char empty[] = "/tmp/sslvd_unit_empty_XXXXXX";
	SSL_CTX *ctx;
	int status = 0, fd;

	ctx = sslvd_upstream_ctx_new("/nonexistent/trust.pem", &status);
	CHECK(ctx == NULL && status == SSLVD_EX_TRUST_STORE);
	fd = mkstemp(empty);
	CHECK(fd >= 0 && write(fd, "not a certificate\n", 18) == 18);
	close(fd);
	ctx = sslvd_upstream_ctx_new(empty, &status);
	CHECK(ctx == NULL && status == SSLVD_EX_TRUST_STORE);
	unlink(empty);
	ctx = sslvd_upstream_ctx_new(NULL, &status);	/* the system's */
	CHECK(ctx != NULL && status == SSLVD_OK);
	SSL_CTX_free(ctx);
}

int main(void)
{
	SSL_CTX *ctx;
	int status = -1, fd;

	sslvd_log_quiet(1);
	ca_key = t_key();
	srv_key = t_key();
	ca_cert = t_cert("sslv unit server CA", ca_key, NULL, NULL, 1, NULL, -10, 3000);
	fd = mkstemp(trust);
	close(fd);
	t_write(trust, ca_cert, NULL);

	ctx = sslvd_upstream_ctx_new(trust, &status);
	CHECK(ctx != NULL && status == SSLVD_OK);
	if (ctx) {
		test_verify(ctx);
		test_offer(ctx);
	}
	test_trust_store_errors();

	SSL_CTX_free(ctx);
	unlink(trust);
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	return unit_done();
}
