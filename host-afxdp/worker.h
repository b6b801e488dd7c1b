/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * worker.h - one backend worker: a NIC queue's UMEM, the AF_XDP sockets of
 * every guest queue bound to it, a PRPR engine per guest queue and the
 * guests' ports. Everything here is touched by the worker thread only.
 *
 * RX: AF_XDP rx ring -> gro_input -> port deliver (virtio_net_hdr + frame)
 * TX: port fetch -> gso_segment -> UMEM frame -> AF_XDP tx ring
 * A wire MTU whose frames exceed one UMEM frame binds the sockets with
 * XDP_USE_SG: RX gathers a frame's descriptors (xsk/gather.h) into one buffer, TX
 * writes a segment over several frames (lib/mtu.h has the limits).
 *     (a ZCED pool registration, vhost/zced_reg.h, goes to the port instead)
 */
#ifndef BIFROST_WORKER_H
#define BIFROST_WORKER_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include "xsk/afxdp.h"
#include "bifrost_abi.h"
#include "xsk/gather.h"
#include "port.h"
#include "offload/gro.h"

struct bf_worker;

/* A packet the guest had no room for yet (backpressure, in order). */
struct bf_pending {
	struct virtio_net_hdr vh;
	uint32_t len;
	uint8_t *buf;
};

struct bf_queue {
	struct bf_worker *w;
	struct bf_guest_rt *g;
	unsigned int index;		/* guest queue number */
	uint32_t slot;			/* XSKMAP / bf_backend slot */
	struct afxdp_sock sock;
	struct gro_engine *gro;
	struct gro_cfg cfg;
	struct bf_backend_stats st;
	/* While packets wait here, frames wait in the AF_XDP ring (it
	 * buffers instead of the backend dropping), up to the worker's
	 * rx_share; older ones are dropped (drop_guest_full). */
	struct bf_pending *pend;
	unsigned int pend_head, pend_n, pend_cap;
	/* A multi-buffer frame being gathered (buffer only with XDP_USE_SG). */
	struct bf_gather gather;
};

struct bf_guest_rt {
	char name[BF_NAME_LEN];
	uint32_t id;
	uint8_t mac[6];
	unsigned int nqueues;
	struct bf_port *port;
	struct bf_queue q[BF_MAX_QUEUES];
};

struct bf_worker_opts {
	struct afxdp_opts xsk;
	uint32_t batch;			/* descriptors per ring pass */
	int cpu;			/* -1: not pinned */
	uint32_t nic_queue;
};

struct bf_worker {
	struct bf_worker_opts o;
	const char *ifname;
	struct afxdp_umem umem;
	struct bf_guest_rt **guests;	/* BF_MAX_GUESTS slots, nguests used */
	unsigned int nguests;
	volatile sig_atomic_t pause;	/* set: the loop returns (bf_worker_pause) */
	int xskmap_fd, policy_fd, ctl_fd, backend_fd, zced_fd;
	uint32_t rx_share;		/* afxdp_rx_share() of its sockets */
	uint64_t policy_gen;
	uint64_t last_policy_check, last_stats_push;
	volatile sig_atomic_t *stop;
	uint8_t *txbuf, *scratch;
	int wire_mtu;			/* of ifname, at start */
	uint64_t cpu_ns;		/* worker threads' CPU time, summed at exit */
	uint64_t loops;
	/* The process's config reloads (bifrost_host.c; __atomic, read by
	 * push_stats into each guest's queue 0 counters). */
	uint64_t reloads, reload_failures;
	pthread_t thread;
	int err;
};

/* Creates sockets and PRPR engines; guests[] (an array of BF_MAX_GUESTS
 * pointers, nguests set) must have ports and ids set. */
int bf_worker_init(struct bf_worker *w, const char *ifname,
		   const struct bf_worker_opts *o, struct bf_guest_rt **guests,
		   unsigned int nguests, volatile sig_atomic_t *stop,
		   char *err, size_t errlen);
/* Runs the loop in a new thread. */
int bf_worker_start(struct bf_worker *w);
int bf_worker_join(struct bf_worker *w);
void bf_worker_destroy(struct bf_worker *w);

/*
 * Reload (bifrost-host's SIGHUP): pause ends the worker thread after its
 * current pass (held packets are flushed, counters pushed); guests are
 * then added or removed with the thread stopped, and resume starts it
 * again. The other guests' ports, sockets and counters stay as they are.
 */
int bf_worker_pause(struct bf_worker *w);
int bf_worker_resume(struct bf_worker *w);
/* g has its port, id, MAC and queue count set; 0 or -errno with err. */
int bf_worker_add_guest(struct bf_worker *w, struct bf_guest_rt *g, char *err, size_t errlen);
/* Closes g's sockets and frees its queue state; the port stays g's. */
void bf_worker_remove_guest(struct bf_worker *w, struct bf_guest_rt *g);

#endif /* BIFROST_WORKER_H */
