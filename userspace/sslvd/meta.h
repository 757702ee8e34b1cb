/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metadata of a generated connection, out of band (`--ips-meta PATH`):
 * one eve-style JSON line per generated connection, written when it is
 * opened (before its first data byte), so that an IPS's own log (e.g.
 * Suricata's eve.json) joins it by the flow's 4-tuple; no byte of it goes
 * into the stream itself.
 *
 *   {"timestamp":"2026-12-02T16:04:36.123456+0000","event_type":"sslv_tls",
 *    "flow_id":7,"src_ip":"10.0.1.1","src_port":40000,"dest_ip":"10.0.1.2",
 *    "dest_port":443,"proto":"TCP","tls":{"sni":"server.test",
 *    "version":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384","alpn":"h2",
 *    "ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1","subject":"CN=server.test",
 *    "issuer":"CN=server CA","fingerprint_sha256":"ab:cd:...","verify":0,
 *    "verified":true}}
 *
 * PATH is a file (appended to) or a unix datagram socket (one datagram a
 * line, never waited for: a line that finds the socket full is dropped and
 * counted).
 */
#ifndef SSLVD_META_H
#define SSLVD_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/x509.h>

struct sslvd_meta {
	int fd;
	bool dgram;
	uint64_t dropped;
};

/* Opens @path: 0, or -errno (logged). */
int sslvd_meta_open(struct sslvd_meta *m, const char *path);
void sslvd_meta_close(struct sslvd_meta *m);

struct sslvd_meta_conn {
	uint32_t flow_id;
	const struct sockaddr_storage *cli, *srv;
	const uint8_t *sni, *alpn;
	size_t sni_len, alpn_len;
	const char *version, *cipher;
	const uint8_t *hello;		/* the ClientHello record(s), for JA4 */
	size_t hello_len;
	X509 *cert;			/* the server's, or NULL */
	long verify;
	bool verified;
};

/* Writes one line; failures are logged once a second. */
void sslvd_meta_write(struct sslvd_meta *m, const struct sslvd_meta_conn *c);

/*
 * The JA4 fingerprint of the ClientHello in the TLS record(s) @rec: 0 with
 * @out filled ("t13d1516h2_8daaf6152771_e5627efa2ab1"), or -1 when @rec does
 * not hold a whole ClientHello.
 */
int sslvd_ja4(const uint8_t *rec, size_t len, char out[48]);

#endif /* SSLVD_META_H */
