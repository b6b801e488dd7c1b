/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * port.h - the guest-facing side of the backend, one instance per guest.
 *
 * A port has nqueues queue pairs. Queue q receives what the XDP program
 * steered to XSKMAP slot BF_XSK_SLOT(guest, q) (after PRPR) and sends what
 * the guest transmits on queue q (before TSO). Packets cross the port with a
 * struct virtio_net_hdr, so a tap (IFF_VNET_HDR) and a vhost-user virtqueue
 * pair fit the same interface.
 */
#ifndef BIFROST_PORT_H
#define BIFROST_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/virtio_net.h>

struct bf_port;

struct bf_port_ops {
	/* Hands one packet to the guest on queue q. 0, or -EAGAIN when the
	 * guest has no room (the caller counts a drop), or another -errno. */
	int (*deliver)(struct bf_port *p, unsigned int q,
		       const struct virtio_net_hdr *vh,
		       const uint8_t *frame, size_t len);
	/* Takes one packet the guest sent on queue q: returns its length
	 * (frame only, header in *vh), 0 when there is none, -errno. */
	ssize_t (*fetch)(struct bf_port *p, unsigned int q,
			 struct virtio_net_hdr *vh, uint8_t *buf, size_t cap);
	/* File descriptor that becomes readable when queue q has packets. */
	int (*fd)(struct bf_port *p, unsigned int q);
	void (*destroy)(struct bf_port *p);
};

struct bf_port {
	const struct bf_port_ops *ops;
	unsigned int nqueues;
	char name[32];
};

/* A tap device with IFF_VNET_HDR and GSO offloads on, MAC set to mac. */
struct bf_port *bf_tap_port_open(const char *ifname, unsigned int nqueues,
				 const uint8_t mac[6], char *err, size_t errlen);

#endif /* BIFROST_PORT_H */
