// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * guestmem.c - the SIGBUS guard around guest memory accesses (see
 * guestmem.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "vhost/guestmem.h"

static __thread struct guestmem_guard *volatile guard;

static bool inside(const struct guestmem_maps *m, const void *addr)
{
	unsigned int i;

	for (i = 0; i < m->n && i < VQ_MAX_REGIONS; i++)
		if ((uintptr_t)addr - (uintptr_t)m->base[i] < m->len[i])
			return true;
	return false;
}

/* Async-signal-safe: reads this thread's guard, jumps or dies. */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	struct guestmem_guard *g = guard;

	(void)uctx;
	/* si_code > 0: raised by the kernel for a real access fault */
	if (g && si->si_code > 0 && inside(g->maps, si->si_addr))
		siglongjmp(g->env, 1);
	signal(sig, SIG_DFL);
	if (si->si_code <= 0)
		raise(sig);	/* sent, not a fault: die of it now */
	/* a fault: returning repeats the access, now with the default action */
}

int guestmem_install(void)
{
	static bool installed;
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO | SA_NODEFER,
	};

	if (installed)
		return 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		return -errno;
	installed = true;
	return 0;
}

void guestmem_enter(struct guestmem_guard *g, const struct guestmem_maps *maps)
{
	g->maps = maps;
	g->prev = guard;
	guard = g;
}

void guestmem_leave(struct guestmem_guard *g)
{
	guard = g->prev;
}
