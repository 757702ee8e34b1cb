// SPDX-License-Identifier: GPL-2.0
/* The generated connections' metadata lines and JA4, see meta.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "log.h"
#include "meta.h"

#define LINE_MAX_LEN	4096
#define HS_CAP		32768

int sslvd_meta_open(struct sslvd_meta *m, const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!stat(path, &st) && S_ISSOCK(st.st_mode)) {
		if (strlen(path) >= sizeof(un.sun_path)) {
			sslvd_log("--ips-meta %s: socket path too long", path);
			return -ENAMETOOLONG;
		}
		memcpy(un.sun_path, path, strlen(path));
		m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (m->fd < 0 || connect(m->fd, (struct sockaddr *)&un, sizeof(un)) < 0)
			goto fail;
		m->dgram = true;
		return 0;
	}
	m->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (m->fd >= 0)
		return 0;
fail:
	err = errno;
	sslvd_log("--ips-meta %s: %s", path, strerror(err));
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	return -err;
}

void sslvd_meta_close(struct sslvd_meta *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* ---- JA4 (https://github.com/FoxIO-LLC/ja4, JA4: TLS client) ----------- */

static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The first 12 hex digits of the SHA-256 of @s, or twelve zeros for "". */
static void hash12(const char *s, char out[13])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	int i;

	if (!*s) {
		memcpy(out, "000000000000", 13);
		return;
	}
	SHA256((const unsigned char *)s, strlen(s), md);
	for (i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* @n values as "%04x,%04x,..." into @buf. */
static void hexlist(const uint16_t *v, size_t n, char *buf, size_t cap)
{
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < n && off + 6 < cap; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s%04x", i ? "," : "", v[i]);
}

static const char *version_code(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	}
	return "00";
}

static bool alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int sslvd_ja4(const uint8_t *rec, size_t len, char out[48])
{
	static const char hex[] = "0123456789abcdef";
	uint16_t ciphers[512], exts[256], sigs[256], ver, v;
	size_t nc = 0, ne = 0, ns = 0, ne_all = 0, off, end, hs_len = 0, body, i, l;
	uint8_t *hs, alpn[2] = { '0', '0' };
	char *list, a_part[16], b[13], c[13];
	bool sni = false;
	int ret = -1;

	hs = malloc(HS_CAP);
	list = malloc(2 * HS_CAP);
	if (!hs || !list)
		goto out;
	/* the handshake bytes out of the records */
	for (off = 0; off + 5 <= len && rec[off] == 22; off += 5 + l) {
		l = be16(rec + off + 3);
		if (off + 5 + l > len || hs_len + l > HS_CAP)
			break;
		memcpy(hs + hs_len, rec + off + 5, l);
		hs_len += l;
	}
	if (hs_len < 4 || hs[0] != 1)
		goto out;
	body = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
	if (body + 4 > hs_len || body < 38)
		goto out;
	end = 4 + body;
	ver = be16(hs + 4);
	off = 4 + 2 + 32;
	off += 1 + hs[off];				/* session id */
	if (off + 2 > end)
		goto out;
	l = be16(hs + off);
	off += 2;
	if (off + l > end)
		goto out;
	for (i = 0; i + 1 < l; i += 2) {
		v = be16(hs + off + i);
		if (!grease(v) && nc < 512)
			ciphers[nc++] = v;
	}
	off += l;
	if (off + 1 > end)
		goto out;
	off += 1 + hs[off];				/* compression methods */
	if (off + 2 <= end) {
		l = be16(hs + off);
		off += 2;
		if (off + l > end)
			goto out;
		end = off + l;
	} else {
		end = off;
	}
	while (off + 4 <= end) {
		uint16_t type = be16(hs + off);
		size_t el = be16(hs + off + 2);
		const uint8_t *e = hs + off + 4;

		if (off + 4 + el > end)
			goto out;
		off += 4 + el;
		if (grease(type))
			continue;
		ne_all++;
		if (type == 0x0000)
			sni = true;
		if (type == 0x0010 && el >= 3 && e[2] && (size_t)e[2] + 3 <= el) {
			const uint8_t *p = e + 3;
			uint8_t n = e[2];

			if (alnum(p[0]) && alnum(p[n - 1])) {
				alpn[0] = p[0];
				alpn[1] = p[n - 1];
			} else {
				alpn[0] = (uint8_t)hex[p[0] >> 4];
				alpn[1] = (uint8_t)hex[p[n - 1] & 0xf];
			}
		}
		if (type == 0x002b && el >= 1) {
			uint16_t best = 0;

			for (i = 1; i + 1 < (size_t)e[0] + 1 && i + 1 < el; i += 2) {
				v = be16(e + i);
				if (!grease(v) && v > best)
					best = v;
			}
			if (best)
				ver = best;
		}
		if (type == 0x000d && el >= 2) {
			size_t sl = be16(e);

			for (i = 2; i + 1 < sl + 2 && i + 1 < el; i += 2) {
				v = be16(e + i);
				if (!grease(v) && ns < 256)
					sigs[ns++] = v;
			}
		}
		if (type != 0x0000 && type != 0x0010 && ne < 256)
			exts[ne++] = type;
	}
	snprintf(a_part, sizeof(a_part), "t%s%c%02zu%02zu%c%c", version_code(ver),
		 sni ? 'd' : 'i', nc > 99 ? 99 : nc, ne_all > 99 ? 99 : ne_all,
		 alpn[0], alpn[1]);
	qsort(ciphers, nc, sizeof(ciphers[0]), cmp16);
	hexlist(ciphers, nc, list, 2 * HS_CAP);
	hash12(list, b);
	qsort(exts, ne, sizeof(exts[0]), cmp16);
	hexlist(exts, ne, list, 2 * HS_CAP);
	if (ns && ne) {
		l = strlen(list);
		list[l++] = '_';
		hexlist(sigs, ns, list + l, 2 * HS_CAP - l);
	}
	hash12(list, c);
	snprintf(out, 48, "%s_%s_%s", a_part, b, c);
	ret = 0;
out:
	free(hs);
	free(list);
	return ret;
}

/* ---- the line ------------------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
	bool full;
};

static void put(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n;
}

/* "key":"value" with JSON escapes; bytes outside printable ASCII as \u00XX. */
static void put_str(struct buf *b, const char *key, const uint8_t *s, size_t n)
{
	size_t i;

	put(b, ",\"%s\":\"", key);
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			put(b, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			put(b, "\\u%04x", s[i]);
		else
			put(b, "%c", s[i]);
	}
	put(b, "\"");
}

static void put_cstr(struct buf *b, const char *key, const char *s)
{
	if (s)
		put_str(b, key, (const uint8_t *)s, strlen(s));
}

static void put_addr(struct buf *b, const char *ip_key, const char *port_key,
		     const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned int port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	}
	put(b, ",\"%s\":\"%s\",\"%s\":%u", ip_key, a, port_key, port);
}

static void put_name(struct buf *b, const char *key, const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	if (!bio)
		return;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
			       ASN1_STRFLGS_RFC2253) >= 0) {
		n = BIO_get_mem_data(bio, &p);
		if (n > 0)
			put_str(b, key, (const uint8_t *)p, (size_t)n);
	}
	BIO_free(bio);
}

void sslvd_meta_write(struct sslvd_meta *m, const struct sslvd_meta_conn *c)
{
	static uint64_t logged_ns;
	unsigned char md[EVP_MAX_MD_SIZE];
	char line[LINE_MAX_LEN], ts[64], ja4[48], fp[3 * EVP_MAX_MD_SIZE + 1];
	struct buf b = { line, 0, sizeof(line) - 2, false };
	struct timeval tv;
	unsigned int mdlen = 0, i;
	size_t o;
	struct tm tm;
	ssize_t n;

	if (m->fd < 0)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	put(&b, "{\"timestamp\":\"%s.%06ld+0000\",\"event_type\":\"sslv_tls\","
	    "\"flow_id\":%u", ts, (long)tv.tv_usec, c->flow_id);
	put_addr(&b, "src_ip", "src_port", c->cli);
	put_addr(&b, "dest_ip", "dest_port", c->srv);
	put(&b, ",\"proto\":\"TCP\",\"tls\":{\"verify\":%ld,\"verified\":%s", c->verify,
	    c->verified ? "true" : "false");
	if (c->sni_len)
		put_str(&b, "sni", c->sni, c->sni_len);
	put_cstr(&b, "version", c->version);
	put_cstr(&b, "cipher", c->cipher);
	if (c->alpn_len)
		put_str(&b, "alpn", c->alpn, c->alpn_len);
	if (c->hello && !sslvd_ja4(c->hello, c->hello_len, ja4))
		put_cstr(&b, "ja4", ja4);
	if (c->cert) {
		put_name(&b, "subject", X509_get_subject_name(c->cert));
		put_name(&b, "issuer", X509_get_issuer_name(c->cert));
		if (X509_digest(c->cert, EVP_sha256(), md, &mdlen)) {
			for (i = 0, o = 0; i < mdlen; i++)
				o += (size_t)snprintf(fp + o, sizeof(fp) - o, "%s%02x",
						      i ? ":" : "", md[i]);
			put_cstr(&b, "fingerprint_sha256", fp);
		}
	}
	put(&b, "}}");
	if (b.full) {
		sslvd_log("ips metadata: a line over %d bytes, not written", LINE_MAX_LEN);
		return;
	}
	line[b.len++] = '\n';
	n = m->dgram ? send(m->fd, line, b.len, MSG_DONTWAIT | MSG_NOSIGNAL) :
		       write(m->fd, line, b.len);
	if (n == (ssize_t)b.len)
		return;
	m->dropped++;
	if (time(NULL) != (time_t)logged_ns) {
		logged_ns = (uint64_t)time(NULL);
		sslvd_log("ips metadata: %s (%llu lines lost so far)",
			  n < 0 ? strerror(errno) : "short write",
			  (unsigned long long)m->dropped);
	}
}
