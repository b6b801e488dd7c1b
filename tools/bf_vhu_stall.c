// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_vhu_stall - a vhost-user front-end that plays a guest which stops
 * reading: it sets up its memory, RX and TX rings like QEMU, posts no RX
 * buffer and prints "stalled". On SIGUSR1 it resumes: prints "resumed" and
 * posts CHUNK RX buffers at a time (default: the whole ring), the next CHUNK
 * 20 ms after the backend has used them all (below the ring size: a guest
 * that keeps running out of buffers), and collects what the backend
 * delivers until a UDP datagram whose payload starts with the 32-bit
 * big-endian sequence number LAST_SEQ arrives (at most 30 s). Then it prints
 *
 *   received N frames in K postings, seq FIRST..LAST, in order   (exit 0)
 *
 * or a "FAIL:" line (a sequence number that did not grow, a timeout).
 * Without SIGUSR1 it gives up after 300 s.
 *
 *   bf_vhu_stall SOCKET LAST_SEQ [CHUNK]
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "fdsend.h"
#include "util.h"

#define NUM		256		/* descriptors per ring */
#define MEM_SIZE	(1 << 20)
#define RX_DESC		0x0000
#define RX_AVAIL	0x1000
#define RX_USED		0x2000
#define TX_DESC		0x4000
#define TX_AVAIL	0x5000
#define TX_USED		0x6000
#define BUF_BASE	0x10000
#define BUF_SIZE	2048
#define HDR_LEN		12		/* virtio_net_hdr with num_buffers */

struct vhu_msg {
	uint32_t req, flags, size;
	uint8_t payload[64];
} __attribute__((packed));

struct stall {
	uint8_t *mem;
	uint64_t uva;
	int fd, mfd, kick[2], call[2];
	uint16_t avail;		/* buffers posted so far */
	unsigned int posts;
};

/* Sends one request (flags: version 1) with up to one fd; 0 or -errno. */
static int send_req(int fd, uint32_t req, const void *p, uint32_t size, int xfd)
{
	struct vhu_msg m = { .req = req, .flags = 0x1, .size = size };
	ssize_t r;

	memcpy(m.payload, p, size);
	r = fdsend(fd, &m, 12 + size, &xfd, xfd >= 0, 0);
	return r < 0 ? (int)r : 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), i;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (i = 0; fd >= 0 && i < 50; i++) {
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		usleep(100000);
	}
	return -1;
}

/* Size, base, addresses, call and kick of vring q, as QEMU sends them. */
static void setup_ring(struct stall *s, uint32_t q, uint64_t desc, uint64_t avail,
		       uint64_t used)
{
	uint32_t state[2] = { q, NUM };
	uint64_t addr[5] = { q, s->uva + desc, s->uva + used, s->uva + avail, 0 };
	uint64_t idx = q;

	send_req(s->fd, 8, state, 8, -1);		/* SET_VRING_NUM */
	state[1] = 0;
	send_req(s->fd, 10, state, 8, -1);		/* SET_VRING_BASE */
	send_req(s->fd, 9, addr, 40, -1);		/* SET_VRING_ADDR */
	send_req(s->fd, 13, &idx, 8, s->call[q]);	/* SET_VRING_CALL */
	send_req(s->fd, 12, &idx, 8, s->kick[q]);	/* SET_VRING_KICK */
}

/* Writes the RX descriptor table: buffer i at BUF_BASE + i * BUF_SIZE. */
static void init_rx_desc(struct stall *s)
{
	uint16_t i, flags = 2;	/* VIRTQ_DESC_F_WRITE */
	uint32_t len = BUF_SIZE;

	for (i = 0; i < NUM; i++) {
		uint8_t *d = s->mem + RX_DESC + 16 * i;
		uint64_t gpa = BUF_BASE + (uint64_t)i * BUF_SIZE;

		memcpy(d, &gpa, 8);
		memcpy(d + 8, &len, 4);
		memcpy(d + 12, &flags, 2);
		memset(d + 14, 0, 2);
	}
}

/* Connects and starts both rings with an empty RX ring; 0 on success. */
static int stall_setup(struct stall *s, const char *path)
{
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mem = { 1, 0, 0, MEM_SIZE, 0, 0 };
	uint64_t feat = 1ULL << 32;	/* VERSION_1 only: no offloads */
	struct vhu_msg rep;
	unsigned int q;

	s->mfd = memfd_create("bf-stall", 0);
	if (s->mfd < 0 || ftruncate(s->mfd, MEM_SIZE))
		return -1;
	s->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->mfd, 0);
	if (s->mem == MAP_FAILED)
		return -1;
	s->uva = (uint64_t)(uintptr_t)s->mem;
	mem.uva = s->uva;
	for (q = 0; q < 2; q++) {
		s->kick[q] = eventfd(0, EFD_NONBLOCK);
		s->call[q] = eventfd(0, EFD_NONBLOCK);
	}
	s->fd = connect_to(path);
	if (s->fd < 0)
		return -1;
	send_req(s->fd, 3, NULL, 0, -1);			/* SET_OWNER */
	send_req(s->fd, 2, &feat, 8, -1);			/* SET_FEATURES */
	send_req(s->fd, 5, &mem, sizeof(mem), s->mfd);		/* SET_MEM_TABLE */
	init_rx_desc(s);
	setup_ring(s, 0, RX_DESC, RX_AVAIL, RX_USED);
	setup_ring(s, 1, TX_DESC, TX_AVAIL, TX_USED);
	/* GET_FEATURES: its reply means everything before it was handled */
	send_req(s->fd, 1, NULL, 0, -1);
	return recv(s->fd, &rep, 12 + 8, MSG_WAITALL) == 20 ? 0 : -1;
}

/* Posts n more RX buffers (every earlier one used: ids are recycled in
 * order) and kicks. */
static void post_rx(struct stall *s, unsigned int n)
{
	uint64_t one = 1;
	uint16_t id;

	for (; n; n--, s->avail++) {
		id = s->avail % NUM;
		memcpy(s->mem + RX_AVAIL + 4 + 2 * id, &id, 2);
	}
	__atomic_store_n((uint16_t *)(s->mem + RX_AVAIL + 2), s->avail, __ATOMIC_RELEASE);
	s->posts++;
	if (write(s->kick[0], &one, 8) != 8)
		perror("kick");
}

static double now_s(void)
{
	return bf_now_ns() / 1e9;
}

/* The sequence number of a delivered IPv4/UDP frame in buffer id, or -1. */
static long long frame_seq(const struct stall *s, uint32_t id, uint32_t len)
{
	const uint8_t *f = s->mem + BUF_BASE + (uint64_t)id * BUF_SIZE + HDR_LEN;
	uint32_t ihl, seq;

	if (id >= NUM || len < HDR_LEN + 14 + 20 + 8 + 4 || f[12] != 0x08 || f[13] != 0x00)
		return -1;
	ihl = (f[14] & 0xf) * 4u;
	if (f[14 + 9] != 17 || len < HDR_LEN + 14 + ihl + 8 + 4)
		return -1;
	memcpy(&seq, f + 14 + ihl + 8, 4);
	return ntohl(seq);
}

/* Checks one used entry's sequence number against the previous one. */
static int check_entry(struct stall *s, uint16_t pos, long long *first, long long *prev)
{
	const uint8_t *e = s->mem + RX_USED + 4 + 8 * (pos % NUM);
	uint32_t id, len;
	long long seq;

	memcpy(&id, e, 4);
	memcpy(&len, e + 4, 4);
	seq = frame_seq(s, id, len);
	if (seq < 0)
		return 0;
	if (seq <= *prev) {
		printf("FAIL: resumed guest: seq %lld after %lld (reordered or repeated)\n",
		       seq, *prev);
		return -1;
	}
	if (*first < 0)
		*first = seq;
	*prev = seq;
	return 0;
}

/* Posts buffers chunk at a time and reads used entries until last_seq
 * arrives; 0 when all came in order. */
static int collect(struct stall *s, long long last_seq, unsigned int chunk)
{
	long long first = -1, prev = -1;
	double end = now_s() + 30;
	uint16_t seen = 0, used;
	unsigned int n = 0;

	while (prev != last_seq) {
		used = __atomic_load_n((uint16_t *)(s->mem + RX_USED + 2), __ATOMIC_ACQUIRE);
		if (used == seen && now_s() > end) {
			printf("FAIL: resumed guest: %u frames, last seq %lld, "
			       "no seq %lld within 30 s\n", n, prev, last_seq);
			return 1;
		}
		if (used == seen && seen == s->avail) {
			if (chunk < NUM && s->posts)
				usleep(20000);	/* out of buffers for a while */
			post_rx(s, chunk);
		} else if (used == seen) {
			usleep(1000);
		}
		for (; seen != used && prev != last_seq; seen++, n++)
			if (check_entry(s, seen, &first, &prev))
				return 1;
	}
	printf("received %u frames in %u postings, seq %lld..%lld, in order\n",
	       n, s->posts, first, prev);
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec wait = { .tv_sec = 300 };
	unsigned int chunk = argc == 4 ? (unsigned int)atoi(argv[3]) : NUM;
	struct stall s = { 0 };
	sigset_t set;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc != 3 && argc != 4) || !chunk || chunk > NUM) {
		fprintf(stderr, "usage: bf_vhu_stall SOCKET LAST_SEQ [CHUNK 1..%d]\n", NUM);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (stall_setup(&s, argv[1])) {
		printf("FAIL: stalled guest: cannot set up vhost-user rings on %s\n", argv[1]);
		return 1;
	}
	printf("stalled\n");
	if (sigtimedwait(&set, NULL, &wait) != SIGUSR1) {
		printf("FAIL: stalled guest: never told to resume\n");
		return 1;
	}
	printf("resumed\n");
	return collect(&s, strtoll(argv[2], NULL, 10), chunk);
}
