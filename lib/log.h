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
 * (error, warn, info, debug; default info) are dropped. A line that a peer
 * can provoke at will goes through bf_log_limited() and a limiter of the
 * caller's (struct bf_ratelimit, a token bucket; one per device or guest and
 * kind of line): lines over the limit are counted, and the next line printed
 * ends in "(N similar lines suppressed)".
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

#define BF_LOG_BURST		10	/* lines at once ... */
#define BF_LOG_PER_SEC		5	/* ... then this many a second */

/*
 * A log line limiter, a token bucket: burst lines at once, then per_sec a
 * second; a quiet spell earns the burst back. burst or per_sec 0 means
 * BF_LOG_BURST or BF_LOG_PER_SEC, so a zeroed one is ready to use.
 */
struct bf_ratelimit {
	unsigned int burst, per_sec;	/* set by the owner, or 0 */
	bool started;			/* tokens and last are set */
	unsigned int tokens;		/* lines that may be printed now */
	uint64_t last;			/* when tokens were last added, ns */
	unsigned int missed;		/* suppressed since the last printed line */
};

/* Sets the prefix (the program's name) and looks at JOURNAL_STREAM. */
void bf_log_init(const char *prog);
/* "error", "warn", "info" or "debug"; 0, or -EINVAL for another word. */
int bf_log_set_level(const char *name);
/* The same word into *level without setting it (pure); 0 or -EINVAL. */
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
 * Whether one more line may be printed at now_ns (monotonic) under rl; when
 * it may, *missed gets the lines suppressed since the last one printed (else
 * it is left alone). Pure: the unit test drives the clock.
 */
bool bf_ratelimit_allow(struct bf_ratelimit *rl, uint64_t now_ns, unsigned int *missed);
/* Logs the line if rl lets it through (rl is shared by threads safely). */
void bf_log_limited(struct bf_ratelimit *rl, enum bf_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Logs fmt at error level and returns code: the one way both programs leave
 * a command or main() on an error, e.g. return bf_fail(BF_EXIT_ERROR, ...).
 */
int bf_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Routes libbpf's own log (libbpf_set_print) to standard error when the
 * environment has BIFROST_DEBUG: its warnings and information, and with
 * BIFROST_DEBUG=debug its debug lines too (the verifier's log on a failed
 * load is a warning). Without it libbpf is silent: each failure is the one
 * line the caller logs.
 */
void bf_log_libbpf(void);

#define bf_err(...)	bf_log(BF_LOG_ERR, __VA_ARGS__)
#define bf_warn(...)	bf_log(BF_LOG_WARN, __VA_ARGS__)
#define bf_info(...)	bf_log(BF_LOG_INFO, __VA_ARGS__)
#define bf_debug(...)	bf_log(BF_LOG_DEBUG, __VA_ARGS__)

#endif /* BIFROST_LOG_H */
