/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdsend.h - sends bytes over a UNIX stream socket with file descriptors
 * attached (SCM_RIGHTS, unix(7)), as a vhost-user front-end hands the
 * back-end its eventfds and memory files. Shared by the test front-ends
 * (bf_vhu_fuzz, bf_vhu_stall), the unit tests and the fuzz harnesses.
 */
#ifndef BIFROST_FDSEND_H
#define BIFROST_FDSEND_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#define FDSEND_MAX	16	/* most descriptors one call attaches */

/*
 * Sends len bytes at p on sock with fds[0..nfds) attached (nfds 0: none;
 * more than FDSEND_MAX: -EINVAL). flags are sendmsg() flags; MSG_NOSIGNAL
 * is always added. Returns the bytes sent (maybe fewer than len), or
 * -errno.
 */
static inline ssize_t fdsend(int sock, const void *p, size_t len, const int *fds,
			     unsigned int nfds, int flags)
{
	char cbuf[CMSG_SPACE(FDSEND_MAX * sizeof(int))];
	struct iovec iov = { (void *)p, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > FDSEND_MAX)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

#endif /* BIFROST_FDSEND_H */
