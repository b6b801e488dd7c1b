// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* virtq.c - untrusting split-virtqueue access (see virtq.h). */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include "virtq.h"

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

/* Adds one checked descriptor to the chain; -EIO malformed, 1 violation. */
static int add_buf(const struct vq_mem *m, const struct vq_shared *s,
		   enum vq_dir dir, const struct vq_desc *d, struct vq_chain *c)
{
	bool writes = le16toh(d->flags) & VQ_DESC_F_WRITE;
	uint64_t addr = le64toh(d->addr);
	uint32_t len = le32toh(d->len);
	uint8_t *p;

	if (writes != (dir == VQ_DEVICE_WRITES) || len > VQ_MAX_BUF)
		return -EIO;
	if (!len)
		return 0;
	p = vq_gpa_to_hva(m, addr, len);
	if (!p)
		return -EIO;
	if (!vq_is_shared(s, addr, len))
		return 1;
	c->b[c->n].p = p;
	c->b[c->n].len = len;
	c->n++;
	c->bytes += len;
	return 0;
}

static int walk_indirect(struct virtq *vq, const struct vq_mem *m,
			 const struct vq_shared *s, enum vq_dir dir,
			 const struct vq_desc *ind, struct vq_chain *c,
			 unsigned int *count, bool *violation)
{
	struct vq_desc table[VQ_MAX_CHAIN];
	uint64_t addr = le64toh(ind->addr);
	uint32_t len = le32toh(ind->len), n = len / sizeof(struct vq_desc), i = 0;
	const uint8_t *src;
	int r;

	if (!vq->indirect || (le16toh(ind->flags) & VQ_DESC_F_NEXT) ||
	    !len || len % sizeof(struct vq_desc) || n > VQ_MAX_CHAIN)
		return -EIO;
	src = vq_gpa_to_hva(m, addr, len);
	if (!src)
		return -EIO;
	if (!vq_is_shared(s, addr, len)) {
		*violation = true;
		return 0;
	}
	memcpy(table, src, len);	/* the one read of the table */
	for (;;) {
		struct vq_desc *d = &table[i];
		uint16_t f = le16toh(d->flags);

		if (++*count > VQ_MAX_CHAIN || (f & VQ_DESC_F_INDIRECT))
			return -EIO;
		r = add_buf(m, s, dir, d, c);
		if (r < 0)
			return r;
		if (r > 0)
			*violation = true;
		if (!(f & VQ_DESC_F_NEXT))
			return 0;
		i = le16toh(d->next);
		if (i >= n)
			return -EIO;
	}
}

int vq_pop(struct virtq *vq, const struct vq_mem *m, const struct vq_shared *s,
	   enum vq_dir dir, struct vq_chain *c)
{
	unsigned int count = 0;
	bool violation = false;
	struct vq_desc d;
	uint16_t idx;
	int r;

	if (!vq_avail(vq))
		return vq->broken ? -EIO : 0;
	idx = load_le16(vq->avail + 4 + 2 * (vq->last_avail & (vq->num - 1)));
	if (idx >= vq->num)
		return vq_break(vq);
	vq->last_avail++;
	c->head = idx;
	c->n = 0;
	c->bytes = 0;
	for (;;) {
		uint16_t f;

		if (++count > VQ_MAX_CHAIN)
			return vq_break(vq);
		memcpy(&d, vq->desc + (size_t)idx * sizeof(d), sizeof(d));	/* read once */
		f = le16toh(d.flags);
		if (f & VQ_DESC_F_INDIRECT) {
			if (c->n || count > 1)	/* only a lone indirect descriptor */
				return vq_break(vq);
			r = walk_indirect(vq, m, s, dir, &d, c, &count, &violation);
			if (r < 0)
				return vq_break(vq);
			break;
		}
		r = add_buf(m, s, dir, &d, c);
		if (r < 0)
			return vq_break(vq);
		if (r > 0)
			violation = true;
		if (!(f & VQ_DESC_F_NEXT))
			break;
		idx = le16toh(d.next);
		if (idx >= vq->num)
			return vq_break(vq);
	}
	if (violation) {
		if (vq->violations)
			(*vq->violations)++;
		c->n = 0;
		c->bytes = 0;
		return -EACCES;
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
