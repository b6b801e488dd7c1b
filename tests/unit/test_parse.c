// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for include/bifrost_parse.h, the classifier shared by the XDP
 * program and user space: offsets, flags, the symmetric flow hash, and
 * every malformed shape (including each truncation of a valid frame).
 */
#include <stdlib.h>
#include <string.h>
#include "bifrost_parse.h"
#include "pktbuild.h"
#include "unit.h"

static uint8_t f[2048];
static struct bf_parsed p;

static int parse(size_t len)
{
	return bf_parse_frame(f, f + len, &p);
}

static size_t build(const struct pb_spec *s, size_t plen)
{
	uint8_t payload[1500];

	memset(payload, 'p', sizeof(payload));
	return pb_build(s, payload, plen, f);
}

static void test_tcp4(void)
{
	struct pb_spec s;
	size_t n;

	pb_default(&s, 0);
	n = build(&s, 100);
	CHECK_EQ("tcp4 parses", parse(n), BF_PARSE_OK);
	CHECK_EQ("tcp4 l3 offset", p.l3_off, 14);
	CHECK_EQ("tcp4 l4 offset", p.l4_off, 34);
	CHECK_EQ("tcp4 payload offset", p.payload_off, 54);
	CHECK_EQ("tcp4 payload length", p.payload_len, 100);
	CHECK_EQ("tcp4 flags", p.flags, BF_PF_IPV4 | BF_PF_TCP | BF_PF_L4 | BF_PF_PAYLOAD |
					 BF_PF_MERGEABLE);
	CHECK_EQ("tcp4 ethertype", p.ethertype, 0x0800);

	s.tflags = PB_TCP_ACK | PB_TCP_PSH;
	build(&s, 100);
	parse(n);
	CHECK("ACK+PSH data is mergeable", p.flags & BF_PF_MERGEABLE);
	s.tflags = PB_TCP_ACK;
	n = build(&s, 0);
	parse(n);
	CHECK("pure ACK: no payload, not mergeable",
	      !(p.flags & (BF_PF_PAYLOAD | BF_PF_MERGEABLE)));
	const uint8_t flush_flags[] = { PB_TCP_SYN, PB_TCP_FIN, PB_TCP_RST, PB_TCP_URG,
					PB_TCP_CWR, PB_TCP_ECE };
	for (unsigned int i = 0; i < sizeof(flush_flags); i++) {
		s.tflags = PB_TCP_ACK | flush_flags[i];
		n = build(&s, 10);
		parse(n);
		CHECK("SYN/FIN/RST/URG/CWR/ECE flush, not mergeable",
		      (p.flags & BF_PF_FLUSH) && !(p.flags & BF_PF_MERGEABLE));
	}
	s.tflags = 0;	/* data without ACK */
	n = build(&s, 10);
	parse(n);
	CHECK("data without ACK is not mergeable", !(p.flags & BF_PF_MERGEABLE));

	/* Ethernet padding after a short datagram is not payload */
	pb_default(&s, 0);
	s.pad = 6;
	n = build(&s, 0);
	CHECK_EQ("padded frame parses", parse(n), BF_PARSE_OK);
	CHECK_EQ("padding not counted as payload", p.payload_len, 0);
	CHECK_EQ("l3_end excludes padding", p.l3_end, 54);
}

static void test_variants(void)
{
	struct pb_spec s;
	size_t n;

	pb_default(&s, 0);
	s.vlan = 1;
	s.vlan_tci = 42;
	n = build(&s, 50);
	CHECK_EQ("vlan parses", parse(n), BF_PARSE_OK);
	CHECK("vlan flag", p.flags & BF_PF_VLAN);
	CHECK_EQ("vlan l3 offset", p.l3_off, 18);
	CHECK_EQ("vlan ethertype is the inner one", p.ethertype, 0x0800);

	pb_default(&s, 0);
	s.ipoptlen = 8;
	memset(s.ipopts, 1, 8);
	n = build(&s, 50);
	CHECK_EQ("ipv4 options parse", parse(n), BF_PARSE_OK);
	CHECK_EQ("ipv4 options: l4 after them", p.l4_off, 42);
	CHECK("ipv4 options flagged, not mergeable",
	      (p.flags & BF_PF_IPOPTS) && !(p.flags & BF_PF_MERGEABLE));

	pb_default(&s, 0);
	s.frag = 0x2000;	/* MF */
	n = build(&s, 50);
	CHECK_EQ("fragment parses", parse(n), BF_PARSE_OK);
	CHECK("fragment: no L4", (p.flags & BF_PF_FRAG) && !(p.flags & BF_PF_L4));
	uint32_t h_frag = p.hash;
	s.frag = 0x0010;	/* a later fragment */
	n = build(&s, 50);
	parse(n);
	CHECK_EQ("all fragments of a datagram hash alike", p.hash, h_frag);

	pb_default(&s, 1);
	n = build(&s, 200);
	CHECK_EQ("tcp6 parses", parse(n), BF_PARSE_OK);
	CHECK_EQ("tcp6 l4 offset", p.l4_off, 54);
	CHECK_EQ("tcp6 payload", p.payload_len, 200);
	CHECK("tcp6 mergeable", p.flags & BF_PF_MERGEABLE);

	pb_default(&s, 1);
	s.ipoptlen = 16;	/* destination options header */
	memset(s.ipopts, 0, 16);
	n = build(&s, 20);
	CHECK_EQ("ipv6 ext header parses", parse(n), BF_PARSE_OK);
	CHECK_EQ("ipv6 ext header: l4 after it", p.l4_off, 70);
	CHECK("ipv6 ext header flagged", p.flags & BF_PF_IPOPTS);

	pb_default(&s, 0);
	s.proto = 17;
	n = build(&s, 30);
	CHECK_EQ("udp4 parses", parse(n), BF_PARSE_OK);
	CHECK_EQ("udp payload", p.payload_len, 30);
	CHECK("udp flags", (p.flags & BF_PF_UDP) && !(p.flags & BF_PF_TCP));

	memset(f, 0, 60);
	f[12] = 0x08, f[13] = 0x06;	/* ARP */
	CHECK_EQ("non-IP frame is fine", parse(60), BF_PARSE_OK);
	CHECK_EQ("non-IP: no flags", p.flags, 0);
}

static void test_hash(void)
{
	struct pb_spec a, b;
	uint32_t ha;

	for (int v6 = 0; v6 < 2; v6++) {
		pb_default(&a, v6);
		build(&a, 10);
		parse(pb_hdr_len(&a) + 10);
		ha = p.hash;
		b = a;	/* the reverse direction */
		memcpy(b.saddr, a.daddr, 16);
		memcpy(b.daddr, a.saddr, 16);
		b.sport = a.dport;
		b.dport = a.sport;
		build(&b, 10);
		parse(pb_hdr_len(&b) + 10);
		CHECK_EQ(v6 ? "hash symmetric (v6)" : "hash symmetric (v4)", p.hash, ha);
		b.sport++;
		build(&b, 10);
		parse(pb_hdr_len(&b) + 10);
		CHECK(v6 ? "other flow, other hash (v6)" : "other flow, other hash (v4)",
		      p.hash != ha);
	}
}

static void test_malformed(void)
{
	struct pb_spec s;
	size_t n, cut;
	int bad = 0;

	CHECK_EQ("runt", parse(10), BF_PARSE_MALFORMED);
	pb_default(&s, 0);
	n = build(&s, 40);
	/* every truncation inside the headers or the datagram is malformed */
	for (cut = 14; cut < n; cut++)
		if (parse(cut) != BF_PARSE_MALFORMED)
			bad++;
	CHECK_EQ("every truncated tcp4 frame is malformed", bad, 0);
	pb_default(&s, 1);
	s.ipoptlen = 8;
	memset(s.ipopts, 0, 8);
	n = build(&s, 40);
	bad = 0;
	for (cut = 14; cut < n; cut++)
		if (parse(cut) != BF_PARSE_MALFORMED)
			bad++;
	CHECK_EQ("every truncated tcp6+ext frame is malformed", bad, 0);

	pb_default(&s, 0);
	n = build(&s, 40);
	f[14] = 0x44;	/* IHL 4 */
	CHECK_EQ("ipv4 ihl < 5", parse(n), BF_PARSE_MALFORMED);
	n = build(&s, 40);
	f[14] = 0x65;	/* version 6 in an IPv4 ethertype */
	CHECK_EQ("ipv4 wrong version", parse(n), BF_PARSE_MALFORMED);
	n = build(&s, 40);
	f[16] = 0, f[17] = 10;	/* total length < header */
	CHECK_EQ("ipv4 total length < ihl", parse(n), BF_PARSE_MALFORMED);
	n = build(&s, 40);
	f[46] = 0x30;	/* TCP data offset 3 */
	CHECK_EQ("tcp data offset < 5", parse(n), BF_PARSE_MALFORMED);
	n = build(&s, 10);
	f[46] = 0xf0;	/* data offset 15: 60 bytes > the 30 left */
	CHECK_EQ("tcp header beyond datagram", parse(n), BF_PARSE_MALFORMED);

	pb_default(&s, 0);
	s.proto = 17;
	n = build(&s, 40);
	f[38] = 0, f[39] = 4;	/* UDP length 4 < 8 */
	CHECK_EQ("udp length < 8", parse(n), BF_PARSE_MALFORMED);
	n = build(&s, 40);
	f[38] = 0x10, f[39] = 0;	/* UDP length beyond datagram */
	CHECK_EQ("udp length beyond datagram", parse(n), BF_PARSE_MALFORMED);

	pb_default(&s, 1);
	n = build(&s, 40);
	f[18] = 0, f[19] = 0;	/* payload length 0 (jumbogram) */
	CHECK_EQ("ipv6 payload length 0", parse(n), BF_PARSE_MALFORMED);

	/* an IPv6 extension chain longer than the parser follows */
	memset(f, 0, sizeof(f));
	f[12] = 0x86, f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = 0x01, f[19] = 0x00;	/* 256 bytes of payload */
	f[20] = 60;			/* destination options... */
	for (int i = 0; i < 10; i++)
		f[54 + 8 * i] = 60;	/* ...pointing at more of them */
	CHECK_EQ("ipv6 ext chain too long", parse(14 + 40 + 256), BF_PARSE_MALFORMED);

	/* random frames never crash and never report offsets past the end */
	srand(3);
	bad = 0;
	for (int i = 0; i < 20000; i++) {
		size_t len = 14 + rand() % 200;

		for (size_t j = 0; j < len; j++)
			f[j] = rand();
		f[12] = (i & 1) ? 0x08 : 0x86;
		f[13] = (i & 1) ? 0x00 : 0xdd;
		if ((i & 3) == 1)
			f[14] = 0x45;
		if (parse(len) == BF_PARSE_OK &&
		    (p.payload_off + p.payload_len > len || p.l4_off > len || p.l3_end > len))
			bad++;
	}
	CHECK_EQ("20000 random frames: offsets stay inside the frame", bad, 0);
}

/*
 * An XDP program with frags support sees only the linear part of a jumbo
 * frame through data/data_end: headers parse from there, the IP length is
 * checked against the whole frame's length.
 */
static void test_frags(void)
{
	struct pb_spec s;
	size_t n;
	int v6;

	for (v6 = 0; v6 <= 1; v6++) {
		pb_default(&s, v6);
		n = build(&s, 1400);
		CHECK_EQ("headers only in the linear part: parses with the frame length",
			 bf_parse_frame_len(f, f + 200, n, &p), BF_PARSE_OK);
		CHECK_EQ("frags: payload length from the IP header", p.payload_len, 1400);
		CHECK_EQ("frags: frame_len is the whole frame", p.frame_len, n);
		CHECK("frags: still a merge candidate", p.flags & BF_PF_MERGEABLE);
		CHECK_EQ("the same linear part without the frame length is truncated",
			 bf_parse_frame(f, f + 200, &p), BF_PARSE_MALFORMED);
		CHECK_EQ("a frame length short of the IP length is truncated",
			 bf_parse_frame_len(f, f + 200, n - 1, &p), BF_PARSE_MALFORMED);
		CHECK_EQ("a TCP header past the linear part is malformed",
			 bf_parse_frame_len(f, f + (v6 ? 60 : 40), n, &p), BF_PARSE_MALFORMED);
	}
}

int main(void)
{
	test_tcp4();
	test_variants();
	test_hash();
	test_malformed();
	test_frags();
	UNIT_EXIT();
}
