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

#endif /* BIFROST_UNIT_H */
