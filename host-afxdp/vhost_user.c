// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vhost_user.c - vhost-user protocol, back-end side (see vhost_user.h).
 *
 * Everything a front-end sends is bounded before use: message sizes,
 * region counts, ring indices and sizes, file descriptor counts. A message
 * that does not parse gets an error reply when one is expected and is
 * counted; it never crashes the backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include "vhost_user.h"

enum {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_LOG_BASE = 6,
	VHU_SET_LOG_FD = 7,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_SET_VRING_ERR = 14,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_SET_VRING_ENABLE = 18,
	VHU_SEND_RARP = 19,
	VHU_SET_BACKEND_REQ_FD = 21,
};

#define VHU_VERSION		0x1
#define VHU_FLAG_REPLY		0x4
#define VHU_FLAG_NEED_REPLY	0x8
#define VHU_MAX_FDS		8
#define VHU_VRING_NOFD		(1ULL << 8)

#define PF_REPLY_ACK		3
#define PF_BACKEND_REQ		5

#define BIT(n)			(1ULL << (n))

static const uint64_t offered_features =
	BIT(VHOST_F_CSUM) | BIT(VHOST_F_GUEST_CSUM) | BIT(VHOST_F_GUEST_TSO4) | BIT(VHOST_F_GUEST_TSO6) |
	BIT(VHOST_F_GUEST_ECN) | BIT(VHOST_F_HOST_TSO4) | BIT(VHOST_F_HOST_TSO6) | BIT(VHOST_F_HOST_ECN) |
	BIT(VHOST_F_MRG_RXBUF) | BIT(VHOST_F_RING_INDIRECT) | BIT(VHOST_F_RING_EVENT_IDX) |
	BIT(VHOST_F_PROTOCOL_FEATURES) | BIT(VHOST_F_VERSION_1) |
	/* A CVM's device has iommu_platform=on. Without a vIOMMU the front-end
	 * still hands us guest-physical addresses (no IOTLB protocol). */
	BIT(VHOST_F_ACCESS_PLATFORM);
/* QEMU insists on both for an ACCESS_PLATFORM device; we never send
 * requests on the back-end channel (no IOTLB: no vIOMMU). */
static const uint64_t offered_protocol = BIT(PF_REPLY_ACK) | BIT(PF_BACKEND_REQ);

struct vhu_region {
	uint64_t gpa, size, uva, mmap_offset;
};

struct vhu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	union {
		uint64_t u64;
		struct {
			uint32_t index, num;
		} state;
		struct {
			uint32_t index, flags;
			uint64_t desc, used, avail, log;
		} addr;
		struct {
			uint32_t nregions, padding;
			struct vhu_region r[VQ_MAX_REGIONS];
		} mem;
		uint8_t raw[512];
	} p;
} __attribute__((packed));

#define VHU_HDR_SIZE offsetof(struct vhu_msg, p)

static void fail_msg(struct vhost_dev *d, const char *fmt, const char *what, unsigned long v)
{
	d->st.bad_messages++;
	snprintf(d->last_error, sizeof(d->last_error), fmt, what, v);
	fprintf(stderr, "bifrost-host: vhost-user %s: %s\n", d->path, d->last_error);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void unmap_memory(struct vhost_dev *d)
{
	unsigned int i;

	for (i = 0; i < d->mem.n; i++)
		munmap(d->map_base[i], d->map_len[i]);
	memset(&d->mem, 0, sizeof(d->mem));
}

/* The guest's registered ranges belong to one session and memory table. */
static void forget_dynamic(struct vhost_dev *d, const char *why)
{
	if (d->shared.ndyn)
		fprintf(stderr, "bifrost-host: vhost-user %s: ZCED shared ranges forgotten (%s)\n",
			d->path, why);
	vq_shared_clear_dynamic(&d->shared);
	d->st.zced.shared_bytes = 0;
}

/*
 * QEMU sends a memory table at every device start (also after stop/cont or
 * a driver reset, with no new link up for the guest to announce again):
 * keep the guest's ranges that still lie inside one region of it. With none
 * (a new session, e.g. this backend restarted), take back what the guest
 * had shared if this is the same guest memory (zced_spans_match()).
 */
static void revalidate_dynamic(struct vhost_dev *d, const struct vq_mem *mem)
{
	struct vq_range keep[VQ_MAX_DYN_SHARED];
	unsigned int i, n = 0;

	if (!d->shared.ndyn && d->remembered.n) {
		n = zced_spans_match(&d->remembered, mem, keep);
		if (!n || vq_shared_set_dynamic(&d->shared, keep, n))
			return;
		d->st.zced.shared_bytes = vq_shared_dynamic_bytes(&d->shared);
		fprintf(stderr, "bifrost-host: vhost-user %s: ZCED shared ranges taken back "
			"(same guest memory): %u ranges, %llu bytes\n", d->path, n,
			(unsigned long long)d->st.zced.shared_bytes);
		return;
	}

	for (i = 0; i < d->shared.ndyn; i++) {
		const struct vq_range *r = &d->shared.dyn[i];

		if (vq_gpa_to_hva(mem, r->start, r->end - r->start))
			keep[n++] = *r;
	}
	if (n == d->shared.ndyn)
		return;
	forget_dynamic(d, "new memory table");
	vq_shared_set_dynamic(&d->shared, keep, n);
	d->st.zced.shared_bytes = vq_shared_dynamic_bytes(&d->shared);
}

static void reset_vring(struct vhost_dev *d, unsigned int q)
{
	struct vhost_vring *vr = &d->vr[q];

	close_fd(&vr->kick_fd);
	close_fd(&vr->call_fd);
	memset(vr, 0, sizeof(*vr));
	vr->kick_fd = vr->call_fd = -1;
	vr->vq.violations = &d->st.violations;
	vr->vq.broken_count = &d->st.broken;
	vr->vq.dropped = &d->st.chains_dropped;
}

static void reset_device(struct vhost_dev *d, const char *why)
{
	unsigned int q;

	for (q = 0; q < VHOST_NQUEUES; q++)
		reset_vring(d, q);
	forget_dynamic(d, why);
	unmap_memory(d);
	close_fd(&d->backend_req_fd);
	d->features = 0;
	d->protocol_features = 0;
	d->owner = false;
	d->hdr_len = 12;
}

bool vhost_dev_has(const struct vhost_dev *d, unsigned int bit)
{
	return d->features & BIT(bit);
}

/* Starts a ring once it has size, addresses, a kick and is enabled. */
static void try_start(struct vhost_dev *d, unsigned int q)
{
	struct vhost_vring *vr = &d->vr[q];
	uint8_t *desc, *avail, *used;
	bool enabled = vr->enabled || !(d->features & BIT(VHOST_F_PROTOCOL_FEATURES));

	vr->vq.ready = false;
	if (!vr->num || !vr->addr_set || !vr->kicked || !enabled || !d->mem.n)
		return;
	desc = vq_uva_to_hva(&d->mem, vr->desc_uva, 16ULL * vr->num);
	avail = vq_uva_to_hva(&d->mem, vr->avail_uva, 6ULL + 2ULL * vr->num);
	used = vq_uva_to_hva(&d->mem, vr->used_uva, 6ULL + 8ULL * vr->num);
	if (vq_setup(&vr->vq, vr->num, desc, avail, used, vr->base)) {
		fail_msg(d, "%s %lu: ring addresses outside guest memory or misaligned",
			 "vring", q);
		return;
	}
	vr->vq.event_idx = vhost_dev_has(d, VHOST_F_RING_EVENT_IDX);
	vr->vq.indirect = vhost_dev_has(d, VHOST_F_RING_INDIRECT);
	vr->vq.ready = true;
}

static int send_reply(struct vhost_dev *d, struct vhu_msg *m, uint32_t size)
{
	ssize_t n;

	m->flags = VHU_VERSION | VHU_FLAG_REPLY;
	m->size = size;
	n = send(d->conn_fd, m, VHU_HDR_SIZE + size, MSG_NOSIGNAL);
	return n == (ssize_t)(VHU_HDR_SIZE + size) ? 0 : -EIO;
}

static int set_mem_table(struct vhost_dev *d, struct vhu_msg *m, int *fds, int nfds)
{
	uint32_t n = m->p.mem.nregions, i;
	struct vq_mem mem = { 0 };
	void *base[VQ_MAX_REGIONS];
	uint64_t len[VQ_MAX_REGIONS];
	struct stat st;

	if (n == 0 || n > VQ_MAX_REGIONS || (int)n != nfds ||
	    m->size < 8 + n * sizeof(struct vhu_region)) {
		fail_msg(d, "%s: %lu regions or fds do not match", "SET_MEM_TABLE", n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct vhu_region rr, *r = &rr;

		memcpy(&rr, (const uint8_t *)m->p.mem.r + i * sizeof(rr), sizeof(rr));

		if (!r->size || r->mmap_offset > UINT64_MAX - r->size ||
		    r->gpa > UINT64_MAX - r->size || r->uva > UINT64_MAX - r->size) {
			fail_msg(d, "%s: region %lu has a bad size or offset", "SET_MEM_TABLE", i);
			goto undo;
		}
		len[i] = r->size + r->mmap_offset;
		base[i] = mmap(NULL, len[i], PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		if (base[i] == MAP_FAILED) {
			fail_msg(d, "%s: cannot map region %lu", "SET_MEM_TABLE", i);
			goto undo;
		}
		mem.r[i].gpa = r->gpa;
		mem.r[i].size = r->size;
		mem.r[i].uva = r->uva;
		mem.r[i].hva = (uint8_t *)base[i] + r->mmap_offset;
		mem.r[i].foff = r->mmap_offset;
		if (!fstat(fds[i], &st)) {
			mem.r[i].dev = st.st_dev;
			mem.r[i].ino = st.st_ino;
		}
		mem.n = i + 1;
	}
	unmap_memory(d);
	revalidate_dynamic(d, &mem);
	d->mem = mem;
	memcpy(d->map_base, base, sizeof(base));
	memcpy(d->map_len, len, sizeof(len));
	for (i = 0; i < VHOST_NQUEUES; i++)
		try_start(d, i);
	return 0;
undo:
	while (mem.n--)
		munmap(base[mem.n], len[mem.n]);
	return -EINVAL;
}

static struct vhost_vring *vring_of(struct vhost_dev *d, uint32_t index, const char *req)
{
	if (index >= VHOST_NQUEUES) {
		fail_msg(d, "%s: no vring %lu (one queue pair)", req, index);
		return NULL;
	}
	return &d->vr[index];
}

/*
 * Handles one message; returns 0, 1 if a reply was sent, or -errno. A
 * descriptor the device keeps is claimed (its slot set to -1); the caller
 * closes every other one.
 */
static int handle(struct vhost_dev *d, struct vhu_msg *m, int *fds, int nfds)
{
	struct vhost_vring *vr;
	uint32_t idx;
	int fd = -1, ret = 0;

	switch (m->request) {
	case VHU_GET_FEATURES:
		m->p.u64 = offered_features;
		return send_reply(d, m, 8) ?: 1;
	case VHU_SET_FEATURES:
		d->features = m->p.u64 & offered_features;
		d->hdr_len = (d->features & (BIT(VHOST_F_VERSION_1) | BIT(VHOST_F_MRG_RXBUF))) ? 12 : 10;
		break;
	case VHU_GET_PROTOCOL_FEATURES:
		m->p.u64 = offered_protocol;
		return send_reply(d, m, 8) ?: 1;
	case VHU_SET_PROTOCOL_FEATURES:
		d->protocol_features = m->p.u64 & offered_protocol;
		break;
	case VHU_GET_QUEUE_NUM:
		m->p.u64 = 1;
		return send_reply(d, m, 8) ?: 1;
	case VHU_SET_OWNER:
		d->owner = true;
		break;
	case VHU_RESET_OWNER:
		reset_device(d, "device reset");
		break;
	case VHU_SET_MEM_TABLE:
		ret = set_mem_table(d, m, fds, nfds);	/* mmap keeps its own ref */
		break;
	case VHU_SET_VRING_NUM:
		vr = vring_of(d, m->p.state.index, "SET_VRING_NUM");
		if (!vr)
			return -EINVAL;
		if (!m->p.state.num || m->p.state.num > VQ_MAX_SIZE ||
		    (m->p.state.num & (m->p.state.num - 1))) {
			fail_msg(d, "%s: bad ring size %lu", "SET_VRING_NUM", m->p.state.num);
			return -EINVAL;
		}
		vr->num = m->p.state.num;
		break;
	case VHU_SET_VRING_ADDR:
		vr = vring_of(d, m->p.addr.index, "SET_VRING_ADDR");
		if (!vr)
			return -EINVAL;
		vr->desc_uva = m->p.addr.desc;
		vr->avail_uva = m->p.addr.avail;
		vr->used_uva = m->p.addr.used;
		vr->addr_set = true;
		try_start(d, m->p.addr.index);
		break;
	case VHU_SET_VRING_BASE:
		vr = vring_of(d, m->p.state.index, "SET_VRING_BASE");
		if (!vr)
			return -EINVAL;
		vr->base = (uint16_t)m->p.state.num;
		break;
	case VHU_GET_VRING_BASE:
		vr = vring_of(d, m->p.state.index, "GET_VRING_BASE");
		if (!vr)
			return -EINVAL;
		m->p.state.num = vr->vq.ready ? vr->vq.last_avail : vr->base;
		vr->base = (uint16_t)m->p.state.num;
		vr->vq.ready = false;
		vr->kicked = false;
		close_fd(&vr->kick_fd);
		return send_reply(d, m, 8) ?: 1;
	case VHU_SET_VRING_KICK:
	case VHU_SET_VRING_CALL:
	case VHU_SET_VRING_ERR:
		idx = m->p.u64 & 0xff;
		vr = vring_of(d, idx, "SET_VRING_KICK/CALL/ERR");
		if (!vr)
			return -EINVAL;
		if (!(m->p.u64 & VHU_VRING_NOFD)) {
			if (nfds != 1) {
				fail_msg(d, "%s: expected one fd, got %lu", "SET_VRING_KICK/CALL", nfds);
				return -EINVAL;
			}
			fd = fds[0];
		}
		if (m->request == VHU_SET_VRING_ERR)
			break;		/* we never report errors: let it close */
		fds[0] = -1;		/* claimed (or there was none) */
		if (m->request == VHU_SET_VRING_CALL) {
			close_fd(&vr->call_fd);
			vr->call_fd = fd;
			break;
		}
		close_fd(&vr->kick_fd);
		vr->kick_fd = fd;
		if (vr->kick_fd >= 0)
			fcntl(vr->kick_fd, F_SETFL, O_NONBLOCK);
		vr->kicked = true;
		try_start(d, idx);
		break;
	case VHU_SET_VRING_ENABLE:
		vr = vring_of(d, m->p.state.index, "SET_VRING_ENABLE");
		if (!vr)
			return -EINVAL;
		vr->enabled = m->p.state.num != 0;
		try_start(d, m->p.state.index);
		break;
	case VHU_SEND_RARP:
		break;	/* the guest announces itself; nothing to do */
	case VHU_SET_BACKEND_REQ_FD:
		if (nfds != 1) {
			fail_msg(d, "%s: expected one fd, got %lu", "SET_BACKEND_REQ_FD", nfds);
			return -EINVAL;
		}
		close_fd(&d->backend_req_fd);
		d->backend_req_fd = fds[0];
		fds[0] = -1;
		break;
	default:
		fail_msg(d, "%s %lu not supported", "request", m->request);
		ret = -EOPNOTSUPP;
		break;
	}
	return ret;
}

static void disconnect(struct vhost_dev *d)
{
	close_fd(&d->conn_fd);
	reset_device(d, "front-end disconnected");
}

static int recv_msg(struct vhost_dev *d, struct vhu_msg *m, int *fds, int *nfds)
{
	char cbuf[CMSG_SPACE(VHU_MAX_FDS * sizeof(int))];
	struct iovec iov = { m, VHU_HDR_SIZE };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(d->conn_fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (n <= 0)
		return -ECONNRESET;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t len;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		len = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (len > VHU_MAX_FDS - (size_t)*nfds)
			len = VHU_MAX_FDS - *nfds;
		memcpy(fds + *nfds, CMSG_DATA(cm), len * sizeof(int));
		*nfds += len;
	}
	if (n != VHU_HDR_SIZE || (m->flags & 0x3) != VHU_VERSION ||
	    m->size > sizeof(m->p) || (mh.msg_flags & MSG_CTRUNC)) {
		fail_msg(d, "%s: bad header (request %lu)", "message", m->request);
		goto bad;
	}
	memset(&m->p, 0, sizeof(m->p));
	if (m->size && recv(d->conn_fd, &m->p, m->size, MSG_WAITALL) != (ssize_t)m->size) {
		fail_msg(d, "%s: truncated payload (request %lu)", "message", m->request);
		goto bad;
	}
	return 0;
bad:
	while (*nfds)
		close(fds[--*nfds]);
	return -EPROTO;
}

static void handle_conn(struct vhost_dev *d)
{
	struct vhu_msg m;
	int fds[VHU_MAX_FDS], nfds, ret, i;
	bool need_reply;

	if (recv_msg(d, &m, fds, &nfds)) {
		disconnect(d);
		return;
	}
	need_reply = m.flags & VHU_FLAG_NEED_REPLY;
	ret = handle(d, &m, fds, nfds);
	for (i = 0; i < nfds; i++)	/* whatever the device did not keep */
		if (fds[i] >= 0)
			close(fds[i]);
	if (ret == 1)
		return;
	if (need_reply && (d->protocol_features & BIT(PF_REPLY_ACK))) {
		m.p.u64 = ret ? 1 : 0;
		if (send_reply(d, &m, 8))
			disconnect(d);
	}
}

static void accept_conn(struct vhost_dev *d)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* a front-end that stalls mid-message cannot wedge the worker */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	d->conn_fd = fd;
	d->st.connects++;
	reset_device(d, "new connection");
}

/* Someone listens at sa (a connection is accepted or waits in a full
 * backlog): a running backend's socket, not one left by a dead process. */
static bool socket_in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) || errno == EAGAIN;
	close(fd);
	return used;
}

int vhost_dev_init(struct vhost_dev *d, const char *path, const struct vq_shared *shared)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int q;

	memset(d, 0, sizeof(*d));
	d->listen_fd = d->conn_fd = d->backend_req_fd = -1;
	for (q = 0; q < VHOST_NQUEUES; q++) {
		d->vr[q].kick_fd = d->vr[q].call_fd = -1;
		reset_vring(d, q);
	}
	d->hdr_len = 12;
	if (shared)
		d->shared = *shared;
	vq_shared_clear_dynamic(&d->shared);
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(d->path, sizeof(d->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path));
	if (socket_in_use(&sa))
		return -EADDRINUSE;	/* never take a live socket's path */
	unlink(path);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(d->listen_fd, 1)) {
		int err = -errno;

		close_fd(&d->listen_fd);
		return err;
	}
	return 0;
}

void vhost_dev_destroy(struct vhost_dev *d)
{
	disconnect(d);
	if (d->listen_fd >= 0) {
		close_fd(&d->listen_fd);
		unlink(d->path);
	}
}

int vhost_dev_pollfds(struct vhost_dev *d, struct pollfd *pfd, int max)
{
	int n = 0;

	if (max < 3)
		return 0;
	/* One front-end at a time: a newcomer waits in the listen backlog
	 * until the current connection's end has been processed. */
	if (d->conn_fd < 0) {
		pfd[n].fd = d->listen_fd;
		pfd[n++].events = POLLIN;
	} else {
		pfd[n].fd = d->conn_fd;
		pfd[n++].events = POLLIN;
	}
	if (d->vr[VHOST_TXQ].kick_fd >= 0) {
		pfd[n].fd = d->vr[VHOST_TXQ].kick_fd;
		pfd[n++].events = POLLIN;
	}
	if (d->vr[VHOST_RXQ].kick_fd >= 0 && max > n) {	/* new RX buffers */
		pfd[n].fd = d->vr[VHOST_RXQ].kick_fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

void vhost_dev_service(struct vhost_dev *d, const struct pollfd *pfd, int n)
{
	uint64_t v;
	int i;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->listen_fd)
			accept_conn(d);
		else if (pfd[i].fd == d->conn_fd)
			handle_conn(d);
		else if (pfd[i].fd == d->vr[VHOST_TXQ].kick_fd &&
			 read(pfd[i].fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			close_fd(&d->vr[VHOST_TXQ].kick_fd);
		else if (pfd[i].fd == d->vr[VHOST_RXQ].kick_fd &&
			 read(pfd[i].fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			close_fd(&d->vr[VHOST_RXQ].kick_fd);
	}
}

bool vhost_dev_queue_ready(const struct vhost_dev *d, unsigned int q)
{
	return d->conn_fd >= 0 && q < VHOST_NQUEUES && d->vr[q].vq.ready &&
	       !d->vr[q].vq.broken;
}

void vhost_dev_notify(struct vhost_dev *d, unsigned int q)
{
	static const uint64_t one = 1;
	struct vhost_vring *vr = &d->vr[q];

	if (vr->call_fd >= 0 && vq_need_notify(&vr->vq) &&
	    write(vr->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		close_fd(&vr->call_fd);
}
