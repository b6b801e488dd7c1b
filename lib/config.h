/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h - Bifrost policy file parser.
 *
 * One guest per line; '#' starts a comment; blank lines are ignored:
 *
 *   guest NAME mac XX:XX:XX:XX:XX:XX [queues N] [prpr on|off]
 *         [max-merge BYTES] [max-segs N] [flush-us US] [zced-ports P[,P...]]
 *         [iface IFNAME] [vhost-user PATH | tap TAPNAME] [cvm on|GPA-GPA[,GPA-GPA...]]
 *         [socket-owner USER] [socket-group GROUP] [socket-mode MODE]
 *
 * Defaults: queues 1, prpr on, max-merge 65535, max-segs 64, flush-us 50,
 * no ZCED ports. Errors are reported as "FILE:LINE: message".
 *
 * iface, vhost-user, tap, cvm and socket-* are what bifrost-host needs to
 * serve the guest (the XDP policy ignores them). socket-owner and
 * socket-group are a user and group name (or number), checked here only for
 * their form (bifrost-host looks them up); socket-mode is octal, 0-0777;
 * all three need a vhost-user port. A guest with an iface belongs to that interface only (bifrostctl attach
 * and reload of another interface leave it out); without one, to every
 * interface. `bifrost-host --config FILE --iface IFACE` serves the guests
 * of IFACE that have a port (vhost-user or tap).
 */
#ifndef BIFROST_CONFIG_H
#define BIFROST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bifrost_abi.h"

#define BF_DEFAULT_MAX_SEGS	BF_MAX_MERGE_SEGS	/* like GRO: bytes limit first */
#define BF_DEFAULT_FLUSH_US	50
#define BF_MAX_FLUSH_US		1000000

#define BF_CFG_MAX_RANGES	16	/* cvm shared ranges of one guest */
#define BF_CFG_PATH_LEN		108	/* sun_path of a vhost-user socket */
#define BF_CFG_IFNAME_LEN	16	/* IFNAMSIZ */
#define BF_CFG_USER_LEN		32	/* a user or group name (useradd's limit) */

struct bf_cfg_range {
	uint64_t start, end;		/* guest-physical, end exclusive */
};

/* The backend's part of a guest line (all zero: no backend options). */
struct bf_backend_cfg {
	char iface[BF_CFG_IFNAME_LEN];	/* empty: every interface */
	char vhost_user[BF_CFG_PATH_LEN];
	char tap[BF_CFG_IFNAME_LEN];
	bool cvm;
	unsigned int nranges;
	struct bf_cfg_range ranges[BF_CFG_MAX_RANGES];
	/* the vhost-user socket's owner, group (empty: the backend's) and
	 * mode (if sock_mode_set; else what the umask leaves) */
	char sock_owner[BF_CFG_USER_LEN];
	char sock_group[BF_CFG_USER_LEN];
	bool sock_mode_set;
	uint16_t sock_mode;
};

struct bf_guest_cfg {
	char name[BF_NAME_LEN];
	uint8_t mac[6];
	uint16_t nqueues;
	struct bf_policy pol;	/* generation is filled in by the loader */
	struct bf_backend_cfg be;
};

struct bf_config {
	unsigned int n;
	struct bf_guest_cfg g[BF_MAX_GUESTS];
};

/* Both return 0, or -errno (-EINVAL for a bad file) with a "FILE:LINE:
 * message" in err. */
int bf_config_parse_string(const char *text, const char *fname,
			   struct bf_config *cfg, char *err, size_t errlen);
int bf_config_parse_file(const char *path, struct bf_config *cfg,
			 char *err, size_t errlen);

/* Pid of the bifrost-host started with --config for an interface: what
 * `bifrostctl reload IFACE --config FILE` sends SIGHUP to. */
#define BF_RUN_DIR		"/run/bifrost"
#define BF_PIDFILE_FMT		BF_RUN_DIR "/%s.pid"

/* Keeps the guests of iface (those without an iface or with this one). */
void bf_config_select_iface(struct bf_config *cfg, const char *iface);

/* "0x1000-0x2000,0x5000-0x6000" -> at most max ranges (start < end);
 * returns the count, or -EINVAL. */
int bf_parse_ranges(const char *s, struct bf_cfg_range *r, unsigned int max);

/* "52:54:00:12:34:56" -> bytes; 0 on success. */
int bf_parse_mac(const char *s, uint8_t mac[6]);
/* Whether s is a guest name: 1 to BF_NAME_LEN - 1 of [A-Za-z0-9_.-]; 1 or 0. */
int bf_config_name_valid(const char *s);
void bf_format_mac(const uint8_t mac[6], char out[18]);

#endif /* BIFROST_CONFIG_H */
