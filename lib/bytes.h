/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* bytes.h - unaligned big-endian loads and stores for header fields, for
 * the user-space code that reads or builds frames: the backend, the tools
 * and the tests (like util.h and net_hdr.h). */
#ifndef BIFROST_BYTES_H
#define BIFROST_BYTES_H

#include <stdint.h>

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

#endif /* BIFROST_BYTES_H */
