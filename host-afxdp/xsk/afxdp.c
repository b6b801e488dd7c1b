// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* afxdp.c - UMEM, frame pool and AF_XDP sockets (see afxdp.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "xsk/afxdp.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

int afxdp_umem_create(struct afxdp_umem *um, const struct afxdp_opts *o)
{
	struct xsk_umem_config cfg = {
		.fill_size = o->ring_size,
		.comp_size = o->ring_size,
		.frame_size = o->frame_size,
		.frame_headroom = 0,
	};
	size_t size = (size_t)o->nframes * o->frame_size;
	uint32_t i;
	int err;

	memset(um, 0, sizeof(*um));
	um->opts = *o;
	um->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (um->area == MAP_FAILED) {
		err = -errno;
		um->area = NULL;
		return err;
	}
	um->free = calloc(o->nframes, sizeof(*um->free));
	if (!um->free) {
		err = -ENOMEM;
		goto fail;
	}
	err = xsk_umem__create(&um->umem, um->area, size, &um->fill, &um->comp, &cfg);
	if (err)
		goto fail;
	for (i = 0; i < o->nframes; i++)
		um->free[i] = (uint64_t)(o->nframes - 1 - i) * o->frame_size;
	um->nfree = o->nframes;
	return 0;

fail:
	/* nothing of it is left for afxdp_umem_destroy() (which a caller
	 * cleaning up runs next) to free a second time */
	free(um->free);
	munmap(um->area, size);
	memset(um, 0, sizeof(*um));
	return err;
}

void afxdp_umem_destroy(struct afxdp_umem *um)
{
	if (!um->area)
		return;
	xsk_umem__delete(um->umem);
	munmap(um->area, (size_t)um->opts.nframes * um->opts.frame_size);
	free(um->free);
	memset(um, 0, sizeof(*um));
}

static void set_busy_poll(int fd)
{
	int one = 1, usec = 20, budget = 64;

	setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof(usec));
	setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget));
}

int afxdp_sock_create(struct afxdp_sock *s, struct afxdp_umem *um,
		      const char *ifname, uint32_t queue, int xskmap_fd,
		      uint32_t slot)
{
	struct xsk_socket_config cfg = {
		.rx_size = um->opts.ring_size,
		.tx_size = um->opts.ring_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = (um->opts.zerocopy ? XDP_ZEROCOPY : XDP_COPY) |
			      XDP_USE_NEED_WAKEUP | (um->opts.sg ? XDP_USE_SG : 0),
	};
	int err;

	memset(s, 0, sizeof(*s));
	s->um = um;
	/* The first socket owns the UMEM's fill/completion rings; later ones
	 * on the same queue share them (libxdp matches by ifindex/queue). */
	err = xsk_socket__create_shared(&s->xsk, ifname, queue, um->umem,
					&s->rx, &s->tx, &um->fill, &um->comp, &cfg);
	if (err)
		return err;
	s->fd = xsk_socket__fd(s->xsk);
	if (um->opts.busy_poll)
		set_busy_poll(s->fd);
	if (bpf_map_update_elem(xskmap_fd, &slot, &s->fd, BPF_ANY)) {
		err = -errno;
		xsk_socket__delete(s->xsk);
		s->xsk = NULL;
		return err;
	}
	um->nsockets++;
	return 0;
}

void afxdp_sock_destroy(struct afxdp_sock *s, int xskmap_fd, uint32_t slot)
{
	if (!s->xsk)
		return;
	bpf_map_delete_elem(xskmap_fd, &slot);
	xsk_socket__delete(s->xsk);
	s->xsk = NULL;
	s->um->nsockets--;
}

uint32_t afxdp_fill_target(const struct afxdp_opts *o)
{
	return o->ring_size < o->nframes / 2 ? o->ring_size : o->nframes / 2;
}

uint32_t afxdp_rx_share(const struct afxdp_opts *o, unsigned int nsockets)
{
	uint32_t share;

	if (!nsockets)
		return 0;
	share = (o->nframes - afxdp_fill_target(o)) / (nsockets + 1);
	return share < o->ring_size ? share : o->ring_size;
}

uint32_t afxdp_rx_avail(struct afxdp_sock *s)
{
	/* libxdp rereads the producer only once its cached view is empty */
	s->rx.cached_prod = __atomic_load_n(s->rx.producer, __ATOMIC_ACQUIRE);
	return s->rx.cached_prod - s->rx.cached_cons;
}

void afxdp_refill(struct afxdp_umem *um, uint32_t target)
{
	uint32_t have = um->opts.ring_size - xsk_prod_nb_free(&um->fill, um->opts.ring_size);
	uint32_t want, idx, i;

	if (have >= target)
		return;
	want = target - have;
	if (want > um->nfree)
		want = um->nfree;
	if (!want || xsk_ring_prod__reserve(&um->fill, want, &idx) != want)
		return;
	for (i = 0; i < want; i++)
		*xsk_ring_prod__fill_addr(&um->fill, idx + i) = um->free[--um->nfree];
	xsk_ring_prod__submit(&um->fill, want);
}

void afxdp_reclaim(struct afxdp_umem *um)
{
	uint32_t idx, i, done;

	done = xsk_ring_cons__peek(&um->comp, um->opts.ring_size, &idx);
	for (i = 0; i < done; i++)
		afxdp_frame_put(um, *xsk_ring_cons__comp_addr(&um->comp, idx + i));
	if (done)
		xsk_ring_cons__release(&um->comp, done);
}

uint32_t afxdp_tx_pending(const struct afxdp_sock *s)
{
	uint32_t size = s->um->opts.ring_size;

	return size - xsk_prod_nb_free((struct xsk_ring_prod *)&s->tx, size);
}

bool afxdp_tx(struct afxdp_sock *s, uint64_t addr, uint32_t len)
{
	struct xdp_desc *d;
	uint32_t idx;

	if (xsk_ring_prod__reserve(&s->tx, 1, &idx) != 1)
		return false;
	d = xsk_ring_prod__tx_desc(&s->tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	xsk_ring_prod__submit(&s->tx, 1);
	return true;
}

bool afxdp_tx_multi(struct afxdp_sock *s, const uint64_t *addr,
		    const uint32_t *len, uint32_t n)
{
	struct xdp_desc *d;
	uint32_t idx, i;

	if (!n || xsk_ring_prod__reserve(&s->tx, n, &idx) != n)
		return false;
	for (i = 0; i < n; i++) {
		d = xsk_ring_prod__tx_desc(&s->tx, idx + i);
		d->addr = addr[i];
		d->len = len[i];
		d->options = i + 1 < n ? XDP_PKT_CONTD : 0;
	}
	xsk_ring_prod__submit(&s->tx, n);
	return true;
}

void afxdp_tx_kick(struct afxdp_sock *s)
{
	if (afxdp_tx_pending(s) && xsk_ring_prod__needs_wakeup(&s->tx))
		sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

void afxdp_rx_kick(struct afxdp_sock *s)
{
	if (xsk_ring_prod__needs_wakeup(&s->um->fill))
		recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}
