// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c - levelled, rate-limited, journald-aware logging (log.h). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "util.h"

static const char *prefix = "bifrost";
static enum bf_log_level max_level = BF_LOG_INFO;
static bool journal;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

/* JOURNAL_STREAM is "DEV:INODE" of the journal's stream socket. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void bf_log_init(const char *prog)
{
	prefix = prog;
	journal = stderr_is_journal();
}

int bf_log_level_parse(const char *name, enum bf_log_level *level)
{
	static const struct { const char *name; enum bf_log_level level; } t[] = {
		{ "error", BF_LOG_ERR }, { "warn", BF_LOG_WARN },
		{ "info", BF_LOG_INFO }, { "debug", BF_LOG_DEBUG },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!strcmp(name, t[i].name)) {
			*level = t[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

int bf_log_set_level(const char *name)
{
	return bf_log_level_parse(name, &max_level);
}

void bf_log_apply_level(enum bf_log_level level)
{
	max_level = level;
}

enum bf_log_level bf_log_level(void)
{
	return max_level;
}

bool bf_log_to_journal(void)
{
	return journal;
}

static const char *level_word(enum bf_log_level level)
{
	switch (level) {
	case BF_LOG_ERR:	return "error: ";
	case BF_LOG_WARN:	return "warning: ";
	case BF_LOG_DEBUG:	return "debug: ";
	default:		return "";
	}
}

/* Formats one line and writes it with one write(2): whole lines even when
 * threads log at once. */
void bf_vlog(enum bf_log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level > max_level)
		return;
	if (journal)
		n = snprintf(line, sizeof(line), "<%d>", (int)level);
	else
		n = snprintf(line, sizeof(line), "%s: %s", prefix, level_word(level));
	if (n < 0)
		return;
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, n) < 0)
		return;		/* nowhere left to report it */
}

void bf_log(enum bf_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bf_vlog(level, fmt, ap);
	va_end(ap);
}

int bf_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bf_vlog(BF_LOG_ERR, fmt, ap);
	va_end(ap);
	return code;
}

/* libbpf's lines as they are (they end in a newline of their own). */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *want = getenv("BIFROST_DEBUG");

	if (!want || (level == LIBBPF_DEBUG && strcmp(want, "debug")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void bf_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

/* Adds the tokens earned since rl->last (one per 1/per_sec s), up to the
 * burst; a partial token's time is kept for the next call. */
static void ratelimit_refill(struct bf_ratelimit *rl, uint64_t now_ns)
{
	unsigned int burst = rl->burst ?: BF_LOG_BURST;
	uint64_t step = 1000000000ULL / (rl->per_sec ?: BF_LOG_PER_SEC), earned;

	if (!rl->started || now_ns < rl->last) {
		rl->started = true;
		rl->tokens = burst;
		rl->last = now_ns;
		return;
	}
	earned = (now_ns - rl->last) / step;
	if (earned >= burst - rl->tokens) {
		rl->tokens = burst;
		rl->last = now_ns;
	} else {
		rl->tokens += earned;
		rl->last += earned * step;
	}
}

bool bf_ratelimit_allow(struct bf_ratelimit *rl, uint64_t now_ns, unsigned int *missed)
{
	ratelimit_refill(rl, now_ns);
	if (!rl->tokens) {
		rl->missed++;
		return false;
	}
	rl->tokens--;
	*missed = rl->missed;
	rl->missed = 0;
	return true;
}

void bf_log_limited(struct bf_ratelimit *rl, enum bf_log_level level, const char *fmt, ...)
{
	unsigned int missed = 0;
	char line[896];
	va_list ap;
	bool ok;

	if (level > max_level)
		return;
	pthread_mutex_lock(&rl_lock);
	ok = bf_ratelimit_allow(rl, bf_now_ns(), &missed);
	pthread_mutex_unlock(&rl_lock);
	if (!ok)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (missed)
		bf_log(level, "%s (%u similar lines suppressed)", line, missed);
	else
		bf_log(level, "%s", line);
}
