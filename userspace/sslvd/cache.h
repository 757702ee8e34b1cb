/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cache of forged leaves: a bounded LRU keyed by the original
 * certificate (SHA-256 of its DER) and the CA that signed the leaf (SHA-256
 * of the CA certificate's DER), so that one server's certificate forged by
 * the box CA and by the untrusted CA are two entries. A hash table of
 * chains finds an entry, a doubly linked list keeps them in order of use;
 * at the bound, a put evicts the least recently used entry.
 */
#ifndef SSLVD_CACHE_H
#define SSLVD_CACHE_H

#include <stdint.h>

#include <openssl/x509.h>

#include "forge.h"

#define SSLVD_CACHE_KEY_LEN 64

struct sslvd_cache;

struct sslvd_cache_stats {
	uint64_t hits, misses, evictions;
	unsigned int entries, cap;
};

/* A cache of at most @cap (> 0) leaves; NULL when out of memory. */
struct sslvd_cache *sslvd_cache_new(unsigned int cap);
void sslvd_cache_free(struct sslvd_cache *c);

/* The key of @orig forged by @ca; 0 when OpenSSL fails to hash. */
int sslvd_cache_key(uint8_t key[SSLVD_CACHE_KEY_LEN], X509 *orig,
		    const struct sslvd_ca *ca);

/* The leaf under @key with a reference for the caller, or NULL. */
X509 *sslvd_cache_get(struct sslvd_cache *c, const uint8_t key[SSLVD_CACHE_KEY_LEN]);

/* Stores @leaf (the cache takes its own reference); 0 when out of memory. */
int sslvd_cache_put(struct sslvd_cache *c, const uint8_t key[SSLVD_CACHE_KEY_LEN],
		    X509 *leaf);

/* The leaf for @orig by @ca, from the cache or forged and stored. */
X509 *sslvd_forge_cached(struct sslvd_cache *c, const struct sslvd_ca *ca,
			 EVP_PKEY *leaf_key, X509 *orig);

void sslvd_cache_stats(const struct sslvd_cache *c, struct sslvd_cache_stats *s);

#endif /* SSLVD_CACHE_H */
