/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * host_opts.h - bifrost-host's command line and its guests from the config
 * file, parsed into one struct (no I/O but reading the file): main() runs
 * what this yields, tests/unit/test_host_opts.c checks it.
 */
#ifndef BIFROST_HOST_OPTS_H
#define BIFROST_HOST_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#ifdef BF_ADVERSARY
#include "adversary.h"
#endif
#include "config.h"
#include "worker.h"

/* One guest to serve: its config line (name, port, CVM ranges; MAC and
 * queues come from the attached policy) and, in the test build
 * (bifrost-host-adversary) from flags only, tampering. */
struct host_guest {
	struct bf_guest_cfg c;
#ifdef BF_ADVERSARY
	struct adversary adversary;
#endif
};

struct host_opts {
	const char *iface;
	const char *config;		/* --config FILE: guests from there */
	const char *log_level;		/* --log-level (already applied), or NULL */
	struct bf_worker_opts wo;
	bool help;
	unsigned int nguests;
	struct host_guest g[BF_MAX_GUESTS];
};

void host_usage(FILE *f);

/*
 * Parses argv into o (guests from --guest flags; with --config, from the
 * file: host_opts_load()). Returns 0, or the exit status (2: usage, 1: a
 * bad value) with a message in err (empty: print the usage).
 */
int host_opts_parse(int argc, char **argv, struct host_opts *o, char *err, size_t errlen);

/* Replaces o's guests with those of o->iface in o->config that have a port;
 * 0, or -errno with "FILE:LINE: message" (or why none is served) in err. */
int host_opts_load(struct host_opts *o, char *err, size_t errlen);

/* Differ a and b in what needs the guest's port reopened? */
bool host_guest_changed(const struct host_guest *a, const struct host_guest *b);

#endif /* BIFROST_HOST_OPTS_H */
