/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Pure C shared by the module and userspace (tests, fuzzers, tools/rstscope).
 * Code under kmod/lib/ includes only this header for its basic types: no
 * kernel headers, no libc beyond memcpy/memcmp/memset, no allocation unless
 * a function says so, and never a read past the length it is given.
 */
#ifndef SSLV_LIB_TYPES_H
#define SSLV_LIB_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
#endif

/*
 * Serial-number arithmetic (RFC 1982) on 32-bit numbers that wrap: TCP
 * sequence numbers, and the flows' millisecond clock.
 */
static inline bool sslv_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool sslv_seq_after(u32 a, u32 b)
{
	return sslv_seq_before(b, a);
}

#endif /* SSLV_LIB_TYPES_H */
