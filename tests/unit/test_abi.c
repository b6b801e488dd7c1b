// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for the maps' ABI record (lib/maps.c: bf_info_init,
 * bf_abi_compare) and the feature fields it carries
 * (lib/kernel_features.c): a record of this build is accepted, one of
 * another version, of other struct sizes or without magic is refused with
 * one line naming both versions; features survive the record. */
#include <errno.h>
#include <string.h>
#include "kernel_features.h"
#include "maps.h"
#include "unit.h"

static char err[512];

static void versions(void)
{
	struct bf_info info;

	bf_info_init(&info);
	CHECK_EQ("this build's record accepted", bf_abi_compare("eth0", &info, err, sizeof(err)), 0);
	CHECK_EQ("record sizes bf_backend_stats", info.sizes[BF_SZ_BACKEND_STATS],
		 sizeof(struct bf_backend_stats));

	info.abi_version = BF_ABI_VERSION + 1;
	CHECK_EQ("newer version refused", bf_abi_compare("eth0", &info, err, sizeof(err)), -EPROTO);
	CHECK("names both versions", strstr(err, "eth0: the pinned maps have map ABI 3, "
					     "this build has map ABI 2") != NULL);

	bf_info_init(&info);
	info.sizes[BF_SZ_BACKEND_STATS] -= 8;	/* an older struct, same number */
	CHECK_EQ("other struct size refused", bf_abi_compare("eth0", &info, err, sizeof(err)),
		 -EPROTO);
	CHECK("names the struct", strstr(err, "struct bf_backend_stats of") != NULL);

	memset(&info, 0, sizeof(info));
	CHECK_EQ("no record refused", bf_abi_compare("eth0", &info, err, sizeof(err)), -EPROTO);
	CHECK("no record: says ABI 1 and this one",
	      strstr(err, "map ABI 1") && strstr(err, "this build has map ABI 2"));
	CHECK_EQ("record layout fixed", sizeof(struct bf_info), 176);
}

static void features_in_record(void)
{
	struct bf_features ft, back;
	struct bf_info info;
	char line[256];

	memset(&ft, 0, sizeof(ft));
	ft.state[BF_FEAT_XDP_META] = BF_FEAT_UNSUPPORTED;
	ft.state[BF_FEAT_XDP_BUFF_LEN] = BF_FEAT_DISABLED;
	ft.state[BF_FEAT_XDP_FRAGS] = BF_FEAT_NOT_NEEDED;
	ft.state[BF_FEAT_XSK_SG] = BF_FEAT_PROBE_FAILED;
	ft.err[BF_FEAT_XSK_SG] = EPERM;
	ft.mtu = 1500;
	bf_info_init(&info);
	bf_features_to_info(&ft, &info);
	bf_features_from_info(&back, &info);
	CHECK("features survive the record", !memcmp(&ft, &back, sizeof(ft)));
	CHECK_EQ("disabled mask", bf_features_disabled(&back), 1U << BF_FEAT_XDP_BUFF_LEN);

	bf_feature_describe(&back, BF_FEAT_XDP_META, line, sizeof(line));
	CHECK("refused line", !strcmp(line, "xdp metadata: off (this kernel refuses "
				       "bpf_xdp_adjust_meta)"));
	bf_feature_describe(&back, BF_FEAT_XDP_BUFF_LEN, line, sizeof(line));
	CHECK("disabled line", !strcmp(line, "xdp frame length helper: off (turned off with "
				       "--without xdp_buff_len)"));
	bf_feature_describe(&back, BF_FEAT_XDP_FRAGS, line, sizeof(line));
	CHECK("not needed line", !strcmp(line, "xdp frags: off (not needed at MTU 1500)"));
	bf_feature_describe(&back, BF_FEAT_XSK_SG, line, sizeof(line));
	CHECK("probe failed line", strstr(line, "af_xdp multi-buffer: off (could not be tried: ") != NULL);
	back.err[BF_FEAT_XSK_SG] = 0;
	bf_feature_describe(&back, BF_FEAT_XSK_SG, line, sizeof(line));
	CHECK("probe failed, no errno", !strcmp(line, "af_xdp multi-buffer: off (could not be tried)"));
	back.state[BF_FEAT_XDP_META] = BF_FEAT_ON;
	bf_feature_describe(&back, BF_FEAT_XDP_META, line, sizeof(line));
	CHECK("on line", !strcmp(line, "xdp metadata: on"));
	CHECK_EQ("keys", bf_feature_by_key("xsk_sg"), BF_FEAT_XSK_SG);
	CHECK_EQ("unknown key", bf_feature_by_key("xsk"), -ENOENT);
}

int main(void)
{
	versions();
	features_in_record();
	UNIT_EXIT();
}
