/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Domain sets: large lists of server names ("example.com") and wildcards
 * ("*.example.com") that a TLS policy matches the SNI against, in time
 * independent of the list's length. Shared by the module (which builds the
 * set SSLV_CMD_DOMSET_COMMIT makes live) and userspace (sslvctl checks the
 * names it sends; unit tests). Pure C, see types.h.
 *
 * A name matches an entry as sslv_sni_match() (tls.h) says: ASCII
 * case-insensitively, one trailing dot ignored, "*.suffix" matching any
 * name below suffix but not suffix itself.
 *
 * Building, in caller memory (no allocation inside):
 *
 *	size = sslv_domset_size(n, name_bytes);	  workspace, an upper bound
 *	err = sslv_domset_build(ws, size, names, names_len, n);  linear in n
 *	used = sslv_domset_bytes(ws);		  the built block's size
 *
 * The set is the first sslv_domset_bytes() bytes of the workspace and may
 * be copied (memcpy) to a buffer of exactly that size. Either must be
 * 8-byte aligned; 64-byte alignment (what kvmalloc gives) keeps the probes
 * of a lookup in as few cache lines as possible. A built set is only read.
 */
#ifndef SSLV_LIB_DOMAIN_H
#define SSLV_LIB_DOMAIN_H

#include "types.h"
#include <linux/sslv.h>

#define SSLV_DOMAIN_MAX		253	/* bytes of a name, trailing dot dropped */
#define SSLV_DOMAIN_LABEL_MAX	63

/* Negative return values; sslv_domain_strerror() names them. */
enum sslv_dom_err {
	SSLV_DOM_OK,
	SSLV_DOM_EEMPTY,	/* no name (a lone "." or "*." included) */
	SSLV_DOM_ELONG,		/* longer than SSLV_DOMAIN_MAX */
	SSLV_DOM_ELABEL_EMPTY,	/* ".." or a leading "." */
	SSLV_DOM_ELABEL_LONG,	/* a label longer than SSLV_DOMAIN_LABEL_MAX */
	SSLV_DOM_ECHAR,		/* a byte not a letter, digit, '-' or '_' */
	SSLV_DOM_EWILDCARD,	/* a '*' anywhere but a leading "*." */
	SSLV_DOM_ETOOMANY,	/* more than SSLV_DOMSET_NAMES_MAX names */
	SSLV_DOM_EPACKED,	/* the packed list is cut short or too long */
	SSLV_DOM_ENOSPC,	/* workspace smaller than sslv_domset_size() */
	__SSLV_DOM_EMAX
};

/* A short, stable reason for a return value of this file's functions. */
const char *sslv_domain_strerror(int err);

/*
 * 0 when the @len bytes at @name (not terminated) are a valid set entry,
 * else -SSLV_DOM_E*: an optional leading "*.", then labels of 1 to 63
 * letters, digits, '-' or '_' separated by single dots, 1 to 253 bytes in
 * all ("*." included) once one trailing dot is dropped.
 */
int sslv_domain_check(const u8 *name, u32 len);

/*
 * Workspace bytes sslv_domset_build() needs for @n names whose lengths add
 * up to @name_bytes (the packed list's length is also enough); 0 if @n is
 * above SSLV_DOMSET_NAMES_MAX.
 */
size_t sslv_domset_size(u32 n, u32 name_bytes);

/*
 * Build the set of the @n names packed at @names as [u8 len][len bytes]...,
 * exactly @names_len bytes, into @mem (8-byte aligned, @size bytes). Names
 * are lowercased and lose one trailing dot; a name given twice is stored
 * once. Returns 0, or -SSLV_DOM_E*: the first invalid name's error,
 * ETOOMANY, EPACKED (never reading past @names_len), ENOSPC. On an error
 * @mem holds nothing usable.
 */
int sslv_domset_build(void *mem, size_t size, const u8 *names, u32 names_len,
		      u32 n);

/* Bytes of the built set at @set. */
size_t sslv_domset_bytes(const void *set);

/* Distinct entries in the set. */
u32 sslv_domset_count(const void *set);

/*
 * The entries of a set in the order they were first given, lowercased,
 * without a trailing dot, a wildcard as "*.suffix". @pos starts at 0; each
 * call writes the entry at @pos to @buf (SSLV_DOMAIN_MAX + 1 bytes),
 * NUL-terminated, moves @pos to the next and returns the entry's length,
 * or 0 when there is none left (or @pos is not one this function gave).
 */
u32 sslv_domset_next(const void *set, u32 *pos, char *buf);

/* Whether the @len bytes at @name match an entry of the set. */
bool sslv_domset_match(const void *set, const u8 *name, u32 len);

#endif /* SSLV_LIB_DOMAIN_H */
