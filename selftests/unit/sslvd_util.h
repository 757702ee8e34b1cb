/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates made in memory for the sslvd unit tests: EC P-256 keys, a CA
 * or a leaf signed by a given issuer, validity relative to now in days.
 */
#ifndef SSLVD_UTIL_H
#define SSLVD_UTIL_H

#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static EVP_PKEY *t_key(void)
{
	return EVP_EC_gen("P-256");
}

static void t_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509_EXTENSION *e;
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e || !X509_add_ext(x, e, -1)) {
		fprintf(stderr, "t_ext %s failed\n", value);
		exit(2);
	}
	X509_EXTENSION_free(e);
}

/*
 * A certificate for @cn over @key signed by @issuer/@ikey (self-signed when
 * NULL), valid from @from to @to days from now; @ca makes it a CA (with
 * keyCertSign), @san a subjectAltName ("DNS:a,IP:1.2.3.4") when not NULL.
 */
static X509 *t_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
		    int ca, const char *san, long from, long to)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"sslv unit",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_time_adj_ex(X509_getm_notBefore(x), from, 0, NULL);
	X509_time_adj_ex(X509_getm_notAfter(x), to, 0, NULL);
	X509_set_pubkey(x, key);
	t_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	t_ext(x, issuer, NID_key_usage, ca ? "critical,keyCertSign,cRLSign,digitalSignature" :
	      "critical,digitalSignature,keyAgreement");
	t_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer)
		t_ext(x, issuer, NID_authority_key_identifier, "keyid");
	if (san)
		t_ext(x, issuer, NID_subject_alt_name, san);
	if (!X509_sign(x, ikey ? ikey : key, EVP_sha256())) {
		fprintf(stderr, "t_cert %s: sign failed\n", cn);
		exit(2);
	}
	return x;
}

/* Writes @x (and/or @k) as PEM to @path. */
static void t_write(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	if (!f || (x && !PEM_write_X509(f, x)) ||
	    (k && !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))) {
		fprintf(stderr, "t_write %s failed\n", path);
		exit(2);
	}
	fclose(f);
}

#endif /* SSLVD_UTIL_H */
