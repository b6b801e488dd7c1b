/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * bifrost_zced_wire.h - the in-band ZCED pool registration, guest -> backend.
 * Shared by the guest module (kernel) and bifrost-host (user space): it
 * uses only <linux/types.h>.
 *
 * On SEV-SNP/TDX the guest makes its ZCED pool reachable by converting the
 * pages to shared (set_memory_decrypted). The emulated CVM has no such
 * hardware, so the guest tells the backend in band which guest-physical
 * ranges it has shared, and bifrost-host --cvm then accepts buffers there
 * (in addition to the operator's static --cvm ranges).
 *
 * The message is one frame on the virtio-net TX queue:
 *   14-byte Ethernet header, ethertype BF_ZCED_ETH_P, no VLAN tag
 *   struct bf_zced_msg (8 bytes) + count * struct bf_zced_range (16 bytes)
 * All fields are big-endian. The frame may be padded (e.g. to 60 bytes);
 * bytes after the last range are ignored. The payload starts at offset 14,
 * so a reader must not cast the frame to these structs: copy them out.
 *
 * The backend consumes every frame with this ethertype (never forwards it
 * to the wire) and rejects the whole message, changing nothing, unless:
 *   - the frame holds the header and all count ranges;
 *   - magic == BF_ZCED_MAGIC and version == BF_ZCED_VERSION;
 *   - op is BF_ZCED_OP_SHARE, or BF_ZCED_OP_UNSHARE with count == 0;
 *   - count <= BF_ZCED_MAX_RANGES;
 *   - every range has gpa and len multiples of BF_ZCED_PAGE, len > 0,
 *     gpa + len does not overflow, and lies entirely inside one region of
 *     the guest memory table the backend was given.
 * A valid SHARE replaces the whole dynamic set (a SHARE with count 0
 * empties it); a valid UNSHARE empties it. The backend also forgets the set
 * on a new vhost-user session, memory table or device reset: the guest
 * announces its pool again after every link up.
 */
#ifndef _BIFROST_ZCED_WIRE_H
#define _BIFROST_ZCED_WIRE_H

#include <linux/types.h>

#define BF_ZCED_ETH_P		0x88B5	/* IEEE 802 local experimental ethertype 1 */
#define BF_ZCED_MAGIC		0x42465a43	/* "BFZC" */
#define BF_ZCED_VERSION		1
#define BF_ZCED_OP_SHARE	1	/* the guest's dynamic shared set is exactly these ranges */
#define BF_ZCED_OP_UNSHARE	2	/* nothing shared any more (count must be 0) */
#define BF_ZCED_MAX_RANGES	32
#define BF_ZCED_PAGE		4096

struct bf_zced_range {
	__be64 gpa;
	__be64 len;
};

struct bf_zced_msg {
	__be32 magic;
	__u8 version;
	__u8 op;
	__be16 count;
	struct bf_zced_range r[];
};

#endif /* _BIFROST_ZCED_WIRE_H */
