/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bifrost_parse.h - bounds-checked frame classifier shared by the XDP program
 * and user space (the backend recomputes metadata with it when a driver has
 * no XDP metadata support; the unit tests drive it with crafted frames).
 *
 * Everything is read through bf_parse_frame(data, data_end, &out); no access
 * happens before the check that covers it. Offsets are bounded by
 * BF_PARSE_MAX_OFF so the verifier can track them. Lengths read from the
 * packet (IP total/payload length) are compared as integers against the
 * frame length, never added to packet pointers: older verifiers (Linux 6.1)
 * lose their bounds.
 */
#ifndef BIFROST_PARSE_H
#define BIFROST_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "bifrost_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define BF_PARSE_OK		0
#define BF_PARSE_MALFORMED	(-1)

#define BF_PARSE_MAX_OFF	512	/* headers beyond this are not parsed */
#define BF_PARSE_MAX_EXTHDRS	8

#define BF_ETH_P_8021Q		0x8100
#define BF_ETH_P_8021AD		0x88A8

/* TCP flag bits in byte 13 of the TCP header. */
#define BF_TCP_FIN		0x01
#define BF_TCP_SYN		0x02
#define BF_TCP_RST		0x04
#define BF_TCP_PSH		0x08
#define BF_TCP_ACK		0x10
#define BF_TCP_URG		0x20
#define BF_TCP_ECE		0x40
#define BF_TCP_CWR		0x80

struct bf_parsed {
	__u32 hash;
	__u16 flags;		/* BF_PF_* */
	__u16 ethertype;	/* host order, after the VLAN tag */
	__u16 l3_off;
	__u16 l4_off;
	__u16 payload_off;
	__u16 payload_len;
	__u16 l3_end;		/* end of the IP datagram (excludes padding) */
	__u8 l4_proto;
	__u8 tcp_flags;
	__u32 frame_len;	/* whole frame; > end - start with XDP frags */
};

static __always_inline __u32 bf_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 bf_hash_step(__u32 h, __u32 w)
{
	w *= 0xcc9e2d51U;
	w = bf_rotl32(w, 15);
	w *= 0x1b873593U;
	h ^= w;
	h = bf_rotl32(h, 13);
	return h * 5 + 0xe6546b64U;
}

static __always_inline __u32 bf_hash_final(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/*
 * Symmetric flow hash: the two endpoints are ordered before hashing, so
 * (a:p -> b:q) and (b:q -> a:p) hash alike.
 */
static __always_inline __u32 bf_flow_hash(__u32 a, __u32 b, __u16 pa, __u16 pb,
					  __u8 proto)
{
	__u32 lo = a < b ? a : b, hi = a < b ? b : a;
	__u32 plo = pa < pb ? pa : pb, phi = pa < pb ? pb : pa;
	__u32 h = 0x9e3779b9U;

	h = bf_hash_step(h, lo);
	h = bf_hash_step(h, hi);
	h = bf_hash_step(h, (plo << 16) | phi);
	h = bf_hash_step(h, proto);
	return bf_hash_final(h);
}

static __always_inline int bf_ipv6_exthdr(__u8 nh)
{
	return nh == 0 /* hop-by-hop */ || nh == 43 /* routing */ ||
	       nh == 44 /* fragment */ || nh == 51 /* AH */ ||
	       nh == 60 /* destination options */;
}

static __always_inline int bf_parse_l4(const __u8 *data, const __u8 *data_end,
				       struct bf_parsed *p, __u32 off, __u32 end,
				       __u32 *ports)
{
	__u32 hlen;

	if (off > BF_PARSE_MAX_OFF || end > 0xffff || off > end)
		return BF_PARSE_MALFORMED;
	p->l4_off = off;
	if (p->l4_proto == IPPROTO_TCP) {
		const __u8 *th = data + off;

		if (th + 20 > data_end || off + 20 > end)
			return BF_PARSE_MALFORMED;
		hlen = (th[12] >> 4) * 4;
		if (hlen < 20 || off + hlen > end)
			return BF_PARSE_MALFORMED;
		p->flags |= BF_PF_TCP | BF_PF_L4;
		p->tcp_flags = th[13];
		*ports = ((__u32)th[0] << 24) | ((__u32)th[1] << 16) |
			 ((__u32)th[2] << 8) | th[3];
	} else if (p->l4_proto == IPPROTO_UDP) {
		const __u8 *uh = data + off;
		__u32 ulen;

		if (uh + 8 > data_end || off + 8 > end)
			return BF_PARSE_MALFORMED;
		ulen = ((__u32)uh[4] << 8) | uh[5];
		if (ulen < 8 || off + ulen > end)
			return BF_PARSE_MALFORMED;
		end = off + ulen;
		p->l3_end = end;	/* the UDP length bounds the payload */
		hlen = 8;
		p->flags |= BF_PF_UDP | BF_PF_L4;
		*ports = ((__u32)uh[0] << 24) | ((__u32)uh[1] << 16) |
			 ((__u32)uh[2] << 8) | uh[3];
	} else {
		p->l4_off = 0;
		return BF_PARSE_OK;
	}
	p->payload_off = off + hlen;
	p->payload_len = end - (off + hlen);
	if (p->payload_len)
		p->flags |= BF_PF_PAYLOAD;
	return BF_PARSE_OK;
}

static __always_inline void bf_classify_tcp(struct bf_parsed *p)
{
	__u8 f = p->tcp_flags;

	if (!(p->flags & BF_PF_TCP))
		return;
	if (f & (BF_TCP_SYN | BF_TCP_FIN | BF_TCP_RST | BF_TCP_URG |
		 BF_TCP_CWR | BF_TCP_ECE))
		p->flags |= BF_PF_FLUSH;
	else if ((f & BF_TCP_ACK) && (p->flags & BF_PF_PAYLOAD) &&
		 !(p->flags & (BF_PF_FRAG | BF_PF_IPOPTS)))
		p->flags |= BF_PF_MERGEABLE;
}

static __always_inline int bf_parse_ipv4(const __u8 *data, const __u8 *data_end,
					 struct bf_parsed *p, __u32 off)
{
	const __u8 *iph = data + off;
	__u32 ihl, tot, ports = 0;
	__u16 frag;
	__u32 saddr, daddr;

	if (off > 64 || iph + 20 > data_end)
		return BF_PARSE_MALFORMED;
	if ((iph[0] >> 4) != 4)
		return BF_PARSE_MALFORMED;
	ihl = (iph[0] & 0x0f) * 4;
	tot = ((__u32)iph[2] << 8) | iph[3];
	if (ihl < 20 || tot < ihl || iph + ihl > data_end ||
	    off + tot > p->frame_len)
		return BF_PARSE_MALFORMED;
	p->flags |= BF_PF_IPV4;
	p->l3_end = off + tot;
	if (ihl > 20)
		p->flags |= BF_PF_IPOPTS;
	p->l4_proto = iph[9];
	saddr = ((__u32)iph[12] << 24) | ((__u32)iph[13] << 16) |
		((__u32)iph[14] << 8) | iph[15];
	daddr = ((__u32)iph[16] << 24) | ((__u32)iph[17] << 16) |
		((__u32)iph[18] << 8) | iph[19];
	frag = (((__u16)iph[6] << 8) | iph[7]) & 0x3fff; /* MF + offset */
	if (frag) {
		/* Every fragment hashes on addresses only: same queue. */
		p->flags |= BF_PF_FRAG;
	} else if (bf_parse_l4(data, data_end, p, off + ihl, off + tot,
			       &ports) < 0) {
		return BF_PARSE_MALFORMED;
	}
	p->hash = bf_flow_hash(saddr, daddr, ports >> 16, ports & 0xffff,
			       p->l4_proto);
	return BF_PARSE_OK;
}

static __always_inline __u32 bf_fold_in6(const __u8 *a)
{
	__u32 h = 0;
	int i;

	for (i = 0; i < 16; i += 4)
		h ^= ((__u32)a[i] << 24) | ((__u32)a[i + 1] << 16) |
		     ((__u32)a[i + 2] << 8) | a[i + 3];
	return h;
}

static __always_inline int bf_parse_ipv6(const __u8 *data, const __u8 *data_end,
					 struct bf_parsed *p, __u32 off)
{
	const __u8 *ip6 = data + off;
	__u32 plen, end, ports = 0, l4;
	__u8 nh;
	int i;

	if (off > 64 || ip6 + 40 > data_end)
		return BF_PARSE_MALFORMED;
	if ((ip6[0] >> 4) != 6)
		return BF_PARSE_MALFORMED;
	plen = ((__u32)ip6[4] << 8) | ip6[5];
	end = off + 40 + plen;
	if (plen == 0 || end > p->frame_len)	/* no jumbograms */
		return BF_PARSE_MALFORMED;
	p->flags |= BF_PF_IPV6;
	p->l3_end = end;
	nh = ip6[6];
	l4 = off + 40;
	for (i = 0; i < BF_PARSE_MAX_EXTHDRS; i++) {
		const __u8 *eh;
		__u32 elen;

		if (!bf_ipv6_exthdr(nh))
			break;
		if (l4 > BF_PARSE_MAX_OFF)
			return BF_PARSE_MALFORMED;
		eh = data + l4;
		if (eh + 8 > data_end || l4 + 8 > end)
			return BF_PARSE_MALFORMED;
		p->flags |= BF_PF_IPOPTS;
		if (nh == 44) {
			/*
			 * Any fragment header, even an atomic one, makes the
			 * packet hash on addresses only, like the other
			 * fragments of its datagram.
			 */
			p->flags |= BF_PF_FRAG;
			elen = 8;
		} else if (nh == 51) {
			elen = ((__u32)eh[1] + 2) * 4;
		} else {
			elen = ((__u32)eh[1] + 1) * 8;
		}
		nh = eh[0];
		l4 += elen;
		if (l4 > end)
			return BF_PARSE_MALFORMED;
	}
	if (bf_ipv6_exthdr(nh))		/* chain longer than we parse */
		return BF_PARSE_MALFORMED;
	p->l4_proto = nh;
	if (!(p->flags & BF_PF_FRAG) &&
	    bf_parse_l4(data, data_end, p, l4, end, &ports) < 0)
		return BF_PARSE_MALFORMED;
	p->hash = bf_flow_hash(bf_fold_in6(ip6 + 8), bf_fold_in6(ip6 + 24),
			       ports >> 16, ports & 0xffff, nh);
	return BF_PARSE_OK;
}

/*
 * Classify one Ethernet frame of frame_len bytes whose first end - start
 * bytes are readable at start (an XDP program with frags support sees
 * only the linear part through data/data_end; every header must lie
 * there, and IP lengths are checked against the whole frame). Returns
 * BF_PARSE_OK (also for non-IP frames, which get flags 0 and hash 0) or
 * BF_PARSE_MALFORMED.
 */
static __always_inline int bf_parse_frame_len(const void *start, const void *end,
					      __u32 frame_len, struct bf_parsed *p)
{
	const __u8 *data = start, *data_end = end;
	__u32 off = 14, linear = (__u32)(data_end - data);
	__u16 proto;
	int ret;

	__builtin_memset(p, 0, sizeof(*p));
	p->frame_len = frame_len > linear ? frame_len : linear;
	if (data + 14 > data_end)
		return BF_PARSE_MALFORMED;
	proto = ((__u16)data[12] << 8) | data[13];
	if (proto == BF_ETH_P_8021Q || proto == BF_ETH_P_8021AD) {
		if (data + 18 > data_end)
			return BF_PARSE_MALFORMED;
		p->flags |= BF_PF_VLAN;
		proto = ((__u16)data[16] << 8) | data[17];
		off = 18;
	}
	p->ethertype = proto;
	p->l3_off = off;
	if (proto == ETH_P_IP)
		ret = bf_parse_ipv4(data, data_end, p, off);
	else if (proto == ETH_P_IPV6)
		ret = bf_parse_ipv6(data, data_end, p, off);
	else
		return BF_PARSE_OK;
	if (ret < 0)
		return ret;
	bf_classify_tcp(p);
	return BF_PARSE_OK;
}

/* Classify one contiguous Ethernet frame [start, end) (see above). */
static __always_inline int bf_parse_frame(const void *start, const void *end,
					  struct bf_parsed *p)
{
	return bf_parse_frame_len(start, end, 0, p);
}

#endif /* BIFROST_PARSE_H */
