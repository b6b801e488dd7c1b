// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_csum.c - Internet checksum helpers against vectors and a reference. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "offload/csum.h"
#include "unit.h"
#include "pktbuild.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void test_rfc1071(void)
{
	/* RFC 1071 section 3 example: sum 0xddf2. */
	static const uint8_t v[8] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t s = bf_csum_partial(v, sizeof(v), 0);

	CHECK_EQ("rfc1071 example checksum", bf_csum_fold(s), 0x220d);
	CHECK_EQ("rfc1071 split at odd offset",
		 bf_csum_fold(bf_csum_block_add(bf_csum_partial(v, 3, 0),
						bf_csum_partial(v + 3, 5, 0),
						3)), 0x220d);
	CHECK_EQ("empty buffer", bf_csum_fold(bf_csum_partial(v, 0, 0)), 0xffff);
}

static void test_against_reference(void)
{
	uint8_t buf[600];
	int len, bad = 0, bad_split = 0;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	memset(buf + 300, 0xff, 200);	/* carries */
	for (len = 0; len <= 520; len++) {
		int start = len % 7;
		uint32_t init = rnd() & 0xffff;
		uint32_t ref = pb_sum(buf + start, len, init);
		uint32_t got = bf_csum_partial(buf + start, len, init);
		int cut = len ? (int)(rnd() % len) : 0;
		uint32_t a = bf_csum_partial(buf + start, cut, 0);
		uint32_t b = bf_csum_partial(buf + start + cut, len - cut, 0);

		if (pb_fold(ref) != bf_csum_fold(got))
			bad++;
		if (pb_fold(pb_sum(buf + start, len, 0)) !=
		    bf_csum_fold(bf_csum_block_add(a, b, cut)))
			bad_split++;
	}
	CHECK_EQ("partial sum == reference, len 0..520, odd starts", bad, 0);
	CHECK_EQ("block_add of two parts == whole", bad_split, 0);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ("all-ones 600 bytes",
		 bf_csum_fold(bf_csum_partial(buf, sizeof(buf), 0)),
		 pb_fold(pb_sum(buf, sizeof(buf), 0)));
}

static void test_ipv4_header(void)
{
	/* Well-known example header, checksum 0xb861. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
			  0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01,
			  0xc0, 0xa8, 0x00, 0xc7 };

	CHECK_EQ("ipv4 header checksum vector", bf_csum_ipv4_hdr(h, 20), 0xb861);
	CHECK("ipv4 header verifies", bf_csum_ipv4_hdr_ok(h, 20));
	h[8] = 0x3f;
	CHECK("ipv4 header with changed ttl fails", !bf_csum_ipv4_hdr_ok(h, 20));
	bf_csum_ipv4_hdr_fill(h, 20);
	CHECK("ipv4 header refilled verifies", bf_csum_ipv4_hdr_ok(h, 20));
	CHECK("ipv4 header too short rejected", !bf_csum_ipv4_hdr_ok(h, 16));
}

static void test_tcp_roundtrip(int v6, int vlan, size_t plen)
{
	uint8_t frame[2000], payload[1500];
	struct pb_spec s;
	struct bf_parsed p;
	uint32_t paysum = 0;
	uint16_t orig;
	size_t len;
	char name[96];

	pb_default(&s, v6);
	s.vlan = vlan;
	s.vlan_tci = 5;
	pb_set_ts(&s, 12345, 678);
	pb_fill(payload, plen, 99);
	len = pb_build(&s, payload, plen, frame);
	if (bf_parse_frame(frame, frame + len, &p) != BF_PARSE_OK) {
		CHECK("parse built frame", 0);
		return;
	}
	snprintf(name, sizeof(name), "tcp%s%s len %zu", v6 ? "v6" : "v4",
		 vlan ? " vlan" : "", plen);
	CHECK_EQ(name, bf_csum_l4_verify(frame, &p, &paysum), BF_CSUM_OK);
	CHECK_EQ("payload sum reported",
		 bf_csum_fold(paysum), pb_fold(pb_sum(payload, plen, 0)));
	orig = pb_get16(frame + p.l4_off + 16);
	put_be16(frame + p.l4_off + 16, 0x1234);
	CHECK_EQ("corrupted checksum detected",
		 bf_csum_l4_verify(frame, &p, NULL), BF_CSUM_BAD);
	CHECK_EQ("tcp_fill ok", bf_csum_tcp_fill(frame, &p), 0);
	CHECK_EQ("tcp_fill restores checksum",
		 pb_get16(frame + p.l4_off + 16), orig);
	frame[len - 1] ^= 1;
	CHECK_EQ("payload bit flip detected",
		 bf_csum_l4_verify(frame, &p, NULL), BF_CSUM_BAD);
}

static void test_udp(void)
{
	uint8_t frame[200], payload[33];
	struct pb_spec s;
	struct bf_parsed p;
	size_t len;

	pb_default(&s, 0);
	s.proto = 17;
	pb_fill(payload, sizeof(payload), 3);
	len = pb_build(&s, payload, sizeof(payload), frame);
	bf_parse_frame(frame, frame + len, &p);
	CHECK_EQ("udp v4 checksum ok", bf_csum_l4_verify(frame, &p, NULL),
		 BF_CSUM_OK);
	put_be16(frame + p.l4_off + 6, 0);
	CHECK_EQ("udp v4 zero checksum = none",
		 bf_csum_l4_verify(frame, &p, NULL), BF_CSUM_NONE);
	pb_default(&s, 1);
	s.proto = 17;
	len = pb_build(&s, payload, sizeof(payload), frame);
	bf_parse_frame(frame, frame + len, &p);
	CHECK_EQ("udp v6 checksum ok", bf_csum_l4_verify(frame, &p, NULL),
		 BF_CSUM_OK);
}

/* Guest-style CHECKSUM_PARTIAL: the field holds the folded pseudo sum. */
static void test_needs_csum(int v6, int udp)
{
	uint8_t frame[2000], payload[1001];
	struct pb_spec s;
	struct bf_parsed p;
	uint32_t l4len;
	size_t len, coff;
	char name[64];

	pb_default(&s, v6);
	if (udp)
		s.proto = 17;
	pb_fill(payload, sizeof(payload), 5);
	len = pb_build(&s, payload, sizeof(payload), frame);
	bf_parse_frame(frame, frame + len, &p);
	l4len = p.l3_end - p.l4_off;
	coff = udp ? 6 : 16;
	put_be16(frame + p.l4_off + coff,
		 (uint16_t)~pb_fold(pb_pseudo(&s, l4len)));
	snprintf(name, sizeof(name), "needs_csum %s%s completes",
		 udp ? "udp" : "tcp", v6 ? "v6" : "v4");
	CHECK_EQ(name, bf_csum_complete_partial(frame, len, p.l4_off, coff), 0);
	CHECK("completed checksum verifies", pb_l4_csum_ok(frame));
	CHECK_EQ("csum_start beyond packet",
		 bf_csum_complete_partial(frame, len, len, 0), -EINVAL);
	CHECK_EQ("csum field beyond packet",
		 bf_csum_complete_partial(frame, len, p.l4_off,
					  len - p.l4_off - 1), -EINVAL);
	CHECK_EQ("huge csum_offset",
		 bf_csum_complete_partial(frame, len, 14, 0xfffffff0u), -EINVAL);
	CHECK_EQ("field in last two bytes ok",
		 bf_csum_complete_partial(frame, len, 14, len - 16), 0);
}

static void test_pseudo(void)
{
	static const uint8_t s4[4] = { 192, 168, 0, 1 }, d4[4] = { 10, 0, 0, 9 };
	uint8_t s6[16] = { 0xfe, 0x80 }, d6[16] = { 0xff, 0x02 };
	struct pb_spec s;

	memset(&s, 0, sizeof(s));
	memcpy(s.saddr, s4, 4);
	memcpy(s.daddr, d4, 4);
	s.proto = 6;
	CHECK_EQ("pseudo v4",
		 bf_csum_fold(bf_csum_pseudo_ipv4(s4, d4, 6, 1480)),
		 pb_fold(pb_pseudo(&s, 1480)));
	s.v6 = 1;
	s6[15] = 1;
	d6[15] = 0x16;
	memcpy(s.saddr, s6, 16);
	memcpy(s.daddr, d6, 16);
	s.proto = 17;
	CHECK_EQ("pseudo v6",
		 bf_csum_fold(bf_csum_pseudo_ipv6(s6, d6, 17, 70000)),
		 pb_fold(pb_pseudo(&s, 70000)));
}

/* bf_csum_pseudo_in_hdr() on s with its options/headers, plen 100. */
static int in_hdr(const struct pb_spec *s, int patch_off, uint8_t patch)
{
	static uint8_t f[512];
	uint8_t pay[100] = { 0 };
	struct bf_parsed p;
	size_t len = pb_build(s, pay, sizeof(pay), f);

	if (patch_off >= 0)
		f[patch_off] = patch;
	if (bf_parse_frame(f, f + len, &p) != BF_PARSE_OK)
		return -1;
	return bf_csum_pseudo_in_hdr(f, &p);
}

static void test_pseudo_in_hdr(void)
{
	struct pb_spec s;

	pb_default(&s, 0);
	CHECK_EQ("in_hdr: ipv4 plain", in_hdr(&s, -1, 0), 1);
	s.ipoptlen = 8;
	memset(s.ipopts, 1, 8);
	CHECK_EQ("in_hdr: ipv4 NOPs", in_hdr(&s, -1, 0), 1);
	s.ipopts[0] = 0x94;	/* router alert */
	s.ipopts[1] = 4;
	CHECK_EQ("in_hdr: ipv4 router alert", in_hdr(&s, -1, 0), 1);
	s.ipopts[0] = 0x83;	/* loose source route */
	s.ipopts[1] = 7;
	s.ipopts[2] = 4;
	CHECK_EQ("in_hdr: ipv4 LSRR", in_hdr(&s, -1, 0), 0);
	s.ipopts[0] = 0x89;
	CHECK_EQ("in_hdr: ipv4 SSRR", in_hdr(&s, -1, 0), 0);
	s.ipopts[0] = 0x94;
	s.ipopts[1] = 1;
	CHECK_EQ("in_hdr: ipv4 option length 1", in_hdr(&s, -1, 0), 0);
	s.ipopts[1] = 9;
	CHECK_EQ("in_hdr: ipv4 option past the header", in_hdr(&s, -1, 0), 0);
	s.ipopts[0] = 0;	/* end of options, then anything */
	CHECK_EQ("in_hdr: ipv4 EOL then junk", in_hdr(&s, -1, 0), 1);
	pb_default(&s, 1);
	s.ipoptlen = 16;
	CHECK_EQ("in_hdr: ipv6 dest options", in_hdr(&s, -1, 0), 1);
	CHECK_EQ("in_hdr: ipv6 option past the header",
		 in_hdr(&s, 14 + 40 + 3, 13), 0);
	CHECK_EQ("in_hdr: ipv6 home address option",
		 in_hdr(&s, 14 + 40 + 2, 0xc9), 0);
	s.ehkind = PB_EH_HOP_DST;
	s.ipoptlen = 24;
	CHECK_EQ("in_hdr: ipv6 hop-by-hop + dest options", in_hdr(&s, -1, 0), 1);
	s.ehkind = PB_EH_ROUTING;
	CHECK_EQ("in_hdr: ipv6 routing, 0 left", in_hdr(&s, -1, 0), 1);
	s.ehsegleft = 2;
	CHECK_EQ("in_hdr: ipv6 routing, 2 left", in_hdr(&s, -1, 0), 0);
	s.ehkind = PB_EH_AH;
	CHECK_EQ("in_hdr: ipv6 AH", in_hdr(&s, -1, 0), 0);
}

int main(void)
{
	test_rfc1071();
	test_against_reference();
	test_ipv4_header();
	test_pseudo();
	test_tcp_roundtrip(0, 0, 1448);
	test_tcp_roundtrip(1, 0, 1447);
	test_tcp_roundtrip(0, 1, 1);
	test_tcp_roundtrip(1, 1, 0);
	test_udp();
	test_needs_csum(0, 0);
	test_needs_csum(1, 0);
	test_needs_csum(0, 1);
	test_pseudo_in_hdr();
	UNIT_EXIT();
}
