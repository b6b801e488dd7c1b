// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_vhost_port.c - libFuzzer harness for the vhost-user port's data path
 * (host-afxdp/vhost/vhost_port.c over virtq.c) with a hostile guest memory image.
 *
 * The input is an 8-byte parameter block (ring size, features: mergeable
 * RX buffers, guest TSO, indirect; the rings' starting index) followed by
 * the guest memory image, which holds the RX ring, the TX ring and every
 * buffer. The harness plays the front-end in-process: it hands the port
 * that memory table and those rings, then drains TX with fetch() and
 * delivers a merged TCP packet and a small frame with deliver().
 *
 * Beyond "no crash" (ASan sees any access outside the image) it asserts:
 * fetch() returns at most the capacity it was given, returns 0 ("nothing to
 * send") only when the guest has made nothing available or the ring is
 * broken, and takes at most as many packets as the ring size allows;
 * deliver() returns 0 or one of the errors the worker expects.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "port.h"
#include "vhost/vhost_user.h"

#define GPA_BASE	0x10000ULL
#define IMG_SIZE	(64 * 1024)
#define PARAMS		8
#define TX_CAP		(65536 + 256)

static struct bf_port *port;
static struct vhost_dev *dev;
static uint8_t *txbuf, *pkt;
static size_t pkt_len;

/* A TCP/IPv4 packet of 4000 payload bytes, merged (gso_size 1000). */
static void build_packet(void)
{
	static const uint8_t hdr[54] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0x0f, 0xd0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0x14, 0x51, 0, 0, 0x03, 0xe8, 0, 0, 0x03, 0x09, 0x50, 0x10, 2, 0, 0, 0, 0, 0,
	};
	size_t i;

	pkt_len = sizeof(hdr) + 4000;
	pkt = malloc(pkt_len);
	txbuf = malloc(TX_CAP);
	if (!pkt || !txbuf)
		abort();
	memcpy(pkt, hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < pkt_len; i++)
		pkt[i] = (uint8_t)(i * 7);
}

/* At exit: the port's socket file goes (the memory is the harness's). */
static void close_port(void)
{
	dev->mem.n = 0;
	port->ops->destroy(port);
}

static void open_port(void)
{
	char err[256], path[64];

	snprintf(path, sizeof(path), "/tmp/bfq-fuzz-vport-%d.sock", (int)getpid());
	port = bf_vhost_port_open(path, NULL, NULL, err, sizeof(err));
	if (!port) {
		fprintf(stderr, "fuzz_vhost_port: %s\n", err);
		abort();
	}
	dev = bf_vhost_port_dev(port);
	dev->conn_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);	/* "connected" */
	build_packet();
	atexit(close_port);
}

/* Ring q's tables near the image start: desc at q * 8 KiB, avail 4 KiB
 * and used 5 KiB after it (room for 256 entries each). */
static void setup_ring(unsigned int q, unsigned int num, uint8_t *img, uint16_t base,
		       bool indirect)
{
	struct virtq *vq = &dev->vr[q].vq;
	uint8_t *desc = img + (size_t)q * 0x2000;

	memset(vq, 0, sizeof(*vq));
	vq->violations = &dev->st.violations;
	vq->broken_count = &dev->st.broken;
	vq->dropped = &dev->st.chains_dropped;
	if (vq_setup(vq, (uint16_t)num, desc, desc + 0x1000, desc + 0x1400, base))
		abort();
	vq->ready = true;
	vq->indirect = indirect;
}

static void drain_tx(void)
{
	struct virtq *vq = &dev->vr[VHOST_TXQ].vq;
	struct virtio_net_hdr vh;
	unsigned int i;

	for (i = 0; i <= vq->num + 1; i++) {
		ssize_t n = port->ops->fetch(port, 0, &vh, txbuf, TX_CAP);

		if (n > TX_CAP)
			abort();
		if (n == 0) {
			if (!vq->broken && vq_avail(vq))
				abort();	/* "nothing to send" with chains waiting */
			return;
		}
		if (n == -EIO)
			return;
	}
	abort();	/* more packets than the ring could hold */
}

static void deliver_some(void)
{
	struct virtio_net_hdr gso = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = htole16(54), .gso_size = htole16(1000),
		.csum_start = htole16(34), .csum_offset = htole16(16),
	}, plain = { 0 };
	unsigned int k;

	for (k = 0; k < 3; k++) {
		int r = port->ops->deliver(port, 0, &gso, pkt, pkt_len);

		if (r && r != -EAGAIN && r != -EMSGSIZE && r != -EACCES && r != -E2BIG &&
		    r != -EIO && r != -EINVAL && r != -ENOTCONN)
			abort();
		r = port->ops->deliver(port, 0, &plain, pkt, 60);
		if (r && r != -EAGAIN && r != -EMSGSIZE && r != -EACCES && r != -E2BIG &&
		    r != -EIO && r != -EINVAL && r != -ENOTCONN)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int num, q;
	uint8_t *img;

	if (size < PARAMS)
		return 0;
	if (!port)
		open_port();
	img = calloc(1, IMG_SIZE);
	if (!img)
		abort();
	memcpy(img, data + PARAMS, size - PARAMS < IMG_SIZE ? size - PARAMS : IMG_SIZE);
	num = 1U << (data[0] % 9);	/* 1 .. 256: the tables fit 4 KiB */
	dev->mem.n = 1;
	dev->mem.r[0].gpa = GPA_BASE;
	dev->mem.r[0].size = IMG_SIZE;
	dev->mem.r[0].uva = 0x7f0000000000ULL;
	dev->mem.r[0].hva = img;
	dev->features = (1ULL << VHOST_F_VERSION_1) |
			(data[1] & 1 ? 1ULL << VHOST_F_MRG_RXBUF : 0) |
			(data[1] & 2 ? 1ULL << VHOST_F_GUEST_TSO4 : 0);
	dev->hdr_len = 12;
	for (q = 0; q < VHOST_NQUEUES; q++)
		setup_ring(q, num, img, (uint16_t)(data[2 + q] | data[4 + q] << 8), data[1] & 4);
	drain_tx();
	deliver_some();
	port->ops->flush(port, 0);
	dev->vr[VHOST_RXQ].vq.ready = false;	/* forgets a parked packet's progress */
	port->ops->deliver(port, 0, &(struct virtio_net_hdr){ 0 }, pkt, 60);
	memset(&dev->vr[0].vq, 0, sizeof(dev->vr[0].vq));
	memset(&dev->vr[1].vq, 0, sizeof(dev->vr[1].vq));
	dev->mem.n = 0;
	free(img);
	return 0;
}
