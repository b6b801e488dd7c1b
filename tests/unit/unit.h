/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * unit.h - minimal unit-test helpers. Each check prints one result line,
 * "PASS: name" or "FAIL: name: detail", which tests/run.sh counts.
 */
#ifndef BIFROST_UNIT_H
#define BIFROST_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

#define CHECK(name, cond)                                                    \
	do {                                                                 \
		if (cond) {                                                  \
			printf("PASS: %s\n", (name));                        \
		} else {                                                     \
			printf("FAIL: %s: %s (%s:%d)\n", (name), #cond,      \
			       __FILE__, __LINE__);                          \
			unit_failures++;                                     \
		}                                                            \
	} while (0)

#define CHECK_EQ(name, a, b)                                                 \
	do {                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);          \
		if (_a == _b) {                                              \
			printf("PASS: %s\n", (name));                        \
		} else {                                                     \
			printf("FAIL: %s: %s = %lld, expected %lld (%s:%d)\n",\
			       (name), #a, _a, _b, __FILE__, __LINE__);      \
			unit_failures++;                                     \
		}                                                            \
	} while (0)

#define UNIT_EXIT() return unit_failures ? 1 : 0

/*
 * Splits line at spaces into argv after prog, as a shell would pass a
 * command line without quotes: at most 30 words; argv points into a static
 * copy of line, valid until the next call. Returns argc.
 */
static inline int unit_argv(const char *prog, const char *line, char *argv[32])
{
	static char buf[1024];
	char *save = NULL, *w;
	int argc = 1;

	argv[0] = (char *)prog;
	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w && argc < 31; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

#endif /* BIFROST_UNIT_H */
