/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gro.h - PRPR, pre-receive packet reassembly: merges consecutive TCP
 * segments of a flow into one large packet with Linux 6.1 GRO semantics
 * and hands it out with a virtio_net_hdr describing it as a GSO packet.
 *
 * Pure computation: no I/O, no syscalls, no allocation after gro_new().
 * One engine per worker; not thread safe. The emit callback must not call
 * back into the engine.
 *
 * virtio_net_hdr fields are written little-endian (virtio 1.0).
 */
#ifndef BIFROST_GRO_H
#define BIFROST_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>
#include "bifrost_abi.h"

#define GRO_MAX_FLOWS		4096
/* Per-flow buffer: the largest frame (VLAN + IP datagram) plus slack. */
#define GRO_BUF_SIZE		(65535 + 128)

struct gro_cfg {
	bool enabled;
	uint32_t max_merge_bytes;	/* IP payload (TCP hdr + data), <= 65535 */
	uint32_t max_segs;		/* segments per merged packet */
	uint64_t flush_ns;		/* longest hold of a packet */
};

enum gro_flush_reason {
	GRO_FLUSH_NONE,		/* passed unmerged (no hold) */
	GRO_FLUSH_BATCH_END,
	GRO_FLUSH_TIMEOUT,
	GRO_FLUSH_SIZE,
	GRO_FLUSH_SEGS,
	GRO_FLUSH_FLAGS,
	GRO_FLUSH_MISMATCH,
	GRO_FLUSH_TABLE_FULL,
};

/*
 * Called for every packet the engine outputs, in order. frame is a full
 * contiguous Ethernet frame, vh the header to hand the guest. Both are only
 * valid during the call.
 */
typedef void (*gro_emit_fn)(void *ctx, const struct virtio_net_hdr *vh,
			     const uint8_t *frame, size_t len);

struct gro_engine;

/*
 * nflows: 1..GRO_MAX_FLOWS held flows. stats: counters to update
 * (merged_segs, flush_*, csum_fail); may be NULL. Starts disabled.
 * Returns NULL (errno set) on bad arguments or allocation failure.
 */
struct gro_engine *gro_new(unsigned int nflows, gro_emit_fn emit, void *ctx,
		      struct bf_backend_stats *stats);
/* Frees the engine; packets still held are dropped (flush first). */
void gro_free(struct gro_engine *pr);

/*
 * Apply a configuration at any time. max_merge_bytes is clamped to 65535
 * (and per packet to what fits an IP length field), max_segs to
 * BF_MAX_MERGE_SEGS. Disabling flushes every held packet (reason
 * BATCH_END); shrunk limits flush the held packets they no longer allow
 * to grow (SIZE or SEGS).
 */
void gro_set_cfg(struct gro_engine *pr, const struct gro_cfg *cfg);
/* The configuration in effect (after clamping). */
void gro_get_cfg(const struct gro_engine *pr, struct gro_cfg *cfg);

/* Feed one received frame; it is not referenced after return. */
void gro_input(struct gro_engine *pr, const uint8_t *frame, size_t len,
		uint64_t now_ns);
/* Emit every held packet, oldest first, counted under why. */
void gro_flush_all(struct gro_engine *pr, enum gro_flush_reason why);
/* Emit the packets held since at least flush_ns before now_ns. */
void gro_flush_expired(struct gro_engine *pr, uint64_t now_ns);
/* Earliest time a held packet expires; UINT64_MAX if none is held. */
uint64_t gro_next_deadline(const struct gro_engine *pr);
/* Number of flows currently holding a packet. */
unsigned int gro_held(const struct gro_engine *pr);

#endif /* BIFROST_GRO_H */
