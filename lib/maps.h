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

/* Pin directory of an interface: BF_PIN_ROOT/<ifname>. */
void bf_pin_dir(const char *ifname, char *buf, size_t len);
/* fd of a pinned object BF_PIN_ROOT/<ifname>/<name>, or -errno. */
int bf_pin_open(const char *ifname, const char *name);
/* Whether ifname has a pinned link (bifrostctl attach ran). */
bool bf_is_attached(const char *ifname);

/* Fds of the pinned maps bifrostctl and the backend use. */
struct bf_maps {
	int guests, policy, guest_info, ctl, xsks, gstats, stats, backend, zced_shared;
};
/* Name of the i-th pinned map, NULL past the last. */
const char *bf_map_pin_name(unsigned int i);
/* All of ifname's maps, or -errno with none open. */
int bf_maps_open(const char *ifname, struct bf_maps *m);
void bf_maps_close(struct bf_maps *m);

#endif /* BIFROST_MAPS_H */
