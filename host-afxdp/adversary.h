/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * adversary.h - a hostile host, for tests only (bifrost-host --adversary).
 *
 * The host is the adversary of a confidential guest. This mode plays it on
 * purpose: after the first `skip`, every `every`-th TCP segment with payload
 * that goes to the guest is tampered with in shared memory at the chosen points. The guest must
 * deliver no corrupted plaintext (TLS fails cleanly instead), must not
 * crash, and must count what it caught.
 */
#ifndef BIFROST_ADVERSARY_H
#define BIFROST_ADVERSARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADV_RX_PAYLOAD	(1U << 0)	/* flip a payload byte before publishing */
#define ADV_RX_AFTER	(1U << 1)	/* flip it after publishing (TOCTTOU) */
#define ADV_RX_HDR	(1U << 2)	/* bogus virtio_net_hdr (gso, num_buffers) */
#define ADV_RX_LEN	(1U << 3)	/* used length beyond the buffer */
#define ADV_RX_TLSHDR	(1U << 4)	/* a TLS record header's length, before publishing */

struct adversary {
	unsigned int points;
	unsigned int skip;	/* spare the first packets (handshakes) */
	unsigned int every;
	uint64_t eligible;	/* TCP segments with payload seen */
	uint64_t tls_hdrs;	/* rx-tlshdr: past skip, segments with a record header */
	uint64_t tampered;
};

/* "rx-payload,rx-after,rx-hdr,rx-len,rx-tlshdr[,skip=N]" -> a (skip
 * defaults to 32, every to 8); 0 on success. */
int adversary_parse(const char *s, struct adversary *a);
/* True when this frame is to be tampered with; *payload_off is the offset
 * of its first TCP payload byte in the frame, or with rx-tlshdr of a TLS 1.2
 * application-data record header in its payload (frames without one are
 * not eligible then). */
bool adversary_pick(struct adversary *a, const uint8_t *frame, size_t len,
		    uint32_t *payload_off);

#endif /* BIFROST_ADVERSARY_H */
