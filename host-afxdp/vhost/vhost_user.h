/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vhost_user.h - the vhost-user back-end side of one virtio-net device.
 *
 * We listen on a UNIX socket; QEMU connects (as a client, with reconnect)
 * and hands over the guest's memory table and virtqueues. The device
 * outlives QEMU: on disconnect all guest state is dropped and the next
 * connection starts from scratch. Messages are handled in the worker thread
 * that also runs the data path, so no locking is needed; that thread never
 * waits for a front-end: a message is read as far as it has arrived and
 * handled once complete, and a reply the front-end does not take drops it.
 *
 * The guest's dynamic shared ranges (its ZCED pool registration,
 * zced_reg.h) live in shared.dyn; a new connection, a new memory table
 * and RESET_OWNER forget them (the guest announces them again at link up).
 */
#ifndef BIFROST_VHOST_USER_H
#define BIFROST_VHOST_USER_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include "log.h"
#include "vhost/guestmem.h"
#include "vhost/virtq.h"
#include "vhost/zced_reg.h"

#define VHOST_RXQ	0	/* guest receives: we write */
#define VHOST_TXQ	1	/* guest transmits: we read */
#define VHOST_NQUEUES	2

/* Feature bits (virtio 1.x, virtio-net, vhost-user). */
#define VHOST_F_CSUM			0
#define VHOST_F_GUEST_CSUM		1
#define VHOST_F_GUEST_TSO4		7
#define VHOST_F_GUEST_TSO6		8
#define VHOST_F_GUEST_ECN		9
#define VHOST_F_HOST_TSO4		11
#define VHOST_F_HOST_TSO6		12
#define VHOST_F_HOST_ECN		13
#define VHOST_F_MRG_RXBUF		15
#define VHOST_F_RING_INDIRECT		28
#define VHOST_F_RING_EVENT_IDX	29
#define VHOST_F_PROTOCOL_FEATURES	30
#define VHOST_F_VERSION_1		32
#define VHOST_F_ACCESS_PLATFORM	33

struct vhost_vring {
	struct virtq vq;
	int kick_fd;
	int call_fd;
	uint16_t num;
	uint16_t base;
	uint64_t desc_uva, avail_uva, used_uva;
	bool addr_set, kicked, enabled;
};

/* The largest message taken (header + payload), and fds per message. */
#define VHOST_USER_HDR_SIZE	12
#define VHOST_USER_MSG_MAX	(VHOST_USER_HDR_SIZE + 512)
#define VHOST_USER_MAX_FDS	8

/* Log lines about one device's front-end: a burst, then a few a second. */
#define VHOST_LOG_BURST		10
#define VHOST_LOG_PER_SEC	5

/*
 * What has arrived of the front-end's current message: its first have
 * bytes and the fds that came with them (SCM_RIGHTS travel with the first
 * bytes of a message). The header is checked as soon as it is complete;
 * the message is handled once all of it is here.
 */
struct vhost_rx {
	uint8_t buf[VHOST_USER_MSG_MAX];
	uint32_t have;
	int fds[VHOST_USER_MAX_FDS];
	unsigned int nfds;
	bool fds_lost;		/* more than VHOST_USER_MAX_FDS, or truncated */
};

struct vhost_stats {
	uint64_t connects;
	uint64_t bad_messages;		/* malformed or unknown requests */
	uint64_t reply_stalls;		/* replies not taken (socket full): dropped */
	uint64_t mem_faults;		/* guest memory gone under us (front-end dropped) */
	uint64_t violations;		/* CVM: buffers outside shared ranges */
	uint64_t broken;		/* rings found malformed */
	struct zced_stats zced;		/* in-band ZCED pool registrations */
	uint64_t chains_dropped;	/* legal chains not served (virtq.h) */
};

struct vhost_dev {
	char path[108];
	int listen_fd;
	int conn_fd;
	int backend_req_fd;		/* back-end -> front-end channel (unused) */
	uint64_t features;		/* acked by the front-end */
	uint64_t protocol_features;
	bool owner;
	struct vq_mem mem;
	struct guestmem_maps maps;	/* our mappings behind mem */
	bool mem_sealed;		/* every region's file is sealed against shrinking */
	struct vhost_vring vr[VHOST_NQUEUES];
	struct vq_shared shared;	/* CVM shared ranges: operator's + guest's */
	struct bf_zced_shared remembered;	/* what the guest shared, by memory identity */
	unsigned int hdr_len;		/* virtio-net header: 10 or 12 */
	struct vhost_stats st;
	char last_error[128];
	struct vhost_rx rx;		/* the message being received */
	bool reply_failed;		/* drop the connection after this message */
	/* log lines: refused messages, other front-end events */
	struct bf_ratelimit log_bad, log_note;
};

/* Creates the listening socket (removing a stale one; -EADDRINUSE when a
 * process still listens there), with perm's mode, then owner and group
 * (port.h; NULL: unchanged) set on the path between bind() and listen(), so
 * no front-end connects before. 0 or -errno (-EPERM: no CAP_CHOWN). */
struct bf_sock_perm;
int vhost_dev_init(struct vhost_dev *d, const char *path, const struct vq_shared *shared,
		   const struct bf_sock_perm *perm);
/*
 * A device without a listening socket, serving the front-end already
 * connected on conn_fd (a connected AF_UNIX stream socket; the device owns
 * it from now on, also on error), e.g. one end of a socketpair in a test
 * or fuzzer. name is used in log lines. 0 or -errno.
 */
int vhost_dev_init_conn(struct vhost_dev *d, const char *name, int conn_fd,
			const struct vq_shared *shared);
/*
 * Reads what has arrived of the front-end's current message, without
 * waiting (what vhost_dev_service() does when the connection is readable).
 * Once it is complete: checks it against the request table, runs its
 * handler, replies, closes every fd the handler did not keep. 0 when a
 * message was handled, -EAGAIN while it is incomplete (the part received
 * is kept), or -ECONNRESET when the connection ended or broke (the device
 * is reset, the connection closed, the fds of a partial message closed).
 */
int vhost_dev_handle_message(struct vhost_dev *d);
void vhost_dev_destroy(struct vhost_dev *d);
/* Fills pollfds for the control socket and the TX kick; returns count. */
int vhost_dev_pollfds(struct vhost_dev *d, struct pollfd *pfd, int max);
/* Handles control traffic (accept, messages, disconnect) and drains kicks. */
void vhost_dev_service(struct vhost_dev *d, const struct pollfd *pfd, int n);
/* Queue q can move packets. */
bool vhost_dev_queue_ready(const struct vhost_dev *d, unsigned int q);
/* Interrupts the guest for queue q if it asked for it. */
void vhost_dev_notify(struct vhost_dev *d, unsigned int q);
#ifdef BF_ADVERSARY
/* The test build's hostile host: queue q's call, whatever the guest asked. */
void vhost_dev_notify_always(struct vhost_dev *d, unsigned int q);
#endif
bool vhost_dev_has(const struct vhost_dev *d, unsigned int feature_bit);
/*
 * An access to this device's guest memory faulted (guestmem.h: its file
 * shrank under our mapping): counts it, logs it (the first time, then at
 * every power of two), and drops the front-end as a disconnect does. The
 * caller must not touch the device's guest memory afterwards.
 */
void vhost_dev_mem_fault(struct vhost_dev *d);

#endif /* BIFROST_VHOST_USER_H */
