// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for host-afxdp/vhost/zced_reg.c and the dynamic shared ranges of
 * virtq.c: the guest's in-band ZCED pool registration. The guest controls
 * every byte of the frame; each rule of bifrost_zced_wire.h must refuse a
 * bad message as a whole, and what is accepted must be exactly what
 * vq_is_shared / vq_pop then let the backend touch.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bytes.h"
#include "unit.h"
#include "vhost/zced_reg.h"

#define PAGE		BF_ZCED_PAGE
/* Guest memory: region 0 is real (rings and buffers for vq_pop); regions
 * 1 and 2 are PROT_NONE, so any read of guest memory by the parser would
 * crash the test. Region 1 starts where region 0 ends. */
#define R0_GPA		0x0ULL
#define R0_SIZE		0x100000ULL
#define R1_GPA		0x100000ULL
#define R1_SIZE		0x200000ULL
#define R2_GPA		0x1000000ULL
#define R2_SIZE		0x2fffULL	/* ends one byte before a page end */

static struct vq_mem vm;
static uint8_t *ram0;

struct rng {
	uint64_t gpa, len;
};

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* Builds a registration frame; returns its length (at least min_len,
 * padding filled with 0xee so padding is visibly ignored). */
static size_t frame(uint8_t *f, uint16_t type, uint32_t magic, uint8_t ver, uint8_t op,
		    uint16_t count, const struct rng *r, unsigned int nr, size_t min_len)
{
	size_t len = 14 + 8 + 16 * (size_t)nr;
	unsigned int i;

	memset(f, 0xee, 14 + 8 + 16 * 64 + 64);
	memset(f, 0xff, 6);				/* dst */
	memcpy(f + 6, "\x52\x54\x00\xbf\x96\x02", 6);	/* src */
	put_be16(f + 12, type);
	put_be32(f + 14, magic);
	f[18] = ver;
	f[19] = op;
	put_be16(f + 20, count);
	for (i = 0; i < nr; i++) {
		put_be64(f + 22 + 16 * i, r[i].gpa);
		put_be64(f + 30 + 16 * i, r[i].len);
	}
	return len < min_len ? min_len : len;
}

static size_t share(uint8_t *f, const struct rng *r, unsigned int n)
{
	return frame(f, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		     n, r, n, 0);
}

static size_t unshare(uint8_t *f)
{
	return frame(f, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_UNSHARE,
		     0, NULL, 0, 60);
}

static uint8_t fb[2048];
static struct vq_range out[BF_ZCED_MAX_RANGES];
static unsigned int n;
static uint8_t op;

static int parse(size_t len)
{
	n = 999;
	op = 0;
	return zced_reg_parse(fb, len, &vm, out, &n, &op);
}

/* One range alone: the parse verdict. */
static int one(uint64_t gpa, uint64_t len)
{
	struct rng r = { gpa, len };

	return parse(share(fb, &r, 1));
}

static void test_valid(void)
{
	struct rng r[2] = { { R1_GPA, 16 * PAGE }, { R0_GPA + 0x40000, 2 * PAGE } };
	size_t len = share(fb, r, 2);

	CHECK_EQ("share: frame length 14+8+16*count", len, 14 + 8 + 32);
	CHECK("share: is a registration", zced_reg_is_msg(fb, len));
	CHECK_EQ("share of 2 ranges accepted", parse(len), 0);
	CHECK_EQ("share: op", op, BF_ZCED_OP_SHARE);
	CHECK_EQ("share: two ranges", n, 2);
	CHECK("share: range 0 as [start, end)",
	      out[0].start == R1_GPA && out[0].end == R1_GPA + 16 * PAGE);
	CHECK("share: range 1 as [start, end)",
	      out[1].start == 0x40000 && out[1].end == 0x42000);

	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		    1, r, 1, 60);
	CHECK_EQ("share padded to 60 bytes: accepted", parse(len), 0);
	CHECK_EQ("share padded: padding is not a range", n, 1);

	CHECK_EQ("unshare (padded to 60) accepted", parse(unshare(fb)), 0);
	CHECK_EQ("unshare: op", op, BF_ZCED_OP_UNSHARE);
	CHECK_EQ("unshare: no ranges", n, 0);
	CHECK_EQ("unshare unpadded (22 bytes) accepted", parse(14 + 8), 0);

	CHECK_EQ("share of 0 ranges accepted (empty set)", parse(share(fb, NULL, 0)), 0);
	CHECK_EQ("share of 0 ranges: n", n, 0);
}

static void test_header(void)
{
	struct rng r = { R1_GPA, PAGE };
	size_t len;

	len = frame(fb, 0x0800, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE, 1, &r, 1, 0);
	CHECK("IPv4 ethertype: not a registration", !zced_reg_is_msg(fb, len));
	CHECK_EQ("IPv4 ethertype: -ENOMSG", parse(len), -ENOMSG);
	len = frame(fb, BF_ZCED_ETH_P + 1, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		    1, &r, 1, 0);
	CHECK_EQ("ethertype 0x88b6: -ENOMSG", parse(len), -ENOMSG);
	len = frame(fb, 0x8100, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE, 1, &r, 1, 0);
	put_be16(fb + 14, 0);		/* a VLAN tag, then 0x88b5 */
	put_be16(fb + 16, BF_ZCED_ETH_P);
	CHECK_EQ("VLAN-tagged: -ENOMSG", parse(len), -ENOMSG);
	share(fb, &r, 1);
	CHECK_EQ("13-byte runt: -ENOMSG", parse(13), -ENOMSG);
	CHECK("13-byte runt: not a registration", !zced_reg_is_msg(fb, 13));
	CHECK("bare Ethernet header: a registration", zced_reg_is_msg(fb, 14));
	CHECK_EQ("bare Ethernet header: -EMSGSIZE", parse(14), -EMSGSIZE);
	CHECK_EQ("header one byte short: -EMSGSIZE", parse(14 + 7), -EMSGSIZE);
	CHECK_EQ("range one byte short: -EMSGSIZE", parse(14 + 8 + 15), -EMSGSIZE);
	CHECK_EQ("range exactly there: accepted", parse(14 + 8 + 16), 0);

	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC ^ 1, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		    1, &r, 1, 0);
	CHECK_EQ("bad magic: -EBADMSG", parse(len), -EBADMSG);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, 0, BF_ZCED_OP_SHARE, 1, &r, 1, 0);
	CHECK_EQ("version 0: -EPROTONOSUPPORT", parse(len), -EPROTONOSUPPORT);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, 2, BF_ZCED_OP_SHARE, 1, &r, 1, 0);
	CHECK_EQ("version 2: -EPROTONOSUPPORT", parse(len), -EPROTONOSUPPORT);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, 0, 1, &r, 1, 0);
	CHECK_EQ("op 0: -EOPNOTSUPP", parse(len), -EOPNOTSUPP);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, 3, 1, &r, 1, 0);
	CHECK_EQ("op 3: -EOPNOTSUPP", parse(len), -EOPNOTSUPP);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_UNSHARE,
		    1, &r, 1, 0);
	CHECK_EQ("unshare with a range: -EPROTO", parse(len), -EPROTO);
}

static void test_count(void)
{
	struct rng r[BF_ZCED_MAX_RANGES + 1];
	unsigned int i;
	size_t len;

	for (i = 0; i <= BF_ZCED_MAX_RANGES; i++)
		r[i] = (struct rng){ R1_GPA + 2ULL * i * PAGE, PAGE };
	len = share(fb, r, BF_ZCED_MAX_RANGES);
	CHECK_EQ("32 ranges accepted", parse(len), 0);
	CHECK_EQ("32 ranges: n", n, 32);
	CHECK("32 ranges: the last one", out[31].start == R1_GPA + 62 * PAGE);
	CHECK_EQ("32 ranges, last one truncated: -EMSGSIZE", parse(len - 1), -EMSGSIZE);
	len = share(fb, r, BF_ZCED_MAX_RANGES + 1);
	CHECK_EQ("33 ranges: -E2BIG", parse(len), -E2BIG);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		    0xffff, r, 1, 60);
	CHECK_EQ("count 65535 in a short frame: -E2BIG", parse(len), -E2BIG);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		    3, r, 2, 0);
	CHECK_EQ("count 3 with 2 ranges present: -EMSGSIZE", parse(len), -EMSGSIZE);
	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_SHARE,
		    3, r, 2, 60);
	CHECK_EQ("count 3 with 2 ranges, padded to 60 bytes: -EMSGSIZE", parse(len), -EMSGSIZE);
}

static void test_ranges(void)
{
	struct rng r[3] = { { R1_GPA, PAGE }, { R1_GPA + R1_SIZE, PAGE }, { R1_GPA, PAGE } };
	char why[64];

	CHECK_EQ("gpa not page-aligned: -EINVAL", one(R1_GPA + 1, PAGE), -EINVAL);
	CHECK_EQ("gpa half a page off: -EINVAL", one(R1_GPA + PAGE / 2, PAGE), -EINVAL);
	CHECK_EQ("len not page-aligned: -EINVAL", one(R1_GPA, PAGE + 512), -EINVAL);
	CHECK_EQ("len 0: -EINVAL", one(R1_GPA, 0), -EINVAL);
	CHECK_EQ("gpa + len wraps to 0: -EOVERFLOW", one(0xfffffffffffff000ULL, PAGE),
		 -EOVERFLOW);
	CHECK_EQ("gpa + len wraps past 0: -EOVERFLOW", one(0xffffffffffff0000ULL, 0x20000),
		 -EOVERFLOW);
	CHECK_EQ("huge len wraps: -EOVERFLOW", one(R1_GPA, 0xfffffffffffff000ULL), -EOVERFLOW);
	CHECK_EQ("last page below 2^64, no memory there: -EFAULT",
		 one(0xffffffffffffe000ULL, PAGE), -EFAULT);

	CHECK_EQ("whole region: accepted", one(R1_GPA, R1_SIZE), 0);
	CHECK_EQ("last page of a region: accepted", one(R1_GPA + R1_SIZE - PAGE, PAGE), 0);
	CHECK_EQ("one page past a region's end: -EFAULT", one(R1_GPA + R1_SIZE - PAGE, 2 * PAGE),
		 -EFAULT);
	CHECK_EQ("one byte past a region's end (unaligned): -EINVAL",
		 one(R1_GPA + R1_SIZE - PAGE, PAGE + 1), -EINVAL);
	CHECK_EQ("starting at a region's end, nothing after: -EFAULT",
		 one(R1_GPA + R1_SIZE, PAGE), -EFAULT);
	CHECK_EQ("below a region (in a gap): -EFAULT", one(R2_GPA - PAGE, PAGE), -EFAULT);
	CHECK_EQ("two adjacent regions, range across both: -EFAULT",
		 one(R0_GPA + R0_SIZE - PAGE, 2 * PAGE), -EFAULT);
	CHECK_EQ("region ending mid-page: first two pages accepted", one(R2_GPA, 2 * PAGE), 0);
	CHECK_EQ("region ending one byte before the page end: -EFAULT", one(R2_GPA, 3 * PAGE),
		 -EFAULT);

	CHECK_EQ("second range outside memory: -EFAULT", parse(share(fb, r, 3)), -EFAULT);
	CHECK_EQ("second range outside memory: index 1 reported", n, 1);
	zced_reg_strerror(-EFAULT, n, why, sizeof(why));
	CHECK("log reason names the range", !strcmp(why, "range 1 outside guest memory"));
	r[1] = r[0];
	r[2].len = 0;
	CHECK_EQ("third range empty: -EINVAL", parse(share(fb, r, 3)), -EINVAL);
	CHECK_EQ("third range empty: index 2 reported", n, 2);

	{
		struct vq_mem none = { 0 };

		share(fb, r, 1);
		CHECK_EQ("no memory table: share refused", zced_reg_parse(fb, 14 + 24, &none, out,
									    &n, &op), -EFAULT);
		unshare(fb);
		CHECK_EQ("no memory table: unshare accepted", zced_reg_parse(fb, 60, &none, out,
									      &n, &op), 0);
	}
}

/* Shared-range semantics: static ranges stay, dynamic ones are replaced. */
static void test_shared_sets(void)
{
	struct vq_shared sh = { .cvm = true, .n = 1 };
	struct vq_range a[3] = { { 0x40000, 0x42000 }, { 0x41000, 0x44000 }, { 0x44000, 0x45000 } };
	struct vq_range b[1] = { { 0x80000, 0x81000 } };
	struct vq_range big[VQ_MAX_DYN_SHARED + 1];
	unsigned int i;

	sh.r[0] = (struct vq_range){ 0x10000, 0x20000 };
	CHECK("static: inside", vq_is_shared(&sh, 0x10000, 0x10000));
	CHECK("dynamic empty: outside static refused", !vq_is_shared(&sh, 0x40000, 100));

	CHECK_EQ("set 3 overlapping/touching ranges", vq_shared_set_dynamic(&sh, a, 3), 0);
	CHECK_EQ("merged into one", sh.ndyn, 1);
	CHECK_EQ("bytes: union, not sum", vq_shared_dynamic_bytes(&sh), 0x5000);
	CHECK("dynamic: buffer inside", vq_is_shared(&sh, 0x40000, 1500));
	CHECK("dynamic: buffer across the touching ranges", vq_is_shared(&sh, 0x43f00, 0x200));
	CHECK("dynamic: last byte", vq_is_shared(&sh, 0x44fff, 1));
	CHECK("dynamic: one byte past the end refused", !vq_is_shared(&sh, 0x44fff, 2));
	CHECK("dynamic: just below refused", !vq_is_shared(&sh, 0x3ffff, 1));
	CHECK("static still accepted", vq_is_shared(&sh, 0x1f000, 0x1000));
	CHECK("across static end refused", !vq_is_shared(&sh, 0x1ffff, 2));
	CHECK_EQ("static ranges untouched", sh.n, 1);

	CHECK_EQ("replace with another set", vq_shared_set_dynamic(&sh, b, 1), 0);
	CHECK("replace: old range gone", !vq_is_shared(&sh, 0x40000, 1500));
	CHECK("replace: new range in", vq_is_shared(&sh, 0x80000, 0x1000));
	CHECK_EQ("replace: bytes", vq_shared_dynamic_bytes(&sh), 0x1000);

	for (i = 0; i <= VQ_MAX_DYN_SHARED; i++)
		big[i] = (struct vq_range){ 0x100000 + 0x2000ULL * i, 0x101000 + 0x2000ULL * i };
	CHECK_EQ("33 dynamic ranges: -E2BIG", vq_shared_set_dynamic(&sh, big, 33), -E2BIG);
	CHECK("33 dynamic ranges: set unchanged", vq_is_shared(&sh, 0x80000, 0x1000) &&
	      sh.ndyn == 1);
	CHECK_EQ("32 disjoint dynamic ranges", vq_shared_set_dynamic(&sh, big, 32), 0);
	CHECK_EQ("32 disjoint: none merged", sh.ndyn, 32);
	CHECK("32 disjoint: the last one", vq_is_shared(&sh, big[31].start, 0x1000));
	CHECK("32 disjoint: the gaps refused", !vq_is_shared(&sh, big[30].end, 1));

	vq_shared_clear_dynamic(&sh);
	CHECK("clear: dynamic gone", !vq_is_shared(&sh, big[0].start, 1));
	CHECK_EQ("clear: bytes 0", vq_shared_dynamic_bytes(&sh), 0);
	CHECK("clear: static stays", vq_is_shared(&sh, 0x10000, 1));

	sh.cvm = false;
	CHECK("not a CVM: everything accessible", vq_is_shared(&sh, 0x90000000, 4096));
}

/* zced_reg_apply: a whole message or nothing; counters and gauge. */
static void test_apply(void)
{
	struct vq_shared sh = { .cvm = true, .n = 1 };
	struct zced_stats st = { 0 };
	struct rng r[2] = { { R1_GPA, 4 * PAGE }, { R1_GPA + 0x10000, 2 * PAGE } };
	unsigned int k;
	uint8_t o;
	size_t len;

	sh.r[0] = (struct vq_range){ 0x10000, 0x20000 };
	len = share(fb, r, 2);
	CHECK_EQ("apply share", zced_reg_apply(&sh, &st, &vm, fb, len, &k, &o), 0);
	CHECK_EQ("apply share: announce", st.announce, 1);
	CHECK_EQ("apply share: gauge", st.shared_bytes, 6 * PAGE);
	CHECK("apply share: range 1 accessible", vq_is_shared(&sh, R1_GPA + 0x10000, 2 * PAGE));

	r[1].gpa = R1_GPA + R1_SIZE;	/* outside: the whole message is refused */
	r[0].gpa = R1_GPA + 0x40000;
	len = share(fb, r, 2);
	CHECK_EQ("apply bad share: refused", zced_reg_apply(&sh, &st, &vm, fb, len, &k, &o),
		 -EFAULT);
	CHECK_EQ("apply bad share: rejected counted", st.rejected, 1);
	CHECK_EQ("apply bad share: announce unchanged", st.announce, 1);
	CHECK_EQ("apply bad share: gauge unchanged", st.shared_bytes, 6 * PAGE);
	CHECK("apply bad share: its valid range 0 not applied",
	      !vq_is_shared(&sh, R1_GPA + 0x40000, PAGE));
	CHECK("apply bad share: old set kept", vq_is_shared(&sh, R1_GPA, 4 * PAGE));

	len = frame(fb, BF_ZCED_ETH_P, BF_ZCED_MAGIC, BF_ZCED_VERSION, BF_ZCED_OP_UNSHARE,
		    1, r, 1, 0);
	CHECK_EQ("apply unshare with a range: refused",
		 zced_reg_apply(&sh, &st, &vm, fb, len, &k, &o), -EPROTO);
	CHECK("apply refused unshare: set kept", vq_is_shared(&sh, R1_GPA, 4 * PAGE));

	len = unshare(fb);
	CHECK_EQ("apply unshare", zced_reg_apply(&sh, &st, &vm, fb, len, &k, &o), 0);
	CHECK_EQ("apply unshare: announce", st.announce, 2);
	CHECK_EQ("apply unshare: gauge 0", st.shared_bytes, 0);
	CHECK("apply unshare: range gone", !vq_is_shared(&sh, R1_GPA, PAGE));
	CHECK("apply unshare: static stays", vq_is_shared(&sh, 0x10000, PAGE));
	CHECK_EQ("counters: 2 accepted, 2 rejected", st.announce * 10 + st.rejected, 22);
}

/* Through the ring: a TX buffer in a registered range is popped, outside
 * it is a violation; UNSHARE makes it a violation again. */
#define NUM		8
#define DESC_GPA	0x0
#define AVAIL_GPA	0x1000
#define USED_GPA	0x2000
#define STATIC_GPA	0x10000		/* --cvm range: one page */
#define POOL_GPA	0x40000		/* the guest's ZCED pool page */

static struct virtq vq;
static uint64_t violations, broken;
static uint16_t avail_idx;

static void post(uint16_t head, uint64_t gpa, uint32_t len)
{
	uint8_t *d = ram0 + DESC_GPA + 16 * head;
	uint64_t a = htole64(gpa);
	uint32_t l = htole32(len);
	uint16_t v;

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memset(d + 12, 0, 4);		/* flags 0, next 0: device reads */
	v = htole16(head);
	memcpy(ram0 + AVAIL_GPA + 4 + 2 * (avail_idx % NUM), &v, 2);
	avail_idx++;
	v = htole16(avail_idx);
	memcpy(ram0 + AVAIL_GPA + 2, &v, 2);
}

static void test_ring(void)
{
	struct vq_shared sh = { .cvm = true, .n = 1 };
	struct zced_stats st = { 0 };
	struct rng pool = { POOL_GPA, PAGE };
	struct vq_chain c;
	unsigned int k;
	uint8_t o;

	sh.r[0] = (struct vq_range){ STATIC_GPA, STATIC_GPA + PAGE };
	vq.violations = &violations;
	vq.broken_count = &broken;
	vq_setup(&vq, NUM, ram0 + DESC_GPA, ram0 + AVAIL_GPA, ram0 + USED_GPA, 0);
	vq.ready = true;

	post(0, POOL_GPA, 1500);
	CHECK_EQ("ring: pool buffer before registration is a violation",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);
	CHECK_EQ("ring: violation counted", violations, 1);

	CHECK_EQ("ring: registration accepted",
		 zced_reg_apply(&sh, &st, &vm, fb, share(fb, &pool, 1), &k, &o), 0);
	post(1, POOL_GPA, 1500);
	CHECK_EQ("ring: same buffer after registration popped",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), 1);
	CHECK("ring: the host address of the pool page", c.n == 1 && c.b[0].p == ram0 + POOL_GPA);
	post(2, POOL_GPA + PAGE - 100, 200);
	CHECK_EQ("ring: buffer running past the registered page is a violation",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);
	post(3, STATIC_GPA, 1500);
	CHECK_EQ("ring: static range still served",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), 1);

	CHECK_EQ("ring: unshare accepted",
		 zced_reg_apply(&sh, &st, &vm, fb, unshare(fb), &k, &o), 0);
	post(4, POOL_GPA, 1500);
	CHECK_EQ("ring: pool buffer after unshare is a violation again",
		 vq_pop(&vq, &vm, &sh, VQ_DEVICE_READS, &c), -EACCES);
	CHECK_EQ("ring: three violations", violations, 3);
	CHECK_EQ("ring: never broken", broken, 0);
}

/* What the guest shared, kept across a backend restart: taken back only
 * for the same memory (file and offset), whatever the map says. */
static void test_spans(void)
{
	struct vq_range r[BF_ZCED_SPANS], in[2] = {
		{ R1_GPA + 4 * PAGE, R1_GPA + 12 * PAGE },
		{ R2_GPA, R2_GPA + 2 * PAGE },
	};
	struct vq_shared s = { .cvm = true };
	struct bf_zced_shared kept, bad;
	struct vq_mem other = vm;
	unsigned int n;

	CHECK_EQ("spans: set", vq_shared_set_dynamic(&s, in, 2), 0);
	CHECK_EQ("spans: both kept", zced_spans_from(&s, &vm, &kept), 2);
	CHECK("spans: file and offset recorded",
	      kept.s[0].gpa == R1_GPA + 4 * PAGE && kept.s[0].len == 8 * PAGE &&
	      kept.s[0].dev == 8 && kept.s[0].ino == 100 && kept.s[0].off == R0_SIZE + 4 * PAGE &&
	      kept.s[1].ino == 200 && kept.s[1].off == 0x10000);
	n = zced_spans_match(&kept, &vm, r);
	CHECK("spans: the same memory takes both back",
	      n == 2 && r[0].start == in[0].start && r[0].end == in[0].end &&
	      r[1].start == in[1].start && r[1].end == in[1].end);

	other.r[1].ino = 101;		/* a new guest: another memfd */
	n = zced_spans_match(&kept, &other, r);
	CHECK("spans: another file for one region: only the other span",
	      n == 1 && r[0].start == in[1].start);
	other = vm;
	other.r[2].foff += PAGE;	/* same file, other offset */
	CHECK_EQ("spans: same file at another offset: not taken back",
		 zced_spans_match(&kept, &other, r), 1);
	other = vm;
	other.n = 1;			/* region 1 and 2 gone */
	CHECK_EQ("spans: memory no longer there: nothing", zced_spans_match(&kept, &other, r), 0);
	other = vm;
	other.r[1].ino = 0;		/* identity unknown: never taken back */
	other.r[2].ino = 0;
	CHECK_EQ("spans: unknown file identity: nothing", zced_spans_match(&kept, &other, r), 0);

	/* a map entry is not trusted: bad spans are skipped, n is bounded */
	bad = kept;
	bad.s[0].len = PAGE + 1;
	bad.s[1].gpa = UINT64_MAX - PAGE + 1;
	CHECK_EQ("spans: unaligned or wrapping spans skipped", zced_spans_match(&bad, &vm, r), 0);
	bad = kept;
	bad.n = 1000;
	CHECK_EQ("spans: n beyond the array is bounded", zced_spans_match(&bad, &vm, r), 2);

	CHECK_EQ("spans: after unshare nothing is kept",
		 (vq_shared_set_dynamic(&s, NULL, 0), zced_spans_from(&s, &vm, &kept)), 0);
}

static uint8_t *map_none(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int main(void)
{
	if (posix_memalign((void **)&ram0, 4096, R0_SIZE))
		return 1;
	memset(ram0, 0, R0_SIZE);
	vm.n = 3;
	/* backing files: region 0 and 1 in one (as QEMU's node 0 and 1 may
	 * not be, but a file can back two regions), region 2 in another */
	vm.r[0] = (struct vq_region){ .gpa = R0_GPA, .size = R0_SIZE, .uva = 0x7f0000000000ULL,
				      .hva = ram0, .dev = 8, .ino = 100, .foff = 0 };
	vm.r[1] = (struct vq_region){ .gpa = R1_GPA, .size = R1_SIZE, .uva = 0x7f1000000000ULL,
				      .hva = map_none(R1_SIZE), .dev = 8, .ino = 100,
				      .foff = R0_SIZE };
	vm.r[2] = (struct vq_region){ .gpa = R2_GPA, .size = R2_SIZE, .uva = 0x7f2000000000ULL,
				      .hva = map_none(0x3000), .dev = 8, .ino = 200,
				      .foff = 0x10000 };
	if (!vm.r[1].hva || !vm.r[2].hva)
		return 1;
	test_valid();
	test_header();
	test_count();
	test_ranges();
	test_shared_sets();
	test_apply();
	test_ring();
	test_spans();
	free(ram0);
	UNIT_EXIT();
}
