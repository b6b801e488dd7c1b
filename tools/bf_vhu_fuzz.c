// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_vhu_fuzz - a hostile vhost-user front-end for the backend's protocol
 * handler. Sends unknown requests, bad sizes, bad indices, bad ring sizes,
 * region tables that do not match their fds, truncated messages and random
 * bytes; after each, the backend must still answer a GET_FEATURES on a
 * fresh connection. Prints PASS:/FAIL: lines.
 *
 *   bf_vhu_fuzz SOCKET [BACKEND_PID 'STATS_CMD']
 *   bf_vhu_fuzz SOCKET zced cvm|vm WIRE_IF 'STATS_CMD'
 *   bf_vhu_fuzz SOCKET hold header|payload|slow|noread
 *
 * With BACKEND_PID, also: messages that carry file descriptors they do not
 * take (1000 of each kind) or too many of them leave the backend's open-fd
 * count (/proc/PID/fd) flat; guest memory not backed by its file (a region
 * larger than its memfd, a memfd truncated after SET_MEM_TABLE with a TX
 * buffer in the lost part) is refused or costs only that front-end, counted
 * in STATS_CMD's vhost_bad_messages / vhost_mem_faults.
 *
 * The zced mode is a well-behaved front-end with a TX ring that plays a
 * guest registering its ZCED pool in band (bifrost_zced_wire.h): a buffer
 * outside the backend's --cvm ranges is a violation until a registration
 * covers it, and again after UNSHARE; bad registrations are counted and
 * change nothing; no registration ever reaches the wire (an AF_PACKET
 * socket on WIRE_IF, the veth peer of the backend's interface, watches).
 * Counters come from STATS_CMD (bifrostctl stats IFACE --json), so the
 * JSON field names are checked too. For "vm" the backend has no --cvm.
 *
 * The hold mode is a front-end that keeps a message unfinished, prints
 * "holding" and goes on until SIGUSR1: header sends half a header (a
 * SET_VRING_CALL with its eventfd) and nothing more; payload the whole
 * header and 3 of its 8 payload bytes; slow sends GET_FEATURES one byte
 * every 250 ms, reading each reply; noread sends GET_FEATURES without
 * reading a reply until the backend hangs up (or stops taking requests).
 * Then header and payload complete the message and expect it accepted and
 * the connection still served; slow finishes its message; noread expects
 * to have been dropped and a new connection served.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "bifrost_zced_wire.h"
#include "bytes.h"
#include "fdsend.h"
#include "util.h"

#define NEED_REPLY	0x8
#define REPLY		0x4

struct msg {
	uint32_t req, flags, size;
	uint8_t payload[512];
} __attribute__((packed));

static const char *sock_path;
static int failures;

static void result(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("PASS: %s\n", name);
	} else {
		printf("FAIL: %s: %s\n", name, why);
		failures++;
	}
}

static int conn(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), i;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < 50; i++) {
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		usleep(100000);
	}
	return -1;
}

static int send_msg(int fd, uint32_t req, uint32_t flags, const void *p, uint32_t size,
		    const int *fds, int nfds)
{
	struct msg m = { .req = req, .flags = 0x1 | flags, .size = size };
	ssize_t r;

	if (p && size <= sizeof(m.payload))
		memcpy(m.payload, p, size);
	r = fdsend(fd, &m, 12 + (size <= sizeof(m.payload) ? size : 0), fds, nfds, 0);
	return r < 0 ? (int)r : 0;
}

/* Reads one reply; returns its u64 payload or -1 on EOF/timeout. */
static long long reply_u64(int fd, uint32_t req)
{
	struct msg m;
	uint64_t v;

	if (recv(fd, &m, 12, MSG_WAITALL) != 12 || m.req != req || !(m.flags & REPLY) ||
	    m.size != 8 || recv(fd, m.payload, 8, MSG_WAITALL) != 8)
		return -1;
	memcpy(&v, m.payload, 8);
	return (long long)(v & 0x7fffffffffffffffULL);
}

/* The backend is alive and sane: a fresh connection gets its features. */
static int alive(void)
{
	int fd = conn();
	long long f;

	if (fd < 0)
		return 0;
	send_msg(fd, 1, 0, NULL, 0, NULL, 0);	/* GET_FEATURES */
	f = reply_u64(fd, 1);
	close(fd);
	return f > 0 && (f & (1ULL << 32));	/* VERSION_1 offered */
}

/* New connection with REPLY_ACK negotiated. */
static int acked_conn(void)
{
	uint64_t pf = 1ULL << 3;
	int fd = conn();

	if (fd < 0)
		return -1;
	send_msg(fd, 16, 0, &pf, 8, NULL, 0);	/* SET_PROTOCOL_FEATURES */
	return fd;
}

static void expect_nack(const char *name, uint32_t req, const void *p, uint32_t size,
			const int *fds, int nfds)
{
	int fd = acked_conn();
	long long r;

	if (fd < 0) {
		result(name, 0, "cannot connect");
		return;
	}
	send_msg(fd, req, NEED_REPLY, p, size, fds, nfds);
	r = reply_u64(fd, req);
	close(fd);
	char n2[128];

	result(name, r > 0, r == 0 ? "accepted" : "no error reply");
	snprintf(n2, sizeof(n2), "%s: backend still serves", name);
	result(n2, alive(), "backend no longer answers");
}

/*
 * zced mode. Guest memory: one 1 MiB memfd region at gpa 0 holding the TX
 * ring (desc 0x0, avail 0x1000, used 0x2000); the backend's --cvm range is
 * [ZC_STATIC, ZC_STATIC + 64 KiB) (where registration frames are posted);
 * ZC_POOL is the "pool" page the guest registers.
 */
#define ZC_MEM		(1U << 20)
#define ZC_NUM		8
#define ZC_DESC		0x0
#define ZC_AVAIL	0x1000
#define ZC_USED		0x2000
#define ZC_STATIC	0x10000
#define ZC_POOL		0x40000
#define ZC_TEST_ETH_P	0x88b6	/* local experimental 2: the test's data frames */

struct zc {
	int fd, kick, wire;
	uint8_t *mem;
	uint64_t uva;
	uint16_t avail;
	const char *stats_cmd;
};

struct be {
	long long violations, tx_packets, tx_segments, announce, rejected, bytes;
};

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static double now_s(void)
{
	return bf_now_ns() / 1e9;
}

/* A frame with the given ethertype; returns its length (>= 60). */
static size_t zc_frame(uint8_t *f, uint16_t type, const uint8_t *payload, size_t plen)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x52\x54\x00\xbf\x96\x02", 6);
	put_be16(f + 12, type);
	memcpy(f + 14, payload, plen);
	return 14 + plen < 60 ? 60 : 14 + plen;
}

/* A registration: op with n ranges of (gpa, len); magic as given. */
static size_t zc_msg(uint8_t *f, uint32_t magic, uint8_t op, const uint64_t *r, unsigned int n)
{
	uint8_t m[8 + 16 * 4];
	unsigned int i;

	put_be32(m, magic);
	m[4] = BF_ZCED_VERSION;
	m[5] = op;
	put_be16(m + 6, n);
	for (i = 0; i < n; i++) {
		put_be64(m + 8 + 16 * i, r[2 * i]);
		put_be64(m + 16 + 16 * i, r[2 * i + 1]);
	}
	return zc_frame(f, BF_ZCED_ETH_P, m, 8 + 16 * n);
}

static uint16_t zc_used_idx(struct zc *z)
{
	return __atomic_load_n((uint16_t *)(z->mem + ZC_USED + 2), __ATOMIC_ACQUIRE);
}

/* Makes one descriptor (gpa, len) available on the TX ring and kicks;
 * with wait, waits until the backend has returned it. */
static int zc_post_desc(struct zc *z, uint64_t gpa, uint32_t l, bool wait)
{
	uint8_t *d = z->mem + ZC_DESC + 16 * (z->avail % ZC_NUM);
	uint16_t head = z->avail % ZC_NUM, idx;
	uint64_t one = 1;
	double end = now_s() + 10;

	memcpy(d, &gpa, 8);
	memcpy(d + 8, &l, 4);
	memset(d + 12, 0, 4);
	memcpy(z->mem + ZC_AVAIL + 4 + 2 * head, &head, 2);
	idx = ++z->avail;
	__atomic_store_n((uint16_t *)(z->mem + ZC_AVAIL + 2), idx, __ATOMIC_RELEASE);
	if (write(z->kick, &one, 8) != 8)
		return -1;
	while (wait && zc_used_idx(z) != idx) {
		if (now_s() > end)
			return -1;
		usleep(1000);
	}
	return 0;
}

/* Posts one TX packet (virtio_net_hdr + frame, one descriptor) at gpa and
 * waits until the backend has returned it. */
static int zc_post(struct zc *z, uint64_t gpa, const uint8_t *frame, size_t len)
{
	memset(z->mem + gpa, 0, 12);		/* virtio_net_hdr v1: nothing */
	memcpy(z->mem + gpa + 12, frame, len);
	return zc_post_desc(z, gpa, 12 + len, true);
}

/* The value of "name": in the first guest's "backend" object, or -1. */
static long long json_field(const char *js, const char *name)
{
	const char *b = strstr(js, "\"backend\":{"), *p;
	char key[64];

	if (!b)
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(b, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* The backend's stats JSON (output of stats_cmd), or NULL. */
static const char *be_stats_json(const char *stats_cmd)
{
	static char js[65536];
	FILE *f = popen(stats_cmd, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(js, 1, sizeof(js) - 1, f);
	js[n] = 0;
	pclose(f);
	return js;
}

static int zc_stats(struct zc *z, struct be *b)
{
	const char *js = be_stats_json(z->stats_cmd);

	if (!js)
		return -1;
	b->violations = json_field(js, "violations");
	b->tx_packets = json_field(js, "tx_packets");
	b->tx_segments = json_field(js, "tx_segments");
	b->announce = json_field(js, "zced_announce");
	b->rejected = json_field(js, "zced_rejected");
	b->bytes = json_field(js, "zced_shared_bytes");
	return b->violations < 0 || b->announce < 0 || b->rejected < 0 || b->bytes < 0 ? -1 : 0;
}

/*
 * Waits (the backend publishes its counters every 100 ms) until the
 * counters since base are exactly want (bytes: absolute), then reports.
 */
static void zc_expect(struct zc *z, const char *name, const struct be *base, const struct be *want)
{
	double end = now_s() + 5;
	struct be b, d = { -1, -1, -1, -1, -1, -1 };
	char why[256];

	for (;;) {
		if (!zc_stats(z, &b)) {
			d = (struct be){ b.violations - base->violations, b.tx_packets - base->tx_packets,
					 b.tx_segments - base->tx_segments, b.announce - base->announce,
					 b.rejected - base->rejected, b.bytes };
			if (!memcmp(&d, want, sizeof(d)))
				break;
		}
		if (now_s() > end)
			break;
		usleep(20000);
	}
	snprintf(why, sizeof(why), "violations %lld tx_packets %lld tx_segments %lld announce %lld "
		 "rejected %lld shared_bytes %lld; expected %lld %lld %lld %lld %lld %lld",
		 d.violations, d.tx_packets, d.tx_segments, d.announce, d.rejected, d.bytes,
		 want->violations, want->tx_packets, want->tx_segments, want->announce,
		 want->rejected, want->bytes);
	result(name, !memcmp(&d, want, sizeof(d)), why);
}

static int zc_msg_sync(int fd)
{
	send_msg(fd, 1, 0, NULL, 0, NULL, 0);	/* GET_FEATURES: all before it is done */
	return reply_u64(fd, 1) > 0 ? 0 : -1;
}

/*
 * Memory table (one region of size bytes), features and the TX ring
 * (vring 1), as QEMU would. With mem_reply, REPLY_ACK is negotiated and
 * the table's reply stored there (0 accepted).
 */
static int zc_setup_ex(struct zc *z, int mfd, uint64_t size, long long *mem_reply)
{
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mem = { 1, 0, 0, size, z->uva, 0 };
	uint64_t feat = 1ULL << 32, addr[5], v;	/* VERSION_1 */
	uint32_t state[2];

	z->fd = mem_reply ? acked_conn() : conn();
	if (z->fd < 0)
		return -1;
	send_msg(z->fd, 3, 0, NULL, 0, NULL, 0);		/* SET_OWNER */
	send_msg(z->fd, 2, 0, &feat, 8, NULL, 0);		/* SET_FEATURES */
	send_msg(z->fd, 5, mem_reply ? NEED_REPLY : 0, &mem, sizeof(mem), &mfd, 1);
	if (mem_reply)						/* SET_MEM_TABLE */
		*mem_reply = reply_u64(z->fd, 5);
	state[0] = 1, state[1] = ZC_NUM;
	send_msg(z->fd, 8, 0, state, 8, NULL, 0);		/* SET_VRING_NUM */
	state[0] = 1, state[1] = z->avail;
	send_msg(z->fd, 10, 0, state, 8, NULL, 0);		/* SET_VRING_BASE */
	addr[0] = 1;						/* index 1, flags 0 */
	addr[1] = z->uva + ZC_DESC;
	addr[2] = z->uva + ZC_USED;
	addr[3] = z->uva + ZC_AVAIL;
	addr[4] = 0;
	send_msg(z->fd, 9, 0, addr, 40, NULL, 0);		/* SET_VRING_ADDR */
	v = 1;
	send_msg(z->fd, 12, 0, &v, 8, &z->kick, 1);		/* SET_VRING_KICK */
	return zc_msg_sync(z->fd);
}

static int zc_setup(struct zc *z, int mfd)
{
	return zc_setup_ex(z, mfd, ZC_MEM, NULL);
}

/* As QEMU restarting the device: stop the ring, new table of size bytes,
 * kick again. */
static int zc_new_mem_table(struct zc *z, int mfd, uint64_t size)
{
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mem = { 1, 0, 0, size, z->uva, 0 };
	uint32_t state[2] = { 1, 0 };
	uint64_t v = 1;
	long long r;

	send_msg(z->fd, 11, 0, state, 8, NULL, 0);		/* GET_VRING_BASE */
	r = reply_u64(z->fd, 11);		/* index 1, num: where it stopped */
	if (r < 0 || (uint64_t)r >> 32 != z->avail)
		return -1;
	send_msg(z->fd, 5, 0, &mem, sizeof(mem), &mfd, 1);	/* SET_MEM_TABLE */
	send_msg(z->fd, 12, 0, &v, 8, &z->kick, 1);		/* SET_VRING_KICK */
	return zc_msg_sync(z->fd);
}

/* Counts frames of each test ethertype seen on the wire peer. */
static void zc_wire_count(struct zc *z, long want_data, long *data, long *zced)
{
	uint8_t f[2048];
	double end = now_s() + 10;
	ssize_t n;

	*data = *zced = 0;
	while (*data < want_data && now_s() < end) {
		n = recv(z->wire, f, sizeof(f), MSG_DONTWAIT);
		if (n < 0) {
			usleep(1000);
			continue;
		}
		if (n >= 14 && f[12] == (ZC_TEST_ETH_P >> 8) && f[13] == (ZC_TEST_ETH_P & 0xff))
			++*data;
		if (n >= 14 && f[12] == (BF_ZCED_ETH_P >> 8) && f[13] == (BF_ZCED_ETH_P & 0xff))
			++*zced;
	}
	usleep(100000);			/* and whatever else already queued */
	while ((n = recv(z->wire, f, sizeof(f), MSG_DONTWAIT)) > 0)
		if (n >= 14 && f[12] == (BF_ZCED_ETH_P >> 8) && f[13] == (BF_ZCED_ETH_P & 0xff))
			++*zced;
}

static int zc_wire_open(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(0x0003) };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(0x0003));	/* ETH_P_ALL */

	sll.sll_ifindex = if_nametoindex(ifname);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The scenario; cvm: the backend runs with --cvm ZC_STATIC-(ZC_STATIC+64K). */
static int zced_main(bool cvm, const char *wire_if, const char *stats_cmd)
{
	static const uint8_t payload[46] = "bifrost zced test frame";
	uint64_t pool[2] = { ZC_POOL, BF_ZCED_PAGE };
	uint64_t outside[4] = { ZC_POOL, BF_ZCED_PAGE, ZC_MEM, BF_ZCED_PAGE };
	struct zc z = { .fd = -1, .stats_cmd = stats_cmd };
	struct be base, w = { 0 };
	uint8_t data[64], msg[128];
	size_t dlen, mlen;
	long seen, leaked;
	int mfd, ok = 1;
	long long viol = cvm ? 1 : 0;

	mfd = memfd_create("bf-zced", 0);
	z.kick = eventfd(0, EFD_NONBLOCK);
	z.wire = zc_wire_open(wire_if);
	if (mfd < 0 || z.kick < 0 || z.wire < 0 || ftruncate(mfd, ZC_MEM)) {
		result("zced: setup", 0, "memfd/eventfd/AF_PACKET socket");
		return 1;
	}
	z.mem = mmap(NULL, ZC_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	z.uva = (uint64_t)(uintptr_t)z.mem;
	if (z.mem == MAP_FAILED || zc_setup(&z, mfd) || zc_stats(&z, &base)) {
		result("zced: front-end set up, counters readable", 0, "no");
		return 1;
	}
	result("zced: front-end set up, counters readable", 1, "");
	dlen = zc_frame(data, ZC_TEST_ETH_P, payload, sizeof(payload));

	/* 1: a buffer in the pool page before any registration */
	ok &= !zc_post(&z, ZC_POOL, data, dlen);
	w.violations = viol;
	w.tx_packets = w.tx_segments = !cvm;
	zc_expect(&z, cvm ? "pool buffer before registration: violation"
			  : "pool buffer before registration: sent", &base, &w);

	/* 2: SHARE the pool page (the message itself sits in a static range) */
	mlen = zc_msg(msg, BF_ZCED_MAGIC, BF_ZCED_OP_SHARE, pool, 1);
	ok &= !zc_post(&z, ZC_STATIC, msg, mlen);
	w.announce = 1;
	w.bytes = BF_ZCED_PAGE;
	zc_expect(&z, "share: accepted, 4096 bytes shared, not sent", &base, &w);

	/* 3: the same buffer is now served */
	ok &= !zc_post(&z, ZC_POOL, data, dlen);
	w.tx_packets++;
	w.tx_segments++;
	zc_expect(&z, "pool buffer after share: sent", &base, &w);

	/* 4: UNSHARE, 5: the buffer is a violation again */
	mlen = zc_msg(msg, BF_ZCED_MAGIC, BF_ZCED_OP_UNSHARE, NULL, 0);
	ok &= !zc_post(&z, ZC_STATIC + 0x1000, msg, mlen);
	w.announce = 2;
	w.bytes = 0;
	zc_expect(&z, "unshare: accepted, nothing shared", &base, &w);
	ok &= !zc_post(&z, ZC_POOL, data, dlen);
	w.violations += viol;
	w.tx_packets += !cvm;
	w.tx_segments += !cvm;
	zc_expect(&z, cvm ? "pool buffer after unshare: violation again"
			  : "pool buffer after unshare: sent", &base, &w);

	/* 6: share again, then bad registrations change nothing */
	mlen = zc_msg(msg, BF_ZCED_MAGIC, BF_ZCED_OP_SHARE, pool, 1);
	ok &= !zc_post(&z, ZC_STATIC, msg, mlen);
	w.announce = 3;
	w.bytes = BF_ZCED_PAGE;
	zc_expect(&z, "share again: accepted", &base, &w);
	mlen = zc_msg(msg, BF_ZCED_MAGIC, BF_ZCED_OP_SHARE, outside, 2);
	ok &= !zc_post(&z, ZC_STATIC, msg, mlen);
	mlen = zc_msg(msg, BF_ZCED_MAGIC ^ 0xff, BF_ZCED_OP_SHARE, pool, 1);
	ok &= !zc_post(&z, ZC_STATIC, msg, mlen);
	mlen = zc_msg(msg, BF_ZCED_MAGIC, BF_ZCED_OP_UNSHARE, pool, 1);
	ok &= !zc_post(&z, ZC_STATIC, msg, mlen);
	w.rejected = 3;
	zc_expect(&z, "3 bad registrations: rejected, not sent, set unchanged", &base, &w);
	ok &= !zc_post(&z, ZC_POOL, data, dlen);
	w.tx_packets++;
	w.tx_segments++;
	zc_expect(&z, "pool buffer after rejected messages: still sent", &base, &w);

	/* 7: a new memory table keeps the ranges still inside it, only those */
	if (zc_new_mem_table(&z, mfd, ZC_MEM))
		ok = 0;
	zc_expect(&z, "same memory table again: the pool stays shared", &base, &w);
	ok &= !zc_post(&z, ZC_POOL, data, dlen);
	w.tx_packets++;
	w.tx_segments++;
	zc_expect(&z, "pool buffer after the same memory table: sent", &base, &w);
	if (zc_new_mem_table(&z, mfd, ZC_POOL))
		ok = 0;
	w.bytes = 0;
	zc_expect(&z, "memory table without the pool: nothing shared", &base, &w);
	/* what the guest shared is kept by memory identity (as across a
	 * backend restart): the same file at the same offset takes it back */
	if (zc_new_mem_table(&z, mfd, ZC_MEM))
		ok = 0;
	w.bytes = BF_ZCED_PAGE;
	zc_expect(&z, "the pool's memory back (same file): taken back", &base, &w);
	ok &= !zc_post(&z, ZC_POOL, data, dlen);
	w.tx_packets++;
	w.tx_segments++;
	zc_expect(&z, "pool buffer after it was taken back: sent", &base, &w);

	/* 8: so does the end of the session */
	mlen = zc_msg(msg, BF_ZCED_MAGIC, BF_ZCED_OP_SHARE, pool, 1);
	ok &= !zc_post(&z, ZC_STATIC, msg, mlen);
	w.announce = 4;
	w.bytes = BF_ZCED_PAGE;
	zc_expect(&z, "share in the new table: accepted", &base, &w);
	close(z.fd);
	w.bytes = 0;
	zc_expect(&z, "front-end gone: nothing shared", &base, &w);
	result("every TX buffer was returned by the backend", ok, "a post timed out");

	zc_wire_count(&z, w.tx_segments, &seen, &leaked);
	{
		char why[64];

		snprintf(why, sizeof(why), "%ld of %lld", seen, w.tx_segments);
		result("wire: every data frame sent arrived", seen == w.tx_segments, why);
		snprintf(why, sizeof(why), "%ld registration frames on the wire", leaked);
		result("wire: no registration frame", leaked == 0, why);
	}
	close(z.wire);
	close(z.kick);
	munmap(z.mem, ZC_MEM);
	close(mfd);
	return failures ? 1 : 0;
}

/* Open file descriptors of process pid, or -1. */
static int fd_count(long pid)
{
	char path[64];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* Counter name of the backend (STATS_CMD's JSON), or -1. */
static long long be_counter(const char *stats_cmd, const char *name)
{
	const char *js = be_stats_json(stats_cmd);

	return js ? json_field(js, name) : -1;
}

/* Waits (counters are published every 100 ms) until name reaches want. */
static long long be_counter_wait(const char *stats_cmd, const char *name, long long want)
{
	double end = now_s() + 5;
	long long v;

	while ((v = be_counter(stats_cmd, name)) != want && now_s() < end)
		usleep(50000);
	return v;
}

/* Sends count copies of (req, u64 payload, nfds copies of fd), on a new
 * connection whenever the backend hangs up on a message, then makes sure
 * the backend has handled them all. */
static int flood(uint32_t req, uint64_t v, uint32_t size, int fd, int nfds, int count)
{
	int fds[16], c = conn(), i, retries = count;

	for (i = 0; i < nfds; i++)
		fds[i] = fd;
	for (i = 0; i < count && c >= 0; i++)
		while (c >= 0 && send_msg(c, req, 0, &v, size, fds, nfds)) {
			close(c);
			c = retries-- > 0 ? conn() : -1;
		}
	if (c < 0)
		return -1;
	close(c);
	return alive() ? 0 : -1;
}

/*
 * Descriptors the backend does not take are closed: the kick/call/err
 * "no fd" form with an eventfd attached, requests that take no fd at all,
 * too many fds for a kick, more fds than a message may carry (the kernel
 * truncates them: MSG_CTRUNC). The open-fd count may move by a small
 * constant (a connection, a kick eventfd), never with the count of messages.
 */
static void fd_cases(long pid)
{
	static const struct {
		const char *name;
		uint32_t req, size;
		uint64_t v;
		int nfds, count;
	} c[] = {
		{ "SET_VRING_KICK with the no-fd bit and an fd", 12, 8, 0x100, 1, 1000 },
		{ "SET_VRING_CALL with the no-fd bit and an fd", 13, 8, 0x100, 1, 1000 },
		{ "SET_VRING_ERR with the no-fd bit and an fd", 14, 8, 0x100, 1, 1000 },
		{ "SET_VRING_ERR with its fd", 14, 8, 0, 1, 1000 },
		{ "SET_VRING_CALL with 3 fds", 13, 8, 0, 3, 300 },
		{ "SET_FEATURES with an fd", 2, 8, 1ULL << 32, 1, 1000 },
		{ "GET_FEATURES with 2 fds", 1, 0, 0, 2, 300 },
		{ "unknown request 99 with an fd", 99, 8, 0, 1, 300 },
		{ "SET_VRING_CALL with a bad size and an fd", 13, 4, 0, 1, 300 },
		{ "SET_VRING_KICK with 16 fds (truncated)", 12, 8, 0, 16, 100 },
	};
	int efd = eventfd(0, 0), before, after;
	char name[160], why[96];
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		before = fd_count(pid);
		snprintf(name, sizeof(name), "fds: %s, %d times: backend serves", c[i].name,
			 c[i].count);
		result(name, !flood(c[i].req, c[i].v, c[i].size, efd, c[i].nfds, c[i].count),
		       "backend no longer answers");
		after = fd_count(pid);
		snprintf(name, sizeof(name), "fds: %s, %d times: open fds stay flat", c[i].name,
			 c[i].count);
		snprintf(why, sizeof(why), "backend had %d open fds before, %d after", before, after);
		result(name, before > 0 && after >= 0 && after <= before + 2, why);
	}
	close(efd);
}

/* A memfd of file_size bytes mapped here (what the front-end shares). */
static int mem_open(struct zc *z, uint64_t file_size)
{
	int mfd = memfd_create("bf-fuzz-mem", 0);

	z->fd = -1;
	z->avail = 0;
	z->kick = eventfd(0, EFD_NONBLOCK);
	if (mfd < 0 || z->kick < 0 || ftruncate(mfd, file_size))
		return -1;
	z->mem = mmap(NULL, file_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (z->mem == MAP_FAILED)
		return -1;
	z->uva = (uint64_t)(uintptr_t)z->mem;
	return mfd;
}

static void mem_close(struct zc *z, int mfd, uint64_t file_size)
{
	if (z->fd >= 0)
		close(z->fd);
	munmap(z->mem, file_size);
	close(z->kick);
	close(mfd);
}

/* The backend hung up on this front-end (within its 3 s receive timeout). */
static bool dropped(int fd)
{
	char b;

	return recv(fd, &b, 1, 0) == 0;
}

/*
 * Guest memory the file does not back. 1: a 64 KiB memfd announced as a
 * 1 GiB region, a TX buffer at 2 MiB and a kick: the table is refused and
 * the backend lives. 2: a 1 MiB memfd accepted, then truncated to 64 KiB,
 * a TX buffer at 512 KiB and a kick: the backend lives, counts the fault
 * and drops that front-end; a new front-end is served.
 */
static void mem_cases(const char *stats_cmd)
{
	static const uint8_t payload[46] = "bifrost vhu fuzz frame";
	long long r = -1, faults = be_counter(stats_cmd, "vhost_mem_faults");
	uint8_t data[64];
	struct zc z;
	int mfd;

	mfd = mem_open(&z, 64 << 10);
	if (mfd < 0 || zc_setup_ex(&z, mfd, 1ULL << 30, &r) < 0 || r != 1)
		result("region larger than its file: refused", 0,
		       r == 0 ? "accepted" : "no error reply");
	else
		result("region larger than its file: refused", 1, "");
	if (mfd >= 0)
		zc_post_desc(&z, 2 << 20, 12 + 60, false);
	usleep(300000);
	mem_close(&z, mfd, 64 << 10);
	result("region larger than its file: backend alive", alive(), "backend died");

	mfd = mem_open(&z, ZC_MEM);
	if (mfd < 0 || zc_setup(&z, mfd) < 0) {
		result("truncated memory: front-end set up", 0, "no");
		return;
	}
	if (ftruncate(mfd, 64 << 10) || zc_post_desc(&z, ZC_MEM / 2, 12 + 60, false))
		result("truncated memory: truncated, buffer posted", 0, "no");
	result("truncated memory: that front-end dropped", dropped(z.fd), "still connected");
	mem_close(&z, mfd, ZC_MEM);
	result("truncated memory: backend alive", alive(), "backend died");
	r = be_counter_wait(stats_cmd, "vhost_mem_faults", faults + 1);
	result("truncated memory: fault counted", faults >= 0 && r == faults + 1,
	       "vhost_mem_faults did not grow by one");

	mfd = mem_open(&z, ZC_MEM);
	zc_frame(data, ZC_TEST_ETH_P, payload, sizeof(payload));
	r = be_counter(stats_cmd, "tx_packets");
	result("truncated memory: a new front-end is served",
	       mfd >= 0 && !zc_setup(&z, mfd) && !zc_post(&z, 0x10000, data, 60),
	       "its TX buffer was not returned");
	mem_close(&z, mfd, ZC_MEM);
	/* later users of the counters see this packet counted */
	result("truncated memory: the new front-end's packet counted",
	       r >= 0 && be_counter_wait(stats_cmd, "tx_packets", r + 1) == r + 1,
	       "tx_packets did not grow by one");
}

static volatile sig_atomic_t released;

static void on_usr1(int sig)
{
	(void)sig;
	released = 1;
}

static void wait_release(void)
{
	while (!released)
		usleep(50000);
}

/* Sends len raw bytes (with fd attached when fd >= 0); 0 or -errno. */
static int send_part(int fd, const void *p, size_t len, int xfd)
{
	ssize_t r = fdsend(fd, p, len, &xfd, xfd >= 0, 0);

	return r == (ssize_t)len ? 0 : r < 0 ? (int)r : -EAGAIN;
}

/* header/payload: the first part bytes of a SET_VRING_CALL (vring 0, its
 * eventfd with the first byte), held; then the rest. */
static int hold_partial(const char *mode, size_t part)
{
	struct msg m = { .req = 13, .flags = 0x1 | NEED_REPLY, .size = 8 };
	int fd = acked_conn(), efd = eventfd(0, 0);
	char name[96];
	long long r;

	memset(m.payload, 0, 8);
	if (fd < 0 || efd < 0 || send_part(fd, &m, part, efd)) {
		result(mode, 0, "cannot connect or send");
		return 1;
	}
	printf("holding\n");
	wait_release();
	r = send_part(fd, (uint8_t *)&m + part, 20 - part, -1) ? -1 : reply_u64(fd, 13);
	snprintf(name, sizeof(name), "%s: held message completed and accepted", mode);
	result(name, r == 0, r < 0 ? "connection dropped" : "refused");
	send_msg(fd, 1, 0, NULL, 0, NULL, 0);
	snprintf(name, sizeof(name), "%s: the same connection still served", mode);
	result(name, reply_u64(fd, 1) > 0, "no reply to GET_FEATURES");
	close(fd);
	close(efd);
	return failures ? 1 : 0;
}

/* slow: GET_FEATURES one byte every 250 ms, until released. */
static int hold_slow(void)
{
	struct msg m = { .req = 1, .flags = 0x1, .size = 0 };
	int fd = conn(), answered = 0, i;
	char why[64];

	if (fd < 0) {
		result("slow: connect", 0, "cannot connect");
		return 1;
	}
	do {
		for (i = 0; i < 12; i++) {
			if (send_part(fd, (uint8_t *)&m + i, 1, -1))
				break;
			if (!answered && !i)
				printf("holding\n");
			usleep(250000);
		}
		if (i < 12 || reply_u64(fd, 1) <= 0)
			break;
		answered++;
	} while (!released);
	snprintf(why, sizeof(why), "dropped after %d answers", answered);
	result("slow: every message sent byte by byte answered on one connection",
	       released && answered > 0, why);
	close(fd);
	return failures ? 1 : 0;
}

/* noread: GET_FEATURES until the backend hangs up, never reading. */
static int hold_noread(void)
{
	struct msg m = { .req = 1, .flags = 0x1, .size = 0 };
	struct pollfd pfd = { .fd = conn(), .events = POLLOUT };
	bool dropped = false, stuck = false;
	long i;

	for (i = 0; pfd.fd >= 0 && i < 1000000 && !dropped && !stuck; i++) {
		while (send(pfd.fd, &m, 12, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			if (errno != EAGAIN) {
				dropped = true;
				break;
			}
			if (poll(&pfd, 1, 2000) == 0) {	/* no request taken in 2 s */
				stuck = true;
				break;
			}
		}
	}
	printf("holding\n");
	wait_release();
	result("noread: the front-end that reads no replies was dropped", dropped,
	       stuck ? "the backend stopped taking requests" : "still connected");
	if (pfd.fd >= 0)
		close(pfd.fd);
	result("noread: a new front-end is served", alive(), "backend no longer answers");
	return failures ? 1 : 0;
}

static int hold_main(const char *mode)
{
	signal(SIGUSR1, on_usr1);
	if (!strcmp(mode, "header"))
		return hold_partial(mode, 5);
	if (!strcmp(mode, "payload"))
		return hold_partial(mode, 15);
	if (!strcmp(mode, "slow"))
		return hold_slow();
	if (!strcmp(mode, "noread"))
		return hold_noread();
	return 2;
}

int main(int argc, char **argv)
{
	uint32_t state[2];
	uint64_t addr[5] = { 0 };
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mem = { 1, 0, 0, 1 << 20, 0x7f0000000000ULL, 0 };
	uint8_t junk[300];
	int fd, mfd, i;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* results survive a timeout */
	if (argc == 6 && !strcmp(argv[2], "zced")) {
		sock_path = argv[1];
		return zced_main(!strcmp(argv[3], "cvm"), argv[4], argv[5]);
	}
	if (argc == 4 && !strcmp(argv[2], "hold")) {
		sock_path = argv[1];
		return hold_main(argv[3]);
	}
	if (argc != 2 && argc != 4)
		return 2;
	sock_path = argv[1];
	result("backend answers GET_FEATURES", alive(), "no answer");

	expect_nack("unknown request 99 gets an error reply", 99, NULL, 0, NULL, 0);
	state[0] = 7, state[1] = 256;
	expect_nack("vring index 7 refused", 8, state, 8, NULL, 0);
	state[0] = 0, state[1] = 3;
	expect_nack("ring size 3 refused", 8, state, 8, NULL, 0);
	state[0] = 0, state[1] = 65536;
	expect_nack("ring size 65536 refused", 8, state, 8, NULL, 0);
	mem.n = 9;
	expect_nack("9 memory regions refused", 5, &mem, sizeof(mem), NULL, 0);
	mem.n = 1;
	expect_nack("memory region without fd refused", 5, &mem, sizeof(mem), NULL, 0);
	mfd = memfd_create("bf-fuzz", 0);
	if (ftruncate(mfd, 1 << 20))
		return 1;
	mem.size = 0;
	expect_nack("zero-size region refused", 5, &mem, sizeof(mem), &mfd, 1);
	mem.size = 1 << 20;
	mem.off = UINT64_MAX - 10;
	expect_nack("overflowing region offset refused", 5, &mem, sizeof(mem), &mfd, 1);
	mem.off = 0;
	{
		uint64_t kick = 0;	/* vring 0, but no fd attached */

		expect_nack("kick without its fd refused", 12, &kick, 8, NULL, 0);
	}

	/* a valid table, then a ring whose addresses lie outside it */
	fd = acked_conn();
	send_msg(fd, 5, NEED_REPLY, &mem, sizeof(mem), &mfd, 1);
	result("valid memory table accepted", reply_u64(fd, 5) == 0, "refused");
	state[0] = 0, state[1] = 256;
	send_msg(fd, 8, 0, state, 8, NULL, 0);
	addr[0] = 0;		/* index 0, flags 0 */
	addr[1] = 0x1000;	/* desc: not a mapped user address */
	addr[2] = 0x2000;
	addr[3] = 0x3000;
	send_msg(fd, 9, 0, addr, 40, NULL, 0);
	{
		int efd = memfd_create("kick", 0);
		uint64_t kick = 0;

		send_msg(fd, 12, NEED_REPLY, &kick, 8, &efd, 1);
		reply_u64(fd, 12);
		close(efd);
	}
	close(fd);
	result("ring outside guest memory does not crash", alive(), "backend died");

	/* size larger than any message */
	fd = conn();
	send_msg(fd, 5, 0, NULL, 100000, NULL, 0);
	result("oversized message: disconnected", recv(fd, junk, 1, 0) <= 0, "still connected");
	close(fd);
	result("oversized message: backend alive", alive(), "backend died");

	/* truncated payload, then hang up */
	fd = conn();
	if (write(fd, "\x05\x00\x00\x00\x01\x00\x00\x00\x28\x00\x00\x00\x01\x00", 14) != 14)
		return 1;
	close(fd);
	result("truncated message: backend alive", alive(), "backend died");

	/* random garbage */
	srand(7);
	for (i = 0; i < 20; i++) {
		unsigned int j;

		fd = conn();
		for (j = 0; j < sizeof(junk); j++)
			junk[j] = (uint8_t)rand();
		if (write(fd, junk, 12 + rand() % (sizeof(junk) - 12)) < 0)
			break;
		usleep(20000);
		close(fd);
	}
	result("20 connections of random bytes: backend alive", alive(), "backend died");
	close(mfd);
	if (argc == 4) {
		fd_cases(strtol(argv[2], NULL, 10));
		/* the backend's log limiter earns a line: the next refusal (a
		 * region larger than its file) is logged, with the count of
		 * refusals it left out before */
		usleep(300000);
		mem_cases(argv[3]);
	}
	return failures ? 1 : 0;
}
