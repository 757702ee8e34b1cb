// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_relay: a test harness for sslvd's building blocks, not the daemon.
 * It listens on a TCP port, and for each connection reads the ClientHello
 * (sslv_tls_parse_client_alpn on a peek), connects to one fixed upstream,
 * handshakes offering what the client offered, verifies the server, forges
 * the client's leaf (box CA when verified, untrusted CA otherwise),
 * handshakes with the client, switches both sockets to kTLS in both
 * directions and relays until both directions end. One line per connection
 * on stdout says what happened. selftests/net/ktls_relay.sh drives it.
 *
 * ktls_relay --listen PORT --connect IP:PORT --ca-cert F --ca-key F
 *            --untrusted-ca-cert F --untrusted-ca-key F [--trust-store F]
 *            [--count N] [--idle-ms MS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cache.h"
#include "client.h"
#include "forge.h"
#include "ktls.h"
#include "log.h"
#include "relay.h"
#include "upstream.h"

struct harness {
	struct sslvd_ca box, untrusted;
	EVP_PKEY *leaf_key;
	struct sslvd_cache *cache;
	SSL_CTX *up_ctx, *cl_ctx;
	struct sockaddr_in upstream;
	int idle_ms;
};

static int usage(void)
{
	fprintf(stderr, "usage: ktls_relay --listen PORT --connect IP:PORT --ca-cert F --ca-key F\n"
		"       --untrusted-ca-cert F --untrusted-ca-key F [--trust-store F]\n"
		"       [--count N] [--idle-ms MS]\n");
	return SSLVD_EX_USAGE;
}

/* The ClientHello, peeked so that OpenSSL reads it again. */
static int peek_hello(int fd, uint8_t *buf, size_t cap, struct sslv_tls_client *h,
		      struct sslv_tls_alpn_wire *alpn)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	enum sslv_tls_res res = SSLV_TLS_MORE;
	ssize_t n = 0, last = -1;

	while (res == SSLV_TLS_MORE) {
		if (n == last && poll(&p, 1, 5000) <= 0)
			return -1;
		last = n;
		n = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return -1;
		if (n < 0) {
			n = last;
			if (poll(&p, 1, 5000) <= 0)
				return -1;
			continue;
		}
		res = sslv_tls_parse_client_alpn(buf, (u32)n, h, alpn);
		if (res == SSLV_TLS_MORE && (size_t)n == cap)
			return -1;
		if (res == SSLV_TLS_MORE && n == last)
			usleep(1000);	/* peek saw nothing new yet */
	}
	return res == SSLV_TLS_DONE ? 0 : -1;
}

static const char *rx_how(const struct sslvd_ktls_info *k)
{
	return k->rx_openssl ? "openssl" : k->rx_derived ? "derived" : "none";
}

static void serve(struct harness *hs, int cfd, int id)
{
	static uint8_t hello[65536], alpn_buf[65536];
	struct sslv_tls_alpn_wire alpn = { .buf = alpn_buf, .cap = sizeof(alpn_buf) };
	struct sslvd_ktls_info kup, kcl;
	struct sslv_tls_client h;
	struct sslvd_verify v;
	struct sslvd_relay r;
	enum sslvd_relay_res res;
	const struct sslvd_ca *ca;
	SSL *up = NULL, *cl = NULL;
	X509 *orig = NULL, *leaf = NULL;
	int ufd = -1;

	if (peek_hello(cfd, hello, sizeof(hello), &h, &alpn) < 0) {
		printf("conn=%d result=no-client-hello\n", id);
		goto out;
	}
	ufd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ufd < 0 || connect(ufd, (struct sockaddr *)&hs->upstream,
			       sizeof(hs->upstream)) < 0) {
		printf("conn=%d result=connect-failed errno=%d\n", id, errno);
		goto out;
	}
	up = sslvd_upstream_new(hs->up_ctx, &h, &alpn);
	if (!up || !SSL_set_fd(up, ufd) || SSL_connect(up) != 1) {
		sslvd_log_ssl("conn %d: upstream handshake failed", id);
		printf("conn=%d result=upstream-handshake-failed\n", id);
		goto out;
	}
	sslvd_upstream_verify(up, &v);
	ca = v.ok ? &hs->box : &hs->untrusted;
	orig = SSL_get1_peer_certificate(up);
	leaf = orig ? sslvd_forge_cached(hs->cache, ca, hs->leaf_key, orig) : NULL;
	if (!leaf) {
		printf("conn=%d result=forge-failed\n", id);
		goto out;
	}
	cl = sslvd_client_new(hs->cl_ctx, up, leaf, hs->leaf_key);
	if (!cl || !SSL_set_fd(cl, cfd) || SSL_accept(cl) != 1) {
		sslvd_log_ssl("conn %d: client handshake failed", id);
		printf("conn=%d verify=%ld ca=%s result=client-handshake-failed\n",
		       id, v.code, ca->name);
		goto out;
	}
	if (sslvd_ktls_finish(up, ufd, &kup) < 0 || sslvd_ktls_finish(cl, cfd, &kcl) < 0) {
		printf("conn=%d result=ktls-failed\n", id);
		goto out;
	}
	if (sslvd_relay_init(&r, cfd, ufd) < 0) {
		printf("conn=%d result=relay-init-failed\n", id);
		goto out;
	}
	res = sslvd_relay_run(&r, hs->idle_ms);
	printf("conn=%d version=%s cipher=%s client_cipher=%s verify=%ld named=%d ca=%s "
	       "up_tx=%s up_rx=%s cl_tx=%s cl_rx=%s c2s=%llu s2c=%llu tickets=%u "
	       "result=%s which=%d err=%d\n",
	       id, SSL_get_version(up), kup.cipher, kcl.cipher, v.code, v.named, ca->name,
	       kup.tx_openssl ? "openssl" : "none", rx_how(&kup),
	       kcl.tx_openssl ? "openssl" : "none", rx_how(&kcl),
	       (unsigned long long)r.dir[0].bytes, (unsigned long long)r.dir[1].bytes,
	       r.dir[1].tickets, sslvd_relay_res_name(res), r.which, r.err);
	sslvd_relay_fini(&r);
out:
	fflush(stdout);
	SSL_free(cl);
	SSL_free(up);
	X509_free(leaf);
	X509_free(orig);
	if (ufd >= 0)
		close(ufd);
	close(cfd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "connect", required_argument, NULL, 'c' },
		{ "ca-cert", required_argument, NULL, 'C' },
		{ "ca-key", required_argument, NULL, 'K' },
		{ "untrusted-ca-cert", required_argument, NULL, 'U' },
		{ "untrusted-ca-key", required_argument, NULL, 'V' },
		{ "trust-store", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "idle-ms", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ca_cert = NULL, *ca_key = NULL, *un_cert = NULL, *un_key = NULL;
	const char *trust = NULL, *connect_to = NULL;
	struct sockaddr_in la = { .sin_family = AF_INET };
	struct harness hs = { .idle_ms = 10000 };
	int port = 0, count = 1, lfd, one = 1, ret, i, c;
	char host[64], *colon;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': port = atoi(optarg); break;
		case 'c': connect_to = optarg; break;
		case 'C': ca_cert = optarg; break;
		case 'K': ca_key = optarg; break;
		case 'U': un_cert = optarg; break;
		case 'V': un_key = optarg; break;
		case 't': trust = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 'i': hs.idle_ms = atoi(optarg); break;
		default: return usage();
		}
	}
	if (port <= 0 || port > 65535 || !connect_to || !ca_cert || !ca_key ||
	    !un_cert || !un_key || count <= 0 || hs.idle_ms <= 0)
		return usage();
	snprintf(host, sizeof(host), "%s", connect_to);
	colon = strrchr(host, ':');
	if (!colon)
		return usage();
	*colon = 0;
	hs.upstream.sin_family = AF_INET;
	hs.upstream.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &hs.upstream.sin_addr) != 1) {
		fprintf(stderr, "ktls_relay: --connect %s: not IPv4:PORT\n", connect_to);
		return SSLVD_EX_USAGE;
	}

	ret = sslvd_ca_load(&hs.box, "box CA", ca_cert, ca_key);
	if (ret)
		return ret;
	ret = sslvd_ca_load(&hs.untrusted, "untrusted CA", un_cert, un_key);
	if (ret)
		return ret;
	hs.up_ctx = sslvd_upstream_ctx_new(trust, &ret);
	if (!hs.up_ctx)
		return ret;
	hs.cl_ctx = sslvd_client_ctx_new();
	hs.leaf_key = sslvd_leaf_key_new();
	hs.cache = sslvd_cache_new(1024);
	if (!hs.cl_ctx || !hs.leaf_key || !hs.cache)
		return SSLVD_EX_TLS;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	la.sin_port = htons((uint16_t)port);
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&la, sizeof(la)) || listen(lfd, 16)) {
		fprintf(stderr, "ktls_relay: listen on port %d: %s\n", port, strerror(errno));
		return SSLVD_EX_FAIL;
	}
	printf("listening port=%d\n", port);
	fflush(stdout);
	for (i = 1; i <= count; i++) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0) {
			fprintf(stderr, "ktls_relay: accept: %s\n", strerror(errno));
			return SSLVD_EX_FAIL;
		}
		serve(&hs, cfd, i);
	}
	close(lfd);
	sslvd_cache_free(hs.cache);
	EVP_PKEY_free(hs.leaf_key);
	SSL_CTX_free(hs.cl_ctx);
	SSL_CTX_free(hs.up_ctx);
	sslvd_ca_free(&hs.box);
	sslvd_ca_free(&hs.untrusted);
	return 0;
}
