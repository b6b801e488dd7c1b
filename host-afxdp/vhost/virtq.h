/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * virtq.h - split virtqueues in guest memory, as seen by a backend that does
 * not trust the guest's rings (and, in CVM mode, may touch only memory the
 * guest declared shared).
 *
 * Rules: every descriptor (direct or indirect) is copied into private
 * memory as it is visited and checked there; indices and chain lengths are
 * bounded. A buffer must lie in guest memory: one region, or adjacent
 * regions (then it is split into one piece per region), and in CVM mode
 * every piece inside one shared range. Chains follow virtio 1.x split
 * virtqueues (2.7.5): direct descriptors, optionally ending in one indirect
 * table. A malformed ring marks the queue broken (no further access until
 * it is set up again); a buffer outside the shared ranges is a violation:
 * the chain is returned unused and counted. A legal chain this backend does
 * not serve (more than VQ_MAX_BUFS separate pieces, or more than VQ_MAX_BUFS
 * descriptors with buffers, direct and indirect together) is dropped the
 * same way and counted in *dropped; the queue goes on. The walk stops at
 * that bound, so one chain costs at most VQ_MAX_BUFS descriptor visits.
 *
 * The shared ranges are of two kinds: static ones from the operator
 * (bifrost-host --cvm, e.g. the swiotlb pool), which stay, and a dynamic
 * set the guest announces in band (its ZCED pool, zced_reg.h), which each
 * announcement replaces as a whole and a new session forgets.
 */
#ifndef BIFROST_VIRTQ_H
#define BIFROST_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#define VQ_MAX_REGIONS		8
#define VQ_MAX_SHARED		16	/* static ranges (--cvm) */
#define VQ_MAX_DYN_SHARED	32	/* dynamic ranges (the guest's ZCED pool) */
#define VQ_MAX_SIZE		32768
/* Pieces one chain is served with (host-contiguous buffers after joining
 * neighbours), and descriptors with buffers one chain may have: QEMU's
 * VIRTQUEUE_MAX_SIZE, so a chain as long as any ring QEMU sets up is
 * served. Loops are caught sooner where the ring or the table is shorter
 * (an indirect table's next fields reach VQ_MAX_INDIRECT). */
#define VQ_MAX_BUFS		1024
#define VQ_MAX_INDIRECT		65536

struct vq_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;		/* front-end (QEMU) virtual address */
	uint8_t *hva;		/* our mapping */
	uint64_t dev, ino;	/* the file backing it (identifies the guest memory) */
	uint64_t foff;		/* offset of gpa in that file */
};

struct vq_mem {
	unsigned int n;
	struct vq_region r[VQ_MAX_REGIONS];
};

struct vq_range {
	uint64_t start, end;	/* guest-physical, [start, end) */
};

/*
 * What a CVM guest has declared shared; cvm == false allows all of RAM.
 * A buffer is shared when it lies inside one static or one dynamic range.
 */
struct vq_shared {
	bool cvm;
	unsigned int n;				/* static, from the operator */
	struct vq_range r[VQ_MAX_SHARED];
	unsigned int ndyn;			/* dynamic, from the guest */
	struct vq_range dyn[VQ_MAX_DYN_SHARED];	/* sorted, disjoint */
};

struct vq_buf {
	uint8_t *p;		/* host address of the guest buffer */
	uint32_t len;
};

struct vq_chain {
	uint16_t head;
	unsigned int n;
	struct vq_buf b[VQ_MAX_BUFS];
	uint64_t bytes;
	unsigned int descs;	/* descriptors with buffers the walk visited */
};

struct virtq {
	uint16_t num;
	bool ready;		/* addresses set and enabled */
	bool broken;
	bool event_idx;
	bool indirect;
	uint8_t *desc;		/* struct vring_desc[num] */
	uint8_t *avail;		/* flags, idx, ring[num], used_event */
	uint8_t *used;		/* flags, idx, elem[num], avail_event */
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled_used;
	bool signalled_valid;
	uint64_t *violations;	/* where to count shared-range violations */
	uint64_t *dropped;	/* where to count legal chains not served */
	uint64_t *broken_count;
};

enum vq_dir { VQ_DEVICE_READS, VQ_DEVICE_WRITES };

/* gpa..gpa+len inside one region: host pointer, else NULL. */
uint8_t *vq_gpa_to_hva(const struct vq_mem *m, uint64_t gpa, uint64_t len);
/* Front-end virtual address (ring addresses) to host pointer, else NULL. */
uint8_t *vq_uva_to_hva(const struct vq_mem *m, uint64_t uva, uint64_t len);
bool vq_is_shared(const struct vq_shared *s, uint64_t gpa, uint64_t len);
/*
 * Replaces the dynamic ranges with r[0..n) (each non-empty, [start, end));
 * overlapping and touching ranges are merged. -E2BIG (nothing changed) when
 * n > VQ_MAX_DYN_SHARED, else 0. The static ranges are not touched.
 */
int vq_shared_set_dynamic(struct vq_shared *s, const struct vq_range *r, unsigned int n);
void vq_shared_clear_dynamic(struct vq_shared *s);
/* Bytes covered by the dynamic ranges. */
uint64_t vq_shared_dynamic_bytes(const struct vq_shared *s);

/*
 * Sets up a queue from ring addresses already translated to host pointers.
 * Returns 0, or -EINVAL for a bad size or misaligned ring.
 */
int vq_setup(struct virtq *vq, uint16_t num, uint8_t *desc, uint8_t *avail,
	     uint8_t *used, uint16_t base);

/* Entries the guest made available and we have not taken yet. */
unsigned int vq_avail(struct virtq *vq);

/*
 * Takes the next chain. Returns 1 with *c filled, 0 when the ring is empty,
 * -EACCES for a shared-range violation or -E2BIG for a chain of more than
 * VQ_MAX_BUFS pieces or descriptors (either way the chain is consumed and counted:
 * the caller returns it with vq_push(vq, c->head, 0)), or -EIO when the
 * ring is malformed (the queue is now broken).
 */
int vq_pop(struct virtq *vq, const struct vq_mem *m, const struct vq_shared *s,
	   enum vq_dir dir, struct vq_chain *c);
/* Undoes the last n vq_pop calls whose chains were not pushed. */
void vq_unpop(struct virtq *vq, uint16_t n);
/* Queues a chain's return with len bytes written; the guest sees it after
 * vq_publish, so all buffers of one packet appear together. */
void vq_push(struct virtq *vq, uint16_t head, uint32_t len);
void vq_publish(struct virtq *vq);
/* True when the guest wants an interrupt for what was pushed since the last
 * one (EVENT_IDX or VRING_AVAIL_F_NO_INTERRUPT); updates the bookkeeping. */
bool vq_need_notify(struct virtq *vq);
/* Tells the guest (EVENT_IDX) to kick again only after new entries. */
void vq_arm_kick(struct virtq *vq);

#endif /* BIFROST_VIRTQ_H */
