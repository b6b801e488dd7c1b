/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kernel_features.h - the optional kernel features Bifrost uses, in one list.
 *
 * Each is found out by trying it on the running kernel (loading a tiny
 * program, binding a socket), never by version numbers or by libbpf's
 * helper probe: libbpf 1.1's libbpf_probe_bpf_helper() only knows the
 * verifier's older "unknown func" wording and calls a refused helper
 * supported. A feature that is off is an optimisation missing, never a
 * reason to refuse to attach; each off feature has one line saying why.
 *
 *   xdp_meta      bpf_xdp_adjust_meta(): the XDP program writes its parse
 *                 result in front of the frame (struct bf_xdp_meta); without
 *                 it bifrost-host re-parses (counted as no_meta).
 *   xdp_buff_len  bpf_xdp_get_buff_len() (Linux >= 5.18): the length of a
 *                 multi-buffer frame; without it the linear length is the
 *                 frame's (no frags before 5.18 either).
 *   xdp_frags     BPF_F_XDP_HAS_FRAGS (Linux >= 5.18): a frags-aware XDP
 *                 program, needed above BF_XDP_LINEAR_MTU (mtu.h).
 *   xsk_sg        XDP_USE_SG (Linux >= 6.6): AF_XDP frames spanning several
 *                 UMEM frames, needed when a wire frame exceeds one.
 */
#ifndef BIFROST_KERNEL_FEATURES_H
#define BIFROST_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bifrost_abi.h"

enum bf_feature {
	BF_FEAT_XDP_META,
	BF_FEAT_XDP_BUFF_LEN,
	BF_FEAT_XDP_FRAGS,
	BF_FEAT_XSK_SG,
	BF_FEAT_COUNT
};

/* Why a feature is on or off; stable numbers (kept in pinned maps). */
enum bf_feat_state {
	BF_FEAT_ON = 0,
	BF_FEAT_UNSUPPORTED = 1,	/* the kernel refused the probe */
	BF_FEAT_NOT_NEEDED = 2,		/* supported, unused at this MTU */
	BF_FEAT_DISABLED = 3,		/* turned off by the operator */
	BF_FEAT_PROBE_FAILED = 4,	/* could not be tried (err says why) */
};

/* The features of one attach: state per feature and what decided it. */
struct bf_features {
	uint8_t state[BF_FEAT_COUNT];	/* enum bf_feat_state */
	int err[BF_FEAT_COUNT];		/* errno of a failed probe, else 0 */
	int mtu;			/* wire MTU the needs were judged at */
};

/* "xdp_meta", ... (JSON keys, Prometheus labels, --without words). */
const char *bf_feature_key(enum bf_feature f);
/* "xdp metadata", ... (the text of status lines). */
const char *bf_feature_name(enum bf_feature f);
/* The feature of key, or -ENOENT. */
int bf_feature_by_key(const char *key);

/*
 * Tries feature f on the running kernel: 1 when it works, 0 when the kernel
 * refuses it, -errno when it cannot be tried (e.g. -EPERM without CAP_BPF).
 * Nothing stays loaded or bound.
 */
int bf_feature_probe(enum bf_feature f);

/*
 * Fills ft for a wire of mtu bytes served with UMEM frames of frame_size
 * bytes: each feature probed, then marked not needed (frags, SG) when the
 * MTU does not call for it, or disabled when its bit (1 << f) is set in
 * without. Features a probe could not try count as off.
 */
void bf_features_probe(struct bf_features *ft, int mtu, uint32_t frame_size,
		       unsigned int without);

static inline bool bf_feature_on(const struct bf_features *ft, enum bf_feature f)
{
	return ft->state[f] == BF_FEAT_ON;
}

/*
 * One line for feature f, no newline: "xdp metadata: on", or
 * "xdp metadata: off (this kernel refuses bpf_xdp_adjust_meta)".
 * Returns the length snprintf would have written.
 */
int bf_feature_describe(const struct bf_features *ft, enum bf_feature f,
			char *buf, size_t len);

/* The reason alone ("" when on), into buf; returns buf. */
const char *bf_feature_reason(const struct bf_features *ft, enum bf_feature f,
			      char *buf, size_t len);

/* ft into the feature fields of an ABI record (bf_info), and back. */
void bf_features_to_info(const struct bf_features *ft, struct bf_info *info);
void bf_features_from_info(struct bf_features *ft, const struct bf_info *info);

/* Features of the XDP program an operator may turn off (--without). */
#define BF_FEAT_WITHOUT_OK	((1U << BF_FEAT_XDP_META) | (1U << BF_FEAT_XDP_BUFF_LEN))

/* The mask (1 << f) of the features ft has turned off by the operator. */
unsigned int bf_features_disabled(const struct bf_features *ft);

/*
 * Parses a comma-separated list of feature keys ("xdp_meta,xdp_buff_len")
 * into *mask, adding to it. Only BF_FEAT_WITHOUT_OK features may be named.
 * 0, or -EINVAL with one line in err. Pure.
 */
int bf_features_parse_without(const char *list, unsigned int *mask, char *err, size_t errlen);

#endif /* BIFROST_KERNEL_FEATURES_H */
