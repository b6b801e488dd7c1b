// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests for the metrics server's request framing and routing (loader/http.c). */
#include <string.h>
#include "http.h"
#include "unit.h"

static int route(const char *req, bool *head)
{
	*head = false;
	return bf_http_route(req, strlen(req), head);
}

static void routes(const char *name, const char *req, int want)
{
	bool head;

	CHECK_EQ(name, route(req, &head), want);
}

int main(void)
{
	char big[BF_HTTP_MAX_HEAD];
	bool head;

	CHECK_EQ("head end CRLF", bf_http_head_end("GET / HTTP/1.1\r\nA: b\r\n\r\nxx", 26), 24);
	CHECK_EQ("head end LF", bf_http_head_end("GET / HTTP/1.0\n\n", 16), 16);
	CHECK_EQ("head incomplete", bf_http_head_end("GET / HTTP/1.1\r\nA: b\r\n", 22), 0);
	CHECK_EQ("empty head", bf_http_head_end("", 0), 0);

	routes("GET /metrics 1.1", "GET /metrics HTTP/1.1\r\n\r\n", 200);
	routes("GET /metrics 1.0 LF", "GET /metrics HTTP/1.0\n\n", 200);
	routes("query allowed", "GET /metrics?x=1 HTTP/1.1\r\n\r\n", 200);
	CHECK("HEAD /metrics", route("HEAD /metrics HTTP/1.1\r\n\r\n", &head) == 200 && head);
	CHECK("GET is not HEAD", route("GET /metrics HTTP/1.1\r\n\r\n", &head) == 200 && !head);
	routes("other path", "GET / HTTP/1.1\r\n\r\n", 404);
	routes("prefix path", "GET /metricsx HTTP/1.1\r\n\r\n", 404);
	routes("sub path", "GET /metrics/x HTTP/1.1\r\n\r\n", 404);
	routes("POST", "POST /metrics HTTP/1.1\r\n\r\n", 405);
	routes("lower-case get", "get /metrics HTTP/1.1\r\n\r\n", 405);
	routes("HTTP/2.0", "GET /metrics HTTP/2.0\r\n\r\n", 505);
	routes("HTTP/0.9 line", "GET /metrics\r\n\r\n", 400);
	routes("no version", "GET /metrics \r\n\r\n", 400);
	routes("two spaces", "GET  /metrics HTTP/1.1\r\n\r\n", 400);
	routes("absolute form", "GET http://x/metrics HTTP/1.1\r\n\r\n", 400);
	routes("trailing junk", "GET /metrics HTTP/1.1 x\r\n\r\n", 400);
	routes("no newline", "GET /metrics HTTP/1.1", 400);
	routes("empty line", "\r\n\r\n", 400);
	routes("control char in target", "GET /met\x01rics HTTP/1.1\r\n\r\n", 400);
	routes("long method", "GETGETGETGETGETGETGET /metrics HTTP/1.1\r\n\r\n", 400);
	CHECK_EQ("NUL in target", bf_http_route("GET /m\0trics HTTP/1.1\r\n\r\n", 25, &head), 400);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	big[sizeof(big) - 1] = '\n';
	CHECK_EQ("target over the bound", bf_http_route(big, sizeof(big), &head), 400);
	CHECK("reasons", !strcmp(bf_http_reason(404), "Not Found") &&
	      !strcmp(bf_http_reason(405), "Method Not Allowed"));
	return unit_failures ? 1 : 0;
}
