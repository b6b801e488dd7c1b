// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prom_http.c - `bifrostctl stats --prometheus --listen ADDR:PORT`: a small
 * HTTP/1.0-1.1 server answering GET /metrics with the exposition of prom.c,
 * read afresh from the maps per request. One request per connection, each
 * bounded in size (http.h) and time (HTTP_DEADLINE_MS) and served on a
 * thread of its own (at most HTTP_MAX_CLIENTS at once; 503 beyond), so a
 * slow or hostile client holds up only itself. The maps are read by one
 * request at a time.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "http.h"
#include "stats.h"
#include "util.h"

#define HTTP_DEADLINE_MS	5000
#define HTTP_MAX_CLIENTS	32

static int active;		/* connections being served (atomic) */
static pthread_mutex_t collect_lock = PTHREAD_MUTEX_INITIALIZER;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ms(void)
{
	return (long long)(bf_now_ns() / 1000000);
}

/* Waits for events on fd until the deadline; 1 ready, 0 timed out/stopped. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int r;

	do {
		left = deadline - now_ms();
		if (left <= 0 || stop)
			return 0;
		r = poll(&p, 1, (int)left);
	} while (r < 0 && errno == EINTR);
	return r > 0;
}

static int send_all(int fd, const char *p, size_t n, long long deadline)
{
	ssize_t w;

	while (n) {
		if (!wait_fd(fd, POLLOUT, deadline))
			return -ETIMEDOUT;
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Reads the request head into buf (BF_HTTP_MAX_HEAD bytes at most).
 * Returns 0 with *len set, an HTTP status to answer with, or -ECONNRESET
 * for a client that went away without a byte (nothing to answer).
 */
static int read_head(int fd, char *buf, size_t *len, long long deadline)
{
	ssize_t r;

	*len = 0;
	while (!bf_http_head_end(buf, *len)) {
		if (*len >= BF_HTTP_MAX_HEAD)
			return 431;
		if (!wait_fd(fd, POLLIN, deadline))
			return 408;
		r = recv(fd, buf + *len, BF_HTTP_MAX_HEAD - *len, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return *len ? 400 : -ECONNRESET;
		*len += (size_t)r;
	}
	return 0;
}

/* Sends a response, bounded in time on its own (the read may have used up its). */
static void respond(int fd, int status, const char *body, size_t n, bool head_only)
{
	long long deadline = now_ms() + HTTP_DEADLINE_MS;
	char hdr[256];
	int h;

	h = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, bf_http_reason(status),
		     status == 200 ? "text/plain; version=0.0.4; charset=utf-8" :
				     "text/plain; charset=utf-8",
		     n, status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (send_all(fd, hdr, (size_t)h, deadline) || head_only)
		return;
	send_all(fd, body, n, deadline);
}

/* Answers GET /metrics with a fresh exposition (503 when it cannot). */
static void respond_metrics(int fd, const char *ifname, bool head_only)
{
	char *body = NULL, err[256];
	size_t n = 0;
	FILE *f = open_memstream(&body, &n);
	int rc;

	if (!f) {
		respond(fd, 500, "out of memory\n", 14, head_only);
		return;
	}
	pthread_mutex_lock(&collect_lock);
	rc = bf_prom_collect(f, ifname, err, sizeof(err));
	pthread_mutex_unlock(&collect_lock);
	fclose(f);
	if (rc) {
		strncat(err, "\n", sizeof(err) - strlen(err) - 1);
		respond(fd, 503, err, strlen(err), head_only);
	} else {
		respond(fd, 200, body, n, head_only);
	}
	free(body);
}

static void serve_one(int fd, const char *ifname)
{
	char buf[BF_HTTP_MAX_HEAD];
	long long deadline = now_ms() + HTTP_DEADLINE_MS;
	const char *reason;
	bool head_only = false;
	size_t len;
	int st = read_head(fd, buf, &len, deadline);

	if (st < 0)
		return;
	if (!st)
		st = bf_http_route(buf, len, &head_only);
	if (st == 200) {
		respond_metrics(fd, ifname, head_only);
		return;
	}
	reason = bf_http_reason(st);
	snprintf(buf, sizeof(buf), "%d %s\n", st, reason);
	respond(fd, st, buf, strlen(buf), head_only);
}

/*
 * Closes a connection after its response: our side first, then what the
 * client still sends is read and dropped (bounded), so the close does not
 * turn into a reset that could cut the response short on its side.
 */
static void close_gently(int fd)
{
	long long deadline = now_ms() + 200;
	char sink[4096];
	int i;

	shutdown(fd, SHUT_WR);
	for (i = 0; i < 16 && wait_fd(fd, POLLIN, deadline); i++)
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) == 0)
			break;
	close(fd);
}

struct conn {
	int fd;
	const char *ifname;
};

static void *conn_main(void *arg)
{
	struct conn c = *(struct conn *)arg;

	free(arg);
	serve_one(c.fd, c.ifname);
	close_gently(c.fd);
	__atomic_fetch_sub(&active, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* Serves fd on a detached thread of its own; past HTTP_MAX_CLIENTS at once
 * (or without memory or a thread) it is answered 503 at once instead. */
static void dispatch(int fd, const char *ifname)
{
	pthread_attr_t at;
	pthread_t t;
	struct conn *c = NULL;
	int err = 1;

	if (__atomic_add_fetch(&active, 1, __ATOMIC_RELAXED) <= HTTP_MAX_CLIENTS &&
	    (c = malloc(sizeof(*c)))) {
		*c = (struct conn){ .fd = fd, .ifname = ifname };
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		err = pthread_create(&t, &at, conn_main, c);
		pthread_attr_destroy(&at);
	}
	if (!err)
		return;
	free(c);
	respond(fd, 503, "busy\n", 5, false);
	close_gently(fd);
	__atomic_fetch_sub(&active, 1, __ATOMIC_RELAXED);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" -> host (NULL: any) and port. */
static int split_addr(const char *addr, char *host, size_t hlen, const char **port)
{
	const char *colon = strrchr(addr, ':');
	size_t n;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -EINVAL;
	*port = colon + 1;
	n = (size_t)(colon - addr);
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
		addr++;
		n -= 2;
	}
	if (n >= hlen || memchr(addr, '[', n) || memchr(addr, ']', n))
		return -EINVAL;
	memcpy(host, addr, n);
	host[n] = 0;
	return 0;
}

/* Numeric host (empty: every IPv6 and IPv4 address) and port -> sockaddr. */
static int make_sockaddr(const char *host, const char *port, struct sockaddr_in6 *s6,
			 struct sockaddr_in *s4, struct sockaddr **sa, socklen_t *len)
{
	long p = strtol(port, NULL, 10);

	if (p < 0 || p > 65535 || strlen(port) > 5)
		return -EINVAL;
	*s6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)p),
				     .sin6_addr = in6addr_any };
	*s4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };
	if (!host[0] || inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		*sa = (struct sockaddr *)s6;
		*len = sizeof(*s6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return -EINVAL;
	*sa = (struct sockaddr *)s4;
	*len = sizeof(*s4);
	return 0;
}

/* A listening TCP socket on addr, or -EINVAL (bad addr) / -errno, the reason logged. */
static int listen_on(const char *addr)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct sockaddr *sa;
	socklen_t sl;
	const char *port;
	char host[INET6_ADDRSTRLEN];
	int fd, one = 1, e;

	if (split_addr(addr, host, sizeof(host), &port) ||
	    make_sockaddr(host, port, &s6, &s4, &sa, &sl))
		return bf_fail(-EINVAL, "bad --listen '%s' (want IPV4:PORT, [IPV6]:PORT or :PORT)",
			       addr);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, sa, sl) || listen(fd, 16)) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return bf_fail(-e, "cannot listen on %s: %s", addr, strerror(e));
	}
	return fd;
}

/* Prints where the server listens (the port the kernel chose for port 0). */
static void announce(int fd)
{
	struct sockaddr_in6 ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	socklen_t sl = sizeof(ss);
	char h[INET6_ADDRSTRLEN];
	bool v6;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return;
	v6 = ss.sin6_family == AF_INET6;
	if (!inet_ntop(ss.sin6_family, v6 ? (void *)&ss.sin6_addr : (void *)&s4->sin_addr,
		       h, sizeof(h)))
		return;
	printf(v6 ? "listening on http://[%s]:%u%s\n" : "listening on http://%s:%u%s\n", h,
	       ntohs(v6 ? ss.sin6_port : s4->sin_port), BF_HTTP_PATH);
	fflush(stdout);
}

int bf_prom_listen(const char *addr, const char *ifname)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd p;
	int lfd = listen_on(addr), cfd;

	if (lfd < 0)
		return lfd == -EINVAL ? BF_EXIT_USAGE : BF_EXIT_ERROR;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	announce(lfd);
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	while (!stop) {
		if (poll(&p, 1, 1000) <= 0)
			continue;
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd < 0)
			continue;
		dispatch(cfd, ifname);
	}
	close(lfd);
	return BF_EXIT_OK;
}
