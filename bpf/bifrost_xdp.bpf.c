// SPDX-License-Identifier: GPL-2.0-only
/*
 * bifrost_xdp - classify every frame on the NIC; hand frames addressed to a
 * guest to that guest's AF_XDP socket with Bifrost metadata in front, pass
 * everything else to the host stack. All maps are pinned by name under
 * /sys/fs/bpf/bifrost/<ifname>/ (bifrostctl sets the pin root).
 *
 * Frags-safe: bifrostctl loads it with BPF_F_XDP_HAS_FRAGS when the wire
 * MTU needs multi-buffer frames (lib/mtu.h). Headers are read from the
 * linear part only (data..data_end); lengths count the whole frame.
 *
 * Optional kernel features are load-time constants (.rodata, set by
 * bifrostctl from what the running kernel accepts, lib/kernel_features.h): a path
 * whose constant is false is dead code the verifier never walks, so the
 * object loads on a kernel that refuses the helper it would call.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bifrost_abi.h"
#include "bifrost_parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_MAX_GUESTS);
	__type(key, struct bf_mac_key);
	__type(value, struct bf_guest);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_guests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_MAX_GUESTS);
	__type(key, __u32);
	__type(value, struct bf_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_MAX_GUESTS);
	__type(key, __u32);
	__type(value, struct bf_guest_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_guest_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, BF_XSK_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BF_MAX_GUESTS);
	__type(key, __u32);
	__type(value, struct bf_guest_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_gstats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_global_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_XSK_SLOTS);
	__type(key, __u32);
	__type(value, struct bf_backend_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_backend SEC(".maps");

/* Written by bifrost-host only (see struct bf_zced_shared). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_MAX_GUESTS);
	__type(key, __u32);
	__type(value, struct bf_zced_shared);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_zced_shared SEC(".maps");

/* Written by bifrostctl (and bifrost-host: see struct bf_info). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bf_info SEC(".maps");

/* Load-time constants (lib/kernel_features.h); the defaults are the safe ones. */
const volatile bool bf_cfg_xdp_meta = false;	/* bpf_xdp_adjust_meta() */
const volatile bool bf_cfg_buff_len = false;	/* bpf_xdp_get_buff_len() */

/* Length of the whole frame (linear part + frags) in bytes. */
static __always_inline __u64 frame_len(struct xdp_md *ctx)
{
	if (bf_cfg_buff_len)
		return bpf_xdp_get_buff_len(ctx);
	/* A kernel without the helper (< 5.18) has no XDP frags either. */
	return ctx->data_end - ctx->data;
}

/*
 * Writes the parse result in front of the frame for bifrost-host.
 * Returns 0 when written, 1 when the frame goes without it (the kernel or
 * driver gives no metadata room: the backend re-parses), -1 on failure.
 */
static __always_inline int stamp_meta(struct xdp_md *ctx, const struct bf_parsed *p,
				      __u32 gid, __u32 q)
{
	struct bf_xdp_meta *meta;
	void *data;

	if (!bf_cfg_xdp_meta)
		return 1;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return 1;	/* e.g. -ENOTSUPP: the driver has no room */
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return -1;
	meta->magic = BF_META_MAGIC;
	meta->hash = p->hash;
	meta->guest_id = gid;
	meta->queue = q;
	meta->flags = p->flags;
	meta->l3_off = p->l3_off;
	meta->l4_off = p->l4_off;
	meta->payload_off = p->payload_off;
	meta->payload_len = p->payload_len;
	return 0;
}

static __always_inline int guest_drop(struct bf_guest_stats *gs, int parse_error)
{
	gs->dropped++;
	if (parse_error)
		gs->parse_errors++;
	return XDP_DROP;
}

/* The guest queue of a frame: its flow hash over the guest's queues. */
static __always_inline __u32 pick_queue(const struct bf_guest *g, const struct bf_parsed *p)
{
	__u32 q = g->nqueues ? p->hash % g->nqueues : 0;

	return q < BF_MAX_QUEUES ? q : 0;
}

SEC("xdp")
int bifrost_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = frame_len(ctx);
	struct bf_global_stats *st;
	struct bf_guest_stats *gs;
	struct bf_mac_key key = {};
	struct bf_guest *g;
	struct bf_parsed p;
	__u32 zero = 0, gid, q, slot;
	int ret;

	st = bpf_map_lookup_elem(&bf_stats, &zero);
	if (!st)
		return XDP_PASS;
	st->rx_packets++;
	st->rx_bytes += len;

	if (data + 14 > data_end) {
		st->malformed++;
		return XDP_PASS;	/* the host stack drops runts itself */
	}
	__builtin_memcpy(key.addr, data, 6);
	g = bpf_map_lookup_elem(&bf_guests, &key);
	if (!g || !(g->flags & BF_GUEST_F_ENABLED)) {
		st->nonguest_passed++;
		return XDP_PASS;
	}
	gid = g->guest_id;
	gs = bpf_map_lookup_elem(&bf_gstats, &gid);
	if (!gs)
		return XDP_PASS;	/* guest id out of range: not ours */
	gs->rx_packets++;
	gs->rx_bytes += len;

	if (bf_parse_frame_len(data, data_end, len, &p) < 0)
		return guest_drop(gs, 1);

	q = pick_queue(g, &p);
	slot = BF_XSK_SLOT(gid, q);
	if (!bpf_map_lookup_elem(&bf_xsks, &slot)) {
		gs->passed++;
		return XDP_PASS;
	}

	ret = stamp_meta(ctx, &p, gid, q);
	if (ret < 0)
		return guest_drop(gs, 0);
	if (ret > 0)
		gs->no_meta++;	/* the backend re-parses such frames */

	if (bpf_redirect_map(&bf_xsks, slot, XDP_PASS) != XDP_REDIRECT) {
		gs->passed++;
		return XDP_PASS;
	}
	gs->redirected++;
	return XDP_REDIRECT;
}

char LICENSE[] SEC("license") = "GPL";
