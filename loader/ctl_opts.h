/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_opts.h - bifrostctl's command line parsed into one struct, with no
 * I/O: the sub-commands and the options each takes (the synopsis of
 * --help, bifrostctl(8) and docs/operating.md), the checks that reject
 * options of other commands and contradicting ones. main() runs what this
 * yields, tests/unit/test_ctl_opts.c checks it.
 */
#ifndef BIFROST_CTL_OPTS_H
#define BIFROST_CTL_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "bfctl.h"
#include "log.h"

/* What a sub-command takes after its name. */
enum ctl_cmd_arg { CTL_ARG_IFACE, CTL_ARG_IFACE_OPT, CTL_ARG_FILE };

struct ctl_cmd {
	const char *name;
	const char *opts;	/* letters of the options it accepts */
	enum ctl_cmd_arg arg;
	const char *synopsis;
};

/* The command line, parsed. */
struct ctl_opts {
	const struct ctl_cmd *cmd;
	const char *arg;		/* IFACE or FILE, NULL when left out */
	const char *cfg, *prog, *listen;
	bool generic;			/* --mode generic */
	unsigned int without;		/* --without: 1 << enum bf_feature */
	enum bf_stats_format fmt;
	double interval;
	long count;
	bool has_interval, has_count;
	bool has_log_level;
	enum bf_log_level log_level;
	bool help;			/* -h, --help or "help": print the usage */
};

/* The usage text of --help (stdout) and of a bare `bifrostctl` (stderr). */
void ctl_usage(FILE *f);

/*
 * Parses argv into o (zeroed first; the strings point into argv, which
 * getopt may reorder). Returns 0 to run o->cmd, or to print the usage when
 * o->help is set; -EINVAL for a usage error, -ENODEV for a word that cannot
 * be an interface name, each with a one-line message in err (empty: print
 * the usage to stderr).
 */
int ctl_opts_parse(int argc, char **argv, struct ctl_opts *o, char *err, size_t errlen);

#endif /* BIFROST_CTL_OPTS_H */
