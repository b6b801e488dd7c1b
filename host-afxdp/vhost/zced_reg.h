/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * zced_reg.h - the guest's in-band ZCED pool registration, backend side.
 *
 * A CVM guest shares a pool of its own pages (the ZCED pool) and says so in
 * a frame on its virtio-net TX queue (ethertype BF_ZCED_ETH_P, layout and
 * rules in include/bifrost_zced_wire.h). The backend
 * consumes every such frame, valid or not; a valid one replaces the
 * dynamic shared ranges of struct vq_shared (virtq.h). Parsing reads only
 * the backend's private copy of the frame, never guest memory.
 */
#ifndef BIFROST_ZCED_REG_H
#define BIFROST_ZCED_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bifrost_abi.h"
#include "vhost/virtq.h"
#include "bifrost_zced_wire.h"

_Static_assert(BF_ZCED_MAX_RANGES <= VQ_MAX_DYN_SHARED,
	       "a full registration must fit the dynamic shared set");
_Static_assert(BF_ZCED_SPANS <= VQ_MAX_DYN_SHARED && VQ_MAX_DYN_SHARED <= BF_ZCED_SPANS,
	       "the kept spans are the dynamic shared set");

/* Per guest, reported in struct bf_backend_stats (zced_*). */
struct zced_stats {
	uint64_t announce;	/* registrations accepted */
	uint64_t rejected;	/* registrations refused (nothing changed) */
	uint64_t shared_bytes;	/* gauge: bytes in the dynamic shared set */
};

/* At most this many log lines of one kind per second. */
#define ZCED_LOG_PER_SEC	5

/* The frame is a registration (untagged, ethertype BF_ZCED_ETH_P): it is
 * for the backend, never for the wire. */
bool zced_reg_is_msg(const uint8_t *frame, size_t len);

/*
 * Parses and checks a registration against the guest memory table mem.
 * Returns 0 with *op set and, for BF_ZCED_OP_SHARE, the ranges in
 * out[0..*n) as [start, end) (out has room for BF_ZCED_MAX_RANGES); for
 * BF_ZCED_OP_UNSHARE *n is 0. Otherwise a negative errno:
 *   -ENOMSG           not a registration (wrong ethertype, VLAN, runt)
 *   -EMSGSIZE         frame shorter than the header or its count ranges
 *   -EBADMSG          bad magic
 *   -EPROTONOSUPPORT  unknown version
 *   -EOPNOTSUPP       unknown op
 *   -EPROTO           UNSHARE with ranges
 *   -E2BIG            more than BF_ZCED_MAX_RANGES ranges
 *   -EINVAL           range *n empty or not page-aligned
 *   -EOVERFLOW        range *n wraps around the address space
 *   -EFAULT           range *n not inside one region of mem
 */
int zced_reg_parse(const uint8_t *frame, size_t len, const struct vq_mem *mem,
		   struct vq_range *out, unsigned int *n, uint8_t *op);

/*
 * Handles one registration for a device with shared ranges s: parses it
 * (zced_reg_parse) and, when valid, makes the dynamic ranges exactly its
 * ranges (SHARE) or none (UNSHARE); the static ranges stay. Counts the
 * verdict in st and keeps st->shared_bytes current. Returns what
 * zced_reg_parse returned, with *n and *op as there; on an error only
 * st->rejected changed.
 */
int zced_reg_apply(struct vq_shared *s, struct zced_stats *st, const struct vq_mem *mem,
		   const uint8_t *frame, size_t len, unsigned int *n, uint8_t *op);

/*
 * The dynamic ranges of s as spans tied to the memory backing them in mem
 * (file identity and offset), to keep across backend restarts; a range not
 * inside one region is left out. Returns out->n.
 */
unsigned int zced_spans_from(const struct vq_shared *s, const struct vq_mem *mem,
			     struct bf_zced_shared *out);

/*
 * The spans of in that lie in the same memory in mem: inside one region
 * backed by the same file at the same offset, page-aligned, non-empty.
 * Writes them to r (room for BF_ZCED_SPANS) as [start, end); returns the
 * count. Anything else in "in" (it comes from a map) is ignored.
 */
unsigned int zced_spans_match(const struct bf_zced_shared *in, const struct vq_mem *mem,
			      struct vq_range *r);

/* Human-readable reason for a zced_reg_parse error, e.g. "range 1
 * outside guest memory" (n is the range index *n reported). */
void zced_reg_strerror(int err, unsigned int n, char *buf, size_t len);

#endif /* BIFROST_ZCED_REG_H */
