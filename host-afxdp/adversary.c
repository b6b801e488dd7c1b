// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* adversary.c - choosing what a test-only hostile host tampers with. */
#include <stdlib.h>
#include <string.h>
#include "adversary.h"
#include "bifrost_parse.h"

int adversary_parse(const char *s, struct adversary *a)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "rx-payload", ADV_RX_PAYLOAD }, { "rx-after", ADV_RX_AFTER },
		{ "rx-hdr", ADV_RX_HDR }, { "rx-len", ADV_RX_LEN },
	};
	unsigned int i;
	char *end;
	size_t n;

	memset(a, 0, sizeof(*a));
	a->skip = 32;	/* past the TLS handshake: hit records */
	a->every = 8;
	while (*s) {
		n = strcspn(s, ",");
		if (!strncmp(s, "skip=", 5) && n > 5) {
			unsigned long v = strtoul(s + 5, &end, 10);

			if (end != s + n || v > 1000000)
				return -1;
			a->skip = (unsigned int)v;
			s += n + (s[n] == ',');
			continue;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		a->points |= names[i].bit;
		s += n + (s[n] == ',');
	}
	return a->points ? 0 : -1;
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
