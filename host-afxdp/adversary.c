// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* adversary.c - what a test-only hostile host tampers with, and how. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "adversary.h"
#include "bifrost_parse.h"
#include "bifrost_zced_wire.h"
#include "bytes.h"

#define ETH_HLEN	14

static int adv_stopped;	/* adversary_stop(), read by the worker thread */

void adversary_stop(void)
{
	__atomic_store_n(&adv_stopped, 1, __ATOMIC_RELAXED);
}

bool adversary_stopped(void)
{
	return __atomic_load_n(&adv_stopped, __ATOMIC_RELAXED);
}

static const char *const class_names[ADV_NCLASS] = {
	[ADV_C_HDR] = "hdr", [ADV_C_USED_LEN] = "used_len", [ADV_C_ORDER] = "order",
	[ADV_C_BYTES] = "bytes", [ADV_C_BYTES_AFTER] = "bytes_after",
	[ADV_C_TLSHDR] = "tlshdr", [ADV_C_STORM] = "storm", [ADV_C_SILENCE] = "silence",
	[ADV_C_FORGE] = "forge", [ADV_C_USED_ID] = "used_id",
};

/* How often each class is picked, out of the sum (512): ADV_C_USED_ID breaks
 * the guest's ring (it needs a new device), so it is rare. */
static const unsigned int class_weight[ADV_NCLASS] = {
	[ADV_C_HDR] = 112, [ADV_C_USED_LEN] = 80, [ADV_C_ORDER] = 32, [ADV_C_BYTES] = 64,
	[ADV_C_BYTES_AFTER] = 48, [ADV_C_TLSHDR] = 48, [ADV_C_STORM] = 48,
	[ADV_C_SILENCE] = 39, [ADV_C_FORGE] = 40, [ADV_C_USED_ID] = 1,
};

/* xorshift64* (Vigna): the campaign's one random stream. */
static uint64_t rnd(struct adversary *a)
{
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return a->rng * 0x2545F4914F6CDD1DULL;
}

/* Uniform enough in [0, n), n > 0. */
static uint32_t below(struct adversary *a, uint32_t n)
{
	return (uint32_t)((rnd(a) >> 32) % n);
}

static int parse_num(const char *s, size_t n, const char *key, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	size_t k = strlen(key);
	char *end;
	unsigned long long v;

	if (n <= k || strncmp(s, key, k))
		return 1;	/* not this key */
	errno = 0;
	v = strtoull(s + k, &end, 0);
	if (errno || end != s + n || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int adversary_parse(const char *s, struct adversary *a)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "rx-payload", ADV_RX_PAYLOAD }, { "rx-after", ADV_RX_AFTER },
		{ "rx-hdr", ADV_RX_HDR }, { "rx-len", ADV_RX_LEN },
		{ "rx-tlshdr", ADV_RX_TLSHDR }, { "fuzz", ADV_FUZZ },
	};
	bool skip_set = false, seed_set = false;
	uint64_t v;
	unsigned int i;
	size_t n;
	int r;

	memset(a, 0, sizeof(*a));
	a->skip = 32;	/* past the TLS handshake: hit records */
	a->every = 8;
	a->rate = 4;
	while (*s) {
		n = strcspn(s, ",");
		if ((r = parse_num(s, n, "skip=", 0, 1000000, &v)) <= 0) {
			if (r)
				return r;
			a->skip = (unsigned int)v;
			skip_set = true;
		} else if ((r = parse_num(s, n, "seed=", 0, UINT64_MAX, &v)) <= 0) {
			if (r)
				return r;
			a->seed = v;
			seed_set = true;
		} else if ((r = parse_num(s, n, "rate=", 1, 1 << 20, &v)) <= 0) {
			if (r)
				return r;
			a->rate = (unsigned int)v;
		} else if ((r = parse_num(s, n, "max=", 0, UINT64_MAX, &v)) <= 0) {
			if (r)
				return r;
			a->max = v;
		} else {
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n))
					break;
			if (i == sizeof(names) / sizeof(names[0]))
				return -EINVAL;
			a->points |= names[i].bit;
		}
		s += n + (s[n] == ',');
	}
	if (!a->points)
		return -EINVAL;
	if (a->points & ADV_FUZZ) {
		/* the campaign is one mode of its own, and needs its seed */
		if (a->points != ADV_FUZZ || !seed_set)
			return -EINVAL;
		if (!skip_set)
			a->skip = 0;
		/* xorshift must not start at 0; any other seed maps 1:1 */
		a->rng = (a->seed ^ 0x9E3779B97F4A7C15ULL) ? a->seed ^ 0x9E3779B97F4A7C15ULL : 1;
	}
	return 0;
}

/* Offset of the first TLS record header (content type 20-24, version
 * 3.1-3.4, length <= 2^14 + 256) in frame[from, to), or 0. */
static uint32_t find_tls_hdr(const uint8_t *frame, uint32_t from, uint32_t to, bool appdata)
{
	uint32_t i;

	for (i = from; i + 5 <= to; i++)
		if ((appdata ? frame[i] == 0x17 : frame[i] >= 20 && frame[i] <= 24) &&
		    frame[i + 1] == 3 && frame[i + 2] >= 1 && frame[i + 2] <= 4 &&
		    (appdata ? frame[i + 2] == 3 : 1) &&
		    ((uint32_t)frame[i + 3] << 8 | frame[i + 4]) <= 16384 + 256)
			return i;
	return 0;
}

static enum adv_class pick_class(struct adversary *a)
{
	uint32_t sum = 0, x;
	unsigned int c;

	for (c = 0; c < ADV_NCLASS; c++)
		sum += class_weight[c];
	x = below(a, sum);
	for (c = 0; c < ADV_NCLASS; c++) {
		if (x < class_weight[c])
			return (enum adv_class)c;
		x -= class_weight[c];
	}
	return ADV_C_HDR;
}

static bool pick_fuzz(struct adversary *a, const uint8_t *frame, size_t len,
		      uint32_t *payload_off, struct adv_mutation *m)
{
	struct bf_parsed p;
	uint64_t done = 0;
	unsigned int c;

	if (adversary_stopped() || a->eligible++ < a->skip)
		return false;
	for (c = 0; c < ADV_NCLASS; c++)
		done += a->mutations[c];
	if (a->max && done >= a->max)
		return false;
	if (below(a, a->rate))
		return false;
	m->hit = true;
	m->cls = pick_class(a);
	*payload_off = 0;
	if (bf_parse_frame(frame, frame + len, &p) == BF_PARSE_OK && (p.flags & BF_PF_TCP) &&
	    p.payload_len)
		*payload_off = p.payload_off;
	if (m->cls == ADV_C_TLSHDR) {
		uint32_t off = *payload_off ? find_tls_hdr(frame, *payload_off, (uint32_t)len,
							   false) : 0;

		if (off)
			*payload_off = off;
		else
			m->cls = ADV_C_BYTES;	/* no record header here */
	}
	switch (m->cls) {
	case ADV_C_STORM:
		m->storm = 2 + below(a, 255);
		break;
	case ADV_C_SILENCE:
		/* flushes, each after new packets: few, or TCP's retransmission
		 * backoff makes a silence of many last minutes */
		a->silence = 1 + below(a, 4);
		break;
	case ADV_C_FORGE:
		m->forge = true;
		break;
	default:
		break;
	}
	return true;
}

bool adversary_pick(struct adversary *a, const uint8_t *frame, size_t len,
		    uint32_t *payload_off, struct adv_mutation *m)
{
	uint32_t off;
	struct bf_parsed p;

	memset(m, 0, sizeof(*m));
	if (a->points & ADV_FUZZ)
		return pick_fuzz(a, frame, len, payload_off, m) && (a->tampered++, true);
	if (!a->points || bf_parse_frame(frame, frame + len, &p) != BF_PARSE_OK ||
	    !(p.flags & BF_PF_TCP) || !p.payload_len)
		return false;
	if (a->eligible++ < a->skip)
		return false;
	off = p.payload_off;
	if (a->points & ADV_RX_TLSHDR) {
		/* every every-th segment that carries a record header */
		off = find_tls_hdr(frame, p.payload_off, p.payload_off + p.payload_len, true);
		if (!off || a->tls_hdrs++ % (a->every ? a->every : 1))
			return false;
	} else if ((a->eligible - 1 - a->skip) % (a->every ? a->every : 1)) {
		return false;
	}
	a->tampered++;
	*payload_off = off;
	m->hit = true;
	return true;
}

/* The byte at position pos of the packet (virtio_net_hdr first) written
 * across the chains, or NULL beyond them. */
static uint8_t *pkt_byte(const struct adv_packet *p, uint64_t pos)
{
	unsigned int i, b;

	for (i = 0; i < p->nbuf; i++)
		for (b = 0; b < p->c[i].n; b++) {
			if (pos < p->c[i].b[b].len)
				return p->c[i].b[b].p + pos;
			pos -= p->c[i].b[b].len;
		}
	return NULL;
}

static void pkt_put(const struct adv_packet *p, uint64_t pos, const void *src, size_t n)
{
	const uint8_t *s = src;
	uint8_t *b;

	for (; n; n--, pos++, s++) {
		b = pkt_byte(p, pos);
		if (b)
			*b = *s;
	}
}

/* An edge or random 16-bit value for a field about a frame of len bytes. */
static uint16_t edge16(struct adversary *a, uint32_t len)
{
	static const uint16_t fixed[] = { 0, 1, 2, 14, 34, 54, 0x7fff, 0x8000, 0xffff };
	uint32_t k = below(a, 14);

	if (k < 9)
		return fixed[k];
	switch (k) {
	case 9:
		return (uint16_t)(len - 1);
	case 10:
		return (uint16_t)len;
	case 11:
		return (uint16_t)(len + 1);
	case 12:
		return (uint16_t)below(a, 128);
	default:
		return (uint16_t)rnd(a);
	}
}

static void mutate_hdr(struct adversary *a, const struct adv_packet *p)
{
	static const uint8_t flags[] = { 0, 1, 2, 3, 4, 0x80, 0xff };
	static const uint8_t gso[] = { 0, 1, 3, 4, 5, 0x80, 0x81, 0x84, 0xff };
	unsigned int field = below(a, p->hdr_len >= 12 ? 7 : 6);
	uint16_t v;
	uint8_t b;

	switch (field) {
	case 0:		/* flags */
		b = below(a, 4) ? flags[below(a, sizeof(flags))] : (uint8_t)rnd(a);
		pkt_put(p, 0, &b, 1);
		return;
	case 1:		/* gso_type */
		b = below(a, 4) ? gso[below(a, sizeof(gso))] : (uint8_t)rnd(a);
		pkt_put(p, 1, &b, 1);
		return;
	case 6:		/* num_buffers */
		switch (below(a, 5)) {
		case 0:
			v = 0;
			break;
		case 1:
			v = (uint16_t)(p->nbuf - 1);
			break;
		case 2:
			v = (uint16_t)(p->nbuf + 1 + below(a, 4));
			break;
		case 3:
			v = 0xffff;
			break;
		default:
			v = (uint16_t)rnd(a);
		}
		break;
	default:	/* hdr_len, gso_size, csum_start, csum_offset */
		v = edge16(a, p->frame_len);
	}
	v = htole16(v);
	pkt_put(p, 2 * (field - 1), &v, 2);	/* fields 2-6 are at 2, 4, 6, 8, 10 */
}

static void mutate_used_len(struct adversary *a, const struct adv_packet *p)
{
	unsigned int i = below(a, p->nbuf);
	uint32_t l = p->lens[i], room = (uint32_t)p->c[i].bytes;

	switch (below(a, 10)) {
	case 0:
		l = 0;
		break;
	case 1:
		l = 1;
		break;
	case 2:
		l = p->hdr_len ? p->hdr_len - 1 : 0;
		break;
	case 3:
		l = p->hdr_len + ETH_HLEN - 1;
		break;
	case 4:
		l = l ? l - 1 - below(a, l) : 0;
		break;
	case 5:
		l = room + 1 + below(a, 64);
		break;
	case 6:
		l += 65536;
		break;
	case 7:
		l = 0xffffffffU;
		break;
	case 8:
		l = room;
		break;
	default:
		l = (uint32_t)rnd(a);
	}
	p->lens[i] = l;
}

/* 1-4 bytes changed: in the TCP payload (ciphertext, record headers, tags)
 * more often than in the frame's headers or the virtio_net_hdr. */
static void mutate_bytes(struct adversary *a, const struct adv_packet *p)
{
	uint64_t total = (uint64_t)p->hdr_len + p->frame_len, pos;
	unsigned int k = 1 + below(a, 4);
	uint8_t *b;

	while (k--) {
		uint32_t x = below(a, 10);

		if (x < 5 && p->payload_off && p->payload_off < p->frame_len)
			pos = p->hdr_len + p->payload_off + below(a, p->frame_len - p->payload_off);
		else if (x < 8)
			pos = p->hdr_len + below(a, p->payload_off ? p->payload_off : 64);
		else
			pos = below(a, (uint32_t)total);
		b = pos < total ? pkt_byte(p, pos) : NULL;
		if (b)
			*b ^= (uint8_t)(1 + below(a, 255));
	}
}

static void mutate_tlshdr(struct adversary *a, const struct adv_packet *p)
{
	static const uint8_t types[] = { 0, 20, 21, 22, 23, 24, 25, 0xff };
	static const uint16_t lens[] = { 0, 1, 16, 17, 16384, 16384 + 256, 16384 + 257,
					 16384 + 2048, 0xffff };
	uint64_t pos = (uint64_t)p->hdr_len + p->payload_off;
	uint8_t b;
	uint16_t l;

	switch (below(a, 4)) {
	case 0:
		b = types[below(a, sizeof(types))];
		pkt_put(p, pos, &b, 1);
		break;
	case 1:
		b = (uint8_t)rnd(a);
		pkt_put(p, pos + 1 + below(a, 2), &b, 1);
		break;
	default:
		l = below(a, 2) ? lens[below(a, sizeof(lens) / sizeof(lens[0]))] :
				  (uint16_t)rnd(a);
		l = htobe16(l);
		pkt_put(p, pos + 3, &l, 2);
	}
}

static void mutate_order(struct adversary *a, const struct adv_packet *p)
{
	unsigned int i, j, t;

	for (i = p->nbuf - 1; i > 0; i--) {	/* Fisher-Yates */
		j = below(a, i + 1);
		t = p->order[i];
		p->order[i] = p->order[j];
		p->order[j] = t;
	}
}

void adversary_before(struct adversary *a, struct adv_mutation *m, struct adv_packet *p)
{
	if (!m->hit)
		return;
	if (!(a->points & ADV_FUZZ)) {
		uint8_t *b = pkt_byte(p, (uint64_t)p->hdr_len + p->payload_off);

		if ((a->points & ADV_RX_PAYLOAD) && b)
			*b ^= 0x5a;
		if (a->points & ADV_RX_TLSHDR) {
			/* the record length's high byte: +-256 bytes */
			b = pkt_byte(p, (uint64_t)p->hdr_len + p->payload_off + 3);
			if (b)
				*b ^= 0x01;
		}
		if (a->points & ADV_RX_HDR) {
			/* GSO with gso_size 1, hdr_len/csum beyond the frame,
			 * and num_buffers 7 more than there are */
			uint8_t bad[12] = { 1, 1, 0xff, 0xff, 1, 0, 0xf0, 0xff, 0xf0, 0xff };
			uint16_t nb = htole16(p->nbuf + 7);

			memcpy(bad + 10, &nb, 2);
			pkt_put(p, 0, bad, p->hdr_len < 12 ? p->hdr_len : 12);
		}
		if (a->points & ADV_RX_LEN)
			p->lens[p->nbuf - 1] += 65536;
		return;
	}
	if (m->cls == ADV_C_ORDER && p->nbuf < 2)
		m->cls = ADV_C_USED_LEN;	/* one buffer: nothing to reorder */
	a->mutations[m->cls]++;
	switch (m->cls) {
	case ADV_C_HDR:
		mutate_hdr(a, p);
		break;
	case ADV_C_USED_LEN:
		mutate_used_len(a, p);
		break;
	case ADV_C_ORDER:
		mutate_order(a, p);
		break;
	case ADV_C_BYTES:
		mutate_bytes(a, p);
		break;
	case ADV_C_TLSHDR:
		mutate_tlshdr(a, p);
		break;
	case ADV_C_USED_ID:
		m->extra_used = true;
		m->extra_id = below(a, 2) ? p->c[below(a, p->nbuf)].head :
			      (uint16_t)(p->queue_size + below(a, 0x10000 - p->queue_size));
		m->extra_len = (uint32_t)rnd(a);
		break;
	default:	/* after publishing, or the backend's own doing */
		break;
	}
}

void adversary_after(struct adversary *a, const struct adv_mutation *m,
		     const struct adv_packet *p)
{
	uint8_t *b;

	if (!m->hit)
		return;
	if (a->points & ADV_FUZZ) {
		if (m->cls == ADV_C_BYTES_AFTER)
			mutate_bytes(a, p);
		return;
	}
	if (a->points & ADV_RX_AFTER) {
		b = pkt_byte(p, (uint64_t)p->hdr_len + p->payload_off);
		if (b)
			*b ^= 0xa5;
	}
}

bool adversary_silent(struct adversary *a)
{
	if (adversary_stopped())
		a->silence = 0;
	if (!a->silence)
		return false;
	a->silence--;
	return true;
}

size_t adversary_forge(struct adversary *a, uint8_t *buf, size_t cap)
{
	unsigned int count = below(a, 4) ? below(a, 4) : below(a, 64), i;
	size_t len = ETH_HLEN + 8 + (size_t)count * 16;

	if (len > cap)
		count = 0, len = ETH_HLEN + 8;
	memset(buf, 0xff, 6);			/* broadcast */
	memcpy(buf + 6, "\x02\xbf\xad\x00\x00\x01", 6);
	put_be16(buf + 12, BF_ZCED_ETH_P);
	put_be32(buf + 14, below(a, 8) ? BF_ZCED_MAGIC : (uint32_t)rnd(a));
	buf[18] = below(a, 8) ? BF_ZCED_VERSION : (uint8_t)rnd(a);
	buf[19] = (uint8_t)(below(a, 2) ? 1 + below(a, 2) : rnd(a));
	put_be16(buf + 20, below(a, 4) ? (uint16_t)count : (uint16_t)rnd(a));
	for (i = 0; i < count; i++) {
		uint64_t gpa = htobe64(rnd(a) & ~0xfffULL);
		uint64_t sz = htobe64(below(a, 2) ? (uint64_t)(1 + below(a, 512)) << 12 : rnd(a));

		memcpy(buf + 22 + 16 * i, &gpa, 8);
		memcpy(buf + 30 + 16 * i, &sz, 8);
	}
	if (len < 60) {
		memset(buf + len, 0, 60 - len);
		len = 60;
	}
	return len;
}

void adversary_summary(const struct adversary *a, char *buf, size_t len)
{
	uint64_t total = 0;
	size_t off;
	unsigned int c;

	if (!(a->points & ADV_FUZZ)) {
		snprintf(buf, len, "tampered with %llu of %llu TCP payload packets to the guest",
			 (unsigned long long)a->tampered, (unsigned long long)a->eligible);
		return;
	}
	for (c = 0; c < ADV_NCLASS; c++)
		total += a->mutations[c];
	off = (size_t)snprintf(buf, len, "campaign seed %llu: %llu mutations in %llu packets to "
			       "the guest (rate 1/%u):", (unsigned long long)a->seed,
			       (unsigned long long)total, (unsigned long long)a->eligible, a->rate);
	for (c = 0; c < ADV_NCLASS && off < len; c++)
		off += (size_t)snprintf(buf + off, len - off, " %s=%llu", class_names[c],
					(unsigned long long)a->mutations[c]);
}
