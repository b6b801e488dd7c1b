// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_xsk_sink - test consumer for one XSKMAP slot: binds an AF_XDP socket to
 * IFACE queue 0 (copy mode, no libxdp program), inserts it into the pinned
 * bf_xsks map at SLOT, and checks every received frame's Bifrost metadata
 * against a user-space re-parse with bf_parse_frame().
 *
 *   bf_xsk_sink IFACE SLOT SECONDS
 *
 * Runs until SIGINT/SIGTERM or SECONDS pass, then prints
 * "received N meta_ok N meta_bad N no_meta N" and removes its slot.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>
#include "maps.h"
#include "bifrost_parse.h"

#define NFRAMES		4096
#define FRAME_SIZE	XSK_UMEM__DEFAULT_FRAME_SIZE

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int meta_matches(const struct bf_xdp_meta *m, const struct bf_parsed *p)
{
	return m->hash == p->hash && m->flags == p->flags &&
	       m->l3_off == p->l3_off && m->l4_off == p->l4_off &&
	       m->payload_off == p->payload_off &&
	       m->payload_len == p->payload_len;
}

int main(int argc, char **argv)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	unsigned long rx = 0, ok = 0, bad = 0, nometa = 0;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp, rxr;
	struct xsk_ring_prod txr;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct pollfd pfd;
	__u32 slot, idx, i, n;
	time_t deadline;
	void *area;
	int mapfd, xfd;

	if (argc != 4) {
		fprintf(stderr, "usage: bf_xsk_sink IFACE SLOT SECONDS\n");
		return 2;
	}
	slot = strtoul(argv[2], NULL, 10);
	deadline = time(NULL) + strtol(argv[3], NULL, 10);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	area = mmap(NULL, (size_t)NFRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || xsk_umem__create(&umem, area, (__u64)NFRAMES * FRAME_SIZE,
						   &fill, &comp, NULL)) {
		perror("bf_xsk_sink: umem");
		return 1;
	}
	if (xsk_socket__create(&xsk, argv[1], 0, umem, &rxr, &txr, &cfg)) {
		perror("bf_xsk_sink: xsk_socket__create");
		return 1;
	}
	if (xsk_ring_prod__reserve(&fill, NFRAMES / 2, &idx) != NFRAMES / 2)
		return 1;
	for (i = 0; i < NFRAMES / 2; i++)
		*xsk_ring_prod__fill_addr(&fill, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fill, NFRAMES / 2);

	mapfd = bf_pin_open(argv[1], BF_PIN_XSKS);
	xfd = xsk_socket__fd(xsk);
	if (mapfd < 0 || bpf_map_update_elem(mapfd, &slot, &xfd, BPF_ANY)) {
		fprintf(stderr, "bf_xsk_sink: cannot insert into bf_xsks slot %u\n", slot);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	pfd.fd = xfd;
	pfd.events = POLLIN;
	while (!stop && time(NULL) < deadline) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = xsk_ring_cons__peek(&rxr, 64, &idx);
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rxr, idx + i);
			__u8 *pkt = xsk_umem__get_data(area, d->addr);
			struct bf_xdp_meta m;
			struct bf_parsed p;
			__u32 fidx;

			rx++;
			memcpy(&m, pkt - sizeof(m), sizeof(m));
			if (m.magic != BF_META_MAGIC)
				nometa++;
			else if (bf_parse_frame(pkt, pkt + d->len, &p) == BF_PARSE_OK &&
				 meta_matches(&m, &p))
				ok++;
			else
				bad++;
			memset(pkt - sizeof(m), 0, sizeof(m));
			if (xsk_ring_prod__reserve(&fill, 1, &fidx) == 1) {
				*xsk_ring_prod__fill_addr(&fill, fidx) =
					xsk_umem__extract_addr(d->addr);
				xsk_ring_prod__submit(&fill, 1);
			}
		}
		xsk_ring_cons__release(&rxr, n);
	}
	bpf_map_delete_elem(mapfd, &slot);
	printf("received %lu meta_ok %lu meta_bad %lu no_meta %lu\n", rx, ok, bad, nometa);
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	return 0;
}
