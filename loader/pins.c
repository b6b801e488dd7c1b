// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pins.c - the bpffs mount bifrostctl pins under (pinned maps: lib/maps.c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include "bfctl.h"
#include "log.h"

#define BPF_FS_MAGIC_NR 0xcafe4a11

int bf_ensure_bpffs(void)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC_NR)
		return 0;
	if (mkdir("/sys/fs/bpf", 0755) && errno != EEXIST)
		return -errno;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}
