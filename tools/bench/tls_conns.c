// SPDX-License-Identifier: GPL-2.0
/*
 * TLS clients for the decrypt benchmark (tools/bench/decrypt.sh).
 *
 *	tls_conns rate ADDR PORT N PROCS VERSION NAME
 *	tls_conns hold ADDR PORT N VERSION NAME
 *
 * rate: N new sessions, shared by PROCS processes: each one a TCP connect,
 * a full TLS handshake (no resumption), "GET /s" with "Connection: close",
 * the response read to its end, close. Prints "conns N failed F secs S".
 *
 * hold: N sessions opened one after another, one keep-alive request each
 * (the response read by its Content-Length), then kept open and idle.
 * Prints "held N failed F" once they are all up, and closes them all when
 * its standard input ends (or on SIGTERM).
 *
 * VERSION is 1.2 or 1.3, the cipher AES-128-GCM (ECDHE-ECDSA for 1.2).
 * NAME is the SNI; a NAME holding "%d" is formatted with the session's
 * index (0..N-1), so that each session names another server certificate.
 * Certificates are not verified here: the benchmark checks them once with
 * curl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static struct sockaddr_in dst;
static const char *version, *name_fmt;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static SSL_CTX *ctx_new(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int v = strcmp(version, "1.2") ? TLS1_3_VERSION : TLS1_2_VERSION;

	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, v) ||
	    !SSL_CTX_set_max_proto_version(ctx, v) ||
	    !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") ||
	    !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256")) {
		ERR_print_errors_fp(stderr);
		exit(2);
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

/* A connected TLS session for index @i, or NULL (the reason on stderr). */
static SSL *open_one(SSL_CTX *ctx, int i)
{
	char name[256];
	SSL *ssl;
	int fd, one = 1;

	snprintf(name, sizeof(name), name_fmt, i);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("connect");
		close(fd);
		return NULL;
	}
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_tlsext_host_name(ssl, name) || !SSL_set_fd(ssl, fd) ||
	    SSL_connect(ssl) != 1) {
		fprintf(stderr, "tls_conns: handshake %d (%s) failed\n", i, name);
		ERR_print_errors_fp(stderr);
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	return ssl;
}

static void close_one(SSL *ssl)
{
	int fd = SSL_get_fd(ssl);

	SSL_free(ssl);
	close(fd);
}

/* One request; with @keep the response is read by its Content-Length. */
static int request(SSL *ssl, int i, int keep)
{
	char req[512], buf[16384], name[256];
	long want = -1, got = 0;
	int n, len;
	char *end;

	snprintf(name, sizeof(name), name_fmt, i);
	len = snprintf(req, sizeof(req), "GET /s HTTP/1.1\r\nHost: %s\r\nConnection: %s\r\n\r\n",
		       name, keep ? "keep-alive" : "close");
	if (SSL_write(ssl, req, len) != len)
		return -1;
	for (;;) {
		n = SSL_read(ssl, buf + (want < 0 ? got : 0),
			     (int)(want < 0 ? sizeof(buf) - 1 - got : sizeof(buf)));
		if (n <= 0)
			return keep ? -1 : (got > 0 ? 0 : -1);
		if (!keep) {
			got += n;
			continue;
		}
		if (want >= 0) {
			got += n;
		} else {
			char *cl;

			got += n;
			buf[got] = 0;
			end = strstr(buf, "\r\n\r\n");
			if (!end) {
				if (got >= (long)sizeof(buf) - 1)
					return -1;
				continue;
			}
			cl = strcasestr(buf, "Content-Length:");
			if (!cl)
				return -1;
			want = (end + 4 - buf) + strtol(cl + 15, NULL, 10);
		}
		if (got >= want)
			return 0;
	}
}

static void nofile(long n)
{
	struct rlimit r = { (rlim_t)n, (rlim_t)n };

	if (setrlimit(RLIMIT_NOFILE, &r))
		perror("setrlimit");
}

static int rate(int n, int procs)
{
	double t0 = now();
	int p, failed = 0, status;

	fflush(stdout);
	for (p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid) {
			SSL_CTX *ctx = ctx_new();
			int i, bad = 0;

			for (i = p; i < n; i += procs) {
				SSL *ssl = open_one(ctx, i);

				if (!ssl || request(ssl, i, 0))
					bad++;
				if (ssl)
					close_one(ssl);
			}
			_exit(bad > 255 ? 255 : bad);
		}
	}
	while (wait(&status) > 0)
		failed += WIFEXITED(status) ? WEXITSTATUS(status) : n;
	printf("conns %d failed %d secs %.3f\n", n, failed, now() - t0);
	return failed ? 1 : 0;
}

static int hold(int n)
{
	SSL_CTX *ctx = ctx_new();
	SSL **s = calloc((size_t)n, sizeof(*s));
	char c;
	int i, failed = 0;

	if (!s)
		return 2;
	nofile(n + 64L);
	for (i = 0; i < n; i++) {
		s[i] = open_one(ctx, i);
		if (s[i] && request(s[i], i, 1)) {
			close_one(s[i]);
			s[i] = NULL;
		}
		if (!s[i])
			failed++;
	}
	printf("held %d failed %d\n", n - failed, failed);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	for (i = 0; i < n; i++)
		if (s[i])
			close_one(s[i]);
	free(s);
	SSL_CTX_free(ctx);
	return failed ? 1 : 0;
}

static int usage(void)
{
	fputs("usage: tls_conns rate ADDR PORT N PROCS VERSION NAME\n"
	      "       tls_conns hold ADDR PORT N VERSION NAME\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	int is_rate = argc == 8 && !strcmp(argv[1], "rate");
	int n;

	if (!is_rate && !(argc == 7 && !strcmp(argv[1], "hold")))
		return usage();
	signal(SIGPIPE, SIG_IGN);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1)
		return usage();
	n = atoi(argv[4]);
	version = argv[is_rate ? 6 : 5];
	name_fmt = argv[is_rate ? 7 : 6];
	if (n <= 0 || (strcmp(version, "1.2") && strcmp(version, "1.3")))
		return usage();
	return is_rate ? rate(n, atoi(argv[5]) > 0 ? atoi(argv[5]) : 1) : hold(n);
}
