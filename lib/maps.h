/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h - the pinned maps bifrostctl creates and both programs open:
 * BF_PIN_ROOT/<ifname>/<pin name>, names from bifrost_abi.h.
 */
#ifndef BIFROST_MAPS_H
#define BIFROST_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include "bifrost_abi.h"

/*
 * Whether name can be a network interface's name (the kernel's
 * dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or white
 * space), and so a safe last component of a pin path. Pure.
 */
bool bf_ifname_valid(const char *name);
/* Pin directory of an interface: BF_PIN_ROOT/<ifname>. */
void bf_pin_dir(const char *ifname, char *buf, size_t len);
/* fd of a pinned object BF_PIN_ROOT/<ifname>/<name>, or -errno. */
int bf_pin_open(const char *ifname, const char *name);
/* Whether ifname has a pinned link (bifrostctl attach ran). */
bool bf_is_attached(const char *ifname);
/*
 * Whether ifname's pinned XDP link still holds the interface of that name
 * now: false when the interface it was attached to went away (the kernel
 * detached the program; a new interface may have the name since), which
 * leaves only pins behind. Also false when there is no pinned link.
 */
bool bf_link_alive(const char *ifname);

/* Fds of the pinned maps bifrostctl and the backend use. */
struct bf_maps {
	int guests, policy, guest_info, ctl, xsks, gstats, stats, backend, zced_shared, info;
};
/* Name of the i-th pinned map, NULL past the last. */
const char *bf_map_pin_name(unsigned int i);
/*
 * All of ifname's maps, or -errno with none open: -ENOENT when not attached,
 * -EPROTO when the maps' ABI record (bf_info) is missing or differs from
 * this build's (bf_maps_strerror says which versions).
 */
int bf_maps_open(const char *ifname, struct bf_maps *m);
void bf_maps_close(struct bf_maps *m);
/* One line for an error of bf_maps_open on ifname (the ABI line for -EPROTO). */
void bf_maps_strerror(const char *ifname, int err, char *buf, size_t len);

/* This build's ABI record: magic, BF_ABI_VERSION, struct sizes; no features. */
void bf_info_init(struct bf_info *info);
/*
 * Reads the record of a bf_info map fd into info after checking the map's
 * value size: 0, -EPROTO for a map of another layout, or -errno.
 */
int bf_info_read(int fd, struct bf_info *info);
/*
 * Whether a record read from the maps is this build's ABI: 0, or -EPROTO
 * with one line in err naming the interface and both versions (and the
 * first struct whose size differs when the versions agree). Pure.
 */
int bf_abi_compare(const char *ifname, const struct bf_info *info, char *err, size_t errlen);

#endif /* BIFROST_MAPS_H */
