// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for host-afxdp/adversary.c, the test-only hostile host (it is
 * not in libbifrost-host.a, so the source is compiled in here): options,
 * that a campaign is reproducible from its seed, that it only ever touches
 * the packet it was given (every buffer is an exact heap allocation, so
 * ASan catches a write beyond one), and that it turns honest when told.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "adversary.c"

#define NBUF	3

static unsigned int bad_forge;
#define BUFSZ	700

static const uint8_t frame_tpl[] = {
	/* Ethernet, IPv4, TCP (20 bytes), then a TLS record header and data */
	0x52, 0x54, 0x00, 0xbf, 0x90, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x2d, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x01, 0xbb, 0xc0, 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
	0x17, 0x03, 0x03, 0x00, 0x3b,
};

struct pkt {
	struct vq_chain c[NBUF];
	uint8_t *buf[NBUF];
	uint32_t lens[NBUF];
	unsigned int order[NBUF];
	struct adv_packet p;
};

static void pkt_init(struct pkt *k)
{
	unsigned int i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < NBUF; i++) {
		k->buf[i] = malloc(BUFSZ);
		memset(k->buf[i], 0x33, BUFSZ);
		k->c[i].head = (uint16_t)(10 + i);
		k->c[i].n = 1;
		k->c[i].b[0].p = k->buf[i];
		k->c[i].b[0].len = BUFSZ;
		k->c[i].bytes = BUFSZ;
		k->lens[i] = BUFSZ;
		k->order[i] = i;
	}
	memcpy(k->buf[0] + 12, frame_tpl, sizeof(frame_tpl));
	k->p = (struct adv_packet){ k->c, NBUF, k->lens, k->order, 12,
				    NBUF * BUFSZ - 12, 0, 256 };
}

static void pkt_free(struct pkt *k)
{
	unsigned int i;

	for (i = 0; i < NBUF; i++)
		free(k->buf[i]);
}

/* Runs n packets through a campaign; a hash of everything it did. */
static uint64_t run(struct adversary *a, unsigned int n, uint64_t *hits)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t forged[ADV_FORGE_MAX];
	struct adv_mutation m;
	unsigned int i, b;
	uint32_t off;
	struct pkt k;

	*hits = 0;
	for (i = 0; i < n; i++) {
		pkt_init(&k);
		if (adversary_pick(a, k.buf[0] + 12, sizeof(frame_tpl), &off, &m)) {
			size_t fl = m.forge ? adversary_forge(a, forged, sizeof(forged)) : 0;

			(*hits)++;
			k.p.payload_off = off;
			adversary_before(a, &m, &k.p);
			adversary_after(a, &m, &k.p);
			if (m.forge && (fl < 60 || fl > sizeof(forged)))
				bad_forge++;
			h = (h ^ m.cls ^ (uint64_t)m.storm << 8 ^ (uint64_t)m.extra_id << 20) *
			    0x100000001b3ULL;
			for (b = 0; b < NBUF; b++)
				h = (h ^ k.lens[b] ^ (uint64_t)k.order[b] << 32 ^
				     k.buf[b][b * 7 % BUFSZ]) * 0x100000001b3ULL;
			h = (h ^ k.buf[0][12 + 54 + 3]) * 0x100000001b3ULL;
		}
		while (adversary_silent(a))
			;
		pkt_free(&k);
	}
	return h;
}

/* Which of the first 32 bytes of the packet the header class touches, for
 * a virtio_net_hdr of hdr_len bytes (10 or 12): a bit per byte. */
static uint32_t hdr_bytes_touched(unsigned int hdr_len)
{
	struct adversary a;
	struct adv_mutation m;
	uint32_t touched = 0, off;
	unsigned int i, b;
	struct pkt k;

	adversary_parse("fuzz,seed=11,rate=1", &a);
	for (i = 0; i < 20000; i++) {
		pkt_init(&k);
		memmove(k.buf[0] + hdr_len, k.buf[0] + 12, sizeof(frame_tpl));
		k.p.hdr_len = hdr_len;
		if (adversary_pick(&a, k.buf[0] + hdr_len, sizeof(frame_tpl), &off, &m) &&
		    m.cls == ADV_C_HDR) {
			k.p.payload_off = off;
			adversary_before(&a, &m, &k.p);
			for (b = 0; b < 32; b++)
				if (k.buf[0][b] != (b < hdr_len ? 0x33 :
						    frame_tpl[b - hdr_len]))
					touched |= 1U << b;
		}
		while (adversary_silent(&a))
			;
		pkt_free(&k);
	}
	return touched;
}

int main(void)
{
	struct adversary a, b;
	uint64_t h1, h2, h3, hits, total = 0;
	char line[512];
	unsigned int c;

	CHECK_EQ("fixed points parse", adversary_parse("rx-hdr,rx-len,skip=5", &a), 0);
	CHECK_EQ("fixed points: skip", a.skip, 5);
	CHECK_EQ("campaign needs a seed", adversary_parse("fuzz", &a), -EINVAL);
	CHECK_EQ("campaign is a mode of its own", adversary_parse("fuzz,seed=1,rx-hdr", &a),
		 -EINVAL);
	CHECK_EQ("rate 0 refused", adversary_parse("fuzz,seed=1,rate=0", &a), -EINVAL);
	CHECK_EQ("bad number refused", adversary_parse("fuzz,seed=1x", &a), -EINVAL);
	CHECK_EQ("unknown word refused", adversary_parse("fuzz,seed=1,bogus", &a), -EINVAL);
	CHECK_EQ("campaign parses", adversary_parse("fuzz,seed=7,rate=2,max=5000", &a), 0);
	CHECK_EQ("campaign: no skip by default", a.skip, 0);
	CHECK_EQ("campaign: rate", a.rate, 2);

	b = a;
	h1 = run(&a, 4000, &hits);
	h2 = run(&b, 4000, &hits);
	CHECK("the same seed gives the same mutations", h1 == h2);
	CHECK("about one packet in rate is mutated", hits > 1600 && hits < 2400);
	for (c = 0; c < ADV_NCLASS; c++)
		total += a.mutations[c];
	CHECK_EQ("every mutation counted in a class", total, hits);
	for (c = 0; c < ADV_NCLASS; c++)
		CHECK(class_names[c], a.mutations[c] > 0);
	adversary_parse("fuzz,seed=8,rate=2,max=5000", &b);
	h3 = run(&b, 4000, &hits);
	CHECK("another seed, other mutations", h3 != h1);
	CHECK_EQ("forged frames of 60 to ADV_FORGE_MAX bytes", bad_forge, 0);

	adversary_parse("fuzz,seed=9,rate=1,max=100", &a);
	run(&a, 1000, &hits);
	CHECK_EQ("honest after max mutations", hits, 100);
	adversary_summary(&a, line, sizeof(line));
	CHECK("summary names the seed and the count",
	      strstr(line, "seed 9: 100 mutations in 1000 packets") != NULL);

	/* flags, gso_type, hdr_len, gso_size, csum_start, csum_offset and
	 * (12-byte header) num_buffers: every header byte, nothing beyond */
	CHECK_EQ("header class: the 12 bytes of a 12-byte header, only them",
		 hdr_bytes_touched(12), 0xfff);
	CHECK_EQ("header class: the 10 bytes of a 10-byte header, only them",
		 hdr_bytes_touched(10), 0x3ff);

	adversary_parse("fuzz,seed=10,rate=1", &a);
	adversary_stop();
	run(&a, 100, &hits);
	CHECK_EQ("honest once stopped", hits, 0);
	UNIT_EXIT();
}
