// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* kernel_features.c - probes of the optional kernel features (see
 * kernel_features.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "kernel_features.h"
#include "mtu.h"

#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS	(1U << 5)	/* Linux 5.18 uapi/linux/bpf.h */
#endif

struct feature_desc {
	const char *key;
	const char *name;
	const char *refused;	/* why it is off when the kernel refuses it */
};

static const struct feature_desc features[BF_FEAT_COUNT] = {
	[BF_FEAT_XDP_META] = { "xdp_meta", "xdp metadata",
			       "this kernel refuses bpf_xdp_adjust_meta" },
	[BF_FEAT_XDP_BUFF_LEN] = { "xdp_buff_len", "xdp frame length helper",
				   "this kernel has no bpf_xdp_get_buff_len (Linux < 5.18)" },
	[BF_FEAT_XDP_FRAGS] = { "xdp_frags", "xdp frags",
				"this kernel refuses BPF_F_XDP_HAS_FRAGS (Linux < 5.18)" },
	[BF_FEAT_XSK_SG] = { "xsk_sg", "af_xdp multi-buffer",
			     "this kernel has no XDP_USE_SG (Linux < 6.6)" },
};

const char *bf_feature_key(enum bf_feature f)
{
	return (unsigned int)f < BF_FEAT_COUNT ? features[f].key : "?";
}

const char *bf_feature_name(enum bf_feature f)
{
	return (unsigned int)f < BF_FEAT_COUNT ? features[f].name : "?";
}

int bf_feature_by_key(const char *key)
{
	int f;

	for (f = 0; f < BF_FEAT_COUNT; f++)
		if (!strcmp(key, features[f].key))
			return f;
	return -ENOENT;
}

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define CALL(fn)	INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/*
 * Loads an XDP program of n instructions with prog_flags: 1 when the kernel
 * takes it, 0 when the verifier or the flag check refuses it (EINVAL),
 * -errno otherwise.
 */
static int try_xdp_prog(const struct bpf_insn *insns, size_t n, __u32 prog_flags)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = prog_flags);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bf_probe", "GPL", insns, n, &opts);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EINVAL ? 0 : -errno;
}

int bf_feature_probe(enum bf_feature f)
{
	/* r1 = ctx at entry; each returns XDP_PASS. */
	const struct bpf_insn meta[] = {
		MOV64_IMM(BPF_REG_2, -8), CALL(BPF_FUNC_xdp_adjust_meta),
		MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT(),
	};
	const struct bpf_insn buff_len[] = {
		CALL(BPF_FUNC_xdp_get_buff_len), MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT(),
	};
	const struct bpf_insn pass[] = { MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT() };
	int ret;

	switch (f) {
	case BF_FEAT_XDP_META:
		return try_xdp_prog(meta, 4, 0);
	case BF_FEAT_XDP_BUFF_LEN:
		return try_xdp_prog(buff_len, 3, 0);
	case BF_FEAT_XDP_FRAGS:
		return try_xdp_prog(pass, 2, BPF_F_XDP_HAS_FRAGS);
	case BF_FEAT_XSK_SG:
		ret = bf_probe_xsk_sg();
		return ret == 0 ? 1 : ret == -EOPNOTSUPP ? 0 : ret;
	default:
		return -EINVAL;
	}
}

static bool feature_needed(enum bf_feature f, int mtu, uint32_t frame_size)
{
	if (f == BF_FEAT_XDP_FRAGS)
		return bf_mtu_needs_frags(mtu);
	if (f == BF_FEAT_XSK_SG)
		return bf_mtu_needs_sg(mtu, frame_size);
	return true;
}

void bf_features_probe(struct bf_features *ft, int mtu, uint32_t frame_size,
		       unsigned int without)
{
	int f, ret;

	memset(ft, 0, sizeof(*ft));
	ft->mtu = mtu;
	for (f = 0; f < BF_FEAT_COUNT; f++) {
		ret = bf_feature_probe(f);
		if (ret < 0) {
			ft->state[f] = BF_FEAT_PROBE_FAILED;
			ft->err[f] = -ret;
		} else if (ret == 0) {
			ft->state[f] = BF_FEAT_UNSUPPORTED;
		} else if (without & (1U << f)) {
			ft->state[f] = BF_FEAT_DISABLED;
		} else if (!feature_needed(f, mtu, frame_size)) {
			ft->state[f] = BF_FEAT_NOT_NEEDED;
		} else {
			ft->state[f] = BF_FEAT_ON;
		}
	}
}

const char *bf_feature_reason(const struct bf_features *ft, enum bf_feature f,
			      char *buf, size_t len)
{
	if ((unsigned int)f >= BF_FEAT_COUNT) {
		snprintf(buf, len, "unknown feature");
		return buf;
	}
	switch (ft->state[f]) {
	case BF_FEAT_ON:
		snprintf(buf, len, "%s", "");
		break;
	case BF_FEAT_UNSUPPORTED:
		snprintf(buf, len, "%s", features[f].refused);
		break;
	case BF_FEAT_NOT_NEEDED:
		snprintf(buf, len, "not needed at MTU %d", ft->mtu);
		break;
	case BF_FEAT_DISABLED:
		snprintf(buf, len, "turned off with --without %s", features[f].key);
		break;
	case BF_FEAT_PROBE_FAILED:
		if (ft->err[f])
			snprintf(buf, len, "could not be tried: %s", strerror(ft->err[f]));
		else
			snprintf(buf, len, "could not be tried");
		break;
	default:
		snprintf(buf, len, "unknown state %u", ft->state[f]);
		break;
	}
	return buf;
}

int bf_feature_describe(const struct bf_features *ft, enum bf_feature f,
			char *buf, size_t len)
{
	char why[128];

	if (bf_feature_on(ft, f))
		return snprintf(buf, len, "%s: on", bf_feature_name(f));
	return snprintf(buf, len, "%s: off (%s)", bf_feature_name(f),
			bf_feature_reason(ft, f, why, sizeof(why)));
}

_Static_assert(BF_FEAT_COUNT <= BF_INFO_FEATURES, "bf_info has room for every feature");

void bf_features_to_info(const struct bf_features *ft, struct bf_info *info)
{
	int f;

	for (f = 0; f < BF_FEAT_COUNT; f++) {
		info->feature_state[f] = ft->state[f];
		info->feature_err[f] = ft->err[f];
	}
	info->mtu = ft->mtu > 0 ? (uint32_t)ft->mtu : 0;
}

void bf_features_from_info(struct bf_features *ft, const struct bf_info *info)
{
	int f;

	memset(ft, 0, sizeof(*ft));
	for (f = 0; f < BF_FEAT_COUNT; f++) {
		ft->state[f] = info->feature_state[f];
		ft->err[f] = info->feature_err[f];
	}
	ft->mtu = (int)info->mtu;
}

unsigned int bf_features_disabled(const struct bf_features *ft)
{
	unsigned int mask = 0;
	int f;

	for (f = 0; f < BF_FEAT_COUNT; f++)
		if (ft->state[f] == BF_FEAT_DISABLED)
			mask |= 1U << f;
	return mask;
}

int bf_features_parse_without(const char *list, unsigned int *mask, char *err, size_t errlen)
{
	char word[32];
	const char *p = list, *end;
	size_t n;
	int f;

	do {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		f = -1;
		if (memchr(p, '\n', n) || memchr(p, '\r', n)) {
			snprintf(err, errlen, "--without takes xdp_meta and/or xdp_buff_len, "
				 "not a word with a line break");
			return -EINVAL;
		}
		if (n && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			f = bf_feature_by_key(word);
		}
		if (!n) {
			snprintf(err, errlen, "--without: empty feature name in '%.64s'", list);
			return -EINVAL;
		}
		if (f < 0 || !(BF_FEAT_WITHOUT_OK & (1U << f))) {
			snprintf(err, errlen, "--without takes xdp_meta and/or xdp_buff_len, "
				 "not '%.*s'", (int)(n < 64 ? n : 64), p);
			return -EINVAL;
		}
		*mask |= 1U << f;
		p = end ? end + 1 : NULL;
	} while (p);
	return 0;
}
