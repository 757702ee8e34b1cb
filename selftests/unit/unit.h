/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The smallest assertion kit for the unit tests of kmod/lib: CHECK counts
 * every check and names the failed ones, unit_done() prints the closing
 * line "N passed, N failed" and returns the exit status for main().
 */
#ifndef SSLV_UNIT_H
#define SSLV_UNIT_H

#include <stdio.h>

static int unit_passed, unit_failed;

#define CHECK(expr) do {						\
	if (expr) {							\
		unit_passed++;						\
	} else {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #expr);			\
	}								\
} while (0)

static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif /* SSLV_UNIT_H */
