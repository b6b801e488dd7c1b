// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* reload_status.c - the backend's reload answer (reload_status.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "reload_status.h"

static void status_path(const char *iface, char *path, size_t len)
{
	snprintf(path, len, BF_RELOAD_STATUS_FMT, iface);
}

int bf_reload_status_write(const char *iface, const struct bf_reload_status *st)
{
	char path[256], tmp[272];
	FILE *f;
	int err = 0;

	status_path(iface, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	mkdir(BF_RUN_DIR, 0755);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	/* one line: a message never carries a newline into the file */
	fprintf(f, "%" PRIu64 " %s %.*s\n", st->seq, st->ok ? "ok" : "failed",
		(int)strcspn(st->msg, "\n"), st->msg);
	if (fclose(f))
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int bf_reload_status_read(const char *iface, struct bf_reload_status *st)
{
	char path[256], line[BF_RELOAD_MSG_LEN + 64], *p, *end;
	unsigned long long seq;
	FILE *f;
	bool ok;

	memset(st, 0, sizeof(*st));
	status_path(iface, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (!p)
		return -EINVAL;
	line[strcspn(line, "\n")] = 0;
	errno = 0;
	seq = strtoull(line, &end, 10);
	if (errno || end == line || *end != ' ')
		return -EINVAL;
	p = end + 1;
	if (!strncmp(p, "ok", 2) && (p[2] == ' ' || !p[2]))
		ok = true, p += 2;
	else if (!strncmp(p, "failed", 6) && (p[6] == ' ' || !p[6]))
		ok = false, p += 6;
	else
		return -EINVAL;
	st->seq = seq;
	st->ok = ok;
	snprintf(st->msg, sizeof(st->msg), "%s", *p ? p + 1 : "");
	return 0;
}

void bf_reload_status_remove(const char *iface)
{
	char path[256];

	status_path(iface, path, sizeof(path));
	unlink(path);
}
