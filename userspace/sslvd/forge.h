/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forged leaf certificates: the certificate sslvd shows the client in place
 * of the server's, with the server's subject and subjectAltName, signed by
 * the box CA (or, for a server that failed verification, by the untrusted
 * CA, so the client fails as it would without sslvd).
 *
 * Nothing else of the original is copied: the leaf carries its own
 * basicConstraints (CA:FALSE, critical), keyUsage (digitalSignature, plus
 * keyEncipherment for an RSA key), extendedKeyUsage serverAuth, and key
 * identifiers, and is valid only where both the original and the CA are.
 */
#ifndef SSLVD_FORGE_H
#define SSLVD_FORGE_H

#include <stdint.h>

#include <openssl/x509.h>

#define SSLVD_CA_ID_LEN 32

struct sslvd_ca {
	X509 *cert;
	EVP_PKEY *key;
	uint8_t id[SSLVD_CA_ID_LEN];	/* SHA-256 of the certificate's DER */
	char name[64];			/* "box CA", "untrusted CA": for messages */
};

/*
 * Loads a CA from PEM files. Returns SSLVD_OK, or SSLVD_EX_CA_CERT (the
 * certificate file cannot be read, holds no certificate, or the certificate
 * is not a CA), SSLVD_EX_CA_KEY (no private key) or SSLVD_EX_CA_MISMATCH
 * (the key is not the certificate's); each logged naming the file. On
 * failure @ca holds nothing to free.
 */
int sslvd_ca_load(struct sslvd_ca *ca, const char *name, const char *cert_file,
		  const char *key_file);

/* The same from objects already in memory; takes a reference on each. */
int sslvd_ca_set(struct sslvd_ca *ca, const char *name, X509 *cert,
		 EVP_PKEY *key);

void sslvd_ca_free(struct sslvd_ca *ca);

/*
 * The leaf key: a new EC P-256 key. sslvd makes one at start and signs
 * every leaf over it (forging is then one CA signature, no key generation).
 */
EVP_PKEY *sslvd_leaf_key_new(void);

/*
 * A leaf for @orig over @leaf_key, signed by @ca; NULL (logged) when
 * OpenSSL fails or when the validity of @orig and of the CA do not overlap.
 */
X509 *sslvd_forge(const struct sslvd_ca *ca, EVP_PKEY *leaf_key, X509 *orig);

#endif /* SSLVD_FORGE_H */
