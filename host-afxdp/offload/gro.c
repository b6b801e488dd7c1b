// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * gro.c - receive-side TCP segment merging (GRO) for the AF_XDP backend.
 *
 * A held flow keeps its first segment's frame in a preallocated buffer and
 * appends the payload of every segment merged into it. The merge decision
 * follows Linux 6.1 (inet_gro_receive, ipv6_gro_receive, tcp_gro_receive);
 * the differences are listed at gro_input(). The packet is finished
 * (lengths, IPv4 header checksum, TCP pseudo-header sum for NEEDS_CSUM)
 * when it is flushed.
 *
 * Flows live in a fixed table: a hash index (bucket chains) to find them,
 * an age list (hold start order) for timeouts, eviction and flush_all, and
 * a free list. All links are table indices.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "net_hdr.h"
#include "bifrost_parse.h"
#include "offload/csum.h"
#include "offload/gro.h"

#define GRO_NIL		(-1)

struct gro_key {
	uint8_t tag[4];		/* 802.1Q/802.1ad tag, zero if untagged */
	uint8_t v6;
	uint8_t pad[3];
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint8_t ports[4];
};

struct gro_flow {
	struct gro_key key;
	uint32_t hash;
	int32_t hnext;		/* bucket chain, or free list */
	int32_t older;		/* age list */
	int32_t newer;
	uint64_t start_ns;
	uint8_t *buf;		/* first frame + merged payloads */
	uint32_t len;		/* bytes used in buf */
	uint32_t next_seq;	/* sequence number expected next */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t hdr_len;	/* Ethernet + IP + TCP headers */
	uint16_t mss;		/* payload bytes of the first segment */
	uint16_t segs;
	uint16_t ip_id0;	/* IPv4 ID of the first segment */
	bool v6;
	bool atomic;		/* IPv4: DF set and the ID has not moved (yet) */
};

/* One received TCP segment, as the merge logic sees it. */
struct gro_seg {
	const uint8_t *frame;
	size_t len;
	struct bf_parsed p;
	struct gro_key key;
	uint32_t seq;
	uint16_t thlen;
	uint8_t tflags;
	bool ip_ok;		/* IP header allows holding and merging */
};

struct gro_engine {
	struct gro_cfg cfg;
	gro_emit_fn emit;
	void *ctx;
	struct bf_backend_stats *stats;
	struct bf_backend_stats own_stats;
	unsigned int nflows;
	unsigned int nheld;
	uint32_t bucket_mask;
	int32_t free_head;
	int32_t oldest;
	int32_t newest;
	int32_t *buckets;
	struct gro_flow *flows;
	uint8_t *bufs;
};

/* ---- flow table ---- */

struct gro_engine *gro_new(unsigned int nflows, gro_emit_fn emit, void *ctx,
		      struct bf_backend_stats *stats)
{
	struct gro_engine *pr;
	uint32_t nb = 1;
	unsigned int i;

	if (!emit || nflows == 0 || nflows > GRO_MAX_FLOWS) {
		errno = EINVAL;
		return NULL;
	}
	while (nb < 2 * nflows)
		nb <<= 1;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	pr->buckets = malloc(nb * sizeof(*pr->buckets));
	pr->flows = calloc(nflows, sizeof(*pr->flows));
	pr->bufs = malloc((size_t)nflows * GRO_BUF_SIZE);
	if (!pr->buckets || !pr->flows || !pr->bufs) {
		gro_free(pr);
		errno = ENOMEM;
		return NULL;
	}
	pr->emit = emit;
	pr->ctx = ctx;
	pr->stats = stats ? stats : &pr->own_stats;
	pr->nflows = nflows;
	pr->bucket_mask = nb - 1;
	for (i = 0; i < nb; i++)
		pr->buckets[i] = GRO_NIL;
	for (i = 0; i < nflows; i++) {
		pr->flows[i].buf = pr->bufs + (size_t)i * GRO_BUF_SIZE;
		pr->flows[i].hnext = i + 1 < nflows ? (int32_t)i + 1 : GRO_NIL;
	}
	pr->free_head = 0;
	pr->oldest = GRO_NIL;
	pr->newest = GRO_NIL;
	pr->cfg.enabled = false;
	pr->cfg.max_merge_bytes = BF_MAX_MERGE_BYTES;
	pr->cfg.max_segs = BF_MAX_MERGE_SEGS;
	pr->cfg.flush_ns = 50000;
	return pr;
}

void gro_free(struct gro_engine *pr)
{
	if (!pr)
		return;
	free(pr->bufs);
	free(pr->flows);
	free(pr->buckets);
	free(pr);
}

static int32_t flow_idx(const struct gro_engine *pr, const struct gro_flow *f)
{
	return (int32_t)(f - pr->flows);
}

static struct gro_flow *flow_find(struct gro_engine *pr, const struct gro_seg *s)
{
	int32_t i = pr->buckets[s->p.hash & pr->bucket_mask];

	while (i != GRO_NIL) {
		struct gro_flow *f = &pr->flows[i];

		if (f->hash == s->p.hash &&
		    !memcmp(&f->key, &s->key, sizeof(f->key)))
			return f;
		i = f->hnext;
	}
	return NULL;
}

static void flow_link(struct gro_engine *pr, struct gro_flow *f)
{
	int32_t idx = flow_idx(pr, f);
	int32_t *head = &pr->buckets[f->hash & pr->bucket_mask];

	f->hnext = *head;
	*head = idx;
	f->newer = GRO_NIL;
	f->older = pr->newest;
	if (pr->newest != GRO_NIL)
		pr->flows[pr->newest].newer = idx;
	else
		pr->oldest = idx;
	pr->newest = idx;
	pr->nheld++;
}

static void flow_unlink(struct gro_engine *pr, struct gro_flow *f)
{
	int32_t idx = flow_idx(pr, f);
	int32_t *link = &pr->buckets[f->hash & pr->bucket_mask];

	while (*link != GRO_NIL && *link != idx)
		link = &pr->flows[*link].hnext;
	if (*link == idx)
		*link = f->hnext;
	if (f->older != GRO_NIL)
		pr->flows[f->older].newer = f->newer;
	else
		pr->oldest = f->newer;
	if (f->newer != GRO_NIL)
		pr->flows[f->newer].older = f->older;
	else
		pr->newest = f->older;
	f->hnext = pr->free_head;
	pr->free_head = idx;
	pr->nheld--;
}

/* ---- output ---- */

static void count_flush(struct gro_engine *pr, enum gro_flush_reason why)
{
	struct bf_backend_stats *st = pr->stats;

	switch (why) {
	case GRO_FLUSH_BATCH_END:
		st->flush_batch_end++;
		break;
	case GRO_FLUSH_TIMEOUT:
		st->flush_timeout++;
		break;
	case GRO_FLUSH_SIZE:
		st->flush_size++;
		break;
	case GRO_FLUSH_SEGS:
		st->flush_segs++;
		break;
	case GRO_FLUSH_FLAGS:
		st->flush_flags++;
		break;
	case GRO_FLUSH_MISMATCH:
		st->flush_mismatch++;
		break;
	case GRO_FLUSH_TABLE_FULL:
		st->flush_table_full++;
		break;
	case GRO_FLUSH_NONE:
		break;
	}
}

static void pass(struct gro_engine *pr, const uint8_t *frame, size_t len,
		 uint8_t vflags)
{
	struct virtio_net_hdr vh;

	memset(&vh, 0, sizeof(vh));
	vh.flags = vflags;
	pr->emit(pr->ctx, &vh, frame, len);
}

/*
 * Write the lengths and IPv4 header checksum of a merged packet and fill
 * its virtio header the way Linux hands a guest a GRO packet
 * (tcp_gro_complete, then virtio_net_hdr_from_skb): CHECKSUM_PARTIAL,
 * i.e. NEEDS_CSUM with csum_start at the TCP header, csum_offset 16 and
 * the folded, not inverted, pseudo-header sum in the TCP checksum field.
 * virtio 1.x requires NEEDS_CSUM on every GSO packet a device hands the
 * driver, and Linux 6.6.44-45 drop GSO packets without it. hdr_len is the
 * length of all headers (Ethernet to TCP), the value virtio asks for under
 * VIRTIO_NET_F_GUEST_HDRLEN.
 */
static void flow_finish(struct gro_flow *f, struct virtio_net_hdr *vh)
{
	uint8_t *ip = f->buf + f->l3_off;
	uint8_t *th = f->buf + f->l4_off;
	uint32_t l4len = f->len - f->l4_off;
	uint32_t sum;

	if (f->v6) {
		put_be16(ip + IP6_OFF_PAYLOAD_LEN, (uint16_t)(f->len - f->l3_off - IP6_HDR_LEN));
		sum = bf_csum_pseudo_ipv6(ip + IP6_OFF_SADDR, ip + IP6_OFF_DADDR, IPPROTO_TCP, l4len);
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	} else {
		put_be16(ip + IP4_OFF_TOT_LEN, (uint16_t)(f->len - f->l3_off));
		bf_csum_ipv4_hdr_fill(ip, f->l4_off - f->l3_off);
		sum = bf_csum_pseudo_ipv4(ip + IP4_OFF_SADDR, ip + IP4_OFF_DADDR, IPPROTO_TCP, l4len);
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	}
	/* Linux (tcp_gro_complete): CWR on the merged header means ECN. */
	if (th[TCP_OFF_FLAGS] & BF_TCP_CWR)
		vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	put_be16(th + TCP_OFF_CSUM, (uint16_t)~bf_csum_fold(sum));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16(f->l4_off);
	vh->csum_offset = htole16(TCP_OFF_CSUM);
	vh->hdr_len = htole16(f->hdr_len);
	vh->gso_size = htole16(f->mss);
}

/*
 * Hand out a held packet: a single segment as received (checksum verified:
 * DATA_VALID, as Linux leaves a GRO packet of one segment
 * CHECKSUM_UNNECESSARY), a merged one as a GSO packet.
 */
static void flow_flush(struct gro_engine *pr, struct gro_flow *f,
		       enum gro_flush_reason why)
{
	struct virtio_net_hdr vh;

	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	if (f->segs > 1)
		flow_finish(f, &vh);
	count_flush(pr, why);
	/* The slot is only reused by a later hold, so buf stays valid. */
	flow_unlink(pr, f);
	pr->emit(pr->ctx, &vh, f->buf, f->len);
}

/* ---- merge rules ---- */

/*
 * Largest IP payload (TCP header + data) a merged packet may carry. Linux
 * stops at an IP length of 65535; here the whole frame stays within 65535
 * bytes, the most bf_parse_frame() (16-bit offsets) and gso_segment()
 * accept, so a merged packet can always be parsed and re-segmented.
 */
static uint32_t merge_limit(const struct gro_engine *pr, uint32_t l4_off)
{
	uint32_t lim = 65535 - l4_off;

	return pr->cfg.max_merge_bytes < lim ? pr->cfg.max_merge_bytes : lim;
}

static void seg_init(struct gro_seg *s, const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + s->p.l3_off;
	const uint8_t *th = frame + s->p.l4_off;

	s->frame = frame;
	s->len = len;
	memset(&s->key, 0, sizeof(s->key));
	if (s->p.flags & BF_PF_VLAN)
		memcpy(s->key.tag, frame + ETH_OFF_TYPE, 4);
	if (s->p.flags & BF_PF_IPV6) {
		s->key.v6 = 1;
		memcpy(s->key.saddr, ip + IP6_OFF_SADDR, IP6_ADDR_LEN);
		memcpy(s->key.daddr, ip + IP6_OFF_DADDR, IP6_ADDR_LEN);
		/*
		 * Extension headers: hop-by-hop, destination options and
		 * routing, as ipv6_gro_receive pulls, and only where the
		 * pseudo-header addresses are the IPv6 header's (so the
		 * merged packet can be segmented again). The IP length
		 * covers the frame.
		 */
		s->ip_ok = s->p.l3_end == len &&
			   (!(s->p.flags & BF_PF_IPOPTS) ||
			    bf_csum_pseudo_in_hdr(frame, &s->p));
	} else {
		memcpy(s->key.saddr, ip + IP4_OFF_SADDR, 4);
		memcpy(s->key.daddr, ip + IP4_OFF_DADDR, 4);
		/* Linux: header byte 0x45, no reserved/MF/offset bits, no padding. */
		s->ip_ok = ip[0] == IP4_VER_IHL_PLAIN &&
			   !(get_be16(ip + IP4_OFF_FRAG) & IP4_FRAG_NOT_DF) &&
			   s->p.l3_end == len;
	}
	memcpy(s->key.ports, th, 4);
	s->seq = get_be32(th + TCP_OFF_SEQ);
	s->tflags = th[TCP_OFF_FLAGS];
	s->thlen = s->p.payload_off - s->p.l4_off;
}

/* May this segment start a held packet? (tcp_gro_receive out_check_final) */
static bool seg_holdable(const struct gro_engine *pr, const struct gro_seg *s)
{
	uint32_t l4len = s->p.l3_end - s->p.l4_off;

	return pr->cfg.enabled && pr->cfg.max_segs >= 2 && s->ip_ok &&
	       s->p.payload_len > 0 && (s->tflags & BF_TCP_ACK) &&
	       !(s->tflags & (BF_TCP_URG | BF_TCP_PSH | BF_TCP_RST |
			      BF_TCP_SYN | BF_TCP_FIN)) &&
	       l4len < merge_limit(pr, s->p.l4_off);
}

/*
 * IPv4 ID rule of inet_gro_receive + tcp_gro_receive: the IDs increment by
 * one per segment, or, while the first segment had DF set, stay fixed. A
 * DF flow whose second segment is first + 1 continues as incrementing.
 */
static bool ip4_id_ok(const struct gro_flow *f, const uint8_t *ip,
		      bool *atomic)
{
	uint16_t diff = (uint16_t)(get_be16(ip + IP4_OFF_ID) - f->ip_id0);
	bool df = ip[IP4_OFF_FRAG] & IP4_FRAG_DF;
	uint16_t fid;

	*atomic = f->atomic;
	if (!f->atomic || !df)
		fid = diff != f->segs ? 0xffff : 0;
	else
		fid = diff;
	if (fid == 1 && f->segs == 1 && f->atomic) {
		*atomic = false;
		return true;
	}
	return fid == 0;
}

static bool ip_mismatch(const struct gro_flow *f, const struct gro_seg *s,
			bool *atomic)
{
	const uint8_t *hip = f->buf + f->l3_off;
	const uint8_t *nip = s->frame + s->p.l3_off;

	*atomic = f->atomic;
	if (f->v6) {
		/*
		 * Version, traffic class and flow label; next header and hop
		 * limit; the extension headers byte for byte (ipv6_gro_receive).
		 */
		return memcmp(hip, nip, IP6_FLOW_LEN) ||
		       hip[IP6_OFF_NEXTHDR] != nip[IP6_OFF_NEXTHDR] ||
		       hip[IP6_OFF_HOPLIMIT] != nip[IP6_OFF_HOPLIMIT] ||
		       s->p.l4_off != f->l4_off ||
		       memcmp(hip + IP6_HDR_LEN, nip + IP6_HDR_LEN,
			      f->l4_off - f->l3_off - IP6_HDR_LEN);
	}
	return hip[IP4_OFF_TOS] != nip[IP4_OFF_TOS] || hip[IP4_OFF_TTL] != nip[IP4_OFF_TTL] ||
	       ((hip[IP4_OFF_FRAG] ^ nip[IP4_OFF_FRAG]) & IP4_FRAG_DF) ||
	       !ip4_id_ok(f, nip, atomic);
}

/* Why s cannot be merged into f, or GRO_FLUSH_NONE if it can. */
static enum gro_flush_reason merge_check(const struct gro_engine *pr,
					  const struct gro_flow *f,
					  const struct gro_seg *s,
					  bool *atomic)
{
	const uint8_t *ht = f->buf + f->l4_off;
	const uint8_t *nt = s->frame + s->p.l4_off;
	uint32_t plen = s->p.payload_len;

	*atomic = f->atomic;
	if (s->tflags & (BF_TCP_SYN | BF_TCP_RST | BF_TCP_URG | BF_TCP_CWR))
		return GRO_FLUSH_FLAGS;
	if ((s->tflags ^ ht[TCP_OFF_FLAGS]) & ~(BF_TCP_CWR | BF_TCP_FIN | BF_TCP_PSH))
		return GRO_FLUSH_FLAGS;
	if (!s->ip_ok || plen == 0 || memcmp(f->buf, s->frame, ETH_ADDRS_LEN))
		return GRO_FLUSH_MISMATCH;
	/* Data offset/reserved bits, ACK number, window, option bytes. */
	if (ht[TCP_OFF_DOFF] != nt[TCP_OFF_DOFF] ||
	    memcmp(ht + TCP_OFF_ACK, nt + TCP_OFF_ACK, 4) ||
	    memcmp(ht + TCP_OFF_WINDOW, nt + TCP_OFF_WINDOW, 2) ||
	    memcmp(ht + TCP_HDR_MIN, nt + TCP_HDR_MIN, s->thlen - TCP_HDR_MIN))
		return GRO_FLUSH_MISMATCH;
	if (ip_mismatch(f, s, atomic))
		return GRO_FLUSH_MISMATCH;
	if (plen > f->mss || s->seq != f->next_seq)
		return GRO_FLUSH_MISMATCH;
	if (f->len - f->l4_off + plen > merge_limit(pr, f->l4_off))
		return GRO_FLUSH_SIZE;
	if ((uint32_t)f->segs + 1 > pr->cfg.max_segs)
		return GRO_FLUSH_SEGS;
	return GRO_FLUSH_NONE;
}

static void flow_append(struct gro_engine *pr, struct gro_flow *f,
			const struct gro_seg *s, bool atomic)
{
	uint32_t plen = s->p.payload_len;

	memcpy(f->buf + f->len, s->frame + s->p.payload_off, plen);
	f->len += plen;
	f->next_seq += plen;
	f->segs++;
	f->atomic = atomic;
	/* Linux ORs FIN and PSH of merged segments into the header. */
	f->buf[f->l4_off + 13] |= s->tflags & (BF_TCP_FIN | BF_TCP_PSH);
	pr->stats->merged_segs++;
}

/* After a merge: flush now if nothing more can join. */
static void flow_after_merge(struct gro_engine *pr, struct gro_flow *f,
			     const struct gro_seg *s)
{
	if (s->tflags & (BF_TCP_PSH | BF_TCP_FIN))
		flow_flush(pr, f, GRO_FLUSH_FLAGS);
	else if (s->p.payload_len < f->mss)
		flow_flush(pr, f, GRO_FLUSH_SIZE);
	else if (f->segs >= pr->cfg.max_segs)
		flow_flush(pr, f, GRO_FLUSH_SEGS);
	else if (f->len - f->l4_off >= merge_limit(pr, f->l4_off))
		flow_flush(pr, f, GRO_FLUSH_SIZE);
}

static void flow_hold(struct gro_engine *pr, const struct gro_seg *s, uint64_t now)
{
	struct gro_flow *f;
	const uint8_t *ip = s->frame + s->p.l3_off;

	if (pr->free_head == GRO_NIL)
		flow_flush(pr, &pr->flows[pr->oldest], GRO_FLUSH_TABLE_FULL);
	f = &pr->flows[pr->free_head];
	pr->free_head = f->hnext;
	memcpy(f->buf, s->frame, s->len);
	f->key = s->key;
	f->hash = s->p.hash;
	f->start_ns = now;
	f->len = s->len;
	f->next_seq = s->seq + s->p.payload_len;
	f->l3_off = s->p.l3_off;
	f->l4_off = s->p.l4_off;
	f->hdr_len = s->p.payload_off;
	f->mss = s->p.payload_len;
	f->segs = 1;
	f->v6 = s->key.v6;
	f->ip_id0 = f->v6 ? 0 : get_be16(ip + IP4_OFF_ID);
	f->atomic = f->v6 || (ip[IP4_OFF_FRAG] & IP4_FRAG_DF);
	flow_link(pr, f);
}

/*
 * Differences from Linux 6.1 GRO, all on the side of not merging or of
 * keeping order: a packet of a held flow that cannot be merged (bad
 * checksum, IPv4 options, IPv6 AH or fragment header, Ethernet padding)
 * flushes the held packet first, where Linux would deliver it ahead of the
 * held one; a changed flow label, IPv6 extension header or MAC header
 * flushes instead of opening a second GRO entry for the same 5-tuple; IPv6
 * with a routing header with segments left or a home address option is
 * not held (the pseudo-header would not use the IPv6 header's addresses,
 * so the merged packet could not be segmented again); data segments
 * without ACK are never held; a packet that reached max_segs or the byte
 * limit is flushed at once instead of with the next segment. IPv4 with
 * options is never merged, as in Linux (inet_gro_receive takes only
 * header byte 0x45).
 */
static void tcp_input(struct gro_engine *pr, struct gro_seg *s,
		      enum bf_csum_result cs, uint64_t now)
{
	struct gro_flow *f = flow_find(pr, s);
	enum gro_flush_reason why;
	bool atomic;

	if (cs != BF_CSUM_OK) {
		if (f)
			flow_flush(pr, f, GRO_FLUSH_MISMATCH);
		if (cs == BF_CSUM_BAD)
			pr->stats->csum_fail++;
		pass(pr, s->frame, s->len, 0);
		return;
	}
	if (f) {
		why = merge_check(pr, f, s, &atomic);
		if (why == GRO_FLUSH_NONE) {
			flow_append(pr, f, s, atomic);
			flow_after_merge(pr, f, s);
			return;
		}
		flow_flush(pr, f, why);
	}
	if (seg_holdable(pr, s))
		flow_hold(pr, s, now);
	else
		pass(pr, s->frame, s->len, VIRTIO_NET_HDR_F_DATA_VALID);
}

void gro_input(struct gro_engine *pr, const uint8_t *frame, size_t len,
		uint64_t now_ns)
{
	struct gro_seg s;
	enum bf_csum_result cs;
	const uint8_t *ip;

	if (bf_parse_frame(frame, frame + len, &s.p) != BF_PARSE_OK ||
	    !(s.p.flags & (BF_PF_IPV4 | BF_PF_IPV6))) {
		pass(pr, frame, len, 0);
		return;
	}
	ip = frame + s.p.l3_off;
	if ((s.p.flags & BF_PF_IPV4) &&
	    !bf_csum_ipv4_hdr_ok(ip, (size_t)(ip[0] & 0x0f) * 4))
		cs = BF_CSUM_BAD;
	else
		cs = bf_csum_l4_verify(frame, &s.p, NULL);
	if (!(s.p.flags & BF_PF_TCP)) {
		if (cs == BF_CSUM_BAD)
			pr->stats->csum_fail++;
		pass(pr, frame, len,
		     cs == BF_CSUM_OK ? VIRTIO_NET_HDR_F_DATA_VALID : 0);
		return;
	}
	seg_init(&s, frame, len);
	tcp_input(pr, &s, cs, now_ns);
}

/* ---- flushing and configuration ---- */

void gro_flush_all(struct gro_engine *pr, enum gro_flush_reason why)
{
	while (pr->oldest != GRO_NIL)
		flow_flush(pr, &pr->flows[pr->oldest], why);
}

static uint64_t flow_deadline(const struct gro_engine *pr, const struct gro_flow *f)
{
	uint64_t d = f->start_ns + pr->cfg.flush_ns;

	return d < f->start_ns ? UINT64_MAX : d;
}

void gro_flush_expired(struct gro_engine *pr, uint64_t now_ns)
{
	/* Same timeout for all: the age list is in deadline order. */
	while (pr->oldest != GRO_NIL &&
	       flow_deadline(pr, &pr->flows[pr->oldest]) <= now_ns)
		flow_flush(pr, &pr->flows[pr->oldest], GRO_FLUSH_TIMEOUT);
}

uint64_t gro_next_deadline(const struct gro_engine *pr)
{
	if (pr->oldest == GRO_NIL)
		return UINT64_MAX;
	return flow_deadline(pr, &pr->flows[pr->oldest]);
}

unsigned int gro_held(const struct gro_engine *pr)
{
	return pr->nheld;
}

void gro_set_cfg(struct gro_engine *pr, const struct gro_cfg *cfg)
{
	int32_t i, next;

	pr->cfg = *cfg;
	if (pr->cfg.max_merge_bytes > BF_MAX_MERGE_BYTES)
		pr->cfg.max_merge_bytes = BF_MAX_MERGE_BYTES;
	if (pr->cfg.max_segs > BF_MAX_MERGE_SEGS)
		pr->cfg.max_segs = BF_MAX_MERGE_SEGS;
	if (!pr->cfg.enabled) {
		gro_flush_all(pr, GRO_FLUSH_BATCH_END);
		return;
	}
	for (i = pr->oldest; i != GRO_NIL; i = next) {
		struct gro_flow *f = &pr->flows[i];

		next = f->newer;
		if (f->segs >= pr->cfg.max_segs)
			flow_flush(pr, f, GRO_FLUSH_SEGS);
		else if (f->len - f->l4_off >= merge_limit(pr, f->l4_off))
			flow_flush(pr, f, GRO_FLUSH_SIZE);
	}
}

void gro_get_cfg(const struct gro_engine *pr, struct gro_cfg *cfg)
{
	*cfg = pr->cfg;
}
