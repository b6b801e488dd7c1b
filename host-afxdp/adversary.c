// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* adversary.c - choosing what a test-only hostile host tampers with. */
#include <errno.h>
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
		{ "rx-tlshdr", ADV_RX_TLSHDR },
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
				return -EINVAL;
			a->skip = (unsigned int)v;
			s += n + (s[n] == ',');
			continue;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -EINVAL;
		a->points |= names[i].bit;
		s += n + (s[n] == ',');
	}
	return a->points ? 0 : -EINVAL;
}

/* Offset of the first TLS 1.2 application-data record header (17 03 03,
 * length <= 2^14 + 256) in frame[from, to), or 0. */
static uint32_t find_tls_hdr(const uint8_t *frame, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i + 5 <= to; i++)
		if (frame[i] == 0x17 && frame[i + 1] == 3 && frame[i + 2] == 3 &&
		    ((uint32_t)frame[i + 3] << 8 | frame[i + 4]) <= 16384 + 256)
			return i;
	return 0;
}

bool adversary_pick(struct adversary *a, const uint8_t *frame, size_t len,
		    uint32_t *payload_off)
{
	uint32_t off;
	struct bf_parsed p;

	if (!a->points || bf_parse_frame(frame, frame + len, &p) != BF_PARSE_OK ||
	    !(p.flags & BF_PF_TCP) || !p.payload_len)
		return false;
	if (a->eligible++ < a->skip)
		return false;
	off = p.payload_off;
	if (a->points & ADV_RX_TLSHDR) {
		/* every every-th segment that carries a record header */
		off = find_tls_hdr(frame, p.payload_off, p.payload_off + p.payload_len);
		if (!off || a->tls_hdrs++ % (a->every ? a->every : 1))
			return false;
	} else if ((a->eligible - 1 - a->skip) % (a->every ? a->every : 1)) {
		return false;
	}
	a->tampered++;
	*payload_off = off;
	return true;
}
