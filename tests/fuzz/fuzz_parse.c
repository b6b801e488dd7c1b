// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_parse.c - libFuzzer harness for the XDP classifier's shared parser
 * (include/bifrost_parse.h, compiled for user space as tests/unit/test_parse.c
 * does). The input is one Ethernet frame, copied into a buffer of exactly
 * its length so ASan sees any read past the frame; its last byte also
 * picks the length of a linear part (see check_linear).
 *
 * Beyond "no crash" it asserts, for every frame the parser accepts:
 *   - every offset and length it returns lies inside the frame, in order
 *     (l3_off <= l4_off < payload_off <= l3_end <= frame length) and the
 *     payload ends exactly at l3_end;
 *   - the flags are consistent (TCP xor UDP only with L4 and an IP
 *     version; MERGEABLE only for TCP with payload, no fragment, no
 *     options; a fragment has no L4 header);
 *   - the result does not depend on bytes after the IP datagram: the same
 *     frame with padding appended parses identically;
 *   - the flow hash is symmetric: swapping the addresses and ports gives
 *     the same hash and the same offsets;
 *   - the frags-aware entry point (bf_parse_frame_len), given only a
 *     linear prefix of the frame in a buffer of exactly that size, reads
 *     nothing past it and either refuses the frame or classifies it as the
 *     whole frame does; with every header in the prefix it accepts it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bifrost_parse.h"

#define PAD_LEN	64

static void check_bounds(const struct bf_parsed *p, size_t len)
{
	if (!(p->flags & (BF_PF_IPV4 | BF_PF_IPV6))) {
		if (p->flags & ~BF_PF_VLAN || p->hash || p->l4_off || p->l3_end)
			abort();
		return;
	}
	if ((p->flags & BF_PF_IPV4) && (p->flags & BF_PF_IPV6))
		abort();
	if (p->l3_off < 14 || p->l3_end > len || p->l3_off >= p->l3_end)
		abort();
	if (!(p->flags & BF_PF_L4)) {
		if (p->flags & (BF_PF_TCP | BF_PF_UDP | BF_PF_PAYLOAD | BF_PF_MERGEABLE) ||
		    p->payload_off || p->payload_len)
			abort();
		return;
	}
	if (!(p->flags & BF_PF_TCP) == !(p->flags & BF_PF_UDP) || (p->flags & BF_PF_FRAG))
		abort();
	if (p->l4_off <= p->l3_off || p->payload_off <= p->l4_off ||
	    p->payload_off > p->l3_end ||
	    (uint32_t)p->payload_off + p->payload_len != p->l3_end)
		abort();
	if (p->payload_off - p->l4_off < ((p->flags & BF_PF_TCP) ? 20 : 8))
		abort();
	if (!(p->flags & BF_PF_PAYLOAD) != !p->payload_len)
		abort();
	if ((p->flags & BF_PF_MERGEABLE) &&
	    (!(p->flags & BF_PF_TCP) || !(p->flags & BF_PF_PAYLOAD) ||
	     (p->flags & (BF_PF_FRAG | BF_PF_IPOPTS | BF_PF_FLUSH))))
		abort();
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t;

	while (n--) {
		t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* The frame with the endpoints swapped parses alike and hashes alike. */
static void check_symmetry(const uint8_t *data, size_t len, const struct bf_parsed *p)
{
	struct bf_parsed q;
	uint8_t *f = malloc(len);

	if (!f)
		abort();
	memcpy(f, data, len);
	if (p->flags & BF_PF_IPV4)
		swap_bytes(f + p->l3_off + 12, f + p->l3_off + 16, 4);
	else
		swap_bytes(f + p->l3_off + 8, f + p->l3_off + 24, 16);
	if (p->flags & BF_PF_L4)
		swap_bytes(f + p->l4_off, f + p->l4_off + 2, 2);
	if (bf_parse_frame(f, f + len, &q) != BF_PARSE_OK || q.hash != p->hash ||
	    q.flags != p->flags || q.l4_off != p->l4_off || q.l3_end != p->l3_end ||
	    q.payload_off != p->payload_off || q.payload_len != p->payload_len)
		abort();
	free(f);
}

/* The same classification (every field the parser derives from the
 * frame's bytes). */
static bool same(const struct bf_parsed *a, const struct bf_parsed *b)
{
	return a->hash == b->hash && a->flags == b->flags && a->ethertype == b->ethertype &&
	       a->l3_off == b->l3_off && a->l4_off == b->l4_off &&
	       a->payload_off == b->payload_off && a->payload_len == b->payload_len &&
	       a->l3_end == b->l3_end && a->l4_proto == b->l4_proto &&
	       a->tcp_flags == b->tcp_flags;
}

/* Bytes after the datagram (Ethernet padding) change nothing. */
static void check_padding(const uint8_t *data, size_t len, const struct bf_parsed *p)
{
	struct bf_parsed q;
	uint8_t *f = malloc(len + PAD_LEN);

	if (!f)
		abort();
	memcpy(f, data, len);
	memset(f + len, 0xa5, PAD_LEN);
	if (bf_parse_frame(f, f + len + PAD_LEN, &q) != BF_PARSE_OK || !same(&q, p))
		abort();
	free(f);
}

/*
 * The XDP program with frags support reads headers from the linear part
 * only (bf_parse_frame_len): given the first lin bytes, in a buffer of
 * exactly that size, and the whole length, it reads nothing past them and
 * either refuses the frame or classifies it as the whole frame does.
 */
static void check_linear(const uint8_t *data, size_t size, size_t lin, int full_ret,
			 const struct bf_parsed *full)
{
	struct bf_parsed q;
	uint8_t *f = malloc(lin ? lin : 1);
	int ret;

	if (!f)
		abort();
	memcpy(f, data, lin);
	ret = bf_parse_frame_len(f, f + lin, (uint32_t)size, &q);
	if (ret == BF_PARSE_OK && (full_ret != BF_PARSE_OK || !same(&q, full) ||
				   q.frame_len != size))
		abort();
	/* headers inside the linear part: it must not refuse */
	if (full_ret == BF_PARSE_OK && (full->flags & BF_PF_L4) &&
	    lin >= full->payload_off && ret != BF_PARSE_OK)
		abort();
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_parsed p;
	uint8_t *f = malloc(size ? size : 1);
	int ret;

	if (!f)
		abort();
	memcpy(f, data, size);
	ret = bf_parse_frame(f, f + size, &p);
	if (ret == BF_PARSE_OK) {
		check_bounds(&p, size);
		check_padding(f, size, &p);
		if (p.flags & (BF_PF_IPV4 | BF_PF_IPV6))
			check_symmetry(f, size, &p);
		if (p.flags & BF_PF_L4)
			check_linear(f, size, p.payload_off, ret, &p);
	}
	/* a linear part of any length the last byte picks */
	if (size)
		check_linear(f, size, size - data[size - 1] % (size + 1), ret, &p);
	free(f);
	return 0;
}
