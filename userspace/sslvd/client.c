// SPDX-License-Identifier: GPL-2.0
/* The client-facing leg, see client.h. */
#include <string.h>

#include "client.h"
#include "ktls.h"
#include "log.h"

static int ex_upstream = -1;

/* Answer with the upstream's choice; no ALPN when it chose none. */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	SSL *up = SSL_get_ex_data(ssl, ex_upstream);
	const unsigned char *sel = NULL;
	unsigned int len = 0, i;

	if (!up)
		return SSL_TLSEXT_ERR_NOACK;
	SSL_get0_alpn_selected(up, &sel, &len);
	if (!sel || !len)
		return SSL_TLSEXT_ERR_NOACK;
	for (i = 0; i < inlen; i += 1 + in[i]) {
		if (in[i] == len && i + 1 + len <= inlen && !memcmp(in + i + 1, sel, len)) {
			*out = in + i + 1;
			*outlen = (unsigned char)len;
			return SSL_TLSEXT_ERR_OK;
		}
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;	/* the client never offered it */
}

SSL_CTX *sslvd_client_ctx_new(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ex_upstream < 0)
		ex_upstream = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (!ctx || ex_upstream < 0) {
		sslvd_log_ssl("client: cannot make a TLS server context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!SSL_CTX_set_num_tickets(ctx, 0) || sslvd_ktls_ctx(ctx) < 0) {
		sslvd_log_ssl("client: cannot set up the TLS server context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* no resumption toward the client: no tickets, no session cache */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	return ctx;
}

SSL *sslvd_client_new(SSL_CTX *ctx, SSL *up, X509 *leaf, EVP_PKEY *leaf_key)
{
	SSL *ssl = SSL_new(ctx);
	int v = SSL_version(up);

	if (!ssl)
		goto fail;
	if (!SSL_set_ex_data(ssl, ex_upstream, up) ||
	    SSL_use_certificate(ssl, leaf) != 1 ||
	    SSL_use_PrivateKey(ssl, leaf_key) != 1 ||
	    !SSL_set_min_proto_version(ssl, v) || !SSL_set_max_proto_version(ssl, v) ||
	    sslvd_ktls_ssl(ssl) < 0)
		goto fail;
	return ssl;
fail:
	sslvd_log_ssl("client: cannot make the client-facing SSL");
	SSL_free(ssl);
	return NULL;
}
