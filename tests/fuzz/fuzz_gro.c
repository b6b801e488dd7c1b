// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_gro.c - libFuzzer harness for PRPR (host-afxdp/offload/gro.c): a sequence
 * of frames fed through gro_input(), with timeouts and flushes in
 * between and gro_flush_all() at the end.
 *
 * Input: 3 configuration bytes (flow table size, max_segs, hold time),
 * then records of [length (2 bytes, big-endian), op, frame]; op selects a
 * flush after the frame and how far the clock moves. Every frame is copied
 * into a buffer of exactly its length so ASan sees any read past it.
 *
 * Beyond "no crash" it asserts, for every packet the engine emits:
 *   - an unmerged packet (GSO_NONE) has flags 0 or DATA_VALID and no other
 *     header field set; DATA_VALID only on a TCP/UDP frame whose checksum
 *     verifies;
 *   - a merged packet looks like Linux GRO output: NEEDS_CSUM only,
 *     gso_type TCPV4/TCPV6 (+ECN only with CWR) matching the frame,
 *     csum_start at the TCP header, csum_offset 16, hdr_len the headers,
 *     gso_size > 0, at most max_segs segments, the frame within 65535
 *     bytes with exact IP lengths and a valid IPv4 header checksum, the
 *     pseudo-header sum in the TCP field completing to a valid checksum;
 *     and gso_segment() accepts it;
 *   - nothing is lost, duplicated or altered: each unmerged packet, and
 *     each segment gso_segment() cuts a merged packet into, equals one
 *     input frame not matched before (the IPv4 ID and header checksum,
 *     and the urgent pointer of a segment without URG aside: see
 *     same_frame()), and at the end every input frame was matched; no
 *     flow is left held.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bifrost_parse.h"
#include "offload/csum.h"
#include "offload/gro.h"
#include "offload/gso.h"

#define MAX_FRAMES	1024
#define SCRATCH_SIZE	(65535 + 64)

struct in_frame {
	uint8_t *data;
	size_t len;
	size_t ip4_off;		/* l3 offset of an IPv4 frame, else 0 */
	size_t urg_off;		/* TCP checksum + urgent pointer without URG */
	int used;
};

static struct in_frame in[MAX_FRAMES];
static unsigned int nin;
static uint32_t max_segs;
static uint8_t scratch[SCRATCH_SIZE];

/* Equal in [a, b), the 4 bytes at skip (if not 0) aside. */
static int same_range(const uint8_t *x, const uint8_t *y, size_t a, size_t b,
		      size_t skip)
{
	size_t i;

	for (i = a; i < b; i++) {
		if (skip && i >= skip && i < skip + 4)
			continue;
		if (x[i] != y[i])
			return 0;
	}
	return 1;
}

/*
 * Equal, but for fields GRO may rewrite: the IPv4 ID and header checksum
 * (a DF flow may keep its ID fixed, TSO increments it) and the urgent
 * pointer of a segment without URG, with the TCP checksum that covers it
 * (meaningless there; Linux GRO does not compare it, so a merged packet
 * carries the first segment's).
 */
static int same_frame(const struct in_frame *a, const uint8_t *f, size_t len)
{
	size_t o = a->ip4_off;

	if (a->len != len)
		return 0;
	if (!o && !a->urg_off)
		return !memcmp(a->data, f, len);
	if (o && (!same_range(a->data, f, 0, o + 4, 0) ||
		  !same_range(a->data, f, o + 6, o + 10, 0)))
		return 0;
	return same_range(a->data, f, o ? o + 12 : 0, len, a->urg_off);
}

/* Match f with one input frame not matched yet; abort if none. */
static void consume(const uint8_t *f, size_t len)
{
	unsigned int i;

	for (i = 0; i < nin; i++) {
		if (!in[i].used && same_frame(&in[i], f, len)) {
			in[i].used = 1;
			return;
		}
	}
	abort();
}

static int seg_emit(void *ctx, const uint8_t *f, size_t len)
{
	(*(unsigned int *)ctx)++;
	consume(f, len);
	return 0;
}

static void check_plain(const struct virtio_net_hdr *vh, const uint8_t *f,
			size_t len)
{
	struct bf_parsed p;

	if (vh->hdr_len || vh->gso_size || vh->csum_start || vh->csum_offset)
		abort();
	if (vh->flags == VIRTIO_NET_HDR_F_DATA_VALID) {
		if (bf_parse_frame(f, f + len, &p) != BF_PARSE_OK ||
		    bf_csum_l4_verify(f, &p, NULL) != BF_CSUM_OK)
			abort();
	} else if (vh->flags != 0) {
		abort();
	}
	consume(f, len);
}

/* The IP and TCP headers of a merged packet, as Linux GRO leaves them. */
static void check_merged_hdrs(const struct virtio_net_hdr *vh,
			      const uint8_t *f, size_t len,
			      const struct bf_parsed *p)
{
	const uint8_t *ip = f + p->l3_off;
	uint8_t gt = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t l4len = p->l3_end - p->l4_off, sum;
	uint8_t *copy;

	if (!(p->flags & BF_PF_TCP) || p->l3_end != len || len > 65535)
		abort();
	if (gt != ((p->flags & BF_PF_IPV6) ? VIRTIO_NET_HDR_GSO_TCPV6 :
					      VIRTIO_NET_HDR_GSO_TCPV4))
		abort();
	if (!(vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) !=
	    !(f[p->l4_off + 13] & BF_TCP_CWR))
		abort();
	if ((p->flags & BF_PF_IPV4) &&
	    !bf_csum_ipv4_hdr_ok(ip, p->l4_off - p->l3_off))
		abort();
	sum = bf_csum_pseudo_frame(f, p, l4len);
	if (((f[p->l4_off + 16] << 8) | f[p->l4_off + 17]) !=
	    (uint16_t)~bf_csum_fold(sum))
		abort();
	copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, f, len);
	if (bf_csum_complete_partial(copy, len, p->l4_off, 16) < 0 ||
	    bf_csum_l4_verify(copy, p, NULL) != BF_CSUM_OK)
		abort();
	free(copy);
}

static void check_merged(const struct virtio_net_hdr *vh, const uint8_t *f,
			 size_t len)
{
	struct bf_parsed p;
	uint32_t gso = le16toh(vh->gso_size);
	unsigned int nseg = 0;
	int rc;

	if (vh->flags != VIRTIO_NET_HDR_F_NEEDS_CSUM || gso == 0)
		abort();
	if (bf_parse_frame(f, f + len, &p) != BF_PARSE_OK)
		abort();
	if (le16toh(vh->csum_start) != p.l4_off ||
	    le16toh(vh->csum_offset) != 16 ||
	    le16toh(vh->hdr_len) != p.payload_off)
		abort();
	check_merged_hdrs(vh, f, len, &p);
	if (p.payload_len <= gso || p.payload_len > gso * max_segs)
		abort();
	rc = gso_segment(vh, f, len, scratch, sizeof(scratch), seg_emit, &nseg);
	if (rc < 2 || (unsigned int)rc != nseg)
		abort();
}

static void emit(void *ctx, const struct virtio_net_hdr *vh, const uint8_t *f,
		 size_t len)
{
	(void)ctx;
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		check_plain(vh, f, len);
	else
		check_merged(vh, f, len);
}

/* Keep a private copy of the next frame; NULL when the table is full. */
static struct in_frame *add_frame(const uint8_t *data, size_t len)
{
	struct in_frame *fr;
	struct bf_parsed p;

	if (nin == MAX_FRAMES)
		return NULL;
	fr = &in[nin];
	fr->data = malloc(len ? len : 1);
	if (!fr->data)
		abort();
	memcpy(fr->data, data, len);
	fr->len = len;
	fr->used = 0;
	fr->ip4_off = 0;
	fr->urg_off = 0;
	nin++;
	if (bf_parse_frame(data, data + len, &p) != BF_PARSE_OK)
		return fr;
	if (p.flags & BF_PF_IPV4)
		fr->ip4_off = p.l3_off;
	if ((p.flags & BF_PF_TCP) && !(p.tcp_flags & BF_TCP_URG))
		fr->urg_off = p.l4_off + 16;
	return fr;
}

static void feed(struct gro_engine *pr, const uint8_t *data, size_t size)
{
	uint64_t now = 1000000;

	while (size >= 3) {
		size_t len = ((size_t)data[0] << 8) | data[1];
		uint8_t op = data[2];
		struct in_frame *fr;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		fr = add_frame(data, len);
		if (!fr)
			break;
		data += len;
		size -= len;
		gro_input(pr, fr->data, fr->len, now);
		now += (uint64_t)(op >> 2) * 4000;
		if ((op & 3) == 1)
			gro_flush_expired(pr, now);
		else if ((op & 3) == 2)
			gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	}
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_backend_stats st;
	struct gro_cfg cfg;
	struct gro_engine *pr;
	unsigned int i;

	if (size < 3)
		return 0;
	memset(&st, 0, sizeof(st));
	pr = gro_new(1 + data[0] % 16, emit, NULL, &st);
	if (!pr)
		abort();
	cfg.enabled = true;
	cfg.max_merge_bytes = 65535;
	cfg.max_segs = 2 + data[1] % (BF_MAX_MERGE_SEGS - 1);
	cfg.flush_ns = (uint64_t)data[2] * 1000;
	max_segs = cfg.max_segs;
	gro_set_cfg(pr, &cfg);
	nin = 0;
	feed(pr, data + 3, size - 3);
	if (gro_held(pr) != 0)
		abort();
	for (i = 0; i < nin; i++) {
		if (!in[i].used)
			abort();
		free(in[i].data);
	}
	gro_free(pr);
	return 0;
}
