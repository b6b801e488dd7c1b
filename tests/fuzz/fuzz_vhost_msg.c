// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_vhost_msg.c - libFuzzer harness for the vhost-user message
 * dispatcher (host-afxdp/vhost/vhost_user.c), with file descriptors.
 *
 * The input is a sequence of records, each written to one end of a
 * socketpair whose other end a vhost_dev serves (vhost_dev_init_conn):
 *
 *	ctl (1 byte)  bits 0-3: how many fds to attach (0..15: more than the
 *	              8 a message may carry truncates SCM_RIGHTS), bits 4-5:
 *	              their kind (eventfd; memfd of 64 KiB; memfd of 64 KiB
 *	              sealed against shrinking; memfd of 4 KiB), bit 6: send
 *	              the bytes in two writes (the fds with the first)
 *	len (1 byte)  bytes that follow (vhost-user header and payload, any)
 *	bytes
 *
 * Then the write side is shut, and the device handles messages until the
 * connection ends (every call consumes input or ends it, so this stops).
 * Beyond "no crash, no sanitizer report" it asserts that no file
 * descriptor leaks (this process's open fds are the same before and after
 * the device is destroyed) and that no guest memory stays mapped.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "fdsend.h"
#include "vhost/vhost_user.h"

#define MAX_FDS_SENT	15

static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		abort();
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1;	/* the directory's own fd */
}

/* One fd of the given kind (ctl bits 4-5), or -1. */
static int make_fd(unsigned int kind)
{
	int fd;

	if (kind == 0)
		return eventfd(0, EFD_NONBLOCK);
	fd = memfd_create("fuzz-vhost-mem", kind == 2 ? MFD_ALLOW_SEALING : 0);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, kind == 3 ? 4096 : 65536) ||
	    (kind == 2 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_with_fds(int s, const uint8_t *p, size_t len, int fd, unsigned int nfds)
{
	int fdv[MAX_FDS_SENT];
	unsigned int i;

	if (fd < 0)
		nfds = 0;
	for (i = 0; i < nfds && i < MAX_FDS_SENT; i++)
		fdv[i] = fd;
	fdsend(s, p, len, fdv, i, MSG_DONTWAIT);
}

/* Writes the records to s (a full socket buffer drops the rest). */
static void send_records(int s, const uint8_t *data, size_t size)
{
	while (size >= 2) {
		unsigned int ctl = data[0], nfds = ctl & 15;
		size_t len = data[1], first;
		int fd;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		fd = nfds ? make_fd((ctl >> 4) & 3) : -1;
		first = (ctl & 0x40) && len > 1 ? len / 2 : len;
		if (len || (nfds && fd >= 0))	/* fds need at least one byte */
			send_with_fds(s, len ? data : (const uint8_t *)"", len ? first : 1, fd, nfds);
		if (first < len)
			send_with_fds(s, data + first, len - first, -1, 0);
		if (fd >= 0)
			close(fd);	/* the receiver holds its own copies */
		data += len;
		size -= len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vhost_dev d;
	int sv[2], before = open_fds(), calls = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	send_records(sv[0], data, size);
	shutdown(sv[0], SHUT_WR);	/* what is left ends in EOF, never blocks */
	if (vhost_dev_init_conn(&d, "fuzz", sv[1], NULL))
		abort();
	while (d.conn_fd >= 0 && !vhost_dev_handle_message(&d))
		if (++calls > 100000)
			abort();	/* each call must consume input */
	vhost_dev_destroy(&d);
	if (d.maps.n || d.mem.n)
		abort();		/* guest memory left mapped */
	close(sv[0]);
	if (open_fds() != before)
		abort();		/* a descriptor leaked */
	return 0;
}
