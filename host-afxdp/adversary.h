/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * adversary.h - a hostile host, for tests only (bifrost-host-adversary
 * --adversary; the installed bifrost-host has none of it).
 *
 * The host is the adversary of a confidential guest. This mode plays it on
 * purpose, in one of two ways:
 *
 * Fixed points (rx-payload, rx-after, rx-hdr, rx-len, rx-tlshdr): after the
 * first `skip`, every `every`-th TCP segment with payload that goes to the
 * guest is tampered with in shared memory at the chosen points.
 *
 * A seeded campaign (fuzz,seed=S[,rate=N][,skip=K][,max=M]): each packet to
 * the guest is mutated with probability 1/rate (default 4), by one class
 * picked from the seed's random stream (enum adv_class): a virtio_net_hdr
 * field (flags, gso_type, gso_size, hdr_len, csum_start, csum_offset,
 * num_buffers) set to an edge or random value; a used length (zero, short,
 * beyond the buffer, random); the used entries of a packet published out of
 * order; bytes of the buffers (any header, TLS record header, ciphertext,
 * tag) changed before they are published, or right after it while the
 * guest may be reading; a TLS record header's type, version or length; a
 * storm of spurious notifications; a silence (the next notifications
 * withheld); a forged ZCED announcement frame sent to the guest; an
 * extra used entry with an id the guest does not own (which a hardened
 * guest takes as a broken ring). The same seed gives the same stream of
 * decisions: on the same traffic, the same mutations. After `max`
 * mutations, or SIGUSR2 (adversary_stop()), the host turns honest.
 *
 * Either way the guest must deliver no corrupted plaintext (TLS fails
 * cleanly instead), must not crash, and must count what it caught.
 */
#ifndef BIFROST_ADVERSARY_H
#define BIFROST_ADVERSARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost/virtq.h"

#define ADV_RX_PAYLOAD	(1U << 0)	/* flip a payload byte before publishing */
#define ADV_RX_AFTER	(1U << 1)	/* flip it after publishing (TOCTTOU) */
#define ADV_RX_HDR	(1U << 2)	/* bogus virtio_net_hdr (gso, num_buffers) */
#define ADV_RX_LEN	(1U << 3)	/* used length beyond the buffer */
#define ADV_RX_TLSHDR	(1U << 4)	/* a TLS record header's length, before publishing */
#define ADV_FUZZ	(1U << 5)	/* the seeded campaign */

/* What the campaign does to one packet (one of them per mutated packet). */
enum adv_class {
	ADV_C_HDR,		/* a virtio_net_hdr field */
	ADV_C_USED_LEN,		/* one buffer's used length */
	ADV_C_ORDER,		/* the packet's used entries out of order */
	ADV_C_BYTES,		/* buffer bytes before publishing */
	ADV_C_BYTES_AFTER,	/* buffer bytes after publishing (a race) */
	ADV_C_TLSHDR,		/* a TLS record header field */
	ADV_C_STORM,		/* spurious notifications */
	ADV_C_SILENCE,		/* the next notifications withheld */
	ADV_C_FORGE,		/* a forged ZCED announcement to the guest */
	ADV_C_USED_ID,		/* an extra used entry: an id the guest does not own */
	ADV_NCLASS
};

struct adversary {
	unsigned int points;
	unsigned int skip;	/* spare the first packets (handshakes) */
	unsigned int every;	/* fixed points: every every-th after skip */
	unsigned int rate;	/* campaign: 1 in rate packets */
	uint64_t seed;		/* campaign: the random stream's seed */
	uint64_t max;		/* campaign: honest after this many (0: no limit) */
	/* state */
	uint64_t rng;		/* xorshift64* state, from seed */
	uint64_t eligible;	/* fixed points: TCP segments with payload seen;
				 * campaign: packets seen */
	uint64_t tls_hdrs;	/* rx-tlshdr: past skip, segments with a record header */
	uint64_t tampered;	/* packets tampered with */
	uint64_t mutations[ADV_NCLASS];	/* campaign: by class */
	unsigned int silence;	/* campaign: notifications still to withhold */
};

/*
 * One packet the backend has written into the guest's receive buffers but
 * not yet published: its nbuf chains c[], the used length of each (lens[],
 * may be changed) and the order they are published in (order[], a
 * permutation of 0..nbuf-1, may be changed); hdr_len bytes of
 * virtio_net_hdr, then the frame of frame_len bytes whose TCP payload (or
 * TLS record header, rx-tlshdr) starts at payload_off (0: none).
 */
struct adv_packet {
	struct vq_chain *c;
	unsigned int nbuf;
	uint32_t *lens;
	unsigned int *order;
	uint32_t hdr_len;
	uint32_t frame_len;
	uint32_t payload_off;
	uint16_t queue_size;	/* of the receive virtqueue */
};

/* The decision for one packet: what adversary_before/after apply, and
 * what the backend itself does around publishing it. */
struct adv_mutation {
	bool hit;
	enum adv_class cls;	/* campaign */
	unsigned int storm;	/* notifications to send after publishing */
	bool extra_used;	/* push one more used entry ... */
	uint16_t extra_id;	/* ... with this id, and extra_len */
	uint32_t extra_len;
	bool forge;		/* deliver adversary_forge()'s frame first */
};

/*
 * "rx-payload,rx-after,rx-hdr,rx-len,rx-tlshdr[,skip=N]" (skip defaults to
 * 32, every to 8) or "fuzz,seed=S[,rate=N][,skip=N][,max=N]" (rate 1..2^20,
 * default 4; skip default 0) -> a; 0, or -EINVAL.
 */
int adversary_parse(const char *s, struct adversary *a);
/*
 * Decides about the next packet to the guest (frame of len bytes, the
 * TCP payload's offset in it found here): fills *m, and *payload_off with
 * the offset adversary_before/after work from. Returns m->hit.
 */
bool adversary_pick(struct adversary *a, const uint8_t *frame, size_t len,
		    uint32_t *payload_off, struct adv_mutation *m);
/* Applies m to the written, unpublished packet (bytes, header, lengths,
 * order); for a campaign's extra used entry, chooses the id here. */
void adversary_before(struct adversary *a, struct adv_mutation *m, struct adv_packet *p);
/* Applies m once the packet is published. */
void adversary_after(struct adversary *a, const struct adv_mutation *m,
		     const struct adv_packet *p);
/* True while the campaign withholds notifications (one packet counted). */
bool adversary_silent(struct adversary *a);
/* A forged ZCED announcement frame to the guest in buf[cap]: its length
 * (60 to ADV_FORGE_MAX bytes). */
#define ADV_FORGE_MAX	(14 + 8 + 64 * 16)
size_t adversary_forge(struct adversary *a, uint8_t *buf, size_t cap);
/* One line: what was done (the campaign: seed, packets, mutations by class). */
void adversary_summary(const struct adversary *a, char *buf, size_t len);
/* Every campaign turns honest from now on (bifrost-host: on SIGUSR2), its
 * storms and silences too; any thread may call it. */
void adversary_stop(void);
/* Whether adversary_stop() was called. */
bool adversary_stopped(void);

#endif /* BIFROST_ADVERSARY_H */
