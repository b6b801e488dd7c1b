/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * prpr.h - PRPR, pre-receive packet reassembly: merges consecutive TCP
 * segments of a flow into one large packet with Linux 6.1 GRO semantics
 * and hands it out with a virtio_net_hdr describing it as a GSO packet.
 *
 * Pure computation: no I/O, no syscalls, no allocation after prpr_new().
 * One engine per worker; not thread safe. The emit callback must not call
 * back into the engine.
 *
 * virtio_net_hdr fields are written little-endian (virtio 1.0).
 */
#ifndef BIFROST_PRPR_H
#define BIFROST_PRPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>
#include "bifrost_abi.h"

#define PRPR_MAX_FLOWS		4096
/* Per-flow buffer: the largest frame (VLAN + IP datagram) plus slack. */
#define PRPR_BUF_SIZE		(65535 + 128)

struct prpr_cfg {
	bool enabled;
	uint32_t max_merge_bytes;	/* IP payload (TCP hdr + data), <= 65535 */
	uint32_t max_segs;		/* segments per merged packet */
	uint64_t flush_ns;		/* longest hold of a packet */
};

enum prpr_flush_reason {
	PRPR_FLUSH_NONE,		/* passed unmerged (no hold) */
	PRPR_FLUSH_BATCH_END,
	PRPR_FLUSH_TIMEOUT,
	PRPR_FLUSH_SIZE,
	PRPR_FLUSH_SEGS,
	PRPR_FLUSH_FLAGS,
	PRPR_FLUSH_MISMATCH,
	PRPR_FLUSH_TABLE_FULL,
};

/*
 * Called for every packet the engine outputs, in order. frame is a full
 * contiguous Ethernet frame, vh the header to hand the guest. Both are only
 * valid during the call.
 */
typedef void (*prpr_emit_fn)(void *ctx, const struct virtio_net_hdr *vh,
			     const uint8_t *frame, size_t len);

struct prpr;

/*
 * nflows: 1..PRPR_MAX_FLOWS held flows. stats: counters to update
 * (merged_segs, flush_*, csum_fail); may be NULL. Starts disabled.
 * Returns NULL (errno set) on bad arguments or allocation failure.
 */
struct prpr *prpr_new(unsigned int nflows, prpr_emit_fn emit, void *ctx,
		      struct bf_backend_stats *stats);
/* Frees the engine; packets still held are dropped (flush first). */
void prpr_free(struct prpr *pr);

/*
 * Apply a configuration at any time. max_merge_bytes is clamped to 65535
 * (and per packet to what fits an IP length field), max_segs to
 * BF_MAX_MERGE_SEGS. Disabling flushes every held packet (reason
 * BATCH_END); shrunk limits flush the held packets they no longer allow
 * to grow (SIZE or SEGS).
 */
void prpr_set_cfg(struct prpr *pr, const struct prpr_cfg *cfg);
/* The configuration in effect (after clamping). */
void prpr_get_cfg(const struct prpr *pr, struct prpr_cfg *cfg);

/* Feed one received frame; it is not referenced after return. */
void prpr_input(struct prpr *pr, const uint8_t *frame, size_t len,
		uint64_t now_ns);
/* Emit every held packet, oldest first, counted under why. */
void prpr_flush_all(struct prpr *pr, enum prpr_flush_reason why);
/* Emit the packets held since at least flush_ns before now_ns. */
void prpr_flush_expired(struct prpr *pr, uint64_t now_ns);
/* Earliest time a held packet expires; UINT64_MAX if none is held. */
uint64_t prpr_next_deadline(const struct prpr *pr);
/* Number of flows currently holding a packet. */
unsigned int prpr_held(const struct prpr *pr);

#endif /* BIFROST_PRPR_H */
