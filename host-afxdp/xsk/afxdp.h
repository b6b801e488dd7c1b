/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * afxdp.h - one UMEM per NIC queue and the AF_XDP sockets bound to it.
 *
 * All sockets of a worker share its UMEM (XDP_SHARED_UMEM), because the
 * kernel allows only one UMEM per (device, queue). The worker thread is the
 * only user, so the frame pool, fill and completion rings need no locks.
 * Sockets are created without letting libxdp load a program: Bifrost's XDP
 * program owns the XSKMAP, and each socket is inserted at its slot.
 *
 * With opts.sg the sockets are bound with XDP_USE_SG (Linux >= 6.6,
 * af_xdp.rst "Multi-Buffer Support"): a frame larger than one UMEM frame
 * arrives, and is sent, as several descriptors, XDP_PKT_CONTD set on all
 * but the last.
 */
#ifndef BIFROST_AFXDP_H
#define BIFROST_AFXDP_H

#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

/* Linux 6.6 uapi/linux/if_xdp.h; Debian 12's 6.1 headers lack them. */
#ifndef XDP_USE_SG
#define XDP_USE_SG		(1 << 4)	/* bind flag */
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD		(1 << 0)	/* xdp_desc.options */
#endif

struct afxdp_opts {
	uint32_t nframes;	/* UMEM frames (power of two) */
	uint32_t frame_size;	/* bytes per frame (2048 or 4096) */
	uint32_t ring_size;	/* rx/tx/fill/completion descriptors */
	bool zerocopy;		/* XDP_ZEROCOPY instead of XDP_COPY */
	bool busy_poll;		/* SO_PREFER_BUSY_POLL + SO_BUSY_POLL */
	bool sg;		/* XDP_USE_SG: frames span several UMEM frames */
};

struct afxdp_umem {
	void *area;
	struct xsk_umem *umem;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct afxdp_opts opts;
	uint64_t *free;		/* stack of free frame addresses */
	uint32_t nfree;
	uint32_t nsockets;
};

struct afxdp_sock {
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct afxdp_umem *um;
	int fd;
};

int afxdp_umem_create(struct afxdp_umem *um, const struct afxdp_opts *o);
void afxdp_umem_destroy(struct afxdp_umem *um);
/* Binds a socket to ifname/queue and puts it into xskmap_fd at slot. */
int afxdp_sock_create(struct afxdp_sock *s, struct afxdp_umem *um,
		      const char *ifname, uint32_t queue, int xskmap_fd,
		      uint32_t slot);
/* Removes the socket from the map slot and closes it. */
void afxdp_sock_destroy(struct afxdp_sock *s, int xskmap_fd, uint32_t slot);

/* Frame pool. */
static inline bool afxdp_frame_get(struct afxdp_umem *um, uint64_t *addr)
{
	if (!um->nfree)
		return false;
	*addr = um->free[--um->nfree];
	return true;
}

/* Returns the frame holding addr to the pool. An RX descriptor's address
 * points past the headroom the kernel left (XDP_PACKET_HEADROOM in copy
 * mode): the pool keeps frame starts, so a frame reused for TX has its
 * whole frame_size (a power of two) from its start. */
static inline void afxdp_frame_put(struct afxdp_umem *um, uint64_t addr)
{
	um->free[um->nfree++] = addr & ~((uint64_t)um->opts.frame_size - 1);
}

static inline uint8_t *afxdp_data(struct afxdp_umem *um, uint64_t addr)
{
	return xsk_umem__get_data(um->area, addr);
}

/* Frames the worker keeps on the fill ring: one ring, at most half the
 * UMEM. */
uint32_t afxdp_fill_target(const struct afxdp_opts *o);
/*
 * The share of the UMEM one RX socket may hold while its guest takes
 * nothing (frames it keeps in its AF_XDP RX ring; more are dropped):
 * what the fill ring leaves, split evenly between the nsockets RX rings
 * and the TX side (as one more share), at most one ring. Whatever every
 * guest does, at least the fill target plus one share stay for the others'
 * RX and everyone's TX. In frames; 0 for nsockets == 0.
 */
uint32_t afxdp_rx_share(const struct afxdp_opts *o, unsigned int nsockets);
/* Descriptors waiting on s's RX ring past those already peeked, read
 * afresh from the kernel's producer index. */
uint32_t afxdp_rx_avail(struct afxdp_sock *s);

/* Moves free frames to the fill ring until it holds `target` frames. */
void afxdp_refill(struct afxdp_umem *um, uint32_t target);
/* Returns completed TX frames (of every socket on this UMEM) to the pool. */
void afxdp_reclaim(struct afxdp_umem *um);
/* Descriptors on s's TX ring the kernel has not consumed yet. */
uint32_t afxdp_tx_pending(const struct afxdp_sock *s);
/* Queues one frame (already written at addr) for transmit; false if full. */
bool afxdp_tx(struct afxdp_sock *s, uint64_t addr, uint32_t len);
/* Queues one frame written in n UMEM frames (addr[i], len[i] bytes each)
 * as n descriptors, XDP_PKT_CONTD on all but the last; all or nothing:
 * false if the TX ring has no room for n. Needs a socket bound with sg. */
bool afxdp_tx_multi(struct afxdp_sock *s, const uint64_t *addr,
		    const uint32_t *len, uint32_t n);
/* Wakes the kernel for TX if s has pending descriptors and the kernel
 * asked for it (need_wakeup). */
void afxdp_tx_kick(struct afxdp_sock *s);
/* Wakes the kernel for RX (fill ring) if it asked for it. */
void afxdp_rx_kick(struct afxdp_sock *s);

#endif /* BIFROST_AFXDP_H */
