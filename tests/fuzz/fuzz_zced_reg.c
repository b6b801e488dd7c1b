// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_zced_reg.c - libFuzzer harness for the backend's ZCED registration
 * parser (host-afxdp/vhost/zced_reg.c). The input is a guest memory table
 * followed by a sequence of registration frames, applied in order to one
 * device's shared set (as the TX path does):
 *
 *   u8 nregions, then nregions * { le64 gpa, le64 size },
 *   then frames, each { le16 len, len bytes } (the last may be short).
 *
 * Regions are checked as SET_MEM_TABLE does (size > 0, no wrap) and kept
 * below 2^46 bytes, like a real mapping; each frame is copied into a buffer
 * of exactly its length so ASan sees any read past it. Beyond "no crash"
 * it asserts:
 *   - an accepted registration's ranges are the frame's ranges, page
 *     aligned, non-empty and each inside one region of the memory table
 *     (checked independently of the parser); a range refused as outside
 *     guest memory really is outside every region;
 *   - errors are the documented ones and change nothing in the shared set;
 *   - after an accepted one the dynamic set is sorted, disjoint, covers
 *     exactly the accepted ranges, the byte gauge matches, and every
 *     accepted range is shared;
 *   - the spans kept across restarts (zced_spans_from) match back
 *     (zced_spans_match) to exactly the dynamic ranges inside one region.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vhost/zced_reg.h"

#define MAX_FRAMES	8
#define MAX_REGION	(1ULL << 46)

static uint8_t backing[1];	/* hva base: translations are never read */

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_be64_at(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* [gpa, gpa + len) inside one region of m (len > 0, no wrap). */
static bool inside(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (gpa >= m->r[i].gpa && len <= m->r[i].size &&
		    gpa - m->r[i].gpa <= m->r[i].size - len)
			return true;
	return false;
}

/* The memory table from the input; returns the bytes used. */
static size_t read_mem(const uint8_t *d, size_t size, struct vq_mem *m)
{
	unsigned int want, i;
	size_t off = 1;

	memset(m, 0, sizeof(*m));
	if (!size)
		return 0;
	want = d[0] % (VQ_MAX_REGIONS + 1);
	for (i = 0; i < want && off + 16 <= size; i++, off += 16) {
		struct vq_region *r = &m->r[m->n];

		r->gpa = get_le64(d + off);
		r->size = get_le64(d + off + 8) % MAX_REGION;
		if (!r->size || r->gpa > UINT64_MAX - r->size)
			continue;
		r->hva = backing;
		r->uva = r->gpa;
		r->dev = 1;
		r->ino = 100 + m->n;
		r->foff = (uint64_t)m->n << 50;
		m->n++;
	}
	return off;
}

static bool errno_documented(int err)
{
	return err == -ENOMSG || err == -EMSGSIZE || err == -EBADMSG ||
	       err == -EPROTONOSUPPORT || err == -EOPNOTSUPP || err == -EPROTO ||
	       err == -E2BIG || err == -EINVAL || err == -EOVERFLOW || err == -EFAULT;
}

static void check_accepted(const uint8_t *f, const struct vq_mem *m,
			   const struct vq_range *r, unsigned int n, uint8_t op)
{
	unsigned int i;

	if ((op != BF_ZCED_OP_SHARE && op != BF_ZCED_OP_UNSHARE) ||
	    n > BF_ZCED_MAX_RANGES || (op == BF_ZCED_OP_UNSHARE && n))
		abort();
	for (i = 0; i < n; i++) {
		const uint8_t *w = f + 14 + 8 + 16 * i;

		if (r[i].start != get_be64_at(w) || r[i].end - r[i].start != get_be64_at(w + 8) ||
		    r[i].start >= r[i].end || r[i].start % BF_ZCED_PAGE || r[i].end % BF_ZCED_PAGE ||
		    !inside(m, r[i].start, r[i].end - r[i].start))
			abort();
	}
}

static void check_refused(const uint8_t *f, size_t len, const struct vq_mem *m,
			  int err, unsigned int n)
{
	char msg[64];

	if (!errno_documented(err))
		abort();
	zced_reg_strerror(err, n, msg, sizeof(msg));
	if (!msg[0])
		abort();
	if (err == -EINVAL || err == -EOVERFLOW || err == -EFAULT) {
		if (n >= BF_ZCED_MAX_RANGES || 14 + 8 + 16 * (size_t)(n + 1) > len)
			abort();
		if (err == -EFAULT) {
			const uint8_t *w = f + 14 + 8 + 16 * n;

			if (inside(m, get_be64_at(w), get_be64_at(w + 8)))
				abort();
		}
	} else if (n) {
		abort();
	}
}

/* The dynamic set is sorted, disjoint and exactly the union of r. */
static void check_set(const struct vq_shared *s, const struct zced_stats *st,
		      const struct vq_range *r, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i, j;

	if (s->ndyn > n || s->ndyn > VQ_MAX_DYN_SHARED)
		abort();
	for (i = 0; i < s->ndyn; i++) {
		if (s->dyn[i].start >= s->dyn[i].end ||
		    (i && s->dyn[i].start <= s->dyn[i - 1].end))
			abort();
		sum += s->dyn[i].end - s->dyn[i].start;
	}
	if (st->shared_bytes != sum || vq_shared_dynamic_bytes(s) != sum)
		abort();
	for (i = 0; i < n; i++) {
		if (!vq_is_shared(s, r[i].start, r[i].end - r[i].start))
			abort();
	}
	/* no byte in the set that no accepted range covers: each set range
	 * starts at some range's start and ends at some range's end */
	for (i = 0; i < s->ndyn; i++) {
		bool st_ok = false, end_ok = false;

		for (j = 0; j < n; j++) {
			st_ok |= r[j].start == s->dyn[i].start;
			end_ok |= r[j].end == s->dyn[i].end;
		}
		if (!st_ok || !end_ok)
			abort();
	}
}

/* Spans kept across a restart match back to the set's in-region ranges. */
static void check_spans(const struct vq_shared *s, const struct vq_mem *m)
{
	struct bf_zced_shared sh;
	struct vq_range back[BF_ZCED_SPANS];
	unsigned int i, k = 0, got;

	zced_spans_from(s, m, &sh);
	got = zced_spans_match(&sh, m, back);
	for (i = 0; i < s->ndyn; i++) {
		if (!inside(m, s->dyn[i].start, s->dyn[i].end - s->dyn[i].start))
			continue;
		if (k >= got || back[k].start != s->dyn[i].start || back[k].end != s->dyn[i].end)
			abort();
		k++;
	}
	if (k != got || got != sh.n)
		abort();
}

static void one_frame(struct vq_shared *s, struct zced_stats *st, const struct vq_mem *m,
		      const uint8_t *f, size_t len)
{
	struct vq_range r[BF_ZCED_MAX_RANGES];
	struct vq_shared before;
	struct zced_stats st_before = *st;
	unsigned int n = 0, an = 0;
	uint8_t op = 0, aop = 0;
	int err, aerr;

	memcpy(&before, s, sizeof(before));
	err = zced_reg_parse(f, len, m, r, &n, &op);
	aerr = zced_reg_apply(s, st, m, f, len, &an, &aop);
	if (aerr != err || an != n)
		abort();
	if (err) {
		check_refused(f, len, m, err, n);
		if (memcmp(&before, s, sizeof(before)) || st->rejected != st_before.rejected + 1 ||
		    st->announce != st_before.announce || st->shared_bytes != st_before.shared_bytes)
			abort();
		return;
	}
	if (aop != op || st->announce != st_before.announce + 1)
		abort();
	check_accepted(f, m, r, n, op);
	check_set(s, st, r, op == BF_ZCED_OP_SHARE ? n : 0);
	check_spans(s, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_mem mem;
	struct vq_shared s = { .cvm = true };
	struct zced_stats st = { 0 };
	size_t off = read_mem(data, size, &mem);
	unsigned int i;

	for (i = 0; i < MAX_FRAMES && off + 2 <= size; i++) {
		size_t len = data[off] | (size_t)data[off + 1] << 8;
		uint8_t *f;

		off += 2;
		if (len > size - off)
			len = size - off;
		f = malloc(len ? len : 1);
		if (!f)
			abort();
		memcpy(f, data + off, len);
		one_frame(&s, &st, &mem, f, len);
		free(f);
		off += len;
	}
	return 0;
}
