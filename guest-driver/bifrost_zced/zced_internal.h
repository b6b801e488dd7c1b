/* SPDX-License-Identifier: GPL-2.0 */
/* zced_internal.h - what the files of bifrost_zced.ko share. */
#ifndef _ZCED_INTERNAL_H
#define _ZCED_INTERNAL_H

#include <linux/percpu.h>
#include <linux/types.h>

struct bf_zced_range;

/* Counters, per CPU; sysfs shows their sums (one file each). */
enum zced_stat {
	ZS_RX_POOL_BYTES,	/* received into pool buffers */
	ZS_RX_KEPT_BYTES,	/* of those, left in the pool (ZCED flows) */
	ZS_RX_COPIED_BYTES,	/* of those, copied to private pages (other flows) */
	ZS_RX_COPY_FAILED,	/* packets dropped: no private page to copy to */
	ZS_OTTR_HDR_COPIES,	/* pool packets parsed from a private header copy */
	ZS_OTTR_HDR_INVALID,	/* ... whose private headers did not parse */
	ZS_POOL_EMPTY,		/* allocations the pool could not serve */
	ZS_TX_FALLBACK_BYTES,	/* record bytes in private pages: pool empty */
	ZS_TLS_ZCED,		/* kTLS directions set up with ZCED */
	ZS_TLS_NORMAL,		/* kTLS directions not in the policy */
	ZS_TLS_FALLBACK_CIPHER,	/* in the policy, cipher other than AES-GCM */
	ZS_TLS_RX_COPIED,	/* ... their RX records copied out of the pool */
	ZS_DMA_BYTES,		/* mapped by virtio through the DMA API */
	ZS_TX_SLOT_BYTES,	/* sent by virtio from shared slots (copied) */
	ZS_ANNOUNCES,		/* pool announcements sent to the backend */
	ZS_NR
};

struct zced_stats {
	u64 v[ZS_NR];
};

DECLARE_PER_CPU(struct zced_stats, zced_stats);

static inline void zced_count(enum zced_stat s, u64 n)
{
	this_cpu_add(zced_stats.v[s], n);
}

u64 zced_stat_sum(enum zced_stat s);

/* zced_pool.c */
int zced_pool_init(int node, unsigned int pool_mb);
void zced_pool_exit(void);
unsigned long zced_pool_total(void);
unsigned long zced_pool_free(void);	/* reclaims returned pages first */
unsigned long zced_pool_lost(void);	/* must stay 0 (invariant 2) */
unsigned long zced_pool_conv_leaked(void);
bool zced_pool_converted(void);
int zced_pool_ranges(struct bf_zced_range *r, unsigned int max);

/* zced_main.c: the ZCED port policy */
bool zced_port_enabled(u16 port);
bool zced_have_ports(void);

/* zced_net.c */
int zced_net_init(void);
void zced_net_exit(void);

#endif /* _ZCED_INTERNAL_H */
