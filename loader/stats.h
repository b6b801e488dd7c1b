/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats.h - one consistent read of an interface's counters (the pinned
 * maps), shared by `bifrostctl stats` (text, JSON) and its Prometheus
 * exposition (prom.c).
 */
#ifndef BIFROST_STATS_H
#define BIFROST_STATS_H

#include <stdio.h>
#include "bfctl.h"
#include "kernel_features.h"

/* One guest as the maps show it; be is the sum of q[0..nq-1]. */
struct bf_snap_guest {
	__u32 id;
	unsigned int nq;	/* queue slots shown: configured, or with counts */
	struct bf_guest_info info;
	struct bf_guest guest;
	struct bf_policy pol;
	struct bf_guest_stats xdp;
	struct bf_backend_stats be;
	struct bf_backend_stats q[BF_MAX_QUEUES];
};

struct bf_snapshot {
	__u64 generation;
	struct bf_features features;	/* of the XDP program (bf_info) */
	struct bf_global_stats global;
	unsigned int n;
	struct bf_snap_guest g[BF_MAX_GUESTS];
};

/* Reads every counter of ifname's pinned maps into s; 0 or -errno. */
int bf_snapshot_take(const char *ifname, struct bf_snapshot *s);

/*
 * Calls fn(ifname, arg) for every interface Bifrost is attached to; the
 * first non-zero return goes to *rc. Returns how many interfaces it saw.
 */
int bf_for_each_iface(int (*fn)(const char *, void *), void *arg, int *rc);

/* Prometheus text exposition (format 0.0.4) of n snapshots, one per name. */
void bf_prom_write(FILE *f, const char *const *ifnames,
		   const struct bf_snapshot *const *snaps, unsigned int n);

/*
 * Serves the exposition of ifname (NULL: every attached interface) on
 * GET /metrics at addr ("HOST:PORT", "[V6]:PORT" or ":PORT"), reading the
 * maps afresh per request, until SIGINT/SIGTERM. Returns an enum bf_exit.
 */
int bf_prom_listen(const char *addr, const char *ifname);

/*
 * Reads the maps of ifname (NULL: every attached interface) and writes their
 * exposition to f. Returns an enum bf_exit, with the reason in err.
 */
int bf_prom_collect(FILE *f, const char *ifname, char *err, size_t errlen);

#endif /* BIFROST_STATS_H */
