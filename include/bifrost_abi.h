/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bifrost_abi.h - the one contract between the XDP program (bpf/), bifrostctl
 * (loader/) and the AF_XDP backend (host-afxdp/).
 *
 * Every map key/value and the XDP->AF_XDP metadata layout is declared here and
 * nowhere else. Fields are fixed-width and explicitly padded so BPF and user
 * space agree byte for byte; the XDP object carries BTF for all of them, so
 * `bpftool map dump pinned /sys/fs/bpf/bifrost/IFACE/<map>` prints field names.
 *
 * Maps (pinned by name under BF_PIN_ROOT/<ifname>/):
 *   bf_guests     HASH   struct bf_mac_key   -> struct bf_guest
 *   bf_policy     ARRAY  __u32 guest_id      -> struct bf_policy
 *   bf_guest_info ARRAY  __u32 guest_id      -> struct bf_guest_info
 *   bf_ctl        ARRAY  __u32 0             -> struct bf_ctl
 *   bf_xsks       XSKMAP __u32 slot          -> AF_XDP socket fd
 *   bf_gstats     PERCPU_ARRAY __u32 guest_id -> struct bf_guest_stats
 *   bf_stats      PERCPU_ARRAY __u32 0       -> struct bf_global_stats
 *   bf_backend    ARRAY  __u32 slot          -> struct bf_backend_stats
 *   bf_zced_shared ARRAY __u32 guest id      -> struct bf_zced_shared
 *   bf_info       ARRAY  __u32 0             -> struct bf_info
 *
 * XSKMAP contract: guest G, guest queue Q (0 <= Q < nqueues) is served by the
 * AF_XDP socket in slot BF_XSK_SLOT(G, Q). The XDP program picks Q as
 * meta.hash % nqueues, where hash is a symmetric flow hash, so both
 * directions of a flow and every segment of it land on the same socket.
 * The same slot indexes bf_backend: the worker owning a socket owns the
 * counters in that slot (single writer, no locks).
 */
#ifndef BIFROST_ABI_H
#define BIFROST_ABI_H

#include <linux/types.h>

#define BF_PIN_ROOT		"/sys/fs/bpf/bifrost"

/* Pin names: the map names of the XDP object (bifrost_xdp.bpf.c declares
 * the maps under these identifiers; user space uses only these strings). */
#define BF_PIN_GUESTS		"bf_guests"
#define BF_PIN_POLICY		"bf_policy"
#define BF_PIN_GUEST_INFO	"bf_guest_info"
#define BF_PIN_CTL		"bf_ctl"
#define BF_PIN_XSKS		"bf_xsks"
#define BF_PIN_GSTATS		"bf_gstats"
#define BF_PIN_STATS		"bf_stats"
#define BF_PIN_BACKEND		"bf_backend"
#define BF_PIN_ZCED_SHARED	"bf_zced_shared"
#define BF_PIN_INFO		"bf_info"
#define BF_PIN_LINK		"link"		/* the bpf_link of the XDP program */

/*
 * Version of the maps' layout: bumped whenever a key or value struct of
 * any map above changes (a field appended counts). bifrostctl writes it at
 * attach into bf_info; bifrostctl and bifrost-host refuse maps of another
 * version with one line naming both, instead of reading past a struct.
 *   1  the maps before bf_info existed (no record)
 *   2  bf_info added (ABI record, kernel features of the program)
 */
#define BF_ABI_VERSION		2
#define BF_ABI_MAGIC		0xb1f0ab1eU

#define BF_MAX_GUESTS		64
#define BF_MAX_QUEUES		16
#define BF_XSK_SLOTS		(BF_MAX_GUESTS * BF_MAX_QUEUES)
#define BF_XSK_SLOT(g, q)	((g) * BF_MAX_QUEUES + (q))
#define BF_MAX_ZCED_PORTS	16
#define BF_NAME_LEN		32

/*
 * Linux GRO never builds more than 64 KiB of IP payload, and has no segment
 * count of its own (NAPI_GRO_CB()->count is a u16): a merge is bounded by
 * bytes, max_segs is an operator's extra limit, off at its maximum.
 */
#define BF_MAX_MERGE_BYTES	65535
#define BF_MAX_MERGE_SEGS	65535

struct bf_mac_key {
	__u8 addr[6];
	__u16 pad;		/* always 0 */
};

#define BF_GUEST_F_ENABLED	(1U << 0)

struct bf_guest {
	__u32 guest_id;		/* index into bf_policy/bf_gstats/... */
	__u16 nqueues;		/* 1..BF_MAX_QUEUES */
	__u16 flags;		/* BF_GUEST_F_* */
};

#define BF_POL_PRPR		(1U << 0)

struct bf_policy {
	__u32 generation;	/* bf_ctl.generation when last written */
	__u32 flags;		/* BF_POL_* */
	__u32 max_merge_bytes;	/* IP payload bytes, <= BF_MAX_MERGE_BYTES */
	__u32 max_segs;		/* <= BF_MAX_MERGE_SEGS */
	__u32 flush_us;		/* PRPR hold timeout, microseconds */
	__u32 n_zced_ports;
	__u16 zced_ports[BF_MAX_ZCED_PORTS];	/* host byte order */
};

/* Loader bookkeeping: keeps guest ids stable across reloads. */
struct bf_guest_info {
	char name[BF_NAME_LEN];
	__u8 mac[6];
	__u8 in_use;
	__u8 pad;
};

struct bf_ctl {
	__u64 generation;	/* bumped by every successful reload */
};

struct bf_guest_stats {
	__u64 rx_packets;	/* frames addressed to this guest */
	__u64 rx_bytes;
	__u64 redirected;	/* handed to an AF_XDP socket */
	__u64 passed;		/* XSKMAP slot empty: XDP_PASS */
	__u64 dropped;		/* malformed or metadata failure */
	__u64 parse_errors;	/* malformed frames (subset of dropped) */
	__u64 no_meta;		/* redirected without metadata */
};

struct bf_global_stats {
	__u64 rx_packets;	/* every frame seen */
	__u64 rx_bytes;
	__u64 nonguest_passed;	/* no guest with that destination MAC */
	__u64 malformed;	/* shorter than an Ethernet header */
};

/*
 * What a CVM guest has shared in band (its ZCED pool), kept by bifrost-host
 * across its own restarts, the way a CVM's page states outlive the I/O
 * backend process. Each span records the file backing that guest memory and
 * its offset there, so a restarted backend takes a span back only for the
 * same guest memory (the same QEMU), never for a new guest.
 */
#define BF_ZCED_SPANS		32

struct bf_zced_span {
	__u64 gpa, len;		/* guest-physical range */
	__u64 dev, ino;		/* backing file of the memory region */
	__u64 off;		/* offset of gpa in that file */
};

struct bf_zced_shared {
	__u32 n;
	__u32 pad;
	struct bf_zced_span s[BF_ZCED_SPANS];
};

/* Backend counters; one slot per guest queue, written only by its worker. */
struct bf_backend_stats {
	__u64 in_packets;	/* wire -> guest, frames taken from AF_XDP */
	__u64 in_bytes;
	__u64 out_packets;	/* packets delivered to the guest port */
	__u64 out_bytes;
	__u64 merged_segs;	/* segments folded into an earlier packet */
	__u64 flush_batch_end;
	__u64 flush_timeout;
	__u64 flush_size;
	__u64 flush_segs;
	__u64 flush_flags;
	__u64 flush_mismatch;
	__u64 flush_table_full;
	__u64 csum_fail;
	__u64 tx_packets;	/* guest -> wire, packets read from the port */
	__u64 tx_segments;	/* frames put on the AF_XDP TX ring */
	__u64 drop_no_frame;	/* UMEM exhausted */
	__u64 drop_port;	/* guest port full or down */
	__u64 drop_bad_tx;	/* malformed packet from the guest */
	__u64 violations;	/* CVM: access outside shared ranges */
	__u64 policy_generation; /* last policy generation applied */
	/* The guest's in-band ZCED pool registration (bifrost_zced_wire.h). */
	__u64 zced_announce;	/* registrations accepted */
	__u64 zced_rejected;	/* registrations refused (nothing changed) */
	__u64 zced_shared_bytes; /* gauge: bytes the guest has registered */
	__u64 chains_dropped;	/* legal guest chains not served (too many
				 * separate buffers), returned unused */
	__u64 drop_guest_full;	/* frames dropped past the guest's UMEM share
				 * while it posted no RX buffers */
	/* Jumbo wire frames (XDP_USE_SG, lib/mtu.h). */
	__u64 rx_multibuf;	/* frames gathered from several UMEM frames */
	__u64 tx_multibuf;	/* frames sent as several descriptors */
	__u64 drop_rx_oversize;	/* multi-buffer frames over the bound, dropped */
	/* vhost-user control channel (a hostile front-end) */
	__u64 vhost_bad_messages; /* messages refused (size, fds, request) */
	__u64 vhost_mem_faults;	/* guest memory gone under us: front-end dropped */
	__u64 vhost_reply_stalls; /* replies the front-end did not take (its
				   * socket full): front-end dropped */
	/* Config reloads (SIGHUP) of the bifrost-host process serving the
	 * guest, on its queue 0: a count of that process, not of the guest. */
	__u64 reloads;		/* reloads attempted */
	__u64 reload_failures;	/* reloads refused (bad file: nothing changed)
				 * or that could not start a new or changed
				 * guest (one per reload) */
};

/*
 * What attach recorded (bf_info, one entry): the ABI of the maps, so that a
 * program of another version refuses them, and the kernel features the XDP
 * program was loaded with (lib/kernel_features.h), which `bifrostctl status`
 * and bifrost-host report. bifrostctl writes it; bifrost-host writes only
 * the state of its own feature, AF_XDP multi-buffer (BF_FEAT_XSK_SG), at
 * start (until then it is judged for 4096-byte UMEM frames). Its layout never changes: new things go into
 * pad space or into a new map, so every version can read every record (the
 * map's value size is checked before it is read).
 */
#define BF_INFO_SIZES		16
#define BF_INFO_FEATURES	8

/* Index of each struct's size in bf_info.sizes. */
enum bf_info_size {
	BF_SZ_GUEST, BF_SZ_POLICY, BF_SZ_GUEST_INFO, BF_SZ_CTL, BF_SZ_GUEST_STATS,
	BF_SZ_GLOBAL_STATS, BF_SZ_BACKEND_STATS, BF_SZ_ZCED_SHARED, BF_SZ_XDP_META,
	BF_SZ_COUNT
};

struct bf_info {
	__u32 magic;		/* BF_ABI_MAGIC once attach wrote it */
	__u32 abi_version;	/* BF_ABI_VERSION of the bifrostctl that attached */
	__u32 sizes[BF_INFO_SIZES];	/* bytes, by enum bf_info_size */
	__u8 feature_state[BF_INFO_FEATURES];	/* enum bf_feat_state */
	__s32 feature_err[BF_INFO_FEATURES];	/* errno of a failed probe */
	__u32 mtu;		/* wire MTU at attach (or the last reload) */
	__u32 pad[15];
};

/*
 * Packet classification, shared by the XDP program (metadata) and the
 * parser in bifrost_parse.h.
 */
#define BF_PF_VLAN		(1U << 0)
#define BF_PF_IPV4		(1U << 1)
#define BF_PF_IPV6		(1U << 2)
#define BF_PF_TCP		(1U << 3)
#define BF_PF_UDP		(1U << 4)
#define BF_PF_PAYLOAD		(1U << 5)	/* L4 payload length > 0 */
#define BF_PF_MERGEABLE		(1U << 6)	/* ACK(+PSH) data segment, GRO candidate */
#define BF_PF_FLUSH		(1U << 7)	/* SYN/FIN/RST/URG/CWR/ECE: flush flow */
#define BF_PF_FRAG		(1U << 8)	/* IP fragment (no L4 parsed) */
#define BF_PF_IPOPTS		(1U << 9)	/* IPv4 options or IPv6 ext headers */
#define BF_PF_L4		(1U << 10)	/* l4_off valid, ports in hash */

#define BF_META_MAGIC		0xb1f05e7aU

/* Written in front of the frame with bpf_xdp_adjust_meta(). */
struct bf_xdp_meta {
	__u32 magic;		/* BF_META_MAGIC */
	__u32 hash;		/* symmetric flow hash */
	__u32 guest_id;
	__u16 queue;		/* guest queue = hash % nqueues */
	__u16 flags;		/* BF_PF_* */
	__u16 l3_off;		/* from start of Ethernet header */
	__u16 l4_off;		/* 0 when !(flags & BF_PF_L4) */
	__u16 payload_off;	/* start of L4 payload */
	__u16 payload_len;	/* L4 payload bytes (by IP length) */
};

#endif /* BIFROST_ABI_H */
