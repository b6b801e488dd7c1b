// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * gso.c - TCP segmentation offload done in the backend, with the rules of
 * Linux tcp_gso_segment()/inet_gso_segment(): every segment carries the
 * original headers with its own lengths, sequence number, IPv4 ID (first
 * keeps the original, then +1) and checksums; FIN and PSH only on the
 * last segment, CWR only on the first. Everything the guest wrote is
 * validated before the first frame is emitted.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "net_hdr.h"
#include "bifrost_parse.h"
#include "offload/csum.h"
#include "offload/gso.h"


struct gso_plan {
	struct bf_parsed p;
	uint32_t hdrs;		/* Ethernet + IP + TCP header bytes */
	uint32_t payload;	/* TCP payload bytes in the packet */
	uint32_t gso;		/* payload bytes per segment */
	uint32_t nsegs;
	uint32_t seq0;
	uint16_t id0;
	bool v6;
};

static int emit_one(gso_emit_fn emit, void *ctx, const uint8_t *frame,
		    size_t len)
{
	int rc = emit(ctx, frame, len);

	return rc < 0 ? rc : 1;
}

/* GSO_NONE: as is, or with its NEEDS_CSUM partial checksum completed. */
static int gso_plain(const struct virtio_net_hdr *vh, const uint8_t *pkt,
		     size_t len, uint8_t *scratch, size_t scratch_len,
		     gso_emit_fn emit, void *ctx)
{
	uint32_t start = le16toh(vh->csum_start);
	uint32_t off = le16toh(vh->csum_offset);

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return emit_one(emit, ctx, pkt, len);
	if (start >= len || off > len - start || len - start - off < 2)
		return -EINVAL;
	if (!scratch || len > scratch_len)
		return -ENOBUFS;
	memcpy(scratch, pkt, len);
	if (bf_csum_complete_partial(scratch, len, start, off) < 0)
		return -EINVAL;
	return emit_one(emit, ctx, scratch, len);
}

static int gso_plan_tcp(const struct virtio_net_hdr *vh, const uint8_t *pkt,
			size_t len, size_t scratch_len, struct gso_plan *pl)
{
	uint8_t gt = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t seg_max;

	pl->gso = le16toh(vh->gso_size);
	pl->v6 = gt == VIRTIO_NET_HDR_GSO_TCPV6;
	if (pl->gso == 0 || len > 0xffff)
		return -EINVAL;
	if (bf_parse_frame(pkt, pkt + len, &pl->p) != BF_PARSE_OK)
		return -EINVAL;
	if (!(pl->p.flags & (pl->v6 ? BF_PF_IPV6 : BF_PF_IPV4)) ||
	    !(pl->p.flags & BF_PF_TCP) || pl->p.l3_end != len)
		return -EINVAL;
	/* Segments get pseudo-headers from the addresses in the IP header. */
	if ((pl->p.flags & BF_PF_IPOPTS) && !bf_csum_pseudo_in_hdr(pkt, &pl->p))
		return -EOPNOTSUPP;
	/*
	 * The header length comes from parsing this private copy, never from
	 * hdr_len (virtio: the device must not trust it; Linux guests set it
	 * to skb_headlen(), which may cover payload).
	 */
	pl->hdrs = pl->p.payload_off;
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (le16toh(vh->csum_start) != pl->p.l4_off ||
	     le16toh(vh->csum_offset) != TCP_OFF_CSUM))
		return -EINVAL;
	pl->payload = len - pl->hdrs;
	if (pl->payload == 0)
		return -EINVAL;
	pl->nsegs = (pl->payload + pl->gso - 1) / pl->gso;
	if (pl->nsegs > 65536 / pl->gso + 1)
		return -EINVAL;
	seg_max = pl->hdrs + (pl->gso < pl->payload ? pl->gso : pl->payload);
	if (seg_max > scratch_len)
		return -ENOBUFS;
	pl->seq0 = get_be32(pkt + pl->p.l4_off + 4);
	pl->id0 = pl->v6 ? 0 : get_be16(pkt + pl->p.l3_off + 4);
	return 0;
}

/* Build segment i of the plan into out; returns its length. */
static size_t gso_build(const struct gso_plan *pl, const uint8_t *pkt,
			uint8_t *out, uint32_t i)
{
	uint32_t off = i * pl->gso;
	uint32_t plen = pl->payload - off < pl->gso ? pl->payload - off : pl->gso;
	uint8_t *ip = out + pl->p.l3_off;
	uint8_t *th = out + pl->p.l4_off;
	uint32_t thlen = pl->hdrs - pl->p.l4_off;
	uint32_t l4len = thlen + plen;
	uint32_t sum;
	uint8_t fl;

	memcpy(out, pkt, pl->hdrs);
	memcpy(out + pl->hdrs, pkt + pl->hdrs + off, plen);
	if (pl->v6) {
		put_be16(ip + IP6_OFF_PAYLOAD_LEN,
			 (uint16_t)(pl->p.l4_off - pl->p.l3_off - IP6_HDR_LEN + l4len));
		sum = bf_csum_pseudo_ipv6(ip + IP6_OFF_SADDR, ip + IP6_OFF_DADDR, IPPROTO_TCP, l4len);
	} else {
		put_be16(ip + IP4_OFF_TOT_LEN, (uint16_t)(pl->p.l4_off - pl->p.l3_off + l4len));
		put_be16(ip + IP4_OFF_ID, (uint16_t)(pl->id0 + i));
		bf_csum_ipv4_hdr_fill(ip, pl->p.l4_off - pl->p.l3_off);
		sum = bf_csum_pseudo_ipv4(ip + IP4_OFF_SADDR, ip + IP4_OFF_DADDR, IPPROTO_TCP, l4len);
	}
	put_be32(th + TCP_OFF_SEQ, pl->seq0 + off);
	fl = th[TCP_OFF_FLAGS];
	if (i + 1 < pl->nsegs)
		fl &= ~(BF_TCP_FIN | BF_TCP_PSH);
	if (i > 0)
		fl &= ~BF_TCP_CWR;
	th[TCP_OFF_FLAGS] = fl;
	put_be16(th + TCP_OFF_CSUM, 0);
	sum = bf_csum_partial(th, thlen, sum);
	sum = bf_csum_partial(out + pl->hdrs, plen, sum);
	put_be16(th + TCP_OFF_CSUM, bf_csum_fold(sum));
	return pl->hdrs + plen;
}

int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *pkt,
		size_t len, uint8_t *scratch, size_t scratch_len,
		gso_emit_fn emit, void *ctx)
{
	uint8_t gt;
	struct gso_plan pl;
	uint32_t i;
	int rc;

	if (!vh || !pkt || !emit || len < ETH_HDR_LEN)
		return -EINVAL;
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return gso_plain(vh, pkt, len, scratch, scratch_len, emit, ctx);
	gt = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	if (gt == VIRTIO_NET_HDR_GSO_UDP)
		return -EOPNOTSUPP;
	if (gt != VIRTIO_NET_HDR_GSO_TCPV4 && gt != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EINVAL;
	if (!scratch)
		return -ENOBUFS;
	rc = gso_plan_tcp(vh, pkt, len, scratch_len, &pl);
	if (rc < 0)
		return rc;
	for (i = 0; i < pl.nsegs; i++) {
		size_t flen = gso_build(&pl, pkt, scratch, i);

		rc = emit(ctx, scratch, flen);
		if (rc < 0)
			return rc;
	}
	return (int)pl.nsegs;
}
