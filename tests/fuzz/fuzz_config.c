// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_config.c - libFuzzer harness for the bifrostctl policy file parser
 * (lib/config.c). The input is the file's text: it is parsed from a
 * string (bf_config_parse_string) and from a file (bf_config_parse_file
 * on a memfd holding the same bytes).
 *
 * Beyond "no crash" it asserts:
 *   - an accepted config is within the bounds config.h documents: at most
 *     BF_MAX_GUESTS guests with distinct valid names and distinct unicast
 *     MACs, queues 1-BF_MAX_QUEUES, max-merge 1-BF_MAX_MERGE_BYTES,
 *     max-segs 1-BF_MAX_MERGE_SEGS, flush-us 0-BF_MAX_FLUSH_US, only known
 *     policy flags, at most BF_MAX_ZCED_PORTS distinct non-zero ports;
 *     backend names NUL-terminated with nothing after the NUL, at most one
 *     port, cvm and socket-owner/-group/-mode only with a vhost-user port,
 *     ranges with start < end, socket-mode at most 0777;
 *   - an accepted config written back as text parses to the same config;
 *   - a rejected one has a "NAME:LINE: " error, and a short error buffer
 *     gets a NUL-terminated prefix of the same message;
 *   - the file and the string parser agree (the file parser refuses a NUL
 *     byte, which ends the string parser's text); checked for one input
 *     length in FILE_EVERY, as reading a file is slow.
 */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "config.h"

#define ERR_LEN	512
#define OUT_LEN	(BF_MAX_GUESTS * 1024)
#define FILE_EVERY	8

static struct bf_config cfg, again;

static void check_policy(const struct bf_policy *p)
{
	unsigned int i, j;

	if (p->flags & ~BF_POL_PRPR || p->generation ||
	    p->max_merge_bytes < 1 || p->max_merge_bytes > BF_MAX_MERGE_BYTES ||
	    p->max_segs < 1 || p->max_segs > BF_MAX_MERGE_SEGS ||
	    p->flush_us > BF_MAX_FLUSH_US || p->n_zced_ports > BF_MAX_ZCED_PORTS)
		abort();
	for (i = 0; i < p->n_zced_ports; i++) {
		if (!p->zced_ports[i])
			abort();
		for (j = 0; j < i; j++)
			if (p->zced_ports[i] == p->zced_ports[j])
				abort();
	}
	for (; i < BF_MAX_ZCED_PORTS; i++)
		if (p->zced_ports[i])
			abort();
}

/* s is a string of len bytes at most with zeros after its end. */
static void check_word(const char *s, size_t len)
{
	size_t n = strnlen(s, len);

	if (n >= len)
		abort();
	for (; n < len; n++)
		if (s[n])
			abort();
}

static void check_backend(const struct bf_guest_cfg *g)
{
	const struct bf_backend_cfg *be = &g->be;
	unsigned int i;

	check_word(be->iface, sizeof(be->iface));
	check_word(be->tap, sizeof(be->tap));
	check_word(be->vhost_user, sizeof(be->vhost_user));
	check_word(be->sock_owner, sizeof(be->sock_owner));
	check_word(be->sock_group, sizeof(be->sock_group));
	if (be->sock_mode > 0777 || (!be->sock_mode_set && be->sock_mode) ||
	    ((be->sock_owner[0] || be->sock_group[0] || be->sock_mode_set) && !be->vhost_user[0]))
		abort();
	if ((be->tap[0] && be->vhost_user[0]) || (be->cvm && !be->vhost_user[0]) ||
	    (!be->cvm && be->nranges) || be->nranges > BF_CFG_MAX_RANGES ||
	    (be->vhost_user[0] && g->nqueues != 1))
		abort();
	for (i = 0; i < be->nranges; i++)
		if (be->ranges[i].start >= be->ranges[i].end)
			abort();
}

static void check_bounds(const struct bf_config *c)
{
	unsigned int i, j;

	if (c->n > BF_MAX_GUESTS)
		abort();
	for (i = 0; i < c->n; i++) {
		const struct bf_guest_cfg *g = &c->g[i];

		if (!bf_config_name_valid(g->name) || (g->mac[0] & 1) ||
		    g->nqueues < 1 || g->nqueues > BF_MAX_QUEUES)
			abort();
		check_policy(&g->pol);
		check_backend(g);
		for (j = 0; j < i; j++)
			if (!strcmp(g->name, c->g[j].name) || !memcmp(g->mac, c->g[j].mac, 6))
				abort();
	}
}

/* One config line that states every option of g. */
static size_t write_guest(const struct bf_guest_cfg *g, char *out, size_t len)
{
	char mac[18];
	size_t n;
	unsigned int i;

	bf_format_mac(g->mac, mac);
	n = snprintf(out, len, "guest %s mac %s queues %u prpr %s max-merge %u max-segs %u flush-us %u",
		     g->name, mac, g->nqueues, (g->pol.flags & BF_POL_PRPR) ? "on" : "off",
		     g->pol.max_merge_bytes, g->pol.max_segs, g->pol.flush_us);
	for (i = 0; i < g->pol.n_zced_ports; i++)
		n += snprintf(out + n, len - n, "%s%u", i ? "," : " zced-ports ",
			      g->pol.zced_ports[i]);
	if (g->be.iface[0])
		n += snprintf(out + n, len - n, " iface %s", g->be.iface);
	if (g->be.tap[0])
		n += snprintf(out + n, len - n, " tap %s", g->be.tap);
	if (g->be.vhost_user[0])
		n += snprintf(out + n, len - n, " vhost-user %s", g->be.vhost_user);
	if (g->be.sock_owner[0])
		n += snprintf(out + n, len - n, " socket-owner %s", g->be.sock_owner);
	if (g->be.sock_group[0])
		n += snprintf(out + n, len - n, " socket-group %s", g->be.sock_group);
	if (g->be.sock_mode_set)
		n += snprintf(out + n, len - n, " socket-mode %04o", g->be.sock_mode);
	if (g->be.cvm && !g->be.nranges)
		n += snprintf(out + n, len - n, " cvm on");
	for (i = 0; i < g->be.nranges; i++)
		n += snprintf(out + n, len - n, "%s0x%llx-0x%llx", i ? "," : " cvm ",
			      (unsigned long long)g->be.ranges[i].start,
			      (unsigned long long)g->be.ranges[i].end);
	n += snprintf(out + n, len - n, "\n");
	return n;
}

static void check_round_trip(const struct bf_config *c)
{
	static char text[OUT_LEN], err[ERR_LEN];
	size_t n = 0;
	unsigned int i;

	text[0] = 0;
	for (i = 0; i < c->n; i++)
		n += write_guest(&c->g[i], text + n, sizeof(text) - n);
	if (bf_config_parse_string(text, "rt", &again, err, sizeof(err)) ||
	    memcmp(&again, c, sizeof(again)))
		abort();
}

static int memfd = -1;
static char path[64];	/* the memfd, also the string parser's file name */

/* A short buffer gets a NUL-terminated prefix of the full message. */
static void check_short_err(const char *text, const char *full, size_t errlen)
{
	char err[64];

	memset(err, 'x', sizeof(err));
	if (bf_config_parse_string(text, path, &again, err, errlen) != -EINVAL)
		abort();
	if (strnlen(err, errlen) >= errlen || strncmp(err, full, strlen(err)))
		abort();
}

/* The same bytes from a file: same verdict, config and message. */
static void check_file(const uint8_t *data, size_t size, int rc, const char *err)
{
	static char ferr[ERR_LEN];

	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	if (memchr(data, 0, size)) {
		if (bf_config_parse_file(path, &again, ferr, sizeof(ferr)) != -EINVAL ||
		    !strstr(ferr, "NUL byte"))
			abort();
		return;
	}
	if (bf_config_parse_file(path, &again, ferr, sizeof(ferr)) != rc ||
	    (rc == 0 && memcmp(&again, &cfg, sizeof(cfg))) ||
	    (rc != 0 && strcmp(ferr, err)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char err[ERR_LEN];
	size_t plen;
	char *text;
	int rc;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_config", 0);
		if (memfd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	plen = strlen(path);
	rc = bf_config_parse_string(text, path, &cfg, err, sizeof(err));
	if (rc == 0) {
		check_bounds(&cfg);
		check_round_trip(&cfg);
	} else if (rc != -EINVAL || strncmp(err, path, plen) || err[plen] != ':' ||
		   !strstr(err + plen + 1, ": ")) {
		abort();
	} else {
		check_short_err(text, err, 1 + size % 40);
	}
	/* reading a file costs a 1 MiB buffer: compare one input length in
	 * FILE_EVERY (mutations change lengths, so every shape gets there) */
	if (size <= (1 << 20) && size % FILE_EVERY == 0)
		check_file(data, size, rc, err);
	free(text);
	return 0;
}
