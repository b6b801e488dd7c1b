// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vhost_user.c - vhost-user protocol, back-end side (see vhost_user.h).
 *
 * Everything a front-end sends is bounded before use: message sizes,
 * region counts, ring indices and sizes, file descriptor counts. A message
 * that does not parse gets an error reply when one is expected and is
 * counted; it never crashes the backend. Nothing a front-end does makes
 * the worker wait: messages are read without blocking into the device's
 * receive buffer (struct vhost_rx) and replies are sent without blocking.
 * Log lines about a front-end are rate-limited per device; the counters
 * stay exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "vhost/vhost_user.h"
#include "log.h"
#include "port.h"
#include "util.h"

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

_Static_assert(VHU_HDR_SIZE == VHOST_USER_HDR_SIZE && sizeof(struct vhu_msg) == VHOST_USER_MSG_MAX,
	       "struct vhost_rx holds exactly the largest message");


/* One log line about this device's front-end, if limiter rl lets it
 * through; it says how many lines rl suppressed since the last one. */
static void dev_log(struct vhost_dev *d, struct bf_ratelimit *rl, const char *line)
{
	bf_log_limited(rl, BF_LOG_WARN, "vhost-user %s: %s", d->path, line);
}

/* A line about something the front-end did that is not a refused message. */
static void __attribute__((format(printf, 2, 3))) note(struct vhost_dev *d, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dev_log(d, &d->log_note, line);
}

/* A refused message: counted (exactly), remembered, logged (rate-limited). */
static void fail_msg(struct vhost_dev *d, const char *fmt, const char *what, unsigned long v)
{
	d->st.bad_messages++;
	snprintf(d->last_error, sizeof(d->last_error), fmt, what, v);
	dev_log(d, &d->log_bad, d->last_error);
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

	for (i = 0; i < d->maps.n; i++)
		munmap(d->maps.base[i], d->maps.len[i]);
	memset(&d->maps, 0, sizeof(d->maps));
	memset(&d->mem, 0, sizeof(d->mem));
	d->mem_sealed = false;
}

/* The guest's registered ranges belong to one session and memory table. */
static void forget_dynamic(struct vhost_dev *d, const char *why)
{
	if (d->shared.ndyn)
		note(d, "ZCED shared ranges forgotten (%s)", why);
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
		note(d, "ZCED shared ranges taken back (same guest memory): %u ranges, %llu bytes",
		     n, (unsigned long long)d->st.zced.shared_bytes);
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

/*
 * Sends a reply without waiting. A front-end reads each reply before its
 * next request, so the socket always has room; when it has none (a
 * front-end that never reads) or the front-end is gone, the connection is
 * dropped once the current message is done (reply_failed), the first case
 * counted and logged. 0 or -EIO.
 */
static int send_reply(struct vhost_dev *d, struct vhu_msg *m, uint32_t size)
{
	ssize_t n;

	m->flags = VHU_VERSION | VHU_FLAG_REPLY;
	m->size = size;
	n = send(d->conn_fd, m, VHU_HDR_SIZE + size, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == (ssize_t)(VHU_HDR_SIZE + size))
		return 0;
	if (!d->reply_failed && (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)) {
		d->st.reply_stalls++;
		note(d, "front-end does not read its replies (socket full): dropped");
	}
	d->reply_failed = true;
	return -EIO;
}

/*
 * Maps region i (r, backed by fd) into *out; *base and *len: the whole
 * mapping. The file must hold every byte of the region: beyond its end a
 * touch is a SIGBUS, so a region larger than its file is refused. *sealed:
 * the file cannot shrink later (F_SEAL_SHRINK, as QEMU's memfd backend
 * sets). 0, or -EINVAL (reported, nothing mapped).
 */
static int map_region(struct vhost_dev *d, unsigned int i, const struct vhu_region *r, int fd,
		      struct vq_region *out, void **base, uint64_t *len, bool *sealed)
{
	struct stat st;
	int seals;

	if (!r->size || r->mmap_offset > UINT64_MAX - r->size ||
	    r->gpa > UINT64_MAX - r->size || r->uva > UINT64_MAX - r->size) {
		fail_msg(d, "%s: region %lu has a bad size or offset", "SET_MEM_TABLE", i);
		return -EINVAL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fail_msg(d, "%s: region %lu is not backed by a regular file", "SET_MEM_TABLE", i);
		return -EINVAL;
	}
	if (st.st_size < 0 || r->mmap_offset + r->size > (uint64_t)st.st_size) {
		fail_msg(d, "%s: region %lu reaches beyond the end of its file",
			 "SET_MEM_TABLE", i);
		return -EINVAL;
	}
	*len = r->mmap_offset + r->size;
	*base = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*base == MAP_FAILED) {
		fail_msg(d, "%s: cannot map region %lu", "SET_MEM_TABLE", i);
		return -EINVAL;
	}
	seals = fcntl(fd, F_GET_SEALS);
	*sealed = seals >= 0 && (seals & F_SEAL_SHRINK);
	out->gpa = r->gpa;
	out->size = r->size;
	out->uva = r->uva;
	out->hva = (uint8_t *)*base + r->mmap_offset;
	out->foff = r->mmap_offset;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;
}

/* SET_MEM_TABLE with nregions (1..VQ_MAX_REGIONS) regions and as many
 * fds: all of it replaces the current table, or nothing does. */
static int set_mem_table(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	uint32_t n = m->p.mem.nregions, i;
	struct vq_mem mem = { 0 };
	struct guestmem_maps maps = { 0 };
	bool sealed, all_sealed = true;

	for (i = 0; i < n; i++) {
		struct vhu_region r;

		memcpy(&r, (const uint8_t *)m->p.mem.r + i * sizeof(r), sizeof(r));
		if (map_region(d, i, &r, fds[i], &mem.r[i], &maps.base[i], &maps.len[i], &sealed))
			goto undo;
		all_sealed &= sealed;
		mem.n = maps.n = i + 1;
	}
	unmap_memory(d);
	revalidate_dynamic(d, &mem);
	d->mem = mem;
	d->maps = maps;
	d->mem_sealed = all_sealed;
	if (!all_sealed)
		note(d, "guest memory not sealed against shrinking: a fault in it drops this "
		     "front-end");
	for (i = 0; i < VHOST_NQUEUES; i++)
		try_start(d, i);
	return 0;
undo:
	while (maps.n--)
		munmap(maps.base[maps.n], maps.len[maps.n]);
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
 * Request handlers. Each is called only once the dispatcher has checked
 * the payload size and the fd count against its table entry (reqs[]): a
 * handler may read its payload and fds[0..fds it takes) without further
 * checks. It returns 0, 1 if it sent a reply itself, or -errno. An fd it
 * keeps is claimed by setting its slot to -1; the dispatcher closes every
 * other one.
 */
static int reply_u64(struct vhost_dev *d, struct vhu_msg *m, uint64_t v)
{
	m->p.u64 = v;
	return send_reply(d, m, 8) ?: 1;
}

static int get_features(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)fds;
	return reply_u64(d, m, offered_features);
}

static int set_features(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)fds;
	d->features = m->p.u64 & offered_features;
	d->hdr_len = (d->features & (BIT(VHOST_F_VERSION_1) | BIT(VHOST_F_MRG_RXBUF))) ? 12 : 10;
	return 0;
}

static int get_protocol_features(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)fds;
	return reply_u64(d, m, offered_protocol);
}

static int set_protocol_features(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)fds;
	d->protocol_features = m->p.u64 & offered_protocol;
	return 0;
}

static int get_queue_num(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)fds;
	return reply_u64(d, m, 1);
}

static int set_owner(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)m, (void)fds;
	d->owner = true;
	return 0;
}

static int reset_owner(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)m, (void)fds;
	reset_device(d, "device reset");
	return 0;
}

static int set_vring_num(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr = vring_of(d, m->p.state.index, "SET_VRING_NUM");
	uint32_t num = m->p.state.num;

	(void)fds;
	if (!vr)
		return -EINVAL;
	if (!num || num > VQ_MAX_SIZE || (num & (num - 1))) {
		fail_msg(d, "%s: bad ring size %lu", "SET_VRING_NUM", num);
		return -EINVAL;
	}
	vr->num = num;
	return 0;
}

static int set_vring_addr(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr = vring_of(d, m->p.addr.index, "SET_VRING_ADDR");

	(void)fds;
	if (!vr)
		return -EINVAL;
	vr->desc_uva = m->p.addr.desc;
	vr->avail_uva = m->p.addr.avail;
	vr->used_uva = m->p.addr.used;
	vr->addr_set = true;
	try_start(d, m->p.addr.index);
	return 0;
}

static int set_vring_base(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr = vring_of(d, m->p.state.index, "SET_VRING_BASE");

	(void)fds;
	if (!vr)
		return -EINVAL;
	vr->base = (uint16_t)m->p.state.num;
	return 0;
}

static int get_vring_base(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr = vring_of(d, m->p.state.index, "GET_VRING_BASE");

	(void)fds;
	if (!vr)
		return -EINVAL;
	m->p.state.num = vr->vq.ready ? vr->vq.last_avail : vr->base;
	vr->base = (uint16_t)m->p.state.num;
	vr->vq.ready = false;
	vr->kicked = false;
	close_fd(&vr->kick_fd);
	return send_reply(d, m, 8) ?: 1;
}

/* The vring of a SET_VRING_KICK/CALL/ERR payload; *fd: its fd (claimed
 * from fds[0]) or -1 with the no-fd bit. */
static struct vhost_vring *vring_file(struct vhost_dev *d, struct vhu_msg *m, int *fds,
				      const char *req, int *fd)
{
	struct vhost_vring *vr = vring_of(d, m->p.u64 & 0xff, req);

	*fd = -1;
	if (vr && !(m->p.u64 & VHU_VRING_NOFD)) {
		*fd = fds[0];
		fds[0] = -1;
	}
	return vr;
}

static int set_vring_kick(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr;
	int fd;

	vr = vring_file(d, m, fds, "SET_VRING_KICK", &fd);
	if (!vr)
		return -EINVAL;
	close_fd(&vr->kick_fd);
	vr->kick_fd = fd;
	if (fd >= 0)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	vr->kicked = true;
	try_start(d, vr - d->vr);
	return 0;
}

static int set_vring_call(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr;
	int fd;

	vr = vring_file(d, m, fds, "SET_VRING_CALL", &fd);
	if (!vr)
		return -EINVAL;
	close_fd(&vr->call_fd);
	vr->call_fd = fd;
	return 0;
}

static int set_vring_err(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)fds;	/* we never report ring errors: the fd is not taken */
	return vring_of(d, m->p.u64 & 0xff, "SET_VRING_ERR") ? 0 : -EINVAL;
}

static int set_vring_enable(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	struct vhost_vring *vr = vring_of(d, m->p.state.index, "SET_VRING_ENABLE");

	(void)fds;
	if (!vr)
		return -EINVAL;
	vr->enabled = m->p.state.num != 0;
	try_start(d, m->p.state.index);
	return 0;
}

static int send_rarp(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)d, (void)m, (void)fds;
	return 0;	/* the guest announces itself; nothing to do */
}

static int set_backend_req_fd(struct vhost_dev *d, struct vhu_msg *m, int *fds)
{
	(void)m;
	close_fd(&d->backend_req_fd);
	d->backend_req_fd = fds[0];
	fds[0] = -1;
	return 0;
}

/* How many fds a request takes. */
enum vhu_fds {
	VHU_FDS_NONE,		/* none */
	VHU_FDS_ONE,		/* exactly one */
	VHU_FDS_VRING,		/* one, none with VHU_VRING_NOFD in the u64 */
	VHU_FDS_REGIONS,	/* one per memory region (nregions) */
};

struct vhu_req {
	const char *name;
	int (*handle)(struct vhost_dev *d, struct vhu_msg *m, int *fds);
	uint16_t min, max;	/* payload bytes */
	uint8_t fds;		/* enum vhu_fds */
};

#define STATE	sizeof(((struct vhu_msg *)0)->p.state)
#define ADDR	sizeof(((struct vhu_msg *)0)->p.addr)
#define REGION	sizeof(struct vhu_region)

/*
 * Every request the back-end serves, with the payload size the
 * vhost-user spec (QEMU docs/interop/vhost-user.rst, "Front-end message
 * types") gives it and the fds it carries. Anything else is refused.
 */
static const struct vhu_req reqs[] = {
	[VHU_GET_FEATURES] = { "GET_FEATURES", get_features, 0, 0, VHU_FDS_NONE },
	[VHU_SET_FEATURES] = { "SET_FEATURES", set_features, 8, 8, VHU_FDS_NONE },
	[VHU_SET_OWNER] = { "SET_OWNER", set_owner, 0, 0, VHU_FDS_NONE },
	[VHU_RESET_OWNER] = { "RESET_OWNER", reset_owner, 0, 0, VHU_FDS_NONE },
	[VHU_SET_MEM_TABLE] = { "SET_MEM_TABLE", set_mem_table,
				8 + REGION, 8 + VQ_MAX_REGIONS * REGION, VHU_FDS_REGIONS },
	[VHU_SET_VRING_NUM] = { "SET_VRING_NUM", set_vring_num, STATE, STATE, VHU_FDS_NONE },
	[VHU_SET_VRING_ADDR] = { "SET_VRING_ADDR", set_vring_addr, ADDR, ADDR, VHU_FDS_NONE },
	[VHU_SET_VRING_BASE] = { "SET_VRING_BASE", set_vring_base, STATE, STATE, VHU_FDS_NONE },
	[VHU_GET_VRING_BASE] = { "GET_VRING_BASE", get_vring_base, STATE, STATE, VHU_FDS_NONE },
	[VHU_SET_VRING_KICK] = { "SET_VRING_KICK", set_vring_kick, 8, 8, VHU_FDS_VRING },
	[VHU_SET_VRING_CALL] = { "SET_VRING_CALL", set_vring_call, 8, 8, VHU_FDS_VRING },
	[VHU_SET_VRING_ERR] = { "SET_VRING_ERR", set_vring_err, 8, 8, VHU_FDS_VRING },
	[VHU_GET_PROTOCOL_FEATURES] = { "GET_PROTOCOL_FEATURES", get_protocol_features,
					0, 0, VHU_FDS_NONE },
	[VHU_SET_PROTOCOL_FEATURES] = { "SET_PROTOCOL_FEATURES", set_protocol_features,
					8, 8, VHU_FDS_NONE },
	[VHU_GET_QUEUE_NUM] = { "GET_QUEUE_NUM", get_queue_num, 0, 0, VHU_FDS_NONE },
	[VHU_SET_VRING_ENABLE] = { "SET_VRING_ENABLE", set_vring_enable, STATE, STATE,
				   VHU_FDS_NONE },
	[VHU_SEND_RARP] = { "SEND_RARP", send_rarp, 8, 8, VHU_FDS_NONE },
	[VHU_SET_BACKEND_REQ_FD] = { "SET_BACKEND_REQ_FD", set_backend_req_fd, 0, 0, VHU_FDS_ONE },
};

#undef STATE
#undef ADDR
#undef REGION

/* The fds request r takes with payload m (already size-checked). */
static int fds_expected(const struct vhu_req *r, const struct vhu_msg *m)
{
	switch (r->fds) {
	case VHU_FDS_ONE:
		return 1;
	case VHU_FDS_VRING:
		return m->p.u64 & VHU_VRING_NOFD ? 0 : 1;
	case VHU_FDS_REGIONS:
		return m->p.mem.nregions;
	default:
		return 0;
	}
}

/*
 * Checks a message against its table entry, then runs its handler.
 * Returns what the handler returned, or -EINVAL/-EOPNOTSUPP (counted,
 * nothing changed) for an unknown request or a payload size or fd count
 * other than the request's.
 */
static int dispatch(struct vhost_dev *d, struct vhu_msg *m, int *fds, int nfds)
{
	const struct vhu_req *r = m->request < sizeof(reqs) / sizeof(reqs[0]) ?
				  &reqs[m->request] : NULL;

	if (!r || !r->handle) {
		fail_msg(d, "%s %lu not supported", "request", m->request);
		return -EOPNOTSUPP;
	}
	if (m->size < r->min || m->size > r->max ||
	    (r->fds == VHU_FDS_REGIONS &&
	     (m->p.mem.nregions > VQ_MAX_REGIONS ||
	      m->size != 8 + m->p.mem.nregions * sizeof(struct vhu_region)))) {
		fail_msg(d, "%s: bad payload size %lu", r->name, m->size);
		return -EINVAL;
	}
	if (nfds != fds_expected(r, m)) {
		fail_msg(d, "%s: wrong number of fds (%lu)", r->name, nfds);
		return -EINVAL;
	}
	return r->handle(d, m, fds);
}

/* Forgets the partial message: its bytes, and its fds (closed). */
static void rx_reset(struct vhost_rx *rx)
{
	while (rx->nfds)
		close(rx->fds[--rx->nfds]);
	rx->have = 0;
	rx->fds_lost = false;
}

static void disconnect(struct vhost_dev *d)
{
	close_fd(&d->conn_fd);
	rx_reset(&d->rx);
	d->reply_failed = false;
	reset_device(d, "front-end disconnected");
}

/* Keeps the fds that came with the bytes just received; beyond
 * VHOST_USER_MAX_FDS in one message they are closed and the message bad. */
static void rx_take_fds(struct vhost_rx *rx, struct msghdr *mh)
{
	struct cmsghdr *cm;
	size_t i, len;
	int fd;

	if (mh->msg_flags & MSG_CTRUNC)
		rx->fds_lost = true;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		len = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < len; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (rx->nfds < VHOST_USER_MAX_FDS) {
				rx->fds[rx->nfds++] = fd;
			} else {	/* more than any request takes */
				close(fd);
				rx->fds_lost = true;
			}
		}
	}
}

/* Receives up to len more bytes of the current message (never a byte of
 * the next one: its fds would come along), without waiting. */
static ssize_t rx_recv(struct vhost_dev *d, uint32_t len)
{
	char cbuf[CMSG_SPACE(VHOST_USER_MAX_FDS * sizeof(int))];
	struct iovec iov = { d->rx.buf + d->rx.have, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	ssize_t n;

	n = recvmsg(d->conn_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n > 0)
		rx_take_fds(&d->rx, &mh);
	return n;
}

/* The header just completed: version, a payload within the bound. */
static int rx_check_header(struct vhost_dev *d)
{
	struct vhu_msg *m = (struct vhu_msg *)d->rx.buf;

	if ((m->flags & 0x3) != VHU_VERSION || m->size > sizeof(m->p)) {
		fail_msg(d, "%s: bad header (request %lu)", "message", m->request);
		return -EPROTO;
	}
	memset(&m->p, 0, sizeof(m->p));
	return 0;
}

/*
 * Reads what has arrived of the current message: the rest of its header,
 * then of its payload. 0 once it is complete, -EAGAIN while more is to
 * come, -ECONNRESET when the front-end hung up or sent a bad header or
 * too many fds (counted).
 */
static int rx_read(struct vhost_dev *d)
{
	struct vhost_rx *rx = &d->rx;
	const struct vhu_msg *m = (const struct vhu_msg *)rx->buf;
	uint32_t want;
	ssize_t n;

	for (;;) {
		want = rx->have < VHU_HDR_SIZE ? VHU_HDR_SIZE : VHU_HDR_SIZE + m->size;
		if (rx->have == want)
			return 0;
		n = rx_recv(d, want - rx->have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -EAGAIN;
		if (n <= 0) {
			if (rx->have)
				fail_msg(d, "%s: truncated (%lu bytes arrived)", "message",
					 rx->have);
			return -ECONNRESET;
		}
		rx->have += n;
		if (rx->fds_lost) {
			fail_msg(d, "%s: more than %lu fds, or truncated", "message",
				 VHOST_USER_MAX_FDS);
			return -ECONNRESET;
		}
		if (rx->have == VHU_HDR_SIZE && rx_check_header(d))
			return -ECONNRESET;
	}
}

/* Moves the complete message and its fds out of the receive buffer. */
static int rx_take(struct vhost_rx *rx, struct vhu_msg *m, int *fds)
{
	int nfds = rx->nfds;

	memcpy(m, rx->buf, sizeof(*m));
	memcpy(fds, rx->fds, nfds * sizeof(int));
	rx->nfds = 0;
	rx->have = 0;
	return nfds;
}

int vhost_dev_handle_message(struct vhost_dev *d)
{
	struct vhu_msg m;
	int fds[VHOST_USER_MAX_FDS], nfds, ret, i;
	bool need_reply;

	ret = rx_read(d);
	if (ret == -EAGAIN)
		return ret;
	if (ret)
		goto drop;
	nfds = rx_take(&d->rx, &m, fds);
	need_reply = m.flags & VHU_FLAG_NEED_REPLY;
	ret = dispatch(d, &m, fds, nfds);
	for (i = 0; i < nfds; i++)	/* whatever the handler did not keep */
		if (fds[i] >= 0)
			close(fds[i]);
	if (ret != 1 && need_reply && !d->reply_failed &&
	    (d->protocol_features & BIT(PF_REPLY_ACK))) {
		m.p.u64 = ret ? 1 : 0;
		send_reply(d, &m, 8);
	}
	if (!d->reply_failed)
		return 0;
drop:
	disconnect(d);
	return -ECONNRESET;
}

void vhost_dev_mem_fault(struct vhost_dev *d)
{
	uint64_t n = ++d->st.mem_faults;

	if (!(n & (n - 1)))
		bf_warn("vhost-user %s: guest memory fault (its file shrank "
			"under a mapped region): front-end dropped (%llu so far)", d->path,
			(unsigned long long)n);
	disconnect(d);
}

static void accept_conn(struct vhost_dev *d)
{
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
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

/* A device with no connection and no socket yet. */
static void dev_init(struct vhost_dev *d, const char *name, const struct vq_shared *shared)
{
	unsigned int q;

	memset(d, 0, sizeof(*d));
	d->listen_fd = d->conn_fd = d->backend_req_fd = -1;
	for (q = 0; q < VHOST_NQUEUES; q++) {
		d->vr[q].kick_fd = d->vr[q].call_fd = -1;
		reset_vring(d, q);
	}
	d->hdr_len = 12;
	d->log_bad = d->log_note = (struct bf_ratelimit){ .burst = VHOST_LOG_BURST,
							    .per_sec = VHOST_LOG_PER_SEC };
	if (shared)
		d->shared = *shared;
	vq_shared_clear_dynamic(&d->shared);
	snprintf(d->path, sizeof(d->path), "%s", name);
}

/* perm on the socket file at path: the mode first (while we own it: no
 * CAP_FOWNER needed), then owner and group (CAP_CHOWN); 0 or -errno. */
static int set_perm(const char *path, const struct bf_sock_perm *perm)
{
	if (!perm)
		return 0;
	if (perm->mode >= 0 && chmod(path, (mode_t)perm->mode))
		return -errno;
	if ((perm->uid != (uid_t)-1 || perm->gid != (gid_t)-1) &&
	    lchown(path, perm->uid, perm->gid))
		return -errno;
	return 0;
}

int vhost_dev_init(struct vhost_dev *d, const char *path, const struct vq_shared *shared,
		   const struct bf_sock_perm *perm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ret = 0;

	dev_init(d, path, shared);
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	if (socket_in_use(&sa))
		return -EADDRINUSE;	/* never take a live socket's path */
	{
		struct stat st;

		if (!lstat(path, &st) && !S_ISSOCK(st.st_mode))
			return -EEXIST;	/* never delete what is not a stale socket */
	}
	unlink(path);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (ret = set_perm(path, perm)) || listen(d->listen_fd, 1)) {
		int err = ret ? ret : -errno;

		if (d->listen_fd >= 0 && ret)
			unlink(path);	/* bound by us: no socket with the wrong owner left */
		close_fd(&d->listen_fd);
		return err;
	}
	return 0;
}

int vhost_dev_init_conn(struct vhost_dev *d, const char *name, int conn_fd,
			const struct vq_shared *shared)
{
	dev_init(d, name, shared);
	if (conn_fd < 0)
		return -EBADF;
	d->conn_fd = conn_fd;
	d->st.connects++;
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
			vhost_dev_handle_message(d);
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

#ifdef BF_ADVERSARY
void vhost_dev_notify_always(struct vhost_dev *d, unsigned int q)
{
	static const uint64_t one = 1;
	struct vhost_vring *vr = &d->vr[q];

	if (vr->call_fd >= 0 && write(vr->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		close_fd(&vr->call_fd);
}
#endif
