// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for host-afxdp/virtq.c: a guest (or anyone able to write its
 * rings) controls every byte of the descriptor table and the avail ring.
 * Each malformed ring must end in a broken queue or a counted violation,
 * never in an access outside guest memory or the shared ranges.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "virtq.h"

#define GPA_BASE	0x100000ULL
#define MEM_SIZE	(1 << 20)
#define NUM		8
#define DESC_OFF	0x0
#define AVAIL_OFF	0x1000
#define USED_OFF	0x2000
#define IND_OFF		0x3000
#define BUF_OFF		0x10000

static uint8_t *mem;
static struct vq_mem vm;
static struct vq_shared open_sh;	/* not CVM: all RAM allowed */
static struct virtq vq;
static uint64_t violations, broken;
static uint16_t avail_idx;

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

	memcpy(mem + AVAIL_OFF + 4 + 2 * (avail_idx % NUM), &v, 2);
	avail_idx++;
	v = htole16(avail_idx);
	memcpy(mem + AVAIL_OFF + 2, &v, 2);
}

static void reset(bool event_idx, bool indirect)
{
	memset(mem, 0, 0x10000);
	memset(&vq, 0, sizeof(vq));
	avail_idx = 0;
	violations = broken = 0;
	vq.violations = &violations;
	vq.broken_count = &broken;
	vq_setup(&vq, NUM, mem + DESC_OFF, mem + AVAIL_OFF, mem + USED_OFF, 0);
	vq.ready = true;
	vq.event_idx = event_idx;
	vq.indirect = indirect;
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
	put_desc(D, 0, BUF(0), VQ_MAX_BUF + 1, 0, 0);
	offer(0);
	expect_broken("buffer too long", VQ_DEVICE_READS);

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
	put_desc(D, 0, GPA_BASE + IND_OFF, 16 * (VQ_MAX_CHAIN + 1), 4, 0);
	offer(0);
	expect_broken("indirect: table too long", VQ_DEVICE_READS);

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
	test_notify();
	free(mem);
	UNIT_EXIT();
}
