/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * log.h - the logging convention of bifrostctl and bifrost-host: one line
 * per message on standard error, with a level and the program's name set
 * once (bf_log_init).
 *
 *   to a terminal or file:  "bifrost-host: error: cannot bind ..."
 *                           "bifrost-host: warning: ..."
 *                           "bifrost-host: serving 1 guest(s) ..." (info)
 *                           "bifrost-host: debug: ..."
 *   to the journal:         "<3>cannot bind ..." (sd-daemon(3) prefixes;
 *                           journald adds the program's name itself)
 *
 * Standard error is the journal when JOURNAL_STREAM names its device and
 * inode (systemd.exec(5)). Messages above the level set by --log-level
 * (error, warn, info, debug; default info) are dropped. bf_log_rl() lets a
 * call site print BF_LOG_BURST lines per second; the rest are counted and
 * reported as one "suppressed N similar messages" line when it next prints.
 */
#ifndef BIFROST_LOG_H
#define BIFROST_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum bf_log_level {			/* syslog(3) priorities */
	BF_LOG_ERR = 3,
	BF_LOG_WARN = 4,
	BF_LOG_INFO = 6,
	BF_LOG_DEBUG = 7,
};

#define BF_LOG_BURST		10		/* lines per call site ... */
#define BF_LOG_WINDOW_NS	1000000000ULL	/* ... per second */

/* One call site's rate limit state (bf_log_rl keeps one per site). */
struct bf_ratelimit {
	uint64_t window_start;
	unsigned int printed;
	unsigned int suppressed;
};

/* Sets the prefix (the program's name) and looks at JOURNAL_STREAM. */
void bf_log_init(const char *prog);
/* "error", "warn", "info" or "debug"; 0, or -1 for another word. */
int bf_log_set_level(const char *name);
/* The same word into *level without setting it (pure); 0 or -1. */
int bf_log_level_parse(const char *name, enum bf_log_level *level);
void bf_log_apply_level(enum bf_log_level level);
enum bf_log_level bf_log_level(void);
/* Whether lines go to the journal (with <N> prefixes). */
bool bf_log_to_journal(void);

void bf_log(enum bf_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bf_vlog(enum bf_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Whether a line may be printed at now_ns under rl; when it may and lines
 * were suppressed before, *suppressed gets their count (else 0). Pure:
 * the unit test drives the clock.
 */
bool bf_ratelimit_allow(struct bf_ratelimit *rl, uint64_t now_ns, unsigned int *suppressed);
void bf_log_limited(struct bf_ratelimit *rl, enum bf_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define bf_err(...)	bf_log(BF_LOG_ERR, __VA_ARGS__)
#define bf_warn(...)	bf_log(BF_LOG_WARN, __VA_ARGS__)
#define bf_info(...)	bf_log(BF_LOG_INFO, __VA_ARGS__)
#define bf_debug(...)	bf_log(BF_LOG_DEBUG, __VA_ARGS__)
#define bf_log_rl(level, ...) do {					\
	static struct bf_ratelimit rl_;					\
	bf_log_limited(&rl_, level, __VA_ARGS__);			\
} while (0)

#endif /* BIFROST_LOG_H */
