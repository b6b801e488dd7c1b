/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gso.h - transmit segmentation of guest packets carrying a virtio_net_hdr
 * (virtio 1.0: header fields little-endian).
 */
#ifndef BIFROST_GSO_H
#define BIFROST_GSO_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* Called per output frame; return < 0 to abort the packet. */
typedef int (*gso_emit_fn)(void *ctx, const uint8_t *frame, size_t len);

/*
 * Segment (gso_type TCPV4/TCPV6, ECN bit allowed) or pass on (GSO_NONE) one
 * guest packet. Segments are built in scratch, which must hold the headers
 * plus gso_size bytes (or the whole packet for GSO_NONE with NEEDS_CSUM).
 *
 * A TSO frame may be at most 65535 bytes (the reach of bf_parse_frame();
 * Linux guests stay below: TCP sizes GSO packets under gso_max_size minus
 * MAX_TCP_HEADER). hdr_len is not used: the headers (Ethernet, VLAN tag,
 * IPv4 options or IPv6 extension headers, TCP options) are found by
 * parsing pkt, which must be a private copy. Every segment carries them
 * all; checksums are computed from scratch (the TCP checksum field of the
 * input is ignored).
 *
 * Returns the number of frames emitted (>= 1), or a negative errno:
 *   -EINVAL      malformed header or packet (nothing emitted),
 *   -EOPNOTSUPP  UDP fragmentation offload, or a TSO packet whose
 *                pseudo-header addresses are not those of its IP header
 *                (bf_csum_pseudo_in_hdr(): source route, routing header
 *                with segments left, home address, AH, fragment) (nothing
 *                emitted),
 *   -ENOBUFS     scratch too small (nothing emitted),
 *   or the negative value an emit call returned (earlier frames were sent).
 */
int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *pkt,
		size_t len, uint8_t *scratch, size_t scratch_len,
		gso_emit_fn emit, void *ctx);

/*
 * Smallest gso_size taken from a guest: Linux TCP never sends segments
 * below net.ipv4.tcp_min_snd_mss (default 48). A guest TSO packet with a
 * smaller one would make the backend build and send up to 64 KiB of
 * one-byte segments per packet (tens of thousands of frames), so it is
 * refused. Merged packets PRPR hands to non-TSO guests are not subject
 * to this: their gso_size is the wire's own segment size.
 */
#define GSO_GUEST_MIN_GSO	48

/*
 * True when a guest may send this header to the wire: no GSO, or a
 * gso_size of at least GSO_GUEST_MIN_GSO.
 */
static inline bool gso_guest_gso_ok(const struct virtio_net_hdr *vh)
{
	return (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE ||
	       le16toh(vh->gso_size) >= GSO_GUEST_MIN_GSO;
}

#endif /* BIFROST_GSO_H */
