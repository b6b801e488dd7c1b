// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_vhu_fuzz - a hostile vhost-user front-end for the backend's protocol
 * handler. Sends unknown requests, bad sizes, bad indices, bad ring sizes,
 * region tables that do not match their fds, truncated messages and random
 * bytes; after each, the backend must still answer a GET_FEATURES on a
 * fresh connection. Prints PASS:/FAIL: lines.
 *
 *   bf_vhu_fuzz SOCKET
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

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
	char cbuf[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { &m, 12 + (size <= sizeof(m.payload) ? size : 0) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (p && size <= sizeof(m.payload))
		memcpy(m.payload, p, size);
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
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

	if (argc != 2)
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
	return failures ? 1 : 0;
}
