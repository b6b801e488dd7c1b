// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.c - pin paths and the pinned maps of an interface (maps.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "maps.h"

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
