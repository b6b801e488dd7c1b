// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bifrostctl - operate Bifrost's XDP fast path.
 *
 *   bifrostctl attach IFACE [--config FILE] [--mode native|generic]
 *   bifrostctl detach IFACE
 *   bifrostctl reload IFACE [--config FILE] [--prog OBJ]
 *   bifrostctl status [IFACE]
 *   bifrostctl stats  [IFACE] [--json] [--interval S] [--count N]
 *   bifrostctl check-config FILE
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "bfctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bifrostctl attach IFACE [--config FILE] [--mode native|generic]\n"
		"       bifrostctl detach IFACE\n"
		"       bifrostctl reload IFACE [--config FILE] [--prog OBJ]\n"
		"       bifrostctl status [IFACE]\n"
		"       bifrostctl stats [IFACE] [--json] [--interval S] [--count N]\n"
		"       bifrostctl check-config FILE\n"
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "prog", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *cmd, *iface = NULL, *cfg = NULL, *prog = NULL;
	bool generic = false, json = false;
	double interval = 0;
	long count = 0;
	char *end;
	int c;

	libbpf_set_print(libbpf_print);
	if (argc < 2) {
		usage(stderr);
		return BF_EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return BF_EXIT_OK;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:m:p:ji:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "native") && strcmp(optarg, "generic"))
				return bf_fail(BF_EXIT_USAGE, "--mode must be native or generic");
			generic = !strcmp(optarg, "generic");
			break;
		case 'p':
			prog = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || interval < 0 || interval > 3600)
				return bf_fail(BF_EXIT_USAGE, "bad --interval '%s'", optarg);
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count < 0)
				return bf_fail(BF_EXIT_USAGE, "bad --count '%s'", optarg);
			break;
		case 'h':
			usage(stdout);
			return BF_EXIT_OK;
		default:
			usage(stderr);
			return BF_EXIT_USAGE;
		}
	}
	if (optind < argc)
		iface = argv[optind++];
	if (optind < argc)
		return bf_fail(BF_EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	if (iface && strcmp(cmd, "check-config") && strlen(iface) >= IF_NAMESIZE)
		return bf_fail(BF_EXIT_NO_IFACE, "no such interface: %s", iface);
	if (!strcmp(cmd, "status"))
		return bf_cmd_status(iface);
	if (!strcmp(cmd, "stats"))
		return bf_cmd_stats(iface, json, interval, count);
	if (!strcmp(cmd, "check-config")) {
		struct bf_config *c = malloc(sizeof(*c));
		char err[512];
		int rc = BF_EXIT_OK;

		if (!iface)
			return bf_fail(BF_EXIT_USAGE, "check-config needs a FILE");
		if (!c)
			return BF_EXIT_ERROR;
		if (bf_config_parse_file(iface, c, err, sizeof(err)))
			rc = bf_fail(BF_EXIT_CONFIG, "bad config: %s", err);
		else
			printf("%s: ok, %u guest(s)\n", iface, c->n);
		free(c);
		return rc;
	}
	if (!iface)
		return bf_fail(BF_EXIT_USAGE, "%s needs an interface (see bifrostctl --help)", cmd);
	if (!strcmp(cmd, "attach"))
		return bf_cmd_attach(iface, cfg, generic);
	if (!strcmp(cmd, "detach"))
		return bf_cmd_detach(iface);
	if (!strcmp(cmd, "reload")) {
		if (!cfg && !prog)
			return bf_fail(BF_EXIT_USAGE, "reload needs --config FILE and/or --prog OBJ");
		return bf_cmd_reload(iface, cfg, prog);
	}
	return bf_fail(BF_EXIT_USAGE, "unknown command '%s' (see bifrostctl --help)", cmd);
}
