// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* adversary.c - choosing what a test-only hostile host tampers with. */
#include <string.h>
#include "adversary.h"
#include "bifrost_parse.h"

int adversary_parse(const char *s, unsigned int *points)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "rx-payload", ADV_RX_PAYLOAD }, { "rx-after", ADV_RX_AFTER },
		{ "rx-hdr", ADV_RX_HDR }, { "rx-len", ADV_RX_LEN },
	};
	unsigned int i;
	size_t n;

	*points = 0;
	while (*s) {
		n = strcspn(s, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*points |= names[i].bit;
		s += n + (s[n] == ',');
	}
	return *points ? 0 : -1;
}

bool adversary_pick(struct adversary *a, const uint8_t *frame, size_t len,
		    uint32_t *payload_off)
{
	struct bf_parsed p;

	if (!a->points || bf_parse_frame(frame, frame + len, &p) != BF_PARSE_OK ||
	    !(p.flags & BF_PF_TCP) || !p.payload_len)
		return false;
	if (a->eligible++ < a->skip ||
	    (a->eligible - 1 - a->skip) % (a->every ? a->every : 1))
		return false;
	a->tampered++;
	*payload_off = p.payload_off;
	return true;
}
