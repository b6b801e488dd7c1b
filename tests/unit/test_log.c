// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for the shared logger (lib/log.c): levels, line format with and
 * without the journal, and the per-call-site rate limit. */
#include <errno.h>
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
	static struct bf_ratelimit rl;
	int i;

	for (i = 0; i < 25; i++)
		bf_log_limited(&rl, BF_LOG_WARN, "again %d", i);
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
	CHECK_EQ("bad level", bf_log_set_level("loud"), -EINVAL);
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

/* A zeroed limiter: BF_LOG_BURST at once, then BF_LOG_PER_SEC a second. */
static void ratelimit(void)
{
	struct bf_ratelimit rl = { 0 };
	uint64_t t = 5000000000ULL;
	unsigned int i, ok = 0, missed = 77;
	const char *p;

	for (i = 0; i < 30; i++)
		ok += bf_ratelimit_allow(&rl, t + i * 1000, &missed);
	CHECK_EQ("default burst", ok, BF_LOG_BURST);
	CHECK_EQ("nothing suppressed before the first line", missed, 0);
	CHECK("a second later lines pass", bf_ratelimit_allow(&rl, t + 1000000000ULL, &missed));
	CHECK_EQ("and the suppressed lines are reported", missed, 30 - BF_LOG_BURST);
	CHECK("then counted afresh", bf_ratelimit_allow(&rl, t + 1000000001ULL, &missed) &&
	      missed == 0);
	capture(many);
	for (i = 0, p = out; (p = strstr(p, "again")); p++)
		i++;
	CHECK_EQ("one call site: a burst of lines", i, BF_LOG_BURST);
}

/* A burst, then per_sec lines a second; a quiet spell earns the burst back. */
static void ratelimit_burst(void)
{
	struct bf_ratelimit rl = { .burst = 10, .per_sec = 5 };
	uint64_t t = 7000000000ULL, ms = 1000000ULL;
	unsigned int i, ok = 0, missed = 77;

	for (i = 0; i < 100; i++)
		ok += bf_ratelimit_allow(&rl, t + i, &missed);
	CHECK_EQ("burst: 10 lines at once", ok, 10);
	CHECK("burst: none 199 ms later", !bf_ratelimit_allow(&rl, t + 199 * ms, &missed));
	CHECK("burst: one 200 ms later", bf_ratelimit_allow(&rl, t + 200 * ms, &missed));
	CHECK_EQ("burst: it reports the lines suppressed", missed, 91);
	CHECK("burst: not two", !bf_ratelimit_allow(&rl, t + 300 * ms, &missed));
	for (ok = 0, i = 1; i <= 200; i++)	/* 10 s at 20 lines a second */
		ok += bf_ratelimit_allow(&rl, t + 200 * ms + i * 50 * ms, &missed);
	CHECK_EQ("burst: then 5 lines a second", ok, 5 * 10);
	for (ok = 0, i = 0; i < 30; i++)
		ok += bf_ratelimit_allow(&rl, t + 60000 * ms + i, &missed);
	CHECK_EQ("burst: a quiet spell earns the burst back", ok, 10);
}


int main(void)
{
	levels();
	journal_lines();
	journal_format();
	ratelimit();
	ratelimit_burst();
	UNIT_EXIT();
}
