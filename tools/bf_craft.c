// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_craft - send crafted Ethernet frames of one kind out of an interface
 * (AF_PACKET), for the XDP classifier tests.
 *
 *   bf_craft IFACE DST_MAC KIND COUNT
 *
 * Prints "sent COUNT frames of LEN bytes". Kinds: tcp4 tcp4-syn udp4 icmp4
 * vlan-tcp4 ipv4-opts frag4 tcp6 udp6 ipv6-ext ipv6-frag arp truncated4
 * badihl4 truncated6 badtcp4 garbage. Transport checksums are left 0: the
 * XDP classifier does not verify them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include "config.h"

#define PAYLOAD 100

struct frame {
	unsigned char b[256];
	size_t len;
};

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static size_t eth(unsigned char *b, const unsigned char *dst, unsigned int proto,
		  int vlan)
{
	static const unsigned char src[6] = { 0x02, 0xbf, 0, 0, 0, 0x02 };
	size_t off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, 42);
		off = 16;
	}
	put16(b + off, proto);
	return off + 2;
}

/* IPv4 header with ihl_words*4 bytes (options are NOPs + EOL). */
static size_t ip4(unsigned char *b, unsigned int proto, size_t l4len,
		  unsigned int ihl_words, unsigned int frag)
{
	size_t hl = ihl_words * 4;

	memset(b, 0, hl);
	b[0] = 0x40 | ihl_words;
	put16(b + 2, hl + l4len);
	put16(b + 4, 0x1234);
	put16(b + 6, frag);
	b[8] = 64;
	b[9] = proto;
	b[12] = 10; b[13] = 0; b[14] = 0; b[15] = 2;
	b[16] = 10; b[17] = 0; b[18] = 0; b[19] = 1;
	if (hl > 20)
		memset(b + 20, 1, hl - 21);	/* NOPs, then EOL (0) */
	return hl;
}

static size_t ip6(unsigned char *b, unsigned int nh, size_t plen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, plen);
	b[6] = nh;
	b[7] = 64;
	b[8] = 0xfd; b[23] = 2;
	b[24] = 0xfd; b[39] = 1;
	return 40;
}

static size_t tcp(unsigned char *b, unsigned int flags)
{
	memset(b, 0, 20);
	put16(b, 40000);
	put16(b + 2, 5001);
	b[4] = 1;		/* seq */
	b[11] = 1;		/* ack */
	b[12] = 5 << 4;
	b[13] = flags;
	put16(b + 14, 65535);
	memset(b + 20, 'x', PAYLOAD);
	return 20 + PAYLOAD;
}

static size_t udp(unsigned char *b)
{
	put16(b, 40000);
	put16(b + 2, 5001);
	put16(b + 4, 8 + PAYLOAD);
	put16(b + 6, 0);
	memset(b + 8, 'u', PAYLOAD);
	return 8 + PAYLOAD;
}

static int build(const char *kind, const unsigned char *dst, struct frame *f)
{
	unsigned char *b = f->b, l4[160];
	size_t o, n;

	memset(f, 0, sizeof(*f));
	if (!strcmp(kind, "tcp4") || !strcmp(kind, "tcp4-syn") ||
	    !strcmp(kind, "vlan-tcp4") || !strcmp(kind, "ipv4-opts")) {
		n = tcp(l4, !strcmp(kind, "tcp4-syn") ? 0x02 : 0x18);
		o = eth(b, dst, 0x0800, !strcmp(kind, "vlan-tcp4"));
		o += ip4(b + o, 6, n, !strcmp(kind, "ipv4-opts") ? 8 : 5, 0x4000);
	} else if (!strcmp(kind, "udp4")) {
		n = udp(l4);
		o = eth(b, dst, 0x0800, 0);
		o += ip4(b + o, 17, n, 5, 0);
	} else if (!strcmp(kind, "icmp4")) {
		memset(l4, 0, 64);
		l4[0] = 8;	/* echo request */
		n = 64;
		o = eth(b, dst, 0x0800, 0);
		o += ip4(b + o, 1, n, 5, 0);
	} else if (!strcmp(kind, "frag4")) {
		n = udp(l4);
		o = eth(b, dst, 0x0800, 0);
		o += ip4(b + o, 17, n, 5, 0x2000);	/* MF, offset 0 */
	} else if (!strcmp(kind, "tcp6")) {
		n = tcp(l4, 0x10);
		o = eth(b, dst, 0x86dd, 0);
		o += ip6(b + o, 6, n);
	} else if (!strcmp(kind, "udp6")) {
		n = udp(l4);
		o = eth(b, dst, 0x86dd, 0);
		o += ip6(b + o, 17, n);
	} else if (!strcmp(kind, "ipv6-ext") || !strcmp(kind, "ipv6-frag")) {
		int frag = !strcmp(kind, "ipv6-frag");
		unsigned char ext[24] = { 0 };

		n = tcp(l4 + 24, 0x10);
		ext[0] = 60;		/* hop-by-hop -> dest opts */
		ext[1] = 0;		/* 8 bytes */
		ext[2] = 1; ext[3] = 4;	/* PadN */
		ext[8] = frag ? 44 : 6;	/* dest opts -> fragment or TCP */
		ext[9] = 1;		/* 16 bytes */
		ext[10] = 1; ext[11] = 12;
		memcpy(l4, ext, 24);
		if (frag) {		/* replace last 8 bytes: fragment hdr */
			memset(l4 + 8 + 16 - 8, 0, 8);
			l4[9] = 0;	/* dest opts shrinks to 8 bytes */
			l4[10] = 1; l4[11] = 4;
			l4[16] = 6;	/* fragment -> TCP */
			l4[19] = 1;	/* M flag */
			l4[20] = 0xab;	/* identification */
		}
		n += 24;
		o = eth(b, dst, 0x86dd, 0);
		o += ip6(b + o, 0, n);
	} else if (!strcmp(kind, "arp")) {
		o = eth(b, dst, 0x0806, 0);
		n = 28;
		memset(l4, 0, n);
		put16(l4, 1);
		put16(l4 + 2, 0x0800);
		l4[4] = 6; l4[5] = 4;
		put16(l4 + 6, 2);	/* reply */
	} else if (!strcmp(kind, "truncated4")) {
		o = eth(b, dst, 0x0800, 0);
		ip4(b + o, 6, 400, 5, 0);	/* claims 420 bytes */
		n = 0;
		o += 12;		/* IP header cut short */
	} else if (!strcmp(kind, "badihl4")) {
		n = tcp(l4, 0x10);
		o = eth(b, dst, 0x0800, 0);
		o += ip4(b + o, 6, n, 5, 0);
		b[14] = 0x43;		/* IHL 3 < 5 */
	} else if (!strcmp(kind, "truncated6")) {
		n = tcp(l4, 0x10);
		o = eth(b, dst, 0x86dd, 0);
		o += ip6(b + o, 6, n + 400);	/* claims more than is there */
	} else if (!strcmp(kind, "badtcp4")) {
		n = tcp(l4, 0x10);
		l4[12] = 2 << 4;	/* data offset 2 < 5 */
		o = eth(b, dst, 0x0800, 0);
		o += ip4(b + o, 6, n, 5, 0);
	} else if (!strcmp(kind, "garbage")) {
		unsigned int i, x = 12345;

		o = eth(b, dst, 0x86dd, 0);
		n = 60;
		for (i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			l4[i] = x >> 16;
		}
		l4[0] = 0x45;		/* version nibble 4 inside IPv6 */
	} else {
		return -1;
	}
	memcpy(b + o, l4, n);
	f->len = o + n;
	if (f->len < 60)
		f->len = 60;	/* Ethernet minimum, zero padded */
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char dst[6];
	struct frame f;
	long count, i;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: bf_craft IFACE DST_MAC KIND COUNT\n");
		return 2;
	}
	if (bf_parse_mac(argv[2], dst) || build(argv[3], dst, &f)) {
		fprintf(stderr, "bf_craft: bad MAC or unknown kind '%s'\n", argv[3]);
		return 2;
	}
	count = strtol(argv[4], NULL, 10);
	sll.sll_ifindex = if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst, 6);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || !sll.sll_ifindex) {
		perror("bf_craft: socket/interface");
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, f.b, f.len, 0, (struct sockaddr *)&sll, sizeof(sll)) !=
		    (ssize_t)f.len) {
			perror("bf_craft: sendto");
			return 1;
		}
	}
	printf("sent %ld frames of %zu bytes\n", count, f.len);
	close(fd);
	return 0;
}
