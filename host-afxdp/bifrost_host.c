// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bifrost-host - Bifrost's user-space I/O backend.
 *
 * Synopsis: usage() below; bifrost-host(8) (host-afxdp/bifrost-host.8) and
 * the README repeat it, and tests/t_docs.sh keeps the three equal.
 *
 * --cvm makes the backend treat the guest as a confidential VM: it touches
 * guest buffers only inside the listed shared ranges (guest-physical,
 * e.g. the swiotlb pool) and the ranges the guest registers in band for its
 * ZCED pool (zced_reg.h); anything else is a counted violation.
 *
 * Guests are looked up by name in the policy bifrostctl attached to IFACE;
 * their queues' AF_XDP sockets go into the pinned XSKMAP. Policy follows
 * `bifrostctl reload` live; counters appear in `bifrostctl stats`.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "adversary.h"
#include "bfctl.h"
#include "virtq.h"
#include "worker.h"

struct guest_arg {
	const char *tap;
	const char *vhost;
	struct adversary adversary;
	bool cvm;
	struct vq_shared shared;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bifrost-host --iface IFACE --guest NAME (--tap TAP | --vhost-user SOCK)\n"
		"                    [--cvm [GPA-GPA[,GPA-GPA...]]] [--adversary POINTS] [--guest ...]...\n"
		"                    [--nic-queue N] [--cpus CPU] [--frames N] [--frame-size 2048|4096]\n"
		"                    [--ring N] [--batch N] [--busy-poll] [--zerocopy]\n");
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("BIFROST_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("bifrost-host: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Fills id, MAC and queue count of guest g->name from the pinned maps. */
static int lookup_guest(const char *ifname, struct bf_guest_rt *g)
{
	struct bf_guest_info info;
	struct bf_mac_key key = { 0 };
	struct bf_guest ge;
	struct bf_maps m;
	__u32 id;
	int found = 0;

	if (bf_maps_open(ifname, &m))
		return die("Bifrost is not attached to %s (run 'bifrostctl attach %s --config FILE')",
			   ifname, ifname);
	for (id = 0; id < BF_MAX_GUESTS && !found; id++) {
		if (bpf_map_lookup_elem(m.guest_info, &id, &info) || !info.in_use ||
		    strncmp(info.name, g->name, BF_NAME_LEN))
			continue;
		memcpy(key.addr, info.mac, 6);
		if (bpf_map_lookup_elem(m.guests, &key, &ge))
			break;
		g->id = id;
		memcpy(g->mac, info.mac, 6);
		g->nqueues = ge.nqueues ? ge.nqueues : 1;
		found = 1;
	}
	bf_maps_close(&m);
	return found ? 0 : die("guest '%s' is not in the policy attached to %s", g->name, ifname);
}

/* "0x1000-0x2000,0x5000-0x6000" -> shared ranges; 0 on success. */
static int parse_ranges(const char *s, struct vq_shared *sh)
{
	char *end;

	sh->cvm = true;
	sh->n = 0;
	while (*s) {
		unsigned long long a, b;

		if (sh->n >= VQ_MAX_SHARED)
			return -1;
		a = strtoull(s, &end, 0);
		if (end == s || *end != '-')
			return -1;
		s = end + 1;
		b = strtoull(s, &end, 0);
		if (end == s || b <= a || (*end && *end != ','))
			return -1;
		sh->r[sh->n].start = a;
		sh->r[sh->n].end = b;
		sh->n++;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "guest", required_argument, NULL, 'g' },
		{ "tap", required_argument, NULL, 't' },
		{ "vhost-user", required_argument, NULL, 'v' },
		{ "cvm", optional_argument, NULL, 'C' },
		{ "adversary", required_argument, NULL, 'A' },
		{ "nic-queue", required_argument, NULL, 'q' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "frames", required_argument, NULL, 'F' },
		{ "frame-size", required_argument, NULL, 'S' },
		{ "ring", required_argument, NULL, 'R' },
		{ "batch", required_argument, NULL, 'B' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "zerocopy", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bf_worker_opts wo = {
		.xsk = { .nframes = 8192, .frame_size = 4096, .ring_size = 2048 },
		.batch = 64,
		.cpu = -1,
	};
	static struct bf_guest_rt guests[BF_MAX_GUESTS];
	static struct bf_worker w;
	static struct guest_arg ga[BF_MAX_GUESTS];
	const char *iface = NULL;
	unsigned int ng = 0, i;
	uint32_t v;
	char err[512];
	int c, ret;

	libbpf_set_print(quiet_libbpf);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			iface = optarg;
			break;
		case 'g':
			if (ng >= BF_MAX_GUESTS)
				return die("at most %d guests", BF_MAX_GUESTS);
			snprintf(guests[ng++].name, BF_NAME_LEN, "%s", optarg);
			break;
		case 't':
		case 'v':
			if (!ng || ga[ng - 1].tap || ga[ng - 1].vhost)
				return die("--tap/--vhost-user must follow its --guest (one port each)");
			if (c == 't')
				ga[ng - 1].tap = optarg;
			else
				ga[ng - 1].vhost = optarg;
			break;
		case 'A':
			if (!ng || adversary_parse(optarg, &ga[ng - 1].adversary))
				return die("--adversary POINTS must follow its --guest; points: "
					   "rx-payload,rx-after,rx-hdr,rx-len,rx-tlshdr[,skip=N]");
			fprintf(stderr, "bifrost-host: ADVERSARY MODE for guest %s: tampering "
				"with its shared memory (%s) - for tests only\n",
				guests[ng - 1].name, optarg);
			break;
		case 'C':
			if (!ng)
				return die("--cvm must follow its --guest");
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];	/* "--cvm RANGES" form */
			ga[ng - 1].cvm = true;
			ga[ng - 1].shared.cvm = true;
			if (optarg && parse_ranges(optarg, &ga[ng - 1].shared))
				return die("bad --cvm ranges '%s' (want 0xSTART-0xEND[,...])", optarg);
			break;
		case 'q':
			if (parse_u32(optarg, 0, 1023, &wo.nic_queue))
				return die("bad --nic-queue '%s'", optarg);
			break;
		case 'c':
			if (parse_u32(optarg, 0, CPU_SETSIZE - 1, &v))
				return die("bad --cpus '%s' (one CPU number per worker)", optarg);
			wo.cpu = (int)v;
			break;
		case 'F':
			if (parse_u32(optarg, 256, 1 << 20, &wo.xsk.nframes) ||
			    (wo.xsk.nframes & (wo.xsk.nframes - 1)))
				return die("--frames must be a power of two, 256..1048576");
			break;
		case 'S':
			if (parse_u32(optarg, 2048, 4096, &wo.xsk.frame_size) ||
			    (wo.xsk.frame_size != 2048 && wo.xsk.frame_size != 4096))
				return die("--frame-size must be 2048 or 4096");
			break;
		case 'R':
			if (parse_u32(optarg, 64, 32768, &wo.xsk.ring_size) ||
			    (wo.xsk.ring_size & (wo.xsk.ring_size - 1)))
				return die("--ring must be a power of two, 64..32768");
			break;
		case 'B':
			if (parse_u32(optarg, 1, 1024, &wo.batch))
				return die("--batch must be 1..1024");
			break;
		case 'b':
			wo.xsk.busy_poll = true;
			break;
		case 'z':
			wo.xsk.zerocopy = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!iface || !ng || optind < argc) {
		usage(stderr);
		return 2;
	}
	if (wo.xsk.ring_size * 2 > wo.xsk.nframes)
		return die("--frames must be at least twice --ring");
	for (i = 0; i < ng; i++) {
		if (!ga[i].tap && !ga[i].vhost)
			return die("guest '%s' has no port (--tap or --vhost-user)", guests[i].name);
		if (lookup_guest(iface, &guests[i]))
			return 1;
		if (ga[i].adversary.points && !ga[i].vhost)
			return die("--adversary needs a --vhost-user guest");
		if (ga[i].cvm && !ga[i].vhost)
			return die("--cvm needs a --vhost-user guest (a tap has no guest memory)");
		if (ga[i].vhost) {
			if (guests[i].nqueues != 1)
				return die("guest '%s': vhost-user ports have one queue pair; "
					   "set 'queues 1' in the policy", guests[i].name);
			guests[i].port = bf_vhost_port_open(ga[i].vhost,
							    ga[i].cvm ? &ga[i].shared : NULL,
							    ga[i].adversary.points ? &ga[i].adversary : NULL,
							    err, sizeof(err));
		} else {
			guests[i].port = bf_tap_port_open(ga[i].tap, guests[i].nqueues,
							  guests[i].mac, err, sizeof(err));
		}
		if (!guests[i].port)
			return die("%s", err);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ret = bf_worker_init(&w, iface, &wo, guests, ng, &stop, err, sizeof(err));
	if (ret) {
		bf_worker_destroy(&w);
		return die("%s", err[0] ? err : strerror(-ret));
	}
	ret = bf_worker_start(&w);
	if (ret)
		return die("cannot start worker: %s", strerror(-ret));
	printf("bifrost-host: serving %u guest(s) on %s queue %u\n", ng, iface, wo.nic_queue);
	fflush(stdout);
	bf_worker_join(&w);
	printf("bifrost-host: worker 0 cpu_ns %llu loops %llu\n",
	       (unsigned long long)w.cpu_ns, (unsigned long long)w.loops);
	bf_worker_destroy(&w);
	for (i = 0; i < ng; i++)
		guests[i].port->ops->destroy(guests[i].port);
	return 0;
}
