/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The smallest assertion kit for the unit tests of kmod/lib: CHECK counts
 * every check and names the failed ones, unit_done() prints the closing
 * line "N passed, N failed" and returns the exit status for main();
 * unit_rand() and unit_rnd() give the random tests a fixed sequence.
 */
#ifndef SSLV_UNIT_H
#define SSLV_UNIT_H

#include <stdio.h>

#include "types.h"

static int unit_passed, unit_failed;
static u64 unit_rng = 0x5eed5eed12345678ULL;

#define CHECK(expr) do {						\
	if (expr) {							\
		unit_passed++;						\
	} else {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #expr);			\
	}								\
} while (0)

/* xorshift64 from a fixed seed: random tests that run the same every time. */
static inline u64 unit_rand(void)
{
	unit_rng ^= unit_rng << 13;
	unit_rng ^= unit_rng >> 7;
	unit_rng ^= unit_rng << 17;
	return unit_rng;
}

/* A number below @bound. */
static inline u32 unit_rnd(u32 bound)
{
	return (u32)(unit_rand() >> 32) % bound;
}

static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif /* SSLV_UNIT_H */
