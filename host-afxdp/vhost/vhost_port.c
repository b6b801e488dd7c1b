// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vhost_port.c - a guest port on a vhost-user virtio-net device.
 *
 * RX (to the guest): the packet and its virtio_net_hdr are written into as
 * many mergeable receive buffers as it needs (num_buffers), all returned to
 * the guest in one used-index update. A packet that does not fit the
 * buffers the guest has posted is dropped (the caller counts it).
 * TX (from the guest): a chain is copied once into a private buffer; the
 * header and frame are parsed only from that copy.
 * In CVM mode a buffer outside the shared ranges is never read or written:
 * the packet is dropped and the violation counted.
 * A ZCED pool registration from the guest (zced_reg.h) is parsed from that
 * private copy too; a valid one replaces the device's dynamic shared ranges.
 * Every access to guest memory runs under a SIGBUS guard (guestmem.h): a
 * front-end that shrinks the file behind its memory loses its connection,
 * the backend and its other guests go on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef BF_ADVERSARY
#include "adversary.h"
#endif
#include "vhost/guestmem.h"
#include "port.h"
#include "offload/gso.h"
#include "vhost/vhost_user.h"
#include "vhost/zced_reg.h"
#include "log.h"
#include "util.h"

#define MAX_RX_CHAINS	64
#define GSO_SCRATCH	(65536 + 256)

struct vhost_port {
	struct bf_port port;
	struct vhost_dev dev;
	bool rx_pending;	/* pushed since the last notify */
	bool tx_pending;
	uint8_t *scratch;	/* TSO for guests without GUEST_TSO */
	struct vq_chain *rxc;	/* [MAX_RX_CHAINS]: the buffers of one RX packet */
	struct vq_chain txc;	/* the chain of one TX packet */
	/* A merged packet cut up for such a guest whose RX ring filled part
	 * way: which packet (fingerprint) and how many of its frames the guest
	 * already has; a retry of that packet delivers only the rest. */
	uint64_t reseg_fp;
	unsigned int reseg_done;
#ifdef BF_ADVERSARY
	struct adversary adv;	/* the test build's hostile host, off unless asked */
	unsigned int adv_storm;	/* flushes that still notify regardless */
#endif
	struct bf_ratelimit log_ok, log_bad;
};

static struct vhost_port *vp_of(struct bf_port *p)
{
	return (struct vhost_port *)p;
}

/* Copies src into the chain buffers from byte offset *pos on. */
static void chain_write(struct vq_chain *c, uint64_t *pos, const uint8_t *src, size_t len)
{
	uint64_t off = *pos;
	unsigned int i;

	for (i = 0; i < c->n && len; i++) {
		uint32_t n;

		if (off >= c->b[i].len) {
			off -= c->b[i].len;
			continue;
		}
		n = c->b[i].len - off;
		if (n > len)
			n = len;
		memcpy(c->b[i].p + off, src, n);
		src += n;
		len -= n;
		*pos += n;
		off = 0;
	}
}

#ifdef BF_ADVERSARY
/*
 * The test build's hostile host (bifrost-host-adversary, adversary.h): the
 * hooks deliver_one and vp_flush call. The installed bifrost-host is built
 * without BF_ADVERSARY and has none of it.
 */
static int deliver_one(struct vhost_port *vp, const struct virtio_net_hdr *vh,
		       const uint8_t *frame, size_t len, bool honest);

/* Decides about a packet whose buffers are collected (so each packet is
 * decided once, however often a full ring makes it wait). */
static bool adv_pick(struct vhost_port *vp, const uint8_t *frame, size_t len, uint32_t *poff,
		     struct adv_mutation *m)
{
	if (!adversary_pick(&vp->adv, frame, len, poff, m))
		return false;
	if (m->storm)
		vp->adv_storm = m->storm;
	return true;
}

/* After a picked packet is published: a forged announcement to follow it,
 * whatever becomes of it (the packet's buffers are the guest's by now). */
static void adv_forge(struct vhost_port *vp, const struct adv_mutation *m)
{
	uint8_t forged[ADV_FORGE_MAX];
	struct virtio_net_hdr vh0 = { 0 };
	size_t n;

	if (!m->forge)
		return;
	n = adversary_forge(&vp->adv, forged, sizeof(forged));
	deliver_one(vp, &vh0, forged, n, true);
}

/* The packet deliver_one wrote, as adversary.h sees it. */
static struct adv_packet adv_packet_of(struct vhost_port *vp, struct vq_chain *c,
				       unsigned int nbuf, uint32_t *lens, unsigned int *order,
				       uint32_t poff, size_t len)
{
	return (struct adv_packet){ c, nbuf, lens, order, (uint32_t)vp->dev.hdr_len,
				    (uint32_t)len, poff, vp->dev.vr[VHOST_RXQ].vq.num };
}

static void adv_before(struct vhost_port *vp, struct adv_mutation *m, struct vq_chain *c,
		       unsigned int nbuf, uint32_t *lens, unsigned int *order, uint32_t poff,
		       size_t len)
{
	struct adv_packet p = adv_packet_of(vp, c, nbuf, lens, order, poff, len);

	adversary_before(&vp->adv, m, &p);
}

static void adv_after(struct vhost_port *vp, const struct adv_mutation *m, struct vq_chain *c,
		      unsigned int nbuf, uint32_t *lens, unsigned int *order, uint32_t poff,
		      size_t len)
{
	struct adv_packet p = adv_packet_of(vp, c, nbuf, lens, order, poff, len);

	adversary_after(&vp->adv, m, &p);
}

/* At a flush: false while the campaign withholds notifications; during a
 * storm, both queues are notified whether or not anything is new. Once the
 * host is honest (adversary_stopped()), neither. */
static bool adv_flush(struct vhost_port *vp)
{
	if (adversary_stopped()) {
		vp->adv_storm = 0;
		return true;
	}
	if (vp->adv_storm) {
		vp->adv_storm--;
		if (vhost_dev_queue_ready(&vp->dev, VHOST_RXQ))
			vhost_dev_notify_always(&vp->dev, VHOST_RXQ);
		if (vhost_dev_queue_ready(&vp->dev, VHOST_TXQ))
			vhost_dev_notify_always(&vp->dev, VHOST_TXQ);
	}
	return !adversary_silent(&vp->adv);
}

static void adv_report(const struct vhost_port *vp)
{
	char line[512];

	if (!vp->adv.points)
		return;
	adversary_summary(&vp->adv, line, sizeof(line));
	bf_warn("adversary: %s", line);
}

void bf_vhost_port_set_adversary(struct bf_port *p, const struct adversary *a)
{
	vp_of(p)->adv = *a;
}
#else
/* The installed build: no frame is ever picked, so nothing is tampered with
 * (what deliver_one reads of a decision, never set). */
struct adv_mutation {
	bool extra_used;
	uint16_t extra_id;
	uint32_t extra_len;
};

static bool adv_pick(struct vhost_port *vp, const uint8_t *frame, size_t len, uint32_t *poff,
		     struct adv_mutation *m)
{
	(void)vp, (void)frame, (void)len, (void)poff, (void)m;
	return false;
}

static void adv_before(struct vhost_port *vp, struct adv_mutation *m, struct vq_chain *c,
		       unsigned int nbuf, uint32_t *lens, unsigned int *order, uint32_t poff,
		       size_t len)
{
	(void)vp, (void)m, (void)c, (void)nbuf, (void)lens, (void)order, (void)poff, (void)len;
}

static void adv_after(struct vhost_port *vp, const struct adv_mutation *m, struct vq_chain *c,
		      unsigned int nbuf, uint32_t *lens, unsigned int *order, uint32_t poff,
		      size_t len)
{
	(void)vp, (void)m, (void)c, (void)nbuf, (void)lens, (void)order, (void)poff, (void)len;
}

static void adv_forge(struct vhost_port *vp, const struct adv_mutation *m)
{
	(void)vp, (void)m;
}

static bool adv_flush(struct vhost_port *vp)
{
	(void)vp;
	return true;
}

static void adv_report(const struct vhost_port *vp)
{
	(void)vp;
}
#endif

/* Pops RX chains until they hold want bytes (*nbuf of them); 0, or the
 * error deliver_one() returns with the chains given back. */
static int collect_chains(struct vhost_port *vp, uint64_t want, uint16_t *nbuf_out)
{
	struct vhost_dev *d = &vp->dev;
	struct virtq *vq = &d->vr[VHOST_RXQ].vq;
	struct vq_chain *c = vp->rxc;
	uint64_t have = 0;
	unsigned int descs = 0, i;
	uint16_t nbuf = 0;
	bool mrg = vhost_dev_has(d, VHOST_F_MRG_RXBUF), retried = false;
	int r;

	while (have < want) {
		if (nbuf == MAX_RX_CHAINS || (nbuf && !mrg) || descs > VQ_MAX_BUFS) {
			/* it will never fit the buffers this guest posts:
			 * drop (counted), do not wait for room; the next
			 * packet walks these chains again, so what they may
			 * cost together is bounded too */
			vq_unpop(vq, nbuf);
			return -EMSGSIZE;
		}
		r = vq_pop(vq, &d->mem, &d->shared, VQ_DEVICE_WRITES, &c[nbuf]);
		if (r == 0) {		/* guest has not posted enough buffers */
			vq_unpop(vq, nbuf);
			vq_arm_kick(vq);	/* it kicks when it adds some */
			if (vq_avail(vq) > nbuf && !retried) {
				retried = true;	/* raced with the guest: once more */
				nbuf = 0;
				have = 0;
				descs = 0;
				continue;
			}
			return -EAGAIN;
		}
		if (r == -EACCES || r == -E2BIG) {	/* counted; give every buffer back empty */
			for (i = 0; i <= nbuf; i++)
				vq_push(vq, c[i].head, 0);
			vq_publish(vq);
			vp->rx_pending = true;
			return r;
		}
		if (r < 0)
			return r;
		have += c[nbuf].bytes;
		descs += c[nbuf].descs;
		nbuf++;
	}
	*nbuf_out = nbuf;
	return 0;
}

/* Writes header and frame over the nbuf chains; their used lengths go
 * to lens[]. */
static void fill_chains(struct vhost_port *vp, const struct virtio_net_hdr *vh,
			const uint8_t *frame, size_t len, uint16_t nbuf, uint32_t *lens)
{
	struct vhost_dev *d = &vp->dev;
	struct vq_chain *c = vp->rxc;
	uint8_t hdr[12];
	uint16_t le;
	uint64_t take;
	unsigned int i;

	memcpy(hdr, vh, sizeof(*vh));
	le = htole16(nbuf);
	memcpy(hdr + 10, &le, 2);
	for (i = 0; i < nbuf; i++) {
		uint64_t pos = 0, room = c[i].bytes;

		if (i == 0) {
			chain_write(&c[0], &pos, hdr, d->hdr_len);
			room -= d->hdr_len;
		}
		take = len < room ? len : room;
		chain_write(&c[i], &pos, frame, take);
		frame += take;
		len -= take;
		lens[i] = (uint32_t)pos;
	}
}

/*
 * Delivers one packet into the guest's receive buffers and publishes it.
 * honest: never tampered with (the test build's forged frames themselves).
 */
static int deliver_one(struct vhost_port *vp, const struct virtio_net_hdr *vh,
		       const uint8_t *frame, size_t len, bool honest)
{
	struct vhost_dev *d = &vp->dev;
	struct virtq *vq = &d->vr[VHOST_RXQ].vq;
	struct vq_chain *c = vp->rxc;
	uint32_t lens[MAX_RX_CHAINS], poff = 0;
	unsigned int order[MAX_RX_CHAINS];
	struct adv_mutation m;
	uint16_t nbuf = 0;
	unsigned int i;
	bool hit;
	int r;

	r = collect_chains(vp, d->hdr_len + len, &nbuf);
	if (r)
		return r;
	if (c[0].bytes < d->hdr_len) {	/* no room for the header: malformed */
		for (i = 0; i < nbuf; i++)
			vq_push(vq, c[i].head, 0);
		vq_publish(vq);
		vp->rx_pending = true;
		return -EINVAL;
	}
	hit = !honest && adv_pick(vp, frame, len, &poff, &m);
	fill_chains(vp, vh, frame, len, nbuf, lens);
	for (i = 0; i < nbuf; i++)
		order[i] = i;
	if (hit)
		adv_before(vp, &m, c, nbuf, lens, order, poff, len);
	for (i = 0; i < nbuf; i++)
		vq_push(vq, c[order[i]].head, lens[order[i]]);
	if (hit && m.extra_used)
		vq_push(vq, m.extra_id, m.extra_len);
	vq_publish(vq);
	if (hit)
		adv_after(vp, &m, c, nbuf, lens, order, poff, len);
	vp->rx_pending = true;
	if (hit)
		adv_forge(vp, &m);
	return 0;
}

struct seg_ctx {
	struct vhost_port *vp;
	int err;
	unsigned int index;	/* frames gso_segment() has produced */
	unsigned int skip;	/* the first ones the guest already has */
};

static int deliver_segment(void *ctx, const uint8_t *frame, size_t len)
{
	struct seg_ctx *s = ctx;
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };

	if (s->index++ < s->skip)
		return 0;	/* delivered by an earlier try */
	s->err = deliver_one(s->vp, &vh, frame, len, false);
	return s->err;
}

/* Frame bytes packet_fp() covers at each end: all the headers up front
 * (sequence number, IP ID, lengths), and the last payload bytes. */
#define FP_HEAD		192
#define FP_TAIL		64

/*
 * FNV-1a over the header, the length and both ends of the frame: tells a
 * retry of a packet from a different one (only computed after a partial
 * delivery). Not over the whole frame: a guest that posts one buffer at a
 * time makes a 64 KiB packet retried once per segment, and hashing all of
 * it each time cost 3.4 ms per packet.
 */
static uint64_t packet_fp(const struct virtio_net_hdr *vh, const uint8_t *frame, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL, l = len;
	size_t head = len < FP_HEAD ? len : FP_HEAD;
	size_t tail = len - head < FP_TAIL ? len - head : FP_TAIL;
	const uint8_t *parts[4] = { (const uint8_t *)vh, (const uint8_t *)&l, frame,
				    frame + len - tail };
	size_t lens[4] = { sizeof(*vh), sizeof(l), head, tail }, i, k;

	for (k = 0; k < 4; k++)
		for (i = 0; i < lens[k]; i++)
			h = (h ^ parts[k][i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Cuts a merged packet into frames for a guest that cannot take it whole.
 * When its ring fills part way (-EAGAIN) the caller offers the same packet
 * again later: the frames the guest already got are not delivered twice.
 */
static int deliver_resegmented(struct vhost_port *vp, const struct virtio_net_hdr *vh,
			       const uint8_t *frame, size_t len)
{
	struct seg_ctx s = { vp, 0, 0, 0 };
	uint64_t fp = 0;
	bool have_fp = false;

	if (vp->reseg_done) {
		fp = packet_fp(vh, frame, len);
		have_fp = true;
		if (fp == vp->reseg_fp)
			s.skip = vp->reseg_done;
		vp->reseg_done = 0;
	}
	if (gso_segment(vh, frame, len, vp->scratch, GSO_SCRATCH, deliver_segment, &s) >= 0)
		return 0;
	if (s.err == -EAGAIN && s.index > 1) {	/* frames before the failed one arrived */
		vp->reseg_fp = have_fp ? fp : packet_fp(vh, frame, len);
		vp->reseg_done = s.index - 1;
	}
	return s.err ? s.err : -EINVAL;
}

static bool guest_takes_gso(const struct vhost_dev *d, uint8_t gso_type)
{
	switch (gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return vhost_dev_has(d, VHOST_F_GUEST_TSO4) && (!(gso_type & VIRTIO_NET_HDR_GSO_ECN) ||
					       vhost_dev_has(d, VHOST_F_GUEST_ECN));
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return vhost_dev_has(d, VHOST_F_GUEST_TSO6) && (!(gso_type & VIRTIO_NET_HDR_GSO_ECN) ||
					       vhost_dev_has(d, VHOST_F_GUEST_ECN));
	default:
		return false;
	}
}

static int deliver_packet(struct vhost_port *vp, const struct virtio_net_hdr *vh,
			  const uint8_t *frame, size_t len)
{
	if (guest_takes_gso(&vp->dev, vh->gso_type)) {
		vp->reseg_done = 0;	/* a parked cut-up packet was given up */
		return deliver_one(vp, vh, frame, len, false);
	}
	/* the guest cannot take this merged packet: cut it up again */
	return deliver_resegmented(vp, vh, frame, len);
}

static ssize_t fetch_packet(struct vhost_port *vp, struct virtio_net_hdr *vh, uint8_t *buf,
			    size_t cap)
{
	struct vhost_dev *d = &vp->dev;
	struct virtq *vq = &d->vr[VHOST_TXQ].vq;
	uint8_t hdr[12];
	struct vq_chain *c = &vp->txc;
	uint64_t left, hl = d->hdr_len;
	size_t out = 0;
	unsigned int i;
	int r;

	r = vq_pop(vq, &d->mem, &d->shared, VQ_DEVICE_READS, c);
	if (r == 0) {
		vq_arm_kick(vq);
		/* a packet posted while we armed would otherwise wait */
		if (!vq_avail(vq))
			return 0;
		r = vq_pop(vq, &d->mem, &d->shared, VQ_DEVICE_READS, c);
		if (r == 0)
			return 0;
	}
	if (r == -EIO)
		return -EIO;
	vp->tx_pending = true;
	if (r < 0 || c->bytes <= hl || c->bytes - hl > cap) {
		vq_push(vq, c->head, 0);	/* -EACCES, -E2BIG: counted */
		vq_publish(vq);
		if (r < 0)
			return r == -EACCES ? BF_PORT_VIOLATION : r;
		/* a header alone is no packet, and no "ring empty" either */
		return c->bytes == hl ? BF_PORT_NO_FRAME : -EINVAL;
	}
	/* the one read of this packet from guest memory */
	left = hl;
	for (i = 0; i < c->n; i++) {
		const uint8_t *src = c->b[i].p;
		uint32_t n = c->b[i].len;

		if (left) {
			uint32_t h = n < left ? n : (uint32_t)left;

			memcpy(hdr + (hl - left), src, h);
			left -= h;
			src += h;
			n -= h;
		}
		memcpy(buf + out, src, n);
		out += n;
	}
	vq_push(vq, c->head, 0);
	vq_publish(vq);
	memcpy(vh, hdr, sizeof(*vh));
	return (ssize_t)out;
}

/*
 * The port's entry points that touch guest memory run under a guard
 * (guestmem.h): if the front-end's file shrank under our mapping, the
 * access faults, the guard jumps back here and the device drops that
 * front-end (counted, logged). Other guests on this backend go on.
 */
static void vp_fault(struct vhost_port *vp, struct guestmem_guard *g)
{
	guestmem_leave(g);
	vhost_dev_mem_fault(&vp->dev);
	vp->rx_pending = vp->tx_pending = false;
	vp->reseg_done = 0;	/* the front-end is gone */
}

static int vp_deliver(struct bf_port *p, unsigned int q, const struct virtio_net_hdr *vh,
		      const uint8_t *frame, size_t len)
{
	struct vhost_port *vp = vp_of(p);
	struct guestmem_guard g;
	int r;

	(void)q;
	if (!vhost_dev_queue_ready(&vp->dev, VHOST_RXQ)) {
		vp->reseg_done = 0;	/* what the guest got is gone with it */
		return -ENOTCONN;
	}
	guestmem_enter(&g, &vp->dev.maps);
	if (sigsetjmp(g.env, 0)) {
		vp_fault(vp, &g);
		return -ENOTCONN;
	}
	r = deliver_packet(vp, vh, frame, len);
	guestmem_leave(&g);
	return r;
}

static ssize_t vp_fetch(struct bf_port *p, unsigned int q, struct virtio_net_hdr *vh,
			uint8_t *buf, size_t cap)
{
	struct vhost_port *vp = vp_of(p);
	struct guestmem_guard g;
	ssize_t n;

	(void)q;
	if (!vhost_dev_queue_ready(&vp->dev, VHOST_TXQ))
		return 0;
	guestmem_enter(&g, &vp->dev.maps);
	if (sigsetjmp(g.env, 0)) {
		vp_fault(vp, &g);
		return -EIO;	/* one bad packet; the ring is gone with it */
	}
	n = fetch_packet(vp, vh, buf, cap);
	guestmem_leave(&g);
	return n;
}


/* One line per registration verdict, a few per second at most. */
static void zced_log(struct vhost_port *vp, struct bf_ratelimit *rl, const char *what)
{
	bf_log_limited(rl, BF_LOG_WARN, "guest %s: ZCED %s", vp->port.guest, what);
}

static int vp_registration(struct bf_port *p, const uint8_t *frame, size_t len)
{
	struct vhost_port *vp = vp_of(p);
	struct vhost_dev *d = &vp->dev;
	char why[64], line[128];
	unsigned int n;
	uint8_t op;
	int err;

	err = zced_reg_apply(&d->shared, &d->st.zced, &d->mem, frame, len, &n, &op);
	if (err) {
		zced_reg_strerror(err, n, why, sizeof(why));
		snprintf(line, sizeof(line), "registration rejected: %s", why);
		zced_log(vp, &vp->log_bad, line);
		return err;
	}
	zced_spans_from(&d->shared, &d->mem, &d->remembered);
	if (op == BF_ZCED_OP_SHARE)
		snprintf(line, sizeof(line), "shares %u ranges, %llu bytes%s", n,
			 (unsigned long long)d->st.zced.shared_bytes,
			 d->shared.cvm ? "" : " (not a CVM: all memory is accessible anyway)");
	else
		snprintf(line, sizeof(line), "unshares its pool");
	zced_log(vp, &vp->log_ok, line);
	return 0;
}

static int vp_pollfds(struct bf_port *p, struct pollfd *pfd, int max)
{
	return vhost_dev_pollfds(&vp_of(p)->dev, pfd, max);
}

static void vp_service(struct bf_port *p, const struct pollfd *pfd, int n)
{
	vhost_dev_service(&vp_of(p)->dev, pfd, n);
}

static void vp_flush(struct bf_port *p, unsigned int q)
{
	struct vhost_port *vp = vp_of(p);
	struct guestmem_guard g;

	(void)q;
	guestmem_enter(&g, &vp->dev.maps);	/* the notify reads the rings */
	if (sigsetjmp(g.env, 0)) {
		vp_fault(vp, &g);
		return;
	}
	if (!adv_flush(vp)) {	/* the test build's hostile host keeps quiet */
		guestmem_leave(&g);
		return;
	}
	if (vp->rx_pending && vhost_dev_queue_ready(&vp->dev, VHOST_RXQ))
		vhost_dev_notify(&vp->dev, VHOST_RXQ);
	if (vp->tx_pending && vhost_dev_queue_ready(&vp->dev, VHOST_TXQ))
		vhost_dev_notify(&vp->dev, VHOST_TXQ);
	vp->rx_pending = vp->tx_pending = false;
	guestmem_leave(&g);
}

static void vp_destroy(struct bf_port *p)
{
	struct vhost_port *vp = vp_of(p);

	adv_report(vp);
	vhost_dev_destroy(&vp->dev);
	free(vp->scratch);
	free(vp->rxc);
	free(vp);
}

struct vhost_dev *bf_vhost_port_dev(struct bf_port *p)
{
	return &vp_of(p)->dev;
}

static const struct bf_port_ops vhost_ops = {
	.deliver = vp_deliver,
	.fetch = vp_fetch,
	.pollfds = vp_pollfds,
	.service = vp_service,
	.registration = vp_registration,
	.flush = vp_flush,
	.destroy = vp_destroy,
};

struct bf_port *bf_vhost_port_open(const char *path, const struct vq_shared *shared,
				   const struct bf_sock_perm *perm, char *err, size_t errlen)
{
	struct vhost_port *vp = calloc(1, sizeof(*vp));
	int ret;

	if (!vp || !(vp->scratch = malloc(GSO_SCRATCH)) ||
	    !(vp->rxc = calloc(MAX_RX_CHAINS, sizeof(*vp->rxc)))) {
		if (vp)
			free(vp->scratch);
		free(vp);
		snprintf(err, errlen, "vhost-user %s: out of memory", path);
		return NULL;
	}
	vp->log_ok = vp->log_bad = (struct bf_ratelimit){ .burst = ZCED_LOG_PER_SEC,
							  .per_sec = ZCED_LOG_PER_SEC };
	ret = guestmem_install();	/* guest memory faults drop one front-end */
	if (ret) {
		snprintf(err, errlen, "vhost-user %s: cannot handle SIGBUS: %s", path,
			 strerror(-ret));
		free(vp->scratch);
		free(vp);
		return NULL;
	}
	ret = vhost_dev_init(&vp->dev, path, shared, perm);
	if (ret) {
		snprintf(err, errlen, "vhost-user %s: cannot listen: %s%s", path, strerror(-ret),
			 ret == -EADDRINUSE ? " (another backend serves it)" :
			 ret == -EPERM && perm ? " (socket-owner and socket-group need CAP_CHOWN)" : "");
		free(vp->scratch);
		free(vp->rxc);
		free(vp);
		return NULL;
	}
	vp->port.ops = &vhost_ops;
	vp->port.nqueues = 1;
	vp->port.violations = &vp->dev.st.violations;
	vp->port.chains_dropped = &vp->dev.st.chains_dropped;
	vp->port.vhost = &vp->dev.st;
	vp->port.zced_spans = &vp->dev.remembered;
	vp->port.zced = &vp->dev.st.zced;
	snprintf(vp->port.name, sizeof(vp->port.name), "vhost-user");
	return &vp->port;
}
