// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for host-afxdp/vhost/virtq.c: a guest (or anyone able to write its
 * rings) controls every byte of the descriptor table and the avail ring.
 * Each malformed ring must end in a broken queue or a counted violation,
 * never in an access outside guest memory or the shared ranges.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "vhost/virtq.h"

#define GPA_BASE	0x100000ULL
#define MEM_SIZE	(4 << 20)
#define NUM		8
#define DESC_OFF	0x0
#define AVAIL_OFF	0x1000
#define USED_OFF	0x2000
#define IND_OFF		0x3000
#define BUF_OFF		0x10000
/* rings of more than NUM entries (reset_num) */
#define BIG_DESC_OFF	0x100000
#define BIG_AVAIL_OFF	0x110000
#define BIG_USED_OFF	0x118000
#define BIG_IND_OFF	0x128000

static uint8_t *mem;
static struct vq_mem vm;
static struct vq_shared open_sh;	/* not CVM: all RAM allowed */
static struct virtq vq;
static uint64_t violations, broken, dropped;
static uint16_t avail_idx;
static unsigned int ring_num = NUM, avail_off = AVAIL_OFF;

static void put_desc(uint8_t *table, unsigned int i, uint64_t gpa, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint64_t a = htole64(gpa);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);
	uint8_t *d = table + 16 * i;

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

static void offer(uint16_t head)
{
	uint16_t v = htole16(head);

	memcpy(mem + avail_off + 4 + 2 * (avail_idx % ring_num), &v, 2);
	avail_idx++;
	v = htole16(avail_idx);
	memcpy(mem + avail_off + 2, &v, 2);
}

static void reset(bool event_idx, bool indirect)
{
	memset(mem, 0, 0x10000);
	memset(&vq, 0, sizeof(vq));
	avail_idx = 0;
	ring_num = NUM;
	avail_off = AVAIL_OFF;
	violations = broken = dropped = 0;
	vq.violations = &violations;
	vq.broken_count = &broken;
	vq.dropped = &dropped;
	vq_setup(&vq, NUM, mem + DESC_OFF, mem + AVAIL_OFF, mem + USED_OFF, 0);
	vq.ready = true;
	vq.event_idx = event_idx;
	vq.indirect = indirect;
}

/* A ring of num entries (its tables at BIG_*_OFF), indirect allowed. */
static void reset_num(unsigned int num)
{
	reset(false, true);
	memset(mem + BIG_DESC_OFF, 0, 0x30000);
	ring_num = num;
	avail_off = BIG_AVAIL_OFF;
	vq_setup(&vq, num, mem + BIG_DESC_OFF, mem + BIG_AVAIL_OFF, mem + BIG_USED_OFF, 0);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	memcpy(&v, mem + USED_OFF + 2, 2);
	return le16toh(v);
}

#define D mem + DESC_OFF
#define BUF(n) (GPA_BASE + BUF_OFF + (n) * 0x1000)

static void test_good_chains(void)
{
	struct vq_chain c;

	reset(false, false);
	put_desc(D, 0, BUF(0), 12, 1, 3);
	put_desc(D, 3, BUF(1), 1500, 0, 0);
	offer(0);
	CHECK_EQ("tx chain of two: popped", vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 1);
	CHECK_EQ("tx chain: two buffers", c.n, 2);
	CHECK_EQ("tx chain: bytes", c.bytes, 1512);
	CHECK("tx chain: host address", c.b[1].p == mem + BUF_OFF + 0x1000);
	CHECK_EQ("tx chain: head", c.head, 0);
	CHECK_EQ("empty ring after one pop", vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 0);

	/* read once: rewriting the descriptor after the pop changes nothing */
	put_desc(D, 3, GPA_BASE + MEM_SIZE * 4ULL, 99999, 0, 0);
	CHECK_EQ("private copy: length kept", c.b[1].len, 1500);

	vq_push(&vq, c.head, 0);
	CHECK_EQ("push alone does not publish", used_idx(), 0);
	vq_publish(&vq);
	CHECK_EQ("publish moves used idx", used_idx(), 1);

	put_desc(D, 5, BUF(2), 2048, 2, 0);
	offer(5);
	CHECK_EQ("rx buffer popped", vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_WRITES, &c), 1);
	vq_unpop(&vq, 1);
	CHECK_EQ("unpop: same chain again", vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_WRITES, &c), 1);
	CHECK_EQ("unpop: head 5", c.head, 5);
	CHECK_EQ("no queue broken", broken, 0);
}

/* A malformed ring must break the queue and stay broken. */
static void expect_broken(const char *name, enum vq_dir dir)
{
	struct vq_chain c;
	char n2[128];

	CHECK_EQ(name, vq_pop(&vq, &vm, &open_sh, dir, &c), -EIO);
	snprintf(n2, sizeof(n2), "%s: counted", name);
	CHECK_EQ(n2, broken, 1);
	snprintf(n2, sizeof(n2), "%s: stays broken", name);
	CHECK_EQ(n2, vq_pop(&vq, &vm, &open_sh, dir, &c), -EIO);
}

static void test_malformed(void)
{
	reset(false, false);
	put_desc(D, 0, BUF(0), 100, 1, NUM);		/* next out of range */
	offer(0);
	expect_broken("next index beyond ring", VQ_DEVICE_READS);

	reset(false, false);
	put_desc(D, 0, BUF(0), 100, 1, 1);
	put_desc(D, 1, BUF(1), 100, 1, 0);		/* 0 -> 1 -> 0 ... */
	offer(0);
	expect_broken("descriptor loop", VQ_DEVICE_READS);

	reset(false, false);
	offer(NUM + 3);					/* head out of range */
	expect_broken("head index beyond ring", VQ_DEVICE_READS);

	reset(false, false);
	{
		uint16_t v = htole16(NUM + 1);		/* more entries than slots */

		memcpy(mem + AVAIL_OFF + 2, &v, 2);
	}
	CHECK_EQ("avail idx too far ahead: nothing available", vq_avail(&vq), 0);
	CHECK_EQ("avail idx too far ahead: broken", vq.broken, 1);

	reset(false, false);
	put_desc(D, 0, GPA_BASE + MEM_SIZE - 10, 100, 0, 0);	/* runs off RAM */
	offer(0);
	expect_broken("buffer beyond guest memory", VQ_DEVICE_READS);

	reset(false, false);
	put_desc(D, 0, 0xffffffffffffff00ULL, 0x200, 0, 0);	/* wraps */
	offer(0);
	expect_broken("buffer address wraps", VQ_DEVICE_READS);


	reset(false, false);
	put_desc(D, 0, BUF(0), 100, 2, 0);		/* writable on a TX ring */
	offer(0);
	expect_broken("wrong direction", VQ_DEVICE_READS);

	reset(false, false);
	put_desc(D, 0, GPA_BASE + IND_OFF, 32, 4, 0);	/* indirect not negotiated */
	offer(0);
	expect_broken("indirect without the feature", VQ_DEVICE_READS);
}

static void test_indirect(void)
{
	uint8_t *t = mem + IND_OFF;
	struct vq_chain c;

	reset(false, true);
	put_desc(t, 0, BUF(0), 12, 1, 1);
	put_desc(t, 1, BUF(1), 1000, 1, 2);
	put_desc(t, 2, BUF(2), 500, 0, 0);
	put_desc(D, 0, GPA_BASE + IND_OFF, 48, 4, 0);
	offer(0);
	CHECK_EQ("indirect: popped", vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 1);
	CHECK_EQ("indirect: three buffers", c.n, 3);
	CHECK_EQ("indirect: bytes", c.bytes, 1512);

	reset(false, true);
	put_desc(t, 0, BUF(0), 12, 1, 7);		/* next beyond the table */
	put_desc(D, 0, GPA_BASE + IND_OFF, 32, 4, 0);
	offer(0);
	expect_broken("indirect: next beyond table", VQ_DEVICE_READS);

	reset(false, true);
	put_desc(t, 0, BUF(0), 12, 4, 0);		/* nested indirect */
	put_desc(D, 0, GPA_BASE + IND_OFF, 16, 4, 0);
	offer(0);
	expect_broken("indirect: nested", VQ_DEVICE_READS);

	reset(false, true);
	put_desc(D, 0, GPA_BASE + IND_OFF, 20, 4, 0);	/* not a multiple of 16 */
	offer(0);
	expect_broken("indirect: odd table length", VQ_DEVICE_READS);


	reset(false, true);
	put_desc(t, 0, BUF(0), 12, 1, 1);
	put_desc(t, 1, BUF(1), 12, 1, 0);		/* loop inside the table */
	put_desc(D, 0, GPA_BASE + IND_OFF, 32, 4, 0);
	offer(0);
	expect_broken("indirect: loop", VQ_DEVICE_READS);

	reset(false, true);
	put_desc(D, 0, GPA_BASE + IND_OFF, 32, 4 | 1, 1);	/* indirect + next */
	offer(0);
	expect_broken("indirect: with NEXT", VQ_DEVICE_READS);
}

/* Chains the virtio spec allows (split virtqueues, 2.7.5): served, or
 * dropped with a counter; never a broken queue. */
static void expect_served(const char *name, unsigned int pieces, uint64_t bytes,
			  enum vq_dir dir)
{
	struct vq_chain c;
	char n2[128];

	CHECK_EQ(name, vq_pop(&vq, &vm, &open_sh, dir, &c), 1);
	snprintf(n2, sizeof(n2), "%s: %u buffers", name, pieces);
	CHECK_EQ(n2, c.n, pieces);
	snprintf(n2, sizeof(n2), "%s: bytes", name);
	CHECK_EQ(n2, c.bytes, bytes);
	snprintf(n2, sizeof(n2), "%s: queue not broken", name);
	CHECK_EQ(n2, broken, 0);
}

static void test_direct_then_indirect(void)
{
	uint8_t *t = mem + IND_OFF;
	struct vq_chain c;

	/* 2.7.5.3.2: zero or more direct descriptors, then one indirect */
	reset(false, true);
	put_desc(D, 0, BUF(0), 12, 1, 4);
	put_desc(D, 4, BUF(1), 100, 1, 2);
	put_desc(D, 2, GPA_BASE + IND_OFF, 32, 4, 0);
	put_desc(t, 0, BUF(2), 1000, 1, 1);
	put_desc(t, 1, BUF(3), 400, 0, 0);
	offer(0);
	expect_served("direct then indirect", 4, 1512, VQ_DEVICE_READS);
	reset(false, true);
	put_desc(D, 0, BUF(0), 12, 1, 4);
	put_desc(D, 4, BUF(1), 100, 1, 2);
	put_desc(D, 2, GPA_BASE + IND_OFF, 32, 4, 0);
	put_desc(t, 0, BUF(2), 1000, 1, 1);
	put_desc(t, 1, BUF(3), 400, 0, 0);
	offer(0);
	CHECK_EQ("direct then indirect: chain order kept",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 1);
	CHECK("direct then indirect: buffers in chain order",
	      c.n == 4 && c.b[0].p == mem + BUF_OFF && c.b[1].p == mem + BUF_OFF + 0x1000 &&
	      c.b[2].p == mem + BUF_OFF + 0x2000 && c.b[3].p == mem + BUF_OFF + 0x3000);

	/* the write flag of the descriptor naming a table is ignored */
	reset(false, true);
	put_desc(t, 0, BUF(2), 1000, 0, 0);
	put_desc(D, 0, GPA_BASE + IND_OFF, 16, 4 | 2, 0);
	offer(0);
	expect_served("indirect descriptor with WRITE on a TX ring", 1, 1000, VQ_DEVICE_READS);

	/* after the table the chain has ended: INDIRECT with NEXT is not legal */
	reset(false, true);
	put_desc(D, 0, BUF(0), 12, 1, 1);
	put_desc(D, 1, GPA_BASE + IND_OFF, 16, 4 | 1, 2);
	put_desc(D, 2, BUF(1), 12, 0, 0);
	offer(0);
	expect_broken("direct, then indirect with NEXT", VQ_DEVICE_READS);

	reset(false, true);
	put_desc(D, 0, BUF(0), 12, 1, 1);
	put_desc(D, 1, GPA_BASE + IND_OFF, 16, 4, 0);
	put_desc(t, 0, BUF(1), 12, 4, 0);	/* nested */
	offer(0);
	expect_broken("direct, then indirect holding an indirect", VQ_DEVICE_READS);
}

/* A chain of n descriptors, each to its own (not adjacent) buffer. */
static void long_direct_chain(unsigned int n, unsigned int stride)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		put_desc(mem + BIG_DESC_OFF, i, GPA_BASE + BUF_OFF + (uint64_t)(i % 128) * stride,
			 16, i + 1 < n ? 1 : 0, (uint16_t)(i + 1));
	offer(0);
}

static void test_long_chains(void)
{
	uint8_t *t = mem + BIG_IND_OFF;
	struct vq_chain c;
	unsigned int i;

	reset_num(256);
	long_direct_chain(65, 64);
	expect_served("direct chain of 65 descriptors", 65, 65 * 16, VQ_DEVICE_READS);

	reset_num(256);
	long_direct_chain(256, 64);
	expect_served("direct chain as long as the ring (256)", 256, 256 * 16, VQ_DEVICE_READS);

	reset_num(1024);
	long_direct_chain(1024, 64);
	expect_served("direct chain as long as the ring (1024)", 1024, 1024 * 16,
		      VQ_DEVICE_READS);

	reset_num(256);
	for (i = 0; i < 200; i++)
		put_desc(t, i, GPA_BASE + BUF_OFF + (uint64_t)i * 64, 16, 2 | (i < 199 ? 1 : 0),
			 (uint16_t)(i + 1));
	put_desc(mem + BIG_DESC_OFF, 0, GPA_BASE + BIG_IND_OFF, 16 * 200, 4, 0);
	offer(0);
	expect_served("indirect table of 200 descriptors", 200, 200 * 16, VQ_DEVICE_WRITES);

	reset_num(256);
	long_direct_chain(257, 64);	/* 256 -> 0: a loop */
	put_desc(mem + BIG_DESC_OFF, 255, BUF(0), 16, 1, 0);
	expect_broken("direct chain longer than the ring (a loop)", VQ_DEVICE_READS);

	/* adjacent buffers become one piece */
	reset_num(256);
	long_direct_chain(100, 16);
	expect_served("100 adjacent buffers: one piece", 1, 100 * 16, VQ_DEVICE_READS);

	/* more separate pieces than a chain holds: that chain dropped, counted */
	reset_num(4096);
	for (i = 0; i < 2048; i++)
		put_desc(mem + BIG_DESC_OFF, i, GPA_BASE + BUF_OFF + (uint64_t)(i % 2) * 64 +
			 (uint64_t)(i / 2) * 256, 16, i < 2047 ? 1 : 0, (uint16_t)(i + 1));
	offer(0);
	put_desc(mem + BIG_DESC_OFF, 3000, BUF(1), 100, 0, 0);
	offer(3000);
	CHECK_EQ("2048 separate pieces: chain dropped",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), -E2BIG);
	CHECK_EQ("2048 separate pieces: counted", dropped, 1);
	CHECK_EQ("2048 separate pieces: queue not broken", broken, 0);
	CHECK_EQ("2048 separate pieces: head reported for the return", c.head, 0);
	CHECK_EQ("2048 separate pieces: no buffer handed out", c.n, 0);
	CHECK_EQ("after a dropped chain: the next one is served",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 1);
	CHECK_EQ("after a dropped chain: its head", c.head, 3000);
}

/*
 * What one chain may cost the worker: at most VQ_MAX_BUFS descriptors with
 * buffers are visited, direct and indirect together. Zero-length or
 * adjacent descriptors add no piece, so without this bound one avail entry
 * naming a 64 Ki-entry table (or a ring-long direct chain) is walked in
 * full, and a guest that offers the same head over and over makes every
 * batch walk millions of descriptors while the other guests wait. A chain
 * past the bound is dropped and counted like one of too many pieces; the
 * walk stops there (a malformed descriptor further on is never reached).
 */
static void test_walk_bound(void)
{
	uint8_t *t = mem + BIG_IND_OFF, *d = mem + BIG_DESC_OFF;
	const unsigned int big = 65536;
	struct vq_chain c;
	unsigned int i;

	/* one byte each, adjacent: one piece; entry 60000 is malformed */
	reset_num(256);
	for (i = 0; i < big; i++)
		put_desc(t, i, GPA_BASE + BUF_OFF + i, 1, i + 1 < big ? 1 : 0, (uint16_t)(i + 1));
	put_desc(t, 60000, BUF(0), 1, 1 | 2, 60001);	/* wrong direction */
	put_desc(d, 0, GPA_BASE + BIG_IND_OFF, 16 * big, 4, 0);
	offer(0);
	put_desc(d, 1, BUF(1), 100, 0, 0);
	offer(1);
	CHECK_EQ("64 Ki-entry indirect table: dropped at VQ_MAX_BUFS descriptors",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), -E2BIG);
	CHECK_EQ("64 Ki-entry indirect table: counted", dropped, 1);
	CHECK_EQ("64 Ki-entry indirect table: walk stopped before the bad entry", broken, 0);
	CHECK_EQ("64 Ki-entry indirect table: the next chain is served",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 1);

	/* zero-length direct descriptors on a big ring, a bad one at 3000 */
	reset_num(4096);
	for (i = 0; i < 4000; i++)
		put_desc(d, i, BUF(0), 0, i + 1 < 4000 ? 1 : 0, (uint16_t)(i + 1));
	put_desc(d, 3000, BUF(0), 0, 1, 5000);		/* next beyond the ring */
	offer(0);
	CHECK_EQ("4000 zero-length descriptors: dropped at VQ_MAX_BUFS",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), -E2BIG);
	CHECK_EQ("4000 zero-length descriptors: counted, not broken", dropped * 10 + broken, 10);

	/* exactly VQ_MAX_BUFS: direct ones, then the table */
	reset_num(4096);
	for (i = 0; i < VQ_MAX_BUFS - 24; i++)
		put_desc(d, i, GPA_BASE + BUF_OFF + (uint64_t)i * 16, 16, 1, (uint16_t)(i + 1));
	put_desc(d, i, GPA_BASE + BIG_IND_OFF, 16 * 24, 4, 0);
	for (i = 0; i < 24; i++)
		put_desc(t, i, GPA_BASE + BUF_OFF + (uint64_t)(VQ_MAX_BUFS - 24 + i) * 16, 16,
			 i + 1 < 24 ? 1 : 0, (uint16_t)(i + 1));
	offer(0);
	expect_served("VQ_MAX_BUFS descriptors, direct then indirect", 1,
		      VQ_MAX_BUFS * 16, VQ_DEVICE_READS);

	/* one more in the table */
	put_desc(t, 23, GPA_BASE + BUF_OFF + (uint64_t)VQ_MAX_BUFS * 16 - 16, 16, 1, 24);
	put_desc(t, 24, GPA_BASE + BUF_OFF + (uint64_t)VQ_MAX_BUFS * 16, 16, 0, 0);
	put_desc(d, VQ_MAX_BUFS - 24, GPA_BASE + BIG_IND_OFF, 16 * 25, 4, 0);
	offer(0);
	CHECK_EQ("VQ_MAX_BUFS + 1 descriptors: dropped",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), -E2BIG);
	CHECK_EQ("VQ_MAX_BUFS + 1 descriptors: counted, not broken", dropped * 10 + broken, 10);
}

static void test_big_buffer(void)
{
	reset(false, false);
	put_desc(D, 0, GPA_BASE + 0x200000, 0x180000, 0, 0);	/* 1.5 MiB */
	offer(0);
	expect_served("one descriptor of 1.5 MiB", 1, 0x180000, VQ_DEVICE_READS);
}

/* Guest memory in two regions, adjacent in guest-physical space, not in ours. */
static void test_two_regions(void)
{
	uint64_t half = MEM_SIZE / 2, edge = GPA_BASE + MEM_SIZE / 2;
	uint8_t *hi = malloc(half);
	struct vq_mem keep = vm;
	struct vq_shared sh = { .cvm = true, .n = 1 };
	struct vq_chain c;

	vm.n = 2;
	vm.r[0].size = half;
	vm.r[1] = vm.r[0];
	vm.r[1].gpa = edge;
	vm.r[1].uva = 0x7e0000000000ULL;
	vm.r[1].hva = hi;

	reset(false, true);
	put_desc(D, 0, edge - 100, 300, 0, 0);
	offer(0);
	CHECK_EQ("buffer across two regions: served",
		 vq_pop(&vq, &vm, &open_sh, VQ_DEVICE_READS, &c), 1);
	CHECK("buffer across two regions: split in two",
	      c.n == 2 && c.b[0].p == mem + half - 100 && c.b[0].len == 100 &&
	      c.b[1].p == hi && c.b[1].len == 200 && c.bytes == 300);

	reset(false, true);
	put_desc(D, 0, edge - half + 0x10000, half + 0x1000, 0, 0);	/* most of both */
	offer(0);
	expect_served("buffer over most of both regions", 2, half + 0x1000, VQ_DEVICE_READS);

	reset(false, true);
	put_desc(D, 0, edge + half - 100, 200, 0, 0);	/* runs off the second */
	offer(0);
	expect_broken("buffer past the last region", VQ_DEVICE_READS);

	/* an indirect table across the boundary */
	reset(false, true);
	put_desc(D, 0, edge - 16, 32, 4, 0);
	put_desc(mem + half - 16, 0, BUF(0), 64, 1, 1);
	put_desc(hi, 0, BUF(1), 64, 0, 0);
	offer(0);
	expect_served("indirect table across two regions", 2, 128, VQ_DEVICE_READS);

	/* CVM: every piece must be shared */
	sh.r[0].start = edge - 0x1000;
	sh.r[0].end = edge;
	reset(false, true);
	put_desc(D, 0, edge - 100, 300, 0, 0);
	offer(0);
	CHECK_EQ("cvm: buffer across regions, second piece private",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);
	sh.r[0].end = edge + 0x1000;
	put_desc(D, 1, edge - 100, 300, 0, 0);
	offer(1);
	CHECK_EQ("cvm: buffer across regions, both shared",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), 1);
	vm = keep;
	free(hi);
}

static void test_cvm(void)
{
	struct vq_shared sh = { .cvm = true, .n = 1 };
	uint8_t *t = mem + IND_OFF;
	struct vq_chain c;

	sh.r[0].start = BUF(1);
	sh.r[0].end = BUF(3);	/* BUF(1) and BUF(2) are shared, BUF(0) is private */

	reset(false, true);
	put_desc(D, 0, BUF(1), 1500, 0, 0);
	offer(0);
	CHECK_EQ("cvm: shared buffer allowed", vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), 1);

	put_desc(D, 1, BUF(1), 12, 1, 2);
	put_desc(D, 2, BUF(0), 1500, 0, 0);	/* private page in the chain */
	offer(1);
	c.n = 99;
	CHECK_EQ("cvm: private buffer is a violation",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);
	CHECK_EQ("cvm: violation counted", violations, 1);
	CHECK_EQ("cvm: no buffer handed out", c.n, 0);
	CHECK_EQ("cvm: chain consumed (not retried)", vq_avail(&vq), 0);
	CHECK_EQ("cvm: queue not broken", vq.broken, 0);

	put_desc(D, 3, BUF(2) + 0xff0, 0x20, 0, 0);	/* straddles the range end */
	offer(3);
	CHECK_EQ("cvm: buffer crossing the range end",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);

	put_desc(t, 0, BUF(1), 100, 0, 0);
	put_desc(D, 4, GPA_BASE + IND_OFF, 16, 4, 0);	/* table in private memory */
	offer(4);
	CHECK_EQ("cvm: indirect table outside shared ranges",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);
	CHECK_EQ("cvm: three violations", violations, 3);
}

static void test_notify(void)
{
	uint16_t v;

	reset(true, false);
	vq_push(&vq, 0, 10);
	vq_publish(&vq);
	CHECK("event idx: first completion notifies", vq_need_notify(&vq));
	v = htole16(5);				/* guest: wake me at used idx 6 */
	memcpy(mem + AVAIL_OFF + 4 + 2 * NUM, &v, 2);
	vq_push(&vq, 1, 10);
	vq_publish(&vq);
	CHECK("event idx: before the event, no interrupt", !vq_need_notify(&vq));
	while (vq.used_idx < 6)
		vq_push(&vq, 2, 10);
	vq_publish(&vq);
	CHECK("event idx: crossing the event interrupts", vq_need_notify(&vq));
	CHECK("event idx: nothing new, no interrupt", !vq_need_notify(&vq));

	reset(false, false);
	v = htole16(1);				/* VRING_AVAIL_F_NO_INTERRUPT */
	memcpy(mem + AVAIL_OFF, &v, 2);
	vq_push(&vq, 0, 10);
	vq_publish(&vq);
	CHECK("no-interrupt flag honoured", !vq_need_notify(&vq));

	reset(true, false);
	offer(0);
	offer(1);
	vq.last_avail = 2;
	vq_arm_kick(&vq);
	memcpy(&v, mem + USED_OFF + 4 + 8 * NUM, 2);
	CHECK_EQ("avail_event armed at last_avail", le16toh(v), 2);
}

static void test_translate(void)
{
	CHECK("gpa inside", vq_gpa_to_hva(&vm, GPA_BASE, MEM_SIZE) == mem);
	CHECK("gpa one past", vq_gpa_to_hva(&vm, GPA_BASE, MEM_SIZE + 1) == NULL);
	CHECK("gpa below", vq_gpa_to_hva(&vm, GPA_BASE - 1, 2) == NULL);
	CHECK("gpa huge len", vq_gpa_to_hva(&vm, GPA_BASE + 1, UINT64_MAX) == NULL);
	CHECK("uva inside", vq_uva_to_hva(&vm, 0x7f0000000000ULL + 16, 16) == mem + 16);
	CHECK("uva outside", vq_uva_to_hva(&vm, 0x7f0000000000ULL - 16, 16) == NULL);
	CHECK("setup rejects size 0", vq_setup(&vq, 0, mem, mem, mem, 0) == -EINVAL);
	CHECK("setup rejects non power of two", vq_setup(&vq, 6, mem, mem, mem, 0) == -EINVAL);
	CHECK("setup rejects misaligned desc", vq_setup(&vq, 8, mem + 8, mem, mem, 0) == -EINVAL);
}

int main(void)
{
	if (posix_memalign((void **)&mem, 4096, MEM_SIZE))
		return 1;
	vm.n = 1;
	vm.r[0].gpa = GPA_BASE;
	vm.r[0].size = MEM_SIZE;
	vm.r[0].uva = 0x7f0000000000ULL;
	vm.r[0].hva = mem;
	test_translate();
	test_good_chains();
	test_malformed();
	test_indirect();
	test_cvm();
	test_direct_then_indirect();
	test_long_chains();
	test_walk_bound();
	test_big_buffer();
	test_two_regions();
	test_notify();
	free(mem);
	UNIT_EXIT();
}
