// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* virtq.c - untrusting split-virtqueue access (see virtq.h). */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include "vhost/virtq.h"

#define VQ_DESC_F_NEXT		1
#define VQ_DESC_F_WRITE		2
#define VQ_DESC_F_INDIRECT	4
#define VQ_AVAIL_F_NO_INTERRUPT	1

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* addr..addr+len inside one region, by guest-physical or front-end address. */
static uint8_t *region_hva(const struct vq_mem *m, uint64_t addr, uint64_t len, bool uva)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct vq_region *r = &m->r[i];
		uint64_t base = uva ? r->uva : r->gpa;

		if (addr >= base && addr - base <= r->size && len <= r->size - (addr - base))
			return r->hva + (addr - base);
	}
	return NULL;
}

uint8_t *vq_gpa_to_hva(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	return region_hva(m, gpa, len, false);
}

uint8_t *vq_uva_to_hva(const struct vq_mem *m, uint64_t uva, uint64_t len)
{
	return region_hva(m, uva, len, true);
}

static bool in_ranges(const struct vq_range *r, unsigned int n, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (gpa >= r[i].start && gpa < r[i].end && len <= r[i].end - gpa)
			return true;
	return false;
}

bool vq_is_shared(const struct vq_shared *s, uint64_t gpa, uint64_t len)
{
	return !s->cvm || in_ranges(s->r, s->n, gpa, len) ||
	       in_ranges(s->dyn, s->ndyn, gpa, len);
}

int vq_shared_set_dynamic(struct vq_shared *s, const struct vq_range *r, unsigned int n)
{
	struct vq_range t[VQ_MAX_DYN_SHARED];
	unsigned int i, j, m = 0;

	if (n > VQ_MAX_DYN_SHARED)
		return -E2BIG;
	for (i = 0; i < n; i++) {	/* insertion sort by start */
		for (j = i; j > 0 && t[j - 1].start > r[i].start; j--)
			t[j] = t[j - 1];
		t[j] = r[i];
	}
	for (i = 0; i < n; i++) {	/* merge overlapping and touching */
		if (m && t[i].start <= t[m - 1].end) {
			if (t[i].end > t[m - 1].end)
				t[m - 1].end = t[i].end;
			continue;
		}
		t[m++] = t[i];
	}
	memcpy(s->dyn, t, m * sizeof(t[0]));
	s->ndyn = m;
	return 0;
}

void vq_shared_clear_dynamic(struct vq_shared *s)
{
	s->ndyn = 0;
}

uint64_t vq_shared_dynamic_bytes(const struct vq_shared *s)
{
	uint64_t bytes = 0;
	unsigned int i;

	for (i = 0; i < s->ndyn; i++)
		bytes += s->dyn[i].end - s->dyn[i].start;
	return bytes;
}

static uint16_t load_le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static void store_le16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static uint16_t avail_idx_acquire(const struct virtq *vq)
{
	uint16_t v = __atomic_load_n((const uint16_t *)(vq->avail + 2), __ATOMIC_ACQUIRE);

	return le16toh(v);
}

static int vq_break(struct virtq *vq)
{
	if (!vq->broken && vq->broken_count)
		(*vq->broken_count)++;
	vq->broken = true;
	return -EIO;
}

int vq_setup(struct virtq *vq, uint16_t num, uint8_t *desc, uint8_t *avail,
	     uint8_t *used, uint16_t base)
{
	if (!num || num > VQ_MAX_SIZE || (num & (num - 1)) || !desc || !avail || !used ||
	    ((uintptr_t)desc & 15) || ((uintptr_t)avail & 1) || ((uintptr_t)used & 3))
		return -EINVAL;
	vq->num = num;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->last_avail = base;
	vq->used_idx = base;
	vq->signalled_valid = false;
	vq->broken = false;
	return 0;
}

unsigned int vq_avail(struct virtq *vq)
{
	uint16_t n;

	if (!vq->ready || vq->broken)
		return 0;
	n = (uint16_t)(avail_idx_acquire(vq) - vq->last_avail);
	if (n > vq->num) {
		vq_break(vq);
		return 0;
	}
	return n;
}

/* One chain being taken: where its pieces go and what was found. */
struct walk {
	const struct vq_mem *m;
	const struct vq_shared *s;
	enum vq_dir dir;
	struct vq_chain *c;
	unsigned int descs;	/* descriptors with a buffer visited */
	bool violation;		/* a piece outside the shared ranges */
	bool overflow;		/* more pieces or descriptors than VQ_MAX_BUFS */
};

/* The region holding guest-physical address gpa, or NULL. */
static const struct vq_region *region_of(const struct vq_mem *m, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (gpa >= m->r[i].gpa && gpa - m->r[i].gpa < m->r[i].size)
			return &m->r[i];
	return NULL;
}

/*
 * Calls fn for each host-contiguous piece of gpa..gpa+len, split where a
 * region ends (adjacent regions are one guest-physical range). -EIO when a
 * byte of it is not guest memory (nothing after that byte is visited).
 */
static int for_each_piece(const struct vq_mem *m, uint64_t gpa, uint64_t len,
			  void (*fn)(void *ctx, uint64_t gpa, uint8_t *p, uint64_t n), void *ctx)
{
	while (len) {
		const struct vq_region *r = region_of(m, gpa);
		uint64_t off, n;

		if (!r)
			return -EIO;
		off = gpa - r->gpa;
		n = r->size - off < len ? r->size - off : len;
		if (n < len && n > UINT64_MAX - gpa)	/* the rest would wrap */
			return -EIO;
		fn(ctx, gpa, r->hva + off, n);
		gpa += n;
		len -= n;
	}
	return 0;
}

/* Appends a piece, joining it to the previous one when they touch. */
static void add_piece(void *ctx, uint64_t gpa, uint8_t *p, uint64_t n)
{
	struct walk *w = ctx;
	struct vq_chain *c = w->c;
	struct vq_buf *last = c->n ? &c->b[c->n - 1] : NULL;

	if (!vq_is_shared(w->s, gpa, n)) {
		w->violation = true;
		return;
	}
	c->bytes += n;
	if (last && last->p + last->len == p && n <= UINT32_MAX - last->len) {
		last->len += n;
		return;
	}
	if (c->n == VQ_MAX_BUFS) {
		w->overflow = true;
		return;
	}
	c->b[c->n].p = p;
	c->b[c->n].len = (uint32_t)n;
	c->n++;
}

/*
 * Adds one descriptor's buffer; -EIO when it is not legal here, 1 when the
 * chain has more descriptors than VQ_MAX_BUFS (the walk ends there: empty
 * or adjacent buffers add no piece, and nothing else bounds what one chain
 * costs short of the ring size plus a 64 Ki-entry table).
 */
static int add_buf(struct walk *w, const struct vq_desc *d)
{
	bool writes = le16toh(d->flags) & VQ_DESC_F_WRITE;

	if (++w->descs > VQ_MAX_BUFS) {
		w->overflow = true;
		return 1;
	}
	if (writes != (w->dir == VQ_DEVICE_WRITES))
		return -EIO;
	return for_each_piece(w->m, le64toh(d->addr), le32toh(d->len), add_piece, w);
}

struct copy_ctx {
	uint8_t *dst;
	bool private;		/* a piece outside the shared ranges */
	const struct vq_shared *s;
};

static void copy_piece(void *ctx, uint64_t gpa, uint8_t *p, uint64_t n)
{
	struct copy_ctx *cc = ctx;

	if (!vq_is_shared(cc->s, gpa, n)) {
		cc->private = true;
		return;
	}
	memcpy(cc->dst, p, n);
	cc->dst += n;
}

/* Copies indirect descriptor i of the table at gpa (checked to be shared). */
static int read_entry(const struct walk *w, uint64_t gpa, uint32_t i, struct vq_desc *d)
{
	struct copy_ctx cc = { (uint8_t *)d, false, w->s };

	if (for_each_piece(w->m, gpa + 16ULL * i, sizeof(*d), copy_piece, &cc) || cc.private)
		return -EIO;
	return 0;
}

static void check_piece(void *ctx, uint64_t gpa, uint8_t *p, uint64_t n)
{
	struct copy_ctx *cc = ctx;

	(void)p;
	if (!vq_is_shared(cc->s, gpa, n))
		cc->private = true;
}

/*
 * The indirect table named by ind ends the chain (virtio 1.x 2.7.5.3: it
 * may follow direct descriptors; it must not have NEXT nor hold another
 * table; its WRITE flag is ignored). Each entry is copied once per visit
 * and checked in the copy; a walk longer than the table is a loop.
 */
static int walk_indirect(struct virtq *vq, struct walk *w, const struct vq_desc *ind)
{
	uint64_t addr = le64toh(ind->addr);
	uint32_t len = le32toh(ind->len), n = len / sizeof(struct vq_desc), i = 0, count = 0;
	struct copy_ctx cc = { NULL, false, w->s };
	struct vq_desc d;
	int r;

	if (!vq->indirect || (le16toh(ind->flags) & VQ_DESC_F_NEXT) ||
	    !len || len % sizeof(struct vq_desc))
		return -EIO;
	if (for_each_piece(w->m, addr, len, check_piece, &cc))
		return -EIO;
	if (cc.private) {	/* never read what the guest did not share */
		w->violation = true;
		return 0;
	}
	if (n > VQ_MAX_INDIRECT)
		n = VQ_MAX_INDIRECT;	/* next is 16 bits: the rest is unreachable */
	for (;;) {
		uint16_t f;

		if (++count > n || read_entry(w, addr, i, &d))
			return -EIO;
		f = le16toh(d.flags);
		if (f & VQ_DESC_F_INDIRECT)
			return -EIO;
		r = add_buf(w, &d);
		if (r)
			return r < 0 ? r : 0;
		if (!(f & VQ_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
		if (i >= n)
			return -EIO;
	}
}

/* Walks the direct descriptors from head on (at most the ring size). */
static int walk_chain(struct virtq *vq, struct walk *w, uint16_t idx)
{
	unsigned int count = 0;
	struct vq_desc d;
	int r;

	for (;;) {
		uint16_t f;

		if (++count > vq->num)	/* longer than the ring: a loop */
			return -EIO;
		memcpy(&d, vq->desc + (size_t)idx * sizeof(d), sizeof(d));	/* read once */
		f = le16toh(d.flags);
		if (f & VQ_DESC_F_INDIRECT)
			return walk_indirect(vq, w, &d);
		r = add_buf(w, &d);
		if (r)
			return r < 0 ? r : 0;
		if (!(f & VQ_DESC_F_NEXT))
			return 0;
		idx = le16toh(d.next);
		if (idx >= vq->num)
			return -EIO;
	}
}

int vq_pop(struct virtq *vq, const struct vq_mem *m, const struct vq_shared *s,
	   enum vq_dir dir, struct vq_chain *c)
{
	struct walk w = { m, s, dir, c, 0, false, false };
	uint16_t idx;

	if (!vq_avail(vq))
		return vq->broken ? -EIO : 0;
	idx = load_le16(vq->avail + 4 + 2 * (vq->last_avail & (vq->num - 1)));
	if (idx >= vq->num)
		return vq_break(vq);
	vq->last_avail++;
	c->head = idx;
	c->n = 0;
	c->bytes = 0;
	if (walk_chain(vq, &w, idx) < 0)
		return vq_break(vq);
	c->descs = w.descs;
	if (w.violation || w.overflow) {
		if (w.violation && vq->violations)
			(*vq->violations)++;
		else if (!w.violation && vq->dropped)
			(*vq->dropped)++;
		c->n = 0;
		c->bytes = 0;
		return w.violation ? -EACCES : -E2BIG;
	}
	return 1;
}

void vq_unpop(struct virtq *vq, uint16_t n)
{
	vq->last_avail -= n;
}

void vq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint8_t *e = vq->used + 4 + 8 * (size_t)(vq->used_idx & (vq->num - 1));
	uint32_t v;

	v = htole32(head);
	memcpy(e, &v, 4);
	v = htole32(len);
	memcpy(e + 4, &v, 4);
	vq->used_idx++;
}

void vq_publish(struct virtq *vq)
{
	__atomic_store_n((uint16_t *)(vq->used + 2), htole16(vq->used_idx), __ATOMIC_RELEASE);
}

bool vq_need_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, now = vq->used_idx, event;
	bool valid = vq->signalled_valid;

	if (!vq->ready || vq->broken)
		return false;
	/* the used index store must be visible before we read the event */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled_used = now;
	vq->signalled_valid = true;
	if (!vq->event_idx)
		return !(load_le16(vq->avail) & VQ_AVAIL_F_NO_INTERRUPT) && (!valid || old != now);
	if (!valid)
		return true;
	event = load_le16(vq->avail + 4 + 2 * vq->num);	/* used_event */
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

void vq_arm_kick(struct virtq *vq)
{
	if (!vq->ready || vq->broken || !vq->event_idx)
		return;
	store_le16(vq->used + 4 + 8 * (size_t)vq->num, vq->last_avail);	/* avail_event */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
