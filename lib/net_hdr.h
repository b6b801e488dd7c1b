/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * net_hdr.h - byte offsets of the header fields user space reads and writes
 * in a frame (Ethernet: IEEE 802.3; IPv4: RFC 791; IPv6: RFC 8200; TCP:
 * RFC 9293; UDP: RFC 768), in one place. Each offset counts from the start
 * of its own header; multi-byte fields are big-endian (bytes.h).
 */
#ifndef BIFROST_NET_HDR_H
#define BIFROST_NET_HDR_H

/* Ethernet II */
#define ETH_OFF_TYPE		12	/* ethertype, or the first 802.1Q tag */
#define ETH_ADDRS_LEN		12	/* destination and source MAC */
#define ETH_HDR_LEN		14

/* IPv4 */
#define IP4_OFF_TOS		1
#define IP4_OFF_TOT_LEN		2
#define IP4_OFF_ID		4
#define IP4_OFF_FRAG		6	/* flags (reserved, DF, MF) and fragment offset */
#define IP4_OFF_TTL		8
#define IP4_OFF_CSUM		10
#define IP4_OFF_SADDR		12
#define IP4_OFF_DADDR		16
#define IP4_HDR_MIN		20
#define IP4_VER_IHL_PLAIN	0x45	/* version 4, 20-byte header */
#define IP4_FRAG_DF		0x40	/* in the byte at IP4_OFF_FRAG */
#define IP4_FRAG_NOT_DF		0xbfff	/* reserved, MF and offset: the 16 bits */

/* IPv6 */
#define IP6_OFF_PAYLOAD_LEN	4
#define IP6_OFF_NEXTHDR		6
#define IP6_OFF_HOPLIMIT	7
#define IP6_OFF_SADDR		8
#define IP6_OFF_DADDR		24
#define IP6_FLOW_LEN		4	/* version, traffic class, flow label */
#define IP6_ADDR_LEN		16
#define IP6_HDR_LEN		40

/* TCP */
#define TCP_OFF_SEQ		4
#define TCP_OFF_ACK		8
#define TCP_OFF_DOFF		12	/* data offset and reserved bits */
#define TCP_OFF_FLAGS		13
#define TCP_OFF_WINDOW		14
#define TCP_OFF_CSUM		16
#define TCP_HDR_MIN		20

/* UDP */
#define UDP_OFF_CSUM		6

#endif /* BIFROST_NET_HDR_H */
