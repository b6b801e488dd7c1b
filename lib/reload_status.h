/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * reload_status.h - how a bifrost-host's last config reload went, for
 * `bifrostctl reload` to report (and exit non-zero on).
 *
 * bifrost-host started with --config writes BF_RELOAD_STATUS_FMT for its
 * interface at start (sequence 0) and after every SIGHUP reload: one line,
 * "SEQ ok MESSAGE" or "SEQ failed MESSAGE", SEQ the reload's number (the
 * backend's `reloads` counter). It is replaced atomically (written beside,
 * then renamed), so a reader sees the old line or the new one, never part.
 * bifrostctl reads SEQ before its SIGHUP and waits, bounded, for a larger
 * one. Two reloads at once may both see the first answer.
 */
#ifndef BIFROST_RELOAD_STATUS_H
#define BIFROST_RELOAD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define BF_RELOAD_STATUS_FMT	BF_RUN_DIR "/%s.reload"
#define BF_RELOAD_MSG_LEN	512

struct bf_reload_status {
	uint64_t seq;
	bool ok;
	char msg[BF_RELOAD_MSG_LEN];
};

/* Writes st for iface; 0 or -errno. */
int bf_reload_status_write(const char *iface, const struct bf_reload_status *st);
/* Reads iface's status into st; 0, -ENOENT when there is none, or -EINVAL
 * for a line not of the form above (st then zeroed). */
int bf_reload_status_read(const char *iface, struct bf_reload_status *st);
/* Removes iface's status (at the backend's exit). */
void bf_reload_status_remove(const char *iface);

#endif /* BIFROST_RELOAD_STATUS_H */
