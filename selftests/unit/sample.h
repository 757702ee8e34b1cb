/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reading a recorded sample of selftests/unit/data (see record.sh): '#'
 * lines are comments, the rest is hex. Shared by the unit tests and
 * tools/bench.
 */
#ifndef SSLV_SAMPLE_H
#define SSLV_SAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include "types.h"

#define SAMPLE_MAX 65536

static inline int sample_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes of sample @path, malloc'd, and their count in @len; exits on error. */
static inline u8 *sample_load(const char *path, u32 *len)
{
	u8 *p = malloc(SAMPLE_MAX);
	FILE *f = fopen(path, "r");
	char line[4096], *c;

	if (!f || !p) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	*len = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		for (c = line; sample_hexval(c[0]) >= 0 &&
		     sample_hexval(c[1]) >= 0 && *len < SAMPLE_MAX; c += 2)
			p[(*len)++] = (u8)(sample_hexval(c[0]) << 4 |
					   sample_hexval(c[1]));
	}
	fclose(f);
	return p;
}

#endif /* SSLV_SAMPLE_H */
