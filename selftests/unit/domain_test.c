// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/lib/domain.c: the name checker's tables, hand-written set cases, a
 * differential test against sslv_sni_match() over every entry (fixed
 * seed), a 100k-name set, and packed lists that are cut short or garbage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "domain.h"
#include "tls.h"
#include "unit.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- a packed list, as the module stages it ------------------------------ */

struct list {
	u8 *b;
	u32 len;
	u32 n;
	u32 cap;
};

static void list_add(struct list *l, const char *name, u32 len)
{
	if (l->len + 1 + len > l->cap) {
		l->cap = (l->cap + 1 + len) * 2;
		l->b = realloc(l->b, l->cap);
		if (!l->b)
			abort();
	}
	l->b[l->len++] = (u8)len;
	memcpy(l->b + l->len, name, len);
	l->len += len;
	l->n++;
}

static void list_add_str(struct list *l, const char *name)
{
	list_add(l, name, (u32)strlen(name));
}

/* The set of @l in malloc'd memory; abort()s on a build error. */
static void *build(const struct list *l)
{
	size_t size = sslv_domset_size(l->n, l->len);
	void *set = malloc(size);
	int err;

	if (!set)
		abort();
	err = sslv_domset_build(set, size, l->b, l->len, l->n);
	if (err) {
		fprintf(stderr, "sslv_domset_build: %s\n", sslv_domain_strerror(err));
		abort();
	}
	return set;
}

static bool match(const void *set, const char *name)
{
	return sslv_domset_match(set, (const u8 *)name, (u32)strlen(name));
}

/* ---- sslv_domain_check() --------------------------------------------------- */

static int check_str(const char *name)
{
	return sslv_domain_check((const u8 *)name, (u32)strlen(name));
}

/* A name of @len bytes: labels of @label bytes of 'a' joined by dots. */
static char *long_name(char *buf, u32 len, u32 label)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (i + 1) % (label + 1) ? 'a' : '.';
	buf[len] = 0;
	return buf;
}

static void test_check(void)
{
	static const char *const good[] = {
		"example.com", "EXAMPLE.Com", "example.com.", "*.example.com",
		"*.com", "*.com.", "a", "a.b.c.d.e", "xn--bcher-kva.example",
		"_dmarc.example.com", "a-b.c_d", "-a-.0", "123.45",
	};
	static const struct {
		const char *name;
		int err;
	} bad[] = {
		{ "", SSLV_DOM_EEMPTY },
		{ ".", SSLV_DOM_EEMPTY },
		{ "*.", SSLV_DOM_EWILDCARD },	/* "*", fully qualified */
		{ "*..", SSLV_DOM_EEMPTY },
		{ "..", SSLV_DOM_ELABEL_EMPTY },
		{ ".a", SSLV_DOM_ELABEL_EMPTY },
		{ "a..b", SSLV_DOM_ELABEL_EMPTY },
		{ "a..", SSLV_DOM_ELABEL_EMPTY },
		{ "*..a", SSLV_DOM_ELABEL_EMPTY },
		{ "a b.com", SSLV_DOM_ECHAR },
		{ " a.com", SSLV_DOM_ECHAR },
		{ "ex@mple.com", SSLV_DOM_ECHAR },
		{ "caf\xc3\xa9.fr", SSLV_DOM_ECHAR },
		{ "a/b", SSLV_DOM_ECHAR },
		{ "*", SSLV_DOM_EWILDCARD },
		{ "*example.com", SSLV_DOM_EWILDCARD },
		{ "**.com", SSLV_DOM_EWILDCARD },
		{ "*.*.com", SSLV_DOM_EWILDCARD },
		{ "a.*.com", SSLV_DOM_EWILDCARD },
		{ "foo*.com", SSLV_DOM_EWILDCARD },
		{ "com.*", SSLV_DOM_EWILDCARD },
	};
	char buf[300];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		int err = check_str(good[i]);

		CHECK(err == 0);
		if (err)
			fprintf(stderr, "  \"%s\": %s\n", good[i],
				sslv_domain_strerror(err));
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = check_str(bad[i].name);

		CHECK(err == -bad[i].err);
		if (err != -bad[i].err)
			fprintf(stderr, "  \"%s\": got \"%s\"\n", bad[i].name,
				sslv_domain_strerror(err));
	}
	/* An embedded NUL is a byte like any other. */
	CHECK(sslv_domain_check((const u8 *)"a\0b.com", 7) == -SSLV_DOM_ECHAR);

	/* Lengths: a label of 63 and 64, a name of 253 and 254. */
	CHECK(check_str(long_name(buf, 63, 63)) == 0);
	CHECK(check_str(long_name(buf, 64, 64)) == -SSLV_DOM_ELABEL_LONG);
	CHECK(check_str(long_name(buf, 253, 63)) == 0);
	CHECK(check_str(long_name(buf, 254, 63)) == -SSLV_DOM_ELONG);
	long_name(buf, 253, 63);
	strcat(buf, ".");
	CHECK(check_str(buf) == 0);		/* the trailing dot is dropped */
	long_name(buf + 2, 251, 63);
	memcpy(buf, "*.", 2);
	CHECK(check_str(buf) == 0);		/* "*." counts */
	long_name(buf + 2, 252, 63);
	memcpy(buf, "*.", 2);
	CHECK(check_str(buf) == -SSLV_DOM_ELONG);

	CHECK(!strcmp(sslv_domain_strerror(0), "ok"));
	CHECK(!strcmp(sslv_domain_strerror(-SSLV_DOM_EEMPTY), "empty name"));
	CHECK(!strcmp(sslv_domain_strerror(-SSLV_DOM_ELONG),
		      "name longer than 253 bytes"));
	CHECK(!strcmp(sslv_domain_strerror(-SSLV_DOM_ELABEL_EMPTY),
		      "empty label"));
	CHECK(!strcmp(sslv_domain_strerror(-SSLV_DOM_ELABEL_LONG),
		      "label longer than 63 bytes"));
	CHECK(!strcmp(sslv_domain_strerror(-SSLV_DOM_ECHAR),
		      "invalid character"));
	CHECK(!strcmp(sslv_domain_strerror(-SSLV_DOM_EWILDCARD),
		      "misplaced wildcard"));
	CHECK(!strcmp(sslv_domain_strerror(-__SSLV_DOM_EMAX), "unknown error"));
	for (i = 0; i < __SSLV_DOM_EMAX; i++)
		CHECK(sslv_domain_strerror(-(int)i) != NULL);
}

/* ---- hand-written sets ----------------------------------------------------- */

static void test_small_set(void)
{
	struct list l = { 0 };
	void *set, *copy;
	char buf[300];

	list_add_str(&l, "example.com");
	list_add_str(&l, "*.Example.ORG.");
	list_add_str(&l, "*.b.test");
	list_add_str(&l, "a.b.test");
	list_add_str(&l, "EXAMPLE.com.");	/* the same as the first */
	list_add_str(&l, "*.example.org");	/* the same as the second */
	list_add_str(&l, "_sip.example.net");
	set = build(&l);

	CHECK(sslv_domset_count(set) == 5);
	CHECK(sslv_domset_bytes(set) <= sslv_domset_size(l.n, l.len));

	/* exact, whatever the case, one trailing dot ignored */
	CHECK(match(set, "example.com"));
	CHECK(match(set, "EXAMPLE.com."));
	CHECK(match(set, "eXaMpLe.CoM"));
	CHECK(!match(set, "example.com.."));
	CHECK(!match(set, "www.example.com"));	/* no wildcard for .com */
	CHECK(!match(set, "example.co"));
	CHECK(!match(set, "xample.com"));
	CHECK(!match(set, "example.comm"));
	CHECK(match(set, "_SIP.example.net"));

	/* wildcards: one label or more, never the suffix itself */
	CHECK(match(set, "a.example.org"));
	CHECK(match(set, "A.B.Example.Org."));
	CHECK(match(set, "*.example.org"));
	CHECK(!match(set, "example.org"));
	CHECK(!match(set, ".example.org"));
	CHECK(!match(set, "a..example.org"));
	CHECK(!match(set, "aexample.org"));
	CHECK(!match(set, "a.example.org.uk"));

	/* an exact entry below a wildcard one */
	CHECK(match(set, "a.b.test"));
	CHECK(match(set, "z.b.test"));
	CHECK(match(set, "x.a.b.test"));
	CHECK(!match(set, "b.test"));

	/* empty, lone dot, too long */
	CHECK(!sslv_domset_match(set, (const u8 *)"", 0));
	CHECK(!match(set, "."));
	memset(buf, 'a', 242);
	strcpy(buf + 242, ".example.org");	/* 254 bytes */
	CHECK(!match(set, buf));
	strcat(buf, ".");
	CHECK(!match(set, buf));
	CHECK(match(set, buf + 1));		/* 253 bytes */

	/* the block is position independent */
	copy = malloc(sslv_domset_bytes(set));
	memcpy(copy, set, sslv_domset_bytes(set));
	memset(set, 0xa5, sslv_domset_bytes(set));
	CHECK(match(copy, "a.b.example.org"));
	CHECK(match(copy, "example.com"));
	CHECK(!match(copy, "example.org"));

	/* its entries, in order, once each, as built */
	{
		static const char *const want[] = {
			"example.com", "*.example.org", "*.b.test", "a.b.test",
			"_sip.example.net",
		};
		u32 pos = 0, n = 0, len;

		while ((len = sslv_domset_next(copy, &pos, buf)) != 0) {
			CHECK(n < 5 && !strcmp(buf, want[n]) &&
			      len == strlen(want[n]));
			n++;
		}
		CHECK(n == 5);
		CHECK(sslv_domset_next(copy, &pos, buf) == 0);
		pos = 7;	/* inside the header: no entry */
		CHECK(sslv_domset_next(copy, &pos, buf) == 0);
		pos = (u32)sslv_domset_bytes(copy) - 1;
		CHECK(sslv_domset_next(copy, &pos, buf) == 0);
	}
	free(copy);
	free(set);

	/* an empty set */
	l.len = 0;
	l.n = 0;
	set = build(&l);
	CHECK(sslv_domset_count(set) == 0);
	CHECK(!match(set, "example.com"));
	{
		u32 pos = 0;

		CHECK(sslv_domset_next(set, &pos, buf) == 0);
	}
	free(set);
	free(l.b);
}

/* ---- differential test against sslv_sni_match() --------------------------- */

/* Few labels, so that names and patterns share suffixes. */
static void rnd_labels(char *out, u32 labels)
{
	static const char *const pool[] = {
		"a", "b", "ab", "ba", "x-y", "_q", "com", "net", "0",
	};
	u32 i;

	out[0] = 0;
	for (i = 0; i < labels; i++) {
		if (i)
			strcat(out, ".");
		strcat(out, pool[unit_rnd(ARRAY_SIZE(pool))]);
	}
}

static void rnd_case(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z' && unit_rnd(3) == 0)
			*s = (char)(*s - 'a' + 'A');
}

/* A name to look up: mostly plausible, sometimes with empty labels. */
static void rnd_name(char *out)
{
	char tail[64];

	rnd_labels(out, 1 + unit_rnd(5));
	switch (unit_rnd(10)) {
	case 0:
		strcat(out, ".");
		break;
	case 1:
		strcpy(tail, out);
		strcpy(out, unit_rnd(2) ? "." : "a..");
		strcat(out, tail);
		break;
	case 2:
		strcat(out, "..");
		break;
	case 3:
		strcpy(tail, out);
		strcpy(out, "*.");
		strcat(out, tail);
		break;
	}
	rnd_case(out);
}

static void test_differential(void)
{
	u32 round, bad = 0;

	for (round = 0; round < 10; round++) {
		static char pat[200][64];
		struct list l = { 0 };
		u32 npat = 1 + unit_rnd(200), i, j;
		void *set;

		for (i = 0; i < npat; i++) {
			char entry[80];

			if (unit_rnd(3) == 0) {
				strcpy(pat[i], "*.");
				rnd_labels(pat[i] + 2, 1 + unit_rnd(3));
			} else {
				rnd_labels(pat[i], 1 + unit_rnd(4));
			}
			rnd_case(pat[i]);
			strcpy(entry, pat[i]);
			if (unit_rnd(4) == 0)
				strcat(entry, ".");	/* dropped by build */
			if (check_str(entry) && !bad++)
				fprintf(stderr, "pattern \"%s\" refused\n", entry);
			list_add_str(&l, entry);
		}
		set = build(&l);
		for (i = 0; i < 2000; i++) {
			char name[80];
			bool want = false, got;

			rnd_name(name);
			for (j = 0; j < npat && !want; j++)
				want = sslv_sni_match(pat[j], (u32)strlen(pat[j]),
						      (const u8 *)name,
						      (u32)strlen(name));
			got = match(set, name);
			if (got != want && !bad++)
				fprintf(stderr, "round %u \"%s\": got %d, want %d\n",
					round, name, got, want);
		}
		free(set);
		free(l.b);
	}
	CHECK(bad == 0);
}

/* ---- 100k names ------------------------------------------------------------ */

#define BIG	100000
#define BIG_WILD 1000

static void big_name(char *out, u32 i, const char *tld)
{
	sprintf(out, "h%x-%u.zone%u.%s", i * 2654435761U, i, i % 97, tld);
}

static void test_big(void)
{
	struct list l = { 0 };
	u32 i, missing = 0, extra = 0, wild = 0;
	u64 name_bytes;
	char name[128];
	void *set;

	for (i = 0; i < BIG; i++) {
		big_name(name, i, "example");
		list_add_str(&l, name);
	}
	for (i = 0; i < BIG_WILD; i++) {
		sprintf(name, "*.w%u.wild", i);
		list_add_str(&l, name);
	}
	/* Every tenth name again, in upper case or with a trailing dot. */
	for (i = 0; i < BIG; i += 10) {
		big_name(name, i, i % 20 ? "example." : "EXAMPLE");
		list_add_str(&l, name);
	}
	set = build(&l);
	name_bytes = l.len - l.n;
	CHECK(sslv_domset_count(set) == BIG + BIG_WILD);
	printf("%u names of %.1f bytes on average: %zu bytes, %.1f per name\n",
	       sslv_domset_count(set), (double)name_bytes / l.n,
	       sslv_domset_bytes(set),
	       (double)sslv_domset_bytes(set) / sslv_domset_count(set));

	for (i = 0; i < BIG; i++) {
		big_name(name, i, "example");
		missing += !match(set, name);
		big_name(name, i + BIG, "example");	/* not a member */
		extra += match(set, name);
		big_name(name, i, "exampl");
		extra += match(set, name);
	}
	CHECK(missing == 0);
	CHECK(extra == 0);
	for (i = 0; i < BIG_WILD; i++) {
		sprintf(name, "x.w%u.wild", i);
		wild += match(set, name);
		sprintf(name, "W%u.Wild", i);
		extra += match(set, name);
	}
	CHECK(wild == BIG_WILD);
	CHECK(extra == 0);
	free(set);
	free(l.b);
}

/* ---- packed lists the module could be handed ------------------------------ */

/* Build from a copy of exactly @len bytes, so that ASan sees any overread. */
static int build_exact(const u8 *names, u32 len, u32 n, size_t size)
{
	u8 *copy = malloc(len ? len : 1);
	void *set = malloc(size ? size : 1);
	int err;

	memcpy(copy, names, len);
	err = sslv_domset_build(set, size, copy, len, n);
	if (!err && sslv_domset_count(set) > n)
		err = 1;
	free(set);
	free(copy);
	return err;
}

static void test_packed(void)
{
	struct list l = { 0 };
	u32 cut, bad = 0, ok = 0, i;
	size_t size;
	void *set;
	u8 junk[64];

	list_add_str(&l, "example.com");
	list_add_str(&l, "*.example.org");
	list_add_str(&l, "a.b.test");
	size = sslv_domset_size(l.n, l.len - l.n);	/* the names' bytes */

	CHECK(build_exact(l.b, l.len, l.n, size) == 0);
	CHECK(build_exact(l.b, l.len, l.n, size - 1) == -SSLV_DOM_ENOSPC);
	CHECK(build_exact(l.b, l.len, l.n + 1, size) == -SSLV_DOM_EPACKED);
	CHECK(build_exact(l.b, l.len, l.n - 1, size) == -SSLV_DOM_EPACKED);
	CHECK(build_exact(l.b, l.len, SSLV_DOMSET_NAMES_MAX + 1, size) ==
	      -SSLV_DOM_ETOOMANY);
	CHECK(sslv_domset_size(SSLV_DOMSET_NAMES_MAX + 1, 0) == 0);
	CHECK(sslv_domset_size(SSLV_DOMSET_NAMES_MAX, 0) != 0);
	for (cut = 0; cut < l.len; cut++)
		bad += build_exact(l.b, cut, l.n, size) != -SSLV_DOM_EPACKED;
	CHECK(bad == 0);

	/* No names at all, as the module builds an empty staging set. */
	set = malloc(sslv_domset_size(0, 0));
	CHECK(sslv_domset_build(set, sslv_domset_size(0, 0), NULL, 0, 0) == 0);
	CHECK(sslv_domset_count(set) == 0 && !match(set, "a"));
	free(set);

	/* An invalid name's own error. */
	list_add_str(&l, "a..b");
	CHECK(build_exact(l.b, l.len, l.n, sslv_domset_size(l.n, l.len)) ==
	      -SSLV_DOM_ELABEL_EMPTY);
	l.len = 0;
	l.n = 0;
	list_add_str(&l, "");
	CHECK(build_exact(l.b, l.len, l.n, sslv_domset_size(l.n, l.len)) ==
	      -SSLV_DOM_EEMPTY);

	/* Garbage: an error or a set no larger than it says, never a crash. */
	bad = 0;
	for (i = 0; i < 20000; i++) {
		u32 len = unit_rnd(sizeof(junk) + 1), n = unit_rnd(6), j;
		int err;

		for (j = 0; j < len; j++)
			junk[j] = unit_rnd(4) ? (u8)unit_rnd(12) : "ab.*-"[unit_rnd(5)];
		err = build_exact(junk, len, n, sslv_domset_size(n, len));
		bad += err > 0;
		ok += err == 0;
	}
	CHECK(bad == 0);
	CHECK(ok > 0);		/* some garbage is a valid list */
	free(l.b);
}

int main(void)
{
	test_check();
	test_small_set();
	test_differential();
	test_big();
	test_packed();
	return unit_done();
}
