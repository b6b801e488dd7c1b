// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for the shared logger (lib/log.c): levels, line format with and
 * without the journal, and the per-call-site rate limit. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "unit.h"

static char out[4096];

/* Runs fn with standard error going to a file; its text into out. */
static void capture(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	dup2(fd, 2);
	fn();
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
}

static void four_levels(void)
{
	bf_err("e %d", 1);
	bf_warn("w");
	bf_info("i");
	bf_debug("d");
}

static void many(void)
{
	int i;

	for (i = 0; i < 25; i++)
		bf_log_rl(BF_LOG_WARN, "again %d", i);
}

static void levels(void)
{
	bf_log_init("prog");
	CHECK_EQ("default level info", bf_log_level(), BF_LOG_INFO);
	capture(four_levels);
	CHECK("text format, info drops debug",
	      !strcmp(out, "prog: error: e 1\nprog: warning: w\nprog: i\n"));
	CHECK_EQ("set debug", bf_log_set_level("debug"), 0);
	capture(four_levels);
	CHECK("debug shows all", strstr(out, "prog: debug: d\n") != NULL);
	CHECK_EQ("set error", bf_log_set_level("error"), 0);
	capture(four_levels);
	CHECK("error only", !strcmp(out, "prog: error: e 1\n"));
	CHECK_EQ("bad level", bf_log_set_level("loud"), -1);
	CHECK_EQ("bad level keeps the old one", bf_log_level(), BF_LOG_ERR);
	bf_log_set_level("info");
}

/* JOURNAL_STREAM naming the file standard error goes to: <N> prefixes. */
static void journal_lines(void)
{
	bf_log_init("prog");
	CHECK_EQ("no JOURNAL_STREAM: text", bf_log_to_journal(), 0);
	setenv("JOURNAL_STREAM", "1:1", 1);
	bf_log_init("prog");
	CHECK_EQ("JOURNAL_STREAM of another file: text", bf_log_to_journal(), 0);
	unsetenv("JOURNAL_STREAM");
	bf_log_set_level("info");
}

static void journal_format(void)
{
	char path[] = "/tmp/test_log.XXXXXX", js[64];
	int fd = mkstemp(path), saved = dup(2);
	struct stat st;
	ssize_t n;

	fstat(fd, &st);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	dup2(fd, 2);
	bf_log_init("prog");
	bf_err("e");
	bf_info("i");
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	unsetenv("JOURNAL_STREAM");
	CHECK("journal: <N> prefixes, no program name", !strcmp(out, "<3>e\n<6>i\n"));
	bf_log_init("prog");
}

static void ratelimit(void)
{
	struct bf_ratelimit rl = { 0 };
	unsigned int i, ok = 0, s = 0, sup;
	const char *p;

	for (i = 0; i < 30; i++) {
		ok += bf_ratelimit_allow(&rl, 1000 + i, &sup);
		s += sup;
	}
	CHECK_EQ("burst per window", ok, BF_LOG_BURST);
	CHECK_EQ("nothing reported inside the window", s, 0);
	CHECK_EQ("next window allows", bf_ratelimit_allow(&rl, 1000 + BF_LOG_WINDOW_NS, &sup), 1);
	CHECK_EQ("and reports the suppressed count", sup, 30 - BF_LOG_BURST);
	CHECK_EQ("count reported once", bf_ratelimit_allow(&rl, 1001 + BF_LOG_WINDOW_NS, &sup) &&
		 sup == 0, 1);
	capture(many);
	for (i = 0, p = out; (p = strstr(p, "again")); p++)
		i++;
	CHECK_EQ("one call site: a burst of lines", i, BF_LOG_BURST);
}

int main(void)
{
	levels();
	journal_lines();
	journal_format();
	ratelimit();
	UNIT_EXIT();
}
