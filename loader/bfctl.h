/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* bfctl.h - bifrostctl internals: exit codes, pinned-map access, commands. */
#ifndef BIFROST_BFCTL_H
#define BIFROST_BFCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include "bifrost_abi.h"
#include "config.h"
#include "log.h"
#include "maps.h"

/* Exit codes: one per failure class, stable for scripts. */
enum bf_exit {
	BF_EXIT_OK = 0,
	BF_EXIT_ERROR = 1,		/* anything not listed below */
	BF_EXIT_USAGE = 2,
	BF_EXIT_NO_IFACE = 3,
	BF_EXIT_PERM = 4,		/* not root / no CAP_BPF+CAP_NET_ADMIN */
	BF_EXIT_NO_XDP = 5,		/* driver/kernel refuses XDP in that mode */
	BF_EXIT_ATTACHED = 6,		/* already attached (by us or another prog) */
	BF_EXIT_NOT_ATTACHED = 7,
	BF_EXIT_CONFIG = 8,		/* bad config file */
	BF_EXIT_BAD_PROG = 9,		/* --prog object unusable */
	BF_EXIT_ABI = 10,		/* pinned maps of another map ABI */
	BF_EXIT_BACKEND = 11,		/* reload: the backend's reload failed or did not answer */
};

/* Exits go through bf_fail (log.h): one error line, then the code above. */
int bf_ensure_bpffs(void);

/*
 * Writes cfg into the live maps with no window where a configured guest is
 * missing: policies first, then guest entries (each update is atomic), then
 * removal of guests no longer configured, then the generation bump.
 * Returns the new generation, or -errno.
 */
int64_t bf_policy_apply(const struct bf_maps *m, const struct bf_config *cfg);

/* Commands; each returns an enum bf_exit value. */
/* without: mask (1 << enum bf_feature) of features turned off (--without). */
int bf_cmd_attach(const char *ifname, const char *cfgfile, bool generic,
		  unsigned int without);
int bf_cmd_detach(const char *ifname);
int bf_cmd_reload(const char *ifname, const char *cfgfile, const char *prog);
int bf_cmd_status(const char *ifname, bool json);

enum bf_stats_format { BF_STATS_TEXT, BF_STATS_JSON, BF_STATS_PROM };
/* Prints ifname's counters (NULL: every attached interface) count times
 * (0: forever) every interval seconds (0: once). */
int bf_cmd_stats(const char *ifname, enum bf_stats_format fmt, double interval, long count);
/* 0 when ifname is NULL or attached; else prints why, returns the exit code. */
int bf_stats_check_iface(const char *ifname);

#endif /* BIFROST_BFCTL_H */
