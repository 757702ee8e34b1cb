// SPDX-License-Identifier: GPL-2.0
/* The LRU of forged leaves, see cache.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cache.h"
#include "log.h"

struct entry {
	uint8_t key[SSLVD_CACHE_KEY_LEN];
	X509 *leaf;
	struct entry *chain;		/* next in the bucket */
	struct entry *newer, *older;	/* the LRU list */
};

struct sslvd_cache {
	struct entry **bucket;
	unsigned int mask;		/* buckets - 1, a power of two */
	unsigned int cap, n;
	struct entry *newest, *oldest;
	uint64_t hits, misses, evictions;
};

struct sslvd_cache *sslvd_cache_new(unsigned int cap)
{
	struct sslvd_cache *c;
	unsigned int nb = 1;

	if (!cap)
		return NULL;
	while (nb < cap && nb < (1U << 30))
		nb <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->bucket = calloc(nb, sizeof(*c->bucket));
	if (!c->bucket) {
		free(c);
		return NULL;
	}
	c->mask = nb - 1;
	c->cap = cap;
	return c;
}

void sslvd_cache_free(struct sslvd_cache *c)
{
	struct entry *e, *next;

	if (!c)
		return;
	for (e = c->newest; e; e = next) {
		next = e->older;
		X509_free(e->leaf);
		free(e);
	}
	free(c->bucket);
	free(c);
}

int sslvd_cache_key(uint8_t key[SSLVD_CACHE_KEY_LEN], X509 *orig,
		    const struct sslvd_ca *ca)
{
	unsigned int n = 0;

	if (!X509_digest(orig, EVP_sha256(), key, &n) || n != 32) {
		sslvd_log_ssl("cache: cannot hash a certificate");
		return 0;
	}
	memcpy(key + 32, ca->id, 32);
	return 1;
}

/* Both halves are SHA-256 output: their first bytes are a good hash. */
static struct entry **slot(struct sslvd_cache *c, const uint8_t *key)
{
	uint32_t h, k;

	memcpy(&h, key, 4);
	memcpy(&k, key + 32, 4);
	return &c->bucket[(h ^ k) & c->mask];
}

static void lru_unlink(struct sslvd_cache *c, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct sslvd_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

static struct entry *find(struct sslvd_cache *c, const uint8_t *key)
{
	struct entry *e;

	for (e = *slot(c, key); e; e = e->chain)
		if (!memcmp(e->key, key, SSLVD_CACHE_KEY_LEN))
			return e;
	return NULL;
}

X509 *sslvd_cache_get(struct sslvd_cache *c, const uint8_t key[SSLVD_CACHE_KEY_LEN])
{
	struct entry *e = find(c, key);

	if (!e || !X509_up_ref(e->leaf)) {
		c->misses++;
		return NULL;
	}
	c->hits++;
	lru_unlink(c, e);
	lru_push(c, e);
	return e->leaf;
}

static void evict(struct sslvd_cache *c)
{
	struct entry *e = c->oldest, **pp;

	for (pp = slot(c, e->key); *pp != e; pp = &(*pp)->chain)
		;
	*pp = e->chain;
	lru_unlink(c, e);
	X509_free(e->leaf);
	free(e);
	c->n--;
	c->evictions++;
}

int sslvd_cache_put(struct sslvd_cache *c, const uint8_t key[SSLVD_CACHE_KEY_LEN],
		    X509 *leaf)
{
	struct entry *e = find(c, key), **pp;

	if (!X509_up_ref(leaf))
		return 0;
	if (e) {			/* a racing forge: keep the newer */
		X509_free(e->leaf);
		e->leaf = leaf;
		lru_unlink(c, e);
		lru_push(c, e);
		return 1;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		X509_free(leaf);
		return 0;
	}
	if (c->n == c->cap)
		evict(c);
	memcpy(e->key, key, SSLVD_CACHE_KEY_LEN);
	e->leaf = leaf;
	pp = slot(c, key);
	e->chain = *pp;
	*pp = e;
	lru_push(c, e);
	c->n++;
	return 1;
}

X509 *sslvd_forge_cached(struct sslvd_cache *c, const struct sslvd_ca *ca,
			 EVP_PKEY *leaf_key, X509 *orig)
{
	uint8_t key[SSLVD_CACHE_KEY_LEN];
	X509 *leaf;

	if (!sslvd_cache_key(key, orig, ca))
		return NULL;
	leaf = sslvd_cache_get(c, key);
	if (leaf)
		return leaf;
	leaf = sslvd_forge(ca, leaf_key, orig);
	if (leaf && !sslvd_cache_put(c, key, leaf))
		sslvd_log("cache: out of memory, leaf not kept");
	return leaf;
}

void sslvd_cache_stats(const struct sslvd_cache *c, struct sslvd_cache_stats *s)
{
	s->hits = c->hits;
	s->misses = c->misses;
	s->evictions = c->evictions;
	s->entries = c->n;
	s->cap = c->cap;
}
