// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_impair - a lossy, duplicating, reordering wire between two interfaces
 * (this kernel has no sch_netem). Frames are read from each interface with
 * AF_PACKET and written to the other one:
 *
 *   bf_impair IF_A IF_B LOSS_PPM DUP_PPM REORDER_PPM SEED
 *
 * A frame is dropped with probability LOSS_PPM/1e6, sent twice with
 * DUP_PPM/1e6, and held back with REORDER_PPM/1e6 until the next frame in
 * the same direction has gone out (or 2 ms passed). Runs until SIGTERM and
 * prints per-direction counts.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include "util.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct dir {
	int in, out;
	uint8_t held[2048];
	ssize_t held_len;
	uint64_t held_at;
	unsigned long fwd, lost, dup, reord;
};

static uint64_t rng;

static uint32_t rnd_ppm(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % 1000000);
}

static int open_if(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };
	int one = 1, fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	sll.sll_ifindex = if_nametoindex(name);
	mr.mr_ifindex = sll.sll_ifindex;
	if (fd < 0 || !sll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one))) {
		fprintf(stderr, "bf_impair: %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return fd;
}

static void put(struct dir *d, const uint8_t *buf, ssize_t len)
{
	/* a full socket buffer counts as loss; the wire would drop too */
	if (send(d->out, buf, len, 0) == len)
		d->fwd++;
	else
		d->lost++;
}

static void release_held(struct dir *d)
{
	if (d->held_len > 0) {
		put(d, d->held, d->held_len);
		d->held_len = 0;
	}
}

static void pump(struct dir *d, uint32_t loss, uint32_t dup, uint32_t reorder)
{
	uint8_t buf[2048];
	ssize_t n;
	int i;

	for (i = 0; i < 256; i++) {
		n = recv(d->in, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		if (rnd_ppm() < loss) {
			d->lost++;
			continue;
		}
		if (d->held_len == 0 && rnd_ppm() < reorder) {
			memcpy(d->held, buf, n);
			d->held_len = n;
			d->held_at = bf_now_ns();
			d->reord++;
			continue;
		}
		put(d, buf, n);
		if (rnd_ppm() < dup) {
			put(d, buf, n);
			d->dup++;
		}
		release_held(d);	/* goes out after a later frame */
	}
}

int main(int argc, char **argv)
{
	struct dir d[2];
	struct pollfd pfd[2];
	uint32_t loss, dup, reorder;
	int a, b, i;

	if (argc != 7) {
		fprintf(stderr, "usage: bf_impair IF_A IF_B LOSS_PPM DUP_PPM REORDER_PPM SEED\n");
		return 2;
	}
	a = open_if(argv[1]);
	b = open_if(argv[2]);
	loss = atoi(argv[3]);
	dup = atoi(argv[4]);
	reorder = atoi(argv[5]);
	rng = strtoull(argv[6], NULL, 0) | 1;
	memset(d, 0, sizeof(d));
	d[0].in = a; d[0].out = b;
	d[1].in = b; d[1].out = a;
	pfd[0].fd = a; pfd[0].events = POLLIN;
	pfd[1].fd = b; pfd[1].events = POLLIN;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		poll(pfd, 2, 1);
		for (i = 0; i < 2; i++) {
			pump(&d[i], loss, dup, reorder);
			if (d[i].held_len && bf_now_ns() - d[i].held_at > 2000000)
				release_held(&d[i]);
		}
	}
	for (i = 0; i < 2; i++)
		printf("%s->%s forwarded %lu lost %lu duplicated %lu reordered %lu\n",
		       argv[1 + i], argv[2 - i], d[i].fwd, d[i].lost, d[i].dup, d[i].reord);
	return 0;
}
