// SPDX-License-Identifier: GPL-2.0
/* The upstream leg, see upstream.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ktls.h"
#include "log.h"
#include "upstream.h"

static int trust_store_load(SSL_CTX *ctx, const char *file)
{
	STACK_OF(X509_OBJECT) *objs;
	FILE *f = fopen(file, "r");

	if (!f) {
		sslvd_log("trust store %s: %s", file, strerror(errno));
		return SSLVD_EX_TRUST_STORE;
	}
	fclose(f);
	if (SSL_CTX_load_verify_file(ctx, file) != 1) {
		sslvd_log_ssl("trust store %s: no PEM certificate", file);
		return SSLVD_EX_TRUST_STORE;
	}
	objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
	if (!objs || sk_X509_OBJECT_num(objs) < 1) {
		sslvd_log("trust store %s: no certificate", file);
		return SSLVD_EX_TRUST_STORE;
	}
	return SSLVD_OK;
}

SSL_CTX *sslvd_upstream_ctx_new(const char *trust_store, int *status)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	*status = SSLVD_EX_TLS;
	if (!ctx) {
		sslvd_log_ssl("upstream: cannot make a TLS client context");
		return NULL;
	}
	if (trust_store) {
		*status = trust_store_load(ctx, trust_store);
		if (*status != SSLVD_OK)
			goto fail;
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		sslvd_log_ssl("upstream: cannot load the system trust store");
		*status = SSLVD_EX_TRUST_STORE;
		goto fail;
	}
	/* verify, keep the result, and let the caller's policy decide */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (sslvd_ktls_ctx(ctx) < 0) {
		*status = SSLVD_EX_TLS;
		goto fail;
	}
	*status = SSLVD_OK;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* The OpenSSL version of a wire version: 0 for what is too old. */
static int ossl_version(u16 v)
{
	switch (v) {
	case SSLV_TLS_VER_TLS10:
		return TLS1_VERSION;
	case SSLV_TLS_VER_TLS11:
		return TLS1_1_VERSION;
	case SSLV_TLS_VER_TLS12:
		return TLS1_2_VERSION;
	case SSLV_TLS_VER_TLS13:
		return TLS1_3_VERSION;
	}
	return v > SSLV_TLS_VER_TLS13 && v < 0x0400 ? TLS1_3_VERSION : 0;
}

static int hello_versions(SSL *ssl, const struct sslv_tls_client *h)
{
	int lo = 0, hi, v, i;

	hi = ossl_version(h->max_version);
	if ((h->flags & SSLV_TLS_C_VERSIONS) && h->n_versions) {
		for (i = 0; i < h->n_versions; i++) {
			v = ossl_version(h->versions[i]);
			if (v && (!lo || v < lo))
				lo = v;
		}
	}
	if (!hi) {
		sslvd_log("upstream: the client offers no version above SSLv3 (0x%04x)",
			  h->max_version);
		return 0;
	}
	if (lo && !SSL_set_min_proto_version(ssl, lo))
		return 0;
	return SSL_set_max_proto_version(ssl, hi);
}

SSL *sslvd_upstream_new(SSL_CTX *ctx, const struct sslv_tls_client *hello,
			const struct sslv_tls_alpn_wire *alpn)
{
	char name[SSLV_TLS_SNI_MAX + 1];
	SSL *ssl = SSL_new(ctx);

	if (!ssl) {
		sslvd_log_ssl("upstream: cannot make an SSL");
		return NULL;
	}
	if (!hello_versions(ssl, hello))
		goto fail;
	if ((hello->flags & SSLV_TLS_C_SNI) && !(hello->flags & SSLV_TLS_C_SNI_LONG)) {
		memcpy(name, hello->sni, hello->sni_len);
		name[hello->sni_len] = 0;
		if (strlen(name) != hello->sni_len) {
			sslvd_log("upstream: server_name holds a NUL byte");
			goto fail;
		}
		if (!SSL_set_tlsext_host_name(ssl, name) || !SSL_set1_host(ssl, name))
			goto fail;
	}
	if (alpn && alpn->len && SSL_set_alpn_protos(ssl, alpn->buf, alpn->len))
		goto fail;
	if (sslvd_ktls_ssl(ssl) < 0)
		goto fail;
	return ssl;
fail:
	sslvd_log_ssl("upstream: cannot offer what the client offered");
	SSL_free(ssl);
	return NULL;
}

void sslvd_upstream_verify(SSL *ssl, struct sslvd_verify *v)
{
	X509_VERIFY_PARAM *p = SSL_get0_param(ssl);

	v->code = SSL_get_verify_result(ssl);
	if (v->code == X509_V_OK && !SSL_get0_peer_certificate(ssl))
		v->code = X509_V_ERR_UNSPECIFIED;
	v->ok = v->code == X509_V_OK;
	v->named = p && X509_VERIFY_PARAM_get0_host(p, 0);
	v->text = X509_verify_cert_error_string(v->code);
}
