// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bifrostctl - operate Bifrost's XDP fast path: attach, detach, reload the
 * policy or program, show status and counters (text, JSON, Prometheus).
 * The synopsis is the cmds[] table below; bifrostctl(8) and the README
 * repeat it and tests/t_docs.sh keeps the three the same.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "bfctl.h"
#include "log.h"
#include "stats.h"

/* What a sub-command takes after its name. */
enum cmd_arg { ARG_IFACE, ARG_IFACE_OPT, ARG_FILE };

struct cmd {
	const char *name;
	const char *opts;	/* letters of the options it accepts */
	enum cmd_arg arg;
	const char *synopsis;
};

static const struct cmd cmds[] = {
	{ "attach", "cm", ARG_IFACE, "IFACE [--config FILE] [--mode native|generic]" },
	{ "detach", "", ARG_IFACE, "IFACE" },
	{ "reload", "cp", ARG_IFACE, "IFACE [--config FILE] [--prog OBJ]" },
	{ "status", "", ARG_IFACE_OPT, "[IFACE]" },
	{ "stats", "jPlin", ARG_IFACE_OPT, "[IFACE] [--json | --prometheus [--listen ADDR:PORT]]"
	  " [--interval S] [--count N]" },
	{ "check-config", "", ARG_FILE, "FILE" },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "prog", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "prometheus", no_argument, NULL, 'P' },
	{ "listen", required_argument, NULL, 'l' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "log-level", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* The command line, parsed. */
struct ctl_opts {
	const struct cmd *cmd;
	const char *arg, *cfg, *prog, *listen;
	bool generic;
	enum bf_stats_format fmt;
	double interval;
	long count;
	bool has_interval, has_count;
};

static void usage(FILE *f)
{
	unsigned int i;

	for (i = 0; i < NCMDS; i++)
		fprintf(f, "%s bifrostctl %s %s\n", i ? "      " : "usage:",
			cmds[i].name, cmds[i].synopsis);
	fprintf(f, "       bifrostctl COMMAND ... [--log-level error|warn|info|debug]\n");
	fprintf(f,
		"exit codes: 0 ok, 1 error, 2 usage, 3 no such interface, 4 not root/no CAP_BPF,\n"
		"            5 XDP unsupported, 6 already attached, 7 not attached, 8 bad config,\n"
		"            9 unusable --prog object\n");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* One clear line per failure: libbpf's own log only on request. */
	(void)level;
	if (!getenv("BIFROST_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static const struct cmd *find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static const char *long_name(int c)
{
	const struct option *o;

	for (o = opts; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

/* Takes the value of option c into o; -1 to go on, else an exit code. */
static int take_option(struct ctl_opts *o, int c, const char *val)
{
	char *end;

	switch (c) {
	case 'c': o->cfg = val; break;
	case 'p': o->prog = val; break;
	case 'l': o->listen = val; break;
	case 'j': o->fmt = BF_STATS_JSON; break;
	case 'P': o->fmt = BF_STATS_PROM; break;
	case 'm':
		if (strcmp(val, "native") && strcmp(val, "generic"))
			return bf_fail(BF_EXIT_USAGE, "--mode must be native or generic");
		o->generic = !strcmp(val, "generic");
		break;
	case 'i':
		o->interval = strtod(val, &end);
		if (!*val || *end || !(o->interval >= 0 && o->interval <= 3600))
			return bf_fail(BF_EXIT_USAGE, "bad --interval '%s'", val);
		o->has_interval = true;
		break;
	case 'L':
		if (bf_log_set_level(val))
			return bf_fail(BF_EXIT_USAGE, "--log-level must be error, warn, info or debug");
		break;
	case 'n':
		o->count = strtol(val, &end, 10);
		if (!*val || *end || o->count < 0)
			return bf_fail(BF_EXIT_USAGE, "bad --count '%s'", val);
		o->has_count = true;
		break;
	}
	return -1;
}

/* What the options of `stats` say together; -1 when they agree. */
static int check_stats_opts(const struct ctl_opts *o, bool json, bool prom)
{
	if (json && prom)
		return bf_fail(BF_EXIT_USAGE, "stats takes --json or --prometheus, not both");
	if (o->listen && !prom)
		return bf_fail(BF_EXIT_USAGE, "--listen needs --prometheus");
	if (o->listen && (o->has_interval || o->has_count))
		return bf_fail(BF_EXIT_USAGE, "--listen serves until stopped: "
			       "no --interval or --count with it");
	return -1;
}

/* Options after the command name: each only where its command takes it. */
static int parse_options(struct ctl_opts *o, int argc, char **argv)
{
	bool json = false, prom = false;
	int c, rc;

	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return BF_EXIT_OK;
		}
		if (c == '?')
			return bf_fail(BF_EXIT_USAGE, "unknown option '%s' (see bifrostctl --help)",
				       argv[optind - 1]);
		if (c == ':')
			return bf_fail(BF_EXIT_USAGE, "%s needs a value", argv[optind - 1]);
		if (c != 'L' && !strchr(o->cmd->opts, c))
			return bf_fail(BF_EXIT_USAGE, "%s does not take --%s (usage: bifrostctl %s %s)",
				       o->cmd->name, long_name(c), o->cmd->name, o->cmd->synopsis);
		json |= c == 'j';
		prom |= c == 'P';
		rc = take_option(o, c, optarg);
		if (rc >= 0)
			return rc;
	}
	return check_stats_opts(o, json, prom);
}

/* The whole command line into o; -1 to run it, else an exit code. */
static int parse_args(struct ctl_opts *o, int argc, char **argv)
{
	const char *name = argv[1];
	int rc;

	if (argc < 2) {
		usage(stderr);
		return BF_EXIT_USAGE;
	}
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(stdout);
		return BF_EXIT_OK;
	}
	o->cmd = find_cmd(name);
	if (!o->cmd)
		return bf_fail(BF_EXIT_USAGE, "unknown command '%s' (see bifrostctl --help)", name);
	rc = parse_options(o, argc, argv);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		o->arg = argv[optind++];
	if (optind < argc)
		return bf_fail(BF_EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	if (!o->arg && o->cmd->arg != ARG_IFACE_OPT)
		return bf_fail(BF_EXIT_USAGE, "%s needs %s (usage: bifrostctl %s %s)", name,
			       o->cmd->arg == ARG_FILE ? "a FILE" : "an interface",
			       name, o->cmd->synopsis);
	if (o->arg && o->cmd->arg != ARG_FILE && strlen(o->arg) >= IF_NAMESIZE)
		return bf_fail(BF_EXIT_NO_IFACE, "no such interface: %s", o->arg);
	if (!strcmp(name, "reload") && !o->cfg && !o->prog)
		return bf_fail(BF_EXIT_USAGE, "reload needs --config FILE and/or --prog OBJ");
	return -1;
}

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
		return bf_cmd_attach(o->arg, o->cfg, o->generic);
	if (!strcmp(name, "detach"))
		return bf_cmd_detach(o->arg);
	if (!strcmp(name, "reload"))
		return bf_cmd_reload(o->arg, o->cfg, o->prog);
	if (!strcmp(name, "status"))
		return bf_cmd_status(o->arg);
	if (!strcmp(name, "check-config"))
		return check_config(o->arg);
	if (!o->listen)
		return bf_cmd_stats(o->arg, o->fmt, o->interval, o->count);
	rc = bf_stats_check_iface(o->arg);
	return rc ? rc : bf_prom_listen(o->listen, o->arg);
}

int main(int argc, char **argv)
{
	struct ctl_opts o = { 0 };
	int rc;

	bf_log_init("bifrostctl");
	libbpf_set_print(libbpf_print);
	rc = parse_args(&o, argc, argv);
	return rc >= 0 ? rc : run(&o);
}
