// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * csum.c - Internet checksum helpers (RFC 1071, RFC 1624 style arithmetic).
 *
 * The bulk loop loads 8 bytes at a time in host order and keeps a 64-bit
 * one's complement accumulator; since 2^16 == 1 (mod 0xffff), folding that
 * accumulator gives the sum of the host-order 16-bit words, which is the
 * byte-swapped big-endian sum on little-endian hosts.
 */
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "net_hdr.h"
#include "offload/csum.h"

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t add64(uint64_t acc, uint64_t v)
{
	acc += v;
	return acc + (acc < v);
}

static inline uint32_t fold32(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

static inline uint16_t swab16(uint16_t v)
{
	return (uint16_t)((v << 8) | (v >> 8));
}

uint32_t bf_csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < a);
}

uint32_t bf_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = 0;
	uint32_t s32;
	uint16_t s16;

	while (len >= 32) {
		acc = add64(acc, load64(p));
		acc = add64(acc, load64(p + 8));
		acc = add64(acc, load64(p + 16));
		acc = add64(acc, load64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		acc = add64(acc, load64(p));
		p += 8;
		len -= 8;
	}
	if (len) {
		uint8_t tail[8] = { 0 };

		memcpy(tail, p, len);
		acc = add64(acc, load64(tail));
	}
	s32 = (uint32_t)acc;
	s32 = bf_csum_add(s32, (uint32_t)(acc >> 32));
	s16 = (uint16_t)fold32(s32);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s16 = swab16(s16);
#endif
	return bf_csum_add(sum, s16);
}

uint32_t bf_csum_block_add(uint32_t sum, uint32_t block, size_t offset)
{
	if (offset & 1)
		block = swab16((uint16_t)fold32(block));
	return bf_csum_add(sum, block);
}

uint16_t bf_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold32(sum);
}

uint16_t bf_csum_ipv4_hdr(const uint8_t *iph, size_t ihl)
{
	uint32_t sum;

	if (ihl < IP4_HDR_MIN)
		return 0;
	sum = bf_csum_partial(iph, IP4_OFF_CSUM, 0);
	sum = bf_csum_partial(iph + IP4_OFF_SADDR, ihl - IP4_OFF_SADDR, sum);
	return bf_csum_fold(sum);
}

bool bf_csum_ipv4_hdr_ok(const uint8_t *iph, size_t ihl)
{
	return ihl >= IP4_HDR_MIN && bf_csum_fold(bf_csum_partial(iph, ihl, 0)) == 0;
}

void bf_csum_ipv4_hdr_fill(uint8_t *iph, size_t ihl)
{
	put_be16(iph + IP4_OFF_CSUM, bf_csum_ipv4_hdr(iph, ihl));
}

static uint32_t csum_pseudo(const uint8_t *saddr, const uint8_t *daddr, size_t alen,
			    uint8_t proto, uint32_t l4len)
{
	uint32_t sum = bf_csum_partial(saddr, alen, 0);

	sum = bf_csum_partial(daddr, alen, sum);
	sum = bf_csum_add(sum, proto);
	sum = bf_csum_add(sum, l4len >> 16);
	return bf_csum_add(sum, l4len & 0xffff);
}

uint32_t bf_csum_pseudo_ipv4(const uint8_t saddr[4], const uint8_t daddr[4],
			     uint8_t proto, uint32_t l4len)
{
	return csum_pseudo(saddr, daddr, 4, proto, l4len);
}

uint32_t bf_csum_pseudo_ipv6(const uint8_t saddr[16], const uint8_t daddr[16],
			     uint8_t proto, uint32_t l4len)
{
	return csum_pseudo(saddr, daddr, 16, proto, l4len);
}

uint32_t bf_csum_pseudo_frame(const uint8_t *frame, const struct bf_parsed *p,
			      uint32_t l4len)
{
	const uint8_t *ip = frame + p->l3_off;

	if (p->flags & BF_PF_IPV6)
		return bf_csum_pseudo_ipv6(ip + IP6_OFF_SADDR, ip + IP6_OFF_DADDR, p->l4_proto, l4len);
	return bf_csum_pseudo_ipv4(ip + IP4_OFF_SADDR, ip + IP4_OFF_DADDR, p->l4_proto, l4len);
}

#define CSUM_IP4_OPT_EOL		0
#define CSUM_IP4_OPT_NOP		1
#define CSUM_IP4_OPT_LSRR		0x83
#define CSUM_IP4_OPT_SSRR		0x89
#define CSUM_IP6_OPT_PAD1		0
#define CSUM_IP6_OPT_HAO		0xc9
#define CSUM_IP6_HOPOPTS		0
#define CSUM_IP6_ROUTING		43
#define CSUM_IP6_DSTOPTS		60

/* IPv4 options in [o, end): well formed and no source route. */
static bool ip4_opts_plain(const uint8_t *o, const uint8_t *end)
{
	while (o < end && *o != CSUM_IP4_OPT_EOL) {
		if (*o == CSUM_IP4_OPT_NOP) {
			o++;
			continue;
		}
		if (end - o < 2 || o[1] < 2 || o[1] > end - o)
			return false;
		if (*o == CSUM_IP4_OPT_LSRR || *o == CSUM_IP4_OPT_SSRR)
			return false;
		o += o[1];
	}
	return true;
}

/* IPv6 options in [o, end): well formed and no home address option. */
static bool ip6_opts_plain(const uint8_t *o, const uint8_t *end)
{
	while (o < end) {
		if (*o == CSUM_IP6_OPT_PAD1) {
			o++;
			continue;
		}
		if (end - o < 2 || o[1] > end - o - 2)
			return false;
		if (*o == CSUM_IP6_OPT_HAO)
			return false;
		o += 2 + o[1];
	}
	return true;
}

/* IPv6 extension headers in [eh, end), the first of type nh. */
static bool ip6_exthdrs_plain(const uint8_t *eh, const uint8_t *end,
			      uint8_t nh)
{
	while (eh < end) {
		size_t elen;

		if (end - eh < 8)
			return false;
		elen = ((size_t)eh[1] + 1) * 8;
		if (elen > (size_t)(end - eh))
			return false;
		if (nh == CSUM_IP6_ROUTING) {
			if (eh[3] != 0)
				return false;
		} else if (nh == CSUM_IP6_HOPOPTS || nh == CSUM_IP6_DSTOPTS) {
			if (!ip6_opts_plain(eh + 2, eh + elen))
				return false;
		} else {
			return false;
		}
		nh = eh[0];
		eh += elen;
	}
	return true;
}

bool bf_csum_pseudo_in_hdr(const uint8_t *frame, const struct bf_parsed *p)
{
	const uint8_t *ip = frame + p->l3_off;
	const uint8_t *end = frame + p->l4_off;

	if (!(p->flags & BF_PF_L4) || p->l4_off <= p->l3_off)
		return false;
	if (p->flags & BF_PF_IPV6) {
		if (p->l4_off < p->l3_off + IP6_HDR_LEN)
			return false;
		return ip6_exthdrs_plain(ip + IP6_HDR_LEN, end, ip[IP6_OFF_NEXTHDR]);
	}
	if (!(p->flags & BF_PF_IPV4) || p->l4_off < p->l3_off + IP4_HDR_MIN)
		return false;
	return ip4_opts_plain(ip + IP4_HDR_MIN, end);
}

enum bf_csum_result bf_csum_l4_verify(const uint8_t *frame,
				      const struct bf_parsed *p,
				      uint32_t *paysum)
{
	uint32_t l4len, hlen, sum, psum;

	if (!(p->flags & BF_PF_L4) || !(p->flags & (BF_PF_TCP | BF_PF_UDP)))
		return BF_CSUM_NONE;
	if (p->l3_end < p->payload_off || p->payload_off < p->l4_off)
		return BF_CSUM_NONE;
	/* UDP checksum 0: none sent (IPv4); invalid for IPv6, the guest decides. */
	if ((p->flags & BF_PF_UDP) && get_be16(frame + p->l4_off + UDP_OFF_CSUM) == 0)
		return BF_CSUM_NONE;
	l4len = p->l3_end - p->l4_off;
	hlen = p->payload_off - p->l4_off;	/* TCP: 4n, UDP: 8, so even */
	psum = bf_csum_partial(frame + p->payload_off, p->payload_len, 0);
	if (paysum)
		*paysum = psum;
	sum = bf_csum_pseudo_frame(frame, p, l4len);
	sum = bf_csum_partial(frame + p->l4_off, hlen, sum);
	sum = bf_csum_add(sum, psum);
	return bf_csum_fold(sum) == 0 ? BF_CSUM_OK : BF_CSUM_BAD;
}

int bf_csum_tcp_fill(uint8_t *frame, const struct bf_parsed *p)
{
	uint8_t *th = frame + p->l4_off;
	uint32_t l4len, sum;

	if (!(p->flags & BF_PF_TCP) || p->l3_end < p->l4_off + TCP_HDR_MIN)
		return -EINVAL;
	l4len = p->l3_end - p->l4_off;
	put_be16(th + TCP_OFF_CSUM, 0);
	sum = bf_csum_pseudo_frame(frame, p, l4len);
	sum = bf_csum_partial(th, l4len, sum);
	put_be16(th + TCP_OFF_CSUM, bf_csum_fold(sum));
	return 0;
}

int bf_csum_complete_partial(uint8_t *pkt, size_t len, uint32_t csum_start,
			     uint32_t csum_offset)
{
	uint16_t v;

	if (csum_start >= len || csum_offset > len - csum_start ||
	    len - csum_start - csum_offset < 2)
		return -EINVAL;
	v = bf_csum_fold(bf_csum_partial(pkt + csum_start, len - csum_start, 0));
	/*
	 * A computed 0 is sent as 0xffff (the same value in one's complement;
	 * mandatory for UDP, where 0 means "no checksum").
	 */
	put_be16(pkt + csum_start + csum_offset, v ? v : 0xffff);
	return 0;
}
