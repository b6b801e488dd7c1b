/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mtu.h - what the wire interface's MTU asks of the kernel, and whether
 * Bifrost can serve it. Shared by bifrostctl (attach/reload) and
 * bifrost-host (worker start), so both refuse the same MTUs with the same
 * line.
 *
 * A frame of MTU m is at most m + BF_L2_MAX_HDR bytes on the wire.
 *  - XDP: above BF_XDP_LINEAR_MTU a driver may need a frags-aware program
 *    (BPF_F_XDP_HAS_FRAGS, Linux >= 5.18): veth refuses a program without
 *    it with ERANGE once a frame no longer fits one page.
 *  - AF_XDP: a UMEM frame of frame_size bytes holds frame_size -
 *    XDP_PACKET_HEADROOM (256) bytes of a received frame (copy mode); a
 *    larger frame needs a socket bound with XDP_USE_SG (Linux >= 6.6), which
 *    splits it over several frames (XDP_PKT_CONTD, af_xdp.rst "Multi-Buffer
 *    Support").
 *  - Bifrost itself gathers and sends frames up to BF_MAX_WIRE_MTU.
 */
#ifndef BIFROST_MTU_H
#define BIFROST_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_MAX_WIRE_MTU		9216	/* common jumbo limit of NICs */
#define BF_L2_MAX_HDR		22	/* Ethernet + two VLAN tags */
#define BF_MAX_WIRE_FRAME	(BF_MAX_WIRE_MTU + BF_L2_MAX_HDR)
/* Largest MTU the XDP program is loaded for without frags support: below
 * the single-page limits of veth (3506) and common drivers, so up to here
 * the program is exactly the one of a 1500-byte wire. */
#define BF_XDP_LINEAR_MTU	3000
#define BF_XSK_RX_HEADROOM	256	/* XDP_PACKET_HEADROOM */
#define BF_DEFAULT_FRAME_SIZE	4096	/* bifrost-host's default UMEM frame */

/* MTU of ifname in bytes, or -errno. */
int bf_if_mtu(const char *ifname);

/* True when the XDP program must be frags-aware for this MTU. */
static inline bool bf_mtu_needs_frags(int mtu)
{
	return mtu > BF_XDP_LINEAR_MTU;
}

/* Largest MTU whose frames fit one AF_XDP UMEM frame of frame_size bytes. */
static inline int bf_mtu_single_frame(uint32_t frame_size)
{
	return (int)frame_size - BF_XSK_RX_HEADROOM - BF_L2_MAX_HDR;
}

/*
 * Largest MTU served without multi-buffer AF_XDP: a frame must fit one UMEM
 * frame, and the XDP program must be linear. Above BF_XDP_LINEAR_MTU a
 * driver may hand XDP a frame in frags (veth does above ~3500), and before
 * XDP_USE_SG an AF_XDP socket takes only the linear part of such a frame
 * (seen on Linux 6.1: a TCP stream at MTU 3818 moved no byte).
 */
static inline int bf_mtu_max_without_sg(uint32_t frame_size)
{
	int single = bf_mtu_single_frame(frame_size);

	return single < BF_XDP_LINEAR_MTU ? single : BF_XDP_LINEAR_MTU;
}

/* True when AF_XDP sockets need XDP_USE_SG for this MTU and frame size. */
static inline bool bf_mtu_needs_sg(int mtu, uint32_t frame_size)
{
	return mtu > bf_mtu_max_without_sg(frame_size);
}

/*
 * Whether the running kernel knows XDP_USE_SG (Linux >= 6.6): binds an
 * unbound AF_XDP socket with that flag to ifindex 0. A kernel that knows
 * the flag gets past the flag check and fails with ENODEV; an older one
 * rejects the flag with EINVAL. Nothing is bound. Returns 0 (supported),
 * -EOPNOTSUPP (not), or -errno when no AF_XDP socket can be made.
 */
int bf_probe_xsk_sg(void);

/*
 * Can Bifrost serve ifname at this MTU with UMEM frames of frame_size
 * bytes? 0 if so; otherwise -ERANGE (above BF_MAX_WIRE_MTU) or
 * -EOPNOTSUPP (the kernel has no multi-buffer AF_XDP) with one line in
 * err naming the interface, the MTU and the limit.
 */
int bf_mtu_check(const char *ifname, int mtu, uint32_t frame_size,
		 char *err, size_t errlen);

#endif /* BIFROST_MTU_H */
