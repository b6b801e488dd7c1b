// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for host-afxdp/xsk/gather.c, the reassembly of AF_XDP multi-buffer
 * frames: parts join in order, and a frame over the byte or part bound, or
 * one without a buffer, is dropped whole and reported once while the next
 * frame gathers normally.
 */
#include <stdlib.h>
#include <string.h>
#include "xsk/gather.h"
#include "unit.h"

#define CAP	9238
#define PARTS	8

static uint8_t buf[CAP], part[4096];

static void setup(struct bf_gather *g)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->cap = CAP;
	g->max_parts = PARTS;
}

/* Feeds a frame of n parts of len bytes each (byte i of part k is k + i). */
static enum bf_gather_res feed(struct bf_gather *g, unsigned int n, uint32_t len,
			       size_t *flen)
{
	enum bf_gather_res r = BF_GATHER_MORE;
	unsigned int k;
	uint32_t i;

	for (k = 0; k < n; k++) {
		for (i = 0; i < len && i < sizeof(part); i++)
			part[i] = (uint8_t)(k + i);
		r = bf_gather_part(g, part, len, k + 1 < n, flen);
		if (k + 1 < n && r != BF_GATHER_MORE)
			return r;
	}
	return r;
}

static void test_join(void)
{
	struct bf_gather g;
	size_t flen = 0;
	int ok = 1;
	uint32_t i;

	setup(&g);
	CHECK_EQ("3 parts of a 9000-byte frame gather", feed(&g, 3, 3000, &flen),
		 BF_GATHER_DONE);
	CHECK_EQ("gathered length", flen, 9000);
	for (i = 0; i < 9000; i++)
		ok &= buf[i] == (uint8_t)(i / 3000 + i % 3000);
	CHECK("parts joined in order", ok);
	CHECK_EQ("state reset after a frame", g.len + g.parts + g.bad, 0);
	CHECK_EQ("a one-part frame passes too", feed(&g, 1, 60, &flen), BF_GATHER_DONE);
	CHECK_EQ("one-part length", flen, 60);
	bf_gather_part(&g, part, 4096, true, &flen);
	bf_gather_part(&g, part, 4096, true, &flen);
	CHECK_EQ("a frame of exactly cap bytes passes",
		 bf_gather_part(&g, part, CAP - 8192, false, &flen), BF_GATHER_DONE);
	CHECK_EQ("cap-byte frame length", flen, CAP);
}

static void test_bounds(void)
{
	struct bf_gather g;
	size_t flen = 0;

	setup(&g);
	CHECK_EQ("over cap: dropped", feed(&g, 3, 3100, &flen), BF_GATHER_DROP);
	bf_gather_part(&g, part, 4096, true, &flen);
	bf_gather_part(&g, part, 4096, true, &flen);
	CHECK_EQ("cap + 1 bytes: dropped",
		 bf_gather_part(&g, part, CAP - 8191, false, &flen), BF_GATHER_DROP);
	CHECK_EQ("next frame after an oversized one gathers", feed(&g, 2, 100, &flen),
		 BF_GATHER_DONE);
	CHECK_EQ("next frame's length", flen, 200);
	CHECK_EQ("too many parts: dropped", feed(&g, PARTS + 1, 10, &flen), BF_GATHER_DROP);
	CHECK_EQ("max_parts parts pass", feed(&g, PARTS, 10, &flen), BF_GATHER_DONE);
	CHECK_EQ("a part longer than cap (UINT32_MAX): dropped",
		 bf_gather_part(&g, part, UINT32_MAX, false, &flen), BF_GATHER_DROP);
	CHECK_EQ("1000 continuation parts: one drop at the end",
		 feed(&g, 1000, 0, &flen), BF_GATHER_DROP);
	g.buf = NULL;
	CHECK_EQ("no buffer (socket without SG): multi-part frame dropped",
		 feed(&g, 2, 100, &flen), BF_GATHER_DROP);
}

int main(void)
{
	test_join();
	test_bounds();
	UNIT_EXIT();
}
