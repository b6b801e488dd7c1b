// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_gro.c - PRPR merge rules, one test per rule. Every emitted frame is
 * compared byte for byte with a frame built by pktbuild.h: an unmerged
 * segment must come out unchanged, a merged packet must equal its first
 * segment's headers (PSH/FIN ORed in) carrying all the payload, with
 * correct lengths and checksums.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include "offload/gro.h"
#include "unit.h"
#include "pktbuild.h"

#define CAP_MAX		32
#define SENT_MAX	64

struct cap_pkt {
	struct virtio_net_hdr vh;
	size_t len;
	uint8_t data[GRO_BUF_SIZE];
};

struct sent {
	struct pb_spec s;
	size_t plen;
};

static struct cap_pkt *cap;
static unsigned int ncap;
static struct sent sent[SENT_MAX];
static unsigned int nsent;
static struct bf_backend_stats st;
static struct gro_engine *pr;
static uint64_t now = 1000;
static uint8_t frame[GRO_BUF_SIZE], expect[GRO_BUF_SIZE];
static uint8_t payload[GRO_BUF_SIZE];

static void cap_emit(void *ctx, const struct virtio_net_hdr *vh,
		     const uint8_t *f, size_t len)
{
	(void)ctx;
	if (ncap >= CAP_MAX || len > GRO_BUF_SIZE) {
		printf("FAIL: capture overflow\n");
		unit_failures++;
		return;
	}
	cap[ncap].vh = *vh;
	cap[ncap].len = len;
	memcpy(cap[ncap].data, f, len);
	ncap++;
}

static void setup(unsigned int nflows, uint32_t bytes, uint32_t segs,
		  uint64_t flush_ns)
{
	struct gro_cfg cfg = {
		.enabled = true, .max_merge_bytes = bytes,
		.max_segs = segs, .flush_ns = flush_ns,
	};

	memset(&st, 0, sizeof(st));
	ncap = 0;
	nsent = 0;
	pr = gro_new(nflows, cap_emit, NULL, &st);
	if (pr)
		gro_set_cfg(pr, &cfg);
}

static void setup_default(void)
{
	setup(16, 65535, 64, 1000000);
}

static void teardown(void)
{
	gro_free(pr);
	pr = NULL;
}

/* Send one segment of s with plen payload bytes; advance seq and IP ID. */
static unsigned int send_seg(struct pb_spec *s, size_t plen)
{
	unsigned int k = nsent;
	size_t len;

	if (nsent < SENT_MAX) {
		sent[nsent].s = *s;
		sent[nsent].plen = plen;
		nsent++;
	}
	pb_fill(payload, plen, s->seq);
	len = pb_build(s, payload, plen, frame);
	gro_input(pr, frame, len, now);
	s->seq += (uint32_t)plen;
	s->ip_id++;
	return k;
}

static void feed_raw(const uint8_t *f, size_t len)
{
	gro_input(pr, f, len, now);
}

/* Output idx must be sent[k] unchanged, with virtio flags vflags. */
static void expect_single(const char *name, unsigned int idx, unsigned int k,
			  uint8_t vflags)
{
	const struct cap_pkt *c = &cap[idx];
	struct virtio_net_hdr zero;
	size_t len;
	char n[160];

	snprintf(n, sizeof(n), "%s: output %u present", name, idx);
	CHECK(n, idx < ncap && k < nsent);
	if (idx >= ncap || k >= nsent)
		return;
	pb_fill(payload, sent[k].plen, sent[k].s.seq);
	len = pb_build(&sent[k].s, payload, sent[k].plen, expect);
	memset(&zero, 0, sizeof(zero));
	zero.flags = vflags;
	snprintf(n, sizeof(n), "%s: output %u is segment %u unchanged", name,
		 idx, k);
	CHECK(n, c->len == len && !memcmp(c->data, expect, len));
	snprintf(n, sizeof(n), "%s: output %u virtio hdr flags=%u, no gso",
		 name, idx, vflags);
	CHECK(n, !memcmp(&c->vh, &zero, sizeof(zero)));
}

/*
 * The virtio header and checksum field of merged output idx, as Linux
 * hands a guest a GRO packet (tcp_gro_complete + virtio_net_hdr_from_skb):
 * NEEDS_CSUM with csum_start at the TCP header, csum_offset 16, the folded
 * (not inverted) pseudo-header sum in the field; completing it over the
 * TCP header and data must give a valid checksum. On return, data holds
 * the output with its checksum completed.
 */
static void expect_partial(const char *name, unsigned int idx,
			   const struct pb_spec *m, uint8_t *data)
{
	const struct cap_pkt *c = &cap[idx];
	size_t l4 = pb_hdr_len(m) - (20 + m->optlen);
	uint32_t l4len = (uint32_t)(c->len - l4);
	char n[160];

	snprintf(n, sizeof(n), "%s: output %u vh.flags NEEDS_CSUM", name, idx);
	CHECK_EQ(n, c->vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	snprintf(n, sizeof(n), "%s: output %u csum_start at tcp, offset 16",
		 name, idx);
	CHECK(n, le16toh(c->vh.csum_start) == l4 &&
		 le16toh(c->vh.csum_offset) == 16);
	snprintf(n, sizeof(n), "%s: output %u tcp check = pseudo-header sum",
		 name, idx);
	CHECK_EQ(n, pb_get16(c->data + l4 + 16),
		 (uint16_t)~pb_fold(pb_pseudo(m, l4len)));
	memcpy(data, c->data, c->len);
	put_be16(data + l4 + 16, pb_fold(pb_sum(data + l4, l4len, 0)));
	snprintf(n, sizeof(n), "%s: output %u completed checksums valid", name,
		 idx);
	CHECK(n, pb_l4_csum_ok(data) && (m->v6 || pb_ip4_csum_ok(data)));
}

/* Output idx must be the segments sent[ks[0..nk)] merged. */
static void expect_merged_list(const char *name, unsigned int idx,
			       const unsigned int *ks, unsigned int nk)
{
	static uint8_t done[GRO_BUF_SIZE];
	const struct cap_pkt *c = &cap[idx];
	struct pb_spec m;
	size_t len, plen = 0, hdrs;
	unsigned int i, first = ks[0];
	uint8_t gt;
	char n[160];

	snprintf(n, sizeof(n), "%s: output %u present", name, idx);
	CHECK(n, idx < ncap && nk >= 2);
	if (idx >= ncap || nk < 2)
		return;
	m = sent[first].s;
	for (i = 0; i < nk; i++) {
		const struct sent *k = &sent[ks[i]];

		pb_fill(payload + plen, k->plen, k->s.seq);
		plen += k->plen;
		m.tflags |= k->s.tflags & (PB_TCP_PSH | PB_TCP_FIN);
	}
	len = pb_build(&m, payload, plen, expect);
	hdrs = pb_hdr_len(&m);
	expect_partial(name, idx, &m, done);
	snprintf(n, sizeof(n), "%s: output %u = segments %u..%u merged", name,
		 idx, first, ks[nk - 1]);
	CHECK(n, c->len == len && !memcmp(done, expect, len));
	gt = m.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	if (m.tflags & PB_TCP_CWR)
		gt |= VIRTIO_NET_HDR_GSO_ECN;
	snprintf(n, sizeof(n), "%s: output %u vh.gso_type", name, idx);
	CHECK_EQ(n, c->vh.gso_type, gt);
	snprintf(n, sizeof(n), "%s: output %u vh.gso_size", name, idx);
	CHECK_EQ(n, le16toh(c->vh.gso_size), sent[first].plen);
	snprintf(n, sizeof(n), "%s: output %u vh.hdr_len = all headers", name,
		 idx);
	CHECK_EQ(n, le16toh(c->vh.hdr_len), hdrs);
}

/* Output idx must be sent[first..last] merged. */
static void expect_merged(const char *name, unsigned int idx,
			  unsigned int first, unsigned int last)
{
	unsigned int ks[SENT_MAX], n = 0;

	while (first <= last && n < SENT_MAX && first < nsent)
		ks[n++] = first++;
	expect_merged_list(name, idx, ks, n);
}

static void expect_count(const char *name, unsigned int outs,
			 unsigned int held)
{
	char n[160];

	snprintf(n, sizeof(n), "%s: %u output(s)", name, outs);
	CHECK_EQ(n, ncap, outs);
	snprintf(n, sizeof(n), "%s: %u flow(s) held", name, held);
	CHECK_EQ(n, gro_held(pr), held);
}

/* ---- merging ---- */

static void test_merge_basic(const char *name, int v6, int vlan, int ts)
{
	struct pb_spec s;
	char n[160];
	int i;

	setup_default();
	pb_default(&s, v6);
	s.vlan = vlan;
	s.vlan_tci = 7;
	if (ts)
		pb_set_ts(&s, 1000, 2000);
	for (i = 0; i < 4; i++)
		send_seg(&s, 1000);
	expect_count(name, 0, 1);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count(name, 1, 0);
	expect_merged(name, 0, 0, 3);
	snprintf(n, sizeof(n), "%s: IP length field", name);
	if (v6)
		CHECK_EQ(n, pb_get16(cap[0].data + (vlan ? 22 : 18)),
			 4000 + 20 + s.optlen);
	else
		CHECK_EQ(n, pb_get16(cap[0].data + (vlan ? 20 : 16)),
			 4000 + 40 + s.optlen);
	snprintf(n, sizeof(n), "%s: stats merged_segs", name);
	CHECK_EQ(n, st.merged_segs, 3);
	snprintf(n, sizeof(n), "%s: stats flush_batch_end", name);
	CHECK_EQ(n, st.flush_batch_end, 1);
	teardown();
}

static void test_merge_odd_mss(void)
{
	struct pb_spec s;
	int i;

	setup_default();
	pb_default(&s, 0);
	s.seq = 0xfffffc00u;	/* sequence wraps inside the merge */
	for (i = 0; i < 5; i++)
		send_seg(&s, 999);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_merged("odd mss 999 + seq wrap", 0, 0, 4);
	teardown();
}

static void test_single_held(void)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count("single held segment", 1, 0);
	expect_single("single held segment", 0, 0, VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ("single held: merged_segs 0", st.merged_segs, 0);
	teardown();
}

/* ---- mismatches that flush the held packet and start a new one ---- */

enum change {
	CH_SEQ_GAP, CH_ACK, CH_WIN, CH_TS, CH_TTL, CH_TOS, CH_DF, CH_MAC,
	CH_LONGER, CH_TCLASS, CH_FLOWLABEL, CH_HOPLIMIT, CH_ECE,
};

static void test_mismatch(const char *name, int v6, enum change ch,
			  __u64 *counter)
{
	struct pb_spec s;
	size_t plen = 1000;

	setup_default();
	pb_default(&s, v6);
	pb_set_ts(&s, 5, 6);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	switch (ch) {
	case CH_SEQ_GAP:
		s.seq += 1;
		break;
	case CH_ACK:
		s.ack += 1000;
		break;
	case CH_WIN:
		s.win += 1;
		break;
	case CH_TS:
		pb_set_ts(&s, 6, 6);
		break;
	case CH_TTL:
		s.ttl--;
		break;
	case CH_TOS:
		s.tos = 0x02;	/* ECT(0) */
		break;
	case CH_DF:
		s.df = 0;
		break;
	case CH_MAC:
		s.smac[5] = 9;
		break;
	case CH_LONGER:
		plen = 1001;
		break;
	case CH_TCLASS:
		s.tos = 0x20;
		break;
	case CH_FLOWLABEL:
		s.flowlabel = 0x12345;
		break;
	case CH_HOPLIMIT:
		s.ttl = 63;
		break;
	case CH_ECE:
		s.tflags |= PB_TCP_ECE;
		break;
	}
	send_seg(&s, plen);
	expect_count(name, 1, 1);
	expect_merged(name, 0, 0, 1);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count(name, 2, 0);
	expect_single(name, 1, 2, VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ(name, *counter, 1);
	teardown();
}

/* SYN, RST, URG: held packet flushed, the new segment passes alone. */
static void test_flag_passes(const char *name, uint8_t flag)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	s.tflags |= flag;
	send_seg(&s, 1000);
	expect_count(name, 2, 0);
	expect_merged(name, 0, 0, 1);
	expect_single(name, 1, 2, VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ(name, st.flush_flags, 1);
	teardown();
}

/* PSH and FIN segments are merged, then the packet is flushed. */
static void test_flag_merges(const char *name, uint8_t flag)
{
	struct pb_spec s;
	char n[160];

	setup_default();
	pb_default(&s, 1);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	s.tflags |= flag;
	send_seg(&s, 1000);
	expect_count(name, 1, 0);
	expect_merged(name, 0, 0, 2);
	snprintf(n, sizeof(n), "%s: merged header carries the flag", name);
	CHECK(n, cap[0].data[54 + 13] & flag);
	CHECK_EQ(name, st.flush_flags, 1);
	/* Such a segment with nothing held is not held (Linux). */
	send_seg(&s, 1000);
	expect_count(name, 2, 0);
	expect_single(name, 1, 3, VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ(name, st.flush_flags, 1);
	teardown();
}

/* CWR: flushes the held packet and starts a new one, marked ECN (Linux). */
static void test_cwr(void)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	s.tflags |= PB_TCP_CWR;
	send_seg(&s, 1000);
	expect_count("cwr", 1, 1);
	expect_merged("cwr", 0, 0, 1);
	CHECK_EQ("cwr: flush_flags", st.flush_flags, 1);
	s.tflags &= ~PB_TCP_CWR;
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count("cwr", 2, 0);
	expect_merged("cwr (new packet, GSO_ECN)", 1, 2, 4);
	/* CWR again while held: flush. */
	send_seg(&s, 1000);
	s.tflags |= PB_TCP_CWR;
	send_seg(&s, 1000);
	expect_count("cwr while held", 3, 1);
	expect_single("cwr while held", 2, 5, VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

static void test_ece_merges(void)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 0);
	s.tflags |= PB_TCP_ECE;
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	s.tflags &= ~PB_TCP_ECE;
	send_seg(&s, 1000);
	expect_count("ece on both merges, ece change flushes", 1, 1);
	expect_merged("ece on both merges", 0, 0, 1);
	CHECK_EQ("ece change: flush_flags", st.flush_flags, 1);
	teardown();
}

/* ---- IPv4 ID ---- */

static void test_ip_id(const char *name, int df, const uint16_t *ids, int n,
		       int merged_until)
{
	struct pb_spec s;
	int i;

	setup_default();
	pb_default(&s, 0);
	s.df = df;
	for (i = 0; i < n; i++) {
		s.ip_id = ids[i];
		send_seg(&s, 1000);
	}
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	if (merged_until == n - 1) {
		expect_count(name, 1, 0);
		expect_merged(name, 0, 0, n - 1);
		teardown();
		return;
	}
	expect_count(name, 2, 0);
	if (merged_until > 0)
		expect_merged(name, 0, 0, merged_until);
	else
		expect_single(name, 0, 0, VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ(name, st.flush_mismatch, 1);
	teardown();
}

static void test_ip_ids(void)
{
	static const uint16_t inc[] = { 0xfffe, 0xffff, 0, 1 };
	static const uint16_t fixed[] = { 7, 7, 7, 7 };
	static const uint16_t jump[] = { 7, 9 };
	static const uint16_t inc_then_fixed[] = { 7, 8, 8 };
	static const uint16_t fixed_then_inc[] = { 7, 7, 8 };

	test_ip_id("ip id incrementing (wraps), DF", 1, inc, 4, 3);
	test_ip_id("ip id incrementing, no DF", 0, inc, 4, 3);
	test_ip_id("ip id fixed with DF merges", 1, fixed, 4, 3);
	test_ip_id("ip id fixed without DF flushes", 0, fixed, 2, 0);
	test_ip_id("ip id jump flushes", 1, jump, 2, 0);
	test_ip_id("ip id incrementing then fixed flushes", 1, inc_then_fixed,
		   3, 1);
	test_ip_id("ip id fixed then incrementing flushes", 1, fixed_then_inc,
		   3, 1);
}

/* ---- packets that are never merged ---- */

/* A held flow meets an unmergeable packet of its own: held out first. */
static void test_unmergeable(const char *name, int v6, int what)
{
	struct pb_spec s;
	size_t len = 0;

	setup_default();
	pb_default(&s, v6);
	send_seg(&s, 1000);
	if (what == 0) {		/* IPv4 options / IPv6 ext header */
		if (v6) {	/* AH: Linux GRO does not pass it either */
			s.ehkind = PB_EH_AH;
			s.ipoptlen = 16;
		} else {
			s.ipoptlen = 4;
			memset(s.ipopts, 1, 4);
		}
		send_seg(&s, 1000);
	} else {			/* bad IPv4 header checksum */
		pb_fill(payload, 1000, s.seq);
		len = pb_build(&s, payload, 1000, frame);
		frame[14 + 10] ^= 0xff;
		feed_raw(frame, len);
	}
	expect_count(name, 2, 0);
	expect_single(name, 0, 0, VIRTIO_NET_HDR_F_DATA_VALID);
	if (what == 0) {
		expect_single(name, 1, 1, VIRTIO_NET_HDR_F_DATA_VALID);
	} else {
		CHECK(name, cap[1].vh.flags == 0 && cap[1].len == len &&
			    !memcmp(cap[1].data, frame, len));
		CHECK_EQ(name, st.csum_fail, 1);
	}
	/* Alone, such a packet passes at once. */
	if (what == 0) {
		send_seg(&s, 1000);
		expect_count(name, 3, 0);
	}
	teardown();
}

/*
 * IPv6 extension headers Linux GRO passes (ipv6_gro_receive: hop-by-hop,
 * routing, destination options): segments whose header bytes are
 * identical merge, byte-exact, extension headers in every segment's place.
 */
static void test_exthdr_merge(const char *name, uint8_t kind, uint8_t len,
			      int vlan)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 1);
	s.ehkind = kind;
	s.ipoptlen = len;
	s.ehfill = 0x5c;
	s.vlan = vlan;
	pb_set_ts(&s, 100, 200);
	send_seg(&s, 1200);
	send_seg(&s, 1200);
	send_seg(&s, 1200);
	s.tflags |= PB_TCP_PSH;
	send_seg(&s, 700);
	expect_count(name, 1, 0);
	expect_merged(name, 0, 0, 3);
	CHECK_EQ(name, st.merged_segs, 3);
	teardown();
}

/* Extension headers that differ in a byte or in length flush. */
static void test_exthdr_differ(const char *name, int what)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 1);
	s.ipoptlen = 16;
	s.ehfill = 0x11;
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	if (what == 0)
		s.ehfill = 0x12;
	else if (what == 1)
		s.ipoptlen = 24;
	else
		s.ehkind = PB_EH_HOP;
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count(name, 2, 0);
	expect_merged(name, 0, 0, 1);
	expect_merged(name, 1, 2, 3);
	CHECK_EQ(name, st.flush_mismatch, 1);
	teardown();
}

/*
 * Not held: headers whose pseudo-header address is not the IPv6 header's
 * (a routing header with segments left), so a merged packet could not be
 * segmented again. They pass at once, checksum verified.
 */
static void test_exthdr_not_held(void)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 1);
	s.ehkind = PB_EH_ROUTING;
	s.ehsegleft = 1;
	s.ipoptlen = 24;
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	expect_count("routing header with segments left", 2, 0);
	expect_single("routing header with segments left", 0, 0,
		      VIRTIO_NET_HDR_F_DATA_VALID);
	expect_single("routing header with segments left", 1, 1,
		      VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

static void test_fragment(void)
{
	struct pb_spec s, fr;
	size_t len;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	fr = s;
	fr.frag = 0x2000;	/* MF, offset 0 */
	pb_fill(payload, 1000, 1);
	len = pb_build(&fr, payload, 1000, frame);
	feed_raw(frame, len);
	expect_count("fragment passes, held flow untouched", 1, 1);
	CHECK("fragment: unchanged, flags 0", cap[0].len == len &&
	      !memcmp(cap[0].data, frame, len) && cap[0].vh.flags == 0 &&
	      cap[0].vh.gso_type == 0);
	teardown();
}

static void test_bad_csum(int v6)
{
	struct pb_spec s;
	const char *name = v6 ? "bad tcp checksum v6" : "bad tcp checksum v4";

	setup_default();
	pb_default(&s, v6);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	s.bad_csum = 1;
	send_seg(&s, 1000);
	expect_count(name, 2, 0);
	expect_merged(name, 0, 0, 1);
	expect_single(name, 1, 2, 0);
	CHECK_EQ(name, st.csum_fail, 1);
	CHECK_EQ(name, st.flush_mismatch, 1);
	/* First segment bad: not held either. */
	send_seg(&s, 1000);
	expect_count(name, 3, 0);
	expect_single(name, 2, 3, 0);
	CHECK_EQ(name, st.csum_fail, 2);
	teardown();
}

static void test_pure_ack(void)
{
	struct pb_spec s, r;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	/* Reverse direction ACK: another flow, no flush. */
	pb_default(&r, 0);
	memcpy(r.saddr, s.daddr, 4);
	memcpy(r.daddr, s.saddr, 4);
	r.sport = s.dport;
	r.dport = s.sport;
	send_seg(&r, 0);
	expect_count("reverse pure ack passes", 1, 1);
	expect_single("reverse pure ack", 0, 1, VIRTIO_NET_HDR_F_DATA_VALID);
	send_seg(&s, 0);
	expect_count("pure ack flushes its flow", 3, 0);
	expect_single("pure ack flushes its flow", 1, 0,
		      VIRTIO_NET_HDR_F_DATA_VALID);
	expect_single("pure ack passes", 2, 2, VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

static void test_short_and_padding(void)
{
	struct pb_spec s;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	send_seg(&s, 500);
	expect_count("shorter segment ends the merge", 1, 0);
	expect_merged("shorter segment ends the merge", 0, 0, 2);
	CHECK_EQ("shorter segment: flush_size", st.flush_size, 1);
	/* 2-byte segment padded to 60 bytes: IP length != frame length. */
	s.pad = 4;
	send_seg(&s, 2);
	expect_count("padded frame passes", 2, 0);
	expect_single("padded frame", 1, 3, VIRTIO_NET_HDR_F_DATA_VALID);
	s.pad = 0;
	s.tflags = 0;		/* data without ACK: not held */
	send_seg(&s, 100);
	expect_count("data without ACK passes", 3, 0);
	teardown();
}

/* ---- limits ---- */

static void test_max_bytes(void)
{
	struct pb_spec s;
	int i;

	setup(16, 3060, 64, 1000000);
	pb_default(&s, 0);
	for (i = 0; i < 4; i++)
		send_seg(&s, 1000);
	expect_count("max bytes", 1, 1);
	expect_merged("max bytes", 0, 0, 2);
	CHECK_EQ("max bytes: flush_size", st.flush_size, 1);
	teardown();

	setup(16, 3020, 64, 1000000);	/* exactly 3 segments */
	pb_default(&s, 1);
	for (i = 0; i < 3; i++)
		send_seg(&s, 1000);
	expect_count("max bytes reached exactly: flushed at once", 1, 0);
	expect_merged("max bytes exact", 0, 0, 2);
	teardown();

	/* Frame stays within 65535 bytes: 65535 - 54 - 20 = 65461 payload. */
	setup(16, 65535, 64, 1000000);
	pb_default(&s, 0);
	for (i = 0; i < 45; i++)
		send_seg(&s, 1448);
	send_seg(&s, 330);	/* Linux would merge it: IP length 65530 */
	expect_count("65535-byte frame cap", 1, 1);
	expect_merged("65535-byte frame cap", 0, 0, 44);
	CHECK("65535-byte frame cap: len", cap[0].len == 54 + 45 * 1448);
	teardown();
}

/*
 * No segment count of its own: 600 segments of 100 bytes (a flow of small
 * writes) merge as far as the bytes allow, as Linux GRO would, into one
 * packet of 60000 payload bytes, not into 64-segment pieces.
 */
static void test_small_segs_bytes_bound(void)
{
	struct pb_spec s;
	int i;

	setup(16, 65535, BF_MAX_MERGE_SEGS, 1000000);
	pb_default(&s, 0);
	for (i = 0; i < 600; i++)
		send_seg(&s, 100);
	expect_count("600 small segments held as one", 0, 1);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count("600 small segments: one packet", 1, 0);
	CHECK("600 small segments: len", ncap == 1 && cap[0].len == 54 + 600 * 100);
	CHECK("600 small segments: gso_size 100", ncap == 1 && le16toh(cap[0].vh.gso_size) == 100);
	CHECK_EQ("600 small segments: merged_segs", st.merged_segs, 599);
	teardown();

	/* 700 would pass 65535: the bytes limit splits them, not a count */
	setup(16, 65535, BF_MAX_MERGE_SEGS, 1000000);
	pb_default(&s, 0);
	for (i = 0; i < 700; i++)
		send_seg(&s, 100);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	CHECK("700 small segments: 654 + 46", ncap == 2 && cap[0].len == 54 + 654 * 100 &&
	      cap[1].len == 54 + 46 * 100);
	teardown();
}

static void test_max_segs(void)
{
	struct pb_spec s;
	int i;

	setup(16, 65535, 3, 1000000);
	pb_default(&s, 0);
	for (i = 0; i < 4; i++)
		send_seg(&s, 1000);
	expect_count("max segs", 1, 1);
	expect_merged("max segs", 0, 0, 2);
	CHECK_EQ("max segs: flush_segs", st.flush_segs, 1);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_single("max segs: next starts new", 1, 3,
		      VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

/* ---- flows and table ---- */

static void test_two_flows(void)
{
	static const unsigned int ka[] = { 0, 2 }, kb[] = { 1, 3 };
	struct pb_spec a, b;

	setup_default();
	pb_default(&a, 0);
	pb_default(&b, 1);
	send_seg(&a, 1000);
	send_seg(&b, 1200);
	send_seg(&a, 1000);
	send_seg(&b, 1200);
	expect_count("two flows held independently", 0, 2);
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count("two flows flushed", 2, 0);
	expect_merged_list("two flows: oldest first", 0, ka, 2);
	expect_merged_list("two flows", 1, kb, 2);
	CHECK_EQ("two flows: flush_batch_end", st.flush_batch_end, 2);
	teardown();

	/* Same 5-tuple on two VLANs: two flows. */
	setup_default();
	pb_default(&a, 0);
	a.vlan = 1;
	a.vlan_tci = 10;
	b = a;
	b.vlan_tci = 20;
	send_seg(&a, 1000);
	send_seg(&b, 1000);
	send_seg(&a, 1000);
	send_seg(&b, 1000);
	expect_count("vlans are separate flows", 0, 2);
	teardown();
}

static void test_table_full(void)
{
	static const unsigned int ka[] = { 0, 2 };
	struct pb_spec a, b, c;

	setup(2, 65535, 64, 1000000);
	pb_default(&a, 0);
	b = a;
	b.sport = 40001;
	c = a;
	c.sport = 40002;
	send_seg(&a, 1000);
	send_seg(&b, 1000);
	send_seg(&a, 1000);
	send_seg(&c, 1000);
	expect_count("table full evicts oldest", 1, 2);
	expect_merged_list("table full evicts oldest", 0, ka, 2);
	CHECK_EQ("table full: flush_table_full", st.flush_table_full, 1);
	send_seg(&b, 1000);
	expect_count("table full: b still held", 1, 2);
	teardown();
}

static void test_timeout(void)
{
	static const unsigned int ka[] = { 0, 2 };
	struct pb_spec a, b;

	setup(16, 65535, 64, 1000);
	pb_default(&a, 0);
	b = a;
	b.sport = 1;
	CHECK("no deadline when empty", gro_next_deadline(pr) == UINT64_MAX);
	now = 100;
	send_seg(&a, 1000);
	now = 500;
	send_seg(&b, 1000);
	send_seg(&a, 1000);
	CHECK_EQ("deadline of oldest", gro_next_deadline(pr), 1100);
	gro_flush_expired(pr, 1099);
	expect_count("not expired yet", 0, 2);
	gro_flush_expired(pr, 1100);
	expect_count("oldest expired", 1, 1);
	expect_merged_list("timeout", 0, ka, 2);
	CHECK_EQ("next deadline", gro_next_deadline(pr), 1500);
	gro_flush_expired(pr, 5000);
	expect_count("all expired", 2, 0);
	CHECK_EQ("timeout: flush_timeout", st.flush_timeout, 2);
	CHECK("no deadline after", gro_next_deadline(pr) == UINT64_MAX);
	now = 1000;
	teardown();
}

static void test_cfg_changes(void)
{
	struct gro_cfg cfg;
	struct pb_spec s;

	setup_default();
	pb_default(&s, 0);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	gro_get_cfg(pr, &cfg);
	cfg.max_segs = 10;
	gro_set_cfg(pr, &cfg);
	expect_count("limits within held size keep it", 0, 1);
	cfg.max_segs = 3;
	gro_set_cfg(pr, &cfg);
	expect_count("shrunk max_segs flushes", 1, 0);
	expect_merged("shrunk max_segs", 0, 0, 2);
	CHECK_EQ("shrunk max_segs: flush_segs", st.flush_segs, 1);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	cfg.max_merge_bytes = 1500;
	gro_set_cfg(pr, &cfg);
	expect_count("shrunk max bytes flushes", 2, 0);
	CHECK_EQ("shrunk max bytes: flush_size", st.flush_size, 1);
	cfg.max_merge_bytes = 100000;
	cfg.max_segs = 100000;
	gro_set_cfg(pr, &cfg);
	gro_get_cfg(pr, &cfg);
	CHECK("cfg clamped", cfg.max_merge_bytes == 65535 &&
	      cfg.max_segs == BF_MAX_MERGE_SEGS);
	send_seg(&s, 1000);
	send_seg(&s, 1000);
	cfg.enabled = false;
	gro_set_cfg(pr, &cfg);
	expect_count("disable flushes", 3, 0);
	expect_merged("disable flushes", 2, 5, 6);
	CHECK_EQ("disable: flush_batch_end", st.flush_batch_end, 1);
	send_seg(&s, 1000);
	expect_count("disabled: passes at once", 4, 0);
	expect_single("disabled", 3, 7, VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

static void test_default_disabled(void)
{
	struct pb_spec s;

	memset(&st, 0, sizeof(st));
	ncap = 0;
	nsent = 0;
	pr = gro_new(4, cap_emit, NULL, &st);
	CHECK("gro_new", pr != NULL);
	CHECK("gro_new rejects 0 flows", gro_new(0, cap_emit, NULL, &st) == NULL);
	pb_default(&s, 0);
	send_seg(&s, 1000);
	expect_count("new engine starts disabled", 1, 0);
	expect_single("new engine starts disabled", 0, 0,
		      VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

static void test_passthrough(void)
{
	static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 2, 0, 0, 0, 0, 2, 0x08, 0x06 };
	struct pb_spec s;
	size_t len;

	setup_default();
	feed_raw(arp, sizeof(arp));
	CHECK("arp passes with flags 0", ncap == 1 && cap[0].vh.flags == 0 &&
	      cap[0].len == sizeof(arp));
	feed_raw(arp, 10);
	CHECK("runt passes with flags 0", ncap == 2 && cap[1].vh.flags == 0);
	pb_default(&s, 1);
	s.proto = 17;
	pb_fill(payload, 100, 0);
	len = pb_build(&s, payload, 100, frame);
	feed_raw(frame, len);
	CHECK("udp valid: DATA_VALID", ncap == 3 &&
	      cap[2].vh.flags == VIRTIO_NET_HDR_F_DATA_VALID);
	frame[len - 1] ^= 1;
	feed_raw(frame, len);
	CHECK("udp bad: flags 0", ncap == 4 && cap[3].vh.flags == 0);
	CHECK_EQ("udp bad: csum_fail", st.csum_fail, 1);
	teardown();
}

static void test_never_reorder(void)
{
	static const unsigned int kb[] = { 2, 5 };
	struct pb_spec a, b;

	setup_default();
	pb_default(&a, 0);
	pb_default(&b, 0);
	b.dport = 80;
	send_seg(&a, 1000);		/* 0 */
	send_seg(&a, 1000);		/* 1 */
	send_seg(&b, 1000);		/* 2 */
	a.ipoptlen = 4;
	memset(a.ipopts, 1, 4);
	send_seg(&a, 1000);		/* 3: cannot merge */
	a.ipoptlen = 0;
	send_seg(&a, 1000);		/* 4 */
	send_seg(&b, 1000);		/* 5 */
	a.seq -= 2000;			/* retransmission of 3 */
	send_seg(&a, 1000);		/* 6 */
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
	expect_count("never reorder", 5, 0);
	expect_merged("never reorder", 0, 0, 1);
	expect_single("never reorder", 1, 3, VIRTIO_NET_HDR_F_DATA_VALID);
	expect_single("never reorder", 2, 4, VIRTIO_NET_HDR_F_DATA_VALID);
	expect_merged_list("never reorder", 3, kb, 2);
	expect_single("never reorder", 4, 6, VIRTIO_NET_HDR_F_DATA_VALID);
	teardown();
}

int main(void)
{
	cap = calloc(CAP_MAX, sizeof(*cap));
	if (!cap)
		return 2;
	test_merge_basic("merge v4", 0, 0, 0);
	test_merge_basic("merge v6", 1, 0, 0);
	test_merge_basic("merge v4 vlan timestamps", 0, 1, 1);
	test_merge_basic("merge v6 vlan timestamps", 1, 1, 1);
	test_merge_odd_mss();
	test_single_held();
	test_mismatch("seq gap", 0, CH_SEQ_GAP, &st.flush_mismatch);
	test_mismatch("ack changed", 0, CH_ACK, &st.flush_mismatch);
	test_mismatch("window changed", 1, CH_WIN, &st.flush_mismatch);
	test_mismatch("timestamp option changed", 0, CH_TS, &st.flush_mismatch);
	test_mismatch("ttl changed", 0, CH_TTL, &st.flush_mismatch);
	test_mismatch("tos changed", 0, CH_TOS, &st.flush_mismatch);
	test_mismatch("df changed", 0, CH_DF, &st.flush_mismatch);
	test_mismatch("mac changed", 0, CH_MAC, &st.flush_mismatch);
	test_mismatch("longer segment", 0, CH_LONGER, &st.flush_mismatch);
	test_mismatch("ipv6 traffic class", 1, CH_TCLASS, &st.flush_mismatch);
	test_mismatch("ipv6 flow label", 1, CH_FLOWLABEL, &st.flush_mismatch);
	test_mismatch("ipv6 hop limit", 1, CH_HOPLIMIT, &st.flush_mismatch);
	test_mismatch("ece appears", 0, CH_ECE, &st.flush_flags);
	test_flag_passes("syn", PB_TCP_SYN);
	test_flag_passes("rst", PB_TCP_RST);
	test_flag_passes("urg", PB_TCP_URG);
	test_flag_merges("psh", PB_TCP_PSH);
	test_flag_merges("fin", PB_TCP_FIN);
	test_cwr();
	test_ece_merges();
	test_ip_ids();
	test_unmergeable("ipv4 options", 0, 0);
	test_unmergeable("ipv6 AH", 1, 0);
	test_exthdr_merge("ipv6 dest options merge", PB_EH_DSTOPTS, 16, 0);
	test_exthdr_merge("ipv6 hop-by-hop merge", PB_EH_HOP, 8, 1);
	test_exthdr_merge("ipv6 routing merge", PB_EH_ROUTING, 24, 0);
	test_exthdr_merge("ipv6 hop-by-hop + dest options merge", PB_EH_HOP_DST,
			  40, 0);
	test_exthdr_differ("ipv6 ext header byte differs", 0);
	test_exthdr_differ("ipv6 ext header length differs", 1);
	test_exthdr_differ("ipv6 ext header type differs", 2);
	test_exthdr_not_held();
	test_unmergeable("bad ipv4 header checksum", 0, 1);
	test_fragment();
	test_bad_csum(0);
	test_bad_csum(1);
	test_pure_ack();
	test_short_and_padding();
	test_max_bytes();
	test_max_segs();
	test_small_segs_bytes_bound();
	test_two_flows();
	test_table_full();
	test_timeout();
	test_cfg_changes();
	test_default_disabled();
	test_passthrough();
	test_never_reorder();
	free(cap);
	UNIT_EXIT();
}
