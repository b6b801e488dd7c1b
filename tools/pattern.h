/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pattern.h - the verifiable byte stream of the traffic tools: byte i of
 * stream SEED is a fixed function of (SEED, i), so any lost, duplicated or
 * reordered byte shows as a mismatch at its offset.
 */
#ifndef BIFROST_PATTERN_H
#define BIFROST_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t pattern_word(uint64_t seed, uint64_t i)
{
	uint64_t x = seed ^ (i * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Fills buf with the pattern bytes [off, off+len). */
static inline void pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len && ((off + i) & 7)) {
		buf[i] = (uint8_t)(pattern_word(seed, (off + i) >> 3) >> (((off + i) & 7) * 8));
		i++;
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t w = pattern_word(seed, (off + i) >> 3);

		memcpy(buf + i, &w, 8);	/* little-endian: byte k = bits 8k.. */
	}
	for (; i < len; i++)
		buf[i] = (uint8_t)(pattern_word(seed, (off + i) >> 3) >> (((off + i) & 7) * 8));
}

/* Offset of the first byte of buf that is not pattern [off, off+len), or -1. */
static inline long long pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf,
				      size_t len, uint8_t *scratch)
{
	size_t i;

	pattern_fill(seed, off, scratch, len);
	if (!memcmp(buf, scratch, len))
		return -1;
	for (i = 0; buf[i] == scratch[i]; i++)
		;
	return (long long)(off + i);
}

#endif /* BIFROST_PATTERN_H */
