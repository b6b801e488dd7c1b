// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.c - pin paths and the pinned maps of an interface (maps.h). */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "maps.h"

bool bf_ifname_valid(const char *name)
{
	size_t n = strnlen(name, IF_NAMESIZE);
	const char *p;

	if (!n || n >= IF_NAMESIZE || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
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

	snprintf(path, sizeof(path), "%s/%s/%s", BF_PIN_ROOT, ifname, BF_PIN_LINK);
	return access(path, F_OK) == 0;
}

bool bf_link_alive(const char *ifname)
{
	struct bpf_link_info li;
	__u32 len = sizeof(li);
	unsigned int ifindex = if_nametoindex(ifname);
	int fd = bf_pin_open(ifname, BF_PIN_LINK);
	bool alive;

	if (fd < 0)
		return false;
	memset(&li, 0, sizeof(li));
	alive = !bpf_obj_get_info_by_fd(fd, &li, &len) && li.type == BPF_LINK_TYPE_XDP &&
		ifindex && li.xdp.ifindex == ifindex;
	close(fd);
	return alive;
}

static const struct {
	const char *name;
	size_t off;
} map_pins[] = {
	{ BF_PIN_GUESTS, offsetof(struct bf_maps, guests) },
	{ BF_PIN_POLICY, offsetof(struct bf_maps, policy) },
	{ BF_PIN_GUEST_INFO, offsetof(struct bf_maps, guest_info) },
	{ BF_PIN_CTL, offsetof(struct bf_maps, ctl) },
	{ BF_PIN_XSKS, offsetof(struct bf_maps, xsks) },
	{ BF_PIN_GSTATS, offsetof(struct bf_maps, gstats) },
	{ BF_PIN_STATS, offsetof(struct bf_maps, stats) },
	{ BF_PIN_BACKEND, offsetof(struct bf_maps, backend) },
	{ BF_PIN_ZCED_SHARED, offsetof(struct bf_maps, zced_shared) },
	{ BF_PIN_INFO, offsetof(struct bf_maps, info) },
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

static const struct {
	const char *name;
	__u32 size;
} abi_sizes[BF_SZ_COUNT] = {
	[BF_SZ_GUEST] = { "bf_guest", sizeof(struct bf_guest) },
	[BF_SZ_POLICY] = { "bf_policy", sizeof(struct bf_policy) },
	[BF_SZ_GUEST_INFO] = { "bf_guest_info", sizeof(struct bf_guest_info) },
	[BF_SZ_CTL] = { "bf_ctl", sizeof(struct bf_ctl) },
	[BF_SZ_GUEST_STATS] = { "bf_guest_stats", sizeof(struct bf_guest_stats) },
	[BF_SZ_GLOBAL_STATS] = { "bf_global_stats", sizeof(struct bf_global_stats) },
	[BF_SZ_BACKEND_STATS] = { "bf_backend_stats", sizeof(struct bf_backend_stats) },
	[BF_SZ_ZCED_SHARED] = { "bf_zced_shared", sizeof(struct bf_zced_shared) },
	[BF_SZ_XDP_META] = { "bf_xdp_meta", sizeof(struct bf_xdp_meta) },
};

void bf_info_init(struct bf_info *info)
{
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->magic = BF_ABI_MAGIC;
	info->abi_version = BF_ABI_VERSION;
	for (i = 0; i < BF_SZ_COUNT; i++)
		info->sizes[i] = abi_sizes[i].size;
}

int bf_info_read(int fd, struct bf_info *info)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi), zero = 0;

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -errno;
	if (mi.value_size != sizeof(*info) || mi.key_size != sizeof(zero))
		return -EPROTO;
	if (bpf_map_lookup_elem(fd, &zero, info))
		return -errno;
	return 0;
}

int bf_abi_compare(const char *ifname, const struct bf_info *info, char *err, size_t errlen)
{
	unsigned int i;

	if (info->magic != BF_ABI_MAGIC) {
		snprintf(err, errlen, "%s: the pinned maps have no ABI record (attach did not "
			 "finish, or a Bifrost of map ABI 1 attached them); this build has map "
			 "ABI %u: run 'bifrostctl detach %s' and attach again", ifname,
			 BF_ABI_VERSION, ifname);
		return -EPROTO;
	}
	if (info->abi_version != BF_ABI_VERSION) {
		snprintf(err, errlen, "%s: the pinned maps have map ABI %u, this build has map "
			 "ABI %u: use the Bifrost that attached them, or detach and attach "
			 "with this one", ifname, info->abi_version, BF_ABI_VERSION);
		return -EPROTO;
	}
	for (i = 0; i < BF_SZ_COUNT; i++) {
		if (info->sizes[i] == abi_sizes[i].size)
			continue;
		snprintf(err, errlen, "%s: the pinned maps have map ABI %u with struct %s of "
			 "%u bytes, this build has map ABI %u with %u bytes: detach and attach "
			 "with this build", ifname, info->abi_version, abi_sizes[i].name,
			 info->sizes[i], BF_ABI_VERSION, abi_sizes[i].size);
		return -EPROTO;
	}
	return 0;
}

/* 0 when ifname's bf_info says this build's ABI, else -EPROTO (err set). */
static int abi_check(const char *ifname, int info_fd, char *err, size_t errlen)
{
	struct bf_info info;
	int ret = info_fd < 0 ? info_fd : bf_info_read(info_fd, &info);

	if (ret == -ENOENT || ret == -EPROTO)
		memset(&info, 0, sizeof(info));	/* no record of this layout */
	else if (ret) {
		snprintf(err, errlen, "%s: cannot read the ABI record: %s", ifname, strerror(-ret));
		return ret;
	}
	return bf_abi_compare(ifname, &info, err, errlen);
}

int bf_maps_open(const char *ifname, struct bf_maps *m)
{
	unsigned int i;
	char err[64];
	int fd, ret;

	for (i = 0; i < N_MAP_PINS; i++)
		*map_fd(m, i) = -1;
	for (i = 0; i < N_MAP_PINS; i++) {
		fd = bf_pin_open(ifname, map_pins[i].name);
		if (fd == -ENOENT && !strcmp(map_pins[i].name, BF_PIN_INFO))
			break;	/* maps of before the record: refused below */
		if (fd < 0) {
			bf_maps_close(m);
			return fd;
		}
		*map_fd(m, i) = fd;
	}
	ret = abi_check(ifname, m->info >= 0 ? m->info : -ENOENT, err, sizeof(err));
	if (ret) {
		bf_maps_close(m);
		return ret;
	}
	return 0;
}

void bf_maps_strerror(const char *ifname, int err, char *buf, size_t len)
{
	int fd;

	if (err != -EPROTO) {
		snprintf(buf, len, "%s: %s", ifname, strerror(-err));
		return;
	}
	fd = bf_pin_open(ifname, BF_PIN_INFO);
	if (!abi_check(ifname, fd, buf, len))
		snprintf(buf, len, "%s: %s", ifname, strerror(-err));
	if (fd >= 0)
		close(fd);
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
