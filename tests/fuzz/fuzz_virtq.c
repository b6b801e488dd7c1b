// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_virtq.c - libFuzzer harness for the split-virtqueue descriptor
 * walker (host-afxdp/vhost/virtq.c) over a hostile guest memory image.
 *
 * The input is a 16-byte parameter block (ring size, features, direction,
 * CVM on/off with up to three shared ranges, one or two memory regions,
 * the ring's starting index) followed by the guest memory image: the
 * descriptor table, avail and used rings sit at its start, so the first
 * input bytes are descriptors. Each memory region is its own heap block of
 * exactly its size (two regions are adjacent guest-physically but not in
 * our address space), so ASan sees any access outside guest memory.
 * vq_pop/vq_push/vq_unpop run until the ring is empty or broken.
 *
 * Beyond "no crash" it asserts, for every chain handed out: each piece is
 * non-empty and lies inside one region; in CVM mode every byte of it lies
 * in a shared range (checked here with its own loop, not vq_is_shared);
 * at most VQ_MAX_BUFS pieces whose lengths sum to the chain's bytes; a
 * refused chain (-EACCES, -E2BIG) hands out nothing; a broken queue stays
 * broken; vq_unpop then vq_pop gives the same chain again. The number of
 * pops is bounded by the ring size, so a hostile ring cannot loop us.
 * Every piece is then read (TX) or written (RX) in full.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vhost/virtq.h"

#define GPA_BASE	0x10000ULL
#define IMG_SIZE	(64 * 1024)
#define PARAMS		16

#define F_CVM		0x01
#define F_INDIRECT	0x02
#define F_EVENT_IDX	0x04
#define F_WRITES	0x08
#define F_TWO_REGIONS	0x10
#define F_UNPOP		0x20

volatile uint8_t fuzz_virtq_sink;	/* keeps the reads of TX pieces */

struct setup {
	struct vq_mem m;
	struct vq_shared sh;
	struct virtq vq;
	enum vq_dir dir;
	bool unpop;
	uint64_t violations, broken, dropped;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Every byte of gpa..gpa+len inside the operator's ranges (their union). */
static bool covered(const struct vq_shared *sh, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len;
	unsigned int i;

	while (gpa < end) {
		for (i = 0; i < sh->n; i++)
			if (gpa >= sh->r[i].start && gpa < sh->r[i].end)
				break;
		if (i == sh->n)
			return false;
		gpa = sh->r[i].end;
	}
	return true;
}

/* Checks one piece and touches all of it; the region it lies in. */
static void check_piece(const struct setup *s, const struct vq_buf *b)
{
	unsigned int i;

	if (!b->len)
		abort();
	for (i = 0; i < s->m.n; i++) {
		const struct vq_region *r = &s->m.r[i];

		if (b->p >= r->hva && (uint64_t)(b->p - r->hva) <= r->size &&
		    b->len <= r->size - (uint64_t)(b->p - r->hva))
			break;
	}
	if (i == s->m.n)
		abort();	/* outside guest memory */
	if (s->sh.cvm && !covered(&s->sh, s->m.r[i].gpa + (uint64_t)(b->p - s->m.r[i].hva), b->len))
		abort();	/* outside the shared ranges */
	if (s->dir == VQ_DEVICE_WRITES) {
		memset(b->p, 0xa5, b->len);
	} else {
		uint8_t x = 0;
		uint32_t k;

		for (k = 0; k < b->len; k++)
			x ^= b->p[k];
		fuzz_virtq_sink = x;
	}
}

static void check_chain(const struct setup *s, const struct vq_chain *c)
{
	uint64_t sum = 0;
	unsigned int i;

	if (c->n > VQ_MAX_BUFS || c->head >= s->vq.num)
		abort();
	for (i = 0; i < c->n; i++)
		sum += c->b[i].len;
	if (sum != c->bytes)
		abort();
	for (i = 0; i < c->n; i++)
		check_piece(s, &c->b[i]);
}

/* vq_unpop then vq_pop: the same chain (guest memory did not change). */
static void check_unpop(struct setup *s, const struct vq_chain *c, struct vq_chain *again)
{
	vq_unpop(&s->vq, 1);
	if (vq_pop(&s->vq, &s->m, &s->sh, s->dir, again) != 1 || again->head != c->head ||
	    again->n != c->n || again->bytes != c->bytes)
		abort();
}

static void run(struct setup *s)
{
	static struct vq_chain c, again;
	unsigned int i, max = 2U * s->vq.num + 8;
	int r;

	for (i = 0; i < max; i++) {
		r = vq_pop(&s->vq, &s->m, &s->sh, s->dir, &c);
		if (r == 0)
			break;
		if (r == -EIO) {
			if (!s->vq.broken || s->broken != 1 ||
			    vq_pop(&s->vq, &s->m, &s->sh, s->dir, &c) != -EIO)
				abort();
			break;
		}
		if (r == -EACCES || r == -E2BIG) {
			if (c.n || c.bytes)
				abort();
			vq_push(&s->vq, c.head, 0);
		} else if (r == 1) {
			if (s->unpop)
				check_unpop(s, &c, &again);
			check_chain(s, &c);
			vq_push(&s->vq, c.head, (uint32_t)c.bytes);
		} else {
			abort();
		}
		vq_publish(&s->vq);
		vq_need_notify(&s->vq);
		vq_arm_kick(&s->vq);
	}
	if (s->violations + s->dropped > i)
		abort();	/* one count per refused chain at most */
}

static void set_ranges(struct setup *s, const uint8_t *p)
{
	unsigned int i;

	s->sh.cvm = p[1] & F_CVM;
	s->sh.n = p[2] % 4;
	for (i = 0; i < s->sh.n; i++) {
		s->sh.r[i].start = GPA_BASE + 16ULL * get16(p + 4 + 4 * i);
		s->sh.r[i].end = s->sh.r[i].start + 16ULL * get16(p + 6 + 4 * i);
	}
}

/* Region i of the image: [0, split) or [split, IMG_SIZE), with input bytes. */
static uint8_t *map_region(struct setup *s, unsigned int i, size_t off, size_t n,
			   const uint8_t *data, size_t size)
{
	uint8_t *img = malloc(n);

	if (!img)
		abort();
	memset(img, 0, n);
	if (size > off)
		memcpy(img, data + off, size - off < n ? size - off : n);
	s->m.r[i].gpa = GPA_BASE + off;
	s->m.r[i].size = n;
	s->m.r[i].uva = 0x7f0000000000ULL + off;
	s->m.r[i].hva = img;
	return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct setup s;
	uint8_t *img[2] = { NULL, NULL };
	unsigned int i, num;
	size_t avail, used, split;

	if (size < PARAMS)
		return 0;
	memset(&s, 0, sizeof(s));
	num = 1U << (data[0] % 11);	/* 1 .. 1024 */
	avail = 16ULL * num;
	used = (avail + 6 + 2ULL * num + 3) & ~3ULL;
	/* two regions: the rings in the first, which ends at a page after them */
	split = data[1] & F_TWO_REGIONS ? (used + 6 + 8ULL * num + 4095) & ~4095ULL : IMG_SIZE;
	img[0] = map_region(&s, 0, 0, split, data + PARAMS, size - PARAMS);
	if (split < IMG_SIZE)
		img[1] = map_region(&s, 1, split, IMG_SIZE - split, data + PARAMS, size - PARAMS);
	s.m.n = img[1] ? 2 : 1;
	set_ranges(&s, data);
	s.dir = data[1] & F_WRITES ? VQ_DEVICE_WRITES : VQ_DEVICE_READS;
	s.unpop = data[1] & F_UNPOP;
	s.vq.violations = &s.violations;
	s.vq.broken_count = &s.broken;
	s.vq.dropped = &s.dropped;
	if (vq_setup(&s.vq, (uint16_t)num, img[0], img[0] + avail, img[0] + used, data[3]))
		abort();
	s.vq.ready = true;
	s.vq.indirect = data[1] & F_INDIRECT;
	s.vq.event_idx = data[1] & F_EVENT_IDX;
	run(&s);
	for (i = 0; i < 2; i++)
		free(img[i]);
	return 0;
}
