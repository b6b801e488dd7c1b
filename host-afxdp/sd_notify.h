/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sd_notify.h - systemd's service notification protocol (sd_notify(3)),
 * done by hand so bifrost-host needs no libsystemd: Type=notify in
 * packaging/systemd/bifrost-host@.service.in waits for READY=1.
 */
#ifndef BIFROST_SD_NOTIFY_H
#define BIFROST_SD_NOTIFY_H

/*
 * Sends state (newline-separated VAR=VALUE assignments, e.g. "READY=1") as
 * one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET: a path, or an
 * abstract name when it starts with '@' (sd_notify(3)). Returns 1 when sent,
 * 0 when $NOTIFY_SOCKET is unset or empty (not started by systemd), or
 * -errno (-EAFNOSUPPORT for an address that is neither, such as vsock:,
 * -ENAMETOOLONG for one longer than sun_path).
 */
int bf_sd_notify(const char *state);

#endif /* BIFROST_SD_NOTIFY_H */
