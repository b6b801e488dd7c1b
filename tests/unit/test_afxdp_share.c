// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_afxdp_share.c - the UMEM split between the fill ring, stalled RX
 * sockets and TX (afxdp_fill_target, afxdp_rx_share), for every size
 * bifrost-host accepts and every socket count a worker can have.
 */
#include <stdint.h>
#include "xsk/afxdp.h"
#include "bifrost_abi.h"
#include "unit.h"

/* Every RX socket holding its share leaves the fill ring and one share. */
static int check_split(const struct afxdp_opts *o, unsigned int nsockets)
{
	uint32_t fill = afxdp_fill_target(o), share = afxdp_rx_share(o, nsockets);

	if (share > o->ring_size || fill > o->nframes / 2)
		return 0;
	return (uint64_t)share * (nsockets + 1) + fill <= o->nframes;
}

static void test_every_size(void)
{
	struct afxdp_opts o = { .frame_size = 4096 };
	unsigned int bad = 0, n;

	for (o.nframes = 256; o.nframes <= (1u << 20); o.nframes *= 2)
		for (o.ring_size = 64; o.ring_size * 2 <= o.nframes; o.ring_size *= 2)
			for (n = 1; n <= BF_XSK_SLOTS; n++)
				bad += !check_split(&o, n);
	CHECK_EQ("shares + fill ring + one share for TX fit the UMEM, share <= ring", bad, 0);
}

static void test_values(void)
{
	struct afxdp_opts o = { .nframes = 8192, .frame_size = 4096, .ring_size = 2048 };

	CHECK_EQ("defaults: fill ring keeps one ring", afxdp_fill_target(&o), 2048);
	CHECK_EQ("defaults, one socket: the whole ring (as before)", afxdp_rx_share(&o, 1), 2048);
	CHECK_EQ("defaults, four sockets: (8192 - 2048) / 5", afxdp_rx_share(&o, 4), 1228);
	CHECK_EQ("no socket: no share", afxdp_rx_share(&o, 0), 0);
	o.nframes = 512;
	o.ring_size = 256;
	CHECK_EQ("512 frames, ring 256, two sockets: 256 / 3", afxdp_rx_share(&o, 2), 85);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_values();
	test_every_size();
	UNIT_EXIT();
}
