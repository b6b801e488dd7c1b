// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bifrostctl - operate Bifrost's XDP fast path: attach, detach, reload the
 * policy or program, show status and counters (text, JSON, Prometheus).
 * main() is ctl_opts_parse() (ctl_opts.c, whose cmds[] table is the
 * synopsis) and run().
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "bfctl.h"
#include "ctl_opts.h"
#include "log.h"
#include "stats.h"

static int check_config(const char *file)
{
	struct bf_config *c = malloc(sizeof(*c));
	char err[512];
	int rc = BF_EXIT_OK;

	if (!c)
		return BF_EXIT_ERROR;
	if (bf_config_parse_file(file, c, err, sizeof(err)))
		rc = bf_fail(BF_EXIT_CONFIG, "bad config: %s", err);
	else
		printf("%s: ok, %u guest(s)\n", file, c->n);
	free(c);
	return rc;
}

static int run(const struct ctl_opts *o)
{
	const char *name = o->cmd->name;
	int rc;

	if (!strcmp(name, "attach"))
		return bf_cmd_attach(o->arg, o->cfg, o->generic, o->without);
	if (!strcmp(name, "detach"))
		return bf_cmd_detach(o->arg);
	if (!strcmp(name, "reload"))
		return bf_cmd_reload(o->arg, o->cfg, o->prog);
	if (!strcmp(name, "status"))
		return bf_cmd_status(o->arg, o->fmt == BF_STATS_JSON);
	if (!strcmp(name, "check-config"))
		return check_config(o->arg);
	if (!o->listen)
		return bf_cmd_stats(o->arg, o->fmt, o->interval, o->count);
	rc = bf_stats_check_iface(o->arg);
	return rc ? rc : bf_prom_listen(o->listen, o->arg);
}

int main(int argc, char **argv)
{
	struct ctl_opts o;
	char err[512];
	int rc;

	bf_log_init("bifrostctl");
	bf_log_libbpf();
	rc = ctl_opts_parse(argc, argv, &o, err, sizeof(err));
	if (!rc && o.help) {
		ctl_usage(stdout);
		return BF_EXIT_OK;
	}
	if (rc) {
		rc = rc == -ENODEV ? BF_EXIT_NO_IFACE : BF_EXIT_USAGE;
		if (err[0])
			return bf_fail(rc, "%s", err);
		ctl_usage(stderr);
		return rc;
	}
	if (o.has_log_level)
		bf_log_apply_level(o.log_level);
	return run(&o);
}
