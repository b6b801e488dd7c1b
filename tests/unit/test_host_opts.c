// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for bifrost-host's options and config-file guests
 * (host-afxdp/host_opts.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "host_opts.h"
#include "unit.h"

static struct host_opts o;
static char err[512];

/* Parses the words of line as argv after "bifrost-host". */
static int parse(const char *line)
{
	char *argv[32];
	int argc = unit_argv("bifrost-host", line, argv);

	return host_opts_parse(argc, argv, &o, err, sizeof(err));
}

static void flags(void)
{
	CHECK_EQ("two guests by flags", parse("--iface eth1 --guest vm1 --tap t1 --guest vm2 "
		 "--vhost-user /s --cvm 0x1000-0x2000 --cpus 3 --frames 4096 --ring 1024 "
		 "--frame-size 2048 --batch 32 --nic-queue 2 --busy-poll --zerocopy"), 0);
	CHECK("iface", o.iface && !strcmp(o.iface, "eth1") && !o.config);
	CHECK_EQ("guests", o.nguests, 2);
	CHECK("tap of vm1", !strcmp(o.g[0].c.name, "vm1") && !strcmp(o.g[0].c.be.tap, "t1"));
	CHECK("vhost-user of vm2", !strcmp(o.g[1].c.be.vhost_user, "/s"));
	CHECK_EQ("cvm range of vm2", o.g[1].c.be.cvm && o.g[1].c.be.nranges == 1 &&
		 o.g[1].c.be.ranges[0].end == 0x2000, 1);
	CHECK_EQ("worker: cpu", o.wo.cpu, 3);
	CHECK_EQ("worker: frames/ring/size", o.wo.xsk.nframes == 4096 &&
		 o.wo.xsk.ring_size == 1024 && o.wo.xsk.frame_size == 2048, 1);
	CHECK_EQ("worker: batch, queue", o.wo.batch == 32 && o.wo.nic_queue == 2, 1);
	CHECK_EQ("worker: busy-poll, zerocopy", o.wo.xsk.busy_poll && o.wo.xsk.zerocopy, 1);
	CHECK_EQ("defaults", parse("--iface eth1 --guest a --tap t"), 0);
	CHECK_EQ("default worker", o.wo.cpu == -1 && o.wo.batch == 64 &&
		 o.wo.xsk.nframes == 8192 && o.wo.xsk.frame_size == 4096, 1);
	CHECK_EQ("--cvm alone", parse("--iface e --guest a --vhost-user /s --cvm"), 0);
	CHECK_EQ("--cvm alone: no ranges", o.g[0].c.be.cvm && !o.g[0].c.be.nranges, 1);
	CHECK_EQ("--help", parse("--help") == 0 && o.help, 1);
}

static void rejects(void)
{
	CHECK_EQ("no iface: usage", parse("--guest a --tap t") == 2 && !err[0], 1);
	CHECK_EQ("no guest: usage", parse("--iface e") == 2 && !err[0], 1);
	CHECK_EQ("config with guest", parse("--iface e --config f --guest a --tap t"), 2);
	CHECK("config with guest: says why", strstr(err, "exclude") != NULL);
	CHECK_EQ("tap before guest", parse("--iface e --tap t --guest a"), 1);
	CHECK_EQ("two ports", parse("--iface e --guest a --tap t --vhost-user /s"), 1);
	CHECK_EQ("guest without port", parse("--iface e --guest a"), 1);
	CHECK_EQ("cvm on tap", parse("--iface e --guest a --tap t --cvm"), 1);
	CHECK_EQ("bad cvm ranges", parse("--iface e --guest a --vhost-user /s --cvm 5-1"), 1);
	CHECK_EQ("frames not power of two", parse("--iface e --guest a --tap t --frames 3000"), 1);
	CHECK_EQ("frames below twice ring", parse("--iface e --guest a --tap t --frames 2048"), 1);
	CHECK_EQ("frame size", parse("--iface e --guest a --tap t --frame-size 3000"), 1);
	CHECK_EQ("stray word", parse("--iface e --guest a --tap t extra"), 2);
	/* the hostile host is in the test build only (bifrost-host-adversary) */
	CHECK_EQ("no --adversary in the installed build",
		 parse("--iface e --guest a --vhost-user /s --adversary rx-hdr"), 2);
}

static void config_file(void)
{
	char path[] = "/tmp/test_host_opts.XXXXXX";
	int fd = mkstemp(path);
	const char *text =
		"guest vm1 mac 02:00:00:00:00:01 iface eth1 vhost-user /run/vm1.sock cvm on\n"
		"guest vm2 mac 02:00:00:00:00:02 iface eth2 tap t2\n"
		"guest vm3 mac 02:00:00:00:00:03 tap t3\n"
		"guest vm4 mac 02:00:00:00:00:04\n";
	struct host_guest a;

	CHECK("temp file", fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CHECK_EQ("--config parses", parse("--iface eth1 --config x --cpus 1"), 0);
	o.config = path;
	CHECK_EQ("load", host_opts_load(&o, err, sizeof(err)), 0);
	CHECK_EQ("guests of eth1 with a port", o.nguests, 2);
	CHECK("vm1 and vm3", !strcmp(o.g[0].c.name, "vm1") && !strcmp(o.g[1].c.name, "vm3"));
	CHECK_EQ("vm1 cvm", o.g[0].c.be.cvm, 1);
	a = o.g[0];
	CHECK_EQ("same guest unchanged", host_guest_changed(&a, &o.g[0]), 0);
	a.c.be.cvm = false;
	CHECK_EQ("cvm off is a change", host_guest_changed(&a, &o.g[0]), 1);
	a = o.g[1];
	snprintf(a.c.be.tap, sizeof(a.c.be.tap), "t9");
	CHECK_EQ("another tap is a change", host_guest_changed(&a, &o.g[1]), 1);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK("rewrite", fd >= 0 && write(fd, "guest x\n", 8) == 8);
	close(fd);
	CHECK_EQ("bad file", host_opts_load(&o, err, sizeof(err)), -EINVAL);
	CHECK("bad file: file:line", strstr(err, ":1: option") || strstr(err, ":1: guest 'x' has no mac"));
	unlink(path);
}

int main(void)
{
	flags();
	rejects();
	config_file();
	UNIT_EXIT();
}
