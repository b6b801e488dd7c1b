// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pins.c - bpffs mount, pin paths and pinned map access. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
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

int bf_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bf_vlog(BF_LOG_ERR, fmt, ap);
	va_end(ap);
	return code;
}

void bf_pin_dir(const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", BF_PIN_ROOT, ifname);
}

int bf_pin_open(const char *ifname, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", BF_PIN_ROOT, ifname, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

bool bf_is_attached(const char *ifname)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/link", BF_PIN_ROOT, ifname);
	return access(path, F_OK) == 0;
}

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

static const struct {
	const char *name;
	size_t off;
} map_pins[] = {
	{ "bf_guests", offsetof(struct bf_maps, guests) },
	{ "bf_policy", offsetof(struct bf_maps, policy) },
	{ "bf_guest_info", offsetof(struct bf_maps, guest_info) },
	{ "bf_ctl", offsetof(struct bf_maps, ctl) },
	{ "bf_xsks", offsetof(struct bf_maps, xsks) },
	{ "bf_gstats", offsetof(struct bf_maps, gstats) },
	{ "bf_stats", offsetof(struct bf_maps, stats) },
	{ "bf_backend", offsetof(struct bf_maps, backend) },
	{ "bf_zced_shared", offsetof(struct bf_maps, zced_shared) },
};

#define N_MAP_PINS (sizeof(map_pins) / sizeof(map_pins[0]))

static int *map_fd(struct bf_maps *m, unsigned int i)
{
	return (int *)((char *)m + map_pins[i].off);
}

const char *bf_map_pin_name(unsigned int i)
{
	return i < N_MAP_PINS ? map_pins[i].name : NULL;
}

int bf_maps_open(const char *ifname, struct bf_maps *m)
{
	unsigned int i;
	int fd;

	for (i = 0; i < N_MAP_PINS; i++)
		*map_fd(m, i) = -1;
	for (i = 0; i < N_MAP_PINS; i++) {
		fd = bf_pin_open(ifname, map_pins[i].name);
		if (fd < 0) {
			bf_maps_close(m);
			return fd;
		}
		*map_fd(m, i) = fd;
	}
	return 0;
}

void bf_maps_close(struct bf_maps *m)
{
	unsigned int i;

	for (i = 0; i < N_MAP_PINS; i++) {
		if (*map_fd(m, i) >= 0)
			close(*map_fd(m, i));
		*map_fd(m, i) = -1;
	}
}
