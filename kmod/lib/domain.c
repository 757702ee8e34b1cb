// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Domain sets; see domain.h. */
#include "domain.h"

/*
 * One hash table of the entries, exact names and wildcards alike.
 *
 * An entry is its lowercased name without the trailing dot, a wildcard
 * "*.suffix" being kept as suffix with a flag. Its hash is FNV-1a 64 over
 * the bytes taken from the LAST to the first, then the flag, then a
 * finalising mix. Hashing backwards is what makes a lookup linear in the
 * name's length: walking a name from its end, the hash state at a dot is
 * already that of the suffix after it, so every parent suffix's probe for
 * a wildcard costs no more hashing, and the state at the start is the
 * whole name's, probed as an exact entry.
 *
 * The table is open addressing with linear probing over 2 * n slots (at
 * least 8), so at most half of them are used and a probe always ends at a
 * free slot. A slot is 8 bytes: 32 bits of the hash (the tag) and the
 * offset of the entry's record from the block's start, 0 meaning free.
 * The home slot comes from the hash's low half by multiply-shift, so the
 * slot count needs no power of two. A record is [u8 len][u8 wild][len
 * bytes], read only when a slot's tag matches.
 *
 * Costs. A lookup lowercases the name into a stack buffer, hashes each byte
 * once, and makes one probe for the exact name plus one per label boundary
 * (at most 126): its cost depends on the name, never on the set's size.
 * At half load a linear probe reads about 1.5 slots on a hit and 2.5 on a
 * miss, usually within one cache line; a record is read on a tag match,
 * which a miss makes with odds of about 2^-32 per slot. Building is one
 * pass to check the packed names and one to insert them, linear in n.
 * The hash is not keyed: the entries come from the operator, and a name
 * from the wire only chooses where probes start, not how long they are.
 *
 * Memory, one block, position independent (offsets from its start, which
 * must be 8-byte aligned and had better be 64-byte aligned):
 *
 *	struct sslv_domset_head		header, 64 bytes
 *	struct sslv_domset_slot[slots]	the table
 *	records				one per distinct entry, packed
 *
 * that is 64 + 16 n + (2 + length) per distinct entry bytes. Building
 * needs no scratch: a name is written where its record would go, then
 * kept only if the table does not hold it already.
 */
struct sslv_domset_head {
	u64 bytes;		/* of the whole block */
	u32 count;		/* distinct entries */
	u32 slots;
};

#define SSLV_DOMSET_HEADER	64
_Static_assert(sizeof(struct sslv_domset_head) <= SSLV_DOMSET_HEADER,
	       "the slots start at 64");

struct sslv_domset_slot {
	u32 tag;		/* the hash's high half */
	u32 ref;		/* record offset from the block's start; 0: free */
};

#define SSLV_DOMSET_REC		2	/* record header: len, wild */

static const char *const sslv_dom_errors[__SSLV_DOM_EMAX] = {
	[SSLV_DOM_OK]		= "ok",
	[SSLV_DOM_EEMPTY]	= "empty name",
	[SSLV_DOM_ELONG]	= "name longer than 253 bytes",
	[SSLV_DOM_ELABEL_EMPTY]	= "empty label",
	[SSLV_DOM_ELABEL_LONG]	= "label longer than 63 bytes",
	[SSLV_DOM_ECHAR]	= "invalid character",
	[SSLV_DOM_EWILDCARD]	= "misplaced wildcard",
	[SSLV_DOM_ETOOMANY]	= "too many names",
	[SSLV_DOM_EPACKED]	= "malformed name list",
	[SSLV_DOM_ENOSPC]	= "workspace too small",
};

const char *sslv_domain_strerror(int err)
{
	u32 e = err < 0 ? -(u32)err : (u32)err;

	return e < __SSLV_DOM_EMAX ? sslv_dom_errors[e] : "unknown error";
}

static bool sslv_domain_wild(const u8 *name, u32 len)
{
	return len >= 2 && name[0] == '*' && name[1] == '.';
}

static bool sslv_domain_char(u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int sslv_domain_check(const u8 *name, u32 len)
{
	u32 i = 0, label = 0;

	if (len && name[len - 1] == '.')
		len--;
	if (!len)
		return -SSLV_DOM_EEMPTY;
	if (len > SSLV_DOMAIN_MAX)
		return -SSLV_DOM_ELONG;
	if (sslv_domain_wild(name, len)) {
		i = 2;
		if (i == len)
			return -SSLV_DOM_EEMPTY;
	}
	for (; i < len; i++) {
		if (name[i] == '.') {
			if (!label)
				return -SSLV_DOM_ELABEL_EMPTY;
			label = 0;
		} else if (name[i] == '*') {
			return -SSLV_DOM_EWILDCARD;
		} else if (!sslv_domain_char(name[i])) {
			return -SSLV_DOM_ECHAR;
		} else if (++label > SSLV_DOMAIN_LABEL_MAX) {
			return -SSLV_DOM_ELABEL_LONG;
		}
	}
	return label ? 0 : -SSLV_DOM_ELABEL_EMPTY;
}

static u32 sslv_domset_slots(u32 n)
{
	return n < 4 ? 8 : 2 * n;
}

size_t sslv_domset_size(u32 n, u32 name_bytes)
{
	if (n > SSLV_DOMSET_NAMES_MAX)
		return 0;
	return SSLV_DOMSET_HEADER +
	       (size_t)sslv_domset_slots(n) * sizeof(struct sslv_domset_slot) +
	       (size_t)n * SSLV_DOMSET_REC + name_bytes;
}

size_t sslv_domset_bytes(const void *set)
{
	return ((const struct sslv_domset_head *)set)->bytes;
}

u32 sslv_domset_count(const void *set)
{
	return ((const struct sslv_domset_head *)set)->count;
}

#define SSLV_FNV_BASIS	0xcbf29ce484222325ULL
#define SSLV_FNV_PRIME	0x100000001b3ULL

static inline u64 sslv_domset_step(u64 h, u8 c)
{
	return (h ^ c) * SSLV_FNV_PRIME;
}

/* The flag, then a full-avalanche mix: both halves of the result are used. */
static inline u64 sslv_domset_finish(u64 h, bool wild)
{
	h = sslv_domset_step(h, wild);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static u64 sslv_domset_hash(const u8 *b, u32 len, bool wild)
{
	u64 h = SSLV_FNV_BASIS;

	while (len--)
		h = sslv_domset_step(h, b[len]);
	return sslv_domset_finish(h, wild);
}

static inline struct sslv_domset_slot *sslv_domset_table(const void *set)
{
	return (struct sslv_domset_slot *)((u8 *)set + SSLV_DOMSET_HEADER);
}

/*
 * The slot holding the entry (@b, @len, @wild) of hash @h, or the free
 * slot ending its probe sequence.
 */
static struct sslv_domset_slot *sslv_domset_find(const void *set, u64 h,
						 const u8 *b, u32 len, bool wild)
{
	const struct sslv_domset_head *d = set;
	struct sslv_domset_slot *tab = sslv_domset_table(set);
	u32 tag = (u32)(h >> 32);
	u32 i = (u32)(((h & 0xffffffffULL) * d->slots) >> 32);

	for (;; i = i + 1 < d->slots ? i + 1 : 0) {
		const u8 *rec = (const u8 *)set + tab[i].ref;

		if (!tab[i].ref)
			return &tab[i];
		if (tab[i].tag == tag && rec[0] == len && rec[1] == wild &&
		    !memcmp(rec + SSLV_DOMSET_REC, b, len))
			return &tab[i];
	}
}

static bool sslv_domset_has(const void *set, u64 h, const u8 *b, u32 len,
			    bool wild)
{
	return sslv_domset_find(set, h, b, len, wild)->ref != 0;
}

static u8 sslv_domain_lower(u8 c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * Check the packed list: @n names, exactly @names_len bytes. Their total
 * length goes to @name_bytes.
 */
static int sslv_domset_scan(const u8 *names, u32 names_len, u32 n,
			    u32 *name_bytes)
{
	u32 pos = 0, k;
	int err;

	*name_bytes = 0;
	for (k = 0; k < n; k++) {
		u32 len;

		if (pos >= names_len)
			return -SSLV_DOM_EPACKED;
		len = names[pos++];
		if (len > names_len - pos)
			return -SSLV_DOM_EPACKED;
		err = sslv_domain_check(names + pos, len);
		if (err)
			return err;
		*name_bytes += len;
		pos += len;
	}
	return pos == names_len ? 0 : -SSLV_DOM_EPACKED;
}

int sslv_domset_build(void *mem, size_t size, const u8 *names, u32 names_len,
		      u32 n)
{
	struct sslv_domset_head *d = mem;
	u32 name_bytes, pos = 0, end, k;
	int err;

	if (n > SSLV_DOMSET_NAMES_MAX)
		return -SSLV_DOM_ETOOMANY;
	err = sslv_domset_scan(names, names_len, n, &name_bytes);
	if (err)
		return err;
	if (size < sslv_domset_size(n, name_bytes))
		return -SSLV_DOM_ENOSPC;

	memset(d, 0, SSLV_DOMSET_HEADER);
	d->slots = sslv_domset_slots(n);
	memset(sslv_domset_table(d), 0,
	       (size_t)d->slots * sizeof(struct sslv_domset_slot));
	end = SSLV_DOMSET_HEADER + d->slots * sizeof(struct sslv_domset_slot);

	for (k = 0; k < n; k++) {
		u8 *rec = (u8 *)mem + end;
		const u8 *name = names + pos + 1;
		u32 len = names[pos], i;
		struct sslv_domset_slot *slot;
		bool wild;
		u64 h;

		pos += 1 + len;
		if (name[len - 1] == '.')
			len--;
		wild = sslv_domain_wild(name, len);
		if (wild) {
			name += 2;
			len -= 2;
		}
		rec[0] = (u8)len;
		rec[1] = wild;
		for (i = 0; i < len; i++)
			rec[SSLV_DOMSET_REC + i] = sslv_domain_lower(name[i]);

		h = sslv_domset_hash(rec + SSLV_DOMSET_REC, len, wild);
		slot = sslv_domset_find(d, h, rec + SSLV_DOMSET_REC, len, wild);
		if (slot->ref)
			continue;	/* a duplicate */
		slot->tag = (u32)(h >> 32);
		slot->ref = end;
		end += SSLV_DOMSET_REC + len;
		d->count++;
	}
	d->bytes = end;
	return 0;
}

/* The records follow the table, packed, in insertion order. */
u32 sslv_domset_next(const void *set, u32 *pos, char *buf)
{
	const struct sslv_domset_head *d = set;
	u32 start = SSLV_DOMSET_HEADER +
		    d->slots * (u32)sizeof(struct sslv_domset_slot);
	const u8 *rec;
	u32 at = *pos ? *pos : start, len, out = 0;

	if (at < start || at + SSLV_DOMSET_REC > d->bytes)
		return 0;
	rec = (const u8 *)set + at;
	len = rec[0];
	if (at + SSLV_DOMSET_REC + len > d->bytes ||
	    len + (rec[1] ? 2 : 0) > SSLV_DOMAIN_MAX)
		return 0;
	if (rec[1]) {
		buf[out++] = '*';
		buf[out++] = '.';
	}
	memcpy(buf + out, rec + SSLV_DOMSET_REC, len);
	out += len;
	buf[out] = '\0';
	*pos = at + SSLV_DOMSET_REC + len;
	return out;
}

bool sslv_domset_match(const void *set, const u8 *name, u32 len)
{
	u8 buf[SSLV_DOMAIN_MAX];
	u64 h = SSLV_FNV_BASIS;
	u32 i;

	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > SSLV_DOMAIN_MAX)
		return false;
	for (i = 0; i < len; i++)
		buf[i] = sslv_domain_lower(name[i]);

	/*
	 * "*.suffix" matches at a dot with a suffix after it and, before it,
	 * a label that is not empty: a byte other than a dot.
	 */
	for (i = len; i-- > 0;) {
		if (buf[i] == '.' && i > 0 && i + 1 < len && buf[i - 1] != '.' &&
		    sslv_domset_has(set, sslv_domset_finish(h, true), buf + i + 1,
				    len - i - 1, true))
			return true;
		h = sslv_domset_step(h, buf[i]);
	}
	return sslv_domset_has(set, sslv_domset_finish(h, false), buf, len,
			       false);
}
