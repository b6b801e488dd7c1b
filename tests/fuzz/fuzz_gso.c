// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_gso.c - libFuzzer harness for guest transmit segmentation
 * (host-afxdp/offload/gso.c): the input is a virtio_net_hdr (10 bytes, as a guest
 * writes it) followed by one frame, fed to gso_segment(). The frame is
 * copied into a buffer of exactly its length so ASan sees any read past
 * it; the scratch buffer is exactly what gso.h asks for, plus nothing.
 *
 * Beyond "no crash" it asserts:
 *   - a failure emits nothing;
 *   - GSO_NONE without NEEDS_CSUM passes the frame unchanged; with
 *     NEEDS_CSUM the frame is unchanged but for the checksum field, and
 *     the sum from csum_start on plus the field's old value (the
 *     pseudo-header sum) comes to zero;
 *   - a TCP segmentation emits ceil(payload / gso_size) frames, each at
 *     most headers + gso_size bytes, each carrying the input's headers
 *     (found by parsing, whatever hdr_len says) with exact IP lengths,
 *     consecutive sequence numbers, a valid IPv4 header checksum and a
 *     valid TCP checksum, and their payloads concatenate to the input's;
 *   - the input buffer is never written.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bifrost_parse.h"
#include "offload/csum.h"
#include "offload/gso.h"

#define SCRATCH_MAX	(65535 + 64)

struct run {
	const struct virtio_net_hdr *vh;
	const uint8_t *pkt;
	size_t len;
	struct bf_parsed p;	/* of pkt, when segmenting */
	uint32_t seq0;
	size_t done;		/* payload bytes emitted so far */
	unsigned int n;
};

static uint32_t be32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | b[3];
}

static void check_none(struct run *r, const uint8_t *f, size_t len)
{
	uint32_t start = le16toh(r->vh->csum_start);
	uint32_t field = start + le16toh(r->vh->csum_offset);

	if (len != r->len)
		abort();
	if (!(r->vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		if (memcmp(f, r->pkt, len))
			abort();
		return;
	}
	if (memcmp(f, r->pkt, field) ||
	    memcmp(f + field + 2, r->pkt + field + 2, len - field - 2))
		abort();
	/*
	 * The field held the pseudo-header sum: with it added back, the
	 * completed data sums to zero (for a field at an even offset; at an
	 * odd one the guest asked for nonsense and gets it).
	 */
	if (!(le16toh(r->vh->csum_offset) & 1)) {
		uint32_t old = ((uint32_t)r->pkt[field] << 8) | r->pkt[field + 1];
		uint32_t sum = bf_csum_partial(f + start, len - start, 0);

		if (bf_csum_fold(bf_csum_add(sum, old)) != 0)
			abort();
	}
}

/* f[a, b) equals the input's bytes there. */
static int same(const struct run *r, const uint8_t *f, size_t a, size_t b)
{
	return !memcmp(f + a, r->pkt + a, b - a);
}

/*
 * A segment's headers: the input's, but for its own IP lengths, IPv4 ID
 * and header checksum, sequence number, FIN/PSH/CWR and TCP checksum.
 */
static void check_seg_hdrs(const struct run *r, const uint8_t *f,
			   const struct bf_parsed *q)
{
	const struct bf_parsed *p = &r->p;
	size_t l3 = p->l3_off, l4 = p->l4_off;
	uint8_t keep = (uint8_t)~(BF_TCP_FIN | BF_TCP_PSH | BF_TCP_CWR);
	int ok;

	if (q->l3_off != l3 || q->l4_off != l4 ||
	    q->payload_off != p->payload_off || !(q->flags & BF_PF_TCP))
		abort();
	if (p->flags & BF_PF_IPV6)
		ok = same(r, f, 0, l3 + 4) && same(r, f, l3 + 6, l4 + 4);
	else
		ok = same(r, f, 0, l3 + 2) && same(r, f, l3 + 6, l3 + 10) &&
		     same(r, f, l3 + 12, l4 + 4);
	ok = ok && same(r, f, l4 + 8, l4 + 13) && same(r, f, l4 + 14, l4 + 16) &&
	     same(r, f, l4 + 18, p->payload_off) &&
	     !((f[l4 + 13] ^ r->pkt[l4 + 13]) & keep);
	if (!ok || be32(f + l4 + 4) != r->seq0 + (uint32_t)r->done)
		abort();
	if ((p->flags & BF_PF_IPV4) &&
	    !bf_csum_ipv4_hdr_ok(f + l3, l4 - l3))
		abort();
}

static void check_seg(struct run *r, const uint8_t *f, size_t len)
{
	uint32_t gso = le16toh(r->vh->gso_size);
	struct bf_parsed q;

	if (len > r->p.payload_off + (size_t)gso)
		abort();
	if (bf_parse_frame(f, f + len, &q) != BF_PARSE_OK || q.l3_end != len)
		abort();
	check_seg_hdrs(r, f, &q);
	if (q.payload_len == 0 || r->done + q.payload_len > r->p.payload_len ||
	    memcmp(f + q.payload_off, r->pkt + r->p.payload_off + r->done,
		   q.payload_len))
		abort();
	if (bf_csum_l4_verify(f, &q, NULL) != BF_CSUM_OK)
		abort();
	/* Every segment but the last is full. */
	if (r->done + q.payload_len < r->p.payload_len && q.payload_len != gso)
		abort();
	r->done += q.payload_len;
}

static int emit(void *ctx, const uint8_t *f, size_t len)
{
	struct run *r = ctx;

	r->n++;
	if (r->vh->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		check_none(r, f, len);
	else
		check_seg(r, f, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[SCRATCH_MAX];
	struct virtio_net_hdr vh;
	struct run r;
	uint8_t *pkt, *orig;
	int rc;

	if (size < sizeof(vh))
		return 0;
	memcpy(&vh, data, sizeof(vh));
	memset(&r, 0, sizeof(r));
	r.len = size - sizeof(vh);
	pkt = malloc(r.len ? r.len : 1);
	orig = malloc(r.len ? r.len : 1);
	if (!pkt || !orig)
		abort();
	memcpy(pkt, data + sizeof(vh), r.len);
	memcpy(orig, pkt, r.len);
	r.vh = &vh;
	r.pkt = pkt;
	if (bf_parse_frame(pkt, pkt + r.len, &r.p) == BF_PARSE_OK &&
	    (r.p.flags & BF_PF_TCP))
		r.seq0 = be32(pkt + r.p.l4_off + 4);
	rc = gso_segment(&vh, pkt, r.len, scratch, sizeof(scratch), emit, &r);
	if (rc < 0 && r.n != 0)
		abort();
	if (rc >= 0 && (unsigned int)rc != r.n)
		abort();
	if (rc > 0 && vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		uint32_t gso = le16toh(vh.gso_size);

		if (r.done != r.p.payload_len ||
		    r.n != (r.p.payload_len + gso - 1) / gso)
			abort();
	}
	if (memcmp(pkt, orig, r.len))
		abort();
	free(pkt);
	free(orig);
	return 0;
}
