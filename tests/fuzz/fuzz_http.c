// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_http.c - libFuzzer harness for the metrics server's request framing
 * and routing (loader/http.c), which read whatever a client sends.
 *
 * Beyond "no crash" (the input is copied to an exactly sized buffer, so
 * ASan catches any read past it) it asserts:
 *   - bf_http_head_end returns 0 or a length within the input that ends
 *     with an empty line ("\n\n" or "\n\r\n");
 *   - bf_http_route answers only 200, 400, 404, 405 or 505, and 200 only
 *     for a request line starting "GET /metrics" or "HEAD /metrics" that
 *     names HTTP/1.0 or HTTP/1.1, with head_only set exactly for HEAD.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"

static void check_head_end(const char *buf, size_t len)
{
	size_t n = bf_http_head_end(buf, len);

	if (!n)
		return;
	if (n > len || n < 2 || buf[n - 1] != '\n' ||
	    (buf[n - 2] != '\n' && (n < 3 || buf[n - 2] != '\r' || buf[n - 3] != '\n')))
		abort();
}

static void check_route(const char *buf, size_t len)
{
	bool head = false;
	const char *eol;
	int st = bf_http_route(buf, len, &head);

	if (st != 200 && st != 400 && st != 404 && st != 405 && st != 505)
		abort();
	if (st != 200)
		return;
	eol = memchr(buf, '\n', len);
	if (!eol)
		abort();
	if (head ? strncmp(buf, "HEAD /metrics", 13) : strncmp(buf, "GET /metrics", 12))
		abort();
	if (!memmem(buf, (size_t)(eol - buf), " HTTP/1.0", 9) &&
	    !memmem(buf, (size_t)(eol - buf), " HTTP/1.1", 9))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (size > BF_HTTP_MAX_HEAD)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	check_head_end(buf, size);
	check_route(buf, size);
	free(buf);
	return 0;
}
