// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_stream - TCP test traffic with verifiable content.
 *
 *   bf_stream recv PORT BYTES SEED       accept one connection, read BYTES,
 *                                        check them against the SEED pattern
 *                                        (BYTES 0: until the sender closes)
 *   bf_stream send ADDR PORT BYTES SEED  connect and write BYTES of pattern
 *                                        (BYTES 0: until SIGUSR1, then close;
 *                                        prints how many bytes went out)
 *   bf_stream rr-server PORT             echo fixed-size requests until EOF
 *   bf_stream rr-client ADDR PORT COUNT SIZE
 *                                        COUNT request/response round trips,
 *                                        prints the median and p90 in us
 *
 * The pattern is a 64-bit xorshift stream, so a byte out of place, lost or
 * duplicated shows as a mismatch at its offset. Every socket has a 30 s
 * timeout: a stalled test fails instead of hanging.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "pattern.h"

#define CHUNK	(256 * 1024)

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 30 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int listen_accept(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0), fd;
	struct timeval tv = { .tv_sec = 60 };

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1)) {
		perror("bf_stream: bind/listen");
		exit(1);
	}
	printf("listening\n");
	fflush(stdout);
	fd = accept(ls, NULL, NULL);
	if (fd < 0) {
		perror("bf_stream: accept");
		exit(1);
	}
	close(ls);
	set_timeouts(fd);
	return fd;
}

static int connect_to(const char *addr, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), tries;

	inet_pton(AF_INET, addr, &a.sin_addr);
	set_timeouts(fd);
	for (tries = 0; tries < 300; tries++) {	/* 30 s: slow (icount) guests */
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		if (errno != ECONNREFUSED)
			break;
		usleep(100000);
		close(fd);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		set_timeouts(fd);
	}
	perror("bf_stream: connect");
	exit(1);
}

static volatile sig_atomic_t stop_sending;

static void on_usr1(int sig)
{
	(void)sig;
	stop_sending = 1;
}

static int do_recv(int fd, uint64_t bytes, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK), *want = malloc(CHUNK);
	uint64_t got = 0;
	ssize_t n;

	while (!bytes || got < bytes) {
		n = read(fd, buf, CHUNK);
		if (n == 0 && !bytes)
			break;		/* open-ended stream: EOF ends it */
		if (n <= 0) {
			printf("short: got %llu of %llu bytes (%s)\n", (unsigned long long)got,
			       (unsigned long long)bytes, n ? strerror(errno) : "EOF");
			return 1;
		}
		if (pattern_check(seed, got, buf, n, want) >= 0) {
			printf("mismatch at offset %lld\n", pattern_check(seed, got, buf, n, want));
			return 1;
		}
		got += n;
	}
	if (bytes && read(fd, buf, 1) != 0) {
		printf("extra bytes after %llu\n", (unsigned long long)bytes);
		return 1;
	}
	printf("ok %llu bytes\n", (unsigned long long)got);
	return 0;
}

static int do_send(int fd, uint64_t bytes, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t off = 0;
	size_t len, done;
	ssize_t n;

	signal(SIGUSR1, on_usr1);
	while (bytes ? off < bytes : !stop_sending) {
		len = bytes && bytes - off < CHUNK ? bytes - off : CHUNK;
		pattern_fill(seed, off, buf, len);
		for (done = 0; done < len; done += n) {
			n = write(fd, buf + done, len - done);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0) {
				perror("bf_stream: write");
				return 1;
			}
		}
		off += len;
	}
	shutdown(fd, SHUT_WR);
	/* wait for the receiver to close: all bytes acknowledged */
	while (read(fd, buf, CHUNK) > 0)
		;
	printf("sent %llu bytes\n", (unsigned long long)off);
	return 0;
}

static int read_full(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int do_rr_server(int fd)
{
	uint8_t buf[65536];
	uint32_t size;

	while (read_full(fd, (uint8_t *)&size, 4) == 0 && size <= sizeof(buf)) {
		if (read_full(fd, buf, size) || write(fd, buf, size) != (ssize_t)size)
			return 1;
	}
	return 0;
}

static int do_rr_client(int fd, long count, uint32_t size)
{
	uint8_t req[65536 + 4], resp[65536];
	uint64_t *lat = calloc(count, sizeof(*lat));
	struct timespec t0, t1;
	int one = 1;
	long i;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memcpy(req, &size, 4);
	for (i = 0; i < count; i++) {
		pattern_fill((uint64_t)i, 0, req + 4, size);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (write(fd, req, size + 4) != (ssize_t)(size + 4) || read_full(fd, resp, size)) {
			printf("rr failed at %ld\n", i);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (memcmp(resp, req + 4, size)) {
			printf("rr mismatch at %ld\n", i);
			return 1;
		}
		lat[i] = (t1.tv_sec - t0.tv_sec) * 1000000000ULL + t1.tv_nsec - t0.tv_nsec;
	}
	qsort(lat, count, sizeof(*lat), cmp_u64);
	printf("rr %ld median_us %.1f p90_us %.1f\n", count, lat[count / 2] / 1000.0,
	       lat[count * 9 / 10] / 1000.0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return do_recv(listen_accept(argv[2]), strtoull(argv[3], NULL, 0),
			       strtoull(argv[4], NULL, 0));
	if (argc == 6 && !strcmp(argv[1], "send"))
		return do_send(connect_to(argv[2], argv[3]), strtoull(argv[4], NULL, 0),
			       strtoull(argv[5], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "rr-server"))
		return do_rr_server(listen_accept(argv[2]));
	if (argc == 6 && !strcmp(argv[1], "rr-client")) {
		long count = atol(argv[4]);
		unsigned long size = strtoul(argv[5], NULL, 0);

		if (count < 1 || size < 1 || size > 65536)
			return 2;
		return do_rr_client(connect_to(argv[2], argv[3]), count, (uint32_t)size);
	}
	fprintf(stderr, "usage: see the comment at the top of bf_stream.c\n");
	return 2;
}
