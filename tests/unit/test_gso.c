// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_gso.c - transmit segmentation: every segment is compared byte for
 * byte with a frame built independently by pktbuild.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "bifrost_parse.h"
#include "offload/gso.h"
#include "unit.h"
#include "pktbuild.h"

#define ARENA_SIZE	(1u << 20)
#define MAX_OUT		256

struct sink {
	unsigned int n;
	size_t used;
	size_t off[MAX_OUT];
	size_t len[MAX_OUT];
	int fail_at;		/* emit returns -EPIPE on this call (1-based) */
	uint8_t *arena;
};

static int sink_emit(void *ctx, const uint8_t *frame, size_t len)
{
	struct sink *s = ctx;

	if (s->fail_at && (int)s->n + 1 == s->fail_at)
		return -EPIPE;
	if (s->n >= MAX_OUT || s->used + len > ARENA_SIZE)
		return -ENOSPC;
	memcpy(s->arena + s->used, frame, len);
	s->off[s->n] = s->used;
	s->len[s->n] = len;
	s->used += len;
	s->n++;
	return 0;
}

static void sink_reset(struct sink *s)
{
	s->n = 0;
	s->used = 0;
	s->fail_at = 0;
}

static uint8_t pkt[70000], scratch[70000], expect[70000], payload[70000];
static struct sink sink;

static void vh_gso(struct virtio_net_hdr *vh, uint8_t type, size_t hdr_len,
		   unsigned int gso, size_t l4_off)
{
	memset(vh, 0, sizeof(*vh));
	vh->gso_type = type;
	vh->hdr_len = htole16((uint16_t)hdr_len);
	vh->gso_size = htole16((uint16_t)gso);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16((uint16_t)l4_off);
	vh->csum_offset = htole16(16);
}

/*
 * Segment a big packet built from s, with hdr_len as the guest's header
 * claims, and compare with rebuilt segments.
 */
static void check_big_hl(const char *name, struct pb_spec *s, size_t plen,
			 unsigned int gso, uint8_t gso_type, size_t hdr_len)
{
	struct virtio_net_hdr vh;
	size_t len, hdrs = pb_hdr_len(s), off;
	unsigned int i, nsegs = (unsigned int)((plen + gso - 1) / gso);
	int rc, bad_bytes = 0, bad_csum = 0, bad_flags = 0;
	uint8_t flags0 = s->tflags;
	struct pb_spec seg;
	char n[128];

	pb_fill(payload, plen, s->seq);
	len = pb_build(s, payload, plen, pkt);
	vh_gso(&vh, gso_type, hdr_len, gso, hdrs - 20 - s->optlen);
	sink_reset(&sink);
	rc = gso_segment(&vh, pkt, len, scratch, sizeof(scratch), sink_emit,
			 &sink);
	snprintf(n, sizeof(n), "%s: returns segment count", name);
	CHECK_EQ(n, rc, nsegs);
	snprintf(n, sizeof(n), "%s: emitted count", name);
	CHECK_EQ(n, sink.n, nsegs);
	if (sink.n != nsegs)
		return;
	for (i = 0, off = 0; i < nsegs; i++, off += gso) {
		const uint8_t *f = sink.arena + sink.off[i];
		size_t sl = plen - off < gso ? plen - off : gso;
		size_t el;

		seg = *s;
		seg.seq = s->seq + (uint32_t)off;
		seg.ip_id = (uint16_t)(s->ip_id + i);
		seg.tflags = flags0;
		if (i + 1 < nsegs)
			seg.tflags &= ~(PB_TCP_FIN | PB_TCP_PSH);
		if (i > 0)
			seg.tflags &= ~PB_TCP_CWR;
		el = pb_build(&seg, payload + off, sl, expect);
		if (el != sink.len[i] || memcmp(expect, f, el))
			bad_bytes++;
		if (!pb_l4_csum_ok(f) || (!s->v6 && !pb_ip4_csum_ok(f)))
			bad_csum++;
		if ((i + 1 < nsegs && (f[hdrs - 20 - s->optlen + 13] &
				       (PB_TCP_FIN | PB_TCP_PSH))) ||
		    (i > 0 && (f[hdrs - 20 - s->optlen + 13] & PB_TCP_CWR)))
			bad_flags++;
	}
	snprintf(n, sizeof(n), "%s: segments equal rebuilt frames", name);
	CHECK_EQ(n, bad_bytes, 0);
	snprintf(n, sizeof(n), "%s: all checksums valid", name);
	CHECK_EQ(n, bad_csum, 0);
	snprintf(n, sizeof(n), "%s: FIN/PSH last only, CWR first only", name);
	CHECK_EQ(n, bad_flags, 0);
	snprintf(n, sizeof(n), "%s: last segment size", name);
	CHECK_EQ(n, sink.len[nsegs - 1], hdrs + plen - (size_t)(nsegs - 1) * gso);
}

static void check_big(const char *name, struct pb_spec *s, size_t plen,
		      unsigned int gso, uint8_t gso_type)
{
	check_big_hl(name, s, plen, gso, gso_type, pb_hdr_len(s));
}

static void test_big(void)
{
	struct pb_spec s;

	pb_default(&s, 0);
	s.tflags = PB_TCP_ACK | PB_TCP_PSH | PB_TCP_FIN | PB_TCP_CWR;
	s.ip_id = 0xfff0;	/* wraps */
	s.seq = 0xffff0000u;	/* wraps */
	/* Largest accepted: a 65535-byte frame (bf_parse_frame's limit). */
	check_big("tcpv4 64KiB", &s, 65535 - 54, 1448, VIRTIO_NET_HDR_GSO_TCPV4);
	pb_default(&s, 1);
	pb_set_ts(&s, 1, 2);
	s.tflags = PB_TCP_ACK | PB_TCP_PSH;
	check_big("tcpv6 64KiB ts", &s, 65535 - 86, 1428,
		  VIRTIO_NET_HDR_GSO_TCPV6);
	pb_default(&s, 0);
	s.vlan = 1;
	s.vlan_tci = 42;
	s.df = 0;
	s.tflags = PB_TCP_ACK | PB_TCP_CWR | PB_TCP_ECE;
	check_big("tcpv4 vlan ecn", &s, 10000, 1000,
		  VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	pb_default(&s, 1);
	s.tflags = PB_TCP_ACK | PB_TCP_PSH;
	check_big("tcpv6 odd mss", &s, 5000, 999, VIRTIO_NET_HDR_GSO_TCPV6);
	pb_default(&s, 0);
	s.tflags = PB_TCP_ACK | PB_TCP_PSH | PB_TCP_CWR;
	check_big("payload <= gso_size: one frame", &s, 700, 1448,
		  VIRTIO_NET_HDR_GSO_TCPV4);
}

/*
 * The virtio spec: the device must not trust hdr_len. The header length
 * comes from parsing the frame (VLAN, IPv4 options, IPv6 extension
 * headers, TCP options), whatever hdr_len says.
 */
static void test_hdr_len(void)
{
	static const uint8_t ra_nops[8] = { 0x94, 4, 0, 0, 1, 1, 1, 1 };
	const uint8_t v4 = VIRTIO_NET_HDR_GSO_TCPV4, v6 = VIRTIO_NET_HDR_GSO_TCPV6;
	struct pb_spec s;

	pb_default(&s, 0);
	s.tflags = PB_TCP_ACK | PB_TCP_PSH;
	check_big_hl("hdr_len 0 v4", &s, 5000, 1448, v4, 0);
	check_big_hl("hdr_len 14 v4", &s, 5000, 1448, v4, 14);
	check_big_hl("hdr_len to IP end v4", &s, 5000, 1448, v4, 34);
	check_big_hl("hdr_len 0xffff v4", &s, 5000, 1448, v4, 0xffff);
	check_big_hl("hdr_len packet + 1 v4", &s, 5000, 1448, v4, 54 + 5001);
	pb_default(&s, 1);
	pb_set_ts(&s, 5, 6);
	s.vlan = 1;
	s.vlan_tci = 7;
	check_big_hl("hdr_len 0 v6 vlan ts", &s, 7000, 1400, v6, 0);
	check_big_hl("hdr_len 1 v6 vlan ts", &s, 7000, 1400, v6, 1);
	check_big_hl("hdr_len 60 v6 vlan ts", &s, 7000, 1400, v6, 60);
	check_big_hl("hdr_len past packet v6", &s, 7000, 1400, v6, 40000);
	pb_default(&s, 0);
	memcpy(s.ipopts, ra_nops, sizeof(ra_nops));
	s.ipoptlen = sizeof(ra_nops);
	pb_set_ts(&s, 9, 10);
	check_big_hl("ipv4 options + tcp options, hdr_len 0", &s, 6000, 1436,
		     v4, 0);
	check_big_hl("ipv4 options, hdr_len short", &s, 6000, 1436, v4, 54);
	pb_default(&s, 1);
	s.ipoptlen = 16;
	check_big_hl("ipv6 destination options, hdr_len 0", &s, 6000, 1400, v6,
		     0);
	s.ehkind = PB_EH_HOP;
	s.ipoptlen = 8;
	check_big_hl("ipv6 hop-by-hop, hdr_len 54", &s, 6000, 1400, v6, 54);
	s.ehkind = PB_EH_HOP_DST;
	s.ipoptlen = 24;
	s.ehfill = 0x33;
	pb_set_ts(&s, 1, 2);
	check_big_hl("ipv6 hop-by-hop + dest options + ts, hdr_len 0", &s, 6000,
		     1388, v6, 0);
	pb_default(&s, 1);
	s.ehkind = PB_EH_ROUTING;
	s.ipoptlen = 24;
	check_big_hl("ipv6 routing header, no segments left", &s, 6000, 1400, v6,
		     0);
}

static void test_plain(void)
{
	struct virtio_net_hdr vh;
	struct pb_spec s;
	struct bf_parsed p;
	size_t len;
	int rc;

	memset(&vh, 0, sizeof(vh));
	pb_default(&s, 0);
	pb_fill(payload, 300, 1);
	len = pb_build(&s, payload, 300, pkt);
	sink_reset(&sink);
	rc = gso_segment(&vh, pkt, len, scratch, sizeof(scratch), sink_emit,
			 &sink);
	CHECK_EQ("gso none: one frame", rc, 1);
	CHECK("gso none: unchanged",
	      sink.n == 1 && sink.len[0] == len && !memcmp(sink.arena, pkt, len));

	/* NEEDS_CSUM: the field holds the pseudo-header sum (Linux style). */
	bf_parse_frame(pkt, pkt + len, &p);
	put_be16(pkt + p.l4_off + 16,
		 (uint16_t)~pb_fold(pb_pseudo(&s, p.l3_end - p.l4_off)));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = htole16(p.l4_off);
	vh.csum_offset = htole16(16);
	sink_reset(&sink);
	rc = gso_segment(&vh, pkt, len, scratch, sizeof(scratch), sink_emit,
			 &sink);
	CHECK_EQ("needs_csum: one frame", rc, 1);
	CHECK("needs_csum: checksum completed",
	      sink.n == 1 && pb_l4_csum_ok(sink.arena));
	CHECK("needs_csum: input not modified", !pb_l4_csum_ok(pkt));

	pb_default(&s, 1);
	s.proto = 17;
	len = pb_build(&s, payload, 300, pkt);
	bf_parse_frame(pkt, pkt + len, &p);
	put_be16(pkt + p.l4_off + 6,
		 (uint16_t)~pb_fold(pb_pseudo(&s, p.l3_end - p.l4_off)));
	vh.csum_start = htole16(p.l4_off);
	vh.csum_offset = htole16(6);
	sink_reset(&sink);
	rc = gso_segment(&vh, pkt, len, scratch, sizeof(scratch), sink_emit,
			 &sink);
	CHECK("needs_csum udp v6 completed",
	      rc == 1 && sink.n == 1 && pb_l4_csum_ok(sink.arena));
}

static int try_seg(const struct virtio_net_hdr *vh, size_t len,
		   size_t scratch_len)
{
	sink_reset(&sink);
	return gso_segment(vh, pkt, len, scratch, scratch_len, sink_emit,
			   &sink);
}

#define REJECT(name, expr, err)                                              \
	do {                                                                 \
		int _rc = (expr);                                            \
		CHECK_EQ(name, _rc, err);                                    \
		CHECK_EQ(name " (nothing emitted)", sink.n, 0);              \
	} while (0)

/* Headers that move the pseudo-header address are refused. */
static void test_pseudo_rejects(void)
{
	struct virtio_net_hdr vh, v;
	struct pb_spec s;
	size_t len;

	pb_default(&s, 0);
	pb_fill(payload, 5000, 0);
	vh_gso(&vh, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1448, 34);
	s.ipoptlen = 12;	/* loose source route, then end of options */
	memset(s.ipopts, 0, sizeof(s.ipopts));
	s.ipopts[0] = 0x83;
	s.ipopts[1] = 7;
	s.ipopts[2] = 4;
	s.ipopts[3] = 10;
	len = pb_build(&s, payload, 5000, pkt);
	v = vh;
	v.csum_start = htole16(46);
	REJECT("IPv4 source route (pseudo-header uses the final address)",
	       try_seg(&v, len, sizeof(scratch)), -EOPNOTSUPP);
	s.ipopts[1] = 13;
	len = pb_build(&s, payload, 5000, pkt);
	REJECT("IPv4 option longer than the options",
	       try_seg(&v, len, sizeof(scratch)), -EOPNOTSUPP);
	pb_default(&s, 1);
	s.ehkind = PB_EH_ROUTING;
	s.ehsegleft = 1;
	s.ipoptlen = 24;
	len = pb_build(&s, payload, 5000, pkt);
	vh_gso(&v, VIRTIO_NET_HDR_GSO_TCPV6, 0, 1448, 78);
	REJECT("IPv6 routing header with segments left",
	       try_seg(&v, len, sizeof(scratch)), -EOPNOTSUPP);
	s.ehkind = PB_EH_AH;
	len = pb_build(&s, payload, 5000, pkt);
	REJECT("IPv6 AH", try_seg(&v, len, sizeof(scratch)), -EOPNOTSUPP);
	s.ehkind = PB_EH_DSTOPTS;
	len = pb_build(&s, payload, 5000, pkt);
	pkt[54 + 2] = 0xc9;	/* home address option: pseudo-header source */
	pkt[54 + 3] = 16;
	pkt[54 + 20] = 1;
	pkt[54 + 21] = 2;
	REJECT("IPv6 home address option", try_seg(&v, len, sizeof(scratch)),
	       -EOPNOTSUPP);
}

static void test_malformed(void)
{
	struct virtio_net_hdr vh, v;
	struct pb_spec s;
	size_t len;

	pb_default(&s, 0);
	pb_fill(payload, 5000, 0);
	len = pb_build(&s, payload, 5000, pkt);
	vh_gso(&vh, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1448, 34);
	CHECK_EQ("valid reference packet", try_seg(&vh, len, sizeof(scratch)), 4);
	v = vh;
	v.hdr_len = htole16(66);
	CHECK_EQ("hdr_len covering some payload accepted (skb_headlen)",
		 try_seg(&v, len, sizeof(scratch)), 4);

	v = vh;
	v.gso_size = 0;
	REJECT("gso_size 0", try_seg(&v, len, sizeof(scratch)), -EINVAL);
	v = vh;
	v.csum_start = htole16(14);
	REJECT("csum_start not at TCP header", try_seg(&v, len, sizeof(scratch)),
	       -EINVAL);
	v = vh;
	v.csum_offset = htole16(6);
	REJECT("csum_offset not TCP check", try_seg(&v, len, sizeof(scratch)),
	       -EINVAL);
	REJECT("truncated packet", try_seg(&vh, len - 100, sizeof(scratch)),
	       -EINVAL);
	REJECT("trailing bytes after IP datagram",
	       try_seg(&vh, len + 10, sizeof(scratch)), -EINVAL);
	REJECT("shorter than Ethernet header", try_seg(&vh, 10, sizeof(scratch)),
	       -EINVAL);
	REJECT("headers only, no payload", try_seg(&vh, 54, sizeof(scratch)),
	       -EINVAL);
	v = vh;
	v.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	REJECT("TCPV6 on an IPv4 packet", try_seg(&v, len, sizeof(scratch)),
	       -EINVAL);
	v.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	REJECT("UFO not supported", try_seg(&v, len, sizeof(scratch)),
	       -EOPNOTSUPP);
	v.gso_type = VIRTIO_NET_HDR_GSO_ECN;
	REJECT("ECN bit alone", try_seg(&v, len, sizeof(scratch)), -EINVAL);
	v.gso_type = 2;
	REJECT("unknown gso_type", try_seg(&v, len, sizeof(scratch)), -EINVAL);
	REJECT("scratch too small", try_seg(&vh, len, 54 + 1000), -ENOBUFS);

	v = vh;
	v.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	v.csum_start = htole16((uint16_t)len);
	REJECT("none: csum_start out of bounds",
	       try_seg(&v, len, sizeof(scratch)), -EINVAL);
	v.csum_start = htole16(34);
	v.csum_offset = htole16((uint16_t)(len - 35));
	REJECT("none: csum field out of bounds",
	       try_seg(&v, len, sizeof(scratch)), -EINVAL);
	v.csum_offset = htole16(16);
	REJECT("none: scratch too small for csum completion",
	       try_seg(&v, len, 100), -ENOBUFS);

	s.frag = 0x2000;	/* MF */
	len = pb_build(&s, payload, 5000, pkt);
	REJECT("fragment", try_seg(&vh, len, sizeof(scratch)), -EINVAL);
	s.frag = 0;
	s.proto = 17;
	len = pb_build(&s, payload, 5000, pkt);
	REJECT("UDP packet with TCPV4", try_seg(&vh, len, sizeof(scratch)),
	       -EINVAL);
	pb_default(&s, 0);
	len = pb_build(&s, payload, 65535 - 54 + 1, pkt);
	REJECT("frame over 65535 bytes", try_seg(&vh, len, sizeof(scratch)),
	       -EINVAL);
	REJECT("NULL header", gso_segment(NULL, pkt, len, scratch,
					  sizeof(scratch), sink_emit, &sink),
	       -EINVAL);

	pb_default(&s, 0);
	len = pb_build(&s, payload, 5000, pkt);
	sink_reset(&sink);
	sink.fail_at = 3;
	CHECK_EQ("emit error aborts",
		 gso_segment(&vh, pkt, len, scratch, sizeof(scratch), sink_emit,
			     &sink), -EPIPE);
	CHECK_EQ("emit error: two frames sent before", sink.n, 2);
}

/* Guest TSO with a tiny gso_size is refused before any segment is built. */
static void test_guest_min_gso(void)
{
	struct virtio_net_hdr vh = { 0 };

	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vh.gso_size = htole16(1);
	CHECK("guest gso: GSO_NONE ignores gso_size", gso_guest_gso_ok(&vh));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	CHECK("guest gso: TCPv4 gso_size 1 refused", !gso_guest_gso_ok(&vh));
	vh.gso_size = htole16(GSO_GUEST_MIN_GSO - 1);
	CHECK("guest gso: TCPv4 gso_size 47 refused", !gso_guest_gso_ok(&vh));
	vh.gso_size = htole16(GSO_GUEST_MIN_GSO);
	CHECK("guest gso: TCPv4 gso_size 48 taken", gso_guest_gso_ok(&vh));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN;
	vh.gso_size = htole16(8);
	CHECK("guest gso: TCPv6+ECN gso_size 8 refused", !gso_guest_gso_ok(&vh));
	vh.gso_size = htole16(1448);
	CHECK("guest gso: TCPv6+ECN gso_size 1448 taken", gso_guest_gso_ok(&vh));
}

int main(void)
{
	sink.arena = malloc(ARENA_SIZE);
	if (!sink.arena)
		return 2;
	test_big();
	test_hdr_len();
	test_guest_min_gso();
	test_plain();
	test_malformed();
	test_pseudo_rejects();
	free(sink.arena);
	UNIT_EXIT();
}
