// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_vhost_user.c - the vhost-user request table (vhost_user.c): each
 * request is accepted only with the payload size and fd count the spec
 * gives it, otherwise refused (error reply with REPLY_ACK, counted) before
 * its handler runs; every fd not kept is closed (1000 "no fd" calls with
 * an fd attached leave the open-fd count flat); a memory region larger than
 * its file is refused; the device leaves no fd behind. Driven through a
 * socketpair (vhost_dev_init_conn, vhost_dev_handle_message).
 * Messages arrive in any pieces: a partial one (and its fds) waits in the
 * device, nothing blocks, and it is handled once complete; a partial one
 * left behind by a hang-up has its fds closed. A front-end that never reads
 * its replies is dropped and counted. Log lines about refused messages are
 * rate-limited and say how many were suppressed; the counter stays exact.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fdsend.h"
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include "unit.h"
#include "vhost/vhost_user.h"

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
	uint32_t hdr[3] = { req, 0x1 | NEED_REPLY, size };
	int fdv[FDSEND_MAX], i;
	uint64_t v;

	for (i = 0; i < nfds && i < FDSEND_MAX; i++)
		fdv[i] = fd;
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, p, size);
	if (fdsend(sock, buf, 12 + size, fdv, nfds, 0) < 0 || vhost_dev_handle_message(&dev))
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

/*
 * A device of its own on a new socketpair; *fe: the front-end's end. A
 * device that waited for a front-end would give up after 1 s (receive
 * and send timeouts on its end) instead of hanging the test.
 */
static int pdev_open(struct vhost_dev *d, int *fe)
{
	struct timeval tv = { .tv_sec = 1 };
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	tv = (struct timeval){ .tv_usec = 10000 };
	setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fe = sv[0];
	return vhost_dev_init_conn(d, "partial", sv[1], NULL);
}

/* Sends len raw bytes, with fd attached when fd >= 0. */
static int send_raw(int s, const void *p, size_t len, int fd)
{
	return fdsend(s, p, len, &fd, fd >= 0, MSG_DONTWAIT) == (ssize_t)len ? 0 : -1;
}

/* A SET_VRING_CALL for vring 0 wanting a REPLY_ACK, in 20 bytes. */
static void vring_call_msg(uint8_t *b)
{
	uint32_t hdr[3] = { 13, 0x1 | NEED_REPLY, 8 };
	uint64_t v = 0;

	memcpy(b, hdr, 12);
	memcpy(b + 12, &v, 8);
}

/*
 * Half a header with its fd, then the rest of the header, then the
 * payload in two pieces: until the last piece the device keeps what it
 * has (the fd too), counts nothing and returns at once; then it serves
 * the message and keeps the fd as the ring's call fd.
 */
static void partial_pieces(int efd)
{
	struct vhost_dev d;
	uint8_t b[20];
	int fe, fds0 = open_fds();
	long long ack = -1;

	if (pdev_open(&d, &fe))
		return;
	CHECK_EQ("partial: REPLY_ACK negotiated",
		 send_raw(fe, "\x10\0\0\0\x01\0\0\0\x08\0\0\0\x08\0\0\0\0\0\0\0", 20, -1) ?:
		 vhost_dev_handle_message(&d), 0);
	vring_call_msg(b);
	send_raw(fe, b, 5, efd);
	CHECK_EQ("partial: half a header: waits", vhost_dev_handle_message(&d), -EAGAIN);
	CHECK("partial: half a header: still connected, nothing counted",
	      d.conn_fd >= 0 && d.st.bad_messages == 0);
	CHECK_EQ("partial: its fd is held", open_fds(), fds0 + 3);
	send_raw(fe, b + 5, 7, -1);
	CHECK_EQ("partial: header, no payload: waits", vhost_dev_handle_message(&d), -EAGAIN);
	send_raw(fe, b + 12, 3, -1);
	CHECK_EQ("partial: 3 of 8 payload bytes: waits", vhost_dev_handle_message(&d), -EAGAIN);
	send_raw(fe, b + 15, 5, -1);
	CHECK_EQ("partial: complete: served", vhost_dev_handle_message(&d), 0);
	if (recv(fe, b, 20, MSG_DONTWAIT) == 20)
		memcpy(&ack, b + 12, 8);
	CHECK_EQ("partial: accepted (REPLY_ACK 0)", ack, 0);
	CHECK("partial: the fd became the call fd", d.vr[0].call_fd >= 0);
	vhost_dev_destroy(&d);
	close(fe);
	CHECK_EQ("partial: nothing left open", open_fds(), fds0);
}

/* One byte at a time: a GET_FEATURES answered after its 12th byte. */
static void partial_bytes(void)
{
	static const uint32_t hdr[3] = { 1, 0x1, 0 };
	struct vhost_dev d;
	int fe, i, waits = 0;
	uint8_t b[20];

	if (pdev_open(&d, &fe))
		return;
	for (i = 0; i < 12; i++) {
		send_raw(fe, (const uint8_t *)hdr + i, 1, -1);
		waits += vhost_dev_handle_message(&d) == -EAGAIN;
	}
	CHECK_EQ("byte by byte: 11 waits, then served", waits, 11);
	CHECK("byte by byte: features replied", recv(fe, b, 20, MSG_DONTWAIT) == 20 &&
	      d.conn_fd >= 0 && d.st.bad_messages == 0);
	vhost_dev_destroy(&d);
	close(fe);
}

/* A partial message with its fd, then the front-end hangs up: the fd is
 * closed, the truncated message counted. */
static void partial_hangup(int efd)
{
	struct vhost_dev d;
	uint8_t b[20];
	int fe, fds0 = open_fds();

	if (pdev_open(&d, &fe))
		return;
	vring_call_msg(b);
	send_raw(fe, b, 14, efd);
	vhost_dev_handle_message(&d);
	close(fe);
	CHECK_EQ("hang-up mid-message: connection dropped", vhost_dev_handle_message(&d),
		 -ECONNRESET);
	CHECK_EQ("hang-up mid-message: counted", d.st.bad_messages, 1);
	CHECK_EQ("hang-up mid-message: its fd closed (and the connection)", open_fds(), fds0);
	vhost_dev_destroy(&d);
	CHECK_EQ("hang-up mid-message: nothing left open", open_fds(), fds0);
}

/* A header announcing more payload than any message has: dropped, counted. */
static void oversized(void)
{
	static const uint32_t hdr[3] = { 5, 0x1, 100000 };
	struct vhost_dev d;
	int fe;

	if (pdev_open(&d, &fe))
		return;
	send_raw(fe, hdr, 12, -1);
	CHECK_EQ("oversized payload: dropped", vhost_dev_handle_message(&d), -ECONNRESET);
	CHECK_EQ("oversized payload: counted", d.st.bad_messages, 1);
	vhost_dev_destroy(&d);
	close(fe);
}

/* A front-end that sends GET_FEATURES and never reads the replies: once
 * its socket is full the device drops it (counted) instead of waiting. */
static void reads_no_replies(void)
{
	static const uint32_t hdr[3] = { 1, 0x1, 0 };
	struct vhost_dev d;
	int fe, i;

	if (pdev_open(&d, &fe))
		return;
	for (i = 0; i < 4000 && d.conn_fd >= 0; i++)
		if (!send_raw(fe, hdr, 12, -1))
			vhost_dev_handle_message(&d);
	CHECK("reads no replies: dropped", d.conn_fd < 0);
	CHECK_EQ("reads no replies: counted once", d.st.reply_stalls, 1);
	CHECK_EQ("reads no replies: not a bad message", d.st.bad_messages, 0);
	vhost_dev_destroy(&d);
	close(fe);
}

/* Lines in file f from offset off that contain s. */
static int count_lines(FILE *f, long off, const char *s, unsigned long *suppressed)
{
	char line[512], *p;
	int n = 0;

	fflush(f);
	fseek(f, off, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, s))
			continue;
		n++;
		p = strstr(line, " similar lines suppressed)");
		while (p && p > line && p[-1] >= '0' && p[-1] <= '9')
			p--;
		if (p && suppressed)
			*suppressed += strtoul(p, NULL, 10);
	}
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 200 refused messages in a row: a burst of lines, then a few a second
 * (however long the 200 took), all counted; the next line after a pause
 * says how many were left out.
 */
static void log_rate(void)
{
	static const uint32_t hdr[3] = { 99, 0x1, 0 };
	struct vhost_dev d;
	unsigned long suppressed = 0;
	int fe, i, saved = dup(2), lines, most;
	FILE *log = tmpfile();
	double t0 = now_s();

	if (!log || saved < 0 || pdev_open(&d, &fe))
		return;
	fflush(stderr);
	dup2(fileno(log), 2);
	for (i = 0; i < 200; i++)
		if (!send_raw(fe, hdr, 12, -1))
			vhost_dev_handle_message(&d);
	usleep(300000);		/* earns the limiter one line */
	send_raw(fe, hdr, 12, -1);
	vhost_dev_handle_message(&d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	most = VHOST_LOG_BURST + VHOST_LOG_PER_SEC * (int)(now_s() - t0 + 1);
	CHECK_EQ("log: every refused message counted", d.st.bad_messages, 201);
	lines = count_lines(log, 0, "request 99 not supported", &suppressed);
	CHECK("log: the burst, then a few lines a second, not one per message",
	      lines > VHOST_LOG_BURST && lines <= most);
	CHECK_EQ("log: the lines printed and those said suppressed add up", lines + suppressed,
		 201);
	fclose(log);
	vhost_dev_destroy(&d);
	close(fe);
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
	partial_pieces(efd);
	partial_bytes();
	partial_hangup(efd);
	oversized();
	reads_no_replies();
	log_rate();
	vhost_dev_destroy(&dev);
	close(efd);
	close(sock);
	CHECK_EQ("nothing left open after the device is destroyed", open_fds(), before);
	UNIT_EXIT();
}
