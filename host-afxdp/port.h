/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * port.h - the guest-facing side of the backend, one instance per guest.
 *
 * A port has nqueues queue pairs. Queue q receives what the XDP program
 * steered to XSKMAP slot BF_XSK_SLOT(guest, q) (after PRPR) and sends what
 * the guest transmits on queue q (before TSO). Packets cross the port with a
 * struct virtio_net_hdr, so a tap (IFF_VNET_HDR) and a vhost-user virtqueue
 * pair fit the same interface.
 */
#ifndef BIFROST_PORT_H
#define BIFROST_PORT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/types.h>
#include <linux/virtio_net.h>

struct bf_port;

struct bf_port_ops {
	/* Hands one packet to the guest on queue q. 0, or -EAGAIN when the
	 * guest has no room (the caller parks the packet and offers it again
	 * later, or counts a drop), or another -errno. A port that cuts a
	 * packet into frames and runs out of room part way delivers only the
	 * frames the guest has not got yet when offered that packet again. */
	int (*deliver)(struct bf_port *p, unsigned int q,
		       const struct virtio_net_hdr *vh,
		       const uint8_t *frame, size_t len);
	/* Takes one packet the guest sent on queue q: returns its length
	 * (frame only, header in *vh), 0 when there is none, -errno. */
	ssize_t (*fetch)(struct bf_port *p, unsigned int q,
			 struct virtio_net_hdr *vh, uint8_t *buf, size_t cap);
	/* Adds the descriptors the worker must wait on (packets to send,
	 * control traffic) to pfd[0..max); returns how many. */
	int (*pollfds)(struct bf_port *p, struct pollfd *pfd, int max);
	/* Runs control work for those descriptors (revents filled in). */
	void (*service)(struct bf_port *p, const struct pollfd *pfd, int n);
	/* A frame the guest sent to the backend itself (zced_reg_is_msg),
	 * from the private copy fetch made: validate and apply it, count and
	 * log the verdict. 0 accepted, or -errno refused (nothing changed).
	 * NULL when the port takes no registrations (the worker refuses them). */
	int (*registration)(struct bf_port *p, const uint8_t *frame, size_t len);
	/* End of a batch on queue q: let the guest see it (interrupt). */
	void (*flush)(struct bf_port *p, unsigned int q);
	void (*destroy)(struct bf_port *p);
};

struct zced_stats;
struct bf_zced_shared;
struct vhost_stats;

struct bf_port {
	const struct bf_port_ops *ops;
	unsigned int nqueues;
	char name[32];
	char guest[32];		/* the guest's name, for log lines */
	uint64_t *violations;	/* CVM shared-range violations, or NULL */
	uint64_t *chains_dropped;	/* legal chains not served, or NULL */
	const struct vhost_stats *vhost;	/* vhost-user control counters, or NULL */
	const struct zced_stats *zced;	/* pool registrations, or NULL */
	/* What the guest has shared, tied to its memory: the worker keeps it
	 * in the bf_zced_shared map across backend restarts and hands it back
	 * at start; the port takes it back for the same guest memory. NULL
	 * when the port has no guest memory. */
	struct bf_zced_shared *zced_spans;
};

/* fetch() result for a packet refused by CVM checks (already counted). */
#define BF_PORT_VIOLATION	(-EACCES)
/* fetch() result for a chain that holds a virtio-net header but no frame:
 * returned to the guest unused; the caller counts a bad TX packet and goes
 * on with the next one (0 would read as "nothing to send"). */
#define BF_PORT_NO_FRAME	(-ENODATA)

struct vq_shared;

/* A tap device with IFF_VNET_HDR and GSO offloads on, MAC set to mac. */
struct bf_port *bf_tap_port_open(const char *ifname, unsigned int nqueues,
				 const uint8_t mac[6], char *err, size_t errlen);

/* Who may connect to a vhost-user socket: its owner and group ((uid_t)-1,
 * (gid_t)-1: the backend's) and mode (-1: what the umask leaves), given to
 * the path after bind() and before listen(). */
struct bf_sock_perm {
	uid_t uid;
	gid_t gid;
	int mode;
};

/* A vhost-user-net device served on the UNIX socket at path (one queue
 * pair). shared: CVM shared ranges, or NULL for a normal VM. perm: the
 * socket's owner, group and mode, or NULL for the backend's. */
struct bf_port *bf_vhost_port_open(const char *path, const struct vq_shared *shared,
				   const struct bf_sock_perm *perm, char *err, size_t errlen);

#ifdef BF_ADVERSARY
/* The test build only (bifrost-host-adversary): port p, opened by
 * bf_vhost_port_open, tampers with the guest's shared memory at a's ADV_*
 * points (adversary.h). */
struct adversary;
void bf_vhost_port_set_adversary(struct bf_port *p, const struct adversary *a);
#endif

/* The vhost-user device behind a port from bf_vhost_port_open(), for unit
 * tests and fuzzers that play the front-end in-process (they fill in the
 * memory table and rings instead of a socket peer). */
struct vhost_dev;
struct vhost_dev *bf_vhost_port_dev(struct bf_port *p);

#endif /* BIFROST_PORT_H */
