// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* zced_reg.c - the guest's in-band ZCED pool registration (see zced_reg.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bytes.h"
#include "net_hdr.h"
#include "vhost/zced_reg.h"

#define MSG_HDR_LEN	8	/* magic, version, op, count */
#define RANGE_LEN	16	/* gpa, len */

static uint64_t get_be64(const uint8_t *p)
{
	return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

bool zced_reg_is_msg(const uint8_t *frame, size_t len)
{
	return len >= ETH_HDR_LEN && get_be16(frame + ETH_OFF_TYPE) == BF_ZCED_ETH_P;
}

/* One range: page-aligned, non-empty, no wrap, inside one memory region. */
static int check_range(uint64_t gpa, uint64_t len, const struct vq_mem *mem)
{
	if (!len || gpa % BF_ZCED_PAGE || len % BF_ZCED_PAGE)
		return -EINVAL;
	if (gpa > UINT64_MAX - len)
		return -EOVERFLOW;
	/* translation only: no guest memory is read */
	if (!vq_gpa_to_hva(mem, gpa, len))
		return -EFAULT;
	return 0;
}

int zced_reg_parse(const uint8_t *frame, size_t len, const struct vq_mem *mem,
		   struct vq_range *out, unsigned int *n, uint8_t *op)
{
	const uint8_t *m = frame + ETH_HDR_LEN, *r;
	unsigned int count, i;
	int err;

	*n = 0;
	if (!zced_reg_is_msg(frame, len))
		return -ENOMSG;
	if (len - ETH_HDR_LEN < MSG_HDR_LEN)
		return -EMSGSIZE;
	if (get_be32(m) != BF_ZCED_MAGIC)
		return -EBADMSG;
	if (m[4] != BF_ZCED_VERSION)
		return -EPROTONOSUPPORT;
	if (m[5] != BF_ZCED_OP_SHARE && m[5] != BF_ZCED_OP_UNSHARE)
		return -EOPNOTSUPP;
	count = get_be16(m + 6);
	if (m[5] == BF_ZCED_OP_UNSHARE && count)
		return -EPROTO;
	if (count > BF_ZCED_MAX_RANGES)
		return -E2BIG;
	if (len - ETH_HDR_LEN - MSG_HDR_LEN < (size_t)count * RANGE_LEN)
		return -EMSGSIZE;
	for (i = 0, r = m + MSG_HDR_LEN; i < count; i++, r += RANGE_LEN) {
		uint64_t gpa = get_be64(r), rlen = get_be64(r + 8);

		err = check_range(gpa, rlen, mem);
		if (err) {
			*n = i;
			return err;
		}
		out[i].start = gpa;
		out[i].end = gpa + rlen;
	}
	*n = count;
	*op = m[5];
	return 0;
}

int zced_reg_apply(struct vq_shared *s, struct zced_stats *st, const struct vq_mem *mem,
		   const uint8_t *frame, size_t len, unsigned int *n, uint8_t *op)
{
	struct vq_range r[BF_ZCED_MAX_RANGES];
	int err;

	err = zced_reg_parse(frame, len, mem, r, n, op);
	if (!err)
		err = vq_shared_set_dynamic(s, r, *op == BF_ZCED_OP_SHARE ? *n : 0);
	if (err) {
		st->rejected++;
		return err;
	}
	st->announce++;
	st->shared_bytes = vq_shared_dynamic_bytes(s);
	return 0;
}

/* The region holding all of [gpa, gpa + len), or NULL. */
static const struct vq_region *region_of(const struct vq_mem *mem, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->n && i < VQ_MAX_REGIONS; i++) {
		const struct vq_region *r = &mem->r[i];

		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
			return r;
	}
	return NULL;
}

unsigned int zced_spans_from(const struct vq_shared *s, const struct vq_mem *mem,
			     struct bf_zced_shared *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < s->ndyn && out->n < BF_ZCED_SPANS; i++) {
		uint64_t gpa = s->dyn[i].start, len = s->dyn[i].end - s->dyn[i].start;
		const struct vq_region *r = region_of(mem, gpa, len);
		struct bf_zced_span *sp = &out->s[out->n];

		if (!r)
			continue;
		sp->gpa = gpa;
		sp->len = len;
		sp->dev = r->dev;
		sp->ino = r->ino;
		sp->off = r->foff + (gpa - r->gpa);
		out->n++;
	}
	return out->n;
}

unsigned int zced_spans_match(const struct bf_zced_shared *in, const struct vq_mem *mem,
			      struct vq_range *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < in->n && i < BF_ZCED_SPANS; i++) {
		const struct bf_zced_span *sp = &in->s[i];
		const struct vq_region *r;

		if (check_range(sp->gpa, sp->len, mem))
			continue;
		r = region_of(mem, sp->gpa, sp->len);
		if (!r || !r->ino || r->dev != sp->dev || r->ino != sp->ino ||
		    r->foff + (sp->gpa - r->gpa) != sp->off)
			continue;
		out[n].start = sp->gpa;
		out[n].end = sp->gpa + sp->len;
		n++;
	}
	return n;
}

void zced_reg_strerror(int err, unsigned int n, char *buf, size_t len)
{
	switch (err) {
	case -ENOMSG:
		snprintf(buf, len, "not a registration frame");
		break;
	case -EMSGSIZE:
		snprintf(buf, len, "frame too short for its ranges");
		break;
	case -EBADMSG:
		snprintf(buf, len, "bad magic");
		break;
	case -EPROTONOSUPPORT:
		snprintf(buf, len, "unknown version");
		break;
	case -EOPNOTSUPP:
		snprintf(buf, len, "unknown op");
		break;
	case -EPROTO:
		snprintf(buf, len, "unshare with ranges");
		break;
	case -E2BIG:
		snprintf(buf, len, "more than %d ranges", BF_ZCED_MAX_RANGES);
		break;
	case -EINVAL:
		snprintf(buf, len, "range %u empty or not page-aligned", n);
		break;
	case -EOVERFLOW:
		snprintf(buf, len, "range %u wraps around", n);
		break;
	case -EFAULT:
		snprintf(buf, len, "range %u outside guest memory", n);
		break;
	default:
		snprintf(buf, len, "error %d", err);
		break;
	}
}

