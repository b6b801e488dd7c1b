// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* host_opts.c - bifrost-host's options and config-file guests (host_opts.h). */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "host_opts.h"
#include "maps.h"
#include "log.h"

/* The test build's hostile host (adversary.h); the installed build has none. */
#ifdef BF_ADVERSARY
#define ADV_SYNOPSIS " [--adversary POINTS]"
#define ADV_OPT(c) (c) == 'A' ? "--adversary" :
#else
#define ADV_SYNOPSIS ""
#define ADV_OPT(c)
#endif

void host_usage(FILE *f)
{
	fprintf(f,
		"usage: bifrost-host --iface IFACE --config FILE\n"
		"       bifrost-host --iface IFACE --guest NAME (--tap TAP | --vhost-user SOCK)\n"
		"                    [--cvm [GPA-GPA[,GPA-GPA...]]]" ADV_SYNOPSIS " [--guest ...]...\n"
		"                    [--nic-queue N] [--cpus CPU] [--frames N] [--frame-size 2048|4096]\n"
		"                    [--ring N] [--batch N] [--busy-poll] [--zerocopy]\n"
		"                    [--log-level error|warn|info|debug]\n");
}

static int bad(char *err, size_t errlen, int status, const char *msg, const char *arg)
{
	snprintf(err, errlen, msg, arg);
	return status;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static bool pow2(uint32_t v)
{
	return !(v & (v - 1));
}

/* --nic-queue ... --zerocopy: the worker's settings. */
static int worker_opt(int c, const char *arg, struct bf_worker_opts *wo, char *err, size_t el)
{
	uint32_t v;

	switch (c) {
	case 'q':
		return parse_u32(arg, 0, 1023, &wo->nic_queue) ?
		       bad(err, el, 1, "bad --nic-queue '%s'", arg) : 0;
	case 'c':
		if (parse_u32(arg, 0, CPU_SETSIZE - 1, &v))
			return bad(err, el, 1, "bad --cpus '%s' (one CPU number per worker)", arg);
		wo->cpu = (int)v;
		return 0;
	case 'F':
		return parse_u32(arg, 256, 1 << 20, &wo->xsk.nframes) || !pow2(wo->xsk.nframes) ?
		       bad(err, el, 1, "--frames must be a power of two, 256..1048576%s", "") : 0;
	case 'S':
		return parse_u32(arg, 2048, 4096, &wo->xsk.frame_size) ||
		       (wo->xsk.frame_size != 2048 && wo->xsk.frame_size != 4096) ?
		       bad(err, el, 1, "--frame-size must be 2048 or 4096%s", "") : 0;
	case 'R':
		return parse_u32(arg, 64, 32768, &wo->xsk.ring_size) || !pow2(wo->xsk.ring_size) ?
		       bad(err, el, 1, "--ring must be a power of two, 64..32768%s", "") : 0;
	case 'B':
		return parse_u32(arg, 1, 1024, &wo->batch) ?
		       bad(err, el, 1, "--batch must be 1..1024%s", "") : 0;
	case 'b':
		wo->xsk.busy_poll = true;
		return 0;
	case 'z':
		wo->xsk.zerocopy = true;
		return 0;
	}
	return -EINVAL;
}

/* --tap, --vhost-user, --cvm, --adversary: options of the last --guest. */
static int guest_opt(int c, const char *arg, struct host_opts *o, char *err, size_t el)
{
	struct host_guest *g = o->nguests ? &o->g[o->nguests - 1] : NULL;
	int n;

	if (!g)
		return bad(err, el, 1, "%s must follow its --guest",
			   c == 'C' ? "--cvm" : ADV_OPT(c) "--tap/--vhost-user");
	switch (c) {
	case 't':
	case 'v':
		if (g->c.be.tap[0] || g->c.be.vhost_user[0])
			return bad(err, el, 1, "--tap/--vhost-user must follow its --guest (one port each)%s", "");
		snprintf(c == 't' ? g->c.be.tap : g->c.be.vhost_user,
			 c == 't' ? sizeof(g->c.be.tap) : sizeof(g->c.be.vhost_user), "%s", arg);
		return 0;
#ifdef BF_ADVERSARY
	case 'A':
		return adversary_parse(arg, &g->adversary) ?
		       bad(err, el, 1, "bad --adversary '%s'; points: "
			   "rx-payload,rx-after,rx-hdr,rx-len,rx-tlshdr[,skip=N] or "
			   "fuzz,seed=S[,rate=N][,skip=N][,max=N]", arg) : 0;
#endif
	case 'C':
		g->c.be.cvm = true;
		g->c.be.nranges = 0;
		if (!arg)
			return 0;
		n = bf_parse_ranges(arg, g->c.be.ranges, BF_CFG_MAX_RANGES);
		if (n < 0)
			return bad(err, el, 1, "bad --cvm ranges '%s' (want 0xSTART-0xEND[,...])", arg);
		g->c.be.nranges = (unsigned int)n;
		return 0;
	}
	return -EINVAL;
}

static const struct option opts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "config", required_argument, NULL, 'f' },
	{ "guest", required_argument, NULL, 'g' },
	{ "tap", required_argument, NULL, 't' },
	{ "vhost-user", required_argument, NULL, 'v' },
	{ "cvm", optional_argument, NULL, 'C' },
#ifdef BF_ADVERSARY
	{ "adversary", required_argument, NULL, 'A' },
#endif
	{ "nic-queue", required_argument, NULL, 'q' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "frames", required_argument, NULL, 'F' },
	{ "frame-size", required_argument, NULL, 'S' },
	{ "ring", required_argument, NULL, 'R' },
	{ "batch", required_argument, NULL, 'B' },
	{ "busy-poll", no_argument, NULL, 'b' },
	{ "zerocopy", no_argument, NULL, 'z' },
	{ "log-level", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static int one_opt(int c, char *arg, struct host_opts *o, char *err, size_t el)
{
	switch (c) {
	case 'i':
		o->iface = arg;
		return 0;
	case 'f':
		o->config = arg;
		return 0;
	case 'g':
		if (o->nguests >= BF_MAX_GUESTS)
			return bad(err, el, 1, "at most 64 guests%s", "");
		memset(&o->g[o->nguests], 0, sizeof(o->g[0]));
		snprintf(o->g[o->nguests++].c.name, BF_NAME_LEN, "%s", arg);
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'L':
		if (bf_log_set_level(arg))
			return bad(err, el, 2, "--log-level must be error, warn, info or debug, not '%s'",
				   arg);
		o->log_level = arg;
		return 0;
	case 't': case 'v': case 'C': case 'A':
		return guest_opt(c, arg, o, err, el);
	}
	return worker_opt(c, arg, &o->wo, err, el);
}

/* What the options together must satisfy. */
static int check_opts(const struct host_opts *o, char *err, size_t el)
{
	unsigned int i;

	if (!o->iface || (!o->nguests && !o->config))
		return bad(err, el, 2, "%s", "");
	if (!bf_ifname_valid(o->iface))
		return bad(err, el, 2, "--iface '%.24s' is not an interface name", o->iface);
	if (o->config && o->nguests)
		return bad(err, el, 2, "--config and --guest exclude each other%s", "");
	if (o->wo.xsk.ring_size * 2 > o->wo.xsk.nframes)
		return bad(err, el, 1, "--frames must be at least twice --ring%s", "");
	for (i = 0; i < o->nguests; i++) {
		const struct host_guest *g = &o->g[i];

		if (!g->c.be.tap[0] && !g->c.be.vhost_user[0])
			return bad(err, el, 1, "guest '%s' has no port (--tap or --vhost-user)",
				   g->c.name);
#ifdef BF_ADVERSARY
		if (g->adversary.points && !g->c.be.vhost_user[0])
			return bad(err, el, 1, "--adversary needs a --vhost-user guest%s", "");
#endif
		if (g->c.be.cvm && !g->c.be.vhost_user[0])
			return bad(err, el, 1, "--cvm needs a --vhost-user guest "
				   "(a tap has no guest memory)%s", "");
	}
	return 0;
}

int host_opts_parse(int argc, char **argv, struct host_opts *o, char *err, size_t errlen)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->wo = (struct bf_worker_opts){
		.xsk = { .nframes = 8192, .frame_size = 4096, .ring_size = 2048 },
		.batch = 64,
		.cpu = -1,
	};
	err[0] = 0;
	optind = 0;	/* GNU: a full restart (the unit test parses twice) */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == '?')
			return 2;
		if (c == 'C' && !optarg && optind < argc && argv[optind][0] != '-')
			optarg = argv[optind++];	/* "--cvm RANGES" form */
		ret = one_opt(c, optarg, o, err, errlen);
		if (ret)
			return ret;
	}
	if (o->help)
		return 0;
	if (optind < argc)
		return bad(err, errlen, 2, "%s", "");
	return check_opts(o, err, errlen);
}

int host_opts_load(struct host_opts *o, char *err, size_t errlen)
{
	static struct bf_config cfg;
	unsigned int i;

	if (bf_config_parse_file(o->config, &cfg, err, errlen))
		return -EINVAL;
	bf_config_select_iface(&cfg, o->iface);
	o->nguests = 0;
	for (i = 0; i < cfg.n; i++) {
		if (!cfg.g[i].be.tap[0] && !cfg.g[i].be.vhost_user[0])
			continue;	/* a guest another backend serves */
		memset(&o->g[o->nguests], 0, sizeof(o->g[0]));
		o->g[o->nguests++].c = cfg.g[i];
	}
	return 0;
}

bool host_guest_changed(const struct host_guest *a, const struct host_guest *b)
{
	return strcmp(a->c.name, b->c.name) || memcmp(a->c.mac, b->c.mac, 6) ||
	       a->c.nqueues != b->c.nqueues ||
#ifdef BF_ADVERSARY
	       memcmp(&a->adversary, &b->adversary, sizeof(a->adversary)) ||
#endif
	       memcmp(&a->c.be, &b->c.be, sizeof(a->c.be));
}
