// SPDX-License-Identifier: GPL-2.0
/*
 * sslvd's forged leaves and their cache: what a leaf copies from the
 * original (subject, subjectAltName byte for byte) and what it never does
 * (CA:TRUE, the original's key usage), that it verifies against the box CA,
 * its validity window, CA loading errors, and the LRU's order and keys.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "sslvd_util.h"

#include "cache.h"
#include "forge.h"
#include "log.h"

static X509 *ca_cert;
static EVP_PKEY *ca_key, *leaf_key;
static struct sslvd_ca box;

static int verifies(X509 *leaf, X509 *root)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	X509_STORE_add_cert(st, root);
	X509_STORE_CTX_init(ctx, st, leaf, NULL);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		fprintf(stderr, "verify: %s\n",
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return ok;
}

static int same_ext(X509 *a, X509 *b, int nid)
{
	int ia = X509_get_ext_by_NID(a, nid, -1), ib = X509_get_ext_by_NID(b, nid, -1);

	if (ia < 0 || ib < 0)
		return 0;
	return !ASN1_STRING_cmp(X509_EXTENSION_get_data(X509_get_ext(a, ia)),
				X509_EXTENSION_get_data(X509_get_ext(b, ib))) &&
	       X509_EXTENSION_get_critical(X509_get_ext(a, ia)) ==
	       X509_EXTENSION_get_critical(X509_get_ext(b, ib));
}

static int ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

/* The original is itself a self-signed CA with keyCertSign. */
static void test_forge_from_ca(void)
{
	EVP_PKEY *k = t_key();
	X509 *orig = t_cert("www.example.com", k, NULL, NULL, 1,
			    "DNS:www.example.com,DNS:*.example.org,IP:192.0.2.7,IP:2001:db8::1",
			    -1, 300);
	X509 *leaf = sslvd_forge(&box, leaf_key, orig);
	BASIC_CONSTRAINTS *bc;
	int crit = -1;

	CHECK(leaf != NULL);
	if (!leaf)
		return;
	CHECK(X509_check_ca(orig) == 1);
	CHECK(X509_check_ca(leaf) == 0);
	bc = X509_get_ext_d2i(leaf, NID_basic_constraints, &crit, NULL);
	CHECK(bc && !bc->ca && crit == 1);
	BASIC_CONSTRAINTS_free(bc);
	CHECK(X509_get_key_usage(leaf) == KU_DIGITAL_SIGNATURE);
	CHECK(ext_critical(leaf, NID_key_usage));
	CHECK(X509_get_extended_key_usage(leaf) == XKU_SSL_SERVER);
	CHECK(same_ext(leaf, orig, NID_subject_alt_name));
	CHECK(X509_NAME_cmp(X509_get_subject_name(leaf), X509_get_subject_name(orig)) == 0);
	CHECK(X509_NAME_cmp(X509_get_issuer_name(leaf), X509_get_subject_name(ca_cert)) == 0);
	CHECK(X509_get0_subject_key_id(leaf) != NULL);
	CHECK(X509_check_issued(ca_cert, leaf) == X509_V_OK);
	CHECK(X509_get0_authority_key_id(leaf) &&
	      ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf),
				    X509_get0_subject_key_id(ca_cert)) == 0);
	CHECK(verifies(leaf, ca_cert));
	CHECK(!verifies(leaf, orig));
	CHECK(X509_check_host(leaf, "a.example.org", 0, 0, NULL) == 1);
	CHECK(X509_check_ip_asc(leaf, "2001:db8::1", 0) == 1);
	CHECK(X509_check_ip_asc(leaf, "192.0.2.7", 0) == 1);
	/* the original's validity lies within the CA's: copied */
	CHECK(ASN1_TIME_compare(X509_get0_notBefore(leaf), X509_get0_notBefore(orig)) == 0);
	CHECK(ASN1_TIME_compare(X509_get0_notAfter(leaf), X509_get0_notAfter(orig)) == 0);
	X509_free(leaf);
	X509_free(orig);
	EVP_PKEY_free(k);
}

static void test_forge_validity(void)
{
	EVP_PKEY *k = t_key();
	X509 *orig = t_cert("long.example", k, NULL, NULL, 0, "DNS:long.example", -1000, 5000);
	X509 *leaf = sslvd_forge(&box, leaf_key, orig);

	/* the CA's window is narrower: the leaf takes it */
	CHECK(leaf && ASN1_TIME_compare(X509_get0_notBefore(leaf),
					X509_get0_notBefore(ca_cert)) == 0);
	CHECK(leaf && ASN1_TIME_compare(X509_get0_notAfter(leaf),
					X509_get0_notAfter(ca_cert)) == 0);
	CHECK(leaf && X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1) >= 0);
	X509_free(leaf);
	X509_free(orig);

	/* no subjectAltName in the original: none in the leaf */
	orig = t_cert("nosan.example", k, NULL, NULL, 0, NULL, -1, 10);
	leaf = sslvd_forge(&box, leaf_key, orig);
	CHECK(leaf && X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1) < 0);
	X509_free(leaf);
	X509_free(orig);

	/* valid only after the CA expires: the original's window as is */
	orig = t_cert("later.example", k, NULL, NULL, 0, "DNS:later.example", 4000, 5000);
	leaf = sslvd_forge(&box, leaf_key, orig);
	CHECK(leaf && ASN1_TIME_compare(X509_get0_notBefore(leaf),
					X509_get0_notBefore(orig)) == 0);
	CHECK(leaf && ASN1_TIME_compare(X509_get0_notAfter(leaf),
					X509_get0_notAfter(orig)) == 0);
	X509_free(leaf);
	X509_free(orig);

	/* expired before the CA was made: the same, and the client fails it */
	orig = t_cert("expired.example", k, NULL, NULL, 0, "DNS:expired.example", -30, -2);
	leaf = sslvd_forge(&box, leaf_key, orig);
	CHECK(leaf && ASN1_TIME_compare(X509_get0_notAfter(leaf),
					X509_get0_notAfter(orig)) == 0);
	CHECK(leaf && !verifies(leaf, ca_cert));
	X509_free(leaf);
	X509_free(orig);
	EVP_PKEY_free(k);
}

static void test_forge_rsa_leaf(void)
{
	EVP_PKEY *k = t_key(), *rsa = EVP_RSA_gen(2048);
	X509 *orig = t_cert("rsa.example", k, NULL, NULL, 0, "DNS:rsa.example", -1, 10);
	X509 *leaf = sslvd_forge(&box, rsa, orig);

	CHECK(leaf && X509_get_key_usage(leaf) ==
	      (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
	CHECK(leaf && verifies(leaf, ca_cert));
	X509_free(leaf);
	X509_free(orig);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(k);
}

static void test_ca_load(void)
{
	char dir[] = "/tmp/sslvd_unit_XXXXXX", cert[64], key[64], other[64], leafp[64];
	EVP_PKEY *wrong = t_key();
	X509 *notca = t_cert("leaf", wrong, ca_cert, ca_key, 0, "DNS:leaf", -1, 10);
	struct sslvd_ca ca;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(cert, sizeof(cert), "%s/ca.crt", dir);
	snprintf(key, sizeof(key), "%s/ca.key", dir);
	snprintf(other, sizeof(other), "%s/other.key", dir);
	snprintf(leafp, sizeof(leafp), "%s/leaf.crt", dir);
	t_write(cert, ca_cert, NULL);
	t_write(key, NULL, ca_key);
	t_write(other, NULL, wrong);
	t_write(leafp, notca, NULL);

	CHECK(sslvd_ca_load(&ca, "box CA", cert, key) == SSLVD_OK);
	CHECK(ca.cert && ca.key && !memcmp(ca.id, box.id, sizeof(ca.id)));
	sslvd_ca_free(&ca);
	CHECK(sslvd_ca_load(&ca, "box CA", cert, other) == SSLVD_EX_CA_MISMATCH);
	CHECK(ca.cert == NULL && ca.key == NULL);
	CHECK(sslvd_ca_set(&ca, "box CA", ca_cert, wrong) == SSLVD_EX_CA_MISMATCH);
	CHECK(sslvd_ca_load(&ca, "box CA", "/nonexistent/ca.crt", key) == SSLVD_EX_CA_CERT);
	CHECK(sslvd_ca_load(&ca, "box CA", cert, "/nonexistent/ca.key") == SSLVD_EX_CA_KEY);
	CHECK(sslvd_ca_load(&ca, "box CA", key, key) == SSLVD_EX_CA_CERT);
	CHECK(sslvd_ca_load(&ca, "box CA", cert, cert) == SSLVD_EX_CA_KEY);
	CHECK(sslvd_ca_load(&ca, "box CA", leafp, other) == SSLVD_EX_CA_CERT);

	unlink(cert);
	unlink(key);
	unlink(other);
	unlink(leafp);
	rmdir(dir);
	X509_free(notca);
	EVP_PKEY_free(wrong);
}

static void test_cache(void)
{
	struct sslvd_cache *c = sslvd_cache_new(3);
	uint8_t key[5][SSLVD_CACHE_KEY_LEN];
	struct sslvd_cache_stats s;
	X509 *orig[5], *leaf[5], *got;
	EVP_PKEY *k = t_key();
	char name[32];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "o%d.example", i);
		orig[i] = t_cert(name, k, NULL, NULL, 0, NULL, -1, 10);
		leaf[i] = sslvd_forge(&box, leaf_key, orig[i]);
		CHECK(sslvd_cache_key(key[i], orig[i], &box));
	}
	CHECK(sslvd_cache_get(c, key[0]) == NULL);		/* miss */
	for (i = 0; i < 3; i++)
		CHECK(sslvd_cache_put(c, key[i], leaf[i]));
	got = sslvd_cache_get(c, key[0]);			/* 0 newest now */
	CHECK(got == leaf[0]);
	X509_free(got);
	CHECK(sslvd_cache_put(c, key[3], leaf[3]));		/* evicts 1 */
	CHECK(sslvd_cache_get(c, key[1]) == NULL);
	CHECK(sslvd_cache_put(c, key[4], leaf[4]));		/* evicts 2 */
	CHECK(sslvd_cache_get(c, key[2]) == NULL);
	for (i = 0; i < 5; i += 1) {
		if (i == 1 || i == 2)
			continue;
		got = sslvd_cache_get(c, key[i]);
		CHECK(got == leaf[i]);
		X509_free(got);
	}
	sslvd_cache_stats(c, &s);
	CHECK(s.entries == 3 && s.cap == 3);
	CHECK(s.hits == 4 && s.misses == 3 && s.evictions == 2);
	sslvd_cache_free(c);
	for (i = 0; i < 5; i++) {
		X509_free(leaf[i]);
		X509_free(orig[i]);
	}
	EVP_PKEY_free(k);
}

/* One original, two CAs: two entries; the same CA again: a hit. */
static void test_cache_by_ca(void)
{
	EVP_PKEY *k = t_key(), *uk = t_key();
	X509 *ucert = t_cert("untrusted CA", uk, NULL, NULL, 1, NULL, -10, 3000);
	X509 *orig = t_cert("o.example", k, NULL, NULL, 0, "DNS:o.example", -1, 10);
	struct sslvd_cache *c = sslvd_cache_new(8);
	struct sslvd_cache_stats s;
	struct sslvd_ca untrusted;
	X509 *a, *b, *a2;

	CHECK(sslvd_ca_set(&untrusted, "untrusted CA", ucert, uk) == SSLVD_OK);
	a = sslvd_forge_cached(c, &box, leaf_key, orig);
	b = sslvd_forge_cached(c, &untrusted, leaf_key, orig);
	a2 = sslvd_forge_cached(c, &box, leaf_key, orig);
	CHECK(a && b && a != b && a2 == a);
	CHECK(a && X509_NAME_cmp(X509_get_issuer_name(a), X509_get_subject_name(ca_cert)) == 0);
	CHECK(b && X509_NAME_cmp(X509_get_issuer_name(b), X509_get_subject_name(ucert)) == 0);
	CHECK(b && verifies(b, ucert) && !verifies(b, ca_cert));
	sslvd_cache_stats(c, &s);
	CHECK(s.entries == 2 && s.hits == 1 && s.misses == 2);
	X509_free(a);
	X509_free(a2);
	X509_free(b);
	sslvd_cache_free(c);
	sslvd_ca_free(&untrusted);
	X509_free(orig);
	X509_free(ucert);
	EVP_PKEY_free(uk);
	EVP_PKEY_free(k);
}

int main(void)
{
	sslvd_log_quiet(1);
	ca_key = t_key();
	leaf_key = sslvd_leaf_key_new();
	ca_cert = t_cert("sslv unit box CA", ca_key, NULL, NULL, 1, NULL, -10, 3000);
	CHECK(leaf_key && EVP_PKEY_get_base_id(leaf_key) == EVP_PKEY_EC);
	CHECK(sslvd_ca_set(&box, "box CA", ca_cert, ca_key) == SSLVD_OK);

	test_forge_from_ca();
	test_forge_validity();
	test_forge_rsa_leaf();
	test_ca_load();
	test_cache();
	test_cache_by_ca();

	sslvd_ca_free(&box);
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	return unit_done();
}
