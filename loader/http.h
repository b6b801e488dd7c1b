/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * http.h - the request side of `bifrostctl stats --prometheus --listen`'s
 * HTTP/1.0-1.1 server, as pure functions on a private buffer (no I/O), so
 * the unit tests and the fuzzer reach every byte of it.
 */
#ifndef BIFROST_HTTP_H
#define BIFROST_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define BF_HTTP_MAX_HEAD	8192	/* request line and headers */
#define BF_HTTP_PATH		"/metrics"

/*
 * Length of the request head in buf[0..len) up to and including the empty
 * line that ends it ("\r\n\r\n" or "\n\n"), or 0 while it is incomplete.
 */
size_t bf_http_head_end(const char *buf, size_t len);

/*
 * Routes the request line at the start of buf[0..len): 200 for GET or HEAD
 * of BF_HTTP_PATH (optionally with a query; *head_only set for HEAD), 400 for
 * a malformed line, 505 for a version other than HTTP/1.0 and 1.1, 405 for
 * another method, 404 for another path.
 */
int bf_http_route(const char *buf, size_t len, bool *head_only);

/* Reason phrase of a status code this server sends. */
const char *bf_http_reason(int status);

#endif /* BIFROST_HTTP_H */
