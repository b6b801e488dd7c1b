// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_gro_prop.c - property test: TSO then PRPR then TSO is the identity.
 *
 * Random byte streams for several flows (IPv4/IPv6, VLAN, timestamps,
 * IPv6 extension headers, DF or not, random MSS, PSH/CWR/ECE marks,
 * ACK/window/TSval/extension header changes, IP ID jumps) are cut by
 * gso_segment() into wire segments, with pure ACKs, retransmissions and
 * corrupted segments mixed in. The segments of all flows are fed,
 * interleaved, into PRPR with random batch ends, timeouts and policy
 * changes. Every packet PRPR emits is segmented again by
 * gso_segment() using its virtio_net_hdr; per flow the result must equal
 * the original segments byte for byte, and the payload of the stream
 * segments must concatenate to the stream. Fixed seeds; bounded work.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "bifrost_parse.h"
#include "offload/gro.h"
#include "offload/gso.h"
#include "unit.h"
#include "pktbuild.h"

#define NFLOWS		6
#define STREAM_MAX	(160 * 1024)
#define ARENA		(2u << 20)
#define SEGS_MAX	8192
#define MISC_MAX	64
#define SPORT_BASE	10000

enum { SEG_EXTRA, SEG_STREAM, SEG_CORRUPT };

struct seglist {
	uint8_t *data;
	size_t used;
	unsigned int n;
	size_t off[SEGS_MAX];
	size_t len[SEGS_MAX];
	uint8_t stream[SEGS_MAX];	/* SEG_* */
	int overflow;
};

struct tflow {
	struct pb_spec s;
	unsigned int mss;
	uint8_t *stream;
	size_t stream_len;
	struct seglist orig;
	struct seglist res;
	unsigned int next;		/* next orig segment to feed */
	unsigned int corrupt;		/* corrupted segments injected */
};

static struct tflow flows[NFLOWS];
static uint8_t big[70000], scratch[70000], scratch2[70000];
static struct bf_backend_stats st;
static uint64_t rng;
static unsigned int outputs, out_merged, out_flags0, reseg_errors, vh_bad;
static unsigned int out_merged_ext;
static unsigned int misc_sent, misc_seen, misc_bad;
static uint8_t misc_frame[200];
static size_t misc_len;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void seg_add(struct seglist *l, const uint8_t *f, size_t len,
		    int stream)
{
	if (l->n >= SEGS_MAX || l->used + len > ARENA) {
		l->overflow = 1;
		return;
	}
	memcpy(l->data + l->used, f, len);
	l->off[l->n] = l->used;
	l->len[l->n] = len;
	l->stream[l->n] = (uint8_t)stream;
	l->used += len;
	l->n++;
}

static int orig_emit(void *ctx, const uint8_t *f, size_t len)
{
	seg_add(&((struct tflow *)ctx)->orig, f, len, SEG_STREAM);
	return 0;
}

static int res_emit(void *ctx, const uint8_t *f, size_t len)
{
	seg_add(&((struct tflow *)ctx)->res, f, len, SEG_EXTRA);
	return 0;
}

/* PRPR output: re-segment into the owning flow's result list. */
static void gro_out(void *ctx, const struct virtio_net_hdr *vh,
		     const uint8_t *f, size_t len)
{
	struct bf_parsed p;
	unsigned int fi;
	uint16_t sport;

	(void)ctx;
	outputs++;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		out_merged++;
	if (vh->flags == 0)
		out_flags0++;
	if (bf_parse_frame(f, f + len, &p) != BF_PARSE_OK) {
		reseg_errors++;
		return;
	}
	if (p.flags & BF_PF_UDP) {
		misc_seen++;
		if (len != misc_len || memcmp(f, misc_frame, len) ||
		    vh->flags != VIRTIO_NET_HDR_F_DATA_VALID)
			misc_bad++;
		return;
	}
	sport = pb_get16(f + p.l4_off);
	fi = sport - SPORT_BASE;
	if (!(p.flags & BF_PF_TCP) || fi >= NFLOWS) {
		reseg_errors++;
		return;
	}
	/* A GSO packet as Linux GRO makes it: NEEDS_CSUM at the TCP check. */
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	    (p.flags & BF_PF_IPOPTS))
		out_merged_ext++;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	    (vh->flags != VIRTIO_NET_HDR_F_NEEDS_CSUM ||
	     le16toh(vh->csum_start) != p.l4_off ||
	     le16toh(vh->csum_offset) != 16 ||
	     le16toh(vh->hdr_len) != p.payload_off))
		vh_bad++;
	if (gso_segment(vh, f, len, scratch2, sizeof(scratch2), res_emit,
			&flows[fi]) < 1)
		reseg_errors++;
}

static void flow_init(struct tflow *t, unsigned int i)
{
	size_t k;

	pb_default(&t->s, i & 1);
	t->s.sport = SPORT_BASE + i;
	t->s.seq = rnd();
	t->s.ack = rnd();
	t->s.ip_id = (uint16_t)rnd();
	t->s.df = i != 4;
	t->s.vlan = i == 2 || i == 5;
	t->s.vlan_tci = (uint16_t)(100 + i);
	if (i >= 3)
		pb_set_ts(&t->s, rnd(), rnd());
	if (i == 3 || i == 5) {	/* IPv6 extension headers */
		t->s.ehkind = i == 3 ? PB_EH_DSTOPTS : PB_EH_HOP_DST;
		t->s.ipoptlen = i == 3 ? 16 : 24;
		t->s.ehfill = (uint8_t)rnd_range(1, 255);
	}
	t->mss = rnd_range(64, 1460);
	t->stream_len = rnd_range(STREAM_MAX / 2, STREAM_MAX);
	for (k = 0; k < t->stream_len; k++)
		t->stream[k] = (uint8_t)rnd();
	t->orig.n = t->res.n = 0;
	t->orig.used = t->res.used = 0;
	t->orig.overflow = t->res.overflow = 0;
	t->next = 0;
	t->corrupt = 0;
}

/* One TSO send of up to 64 KiB of the stream, with random header changes. */
static void gen_send(struct tflow *t, size_t *pos)
{
	struct virtio_net_hdr vh;
	size_t hdrs = pb_hdr_len(&t->s), room = 65535 - hdrs, len, flen;
	uint8_t base = PB_TCP_ACK | (t->s.tflags & PB_TCP_ECE);
	int n;

	len = t->stream_len - *pos;
	if (len > room)
		len = room;
	if (rnd() % 2)
		len = rnd_range(1, (uint32_t)len);
	else if (len > t->mss && rnd() % 2)
		len -= len % t->mss;	/* a multiple of the MSS */
	if (rnd() % 3 == 0)
		t->s.ack += rnd_range(1, 5000);
	if (rnd() % 10 == 0)
		t->s.win = (uint16_t)rnd();
	if (t->s.optlen && rnd() % 3 == 0)
		put_be32(t->s.opts + 4, pb_get32(t->s.opts + 4) + 1);
	if (rnd() % 50 == 0)
		base ^= PB_TCP_ECE;
	if (t->s.ipoptlen && rnd() % 20 == 0)	/* extension header changes */
		t->s.ehfill++;
	if (rnd() % 20 == 0)	/* IDs used by other traffic meanwhile */
		t->s.ip_id = (uint16_t)(t->s.ip_id + rnd_range(1, 100));
	t->s.tflags = base;
	if (rnd() % 2)
		t->s.tflags |= PB_TCP_PSH;
	if (rnd() % 15 == 0)
		t->s.tflags |= PB_TCP_CWR;
	flen = pb_build(&t->s, t->stream + *pos, len, big);
	memset(&vh, 0, sizeof(vh));
	vh.gso_type = t->s.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
				VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = htole16((uint16_t)t->mss);
	vh.hdr_len = htole16((uint16_t)hdrs);
	n = gso_segment(&vh, big, flen, scratch, sizeof(scratch), orig_emit, t);
	if (n < 1) {
		t->orig.overflow = 1;
		return;
	}
	*pos += len;
	t->s.seq += (uint32_t)len;
	t->s.ip_id = (uint16_t)(t->s.ip_id + n);
	t->s.tflags = base;
}

/* Pure ACK, retransmission or corrupted copy of an earlier segment. */
static void gen_extra(struct tflow *t, uint32_t kind)
{
	uint8_t f[2000];
	size_t len;
	unsigned int k;

	k = t->orig.n ? rnd() % t->orig.n : 0;
	if (kind == 0 || t->orig.n == 0 || t->orig.stream[k] == SEG_CORRUPT) {
		struct pb_spec a = t->s;

		a.tflags = PB_TCP_ACK | (t->s.tflags & PB_TCP_ECE);
		len = pb_build(&a, NULL, 0, f);
		t->s.ip_id++;
		seg_add(&t->orig, f, len, SEG_EXTRA);
		return;
	}
	len = t->orig.len[k];
	memcpy(f, t->orig.data + t->orig.off[k], len);
	if (kind == 2) {
		f[len - 1] ^= 0x10;	/* payload or header: checksum breaks */
		t->corrupt++;
	}
	seg_add(&t->orig, f, len, kind == 2 ? SEG_CORRUPT : SEG_EXTRA);
}

static void generate(struct tflow *t)
{
	size_t pos = 0;

	while (pos < t->stream_len && !t->orig.overflow) {
		uint32_t r = rnd() % 100;

		if (r < 90)
			gen_send(t, &pos);
		else
			gen_extra(t, r % 3);
	}
}

static void random_cfg(struct gro_engine *pr, int enable)
{
	struct gro_cfg cfg = {
		.enabled = enable,
		.max_merge_bytes = rnd() % 2 ? 65535 : rnd_range(1000, 65535),
		.max_segs = rnd() % 2 ? 64 : rnd_range(1, 64),
		.flush_ns = rnd_range(1000, 100000),
	};

	gro_set_cfg(pr, &cfg);
}

static void feed(struct gro_engine *pr)
{
	uint64_t now = 1;
	unsigned int left = 0, i;

	for (i = 0; i < NFLOWS; i++)
		left += flows[i].orig.n;
	while (left) {
		struct tflow *t = &flows[rnd() % NFLOWS];
		uint32_t r = rnd() % 1000;

		if (t->next >= t->orig.n)
			continue;
		gro_input(pr, t->orig.data + t->orig.off[t->next],
			   t->orig.len[t->next], now);
		t->next++;
		left--;
		now += rnd_range(0, 3000);
		if (r < 30)
			gro_flush_all(pr, GRO_FLUSH_BATCH_END);
		else if (r < 80)
			gro_flush_expired(pr, now);
		else if (r < 83)
			random_cfg(pr, rnd() % 8 != 0);
		else if (r < 90 && misc_sent < MISC_MAX) {
			gro_input(pr, misc_frame, misc_len, now);
			misc_sent++;
		}
	}
	gro_flush_all(pr, GRO_FLUSH_BATCH_END);
}

/* Compare results with originals; returns the number of differences. */
static unsigned int compare(const struct tflow *t, int *stream_ok)
{
	unsigned int k, bad = 0;
	size_t pos = 0;

	*stream_ok = 1;
	if (t->res.n != t->orig.n)
		return 1 + (t->res.n > t->orig.n ? t->res.n - t->orig.n :
			    t->orig.n - t->res.n);
	for (k = 0; k < t->orig.n; k++) {
		const uint8_t *a = t->orig.data + t->orig.off[k];
		const uint8_t *b = t->res.data + t->res.off[k];
		struct bf_parsed p;

		if (t->orig.len[k] != t->res.len[k] ||
		    memcmp(a, b, t->orig.len[k])) {
			bad++;
			continue;
		}
		if (t->orig.stream[k] != SEG_STREAM)
			continue;
		bf_parse_frame(b, b + t->res.len[k], &p);
		if (pos + p.payload_len > t->stream_len ||
		    memcmp(b + p.payload_off, t->stream + pos, p.payload_len))
			*stream_ok = 0;
		pos += p.payload_len;
	}
	if (pos != t->stream_len)
		*stream_ok = 0;
	return bad;
}

/* The virtio headers of a round's merged packets. */
static void check_gso_hdrs(unsigned int round)
{
	char n[128];

	snprintf(n, sizeof(n), "round %u: %u merged IPv6 packets with "
		 "extension headers", round, out_merged_ext);
	CHECK(n, out_merged_ext > 0);
	snprintf(n, sizeof(n), "round %u: merged outputs carry NEEDS_CSUM "
		 "at the TCP checksum, hdr_len = headers", round);
	CHECK_EQ(n, vh_bad, 0);
}

static void run_round(unsigned int round, uint64_t seed, unsigned int nflows)
{
	struct gro_engine *pr;
	struct pb_spec m;
	unsigned int i, fed = 0, corrupt = 0, bad = 0, streams_bad = 0;
	int overflow = 0, stream_ok;
	uint8_t pay[64];
	char n[128];

	rng = seed;
	memset(&st, 0, sizeof(st));
	outputs = out_merged = out_flags0 = reseg_errors = vh_bad = 0;
	out_merged_ext = 0;
	misc_sent = misc_seen = misc_bad = 0;
	pb_default(&m, 0);
	m.proto = 17;
	m.sport = 53;
	pb_fill(pay, sizeof(pay), round);
	misc_len = pb_build(&m, pay, sizeof(pay), misc_frame);
	for (i = 0; i < NFLOWS; i++) {
		flow_init(&flows[i], i);
		generate(&flows[i]);
		fed += flows[i].orig.n;
		corrupt += flows[i].corrupt;
	}
	pr = gro_new(nflows, gro_out, NULL, &st);
	if (!pr) {
		CHECK("gro_new", 0);
		return;
	}
	random_cfg(pr, 1);
	feed(pr);
	gro_free(pr);
	for (i = 0; i < NFLOWS; i++) {
		bad += compare(&flows[i], &stream_ok);
		streams_bad += !stream_ok;
		overflow |= flows[i].orig.overflow | flows[i].res.overflow;
	}
	snprintf(n, sizeof(n), "round %u: no buffer overflow", round);
	CHECK(n, !overflow);
	snprintf(n, sizeof(n), "round %u: %u segments, %u outputs, %u merged",
		 round, fed, outputs, out_merged);
	CHECK(n, outputs > 0 && out_merged > 0 && outputs < fed);
	check_gso_hdrs(round);
	snprintf(n, sizeof(n), "round %u: every output re-segments", round);
	CHECK_EQ(n, reseg_errors, 0);
	snprintf(n, sizeof(n), "round %u: re-segmented == original segments",
		 round);
	CHECK_EQ(n, bad, 0);
	snprintf(n, sizeof(n), "round %u: payloads concatenate to streams",
		 round);
	CHECK_EQ(n, streams_bad, 0);
	snprintf(n, sizeof(n), "round %u: merged_segs == fed - outputs", round);
	CHECK_EQ(n, st.merged_segs + outputs, fed + misc_sent);
	snprintf(n, sizeof(n), "round %u: only corrupted segments lack "
		 "DATA_VALID, csum_fail counts them", round);
	CHECK(n, out_flags0 == corrupt && st.csum_fail == corrupt);
	snprintf(n, sizeof(n), "round %u: other traffic passes unchanged",
		 round);
	CHECK(n, misc_seen == misc_sent && misc_bad == 0);
}

int main(void)
{
	static const unsigned int tables[] = { 64, 4, 2, 1, 8, 16, 3, 32 };
	unsigned int i;

	for (i = 0; i < NFLOWS; i++) {
		flows[i].stream = malloc(STREAM_MAX);
		flows[i].orig.data = malloc(ARENA);
		flows[i].res.data = malloc(ARENA);
		if (!flows[i].stream || !flows[i].orig.data ||
		    !flows[i].res.data)
			return 2;
	}
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		run_round(i + 1, 0x1234567887654321ULL * (i + 1) + i,
			  tables[i]);
	for (i = 0; i < NFLOWS; i++) {
		free(flows[i].stream);
		free(flows[i].orig.data);
		free(flows[i].res.data);
	}
	UNIT_EXIT();
}
