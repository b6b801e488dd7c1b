/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* util.h - small helpers of the programs and tools: time (byte order: bytes.h). */
#ifndef BIFROST_UTIL_H
#define BIFROST_UTIL_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t bf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* BIFROST_UTIL_H */
