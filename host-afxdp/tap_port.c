// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tap_port.c - guest port backed by a tap device.
 *
 * The tap carries a virtio_net_hdr in front of every packet (IFF_VNET_HDR)
 * and advertises CSUM/TSO4/TSO6 (TUNSETOFFLOAD), so the stack behind it
 * sends large TSO packets with partial checksums (the backend segments
 * them) and accepts large GSO packets (PRPR output) carrying a partial
 * checksum (NEEDS_CSUM), as Linux GRO output does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include "port.h"
#include "bifrost_abi.h"

struct tap_port {
	struct bf_port port;
	int fds[BF_MAX_QUEUES];
};

static struct tap_port *tap_of(struct bf_port *p)
{
	return (struct tap_port *)p;
}

static int tap_deliver(struct bf_port *p, unsigned int q,
		       const struct virtio_net_hdr *vh, const uint8_t *frame,
		       size_t len)
{
	struct iovec iov[2] = {
		{ (void *)vh, sizeof(*vh) },
		{ (void *)frame, len },
	};
	ssize_t n = writev(tap_of(p)->fds[q], iov, 2);

	if (n < 0)
		return errno == EAGAIN || errno == ENOBUFS ? -EAGAIN : -errno;
	return 0;
}

static ssize_t tap_fetch(struct bf_port *p, unsigned int q,
			 struct virtio_net_hdr *vh, uint8_t *buf, size_t cap)
{
	struct iovec iov[2] = { { vh, sizeof(*vh) }, { buf, cap } };
	ssize_t n = readv(tap_of(p)->fds[q], iov, 2);

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if ((size_t)n < sizeof(*vh))
		return -EINVAL;
	return n - (ssize_t)sizeof(*vh);
}

static int tap_pollfds(struct bf_port *p, struct pollfd *pfd, int max)
{
	int q;

	for (q = 0; q < (int)p->nqueues && q < max; q++) {
		pfd[q].fd = tap_of(p)->fds[q];
		pfd[q].events = POLLIN;
	}
	return q;
}

static void tap_service(struct bf_port *p, const struct pollfd *pfd, int n)
{
	(void)p, (void)pfd, (void)n;	/* no control traffic on a tap */
}

static void tap_flush(struct bf_port *p, unsigned int q)
{
	(void)p, (void)q;		/* writes are visible at once */
}

static void tap_destroy(struct bf_port *p)
{
	unsigned int q;

	for (q = 0; q < p->nqueues; q++)
		close(tap_of(p)->fds[q]);
	free(p);
}

static const struct bf_port_ops tap_ops = {
	.deliver = tap_deliver,
	.fetch = tap_fetch,
	.pollfds = tap_pollfds,
	.service = tap_service,
	.flush = tap_flush,
	.destroy = tap_destroy,
};

static int set_mac(const char *ifname, const uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ioctl(s, SIOCSIFHWADDR, &ifr))
		ret = -errno;
	close(s);
	return ret;
}

struct bf_port *bf_tap_port_open(const char *ifname, unsigned int nqueues,
				 const uint8_t mac[6], char *err, size_t errlen)
{
	struct tap_port *t;
	struct ifreq ifr;
	int hdrsz = sizeof(struct virtio_net_hdr), ret;
	unsigned int q;

	if (!nqueues || nqueues > BF_MAX_QUEUES || strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap %s: bad name or queue count", ifname);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "tap %s: out of memory", ifname);
		return NULL;
	}
	t->port.ops = &tap_ops;
	t->port.nqueues = nqueues;
	snprintf(t->port.name, sizeof(t->port.name), "tap:%s", ifname);
	for (q = 0; q < nqueues; q++) {
		t->fds[q] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
				(nqueues > 1 ? IFF_MULTI_QUEUE : 0);
		if (t->fds[q] < 0 || ioctl(t->fds[q], TUNSETIFF, &ifr) ||
		    ioctl(t->fds[q], TUNSETVNETHDRSZ, &hdrsz) ||
		    ioctl(t->fds[q], TUNSETOFFLOAD,
			  TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) {
			snprintf(err, errlen, "tap %s queue %u: %s", ifname, q,
				 strerror(errno));
			t->port.nqueues = q + (t->fds[q] >= 0);
			tap_destroy(&t->port);
			return NULL;
		}
	}
	ret = set_mac(ifname, mac);
	if (ret) {
		snprintf(err, errlen, "tap %s: cannot set MAC: %s", ifname, strerror(-ret));
		tap_destroy(&t->port);
		return NULL;
	}
	return &t->port;
}
