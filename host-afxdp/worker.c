// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* worker.c - the backend's packet loop (see worker.h). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "maps.h"
#include "mtu.h"
#include "offload/gso.h"
#include "vhost/vhost_user.h"
#include "worker.h"
#include "vhost/zced_reg.h"
#include "log.h"
#include "util.h"

#define TXBUF_SIZE		(65536 + 256)
#define POLICY_CHECK_NS		(10 * 1000 * 1000ULL)
#define STATS_PUSH_NS		(100 * 1000 * 1000ULL)
#define IDLE_WAIT_NS		(10 * 1000 * 1000ULL)
#define STALL_WAIT_NS		(1000 * 1000ULL)	/* shed a stalled ring this often */
#define GRO_FLOWS		64
/* Descriptors one multi-buffer frame may take (RX and TX): a
 * BF_MAX_WIRE_FRAME frame needs 6 of the smallest (2048-byte) frames. */
#define MULTI_MAX_PARTS		8


/* Room for what one PRPR call can emit while the guest is full: every
 * held flow (a flush) plus the packet that caused it. */
#define PEND_SLOTS		(GRO_FLOWS + 2)
#define PEND_BUF		(65536 + 256)

static int port_deliver(struct bf_queue *qq, const struct virtio_net_hdr *vh,
			const uint8_t *frame, size_t len)
{
	struct bf_port *p = qq->g->port;
	int r = p->ops->deliver(p, qq->index, vh, frame, len);

	if (r == 0) {
		qq->st.out_packets++;
		qq->st.out_bytes += len;
	} else if (r != -EAGAIN && r != BF_PORT_VIOLATION) {
		qq->st.drop_port++;	/* guest not running, or refused */
	}
	return r;
}

/* Delivers parked packets in order; true when none is left. */
static bool drain_pending(struct bf_queue *qq)
{
	while (qq->pend_n) {
		struct bf_pending *pe = &qq->pend[qq->pend_head];

		if (port_deliver(qq, &pe->vh, pe->buf, pe->len) == -EAGAIN)
			return false;
		qq->pend_head = (qq->pend_head + 1) % qq->pend_cap;
		qq->pend_n--;
	}
	return true;
}

/* PRPR output -> guest port, parking it when the guest has no room. */
static void deliver(void *ctx, const struct virtio_net_hdr *vh,
		    const uint8_t *frame, size_t len)
{
	struct bf_queue *qq = ctx;
	struct bf_pending *pe;

	if (!qq->pend_n && port_deliver(qq, vh, frame, len) != -EAGAIN)
		return;
	if (qq->pend_n == qq->pend_cap || len > PEND_BUF) {
		qq->st.drop_port++;
		return;
	}
	pe = &qq->pend[(qq->pend_head + qq->pend_n) % qq->pend_cap];
	pe->vh = *vh;
	pe->len = len;
	memcpy(pe->buf, frame, len);
	qq->pend_n++;
}

static void load_policy(struct bf_worker *w, bool force)
{
	struct bf_policy pol;
	struct bf_ctl ctl;
	unsigned int i, q;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(w->ctl_fd, &zero, &ctl))
		return;
	if (!force && ctl.generation == w->policy_gen)
		return;
	for (i = 0; i < w->nguests; i++) {
		struct bf_guest_rt *g = w->guests[i];
		struct gro_cfg cfg;

		if (bpf_map_lookup_elem(w->policy_fd, &g->id, &pol))
			continue;
		cfg.enabled = pol.flags & BF_POL_PRPR;
		cfg.max_merge_bytes = pol.max_merge_bytes;
		cfg.max_segs = pol.max_segs;
		cfg.flush_ns = (uint64_t)pol.flush_us * 1000;
		for (q = 0; q < g->nqueues; q++) {
			g->q[q].cfg = cfg;
			gro_set_cfg(g->q[q].gro, &cfg);
			g->q[q].st.policy_generation = ctl.generation;
		}
	}
	w->policy_gen = ctl.generation;
}

static void push_stats(struct bf_worker *w)
{
	unsigned int i, q;

	/* a port counts for the whole guest: report on queue 0 */
	for (i = 0; i < w->nguests; i++) {
		const struct bf_port *p = w->guests[i]->port;
		struct bf_backend_stats *st = &w->guests[i]->q[0].st;

		if (p->violations)
			st->violations = *p->violations;
		if (p->chains_dropped)
			st->chains_dropped = *p->chains_dropped;
		if (p->zced) {
			st->zced_announce = p->zced->announce;
			st->zced_rejected = p->zced->rejected;
			st->zced_shared_bytes = p->zced->shared_bytes;
		}
		st->reloads = __atomic_load_n(&w->reloads, __ATOMIC_RELAXED);
		st->reload_failures = __atomic_load_n(&w->reload_failures, __ATOMIC_RELAXED);
		if (p->vhost) {
			st->vhost_bad_messages = p->vhost->bad_messages;
			st->vhost_mem_faults = p->vhost->mem_faults;
			st->vhost_reply_stalls = p->vhost->reply_stalls;
		}
	}
	for (i = 0; i < w->nguests; i++)
		for (q = 0; q < w->guests[i]->nqueues; q++)
			bpf_map_update_elem(w->backend_fd, &w->guests[i]->q[q].slot,
					    &w->guests[i]->q[q].st, BPF_ANY);
}

/*
 * The guest posts no RX buffers (its packets are parked): its frames wait
 * in its AF_XDP ring, but no more than its share of the UMEM (rx_share).
 * The oldest beyond that are dropped, so what the guest gets later is still
 * in order, and a stalled guest never holds the frames the others' RX and
 * TX need. Counts as no work: the guest's kick resumes the queue.
 */
static unsigned int rx_shed(struct bf_worker *w, struct bf_queue *qq)
{
	uint32_t avail = afxdp_rx_avail(&qq->sock), idx, i, n;

	if (avail <= w->rx_share)
		return 0;
	n = xsk_ring_cons__peek(&qq->sock.rx, avail - w->rx_share, &idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&qq->sock.rx, idx + i);
		size_t flen;

		/* a multi-buffer frame is dropped whole, also the parts
		 * still to come (the gather state discards them) */
		qq->gather.bad = true;
		if (bf_gather_part(&qq->gather, NULL, d->len, d->options & XDP_PKT_CONTD,
				   &flen) != BF_GATHER_MORE) {
			qq->st.in_packets++;
			qq->st.drop_guest_full++;
		}
		qq->st.in_bytes += d->len;
		afxdp_frame_put(&w->umem, xsk_umem__extract_addr(d->addr));
	}
	if (n)
		xsk_ring_cons__release(&qq->sock.rx, n);
	return 0;
}

/* One part of a multi-buffer frame (xsk/gather.h): a whole frame goes to
 * PRPR; one over BF_MAX_WIRE_FRAME bytes or MULTI_MAX_PARTS parts, or one
 * arriving without SG, is dropped and counted once. */
static void rx_gather(struct bf_queue *qq, const uint8_t *part, uint32_t len,
		      bool more, uint64_t now)
{
	size_t flen;

	switch (bf_gather_part(&qq->gather, part, len, more, &flen)) {
	case BF_GATHER_MORE:
		return;
	case BF_GATHER_DROP:
		qq->st.in_packets++;
		qq->st.drop_rx_oversize++;
		return;
	case BF_GATHER_DONE:
		qq->st.in_packets++;
		qq->st.in_bytes += flen;
		qq->st.rx_multibuf++;
		gro_input(qq->gro, qq->gather.buf, flen, now);
		return;
	}
}

/* One RX descriptor: a whole frame goes to PRPR straight from the UMEM,
 * a part of a larger one to rx_gather. Its UMEM frame returns to the pool. */
static void rx_desc(struct bf_worker *w, struct bf_queue *qq,
		    const struct xdp_desc *d, uint64_t now)
{
	struct afxdp_umem *um = &w->umem;
	bool more = d->options & XDP_PKT_CONTD;

	if (!more && !qq->gather.parts) {
		qq->st.in_packets++;
		qq->st.in_bytes += d->len;
		if (d->len <= um->opts.frame_size)
			gro_input(qq->gro, afxdp_data(um, d->addr), d->len, now);
	} else {
		rx_gather(qq, afxdp_data(um, d->addr),
			  d->len <= um->opts.frame_size ? d->len : UINT32_MAX, more, now);
	}
	afxdp_frame_put(um, xsk_umem__extract_addr(d->addr));
}

static unsigned int rx_queue(struct bf_worker *w, struct bf_queue *qq, uint64_t now)
{
	uint32_t idx, i, n;

	if (!drain_pending(qq))
		return rx_shed(w, qq);	/* backpressure, within its share */
	n = xsk_ring_cons__peek(&qq->sock.rx, w->o.batch, &idx);
	for (i = 0; i < n; i++) {
		rx_desc(w, qq, xsk_ring_cons__rx_desc(&qq->sock.rx, idx + i), now);
		if (qq->pend_n) {	/* guest full: stop taking frames */
			/* the rest stay on the ring, peeked again later */
			xsk_ring_cons__cancel(&qq->sock.rx, n - i - 1);
			n = i + 1;
			break;
		}
	}
	if (n)
		xsk_ring_cons__release(&qq->sock.rx, n);
	/* Without a hold timeout PRPR behaves like GRO without
	 * gro_flush_timeout: whatever one batch merged leaves at its end. */
	if (n && qq->cfg.flush_ns == 0 && !qq->pend_n)
		gro_flush_all(qq->gro, GRO_FLUSH_BATCH_END);
	return n;
}

struct tx_ctx {
	struct bf_worker *w;
	struct bf_queue *qq;
};

static void kick_tx(struct bf_worker *w, struct bf_queue *qq)
{
	unsigned int tries;

	/* Copy mode transmits a bounded batch per wakeup: repeat while the
	 * kernel has not consumed the whole ring. */
	for (tries = 0; tries < 64 && afxdp_tx_pending(&qq->sock); tries++) {
		afxdp_tx_kick(&qq->sock);
		afxdp_reclaim(&w->umem);
	}
}

/* A free UMEM frame, reclaiming sent ones once if none is left. */
static bool tx_frame_get(struct tx_ctx *c, uint64_t *addr)
{
	if (afxdp_frame_get(&c->w->umem, addr))
		return true;
	kick_tx(c->w, c->qq);
	return afxdp_frame_get(&c->w->umem, addr);
}

/*
 * A segment larger than one UMEM frame (sockets bound with XDP_USE_SG):
 * written over ceil(len / frame_size) frames and queued as that many
 * descriptors with XDP_PKT_CONTD. Bounded by BF_MAX_WIRE_FRAME and, below
 * that, by the wire MTU the backend started with (what TSO's MSS must
 * respect: a larger frame would be dropped by the device).
 */
static int tx_emit_multi(struct tx_ctx *c, const uint8_t *frame, size_t len)
{
	struct afxdp_umem *um = &c->w->umem;
	uint32_t fs = um->opts.frame_size, n, i, plen[MULTI_MAX_PARTS];
	uint64_t addr[MULTI_MAX_PARTS];

	n = (len + fs - 1) / fs;
	if (len > BF_MAX_WIRE_FRAME || n > MULTI_MAX_PARTS ||
	    len > (size_t)c->w->wire_mtu + BF_L2_MAX_HDR) {
		c->qq->st.drop_bad_tx++;
		return -EMSGSIZE;
	}
	for (i = 0; i < n; i++) {
		if (!tx_frame_get(c, &addr[i]))
			goto no_frame;
		plen[i] = len - (size_t)i * fs < fs ? len - (size_t)i * fs : fs;
		memcpy(afxdp_data(um, addr[i]), frame + (size_t)i * fs, plen[i]);
	}
	if (!afxdp_tx_multi(&c->qq->sock, addr, plen, n)) {
		kick_tx(c->w, c->qq);
		if (!afxdp_tx_multi(&c->qq->sock, addr, plen, n))
			goto no_frame;
	}
	c->qq->st.tx_segments++;
	c->qq->st.tx_multibuf++;
	return 0;
no_frame:
	while (i--)
		afxdp_frame_put(um, addr[i]);
	c->qq->st.drop_no_frame++;
	return -ENOBUFS;
}

/* TSO output segment -> UMEM frame -> AF_XDP TX ring. */
static int tx_emit(void *ctx, const uint8_t *frame, size_t len)
{
	struct tx_ctx *c = ctx;
	struct afxdp_umem *um = &c->w->umem;
	uint64_t addr;

	if (len > um->opts.frame_size && um->opts.sg)
		return tx_emit_multi(c, frame, len);
	if (len > um->opts.frame_size) {
		c->qq->st.drop_bad_tx++;
		return -EMSGSIZE;
	}
	if (!tx_frame_get(c, &addr)) {
		c->qq->st.drop_no_frame++;
		return -ENOBUFS;
	}
	memcpy(afxdp_data(um, addr), frame, len);
	if (!afxdp_tx(&c->qq->sock, addr, len)) {
		kick_tx(c->w, c->qq);
		if (!afxdp_tx(&c->qq->sock, addr, len)) {
			afxdp_frame_put(um, addr);
			c->qq->st.drop_no_frame++;
			return -ENOBUFS;
		}
	}
	c->qq->st.tx_segments++;
	return 0;
}

/* A ZCED pool registration: the backend's, never the wire's. */
static void tx_registration(struct bf_queue *qq, const uint8_t *frame, size_t len)
{
	struct bf_port *p = qq->g->port;

	if (!p->ops->registration) {
		qq->st.zced_rejected++;		/* no guest memory to share */
		return;
	}
	/* counted by the port; what is shared now outlives this process */
	if (!p->ops->registration(p, frame, len) && p->zced_spans)
		bpf_map_update_elem(qq->w->zced_fd, &qq->g->id, p->zced_spans, BPF_ANY);
}

static unsigned int tx_queue(struct bf_worker *w, struct bf_queue *qq)
{
	struct bf_port *p = qq->g->port;
	struct tx_ctx c = { w, qq };
	struct virtio_net_hdr vh;
	unsigned int i;
	ssize_t n;
	int ret;

	for (i = 0; i < w->o.batch; i++) {
		n = p->ops->fetch(p, qq->index, &vh, w->txbuf, TXBUF_SIZE);
		if (n == 0)
			break;
		if (n < 0) {
			if (n != BF_PORT_VIOLATION)	/* violations counted by the port */
				qq->st.drop_bad_tx++;
			if (n == -EIO)			/* broken ring: stop for now */
				break;
			continue;
		}
		if (zced_reg_is_msg(w->txbuf, n)) {
			tx_registration(qq, w->txbuf, n);
			continue;
		}
		qq->st.tx_packets++;
		if (!gso_guest_gso_ok(&vh)) {	/* a flood of tiny segments */
			qq->st.drop_bad_tx++;
			continue;
		}
		ret = gso_segment(&vh, w->txbuf, n, w->scratch, TXBUF_SIZE, tx_emit, &c);
		/* tx_emit counted its own failures (-ENOBUFS, -EMSGSIZE) */
		if (ret < 0 && ret != -ENOBUFS && ret != -EMSGSIZE)
			qq->st.drop_bad_tx++;
	}
	if (i)
		kick_tx(w, qq);
	return i;
}

/* Rebuilds the wait set: every socket, then each port's descriptors. */
static int build_pollfds(struct bf_worker *w, struct bf_queue **qs, unsigned int nq,
			 struct pollfd *pfd, int max, int *port_first, int *port_n)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < nq && n < max; i++) {
		/* A stalled queue's ring holds frames, so it is always ready:
		 * its guest's RX kick and STALL_WAIT_NS wake the worker. */
		if (qs[i]->pend_n)
			continue;
		pfd[n].fd = qs[i]->sock.fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	for (i = 0; i < w->nguests; i++) {
		struct bf_port *p = w->guests[i]->port;
		int k;

		port_first[i] = n;
		port_n[i] = p->ops->pollfds(p, pfd + n, max - n);
		for (k = 0; k < port_n[i]; k++)
			pfd[n + k].revents = 0;
		n += port_n[i];
	}
	return n;
}

/* The worker thread's view of its queues, built when it starts. */
struct worker_loop {
	struct bf_queue *qs[BF_MAX_GUESTS * BF_MAX_QUEUES];
	unsigned int nq;
	uint32_t fill_target;
	struct pollfd pfd[4 * BF_MAX_GUESTS * BF_MAX_QUEUES];
	int port_first[BF_MAX_GUESTS], port_n[BF_MAX_GUESTS];
};

/* One pass over every queue: RX, expired merges, TX, port flush; the
 * number of descriptors handled. */
static unsigned int serve_queues(struct bf_worker *w, struct worker_loop *l, uint64_t now)
{
	unsigned int i, work = 0;

	afxdp_reclaim(&w->umem);
	afxdp_refill(&w->umem, l->fill_target);
	for (i = 0; i < l->nq; i++) {
		struct bf_queue *qq = l->qs[i];
		struct bf_port *p = qq->g->port;

		work += rx_queue(w, qq, now);
		if (!qq->pend_n)	/* held packets keep their order */
			gro_flush_expired(qq->gro, now);
		work += tx_queue(w, qq);
		p->ops->flush(p, qq->index);
	}
	afxdp_refill(&w->umem, l->fill_target);
	return work;
}

/* Policy and counters, each at its own period. */
static void housekeeping(struct bf_worker *w, uint64_t now)
{
	if (now - w->last_policy_check > POLICY_CHECK_NS) {
		load_policy(w, false);
		w->last_policy_check = now;
	}
	if (now - w->last_stats_push > STATS_PUSH_NS) {
		push_stats(w);
		w->last_stats_push = now;
	}
}

/* Sleeps until the next merge deadline or I/O (not at all after work),
 * then lets the ports handle their control traffic. */
static void wait_for_work(struct bf_worker *w, struct worker_loop *l, uint64_t now,
			  unsigned int work)
{
	uint64_t deadline = now + (work ? 0 : IDLE_WAIT_NS), d;
	struct timespec ts;
	unsigned int i;
	int npfd;

	for (i = 0; !work && i < l->nq; i++) {
		d = l->qs[i]->pend_n ? now + STALL_WAIT_NS : gro_next_deadline(l->qs[i]->gro);
		if (d < deadline)
			deadline = d;
	}
	d = deadline > now ? deadline - now : 0;
	ts.tv_sec = d / 1000000000ULL;
	ts.tv_nsec = d % 1000000000ULL;
	if (!work)
		afxdp_rx_kick(&l->qs[0]->sock);
	/* also when busy (zero timeout): ports' control traffic */
	npfd = build_pollfds(w, l->qs, l->nq, l->pfd, sizeof(l->pfd) / sizeof(l->pfd[0]),
			     l->port_first, l->port_n);
	if (ppoll(l->pfd, npfd, &ts, NULL) > 0) {
		for (i = 0; i < w->nguests; i++) {
			struct bf_port *p = w->guests[i]->port;

			p->ops->service(p, l->pfd + l->port_first[i], l->port_n[i]);
		}
	}
}

static void *worker_main(void *arg)
{
	struct bf_worker *w = arg;
	struct worker_loop l;
	unsigned int i, q, work;
	struct timespec ts;
	uint64_t now;

	if (w->o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->o.cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	l.nq = 0;
	for (i = 0; i < w->nguests; i++)
		for (q = 0; q < w->guests[i]->nqueues; q++)
			l.qs[l.nq++] = &w->guests[i]->q[q];
	l.fill_target = afxdp_fill_target(&w->o.xsk);
	w->rx_share = afxdp_rx_share(&w->o.xsk, l.nq);
	load_policy(w, true);
	push_stats(w);
	while (!*w->stop && !w->pause) {
		now = bf_now_ns();
		work = serve_queues(w, &l, now);
		housekeeping(w, now);
		w->loops++;
		wait_for_work(w, &l, now, work);
	}
	for (i = 0; i < l.nq; i++)
		gro_flush_all(l.qs[i]->gro, GRO_FLUSH_BATCH_END);
	push_stats(w);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	w->cpu_ns += (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return NULL;
}

static void guest_unbind(struct bf_worker *w, struct bf_guest_rt *g);
static int guest_bind(struct bf_worker *w, struct bf_guest_rt *g, char *err, size_t errlen);

/* Closes every AF_XDP socket of the worker and its UMEM. */
static void unbind_all(struct bf_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nguests; i++)
		guest_unbind(w, w->guests[i]);
	afxdp_umem_destroy(&w->umem);
}

/* Names the multi-buffer bind as the cause when the driver refused it. */
static void sg_bind_hint(const struct bf_worker *w, int ret, char *err, size_t errlen)
{
	size_t l = strlen(err);

	if (!w->o.xsk.sg || (ret != -EINVAL && ret != -EOPNOTSUPP) || l >= errlen)
		return;
	snprintf(err + l, errlen - l, " (MTU %d needs multi-buffer AF_XDP, XDP_USE_SG, which "
		 "this driver refused in %s mode: the largest MTU it can serve is %d)",
		 w->wire_mtu, w->o.xsk.zerocopy ? "zero-copy" : "copy",
		 bf_mtu_max_without_sg(w->o.xsk.frame_size));
}

/* Creates the UMEM and binds one socket per guest queue; on failure
 * nothing is left bound. */
static int bind_all(struct bf_worker *w, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	ret = afxdp_umem_create(&w->umem, &w->o.xsk);
	if (ret) {
		snprintf(err, errlen, "cannot create UMEM (%u frames of %u bytes): %s",
			 w->o.xsk.nframes, w->o.xsk.frame_size, strerror(-ret));
		return ret;
	}
	for (i = 0; i < w->nguests; i++) {
		ret = guest_bind(w, w->guests[i], err, errlen);
		if (ret) {
			while (i--)
				guest_unbind(w, w->guests[i]);
			afxdp_umem_destroy(&w->umem);
			return ret;
		}
	}
	return 0;
}

/*
 * The kernel releases an AF_XDP socket and its UMEM asynchronously (a
 * deferred work item) after the owning process closed it: a backend that
 * starts right after another one exited on the same queue gets EBUSY from
 * bind() for a few milliseconds. Retry that, with doubling backoff, for at
 * most BIND_RETRY_MS (wall time, attempts included); any other error, or
 * EBUSY past the bound, is final. A stop request (SIGTERM, SIGINT) ends the
 * wait at once with -EINTR.
 */
#define BIND_RETRY_MS		10000
static int bind_with_retry(struct bf_worker *w, char *err, size_t errlen)
{
	unsigned int backoff_ms = 5, waited_ms;
	uint64_t t0 = bf_now_ns();
	int ret;

	for (;;) {
		ret = bind_all(w, err, errlen);
		if (ret != -EBUSY)
			return ret;
		waited_ms = (unsigned int)((bf_now_ns() - t0) / 1000000);
		if (*w->stop) {
			snprintf(err, errlen, "stopped while %s queue %u was busy (after %u ms)",
				 w->ifname, w->o.nic_queue, waited_ms);
			return -EINTR;
		}
		if (waited_ms >= BIND_RETRY_MS) {
			size_t l = strlen(err);

			snprintf(err + l, errlen - l,
				 " (still busy after %u ms: another process holds this queue)",
				 waited_ms);
			return ret;
		}
		if (backoff_ms == 5)
			bf_warn("%s queue %u busy (a previous AF_XDP socket "
				"is still being released): retrying for up to %u ms",
				w->ifname, w->o.nic_queue, BIND_RETRY_MS);
		usleep(backoff_ms * 1000);	/* a stop signal cuts it short */
		if (backoff_ms < 200)
			backoff_ms *= 2;
	}
}

/* Reads the wire MTU, refuses one Bifrost or the kernel cannot serve
 * (one line in err), and binds with XDP_USE_SG when a frame of that MTU
 * can exceed one UMEM frame. */
static int wire_mtu_setup(struct bf_worker *w, char *err, size_t errlen)
{
	int mtu = bf_if_mtu(w->ifname), ret;

	if (mtu < 0) {
		snprintf(err, errlen, "cannot read the MTU of %s: %s", w->ifname, strerror(-mtu));
		return mtu;
	}
	ret = bf_mtu_check(w->ifname, mtu, w->o.xsk.frame_size, err, errlen);
	if (ret)
		return ret;
	w->wire_mtu = mtu;
	w->o.xsk.sg = bf_mtu_needs_sg(mtu, w->o.xsk.frame_size);
	return 0;
}

/* The worker's state of guest g's queues (sockets are bound apart). */
static int guest_setup(struct bf_worker *w, struct bf_guest_rt *g)
{
	unsigned int q, k;

	snprintf(g->port->guest, sizeof(g->port->guest), "%s", g->name);
	/* what this guest shared with a previous backend (checked
	 * against its memory when it connects) */
	if (g->port->zced_spans &&
	    bpf_map_lookup_elem(w->zced_fd, &g->id, g->port->zced_spans))
		memset(g->port->zced_spans, 0, sizeof(*g->port->zced_spans));
	for (q = 0; q < g->nqueues; q++) {
		struct bf_queue *qq = &g->q[q];

		qq->w = w;
		qq->g = g;
		qq->index = q;
		qq->slot = BF_XSK_SLOT(g->id, q);
		qq->gro = gro_new(GRO_FLOWS, deliver, qq, &qq->st);
		qq->pend = calloc(PEND_SLOTS, sizeof(*qq->pend));
		if (!qq->gro || !qq->pend)
			return -ENOMEM;
		qq->pend_cap = PEND_SLOTS;
		qq->gather.cap = BF_MAX_WIRE_FRAME;
		qq->gather.max_parts = MULTI_MAX_PARTS;
		if (w->o.xsk.sg && !(qq->gather.buf = malloc(BF_MAX_WIRE_FRAME)))
			return -ENOMEM;
		for (k = 0; k < PEND_SLOTS; k++)
			if (!(qq->pend[k].buf = malloc(PEND_BUF)))
				return -ENOMEM;
	}
	return 0;
}

/* Frees what guest_setup() made (its sockets must be closed). */
static void guest_teardown(struct bf_guest_rt *g)
{
	unsigned int q, k;

	for (q = 0; q < g->nqueues; q++) {
		struct bf_queue *qq = &g->q[q];

		if (qq->gro)
			gro_free(qq->gro);
		qq->gro = NULL;
		for (k = 0; qq->pend && k < qq->pend_cap; k++)
			free(qq->pend[k].buf);
		free(qq->pend);
		qq->pend = NULL;
		free(qq->gather.buf);
		qq->gather.buf = NULL;
	}
}

/* Closes the AF_XDP sockets of guest g (its XSKMAP slots go empty). */
static void guest_unbind(struct bf_worker *w, struct bf_guest_rt *g)
{
	unsigned int q;

	for (q = 0; q < g->nqueues; q++)
		afxdp_sock_destroy(&g->q[q].sock, w->xskmap_fd, g->q[q].slot);
}

/* Binds one socket per queue of guest g to the worker's UMEM; on failure
 * none of g's is left bound. */
static int guest_bind(struct bf_worker *w, struct bf_guest_rt *g, char *err, size_t errlen)
{
	unsigned int q;
	int ret;

	for (q = 0; q < g->nqueues; q++) {
		ret = afxdp_sock_create(&g->q[q].sock, &w->umem, w->ifname,
					w->o.nic_queue, w->xskmap_fd, g->q[q].slot);
		if (ret) {
			snprintf(err, errlen,
				 "cannot bind AF_XDP socket for guest %s queue %u on %s queue %u: %s",
				 g->name, q, w->ifname, w->o.nic_queue, strerror(-ret));
			sg_bind_hint(w, ret, err, errlen);
			while (q--)
				afxdp_sock_destroy(&g->q[q].sock, w->xskmap_fd, g->q[q].slot);
			return ret;
		}
	}
	return 0;
}

int bf_worker_init(struct bf_worker *w, const char *ifname,
		   const struct bf_worker_opts *o, struct bf_guest_rt **guests,
		   unsigned int nguests, volatile sig_atomic_t *stop,
		   char *err, size_t errlen)
{
	struct bf_maps m;
	unsigned int i;
	int ret;

	memset(w, 0, sizeof(*w));
	w->o = *o;
	w->ifname = ifname;
	w->guests = guests;
	w->nguests = nguests;
	w->stop = stop;
	w->xskmap_fd = w->policy_fd = w->ctl_fd = w->backend_fd = w->zced_fd = -1;
	ret = wire_mtu_setup(w, err, errlen);
	if (ret)
		return ret;
	ret = bf_maps_open(ifname, &m);
	if (ret == -EPROTO) {
		bf_maps_strerror(ifname, ret, err, errlen);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "Bifrost is not attached to %s (run 'bifrostctl attach %s'): %s",
			 ifname, ifname, strerror(-ret));
		return ret;
	}
	w->xskmap_fd = dup(m.xsks);
	w->policy_fd = dup(m.policy);
	w->ctl_fd = dup(m.ctl);
	w->backend_fd = dup(m.backend);
	w->zced_fd = dup(m.zced_shared);
	bf_maps_close(&m);
	w->txbuf = malloc(TXBUF_SIZE);
	w->scratch = malloc(TXBUF_SIZE);
	if (!w->txbuf || !w->scratch)
		return -ENOMEM;
	for (i = 0; i < nguests; i++) {
		ret = guest_setup(w, guests[i]);
		if (ret)
			return ret;
	}
	return bind_with_retry(w, err, errlen);
}

int bf_worker_start(struct bf_worker *w)
{
	return -pthread_create(&w->thread, NULL, worker_main, w);
}

int bf_worker_join(struct bf_worker *w)
{
	return -pthread_join(w->thread, NULL);
}

void bf_worker_destroy(struct bf_worker *w)
{
	unsigned int i;

	unbind_all(w);
	for (i = 0; i < w->nguests; i++)
		guest_teardown(w->guests[i]);
	free(w->txbuf);
	free(w->scratch);
	if (w->xskmap_fd >= 0)
		close(w->xskmap_fd);
	if (w->policy_fd >= 0)
		close(w->policy_fd);
	if (w->ctl_fd >= 0)
		close(w->ctl_fd);
	if (w->backend_fd >= 0)
		close(w->backend_fd);
	if (w->zced_fd >= 0)
		close(w->zced_fd);
}

int bf_worker_pause(struct bf_worker *w)
{
	w->pause = 1;
	return bf_worker_join(w);
}

int bf_worker_resume(struct bf_worker *w)
{
	w->pause = 0;
	return bf_worker_start(w);
}

int bf_worker_add_guest(struct bf_worker *w, struct bf_guest_rt *g, char *err, size_t errlen)
{
	int ret;

	if (w->nguests >= BF_MAX_GUESTS) {
		snprintf(err, errlen, "at most %d guests", BF_MAX_GUESTS);
		return -ENOSPC;
	}
	ret = guest_setup(w, g);
	if (ret) {
		snprintf(err, errlen, "guest %s: %s", g->name, strerror(-ret));
		guest_teardown(g);
		return ret;
	}
	ret = guest_bind(w, g, err, errlen);
	if (ret) {
		guest_teardown(g);
		return ret;
	}
	w->guests[w->nguests++] = g;
	return 0;
}

void bf_worker_remove_guest(struct bf_worker *w, struct bf_guest_rt *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nguests; i++)
		if (w->guests[i] != g)
			w->guests[n++] = w->guests[i];
	if (n == w->nguests)
		return;
	w->nguests = n;
	guest_unbind(w, g);
	guest_teardown(g);
}
