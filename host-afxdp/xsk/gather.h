/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gather.h - reassembles one AF_XDP multi-buffer frame into a contiguous
 * private buffer. With XDP_USE_SG the kernel hands a frame larger than one
 * UMEM frame over as consecutive RX descriptors, XDP_PKT_CONTD set on all
 * but the last (Linux Documentation/networking/af_xdp.rst, "Multi-Buffer
 * Support"). Pure computation: no I/O, no allocation.
 */
#ifndef BIFROST_GATHER_H
#define BIFROST_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bf_gather {
	uint8_t *buf;		/* cap bytes, owned by the caller; NULL: drop all */
	uint32_t cap;		/* largest frame accepted, bytes */
	uint32_t max_parts;	/* most descriptors one frame may take */
	uint32_t len;		/* bytes gathered so far */
	uint32_t parts;		/* descriptors seen so far */
	bool bad;		/* the frame in progress is dropped */
};

enum bf_gather_res {
	BF_GATHER_MORE,		/* more parts follow */
	BF_GATHER_DONE,		/* whole frame in buf, *frame_len bytes */
	BF_GATHER_DROP,		/* the frame ended but broke a bound (counted once) */
};

/*
 * Adds one part (len bytes at part; more: XDP_PKT_CONTD was set). A frame
 * over cap bytes or max_parts parts, or any frame without buf, is dropped
 * whole: its remaining parts are consumed and BF_GATHER_DROP is returned
 * once, at its last part. After DONE or DROP the state is ready for the
 * next frame; the gathered bytes stay in buf until the next call.
 */
enum bf_gather_res bf_gather_part(struct bf_gather *g, const uint8_t *part,
				  uint32_t len, bool more, size_t *frame_len);

#endif /* BIFROST_GATHER_H */
