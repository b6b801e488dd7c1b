// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config.c - Bifrost policy file parser (format in config.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

#define MAX_LINE	1024
#define MAX_FILE	(1 << 20)

struct pctx {
	const char *fname;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int fail(struct pctx *c, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "%s:%u: ", c->fname, c->line);
	va_list ap;

	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int bf_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		mac[i] = (uint8_t)strtoul((char[]){ s[0], s[1], 0 }, NULL, 16);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

void bf_format_mac(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Decimal number in [lo, hi]; 0 on success. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int bf_config_name_valid(const char *s)
{
	size_t n = strnlen(s, BF_NAME_LEN);

	if (n == 0 || n >= BF_NAME_LEN)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static int parse_ports(struct pctx *c, char *s, struct bf_policy *pol)
{
	char *save = NULL, *tok;
	unsigned long v;
	unsigned int i;

	/* a repeated option replaces the whole list */
	pol->n_zced_ports = 0;
	memset(pol->zced_ports, 0, sizeof(pol->zced_ports));
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (parse_uint(tok, 1, 65535, &v))
			return fail(c, "bad port '%s' in zced-ports (1-65535)", tok);
		if (pol->n_zced_ports >= BF_MAX_ZCED_PORTS)
			return fail(c, "more than %d zced-ports", BF_MAX_ZCED_PORTS);
		for (i = 0; i < pol->n_zced_ports; i++)
			if (pol->zced_ports[i] == v)
				return fail(c, "port %lu listed twice in zced-ports", v);
		pol->zced_ports[pol->n_zced_ports++] = (uint16_t)v;
	}
	if (!pol->n_zced_ports)
		return fail(c, "zced-ports needs at least one port");
	return 0;
}

int bf_parse_ranges(const char *s, struct bf_cfg_range *r, unsigned int max)
{
	unsigned long long a, b;
	unsigned int n = 0;
	char *end;

	do {
		if (n >= max || !isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		a = strtoull(s, &end, 0);
		if (errno || *end != '-' || !isdigit((unsigned char)end[1]))
			return -EINVAL;
		s = end + 1;
		b = strtoull(s, &end, 0);
		if (errno || b <= a || (*end && *end != ','))
			return -EINVAL;
		r[n].start = a;
		r[n].end = b;
		n++;
		s = end;
	} while (*s++ == ',');
	return (int)n;
}

/* A path or interface name of the backend: fits, has no control bytes. */
static int copy_word(struct pctx *c, char *dst, size_t len, const char *key,
		     const char *val)
{
	const char *p;

	if (strlen(val) >= len)
		return fail(c, "%s '%s' is longer than %zu bytes", key, val, len - 1);
	for (p = val; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(c, "%s has a control character", key);
	memset(dst, 0, len);	/* a repeated option leaves nothing behind */
	strcpy(dst, val);
	return 0;
}

static int parse_cvm(struct pctx *c, struct bf_backend_cfg *be, const char *val)
{
	int n;

	be->cvm = true;
	be->nranges = 0;
	memset(be->ranges, 0, sizeof(be->ranges));
	if (!strcmp(val, "on"))
		return 0;
	n = bf_parse_ranges(val, be->ranges, BF_CFG_MAX_RANGES);
	if (n < 0)
		return fail(c, "cvm must be 'on' or up to %d ranges 0xSTART-0xEND[,...], not '%s'",
			    BF_CFG_MAX_RANGES, val);
	be->nranges = (unsigned int)n;
	return 0;
}

/* socket-owner/socket-group: a user or group name as useradd takes it (1 to
 * BF_CFG_USER_LEN - 1 of A-Z a-z 0-9 _ . -, not starting with -) or a
 * number; whether it exists is bifrost-host's to find out. */
static int parse_account(struct pctx *c, char *dst, const char *key, const char *val)
{
	size_t n = strlen(val), i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)val[i]) && !strchr("_.-", val[i]))
			break;
	if (n >= BF_CFG_USER_LEN || i < n || val[0] == '-')
		return fail(c, "%s '%s' is not a %s name (1-%d of A-Z a-z 0-9 _ . -, "
			    "not starting with -)", key, val, key[7] == 'o' ? "user" : "group",
			    BF_CFG_USER_LEN - 1);
	memset(dst, 0, BF_CFG_USER_LEN);
	strcpy(dst, val);
	return 0;
}

/* socket-mode: octal permission bits, 0-0777 (no setuid, setgid, sticky). */
static int parse_mode(struct pctx *c, struct bf_backend_cfg *be, const char *val)
{
	size_t n = strlen(val);

	if (n < 1 || n > 4 || strspn(val, "01234567") != n || strtoul(val, NULL, 8) > 0777)
		return fail(c, "socket-mode must be octal 0-0777 (e.g. 0660), not '%s'", val);
	be->sock_mode = (uint16_t)strtoul(val, NULL, 8);
	be->sock_mode_set = true;
	return 0;
}

/* Options of the backend's part (bf_backend_cfg); 1: not one of them. */
static int parse_backend_option(struct pctx *c, struct bf_backend_cfg *be,
				const char *key, const char *val)
{
	if (!strcmp(key, "iface"))
		return copy_word(c, be->iface, sizeof(be->iface), key, val);
	if (!strcmp(key, "vhost-user") || !strcmp(key, "tap")) {
		/* the last port wins */
		memset(be->vhost_user, 0, sizeof(be->vhost_user));
		memset(be->tap, 0, sizeof(be->tap));
		if (key[0] == 't')
			return copy_word(c, be->tap, sizeof(be->tap), key, val);
		return copy_word(c, be->vhost_user, sizeof(be->vhost_user), key, val);
	}
	if (!strcmp(key, "cvm"))
		return parse_cvm(c, be, val);
	if (!strcmp(key, "socket-owner"))
		return parse_account(c, be->sock_owner, key, val);
	if (!strcmp(key, "socket-group"))
		return parse_account(c, be->sock_group, key, val);
	if (!strcmp(key, "socket-mode"))
		return parse_mode(c, be, val);
	return 1;
}

static int parse_option(struct pctx *c, struct bf_guest_cfg *g,
			const char *key, char *val, unsigned int *seen_mac)
{
	unsigned long v;
	int ret = parse_backend_option(c, &g->be, key, val);

	if (ret <= 0)
		return ret;
	if (!strcmp(key, "mac")) {
		if (bf_parse_mac(val, g->mac))
			return fail(c, "bad MAC address '%s'", val);
		if (g->mac[0] & 1)
			return fail(c, "MAC %s is multicast; a guest needs a unicast MAC", val);
		*seen_mac = 1;
	} else if (!strcmp(key, "queues")) {
		if (parse_uint(val, 1, BF_MAX_QUEUES, &v))
			return fail(c, "queues must be 1-%d, not '%s'", BF_MAX_QUEUES, val);
		g->nqueues = (uint16_t)v;
	} else if (!strcmp(key, "prpr")) {
		if (!strcmp(val, "on"))
			g->pol.flags |= BF_POL_PRPR;
		else if (!strcmp(val, "off"))
			g->pol.flags &= ~BF_POL_PRPR;
		else
			return fail(c, "prpr must be 'on' or 'off', not '%s'", val);
	} else if (!strcmp(key, "max-merge")) {
		if (parse_uint(val, 1, BF_MAX_MERGE_BYTES, &v))
			return fail(c, "max-merge must be 1-%d bytes, not '%s'",
				    BF_MAX_MERGE_BYTES, val);
		g->pol.max_merge_bytes = (uint32_t)v;
	} else if (!strcmp(key, "max-segs")) {
		if (parse_uint(val, 1, BF_MAX_MERGE_SEGS, &v))
			return fail(c, "max-segs must be 1-%d, not '%s'",
				    BF_MAX_MERGE_SEGS, val);
		g->pol.max_segs = (uint32_t)v;
	} else if (!strcmp(key, "flush-us")) {
		if (parse_uint(val, 0, BF_MAX_FLUSH_US, &v))
			return fail(c, "flush-us must be 0-%d, not '%s'",
				    BF_MAX_FLUSH_US, val);
		g->pol.flush_us = (uint32_t)v;
	} else if (!strcmp(key, "zced-ports")) {
		return parse_ports(c, val, &g->pol);
	} else {
		return fail(c, "unknown option '%s'", key);
	}
	return 0;
}

static int parse_line(struct pctx *c, char *line, struct bf_config *cfg)
{
	char *save = NULL, *tok, *val;
	struct bf_guest_cfg *g;
	unsigned int seen_mac = 0, i;

	tok = strtok_r(line, " \t\r", &save);
	if (!tok)
		return 0;
	if (strcmp(tok, "guest"))
		return fail(c, "unknown directive '%s' (expected 'guest')", tok);
	if (cfg->n >= BF_MAX_GUESTS)
		return fail(c, "more than %d guests", BF_MAX_GUESTS);
	g = &cfg->g[cfg->n];
	memset(g, 0, sizeof(*g));
	g->nqueues = 1;
	g->pol.flags = BF_POL_PRPR;
	g->pol.max_merge_bytes = BF_MAX_MERGE_BYTES;
	g->pol.max_segs = BF_DEFAULT_MAX_SEGS;
	g->pol.flush_us = BF_DEFAULT_FLUSH_US;

	tok = strtok_r(NULL, " \t\r", &save);
	if (!tok)
		return fail(c, "guest needs a name");
	if (!bf_config_name_valid(tok))
		return fail(c, "bad guest name '%s' (1-%d of A-Z a-z 0-9 _ . -)",
			    tok, BF_NAME_LEN - 1);
	strcpy(g->name, tok);
	while ((tok = strtok_r(NULL, " \t\r", &save))) {
		val = strtok_r(NULL, " \t\r", &save);
		if (!val)
			return fail(c, "option '%s' needs a value", tok);
		if (parse_option(c, g, tok, val, &seen_mac))
			return -EINVAL;
	}
	if (!seen_mac)
		return fail(c, "guest '%s' has no mac", g->name);
	if (g->be.cvm && !g->be.vhost_user[0])
		return fail(c, "guest '%s': cvm needs a vhost-user port (a tap has no guest memory)",
			    g->name);
	if (g->be.vhost_user[0] && g->nqueues != 1)
		return fail(c, "guest '%s': a vhost-user port has one queue pair", g->name);
	if ((g->be.sock_owner[0] || g->be.sock_group[0] || g->be.sock_mode_set) &&
	    !g->be.vhost_user[0])
		return fail(c, "guest '%s': socket-owner, socket-group and socket-mode need a "
			    "vhost-user port", g->name);
	for (i = 0; i < cfg->n; i++) {
		if (!strcmp(cfg->g[i].name, g->name))
			return fail(c, "guest '%s' defined twice", g->name);
		if (!memcmp(cfg->g[i].mac, g->mac, 6))
			return fail(c, "guests '%s' and '%s' share a MAC",
				    cfg->g[i].name, g->name);
	}
	cfg->n++;
	return 0;
}

int bf_config_parse_string(const char *text, const char *fname,
			   struct bf_config *cfg, char *err, size_t errlen)
{
	struct pctx c = { .fname = fname, .err = err, .errlen = errlen };
	char line[MAX_LINE];
	const char *p = text, *nl;
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	while (*p) {
		c.line++;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			return fail(&c, "line longer than %d bytes", MAX_LINE - 1);
		memcpy(line, p, n);
		line[n] = 0;
		p += n + (nl ? 1 : 0);
		if (strchr(line, '#'))
			*strchr(line, '#') = 0;
		if (parse_line(&c, line, cfg))
			return -EINVAL;
	}
	return 0;
}

void bf_config_select_iface(struct bf_config *cfg, const char *iface)
{
	unsigned int i, n = 0;

	for (i = 0; i < cfg->n; i++)
		if (!cfg->g[i].be.iface[0] || !strcmp(cfg->g[i].be.iface, iface))
			cfg->g[n++] = cfg->g[i];
	cfg->n = n;
}

int bf_config_parse_file(const char *path, struct bf_config *cfg,
			 char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f = NULL;
	struct stat st;
	char *buf;
	size_t n;
	int ret;

	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (fd >= 0)
		f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		snprintf(err, errlen, "%s: read error", path);
		return -EIO;
	}
	fclose(f);
	if (n > MAX_FILE) {
		free(buf);
		snprintf(err, errlen, "%s: larger than %d bytes", path, MAX_FILE);
		return -EFBIG;
	}
	buf[n] = 0;
	if (strlen(buf) != n) {
		free(buf);
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	ret = bf_config_parse_string(buf, path, cfg, err, errlen);
	free(buf);
	return ret;
}
