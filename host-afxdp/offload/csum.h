/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * csum.h - Internet checksum (RFC 1071) helpers for the AF_XDP backend.
 *
 * Convention: a "sum" is an unfolded 32-bit one's complement accumulator of
 * big-endian 16-bit words, as integers in host order. bf_csum_fold() turns it
 * into the 16-bit value to store big-endian in a checksum field. Results are
 * the same on little- and big-endian hosts.
 */
#ifndef BIFROST_CSUM_H
#define BIFROST_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bifrost_parse.h"

/* One's complement sum of len bytes at buf added to sum. */
uint32_t bf_csum_partial(const void *buf, size_t len, uint32_t sum);

/* a + b with end-around carry. */
uint32_t bf_csum_add(uint32_t a, uint32_t b);

/* Add the sum of a block that starts offset bytes into the summed data. */
uint32_t bf_csum_block_add(uint32_t sum, uint32_t block, size_t offset);

/* Fold to 16 bits and complement: the value of the checksum field. */
uint16_t bf_csum_fold(uint32_t sum);

/* IPv4 header checksum over ihl bytes, the check field counted as zero. */
uint16_t bf_csum_ipv4_hdr(const uint8_t *iph, size_t ihl);
/* True if the IPv4 header at iph (ihl bytes, >= 20) carries a valid checksum. */
bool bf_csum_ipv4_hdr_ok(const uint8_t *iph, size_t ihl);
/* Recompute and store the checksum of the IPv4 header at iph. */
void bf_csum_ipv4_hdr_fill(uint8_t *iph, size_t ihl);

/* Pseudo-header sums for TCP/UDP (l4len = L4 header + data bytes). */
uint32_t bf_csum_pseudo_ipv4(const uint8_t saddr[4], const uint8_t daddr[4],
			     uint8_t proto, uint32_t l4len);
uint32_t bf_csum_pseudo_ipv6(const uint8_t saddr[16], const uint8_t daddr[16],
			     uint8_t proto, uint32_t l4len);
/* Pseudo-header sum for the IPv4/IPv6 packet of a parsed frame. */
uint32_t bf_csum_pseudo_frame(const uint8_t *frame, const struct bf_parsed *p,
			      uint32_t l4len);

/*
 * True if the TCP/UDP pseudo-header of a frame parsed by bf_parse_frame()
 * takes its addresses from the IP header (RFC 9293 3.1, RFC 8200 8.1):
 * IPv4 options without a source route (LSRR/SSRR carry the final
 * destination, RFC 791), IPv6 extension headers only hop-by-hop,
 * destination options without a home address option (RFC 6275 6.3) and
 * routing headers with no segments left. Walks the options and headers
 * between the IP header and p->l4_off, bounded by them; malformed options
 * or any other header give false.
 */
bool bf_csum_pseudo_in_hdr(const uint8_t *frame, const struct bf_parsed *p);

enum bf_csum_result {
	BF_CSUM_NONE,		/* nothing to verify (not TCP/UDP, UDP csum 0) */
	BF_CSUM_OK,
	BF_CSUM_BAD,
};

/*
 * Verify the TCP or UDP checksum of a frame parsed by bf_parse_frame().
 * If paysum is not NULL, it receives the sum of the L4 payload alone (so a
 * caller merging payloads need not read them again).
 */
enum bf_csum_result bf_csum_l4_verify(const uint8_t *frame,
				      const struct bf_parsed *p,
				      uint32_t *paysum);

/* Compute and store the full TCP checksum of a parsed TCP frame. */
int bf_csum_tcp_fill(uint8_t *frame, const struct bf_parsed *p);

/*
 * Complete a virtio NEEDS_CSUM partial checksum: the field at
 * csum_start + csum_offset holds the pseudo-header sum; replace it with the
 * checksum of pkt[csum_start, len). Returns 0 or -EINVAL if out of bounds.
 */
int bf_csum_complete_partial(uint8_t *pkt, size_t len, uint32_t csum_start,
			     uint32_t csum_offset);

#endif /* BIFROST_CSUM_H */
