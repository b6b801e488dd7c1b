// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests for host-afxdp/vhost/vhost_port.c's data path: the test plays the
 * guest and its front-end in-process. A fake guest memory image holds the
 * RX and TX split rings and their buffers; the port's vhost_dev is given
 * that memory table and those rings directly (no socket peer), then
 * fetch() and deliver() run as the worker would call them.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pktbuild.h"
#include "port.h"
#include "unit.h"
#include "vhost/vhost_user.h"

#define GPA_BASE	0x100000ULL
#define MEM_SIZE	(1 << 20)
#define NUM		8
#define RING_OFF(q)	((q) * 0x4000)	/* desc, +0x1000 avail, +0x2000 used */
#define BUF_OFF(q, i)	(0x10000 + (q) * 0x40000 + (i) * 0x2000)
#define BUF_SIZE	0x2000
#define HDR_LEN		12

struct guest_ring {
	unsigned int q;
	uint8_t *desc, *avail, *used;
	uint16_t avail_idx, used_seen;
	unsigned int next_desc;
};

static uint8_t *mem;
static struct guest_ring rx, tx;
static struct bf_port *port;
static struct vhost_dev *dev;

static uint64_t gpa_of(uint64_t off)
{
	return GPA_BASE + off;
}

static void put_desc(struct guest_ring *g, unsigned int i, uint64_t gpa, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint64_t a = htole64(gpa);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);
	uint8_t *d = g->desc + 16 * i;

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

static void offer(struct guest_ring *g, uint16_t head)
{
	uint16_t v = htole16(head);

	memcpy(g->avail + 4 + 2 * (g->avail_idx % NUM), &v, 2);
	g->avail_idx++;
	v = htole16(g->avail_idx);
	memcpy(g->avail + 2, &v, 2);
}

static uint16_t used_idx(const struct guest_ring *g)
{
	uint16_t v;

	memcpy(&v, g->used + 2, 2);
	return le16toh(v);
}

/* The next used element the guest has not looked at: head and length. */
static int take_used(struct guest_ring *g, uint32_t *head, uint32_t *len)
{
	const uint8_t *e = g->used + 4 + 8 * (g->used_seen % NUM);

	if (g->used_seen == used_idx(g))
		return 0;
	memcpy(head, e, 4);
	memcpy(len, e + 4, 4);
	*head = le32toh(*head);
	*len = le32toh(*len);
	g->used_seen++;
	return 1;
}

static void ring_init(struct guest_ring *g, unsigned int q)
{
	struct virtq *vq = &dev->vr[q].vq;

	memset(g, 0, sizeof(*g));
	g->q = q;
	g->desc = mem + RING_OFF(q);
	g->avail = g->desc + 0x1000;
	g->used = g->desc + 0x2000;
	memset(g->desc, 0, 0x3000);
	memset(vq, 0, sizeof(*vq));
	vq->violations = &dev->st.violations;
	vq->broken_count = &dev->st.broken;
	vq->dropped = &dev->st.chains_dropped;
	vq_setup(vq, NUM, g->desc, g->avail, g->used, 0);
	vq->ready = true;
}

/* A fresh device: memory table, both rings, features (bit numbers). */
static void setup(uint64_t features)
{
	memset(mem, 0, MEM_SIZE);
	dev->mem.n = 1;
	dev->mem.r[0].gpa = GPA_BASE;
	dev->mem.r[0].size = MEM_SIZE;
	dev->mem.r[0].uva = 0x7f0000000000ULL;
	dev->mem.r[0].hva = mem;
	dev->features = features | (1ULL << VHOST_F_VERSION_1);
	dev->hdr_len = HDR_LEN;
	memset(&dev->st, 0, sizeof(dev->st));
	ring_init(&rx, VHOST_RXQ);
	ring_init(&tx, VHOST_TXQ);
}

/* Guest posts n receive buffers of BUF_SIZE bytes, one descriptor each. */
static void post_rx(unsigned int n)
{
	while (n--) {
		unsigned int i = rx.next_desc++ % NUM;

		put_desc(&rx, i, gpa_of(BUF_OFF(VHOST_RXQ, i)), BUF_SIZE, 2, 0);
		offer(&rx, i);
	}
}

/* A TCP/IPv4 packet of plen payload bytes starting at sequence seq. */
static size_t build_tcp(uint8_t *out, size_t plen, uint32_t seq)
{
	static uint8_t payload[65536];
	struct pb_spec s;

	pb_default(&s, 0);
	s.seq = seq;
	pb_fill(payload, plen, seq);
	return pb_build(&s, payload, plen, out);
}

static void test_tx_header_only(void)
{
	struct virtio_net_hdr vh;
	uint8_t frame[2048], buf[4096];
	uint32_t head, len;
	size_t flen = build_tcp(frame, 100, 1);
	ssize_t n;

	setup(0);
	put_desc(&tx, 0, gpa_of(BUF_OFF(VHOST_TXQ, 0)), HDR_LEN, 0, 0);	/* header, no frame */
	offer(&tx, 0);
	put_desc(&tx, 1, gpa_of(BUF_OFF(VHOST_TXQ, 1)), 6, 1, 2);	/* header in two halves */
	put_desc(&tx, 2, gpa_of(BUF_OFF(VHOST_TXQ, 1)) + 6, 6, 0, 0);
	offer(&tx, 1);
	put_desc(&tx, 3, gpa_of(BUF_OFF(VHOST_TXQ, 3)), HDR_LEN + flen, 0, 0);
	memcpy(mem + BUF_OFF(VHOST_TXQ, 3) + HDR_LEN, frame, flen);
	offer(&tx, 3);

	n = port->ops->fetch(port, 0, &vh, buf, sizeof(buf));
	CHECK_EQ("tx header only: a distinct error, not 'ring empty'", n, BF_PORT_NO_FRAME);
	CHECK("tx header only: chain returned to the guest",
	      take_used(&tx, &head, &len) && head == 0 && len == 0);
	n = port->ops->fetch(port, 0, &vh, buf, sizeof(buf));
	CHECK_EQ("tx header only (split): a distinct error", n, BF_PORT_NO_FRAME);
	CHECK("tx header only (split): chain returned",
	      take_used(&tx, &head, &len) && head == 1);
	n = port->ops->fetch(port, 0, &vh, buf, sizeof(buf));
	CHECK_EQ("tx after header-only chains: the next packet is read", n, (ssize_t)flen);
	CHECK("tx after header-only chains: frame intact", !memcmp(buf, frame, flen));
	CHECK_EQ("tx: ring empty now", port->ops->fetch(port, 0, &vh, buf, sizeof(buf)), 0);
	CHECK_EQ("tx header only: queue not broken", dev->st.broken, 0);
}

/* Reads what the guest received: the TCP sequence number of each packet
 * (one buffer each) into seqs[], their number returned. */
static unsigned int receive_all(uint32_t *seqs, unsigned int max)
{
	uint32_t head, len;
	unsigned int n = 0;

	while (take_used(&rx, &head, &len)) {
		const uint8_t *f = mem + BUF_OFF(VHOST_RXQ, head) + HDR_LEN;

		if (n < max && head < NUM && len > HDR_LEN + 54)
			seqs[n] = pb_get32(f + 38);
		n++;
	}
	return n;
}

/* A merged packet of nseg * mss payload bytes for a guest without
 * GUEST_TSO4: the port cuts it into nseg frames. */
static size_t build_gso(uint8_t *pkt, struct virtio_net_hdr *vh, unsigned int nseg,
			unsigned int mss, uint32_t seq)
{
	size_t len = build_tcp(pkt, (size_t)nseg * mss, seq);

	memset(vh, 0, sizeof(*vh));
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = htole16(mss);
	vh->hdr_len = htole16(54);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16(34);
	vh->csum_offset = htole16(16);
	return len;
}

/* Each segment reaches the guest once, in order, across -EAGAIN retries. */
static void check_segments(const char *name, const uint32_t *seqs, unsigned int n,
			   unsigned int nseg, unsigned int mss, uint32_t seq0)
{
	char what[160];
	unsigned int i;
	bool ok = n == nseg;

	for (i = 0; ok && i < n; i++)
		ok = seqs[i] == seq0 + i * mss;
	snprintf(what, sizeof(what), "%s: %u segments, each once and in order", name, nseg);
	if (!ok) {
		printf("FAIL: %s: received %u:", what, n);
		for (i = 0; i < n && i < 16; i++)
			printf(" %u", (seqs[i] - seq0) / mss);
		printf("\n");
		unit_failures++;
		return;
	}
	printf("PASS: %s\n", what);
}

static void test_resegment_exactly_once(void)
{
	static uint8_t pkt[65536], other[65536];
	struct virtio_net_hdr vh, vo;
	uint32_t seqs[64];
	size_t len = build_gso(pkt, &vh, 6, 1000, 5000), olen;
	unsigned int n;
	int r;

	setup(1ULL << VHOST_F_MRG_RXBUF);	/* no GUEST_TSO4 */
	post_rx(2);
	r = port->ops->deliver(port, 0, &vh, pkt, len);
	CHECK_EQ("reseg: ring full mid-packet: -EAGAIN", r, -EAGAIN);
	n = receive_all(seqs, 64);
	CHECK_EQ("reseg: two segments fit the first time", n, 2);
	post_rx(4);
	r = port->ops->deliver(port, 0, &vh, pkt, len);	/* the caller's retry */
	CHECK_EQ("reseg: retry delivers the rest", r, 0);
	n += receive_all(seqs + n, 64 - n);
	check_segments("reseg: retry after a full ring", seqs, n, 6, 1000, 5000);

	/* three partial deliveries in a row */
	setup(1ULL << VHOST_F_MRG_RXBUF);
	n = 0;
	post_rx(1);
	CHECK_EQ("reseg: one buffer: -EAGAIN", port->ops->deliver(port, 0, &vh, pkt, len), -EAGAIN);
	n += receive_all(seqs + n, 64 - n);
	post_rx(3);
	CHECK_EQ("reseg: three more: -EAGAIN", port->ops->deliver(port, 0, &vh, pkt, len), -EAGAIN);
	n += receive_all(seqs + n, 64 - n);
	post_rx(8);
	CHECK_EQ("reseg: room for the rest", port->ops->deliver(port, 0, &vh, pkt, len), 0);
	n += receive_all(seqs + n, 64 - n);
	check_segments("reseg: three tries", seqs, n, 6, 1000, 5000);

	/* the caller gave up on the parked packet: the next one is whole */
	setup(1ULL << VHOST_F_MRG_RXBUF);
	post_rx(2);
	CHECK_EQ("reseg: partial, then abandoned", port->ops->deliver(port, 0, &vh, pkt, len),
		 -EAGAIN);
	receive_all(seqs, 64);
	olen = build_gso(other, &vo, 4, 1000, 90000);
	post_rx(8);
	CHECK_EQ("reseg: another packet", port->ops->deliver(port, 0, &vo, other, olen), 0);
	n = receive_all(seqs, 64);
	check_segments("reseg: a new packet starts from its first segment", seqs, n, 4, 1000,
		       90000);
}

/* An indirect table at off of n 16-byte buffers, none adjacent to the next. */
static void scattered_table(uint64_t off, unsigned int n, uint16_t write)
{
	struct guest_ring t = { .desc = mem + off };
	unsigned int i;

	for (i = 0; i < n; i++)
		put_desc(&t, i, gpa_of(0x80000 + (uint64_t)i * 32), 16, write | (i + 1 < n ? 1 : 0),
			 (uint16_t)(i + 1));
}

/* Legal chains with more separate buffers than a chain is served with. */
static void test_unserved_chains(void)
{
	static uint8_t pkt[2048];
	struct virtio_net_hdr vh = { 0 };
	uint8_t frame[2048], buf[4096];
	size_t flen = build_tcp(frame, 100, 7), plen = build_tcp(pkt, 200, 9);
	uint32_t head, len;

	setup(1ULL << VHOST_F_MRG_RXBUF);
	dev->vr[VHOST_TXQ].vq.indirect = dev->vr[VHOST_RXQ].vq.indirect = true;
	scattered_table(0x60000, 1100, 0);
	put_desc(&tx, 0, gpa_of(0x60000), 16 * 1100, 4, 0);
	offer(&tx, 0);
	put_desc(&tx, 1, gpa_of(BUF_OFF(VHOST_TXQ, 1)), HDR_LEN + flen, 0, 0);
	memcpy(mem + BUF_OFF(VHOST_TXQ, 1) + HDR_LEN, frame, flen);
	offer(&tx, 1);
	CHECK_EQ("tx chain of 1100 buffers: dropped (not 'ring empty')",
		 port->ops->fetch(port, 0, &vh, buf, sizeof(buf)), -E2BIG);
	CHECK("tx chain of 1100 buffers: returned", take_used(&tx, &head, &len) && head == 0);
	CHECK_EQ("tx chain of 1100 buffers: counted", *port->chains_dropped, 1);
	CHECK_EQ("tx after it: next packet", port->ops->fetch(port, 0, &vh, buf, sizeof(buf)),
		 (ssize_t)flen);

	scattered_table(0x70000, 1100, 2);
	put_desc(&rx, 0, gpa_of(0x70000), 16 * 1100, 4, 0);
	offer(&rx, 0);
	rx.next_desc = 1;
	CHECK_EQ("rx chain of 1100 buffers: packet dropped",
		 port->ops->deliver(port, 0, &vh, pkt, plen), -E2BIG);
	CHECK("rx chain of 1100 buffers: returned empty",
	      take_used(&rx, &head, &len) && head == 0 && len == 0);
	CHECK_EQ("rx chain of 1100 buffers: counted", *port->chains_dropped, 2);
	post_rx(1);
	CHECK_EQ("rx after it: next packet delivered",
		 port->ops->deliver(port, 0, &vh, pkt, plen), 0);
	CHECK_EQ("unserved chains: no queue broken", dev->st.broken, 0);
}

/*
 * What one RX packet may cost the worker: its chains together hold at most
 * VQ_MAX_BUFS descriptors. A packet that does not fit is dropped and its
 * chains kept for the next one, which walks them again: without a bound
 * per packet, a guest posting MAX_RX_CHAINS chains of VQ_MAX_BUFS empty
 * descriptors costs ~64 Ki descriptor visits (0.7 ms) for every packet
 * sent to it, and a flood to it stalls every guest of the worker.
 */
static void test_rx_packet_walk_bound(void)
{
	static uint8_t pkt[2048];
	struct virtio_net_hdr vh = { 0 };
	size_t big = build_tcp(pkt, 1400, 3), small;
	unsigned int i, k;

	setup(1ULL << VHOST_F_MRG_RXBUF);
	dev->vr[VHOST_RXQ].vq.indirect = true;
	for (i = 0; i < NUM; i++) {
		struct guest_ring t = { .desc = mem + 0xa0000 + i * 0x1000 };

		/* 249 empty descriptors, then 256 bytes: 250 per chain */
		for (k = 0; k < 249; k++)
			put_desc(&t, k, gpa_of(BUF_OFF(VHOST_RXQ, i)), 0, 2 | 1, (uint16_t)(k + 1));
		put_desc(&t, 249, gpa_of(BUF_OFF(VHOST_RXQ, i)), 256, 2, 0);
		put_desc(&rx, i, gpa_of(0xa0000 + i * 0x1000), 16 * 250, 4, 0);
		offer(&rx, i);
	}
	CHECK_EQ("rx: a packet needing more than VQ_MAX_BUFS descriptors is dropped",
		 port->ops->deliver(port, 0, &vh, pkt, big), -EMSGSIZE);
	CHECK_EQ("rx: its chains are kept for the guest", used_idx(&rx), 0);
	small = build_tcp(pkt, 100, 4);
	CHECK_EQ("rx: a packet within one such chain is delivered",
		 port->ops->deliver(port, 0, &vh, pkt, small), 0);
	CHECK_EQ("rx walk bound: no queue broken", dev->st.broken, 0);
}

/* Guest memory in two regions, adjacent guest-physically: buffers across. */
static void test_two_regions(void)
{
	uint64_t half = MEM_SIZE / 2, edge = GPA_BASE + MEM_SIZE / 2;
	uint8_t *hi = calloc(1, half), frame[2048], buf[4096], got[2048];
	struct virtio_net_hdr vh = { 0 };
	size_t flen = build_tcp(frame, 1000, 3);
	uint32_t head, len;

	setup(1ULL << VHOST_F_MRG_RXBUF);
	dev->mem.n = 2;
	dev->mem.r[0].size = half;
	dev->mem.r[1] = dev->mem.r[0];
	dev->mem.r[1].gpa = edge;
	dev->mem.r[1].uva += half;
	dev->mem.r[1].hva = hi;

	memcpy(mem + half - 100, (uint8_t[HDR_LEN]){ 0 }, HDR_LEN);
	memcpy(mem + half - 100 + HDR_LEN, frame, 100 - HDR_LEN);
	memcpy(hi, frame + 100 - HDR_LEN, flen - (100 - HDR_LEN));
	put_desc(&tx, 0, edge - 100, HDR_LEN + flen, 0, 0);
	offer(&tx, 0);
	CHECK_EQ("tx buffer across two regions: read whole",
		 port->ops->fetch(port, 0, &vh, buf, sizeof(buf)), (ssize_t)flen);
	CHECK("tx buffer across two regions: frame intact", !memcmp(buf, frame, flen));

	put_desc(&rx, 0, edge - 200, 2048, 2, 0);
	offer(&rx, 0);
	CHECK_EQ("rx buffer across two regions: delivered",
		 port->ops->deliver(port, 0, &vh, frame, flen), 0);
	CHECK("rx buffer across two regions: used", take_used(&rx, &head, &len) &&
	      head == 0 && len == HDR_LEN + flen);
	memcpy(got, mem + half - 200 + HDR_LEN, 200 - HDR_LEN);
	memcpy(got + 200 - HDR_LEN, hi, flen - (200 - HDR_LEN));
	CHECK("rx buffer across two regions: frame intact", !memcmp(got, frame, flen));
	CHECK_EQ("two regions: no queue broken", dev->st.broken, 0);
	dev->mem.n = 1;
	free(hi);
}

int main(void)
{
	char err[256], path[64];

	if (posix_memalign((void **)&mem, 4096, MEM_SIZE))
		return 1;
	snprintf(path, sizeof(path), "/tmp/bfq-vport-%d.sock", (int)getpid());
	port = bf_vhost_port_open(path, NULL, NULL, err, sizeof(err));
	if (!port) {
		printf("FAIL: open port: %s\n", err);
		return 1;
	}
	dev = bf_vhost_port_dev(port);
	dev->conn_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);	/* "connected" */
	test_tx_header_only();
	test_resegment_exactly_once();
	test_unserved_chains();
	test_rx_packet_walk_bound();
	test_two_regions();
	dev->mem.n = 0;		/* not ours to unmap */
	port->ops->destroy(port);
	free(mem);
	UNIT_EXIT();
}
