/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pktbuild.h - test-only frame builder: Ethernet (optional 802.1Q tag),
 * IPv4 (optional options, fragment bits) or IPv6 (optional extension
 * headers: destination options, hop-by-hop, routing, both options headers,
 * AH), TCP or UDP, with correct checksums computed by a plain
 * 16-bit loop that shares no code with host-afxdp/offload/csum.c.
 */
#ifndef BIFROST_PKTBUILD_H
#define BIFROST_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "bytes.h"

#define PB_TCP_FIN	0x01
#define PB_TCP_SYN	0x02
#define PB_TCP_RST	0x04
#define PB_TCP_PSH	0x08
#define PB_TCP_ACK	0x10
#define PB_TCP_URG	0x20
#define PB_TCP_ECE	0x40
#define PB_TCP_CWR	0x80

/* IPv6 extension headers pb_build() writes into ipoptlen bytes. */
enum {
	PB_EH_DSTOPTS,		/* one destination options header */
	PB_EH_HOP,		/* one hop-by-hop options header */
	PB_EH_ROUTING,		/* one routing header (type 253) */
	PB_EH_HOP_DST,		/* hop-by-hop (8 bytes), then destination options */
	PB_EH_AH,		/* one authentication header */
};

struct pb_spec {
	int v6;
	int vlan;		/* add an 802.1Q tag with vlan_tci */
	uint16_t vlan_tci;
	uint8_t dmac[6];
	uint8_t smac[6];
	uint8_t saddr[16];	/* IPv4 uses the first 4 bytes */
	uint8_t daddr[16];
	uint8_t proto;		/* 6 (TCP) or 17 (UDP) */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t tflags;
	uint16_t win;
	uint16_t urg;
	uint8_t ttl;		/* IPv6: hop limit */
	uint8_t tos;		/* IPv6: traffic class */
	uint32_t flowlabel;
	int df;
	uint16_t ip_id;
	uint16_t frag;		/* IPv4 MF/offset/reserved bits (no DF) */
	uint8_t opts[40];	/* TCP options, optlen a multiple of 4 */
	uint8_t optlen;
	uint8_t ipopts[40];	/* IPv4: options (x4); IPv6: ext hdrs (x8) */
	uint8_t ipoptlen;
	uint8_t ehkind;		/* IPv6 ext headers in ipoptlen: PB_EH_* */
	uint8_t ehfill;		/* nonzero: an option (or data) of this byte */
	uint8_t ehsegleft;	/* routing header: segments left */
	uint16_t pad;		/* Ethernet padding after the IP datagram */
	int bad_csum;		/* corrupt the L4 checksum */
};


static inline uint16_t pb_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t pb_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* Reference one's complement sum, 16 bits at a time. */
static inline uint32_t pb_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static inline uint16_t pb_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void pb_default(struct pb_spec *s, int v6)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	memset(s, 0, sizeof(*s));
	s->v6 = v6;
	memcpy(s->dmac, dmac, 6);
	memcpy(s->smac, smac, 6);
	if (v6) {
		s->saddr[0] = 0xfd;
		s->saddr[15] = 1;
		s->daddr[0] = 0xfd;
		s->daddr[15] = 2;
	} else {
		s->saddr[0] = 10;
		s->saddr[3] = 1;
		s->daddr[0] = 10;
		s->daddr[3] = 2;
	}
	s->proto = 6;
	s->sport = 40000;
	s->dport = 5201;
	s->seq = 1000;
	s->ack = 777;
	s->tflags = PB_TCP_ACK;
	s->win = 512;
	s->ttl = 64;
	s->df = 1;
	s->ip_id = 100;
}

/* Header bytes in front of the L4 payload. */
static inline size_t pb_hdr_len(const struct pb_spec *s)
{
	size_t l2 = s->vlan ? 18 : 14;
	size_t l3 = (s->v6 ? 40 : 20) + s->ipoptlen;
	size_t l4 = s->proto == 17 ? 8 : 20 + s->optlen;

	return l2 + l3 + l4;
}

/* Pseudo-header sum for the given L4 length. */
static inline uint32_t pb_pseudo(const struct pb_spec *s, uint32_t l4len)
{
	uint32_t sum;

	sum = pb_sum(s->saddr, s->v6 ? 16 : 4, 0);
	sum = pb_sum(s->daddr, s->v6 ? 16 : 4, sum);
	sum += s->proto;
	sum += l4len >> 16;
	sum += l4len & 0xffff;
	return sum;
}

/* An options header (hop-by-hop or destination) of len bytes at eh. */
static inline void pb_opthdr(uint8_t *eh, size_t len, uint8_t nh, uint8_t fill)
{
	memset(eh, 0, len);
	eh[0] = nh;
	eh[1] = (uint8_t)(len / 8 - 1);
	eh[2] = fill ? 0x1e : 1;	/* unknown skippable option, or PadN */
	eh[3] = (uint8_t)(len - 4);
	if (fill)
		memset(eh + 4, fill, len - 4);
}

/* Write the IPv6 extension headers of s at eh; returns the first type. */
static inline uint8_t pb_ext6(const struct pb_spec *s, uint8_t *eh)
{
	size_t len = s->ipoptlen;

	switch (s->ehkind) {
	case PB_EH_HOP:
		pb_opthdr(eh, len, s->proto, s->ehfill);
		return 0;
	case PB_EH_HOP_DST:
		pb_opthdr(eh, 8, 60, 0);
		pb_opthdr(eh + 8, len - 8, s->proto, s->ehfill);
		return 0;
	case PB_EH_ROUTING:
		memset(eh, s->ehfill, len);
		eh[0] = s->proto;
		eh[1] = (uint8_t)(len / 8 - 1);
		eh[2] = 253;
		eh[3] = s->ehsegleft;
		return 43;
	case PB_EH_AH:
		memset(eh, s->ehfill, len);
		eh[0] = s->proto;
		eh[1] = (uint8_t)(len / 4 - 2);
		eh[2] = 0;
		eh[3] = 0;
		return 51;
	default:
		pb_opthdr(eh, len, s->proto, s->ehfill);
		return 60;
	}
}

/* Build the frame into out (large enough); returns the frame length. */
static inline size_t pb_build(const struct pb_spec *s, const uint8_t *payload,
			      size_t plen, uint8_t *out)
{
	size_t l2 = s->vlan ? 18 : 14, off = 12;
	size_t l3hdr = (s->v6 ? 40 : 20) + s->ipoptlen;
	size_t l4hdr = s->proto == 17 ? 8 : 20 + s->optlen;
	uint32_t l4len = (uint32_t)(l4hdr + plen);
	uint8_t *ip, *l4;
	uint16_t ck;

	memcpy(out, s->dmac, 6);
	memcpy(out + 6, s->smac, 6);
	if (s->vlan) {
		put_be16(out + 12, 0x8100);
		put_be16(out + 14, s->vlan_tci);
		off = 16;
	}
	put_be16(out + off, s->v6 ? 0x86dd : 0x0800);
	ip = out + l2;
	if (s->v6) {
		put_be32(ip, (6u << 28) | ((uint32_t)s->tos << 20) |
			 (s->flowlabel & 0xfffff));
		put_be16(ip + 4, (uint16_t)(s->ipoptlen + l4len));
		ip[7] = s->ttl;
		memcpy(ip + 8, s->saddr, 16);
		memcpy(ip + 24, s->daddr, 16);
		ip[6] = s->ipoptlen ? pb_ext6(s, ip + 40) : s->proto;
	} else {
		ip[0] = 0x40 | (uint8_t)(l3hdr / 4);
		ip[1] = s->tos;
		put_be16(ip + 2, (uint16_t)(l3hdr + l4len));
		put_be16(ip + 4, s->ip_id);
		put_be16(ip + 6, (uint16_t)((s->df ? 0x4000 : 0) | s->frag));
		ip[8] = s->ttl;
		ip[9] = s->proto;
		put_be16(ip + 10, 0);
		memcpy(ip + 12, s->saddr, 4);
		memcpy(ip + 16, s->daddr, 4);
		memcpy(ip + 20, s->ipopts, s->ipoptlen);
		put_be16(ip + 10, pb_fold(pb_sum(ip, l3hdr, 0)));
	}
	l4 = ip + l3hdr;
	put_be16(l4, s->sport);
	put_be16(l4 + 2, s->dport);
	if (s->proto == 17) {
		put_be16(l4 + 4, (uint16_t)l4len);
		put_be16(l4 + 6, 0);
	} else {
		put_be32(l4 + 4, s->seq);
		put_be32(l4 + 8, s->ack);
		l4[12] = (uint8_t)((l4hdr / 4) << 4);
		l4[13] = s->tflags;
		put_be16(l4 + 14, s->win);
		put_be16(l4 + 16, 0);
		put_be16(l4 + 18, s->urg);
		memcpy(l4 + 20, s->opts, s->optlen);
	}
	if (plen)
		memcpy(l4 + l4hdr, payload, plen);
	ck = pb_fold(pb_sum(l4, l4len, pb_pseudo(s, l4len)));
	if (s->proto == 17 && ck == 0)
		ck = 0xffff;
	if (s->bad_csum)
		ck ^= 0x5a5a;
	put_be16(l4 + (s->proto == 17 ? 6 : 16), ck);
	memset(l4 + l4len, 0, s->pad);
	return l2 + l3hdr + l4len + s->pad;
}

/* Standard TCP timestamp option block (NOP, NOP, TS). */
static inline void pb_set_ts(struct pb_spec *s, uint32_t tsval, uint32_t tsecr)
{
	s->opts[0] = 1;
	s->opts[1] = 1;
	s->opts[2] = 8;
	s->opts[3] = 10;
	put_be32(s->opts + 4, tsval);
	put_be32(s->opts + 8, tsecr);
	s->optlen = 12;
}

/*
 * Independent checks on a built or emitted frame (no VLAN/ext-hdr support
 * needed beyond what pb_build makes). Return 1 if valid.
 */
static inline size_t pb_l3_off(const uint8_t *f)
{
	return pb_get16(f + 12) == 0x8100 ? 18 : 14;
}

static inline int pb_ip4_csum_ok(const uint8_t *f)
{
	const uint8_t *ip = f + pb_l3_off(f);

	return pb_fold(pb_sum(ip, (size_t)(ip[0] & 15) * 4, 0)) == 0;
}

/* Length of the IPv6 extension headers at ip + 40 (those pb_build makes). */
static inline size_t pb_ext6_len(const uint8_t *ip, uint8_t *proto)
{
	uint8_t nh = ip[6];
	size_t off = 40;

	while (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
		const uint8_t *eh = ip + off;

		off += nh == 51 ? ((size_t)eh[1] + 2) * 4 : ((size_t)eh[1] + 1) * 8;
		nh = eh[0];
	}
	*proto = nh;
	return off;
}

/* TCP/UDP checksum of a frame (IPv6 extension headers as pb_build makes). */
static inline int pb_l4_csum_ok(const uint8_t *f)
{
	size_t l3 = pb_l3_off(f);
	const uint8_t *ip = f + l3;
	struct pb_spec s;
	size_t ihl;
	uint32_t l4len;

	memset(&s, 0, sizeof(s));
	if ((ip[0] >> 4) == 6) {
		s.v6 = 1;
		memcpy(s.saddr, ip + 8, 16);
		memcpy(s.daddr, ip + 24, 16);
		ihl = pb_ext6_len(ip, &s.proto);
		l4len = pb_get16(ip + 4) + 40 - (uint32_t)ihl;
	} else {
		memcpy(s.saddr, ip + 12, 4);
		memcpy(s.daddr, ip + 16, 4);
		s.proto = ip[9];
		ihl = (size_t)(ip[0] & 15) * 4;
		l4len = pb_get16(ip + 2) - (uint32_t)ihl;
	}
	return pb_fold(pb_sum(ip + ihl, l4len, pb_pseudo(&s, l4len))) == 0;
}

/* Deterministic payload bytes for stream offset seq. */
static inline void pb_fill(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((seq + i) * 131 + ((seq + i) >> 8) + 7);
}

#endif /* BIFROST_PKTBUILD_H */
