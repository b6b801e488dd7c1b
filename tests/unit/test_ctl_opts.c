// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for bifrostctl's command line (loader/ctl_opts.c): every
 * accepted form and every rejection, with its exit code and message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ctl_opts.h"
#include "kernel_features.h"
#include "unit.h"

static struct ctl_opts o;
static char err[512];

/* Parses the words of line as argv after "bifrostctl". */
static int parse(const char *line)
{
	char *argv[32];
	int argc = unit_argv("bifrostctl", line, argv);

	return ctl_opts_parse(argc, argv, &o, err, sizeof(err));
}

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* line is refused with exit code rc and a message containing msg. */
static void rejects(const char *name, const char *line, int rc, const char *msg)
{
	int got = parse(line);

	CHECK_EQ(name, got, rc);
	if (!strstr(err, msg))
		printf("  message: '%s', expected '%s'\n", err, msg);
	CHECK(name, strstr(err, msg) != NULL);
}

static void features(void)
{
	CHECK_EQ("attach --without xdp_meta", parse("attach eth0 --without xdp_meta") == 0 &&
		 o.without == (1U << BF_FEAT_XDP_META), 1);
	CHECK_EQ("attach --without two", parse("attach eth0 --without xdp_buff_len,xdp_meta") == 0 &&
		 o.without == BF_FEAT_WITHOUT_OK, 1);
	CHECK_EQ("attach --without twice adds", parse("attach eth0 --without xdp_meta "
		 "--without xdp_buff_len") == 0 && o.without == BF_FEAT_WITHOUT_OK, 1);
	rejects("--without unknown", "attach eth0 --without fast", -EINVAL,
		"--without takes xdp_meta and/or xdp_buff_len, not 'fast'");
	rejects("--without empty word", "attach eth0 --without xdp_meta,", -EINVAL,
		"--without: empty feature name in 'xdp_meta,'");
	rejects("--without a backend feature", "attach eth0 --without xsk_sg", -EINVAL,
		"not 'xsk_sg'");
	rejects("reload takes no --without", "reload eth0 --prog p --without xdp_meta",
		-EINVAL, "reload does not take --without");
	CHECK_EQ("status --json", parse("status eth0 --json") == 0 && o.fmt == BF_STATS_JSON, 1);
	rejects("status takes no --prometheus", "status --prometheus", -EINVAL,
		"status does not take --prometheus");
}

static void commands(void)
{
	CHECK_EQ("attach", parse("attach eth0"), 0);
	CHECK("attach: command and iface", is(o.cmd->name, "attach") && is(o.arg, "eth0"));
	CHECK("attach: defaults", !o.cfg && !o.generic && !o.help && !o.has_log_level);
	CHECK_EQ("attach --config --mode", parse("attach eth0 --config /c --mode generic"), 0);
	CHECK("attach --config", is(o.cfg, "/c") && o.generic);
	CHECK_EQ("attach --mode native", parse("attach --mode native eth0") == 0 &&
		 !o.generic && is(o.arg, "eth0"), 1);
	CHECK_EQ("detach", parse("detach eth0") == 0 && is(o.cmd->name, "detach"), 1);
	CHECK_EQ("reload --config", parse("reload eth0 --config /c") == 0 && is(o.cfg, "/c"), 1);
	CHECK_EQ("reload --prog", parse("reload eth0 --prog x.o") == 0 && is(o.prog, "x.o"), 1);
	CHECK_EQ("reload both", parse("reload eth0 --config /c --prog x.o") == 0 &&
		 is(o.cfg, "/c") && is(o.prog, "x.o"), 1);
	CHECK_EQ("status", parse("status") == 0 && !o.arg, 1);
	CHECK_EQ("status IFACE", parse("status eth0") == 0 && is(o.arg, "eth0"), 1);
	CHECK_EQ("check-config", parse("check-config /etc/b.conf") == 0 &&
		 is(o.cmd->name, "check-config") && is(o.arg, "/etc/b.conf"), 1);
	CHECK_EQ("check-config: a long FILE is no iface",
		 parse("check-config /a/very/long/path/to/bifrost.conf"), 0);
}

static void stats(void)
{
	CHECK_EQ("stats", parse("stats") == 0 && !o.arg && o.fmt == BF_STATS_TEXT, 1);
	CHECK_EQ("stats: once", !o.has_interval && !o.has_count && o.interval == 0 && o.count == 0, 1);
	CHECK_EQ("stats --json", parse("stats eth0 --json") == 0 && o.fmt == BF_STATS_JSON &&
		 is(o.arg, "eth0"), 1);
	CHECK_EQ("stats --prometheus", parse("stats --prometheus") == 0 &&
		 o.fmt == BF_STATS_PROM, 1);
	CHECK_EQ("stats --prometheus --listen", parse("stats --prometheus --listen :9100") == 0 &&
		 is(o.listen, ":9100"), 1);
	CHECK_EQ("stats --interval --count", parse("stats --interval 0.5 --count 3"), 0);
	CHECK("interval and count", o.has_interval && o.interval == 0.5 &&
	      o.has_count && o.count == 3);
	CHECK_EQ("--interval 0, --count 0", parse("stats --interval 0 --count 0") == 0 &&
		 o.has_interval && o.has_count, 1);
	CHECK_EQ("--interval 3600", parse("stats --interval 3600"), 0);
	CHECK_EQ("--option=value", parse("stats --count=2 --json") == 0 && o.count == 2 &&
		 o.fmt == BF_STATS_JSON, 1);
}

static void general(void)
{
	CHECK_EQ("no command: usage", parse("") == -EINVAL && !err[0] && !o.help, 1);
	CHECK_EQ("--help", parse("--help") == 0 && o.help && !err[0], 1);
	CHECK_EQ("-h", parse("-h") == 0 && o.help, 1);
	CHECK_EQ("help", parse("help") == 0 && o.help, 1);
	CHECK_EQ("COMMAND --help", parse("attach --help") == 0 && o.help, 1);
	CHECK_EQ("COMMAND -h", parse("stats -h") == 0 && o.help, 1);
	CHECK_EQ("--log-level on any command", parse("detach eth0 --log-level debug"), 0);
	CHECK("--log-level debug", o.has_log_level && o.log_level == BF_LOG_DEBUG);
	CHECK_EQ("--log-level error", parse("status --log-level error") == 0 &&
		 o.log_level == BF_LOG_ERR, 1);
	CHECK_EQ("--log-level warn", parse("check-config f --log-level warn") == 0 &&
		 o.log_level == BF_LOG_WARN, 1);
	CHECK_EQ("--log-level info", parse("stats --log-level info") == 0 &&
		 o.log_level == BF_LOG_INFO, 1);
	CHECK_EQ("parse starts afresh", parse("stats") == 0 && !o.has_log_level, 1);
}

static void wrong_command(void)
{
	rejects("unknown command", "frob eth0", -EINVAL, "unknown command 'frob'");
	rejects("detach takes no --json", "detach eth0 --json", -EINVAL,
		"detach does not take --json (usage: bifrostctl detach IFACE)");
	rejects("attach takes no --prog", "attach eth0 --prog x.o", -EINVAL,
		"attach does not take --prog");
	rejects("reload takes no --mode", "reload eth0 --mode native", -EINVAL,
		"reload does not take --mode");
	rejects("status takes no --count", "status --count 1", -EINVAL,
		"status does not take --count");
	rejects("stats takes no --config", "stats --config x", -EINVAL,
		"stats does not take --config");
	rejects("check-config takes no --json", "check-config f --json", -EINVAL,
		"check-config does not take --json");
	rejects("attach takes no --interval", "attach eth0 --interval 1", -EINVAL,
		"attach does not take --interval");
	rejects("reload takes no --listen", "reload eth0 --listen :1", -EINVAL,
		"reload does not take --listen");
	rejects("status takes no --prometheus", "status --prometheus", -EINVAL,
		"status does not take --prometheus");
}

static void bad_values(void)
{
	rejects("unknown option", "stats --nope", -EINVAL, "unknown option '--nope'");
	rejects("option without its value", "stats --interval", -EINVAL,
		"--interval needs a value");
	rejects("bad --mode", "attach eth0 --mode fast", -EINVAL,
		"--mode must be native or generic");
	rejects("bad --log-level", "status --log-level loud", -EINVAL,
		"--log-level must be error, warn, info or debug");
	rejects("--interval not a number", "stats --interval x", -EINVAL, "bad --interval 'x'");
	rejects("--interval negative", "stats --interval -1", -EINVAL, "bad --interval '-1'");
	rejects("--interval over an hour", "stats --interval 3601", -EINVAL, "bad --interval");
	rejects("--interval empty", "stats --interval=", -EINVAL, "bad --interval ''");
	rejects("--interval trailing junk", "stats --interval 1s", -EINVAL, "bad --interval");
	rejects("--count negative", "stats --count -2", -EINVAL, "bad --count '-2'");
	rejects("--count fraction", "stats --count 1.5", -EINVAL, "bad --count");
}

static void bad_combinations(void)
{
	rejects("--json and --prometheus", "stats --json --prometheus", -EINVAL, "not both");
	rejects("--listen without --prometheus", "stats --listen :0", -EINVAL,
		"--listen needs --prometheus");
	rejects("--listen with --json", "stats --json --listen :0", -EINVAL,
		"--listen needs --prometheus");
	rejects("--listen with --count", "stats --prometheus --listen :0 --count 1", -EINVAL,
		"no --interval or --count");
	rejects("--listen with --interval", "stats --prometheus --listen :0 --interval 1",
		-EINVAL, "no --interval or --count");
}

static void bad_arguments(void)
{
	rejects("attach needs an interface", "attach", -EINVAL,
		"attach needs an interface (usage: bifrostctl attach IFACE");
	rejects("detach needs an interface", "detach", -EINVAL, "detach needs an interface");
	rejects("reload needs an interface", "reload --config c", -EINVAL,
		"reload needs an interface");
	rejects("check-config needs a FILE", "check-config", -EINVAL,
		"check-config needs a FILE");
	rejects("extra argument", "detach eth0 x", -EINVAL, "unexpected argument 'x'");
	rejects("extra argument (stats)", "stats eth0 eth1", -EINVAL,
		"unexpected argument 'eth1'");
	rejects("interface name too long", "attach bfnope0123456789ab", -ENODEV,
		"no such interface: 'bfnope0123456789ab' is not an interface name");
	/* never a path out of the pin directory (detach removes pins) */
	rejects("interface name ..", "detach ..", -ENODEV, "'..' is not an interface name");
	rejects("interface name .", "detach .", -ENODEV, "'.' is not an interface name");
	rejects("interface name with /", "detach ../xdp", -ENODEV,
		"'../xdp' is not an interface name");
	rejects("interface name with :", "status eth0:1", -ENODEV,
		"'eth0:1' is not an interface name");
	{
		char *argv[] = { "bifrostctl", "detach", "", NULL };

		CHECK_EQ("empty interface name", ctl_opts_parse(3, argv, &o, err, sizeof(err)),
			 -ENODEV);
	}
	rejects("reload needs --config or --prog", "reload eth0", -EINVAL,
		"reload needs --config FILE and/or --prog OBJ");
}

int main(void)
{
	commands();
	features();
	stats();
	general();
	wrong_command();
	bad_values();
	bad_combinations();
	bad_arguments();
	UNIT_EXIT();
}
