// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_opts.c - bifrostctl's command line into struct ctl_opts (ctl_opts.h).
 * The synopsis is the cmds[] table below; bifrostctl(8) and
 * docs/operating.md repeat it and tests/host/t_docs.sh keeps the three the
 * same.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_opts.h"
#include "kernel_features.h"

static const struct ctl_cmd cmds[] = {
	{ "attach", "cmw", CTL_ARG_IFACE, "IFACE [--config FILE] [--mode native|generic]"
	  " [--without FEATURE[,FEATURE]]" },
	{ "detach", "", CTL_ARG_IFACE, "IFACE" },
	{ "reload", "cp", CTL_ARG_IFACE, "IFACE [--config FILE] [--prog OBJ]" },
	{ "status", "j", CTL_ARG_IFACE_OPT, "[IFACE] [--json]" },
	{ "stats", "jPlin", CTL_ARG_IFACE_OPT, "[IFACE] [--json | --prometheus [--listen ADDR:PORT]]"
	  " [--interval S] [--count N]" },
	{ "check-config", "", CTL_ARG_FILE, "FILE" },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "without", required_argument, NULL, 'w' },
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

void ctl_usage(FILE *f)
{
	unsigned int i;

	for (i = 0; i < NCMDS; i++)
		fprintf(f, "%s bifrostctl %s %s\n", i ? "      " : "usage:",
			cmds[i].name, cmds[i].synopsis);
	fprintf(f, "       bifrostctl COMMAND ... [--log-level error|warn|info|debug]\n");
	fprintf(f, "features --without turns off: xdp_meta, xdp_buff_len\n");
	fprintf(f,
		"exit codes: 0 ok, 1 error, 2 usage, 3 no such interface, 4 not root/no CAP_BPF,\n"
		"            5 XDP unsupported, 6 already attached, 7 not attached, 8 bad config,\n"
		"            9 unusable --prog object, 10 maps of another map ABI,\n"
		"            11 the backend's reload failed or did not answer\n");
}

/* Where the message of a rejection goes. */
struct msg {
	char *buf;
	size_t len;
};

/* Writes the message and returns err (-errno). */
__attribute__((format(printf, 3, 4)))
static int reject(const struct msg *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->buf, m->len, fmt, ap);
	va_end(ap);
	return err;
}

static const struct ctl_cmd *find_cmd(const char *name)
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

/* The numbers of --interval (0..3600 seconds) and --count (>= 0). */
static int take_number(struct ctl_opts *o, int c, const char *val, const struct msg *m)
{
	char *end;

	if (c == 'i') {
		o->interval = strtod(val, &end);
		if (!*val || *end || !(o->interval >= 0 && o->interval <= 3600))
			return reject(m, -EINVAL, "bad --interval '%s'", val);
		o->has_interval = true;
		return 0;
	}
	o->count = strtol(val, &end, 10);
	if (!*val || *end || o->count < 0)
		return reject(m, -EINVAL, "bad --count '%s'", val);
	o->has_count = true;
	return 0;
}

/* Takes the value of option c into o; 0, or -EINVAL with the message. */
static int take_option(struct ctl_opts *o, int c, const char *val, const struct msg *m)
{
	switch (c) {
	case 'c': o->cfg = val; break;
	case 'p': o->prog = val; break;
	case 'l': o->listen = val; break;
	case 'j': o->fmt = BF_STATS_JSON; break;
	case 'P': o->fmt = BF_STATS_PROM; break;
	case 'm':
		if (strcmp(val, "native") && strcmp(val, "generic"))
			return reject(m, -EINVAL, "--mode must be native or generic");
		o->generic = !strcmp(val, "generic");
		break;
	case 'w': {
		char why[128];

		if (bf_features_parse_without(val, &o->without, why, sizeof(why)))
			return reject(m, -EINVAL, "%s", why);
		break;
	}
	case 'L':
		if (bf_log_level_parse(val, &o->log_level))
			return reject(m, -EINVAL,
				      "--log-level must be error, warn, info or debug");
		o->has_log_level = true;
		break;
	case 'i':
	case 'n':
		return take_number(o, c, val, m);
	}
	return 0;
}

/* What the options of `stats` say together; 0 when they agree, or -EINVAL. */
static int check_stats_opts(const struct ctl_opts *o, bool json, bool prom, const struct msg *m)
{
	if (json && prom)
		return reject(m, -EINVAL, "stats takes --json or --prometheus, not both");
	if (o->listen && !prom)
		return reject(m, -EINVAL, "--listen needs --prometheus");
	if (o->listen && (o->has_interval || o->has_count))
		return reject(m, -EINVAL, "--listen serves until stopped: "
			      "no --interval or --count with it");
	return 0;
}

/*
 * Options after the command name (av[0]), each only where its command
 * takes it; *next is the index of the first word left. optind = 0 makes
 * getopt start afresh on every call.
 */
static int parse_options(struct ctl_opts *o, int ac, char **av, int *next, const struct msg *m)
{
	bool json = false, prom = false;
	int c, rc;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(ac, av, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			o->help = true;
			return BF_EXIT_OK;
		}
		if (c == '?')
			return reject(m, -EINVAL, "unknown option '%s' (see bifrostctl --help)",
				      av[optind - 1]);
		if (c == ':')
			return reject(m, -EINVAL, "%s needs a value", av[optind - 1]);
		if (c != 'L' && !strchr(o->cmd->opts, c))
			return reject(m, -EINVAL, "%s does not take --%s (usage: bifrostctl %s %s)",
				      o->cmd->name, long_name(c), o->cmd->name, o->cmd->synopsis);
		json |= c == 'j';
		prom |= c == 'P';
		rc = take_option(o, c, optarg, m);
		if (rc)
			return rc;
	}
	*next = optind;
	return check_stats_opts(o, json, prom, m);
}

/* The words after the options: the command's IFACE or FILE. */
static int check_arg(struct ctl_opts *o, int ac, char **av, int next, const struct msg *m)
{
	const char *name = o->cmd->name;

	if (next < ac)
		o->arg = av[next++];
	if (next < ac)
		return reject(m, -EINVAL, "unexpected argument '%s'", av[next]);
	if (!o->arg && o->cmd->arg != CTL_ARG_IFACE_OPT)
		return reject(m, -EINVAL, "%s needs %s (usage: bifrostctl %s %s)", name,
			      o->cmd->arg == CTL_ARG_FILE ? "a FILE" : "an interface",
			      name, o->cmd->synopsis);
	if (o->arg && o->cmd->arg != CTL_ARG_FILE && !bf_ifname_valid(o->arg))
		return reject(m, -ENODEV, "no such interface: '%.*s' is not an interface "
			      "name", IF_NAMESIZE + 8, o->arg);
	if (!strcmp(name, "reload") && !o->cfg && !o->prog)
		return reject(m, -EINVAL, "reload needs --config FILE and/or --prog OBJ");
	return 0;
}

int ctl_opts_parse(int argc, char **argv, struct ctl_opts *o, char *err, size_t errlen)
{
	const struct msg m = { err, errlen };
	const char *name;
	int rc, next = 0;

	memset(o, 0, sizeof(*o));
	err[0] = '\0';
	if (argc < 2)
		return -EINVAL;	/* no message: the usage */
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		o->help = true;
		return BF_EXIT_OK;
	}
	o->cmd = find_cmd(name);
	if (!o->cmd)
		return reject(&m, -EINVAL, "unknown command '%s' (see bifrostctl --help)", name);
	rc = parse_options(o, argc - 1, argv + 1, &next, &m);
	if (rc || o->help)
		return rc;
	return check_arg(o, argc - 1, argv + 1, next, &m);
}
