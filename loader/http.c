// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* http.c - request-head framing and routing for the metrics server (http.h). */
#include <string.h>
#include "http.h"

#define MAX_METHOD	16
#define MAX_TARGET	2048

size_t bf_http_head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* RFC 9110 tchar: what a method token may hold. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Length of the token at s made of chars accepted by ok, at most max. */
static size_t span(const char *s, size_t len, bool (*ok)(char), size_t max)
{
	size_t n = 0;

	while (n < len && n <= max && ok(s[n]))
		n++;
	return n;
}

static bool is_target_char(char c)
{
	return c > ' ' && c < 0x7f;
}

static int route_version(const char *v, size_t n)
{
	if (n == 8 && (!memcmp(v, "HTTP/1.0", 8) || !memcmp(v, "HTTP/1.1", 8)))
		return 200;
	if (n == 8 && !memcmp(v, "HTTP/", 5) && v[5] >= '0' && v[5] <= '9' &&
	    v[6] == '.' && v[7] >= '0' && v[7] <= '9')
		return 505;
	return 400;
}

int bf_http_route(const char *buf, size_t len, bool *head_only)
{
	const char *eol = memchr(buf, '\n', len), *t, *v;
	size_t line, m, tn, vn, pn;
	int st;

	if (!eol)
		return 400;
	line = (size_t)(eol - buf);
	if (line && buf[line - 1] == '\r')
		line--;
	m = span(buf, line, is_tchar, MAX_METHOD);
	if (!m || m > MAX_METHOD || m >= line || buf[m] != ' ')
		return 400;
	t = buf + m + 1;
	tn = span(t, line - m - 1, is_target_char, MAX_TARGET);
	if (!tn || tn > MAX_TARGET || m + 1 + tn >= line || t[tn] != ' ')
		return 400;
	v = t + tn + 1;
	vn = line - m - tn - 2;
	st = route_version(v, vn);
	if (st != 200)
		return st;
	if (t[0] != '/')
		return 400;
	*head_only = m == 4 && !memcmp(buf, "HEAD", 4);
	if (!*head_only && !(m == 3 && !memcmp(buf, "GET", 3)))
		return 405;
	pn = strcspn(t, "? ");
	if (pn > tn)
		pn = tn;
	if (pn != strlen(BF_HTTP_PATH) || memcmp(t, BF_HTTP_PATH, pn))
		return 404;
	return 200;
}

const char *bf_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}
