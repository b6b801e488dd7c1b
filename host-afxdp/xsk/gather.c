// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* gather.c - AF_XDP multi-buffer frame reassembly (see gather.h). */
#include <string.h>
#include "xsk/gather.h"

enum bf_gather_res bf_gather_part(struct bf_gather *g, const uint8_t *part,
				  uint32_t len, bool more, size_t *frame_len)
{
	enum bf_gather_res res;

	if (!g->buf || g->parts >= g->max_parts || len > g->cap - g->len)
		g->bad = true;
	if (!g->bad) {
		memcpy(g->buf + g->len, part, len);
		g->len += len;
	}
	if (g->parts < UINT32_MAX)
		g->parts++;
	if (more)
		return BF_GATHER_MORE;
	res = g->bad ? BF_GATHER_DROP : BF_GATHER_DONE;
	*frame_len = g->len;
	g->len = 0;
	g->parts = 0;
	g->bad = false;
	return res;
}
