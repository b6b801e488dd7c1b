// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_vhost_user.c - the vhost-user request table (vhost_user.c): each
 * request is accepted only with the payload size and fd count the spec
 * gives it, otherwise refused (error reply with REPLY_ACK, counted) before
 * its handler runs; every fd not kept is closed (1000 "no fd" calls with
 * an fd attached leave the open-fd count flat); a memory region larger than
 * its file is refused; the device leaves no fd behind. Driven through a
 * socketpair (vhost_dev_init_conn, vhost_dev_handle_message).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "unit.h"
#include "vhost_user.h"

#define NEED_REPLY	0x8
#define NOFD		0x100ULL

static struct vhost_dev dev;
static int sock;	/* the front-end's end */

static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1;
}

/* Sends one message with nfds copies of fd, lets the device handle it;
 * returns the REPLY_ACK u64 (0 accepted), or -1 without a reply. */
static long long exchange(uint32_t req, const void *p, uint32_t size, int fd, int nfds)
{
	uint8_t buf[12 + 512];
	char cbuf[CMSG_SPACE(8 * sizeof(int))];
	uint32_t hdr[3] = { req, 0x1 | NEED_REPLY, size };
	struct iovec iov = { buf, 12 + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint64_t v;
	int i;

	memcpy(buf, hdr, 12);
	memcpy(buf + 12, p, size);
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		for (i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, 0) < 0 || vhost_dev_handle_message(&dev))
		return -1;
	if (recv(sock, buf, 20, MSG_DONTWAIT) != 20)
		return -1;
	memcpy(&v, buf + 12, 8);
	return (long long)v;
}

static long long u64_msg(uint32_t req, uint64_t v, uint32_t size, int fd, int nfds)
{
	return exchange(req, &v, size, fd, nfds);
}

/* Refused and counted as one bad message. */
static void refused(const char *name, long long r, uint64_t bad_before)
{
	CHECK(name, r > 0 && dev.st.bad_messages == bad_before + 1);
}

static void mem_table(int efd)
{
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mem = { 1, 0, 0, 1 << 20, 0x7f0000000000ULL, 0 };
	int mfd = memfd_create("test-vhu", 0);
	uint64_t bad = dev.st.bad_messages;

	if (mfd < 0 || ftruncate(mfd, 64 << 10))
		return;
	refused("SET_MEM_TABLE without its fd", exchange(5, &mem, sizeof(mem), -1, 0), bad);
	refused("SET_MEM_TABLE with an eventfd", exchange(5, &mem, sizeof(mem), efd, 1), bad + 1);
	refused("SET_MEM_TABLE with 2 fds for 1 region", exchange(5, &mem, sizeof(mem), mfd, 2),
		bad + 2);
	mem.n = 2;
	refused("SET_MEM_TABLE: 2 regions in the size of 1", exchange(5, &mem, sizeof(mem), mfd, 2),
		bad + 3);
	mem.n = 1;
	refused("SET_MEM_TABLE: 1 MiB region of a 64 KiB file",
		exchange(5, &mem, sizeof(mem), mfd, 1), bad + 4);
	CHECK_EQ("nothing mapped", dev.maps.n, 0);
	mem.size = 32 << 10;
	mem.off = 48 << 10;
	refused("SET_MEM_TABLE: region from 48 KiB + 32 KiB of a 64 KiB file",
		exchange(5, &mem, sizeof(mem), mfd, 1), bad + 5);
	mem.off = UINT64_MAX - 4096;
	refused("SET_MEM_TABLE: offset + size overflows", exchange(5, &mem, sizeof(mem), mfd, 1),
		bad + 6);
	mem.off = 32 << 10;
	CHECK_EQ("SET_MEM_TABLE: region the file backs", exchange(5, &mem, sizeof(mem), mfd, 1), 0);
	CHECK_EQ("one region mapped", dev.maps.n, 1);
	CHECK("unsealed memfd recorded as such", !dev.mem_sealed);
	close(mfd);
	mfd = memfd_create("test-vhu-sealed", MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, 64 << 10) || fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return;
	CHECK_EQ("SET_MEM_TABLE: sealed memfd", exchange(5, &mem, sizeof(mem), mfd, 1), 0);
	CHECK("sealed memfd recorded as such", dev.mem_sealed);
	close(mfd);
}

static void sizes_and_fds(int efd)
{
	uint64_t bad = dev.st.bad_messages;

	refused("SET_FEATURES with 4 bytes", u64_msg(2, 0, 4, -1, 0), bad++);
	refused("SET_FEATURES with 16 bytes", exchange(2, "0123456789abcdef", 16, -1, 0), bad++);
	CHECK_EQ("SET_FEATURES with 8 bytes", u64_msg(2, 1ULL << 32, 8, -1, 0), 0);
	refused("SET_FEATURES with an fd", u64_msg(2, 1ULL << 32, 8, efd, 1), bad++);
	refused("GET_FEATURES with 8 bytes", u64_msg(1, 0, 8, -1, 0), bad++);
	refused("SET_OWNER with an fd", exchange(3, "", 0, efd, 1), bad++);
	refused("unknown request 99", u64_msg(99, 0, 8, -1, 0), bad++);
	refused("SET_LOG_FD (not offered) with its fd", u64_msg(7, 0, 8, efd, 1), bad++);
	refused("SET_VRING_CALL no-fd form with an fd", u64_msg(13, NOFD, 8, efd, 1), bad++);
	refused("SET_VRING_KICK no-fd form with an fd", u64_msg(12, NOFD, 8, efd, 1), bad++);
	refused("SET_VRING_ERR no-fd form with an fd", u64_msg(14, NOFD, 8, efd, 1), bad++);
	refused("SET_VRING_CALL without its fd", u64_msg(13, 0, 8, -1, 0), bad++);
	refused("SET_VRING_CALL with 2 fds", u64_msg(13, 0, 8, efd, 2), bad++);
	refused("SET_VRING_CALL with 4 bytes", u64_msg(13, 0, 4, efd, 1), bad++);
	refused("SET_VRING_CALL for vring 2", u64_msg(13, 2, 8, efd, 1), bad++);
	CHECK_EQ("SET_VRING_CALL no-fd form", u64_msg(13, NOFD, 8, -1, 0), 0);
	CHECK_EQ("SET_VRING_CALL with its fd", u64_msg(13, 1, 8, efd, 1), 0);
	CHECK_EQ("SET_VRING_ERR with its fd", u64_msg(14, 0, 8, efd, 1), 0);
	refused("SET_VRING_NUM with 4 bytes", u64_msg(8, 256, 4, -1, 0), bad++);
	refused("SET_VRING_ADDR with 8 bytes", u64_msg(9, 0, 8, -1, 0), bad++);
	refused("SET_BACKEND_REQ_FD without its fd", exchange(21, "", 0, -1, 0), bad++);
	CHECK_EQ("SET_BACKEND_REQ_FD with its fd", exchange(21, "", 0, efd, 1), 0);
}

int main(void)
{
	int sv[2], efd, before, i, during, ok = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	before = open_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || vhost_dev_init_conn(&dev, "test", sv[1], NULL))
		return 1;
	sock = sv[0];
	efd = eventfd(0, 0);
	CHECK_EQ("REPLY_ACK negotiated (and acked)", u64_msg(16, 1ULL << 3, 8, -1, 0), 0);
	sizes_and_fds(efd);
	mem_table(efd);
	during = open_fds();
	for (i = 0; i < 1000; i++) {
		ok &= u64_msg(13, NOFD, 8, efd, 1) > 0;
		ok &= u64_msg(12, NOFD, 8, efd, 1) > 0;
		ok &= u64_msg(99, 0, 8, efd, 3) > 0;
	}
	CHECK("3000 messages with fds they do not take: each refused", ok);
	CHECK_EQ("3000 messages with fds they do not take: open fds flat", open_fds(), during);
	vhost_dev_destroy(&dev);
	close(efd);
	close(sock);
	CHECK_EQ("nothing left open after the device is destroyed", open_fds(), before);
	UNIT_EXIT();
}
