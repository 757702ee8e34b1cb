// SPDX-License-Identifier: GPL-2.0
/*
 * Leaf certificates forged from the server's, see forge.h. OpenSSL builds
 * and signs them; this file only decides what goes in.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "forge.h"
#include "log.h"

static int ca_id(struct sslvd_ca *ca)
{
	unsigned int n = 0;

	if (!X509_digest(ca->cert, EVP_sha256(), ca->id, &n) || n != sizeof(ca->id)) {
		sslvd_log_ssl("%s: cannot hash the certificate", ca->name);
		return SSLVD_EX_TLS;
	}
	return SSLVD_OK;
}

static int ca_check(struct sslvd_ca *ca, const char *cert_file, const char *key_file)
{
	if (X509_check_ca(ca->cert) < 1) {
		sslvd_log("%s certificate %s: not a CA certificate (no basicConstraints CA:TRUE)",
			  ca->name, cert_file);
		return SSLVD_EX_CA_CERT;
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		sslvd_log_ssl("%s key %s: not the key of certificate %s", ca->name,
			      key_file, cert_file);
		return SSLVD_EX_CA_MISMATCH;
	}
	return ca_id(ca);
}

int sslvd_ca_load(struct sslvd_ca *ca, const char *name, const char *cert_file,
		  const char *key_file)
{
	FILE *f;
	int ret;

	memset(ca, 0, sizeof(*ca));
	snprintf(ca->name, sizeof(ca->name), "%s", name);
	f = fopen(cert_file, "r");
	if (!f) {
		sslvd_log("%s certificate %s: %s", name, cert_file, strerror(errno));
		return SSLVD_EX_CA_CERT;
	}
	ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!ca->cert) {
		sslvd_log_ssl("%s certificate %s: no PEM certificate", name, cert_file);
		return SSLVD_EX_CA_CERT;
	}
	f = fopen(key_file, "r");
	if (!f) {
		sslvd_log("%s key %s: %s", name, key_file, strerror(errno));
		ret = SSLVD_EX_CA_KEY;
		goto fail;
	}
	ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!ca->key) {
		sslvd_log_ssl("%s key %s: no PEM private key", name, key_file);
		ret = SSLVD_EX_CA_KEY;
		goto fail;
	}
	ret = ca_check(ca, cert_file, key_file);
	if (ret == SSLVD_OK)
		return ret;
fail:
	sslvd_ca_free(ca);
	return ret;
}

int sslvd_ca_set(struct sslvd_ca *ca, const char *name, X509 *cert, EVP_PKEY *key)
{
	int ret;

	memset(ca, 0, sizeof(*ca));
	snprintf(ca->name, sizeof(ca->name), "%s", name);
	if (!X509_up_ref(cert) || !EVP_PKEY_up_ref(key)) {
		sslvd_log_ssl("%s: cannot take a reference", name);
		return SSLVD_EX_TLS;
	}
	ca->cert = cert;
	ca->key = key;
	ret = ca_check(ca, "(memory)", "(memory)");
	if (ret != SSLVD_OK)
		sslvd_ca_free(ca);
	return ret;
}

void sslvd_ca_free(struct sslvd_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	ca->cert = NULL;
	ca->key = NULL;
}

EVP_PKEY *sslvd_leaf_key_new(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (!k)
		sslvd_log_ssl("leaf key: cannot generate a P-256 key");
	return k;
}

/* A random positive 127-bit serial. */
static int leaf_serial(X509 *leaf)
{
	unsigned char r[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return 0;
	r[0] &= 0x7f;
	r[0] |= 0x01;		/* never zero, always 16 bytes */
	bn = BN_bin2bn(r, sizeof(r), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(leaf));
	BN_free(bn);
	return !!ok;
}

/*
 * notBefore the later of both, notAfter the earlier. When they are disjoint
 * (an expired original, or one not valid yet, against a younger CA) the
 * original's own window: the client then fails the leaf as it would have
 * failed the original (expired, not yet valid), where no leaf at all would
 * leave it a reset it cannot explain.
 */
static int leaf_validity(X509 *leaf, X509 *orig, X509 *ca)
{
	const ASN1_TIME *nb = X509_get0_notBefore(orig), *na = X509_get0_notAfter(orig);
	const ASN1_TIME *cb = X509_get0_notBefore(ca), *cn = X509_get0_notAfter(ca);
	int c;

	c = ASN1_TIME_compare(nb, cb);
	if (c == -2)
		return 0;
	if (c < 0)
		nb = cb;
	c = ASN1_TIME_compare(na, cn);
	if (c == -2)
		return 0;
	if (c > 0)
		na = cn;
	if (ASN1_TIME_compare(nb, na) > 0) {
		nb = X509_get0_notBefore(orig);
		na = X509_get0_notAfter(orig);
	}
	return X509_set1_notBefore(leaf, nb) && X509_set1_notAfter(leaf, na);
}

static int leaf_ext(X509 *leaf, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e && X509_add_ext(leaf, e, -1);

	X509_EXTENSION_free(e);
	return ok;
}

/* The subjectAltName extension exactly as the original has it. */
static int leaf_san(X509 *leaf, X509 *orig)
{
	int i = X509_get_ext_by_NID(orig, NID_subject_alt_name, -1);

	if (i < 0)
		return 1;
	return X509_add_ext(leaf, X509_get_ext(orig, i), -1);
}

static const EVP_MD *sign_md(EVP_PKEY *key)
{
	int nid = 0;

	/* Ed25519 and Ed448 sign without a separate digest */
	if (EVP_PKEY_get_default_digest_nid(key, &nid) == 2 && nid == NID_undef)
		return NULL;
	return EVP_sha256();
}

X509 *sslvd_forge(const struct sslvd_ca *ca, EVP_PKEY *leaf_key, X509 *orig)
{
	int rsa = EVP_PKEY_get_base_id(leaf_key) == EVP_PKEY_RSA;
	X509 *leaf = X509_new();
	X509V3_CTX ctx;

	if (!leaf)
		goto fail;
	if (!X509_set_version(leaf, X509_VERSION_3) || !leaf_serial(leaf) ||
	    !X509_set_subject_name(leaf, X509_get_subject_name(orig)) ||
	    !X509_set_issuer_name(leaf, X509_get_subject_name(ca->cert)) ||
	    !leaf_validity(leaf, orig, ca->cert) || !X509_set_pubkey(leaf, leaf_key))
		goto fail;

	X509V3_set_ctx(&ctx, ca->cert, leaf, NULL, NULL, 0);
	if (!leaf_ext(leaf, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
	    !leaf_ext(leaf, &ctx, NID_key_usage, rsa ?
		      "critical,digitalSignature,keyEncipherment" :
		      "critical,digitalSignature") ||
	    !leaf_ext(leaf, &ctx, NID_ext_key_usage, "serverAuth") ||
	    !leaf_ext(leaf, &ctx, NID_subject_key_identifier, "hash") ||
	    !leaf_ext(leaf, &ctx, NID_authority_key_identifier, "keyid,issuer") ||
	    !leaf_san(leaf, orig))
		goto fail;
	if (!X509_sign(leaf, ca->key, sign_md(ca->key)))
		goto fail;
	return leaf;
fail:
	sslvd_log_ssl("forge: cannot make a leaf signed by the %s", ca->name);
	X509_free(leaf);
	return NULL;
}
