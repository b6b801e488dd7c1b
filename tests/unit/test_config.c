// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for the policy file parser (lib/config.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "unit.h"

static struct bf_config cfg;
static char err[512];

static int parse(const char *text)
{
	err[0] = 0;
	return bf_config_parse_string(text, "t.conf", &cfg, err, sizeof(err));
}

/* The config must be rejected with an error naming line `line` and `what`. */
static void rejects(const char *name, const char *text, int line, const char *what)
{
	char want[64];
	int rc = parse(text);

	snprintf(want, sizeof(want), "t.conf:%d: ", line);
	CHECK(name, rc == -EINVAL && strncmp(err, want, strlen(want)) == 0 &&
		    strstr(err, what) != NULL);
	if (rc != -EINVAL || !strstr(err, what))
		printf("  (error was: '%s')\n", err);
}

/* The backend's part of a guest line (iface, port, cvm ranges). */
static void backend_part(void)
{
	const struct bf_backend_cfg *be;
	struct bf_cfg_range r[2];

	CHECK_EQ("backend options parse", parse(
		"guest vm1 mac 02:00:00:00:00:01 iface eth1 vhost-user /run/vm1.sock "
		"cvm 0x1000-0x2000,0x10000-0x20000\n"
		"guest vm2 mac 02:00:00:00:00:02 tap tap-vm2 queues 4\n"
		"guest vm3 mac 02:00:00:00:00:03 iface eth2 vhost-user /s cvm on\n"
		"guest vm4 mac 02:00:00:00:00:04\n"), 0);
	be = &cfg.g[0].be;
	CHECK("iface", !strcmp(be->iface, "eth1"));
	CHECK("vhost-user path", !strcmp(be->vhost_user, "/run/vm1.sock") && !be->tap[0]);
	CHECK_EQ("cvm ranges", be->cvm && be->nranges == 2, 1);
	CHECK_EQ("cvm range 1", be->ranges[1].start == 0x10000 && be->ranges[1].end == 0x20000, 1);
	CHECK("tap", !strcmp(cfg.g[1].be.tap, "tap-vm2") && !cfg.g[1].be.iface[0]);
	CHECK_EQ("cvm on: no static ranges", cfg.g[2].be.cvm && !cfg.g[2].be.nranges, 1);
	CHECK_EQ("no backend options: all zero", cfg.g[3].be.cvm || cfg.g[3].be.tap[0] ||
		 cfg.g[3].be.vhost_user[0] || cfg.g[3].be.iface[0], 0);
	bf_config_select_iface(&cfg, "eth1");
	CHECK_EQ("select eth1: its guest and those without an iface", cfg.n, 3);
	CHECK("select keeps order", !strcmp(cfg.g[0].name, "vm1") &&
	      !strcmp(cfg.g[1].name, "vm2") && !strcmp(cfg.g[2].name, "vm4"));
	CHECK_EQ("last port wins", parse("guest a mac 02:00:00:00:00:01 tap t0 "
					 "vhost-user /x\n"), 0);
	CHECK("last port wins: vhost-user", !strcmp(cfg.g[0].be.vhost_user, "/x") &&
	      !cfg.g[0].be.tap[0]);

	rejects("cvm on a tap", "guest a mac 02:00:00:00:00:01 tap t0 cvm on\n", 1,
		"cvm needs a vhost-user port");
	rejects("cvm without a port", "guest a mac 02:00:00:00:00:01 cvm on\n", 1,
		"cvm needs a vhost-user port");
	rejects("vhost-user with queues", "guest a mac 02:00:00:00:00:01 queues 2 "
		"vhost-user /x\n", 1, "one queue pair");
	rejects("bad cvm range", "guest a mac 02:00:00:00:00:01 vhost-user /x cvm 0x2000-0x1000\n",
		1, "cvm must be");
	rejects("cvm range list ends in a comma", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"cvm 0x1-0x2,\n", 1, "cvm must be");
	rejects("long tap name", "guest a mac 02:00:00:00:00:01 tap 0123456789abcdef\n", 1,
		"longer than 15 bytes");
	rejects("long iface", "guest a mac 02:00:00:00:00:01 iface 0123456789abcdef\n", 1,
		"longer than 15 bytes");
	rejects("control byte in a path", "guest a mac 02:00:00:00:00:01 vhost-user /a\x01b\n", 1,
		"control character");
	CHECK_EQ("ranges: one", bf_parse_ranges("0-4096", r, 2), 1);
	CHECK_EQ("ranges: more than max", bf_parse_ranges("1-2,3-4,5-6", r, 2), -EINVAL);
	CHECK_EQ("ranges: empty", bf_parse_ranges("", r, 2), -EINVAL);
	CHECK_EQ("ranges: negative", bf_parse_ranges("-1-2", r, 2), -EINVAL);
	CHECK_EQ("ranges: no end", bf_parse_ranges("0x10-", r, 2), -EINVAL);
}

/* The vhost-user socket's owner, group and mode. */
static void socket_perm(void)
{
	const struct bf_backend_cfg *be = &cfg.g[0].be;

	CHECK_EQ("socket-owner/-group/-mode parse", parse(
		"guest a mac 02:00:00:00:00:01 vhost-user /x socket-owner libvirt-qemu "
		"socket-group kvm socket-mode 0660\n"
		"guest b mac 02:00:00:00:00:02 vhost-user /y socket-owner 64055 socket-mode 0\n"
		"guest c mac 02:00:00:00:00:03 vhost-user /z\n"), 0);
	CHECK("socket-owner", !strcmp(be->sock_owner, "libvirt-qemu"));
	CHECK("socket-group", !strcmp(be->sock_group, "kvm"));
	CHECK_EQ("socket-mode is octal", be->sock_mode_set && be->sock_mode == 0660, 1);
	CHECK("a number for an owner", !strcmp(cfg.g[1].be.sock_owner, "64055") &&
	      !cfg.g[1].be.sock_group[0]);
	CHECK_EQ("socket-mode 0", cfg.g[1].be.sock_mode_set && cfg.g[1].be.sock_mode == 0, 1);
	CHECK_EQ("none given: none set", cfg.g[2].be.sock_owner[0] || cfg.g[2].be.sock_group[0] ||
		 cfg.g[2].be.sock_mode_set, 0);
	CHECK_EQ("socket-mode 777, last one wins", parse("guest a mac 02:00:00:00:00:01 "
		 "vhost-user /x socket-mode 0600 socket-mode 777\n") == 0 &&
		 cfg.g[0].be.sock_mode == 0777, 1);
	CHECK_EQ("a 31-byte owner", parse("guest a mac 02:00:00:00:00:01 vhost-user /x "
		 "socket-owner abcdefghijklmnopqrstuvwxyz01234\n"), 0);

	rejects("socket-mode above 0777", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-mode 1777\n", 1, "socket-mode must be octal 0-0777");
	rejects("socket-mode not octal", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-mode 0680\n", 1, "socket-mode must be octal");
	rejects("socket-mode in letters", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-mode u+rw\n", 1, "not 'u+rw'");
	rejects("socket-mode too long", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-mode 00660\n", 1, "socket-mode must be octal");
	rejects("socket-owner with a slash", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-owner a/b\n", 1, "socket-owner 'a/b' is not a user name");
	rejects("socket-group starting with -", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-group -kvm\n", 1, "socket-group '-kvm' is not a group name");
	rejects("a 32-byte owner", "guest a mac 02:00:00:00:00:01 vhost-user /x "
		"socket-owner abcdefghijklmnopqrstuvwxyz012345\n", 1, "is not a user name");
	rejects("socket-owner on a tap", "guest a mac 02:00:00:00:00:01 tap t0 "
		"socket-owner nobody\n", 1, "need a vhost-user port");
	rejects("socket-mode without a port", "guest a mac 02:00:00:00:00:01 socket-mode 0600\n",
		1, "need a vhost-user port");
}

int main(void)
{
	const struct bf_guest_cfg *g;
	uint8_t mac[6];
	char buf[18];

	CHECK_EQ("full line parses", parse(
		"# comment line\n"
		"\n"
		"guest vm1 mac 52:54:00:12:34:56 queues 2 prpr on max-merge 65535 "
		"max-segs 44 flush-us 50 zced-ports 443,8443   # trailing\n"
		"guest vm2 mac 52:54:00:AB:cd:EF prpr off\n"), 0);
	CHECK_EQ("two guests", cfg.n, 2);
	g = &cfg.g[0];
	CHECK("name", !strcmp(g->name, "vm1"));
	CHECK("mac bytes", !memcmp(g->mac, "\x52\x54\x00\x12\x34\x56", 6));
	CHECK_EQ("queues", g->nqueues, 2);
	CHECK_EQ("prpr on", g->pol.flags & BF_POL_PRPR, BF_POL_PRPR);
	CHECK_EQ("max-merge", g->pol.max_merge_bytes, 65535);
	CHECK_EQ("max-segs", g->pol.max_segs, 44);
	CHECK_EQ("flush-us", g->pol.flush_us, 50);
	CHECK_EQ("zced port count", g->pol.n_zced_ports, 2);
	CHECK_EQ("zced port 0", g->pol.zced_ports[0], 443);
	CHECK_EQ("zced port 1", g->pol.zced_ports[1], 8443);
	g = &cfg.g[1];
	CHECK_EQ("defaults: queues 1", g->nqueues, 1);
	CHECK_EQ("prpr off", g->pol.flags & BF_POL_PRPR, 0);
	CHECK_EQ("defaults: max-merge", g->pol.max_merge_bytes, BF_MAX_MERGE_BYTES);
	CHECK_EQ("defaults: max-segs", g->pol.max_segs, BF_DEFAULT_MAX_SEGS);
	CHECK_EQ("defaults: flush-us", g->pol.flush_us, BF_DEFAULT_FLUSH_US);
	CHECK_EQ("defaults: no zced ports", g->pol.n_zced_ports, 0);
	CHECK("mixed-case MAC", !memcmp(g->mac, "\x52\x54\x00\xab\xcd\xef", 6));

	CHECK_EQ("empty file is valid", parse(""), 0);
	CHECK_EQ("empty file has no guests", cfg.n, 0);
	CHECK_EQ("tabs and CRLF", parse("guest\tv\tmac 02:00:00:00:00:01\r\n"), 0);
	CHECK_EQ("no trailing newline", parse("guest v mac 02:00:00:00:00:01"), 0);

	rejects("unknown directive", "\n\nhost x\n", 3, "unknown directive");
	rejects("missing name", "guest\n", 1, "needs a name");
	rejects("bad name", "guest a/b mac 02:00:00:00:00:01\n", 1, "bad guest name");
	rejects("long name", "guest aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa mac 02:00:00:00:00:01\n",
		1, "bad guest name");
	rejects("no mac", "guest a queues 1\n", 1, "has no mac");
	rejects("bad mac", "guest a mac 02:00:00:00:00\n", 1, "bad MAC");
	rejects("bad mac hex", "guest a mac 02:00:00:00:00:0g\n", 1, "bad MAC");
	rejects("multicast mac", "guest a mac 01:00:5e:00:00:01\n", 1, "multicast");
	rejects("queues 0", "guest a mac 02:00:00:00:00:01 queues 0\n", 1, "queues");
	rejects("queues 17", "guest a mac 02:00:00:00:00:01 queues 17\n", 1, "queues");
	rejects("prpr maybe", "guest a mac 02:00:00:00:00:01 prpr maybe\n", 1, "prpr");
	rejects("max-merge 65536", "guest a mac 02:00:00:00:00:01 max-merge 65536\n", 1,
		"max-merge");
	rejects("max-merge negative", "guest a mac 02:00:00:00:00:01 max-merge -1\n", 1,
		"max-merge");
	rejects("max-segs 65536", "guest a mac 02:00:00:00:00:01 max-segs 65536\n", 1, "max-segs");
	rejects("flush-us huge", "guest a mac 02:00:00:00:00:01 flush-us 99999999\n", 1,
		"flush-us");
	rejects("port 0", "guest a mac 02:00:00:00:00:01 zced-ports 0\n", 1, "bad port");
	rejects("port 70000", "guest a mac 02:00:00:00:00:01 zced-ports 443,70000\n", 1,
		"bad port");
	rejects("port twice", "guest a mac 02:00:00:00:00:01 zced-ports 443,443\n", 1,
		"twice");
	rejects("too many ports", "guest a mac 02:00:00:00:00:01 zced-ports "
		"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", 1, "more than");
	rejects("option without value", "guest a mac 02:00:00:00:00:01 queues\n", 1,
		"needs a value");
	rejects("unknown option", "guest a mac 02:00:00:00:00:01 color red\n", 1,
		"unknown option");
	rejects("duplicate name", "guest a mac 02:00:00:00:00:01\n# x\nguest a mac 02:00:00:00:00:02\n",
		3, "defined twice");
	rejects("duplicate mac", "guest a mac 02:00:00:00:00:01\nguest b mac 02:00:00:00:00:01\n",
		2, "share a MAC");
	rejects("trailing junk in number", "guest a mac 02:00:00:00:00:01 queues 2x\n", 1,
		"queues");

	/* Found by fuzz_config: a shorter second list left the first one's
	 * ports in the unused slots of the policy written to the map. */
	CHECK_EQ("zced-ports twice parses", parse("guest a mac 02:00:00:00:00:01 "
		 "zced-ports 1,2,3 zced-ports 9\n"), 0);
	CHECK_EQ("zced-ports twice: the last list counts", cfg.g[0].pol.n_zced_ports, 1);
	CHECK_EQ("zced-ports twice: its port", cfg.g[0].pol.zced_ports[0], 9);
	CHECK("zced-ports twice: no stale ports after the list",
	      !cfg.g[0].pol.zced_ports[1] && !cfg.g[0].pol.zced_ports[2]);

	CHECK_EQ("parse_mac ok", bf_parse_mac("aa:bb:cc:dd:ee:ff", mac), 0);
	bf_format_mac(mac, buf);
	CHECK("format_mac round trip", !strcmp(buf, "aa:bb:cc:dd:ee:ff"));
	CHECK_EQ("parse_mac trailing", bf_parse_mac("aa:bb:cc:dd:ee:ff:", mac), -EINVAL);
	CHECK_EQ("parse_mac short", bf_parse_mac("aa:bb", mac), -EINVAL);

	CHECK_EQ("missing file", bf_config_parse_file("/nonexistent/x.conf", &cfg, err,
						      sizeof(err)), -ENOENT);
	CHECK("missing file error names file", strstr(err, "/nonexistent/x.conf") != NULL);
	backend_part();
	socket_perm();
	UNIT_EXIT();
}
